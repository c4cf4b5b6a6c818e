"""Put a persoonsgebonden nummer (bsn or onderwijsnummer) into a built dossier.

The builder never writes one; this exists only to play broken systems (a LAS that leaks the BSN,
a crafted dossier for an SWV under test), so that PaO.LL12 is the one rule the result breaks.
"""
from __future__ import annotations

from lxml import etree

from .version import NS as DOSSIER_NS

PGN_ELEMENTS = ("bsn", "onderwijsnummer")

# Children of <leerling> that follow the bsn/onderwijsnummer choice in the 2019.1 sequence.
_AFTER_PGN = ("leerlingid", "onderwijssinds", "startdatumhuidigonderwijs", "datuminschrijving",
              "leerlinggewicht", "tehuis", "huisarts", "verzorgersaansprakelijk")


def with_pgn(dossier: bytes, element: str = "bsn", value: str = "123456782") -> bytes:
    """The dossier with `<element>value</element>` at its schema position inside <leerling>."""
    if element not in PGN_ELEMENTS:
        raise ValueError(f"geen persoonsgebonden nummer: {element}")
    root = etree.fromstring(dossier)
    leerling = root.find(f".//{{{DOSSIER_NS}}}leerling")
    if leerling is None:
        raise ValueError("dossier zonder leerling")
    new = etree.Element(f"{{{DOSSIER_NS}}}{element}")
    new.text = value
    for child in leerling:
        name = etree.QName(child).localname
        if name in _AFTER_PGN or name.startswith("verzorger"):
            child.addprevious(new)
            break
    else:
        leerling.append(new)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")
