"""The actors' SOAP plumbing without requests and Flask: outbound calls over one keep-alive
connection per thread and peer, the endpoint as a plain WSGI application in front of Flask."""
from __future__ import annotations

import re
import socket
import threading
import time

import pytest
import requests

from actor_kit import http_session
from actor_kit.messagelog import MessageLog
from actor_kit.server import ServerThread
from actor_kit.soap_client import SoapClient
from actor_kit.soap_endpoint import after_answer
from actor_kit.store import Store
from actor_kit.web import SECURITY_HEADERS
from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import NotificatieResponse

import swv_support


class _Peer:
    """Answers every call with a NotificatieResponse and notes the caller's port."""

    def __init__(self):
        self.ports: list[str] = []

    def __call__(self, environ, start_response):
        environ["wsgi.input"].read()
        self.ports.append(environ.get("REMOTE_PORT"))
        body = codec.encode(NotificatieResponse())
        headers = [("Content-Type", codec.CONTENT_TYPE), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]


def _client(tmp_path, **kw) -> SoapClient:
    return SoapClient(MessageLog(Store(tmp_path / "log.sqlite", "")), me="las", **kw)


def _notificatie():
    return swv_support.notificatie(swv_support.new_key())


def test_calls_of_one_thread_share_one_connection(tmp_path):
    peer = _Peer()
    client = _client(tmp_path)
    with ServerThread(peer) as server:
        assert http_session.direct(server.url + "/oso")
        for _ in range(5):
            assert isinstance(client.call(server.url + "/oso", _notificatie()), NotificatieResponse)
        other = []
        worker = threading.Thread(target=lambda: other.append(
            client.call(server.url + "/oso", _notificatie())))
        worker.start()
        worker.join()
    assert len(set(peer.ports[:5])) == 1  # no new TCP connection per call
    assert peer.ports[5] != peer.ports[0]  # another thread, its own connection
    assert isinstance(other[0], NotificatieResponse)


def _closing_peer(answers: int):
    """A socket server that answers one call per connection and then closes it, without saying
    so in the answer: the client finds the idle connection gone."""
    listener = socket.create_server(("127.0.0.1", 0))
    ports = []

    def serve():
        for _ in range(answers):
            conn, addr = listener.accept()
            with conn:
                ports.append(addr[1])
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                while len(body) < length:
                    body += conn.recv(65536)
                answer = codec.encode(NotificatieResponse())
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(answer), answer))
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/oso", ports


def test_a_connection_the_peer_closed_is_opened_again(tmp_path):
    url, ports = _closing_peer(3)
    client = _client(tmp_path, timeout=5)
    for _ in range(3):
        assert isinstance(client.call(url, _notificatie()), NotificatieResponse)
        time.sleep(0.1)  # the peer's close reaches the client before the next call
    assert len(set(ports)) == 3


def test_a_peer_that_is_gone_is_not_reachable(tmp_path):
    client = _client(tmp_path, timeout=2)
    with ServerThread(_Peer()) as server:
        url = server.url + "/oso"
        client.call(url, _notificatie())
    with pytest.raises(OsoFault) as info:
        client.call(url, _notificatie())
    assert info.value.resultaat == faults.NIET_BEREIKBAAR
    assert "(ConnectionError)" in info.value.omschrijving


def test_a_proxy_from_the_environment_or_a_replaced_transport_keeps_requests(monkeypatch):
    http_session.forget_environment()
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    try:
        assert not http_session.direct("http://swv.example/oso")
        assert http_session.direct("http://127.0.0.1:9/oso")
        assert not http_session.direct("https://127.0.0.1:9/oso")
        monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", lambda *a, **k: None)
        assert not http_session.direct("http://127.0.0.1:9/oso")
    finally:
        http_session.forget_environment()


# --- the endpoint ------------------------------------------------------------------------------

@pytest.fixture
def tc(tmp_path):
    from oso_mock.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "tc.sqlite")})
    yield app
    app.extensions["oso_sim_close"]()


def test_soap_answers_carry_the_pages_security_headers(tc):
    resp = tc.test_client().post("/oso", data=b"<niet-af", content_type="text/xml")
    assert resp.status_code == 500 and resp.mimetype == "text/xml"
    for name, value in SECURITY_HEADERS.items():
        assert resp.headers[name] == value
    assert int(resp.headers["Content-Length"]) == len(resp.data)


def test_other_methods_on_the_soap_path_get_flasks_answers(tc):
    client = tc.test_client()
    assert client.head("/oso").status_code == 405
    assert client.put("/oso", data=b"x").status_code == 405
    assert client.get("/oso").status_code == 405
    assert client.head("/oso?wsdl").status_code == 200
    assert b"definitions" in client.get("/oso?WSDL").data


def test_work_after_the_answer_only_inside_a_soap_call():
    with pytest.raises(RuntimeError):
        after_answer(lambda: None)


def _raw_peer(answer: bytes):
    """A socket server that reads one request and sends `answer` as it is, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = listener.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            while len(body) < length:
                body += conn.recv(65536)
            conn.sendall(answer)
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/oso"


@pytest.mark.parametrize("framing", ["chunked", "close", "continue"])
def test_answers_framed_any_way_http_allows_are_read(tmp_path, framing):
    body = codec.encode(NotificatieResponse())
    if framing == "chunked":
        answer = (b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + b"".join(b"%x;ext=1\r\n%s\r\n" % (len(p), p) for p in (body[:7], body[7:]))
                  + b"0\r\nTrailer: x\r\n\r\n")
    elif framing == "close":  # HTTP/1.0 without a length: the body ends where the connection does
        answer = b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n" + body
    else:
        answer = (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
    client = _client(tmp_path, timeout=5)
    assert isinstance(client.call(_raw_peer(answer), _notificatie()), NotificatieResponse)


def test_an_answer_cut_off_is_not_reachable(tmp_path):
    body = codec.encode(NotificatieResponse())
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body) + 10, body)
    with pytest.raises(OsoFault) as info:
        _client(tmp_path, timeout=5).call(_raw_peer(answer), _notificatie())
    assert info.value.resultaat == faults.NIET_BEREIKBAAR
