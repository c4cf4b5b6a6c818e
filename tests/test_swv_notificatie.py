"""The inbound notificatie: accepted, refused, repeated, hostile; and the WSDL."""
import time

import pytest
from lxml import etree

from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import NotificatieResponse

from swv_support import (  # noqa: F401
    BRIN, SWV_RK, app, client, make_app, new_key, notificatie, post_soap, soap)


def stored(client) -> list[dict]:
    return client.get("/api/aanvragen").get_json()


def test_notificatie_is_stored_and_answered(client):
    k = new_key()
    answer = soap(client, notificatie(k.lower()))
    assert isinstance(answer, NotificatieResponse)
    assert answer.resultaat == "NotificatieOntvangen"
    rows = stored(client)
    assert [r["koppelsleutel"] for r in rows] == [k]  # kept upper case
    row = rows[0]
    assert row["status"] == "genotificeerd" and row["valid"] is None
    assert row["bron_brin"] == BRIN and row["doel_routeringskenmerk"] == SWV_RK
    assert set(row) == {"koppelsleutel", "status", "bron_brin", "bron_routeringskenmerk",
                        "doel_routeringskenmerk", "ontvangen_op", "opgehaald_op", "valid"}
    assert row["opgehaald_op"] is None  # notified, not yet fetched


@pytest.mark.parametrize("overrides,code", [
    ({"doelRouteringsKenmerk": "0000000700099ZZ00931"}, faults.ONBEKEND_AANLEVERPUNT),
    ({"doelRouteringsKenmerk": "0000000700025PO00939"}, faults.ONBEKEND_AANLEVERPUNT),
    ({"doelBrin": "25VO"}, faults.ONBEKEND_AANLEVERPUNT),
    ({"doel": "OV"}, faults.ONJUIST_DOEL),
])
def test_refused_notificatie_stores_nothing(client, overrides, code):
    answer = soap(client, notificatie(new_key(), **overrides))
    assert isinstance(answer, OsoFault) and answer.resultaat == code
    assert stored(client) == []


def test_repeat_from_same_bron_is_idempotent(client):
    k = new_key()
    assert isinstance(soap(client, notificatie(k)), NotificatieResponse)
    assert isinstance(soap(client, notificatie(k)), NotificatieResponse)
    assert len(stored(client)) == 1


def test_same_key_from_other_bron_is_refused(client):
    k = new_key()
    soap(client, notificatie(k))
    answer = soap(client, notificatie(k, bronBrin="34CD",
                                      bronRouteringsKenmerk="0000000700034CD00950"))
    assert isinstance(answer, OsoFault)
    assert answer.resultaat == faults.KOPPELSLEUTEL_REEDS_GEBRUIKT
    assert stored(client)[0]["bron_brin"] == BRIN


class RecordingWorker:
    def __init__(self, job, threads=4):
        self.submitted = []

    def submit(self, key):
        self.submitted.append(key)
        return True

    def stop(self):
        pass


def test_step_mode_stores_as_wacht_and_queues_no_fetch(tmp_path, monkeypatch):
    monkeypatch.setattr("swv_mock.app.Worker", RecordingWorker)
    app = make_app(tmp_path, STEP_MODE=True, AUTO_FETCH=True)
    try:
        client = app.test_client()
        soap(client, notificatie(new_key()))
        assert stored(client)[0]["status"] == "wacht"
        assert app.extensions["swv"].worker.submitted == []
        assert client.get("/api/health").get_json()["step_mode"] is True
    finally:
        app.extensions["oso_sim_close"]()


def test_step_mode_switched_off_on_the_page_fetches_again(tmp_path, monkeypatch):
    monkeypatch.setattr("swv_mock.app.Worker", RecordingWorker)
    app = make_app(tmp_path, STEP_MODE=True, AUTO_FETCH=True)
    try:
        client = app.test_client()
        client.get("/")
        token = client.get_cookie("oso_sim_csrf").value
        refused = client.post("/stap-voor-stap", data={"aan": "0"})
        assert refused.status_code == 400 and app.extensions["swv"].step_mode is True
        resp = client.post("/stap-voor-stap", data={"aan": "0", "csrf_token": token})
        assert resp.status_code == 303
        assert client.get("/api/health").get_json() == {"actor": "swv", "ok": True,
                                                         "step_mode": False, "auto_fetch": True}
        k = new_key()
        soap(client, notificatie(k))
        assert stored(client)[0]["status"] == "genotificeerd"
        worker = app.extensions["swv"].worker
        deadline = time.monotonic() + 5  # queued after the answer went out, not during the call
        while not worker.submitted and time.monotonic() < deadline:
            time.sleep(0.02)
        assert worker.submitted == [k]
        assert "Stap voor stap: uit" in client.get("/").get_data(as_text=True)
    finally:
        app.extensions["oso_sim_close"]()


XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
       b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
       b'<soapenv:Body>&e;</soapenv:Body></soapenv:Envelope>')
BOMB = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>')


@pytest.mark.parametrize("body", [
    XXE, BOMB, b"", b"geen xml", b"<html><body>hallo</body></html>",
    b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">'
    b'<soapenv:Body><notificatieRequest xmlns="http://xml.kennisnet.nl/schemas/Overstapservice/20200910">'
    b'<bronBrin>12AB</bronBrin></notificatieRequest></soapenv:Body></soapenv:Envelope>',
])
def test_hostile_or_invalid_xml_is_a_fault_and_stores_nothing(client, body):
    resp = post_soap(client, body)
    assert resp.status_code == codec.HTTP_STATUS_FAULT
    with pytest.raises(OsoFault):
        codec.decode(resp.data)
    assert b"root:" not in resp.data
    assert stored(client) == []


def test_oversized_message_is_refused(tmp_path):
    app = make_app(tmp_path, MAX_BYTES=2048)
    try:
        client = app.test_client()
        body = codec.encode(notificatie(new_key()))
        body = body.replace(b"<soapenv:Body>", b"<soapenv:Body><!--" + b"x" * 4096 + b"-->")
        resp = post_soap(client, body)
        assert resp.status_code == codec.HTTP_STATUS_FAULT
        with pytest.raises(OsoFault) as exc:
            codec.decode(resp.data)
        assert exc.value.resultaat == faults.BERICHT_TE_GROOT
        assert stored(client) == []
    finally:
        app.extensions["oso_sim_close"]()


def test_other_operations_are_not_served(client):
    from oso_protocol.transport.messages import OverdrachtRequest
    answer = soap(client, OverdrachtRequest(bronBrin="12AB", doelBrin="25PO",
                                            doelRouteringsKenmerk=SWV_RK, koppelsleutel=new_key()))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.ONBEKENDE_OPERATIE


def test_wsdl(client):
    resp = client.get("/oso?wsdl")
    assert resp.status_code == 200
    root = etree.fromstring(resp.data)
    assert b"notificatie" in resp.data
    assert root.tag.endswith("definitions")


def test_messages_are_logged(client):
    k = new_key()
    soap(client, notificatie(k))
    rows = client.get(f"/api/berichten?koppelsleutel={k}").get_json()["berichten"]
    assert [r["direction"] for r in rows] == ["in", "out"]
    assert "xml" not in rows[0]
    one = client.get(f"/api/berichten/{rows[0]['id']}").get_json()
    assert "notificatieRequest" in one["xml"]
