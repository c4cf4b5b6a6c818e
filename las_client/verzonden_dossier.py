"""What the SWV received, read back from the dossier bytes the LAS stored at send time, not from
the form: the question, the aandachtspunten (or that they did not travel), the gegevensblokken
the dossier declares as delivered, and every document with its omschrijving.

The sent zorgvraag page shows this, so a trainer can point at exactly what left the school.
"""
from __future__ import annotations

from lxml import etree

from oso_protocol.dossier.categories import GEGEVENSBLOKKEN
from oso_protocol.xmlsafe import XmlInputError, parse_bytes

_BLOK_VAN = {cat: naam for naam, cat in GEGEVENSBLOKKEN.items()}
_MEE = ("VERPLICHT", "OPTIONEEL")


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _eerste(root, naam: str):
    return next((el for el in root.iter() if _local(el) == naam), None)


def _tekst(el) -> str | None:
    return ((el.text or "").strip() or None) if el is not None else None


def samenvatting(dossier: bytes) -> dict | None:
    """{"vraag", "aandachtspunten", "blokken": [names], "documenten": [{"bestandsnaam",
    "omschrijving", "plek"}]} from the dossier XML; None when it cannot be read."""
    try:
        root = parse_bytes(dossier)
    except XmlInputError:
        return None
    toelichting = _eerste(root, "toelichting_onderwijsbehoeften")
    vraag = None
    if toelichting is not None:
        vraag = _tekst(_eerste(toelichting, "omschrijving"))
    advies = _eerste(root, "overstapadvies")
    uitlevering = _eerste(root, "categorie_uitlevering")
    blokken = []
    if uitlevering is not None:
        for c in uitlevering:
            naam = _BLOK_VAN.get(_local(c))
            if naam and _tekst(c) in _MEE:
                blokken.append(naam)
    documenten = []
    for doc in root.iter():
        if _local(doc) != "document":
            continue
        kids = {_local(k): _tekst(k) for k in doc if isinstance(k.tag, str)}
        ouder = doc.getparent()
        plek = _local(ouder) if ouder is not None else ""
        documenten.append({"bestandsnaam": kids.get("bestandsnaam"),
                           "omschrijving": kids.get("omschrijving"),
                           "plek": plek.replace("_", " ")})
    return {"vraag": vraag,
            "aandachtspunten": _tekst(_eerste(advies, "aandachtspunten")) if advies is not None
            else None,
            "blokken": [n for n in GEGEVENSBLOKKEN if n in blokken],
            "documenten": documenten}
