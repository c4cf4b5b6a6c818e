"""`validate(source)`: the front door of the dossier checks, used by the SWV actor, the CLI and tests.

Order of work, cheapest and most fundamental first:

1. Read and parse safely (size limit before reading, no DTD, no entities, no network). Input that
   is not acceptable XML gives one OSS.XML01 finding and a report with readable=False.
2. The root must be a `dossier` in the namespace of the configured gegevensset version, and
   metadata/standaardversie must name that version. Otherwise one finding and nothing more: a
   dossier of another version would drown in schema errors that say nothing useful, and the
   official stylesheet goes quiet on a foreign namespace (D8), which looks like a pass.
3. The three layers on the parsed tree: xsd, standard, project. They all run, also when the schema
   layer already found errors, so a vendor sees every kind of problem in one go.
"""
from __future__ import annotations

import os
import re

from lxml import etree

from ..xmlsafe import DEFAULT_MAX_BYTES, XmlInputError, parse_bytes, read_source
from .categories import PROFILES
from .findings import FOUT, LAYER_PROJECT, LAYER_STANDARD, Finding, Report
from .rules import message
from .rules_project import check_project
from .rules_standard import check_standard, scan, xpath_location
from .version import DEFAULT_VERSION, GegevenssetVersion
from .xsd_layer import check_xsd

_NS_VERSION = re.compile(r"^http://www\.edustandaard\.nl/oso_gegevensset/([^/]+)/dossier$")


def validate(
    source: bytes | str | os.PathLike,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    version: GegevenssetVersion = DEFAULT_VERSION,
) -> Report:
    """Check one aanvraag SWV-dossier. `source` is the XML as bytes, or a path to a file.

    Never raises for bad input: everything wrong with the dossier is a finding in the report.
    """
    name = None if isinstance(source, (bytes, bytearray, memoryview)) else os.fspath(source)
    if isinstance(source, memoryview):
        source = source.tobytes()
    if isinstance(source, str) and source.lstrip().startswith("<"):
        # A path never starts with "<"; someone handed us the XML as text.
        return _unreadable(None, "Geef het dossier mee als bytes of als pad, niet als tekst.")
    try:
        data = read_source(source, max_bytes)
        root = parse_bytes(data, max_bytes)
    except XmlInputError as exc:
        return _unreadable(name, exc.message)

    report = Report(source=name)
    stop = _wrong_kind(root, version)
    if stop is not None:
        report.findings.append(stop)
        report.profile = _profile(root, version) if stop.rule != "OSS.NS01" else None
        return report
    report.profile = _profile(root, version)
    report.findings.extend(check_xsd(root, version, data))
    del data  # the tree holds everything from here on; the rule layers need not share memory with the bytes
    sc = scan(root, version)
    report.findings.extend(check_standard(root, version, sc))
    report.findings.extend(check_project(root, version, sc))
    return report


def _unreadable(name: str | None, detail: str) -> Report:
    finding = Finding("OSS.XML01", LAYER_PROJECT, FOUT, "/", message("OSS.XML01", "detail", detail=detail))
    return Report(findings=[finding], source=name, readable=False)


def _wrong_kind(root, version: GegevenssetVersion) -> Finding | None:
    """The one finding that ends validation early, or None when the dossier is of our kind."""
    q = etree.QName(root)
    expected = version.namespace
    if q.namespace != expected:
        if not q.namespace:
            text = message("OSS.NS01", "geen", root=q.localname, expected=expected)
        elif q.localname == "dossier" and (m := _NS_VERSION.match(q.namespace)):
            text = message("OSS.NS01", "versie", found=q.namespace, found_version=m.group(1),
                           expected=expected, expected_version=version.name)
        elif q.localname == "dossier":
            text = message("OSS.NS01", found=q.namespace, expected=expected)
        else:
            text = message("OSS.NS01", "root", root=q.localname, expected=expected)
        return Finding("OSS.NS01", LAYER_PROJECT, FOUT, "/", text)
    if q.localname != "dossier":
        return Finding("OSS.NS01", LAYER_PROJECT, FOUT, "/",
                       message("OSS.NS01", "root", root=q.localname, expected=expected))
    # [choice] a standaardversie of another release in our namespace is reported under its
    # official id (OG.02) and ends the check, like a foreign namespace: what follows would be
    # measured against a version the dossier does not claim. A missing standaardversie is the
    # schema's business and does not stop anything.
    sv = _grandchild(root, f"{{{expected}}}metadata", f"{{{expected}}}standaardversie")
    if sv is not None and sv.text != version.standaardversie:
        return Finding("OG.02", LAYER_STANDARD, FOUT, xpath_location(sv),
                       message("OG.02", literal=version.standaardversie))
    return None


def _profile(root, version: GegevenssetVersion) -> str | None:
    """POSWV or VOSWV as declared in metadata/overstap; None for anything else."""
    ns = version.namespace
    overstap = _grandchild(root, f"{{{ns}}}metadata", f"{{{ns}}}overstap")
    return overstap.text if overstap is not None and overstap.text in PROFILES else None


def _grandchild(el, tag: str, child: str):
    """el.find("tag/child"), without an ElementPath evaluation."""
    for c in el.iterchildren(tag):
        for g in c.iterchildren(child):
            return g
    return None
