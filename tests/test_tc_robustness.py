"""The TC under bad input, restarts and parallel load."""
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from lxml import etree

from actor_kit.server import ServerThread
from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (NS, NotificatieRequest, OverzichtAanleverpuntRequest,
                                             OverzichtAanleverpuntResponse,
                                             TC_OPERATIONS)

from tc_support import (BRIN, LAS_RK, SWV_BRIN, SWV_RK, Clock, app, client, clock,  # noqa: F401
                        controle, counts, make_app, melden, overdracht, refused, soap)

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<x>&lol3;</x></soapenv:Body></soapenv:Envelope>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<oso:overzichtAanleverpuntRequest xmlns:oso="%s"><oso:brin>&xxe;</oso:brin>
</oso:overzichtAanleverpuntRequest></soapenv:Body></soapenv:Envelope>""" % NS.encode()


def _fault(resp) -> OsoFault:
    assert resp.status_code == codec.HTTP_STATUS_FAULT
    with pytest.raises(OsoFault) as info:
        codec.decode(resp.data)
    return info.value


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, b"<not-closed", b"", b"\x00\xff\xfe garbage",
                                  b"<a>plain xml, no envelope</a>"])
def test_hostile_xml_gets_a_fault_and_the_tc_keeps_serving(app, client, body):
    resp = client.post("/oso", data=body, headers={"Content-Type": codec.CONTENT_TYPE})
    fault = _fault(resp)
    assert fault.resultaat == faults.ONGELDIG_BERICHT
    assert b"root:" not in resp.data
    assert counts(app)["koppelingen"] == 0
    assert soap(client, melden()).koppelsleutel


def test_schema_violation_is_refused(app, client):
    body = codec.encode(melden()).replace(BRIN.encode(), b"not-a-brin", 1)
    assert _fault(client.post("/oso", data=body, headers={"Content-Type": codec.CONTENT_TYPE})).resultaat == faults.ONGELDIG_BERICHT
    assert counts(app)["koppelingen"] == 0


def test_oversized_body(tmp_path):
    client = make_app(tmp_path, MAX_BYTES=2048).test_client()
    body = codec.encode(OverzichtAanleverpuntRequest(brin=BRIN)).replace(
        b"<soapenv:Body>", b"<soapenv:Body><!--" + b"x" * 4096 + b"-->")
    assert len(body) > 2048
    assert _fault(client.post("/oso", data=body, headers={"Content-Type": codec.CONTENT_TYPE})).resultaat == faults.BERICHT_TE_GROOT
    assert isinstance(soap(client, OverzichtAanleverpuntRequest(brin=BRIN)),
                      OverzichtAanleverpuntResponse)


def test_operation_of_another_actor(app, client):
    msg = NotificatieRequest(bronBrin=BRIN, bronRouteringsKenmerk=LAS_RK, doelBrin=SWV_BRIN,
                             doelRouteringsKenmerk=SWV_RK,
                             koppelsleutel="11111111-2222-3333-4444-555555555555")
    refused(client, msg, faults.ONBEKENDE_OPERATIE)


def test_wsdl_lists_the_tc_operations(client):
    resp = client.get("/oso?wsdl")
    assert resp.status_code == 200
    root = etree.fromstring(resp.data)
    ops = {op.get("name") for op in root.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}
    assert set(TC_OPERATIONS) <= ops
    assert "notificatie" not in ops and "document" not in ops


def test_every_message_is_logged(client):
    k = soap(client, melden()).koppelsleutel
    refused(client, overdracht(k, overdrachtsoort="binnenBRIN"), faults.ONJUISTE_OVERDRACHTSOORT)
    rows = client.get(f"/api/berichten?koppelsleutel={k}").json["berichten"]
    assert [(r["direction"], r["operation"]) for r in rows] == [
        ("out", "meldenNotificatie"), ("in", "overdracht"), ("out", "overdracht")]
    assert rows[-1]["outcome"] == faults.ONJUISTE_OVERDRACHTSOORT
    assert "xml" not in rows[0]
    full = client.get(f"/api/berichten/{rows[0]['id']}").json
    assert k in full["xml"]
    all_rows = client.get("/api/berichten?xml=1").json["berichten"]
    assert all_rows[0]["operation"] == "meldenNotificatie" and all_rows[0]["direction"] == "in"
    assert "xml" in all_rows[0]


def test_state_survives_a_restart(tmp_path):
    clock = Clock()
    app1 = make_app(tmp_path, clock)
    c1 = app1.test_client()
    k = soap(c1, melden()).koppelsleutel
    s = soap(c1, overdracht(k)).sessieId
    c1.delete("/api/register/mandates",
              json={"brin": "34CD", "system": "swv-sim", "dienst": "OSO-SWV"})
    app1.extensions["oso_sim_close"]()
    del app1, c1

    app2 = make_app(tmp_path, clock, ACTOR_URLS={"las": "http://elders:9", "swv": "http://swv2"})
    c2 = app2.test_client()
    koppeling = c2.get(f"/api/koppelingen/{k}").json
    assert [x["sessieId"] for x in koppeling["sessies"]] == [s]
    assert soap(c2, controle(s, k)).resultaat == "SessieValide"
    # the register is not loaded again over the admin's changes...
    mandates = c2.get("/api/register").json["mandates"]
    assert {"brin": "34CD", "system": "swv-sim", "dienst": "OSO-SWV"} not in mandates
    # ...but its URL placeholders follow the actors' new addresses
    assert soap(c2, overdracht(k)).url == "http://elders:9/oso"


@pytest.mark.slow
def test_parallel_meldingen_get_distinct_koppelsleutels(tmp_path):
    app = make_app(tmp_path, Clock())
    body = codec.encode(melden())
    with ServerThread(app) as server:
        def call(_):
            resp = requests.post(server.url + "/oso", data=body, timeout=30,
                                 headers={"Content-Type": codec.CONTENT_TYPE})
            return codec.decode(resp.content).koppelsleutel

        with ThreadPoolExecutor(max_workers=50) as pool:
            keys = list(pool.map(call, range(50)))
    assert len(set(keys)) == 50
    assert counts(app)["koppelingen"] == 50
