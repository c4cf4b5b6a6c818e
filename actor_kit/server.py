"""Run a WSGI app on a real loopback socket in a background thread (threaded server)."""
from __future__ import annotations

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    """The message log records every SOAP call; a line per request on stderr is only noise.

    HTTP/1.1 keeps connections alive between the actors' keep-alive sessions: without it every
    call pays a new TCP connection and a new server thread.
    """

    protocol_version = "HTTP/1.1"

    def log_request(self, *args, **kwargs):
        pass


class ServerThread:
    """A bound socket first, the app later: actors that must know each other's URLs can be
    created after every port is known (pass app=None, set `.app`, then start)."""

    def __init__(self, app=None, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        self._server = make_server(host, port, self._dispatch, threaded=True,
                                   request_handler=QuietHandler)
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=f"wsgi-{self.port}", daemon=True)

    def _dispatch(self, environ, start_response):
        return self.app(environ, start_response)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "ServerThread":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
