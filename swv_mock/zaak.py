"""The case behind an aanvraag, as a consulent reads it in the inbox: school, pupil, groep and
the school's question, taken from the fetched dossier.

The notificatie carries only the koppelsleutel and BRINs, so before the fetch the SWV knows no
names; after it, the dossier is the only source (nothing is looked up elsewhere). Reading a
dossier of megabytes for every list refresh would be wasteful, so the few fields are kept in a
small table of their own, written once per koppelsleutel after the fetch.
"""
from __future__ import annotations

import json
import logging

from lxml import etree

from oso_protocol.xmlsafe import XmlInputError, parse_bytes

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS zaak (
    koppelsleutel TEXT PRIMARY KEY,
    velden TEXT NOT NULL                     -- JSON: school, leerling, groep, vraag
);
"""

LEEG = {"school": None, "leerling": None, "groep": None, "vraag": None}


def ensure_schema(store) -> None:
    if not getattr(store, "_zaak_tabel", False):
        store.conn().executescript(SCHEMA)
        store._zaak_tabel = True


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _kind(parent, naam: str):
    if parent is None:
        return None
    for c in parent:
        if _local(c) == naam:
            return c
    return None


def _tekst(parent, naam: str) -> str | None:
    el = _kind(parent, naam)
    return (el.text or "").strip() or None if el is not None else None


def uit_dossier(dossier: bytes) -> dict:
    """School name, pupil name, current groep/klas and the question from a dossier's XML."""
    try:
        root = parse_bytes(dossier)
    except XmlInputError:
        return dict(LEEG)
    school = _kind(root, "huidigeschool")
    leerling = _kind(school, "leerling")
    naam = None
    if leerling is not None:
        voornaam = _tekst(leerling, "roepnaam") or _tekst(leerling, "voornaam")
        delen = [voornaam, _tekst(leerling, "voorvoegsel"), _tekst(leerling, "achternaam")]
        naam = " ".join(d for d in delen if d) or None
    groep = None
    loopbaan = _kind(leerling, "schoolloopbaanlijst")
    if loopbaan is not None and len(loopbaan):
        laatste = max((c for c in loopbaan if _local(c) == "schoolloopbaan"),
                      key=lambda c: _tekst(c, "schooljaar") or "", default=None)
        if laatste is not None:
            groep = _tekst(laatste, "groepsnaam") or _tekst(laatste, "groepscode")
    vraag = None
    steun = _kind(leerling, "onderwijsondersteuning")
    toelichting = _kind(steun, "toelichting_onderwijsbehoeften")
    if toelichting is not None:
        vraag = _tekst(_kind(toelichting, "document"), "omschrijving")
    return {"school": _tekst(school, "naam"), "leerling": naam, "groep": groep, "vraag": vraag}


def voor(store, koppelsleutel: str, dossier: bytes | None) -> dict:
    """The case fields of one aanvraag; empty until the dossier is fetched."""
    if dossier is None:
        return dict(LEEG)
    ensure_schema(store)
    row = store.one("SELECT velden FROM zaak WHERE koppelsleutel = ?", (koppelsleutel,))
    if row is not None:
        return json.loads(row["velden"])
    velden = uit_dossier(bytes(dossier))
    with store.tx() as conn:
        conn.execute("INSERT OR REPLACE INTO zaak (koppelsleutel, velden) VALUES (?, ?)",
                     (koppelsleutel, json.dumps(velden, ensure_ascii=False)))
    return velden


def alle(store, inbox) -> dict[str, dict]:
    """koppelsleutel -> case fields, for every aanvraag whose dossier is in; a dossier not yet
    summarised is read once here."""
    ensure_schema(store)
    bekend = {r["koppelsleutel"]: json.loads(r["velden"])
              for r in store.query("SELECT koppelsleutel, velden FROM zaak")}
    for r in store.query("SELECT koppelsleutel FROM aanvraag WHERE dossier IS NOT NULL"):
        k = r["koppelsleutel"]
        if k not in bekend:
            row = inbox.row(k)
            bekend[k] = voor(store, k, row["dossier"] if row else None)
    return bekend
