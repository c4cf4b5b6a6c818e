"""The schema layer (layer "xsd"): the project's own XSD for the gegevensset, checked with lxml.

libxml2 validates in C in well under a millisecond for a typical dossier; this module only adds
what a person needs on top: the location in the official XPath style (/dossier[1]/...[1]) and a
Dutch sentence per error instead of libxml2's English.

Compiled schemas are cached per namespace *and per thread*: an lxml XMLSchema keeps the error log
of its last run on the object itself, so two threads sharing one (the SWV actor validates in its
request threads) would read each other's errors.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..schema_cache import per_thread
from .findings import FOUT, LAYER_XSD, Finding
from .rules import message
from .rules_standard import xpath_location
from .version import V2019_1, GegevenssetVersion

RULE = "XSD"
SCHEMA_DIR = Path(__file__).with_name("schema")
XSD_FILE = SCHEMA_DIR / "oso_gegevensset_2019.xsd"
# The XSD text names this namespace; another gegevensset version gets a copy with its own.
_XSD_NAMESPACE = V2019_1.namespace

# A dossier that is wrong everywhere would otherwise give thousands of findings; the first ones
# are what a person fixes first, the rest is noise.
MAX_FINDINGS = 100

@lru_cache(maxsize=8)
def schema_text(namespace: str = _XSD_NAMESPACE) -> bytes:
    """The XSD with `namespace` as target namespace."""
    text = XSD_FILE.read_bytes()
    if namespace != _XSD_NAMESPACE:
        # [choice] a later gegevensset version is assumed to keep the 2019.1 structure until the
        # project ships a schema of its own for it; only the namespace literal moves.
        text = text.replace(_XSD_NAMESPACE.encode(), namespace.encode())
    return text


def dossier_schema(namespace: str = _XSD_NAMESPACE) -> etree.XMLSchema:
    """The compiled schema for `namespace`, compiled once per thread."""
    return per_thread(("dossier", namespace), lambda: schema_text(namespace))


def check_xsd(root, version: GegevenssetVersion, data: bytes | None = None) -> list[Finding]:
    """Schema findings for the dossier `root` (the document's root element), in document order.

    `data`, the bytes `root` was parsed from, lets a very large dossier be checked without the
    cost described at `_large`; without it the tree is validated directly.
    """
    schema = dossier_schema(version.namespace)
    # The element test first: libxml2 walks the few hundred elements of a usual dossier faster
    # than bytes.count scans its attachments, and stops at element ELEMENT_LIMIT + 1 of a big one.
    if data is not None and _OVER_LIMIT(root) and data.count(b"<") > ELEMENT_LIMIT:
        return _large(root, data, version.namespace)
    return _tree(root, schema)


# Up to this many elements the tree is validated directly, whatever the number of errors.
ELEMENT_LIMIT = 10_000
_COUNT = etree.XPath("count(//*)")
_OVER_LIMIT = etree.XPath(f"boolean(/descendant::*[{ELEMENT_LIMIT + 1}])")


def _tree(root, schema) -> list[Finding]:
    if schema.validate(root):
        return []
    errors = [e for e in schema.error_log if e.level >= etree.ErrorLevels.ERROR]
    return _cap([_finding(root, e) for e in errors[:MAX_FINDINGS]], len(errors))


def _cap(findings: list[Finding], total: int) -> list[Finding]:
    if total > MAX_FINDINGS:
        findings.append(Finding(RULE, LAYER_XSD, FOUT, "/", message(RULE, "more", count=total - MAX_FINDINGS)))
    return findings


class _NoTree:
    """Parser target without event methods: libxml2 validates while parsing and builds nothing."""

    def close(self):
        return None


def _large(root, data: bytes, namespace: str) -> list[Finding]:
    """Validation of a dossier with more than ELEMENT_LIMIT elements.

    libxml2 records the path of every schema error on the tree by counting the element's
    preceding siblings, so a dossier with n erroneous siblings costs n * n steps: 10,000 take a
    second, the 640,000 that fit in the size limit would take an hour. So a large dossier is
    first validated while streaming (linear, no paths) to learn the number of errors; the tree
    is validated for paths only while errors times elements stays within a second's work.
    """
    parser = etree.XMLParser(schema=dossier_schema(namespace), target=_NoTree(), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False)
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        pass  # the error log below says what was wrong
    errors = [e for e in parser.error_log if e.level >= etree.ErrorLevels.ERROR]
    if not errors:
        return []
    if len(errors) * _COUNT(root) <= _PATH_BUDGET:
        return _tree(root, dossier_schema(namespace))
    # [choice] beyond the budget the first errors are reported without their place: a message
    # that names the element is worth more than a validation that never ends.
    return _cap([Finding(RULE, LAYER_XSD, FOUT, "/", _dutch(e.message)) for e in errors[:MAX_FINDINGS]],
                len(errors))


_PATH_BUDGET = ELEMENT_LIMIT * ELEMENT_LIMIT


# --- from a libxml2 error to a finding ------------------------------------------------------------

_ELEMENT = re.compile(r"^Element '([^']*)'(?:, attribute '([^']*)')?: ")
_QNAME = re.compile(r"\{([^}]*)\}([\w.\-]+)")
_RULES = (
    ("unexpected_expected", re.compile(r"This element is not expected\. Expected is (?:one of )?\( (.*) \)\.?$")),
    ("unexpected", re.compile(r"This element is not expected\.?$")),
    ("missing", re.compile(r"Missing child element\(s\)\. Expected is (?:one of )?\( (.*) \)\.?$")),
    ("datatype", re.compile(r"^'(.*)' is not a valid value of the (?:local )?(?:atomic|union|list) type(?: '(.*)')?\.?$", re.S)),
    ("pattern", re.compile(r"^\[facet 'pattern'\] The value '(.*)' is not accepted by the pattern '(.*)'\.?$", re.S)),
    ("minlength", re.compile(r"^\[facet 'minLength'\] The value has a length of '(\d+)'; this underruns the allowed minimum length of '(\d+)'\.?$")),
    ("maxlength", re.compile(r"^\[facet 'maxLength'\] The value has a length of '(\d+)'; this exceeds the allowed maximum length of '(\d+)'\.?$")),
    ("min", re.compile(r"^\[facet 'minInclusive'\] The value '(.*)' is less than the minimum value allowed \('(.*)'\)\.?$", re.S)),
    ("max", re.compile(r"^\[facet 'maxInclusive'\] The value '(.*)' is greater than the maximum value allowed \('(.*)'\)\.?$", re.S)),
    ("attribute", re.compile(r"^The attribute '(.*)' is not allowed\.?$")),
    ("simple", re.compile(r"^Element content is not allowed, because the type definition is simple\.?$")),
    ("element_only", re.compile(r"^Character content other than whitespace is not allowed")),
    ("root", re.compile(r"^No matching global declaration available for the validation root\.?$")),
)

# Type names a person recognises; anything else is shown by its schema name.
_TYPES = {
    "xs:date": "geldige datum (JJJJ-MM-DD)",
    "einddatumType": "geldige datum (JJJJ-MM-DD)",
    "xs:boolean": "geldige ja/nee-waarde (true, false, 1 of 0)",
    "xs:integer": "geheel getal",
    "xs:int": "geheel getal",
    "geslachtType": "geheel getal",
    "voorschoolsemaandenType": "geheel getal",
    "eindtoetsStandaardscoreType": "geheel getal",
    "xs:decimal": "getal",
}


def _name(qname: str) -> str:
    """A qualified name as a person reads it: the local name, plus a foreign namespace if any."""
    m = _QNAME.fullmatch(qname)
    if m is None:
        return qname
    ns, local = m.groups()
    if ns in (_XSD_NAMESPACE, "") or ns.startswith("http://www.edustandaard.nl/oso_gegevensset/"):
        return local
    return f"{local} (namespace {ns})"


def _names(listing: str) -> str:
    return ", ".join(_name(q.strip()) for q in listing.split(",") if q.strip())


def _type_name(raw: str | None) -> str:
    if not raw:
        return "geldige waarde"
    local = _QNAME.sub(lambda m: m.group(2), raw)
    return _TYPES.get(local, f"geldige waarde van type {local}")


def _dutch(raw: str) -> str:
    head = _ELEMENT.match(raw)
    el = _name(head.group(1)) if head else "?"
    attr = head.group(2) if head else None
    rest = raw[head.end():].strip() if head else raw.strip()
    for variant, pattern in _RULES:
        m = pattern.search(rest)
        if m is None:
            continue
        g = m.groups()
        if variant in ("unexpected_expected", "missing"):
            return message(RULE, variant, el=el, expected=_names(g[0]))
        if variant == "datatype":
            return message(RULE, variant, el=el, value=g[0], type=_type_name(g[1]))
        if variant == "pattern":
            return message(RULE, variant, el=el, value=g[0], pattern=g[1])
        if variant == "minlength" and g[0] == "0":
            return message(RULE, "empty", el=el)
        if variant in ("minlength", "maxlength"):
            return message(RULE, variant, el=el, length=g[0], limit=g[1])
        if variant in ("min", "max"):
            return message(RULE, variant, el=el, value=g[0], limit=g[1])
        if variant == "attribute":
            return message(RULE, variant, el=el, attr=attr or g[0])
        return message(RULE, variant, el=el)
    # [choice] an error shape we have no Dutch sentence for keeps libxml2's own words, so
    # nothing is lost; the element name still leads.
    return message(RULE, "other", el=el, detail=_QNAME.sub(lambda m: m.group(2), rest))


_ELEMENT_PATH = re.compile(r"(/\*(\[\d+\])?)+")


def _element_at(root, path: str | None):
    """The element a libxml2 error path (/*/*[4]/*[11]) points at, or None.

    The path is itself XPath over element children, so libxml2 resolves it in C: walking it in
    Python would cost a child list per step, per error, in a dossier with thousands of siblings.
    """
    if not path or not _ELEMENT_PATH.fullmatch(path):
        return None
    try:
        hits = root.getroottree().xpath(path)
    except etree.XPathError:
        return None
    return hits[0] if hits and isinstance(hits[0], etree._Element) else None


def _finding(root, error) -> Finding:
    el = _element_at(root, error.path)
    location = xpath_location(el) if el is not None else (error.path or "/")
    text = _dutch(error.message)
    if error.line:
        text = f"{text} (regel {error.line})"
    return Finding(RULE, LAYER_XSD, FOUT, location, text)
