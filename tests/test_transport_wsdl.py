"""Per-role WSDL: parses, offers the role's operations at the given address, schema compiles."""
from __future__ import annotations

import pytest
from lxml import etree

from oso_protocol.transport import NS_20180404, codec, messages, wsdl

W = wsdl.WSDL
SOAPW = wsdl.WSDL_SOAP
XS = wsdl.XS

ROLE_OPS = {
    "tc": messages.TC_OPERATIONS,
    "las": messages.LAS_OPERATIONS,
    "swv": messages.SWV_OPERATIONS,
}


def _parse(role: str, url: str, ns: str = messages.NS) -> etree._Element:
    return etree.fromstring(wsdl.wsdl_text(role, url, ns=ns).encode("utf-8"))


@pytest.mark.parametrize("role", ROLE_OPS)
def test_role_wsdl(role):
    url = f"http://127.0.0.1:5999/{role}/oso"
    root = _parse(role, url)
    assert root.get("targetNamespace") == messages.NS
    ops = [o.get("name") for o in root.iterfind(f"{{{W}}}portType/{{{W}}}operation")]
    assert ops == list(ROLE_OPS[role])
    others = {op for r, ops_ in ROLE_OPS.items() if r != role for op in ops_}
    assert not others & set(ops)
    addresses = [a.get("location") for a in root.iter(f"{{{SOAPW}}}address")]
    assert addresses == [url]
    actions = {o.getparent().get("name"): o.get("soapAction")
               for o in root.iter(f"{{{SOAPW}}}operation")}
    assert actions == {op: codec.soap_action(op) for op in ROLE_OPS[role]}
    assert root.find(f"{{{W}}}binding/{{{SOAPW}}}binding").get("style") == "document"


@pytest.mark.parametrize("role", ROLE_OPS)
def test_inlined_schema_compiles_and_names_every_part(role):
    root = _parse(role, "http://localhost/oso")
    schema_el = root.find(f"{{{W}}}types/{{{XS}}}schema")
    schema = etree.XMLSchema(etree.ElementTree(schema_el))
    declared = {e.get("name") for e in schema_el.iterfind(f"{{{XS}}}element")}
    parts = {p.get("element").split(":", 1)[1] for p in root.iter(f"{{{W}}}part")}
    assert parts <= declared
    body = etree.fromstring(codec.encode(messages.AfmeldingResponse()))[1][0]
    assert schema.validate(body)


def test_other_namespace():
    root = _parse("swv", "http://localhost/oso", ns=NS_20180404)
    assert root.get("targetNamespace") == NS_20180404
    assert root.find(f"{{{W}}}types/{{{XS}}}schema").get("targetNamespace") == NS_20180404
    assert messages.NS_20200910 not in wsdl.wsdl_text("swv", "http://x/oso", ns=NS_20180404)


def test_unknown_role():
    with pytest.raises(ValueError):
        wsdl.wsdl_text("osr", "http://localhost/oso")


def test_static_wsdl_file_is_current():
    path = codec.SCHEMA_DIR / "oso_20200910.wsdl"
    assert path.read_text(encoding="utf-8") == wsdl.full_wsdl_text(), (
        "regenerate with: python -m oso_protocol.transport.wsdl > " + str(path))


def test_static_wsdl_includes_the_xsd():
    root = etree.parse(str(codec.SCHEMA_DIR / "oso_20200910.wsdl")).getroot()
    schema_el = root.find(f"{{{W}}}types/{{{XS}}}schema")
    # the include is resolved relative to the WSDL file, as a tool reading the folder would
    etree.XMLSchema(etree.ElementTree(schema_el))
    assert {s.get("name") for s in root.iterfind(f"{{{W}}}service")} == {
        "TrafficCenterService", "DoelsysteemService", "BronsysteemService"}
