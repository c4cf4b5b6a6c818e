"""Attacks on identity, each tried as an attacker would, and each next to the legitimate flow.

With mutual TLS the actors know the caller's OIN (actor_kit.identity); here the TLS server is
played by Flask's test client with the OIN in the environ, so the rules are tested without
sockets. The register's OINs come from fixtures/default.yaml.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from actor_kit import identity
from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    Aanleverpunt, DocumentResponse, NotificatieResponse, OverzichtAanleverpuntRequest,
    OverzichtAanleverpuntResponse, TerugkoppelingResponse)

import las_support
import swv_support
import tc_support
from las_support import peers  # noqa: F401  (fixture: the LAS's TC and SWV played)

LAS_OIN = "00000003100000010000"
SWV_OIN = "00000003100000020000"
STRANGER_OIN = "00000003100000099999"  # a valid certificate of the test PKI, of another system
TLS = {"cert": "x", "key": "x", "ca": "x"}  # any truthy value: the rules only ask whether TLS is on


def as_caller(app, oin: str | None):
    client = app.test_client()
    if oin:
        client.environ_base[identity.PEER_OIN] = oin
    return client


# --- Traffic Center ---------------------------------------------------------------------------

@pytest.fixture
def tc(tmp_path):
    app = tc_support.make_app(tmp_path, TLS=TLS)
    yield app
    app.extensions["oso_sim_close"]()


def tc_koppelsleutel(tc) -> str:
    return tc_support.soap(as_caller(tc, LAS_OIN), tc_support.melden()).koppelsleutel


def test_dossier_theft_with_public_routeringskenmerken_is_refused(tc):
    k = tc_koppelsleutel(tc)
    thief = as_caller(tc, STRANGER_OIN)
    # every value but the koppelsleutel is public; even with the key the TC gives no session
    fault = tc_support.refused(thief, tc_support.overdracht(k), faults.ONJUIST_CERTIFICAAT)
    assert "00000003100000099999" in fault.omschrijving and "swv-sim" in fault.omschrijving
    # a LAS certificate is not an SWV's either
    tc_support.refused(as_caller(tc, LAS_OIN), tc_support.overdracht(k), faults.ONJUIST_CERTIFICAAT)
    assert tc_support.counts(tc)["sessies"] == 0
    # the real SWV still gets its session
    assert tc_support.soap(as_caller(tc, SWV_OIN), tc_support.overdracht(k)).sessieId


def test_overdracht_without_certificate_is_refused_when_tls_is_on(tc):
    k = tc_koppelsleutel(tc)
    fault = tc_support.refused(tc.test_client(), tc_support.overdracht(k),
                               faults.ONJUIST_CERTIFICAAT)
    assert "clientcertificaat" in fault.omschrijving


def test_unknown_koppelsleutel_tells_a_stranger_nothing(tc):
    # the certificate is checked first: a stranger cannot probe which koppelsleutels exist
    thief = as_caller(tc, STRANGER_OIN)
    tc_support.refused(thief, tc_support.overdracht(str(uuid.uuid4()).upper()),
                       faults.ONJUIST_CERTIFICAAT)


def test_afmelding_lockout_by_a_stranger_is_refused(tc):
    swv = as_caller(tc, SWV_OIN)
    k = tc_koppelsleutel(tc)
    s = tc_support.soap(swv, tc_support.overdracht(k)).sessieId
    thief = as_caller(tc, STRANGER_OIN)
    tc_support.refused(thief, tc_support.afmelding(s, k), faults.ONJUIST_CERTIFICAAT)
    koppeling = tc.test_client().get(f"/api/koppelingen/{k}").get_json()
    assert koppeling["opgehaald"] is False and not koppeling["sessies"][0]["afgemeld"]
    # the SWV is not locked out: it can still fetch and sign off
    tc_support.soap(as_caller(tc, LAS_OIN), tc_support.controle(s, k))
    tc_support.soap(swv, tc_support.afmelding(s, k))
    assert tc.test_client().get(f"/api/koppelingen/{k}").get_json()["opgehaald"] is True


def test_afmelding_by_an_unmandated_system_is_refused(tc):
    swv = as_caller(tc, SWV_OIN)
    k = tc_koppelsleutel(tc)
    s = tc_support.soap(swv, tc_support.overdracht(k)).sessieId
    tc.test_client().delete("/api/register/mandates", json={
        "brin": "12AB", "system": "swv-sim", "dienst": "OSO-SWV"})
    tc_support.refused(swv, tc_support.afmelding(s, k), faults.GEEN_MANDAAT)


def test_sessiecontrole_only_from_the_bron_las(tc):
    swv = as_caller(tc, SWV_OIN)
    k = tc_koppelsleutel(tc)
    s = tc_support.soap(swv, tc_support.overdracht(k)).sessieId
    # an SWV (or anyone) cannot use the TC to test which sessions are valid
    tc_support.refused(swv, tc_support.controle(s, k), faults.ONJUIST_CERTIFICAAT)
    tc_support.refused(as_caller(tc, STRANGER_OIN), tc_support.controle(s, k),
                       faults.ONJUIST_CERTIFICAAT)
    assert tc_support.soap(as_caller(tc, LAS_OIN), tc_support.controle(s, k)).resultaat \
        == "SessieValide"


def test_melden_notificatie_only_from_the_bron_las(tc):
    tc_support.refused(as_caller(tc, SWV_OIN), tc_support.melden(), faults.ONJUIST_CERTIFICAAT)
    tc_support.refused(as_caller(tc, STRANGER_OIN), tc_support.melden(),
                       faults.ONJUIST_CERTIFICAAT)
    assert tc_support.counts(tc)["koppelingen"] == 0
    assert tc_support.soap(as_caller(tc, LAS_OIN), tc_support.melden()).koppelsleutel


def test_spoofed_melden_terugkoppeling_is_refused(tc):
    swv, las = as_caller(tc, SWV_OIN), as_caller(tc, LAS_OIN)
    k = tc_koppelsleutel(tc)
    s = tc_support.soap(swv, tc_support.overdracht(k)).sessieId
    tc_support.soap(las, tc_support.controle(s, k))
    tc_support.soap(swv, tc_support.afmelding(s, k))
    tc_support.refused(as_caller(tc, STRANGER_OIN), tc_support.terugkoppeling(k),
                       faults.ONJUIST_CERTIFICAAT)
    assert tc_support.counts(tc)["terugkoppelingen"] == 0
    assert tc_support.soap(swv, tc_support.terugkoppeling(k)).url == tc_support.LAS_URL + "/oso"


def test_without_tls_identity_is_the_routeringskenmerk_as_before(tmp_path):
    app = tc_support.make_app(tmp_path)
    try:
        client = as_caller(app, STRANGER_OIN)  # an OIN without TLS configured means nothing
        k = tc_support.soap(client, tc_support.melden()).koppelsleutel
        assert tc_support.soap(client, tc_support.overdracht(k)).sessieId
    finally:
        app.extensions["oso_sim_close"]()


def test_overzicht_aanleverpunt_names_the_oin_of_the_holding_system(tc):
    answer = tc_support.soap(tc.test_client(), OverzichtAanleverpuntRequest(
        routeringsKenmerk=tc_support.SWV_RK))
    ap, = answer.aanleverpunt
    assert (ap.systeem, ap.oin) == ("swv-sim", SWV_OIN)


# --- LAS --------------------------------------------------------------------------------------

def tc_names(peers, oins: dict[str, str]):
    """Let the played TC answer overzichtAanleverpunt per routeringskenmerk with an OIN."""
    def answer(m):
        if m.routeringsKenmerk in oins:
            return las_support.soap(OverzichtAanleverpuntResponse(aanleverpunt=[Aanleverpunt(
                routeringsKenmerk=m.routeringsKenmerk, brin="25PO", naam="SWV", doel="SWV",
                oin=oins[m.routeringsKenmerk])]))
        return las_support.soap(OverzichtAanleverpuntResponse(aanleverpunt=list(
            las_support.OFFERED.get(m.brin, []))))
    peers.handlers["overzichtAanleverpunt"] = answer


@pytest.fixture
def las(tmp_path):
    app = las_support.make_app(tmp_path / "las.sqlite", TLS=TLS)
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def zv(las, peers):
    tc_names(peers, {las_support.SWV_PO: SWV_OIN})
    client = las.test_client()
    lid = client.get("/api/leerlingen?brin=12AB").json[0]["id"]
    zv = client.post(f"/api/leerlingen/{lid}/zorgvragen",
                     json=las_support.zorgvraag_body()).json["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja"
    return zv


def test_las_serves_the_dossier_only_to_the_doel_system(las, zv, peers):
    thief = as_caller(las, STRANGER_OIN)
    resp, answer = las_support.post_soap(thief, las_support.document_request(zv))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.ONJUIST_CERTIFICAAT
    assert b"<dossier" not in resp.data and "dossier" not in resp.get_data(as_text=True).lower()
    assert peers.count("sessiecontrole") == 1  # the session check still came first
    _, answer = las_support.post_soap(as_caller(las, SWV_OIN), las_support.document_request(zv))
    assert isinstance(answer, DocumentResponse) and answer.dossier


@pytest.mark.parametrize("tc_answer", [
    requests.ConnectionError("weg"),
    (502, {"Content-Type": "text/html"}, b"<html>Bad gateway</html>"),
    (200, {"Content-Type": codec.CONTENT_TYPE}, b"<geen-soap/>"),
    las_support.fault(faults.INTERNE_FOUT, "kapot"),
])
def test_las_never_fails_open_when_sessiecontrole_breaks(las, zv, peers, tc_answer):
    def broken(_m):
        if isinstance(tc_answer, Exception):
            raise tc_answer
        return tc_answer
    peers.handlers["sessiecontrole"] = broken
    resp, answer = las_support.post_soap(as_caller(las, SWV_OIN), las_support.document_request(zv))
    assert isinstance(answer, OsoFault), answer
    assert not las.test_client().get(f"/api/zorgvragen/{zv['id']}").json["dossier_opgehaald"]


def test_las_refuses_the_document_when_the_doel_oin_cannot_be_learned(las, zv, peers):
    peers.handlers["overzichtAanleverpunt"] = lambda m: (_ for _ in ()).throw(
        requests.ConnectionError("weg"))
    _, answer = las_support.post_soap(as_caller(las, SWV_OIN), las_support.document_request(zv))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.NIET_BEREIKBAAR
    assert answer.faultcode == "Server"


def test_spoofed_terugkoppeling_to_las_is_refused(las, zv, peers):
    swv = as_caller(las, SWV_OIN)
    _, delivered = las_support.post_soap(swv, las_support.document_request(zv))
    assert isinstance(delivered, DocumentResponse)
    # someone who learned the koppelsleutel, with a certificate of another system
    _, answer = las_support.post_soap(as_caller(las, STRANGER_OIN),
                                      las_support.terugkoppeling_request(zv))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.ONJUIST_CERTIFICAAT
    # or naming another aanleverpunt than the one the zorgvraag went to
    _, answer = las_support.post_soap(swv, las_support.terugkoppeling_request(
        zv, doelRouteringsKenmerk=las_support.SWV_VO))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.ONBEKEND_AANLEVERPUNT
    assert las.test_client().get(f"/api/zorgvragen/{zv['id']}").json["terugkoppelingen"] == []
    # the SWV the zorgvraag went to is heard; a repeat after a lost answer is stored once
    for _ in range(2):
        _, answer = las_support.post_soap(swv, las_support.terugkoppeling_request(zv))
        assert isinstance(answer, TerugkoppelingResponse)
    assert len(las.test_client().get(f"/api/zorgvragen/{zv['id']}").json["terugkoppelingen"]) == 1


# --- SWV --------------------------------------------------------------------------------------

def swv_app(tmp_path, **extra):
    return swv_support.make_app(tmp_path, CONFIRM_KOPPELSLEUTEL=True, **extra)


class TcWithRegister(swv_support.Peers):
    """The SWV test peers, plus overzichtAanleverpunt naming the LAS system's OIN."""

    def __init__(self, rsps, **answers):
        answers.setdefault("overzichtAanleverpunt", swv_support.ok(OverzichtAanleverpuntResponse(
            aanleverpunt=[Aanleverpunt(routeringsKenmerk=swv_support.LAS_RK, brin="12AB",
                                       naam="LAS", doel="OV", oin=LAS_OIN)])))
        super().__init__(rsps, **answers)


@pytest.fixture
def swv_peers():
    import responses
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield lambda **answers: TcWithRegister(rsps, **answers)


def stored(client) -> list[dict]:
    return client.get("/api/aanvragen").get_json()


def test_notificatie_with_unissued_koppelsleutel_is_refused(tmp_path, swv_peers):
    app = swv_app(tmp_path)
    try:
        client = app.test_client()
        p = swv_peers(overdracht=swv_support.fault_body(faults.KOPPELSLEUTEL_ONBEKEND,
                                                        "niet uitgegeven"))
        answer = swv_support.soap(client, swv_support.notificatie(swv_support.new_key()))
        assert isinstance(answer, OsoFault) and answer.resultaat == faults.KOPPELSLEUTEL_ONBEKEND
        assert stored(client) == []
        assert p.operations() == ["overdracht"]
        # a koppelsleutel the TC issued is taken, and its session serves the first fetch
        p.answers["overdracht"] = swv_support.GOOD["overdracht"]
        k = swv_support.new_key()
        assert isinstance(swv_support.soap(client, swv_support.notificatie(k)),
                          NotificatieResponse)
        a = client.post(f"/api/aanvragen/{k}/ophalen").get_json()
        assert a["status"] == "afgemeld" and a["sessie_id"] == swv_support.SESSIE
        assert p.operations().count("overdracht") == 2  # the refused one, and one for k
    finally:
        app.extensions["oso_sim_close"]()


def test_notificatie_waits_for_a_tc_that_cannot_confirm(tmp_path, swv_peers):
    # no answer from the TC is no refusal: taken, but not as a confirmed aanvraag
    app = swv_app(tmp_path, RETRY_BASE_SECONDS=60)
    try:
        client = app.test_client()
        swv_peers(overdracht=swv_support.CONNECTION_ERROR)
        k = swv_support.new_key()
        answer = swv_support.soap(client, swv_support.notificatie(k))
        assert isinstance(answer, NotificatieResponse)
        a = client.get(f"/api/aanvragen/{k}").get_json()
        assert a["status"] == "onbevestigd" and a["bevestigd"] is False
        assert a["sessie_id"] is None and a["dossier_bewaard"] is False
    finally:
        app.extensions["oso_sim_close"]()


def test_notificatie_is_refused_when_the_tc_cannot_confirm_with_no_retry_tc(tmp_path, swv_peers):
    app = swv_app(tmp_path, DEFECTS={"no_retry_tc"})
    try:
        client = app.test_client()
        swv_peers(overdracht=swv_support.CONNECTION_ERROR)
        answer = swv_support.soap(client, swv_support.notificatie(swv_support.new_key()))
        assert isinstance(answer, OsoFault) and answer.resultaat == faults.NIET_BEREIKBAAR
        assert answer.faultcode == "Server"
        assert stored(client) == []
    finally:
        app.extensions["oso_sim_close"]()


def test_notificatie_from_a_stranger_with_tls_is_refused(tmp_path, swv_peers):
    app = swv_app(tmp_path, TLS=TLS)
    try:
        p = swv_peers()
        answer = swv_support.soap(as_caller(app, STRANGER_OIN),
                                  swv_support.notificatie(swv_support.new_key()))
        assert isinstance(answer, OsoFault) and answer.resultaat == faults.ONJUIST_CERTIFICAAT
        assert "overdracht" not in p.operations()  # refused before any session was asked
        answer = swv_support.soap(as_caller(app, LAS_OIN),
                                  swv_support.notificatie(swv_support.new_key()))
        assert isinstance(answer, NotificatieResponse)
        assert len(stored(app.test_client())) == 1
    finally:
        app.extensions["oso_sim_close"]()


def test_defect_accept_any_caller_takes_a_notificatie_from_any_certificate(tmp_path, swv_peers):
    app = swv_app(tmp_path, TLS=TLS, DEFECTS={"accept_any_caller"})
    try:
        swv_peers()
        answer = swv_support.soap(as_caller(app, STRANGER_OIN),
                                  swv_support.notificatie(swv_support.new_key()))
        assert isinstance(answer, NotificatieResponse)
        assert len(stored(app.test_client())) == 1
    finally:
        app.extensions["oso_sim_close"]()


# --- a SOAP Fault posted to the TC ---------------------------------------------------------------

def _posted_fault(koppelsleutel: str, text: str, routeringskenmerk: str | None = None) -> bytes:
    """A Fault as anyone can write one: the koppelsleutel, and a routeringskenmerk if given, in its
    detail, with text of the sender's choosing."""
    rk = f"<oso:doelRouteringsKenmerk>{routeringskenmerk}</oso:doelRouteringsKenmerk>" if routeringskenmerk else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{codec.SOAP_ENV}"'
            f' xmlns:oso="urn:oso"><soap:Body><soap:Fault><faultcode>soap:Client</faultcode>'
            f"<faultstring>{text}</faultstring><detail><oso:koppelsleutel>{koppelsleutel}</oso:koppelsleutel>"
            f"{rk}</detail></soap:Fault></soap:Body></soap:Envelope>").encode()


def _post(client, body: bytes):
    return client.post("/oso", data=body, content_type="text/xml; charset=utf-8")


def _filed(app, koppelsleutel: str) -> list[dict]:
    return app.extensions["oso_sim_messagelog"].entries(koppelsleutel=koppelsleutel)


def _timeline(app, koppelsleutel: str) -> str:
    import responses
    with responses.RequestsMock() as peers_logs:  # the LAS and SWV logs, read by the page, empty
        for url in (tc_support.LAS_URL, tc_support.SWV_URL):
            peers_logs.add(responses.GET, url + "/api/berichten", json={"berichten": []})
        return app.test_client().get(f"/koppelingen/{koppelsleutel}").text


def test_fault_posted_by_a_stranger_is_not_filed_under_the_koppeling(tc):
    k = tc_koppelsleutel(tc)
    text = "Het SWV heeft deze leerling afgewezen"
    assert _post(as_caller(tc, STRANGER_OIN), _posted_fault(k, text, tc_support.SWV_RK)).status_code == 500
    assert _post(tc.test_client(), _posted_fault(k, text, tc_support.SWV_RK)).status_code == 500
    assert not any(text in (r["xml"] or "") for r in _filed(tc, k))
    assert text not in _timeline(tc, k)
    # it is still on record, without a koppelsleutel, with whom it came from
    log = tc.extensions["oso_sim_messagelog"].entries()
    stranger = [r for r in log if text in (r["xml"] or "")]
    assert all(r["koppelsleutel"] is None for r in stranger)
    assert len([r for r in stranger if r["direction"] == "in"]) == 2
    assert any(STRANGER_OIN in (r["peer"] or "") for r in stranger)
    # control: the koppeling's own SWV is filed there, and the timeline names it
    own = "Dossier niet te verwerken"
    _post(as_caller(tc, SWV_OIN), _posted_fault(k, own))
    rows = [r for r in _filed(tc, k) if own in (r["xml"] or "") and r["direction"] == "in"]
    assert len(rows) == 1 and rows[0]["peer"].startswith("SWV swv-sim") and SWV_OIN in rows[0]["peer"]
    page = _timeline(tc, k)
    assert own in page and f"SWV swv-sim (certificaat, OIN {SWV_OIN})" in page


def test_fault_without_tls_is_filed_only_by_a_routeringskenmerk_of_the_koppeling(tmp_path):
    app = tc_support.make_app(tmp_path)
    try:
        client = app.test_client()
        k = tc_support.new_koppelsleutel(client)
        _post(client, _posted_fault(k, "zonder herkomst"))
        _post(client, _posted_fault(k, "ander aanleverpunt", tc_support.SWV_VO_RK))
        assert not any("herkomst" in r["xml"] or "ander" in r["xml"] for r in _filed(app, k))
        # control: naming the koppeling's doel routeringskenmerk is how an SWV is known without TLS
        _post(client, _posted_fault(k, "van het SWV", tc_support.SWV_RK))
        rows = [r for r in _filed(app, k) if "van het SWV" in r["xml"] and r["direction"] == "in"]
        assert len(rows) == 1 and rows[0]["peer"] == f"SWV (routeringskenmerk {tc_support.SWV_RK}, zonder TLS)"
    finally:
        app.extensions["oso_sim_close"]()
