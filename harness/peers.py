"""A peer the simulated actors cannot play: a LAS that serves a crafted dossier (e.g. one WITH a
BSN) to an SWV under test. Tiny on purpose: it checks the session at the TC like a correct LAS,
then answers with whatever dossier the scenario gave it."""
from __future__ import annotations

import base64

from flask import Flask, Response, request

from actor_kit.messagelog import now_iso
from actor_kit.server import ServerThread
from oso_protocol.transport import codec, messages as m
from oso_protocol.transport.faults import OsoFault

from .drivers.http import SoapProbe, body_element

class CraftedLas:
    """Serves `dossier` for every documentRequest with a valid session."""

    def __init__(self, tc_soap_url: str, probe: SoapProbe, dossier: bytes, tls: dict | None = None):
        self.tc_soap_url = tc_soap_url
        self.probe = probe
        self.dossier = dossier
        self.dossiers: dict[str, bytes] = {}   # per koppelsleutel, when a scenario needs two
        self.journal = probe.journal
        app = Flask("harnas_peer")
        app.add_url_rule("/oso", "oso", self._soap, methods=["POST"])
        self.server = ServerThread(app, tls=tls)  # under mutual TLS: the LAS system's certificate

    @property
    def soap_url(self) -> str:
        return self.server.url + "/oso"

    def _soap(self):
        # Journal rows are kept by reference: handling a documentRequest makes a sessiecontrole
        # call whose own rows land in the same journal in between.
        data = request.get_data()
        operation = codec.peek_operation(data)
        inbound = {"actor": "harnas-las", "side": "server", "direction": "in", "operation": operation,
                   "element": body_element(data), "ts": now_iso(),
                   "outcome": "ontvangen", "koppelsleutel": None, "xml": data.decode("utf-8", "replace")}
        self.journal.append(inbound)
        msg = None
        try:
            msg = codec.decode(data)
            answer = self._handle(msg)
            body, status = codec.encode(answer), 200
            outcome = getattr(answer, "resultaat", "ok")
        except OsoFault as fault:
            body, status, outcome = codec.encode_fault(fault), codec.HTTP_STATUS_FAULT, fault.resultaat
        koppelsleutel = getattr(msg, "koppelsleutel", None)
        inbound["koppelsleutel"] = koppelsleutel
        self.journal.append({"actor": "harnas-las", "side": "server", "direction": "out",
                             "operation": operation, "element": body_element(body), "ts": now_iso(),
                             "outcome": outcome, "koppelsleutel": koppelsleutel,
                             "xml": body.decode("utf-8", "replace")})
        return Response(body, status=status, content_type=codec.CONTENT_TYPE)

    def _handle(self, msg):
        if isinstance(msg, m.DocumentRequest):
            check = self.probe.call("tc", self.tc_soap_url, m.SessiecontroleRequest(
                bronBrin=msg.bronBrin, bronRouteringsKenmerk=msg.bronRouteringsKenmerk,
                doelBrin=msg.doelBrin, doelRouteringsKenmerk=msg.doelRouteringsKenmerk,
                koppelsleutel=msg.koppelsleutel, overdrachtsoort=msg.overdrachtsoort,
                sessieId=msg.sessieId))
            if not check.ok:
                raise OsoFault(check.fault.resultaat, check.fault.omschrijving)
            return m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie=msg.dossierVersie,
                                      dossier=base64.b64encode(self.dossiers.get(
                                          msg.koppelsleutel.upper(), self.dossier)).decode("ascii"))
        if isinstance(msg, m.TerugkoppelingRequest):
            return m.TerugkoppelingResponse()
        raise OsoFault("OnbekendeOperatie", "Deze harnas-LAS kent alleen document en terugkoppeling.")

    def start(self) -> "CraftedLas":
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()
