"""The actors' plain HTTP/1.1 server (actor_kit.http_server), on the wire."""
from __future__ import annotations

import http.client
import json
import socket

import pytest

from actor_kit.server import ServerThread


def _echo(environ, start_response):
    body = environ["wsgi.input"].read()
    seen = {k: v for k, v in environ.items() if k.startswith("HTTP_") or k in (
        "PATH_INFO", "QUERY_STRING", "REQUEST_METHOD", "CONTENT_LENGTH", "CONTENT_TYPE")}
    out = json.dumps({"body": body.decode("latin-1"), "environ": seen}).encode()
    if environ["PATH_INFO"] == "/stroom":  # no Content-Length: the server frames it
        start_response("200 OK", [("Content-Type", "application/json")])
        return iter([out[:10], b"", out[10:]])
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(out)))])
    return [out]


@pytest.fixture
def server():
    with ServerThread(_echo) as s:
        yield s


def _raw(server, data: bytes) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=5) as s:
        s.sendall(data)
        chunks = []
        while True:
            piece = s.recv(65536)
            if not piece:
                return b"".join(chunks)
            chunks.append(piece)


def test_keep_alive_connection_carries_many_requests(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    for n in range(3):
        conn.request("POST", f"/pad%20{n}?x=1", body=b"abc", headers={"Content-Type": "text/xml"})
        resp = conn.getresponse()
        answer = json.loads(resp.read())
        assert resp.status == 200 and resp.getheader("Server") == "oso-sim"
        assert answer["body"] == "abc"
        assert answer["environ"]["PATH_INFO"] == f"/pad {n}"
        assert answer["environ"]["QUERY_STRING"] == "x=1"
    sock = conn.sock
    conn.request("GET", "/")
    conn.getresponse().read()
    assert conn.sock is sock  # still the same connection
    conn.close()


def test_chunked_request_and_answer(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("POST", "/stroom", body=iter([b"he", b"llo"]),
                 headers={"Content-Type": "text/plain"}, encode_chunked=True)
    resp = conn.getresponse()
    assert resp.getheader("Transfer-Encoding") == "chunked"
    assert json.loads(resp.read())["body"] == "hello"
    conn.request("GET", "/")  # the connection survived both chunked bodies
    assert conn.getresponse().status == 200
    conn.close()


def test_expect_continue_and_http10(server):
    answer = _raw(server, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                          b"Expect: 100-continue\r\nConnection: close\r\n\r\nok")
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    answer = _raw(server, b"GET / HTTP/1.0\r\n\r\n")  # closed after the answer: _raw returns
    assert answer.startswith(b"HTTP/1.0 200 OK\r\n")


def test_untrusted_and_ambiguous_headers_do_not_reach_the_app(server):
    answer = _raw(server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 10.0.0.1\r\n"
                          b"X_OSO_Peer: nep\r\nX-OSO-Peer: las\r\nConnection: close\r\n\r\n")
    environ = json.loads(answer.split(b"\r\n\r\n", 1)[1])["environ"]
    assert "HTTP_X_FORWARDED_FOR" not in environ
    assert environ["HTTP_X_OSO_PEER"] == "las"


@pytest.mark.parametrize("request_bytes, status", [
    (b"GARBAGE\r\n\r\n", b"400"),
    (b"GET / HTTP/2.0\r\n\r\n", b"505"),
    (b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", b"400"),
    (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\n Folded: yes\r\n\r\n", b"400"),
    (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", b"414"),
])
def test_malformed_requests_are_refused_and_the_connection_closed(server, request_bytes, status):
    answer = _raw(server, request_bytes)
    assert answer.split(b" ", 2)[1] == status


def test_a_failing_app_answers_500(server):
    def broken(environ, start_response):
        raise RuntimeError("stuk")

    server.app = broken
    answer = _raw(server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")


def test_head_answers_without_body(server):
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("HEAD", "/")
    resp = conn.getresponse()
    assert resp.status == 200 and resp.read() == b""
    conn.request("GET", "/")
    assert conn.getresponse().status == 200
    conn.close()


def test_stop_ends_idle_keep_alive_connections():
    server = ServerThread(_echo).start()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("GET", "/")
    conn.getresponse().read()
    server.stop()
    assert conn.sock.recv(1) == b""  # closed by the server
    conn.close()
