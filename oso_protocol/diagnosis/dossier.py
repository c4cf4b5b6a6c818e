"""Diagnosis of a dossier: which gegevensset version it claims, then the validator's verdict."""
from __future__ import annotations

from lxml import etree

from oso_protocol.dossier.version import DEFAULT_VERSION, GegevenssetVersion, namespace_year
from oso_protocol.xmlsafe import XmlInputError, parse_bytes

from .model import DiagnosisFinding, finding


def version_of(root) -> tuple[str, str | None]:
    """(version found, standaardversie text) of a dossier root, in whatever namespace it is."""
    ns = etree.QName(root).namespace
    sv_el = None
    for md in root:
        if isinstance(md.tag, str) and etree.QName(md).localname == "metadata":
            sv_el = next((c for c in md if isinstance(c.tag, str)
                          and etree.QName(c).localname == "standaardversie"), None)
            break
    sv = (sv_el.text or "").strip() if sv_el is not None else None
    year = namespace_year(ns)
    if year is None:  # not a gegevensset namespace: the standaardversie says nothing reliable
        return ("geen namespace" if not ns else ns), sv
    return (sv or f"{year}.x"), sv


def check_dossier(root, data: bytes, loc: str = "",
                  version: GegevenssetVersion = DEFAULT_VERSION) -> list[DiagnosisFinding]:
    """Findings for a parsed dossier `root` (its bytes `data`), located under `loc`."""
    ns = etree.QName(root).namespace
    found, sv = version_of(root)
    here = f"{loc}/dossier"
    if not ns:
        return [finding("OSS.NS01", here, "geen", expected=version.namespace, found="(geen)",
                        expected_version=version.name)]
    if ns != version.namespace:
        if namespace_year(ns):
            return [finding("OSS.NS01", here, "versie", expected=version.namespace, found=ns,
                            found_version=found, expected_version=version.name)]
        return [finding("OSS.NS01", here, expected=version.namespace, found=ns)]
    if sv is not None and sv != version.standaardversie:
        return [finding("OG.02", f"{here}/metadata/standaardversie",
                        expected=version.standaardversie, found=sv)]
    from oso_protocol.dossier.validator import validate  # the validator loads the gegevensset XSD
    report = validate(data, version=version)
    errors = [f for f in report.findings if f.severity == "fout"]
    if not errors:
        return []
    rules = ", ".join(sorted({f.rule for f in errors}))
    return [finding("OSS.DOS01", here, expected=version.name, found=rules, count=len(errors))]


def check_embedded(raw: bytes, loc: str) -> list[DiagnosisFinding]:
    """The dossier carried base64 in documentResponse/dossier."""
    try:
        root = parse_bytes(raw)
    except XmlInputError:
        return []
    if etree.QName(root).localname != "dossier":
        return [finding("OSS.NS01", loc, expected=DEFAULT_VERSION.namespace,
                        found=etree.QName(root).namespace or etree.QName(root).localname)]
    return check_dossier(root, raw, loc.rsplit("/", 1)[0])
