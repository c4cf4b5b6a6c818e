"""The LAS's inbound SOAP operations: document (the SWV fetches the dossier) and terugkoppeling.

documentRequest: the session check at the TC comes first, before this LAS looks at anything in
its own records, so that an SWV without a valid session learns nothing about which dossiers
exist (oso-protocol.md §1 step 7). A TC refusal is passed on with the TC's own result code,
and a TC that cannot be reached or answers garbage is a refusal too: never fail open.

With mutual TLS the caller's certificate must also be that of the doel system: for a document,
the system holding the session's doel aanleverpunt; for a terugkoppeling, the system holding the
aanleverpunt the zorgvraag was sent to. [choice] The LAS learns that system's OIN from the TC
(`oin` of the aanleverpunt in overzichtAanleverpunt), as it learns every routing fact.

The named steps (the sessiecontrole, the caller checks, which zorgvraag and which bytes are
served, keeping a terugkoppeling) are methods of ServingSteps, the reference behaviour; the
handlers only ever call them through the policy they are made with.
"""
from __future__ import annotations

import base64
import json

from actor_kit.messagelog import now_iso
from actor_kit.caller_check import require_caller, tc_fault
from actor_kit.soap_endpoint import Inbound
from actor_kit.store import Store
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    DOSSIER_GELEVERD, DocumentRequest, DocumentResponse, TerugkoppelingRequest,
    TerugkoppelingResponse,
)

from .oso_calls import OsoCalls
from .zorgvragen import VERWIJDERD, VERZONDEN

DOSSIER_VERSIE = "2019.1"


def _zorgvraag(store: Store, koppelsleutel: str, statussen=(VERZONDEN,)):
    row = store.one("SELECT * FROM zorgvragen WHERE koppelsleutel = ?", (koppelsleutel,))
    return row if row is not None and row["status"] in statussen else None


def _al_ontvangen(store: Store, zorgvraag_id: int, t) -> bool:
    """The same terugkoppeling again (an SWV retrying after a lost answer)."""
    return store.one(
        "SELECT 1 FROM terugkoppelingen WHERE zorgvraag_id = ? AND status = ? AND datum = ?"
        " AND toelichting IS ? AND behandelaar IS ?",
        (zorgvraag_id, t.status, t.datum, t.toelichting, t.behandelaar)) is not None


class ServingSteps:
    """The steps of answering the SWV as the reference LAS takes them.

    A step may be replaced on an instance by one that does it differently (a conformance run
    plays a broken LAS that way), so the handlers call each through the instance.
    """

    # --- documentRequest ---

    def check_session(self, calls: OsoCalls, message: DocumentRequest, store: Store) -> None:
        """The sessiecontrole at the TC; any refusal (or no answer) is raised as an OsoFault."""
        calls.sessiecontrole(message)

    def check_document_caller(self, calls: OsoCalls, message: DocumentRequest) -> None:
        # the session is valid, but is it the doel system asking? (public routeringskenmerken)
        require_caller(calls.houder_oin, message.doelRouteringsKenmerk,
                       "het samenwerkingsverband waaraan de sessie is uitgegeven")

    def servable_statuses(self) -> tuple[str, ...]:
        """The statuses of a zorgvraag whose dossier is served: a removed one is gone."""
        return (VERZONDEN,)

    def dossier_to_serve(self, store: Store, row) -> bytes:
        """The snapshot stored at the send, byte for byte."""
        return bytes(row["dossier"])

    def mark_fetched(self, store: Store, row, message: DocumentRequest) -> None:
        with store.tx() as conn:
            conn.execute("UPDATE zorgvragen SET dossier_opgehaald = 1,"
                         " dossier_opgehaald_op = COALESCE(dossier_opgehaald_op, ?) WHERE id = ?",
                         (now_iso(), row["id"]))

    # --- terugkoppelingRequest ---

    def unknown_koppelsleutel(self, message: TerugkoppelingRequest) -> None:
        """A terugkoppeling for no (active) zorgvraag of this LAS is refused."""
        raise OsoFault(faults.KOPPELSLEUTEL_ONBEKEND,
                       "Deze koppelsleutel hoort bij geen (actieve) zorgvraag in deze LAS.")

    def require_fetched(self, row) -> None:
        if not row["dossier_opgehaald"]:
            raise OsoFault(faults.DOSSIER_NIET_OPGEHAALD,
                           "Een terugkoppeling kan pas nadat het dossier is opgehaald.")

    def check_terugkoppeling_caller(self, calls: OsoCalls, row) -> None:
        require_caller(calls.houder_oin, row["aanleverpunt"],
                       "het samenwerkingsverband waaraan deze zorgvraag is verstuurd")

    def keep_terugkoppeling(self, store: Store, row, message: TerugkoppelingRequest) -> None:
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


def make_handlers(store: Store, calls: OsoCalls, policy: ServingSteps | None = None) -> dict:
    policy = policy or ServingSteps()

    def document(message: DocumentRequest, inbound: Inbound) -> DocumentResponse:
        try:
            policy.check_session(calls, message, store)
        except OsoFault as fault:
            raise tc_fault(fault, "Sessiecontrole bij het Traffic Center mislukt") from None
        policy.check_document_caller(calls, message)
        row = _zorgvraag(store, message.koppelsleutel, policy.servable_statuses())
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
        dossier = policy.dossier_to_serve(store, row)
        policy.mark_fetched(store, row, message)
        return DocumentResponse(resultaat=DOSSIER_GELEVERD, dossierVersie=DOSSIER_VERSIE,
                                dossier=base64.b64encode(dossier).decode("ascii"))

    def terugkoppeling(message: TerugkoppelingRequest, inbound: Inbound) -> TerugkoppelingResponse:
        row = _zorgvraag(store, message.koppelsleutel)
        if row is None:
            policy.unknown_koppelsleutel(message)
            return TerugkoppelingResponse()
        if (message.bronRouteringsKenmerk != row["bron_routeringskenmerk"]
                or message.doelRouteringsKenmerk != row["aanleverpunt"]):
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           "De routeringskenmerken passen niet bij de zorgvraag van deze"
                           " koppelsleutel.")
        policy.require_fetched(row)
        policy.check_terugkoppeling_caller(calls, row)
        if _al_ontvangen(store, row["id"], message.terugkoppeling):
            return TerugkoppelingResponse()
        policy.keep_terugkoppeling(store, row, message)
        return TerugkoppelingResponse()

    return {"document": document, "terugkoppeling": terugkoppeling}
