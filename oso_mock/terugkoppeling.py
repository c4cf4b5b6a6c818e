"""meldenTerugkoppeling: the SWV asks where to send its feedback; the TC answers with the LAS URL
only for a registered koppeling whose dossier was fetched."""
from __future__ import annotations

from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (DOEL_SWV, MeldenTerugkoppelingRequest,
                                             MeldenTerugkoppelingResponse)

from . import register
from .context import TrafficCenter
from .sessies import _same, koppeling_row
from .toegang import ZONDER_TLS, Aanroeper, vereis_houder, vereis_mandaat


def melden_terugkoppeling(tc: TrafficCenter, msg: MeldenTerugkoppelingRequest, *,
                          caller: Aanroeper = ZONDER_TLS) -> MeldenTerugkoppelingResponse:
    with tc.store.tx() as conn:
        vereis_houder(tc, conn, caller, msg.doelRouteringsKenmerk, rol="SWV-systeem")
        k = koppeling_row(conn, msg.koppelsleutel)
        if k is None:
            return MeldenTerugkoppelingResponse(url=tc.policy.unknown_koppelsleutel_terugkoppeling(
                msg.koppelsleutel, register.aanleverpunt(tc, msg.bronRouteringsKenmerk, conn)))
        # [choice] The BRINs are part of the koppeling too, so they must match as well.
        afwijkend = [name for name, col in (
            ("bronRouteringsKenmerk", "bron_routeringskenmerk"),
            ("doelRouteringsKenmerk", "doel_routeringskenmerk"),
            ("bronBrin", "bron_brin"), ("doelBrin", "doel_brin"))
            if not _same(getattr(msg, name), k[col])]
        afwijkend = tc.policy.terugkoppeling_afwijkend(afwijkend)
        if afwijkend:
            raise OsoFault(faults.SESSIE_AFWIJKEND,
                           f"LAS-aanleverpunt, koppelsleutel en SWV-aanleverpunt vormen geen"
                           f" geregistreerde koppeling (afwijkend: {', '.join(afwijkend)}).")
        # [choice] The wiki pages disagree on the doel here; the SWV flow keeps doel SWV.
        if msg.doel != DOEL_SWV:
            raise OsoFault(faults.ONJUIST_DOEL,
                           f"Een terugkoppeling in de SWV-flow heeft doel {DOEL_SWV}, niet {msg.doel}.")
        vereis_mandaat(tc, conn, caller, k["doel_routeringskenmerk"], k["bron_brin"])
        tc.policy.accept_terugkoppeling(k)
        las_ap = register.aanleverpunt(tc, k["bron_routeringskenmerk"], conn)
        if las_ap is None:
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           f"Het LAS-aanleverpunt {k['bron_routeringskenmerk']} staat niet meer"
                           " in het register.")
        if not las_ap["actief"]:
            raise OsoFault(faults.AANLEVERPUNT_INACTIEF,
                           f"Het LAS-aanleverpunt {las_ap['routeringskenmerk']} is niet actief.")
        conn.execute("INSERT INTO terugkoppelingen (koppelsleutel, created, url) VALUES (?,?,?)",
                     (k["koppelsleutel"], tc.now(), las_ap["url"]))
        conn.execute("UPDATE koppelingen SET terugkoppeling_gemeld = 1 WHERE koppelsleutel = ?",
                     (k["koppelsleutel"],))
    return MeldenTerugkoppelingResponse(url=las_ap["url"])
