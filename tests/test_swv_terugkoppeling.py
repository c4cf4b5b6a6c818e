"""Terugkoppeling: meldenTerugkoppeling at the TC, then one terugkoppelingRequest at the LAS."""
import base64
import io
import zipfile

import pytest

from oso_protocol.transport import faults

from swv_support import (  # noqa: F401
    CONNECTION_ERROR, LAS_RK, LAS_SOAP, TIMEOUT, app, client, fault_body, notify, peers)


def fetched(client, p):
    k = notify(client)
    assert client.post(f"/api/aanvragen/{k}/ophalen").get_json()["status"] == "afgemeld"
    p.calls.clear()
    return k


def test_terugkoppeling_is_sent_once(client, peers):
    p = peers()
    k = fetched(client, p)
    pdf = b"%PDF-1.4 besluit"
    resp = client.post(f"/api/aanvragen/{k}/terugkoppeling", json={
        "status": "Toegekend", "toelichting": "TLV toegekend tot 1 augustus.",
        "behandelaar": "J. de Vries",
        "document": {"bestandsnaam": "besluit.pdf", "inhoud_base64": base64.b64encode(pdf).decode(),
                     "omschrijving": "Besluit"}})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["verzonden"] is True and body["resultaat"] == "TerugkoppelingOntvangen"
    assert p.operations() == ["meldenTerugkoppeling", "terugkoppeling"]
    melden, = p.sent("meldenTerugkoppeling")
    assert melden.koppelsleutel == k and melden.bronRouteringsKenmerk == LAS_RK
    bericht, = p.sent("terugkoppeling")
    tk = bericht.terugkoppeling
    assert (tk.status, tk.toelichting, tk.behandelaar) == (
        "Toegekend", "TLV toegekend tot 1 augustus.", "J. de Vries")
    assert tk.datum[:4].isdigit() and "T" in tk.datum
    doc, = tk.document
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(doc.bestandsinhoud))) as zf:
        assert zf.read("besluit.pdf") == pdf
    aanvraag = client.get(f"/api/aanvragen/{k}").get_json()
    stored, = aanvraag["terugkoppelingen"]
    assert stored["verzonden"] is True and stored["documenten"] == [
        {"bestandsnaam": "besluit.pdf", "omschrijving": "Besluit"}]


@pytest.mark.parametrize("answer,code", [
    (fault_body("LeerlinginfoNietBeschikbaar"), "LeerlinginfoNietBeschikbaar"),
    (CONNECTION_ERROR, faults.NIET_BEREIKBAAR),
    (TIMEOUT, faults.NIET_BEREIKBAAR),
    ((200, {"Content-Type": "text/html"}, b"<html>oops</html>"), faults.ONGELDIG_ANTWOORD),
])
def test_las_failure_is_one_attempt_and_502(client, peers, answer, code):
    p = peers(terugkoppeling=answer)
    k = fetched(client, p)
    resp = client.post(f"/api/aanvragen/{k}/terugkoppeling", json={"status": "InBehandeling"})
    assert resp.status_code == 502
    body = resp.get_json()
    assert body["verzonden"] is False and body["code"] == code and body["fout"]
    assert p.operations() == ["meldenTerugkoppeling", "terugkoppeling"]  # exactly one POST
    stored, = client.get(f"/api/aanvragen/{k}").get_json()["terugkoppelingen"]
    # a refusal is final; no answer at all is retried later (tests/test_swv_recovery.py)
    lost = code in (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD)
    assert stored["verzendstatus"] == ("opnieuw" if lost else "mislukt")
    assert stored["fout_code"] == code


@pytest.mark.parametrize("answer,code", [
    (fault_body(faults.DOSSIER_NIET_OPGEHAALD), faults.DOSSIER_NIET_OPGEHAALD),
    (CONNECTION_ERROR, faults.NIET_BEREIKBAAR),
])
def test_tc_refusal_sends_nothing_to_the_las(client, peers, answer, code):
    p = peers(meldenTerugkoppeling=answer)
    k = fetched(client, p)
    resp = client.post(f"/api/aanvragen/{k}/terugkoppeling", json={"status": "Afgewezen"})
    assert resp.status_code == 502 and resp.get_json()["code"] == code
    assert p.operations() == ["meldenTerugkoppeling"]


@pytest.mark.parametrize("body", [
    {"status": "Misschien"}, {}, {"status": "Toegekend", "document": {"bestandsnaam": "a.pdf",
                                                                     "inhoud_base64": "!!"}},
    {"status": "Toegekend", "document": {"inhoud_base64": "YQ=="}},
])
def test_bad_input_is_400_and_sends_nothing(client, peers, body):
    p = peers()
    k = fetched(client, p)
    resp = client.post(f"/api/aanvragen/{k}/terugkoppeling", json=body)
    assert resp.status_code == 400 and resp.get_json()["fout"]
    assert p.calls == []


def test_unknown_aanvraag_is_404(client):
    resp = client.post("/api/aanvragen/ABC/terugkoppeling", json={"status": "Ontvangen"})
    assert resp.status_code == 404


def test_interrupted_terugkoppeling_is_not_resent(tmp_path, peers):
    from swv_support import make_app
    app = make_app(tmp_path)
    p = peers()
    client = app.test_client()
    k = fetched(client, p)
    with app.extensions["swv"].store.tx() as conn:
        conn.execute("INSERT INTO terugkoppeling (koppelsleutel, status, datum, verzendstatus,"
                     " aangemaakt_op) VALUES (?, 'Ontvangen', '2026-01-01T00:00:00+00:00',"
                     " 'verzenden', '2026-01-01T00:00:00+00:00')", (k,))
    app.extensions["oso_sim_close"]()
    app = make_app(tmp_path)
    try:
        tk, = app.test_client().get(f"/api/aanvragen/{k}").get_json()["terugkoppelingen"]
        assert tk["verzendstatus"] == "mislukt"
        assert p.calls == []
    finally:
        app.extensions["oso_sim_close"]()
