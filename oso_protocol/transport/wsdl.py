"""WSDL 1.1 (document/literal, SOAP 1.1) of the OSO operations, per actor role.

The official OSO WSDL is not public, so port type, binding and service names are [choice]
(docs/protocol-assumptions.md). The WSDL is built from messages.py and the message XSD, so it can
never drift from what the codec accepts. `schema/oso_20200910.wsdl` is the same document for all
three roles with the XSD included by file name; regenerate it with
`python -m oso_protocol.transport.wsdl > oso_protocol/transport/schema/oso_20200910.wsdl`.
"""
from __future__ import annotations

import sys

from lxml import etree

from . import codec, messages
from .messages import NS

WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XS = "http://www.w3.org/2001/XMLSchema"
HTTP_TRANSPORT = "http://schemas.xmlsoap.org/soap/http"

# role -> (name stem of portType/binding/service [choice], operations served)
ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "tc": ("TrafficCenter", messages.TC_OPERATIONS),
    "swv": ("Doelsysteem", messages.SWV_OPERATIONS),
    "las": ("Bronsysteem", messages.LAS_OPERATIONS),
}
FAULT_MESSAGE = codec.FAULT_ELEMENT
PLACEHOLDER_URL = "http://localhost/oso"


def _w(parent, tag, **attrs):
    return etree.SubElement(parent, f"{{{WSDL}}}{tag}", **attrs)


def _types(defs, ns: str, inline: bool) -> None:
    types = _w(defs, "types")
    if not inline:
        wrapper = etree.SubElement(types, f"{{{XS}}}schema", targetNamespace=ns,
                                   nsmap={"xs": XS})
        etree.SubElement(wrapper, f"{{{XS}}}include", schemaLocation=codec.XSD_FILE.name)


def _inline_schema(wsdl_bytes: bytes, ns: str) -> bytes:
    """Splice the XSD text into the empty <wsdl:types/>.

    Done on text on purpose: lxml drops a moved element's xmlns declarations that its new parent
    already has, which would leave "tns:" type references unresolvable for a tool that cuts the
    schema out of the WSDL.
    """
    xsd = codec.schema_text(ns)
    xsd = xsd[xsd.index("<xs:schema"):].rstrip()
    indented = "\n".join(("    " + line) if line else line for line in xsd.splitlines())
    spliced = wsdl_bytes.replace(b"<wsdl:types/>",
                                 b"<wsdl:types>\n" + indented.encode("utf-8") + b"\n  </wsdl:types>", 1)
    assert spliced != wsdl_bytes
    return spliced


def _build(roles: dict[str, str], ns: str, inline: bool) -> bytes:
    defs = etree.Element(f"{{{WSDL}}}definitions", name="Overstapservice", targetNamespace=ns,
                         nsmap={"wsdl": WSDL, "soap": WSDL_SOAP, "oso": ns})
    defs.append(etree.Comment(
        " OSO SWV flow as implemented by oso-sim. Names marked [choice] in"
        " docs/protocol-assumptions.md are this project's decisions, not the official WSDL. "))
    _types(defs, ns, inline)
    operations = [op for role in roles for op in ROLES[role][1]]
    for op in operations:
        for suffix in ("Request", "Response"):
            msg = _w(defs, "message", name=f"{op}{suffix}")
            _w(msg, "part", name="parameters", element=f"oso:{op}{suffix}")
    fault = _w(defs, "message", name=FAULT_MESSAGE)
    _w(fault, "part", name="detail", element=f"oso:{codec.FAULT_ELEMENT}")

    for role in roles:
        stem, ops = ROLES[role]
        pt = _w(defs, "portType", name=f"{stem}PortType")
        for op in ops:
            o = _w(pt, "operation", name=op)
            _w(o, "input", message=f"oso:{op}Request")
            _w(o, "output", message=f"oso:{op}Response")
            _w(o, "fault", name=FAULT_MESSAGE, message=f"oso:{FAULT_MESSAGE}")
    for role in roles:
        stem, ops = ROLES[role]
        b = _w(defs, "binding", name=f"{stem}Binding", type=f"oso:{stem}PortType")
        etree.SubElement(b, f"{{{WSDL_SOAP}}}binding", style="document", transport=HTTP_TRANSPORT)
        for op in ops:
            o = _w(b, "operation", name=op)
            etree.SubElement(o, f"{{{WSDL_SOAP}}}operation",
                             soapAction=codec.soap_action(op, ns), style="document")
            for part in ("input", "output"):
                etree.SubElement(_w(o, part), f"{{{WSDL_SOAP}}}body", use="literal")
            f = _w(o, "fault", name=FAULT_MESSAGE)
            etree.SubElement(f, f"{{{WSDL_SOAP}}}fault", name=FAULT_MESSAGE, use="literal")
    for role, url in roles.items():
        stem, _ = ROLES[role]
        svc = _w(defs, "service", name=f"{stem}Service")
        port = _w(svc, "port", name=f"{stem}Port", binding=f"oso:{stem}Binding")
        etree.SubElement(port, f"{{{WSDL_SOAP}}}address", location=url)
    etree.indent(defs, space="  ")
    out = etree.tostring(defs, xml_declaration=True, encoding="UTF-8") + b"\n"
    return _inline_schema(out, ns) if inline else out


def wsdl_text(role: str, endpoint_url: str, ns: str = NS) -> str:
    """The self-contained WSDL (XSD inlined) of `role` ("tc", "las" or "swv") at `endpoint_url`."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return _build({role: endpoint_url}, ns, inline=True).decode("utf-8")


def full_wsdl_text(ns: str = NS, urls: dict[str, str] | None = None, *, inline: bool = False) -> str:
    """All three services in one WSDL; by default the XSD is included by file name."""
    urls = urls or {}
    return _build({r: urls.get(r, PLACEHOLDER_URL) for r in ("tc", "swv", "las")}, ns,
                  inline=inline).decode("utf-8")


if __name__ == "__main__":
    sys.stdout.write(full_wsdl_text())
