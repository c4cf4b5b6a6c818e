"""The JSON API: the wait long-poll, step mode, the dossier views."""
import threading
import time

from swv_support import (  # noqa: F401
    DOSSIER, app, client, fault_body, make_app, new_key, notify, peers)


def test_wait_returns_promptly_when_status_reached(app, client, peers):
    peers()
    k = notify(client)
    threading.Timer(0.2, lambda: app.extensions["swv"].ophalen.run(k)).start()
    started = time.monotonic()
    resp = client.get(f"/api/aanvragen/{k}?wait=afgemeld&timeout=10")
    elapsed = time.monotonic() - started
    body = resp.get_json()
    assert resp.status_code == 200 and body["status"] == "afgemeld" and body["wacht_bereikt"]
    assert 0.15 < elapsed < 2


def test_wait_for_an_earlier_status_is_satisfied_by_a_later_one(client, peers):
    peers()
    k = notify(client)
    client.post(f"/api/aanvragen/{k}/ophalen")
    started = time.monotonic()
    body = client.get(f"/api/aanvragen/{k}?wait=sessie&timeout=5").get_json()
    assert body["status"] == "afgemeld" and time.monotonic() - started < 0.5


def test_wait_ends_on_failure(app, client, peers):
    peers(overdracht=fault_body("GeenMandaat"))
    k = notify(client)
    threading.Timer(0.1, lambda: app.extensions["swv"].ophalen.run(k)).start()
    body = client.get(f"/api/aanvragen/{k}?wait=afgemeld&timeout=10").get_json()
    assert body["status"] == "mislukt" and body["fout_code"] == "GeenMandaat"


def test_wait_times_out_with_the_current_state(client):
    k = notify(client)
    started = time.monotonic()
    body = client.get(f"/api/aanvragen/{k}?wait=afgemeld&timeout=0.3").get_json()
    assert body["status"] == "genotificeerd" and body["wacht_bereikt"] is False
    assert time.monotonic() - started < 1.5


def test_wait_covers_a_notificatie_still_to_come(client):
    k = new_key()
    threading.Timer(0.2, lambda: notify(client, k)).start()
    body = client.get(f"/api/aanvragen/{k}?wait=genotificeerd&timeout=5").get_json()
    assert body["koppelsleutel"] == k


def test_wait_unknown_and_bad_arguments(client):
    assert client.get("/api/aanvragen/ABC?wait=afgemeld&timeout=0.1").status_code == 404
    k = notify(client)
    assert client.get(f"/api/aanvragen/{k}?wait=klaar").status_code == 400
    assert client.get(f"/api/aanvragen/{k}?wait=afgemeld&timeout=x").status_code == 400
    assert client.get("/api/aanvragen/ABC").status_code == 404


def test_step_mode_fetches_only_on_request(tmp_path, peers):
    p = peers()
    app = make_app(tmp_path, STEP_MODE=True)
    try:
        client = app.test_client()
        k = notify(client)
        time.sleep(0.2)
        assert p.calls == []
        assert client.get(f"/api/aanvragen/{k}").get_json()["status"] == "wacht"
        body = client.post(f"/api/aanvragen/{k}/ophalen").get_json()
        assert body["status"] == "afgemeld" and body["dossier_opgehaald"] is True
    finally:
        app.extensions["oso_sim_close"]()


def test_overview_and_views(client, peers):
    peers()
    k = notify(client)
    assert client.get(f"/api/aanvragen/{k}/dossier").status_code == 404
    assert client.get(f"/api/aanvragen/{k}/rapport").status_code == 404
    client.post(f"/api/aanvragen/{k}/ophalen")
    row, = client.get("/api/aanvragen").get_json()
    assert row["koppelsleutel"] == k and row["status"] == "afgemeld"
    data = client.get(f"/api/aanvragen/{k}/gegevens").get_json()
    assert data["dossier"]["overdrachtsoort"] == "swv-dossier"
    assert client.get("/api/health").get_json()["ok"] is True
