"""Deliberate faults a conformance test can switch on to play a broken SWV (config DEFECTS).

Each one breaks exactly one rule, the way a vendor might get it slightly wrong. With DEFECTS
empty nothing here runs. The catalogue with descriptions and the scenarios meant to catch each
one is harness/defects.py.
"""
from __future__ import annotations

from actor_kit import defect_switch
from oso_protocol.transport.messages import TERUGKOPPELING_STATUSSEN

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
TERUGKOPPELING_BEFORE_MELDEN = "terugkoppeling_before_melden"  # LAS first, TC second
REJECT_VO_PROFILE = "reject_vo_profile"                    # a valid VOSWV dossier refused
SMALL_MESSAGE_LIMIT = "small_message_limit"                # 4 MiB where 16 MiB is documented

DEFECTS = frozenset({
    SKIP_AFMELDING, SKIP_OVERDRACHT, OVERDRACHT_MET_ZOEKSLEUTEL, AFMELDING_FOUT_RESULTAAT,
    ACCEPT_PGN, SKIP_MELDEN_TERUGKOPPELING, GARBLE_TERUGKOPPELING, ACCEPT_UNKNOWN_KOPPELSLEUTEL,
    FETCH_TWICE, FETCH_ON_EVERY_NOTIFICATIE, SUCCEED_ON_REFUSAL, REFUSAL_AS_LEVERING_GEWEIGERD,
    ACCEPT_NOT_XML, ACCEPT_SCHEMA_INVALID, KEEP_PGN_DOSSIER, NO_NEW_SESSION, NO_RETRY_LAS,
    NO_RETRY_TC, ACCEPT_FOREIGN_KOPPELSLEUTEL, ACCEPT_ANY_CALLER, SKIP_SERVER_VERIFICATION,
    TERUGKOPPELING_BEFORE_MELDEN, REJECT_VO_PROFILE, SMALL_MESSAGE_LIMIT,
})

# small_message_limit: the limit the broken SWV applies to a documentResponse
SMALL_LIMIT_BYTES = 4 * 1024 * 1024

PGN_REGEL = "PaO.LL12"


def check(defects) -> frozenset[str]:
    return defect_switch.check(defects, DEFECTS, "het SWV")


def active(defects, name: str) -> bool:
    return defect_switch.active(defects, DEFECTS, name)


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
