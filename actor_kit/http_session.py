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
# URL parsing), and http.client still a third of that, most of it reading the answer's header
# lines through the email package. A POST and its answer are simple enough to do here, on one
# keep-alive connection per thread and peer. Only plain HTTP to a peer that no proxy of the
# environment stands in front of goes this way: TLS (certificates, trust store) and proxies stay
# with requests.

MAX_LINE = 65536          # the status line or one header line of an answer
MAX_HEADERS = 100         # as http.client: a peer sending more is broken or hostile

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


class _Connection:
    def __init__(self, host: str, port: int, timeout: float):
        self.sock = socket.create_connection((host, port), timeout)
        # a small call must not wait for the peer's delayed ACK (tens of milliseconds)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb", buffering=65536)
        name = f"[{host}]" if ":" in host else host  # an IPv6 address goes in brackets
        self.host = name if port == 80 else f"{name}:{port}"
        self.busy = False  # an answer not read to its end: the connection cannot carry another
        self.closed = False

    def close(self) -> None:
        self.closed = True
        try:
            self.rfile.close()
        finally:
            self.sock.close()


def _line(rfile) -> bytes:
    line = rfile.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise http.client.LineTooLong("header line")
    return line


class PlainAnswer:
    """The status, headers and body stream of one answer over a KeepAlive connection."""

    def __init__(self, conn: _Connection):
        self._conn = conn
        rfile = conn.rfile
        while True:
            status_line = _line(rfile)
            if not status_line:
                raise http.client.RemoteDisconnected("the peer closed the connection unanswered")
            version, _, rest = status_line.partition(b" ")
            code = rest[:3]
            if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
                raise http.client.BadStatusLine(repr(status_line[:80]))
            self.status_code = int(code)
            self.headers: dict[str, str] = {}
            for _ in range(MAX_HEADERS + 1):
                line = _line(rfile)
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                name, value = name.strip().lower(), value.strip()
                old = self.headers.get(name)
                self.headers[name] = value if old is None else f"{old}, {value}"
            else:
                raise http.client.HTTPException(f"more than {MAX_HEADERS} headers")
            if not 100 <= self.status_code < 200:
                break  # an interim answer (100 Continue) is followed by the real one
        connection = self.headers.get("connection", "").lower()
        self.will_close = "close" in connection or (
            version == b"HTTP/1.0" and "keep-alive" not in connection)
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        self._chunk = 0
        self.left: int | None = None  # bytes of the body still to come; None: up to the close
        if self.status_code in (204, 304):
            self.left = 0
        elif not self.chunked:
            length = self.headers.get("content-length", "")
            if length.isdigit():
                self.left = int(length)
            else:
                self.will_close = True
        conn.busy = True

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def read1(self, size: int) -> bytes:
        """Up to `size` bytes of the body, b"" at its end."""
        try:
            data = self._read1(size)
        except socket.timeout as exc:
            self.close()
            raise requests.ReadTimeout(exc) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:
            self.close()
            raise requests.ConnectionError(exc) from None
        if not data:
            self._conn.busy = False
            if self.will_close:
                self.close()
        return data

    def _read1(self, size: int) -> bytes:
        rfile = self._conn.rfile
        if self.chunked:
            if self._chunk == 0:
                line = _line(rfile)
                size_text = line.split(b";", 1)[0].strip()
                try:
                    self._chunk = int(size_text, 16)
                except ValueError:
                    raise http.client.IncompleteRead(b"") from None
                if self._chunk == 0:
                    while _line(rfile) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    self.chunked = False
                    self.left = 0
                    return b""
            data = rfile.read1(min(size, self._chunk))
            if not data:
                raise http.client.IncompleteRead(b"")
            self._chunk -= len(data)
            if self._chunk == 0:
                _line(rfile)  # the CRLF after the chunk's data
            return data
        if self.left is None:
            return rfile.read1(size)
        if self.left == 0:
            return b""
        data = rfile.read1(min(size, self.left))
        if not data:
            raise http.client.IncompleteRead(b"")
        self.left -= len(data)
        return data

    def close(self) -> None:
        """Drop the connection: an answer not read to its end leaves it unusable."""
        self._conn.close()


class KeepAlive:
    """POST over one keep-alive connection per thread and host, for `direct` URLs.

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
        if conn is not None and (conn.closed or conn.busy or _dropped(conn.sock)):
            conn.close()
            conn = None
        if conn is None:
            try:
                conn = _Connection(key[0], key[1], self.timeout)
            except socket.timeout as exc:
                raise requests.ConnectTimeout(exc) from None
            except OSError as exc:
                raise requests.ConnectionError(exc) from None
            conns[key] = conn
        head = [f"POST {target} HTTP/1.1\r\nHost: {conn.host}\r\nAccept-Encoding: identity\r\n"
                f"Content-Length: {len(body)}\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in headers.items()]
        head.append("\r\n")
        try:
            conn.sock.sendall("".join(head).encode("latin-1") + body)
            return PlainAnswer(conn)
        except socket.timeout as exc:
            conn.close()
            raise requests.ReadTimeout(exc) from None
        except (OSError, ValueError, http.client.HTTPException) as exc:
            conn.close()
            raise requests.ConnectionError(exc) from None
