"""The one SOAP operation the SWV serves: notificatie.

Checks, store, answer. The fetch is never done inside this request: the LAS is still waiting for
our answer and may not even have committed the koppelsleutel as "sent"; it is queued to run once
the response has gone out.
"""
from __future__ import annotations

import threading
from typing import Callable

from flask import after_this_request

from actor_kit.soap_endpoint import Inbound
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    DOEL_SWV, NOTIFICATIE_ONTVANGEN, NotificatieRequest, NotificatieResponse)

from . import aanvragen as av
from .aanvragen import Inbox, KoppelsleutelConflict


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

    @after_this_request
    def _on_close(response):
        response.call_on_close(once)
        return response

    timer = threading.Timer(CLOSE_FALLBACK_SECONDS, once)
    timer.daemon = True
    timer.start()


def notificatie_handler(inbox: Inbox, aanleverpunten: dict[str, dict], *,
                        step_mode: Callable[[], bool], on_new: Callable[[str], object] | None):
    """`aanleverpunten`: routeringskenmerk -> {brin, naam}; `step_mode()` is asked per
    notificatie (a trainer may switch it during a demo); `on_new(koppelsleutel)` runs after the
    answer was sent, for a new aanvraag only and not in step mode."""

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
        stepping = step_mode()
        try:
            # [choice] the same notificatie again (same koppelsleutel, same bron) is answered as
            # the first time and stores nothing new: a LAS retrying after a lost answer must not
            # get an error for a notificatie that did arrive.
            row, new = inbox.receive(
                koppelsleutel=message.koppelsleutel, bron_brin=message.bronBrin,
                bron_routeringskenmerk=message.bronRouteringsKenmerk, doel_brin=message.doelBrin,
                doel_routeringskenmerk=message.doelRouteringsKenmerk,
                status=av.WACHT if stepping else av.GENOTIFICEERD)
        except KoppelsleutelConflict:
            raise OsoFault(faults.KOPPELSLEUTEL_REEDS_GEBRUIKT,
                           f"Koppelsleutel {av.normalize_key(message.koppelsleutel)} is al"
                           " gebruikt voor een notificatie van een andere school.") from None
        if new and on_new is not None and not stepping:
            _after_answer(lambda key=row["koppelsleutel"]: on_new(key))

        return NotificatieResponse(resultaat=NOTIFICATIE_ONTVANGEN)

    return handle
