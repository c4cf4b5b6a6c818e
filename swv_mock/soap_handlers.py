"""The one SOAP operation the SWV serves: notificatie.

Checks, confirmation at the TC, store, answer. [choice] A notificatie is taken only for a
koppelsleutel the TC confirms: before answering, the SWV asks the TC for the overdracht session
of that key (the only SWV call that names a koppelsleutel without a fetched dossier). The TC
checks that it issued the key for exactly this bron and this doel; its refusal goes back to the
sender as the answer, with the TC's result code. [choice] A TC that gives no answer is no refusal:
the notificatie is taken as `onbevestigd` and the retrier asks the TC again (row 32). The
session is kept for the first fetch. With
mutual TLS the caller's certificate must also be that of the system the TC names for the bron
aanleverpunt (its `oin` in overzichtAanleverpunt). The fetch is never done inside this request: the LAS is still waiting for
our answer and may not even have committed the koppelsleutel as "sent"; it is queued to run once
the response has gone out.
"""
from __future__ import annotations

import threading
from typing import Callable

from actor_kit.caller_check import tc_fault
from actor_kit.soap_endpoint import Inbound, after_answer
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    DOEL_SWV, NOTIFICATIE_ONTVANGEN, OVERDRACHTSOORT_SWV, NotificatieRequest, NotificatieResponse,
    OverdrachtRequest)

from . import aanvragen as av
from .aanvragen import Inbox, KoppelsleutelConflict
from .ophalen import WACHT_OP_BEVESTIGING, FetchPolicy, lost_in_transit

# confirm(): the TC gave no answer, and the notificatie is taken all the same
_NIET_BEVESTIGD = object()


# A WSGI server closes the response once it is sent; a client that never closes it (the Flask
# test client without buffered=True) still gets its fetch, a little later.
CLOSE_FALLBACK_SECONDS = 1.0


def _after_answer(job: Callable[[], object]) -> None:
    """Run `job` once, when the response has gone out."""
    lock = threading.Lock()
    done = []

    def once():
        with lock:
            if done:
                return
            done.append(True)
        job()

    after_answer(once)

    timer = threading.Timer(CLOSE_FALLBACK_SECONDS, once)
    timer.daemon = True
    timer.start()


def notificatie_handler(inbox: Inbox, aanleverpunten: dict[str, dict], *,
                        step_mode: Callable[[], bool], on_new: Callable[[str], object] | None,
                        bevestiger=None, ophalen=None):
    """`aanleverpunten`: routeringskenmerk -> {brin, naam}; `step_mode()` is asked per
    notificatie (a trainer may switch it during a demo); `on_new(koppelsleutel)` runs after the
    answer was sent, for a new aanvraag only and not in step mode. `bevestiger` (the Ophalen)
    confirms the koppelsleutel at the TC; None takes the notificatie on its word. `ophalen` (the
    same Ophalen, also without confirmation) brings the policy for the caller check and for a
    repeated notificatie."""
    policy = ophalen.policy if ophalen is not None else FetchPolicy()

    def confirm(message: NotificatieRequest):
        try:
            return bevestiger.bevestig(OverdrachtRequest(
                bronBrin=message.bronBrin, bronRouteringsKenmerk=message.bronRouteringsKenmerk,
                doelBrin=message.doelBrin, doelRouteringsKenmerk=message.doelRouteringsKenmerk,
                koppelsleutel=message.koppelsleutel, overdrachtsoort=OVERDRACHTSOORT_SWV))
        except OsoFault as fault:
            if lost_in_transit(fault) and bevestiger.retry_tc():
                return _NIET_BEVESTIGD
            raise tc_fault(fault, "Het Traffic Center bevestigt deze koppelsleutel niet") from None

    def handle(message: NotificatieRequest, inbound: Inbound) -> NotificatieResponse:
        punt = aanleverpunten.get(message.doelRouteringsKenmerk)
        # [choice] a doelBrin that does not belong to the aanleverpunt is treated as an unknown
        # aanleverpunt: the pair addresses nothing we answer on.
        if punt is None or (punt.get("brin") and punt["brin"] != message.doelBrin):
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           f"Aanleverpunt {message.doelRouteringsKenmerk} (BRIN {message.doelBrin})"
                           " is geen aanleverpunt van dit samenwerkingsverband.")
        if message.doel != DOEL_SWV:
            raise OsoFault(faults.ONJUIST_DOEL,
                           f"Doel {message.doel!r} hoort niet bij een aanvraag aan een"
                           f" samenwerkingsverband; verwacht {DOEL_SWV}.")
        sessie = None
        if bevestiger is not None:
            policy.check_caller(bevestiger.houder_oin, message.bronRouteringsKenmerk)
            known = inbox.row(message.koppelsleutel)
            same_bron = known is not None and (
                known["bron_brin"], known["bron_routeringskenmerk"]) == (
                message.bronBrin, message.bronRouteringsKenmerk)
            if not same_bron:
                # a repeat was confirmed the first time; anything else is asked at the TC
                sessie = confirm(message)
        stepping = step_mode()
        onbevestigd = sessie is _NIET_BEVESTIGD
        if onbevestigd:
            sessie = None
            status = av.ONBEVESTIGD
        else:
            status = av.WACHT if stepping else av.GENOTIFICEERD
        try:
            # [choice] the same notificatie again (same koppelsleutel, same bron) is answered as
            # the first time and stores nothing new: a LAS retrying after a lost answer must not
            # get an error for a notificatie that did arrive.
            row, new = inbox.receive(
                koppelsleutel=message.koppelsleutel, bron_brin=message.bronBrin,
                bron_routeringskenmerk=message.bronRouteringsKenmerk, doel_brin=message.doelBrin,
                doel_routeringskenmerk=message.doelRouteringsKenmerk, status=status)
        except KoppelsleutelConflict:
            raise OsoFault(faults.KOPPELSLEUTEL_REEDS_GEBRUIKT,
                           f"Koppelsleutel {av.normalize_key(message.koppelsleutel)} is al"
                           " gebruikt voor een notificatie van een andere school.") from None
        if new and sessie is not None:
            row = inbox.update(row["koppelsleutel"], sessie_id=sessie.sessieId,
                               las_url=sessie.url, sessie_op=row["ontvangen_op"],
                               las_routeringskenmerk=sessie.bronRouteringsKenmerk
                               or message.bronRouteringsKenmerk)
        key = row["koppelsleutel"]
        if new and onbevestigd:
            # only scheduled here, a pause away: the page shows it the moment we answer
            bevestiger.later(key, WACHT_OP_BEVESTIGING)
        elif new and on_new is not None and not stepping:
            _after_answer(lambda: on_new(key))
        elif not new:
            policy.on_repeated_notificatie(ophalen, key, _after_answer)

        return NotificatieResponse(resultaat=NOTIFICATIE_ONTVANGEN)

    return handle
