"""The inbound notificatie: accepted, refused, repeated, hostile; and the WSDL."""
import time

import pytest
from lxml import etree

from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import NotificatieResponse

from swv_support import (  # noqa: F401
    BRIN, CONNECTION_ERROR, GOOD, SESSIE, SWV_RK, app, client, fault_body, make_app, new_key,
    notificatie, peers, post_soap, soap)


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


# --- a TC that gives no answer when the notificatie is confirmed ---------------------------------

def confirming_app(tmp_path, **extra):
    return make_app(tmp_path, **dict({"CONFIRM_KOPPELSLEUTEL": True, "RETRY_BASE_SECONDS": 0.3},
                                     **extra))


def wait_status(client, k, status, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        a = client.get(f"/api/aanvragen/{k}").get_json()
        if a["status"] == status or time.monotonic() > deadline:
            assert a["status"] == status, a
            return a
        time.sleep(0.05)


@pytest.mark.parametrize("answer", [
    CONNECTION_ERROR,
    (503, {"Content-Type": "text/html"}, b"<html><body>Service Unavailable</body></html>")])
def test_tc_without_an_answer_takes_the_notificatie_and_confirms_later(tmp_path, peers, answer):
    app = confirming_app(tmp_path)
    try:
        client = app.test_client()
        p = peers(overdracht=answer)
        k = new_key()
        assert isinstance(soap(client, notificatie(k)), NotificatieResponse)
        a = client.get(f"/api/aanvragen/{k}").get_json()
        assert a["status"] == "onbevestigd" and a["bevestigd"] is False
        assert a["ophalen_herstel"]["melding"].startswith(
            "Wacht op bevestiging door de TC, volgende poging om ")
        page = client.get(f"/aanvragen/{k}").text
        assert "Wacht op bevestiging door de TC" in page
        # a wait for an aanvraag is not satisfied by one the TC has not confirmed
        assert client.get(f"/api/aanvragen/{k}?wait=genotificeerd&timeout=0").get_json()[
            "wacht_bereikt"] is False
        p.answers["overdracht"] = GOOD["overdracht"]
        a = wait_status(client, k, "genotificeerd")
        assert a["bevestigd"] is True and a["sessie_id"] == SESSIE and a["fout"] is None
        assert "document" not in p.operations()  # no AUTO_FETCH here
        a = client.post(f"/api/aanvragen/{k}/ophalen").get_json()
        assert a["status"] == "afgemeld"
        # the confirming session served the fetch
        assert p.operations() == ["overdracht", "overdracht", "document", "afmelding"]
    finally:
        app.extensions["oso_sim_close"]()


@pytest.mark.parametrize("code", ["KoppelsleutelOnbekend", "SessieAfwijkend",
                                  "OnbekendAanleverpunt"])
def test_tc_that_refuses_later_marks_the_aanvraag_refused(tmp_path, peers, code):
    app = confirming_app(tmp_path)
    try:
        client = app.test_client()
        p = peers(overdracht=[CONNECTION_ERROR, fault_body(code)])
        k = new_key()
        assert isinstance(soap(client, notificatie(k)), NotificatieResponse)
        a = wait_status(client, k, "mislukt")
        assert a["fout_code"] == code and a["bevestigd"] is True
        time.sleep(0.8)
        assert p.operations() == ["overdracht", "overdracht"]  # no fetch, no more attempts
    finally:
        app.extensions["oso_sim_close"]()


def test_tc_that_answers_and_refuses_still_refuses_the_notificatie(tmp_path, peers):
    app = confirming_app(tmp_path)
    try:
        client = app.test_client()
        peers(overdracht=fault_body("SessieAfwijkend"))
        answer = soap(client, notificatie(new_key()))
        assert isinstance(answer, OsoFault) and answer.resultaat == "SessieAfwijkend"
        assert stored(client) == []
    finally:
        app.extensions["oso_sim_close"]()


def test_confirmed_late_with_auto_fetch_is_fetched(tmp_path, peers):
    app = confirming_app(tmp_path, AUTO_FETCH=True)
    try:
        client = app.test_client()
        p = peers(overdracht=[CONNECTION_ERROR, GOOD["overdracht"]])
        k = new_key()
        assert isinstance(soap(client, notificatie(k)), NotificatieResponse)
        a = wait_status(client, k, "afgemeld")
        assert a["afmelding_resultaat"] == "OverdrachtGeslaagd"
        assert p.operations() == ["overdracht", "overdracht", "document", "afmelding"]
    finally:
        app.extensions["oso_sim_close"]()


def test_a_process_killed_while_waiting_for_the_tc_resumes_at_start_up(tmp_path, peers):
    first = confirming_app(tmp_path, RETRY_BASE_SECONDS=3600)
    p = peers(overdracht=CONNECTION_ERROR)
    k = new_key()
    try:
        assert isinstance(soap(first.test_client(), notificatie(k)), NotificatieResponse)
        assert first.test_client().get(f"/api/aanvragen/{k}").get_json()["status"] == "onbevestigd"
    finally:
        first.extensions["oso_sim_close"]()
    # the retry was an hour away when the process went; the new one asks at once
    p.answers["overdracht"] = GOOD["overdracht"]
    second = confirming_app(tmp_path, RETRY_BASE_SECONDS=3600)
    try:
        a = wait_status(second.test_client(), k, "genotificeerd")
        assert a["sessie_id"] == SESSIE
    finally:
        second.extensions["oso_sim_close"]()


def test_a_process_killed_while_the_las_was_away_resumes_at_start_up(tmp_path, peers):
    first = make_app(tmp_path, RETRY_BASE_SECONDS=3600)
    p = peers(document=CONNECTION_ERROR)
    try:
        client = first.test_client()
        k = new_key()
        assert isinstance(soap(client, notificatie(k)), NotificatieResponse)
        assert client.post(f"/api/aanvragen/{k}/ophalen").get_json()["status"] == "sessie"
    finally:
        first.extensions["oso_sim_close"]()
    p.answers["document"] = GOOD["document"]
    second = make_app(tmp_path, RETRY_BASE_SECONDS=3600)
    try:
        a = wait_status(second.test_client(), k, "afgemeld")
        assert a["afmelding_resultaat"] == "OverdrachtGeslaagd"
        assert p.operations().count("overdracht") == 1
    finally:
        second.extensions["oso_sim_close"]()
