"""HTTPS with client-certificate verification for the actors.

Standard library only: socketserver with a thread per connection, http.server to read requests
and wsgiref to run the app, with HTTP/1.1 keep-alive so a peer pays the TLS handshake once per
connection, not once per call. The handshake runs in the connection's own thread, not in the
accept loop, so a client that connects and says nothing, or shows a bad certificate, never holds
up the others. A client without a certificate chained to the test CA, or with an expired one, is
refused in the handshake; a verified client's certificate and OIN go into the WSGI environ
(`actor_kit.identity`).

Connections, their threads and stopping are those of the plain server
(actor_kit.http_server.ThreadedWsgiServer).
"""
from __future__ import annotations

import socket
import ssl
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler

from . import identity
from .http_server import IDLE_TIMEOUT, MAX_DRAIN, Body, ThreadedWsgiServer
from .tls import TlsFiles, server_context

HANDSHAKE_TIMEOUT = 10.0


class _Response(ServerHandler):
    os_environ: dict = {}  # wsgiref would copy the whole process environment into each request
    http_version = "1.1"
    complete = False

    def close(self):
        # a response may be followed by another on the same connection only when its length
        # was declared and all of it was sent
        length = self.headers.get("Content-Length") if self.headers is not None else None
        self.complete = length is not None and self.bytes_sent == int(length)
        super().close()


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    wbufsize = -1  # status line and headers leave in one write, not one per line

    def handle(self):
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection:
            self.handle_one_request()

    def handle_one_request(self):
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (OSError, ValueError):  # idle timeout, reset, or cut by close()
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            self.close_connection = True
            return
        if not self.parse_request():
            return  # http.server answered the error and marked the connection closed
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            # OSO calls carry a Content-Length; a chunked body is not read here
            self.send_error(411)
            self.close_connection = True
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(400)
            self.close_connection = True
            return
        body = Body(self.rfile, length)
        environ = self.get_environ()
        if self.headers.get("Content-Type") is None:
            # wsgiref puts a text/plain default here; the apps must see what the client sent
            environ.pop("CONTENT_TYPE", None)
        environ["HTTPS"] = "on"
        self._add_peer(environ)
        response = _Response(body, self.wfile, self.get_stderr(), environ, multithread=True)
        response.request_handler = self
        response.run(self.server.get_app())
        self.wfile.flush()
        if not response.complete:
            self.close_connection = True
        elif body.left:
            if body.left > MAX_DRAIN:
                self.close_connection = True
            else:
                while body.left and body.read(65536):
                    pass

    def _add_peer(self, environ) -> None:
        peer = getattr(self, "_peer", None)
        if peer is None:
            # the handshake verified the chain (CERT_REQUIRED), so its OIN can be trusted;
            # one handler serves every request of its connection, so parse the certificate once
            der = self.connection.getpeercert(binary_form=True)
            peer = self._peer = (der, identity.oin_of(der))
        der, oin = peer
        if der:
            environ[identity.PEER_CERT] = der
        if oin:
            environ[identity.PEER_OIN] = oin

    def log_request(self, code="-", size="-"):
        pass  # quiet as the plain server: the actors keep their own message log

    def log_message(self, format, *args):
        pass


class TlsWsgiServer(ThreadedWsgiServer):
    """A bound mutual-TLS server; `.effective_port`, `.run()`, `.close()` as the plain one."""

    def __init__(self, app, host: str, port: int, tls: TlsFiles):
        self.ssl_context = server_context(tls)
        super().__init__(app, host, port)  # binds now: a busy port raises OSError
        self.base_environ = {"SERVER_NAME": host, "GATEWAY_INTERFACE": "CGI/1.1",
                             "SERVER_PORT": str(self.effective_port), "REMOTE_HOST": "",
                             "CONTENT_LENGTH": "", "SCRIPT_NAME": ""}

    def serve_connection(self, request, client_address) -> None:
        conn = None
        try:
            request.settimeout(HANDSHAKE_TIMEOUT)
            # a small answer must not wait for the client's delayed ACK (tens of milliseconds)
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # wrapping takes the descriptor over from `request`: track the new socket before
            # shaking hands, so close() can cut a client that never finishes the handshake
            conn = self.ssl_context.wrap_socket(request, server_side=True,
                                                do_handshake_on_connect=False)
            if not self.track(request, conn):
                return
            try:
                conn.do_handshake()
            except (ssl.SSLError, OSError):
                return  # refused: no, expired or foreign certificate, or plain HTTP
            conn.settimeout(IDLE_TIMEOUT)
            _Handler(conn, client_address, self)
        finally:
            if conn is not None:
                self.untrack(conn)
                conn.close()

    def get_app(self):
        return self.app
