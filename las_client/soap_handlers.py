"""The LAS's inbound SOAP operations: document (the SWV fetches the dossier) and terugkoppeling.

documentRequest: the session check at the TC comes first, before this LAS looks at anything in
its own records, so that an SWV without a valid session learns nothing about which dossiers
exist (oso-protocol.md §1 step 7). A TC refusal is passed on with the TC's own result code.
"""
from __future__ import annotations

import base64
import json

from actor_kit.messagelog import now_iso
from actor_kit.soap_endpoint import Inbound
from actor_kit.store import Store
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    DOSSIER_GELEVERD, DocumentRequest, DocumentResponse, TerugkoppelingRequest,
    TerugkoppelingResponse,
)

from .oso_calls import OsoCalls
from .zorgvragen import VERZONDEN

DOSSIER_VERSIE = "2019.1"


def _zorgvraag(store: Store, koppelsleutel: str):
    row = store.one("SELECT * FROM zorgvragen WHERE koppelsleutel = ?", (koppelsleutel,))
    return row if row is not None and row["status"] == VERZONDEN else None


def make_handlers(store: Store, calls: OsoCalls) -> dict:
    def document(message: DocumentRequest, inbound: Inbound) -> DocumentResponse:
        try:
            calls.sessiecontrole(message)
        except OsoFault as fault:
            # Our side failed to reach the TC: say so as a server fault; a TC refusal is the
            # caller's problem and keeps its code.
            own = fault.resultaat in (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD)
            raise OsoFault(fault.resultaat,
                           f"Sessiecontrole bij het Traffic Center mislukt: {fault.omschrijving}",
                           faultcode="Server" if own else "Client") from None
        row = _zorgvraag(store, message.koppelsleutel)
        if row is None or row["dossier"] is None:
            raise OsoFault(faults.LEERLINGINFO_NIET_BESCHIKBAAR,
                           "Voor deze koppelsleutel is geen dossier beschikbaar.")
        if message.doelRouteringsKenmerk != row["aanleverpunt"]:
            raise OsoFault(faults.LEVERING_GEWEIGERD,
                           "Dit dossier is niet voor dit aanleverpunt bestemd.")
        # [choice] a request naming another LAS aanleverpunt than the one that sent the
        # notification is refused the same way; the TC should already have caught it.
        if message.bronRouteringsKenmerk != row["bron_routeringskenmerk"]:
            raise OsoFault(faults.LEVERING_GEWEIGERD,
                           "Het bron-aanleverpunt hoort niet bij dit dossier.")
        if message.dossierVersie != DOSSIER_VERSIE:
            raise OsoFault(faults.DOSSIERVERSIE_ONJUIST,
                           f"Dossierversie {message.dossierVersie!r} wordt niet geleverd;"
                           f" deze LAS levert {DOSSIER_VERSIE}.")
        dossier = bytes(row["dossier"])
        with store.tx() as conn:
            conn.execute("UPDATE zorgvragen SET dossier_opgehaald = 1,"
                         " dossier_opgehaald_op = COALESCE(dossier_opgehaald_op, ?) WHERE id = ?",
                         (now_iso(), row["id"]))
        return DocumentResponse(resultaat=DOSSIER_GELEVERD, dossierVersie=DOSSIER_VERSIE,
                                dossier=base64.b64encode(dossier).decode("ascii"))

    def terugkoppeling(message: TerugkoppelingRequest, inbound: Inbound) -> TerugkoppelingResponse:
        row = _zorgvraag(store, message.koppelsleutel)
        if row is None:
            raise OsoFault(faults.KOPPELSLEUTEL_ONBEKEND,
                           "Deze koppelsleutel hoort bij geen (actieve) zorgvraag in deze LAS.")
        if (message.bronRouteringsKenmerk != row["bron_routeringskenmerk"]
                or message.doelRouteringsKenmerk != row["aanleverpunt"]):
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           "De routeringskenmerken passen niet bij de zorgvraag van deze"
                           " koppelsleutel.")
        if not row["dossier_opgehaald"]:
            raise OsoFault(faults.DOSSIER_NIET_OPGEHAALD,
                           "Een terugkoppeling kan pas nadat het dossier is opgehaald.")
        t = message.terugkoppeling
        documenten = [{"bestandsnaam": d.bestandsnaam, "omschrijving": d.omschrijving,
                       "bestandsinhoud": d.bestandsinhoud} for d in (t.document or [])]
        with store.tx() as conn:
            conn.execute(
                "INSERT INTO terugkoppelingen (zorgvraag_id, ontvangen_op, status, datum,"
                " toelichting, behandelaar, documenten, bron_brin, bron_routeringskenmerk,"
                " doel_brin, doel_routeringskenmerk) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (row["id"], now_iso(), t.status, t.datum, t.toelichting, t.behandelaar,
                 json.dumps(documenten, ensure_ascii=False), message.bronBrin,
                 message.bronRouteringsKenmerk, message.doelBrin, message.doelRouteringsKenmerk))
        return TerugkoppelingResponse()

    return {"document": document, "terugkoppeling": terugkoppeling}
