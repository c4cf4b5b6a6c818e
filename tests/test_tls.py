"""Mutual TLS between the actors: the handshake demands a certificate of the test CA, the
verified caller's OIN reaches the app, outbound calls present the actor's own certificate, and
a TLS server stops without leaving threads or sockets behind."""
from __future__ import annotations

import gc
import os
import socket
import ssl
import threading

import pytest
import requests
from flask import Flask, request

from actor_kit import identity, pki
from actor_kit.http_session import Session
from actor_kit.messagelog import MessageLog
from actor_kit.server import ServerThread
from actor_kit.soap_client import SoapClient
from actor_kit.store import Store
from harness.cli import main
from harness.runtime.actors import Actors
from harness.runtime.exchange import ExchangeDriver
from harness.runtime.scenario import load_scenario
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import OverzichtAanleverpuntRequest, OverzichtAanleverpuntResponse

pytestmark = pytest.mark.slow

LAS_OIN = "00000003100000010000"
SWV_OIN = "00000003100000020000"


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    pki.init(d, load_scenario())
    return d


def _files(pki_dir, name):
    return {"ca": str(pki_dir / "ca.pem"), "cert": str(pki_dir / f"{name}.pem"),
            "key": str(pki_dir / f"{name}.key")}


def _echo_app():
    app = Flask("echo")

    @app.post("/negeer")
    def negeer():
        return "genegeerd"  # leaves the request body unread

    @app.get("/wie")
    def wie():
        der = request.environ.get(identity.PEER_CERT)
        return {"oin": identity.caller_oin(request.environ), "scheme": request.scheme,
                "cert_bytes": len(der) if der else 0}

    return app


@pytest.fixture
def echo(pki_dir):
    with ServerThread(_echo_app(), tls=pki.files_for(pki_dir, pki.TC_ID)) as server:
        yield server


def _get(url, pki_dir, client: str | None, trust: str = "ca.pem"):
    cert = (str(pki_dir / f"{client}.pem"), str(pki_dir / f"{client}.key")) if client else None
    return requests.get(url, verify=str(pki_dir / trust), cert=cert, timeout=10)


# --- inbound: the handshake and the identity -----------------------------------------------------

@pytest.mark.parametrize("client, oin", [("las-sim", LAS_OIN), ("swv-sim", SWV_OIN),
                                         (pki.HARNESS_ID, pki.HARNESS_OIN)])
def test_a_good_client_certificate_puts_its_oin_into_the_environ(echo, pki_dir, client, oin):
    assert echo.url.startswith("https://")
    resp = _get(echo.url + "/wie", pki_dir, client)
    assert resp.status_code == 200
    assert resp.json() == {"oin": oin, "scheme": "https",
                           "cert_bytes": len(ssl.PEM_cert_to_DER_cert(
                               (pki_dir / f"{client}.pem").read_text()))}


@pytest.mark.parametrize("client", [None, "slecht/verlopen", "slecht/andere-ca"])
def test_no_expired_or_foreign_certificate_is_refused_in_the_handshake(echo, pki_dir, client):
    with pytest.raises(requests.exceptions.SSLError):
        _get(echo.url + "/wie", pki_dir, client)
    # the server goes on serving the good ones
    assert _get(echo.url + "/wie", pki_dir, "las-sim").json()["oin"] == LAS_OIN


def test_a_refused_handshake_still_counts_as_a_connection(echo, pki_dir):
    # what the impostor-LAS scenario waits for: that the SWV came at all, before it refused
    assert echo.connections == 0
    with pytest.raises(requests.exceptions.SSLError):
        _get(echo.url + "/wie", pki_dir, "las-sim", trust="andere-ca.pem")
    assert echo.connections >= 1


def test_a_valid_certificate_with_an_unknown_oin_gets_in_but_names_nobody(echo, pki_dir):
    # the transport only vouches for the chain; which OIN may do what is the actors' rule
    resp = _get(echo.url + "/wie", pki_dir, "slecht/verkeerde-oin")
    assert resp.json()["oin"] == pki.UNKNOWN_OIN


def test_the_client_checks_the_server_against_its_ca(echo, pki_dir):
    with pytest.raises(requests.exceptions.SSLError):
        _get(echo.url + "/wie", pki_dir, "las-sim", trust="andere-ca.pem")


def test_plain_http_to_the_tls_port_gets_no_answer(echo):
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(echo.url.replace("https://", "http://") + "/wie", timeout=10)


def test_without_tls_the_server_stays_plain_http_and_names_nobody():
    with ServerThread(_echo_app()) as server:
        assert server.url.startswith("http://")
        assert requests.get(server.url + "/wie", timeout=10).json()["oin"] is None


def test_a_client_that_never_shakes_hands_does_not_hold_up_the_others(echo, pki_dir):
    host, port = echo.url.removeprefix("https://").split(":")
    with socket.create_connection((host, int(port))):
        assert _get(echo.url + "/wie", pki_dir, "las-sim").json()["oin"] == LAS_OIN


def test_one_connection_carries_many_calls_even_with_unread_bodies(pki_dir, monkeypatch):
    from actor_kit import tls_server

    accepted = []
    original = tls_server.TlsWsgiServer.process_request
    monkeypatch.setattr(tls_server.TlsWsgiServer, "process_request",
                        lambda self, req, addr: (accepted.append(addr), original(self, req, addr)))
    with ServerThread(_echo_app(), tls=pki.files_for(pki_dir, pki.TC_ID)) as server:
        http = Session(tls=_files(pki_dir, "las-sim"))
        for _ in range(3):
            assert http.post(server.url + "/negeer", data=b"x" * 50_000, timeout=10).text == "genegeerd"
            assert http.get(server.url + "/wie", timeout=10).json()["oin"] == LAS_OIN
        http.close()
    assert len(accepted) == 1  # one handshake for six calls


# --- outbound: the actor presents its own certificate --------------------------------------------

class _Recorder:
    """WSGI wrapper that notes the caller's OIN before handing over to the real app."""

    def __init__(self, app):
        self.app = app
        self.oins: list[str | None] = []

    def __call__(self, environ, start_response):
        self.oins.append(identity.caller_oin(environ))
        return self.app(environ, start_response)


@pytest.fixture
def tls_tc(pki_dir, tmp_path):
    from oso_mock.app import create_app

    tc = create_app({"DB_PATH": str(tmp_path / "tc.sqlite"), "TLS": _files(pki_dir, pki.TC_ID),
                     "ACTOR_URLS": {"las": "https://127.0.0.1:9", "swv": "https://127.0.0.1:9"}})
    recorder = _Recorder(tc)
    with ServerThread(recorder, tls=pki.files_for(pki_dir, pki.TC_ID)) as server:
        yield server, recorder
    tc.extensions["oso_sim_close"]()


def _overzicht():
    return OverzichtAanleverpuntRequest(brin="12AB", doel="SWV")


def test_soap_client_presents_its_certificate(tls_tc, pki_dir, tmp_path):
    server, recorder = tls_tc
    client = SoapClient(_messagelog(tmp_path), me="las", tls=_files(pki_dir, "las-sim"))
    answer = client.call(server.url + "/oso", _overzicht(), expect=OverzichtAanleverpuntResponse)
    assert answer.aanleverpunt  # the TC answered over TLS
    assert recorder.oins == [LAS_OIN]


def test_soap_client_without_certificate_cannot_reach_a_tls_actor(tls_tc, tmp_path):
    server, recorder = tls_tc
    client = SoapClient(_messagelog(tmp_path), me="las")
    with pytest.raises(OsoFault):
        client.call(server.url + "/oso", _overzicht())
    assert recorder.oins == []  # refused before any request reached the app


def _messagelog(tmp_path):
    from las_client.db import SCHEMA

    return MessageLog(Store(str(tmp_path / "las-log.sqlite"), SCHEMA))


def test_las_calls_the_tc_with_its_own_certificate(tls_tc, pki_dir, tmp_path):
    from las_client.app import create_app

    server, recorder = tls_tc
    las = create_app({"DB_PATH": str(tmp_path / "las.sqlite"), "TC_URL": server.url,
                      "TLS": _files(pki_dir, "las-sim")})
    try:
        offered = las.extensions["las"]["calls"].aanleverpunten("12AB")
    finally:
        las.extensions["oso_sim_close"]()
    assert offered
    assert recorder.oins == [LAS_OIN]


def test_swv_calls_the_tc_with_its_own_certificate(tls_tc, pki_dir, tmp_path):
    from swv_mock.app import create_app

    server, recorder = tls_tc
    swv = create_app({"DB_PATH": str(tmp_path / "swv.sqlite"), "TC_URL": server.url,
                      "TLS": _files(pki_dir, "swv-sim"), "AUTO_FETCH": False})
    try:
        client = swv.extensions["swv"].ophalen.client
        client.call(server.url + "/oso", _overzicht(), expect=OverzichtAanleverpuntResponse)
    finally:
        swv.extensions["oso_sim_close"]()
    assert recorder.oins == [SWV_OIN]


# --- the three actors over TLS --------------------------------------------------------------------

def test_exchange_command_completes_over_mutual_tls(capsys):
    assert main(["exchange", "--count", "2", "--tls"]) == 0
    assert "2/2 uitwisselingen voltooid" in capsys.readouterr().out


def test_actors_with_a_pki_directory_serve_https_and_refuse_strangers(pki_dir, tmp_path):
    with Actors(workdir=tmp_path, tls=pki_dir) as actors:
        assert all(url.startswith("https://") for url in actors.urls.values())
        assert actors.client_tls["cert"].endswith("harnas.pem")
        result = ExchangeDriver(actors.urls, tls=actors.client_tls).run_many(1)[0]
        assert result.completed, result.error
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(actors.urls["las"] + "/api/health", verify=str(pki_dir / "ca.pem"),
                         timeout=10)
        # the TC's demo page reaches the LAS and SWV over TLS with the TC's certificate
        page = Session(tls=actors.client_tls).get(actors.urls["tc"] + "/demo", timeout=10).text
        assert "niet bereikbaar" not in page.lower()


# --- stopping ---------------------------------------------------------------------------------------

def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_starting_and_stopping_many_times_leaves_no_threads_or_sockets(pki_dir):
    tls = pki.files_for(pki_dir, pki.TC_ID)
    client = _files(pki_dir, "las-sim")
    app = _echo_app()
    gc.collect()  # sockets of earlier tests waiting for the collector would blur the count
    before_threads, before_fds = set(threading.enumerate()), _open_fds()
    for _ in range(25):
        server = ServerThread(app, tls=tls).start()
        http = Session(tls=client)
        assert http.get(server.url + "/wie", timeout=10).json()["oin"] == LAS_OIN
        idle = socket.create_connection(("127.0.0.1", server.port))  # never shakes hands
        server.stop()  # with a keep-alive connection and a silent one still open
        # stop() itself ended the connections: their threads are gone before the clients hang up
        assert [t for t in threading.enumerate() if t.name == f"tls-{server.port}"] == []
        http.close()
        idle.close()
    new = [t.name for t in set(threading.enumerate()) - before_threads]
    assert new == []
    assert _open_fds() <= before_fds  # 25 rounds with a leak per round could not stay under
