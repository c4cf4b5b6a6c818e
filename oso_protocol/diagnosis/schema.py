"""The content models of the project message XSD, read once, as the diagnosis's idea of "valid".

The XSD is the one the codec validates with, so a field the diagnosis expects is a field the
receiver expects. Only the constructs that schema uses are read: xs:sequence, xs:choice,
xs:element with minOccurs/maxOccurs, named simple types with pattern, enumeration and lengths.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from lxml import etree

from oso_protocol.transport.codec import XSD_FILE

XS = "http://www.w3.org/2001/XMLSchema"


def _xs(name: str) -> str:
    return f"{{{XS}}}{name}"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str                 # local type name: Brin, Guid, xs:boolean, or a complex type name
    min: int
    max: int | None           # None: unbounded
    choice: int | None = None  # index of the xs:choice group, when part of one


@dataclass(frozen=True)
class SimpleType:
    name: str
    base: str
    patterns: tuple[str, ...] = ()
    enumeration: tuple[str, ...] = ()
    min_length: int | None = None
    max_length: int | None = None


@dataclass
class Model:
    elements: dict[str, tuple[FieldSpec, ...]] = field(default_factory=dict)  # body elements
    complex: dict[str, tuple[FieldSpec, ...]] = field(default_factory=dict)   # named types
    simple: dict[str, SimpleType] = field(default_factory=dict)
    choice_min: dict[tuple[str, int], int] = field(default_factory=dict)

    def fields_of(self, type_or_element: str) -> tuple[FieldSpec, ...] | None:
        if type_or_element in self.elements:
            return self.elements[type_or_element]
        return self.complex.get(type_or_element)


def _local(qname: str | None) -> str:
    if not qname:
        return "xs:string"
    prefix, _, local = qname.rpartition(":")
    return f"xs:{local}" if prefix == "xs" else local


def _occurs(el, attr: str, default: int) -> int | None:
    v = el.get(attr)
    if v is None:
        return default
    return None if v == "unbounded" else int(v)


def _content(owner: str, ct, model: Model) -> tuple[FieldSpec, ...]:
    out: list[FieldSpec] = []
    seq = ct.find(_xs("sequence"))
    if seq is None:
        return ()
    group = 0
    for item in seq:
        if item.tag == _xs("element"):
            out.append(FieldSpec(item.get("name"), _local(item.get("type")),
                                 _occurs(item, "minOccurs", 1), _occurs(item, "maxOccurs", 1)))
        elif item.tag == _xs("choice"):
            group += 1
            model.choice_min[(owner, group)] = _occurs(item, "minOccurs", 1) or 0
            for alt in item.iter(_xs("element")):
                out.append(FieldSpec(alt.get("name"), _local(alt.get("type")), 0,
                                     _occurs(alt, "maxOccurs", 1), group))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def model() -> Model:
    root = etree.fromstring(XSD_FILE.read_bytes())
    m = Model()
    for st in root.findall(_xs("simpleType")):
        r = st.find(_xs("restriction"))
        if r is None:
            continue

        def facet(name):
            el = r.find(_xs(name))
            return None if el is None else int(el.get("value"))

        m.simple[st.get("name")] = SimpleType(
            st.get("name"), _local(r.get("base")),
            tuple(p.get("value") for p in r.findall(_xs("pattern"))),
            tuple(e.get("value") for e in r.findall(_xs("enumeration"))),
            facet("minLength"), facet("maxLength"))
    for ct in root.findall(_xs("complexType")):
        m.complex[ct.get("name")] = _content(ct.get("name"), ct, m)
    for el in root.findall(_xs("element")):
        ct = el.find(_xs("complexType"))
        if ct is not None:
            m.elements[el.get("name")] = _content(el.get("name"), ct, m)
    return m


_BOOLEAN = {"true", "false", "1", "0"}
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/\s]*={0,2}\s*$")


def value_ok(type_name: str, value: str) -> bool:
    """Whether `value` fits the simple type `type_name` of the message XSD."""
    m = model()
    st = m.simple.get(type_name)
    base = st.base if st else type_name
    v = value.strip() if base in ("xs:boolean", "xs:dateTime", "xs:base64Binary") else value
    if base == "xs:boolean" and v not in _BOOLEAN:
        return False
    if base == "xs:dateTime" and not _DATETIME.match(v):
        return False
    if base == "xs:base64Binary" and not base64_ok(v):
        return False
    if st is None:
        return True
    if st.enumeration and value not in st.enumeration:
        return False
    if st.patterns and not any(re.fullmatch(p, value) for p in st.patterns):
        return False
    if base != "xs:base64Binary":
        if st.min_length is not None and len(value) < st.min_length:
            return False
        if st.max_length is not None and len(value) > st.max_length:
            return False
    elif st.min_length and not v:
        return False
    return True


def base64_ok(text: str) -> bool:
    compact = "".join(text.split())
    return bool(_BASE64.match(text)) and len(compact) % 4 == 0
