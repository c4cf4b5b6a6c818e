"""Is the caller the system the register entitles? Under mutual TLS the LAS (documentRequest,
terugkoppeling) and the SWV (notificatie) compare the OIN of the caller's certificate with the OIN
the TC names for the aanleverpunt concerned. Never fail open: without the TC's word, no."""
from __future__ import annotations

from typing import Callable

from flask import current_app

from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import OverzichtAanleverpuntRequest, OverzichtAanleverpuntResponse

from . import identity


def tc_fault(fault: OsoFault, wat: str) -> OsoFault:
    """A TC answer that stops the call. Our side failing to reach the TC is a server fault; a TC
    refusal is the caller's problem and keeps its code."""
    own = fault.resultaat in (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD)
    return OsoFault(fault.resultaat, f"{wat}: {fault.omschrijving}",
                    faultcode="Server" if own else "Client")


def houder_oin(client, tc_soap_url: str, routeringskenmerk: str) -> str | None:
    """The OIN the TC names (overzichtAanleverpunt) for the system holding `routeringskenmerk`;
    None when it names none. `client` is the actor's SoapClient."""
    answer = client.call(tc_soap_url, OverzichtAanleverpuntRequest(routeringsKenmerk=routeringskenmerk),
                         expect=OverzichtAanleverpuntResponse)
    for ap in answer.aanleverpunt:
        if ap.routeringsKenmerk.upper() == (routeringskenmerk or "").upper():
            return ap.oin
    return None


def require_caller(houder_oin: Callable[[str], str | None], routeringskenmerk: str, wie: str) -> None:
    """With TLS: refuse unless the caller's OIN is the one the TC names for `routeringskenmerk`
    (`houder_oin` asks the TC); `wie` says in Dutch whose certificate was expected."""
    if not identity.tls_enabled(current_app.config):
        return
    environ = identity.current_environ()
    oin = identity.caller_oin(environ) if environ is not None else None
    if not oin:
        raise OsoFault(faults.ONJUIST_CERTIFICAAT,
                       "Geen geldig clientcertificaat: met TLS moet elke OSO-aanroep een"
                       " OSO-certificaat met OIN tonen.")
    try:
        expected = houder_oin(routeringskenmerk)
    except OsoFault as fault:
        raise tc_fault(fault, "De aanroeper kon niet worden nagegaan bij het Traffic Center") from None
    if expected is None or expected != oin:
        raise OsoFault(faults.ONJUIST_CERTIFICAAT,
                       f"Het certificaat van de aanroeper (OIN {oin}) hoort niet bij {wie}"
                       f" (aanleverpunt {routeringskenmerk}).")
