"""Run a WSGI app on a real loopback socket in a background thread.

Plain HTTP is served by actor_kit.http_server (a thread per keep-alive connection); with `tls=`
(mutual TLS, `actor_kit.tls_server`) the actor serves HTTPS, with the same connection handling.
"""
from __future__ import annotations

import threading

from .http_server import CONNECTION_LIMIT, PlainWsgiServer  # noqa: F401 - CONNECTION_LIMIT for callers
from .tls import TlsFiles

# every connection is served by a thread of its own; the SWV's wait API holds at most half this
# many callers at once (swv_mock.api)
DEFAULT_THREADS = 32


def make_wsgi_server(app, host: str = "127.0.0.1", port: int = 0, threads: int = DEFAULT_THREADS,
                     tls=None):
    """A bound server (not yet serving); `.effective_port`, `.run()`, `.close()`.

    `tls` (a TlsFiles or {"ca", "cert", "key"}): HTTPS that demands a client certificate.
    `threads` is kept for callers; every connection has a thread of its own.
    """
    files = TlsFiles.of(tls)
    if files is not None:
        from .tls_server import TlsWsgiServer

        return TlsWsgiServer(app, host, port, files)
    return PlainWsgiServer(app, host, port)


class ServerThread:
    """A bound socket first, the app later: actors that must know each other's URLs can be
    created after every port is known (pass app=None, set `.app`, then start)."""

    def __init__(self, app=None, host: str = "127.0.0.1", port: int = 0,
                 threads: int = DEFAULT_THREADS, tls=None):
        self.app = app
        self.tls = TlsFiles.of(tls)
        self._server = make_wsgi_server(self._dispatch, host, port, threads, tls=self.tls)
        self.host = host
        self.port = self._server.effective_port
        self._thread = threading.Thread(target=self._run, name=f"wsgi-{self.port}", daemon=True)
        self._stopped = False

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    def _run(self):
        try:
            self._server.run()
        except (OSError, ValueError):
            pass  # closed under our feet by stop()

    @property
    def connections(self) -> int:
        """Connections accepted so far, also those whose TLS handshake then failed: that a peer
        came at all, whatever it made of the certificate."""
        return self._server.accepted

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket, every open connection and their threads.

        Closing only the listening socket is not enough: the peers' keep-alive connections keep
        their threads parked until they time out, so a process that starts fresh actors again
        and again (the conformance suite, the tests) would slow down until calls time out.
        """
        if self._stopped:
            return
        self._stopped = True
        self._server.close()  # wakes its loop, ends its connections
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
