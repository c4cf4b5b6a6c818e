"""The inbound SOAP endpoint of an actor, as a plain WSGI application in front of its Flask app.

Order of work for every POST, so a bad message never touches state: Content-Type (text/xml, else
415) -> size limit -> shape bounds and safe parse -> envelope and schema check (codec.decode) ->
the actor's handler -> response or SOAP Fault. Both the request and the answer go to the message
log, whatever happened (a refused message over 64 KiB only with its start).

GET and POST on the SOAP path never enter Flask: a dozen calls make one exchange, and Flask's
request context, routing and the pages' before/after hooks (CSRF, token, text limits) cost each
call more than the message log does, for checks the endpoint does not need. The endpoint keeps
what those hooks gave it: the pages' security headers and the app context (`current_app`). A
handler finds the caller's environ (its verified certificate under TLS) through
`identity.current_environ()` and runs work after the answer went out with `after_answer`. Other
methods (HEAD, OPTIONS, PUT, ...) reach the same endpoint through Flask, with Flask's answers.
"""
from __future__ import annotations

import contextvars
import ctypes
import functools
import logging
import time
from typing import Callable, Protocol

from flask import Blueprint, Flask
from werkzeug.exceptions import InternalServerError
from werkzeug.http import HTTP_STATUS_CODES, parse_options_header
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_content_length, get_current_url, get_input_stream

from oso_protocol.diagnosis.refusal import explained
from oso_protocol.transport import codec, faults, messages, wsdl
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import Message

from . import identity
from .inbox import ENDPOINT, VERWERKING, RefusedInbox, diagnosis_of
from .messagelog import MessageLog
from .web import SECURITY_HEADERS

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
TRIM_ABOVE_BYTES = 1024 * 1024
REFUSED_LOG_BYTES = 64 * 1024


def _malloc_trim():
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to hand back this way
        return None


_TRIM = _malloc_trim()


def _give_memory_back() -> None:
    """Hand freed heap back to the system after a large message.

    glibc keeps what a request thread freed in that thread's arena; with a few dozen request
    threads each holding on to the copies of one multi-megabyte message, a burst of them leaves
    the process hundreds of megabytes larger for good.
    """
    if _TRIM is not None:
        _TRIM(0)


def _as_logged(refused: bytes) -> bytes:
    """A refused message as the log keeps it: whole up to a limit, else its start.

    The log writes every message in full, and each copy of a multi-megabyte message costs the
    request thread memory that glibc keeps; a refused message's first kilobytes say what it was.
    """
    if len(refused) <= REFUSED_LOG_BYTES:
        return refused
    return (refused[:REFUSED_LOG_BYTES]
            + f"\n<!-- ingekort: {len(refused)} bytes, hier de eerste {REFUSED_LOG_BYTES} -->"
            .encode())


class Inbound:
    """What a handler knows about the call besides the message: who calls (`peer`) and the URL
    called (`url`, as Flask's request.base_url; worked out when a handler asks for it)."""

    __slots__ = ("peer", "_url", "_environ")

    def __init__(self, peer: str, url: str | None = None, *, environ=None):
        self.peer = peer
        self._url = url
        self._environ = environ

    @property
    def url(self) -> str:
        if self._url is None and self._environ is not None:
            self._url = get_current_url(self._environ, strip_querystring=True)
        return self._url

    def __repr__(self) -> str:
        return f"Inbound(peer={self.peer!r}, url={self.url!r})"


Handler = Callable[[Message, Inbound], Message]
RefusedFiling = Callable[[bytes], tuple[str | None, str | None]]


class Interceptor(Protocol):
    """Answers some calls before the endpoint looks at them (the TC's test switch "storing")."""

    @property
    def iets(self) -> bool:
        """Whether it may answer any call now; when not, the body is not read for it."""

    def answer(self, data: bytes) -> tuple[int, str, bytes] | None:
        """(status, Content-Type, body) to answer the call with, or None to let it through."""


# callbacks to run once the answer of the SOAP call being handled in this context has gone out
_after: contextvars.ContextVar[list | None] = contextvars.ContextVar("oso_sim_after_answer",
                                                                    default=None)


def after_answer(job: Callable[[], object]) -> None:
    """Run `job` after the answer of the SOAP call being handled has been sent."""
    jobs = _after.get()
    if jobs is None:
        raise RuntimeError("after_answer werkt alleen tijdens een SOAP-aanroep")
    jobs.append(job)


def _status(code: int) -> str:
    # as werkzeug writes it, so a peer sees the same status line as from the Flask pages
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


class _Answer:
    """The response body; runs the call's after-answer jobs when the server closes it."""

    def __init__(self, body: bytes, jobs: list):
        self._body = body
        self._jobs = jobs

    def __iter__(self):
        yield self._body

    def close(self) -> None:
        self._body = b""
        for job in self._jobs:
            try:
                job()
            except Exception:  # the answer went out; a failing job must not hide the others
                log.exception("job after the SOAP answer failed")


@functools.lru_cache(maxsize=64)
def _mimetype(content_type: str) -> str:
    # as Flask's request.mimetype; callers send the same one or two Content-Types again and again
    return parse_options_header(content_type)[0].lower()


class _Call:
    """What the endpoint reads of a POST, as Flask's request gives it, from the environ itself:
    werkzeug's Request costs more than the endpoint's own work on a small message."""

    __slots__ = ("environ", "content_length", "mimetype", "_stream")

    def __init__(self, environ):
        self.environ = environ
        self.content_length = get_content_length(environ)
        self.mimetype = _mimetype(environ.get("CONTENT_TYPE", ""))
        self._stream = None

    @property
    def stream(self):
        if self._stream is None:
            self._stream = get_input_stream(self.environ)
        return self._stream


def _read_limited(req: _Call, max_bytes: int) -> bytes | None:
    """The request body, or None when it is over the limit (without reading it all)."""
    length = req.content_length
    if length is not None and length > max_bytes:
        return None
    data = req.stream.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


class SoapEndpoint:
    """POST `path` (SOAP) and GET `path`?wsdl for `role` (tc|las|swv), as a WSGI application.

    `file_refused(data) -> (koppelsleutel, sender)`: for a message that could not be decoded (a
    SOAP Fault posted to us among them), which koppelsleutel its log rows go under and who sent
    it, as the actor can tell. Without it the koppelsleutel is taken from the XML, whoever
    wrote it there.

    `inbox`: where every refused call goes with its diagnosis (actor_kit.inbox).
    `interceptor`: answers calls before anything else looks at them (see Interceptor)."""

    def __init__(self, app: Flask, *, role: str, path: str, handlers: dict[str, Handler],
                 messagelog: MessageLog, ns: str, max_bytes: int = DEFAULT_MAX_BYTES,
                 file_refused: RefusedFiling | None = None, inbox: RefusedInbox | None = None,
                 interceptor: Interceptor | None = None):
        self.app = app
        self.role = role
        self.path = path
        self.handlers = handlers
        self.messagelog = messagelog
        self.ns = ns
        self.max_bytes = max_bytes
        self.file_refused = file_refused
        self.inbox = inbox
        self.interceptor = interceptor
        # the diagnosis knows the 20200910 namespace only: an actor run under another one
        # would have every message called the wrong version
        self.names_versions = ns == messages.NS_20200910

    # --- WSGI ----------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        jobs: list = []
        try:
            if environ.get("REQUEST_METHOD") == "POST":
                status, content_type, body, extra = self._call(environ, jobs)
            else:
                status, content_type, body, extra = self._get(Request(environ))
        except Exception:  # as Flask answers a failing view: a 500 page, the cause in the log
            log.exception("SOAP endpoint failed on %s", environ.get("PATH_INFO"))
            return InternalServerError()(environ, start_response)
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra,
                   *SECURITY_HEADERS.items()]
        start_response(_status(status), headers)
        return _Answer(body, jobs)

    def _call(self, environ, jobs: list):
        token_after = _after.set(jobs)
        token_environ = identity.serving(environ)
        try:
            with self.app.app_context():
                return self._post(_Call(environ), jobs)
        finally:
            identity.served(token_environ)
            _after.reset(token_after)

    def _get(self, req: Request):
        if "wsdl" not in {k.lower() for k in req.args}:
            return (405, "text/plain; charset=utf-8",
                    "Dit is een SOAP-endpoint; vraag ?wsdl voor de beschrijving.\n".encode(),
                    [("Allow", "POST")])
        return (200, "text/xml; charset=utf-8",
                wsdl.wsdl_text(self.role, req.base_url, ns=self.ns).encode("utf-8"), [])

    # --- POST ----------------------------------------------------------------------------------

    def keep_refused(self, stage, fault, data, status, *, peer, operation=None, element=None,
                     unread=None, diagnosis=None):
        if self.inbox is None:
            return
        try:
            self.inbox.record(stage=stage, fault=fault, peer=peer, data=data, http_status=status,
                              diagnosis=diagnosis or diagnosis_of(data, unread=unread),
                              operation=operation, element=element)
        except Exception:  # the refusal must still be answered when the inbox cannot keep it
            log.exception("could not keep refused call in the inbox")

    def reply(self, body: bytes, status: int, *, operation, element, peer, outcome, started,
              koppelsleutel=None, sessie_id=None, sniff=True):
        self.messagelog.record("out", side="server", operation=operation, element=element,
                               peer=peer, xml=body, outcome=outcome, http_status=status,
                               duration_ms=(time.perf_counter() - started) * 1000,
                               koppelsleutel=koppelsleutel, sessie_id=sessie_id, sniff=sniff)
        return status, codec.CONTENT_TYPE, body, ()

    def _post(self, req: _Call, jobs: list):
        started = time.perf_counter()
        ns, max_bytes, messagelog = self.ns, self.max_bytes, self.messagelog
        environ = req.environ
        peer = environ.get("HTTP_X_OSO_PEER") or environ.get("REMOTE_ADDR") or "?"
        raw = None
        interceptor = self.interceptor
        if interceptor is not None and interceptor.iets and (
                req.content_length is None or req.content_length <= max_bytes):
            # declared over the limit it is refused as too large, whatever the interceptor says
            raw = req.stream.read(max_bytes + 1)
            answer = interceptor.answer(raw)
            if answer is not None:
                return *answer, ()
        if req.mimetype != "text/xml":
            # SOAP 1.1 travels as text/xml, which a browser cannot send to another site without
            # a CORS preflight; text/plain or a form post from a web page never gets this far
            fault = OsoFault(faults.ONGELDIG_BERICHT,
                             f"Content-Type {req.mimetype or '(geen)'} wordt niet aangenomen;"
                             " SOAP 1.1 gaat als text/xml.")
            messagelog.record("in", side="server", operation=None, peer=peer, xml=b"",
                              outcome=fault.resultaat, http_status=None)
            self.keep_refused(ENDPOINT, fault, None, 415, peer=peer, unread=fault.omschrijving)
            return self.reply(codec.encode_fault(fault, ns=ns), 415, operation=None,
                              element="Fault", peer=peer, outcome=fault.resultaat, started=started)
        if raw is None:
            data = _read_limited(req, max_bytes)
        else:
            data = raw if len(raw) <= max_bytes else None
        if data is not None and len(data) > TRIM_ABOVE_BYTES:
            jobs.append(_give_memory_back)  # after the answer let go of the message
        if data is None:
            fault = OsoFault(faults.BERICHT_TE_GROOT,
                             f"Het bericht is groter dan de grens van {max_bytes} bytes.")
            messagelog.record("in", side="server", operation=None, peer=peer, xml=b"",
                              outcome=fault.resultaat, http_status=None)
            self.keep_refused(ENDPOINT, fault, None, codec.HTTP_STATUS_FAULT, peer=peer,
                              unread=fault.omschrijving)
            return self.reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                              operation=None, element="Fault", peer=peer,
                              outcome=fault.resultaat, started=started)
        try:
            message = codec.decode(data, ns=ns, max_bytes=max_bytes)
        except OsoFault as fault:
            # the operation meant, from a cheap scan: only a message that was not decoded
            # needs one
            operation = codec.peek_operation(data)
            diagnosis = diagnosis_of(data)
            if self.names_versions and not fault.received:
                # the same result code, with the version found and expected in front of the
                # schema line: docs/protocol-assumptions.md rows 14-16
                fault = OsoFault(fault.resultaat, explained(fault.omschrijving, diagnosis),
                                 faultcode=fault.faultcode)
            koppel, sniff = None, self.file_refused is None
            if self.file_refused is not None:
                koppel, sender = self.file_refused(data)
                peer = sender or peer
            self.keep_refused(ENDPOINT, fault, data, codec.HTTP_STATUS_FAULT, peer=peer,
                              operation=operation, diagnosis=diagnosis)
            messagelog.record("in", side="server", operation=operation, peer=peer,
                              xml=_as_logged(data), outcome=fault.resultaat,
                              koppelsleutel=koppel, sniff=sniff)
            return self.reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                              operation=operation, element="Fault", peer=peer,
                              outcome=fault.resultaat, started=started, koppelsleutel=koppel,
                              sniff=sniff)
        operation = message.OPERATION
        koppel = getattr(message, "koppelsleutel", None)
        sessie = getattr(message, "sessieId", None)
        handler = self.handlers.get(operation)
        sniff = True
        if handler is None and self.file_refused is not None:
            # a message that is no call of ours (an answer, another actor's operation) is filed
            # like an undecodable one: its koppelsleutel is the sender's word only
            (koppel, sender), sessie, sniff = self.file_refused(data), None, False
            peer = sender or peer
        messagelog.record("in", side="server", operation=operation, element=message.ELEMENT,
                          peer=peer, xml=data, outcome="ontvangen", koppelsleutel=koppel,
                          sessie_id=sessie, sniff=sniff)
        try:
            if handler is None:
                raise OsoFault(faults.ONBEKENDE_OPERATIE,
                               f"Operatie {operation} wordt op dit endpoint niet aangeboden.")
            answer = handler(message, Inbound(peer, environ=environ))
        except OsoFault as fault:
            self.keep_refused(VERWERKING, fault, data, codec.HTTP_STATUS_FAULT, peer=peer,
                              operation=operation, element=message.ELEMENT)
            return self.reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                              operation=operation, element="Fault", peer=peer,
                              outcome=fault.resultaat, started=started,
                              koppelsleutel=koppel, sessie_id=sessie, sniff=sniff)
        except Exception:  # a bug of ours must still answer as SOAP, and say it is ours
            log.exception("handler for %s failed", operation)
            fault = OsoFault(faults.INTERNE_FOUT, "Interne fout bij het verwerken van het bericht.")
            return self.reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                              operation=operation, element="Fault", peer=peer,
                              outcome=fault.resultaat, started=started,
                              koppelsleutel=koppel, sessie_id=sessie)
        body = codec.encode(answer, ns=ns)
        outcome = getattr(answer, "resultaat", None) or "ok"
        return self.reply(body, 200, operation=operation, element=answer.ELEMENT, peer=peer,
                          outcome=outcome, started=started,
                          koppelsleutel=getattr(answer, "koppelsleutel", None) or koppel,
                          sessie_id=getattr(answer, "sessieId", None) or sessie)


class _Front:
    """The app's WSGI entry: GET and POST on the SOAP path to the endpoint, the rest to Flask."""

    def __init__(self, flask_wsgi, endpoint: SoapEndpoint):
        self.flask_wsgi = flask_wsgi
        self.endpoint = endpoint

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == self.endpoint.path and \
                environ.get("REQUEST_METHOD") in ("POST", "GET"):
            return self.endpoint(environ, start_response)
        return self.flask_wsgi(environ, start_response)


def install_soap_endpoint(app: Flask, name: str, **kwargs) -> SoapEndpoint:
    """Serve the SOAP endpoint (SoapEndpoint's arguments) on `app`, in front of its Flask views."""
    endpoint = SoapEndpoint(app, **kwargs)
    app.wsgi_app = _Front(app.wsgi_app, endpoint)
    # the route stays known to Flask, so HEAD, OPTIONS and a wrong method get Flask's answers
    # (the app's 405 page among them); a view may return a WSGI application
    bp = Blueprint(name, __name__)
    bp.add_url_rule(endpoint.path, "soap", lambda: endpoint, methods=["GET", "POST"])
    app.register_blueprint(bp)
    app.extensions[f"{name}_endpoint"] = endpoint
    return endpoint
