"""HTTPS with client-certificate verification for the actors (waitress has no TLS).

Built on werkzeug's request handler (already there with Flask) over a thread per connection.
The TLS handshake runs in the connection's own thread, not in the accept loop, so a client that
connects and says nothing, or shows a bad certificate, never holds up the others. A client
without a certificate chained to the test CA, or with an expired one, is refused in the handshake;
a verified client's certificate and OIN go into the WSGI environ (`actor_kit.identity`).

Stopping closes the listening socket and every open connection, so a process that starts fresh
actors again and again keeps no threads or sockets behind.
"""
from __future__ import annotations

import selectors
import socket
import ssl
import threading
import time

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from . import identity
from .tls import TlsFiles, server_context

HANDSHAKE_TIMEOUT = 10.0
IDLE_TIMEOUT = 120.0  # as waitress's channel_timeout on the plain path
JOIN_SECONDS = 5.0    # how long close() waits for connection threads, all together


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one handshake per connection, not per call
    timeout = IDLE_TIMEOUT

    def make_environ(self):
        environ = super().make_environ()
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
        return environ

    def log_request(self, code="-", size="-"):
        pass  # quiet as waitress: the actors keep their own message log


class TlsWsgiServer(ThreadedWSGIServer):
    """A bound mutual-TLS server; `.effective_port`, `.run()`, `.close()` as waitress's."""

    daemon_threads = True
    block_on_close = False  # close() ends the connections itself, then joins briefly

    def __init__(self, app, host: str, port: int, tls: TlsFiles):
        context = server_context(tls)
        # bind here so a busy port raises OSError (werkzeug would print and exit instead)
        listener = socket.create_server((host, port), backlog=128)
        try:
            super().__init__(host, port, app, handler=_Handler, fd=listener.fileno())
        finally:
            listener.close()  # werkzeug holds its own duplicate of the descriptor
        # set after construction: werkzeug would wrap the listening socket and shake hands in
        # the accept loop; with it set, environ says https and SSL errors are not tracebacks
        self.ssl_context = context
        self.effective_port = self.server_address[1]
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

    def handle_error(self, request, client_address):
        pass  # a peer that went away mid-request; the request handler has logged what matters

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
