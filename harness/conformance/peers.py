"""A peer the simulated actors cannot play: a LAS that answers an SWV under test the way one
behaviour of harness/conformance/las_behaviours.py says (a dossier with a BSN, a refusal, a session that
turns out expired, a LAS that is down at first). Tiny on purpose: it checks the session at the
TC like a correct LAS, then answers as the behaviour says."""
from __future__ import annotations

import base64

from flask import Flask, Response, request

from actor_kit.identity import caller_oin
from actor_kit.inbox import diagnosis_of
from actor_kit.messagelog import now_iso
from actor_kit.server import ServerThread
from oso_protocol.diagnosis.refusal import explained
from oso_protocol.transport import codec, messages as m
from oso_protocol.transport.faults import OsoFault

from harness.conformance.drivers.http import SoapProbe, body_element
from harness.conformance.las_behaviours import EERST_ONBEREIKBAAR, EERST_VERLOPEN, SESSIE_VERLOPEN, LasBehaviour

ONBEREIKBAAR_OUTCOME = "niet bereikbaar (HTTP 503)"
ONBEREIKBAAR = (b"<html><head><title>503 Service Unavailable</title></head><body>"
                b"<h1>Service Unavailable</h1></body></html>")


class CraftedLas:
    """Answers every documentRequest with a valid session as `behaviour` says; `dossier`
    replaces what the behaviour serves (a scenario's positive control)."""

    def __init__(self, tc_soap_url: str, probe: SoapProbe, behaviour: LasBehaviour, tls: dict | None = None):
        self.tc_soap_url = tc_soap_url
        self.probe = probe
        self.behaviour = behaviour
        self.dossier = behaviour.dossier()
        self.expired: set[str] = set()           # sessieIds this LAS treats as expired
        self.first_done: set[str] = set()        # koppelsleutels whose first documentRequest was answered
        self.journal = probe.journal
        app = Flask("harnas_peer")
        app.add_url_rule("/oso", "oso", self._soap, methods=["POST"])
        self.server = ServerThread(app, tls=tls)  # under mutual TLS: the LAS system's certificate

    @property
    def contacts(self) -> int:
        """Connections made to this LAS so far, refused handshakes included."""
        return self.server.connections

    @property
    def soap_url(self) -> str:
        return self.server.url + "/oso"

    def _soap(self):
        # Journal rows are kept by reference: handling a documentRequest makes a sessiecontrole
        # call whose own rows land in the same journal in between.
        data = request.get_data()
        operation = codec.peek_operation(data)
        inbound = {"actor": "harnas-las", "caller_oin": caller_oin(request.environ), "side": "server", "direction": "in", "operation": operation,
                   "element": body_element(data), "ts": now_iso(),
                   "outcome": "ontvangen", "koppelsleutel": None, "xml": data.decode("utf-8", "replace")}
        self.journal.append(inbound)
        msg = None
        try:
            msg = codec.decode(data)
            inbound["koppelsleutel"] = getattr(msg, "koppelsleutel", None)
            if self._down(msg):
                inbound["outcome"] = ONBEREIKBAAR_OUTCOME
                return Response(ONBEREIKBAAR, status=503, content_type="text/html")
            answer = self._handle(msg)
            body, status = codec.encode(answer), 200
            outcome = getattr(answer, "resultaat", "ok")
        except OsoFault as fault:
            if msg is None and not fault.received:
                # refused at the gate: the same version note in front as our actors give
                fault = OsoFault(fault.resultaat, explained(fault.omschrijving, diagnosis_of(data)),
                                 faultcode=fault.faultcode)
            body, status, outcome = codec.encode_fault(fault), codec.HTTP_STATUS_FAULT, fault.resultaat
        koppelsleutel = getattr(msg, "koppelsleutel", None)
        inbound["koppelsleutel"] = koppelsleutel
        self.journal.append({"actor": "harnas-las", "side": "server", "direction": "out",
                             "operation": operation, "element": body_element(body), "ts": now_iso(),
                             "outcome": outcome, "koppelsleutel": koppelsleutel,
                             "xml": body.decode("utf-8", "replace")})
        return Response(body, status=status, content_type=codec.CONTENT_TYPE)

    def _first(self, msg) -> bool:
        """True once per koppelsleutel: for the first documentRequest."""
        key = (msg.koppelsleutel or "").upper()
        if key in self.first_done:
            return False
        self.first_done.add(key)
        return True

    def _down(self, msg) -> bool:
        return (self.behaviour.eerst == EERST_ONBEREIKBAAR and isinstance(msg, m.DocumentRequest)
                and self._first(msg))

    def _handle(self, msg):
        if isinstance(msg, m.DocumentRequest):
            sessie = (msg.sessieId or "").lower()
            if self.behaviour.eerst == EERST_VERLOPEN and (sessie in self.expired or self._first(msg)):
                # the session of the first request is over, as if it waited too long at the TC
                self.expired.add(sessie)
                raise OsoFault(SESSIE_VERLOPEN, "De sessie is verlopen; vraag een nieuwe sessie aan.")
            check = self.probe.call("tc", self.tc_soap_url, m.SessiecontroleRequest(
                bronBrin=msg.bronBrin, bronRouteringsKenmerk=msg.bronRouteringsKenmerk,
                doelBrin=msg.doelBrin, doelRouteringsKenmerk=msg.doelRouteringsKenmerk,
                koppelsleutel=msg.koppelsleutel, overdrachtsoort=msg.overdrachtsoort,
                sessieId=msg.sessieId))
            if not check.ok:
                raise OsoFault(check.fault.resultaat, check.fault.omschrijving)
            if self.behaviour.fout:
                raise OsoFault(self.behaviour.fout, f"De LAS levert dit dossier niet ({self.behaviour.titel}).")
            return m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie=msg.dossierVersie,
                                      dossier=base64.b64encode(self.dossier).decode("ascii"))
        if isinstance(msg, m.TerugkoppelingRequest):
            return m.TerugkoppelingResponse()
        raise OsoFault("OnbekendeOperatie", "Deze harnas-LAS kent alleen document en terugkoppeling.")

    def start(self) -> "CraftedLas":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
