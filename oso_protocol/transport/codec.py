"""SOAP 1.1 envelope codec: typed OSO messages <-> bytes on the wire.

`decode` is the single gate for inbound SOAP: safe parse, envelope shape, namespace, message schema,
then the dataclass. Every refusal is an OsoFault with a Dutch description, so an endpoint can turn
it into a SOAP Fault without knowing what went wrong. A SOAP Fault from a peer is raised as an
OsoFault with `received=True`.

The OSO namespace is a parameter throughout: the message schema is the 20200910 one with its
target namespace rewritten, compiled once per namespace.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import typing
from pathlib import Path

from lxml import etree

from oso_protocol.schema_cache import per_thread
from oso_protocol.xmlsafe import XmlInputError, parse_bytes

from . import faults, messages
from .faults import OsoFault
from .messages import BY_ELEMENT, NS, Message

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP_PREFIX = "soapenv"
OSO_PREFIX = "oso"

CONTENT_TYPE = "text/xml; charset=utf-8"
HTTP_STATUS_FAULT = 500          # SOAP 1.1 over HTTP: a Fault travels with 500
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
# Bounds on the shape of a message, checked on the raw bytes before anything is parsed: the tree
# and the schema's error list grow with the number of tags and attributes, not with the byte
# count. An OSO message has tens of elements (a register overview a few thousand) and a handful
# of attributes (namespace declarations); the dossier travels as one base64 text node.
MAX_MARKUP = 50_000              # '<' characters: tags, comments, processing instructions
MAX_ATTRIBUTES = 1_000           # '=' characters inside tags: attributes and xmlns declarations
MAX_ERROR_TEXT = 300             # characters of a schema error quoted back to the caller
FAULT_ELEMENT = "osoFout"        # [choice] detail element of our SOAP Faults

SCHEMA_DIR = Path(__file__).with_name("schema")
XSD_FILE = SCHEMA_DIR / "oso_20200910.xsd"

_ENV = f"{{{SOAP_ENV}}}Envelope"
_HEADER = f"{{{SOAP_ENV}}}Header"
_BODY = f"{{{SOAP_ENV}}}Body"
_FAULT = f"{{{SOAP_ENV}}}Fault"


# --- schema ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=8)
def schema_text(ns: str = NS) -> str:
    """The message XSD with `ns` as target namespace."""
    text = XSD_FILE.read_text(encoding="utf-8")
    return text if ns == messages.NS_20200910 else text.replace(messages.NS_20200910, ns)


def message_schema(ns: str = NS) -> etree.XMLSchema:
    """The compiled message schema for `ns`, compiled once per namespace and per thread."""
    return per_thread(("message", ns), lambda: schema_text(ns).encode("utf-8"))


def soap_action(operation: str, ns: str = NS) -> str:
    """[choice] SOAPAction of `operation`: the namespace, a slash, the operation name."""
    return f"{ns}/{operation}"


# --- dataclass shapes ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    kind: type          # str, bool, or a nested dataclass
    repeated: bool
    nested: bool = False  # kind is a dataclass: asked once here, not for every value


@functools.lru_cache(maxsize=None)
def _shape(cls: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls, vars(messages))
    out = []
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        repeated = typing.get_origin(tp) is list
        if repeated:
            tp = typing.get_args(tp)[0]
        else:
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if args:  # X | None
                tp = args[0]
        out.append(_Field(f.name, tp, repeated, dataclasses.is_dataclass(tp)))
    return tuple(out)


# --- encode --------------------------------------------------------------------------------------

def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: etree._Element, obj, ns: str) -> None:
    sub = etree.SubElement
    for fld in _shape(type(obj)):
        value = getattr(obj, fld.name)
        if value is None:
            continue
        tag = f"{{{ns}}}{fld.name}"
        for item in (value if fld.repeated else (value,)):
            child = sub(parent, tag)
            if fld.nested and dataclasses.is_dataclass(item):
                _fill(child, item, ns)
            else:
                child.text = _text(item)


def _envelope(ns: str) -> tuple[etree._Element, etree._Element]:
    env = etree.Element(_ENV, nsmap={SOAP_PREFIX: SOAP_ENV, OSO_PREFIX: ns})
    etree.SubElement(env, _HEADER)
    body = etree.SubElement(env, _BODY)
    return env, body


def _serialize(env: etree._Element) -> bytes:
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


def encode(message: Message, ns: str = NS, *, validate: bool = False) -> bytes:
    """`message` as a SOAP 1.1 envelope. With `validate`, refuse a body that breaks the schema."""
    env, body = _envelope(ns)
    el = etree.SubElement(body, f"{{{ns}}}{message.ELEMENT}")
    _fill(el, message, ns)
    if validate:
        _validate(el, ns)
    return _serialize(env)


def encode_fault(fault: OsoFault, ns: str = NS) -> bytes:
    """`fault` as a SOAP 1.1 Fault, the OSO code in detail/osoFout [choice]."""
    env, body = _envelope(ns)
    f = etree.SubElement(body, _FAULT)
    code = fault.faultcode if fault.faultcode in ("Client", "Server", "MustUnderstand",
                                                  "VersionMismatch") else "Client"
    # faultcode/faultstring/detail are unqualified in SOAP 1.1
    etree.SubElement(f, "faultcode").text = f"{SOAP_PREFIX}:{code}"
    etree.SubElement(f, "faultstring").text = f"{fault.resultaat}: {fault.omschrijving}"
    detail = etree.SubElement(f, "detail")
    oso = etree.SubElement(detail, f"{{{ns}}}{FAULT_ELEMENT}")
    etree.SubElement(oso, f"{{{ns}}}resultaat").text = fault.resultaat
    etree.SubElement(oso, f"{{{ns}}}omschrijving").text = fault.omschrijving
    return _serialize(env)


# --- decode --------------------------------------------------------------------------------------

def _invalid(text: str) -> OsoFault:
    return OsoFault(faults.ONGELDIG_BERICHT, text)


def _qname(tag: str) -> tuple[str | None, str]:
    q = etree.QName(tag)
    return q.namespace, q.localname


def _elements(el: etree._Element) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str)]


def _has_text(el: etree._Element) -> bool:
    if el.text and el.text.strip():
        return True
    return any(c.tail and c.tail.strip() for c in el)


def _validate(el: etree._Element, ns: str) -> None:
    schema = message_schema(ns)
    if schema.validate(el):
        return
    err = schema.error_log.last_error
    # this thread's schema keeps its last error list until the next validation
    schema._clear_error_log()
    where = f" (regel {err.line})" if err is not None and err.line else ""
    detail = err.message if err is not None else "onbekende fout"
    if len(detail) > MAX_ERROR_TEXT:  # libxml2 quotes the offending value, whatever its size
        detail = detail[:MAX_ERROR_TEXT] + " (...)"
    raise _invalid(f"Het bericht {etree.QName(el).localname} voldoet niet aan het schema{where}:"
                   f" {detail}")


def _check_envelope(root: etree._Element) -> etree._Element:
    """The single body child of a well-formed SOAP 1.1 envelope."""
    rns, rname = _qname(root.tag) if isinstance(root.tag, str) else (None, "?")
    if rname == "Envelope" and rns == SOAP12_ENV:
        raise OsoFault(faults.ONGELDIG_BERICHT,
                       "SOAP 1.2 wordt niet ondersteund; OSO gebruikt SOAP 1.1"
                       f" ({SOAP_ENV}).", faultcode="VersionMismatch")
    if root.tag != _ENV:
        raise _invalid(f"Het bericht is geen SOAP 1.1-envelop: root-element {{{rns}}}{rname},"
                       f" verwacht {{{SOAP_ENV}}}Envelope.")
    children = _elements(root)
    if _has_text(root):
        raise _invalid("De SOAP-envelop bevat losse tekst.")
    if children and children[0].tag == _HEADER:
        header, children = children[0], children[1:]
        for h in _elements(header):
            if h.get(f"{{{SOAP_ENV}}}mustUnderstand") in ("1", "true"):
                raise OsoFault(faults.ONGELDIG_BERICHT,
                               f"Header {h.tag} met mustUnderstand wordt niet ondersteund.",
                               faultcode="MustUnderstand")
    if len(children) != 1 or children[0].tag != _BODY:
        raise _invalid("De SOAP-envelop moet precies één Body bevatten (na een optionele Header).")
    body = children[0]
    content = _elements(body)
    if len(content) != 1 or _has_text(body):
        raise _invalid(f"De SOAP Body moet precies één element bevatten; gevonden: {len(content)}.")
    return content[0]


_CODE_IN_STRING = re.compile(r"^([A-Z][A-Za-z0-9]+):\s*(.*)$", re.S)


def _child_text(el: etree._Element | None, local: str) -> str | None:
    if el is None:
        return None
    for c in _elements(el):
        if etree.QName(c).localname == local:
            return (c.text or "").strip()
    return None


def _received_fault(fault_el: etree._Element) -> OsoFault:
    """A peer's SOAP Fault as an OsoFault; tolerant, because it may come from any vendor."""
    faultcode = _child_text(fault_el, "faultcode") or ""
    faultstring = _child_text(fault_el, "faultstring") or ""
    code_local = faultcode.rsplit(":", 1)[-1] or "Client"
    detail = next((c for c in _elements(fault_el) if etree.QName(c).localname == "detail"), None)
    oso = None
    if detail is not None:
        oso = next((c for c in _elements(detail)
                    if etree.QName(c).localname == FAULT_ELEMENT), None)
    resultaat = _child_text(oso, "resultaat")
    omschrijving = _child_text(oso, "omschrijving")
    m = _CODE_IN_STRING.match(faultstring)
    if not resultaat and m:
        resultaat = m.group(1)
    if not resultaat:
        resultaat = faults.INTERNE_FOUT if code_local == "Server" else faults.ONGELDIG_BERICHT
    if not omschrijving:
        omschrijving = (m.group(2) if m and m.group(1) == resultaat else faultstring) \
            or "SOAP Fault zonder omschrijving."
    return OsoFault(resultaat, omschrijving, faultcode=code_local, received=True)


def _build(cls: type, el: etree._Element):
    values: dict[str, object] = {}
    shape = {f.name: f for f in _shape(cls)}
    for child in _elements(el):
        name = etree.QName(child).localname
        fld = shape.get(name)
        if fld is None:  # only reachable with validate=False
            raise _invalid(f"Onbekend element {name} in {etree.QName(el).localname}.")
        if fld.nested:
            value = _build(fld.kind, child)
        elif fld.kind is bool:
            value = (child.text or "").strip() in ("true", "1")
        else:
            value = child.text or ""
        if fld.repeated:
            values.setdefault(name, []).append(value)
        else:
            values[name] = value
    try:
        return cls(**values)
    except TypeError as exc:  # a required field missing, only reachable with validate=False
        raise _invalid(f"Onvolledig element {etree.QName(el).localname}: {exc}") from None


def _huge_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=True, collect_ids=False)


def _check_markup(data: bytes) -> None:
    """Refuse a message whose shape would cost far more memory than its bytes suggest.

    Counts are upper bounds taken without parsing: every element, comment or PI starts with '<',
    and every attribute has an '=' between its tag's '<' and '>'. Text cannot hold a raw '<', so
    the tag spans are exact; an '=' inside a CDATA section may be counted, which only errs
    towards refusing.
    """
    markup = data.count(b"<")
    if markup > MAX_MARKUP:
        raise OsoFault(faults.ONGELDIG_BERICHT,
                       f"Het bericht bevat {markup} tags; de grens is {MAX_MARKUP}.")
    if data.count(b"=") <= MAX_ATTRIBUTES:
        return  # every attribute has an '=': fewer of them in all cannot be too many in tags
    attributes, pos = 0, data.find(b"<")
    while pos != -1:
        end = data.find(b">", pos)
        if end == -1:
            end = len(data)
        attributes += data.count(b"=", pos, end)
        if attributes > MAX_ATTRIBUTES:
            raise OsoFault(faults.ONGELDIG_BERICHT,
                           f"Het bericht bevat meer dan {MAX_ATTRIBUTES} attributen.")
        pos = data.find(b"<", end)


def parse_message(data: bytes, max_bytes: int) -> etree._Element:
    """`parse_bytes` for a whole SOAP message; raises XmlInputError. libxml2 caps one text node at
    10 MB unless huge_tree is on, and a documentResponse carries the whole dossier (with its
    attachments) in one base64 text node. parse_bytes has already enforced the size limit and
    refused any DTD, so a second parse with huge_tree on is bounded by max_bytes and cannot
    expand entities."""
    try:
        return parse_bytes(data, max_bytes=max_bytes)
    except XmlInputError as exc:
        if exc.kind == "malformed" and "Resource limit exceeded" in exc.message:
            try:
                return etree.fromstring(bytes(data), parser=_huge_parser())
            except etree.XMLSyntaxError as again:
                raise XmlInputError("malformed", f"Geen goedgevormde XML: {again}") from None
        raise


def _parse(data: bytes, max_bytes: int) -> etree._Element:
    if isinstance(data, (bytes, bytearray)) and len(data) <= max_bytes:
        _check_markup(data)
    try:
        return parse_message(data, max_bytes)
    except XmlInputError as exc:
        code = faults.BERICHT_TE_GROOT if exc.kind == "too-large" else faults.ONGELDIG_BERICHT
        raise OsoFault(code, exc.message) from None


def decode(data: bytes, *, ns: str = NS, max_bytes: int = DEFAULT_MAX_BYTES,
           validate: bool = True) -> Message:
    """The message in a SOAP 1.1 envelope, or OsoFault (received=True for a peer's Fault)."""
    root = _parse(data, max_bytes)
    el = _check_envelope(root)
    if el.tag == _FAULT:
        raise _received_fault(el)
    el_ns, local = _qname(el.tag)
    if el_ns != ns:
        raise _invalid(f"Het element {local} heeft namespace {el_ns or '(geen)'}, verwacht {ns}.")
    cls = BY_ELEMENT.get(local)
    if cls is None:
        raise OsoFault(faults.ONBEKENDE_OPERATIE, f"Onbekend berichtelement {local}.")
    if validate:
        _validate(el, ns)
    return _build(cls, el)


_BODY_CHILD = re.compile(rb"<(?:[\w.-]+:)?Body\b[^>]*>\s*(?:<!--.*?-->\s*)*<(?:[\w.-]+:)?([\w.-]+)",
                         re.S)


def peek_operation(data: bytes) -> str | None:
    """The operation named by the body element, from a cheap scan (for logging only)."""
    if not isinstance(data, (bytes, bytearray)):
        return None
    m = _BODY_CHILD.search(data, 0, 65536)
    if not m:
        return None
    cls = BY_ELEMENT.get(m.group(1).decode("ascii", "replace"))
    return cls.OPERATION if cls else None
