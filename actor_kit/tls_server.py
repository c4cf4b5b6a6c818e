"""HTTPS with client-certificate verification for the actors (waitress has no TLS).

Standard library only: socketserver with a thread per connection, http.server to read requests
and wsgiref to run the app, with HTTP/1.1 keep-alive so a peer pays the TLS handshake once per
connection, not once per call. The handshake runs in the connection's own thread, not in the
accept loop, so a client that connects and says nothing, or shows a bad certificate, never holds
up the others. A client without a certificate chained to the test CA, or with an expired one, is
refused in the handshake; a verified client's certificate and OIN go into the WSGI environ
(`actor_kit.identity`).

Stopping closes the listening socket and every open connection, so a process that starts fresh
actors again and again keeps no threads or sockets behind.
"""
from __future__ import annotations

import selectors
import socket
import socketserver
import ssl
import threading
import time
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler

from . import identity
from .tls import TlsFiles, server_context

HANDSHAKE_TIMEOUT = 10.0
IDLE_TIMEOUT = 120.0  # as waitress's channel_timeout on the plain path
JOIN_SECONDS = 5.0    # how long close() waits for connection threads, all together
MAX_DRAIN = 1 << 20   # an unread request body up to this size is skipped to keep the connection


class _Body:
    """wsgi.input: exactly the request body, so the next request on the connection stays intact."""

    def __init__(self, rfile, length: int):
        self._rfile = rfile
        self.left = length

    def _n(self, size) -> int:
        return self.left if size is None or size < 0 else min(size, self.left)

    def read(self, size=-1) -> bytes:
        data = self._rfile.read(self._n(size)) if self.left > 0 else b""
        self.left -= len(data)
        if not data:
            self.left = 0  # the peer went away mid-body
        return data

    def readline(self, size=-1) -> bytes:
        data = self._rfile.readline(self._n(size)) if self.left > 0 else b""
        self.left -= len(data)
        return data

    def readlines(self, hint=-1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self):
        return iter(self.readline, b"")


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
        body = _Body(self.rfile, length)
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
        pass  # quiet as waitress: the actors keep their own message log

    def log_message(self, format, *args):
        pass


class TlsWsgiServer(socketserver.ThreadingTCPServer):
    """A bound mutual-TLS server; `.effective_port`, `.run()`, `.close()` as waitress's."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    block_on_close = False  # close() ends the connections itself, then joins briefly

    def __init__(self, app, host: str, port: int, tls: TlsFiles):
        self.ssl_context = server_context(tls)
        self.app = app
        super().__init__((host, port), _Handler)  # binds now: a busy port raises OSError
        self.effective_port = self.server_address[1]
        self.base_environ = {"SERVER_NAME": host, "GATEWAY_INTERFACE": "CGI/1.1",
                             "SERVER_PORT": str(self.effective_port), "REMOTE_HOST": "",
                             "CONTENT_LENGTH": "", "SCRIPT_NAME": ""}
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._closing = False
        self._loop_done = threading.Event()
        self._loop_done.set()
        self._wake_r, self._wake_w = socket.socketpair()

    # --- connections -------------------------------------------------------------------------

    def process_request(self, request, client_address):
        # registered here, in the accept loop, so close() knows every thread it must wait for
        thread = threading.Thread(target=self.process_request_thread,
                                  args=(request, client_address), daemon=True,
                                  name=f"tls-{self.effective_port}")
        with self._lock:
            if self._closing:
                self.shutdown_request(request)
                return
            self._workers = {t for t in self._workers if t.is_alive()}
            self._workers.add(thread)
            self._open.add(request)
        thread.start()

    def finish_request(self, request, client_address):
        conn = None
        try:
            request.settimeout(HANDSHAKE_TIMEOUT)
            # a small answer must not wait for the client's delayed ACK (tens of milliseconds)
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # wrapping takes the descriptor over from `request`: track the new socket before
            # shaking hands, so close() can cut a client that never finishes the handshake
            conn = self.ssl_context.wrap_socket(request, server_side=True,
                                                do_handshake_on_connect=False)
            with self._lock:
                self._open.discard(request)
                if self._closing:
                    return
                self._open.add(conn)
            try:
                conn.do_handshake()
            except (ssl.SSLError, OSError):
                return  # refused: no, expired or foreign certificate, or plain HTTP
            conn.settimeout(IDLE_TIMEOUT)
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            with self._lock:
                self._open.discard(request)
                self._open.discard(conn)
            if conn is not None:
                conn.close()

    def get_app(self):
        return self.app

    def handle_error(self, request, client_address):
        pass  # a peer that went away mid-request: nothing to answer, nobody to tell

    # --- loop ----------------------------------------------------------------------------------

    def run(self) -> None:
        """Serve until close(); accepts in this thread, serves each connection in its own."""
        if self._closing:
            return
        self._loop_done.clear()
        try:
            with selectors.DefaultSelector() as sel:
                sel.register(self.socket, selectors.EVENT_READ)
                sel.register(self._wake_r, selectors.EVENT_READ)
                while not self._closing:
                    for key, _ in sel.select():
                        if key.fileobj is self.socket and not self._closing:
                            self._handle_request_noblock()
        finally:
            self._loop_done.set()

    def close(self) -> None:
        """Stop accepting, end every connection and wait briefly for their threads."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            conns = list(self._open)
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        self._loop_done.wait(timeout=5)
        self.server_close()
        for conn in conns:
            try:
                # on the plain socket: the TLS object belongs to the thread that reads from it
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
            except OSError:
                pass
        with self._lock:
            threads = list(self._workers)
        deadline = time.monotonic() + JOIN_SECONDS
        for thread in threads:
            # a thread still inside the app (a long wait) after the deadline ends by itself
            # later; its connection is already shut down
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._wake_r.close()
        self._wake_w.close()
