"""The LAS's outbound OSO calls. Every failure (refusal, unreachable, garbage) is an OsoFault.

Callers must not hold a database transaction while calling: a peer may take seconds to answer,
and a write lock held that long would stall the inbound SOAP endpoint of this same LAS.
"""
from __future__ import annotations

from actor_kit import caller_check
from actor_kit.soap_client import SoapClient
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    DOEL_SWV, NOTIFICATIE_ONTVANGEN, SESSIE_VALIDE, Aanleverpunt, DocumentRequest,
    MeldenNotificatieRequest, MeldenNotificatieResponse, NotificatieRequest, NotificatieResponse,
    OverzichtAanleverpuntRequest, OverzichtAanleverpuntResponse, SessiecontroleRequest,
    SessiecontroleResponse,
)


class OsoCalls:
    def __init__(self, client: SoapClient, tc_url: str | None):
        self.client = client
        self.tc_url = tc_url.rstrip("/") if tc_url else None

    @property
    def tc_soap_url(self) -> str:
        if not self.tc_url:
            raise OsoFault(faults.NIET_BEREIKBAAR,
                           "Er is geen Traffic Center ingesteld (TC_URL ontbreekt).",
                           faultcode="Server")
        return self.tc_url + "/oso"

    def aanleverpunten(self, brin: str) -> list[Aanleverpunt]:
        """The active SWV aanleverpunten the TC offers for school `brin`."""
        answer = self.client.call(self.tc_soap_url,
                                  OverzichtAanleverpuntRequest(brin=brin, doel=DOEL_SWV),
                                  expect=OverzichtAanleverpuntResponse)
        # [choice] the TC is asked to filter, but an entry that is inactive or not doel SWV is
        # never offered to the user, whatever the TC sends.
        return [ap for ap in answer.aanleverpunt
                if ap.actief is not False and (ap.doel or DOEL_SWV) == DOEL_SWV]

    def melden_notificatie(self, *, bron_brin: str, bron_rk: str, doel_brin: str,
                           doel_rk: str) -> MeldenNotificatieResponse:
        answer = self.client.call(
            self.tc_soap_url,
            MeldenNotificatieRequest(bronBrin=bron_brin, bronRouteringsKenmerk=bron_rk,
                                     doelBrin=doel_brin, doelRouteringsKenmerk=doel_rk,
                                     doel=DOEL_SWV),
            expect=MeldenNotificatieResponse)
        if not answer.koppelsleutel or not answer.url:
            raise OsoFault(faults.ONGELDIG_ANTWOORD,
                           "Het Traffic Center gaf geen koppelsleutel of URL terug.")
        return answer

    def notificatie(self, url: str, *, bron_brin: str, bron_rk: str, doel_brin: str, doel_rk: str,
                    koppelsleutel: str) -> NotificatieResponse:
        answer = self.client.call(
            url,
            NotificatieRequest(bronBrin=bron_brin, bronRouteringsKenmerk=bron_rk,
                               doelBrin=doel_brin, doelRouteringsKenmerk=doel_rk,
                               koppelsleutel=koppelsleutel, doel=DOEL_SWV),
            expect=NotificatieResponse)
        if answer.resultaat != NOTIFICATIE_ONTVANGEN:
            raise OsoFault(answer.resultaat or faults.ONGELDIG_ANTWOORD,
                           f"Het samenwerkingsverband antwoordde {answer.resultaat!r}"
                           f" in plaats van {NOTIFICATIE_ONTVANGEN}.")
        return answer

    def houder_oin(self, routeringskenmerk: str) -> str | None:
        """The OIN the TC names for the system holding `routeringskenmerk` (None: not known)."""
        return caller_check.houder_oin(self.client, self.tc_soap_url, routeringskenmerk)

    def sessiecontrole(self, request: DocumentRequest) -> SessiecontroleResponse:
        """Check the session of an inbound documentRequest with exactly the values it carries."""
        answer = self.client.call(
            self.tc_soap_url,
            SessiecontroleRequest(bronBrin=request.bronBrin,
                                  bronRouteringsKenmerk=request.bronRouteringsKenmerk,
                                  doelBrin=request.doelBrin,
                                  doelRouteringsKenmerk=request.doelRouteringsKenmerk,
                                  koppelsleutel=request.koppelsleutel,
                                  overdrachtsoort=request.overdrachtsoort,
                                  sessieId=request.sessieId),
            expect=SessiecontroleResponse)
        if answer.resultaat != SESSIE_VALIDE:
            # [choice] a non-valid resultaat in a normal answer counts as a refusal with that code
            raise OsoFault(answer.resultaat or faults.SESSIE_AFWIJKEND,
                           f"Het Traffic Center keurde de sessie af ({answer.resultaat}).")
        return answer
