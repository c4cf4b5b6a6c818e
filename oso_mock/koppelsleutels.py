"""meldenNotificatie: where the koppelsleutel is issued.

The koppelsleutel ties one aanvraag to its LAS endpoint and its SWV endpoint; every later call
(overdracht, sessiecontrole, afmelding, meldenTerugkoppeling) is checked against this koppeling.
"""
from __future__ import annotations

import uuid

from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (DOEL_SWV, MeldenNotificatieRequest,
                                             MeldenNotificatieResponse)

from . import register
from .context import TrafficCenter
from .toegang import ZONDER_TLS, Aanroeper, vereis_houder


def _las_aanleverpunt(tc: TrafficCenter, conn, brin: str, rk: str) -> dict:
    if register.school(tc, brin, conn) is None:
        raise OsoFault(faults.VERSTREKKER_NIET_BEKEND, f"School {brin} is niet bekend bij het TC.")
    ap = register.aanleverpunt(tc, rk, conn)
    system = register.system(tc, ap["system"], conn) if ap else None
    # [choice] An inactive or foreign LAS endpoint is "unknown" for the sender: it may not
    # speak for this school, whatever the reason.
    if (ap is None or not ap["actief"] or ap["brin"] != brin.upper()
            or system is None or system["soort"] != "LAS"):
        raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                       f"Routeringskenmerk {rk} is geen actief LAS-aanleverpunt van school {brin}.")
    return ap


def _swv_aanleverpunt(tc: TrafficCenter, conn, brin: str, rk: str) -> dict:
    ap = register.aanleverpunt(tc, rk, conn)
    if ap is None:
        raise OsoFault(faults.ONBEKEND_AANLEVERPUNT, f"Aanleverpunt {rk} is niet bekend.")
    # [choice] doelBrin is the BRIN the SWV endpoint is registered under; another BRIN means
    # the sender points at an endpoint that is not the one it thinks.
    if ap["brin"] != brin.upper():
        raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                       f"Aanleverpunt {rk} is niet geregistreerd onder BRIN {brin}.")
    tc.policy.check_doel_actief(ap, rk)
    if ap["doel"] != DOEL_SWV:
        raise OsoFault(faults.ONJUIST_DOEL,
                       f"Aanleverpunt {rk} heeft doel {ap['doel']}, niet {DOEL_SWV}.")
    return ap


def melden_notificatie(tc: TrafficCenter, msg: MeldenNotificatieRequest, *,
                       caller: Aanroeper = ZONDER_TLS) -> MeldenNotificatieResponse:
    with tc.store.tx() as conn:
        # only the LAS holding the bron aanleverpunt may have a koppelsleutel issued for it
        vereis_houder(tc, conn, caller, msg.bronRouteringsKenmerk, rol="LAS")
        las_ap = _las_aanleverpunt(tc, conn, msg.bronBrin, msg.bronRouteringsKenmerk)
        if msg.doel != DOEL_SWV:
            raise OsoFault(faults.ONJUIST_DOEL,
                           f"Een notificatie aan een samenwerkingsverband heeft doel {DOEL_SWV},"
                           f" niet {msg.doel}.")
        swv_ap = _swv_aanleverpunt(tc, conn, msg.doelBrin, msg.doelRouteringsKenmerk)
        register.require_swv_mandates(conn, msg.bronBrin, las_ap["system"], swv_ap["system"])
        koppelsleutel = str(uuid.uuid4()).upper()
        conn.execute(
            "INSERT INTO koppelingen (koppelsleutel, bron_brin, bron_routeringskenmerk,"
            " doel_brin, doel_routeringskenmerk, doel, created) VALUES (?,?,?,?,?,?,?)",
            (koppelsleutel, msg.bronBrin.upper(), las_ap["routeringskenmerk"],
             swv_ap["brin"], swv_ap["routeringskenmerk"], DOEL_SWV, tc.now()))
    return MeldenNotificatieResponse(koppelsleutel=koppelsleutel, url=swv_ap["url"])
