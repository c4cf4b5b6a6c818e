"""A requests.Session that reads the proxy environment once per host instead of on every call.

requests scans every environment variable for proxy settings on each request; with a few dozen
variables that costs about a millisecond of CPU per call, a tenth of an exchange's budget. The
environment does not change while an actor runs, so the answer per scheme and host is kept for
the whole process: actors hold one session per thread, and each new thread would otherwise pay
again.

`Session(tls=...)` presents an actor's client certificate and trusts only the test CA
(`actor_kit.tls`); without it requests' defaults hold.
"""
from __future__ import annotations

import http.client
import select
import socket
import threading
from urllib.parse import urlsplit

import requests

from .tls import apply_to_session

_cache: dict = {}
_lock = threading.Lock()


class Session(requests.Session):
    def __init__(self, tls=None):
        super().__init__()
        apply_to_session(self, tls)

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        if verify is None and self.verify is not True:
            # requests lets REQUESTS_CA_BUNDLE override the session's own CA (or verify=False);
            # a session told to trust only the test CA must keep doing so
            verify = self.verify
        if proxies or self.proxies or not self.trust_env:
            # per-call or per-session proxies, or no environment: let requests merge as usual
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, stream, verify, cert, self.stream, self.verify, self.cert)
        with _lock:
            found = _cache.get(key)
        if found is None:
            found = super().merge_environment_settings(url, proxies, stream, verify, cert)
            with _lock:
                _cache[key] = found
        return {**found, "proxies": dict(found["proxies"])}


def forget_environment() -> None:
    """Read the environment afresh on the next call (after a test changed it)."""
    with _lock:
        _cache.clear()


# --- plain HTTP without requests ---------------------------------------------------------------
#
# An actor's SOAP calls to its peers are a dozen POSTs per exchange over loopback. requests
# spends about half a millisecond of CPU on each (hooks, cookies, adapters, urllib3's pool and
# URL parsing), three times what http.client needs for the same call; a keep-alive
# HTTPConnection per thread and peer does the same work. Only plain HTTP to a peer that no
# proxy of the environment stands in front of goes this way: TLS (certificates, trust store)
# and proxies stay with requests.

def _transport_replaced() -> bool:
    # requests' transport replaced from outside (a test double such as `responses`, a recorder)
    # must keep seeing every call, so then everything goes through requests
    return getattr(requests.adapters.HTTPAdapter.send, "__module__", None) != "requests.adapters"


def direct(url: str) -> bool:
    """True when `url` is plain HTTP, the environment names no proxy for it and requests'
    transport is its own."""
    if _transport_replaced():
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is no number raises here, not in post()
    except ValueError:
        return False  # requests names the fault in the URL
    if parts.scheme != "http" or not parts.hostname:
        return False
    key = ("direct", parts.netloc)
    with _lock:
        found = _cache.get(key)
    if found is None:
        proxies = requests.utils.get_environ_proxies(url, no_proxy=None)
        found = requests.utils.select_proxy(url, proxies) is None
        with _lock:
            _cache[key] = found
    return found


def _dropped(sock: socket.socket) -> bool:
    """An idle keep-alive socket the peer closed (or wrote to unasked) reads as ready."""
    try:
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class PlainAnswer:
    """The status, headers and body stream of one answer over a KeepAlive connection."""

    def __init__(self, resp: http.client.HTTPResponse, conn: http.client.HTTPConnection):
        self.status_code = resp.status
        self._resp = resp
        self._conn = conn

    def header(self, name: str) -> str | None:
        return self._resp.getheader(name)

    def read1(self, size: int) -> bytes:
        resp = self._resp
        try:
            if resp.length == 0:
                # read1 at the end of a body with a length returns b"" without finishing the
                # response, and the connection would refuse the next request; read() finishes it
                return resp.read()
            return resp.read1(size)
        except socket.timeout as exc:
            self.close()
            raise requests.ReadTimeout(exc) from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise requests.ConnectionError(exc) from None

    def close(self) -> None:
        """Drop the connection: an answer not read to its end leaves it unusable."""
        self._conn.close()


class KeepAlive:
    """POST over one keep-alive http.client connection per thread and host, for `direct` URLs.

    Failures are raised as requests' exceptions (ConnectTimeout, ReadTimeout, ConnectionError),
    so a caller handles both paths alike; as with requests, a call is never sent twice.
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._local = threading.local()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> PlainAnswer:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conns = self._local.__dict__.setdefault("conns", {})
        key = (parts.hostname, parts.port or 80)
        conn = conns.get(key)
        if conn is None:
            conn = conns[key] = http.client.HTTPConnection(key[0], key[1], timeout=self.timeout)
        elif conn.sock is not None and _dropped(conn.sock):
            conn.close()
        if conn.sock is None:
            try:
                conn.connect()
            except socket.timeout as exc:
                conn.close()
                raise requests.ConnectTimeout(exc) from None
            except OSError as exc:
                conn.close()
                raise requests.ConnectionError(exc) from None
        try:
            conn.request("POST", target, body=body, headers=headers)
            resp = conn.getresponse()
        except socket.timeout as exc:
            conn.close()
            raise requests.ReadTimeout(exc) from None
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise requests.ConnectionError(exc) from None
        return PlainAnswer(resp, conn)
