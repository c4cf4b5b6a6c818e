"""The TC's SOAP operations, mapped onto the domain modules. Parsing, schema checks, faults and
logging are the endpoint blueprint's job; a handler only answers or raises OsoFault."""
from __future__ import annotations

from actor_kit.soap_endpoint import Inbound
from oso_protocol.transport.messages import (Aanleverpunt, OverzichtAanleverpuntRequest,
                                             OverzichtAanleverpuntResponse)

from . import koppelsleutels, register, sessies, terugkoppeling, toegang, weigeringen
from .context import TrafficCenter


def overzicht_aanleverpunt(tc: TrafficCenter,
                           msg: OverzichtAanleverpuntRequest) -> OverzichtAanleverpuntResponse:
    rows = tc.policy.offered_aanleverpunten(register.aanleverpunten(
        tc, brin=msg.brin, doel=msg.doel, routeringskenmerk=msg.routeringsKenmerk))
    result = []
    for ap in rows:
        vestigingscode = ap["vestigingscode"]
        if vestigingscode is None:
            vestigingscode = (register.school(tc, ap["brin"]) or {}).get("vestigingscode")
        # [choice] the OIN of the holding system travels along, so a LAS or SWV can tell whether
        # a certificate belongs to the system behind a routeringskenmerk
        oin = toegang.system_oin(register.system(tc, ap["system"]))
        result.append(Aanleverpunt(routeringsKenmerk=ap["routeringskenmerk"], brin=ap["brin"],
                                   naam=ap["naam"], doel=ap["doel"], vestigingscode=vestigingscode,
                                   systeem=ap["system"], actief=ap["actief"], oin=oin))
    return OverzichtAanleverpuntResponse(aanleverpunt=result)


def handlers(tc: TrafficCenter) -> dict:
    def bind(fn):
        def handle(message, inbound: Inbound):
            return fn(tc, message)
        handle.__name__ = fn.__name__
        return handle

    def bind_caller(fn):
        # these operations act for one aanleverpunt: with TLS the certificate must be its system's
        def handle(message, inbound: Inbound):
            return fn(tc, message, caller=toegang.huidige_aanroeper())
        handle.__name__ = fn.__name__
        return handle

    return {
        "overzichtAanleverpunt": bind(overzicht_aanleverpunt),
        "meldenNotificatie": bind_caller(weigeringen.registreer(koppelsleutels.melden_notificatie)),
        "overdracht": bind_caller(sessies.overdracht),
        "sessiecontrole": bind_caller(sessies.sessiecontrole),
        "afmelding": bind_caller(sessies.afmelding),
        "meldenTerugkoppeling": bind_caller(terugkoppeling.melden_terugkoppeling),
    }
