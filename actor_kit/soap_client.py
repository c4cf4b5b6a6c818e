"""Outbound SOAP calls of an actor: encode, post, decode, log; every failure an OsoFault.

A caller sees one kind of error whatever went wrong (peer down, timeout, HTML instead of SOAP,
a SOAP Fault), each with a result code it can store and show.
"""
from __future__ import annotations

import re
import threading
import time

import requests
import urllib3

from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import NS, Message

from .http_session import KeepAlive, Session, direct
from .messagelog import MessageLog


ANSWER_DEADLINE_FACTOR = 3
_PIECE = 64 * 1024


class AnswerRefused(requests.RequestException):
    """A peer's answer that was cut off: too large or too slow. Carries the fault to report."""

    def __init__(self, fault: OsoFault):
        super().__init__(fault.omschrijving)
        self.fault = fault


def read_answer(resp: requests.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    """The body of `resp`, read piece by piece and cut off past `max_bytes` or `deadline`
    (a time.perf_counter value): a peer's answer never costs more than the limit."""
    def read1(size):
        try:
            return resp.raw.read1(size, decode_content=True)
        except urllib3.exceptions.ReadTimeoutError as exc:  # raw reads are not wrapped by requests
            resp.close()
            raise requests.Timeout(exc) from None
        except (OSError, ValueError, urllib3.exceptions.HTTPError) as exc:
            resp.close()
            raise requests.ConnectionError(exc) from None

    return _read_limited(resp.headers.get("Content-Length"), read1, resp.close, url, max_bytes,
                         deadline)


def _read_limited(length: str | None, read1, close, url: str, max_bytes: int,
                  deadline: float) -> bytes:
    try:
        declared = int(length or 0)
    except ValueError:
        declared = 0
    pieces, total = [], 0
    try:
        if declared > max_bytes:
            raise AnswerRefused(_too_large(url, max_bytes))
        while True:
            piece = read1(_PIECE)
            if not piece:
                return b"".join(pieces)
            total += len(piece)
            if total > max_bytes:
                raise AnswerRefused(_too_large(url, max_bytes))
            if time.perf_counter() > deadline:
                raise AnswerRefused(OsoFault(faults.NIET_BEREIKBAAR,
                                             f"{url} gaf niet op tijd een volledig antwoord."))
            pieces.append(piece)
    except AnswerRefused:
        close()  # drop the connection rather than read the rest
        raise


def _too_large(url: str, max_bytes: int) -> OsoFault:
    return OsoFault(faults.BERICHT_TE_GROOT,
                    f"Het antwoord van {url} is groter dan de grens van {max_bytes} bytes;"
                    " het is afgebroken.")


_ENVELOPE = re.compile(rb"<(?:[\w.-]+:)?Envelope[\s>/]")


class SoapClient:
    def __init__(self, messagelog: MessageLog, *, me: str, ns: str = NS, timeout: float = 10.0,
                 max_bytes: int = 64 * 1024 * 1024, tls=None):
        self.messagelog = messagelog
        self.tls = tls  # {"ca", "cert", "key"}: present our certificate, trust only that CA
        self.me = me  # sent as X-OSO-Peer so the other side's log names the caller
        self.ns = ns
        self.timeout = timeout
        self.max_bytes = max_bytes
        # the timeout holds per socket read; a peer that drips its answer needs an overall end
        self.deadline = timeout * ANSWER_DEADLINE_FACTOR
        self._local = threading.local()
        self._plain = KeepAlive(timeout)

    def _session(self) -> requests.Session:
        # one keep-alive session per thread: requests.Session is not meant to be shared
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = Session(tls=self.tls)
        return s

    def call(self, url: str, message: Message, expect: type[Message] | None = None, *,
             verify: bool | None = None) -> Message:
        """Send `message` and return the answer; every failure is raised as an OsoFault.
        `verify=False` skips the server certificate check for this call only (a deliberate
        defect of a broken system; the session's trust store stays as it is)."""
        body = codec.encode(message, ns=self.ns)
        koppel = getattr(message, "koppelsleutel", None)
        sessie = getattr(message, "sessieId", None)
        self.messagelog.record("out", side="client", operation=message.OPERATION, element=message.ELEMENT,
                               peer=url, xml=body, outcome="verzonden",
                               koppelsleutel=koppel, sessie_id=sessie)
        started = time.perf_counter()
        try:
            headers = {"Content-Type": codec.CONTENT_TYPE,
                       "SOAPAction": f'"{codec.soap_action(message.OPERATION, ns=self.ns)}"',
                       "X-OSO-Peer": self.me}
            if verify is None and direct(url):
                resp = self._plain.post(url, body, headers)
                data = _read_limited(resp.header("Content-Length"), resp.read1, resp.close, url,
                                     self.max_bytes, started + self.deadline)
            else:
                resp = self._session().post(url, data=body, timeout=self.timeout, stream=True,
                                            headers=headers,
                                            **({} if verify is None else {"verify": verify}))
                data = read_answer(resp, url, self.max_bytes, started + self.deadline)
        except requests.RequestException as exc:
            fault = exc.fault if isinstance(exc, AnswerRefused) else OsoFault(
                faults.NIET_BEREIKBAAR, f"{url} is niet bereikbaar ({type(exc).__name__}).")
            self.messagelog.record("in", side="client", operation=message.OPERATION, peer=url, xml=b"",
                                   outcome=fault.resultaat, koppelsleutel=koppel, sessie_id=sessie,
                                   duration_ms=(time.perf_counter() - started) * 1000)
            raise fault from None
        ms = (time.perf_counter() - started) * 1000
        try:
            answer = codec.decode(data, ns=self.ns, max_bytes=self.max_bytes)
        except OsoFault as fault:
            if not fault.received:
                fault = OsoFault(faults.ONGELDIG_ANTWOORD,
                                 f"{url} gaf geen geldig SOAP-antwoord (HTTP {resp.status_code}):"
                                 f" {fault.omschrijving}")
                # an OSO endpoint did answer, only not as the schema says: the caller may
                # count that as an answer rather than as a peer that was not reached
                fault.envelop = resp.status_code == 200 and bool(_ENVELOPE.search(data[:2048]))
            self.messagelog.record("in", side="client", operation=message.OPERATION, element="Fault", peer=url,
                                   xml=data, outcome=fault.resultaat, http_status=resp.status_code,
                                   duration_ms=ms, koppelsleutel=koppel, sessie_id=sessie)
            raise fault from None
        ok = expect is None or isinstance(answer, expect)
        outcome = (getattr(answer, "resultaat", None) or "ok") if ok else faults.ONGELDIG_ANTWOORD
        self.messagelog.record("in", side="client", operation=message.OPERATION, element=answer.ELEMENT, peer=url,
                               xml=data, outcome=outcome, http_status=resp.status_code,
                               duration_ms=ms,
                               koppelsleutel=getattr(answer, "koppelsleutel", None) or koppel,
                               sessie_id=getattr(answer, "sessieId", None) or sessie)
        if not ok:
            raise OsoFault(faults.ONGELDIG_ANTWOORD,
                           f"{url} antwoordde met {answer.ELEMENT}, verwacht {expect.ELEMENT}.")
        return answer
