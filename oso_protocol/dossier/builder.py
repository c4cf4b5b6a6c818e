"""Build an aanvraag SWV-dossier (gegevensset 2019.1) from what the LAS holds.

The schema is a strict xs:sequence, so every emitter below writes its children in the order of
dossier-tree-2019.1.txt. Categories decide what is written at all:

- VERPLICHT categories are always delivered, whatever the caller ticked: in ParnasSys these
  checkboxes are locked, so an unticked VERPLICHT box is treated as ticked, not as an error. [choice]
- OPTIONEEL categories are delivered when ticked (declared OPTIONEEL) and otherwise declared
  OPT-UIT with every element of the category left out, empty wrappers included.
- VERBODEN categories are declared VERBODEN and never written; ticking one is ignored. [choice]
- cat_bijlagedocs has no checkbox: OPTIONEEL when extra bijlagen are attached, OPT-UIT when
  there are none. [choice]

Privacy rules of the SWV profiles are applied here, not left to the caller: no bsn or
onderwijsnummer, no geboorteplaats/nationaliteit/postcode4adres, no verzorger banknummer,
no address when it is secret, and secret telephone numbers and e-mail addresses masked.
"""
from __future__ import annotations

import base64
import io
import zipfile
from datetime import date
from importlib import metadata
from typing import Iterable

from lxml import etree

from . import categories as cats
from .categories import GEGEVENSBLOKKEN, OPT_UIT, OPTIONEEL, PROFILE_MATRIX, VERBODEN, VERPLICHT
from .model import (
    Adres, Attachment, Communicatie, Eindtoets, Leerling, Onderwijsondersteuning, School,
    Toets, Toetsresultaat, Verzorger, Vombo, Vve,
)
from .version import DEFAULT_VERSION, GegevenssetVersion

MASK_TELEFOON = "9999999999"
MASK_EMAIL = "geheim@geheim.geheim"
AANDACHTSPUNTEN_MAX = 280


class BuilderError(ValueError):
    """The LAS record or the zorgvraag cannot become a valid aanvraag SWV-dossier."""


def _package_version() -> str:
    try:
        return metadata.version("oso-sim")
    except metadata.PackageNotFoundError:
        return "0.0.0"


# --- choices -> categorie_uitlevering ----------------------------------------------------------

def resolve_categories(profile: str, gegevensblokken: Iterable[str], *, bijlagen: bool) -> dict[str, str]:
    """The declared value of all 16 categories, in schema order."""
    if profile not in PROFILE_MATRIX:
        raise BuilderError(f"Onbekend profiel {profile!r}: kies POSWV of VOSWV")
    ticked = set()
    for naam in gegevensblokken:
        if naam in GEGEVENSBLOKKEN:
            ticked.add(GEGEVENSBLOKKEN[naam])
        elif naam in cats.BY_ELEMENT:
            ticked.add(naam)
        else:
            raise BuilderError(f"Onbekend gegevensblok {naam!r}")
    ticked.discard("cat_bijlagedocs")  # driven by the bijlagen themselves
    out = {}
    for cat in cats.CATEGORIES:
        base = PROFILE_MATRIX[profile][cat.element]
        if base in (VERPLICHT, VERBODEN):
            out[cat.element] = base
        elif cat.element == "cat_bijlagedocs":
            out[cat.element] = OPTIONEEL if bijlagen else OPT_UIT
        else:
            out[cat.element] = OPTIONEEL if cat.element in ticked else OPT_UIT
    return out


# --- small XML helpers -------------------------------------------------------------------------

class _Writer:
    def __init__(self, namespace: str):
        self.ns = namespace

    def el(self, parent, name: str):
        return etree.SubElement(parent, f"{{{self.ns}}}{name}")

    def val(self, parent, name: str, value):
        """Write a simple element; None means absent."""
        if value is None:
            return None
        node = self.el(parent, name)
        node.text = _text(value)
        return node


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def zip_attachment(att: Attachment, when: date) -> str:
    """bestandsinhoud: base64 of a ZIP holding the file under its own bestandsnaam.

    The entry's timestamp is the dossier date, so the same input gives the same bytes.
    """
    buf = io.BytesIO()
    info = zipfile.ZipInfo(att.bestandsnaam, date_time=(max(when.year, 1980), when.month, when.day, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(info, att.content)
    return base64.b64encode(buf.getvalue()).decode("ascii")


# --- the builder -------------------------------------------------------------------------------

class _Build:
    def __init__(self, w: _Writer, declared: dict[str, str], datum: date, profile: str):
        self.w = w
        self.declared = declared
        self.datum = datum
        self.profile = profile

    def on(self, cat: str) -> bool:
        return self.declared[cat] in (VERPLICHT, OPTIONEEL)

    # shared parts

    def document(self, parent, att: Attachment):
        d = self.w.el(parent, "document")
        self.w.val(d, "bestandsnaam", att.bestandsnaam)
        self.w.val(d, "omschrijving", att.omschrijving or None)
        self.w.val(d, "bestandsinhoud", zip_attachment(att, self.datum))

    def adreslijst(self, parent, adressen: list[Adres]):
        if not adressen:
            return
        lijst = self.w.el(parent, "adreslijst")
        for a in adressen:
            n = self.w.el(lijst, "adres")
            self.w.val(n, "soortadres", a.soortadres)
            self.w.val(n, "straat", a.straat)
            self.w.val(n, "nummer", a.nummer)
            self.w.val(n, "toevoeging", a.toevoeging or None)
            self.w.val(n, "postcode", a.postcode)
            self.w.val(n, "plaats", a.plaats)
            self.w.val(n, "gemeente", a.gemeente or None)

    def communicatielijst(self, parent, items: list[Communicatie]):
        if not items:
            return
        lijst = self.w.el(parent, "communicatielijst")
        for c in items:
            n = self.w.el(lijst, "communicatie")
            self.w.val(n, "soort", c.soort)
            self.w.val(n, "aanduiding", c.aanduiding)
            nummer = c.nummer
            if c.geheim:  # PaO.LL08 / PaO.OV04
                nummer = MASK_EMAIL if c.soort == "e-mail" else MASK_TELEFOON
            self.w.val(n, "nummer", nummer)
            self.w.val(n, "geheim", bool(c.geheim))
            self.w.val(n, "noodnummer", c.noodnummer)

    def naam(self, parent, voornamen, voorletters, voorvoegsel, achternaam, roepnaam=None):
        for v in voornamen:
            self.w.val(parent, "voornaam", v)
        self.w.val(parent, "voorletters-1", voorletters or None)
        self.w.val(parent, "voorvoegsel", voorvoegsel or None)
        self.w.val(parent, "achternaam", achternaam)
        self.w.val(parent, "roepnaam", roepnaam or None)

    # top level

    def metadata(self, root, pakketnaam, pakketversie, version: GegevenssetVersion):
        m = self.w.el(root, "metadata")
        self.w.val(m, "deeldossier", "LASLVS")
        self.w.val(m, "pakketnaam", pakketnaam)
        self.w.val(m, "pakketversie", pakketversie)
        self.w.val(m, "datum", self.datum)
        self.w.val(m, "standaardversie", version.standaardversie)
        self.w.val(m, "validatieversie", version.validatieversie)
        cu = self.w.el(m, "categorie_uitlevering")
        for cat, value in self.declared.items():
            self.w.val(cu, cat, value)
        self.w.val(m, "overstap", self.profile)

    def inzage(self, root, leerling: Leerling):
        # No checkbox in ParnasSys: delivered only when a caller names cat_ouderinzage. [choice]
        i = leerling.inzage
        if i is None or not self.on("cat_ouderinzage"):
            return
        n = self.w.el(root, "inzage")
        self.w.val(n, "voorlopigdossier", i.voorlopigdossier)
        self.w.val(n, "inzage", i.inzage)
        self.w.val(n, "inzagedatum", i.inzagedatum)
        self.w.val(n, "akkoord", i.akkoord)
        self.w.val(n, "redennietakkoord", i.redennietakkoord)
        self.w.val(n, "toestemming", i.toestemming)

    def school(self, root, school: School):
        if not school.adressen:
            raise BuilderError("De school heeft geen adres (PaO.SL01)")
        if not school.communicatie:
            raise BuilderError("De school heeft geen telefoonnummer of e-mailadres (PaO.SL02)")
        s = self.w.el(root, "huidigeschool")
        self.w.val(s, "naam", school.naam)
        self.adreslijst(s, school.adressen)
        self.communicatielijst(s, school.communicatie)
        self.w.val(s, "brincode", school.brincode)
        self.w.val(s, "vestigingscode", school.vestigingscode)
        self.w.val(s, "aanleverpunt", school.aanleverpunt)
        self.w.val(s, "soort", school.soort or None)
        self.w.val(s, "type", school.type or None)
        self.w.val(s, "naamdirecteur", school.naamdirecteur or None)
        self.w.val(s, "website", school.website or None)
        return s

    # leerling

    def leerling(self, parent, ll: Leerling, toelichting: Attachment, bijlagen, aandachtspunten):
        if ll.geboortedatum is None:
            raise BuilderError("Geboortedatum van de leerling ontbreekt (PaO.LL02)")
        if not ll.voornamen:
            raise BuilderError("Voornaam van de leerling ontbreekt (PaO.LL01)")
        if not ll.adresgeheim and not ll.adressen:
            raise BuilderError("Adres van de leerling ontbreekt terwijl het niet geheim is (PaO.LL05)")
        if not ll.schoolloopbaan:
            raise BuilderError("Schoolloopbaan van de leerling ontbreekt (PaO.SL01)")
        w = self.w
        n = w.el(parent, "leerling")
        self.naam(n, ll.voornamen, ll.voorletters, ll.voorvoegsel, ll.achternaam, ll.roepnaam)
        w.val(n, "geboortedatum", ll.geboortedatum)  # never geboortemaand (PaO.LL03)
        w.val(n, "geslacht", ll.geslacht)
        w.val(n, "adresgeheim", bool(ll.adresgeheim))
        if not ll.adresgeheim:
            self.adreslijst(n, ll.adressen)
        self.communicatielijst(n, ll.communicatie)
        # geboorteplaats, nationaliteit, bsn/onderwijsnummer: never (PaO.LL10-LL12). gba and
        # adresbuitenland are allowed but the LAS record keeps neither. [choice]
        w.val(n, "leerlingid", ll.leerlingid or None)
        w.val(n, "onderwijssinds", ll.onderwijssinds)
        w.val(n, "startdatumhuidigonderwijs", ll.startdatumhuidigonderwijs)
        w.val(n, "datuminschrijving", ll.datuminschrijving)
        w.val(n, "leerlinggewicht", ll.leerlinggewicht)
        w.val(n, "tehuis", ll.tehuis)
        if ll.huisarts is not None:
            h = w.el(n, "huisarts")  # OG.05: no roepnaam, geslacht or adresgeheim
            self.naam(h, ll.huisarts.voornamen, ll.huisarts.voorletters, ll.huisarts.voorvoegsel,
                      ll.huisarts.achternaam)
            self.adreslijst(h, ll.huisarts.adressen)
            self.communicatielijst(h, ll.huisarts.communicatie)
        if self.on("cat_oudersverzorgers"):
            aansprakelijk = ll.verzorgersaansprakelijk
            if aansprakelijk is None or (aansprakelijk and not ll.verzorgers):
                aansprakelijk = bool(ll.verzorgers)  # PaO.OV01
            # Always written so VERPLICHT ouders/verzorgers is met even without a verzorger.
            w.val(n, "verzorgersaansprakelijk", aansprakelijk)
        if self.on("cat_overstapadvies"):
            self.overstapadvies(n, ll, aandachtspunten)
        if self.on("cat_vve") and ll.vve is not None:
            self.vve(n, ll.vve)
        self.schoolloopbaan(n, ll)
        self.onderwijsondersteuning(n, ll.onderwijsondersteuning, toelichting)
        if self.on("cat_verzuim") and ll.verzuim is not None:
            self.verzuim(n, ll)
        if self.on("cat_eindtoetsbo") and ll.eindtoets is not None:
            self.eindtoets(n, ll.eindtoets)
        if self.on("cat_toetsresultaten") and ll.toetsen:
            lijst = w.el(n, "toetslijst")
            for t in ll.toetsen:
                self.toets(lijst, t)
        # cijferlijstlijst: the LAS keeps no cijferlijsten. [choice]
        if bijlagen and self.on("cat_bijlagedocs"):
            lijst = w.el(n, "overigdocumentlijst")
            for b in bijlagen:
                self.document(lijst, b)
        if self.on("cat_oudersverzorgers"):
            for v in ll.verzorgers:
                self.verzorger(n, v)
        if self.on("cat_vombo") and ll.vombo is not None:
            self.vombo(n, ll.vombo)

    def overstapadvies(self, parent, ll: Leerling, aandachtspunten):
        oa = ll.overstapadvies
        punten = aandachtspunten if aandachtspunten else (oa.aandachtspunten if oa else None)
        if punten is not None:
            punten = punten.strip() or None
        if punten is not None and len(punten) > AANDACHTSPUNTEN_MAX:
            raise BuilderError(
                f"Aandachtspunten zijn {len(punten)} tekens; maximaal {AANDACHTSPUNTEN_MAX} toegestaan")
        if oa is None and punten is None:
            return
        w = self.w
        n = w.el(parent, "overstapadvies")
        if oa is not None:
            for name in ("advies", "wensouders", "wensleerling", "herzienadvies",
                         "motivatie_herzienadvies", "profiel", "argumentatie", "contactnodig",
                         "contactpersoon", "contacttelefoon", "contactemail"):
                w.val(n, name, getattr(oa, name))
        w.val(n, "aandachtspunten", punten)

    def vve(self, parent, vve: Vve):
        w = self.w
        w.val(parent, "vanpeuterspeelzaal", vve.vanpeuterspeelzaal)
        w.val(parent, "naampeuterspeelzaal", vve.naampeuterspeelzaal or None)
        vs = vve.voorschools
        if vs is not None:
            n = w.el(parent, "voorschools")
            w.val(n, "codevoorschoolsehistorie", vs.codevoorschoolsehistorie)
            w.val(n, "codevoorschoolsprogramma", vs.codevoorschoolsprogramma)
            w.val(n, "voorschoolsemaanden", vs.voorschoolsemaanden)
            w.val(n, "codevoorschoolsetoeleider", vs.codevoorschoolsetoeleider)
            w.val(n, "codevoorschoolsedeelname", vs.codevoorschoolsedeelname)
            w.val(n, "voorschoolseaanwezigheid", vs.voorschoolseaanwezigheid)
        for vr in vve.vroegschools:
            n = w.el(parent, "vroegschools")
            w.val(n, "codevroegschoolsprogramma", vr.codevroegschoolsprogramma)
            w.val(n, "vroegschoolsdatumingang", vr.datumingang)
            w.val(n, "vroegschoolseinddatum", vr.einddatum)

    def schoolloopbaan(self, parent, ll: Leerling):
        w = self.w
        lijst = w.el(parent, "schoolloopbaanlijst")
        for s in ll.schoolloopbaan:
            n = w.el(lijst, "schoolloopbaan")
            w.val(n, "schooljaar", s.schooljaar)
            w.val(n, "groepscode", s.groepscode)
            w.val(n, "groepsnaam", s.groepsnaam or None)
            w.val(n, "jaargroep", s.jaargroep)
            w.val(n, "begindatum", s.begindatum)
            w.val(n, "einddatum", s.einddatum)
            w.val(n, "brincode", s.brincode)
            w.val(n, "vestigingscode", s.vestigingscode)
            w.val(n, "schoolsoort", s.schoolsoort or None)
            w.val(n, "schooltype", s.schooltype or None)

    def onderwijsondersteuning(self, parent, oo: Onderwijsondersteuning | None, toelichting: Attachment):
        # Always written: onderwijsondersteuning is VERPLICHT and the toelichting satisfies it.
        w = self.w
        oo = oo or Onderwijsondersteuning()
        n = w.el(parent, "onderwijsondersteuning")
        t = w.el(n, "toelichting_onderwijsbehoeften")
        self.document(t, toelichting)
        for d in oo.diagnoses:
            if not d.codes:
                raise BuilderError("Een diagnose zonder code kan niet worden meegestuurd")
            dn = w.el(n, "diagnose")
            for code in d.codes:
                w.val(dn, "code", code)
            w.val(dn, "naam", d.naam or None)
            w.val(dn, "datum", d.datum)
            w.val(dn, "doorwie", d.doorwie or None)
            w.val(dn, "instantie", d.instantie or None)
            for doc in d.documenten:
                self.document(dn, doc)
        w.val(n, "medicijngebruik", oo.medicijngebruik)
        if self.on("cat_handelingsplannen"):
            for hp in oo.handelingsplannen:
                hn = w.el(n, "handelingsplan")
                w.val(hn, "startdatum", hp.startdatum)
                w.val(hn, "einddatum", hp.einddatum)
                w.val(hn, "isgerichtop", hp.isgerichtop)
                if hp.document is not None:
                    self.document(hn, hp.document)
        if oo.opp is not None:
            on = w.el(n, "opp")
            w.val(on, "opp_ingangdatum", oo.opp.ingangdatum)
            w.val(on, "opp_einddatum", oo.opp.einddatum)
            for doc in oo.opp.documenten:
                self.document(on, doc)
        for tlv in oo.tlv:
            tn = w.el(n, "tlv")
            w.val(tn, "tlvingangdatum", tlv.ingangdatum)
            w.val(tn, "tlvswvnummer", tlv.swvnummer)
            w.val(tn, "tlvcategorie", tlv.categorie)
            w.val(tn, "tlvbeschikkingsnummer", tlv.beschikkingsnummer)
            w.val(tn, "tlveinddatum", tlv.einddatum)
            if tlv.document is not None:
                self.document(tn, tlv.document)
        for a in oo.arrangementen_cluster12:
            an = w.el(n, "arrangement_cluster12")
            w.val(an, "arrangement_datum", a.datum)
            w.val(an, "arrangement_brin", a.brin or None)
            w.val(an, "arrangement_vestigingscode", a.vestigingscode or None)
        for a in oo.arrangementen_pao:
            an = w.el(n, "arrangement_pao")
            w.val(an, "arrangement_datum", a.datum)
            w.val(an, "arrangement_kenmerk", a.kenmerk or None)
            w.val(an, "arrangement_beschikkingsnr", a.beschikkingsnr or None)
            w.val(an, "arrangement_einddatum", a.einddatum)
        if oo.lwoo is not None:
            lw = oo.lwoo
            ln = w.el(n, "lwoo")
            w.val(ln, "lwoo_ingangdatum", lw.ingangdatum)
            w.val(ln, "lwoo_swvnummer", lw.swvnummer)
            w.val(ln, "lwoo_beschikkingsnummer", lw.beschikkingsnummer)
            # OG.03 allows only a 31 July; another date is left out rather than refused. [choice]
            if lw.einddatum is not None and (lw.einddatum.month, lw.einddatum.day) == (7, 31):
                w.val(ln, "lwoo_einddatum", lw.einddatum)
            if lw.document is not None:
                self.document(ln, lw.document)

    def verzuim(self, parent, ll: Leerling):
        w = self.w
        v = ll.verzuim
        n = w.el(parent, "verzuim")
        for name in ("dagdelengeoorloofd", "dagdelenongeoorloofd", "urengeoorloofd",
                     "urenongeoorloofd", "meerdan25percent", "frequentie", "contactleerplicht",
                     "rmcmelding"):
            w.val(n, name, getattr(v, name))
        if v.documenten:
            lijst = w.el(n, "documentLijst")
            for doc in v.documenten:
                self.document(lijst, doc)

    def eindtoets(self, parent, et: Eindtoets):
        w = self.w
        n = w.el(parent, "eindtoets_basisonderwijs")
        if et.toetssoort is not None and et.datum_afname is not None:
            r = w.el(n, "eindtoetsresultaat")
            w.val(r, "toetssoort", et.toetssoort)
            w.val(r, "toetsniveau", et.toetsniveau)
            w.val(r, "toetsomschrijving", et.toetsomschrijving or None)
            w.val(r, "datum_afname", et.datum_afname)
            w.val(r, "wettelijke_ontheffing", et.wettelijke_ontheffing)
            w.val(r, "standaardscore", et.standaardscore)
            w.val(r, "toets_advies", et.toets_advies or None)
            onderdelen = w.el(r, "onderdelen")
            for o in et.onderdelen:
                on = w.el(onderdelen, "onderdeel")
                w.val(on, "onderdeelcode", o.onderdeelcode)
                w.val(on, "onderdeelomschrijving", o.onderdeelomschrijving or None)
                w.val(on, "ond_referentieniveau", o.referentieniveau)
        w.val(n, "deelgenomen", et.deelgenomen)
        for doc in et.documenten:
            self.document(n, doc)

    def resultaat(self, parent, r: Toetsresultaat, wat: str):
        score = r.toetsscore if (r.toetsscore is not None and r.toetsscore.has_count()) else None
        if score is None and not r.referentiescores and r.document is None:
            raise BuilderError(f"Toetsresultaat van {wat} heeft geen score, referentiescore of document (PaO.TR01)")
        w = self.w
        n = w.el(parent, "resultaat")
        if score is not None:
            s = w.el(n, "toetsscore")
            for name in ("aantalopgaven", "aantalgoed", "aantalfout", "aantalgelezen", "tijd",
                         "vaardigheidsscore", "codevaardigheidsschaal"):
                w.val(s, name, getattr(score, name))
        for ref in r.referentiescores:
            rn = w.el(n, "referentiescore")
            w.val(rn, "codereferentiescore", ref.codereferentiescore)
            w.val(rn, "codevergelijkingsgroep", ref.codevergelijkingsgroep)
            w.val(rn, "waarde", ref.waarde)
            w.val(rn, "kwalificatie", ref.kwalificatie or None)
        if r.document is not None:
            self.document(n, r.document)

    def toets(self, parent, t: Toets):
        w = self.w
        n = w.el(parent, "toets")
        ident = w.el(n, "toetsidentificatie")
        w.val(ident, "eldtoetscode", t.eldtoetscode)
        w.val(ident, "leergebied", t.leergebied or None)
        w.val(ident, "toetsnaam", t.toetsnaam or None)
        w.val(ident, "toetsversie", t.toetsversie or None)
        af = w.el(n, "afname")
        w.val(af, "afnamedatum", t.afnamedatum)
        w.val(af, "jaargroep", t.jaargroep)
        w.val(af, "dl", t.dl)
        if t.afgenomendoor:
            door = w.el(af, "afgenomendoor")
            w.val(door, "naammedewerker", t.afgenomendoor)
            w.val(door, "functie", t.functie or None)
        self.resultaat(n, t.resultaat, t.eldtoetscode)
        for o in t.onderdelen:
            on = w.el(n, "toetsonderdeel")
            w.val(on, "eldonderdeelcode", o.eldonderdeelcode)
            w.val(on, "onderdeelnaam", o.onderdeelnaam or None)
            self.resultaat(on, o.resultaat, f"{t.eldtoetscode}/{o.eldonderdeelcode}")
        w.val(n, "opmerking", t.opmerking or None)

    def verzorger(self, parent, v: Verzorger):
        w = self.w
        n = w.el(parent, "verzorger")
        self.naam(n, v.voornamen, v.voorletters, v.voorvoegsel, v.achternaam, v.roepnaam)
        w.val(n, "geslacht", v.geslacht)
        w.val(n, "adresgeheim", bool(v.adresgeheim))
        if not v.adresgeheim:  # PaO.OV03
            self.adreslijst(n, v.adressen)
        self.communicatielijst(n, v.communicatie)
        w.val(n, "relatietotkind", v.relatietotkind)
        w.val(n, "overleden", v.overleden)
        if v.overleden:  # OG.04
            w.val(n, "overlijdensdatum", v.overlijdensdatum)
        w.val(n, "wettigevertegenwoordiger", bool(v.wettigevertegenwoordiger))
        # banknummer: never (PaO.OV05)
        w.val(n, "iban", v.iban or None)

    def vombo(self, parent, vm: Vombo):
        w = self.w
        if vm.bevorderd_elementcode or vm.bevorderd_leerjaar:
            b = w.el(parent, "bevorderd")
            w.val(b, "elementcode", vm.bevorderd_elementcode or None)
            w.val(b, "leerjaar", vm.bevorderd_leerjaar or None)
        for c in vm.certificaten:
            w.val(parent, "certificaat", c)
        flags = (vm.beroepskeuzetest, vm.portfolio, vm.pop, vm.motivatiebrief, vm.lobdossier)
        if any(f is not None for f in flags):
            o = w.el(parent, "overigvombo")
            w.val(o, "keuzevervolgopleiding", vm.keuzevervolgopleiding or None)
            for name, f in zip(("beroepskeuzetest", "portfolio", "pop", "motivatiebrief", "lobdossier"), flags):
                w.val(o, name, bool(f))


def build_dossier(
    leerling: Leerling,
    school: School,
    *,
    profile: str,
    gegevensblokken: Iterable[str],
    toelichting: Attachment | None,
    bijlagen: Iterable[Attachment] = (),
    aandachtspunten: str | None = None,
    pakketnaam: str = "oso-sim LAS",
    pakketversie: str | None = None,
    datum: date | None = None,
    version: GegevenssetVersion = DEFAULT_VERSION,
) -> bytes:
    """The aanvraag SWV-dossier as UTF-8 XML bytes, with declaration.

    `gegevensblokken` are the ticked ParnasSys checkbox names (keys of GEGEVENSBLOKKEN) or cat_*
    element names, mixed freely. `toelichting` is the required "Toelichting onderwijsbehoeften";
    `bijlagen` are the extra attachments (overigdocumentlijst). `aandachtspunten` is the
    zorgvraag's own field and goes into overstapadvies when that block is ticked.
    """
    if toelichting is None or not toelichting.content:
        raise BuilderError("Toelichting onderwijsbehoeften ontbreekt")
    bijlagen = list(bijlagen)
    declared = resolve_categories(profile, gegevensblokken, bijlagen=bool(bijlagen))
    datum = datum or date.today()
    w = _Writer(version.namespace)
    b = _Build(w, declared, datum, profile)
    root = etree.Element(f"{{{version.namespace}}}dossier", nsmap={None: version.namespace})
    b.metadata(root, pakketnaam, pakketversie or _package_version(), version)
    w.val(root, "overdrachtsoort", "swv-dossier")
    b.inzage(root, leerling)
    s = b.school(root, school)
    b.leerling(s, leerling, toelichting, bijlagen, aandachtspunten)
    body = etree.tostring(root, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
