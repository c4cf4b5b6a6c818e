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

DEFECTS = frozenset({
    SKIP_AFMELDING, SKIP_OVERDRACHT, OVERDRACHT_MET_ZOEKSLEUTEL, AFMELDING_FOUT_RESULTAAT,
    ACCEPT_PGN, SKIP_MELDEN_TERUGKOPPELING, GARBLE_TERUGKOPPELING, ACCEPT_UNKNOWN_KOPPELSLEUTEL,
})

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
