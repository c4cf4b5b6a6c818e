"""The leerlingkaart's tabs as the school reads them: the stored pupil record (the dossier model's
dict) turned into labelled rows and tables. Pure functions, so the templates only lay out.

Codes are shown with the Dutch label the gegevensset publishes (codelabels); a code without a
published wording (VO-advies) is shown as the code with the name of its list.
"""
from __future__ import annotations

import base64
import binascii
from datetime import date

from . import codelabels

GESLACHT = {"0": "Onbekend", "1": "Man", "2": "Vrouw", "9": "Niet gespecificeerd"}
AANDUIDING = {"prive": "privé", "werk": "werk", "overig": "overig"}

# where in the record a document sits -> how the Map tab names it
DOCUMENT_PLAATS = {
    "diagnoses": "Diagnose", "handelingsplannen": "Handelingsplan", "opp": "OPP",
    "tlv": "TLV", "lwoo": "LWOO", "verzuim": "Verzuim", "toetsen": "Toets",
    "eindtoets": "Eindtoets",
}


def datum(value) -> str:
    """2024-03-01 -> 01-03-2024; anything else as it is."""
    if not value:
        return ""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d-%m-%Y")
    except ValueError:
        return str(value)


def ja_nee(value) -> str:
    return "" if value is None else ("Ja" if value else "Nee")


def _rows(pairs) -> list[tuple[str, str]]:
    """Only the rows with a value: an empty field is noise on a projector."""
    return [(label, str(v)) for label, v in pairs if v not in (None, "", [])]


def naam(p: dict) -> str:
    voornaam = p.get("roepnaam") or (p.get("voornamen") or [""])[0]
    return " ".join(x for x in (voornaam, p.get("voorvoegsel"), p.get("achternaam")) if x)


def groep(data: dict) -> str:
    loopbaan = data.get("schoolloopbaan") or []
    if not loopbaan:
        return ""
    laatste = max(loopbaan, key=lambda s: (s.get("schooljaar") or "", s.get("begindatum") or ""))
    return laatste.get("groepsnaam") or laatste.get("groepscode") or ""


def adres(a: dict) -> str:
    straat = " ".join(x for x in (a.get("straat"), a.get("nummer"), a.get("toevoeging")) if x)
    plaats = " ".join(x for x in (a.get("postcode"), a.get("plaats")) if x)
    return ", ".join(x for x in (straat, plaats) if x)


def communicatie(items) -> list[dict]:
    return [{"soort": "E-mail" if c.get("soort") == "e-mail" else "Telefoon",
             "nummer": c.get("nummer") or "",
             "aanduiding": AANDUIDING.get(c.get("aanduiding") or "", c.get("aanduiding") or ""),
             "geheim": bool(c.get("geheim"))} for c in items or []]


def personalia(data: dict) -> dict:
    persoon = _rows([
        ("Achternaam", data.get("achternaam")),
        ("Voorvoegsel", data.get("voorvoegsel")),
        ("Voornamen", " ".join(data.get("voornamen") or [])),
        ("Roepnaam", data.get("roepnaam")),
        ("Voorletters", data.get("voorletters")),
        ("Geslacht", GESLACHT.get(data.get("geslacht") or "", data.get("geslacht"))),
        ("Geboortedatum", datum(data.get("geboortedatum"))),
        ("Geboorteplaats", data.get("geboorteplaats")),
        ("Nationaliteit", ", ".join(data.get("nationaliteit") or [])),
        ("BSN", data.get("bsn")),
        ("Onderwijsnummer", data.get("onderwijsnummer")),
        ("Leerlingnummer", data.get("leerlingid")),
    ])
    verzorgers = []
    for v in data.get("verzorgers") or []:
        verzorgers.append({
            "naam": " ".join(x for x in (v.get("voorletters"), v.get("voorvoegsel"),
                                         v.get("achternaam")) if x),
            "rijen": _rows([
                ("Roepnaam", v.get("roepnaam")),
                ("Geslacht", GESLACHT.get(v.get("geslacht") or "", v.get("geslacht"))),
                ("Relatie tot kind", codelabels.relatie(v.get("relatietotkind"))),
                ("Wettig vertegenwoordiger", ja_nee(v.get("wettigevertegenwoordiger"))),
                ("Adres", "; ".join(adres(a) for a in v.get("adressen") or [])),
                ("Adres geheim", "Ja" if v.get("adresgeheim") else None),
            ]),
            "communicatie": communicatie(v.get("communicatie")),
        })
    huisarts = data.get("huisarts") or None
    if huisarts:
        huisarts = {"naam": " ".join(x for x in (huisarts.get("voorletters"), huisarts.get("voorvoegsel"),
                                                  huisarts.get("achternaam")) if x),
                    "adres": "; ".join(adres(a) for a in huisarts.get("adressen") or []),
                    "communicatie": communicatie(huisarts.get("communicatie"))}
    return {"persoon": persoon, "adressen": [adres(a) for a in data.get("adressen") or []],
            "adresgeheim": bool(data.get("adresgeheim")),
            "communicatie": communicatie(data.get("communicatie")),
            "verzorgers": verzorgers, "huisarts": huisarts,
            "verzorgersaansprakelijk": ja_nee(data.get("verzorgersaansprakelijk"))}


def onderwijs(data: dict, school: dict) -> dict:
    inschrijving = _rows([
        ("School", f"{school['naam']} ({school['brin']}{school['vestigingscode']})"),
        ("Klas" if school.get("profile") == "VOSWV" else "Groep", groep(data)),
        ("Datum inschrijving", datum(data.get("datuminschrijving"))),
        ("Start huidig onderwijs", datum(data.get("startdatumhuidigonderwijs"))),
        ("In onderwijs sinds", datum(data.get("onderwijssinds"))),
        ("Leerlinggewicht", data.get("leerlinggewicht")),
        ("Woont in tehuis", ja_nee(data.get("tehuis"))),
    ])
    loopbaan = [{"schooljaar": s.get("schooljaar"), "groep": s.get("groepsnaam") or s.get("groepscode"),
                 "jaargroep": codelabels.jaargroep(s.get("jaargroep")), "school": f"{s.get('brincode')}{s.get('vestigingscode') or ''}",
                 "van": datum(s.get("begindatum")), "tot": datum(s.get("einddatum"))}
                for s in sorted(data.get("schoolloopbaan") or [],
                                key=lambda s: (s.get("schooljaar") or "", s.get("begindatum") or ""),
                                reverse=True)]
    oa = data.get("overstapadvies") or {}
    advies = _rows([
        ("Advies school", codelabels.advies(oa.get("advies"))),
        ("Wens ouders", codelabels.advies(oa.get("wensouders"))),
        ("Wens leerling", codelabels.advies(oa.get("wensleerling"))),
        ("Herzien advies", codelabels.advies(oa.get("herzienadvies"))),
        ("Profiel", oa.get("profiel")),
        ("Argumentatie", oa.get("argumentatie")),
        ("Contact nodig", ja_nee(oa.get("contactnodig"))),
        ("Contactpersoon", oa.get("contactpersoon")),
    ])
    vve = data.get("vve") or {}
    vve_rows = _rows([
        ("Van peuterspeelzaal", ja_nee(vve.get("vanpeuterspeelzaal"))),
        ("Naam peuterspeelzaal", vve.get("naampeuterspeelzaal")),
        ("Voorschools programma", (vve.get("voorschools") or {}).get("codevoorschoolsprogramma")),
        ("Maanden voorschools", (vve.get("voorschools") or {}).get("voorschoolsemaanden")),
        ("Vroegschools", ", ".join(datum(v.get("datumingang")) for v in vve.get("vroegschools") or [])),
    ])
    vz = data.get("verzuim") or {}
    verzuim = _rows([
        ("Dagdelen geoorloofd", vz.get("dagdelengeoorloofd")),
        ("Dagdelen ongeoorloofd", vz.get("dagdelenongeoorloofd")),
        ("Uren geoorloofd", vz.get("urengeoorloofd")),
        ("Uren ongeoorloofd", vz.get("urenongeoorloofd")),
        ("Meer dan 25% verzuim", ja_nee(vz.get("meerdan25percent"))),
        ("Contact leerplicht", ja_nee(vz.get("contactleerplicht"))),
    ])
    return {"inschrijving": inschrijving, "loopbaan": loopbaan, "advies": advies,
            "vve": vve_rows, "verzuim": verzuim}


def _score(resultaat: dict) -> str:
    s = (resultaat or {}).get("toetsscore") or {}
    if s.get("aantalgoed") is not None and s.get("aantalopgaven"):
        return f"{s['aantalgoed']} van {s['aantalopgaven']} goed"
    for key, label in (("vaardigheidsscore", "vaardigheidsscore"), ("aantalgoed", "goed"),
                       ("aantalgelezen", "gelezen"), ("tijd", "tijd")):
        if s.get(key) is not None:
            return f"{label} {s[key]}"
    return ""


def toetsen(data: dict) -> dict:
    rijen = []
    for t in sorted(data.get("toetsen") or [], key=lambda t: t.get("afnamedatum") or "",
                    reverse=True):
        res = t.get("resultaat") or {}
        rijen.append({
            "datum": datum(t.get("afnamedatum")), "toets": t.get("toetsnaam") or t.get("eldtoetscode"),
            "leergebied": t.get("leergebied") or "", "jaargroep": codelabels.jaargroep(t.get("jaargroep")),
            "score": _score(res),
            "referentie": ", ".join(f"{r.get('codereferentiescore')} {r.get('waarde')}"
                                    for r in res.get("referentiescores") or []),
            "afgenomendoor": t.get("afgenomendoor") or "", "opmerking": t.get("opmerking") or ""})
    et = data.get("eindtoets") or {}
    eindtoets = _rows([
        ("Deelgenomen", ja_nee(et.get("deelgenomen"))),
        ("Toets", et.get("toetsomschrijving") or et.get("toetssoort")),
        ("Datum afname", datum(et.get("datum_afname"))),
        ("Standaardscore", et.get("standaardscore")),
        ("Toetsadvies", et.get("toets_advies")),
    ]) if et else []
    return {"rijen": rijen, "eindtoets": eindtoets}


def ondersteuning(data: dict) -> dict:
    oo = data.get("onderwijsondersteuning") or {}
    diagnoses = [{"naam": d.get("naam") or "", "codes": ", ".join(d.get("codes") or []),
                  "datum": datum(d.get("datum")), "doorwie": d.get("doorwie") or d.get("instantie") or ""}
                 for d in oo.get("diagnoses") or []]
    plannen = [{"gericht": h.get("isgerichtop") or "", "van": datum(h.get("startdatum")),
                "tot": datum(h.get("einddatum"))} for h in oo.get("handelingsplannen") or []]
    overig = _rows([
        ("Medicijngebruik", ja_nee(oo.get("medicijngebruik"))),
        ("OPP", oo.get("opp") and f"vanaf {datum(oo['opp'].get('ingangdatum'))}"),
        ("TLV", "; ".join(f"categorie {codelabels.tlv_categorie(t.get('categorie'))},"
                          f" {datum(t.get('ingangdatum'))}"
                          f" tot {datum(t.get('einddatum')) or 'onbepaald'}"
                          for t in oo.get("tlv") or [])),
        ("Arrangement PaO", "; ".join(datum(a.get("datum")) for a in oo.get("arrangementen_pao") or [])),
        ("Arrangement cluster 1/2", "; ".join(datum(a.get("datum"))
                                              for a in oo.get("arrangementen_cluster12") or [])),
        ("LWOO", oo.get("lwoo") and f"vanaf {datum(oo['lwoo'].get('ingangdatum'))}"),
    ])
    return {"diagnoses": diagnoses, "plannen": plannen, "overig": overig}


def documenten(data: dict) -> list[dict]:
    """Every file in the pupil record, in a stable order; `n` is the download index."""
    found: list[dict] = []

    def walk(value, plaats: str):
        if isinstance(value, dict):
            if "bestandsnaam" in value and "content" in value:
                found.append({"n": len(found), "bestandsnaam": value.get("bestandsnaam") or "bestand",
                              "omschrijving": value.get("omschrijving") or "", "plaats": plaats,
                              "mime": value.get("mime") or "application/octet-stream",
                              "content": value.get("content") or ""})
                return
            for key, v in value.items():
                walk(v, DOCUMENT_PLAATS.get(key, plaats))
        elif isinstance(value, list):
            for v in value:
                walk(v, plaats)

    walk(data, "Leerling")
    return found


def document_inhoud(doc: dict) -> bytes:
    try:
        return base64.b64decode(doc["content"], validate=True)
    except (binascii.Error, ValueError):
        return b""
