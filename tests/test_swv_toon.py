"""`oso-sim swv toon`: what our SWV holds for one aanvraag, as JSON. Exit 0 shown, 1 no such
aanvraag (the SWV's own answer), 2 the command's own trouble."""
from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import make_server

from harness.cli import main

import swv_support as S
from test_trigger_commands import _json, server  # noqa: F401

KEY = "4A1B2C3D-0000-4000-8000-000000000001"
TOON = ["toon", "--koppelsleutel", KEY]


@pytest.fixture
def live_swv(tmp_path):
    """Our SWV app on a loopback port, the TC and LAS played by `responses` (loopback passes)."""
    import responses
    app = S.make_app(tmp_path)
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru("http://127.0.0.1")
        peers = S.Peers(rsps)
        yield f"http://127.0.0.1:{httpd.server_port}", app, peers
    httpd.shutdown()
    app.extensions["oso_sim_close"]()


def test_shows_status_afmelding_and_whether_the_dossier_was_kept(live_swv, capsys):
    url, app, peers = live_swv
    client = app.test_client()
    k = S.notify(client)
    client.post(f"/api/aanvragen/{k}/ophalen")
    assert main(["swv", "--swv", url, "toon", "--koppelsleutel", k]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["koppelsleutel"] == k and shown["status"] == "afgemeld"
    assert shown["afmelding"] == "OverdrachtGeslaagd" and shown["dossier_bewaard"] is True


def test_a_refused_dossier_shows_as_not_kept(live_swv, capsys):
    url, app, peers = live_swv
    peers.answers["document"] = S.ok(S.DocumentResponse(
        resultaat="DossierGeleverd", dossierVersie="2019.1",
        dossier=__import__("base64").b64encode(b"geen xml").decode()))
    client = app.test_client()
    k = S.notify(client)
    client.post(f"/api/aanvragen/{k}/ophalen")
    assert main(["swv", "--swv", url, "toon", "--koppelsleutel", k]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["afmelding"] == "DossierOngeldig" and shown["dossier_bewaard"] is False


def test_unknown_koppelsleutel_is_exit_1_in_dutch(live_swv, capsys):
    url, _, _ = live_swv
    assert main(["swv", "--swv", url, *TOON]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and f"geen aanvraag met koppelsleutel {KEY}" in captured.err


def test_unreachable_or_not_an_swv_is_exit_2(server, capsys):  # noqa: F811
    assert main(["swv", "--swv", "http://127.0.0.1:9", *TOON]) == 2
    assert "niet bereikbaar" in capsys.readouterr().err
    assert main(["swv", "--swv", server.url, *TOON]) == 2  # an HTML 404
    assert "antwoordt geen SWV-systeem" in capsys.readouterr().err
    server.answer = _json(404, {"fout": "weg", "code": "IetsAnders"})
    assert main(["swv", "--swv", server.url, *TOON]) == 2
    assert main(["swv", "--swv", "geen-url", *TOON]) == 2


def test_bad_arguments_are_exit_2():
    with pytest.raises(SystemExit) as exc:
        main(["swv", "--swv", "http://127.0.0.1:9", "toon"])
    assert exc.value.code == 2
