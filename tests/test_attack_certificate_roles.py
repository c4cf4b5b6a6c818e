"""Attacks with a certificate of the test PKI on the actors' JSON API and pages, each next to the
legitimate use: under mutual TLS only the operator certificate (or the API token) opens them; a
system's certificate opens the SOAP endpoint only, on loopback too.

As in test_attack_identity.py the TLS server is played by Flask's test client with the verified
OIN in the environ; the last test runs the three actors over real mutual TLS with the PKI that
`oso-sim pki init` writes.
"""
from __future__ import annotations

import pytest
import requests

from actor_kit import identity, pki
from oso_protocol.transport import faults
from oso_protocol.transport.messages import (
    Aanleverpunt, DocumentResponse, OverzichtAanleverpuntResponse)

import las_support
import tc_support
from las_support import peers  # noqa: F401  (fixture: the LAS's TC and SWV played)

SWV_OIN = "00000003100000020000"       # swv-sim, holder of the SWV aanleverpunten
OTHER_SWV_OIN = "00000003100000099999"  # another vendor's SWV: a valid certificate of the PKI
TLS = {"cert": "x", "key": "x", "ca": "x"}  # any truthy value: the rules only ask whether TLS is on
TOKEN = "geheim-token-voor-de-test"
BSN = "111222333"                      # pupil 2 of 12AB (fixtures/default.yaml)
FAR = {"REMOTE_ADDR": "192.0.2.7"}


def as_caller(app, oin: str | None):
    client = app.test_client()
    if oin:
        client.environ_base[identity.PEER_OIN] = oin
    return client


def operator(app):
    return as_caller(app, pki.OPERATOR_OIN)


def assert_refused(resp):
    assert resp.status_code == 403, (resp.status_code, resp.get_data(as_text=True)[:300])
    text = resp.get_data(as_text=True)
    assert "beheerderscertificaat" in text and "OSO-systeem" in text
    if resp.is_json:
        assert resp.json["code"] == "GeenToegang"
    return text


# --- LAS --------------------------------------------------------------------------------------

@pytest.fixture
def las(tmp_path):
    app = las_support.make_app(tmp_path / "las.sqlite", TLS=TLS, API_TOKEN=TOKEN)
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def delivered(las, peers):
    """A zorgvraag whose dossier the rightful SWV fetched over SOAP with its own certificate."""
    def names_swv(m):
        if m.routeringsKenmerk == las_support.SWV_PO:
            return las_support.soap(OverzichtAanleverpuntResponse(aanleverpunt=[Aanleverpunt(
                routeringsKenmerk=m.routeringsKenmerk, brin="25PO", naam="SWV", doel="SWV",
                oin=SWV_OIN)]))
        return las_support.soap(OverzichtAanleverpuntResponse(aanleverpunt=list(
            las_support.OFFERED.get(m.brin, []))))
    peers.handlers["overzichtAanleverpunt"] = names_swv
    client = operator(las)
    lid = client.get("/api/leerlingen?brin=12AB").json[0]["id"]
    zv = client.post(f"/api/leerlingen/{lid}/zorgvragen",
                     json=las_support.zorgvraag_body()).json["zorgvraag"]
    # the rightful system's SOAP call still works
    _, answer = las_support.post_soap(as_caller(las, SWV_OIN), las_support.document_request(zv))
    assert isinstance(answer, DocumentResponse) and answer.dossier
    return zv


def test_message_log_with_dossiers_is_refused_to_another_systems_certificate(las, delivered):
    for oin in (OTHER_SWV_OIN, SWV_OIN):  # not even the SWV the dossier went to reads the log
        text = assert_refused(as_caller(las, oin).get("/api/berichten?xml=1"))
        assert "<oso:dossier" not in text and delivered["koppelsleutel"] not in text
    ok = operator(las).get("/api/berichten?xml=1")
    assert ok.status_code == 200 and "<oso:dossier" in ok.get_data(as_text=True)
    # the token opens it too, whoever's certificate comes with it
    assert as_caller(las, OTHER_SWV_OIN).get(
        "/api/berichten?xml=1", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_dossier_download_is_refused_to_another_systems_certificate(las, delivered):
    url = f"/zorgvragen/{delivered['id']}/dossier.xml"
    resp = as_caller(las, OTHER_SWV_OIN).get(url)
    assert "<dossier" not in assert_refused(resp)
    ok = operator(las).get(url)
    assert ok.status_code == 200 and b"<dossier" in ok.data


def test_pupil_record_with_bsn_is_refused_to_another_systems_certificate(las):
    ids = [r["id"] for r in operator(las).get("/api/leerlingen?brin=12AB").json]
    record = operator(las).get(f"/api/leerlingen/{ids[1]}").json
    assert record["bsn"] == BSN  # the operator still reads it
    for client in (as_caller(las, OTHER_SWV_OIN), as_caller(las, SWV_OIN)):
        text = assert_refused(client.get(f"/api/leerlingen/{ids[1]}"))
        assert BSN not in text
        assert_refused(client.get(f"/leerlingen/{ids[1]}"))  # nor the page
    # a certificate without a readable OIN is a system's too, not the operator's
    nameless = las.test_client()
    nameless.environ_base[identity.PEER_CERT] = b"der"
    assert_refused(nameless.get(f"/api/leerlingen/{ids[1]}"))


def test_operator_certificate_opens_the_api_off_loopback_without_token(las):
    far = operator(las)
    assert far.get("/api/leerlingen?brin=12AB", environ_base=FAR).status_code == 200
    assert_refused(as_caller(las, OTHER_SWV_OIN).get("/api/leerlingen?brin=12AB",
                                                     environ_base=FAR))
    # the SOAP endpoint, health and the login page stay open to every certificate
    stranger = as_caller(las, OTHER_SWV_OIN)
    assert stranger.get("/api/health").status_code == 200
    assert stranger.get("/inloggen").status_code == 200


def test_a_certificate_with_the_operators_oin_from_another_ca_is_no_operator(tmp_path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    d = tmp_path / "pki"
    pki.init(d, {"register": {"systems": [
        {"id": "las-sim", "naam": "LAS", "soort": "LAS", "oin": "00000003100000010000"}]}})
    # a vendor's CA, trusted besides the test CA in a conformance run, can put any OIN in a
    # certificate; the operator is the certificate `pki init` wrote, not its OIN
    other_ca = x509.load_pem_x509_certificate((d / "andere-ca.pem").read_bytes())
    other_key = serialization.load_pem_private_key((d / "andere-ca.key").read_bytes(), None)
    now = dt.datetime.now(dt.timezone.utc)
    forged, _ = pki._leaf(other_ca, other_key, naam="nep-beheerder", oin=pki.OPERATOR_OIN,
                          not_before=now - dt.timedelta(hours=1), not_after=now + dt.timedelta(days=1))
    real = x509.load_pem_x509_certificate((d / f"{pki.OPERATOR_ID}.pem").read_bytes())
    app = las_support.make_app(tmp_path / "las.sqlite", TLS=pki.files_for(d, "las-sim"))
    try:
        def caller(cert):
            client = as_caller(app, pki.OPERATOR_OIN)
            client.environ_base[identity.PEER_CERT] = cert.public_bytes(serialization.Encoding.DER)
            return client
        assert_refused(caller(forged).get("/api/leerlingen?brin=12AB"))
        assert caller(real).get("/api/leerlingen?brin=12AB").status_code == 200
    finally:
        app.extensions["oso_sim_close"]()


# --- Traffic Center ---------------------------------------------------------------------------

@pytest.fixture
def tc(tmp_path):
    app = tc_support.make_app(tmp_path, TLS=TLS, API_TOKEN=TOKEN)
    # another vendor's SWV, properly registered: its certificate is genuine, just not the operator's
    c = operator(app)
    assert c.post("/api/register/systems", json={
        "id": "ander-swv", "naam": "Ander SWV", "soort": "SWV",
        "oin": OTHER_SWV_OIN}).status_code == 201
    yield app
    app.extensions["oso_sim_close"]()


def test_koppelingen_list_is_refused_to_another_systems_certificate(tc):
    k = tc_support.soap(as_caller(tc, "00000003100000010000"), tc_support.melden()).koppelsleutel
    for oin in (OTHER_SWV_OIN, SWV_OIN, pki.TC_OIN):
        text = assert_refused(as_caller(tc, oin).get("/api/koppelingen"))
        assert k not in text
        assert_refused(as_caller(tc, oin).get("/"))  # nor the TC's pages
    assert k in operator(tc).get("/api/koppelingen").get_data(as_text=True)


def test_register_takeover_by_another_systems_certificate_is_refused(tc):
    rk = tc_support.SWV_RK
    thief = as_caller(tc, OTHER_SWV_OIN)
    before = operator(tc).get("/api/register").json
    punt = next(a for a in before["aanleverpunten"] if a["routeringskenmerk"] == rk)
    assert_refused(thief.delete(f"/api/register/aanleverpunten/{rk}"))
    assert_refused(thief.post("/api/register/aanleverpunten",
                              json={**punt, "system": "ander-swv"}))
    assert_refused(thief.post("/api/register/mandates",
                              json={"brin": tc_support.BRIN, "system": "ander-swv"}))
    assert_refused(thief.patch(f"/api/register/aanleverpunten/{rk}", json={"url": "http://x/oso"}))
    assert operator(tc).get("/api/register").json == before
    # so the dossier stays out of reach of the thief, and the rightful SWV still gets its session
    k = tc_support.soap(as_caller(tc, "00000003100000010000"), tc_support.melden()).koppelsleutel
    tc_support.refused(thief, tc_support.overdracht(k), faults.ONJUIST_CERTIFICAAT)
    assert tc_support.soap(as_caller(tc, SWV_OIN), tc_support.overdracht(k)).sessieId
    # the operator changes the register: delete and add back
    op = operator(tc)
    assert op.delete(f"/api/register/aanleverpunten/{rk}").status_code == 200
    assert op.post("/api/register/aanleverpunten", json=punt).status_code == 201
    assert op.get("/api/register").json == before


# --- over real mutual TLS ---------------------------------------------------------------------

@pytest.mark.slow
def test_certificates_of_the_pki_over_real_tls(tmp_path):
    from harness.runtime.actors import Actors

    with Actors(workdir=tmp_path, tls=True) as actors:
        d = actors.pki_dir
        ca = str(d / "ca.pem")

        def get(role, path, who):
            return requests.get(actors.urls[role] + path, verify=ca, timeout=10,
                                cert=(str(d / f"{who}.pem"), str(d / f"{who}.key")))

        for role, path in (("las", "/api/berichten?xml=1"), ("las", "/api/leerlingen?brin=12AB"),
                           ("tc", "/api/koppelingen"), ("tc", "/api/register"),
                           ("swv", "/api/aanvragen"), ("swv", "/")):
            for who in ("swv-sim", "las-sim", pki.TC_ID):
                resp = get(role, path, who)
                assert resp.status_code == 403, (role, path, who, resp.status_code)
                assert "beheerderscertificaat" in resp.text
            assert get(role, path, pki.OPERATOR_ID).status_code == 200, (role, path)
        assert get("tc", "/api/health", "swv-sim").status_code == 200
        # the operator certificate says its role to a person looking at it in the browser
        from cryptography import x509
        from cryptography.x509.oid import NameOID
        cert = x509.load_pem_x509_certificate((d / f"{pki.OPERATOR_ID}.pem").read_bytes())
        unit = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        assert unit and "beheerder" in unit[0].value
