"""The actors' HTTP/1.1 server: a thread per connection, keep-alive, WSGI.

Every exchange is some eighteen HTTP requests between the actors and the harness, most of them
small SOAP messages. waitress spent about 170 us of CPU on each: its select loop walks every open
channel two or three times a request and hands each answer from the request thread to the loop
through a pipe. Here the connection's own thread reads the request, runs the app and writes the
answer with one send, for about a fifth of that. A peer holds one keep-alive connection per
thread of its own (actor_kit.soap_client), so connections, and with them threads, stay few.

What a request may be is bounded as waitress bounded it: request line and headers (64 KiB a line,
256 KiB in all), a declared body of at most 1 GiB, no Content-Length together with chunked, no
header names with underscores (they would pass for their hyphenated twins), proxy headers
(X-Forwarded-*, Forwarded) dropped since no proxy is trusted. An idle connection is closed after
IDLE_TIMEOUT, as waitress's channel_timeout did, and at most CONNECTION_LIMIT are served at once.

`ThreadedWsgiServer` also carries actor_kit.tls_server: stopping closes the listening socket and
every open connection, so a process that starts fresh actors again and again keeps no threads or
sockets behind.
"""
from __future__ import annotations

import logging
import re
import selectors
import socket
import socketserver
import sys
import threading
import time
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

log = logging.getLogger(__name__)

IDLE_TIMEOUT = 120.0           # seconds a keep-alive connection may sit idle, or a read may wait
JOIN_SECONDS = 5.0             # how long close() waits for connection threads, all together
CONNECTION_LIMIT = 1000        # see actor_kit.server: peers keep one connection per thread
MAX_LINE = 65536               # request line or one header line
MAX_HEADER_BYTES = 262144      # all header lines together (waitress's max_request_header_size)
MAX_BODY = 1024 ** 3           # a declared or chunked body (waitress's max_request_body_size)
MAX_DRAIN = 1 << 20            # an unread request body up to this size is skipped to keep the connection
SERVER_NAME = "oso-sim"
UNTRUSTED = frozenset({"HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO",
                       "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_BY", "HTTP_FORWARDED"})
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_NO_BODY = {204, 304}
_REASONS = {400: "Bad Request", 413: "Request Entity Too Large", 414: "Request-URI Too Long",
            431: "Request Header Fields Too Large", 500: "Internal Server Error",
            501: "Not Implemented", 505: "HTTP Version Not Supported"}


class BadRequest(Exception):
    def __init__(self, status: int, text: str = ""):
        super().__init__(text)
        self.status = status
        self.text = text or _REASONS.get(status, "Bad Request")


class Body:
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


class ChunkedBody:
    """wsgi.input for a chunked request body, decoded; EOF at the last chunk."""

    def __init__(self, rfile):
        self._rfile = rfile
        self._chunk = 0        # bytes left in the current chunk
        self._done = False
        self._total = 0
        self.left = 1          # not yet read to its end (what the connection asks before reuse)

    def _next_chunk(self) -> None:
        line = self._rfile.readline(MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise ValueError("chunk size line too long or cut off")
        size = line.split(b";", 1)[0].strip()
        if not size or not all(c in b"0123456789abcdefABCDEF" for c in size):
            raise ValueError("invalid chunk size")
        self._chunk = int(size, 16)
        self._total += self._chunk
        if self._total > MAX_BODY:
            raise ValueError("chunked body too large")
        if self._chunk == 0:
            while True:  # trailers, up to the empty line
                trailer = self._rfile.readline(MAX_LINE + 1)
                if trailer in (b"\r\n", b"\n", b""):
                    break
            self._done = True
            self.left = 0

    def read(self, size=-1) -> bytes:
        out = []
        while not self._done and (size is None or size < 0 or size > 0):
            if self._chunk == 0:
                self._next_chunk()
                continue
            n = self._chunk if size is None or size < 0 else min(size, self._chunk)
            data = self._rfile.read(n)
            if not data:
                raise ValueError("chunked body cut off")
            self._chunk -= len(data)
            if size is not None and size >= 0:
                size -= len(data)
            out.append(data)
            if self._chunk == 0:
                self._rfile.readline(3)  # the CRLF after the chunk's data
        return b"".join(out)

    def readline(self, size=-1) -> bytes:
        out = []
        while True:
            ch = self.read(1)
            out.append(ch)
            if not ch or ch == b"\n" or (size is not None and 0 <= size <= len(out)):
                return b"".join(out)

    def readlines(self, hint=-1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self):
        return iter(self.readline, b"")


_date = [0, ""]


def _http_date() -> str:
    """The Date header's value, made once a second rather than once an answer."""
    now = int(time.time())
    if _date[0] != now:
        _date[1] = formatdate(now, usegmt=True)
        _date[0] = now
    return _date[1]


def _status_line(version: str, status: int) -> bytes:
    return f"{version} {status} {_REASONS.get(status, 'Error')}\r\n".encode("latin-1")


def _plain_error(conn, status: int, text: str) -> None:
    body = f"{_REASONS.get(status, 'Error')}\r\n\r\n{text}".encode("utf-8", "replace")
    head = (_status_line("HTTP/1.1", status)
            + b"Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\nDate: {_http_date()}\r\n"
              f"Server: {SERVER_NAME}\r\n\r\n".encode("latin-1"))
    try:
        conn.sendall(head + body)
    except OSError:
        pass


class _Connection:
    """One client connection: requests one after the other until either side closes it."""

    def __init__(self, server: "PlainWsgiServer", conn: socket.socket, address):
        self.server = server
        self.conn = conn
        self.address = address
        self.rfile = conn.makefile("rb", buffering=65536)

    def serve(self) -> None:
        try:
            while not self.server.closing and self.one():
                pass
        except (OSError, ValueError):
            pass  # idle timeout, reset, or cut by close()
        finally:
            self.rfile.close()

    # --- reading -------------------------------------------------------------------------------

    def _line(self, limit_status: int) -> bytes:
        line = self.rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise BadRequest(limit_status)
        return line

    def _read_head(self):
        line = self._line(414)
        while line in (b"\r\n", b"\n"):  # an empty line before a request is to be ignored
            line = self._line(414)
        if not line:
            return None
        parts = line.split()
        if len(parts) != 3:
            raise BadRequest(400, "Malformed request line")
        method, target, version = parts
        if not _TOKEN.fullmatch(method):
            raise BadRequest(400, "Malformed request line")
        if version not in (b"HTTP/1.1", b"HTTP/1.0"):
            raise BadRequest(505 if version.startswith(b"HTTP/") else 400)
        headers: list[tuple[bytes, bytes]] = []
        total = 0
        readline = self.rfile.readline
        while True:
            h = readline(MAX_LINE + 1)
            total += len(h)
            if total > MAX_HEADER_BYTES or len(h) > MAX_LINE:
                raise BadRequest(431)
            if h in (b"\r\n", b"\n"):
                break
            if not h:
                raise BadRequest(400, "Incomplete request")
            if h[:1] in (b" ", b"\t"):
                raise BadRequest(400, "Folded header lines are not accepted")
            name, colon, value = h.partition(b":")
            if not colon or not _TOKEN.fullmatch(name):
                raise BadRequest(400, "Malformed header")
            headers.append((name, value.strip(b" \t\r\n")))
        return method.decode("ascii"), target.decode("latin-1"), version.decode("ascii"), headers

    def _environ(self, method: str, target: str, version: str, headers) -> dict:
        server = self.server
        if not target.startswith("/"):
            if "://" in target:  # absolute-form: the path is what counts
                rest = target.split("://", 1)[1]
                target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
            elif target != "*":
                raise BadRequest(400, "Malformed request target")
        path, _, query = target.partition("?")
        environ = {
            "REQUEST_METHOD": method, "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"), "QUERY_STRING": query,
            "SERVER_NAME": server.host, "SERVER_PORT": str(server.effective_port),
            "SERVER_PROTOCOL": version, "SERVER_SOFTWARE": SERVER_NAME,
            "REMOTE_ADDR": self.address[0], "REMOTE_HOST": self.address[0],
            "REMOTE_PORT": str(self.address[1]),
            "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
            "wsgi.input_terminated": True,
        }
        for raw_name, raw_value in headers:
            name = raw_name.decode("latin-1").upper()
            if "_" in name:
                continue  # would pass for the hyphenated header of the same name
            key = name.replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            if key in UNTRUSTED:
                continue
            value = raw_value.decode("latin-1")
            environ[key] = f"{environ[key]}, {value}" if key in environ else value
        return environ

    # --- one request ---------------------------------------------------------------------------

    def one(self) -> bool:
        """Serve one request; whether the connection stays open for the next."""
        try:
            head = self._read_head()
            if head is None:
                return False
            method, target, version, headers = head
            environ = self._environ(method, target, version, headers)
            body = self._body(environ, version)
        except BadRequest as exc:
            _plain_error(self.conn, exc.status, exc.text)
            return False
        connection = environ.get("HTTP_CONNECTION", "").lower()
        if version == "HTTP/1.1":
            keep = "close" not in connection
        else:
            keep = "keep-alive" in connection
        environ["wsgi.input"] = body
        if version == "HTTP/1.1" and environ.get("HTTP_EXPECT", "").lower() == "100-continue":
            self.conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        complete = self._respond(environ, method, version, keep)
        if not complete:
            return False
        keep = keep and not self.server.closing
        if keep and body.left:
            if isinstance(body, ChunkedBody) or body.left > MAX_DRAIN:
                return False
            while body.left and body.read(65536):
                pass
        return keep

    def _body(self, environ: dict, version: str):
        te = environ.get("HTTP_TRANSFER_ENCODING")
        length = environ.get("CONTENT_LENGTH")
        if te is not None:
            if length is not None:
                raise BadRequest(400, "Content-Length and Transfer-Encoding together")
            if te.lower() != "chunked" or version != "HTTP/1.1":
                raise BadRequest(501, "Only the chunked transfer coding is supported")
            return ChunkedBody(self.rfile)
        if length is None or length == "":
            return Body(self.rfile, 0)
        if not length.isdigit():
            raise BadRequest(400, "Invalid Content-Length")
        n = int(length)
        if n > MAX_BODY:
            raise BadRequest(413)
        return Body(self.rfile, n)

    def _respond(self, environ, method: str, version: str, keep: bool) -> bool:
        """Run the app and send its answer; whether the answer went out whole."""
        state = {"status": None, "headers": None, "sent": False}

        def start_response(status, headers, exc_info=None):
            if exc_info:
                try:
                    if state["sent"]:
                        raise exc_info[1].with_traceback(exc_info[2])
                finally:
                    exc_info = None
            elif state["status"] is not None:
                raise AssertionError("start_response called a second time")
            state["status"], state["headers"] = status, list(headers)
            return write

        pending: list[bytes] = []

        def write(data: bytes) -> None:
            pending.append(data)

        try:
            result = self.server.app(environ, start_response)
        except Exception:
            log.exception("WSGI app failed on %s %s", method, environ.get("PATH_INFO"))
            _plain_error(self.conn, 500, "The server encountered an unexpected internal error.")
            return False
        try:
            return self._send(result, state, pending, method, version, keep)
        except (OSError, ValueError):
            return False  # the peer went away mid-answer
        except Exception:
            log.exception("WSGI app failed on %s %s", method, environ.get("PATH_INFO"))
            if not state["sent"]:
                _plain_error(self.conn, 500, "The server encountered an unexpected internal error.")
            return False
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    log.exception("closing the answer of %s failed", environ.get("PATH_INFO"))

    def _send(self, result, state, pending, method, version, keep) -> bool:
        conn = self.conn
        chunks = iter(result)
        first = b"".join(pending)
        for piece in chunks:
            if piece:
                first += piece
                break
        if state["status"] is None:
            raise AssertionError("the app did not call start_response")
        code = int(state["status"][:3])
        headers = state["headers"]
        names = {name.lower() for name, _ in headers}
        bodyless = method == "HEAD" or code in _NO_BODY or code < 200
        declared = next((int(v) for n, v in headers if n.lower() == "content-length"), None)
        chunked = False
        lines = [f"{version} {state['status']}\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers]
        if "date" not in names:
            lines.append(f"Date: {_http_date()}\r\n")
        if "server" not in names:
            lines.append(f"Server: {SERVER_NAME}\r\n")
        if declared is None and not bodyless:
            if version == "HTTP/1.1" and keep:
                chunked = True
                lines.append("Transfer-Encoding: chunked\r\n")
            else:
                keep = False
        if not keep:
            lines.append("Connection: close\r\n")
        elif version == "HTTP/1.0":
            lines.append("Connection: Keep-Alive\r\n")
        head = "".join(lines).encode("latin-1") + b"\r\n"
        sent = 0
        if bodyless:
            conn.sendall(head)
            state["sent"] = True
            return keep

        def frame(data: bytes) -> bytes:
            return b"%x\r\n%s\r\n" % (len(data), data) if chunked else data

        if declared is not None and len(first) > declared:
            first = first[:declared]
        conn.sendall(head + (frame(first) if first else b""))
        state["sent"] = True
        sent += len(first)
        for piece in chunks:
            if not piece:
                continue
            if declared is not None:
                piece = piece[:declared - sent]
                if not piece:
                    break
            conn.sendall(frame(piece))
            sent += len(piece)
        if chunked:
            conn.sendall(b"0\r\n\r\n")
            return keep
        # a connection may carry the next request only when the whole declared answer went out
        return keep and (declared is None or sent == declared)


class ThreadedWsgiServer(socketserver.ThreadingTCPServer):
    """A bound server, a thread per connection; `.effective_port`, `.run()`, `.close()` as
    waitress's. Subclasses say how one accepted connection is served (`serve_connection`)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    block_on_close = False  # close() ends the connections itself, then joins briefly

    def __init__(self, app, host: str, port: int):
        self.app = app
        self.host = host
        super().__init__((host, port), socketserver.BaseRequestHandler)  # binds now
        self.effective_port = self.server_address[1]
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._closing = False
        self.accepted = 0       # connections accepted so far, a TLS one before its handshake
        self._loop_done = threading.Event()
        self._loop_done.set()
        self._wake_r, self._wake_w = socket.socketpair()

    @property
    def closing(self) -> bool:
        return self._closing

    # --- connections -------------------------------------------------------------------------

    def process_request(self, request, client_address):
        # registered here, in the accept loop, so close() knows every thread it must wait for
        thread = threading.Thread(target=self.process_request_thread,
                                  args=(request, client_address), daemon=True,
                                  name=f"http-{self.effective_port}")
        with self._lock:
            self.accepted += 1
            if self._closing or len(self._open) >= CONNECTION_LIMIT:
                self.shutdown_request(request)
                return
            self._workers = {t for t in self._workers if t.is_alive()}
            self._workers.add(thread)
            self._open.add(request)
        thread.start()

    def finish_request(self, request, client_address):
        try:
            self.serve_connection(request, client_address)
        finally:
            with self._lock:
                self._open.discard(request)
            request.close()

    def serve_connection(self, request, client_address) -> None:
        raise NotImplementedError

    def track(self, old, new) -> bool:
        """Replace `old` by `new` among the open connections; False when closing already."""
        with self._lock:
            self._open.discard(old)
            if self._closing:
                return False
            self._open.add(new)
            return True

    def untrack(self, conn) -> None:
        with self._lock:
            self._open.discard(conn)

    def shutdown_request(self, request):
        try:
            request.close()
        except OSError:
            pass

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
                # on the plain socket: a TLS object belongs to the thread that reads from it
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


class PlainWsgiServer(ThreadedWsgiServer):
    """Plain HTTP/1.1 with keep-alive (see the module's docstring)."""

    def serve_connection(self, request, client_address) -> None:
        request.settimeout(IDLE_TIMEOUT)
        # a small answer must not wait for the client's delayed ACK (tens of milliseconds)
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _Connection(self, request, client_address).serve()
