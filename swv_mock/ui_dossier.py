"""A fetched dossier laid out for a person: sections per category, Dutch labels, readable values.

Input is the plain data of `dossier_view.dossier_data` (from the XSD decoder or the plain
fallback, so a repeated element may be a single dict or a list). Output is a list of sections
made of three kinds of blocks the template renders recursively:

    {"soort": "kv", "items": [(label, value), ...]}      value: str | Masked | Doc
    {"soort": "tabel", "titel", "koppen": [...], "rijen": [[value, ...], ...]}
    {"soort": "sub", "titel", "blokken": [...]}

Secret data is shown as the LAS delivered it: masked, never looked up.
Attachments are referred to by their index in document order (`attachments`), which is what the
download route serves.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from lxml import etree

from actor_kit.zipsafe import unpack_one
from oso_protocol.dossier.categories import BY_ELEMENT, CATEGORIES, OPT_UIT, VERBODEN

# what the LAS writes in place of a secret number (oso_protocol.dossier.builder)
MASKED_NUMBERS = {"9999999999", "geheim@geheim.geheim"}

LABELS = {
    "voornaam": "Voornaam", "voorletters-1": "Voorletters", "voorvoegsel": "Voorvoegsel",
    "achternaam": "Achternaam", "roepnaam": "Roepnaam", "geboortedatum": "Geboortedatum",
    "geboortemaand": "Geboortemaand", "geslacht": "Geslacht", "leerlingid": "Leerling-id",
    "onderwijssinds": "In onderwijs sinds",
    "startdatumhuidigonderwijs": "Start huidig onderwijs", "datuminschrijving": "Ingeschreven op",
    "leerlinggewicht": "Leerlinggewicht", "tehuis": "Woont in tehuis", "huisarts": "Huisarts",
    "naam": "Naam", "brincode": "BRIN", "vestigingscode": "Vestiging",
    "aanleverpunt": "Aanleverpunt", "soort": "Soort", "type": "Type",
    "naamdirecteur": "Directeur", "website": "Website",
    "verzorgersaansprakelijk": "Verzorgers aansprakelijk", "verzorger": "Ouder/verzorger",
    "aansprakelijkeinstelling": "Aansprakelijke instelling", "relatietotkind": "Relatie tot kind",
    "overleden": "Overleden", "overlijdensdatum": "Overlijdensdatum",
    "wettigevertegenwoordiger": "Wettig vertegenwoordiger", "iban": "IBAN",
    "schooljaar": "Schooljaar", "groepscode": "Groepscode", "groepsnaam": "Groep",
    "jaargroep": "Jaargroep", "begindatum": "Begindatum", "einddatum": "Einddatum",
    "schoolsoort": "Schoolsoort", "schooltype": "Schooltype",
    "toelichting_onderwijsbehoeften": "Toelichting onderwijsbehoeften", "diagnose": "Diagnose",
    "code": "Code", "datum": "Datum", "doorwie": "Door wie", "instantie": "Instantie",
    "medicijngebruik": "Medicijngebruik", "handelingsplan": "Handelingsplan",
    "startdatum": "Startdatum", "isgerichtop": "Gericht op", "opp": "Ontwikkelingsperspectief (OPP)",
    "opp_ingangdatum": "Ingangsdatum", "opp_einddatum": "Einddatum", "tlv": "Toelaatbaarheidsverklaring (TLV)",
    "tlvingangdatum": "Ingangsdatum", "tlvswvnummer": "SWV-nummer", "tlvcategorie": "Categorie",
    "tlvbeschikkingsnummer": "Beschikkingsnummer", "tlveinddatum": "Einddatum",
    "arrangement_cluster12": "Arrangement cluster 1/2", "arrangement_pao": "Arrangement passend onderwijs",
    "arrangement_datum": "Datum", "arrangement_brin": "BRIN", "arrangement_vestigingscode": "Vestiging",
    "arrangement_kenmerk": "Kenmerk", "arrangement_beschikkingsnr": "Beschikkingsnummer",
    "arrangement_einddatum": "Einddatum", "lwoo": "Leerwegondersteuning (LWOO)",
    "lwoo_ingangdatum": "Ingangsdatum", "lwoo_swvnummer": "SWV-nummer",
    "lwoo_beschikkingsnummer": "Beschikkingsnummer", "lwoo_einddatum": "Einddatum",
    "rvc": "Regionale verwijzingscommissie",
    "dagdelengeoorloofd": "Dagdelen geoorloofd", "dagdelenongeoorloofd": "Dagdelen ongeoorloofd",
    "urengeoorloofd": "Uren geoorloofd", "urenongeoorloofd": "Uren ongeoorloofd",
    "meerdan25percent": "Meer dan 25% verzuim", "frequentie": "Frequentie",
    "contactleerplicht": "Contact leerplicht", "rmcmelding": "RMC-melding",
    "documentLijst": "Documenten",
    "advies": "Advies", "wensouders": "Wens ouders", "wensleerling": "Wens leerling",
    "herzienadvies": "Herzien advies", "motivatie_herzienadvies": "Motivatie herzien advies",
    "profiel": "Profiel", "argumentatie": "Argumentatie", "contactnodig": "Contact nodig",
    "contactpersoon": "Contactpersoon", "contacttelefoon": "Telefoon contactpersoon",
    "contactemail": "E-mail contactpersoon", "aandachtspunten": "Aandachtspunten",
    "vanpeuterspeelzaal": "Van peuterspeelzaal", "naampeuterspeelzaal": "Naam peuterspeelzaal",
    "voorschools": "Voorschoolse educatie", "vroegschools": "Vroegschoolse educatie",
    "toets": "Toets", "toetsidentificatie": "Toets", "eldtoetscode": "Toetscode",
    "leergebied": "Leergebied", "toetsnaam": "Toetsnaam", "toetsversie": "Versie",
    "afname": "Afname", "afnamedatum": "Afgenomen op", "dl": "Didactische leeftijd",
    "afgenomendoor": "Afgenomen door", "naammedewerker": "Medewerker", "functie": "Functie",
    "resultaat": "Resultaat", "toetsscore": "Score", "referentiescore": "Referentiescore",
    "toetsonderdeel": "Onderdeel", "opmerking": "Opmerking",
    "eindtoetsresultaat": "Eindtoetsresultaat", "deelgenomen": "Deelgenomen",
    "voorlopigdossier": "Voorlopig dossier", "inzage": "Inzage door ouders",
    "inzagedatum": "Inzagedatum", "akkoord": "Akkoord", "redennietakkoord": "Reden niet akkoord",
    "toestemming": "Toestemming", "deeldossier": "Deeldossier", "pakketnaam": "Pakket",
    "pakketversie": "Pakketversie", "standaardversie": "Standaardversie",
    "validatieversie": "Validatieversie", "overstap": "Soort overstap",
    "overdrachtsoort": "Soort overdracht", "document": "Document",
    "aantalopgaven": "Aantal opgaven", "aantalgoed": "Aantal goed", "aantalfout": "Aantal fout",
    "aantalgelezen": "Aantal gelezen", "tijd": "Tijd", "vaardigheidsscore": "Vaardigheidsscore",
    "codevaardigheidsschaal": "Vaardigheidsschaal", "codereferentiescore": "Soort score",
    "codevergelijkingsgroep": "Vergelijkingsgroep", "waarde": "Waarde",
    "kwalificatie": "Kwalificatie", "eldonderdeelcode": "Onderdeelcode",
    "onderdeelnaam": "Onderdeel",
}
# wrappers whose fields read better inline in their parent than as a nested part
FLATTEN = {"toetsidentificatie", "afname", "toetsscore", "afgenomendoor"}
GESLACHT = {"0": "onbekend", "1": "man", "2": "vrouw", "9": "niet gespecificeerd"}

# which children of <leerling> belong to which section (everything else is "Leerling")
_SECTIONS = (
    # (title, category element, leerling children)
    ("Ouders/verzorgers", "cat_oudersverzorgers",
     ("verzorgersaansprakelijk", "verzorger", "aansprakelijkeinstelling")),
    ("Schoolloopbaan", "cat_schoolloopbaan", ("schoolloopbaanlijst",)),
    ("Onderwijsondersteuning", "cat_onderwijsondersteuning", ("onderwijsondersteuning",)),
    ("Handelingsplannen", "cat_handelingsplannen", ()),  # filled from onderwijsondersteuning
    ("Toetsresultaten", "cat_toetsresultaten", ("toetslijst",)),
    ("Verzuim", "cat_verzuim", ("verzuim",)),
    ("Overstapadvies", "cat_overstapadvies", ("overstapadvies",)),
    ("VVE", "cat_vve", ("vanpeuterspeelzaal", "naampeuterspeelzaal", "voorschools", "vroegschools")),
    ("Eindtoets basisonderwijs", "cat_eindtoetsbo", ("eindtoets_basisonderwijs",)),
    ("Cijferlijsten", "cat_cijferlijsten", ("cijferlijstlijst",)),
    ("VO-MBO", "cat_vombo", ("bevorderd", "examenresultaat", "resultaatvakkenvo", "certificaat",
                             "competenties", "stage", "overigvombo")),
    ("Bijlagedocumenten", "cat_bijlagedocs", ("overigdocumentlijst",)),
)


@dataclass(frozen=True)
class Masked:
    """A value the LAS withheld; `tekst` is what the page shows instead."""
    tekst: str


@dataclass(frozen=True)
class Doc:
    index: int | None
    bestandsnaam: str
    omschrijving: str | None


@dataclass(frozen=True)
class Attachment:
    index: int
    bestandsnaam: str
    omschrijving: str | None
    inhoud: str       # base64 of the ZIP, as in the dossier


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def attachments(root: etree._Element) -> list[Attachment]:
    """Every <document> of the dossier, in document order."""
    out = []
    for el in root.iter():
        if _local(el.tag) != "document":
            continue
        kids = {_local(c.tag): (c.text or "").strip() for c in el if isinstance(c.tag, str)}
        out.append(Attachment(len(out), kids.get("bestandsnaam") or f"bijlage-{len(out) + 1}",
                              kids.get("omschrijving") or None, kids.get("bestandsinhoud", "")))
    return out


def unpack(att: Attachment) -> tuple[str, bytes]:
    """(download name, bytes): the file inside the ZIP, or the raw ZIP when it cannot be opened.
    Raises ValueError when not even the base64 can be read or the file unpacks too large."""
    try:
        raw = base64.b64decode("".join(att.inhoud.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"De inhoud van {att.bestandsnaam} is geen geldige base64.") from None
    # prefer the entry named like the document; a broken ZIP: the receiver gets the bytes as they
    # came; one that unpacks beyond the limit: TooLarge, a ValueError
    return unpack_one(raw, att.bestandsnaam) or (f"{att.bestandsnaam}.zip", raw)


# --- values ------------------------------------------------------------------------------------

def label(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def is_true(value) -> bool:
    """An xs:boolean as decoded (True) or as plain text ("true", "1")."""
    return value is True or str(value).strip() in ("true", "1")


def fmt(name: str, value) -> str:
    """A scalar as a person reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    text = str(value)
    if text in ("true", "false"):
        return "ja" if text == "true" else "nee"
    if name == "geslacht" and text in GESLACHT:
        return GESLACHT[text]
    m = _DATE.match(text)
    if m:
        return f"{m.group(3)}-{m.group(2)}-{m.group(1)}"
    return text


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _scalar(value) -> bool:
    return not isinstance(value, (dict, list))


def _text_of(value):
    """A simple element with attributes comes as {'$': text, '@x': ...}: keep the text."""
    if isinstance(value, dict) and "$" in value and all(k == "$" or k.startswith("@") for k in value):
        return value["$"]
    return value


class Renderer:
    def __init__(self, docs: list[Attachment]):
        # (bestandsnaam, inhoud) -> indices still to hand out, so equal documents keep apart
        self._docs: dict[tuple, list[int]] = {}
        for a in docs:
            self._docs.setdefault((a.bestandsnaam, "".join(a.inhoud.split())), []).append(a.index)

    def doc(self, d: dict) -> Doc:
        naam = str(d.get("bestandsnaam") or "bijlage")
        key = (naam, "".join(str(d.get("bestandsinhoud") or "").split()))
        free = self._docs.get(key) or []
        return Doc(free.pop(0) if free else None, naam, d.get("omschrijving"))

    # --- special elements ------------------------------------------------------------------

    def _communicatie(self, lijst) -> list[tuple]:
        items = []
        for c in as_list((lijst or {}).get("communicatie") if isinstance(lijst, dict) else None):
            if not isinstance(c, dict):
                continue
            soort = str(c.get("soort") or "contact")
            wat = {"telefoon": "Telefoon", "e-mail": "E-mail"}.get(soort, soort.capitalize())
            if c.get("aanduiding"):
                wat += f" ({c['aanduiding']})"
            nummer = str(c.get("nummer") or "")
            if is_true(c.get("geheim")) or nummer in MASKED_NUMBERS:
                items.append((wat, Masked("afgeschermd")))
            else:
                items.append((wat, nummer + (" (noodnummer)" if is_true(c.get("noodnummer")) else "")))
        return items

    @staticmethod
    def _adressen(lijst) -> list[tuple]:
        items = []
        for a in as_list((lijst or {}).get("adres") if isinstance(lijst, dict) else None):
            if not isinstance(a, dict):
                continue
            straat = " ".join(str(a[k]) for k in ("straat", "nummer", "toevoeging") if a.get(k))
            plaats = " ".join(str(a[k]) for k in ("postcode", "plaats") if a.get(k))
            wat = "Adres" + (f" ({a['soortadres']})" if a.get("soortadres") else "")
            items.append((wat, ", ".join(p for p in (straat, plaats) if p)))
        return items

    # --- generic ---------------------------------------------------------------------------

    def blocks(self, data: dict, skip=()) -> list[dict]:
        """A dict as blocks: scalars first as one key/value list, then nested parts."""
        kv: list[tuple] = []
        nested: list[dict] = []
        if not isinstance(data, dict):
            return [{"soort": "kv", "items": [("Waarde", fmt("", data))]}]
        if is_true(data.get("adresgeheim")) and "adreslijst" not in data:
            kv.append(("Adres", Masked("geheim")))
        for name, value in data.items():
            if name in skip or name.startswith("@") or name in ("$", "adresgeheim"):
                continue
            value = _text_of(value)
            if name == "adreslijst":
                kv.extend(self._adressen(value))
            elif name == "communicatielijst":
                kv.extend(self._communicatie(value))
            elif name == "document":
                kv.extend(("Document", self.doc(d)) for d in as_list(value) if isinstance(d, dict))
            elif name in FLATTEN and isinstance(value, dict):
                for b in self.blocks(value):
                    if b["soort"] == "kv":
                        kv.extend(b["items"])
                    else:
                        nested.append(b)
            elif _scalar(value):
                if value is not None and value != "":
                    kv.append((label(name), fmt(name, value)))
            elif isinstance(value, list) and all(_scalar(_text_of(v)) for v in value):
                kv.append((label(name), ", ".join(fmt(name, _text_of(v)) for v in value)))
            else:
                nested.extend(self.part(name, value))
        return ([{"soort": "kv", "items": kv}] if kv else []) + nested

    def part(self, name: str, value) -> list[dict]:
        """A nested element: a table when it is a list of flat records, else sub-blocks."""
        if isinstance(value, dict) and name.endswith(("lijst", "Lijst")) and len(value) == 1:
            (inner, value), = value.items()  # schoolloopbaanlijst/schoolloopbaan: one level less
            name = inner
        items = [v for v in as_list(value) if v is not None]
        if not items:
            return []
        if name == "document":
            docs = [self.doc(d) for d in items if isinstance(d, dict)]
            return [{"soort": "kv", "items": [("Document", d) for d in docs]}]
        flat = all(isinstance(v, dict) and all(_scalar(_text_of(x)) or k == "document"
                                                for k, x in v.items()) for v in items)
        if flat and len(items) > 1:
            keys: list[str] = []
            for v in items:
                keys.extend(k for k in v if k not in keys and not k.startswith("@") and k != "$")
            rows = []
            for v in items:
                row = []
                for k in keys:
                    x = v.get(k)
                    if k == "document":
                        row.append([self.doc(d) for d in as_list(x) if isinstance(d, dict)])
                    else:
                        row.append(fmt(k, _text_of(x)))
                rows.append(row)
            return [{"soort": "tabel", "titel": label(name), "koppen": [label(k) for k in keys],
                     "rijen": rows}]
        out = []
        for i, v in enumerate(items, 1):
            titel = label(name) + (f" {i}" if len(items) > 1 else "")
            naam = _naam(v)
            if naam:
                titel = f"{label(name)}: {naam}"
            out.append({"soort": "sub", "titel": titel,
                        "blokken": self.blocks(v) if isinstance(v, dict)
                        else [{"soort": "kv", "items": [(label(name), fmt(name, v))]}]})
        return out


def _naam(item) -> str:
    """A short name for one of several parts (a toets by its name, a verzorger by name)."""
    if not isinstance(item, dict):
        return ""
    ident = _first(item.get("toetsidentificatie"))
    for value in (ident.get("toetsnaam"), ident.get("eldtoetscode"),
                  " ".join(str(_text_of(item[k])) for k in ("roepnaam", "voorvoegsel", "achternaam")
                           if _scalar(_text_of(item.get(k))) and item.get(k))):
        if value:
            return str(_text_of(value))
    return ""


# --- the whole dossier -------------------------------------------------------------------------

def _first(value) -> dict:
    for v in as_list(value):
        if isinstance(v, dict):
            return v
    return {}


def uitlevering(metadata: dict) -> list[dict]:
    """The categorie_uitlevering rows with what they mean for the reader."""
    declared = _first(metadata.get("categorie_uitlevering"))
    rows = []
    for cat in CATEGORIES:
        value = _text_of(declared.get(cat.element))
        if value is None:
            continue
        uitleg = {OPT_UIT: "niet meegestuurd: de school koos deze categorie niet (opt-out)",
                  VERBODEN: "niet toegestaan voor dit profiel"}.get(str(value), "meegestuurd als aanwezig")
        rows.append({"categorie": cat.label, "element": cat.element, "waarde": str(value),
                     "uitleg": uitleg, "weg": str(value) in (OPT_UIT, VERBODEN)})
    for element, value in declared.items():
        if element not in BY_ELEMENT and not element.startswith("@"):
            rows.append({"categorie": element, "element": element, "waarde": str(_text_of(value)),
                         "uitleg": "onbekende categorie", "weg": False})
    return rows


def present(data: dict, docs: list[Attachment]) -> dict:
    """{"kop": summary items, "secties": [...], "uitlevering": [...], "leerling_naam": str}."""
    r = Renderer(docs)
    root = data if isinstance(data, dict) else {}
    metadata = _first(root.get("metadata"))
    school = _first(root.get("huidigeschool"))
    ll = _first(school.get("leerling"))
    claimed = {child for _, _, children in _SECTIONS for child in children}

    secties = []

    def add(titel, cat, blokken, extra_class=""):
        if blokken:
            secties.append({"titel": titel, "categorie": cat, "blokken": blokken,
                            "id": re.sub(r"[^a-z0-9]+", "-", titel.lower()).strip("-"),
                            "klasse": extra_class})

    add("Leerling", "cat_leerling", r.blocks(ll, skip=claimed))
    add("School", "cat_school", r.blocks(school, skip={"leerling"}))
    ondersteuning = _first(ll.get("onderwijsondersteuning"))
    for titel, cat, children in _SECTIONS:
        if cat == "cat_onderwijsondersteuning":
            blokken = []
            toelichting = ondersteuning.get("toelichting_onderwijsbehoeften")
            if toelichting is not None:
                blokken.append({"soort": "sub", "titel": "Toelichting onderwijsbehoeften",
                                "blokken": r.blocks(_first(toelichting)), "nadruk": True})
            blokken += r.blocks(ondersteuning, skip={"toelichting_onderwijsbehoeften",
                                                     "handelingsplan"})
        elif cat == "cat_handelingsplannen":
            blokken = r.part("handelingsplan", ondersteuning.get("handelingsplan"))
        else:
            blokken = r.blocks({c: ll[c] for c in children if c in ll})
        add(titel, cat, blokken)
    add("Ouderinzage", "cat_ouderinzage", r.blocks(_first(root.get("inzage"))))
    rest = {k: v for k, v in root.items()
            if k not in ("metadata", "huidigeschool", "inzage", "overdrachtsoort")
            and not k.startswith("@")}
    add("Overige gegevens", None, r.blocks(rest))

    naam = " ".join(str(_text_of(ll[k])) for k in ("roepnaam", "voorvoegsel", "achternaam")
                    if ll.get(k))
    if not ll.get("roepnaam") and ll.get("voornaam"):
        naam = " ".join([str(_text_of(as_list(ll["voornaam"])[0])), naam]).strip()
    kop = [(label(k), fmt(k, _text_of(metadata.get(k)))) for k in
           ("overstap", "deeldossier", "datum", "pakketnaam", "pakketversie", "standaardversie",
            "validatieversie") if metadata.get(k) is not None]
    if root.get("overdrachtsoort") is not None:
        kop.insert(0, ("Soort overdracht", fmt("", _text_of(root["overdrachtsoort"]))))
    return {"kop": kop, "secties": secties, "uitlevering": uitlevering(metadata),
            "leerling_naam": naam, "school_naam": fmt("", _text_of(school.get("naam")))}
