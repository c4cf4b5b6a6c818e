"""Outbound SOAP calls of an actor: encode, post, decode, log; every failure an OsoFault.

A caller sees one kind of error whatever went wrong (peer down, timeout, HTML instead of SOAP,
a SOAP Fault), each with a result code it can store and show.
"""
from __future__ import annotations

import threading
import time

import requests

from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import NS, Message

from .http_session import Session
from .messagelog import MessageLog


class SoapClient:
    def __init__(self, messagelog: MessageLog, *, me: str, ns: str = NS, timeout: float = 10.0,
                 max_bytes: int = 64 * 1024 * 1024, tls=None):
        self.messagelog = messagelog
        self.tls = tls  # {"ca", "cert", "key"}: present our certificate, trust only that CA
        self.me = me  # sent as X-OSO-Peer so the other side's log names the caller
        self.ns = ns
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._local = threading.local()

    def _session(self) -> requests.Session:
        # one keep-alive session per thread: requests.Session is not meant to be shared
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = Session(tls=self.tls)
        return s

    def call(self, url: str, message: Message, expect: type[Message] | None = None) -> Message:
        body = codec.encode(message, ns=self.ns)
        koppel = getattr(message, "koppelsleutel", None)
        sessie = getattr(message, "sessieId", None)
        self.messagelog.record("out", side="client", operation=message.OPERATION, element=message.ELEMENT,
                               peer=url, xml=body, outcome="verzonden",
                               koppelsleutel=koppel, sessie_id=sessie)
        started = time.perf_counter()
        try:
            resp = self._session().post(
                url, data=body, timeout=self.timeout,
                headers={"Content-Type": codec.CONTENT_TYPE,
                         "SOAPAction": f'"{codec.soap_action(message.OPERATION, ns=self.ns)}"',
                         "X-OSO-Peer": self.me},
            )
            data = resp.content
        except requests.RequestException as exc:
            fault = OsoFault(faults.NIET_BEREIKBAAR,
                             f"{url} is niet bereikbaar ({type(exc).__name__}).")
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
