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
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

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

_local = threading.local()


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
    """The compiled schema for `namespace`, compiled once per thread.

    Each thread parses the schema text itself: libxml2's schema compiler may tidy the schema
    document it is given, so a parsed document is not shared between threads either.
    """
    cache = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    schema = cache.get(namespace)
    if schema is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        schema = cache[namespace] = etree.XMLSchema(etree.fromstring(schema_text(namespace), parser))
    return schema


def check_xsd(root, version: GegevenssetVersion) -> list[Finding]:
    """Schema findings for the dossier `root` (an lxml element), in document order."""
    schema = dossier_schema(version.namespace)
    if schema.validate(root):
        return []
    errors = [e for e in schema.error_log if e.level >= etree.ErrorLevels.ERROR]
    out = [_finding(root, e) for e in errors[:MAX_FINDINGS]]
    if len(errors) > MAX_FINDINGS:
        out.append(Finding(RULE, LAYER_XSD, FOUT, "/",
                           message(RULE, "more", count=len(errors) - MAX_FINDINGS)))
    return out


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


_STEP = re.compile(r"\*(?:\[(\d+)\])?")


def _element_at(root, path: str | None):
    """The element a libxml2 error path (/*/*[4]/*[11]) points at, or None.

    libxml2 writes element steps as `*` with a position among element siblings, leaving the
    position out for an only child.
    """
    if not path or not path.startswith("/*"):
        return None
    el = root
    for step in path.split("/")[2:]:
        m = _STEP.fullmatch(step)
        if m is None:
            return None
        pos = int(m.group(1) or 1)
        children = [c for c in el if isinstance(c.tag, str)]
        if not 0 < pos <= len(children):
            return None
        el = children[pos - 1]
    return el


def _finding(root, error) -> Finding:
    el = _element_at(root, error.path)
    location = xpath_location(el) if el is not None else (error.path or "/")
    text = _dutch(error.message)
    if error.line:
        text = f"{text} (regel {error.line})"
    return Finding(RULE, LAYER_XSD, FOUT, location, text)
