"""Diagnosis of a SOAP message: envelope, version, and a field-level diff against the XSD."""
from __future__ import annotations

import base64
import bisect
import binascii
import difflib
import re

from lxml import etree

from oso_protocol.transport import messages
from oso_protocol.transport.codec import SOAP12_ENV, SOAP_ENV
from oso_protocol.transport.messages import BY_ELEMENT, NS_20200910

from .model import SOAP, Diagnosis, finding
from .schema import FieldSpec, base64_ok, model, value_ok

# OSO namespaces by version: the host changed from xml.eld.nl to xml.kennisnet.nl in 20180404
_OSO_NS = re.compile(r"^https?://xml\.(kennisnet|eld)\.nl/schemas/Overstapservice/(\d{8})/?$")
EXPECTED_VERSION = NS_20200910.rsplit("/", 1)[-1]
WSSE_PREFIX = "http://docs.oasis-open.org/wss/"

# Field names of OSO 2018 and older, with the 20200910 field that replaced them and the variant of
# OSS.VER02 that explains it (oso-protocol.md §2 general rule, §2.1, §2.2).
OLD_VOCABULARY: dict[str, tuple[str, str]] = {
    "aanleverpuntIndex": ("routeringsKenmerk", "index"),
    "bronAanleverpuntIndex": ("bronRouteringsKenmerk", "index"),
    "doelAanleverpuntIndex": ("doelRouteringsKenmerk", "index"),
    "aanleverpuntSleutel": ("routeringsKenmerk", "sleutel"),
    "code": ("routeringsKenmerk", "code"),
    "overdrachtdoel": ("doel", "overdrachtdoel"),
}

# [choice] The messages whose doel must be SWV in this flow. meldenTerugkoppeling's value differs
# between wiki revisions (§2.8); our messages carry SWV there too (messages.DOEL_SWV).
SWV_DOEL_ELEMENTS = {"meldenNotificatieRequest", "notificatieRequest", "meldenTerugkoppelingRequest"}

# [choice] The register layout of a routeringskenmerk: OIN prefix 00000007, 000, the BRIN, a
# 5-character suffix (oso-protocol.md §4, Q14: a pattern seen in examples, not a rule).
RK_LAYOUT = re.compile(r"^00000007000([0-9]{2}[A-Z0-9]{2})[0-9A-Z]{5}$")

# A hostile message may hold thousands of wrong fields; past this many findings the diagnosis stops
# looking (the first ones say what is wrong) and the front door adds no more.
MAX_FINDINGS = 100

_TYPE_RULE = {"Brin": "OSS.VAL01", "RouteringsKenmerk": "OSS.VAL02", "Guid": "OSS.VAL03"}


def _local(el) -> str:
    return etree.QName(el).localname


def _ns(el) -> str | None:
    return etree.QName(el).namespace


def _elements(el) -> list:
    return [c for c in el if isinstance(c.tag, str)]


def _has_text(el) -> bool:
    if el.text and el.text.strip():
        return True
    return any(c.tail and c.tail.strip() for c in el)


def _child_path(parent_loc: str, el) -> str:
    parent = el.getparent()
    if parent is None:
        return f"{parent_loc}/{_local(el)}"
    return _paths_of(parent, parent_loc)[el]


def _paths_of(parent, parent_loc: str) -> dict:
    """Paths of all children of `parent` at once: [n] only where a name repeats."""
    children = _elements(parent)
    totals: dict[str, int] = {}
    for c in children:
        totals[_local(c)] = totals.get(_local(c), 0) + 1
    seen: dict[str, int] = {}
    out = {}
    for c in children:
        n = _local(c)
        seen[n] = seen.get(n, 0) + 1
        out[c] = f"{parent_loc}/{n}[{seen[n]}]" if totals[n] > 1 else f"{parent_loc}/{n}"
    return out


def nearest(name: str, candidates, cutoff: float = 0.6) -> str | None:
    """The candidate most like `name`, ignoring case; None when nothing is close."""
    lowered = {c.lower(): c for c in candidates}
    if name.lower() in lowered:
        return lowered[name.lower()]
    hit = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=cutoff)
    return lowered[hit[0]] if hit else None


def namespace_version(ns: str | None) -> tuple[str, str | None]:
    """(label, host) of an OSO namespace: ('20180404', 'kennisnet'), ('geen', None), (ns, None)."""
    if not ns:
        return "geen", None
    m = _OSO_NS.match(ns)
    if m:
        return m.group(2), m.group(1)
    return ns, None


def looks_like_oso(el) -> bool:
    """A bare OSO body element (no envelope): a known or nearly known name, or an OSO namespace."""
    return nearest(_local(el), BY_ELEMENT, cutoff=0.8) is not None or bool(_OSO_NS.match(_ns(el) or ""))


# --- envelope ------------------------------------------------------------------------------------

def diagnose_envelope(root, d: Diagnosis, dossier_check) -> None:
    d.kind = SOAP
    env_ns = _ns(root)
    if env_ns == SOAP12_ENV:
        d.soap_version = "1.2"
        d.findings.append(finding("OSS.MSG03", "/Envelope", expected=SOAP_ENV, found=SOAP12_ENV))
    elif env_ns == SOAP_ENV:
        d.soap_version = "1.1"
    else:
        d.findings.append(finding("OSS.MSG05", "/Envelope", "namespace", expected=SOAP_ENV,
                                  found=env_ns or "(geen)"))
    children = _elements(root)
    header = next((c for c in children if _local(c) == "Header"), None)
    body = next((c for c in children if _local(c) == "Body"), None)
    if _has_text(root) or (body is not None and _has_text(body)):
        d.findings.append(finding("OSS.MSG05", "/Envelope", "tekst"))
    if body is None:
        d.findings.append(finding("OSS.MSG05", "/Envelope", "geen_body",
                                  expected="Envelope/Header?/Body",
                                  found="/".join(_local(c) for c in children) or "(leeg)"))
        return
    if header is not None and children.index(header) > children.index(body):
        d.findings.append(finding("OSS.MSG05", "/Envelope/Header", "volgorde",
                                  expected="Header, Body", found="Body, Header"))
    if header is not None:
        for h in _elements(header):
            mu = h.get(f"{{{env_ns}}}mustUnderstand") if env_ns else None
            if mu is None:
                mu = h.get(f"{{{SOAP_ENV}}}mustUnderstand") or h.get(f"{{{SOAP12_ENV}}}mustUnderstand")
            if mu in ("1", "true"):
                wsse = (_ns(h) or "").startswith(WSSE_PREFIX)
                d.findings.append(finding(
                    "OSS.MSG04", _child_path("/Envelope/Header", h), "wsse" if wsse else "",
                    expected="geen header met mustUnderstand", found=f"{_local(h)} mustUnderstand={mu}",
                    header=_local(h), value=mu))
    content = _elements(body)
    if len(content) != 1:
        d.findings.append(finding("OSS.MSG05", "/Envelope/Body", "aantal", expected="1",
                                  found=str(len(content)), count=len(content)))
        if not content:
            return
    el = content[0]
    if _local(el) == "Fault" and _ns(el) in (SOAP_ENV, SOAP12_ENV):
        code = (el.findtext("faultcode") or el.findtext(f"{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value")
                or "").strip()
        text = (el.findtext("faultstring") or "").strip()
        d.findings.append(finding("OSS.MSG07", "/Envelope/Body/Fault", found=code or "(geen code)",
                                  code=code or "(geen code)", text=text))
        return
    diagnose_body(el, "/Envelope/Body", d, dossier_check)


# --- the OSO element -----------------------------------------------------------------------------

def diagnose_body(el, parent_loc: str, d: Diagnosis, dossier_check) -> None:
    d.kind = SOAP
    local, ns = _local(el), _ns(el)
    loc = f"{parent_loc}/{local}"
    d.element = local
    d.version_expected = EXPECTED_VERSION
    label, host = namespace_version(ns)
    d.version_found = label
    if ns != NS_20200910:
        if not ns:
            f = finding("OSS.VER01", loc, "geen", expected=NS_20200910, found="(geen)", element=local)
        elif host == "eld":
            f = finding("OSS.VER01", loc, "eld", expected=NS_20200910, found=ns, found_version=label)
        elif host:
            f = finding("OSS.VER01", loc, "versie", expected=NS_20200910, found=ns,
                        found_version=label, expected_version=EXPECTED_VERSION)
        else:
            f = finding("OSS.VER01", loc, expected=NS_20200910, found=ns)
        d.findings.append(f)
    spec_name = local
    if local not in BY_ELEMENT:
        near = nearest(local, BY_ELEMENT)
        if near is None:
            d.findings.append(finding("OSS.MSG06", loc, "geen", found=local))
            return
        d.findings.append(finding("OSS.MSG06", loc, expected=near, found=local,
                                  operation=BY_ELEMENT[near].OPERATION))
        spec_name = near
    d.operation = BY_ELEMENT[spec_name].OPERATION
    values = _diff(el, spec_name, loc, ns, d, spec_name, dossier_check)
    _flow(spec_name, values, loc, d)
    old = any(f.rule in ("OSS.VER02", "OSS.VER03") for f in d.findings)
    d.vocabulary = "20180404" if old else EXPECTED_VERSION


def _lis_keep(positions: list[int]) -> set[int]:
    """Indices (into `positions`) of a longest non-decreasing subsequence: the fields in place.

    Patience sorting, O(n log n): a register overview may hold thousands of repeated fields.
    """
    tails: list[int] = []      # positions value at the end of the best run of each length
    tail_idx: list[int] = []   # index into `positions` of that end
    prev = [-1] * len(positions)
    for i, p in enumerate(positions):
        k = bisect.bisect_right(tails, p)
        if k == len(tails):
            tails.append(p)
            tail_idx.append(i)
        else:
            tails[k] = p
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    keep = set()
    i = tail_idx[-1] if tail_idx else -1
    while i != -1:
        keep.add(i)
        i = prev[i]
    return keep


def _diff(el, type_name: str, loc: str, child_ns, d: Diagnosis, message_el: str,
          dossier_check) -> dict[str, str]:
    """Compare `el` with the content model `type_name`; return the simple values by field name."""
    specs = model().fields_of(type_name) or ()
    by_name = {s.name: s for s in specs}
    names = [s.name for s in specs]
    present: list[tuple[object, str | None, bool]] = []  # (child, field it stands for, checkable)
    ns_reported = False
    literal = {_local(c) for c in _elements(el)}
    paths = _paths_of(el, loc)
    for child in _elements(el):
        if len(d.findings) >= MAX_FINDINGS:
            break
        cl, cns = _local(child), _ns(child)
        cloc = paths[child]
        if cl in by_name:
            if cns != child_ns and not ns_reported:
                ns_reported = True
                d.findings.append(finding("OSS.FLD05", cloc, expected=child_ns or "(geen)",
                                          found=cl, found_ns=cns or "(geen)"))
            present.append((child, cl, True))
            continue
        old = OLD_VOCABULARY.get(cl)
        if old and old[0] in by_name:
            d.findings.append(finding("OSS.VER02", cloc, old[1], expected=old[0], found=cl))
            present.append((child, old[0], False))
            continue
        near = nearest(cl, names)
        if near is not None and near in literal:
            # the field it resembles is there as well: this one is extra, not a misspelling
            d.findings.append(finding("OSS.FLD02", cloc, expected=near, found=cl,
                                      element=_local(el)))
            present.append((child, None, False))
        elif near is not None:
            d.findings.append(finding("OSS.FLD02", cloc, expected=near, found=cl,
                                      element=_local(el)))
            present.append((child, near, True))
        else:
            d.findings.append(finding("OSS.FLD02", cloc, "geen", expected=", ".join(names),
                                      found=cl, element=_local(el)))
            present.append((child, None, False))
    mapped = [name for _, name, _ in present if name]
    # how often
    for name in dict.fromkeys(mapped):
        count = mapped.count(name)
        if by_name[name].max == 1 and count > 1:
            d.findings.append(finding("OSS.FLD04", f"{loc}/{name}", expected="1", found=name,
                                      count=count, element=_local(el)))
    # missing
    for i, s in enumerate(specs):
        if s.min >= 1 and s.name not in mapped:
            after = names[i - 1] if i else None
            d.findings.append(finding("OSS.FLD01", f"{loc}/{s.name}", "na" if after else "",
                                      expected=s.name, element=_local(el), after=after))
    # order: the fields outside a longest in-order run are the ones out of place
    placed = [(child, name) for child, name, _ in present if name]
    positions = [names.index(name) for _, name in placed]
    keep = _lis_keep(positions)
    for i, (child, name) in enumerate(placed):
        if i not in keep and len(d.findings) < MAX_FINDINGS:
            d.findings.append(finding("OSS.FLD03", paths[child],
                                      expected=", ".join(names), found=name, element=_local(el)))
    # values
    values: dict[str, str] = {}
    for child, name, checkable in present:
        if name is None:
            continue
        if len(d.findings) >= MAX_FINDINGS:
            break
        spec = by_name[name]
        cloc = paths[child]
        if spec.type in model().complex:
            _diff(child, spec.type, cloc, child_ns, d, message_el, dossier_check)
            continue
        if message_el == "documentResponse" and name == "dossier":
            _dossier_field(child, cloc, d, dossier_check)
            continue
        if not checkable:
            continue
        if _elements(child):
            d.findings.append(finding("OSS.VAL05", cloc, "elementen", expected="waarde",
                                      found=", ".join(_local(c) for c in _elements(child)),
                                      element=name))
            continue
        text = child.text or ""
        values.setdefault(f"present:{name}", text)
        before = len(d.findings)
        _check_value(name, spec, text, cloc, message_el, d)
        if len(d.findings) == before:  # only well-shaped values take part in the flow checks
            values.setdefault(name, text)
    return values


def _check_value(name: str, spec: FieldSpec, text: str, loc: str, message_el: str,
                 d: Diagnosis) -> None:
    if not text.strip():
        d.findings.append(finding("OSS.VAL05", loc, expected="waarde", found="", element=name))
        return
    if name == "doel":
        if text == "PaO":
            d.findings.append(finding("OSS.VER03", loc, expected=messages.DOEL_SWV, found=text))
        elif message_el in SWV_DOEL_ELEMENTS and text != messages.DOEL_SWV:
            d.findings.append(finding("OSS.FLOW04", loc, expected=messages.DOEL_SWV, found=text))
        elif not value_ok(spec.type, text):
            _type_finding(spec, text, loc, name, d)
        return
    if name == "overdrachtsoort":
        if text != messages.OVERDRACHTSOORT_SWV:
            d.findings.append(finding("OSS.FLOW03", loc, expected=messages.OVERDRACHTSOORT_SWV,
                                      found=text))
        return
    if name == "dossierVersie":
        expected = "2019.1"  # [choice] the literal of messages.DocumentRequest.dossierVersie
        if text.strip() != expected:
            d.findings.append(finding("OSS.DOC03", loc, expected=expected, found=text))
        return
    if not value_ok(spec.type, text):
        _type_finding(spec, text, loc, name, d)


def _type_finding(spec: FieldSpec, text: str, loc: str, name: str, d: Diagnosis) -> None:
    shown = text if len(text) <= 80 else text[:80] + "..."
    rule = _TYPE_RULE.get(spec.type)
    if rule == "OSS.VAL02":
        variant = "index" if text.strip().isdigit() and len(text.strip()) <= 6 else ""
        d.findings.append(finding(rule, loc, variant, expected="20 tekens [0-9A-Z]", found=shown,
                                  element=name, length=len(text)))
        return
    if rule:
        exp = {"OSS.VAL01": "[0-9]{2}[A-Z0-9]{2}", "OSS.VAL03": "8-4-4-4-12 hex"}[rule]
        d.findings.append(finding(rule, loc, expected=exp, found=shown, element=name))
        return
    st = model().simple.get(spec.type)
    if st is not None and st.enumeration:
        d.findings.append(finding("OSS.VAL04", loc, "enum", expected=", ".join(st.enumeration),
                                  found=shown, element=name))
        return
    d.findings.append(finding("OSS.VAL04", loc, expected=spec.type, found=shown, element=name))


def _dossier_field(child, loc: str, d: Diagnosis, dossier_check) -> None:
    """documentResponse/dossier: base64 of the dossier bytes [choice] (assumptions row 7)."""
    if _elements(child):
        d.findings.append(finding("OSS.DOC01", loc, expected="base64",
                                  found=f"element {_local(_elements(child)[0])}"))
        return
    text = child.text or ""
    if not text.strip():
        d.findings.append(finding("OSS.VAL05", loc, expected="base64", found="", element="dossier"))
        return
    if text.lstrip().startswith("<"):
        d.findings.append(finding("OSS.DOC01", loc, "tekst", expected="base64",
                                  found=text.strip()[:40] + "..."))
        return
    if not base64_ok(text):
        d.findings.append(finding("OSS.DOC02", loc, expected="base64", found=text.strip()[:40]))
        return
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        d.findings.append(finding("OSS.DOC02", loc, expected="base64", found=text.strip()[:40]))
        return
    # The embedded dossier's own version problems are reported at this location; a dossier that
    # is not XML at all is left to the SWV (row 11 signs it off DossierOngeldig).
    d.findings.extend(dossier_check(raw, loc))


def _flow(element: str, values: dict[str, str], loc: str, d: Diagnosis) -> None:
    """Rules of the SWV flow that look at more than one field."""
    if element == "overdrachtRequest":
        has_k, has_z = "present:koppelsleutel" in values, "present:zoeksleutel" in values
        if has_k and has_z:
            d.findings.append(finding("OSS.FLOW01", loc, "beide", expected="koppelsleutel",
                                      found="koppelsleutel, zoeksleutel"))
        elif has_z:
            d.findings.append(finding("OSS.FLOW02", f"{loc}/zoeksleutel", expected="koppelsleutel",
                                      found="zoeksleutel"))
        elif not has_k:
            d.findings.append(finding("OSS.FLOW01", loc, "geen", expected="koppelsleutel",
                                      found="(geen)"))
    brin_b, brin_d = values.get("bronBrin"), values.get("doelBrin")
    rk_b, rk_d = values.get("bronRouteringsKenmerk"), values.get("doelRouteringsKenmerk")
    mb = RK_LAYOUT.match(rk_b or "")
    md = RK_LAYOUT.match(rk_d or "")
    if mb and md and brin_b and brin_d and brin_b != brin_d \
            and mb.group(1) == brin_d and md.group(1) == brin_b:
        d.findings.append(finding(
            "OSS.FLOW05", f"{loc}/bronRouteringsKenmerk",
            expected=f"bron = LAS ({brin_b}), doel = SWV ({brin_d})",
            found=f"bronRouteringsKenmerk {rk_b}, doelRouteringsKenmerk {rk_d}",
            found_bron=rk_b, found_doel=rk_d, brin_bron_rk=mb.group(1), brin_doel_rk=md.group(1)))
        return
    for side, m, brin, rk in (("bron", mb, brin_b, rk_b), ("doel", md, brin_d, rk_d)):
        if m and brin and m.group(1) != brin:
            d.findings.append(finding(
                "OSS.FLOW06", f"{loc}/{side}RouteringsKenmerk", expected=brin, found=rk,
                element=f"{side}RouteringsKenmerk", brin_rk=m.group(1), brin_field=f"{side}Brin",
                brin=brin))
