"""The inbound SOAP endpoint of an actor, as a Flask blueprint.

Order of work for every POST, so a bad message never touches state: Content-Type (text/xml, else
415) -> size limit -> shape bounds and safe parse -> envelope and schema check (codec.decode) ->
the actor's handler -> response or SOAP Fault. Both the request and the answer go to the message
log, whatever happened (a refused message over 64 KiB only with its start).
"""
from __future__ import annotations

import ctypes
import logging
import time
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, Response, after_this_request, request

from oso_protocol.diagnosis.refusal import explained
from oso_protocol.transport import codec, faults, messages, wsdl
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import Message

from .inbox import ENDPOINT, VERWERKING, RefusedInbox, diagnosis_of
from .messagelog import MessageLog

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


def _trim_when_sent(resp: Response) -> Response:
    resp.call_on_close(_give_memory_back)  # after the view let go of the message
    return resp


@dataclass
class Inbound:
    """What a handler knows about the call besides the message."""

    peer: str
    url: str


Handler = Callable[[Message, Inbound], Message]


def _read_limited(max_bytes: int) -> bytes | None:
    """The request body, or None when it is over the limit (without reading it all)."""
    length = request.content_length
    if length is not None and length > max_bytes:
        return None
    data = request.stream.read(max_bytes + 1)
    return None if len(data) > max_bytes else data


RefusedFiling = Callable[[bytes], tuple[str | None, str | None]]


def soap_blueprint(name: str, *, role: str, path: str, handlers: dict[str, Handler],
                   messagelog: MessageLog, ns: str, max_bytes: int = DEFAULT_MAX_BYTES,
                   file_refused: RefusedFiling | None = None,
                   inbox: RefusedInbox | None = None) -> Blueprint:
    """A blueprint serving POST `path` (SOAP) and GET `path`?wsdl for `role` (tc|las|swv).

    `file_refused(data) -> (koppelsleutel, sender)`: for a message that could not be decoded (a
    SOAP Fault posted to us among them), which koppelsleutel its log rows go under and who sent
    it, as the actor can tell. Without it the koppelsleutel is taken from the XML, whoever
    wrote it there.

    `inbox`: where every refused call goes with its diagnosis (actor_kit.inbox)."""
    bp = Blueprint(name, __name__)
    # the diagnosis knows the 20200910 namespace only: an actor run under another one would have
    # every message called the wrong version
    names_versions = ns == messages.NS_20200910

    def keep_refused(stage, fault, data, status, *, peer, operation=None, element=None,
                     unread=None, diagnosis=None):
        if inbox is None:
            return
        try:
            inbox.record(stage=stage, fault=fault, peer=peer, data=data, http_status=status,
                         diagnosis=diagnosis or diagnosis_of(data, unread=unread),
                         operation=operation, element=element)
        except Exception:  # the refusal must still be answered when the inbox cannot keep it
            log.exception("could not keep refused call in the inbox")

    def reply(body: bytes, status: int, *, operation, element, peer, outcome, started,
              koppelsleutel=None, sessie_id=None, sniff=True) -> Response:
        messagelog.record("out", side="server", operation=operation, element=element, peer=peer, xml=body,
                          outcome=outcome, http_status=status,
                          duration_ms=(time.perf_counter() - started) * 1000,
                          koppelsleutel=koppelsleutel, sessie_id=sessie_id, sniff=sniff)
        return Response(body, status=status, content_type=codec.CONTENT_TYPE)

    @bp.get(path)
    def get_wsdl():
        if "wsdl" not in {k.lower() for k in request.args}:
            return Response("Dit is een SOAP-endpoint; vraag ?wsdl voor de beschrijving.\n",
                            status=405, content_type="text/plain; charset=utf-8",
                            headers={"Allow": "POST"})
        return Response(wsdl.wsdl_text(role, request.base_url, ns=ns),
                        content_type="text/xml; charset=utf-8")

    @bp.post(path)
    def post():
        started = time.perf_counter()
        peer = request.headers.get("X-OSO-Peer") or request.remote_addr or "?"
        if request.mimetype != "text/xml":
            # SOAP 1.1 travels as text/xml, which a browser cannot send to another site without
            # a CORS preflight; text/plain or a form post from a web page never gets this far
            fault = OsoFault(faults.ONGELDIG_BERICHT,
                             f"Content-Type {request.mimetype or '(geen)'} wordt niet aangenomen;"
                             " SOAP 1.1 gaat als text/xml.")
            messagelog.record("in", side="server", operation=None, peer=peer, xml=b"",
                              outcome=fault.resultaat, http_status=None)
            keep_refused(ENDPOINT, fault, None, 415, peer=peer, unread=fault.omschrijving)
            return reply(codec.encode_fault(fault, ns=ns), 415, operation=None, element="Fault",
                         peer=peer, outcome=fault.resultaat, started=started)
        data = _read_limited(max_bytes)
        if data is not None and len(data) > TRIM_ABOVE_BYTES:
            after_this_request(_trim_when_sent)
        if data is None:
            fault = OsoFault(faults.BERICHT_TE_GROOT,
                             f"Het bericht is groter dan de grens van {max_bytes} bytes.")
            messagelog.record("in", side="server", operation=None, peer=peer, xml=b"", outcome=fault.resultaat,
                              http_status=None)
            keep_refused(ENDPOINT, fault, None, codec.HTTP_STATUS_FAULT, peer=peer,
                         unread=fault.omschrijving)
            return reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                         operation=None, element="Fault", peer=peer, outcome=fault.resultaat,
                         started=started)
        operation = codec.peek_operation(data)
        try:
            message = codec.decode(data, ns=ns, max_bytes=max_bytes)
        except OsoFault as fault:
            diagnosis = diagnosis_of(data)
            if names_versions and not fault.received:
                # the same result code, with the version found and expected in front of the
                # schema line: docs/protocol-assumptions.md rows 14-16
                fault = OsoFault(fault.resultaat, explained(fault.omschrijving, diagnosis),
                                 faultcode=fault.faultcode)
            koppel, sniff = None, file_refused is None
            if file_refused is not None:
                koppel, sender = file_refused(data)
                peer = sender or peer
            keep_refused(ENDPOINT, fault, data, codec.HTTP_STATUS_FAULT, peer=peer,
                         operation=operation, diagnosis=diagnosis)
            messagelog.record("in", side="server", operation=operation, peer=peer,
                              xml=_as_logged(data), outcome=fault.resultaat,
                              koppelsleutel=koppel, sniff=sniff)
            return reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                         operation=operation, element="Fault", peer=peer,
                         outcome=fault.resultaat, started=started, koppelsleutel=koppel, sniff=sniff)
        operation = message.OPERATION
        koppel = getattr(message, "koppelsleutel", None)
        sessie = getattr(message, "sessieId", None)
        handler = handlers.get(operation)
        sniff = True
        if handler is None and file_refused is not None:
            # a message that is no call of ours (an answer, another actor's operation) is filed
            # like an undecodable one: its koppelsleutel is the sender's word only
            (koppel, sender), sessie, sniff = file_refused(data), None, False
            peer = sender or peer
        messagelog.record("in", side="server", operation=operation, element=message.ELEMENT, peer=peer,
                          xml=data, outcome="ontvangen", koppelsleutel=koppel, sessie_id=sessie, sniff=sniff)
        try:
            if handler is None:
                raise OsoFault(faults.ONBEKENDE_OPERATIE,
                               f"Operatie {operation} wordt op dit endpoint niet aangeboden.")
            answer = handler(message, Inbound(peer=peer, url=request.base_url))
        except OsoFault as fault:
            keep_refused(VERWERKING, fault, data, codec.HTTP_STATUS_FAULT, peer=peer,
                         operation=operation, element=message.ELEMENT)
            return reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                         operation=operation, element="Fault", peer=peer,
                         outcome=fault.resultaat, started=started,
                         koppelsleutel=koppel, sessie_id=sessie, sniff=sniff)
        except Exception:  # a bug of ours must still answer as SOAP, and say it is ours
            log.exception("handler for %s failed", operation)
            fault = OsoFault(faults.INTERNE_FOUT, "Interne fout bij het verwerken van het bericht.")
            return reply(codec.encode_fault(fault, ns=ns), codec.HTTP_STATUS_FAULT,
                         operation=operation, element="Fault", peer=peer,
                         outcome=fault.resultaat, started=started,
                         koppelsleutel=koppel, sessie_id=sessie)
        body = codec.encode(answer, ns=ns)
        outcome = getattr(answer, "resultaat", None) or "ok"
        return reply(body, 200, operation=operation, element=answer.ELEMENT, peer=peer,
                     outcome=outcome, started=started,
                     koppelsleutel=getattr(answer, "koppelsleutel", None) or koppel,
                     sessie_id=getattr(answer, "sessieId", None) or sessie)

    return bp
