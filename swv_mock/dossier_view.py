"""A fetched dossier as plain Python data (dicts, lists, strings), for the web pages.

Decoded with xmlschema against our own gegevensset XSD, so repeated elements are lists and values
have their schema types, even for a dossier with findings (lax mode). Secret data stays exactly as
the LAS masked it in the dossier (adresgeheim, geheim communicatie): nothing is looked up or
restored here. While the XSD is not there, a plain element-to-dict conversion stands in.
"""
from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

from lxml import etree

from oso_protocol.xmlsafe import XmlInputError, parse_bytes

log = logging.getLogger(__name__)

SCHEMA_FILE = (Path(__file__).resolve().parent.parent / "oso_protocol" / "dossier" / "schema"
               / "oso_gegevensset_2019.xsd")


class DossierViewError(ValueError):
    """The dossier cannot be read at all; the message is Dutch."""


@lru_cache(maxsize=4)
def _schema(path: str, mtime: float):
    # keyed on mtime so a schema written after start is still picked up
    import xmlschema
    try:
        return xmlschema.XMLSchema(path)
    except Exception:  # a broken schema must not break the page: fall back to plain data
        log.exception("cannot load %s", path)
        return None


def schema():
    try:
        mtime = os.path.getmtime(SCHEMA_FILE)
    except OSError:
        return None
    return _schema(str(SCHEMA_FILE), mtime)


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)


def _plain(el: etree._Element):
    """Element to data: attributes as '@name', children by local name (lists when repeated)."""
    children = [c for c in el if isinstance(c.tag, str)]
    if not children and not el.attrib:
        return el.text.strip() if el.text and el.text.strip() else None
    out: dict = {f"@{_local(k)}": v for k, v in el.attrib.items()}
    for child in children:
        name, value = _local(child.tag), _plain(child)
        if name in out:
            if not isinstance(out[name], list):
                out[name] = [out[name]]
            out[name].append(value)
        else:
            out[name] = value
    if el.text and el.text.strip():
        out["$"] = el.text.strip()
    return out


def dossier_data(data: bytes) -> dict:
    """{"dossier": data, "schema": bool, "fouten": [schema errors met in lax mode]}."""
    try:
        root = parse_bytes(data)
    except XmlInputError as exc:
        raise DossierViewError(exc.message) from None
    xsd = schema()
    if xsd is not None:
        try:
            decoded, errors = xsd.to_dict(root, validation="lax", strip_namespaces=True,
                                          decimal_type=str, datetime_types=False)
            return {"dossier": decoded, "schema": True,
                    "fouten": [getattr(e, "reason", None) or str(e) for e in errors]}
        except Exception as exc:  # e.g. a root element the schema does not know
            log.info("xmlschema could not decode the dossier: %s", exc)
    return {"dossier": _plain(root), "schema": False, "fouten": []}
