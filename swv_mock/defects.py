"""Deliberate faults a conformance test can switch on to play a broken SWV (config DEFECTS).

Each one breaks exactly one rule, the way a vendor might get it slightly wrong. A defect is a
subclass of the SWV's policy (swv_mock.ophalen.FetchPolicy, swv_mock.terugkoppeling.SendPolicy)
that replaces the named step it breaks; `policy()` composes the ones switched on, and with
DEFECTS empty the correct policy runs untouched. The catalogue with descriptions and the
scenarios meant to catch each one is harness/conformance/defects.py.
"""
from __future__ import annotations

import logging
import time

from actor_kit import defect_switch
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import OVERDRACHT_GESLAAGD, TERUGKOPPELING_STATUSSEN

from .ophalen import (BRON_NIET_BEREIKBAAR, DOSSIER_ONGELDIG, LEVERING_GEWEIGERD,
                      TRANSPORT_FOUTEN, FetchPolicy)
from .terugkoppeling import SendPolicy

log = logging.getLogger(__name__)

SKIP_AFMELDING = "skip_afmelding"    # never sign a session off
SKIP_OVERDRACHT = "skip_overdracht"  # ask the LAS with a made-up sessieId, no TC session
OVERDRACHT_MET_ZOEKSLEUTEL = "overdracht_met_zoeksleutel"  # zoeksleutel next to the koppelsleutel
AFMELDING_FOUT_RESULTAAT = "afmelding_fout_resultaat"      # a good dossier signed off as invalid
ACCEPT_PGN = "accept_pgn"                                  # PaO.LL12 left out of the validation
SKIP_MELDEN_TERUGKOPPELING = "skip_melden_terugkoppeling"  # straight to the LAS, TC not asked
GARBLE_TERUGKOPPELING = "garble_terugkoppeling"            # another status than the one asked
ACCEPT_UNKNOWN_KOPPELSLEUTEL = "accept_unknown_koppelsleutel"  # no check at the TC
FETCH_TWICE = "fetch_twice"                                # documentRequest twice per session
FETCH_ON_EVERY_NOTIFICATIE = "fetch_on_every_notificatie"  # a repeated notificatie fetches again
SUCCEED_ON_REFUSAL = "succeed_on_refusal"                  # a LAS refusal signed off as success
REFUSAL_AS_LEVERING_GEWEIGERD = "refusal_as_levering_geweigerd"  # the LAS's own code replaced
ACCEPT_NOT_XML = "accept_not_xml"                          # bytes that are no XML kept as a dossier
ACCEPT_SCHEMA_INVALID = "accept_schema_invalid"            # XSD, namespace, version not checked
KEEP_PGN_DOSSIER = "keep_pgn_dossier"                      # DossierOngeldig, but the bytes kept
NO_NEW_SESSION = "no_new_session"                          # SessieVerlopen ends the fetch
NO_RETRY_LAS = "no_retry_las"                              # LAS unreachable: BronNietBereikbaar at once
NO_RETRY_TC = "no_retry_tc"                                # TC unreachable: refuse, give up
ACCEPT_FOREIGN_KOPPELSLEUTEL = "accept_foreign_koppelsleutel"  # only KoppelsleutelOnbekend refuses
ACCEPT_ANY_CALLER = "accept_any_caller"                    # any certificate of the PKI may notify
SKIP_SERVER_VERIFICATION = "skip_server_verification"      # the LAS's certificate not checked
LATE_SKIP_SERVER_VERIFICATION = "late_skip_server_verification"  # the same, fetching 3 s late
TERUGKOPPELING_BEFORE_MELDEN = "terugkoppeling_before_melden"  # LAS first, TC second
REJECT_VO_PROFILE = "reject_vo_profile"                    # a valid VOSWV dossier refused
SMALL_MESSAGE_LIMIT = "small_message_limit"                # 4 MiB where 16 MiB is documented

# late_skip_server_verification: the pause before its unverified documentRequest
LATE_FETCH_SECONDS = 3.0

# small_message_limit: the limit the broken SWV applies to a documentResponse
SMALL_LIMIT_BYTES = 4 * 1024 * 1024

PGN_REGEL = "PaO.LL12"

# name -> the policy subclass that plays it. Registration order is precedence: when two defects
# replace the same step, the one registered first decides (the composed class lists it first).
REGISTRY: dict[str, type] = {}


_defect = defect_switch.registrar(REGISTRY)


def zonder_pgn_regel(report: dict) -> dict:
    """accept_pgn: the report as a validator that never learnt PaO.LL12 would make it."""
    findings = [f for f in report.get("findings") or [] if f.get("rule") != PGN_REGEL]
    if len(findings) == len(report.get("findings") or []):
        return report
    valid = report.get("valid")
    if valid is not None:
        valid = not any(f.get("severity") == "fout" for f in findings)
    return dict(report, findings=findings, valid=valid)


def andere_status(status: str) -> str:
    """garble_terugkoppeling: the next status in the list, so never the one asked for."""
    i = TERUGKOPPELING_STATUSSEN.index(status)
    return TERUGKOPPELING_STATUSSEN[(i + 1) % len(TERUGKOPPELING_STATUSSEN)]


# --- the TC left out of the whole fetch ---------------------------------------------------------

@_defect(SKIP_OVERDRACHT)
class SkipOverdracht(FetchPolicy):
    """No TC anywhere in the fetch: so no confirmation at the notificatie, a session id made up
    for the configured LAS, no new one when the LAS calls it expired, no afmelding."""

    def confirm_at_notificatie(self) -> bool:
        return False

    def open_session(self, ophalen, row):
        return ophalen.session_without_tc(row)

    def renews_expired_session(self) -> bool:
        return False

    def signs_off(self) -> bool:
        return False


# --- the notificatie -----------------------------------------------------------------------------

@_defect(ACCEPT_ANY_CALLER)
class AcceptAnyCaller(FetchPolicy):
    def check_caller(self, houder_oin, routeringskenmerk):
        return None


@_defect(FETCH_ON_EVERY_NOTIFICATIE)
class FetchOnEveryNotificatie(FetchPolicy):
    def on_repeated_notificatie(self, ophalen, key, after_answer):
        after_answer(lambda: ophalen.fetch_again(key))


# --- the TC --------------------------------------------------------------------------------------

@_defect(ACCEPT_UNKNOWN_KOPPELSLEUTEL)
class AcceptUnknownKoppelsleutel(FetchPolicy):
    def confirm_koppelsleutel(self, ask, request):
        return None  # taken on its word: no session yet, the fetch asks for one


@_defect(ACCEPT_FOREIGN_KOPPELSLEUTEL)
class AcceptForeignKoppelsleutel(FetchPolicy):
    def confirm_koppelsleutel(self, ask, request):
        try:
            return super().confirm_koppelsleutel(ask, request)
        except OsoFault as fault:
            if fault.resultaat not in TRANSPORT_FOUTEN \
                    and fault.resultaat != faults.KOPPELSLEUTEL_ONBEKEND:
                return None  # a key the TC issued for someone else taken as ours
            raise


@_defect(OVERDRACHT_MET_ZOEKSLEUTEL)
class OverdrachtMetZoeksleutel(FetchPolicy):
    def address_overdracht(self, request):
        request.zoeksleutel, request.koppelsleutel = request.koppelsleutel, None
        return request


@_defect(NO_RETRY_TC)
class NoRetryTc(FetchPolicy):
    def retry_tc(self) -> bool:
        return False


@_defect(NO_NEW_SESSION)
class NoNewSession(FetchPolicy):
    def renews_expired_session(self) -> bool:
        return False


@_defect(SKIP_AFMELDING)
class SkipAfmelding(FetchPolicy):
    def signs_off(self) -> bool:
        return False


# --- the LAS -------------------------------------------------------------------------------------

@_defect(SKIP_SERVER_VERIFICATION)
class SkipServerVerification(FetchPolicy):
    def verify_for_las(self):
        return False


@_defect(LATE_SKIP_SERVER_VERIFICATION)
class LateSkipServerVerification(FetchPolicy):
    # an SWV that queues its fetches: the unverified request comes after a pause, past any
    # fixed window a harness might watch
    def verify_for_las(self):
        time.sleep(LATE_FETCH_SECONDS)
        return False


@_defect(NO_RETRY_LAS)
class NoRetryLas(FetchPolicy):
    def after_las_unreachable(self, ophalen, row, fault):
        return ophalen.not_delivered(row["koppelsleutel"], fault.resultaat, fault.omschrijving,
                                     BRON_NIET_BEREIKBAAR)


@_defect(SUCCEED_ON_REFUSAL)
class SucceedOnRefusal(FetchPolicy):
    def resultaat_for_refusal(self, code):
        return OVERDRACHT_GESLAAGD


@_defect(REFUSAL_AS_LEVERING_GEWEIGERD)
class RefusalAsLeveringGeweigerd(FetchPolicy):
    def resultaat_for_refusal(self, code):
        return LEVERING_GEWEIGERD


@_defect(FETCH_TWICE)
class FetchTwice(FetchPolicy):
    def after_document_response(self, ophalen, row):
        try:
            ophalen.call_las(row)
        except OsoFault as fault:
            log.info("second documentRequest for %s: %s", row["koppelsleutel"], fault)


@_defect(SMALL_MESSAGE_LIMIT)
class SmallMessageLimit(FetchPolicy):
    def refuses_response(self, answer):
        if len(answer.dossier or "") > SMALL_LIMIT_BYTES:
            return "Het antwoord is groter dan 4 MiB."
        return super().refuses_response(answer)


# --- judging the dossier -------------------------------------------------------------------------

@_defect(ACCEPT_PGN)
class AcceptPgn(FetchPolicy):
    def apply_rules(self, report):
        return zonder_pgn_regel(super().apply_rules(report))


@_defect(ACCEPT_NOT_XML)
class AcceptNotXml(FetchPolicy):
    def unreadable(self, data, readable):
        return not data


@_defect(ACCEPT_SCHEMA_INVALID)
class AcceptSchemaInvalid(FetchPolicy):
    def fails_schema(self, report):
        return False


@_defect(REJECT_VO_PROFILE)
class RejectVoProfile(FetchPolicy):
    def refuses_profile(self, report):
        return report.get("profile") == "VOSWV" or super().refuses_profile(report)


@_defect(AFMELDING_FOUT_RESULTAAT)
class AfmeldingFoutResultaat(FetchPolicy):
    def afmelding_resultaat(self, refused, readable):
        return DOSSIER_ONGELDIG if readable else super().afmelding_resultaat(refused, readable)


@_defect(KEEP_PGN_DOSSIER)
class KeepPgnDossier(FetchPolicy):
    def keeps_dossier(self, refused, pgn, onleesbaar, schema):
        return super().keeps_dossier(refused, pgn, onleesbaar, schema) \
            or (pgn and not onleesbaar and not schema)


# --- the terugkoppeling --------------------------------------------------------------------------

@_defect(GARBLE_TERUGKOPPELING)
class GarbleTerugkoppeling(SendPolicy):
    def status_sent(self, status):
        return andere_status(super().status_sent(status))


@_defect(TERUGKOPPELING_BEFORE_MELDEN)
class TerugkoppelingBeforeMelden(SendPolicy):
    def send_terugkoppeling(self, sender, tk_id, row, melden, bericht):
        return sender.send_then_melden(tk_id, row, melden, bericht)


@_defect(SKIP_MELDEN_TERUGKOPPELING)
class SkipMeldenTerugkoppeling(SendPolicy):
    def las_url(self, sender, row, melden):
        return row["las_url"]


DEFECTS = frozenset(REGISTRY)


def check(defects) -> frozenset[str]:
    return defect_switch.check(defects, DEFECTS, "het SWV")


def policy(base: type, defects=()):
    """An instance of `base` (FetchPolicy or SendPolicy) with the steps of every defect in
    `defects` that belongs to it replaced; `base()` itself when there is none."""
    return defect_switch.compose(base, REGISTRY, check(defects))
