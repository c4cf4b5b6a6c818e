"""Deliberate faults a conformance test can switch on to play a broken LAS (config DEFECTS).

Each one breaks exactly one rule, so a test can show that the suite catches it with the right
scenario failing and nothing else.
"""
from __future__ import annotations

from oso_protocol.dossier.pgn import with_pgn

# Copies the pupil's BSN (or else onderwijsnummer) from the LAS record into the dossier at send time.
LEAK_PGN = "leak_pgn"

DEFECTS = frozenset({LEAK_PGN})


def check(defects) -> frozenset[str]:
    defects = frozenset(defects or ())
    if defects - DEFECTS:
        raise ValueError(f"onbekende DEFECTS voor de LAS: {sorted(defects - DEFECTS)}")
    return defects


def apply_to_dossier(defects: frozenset[str], dossier: bytes, leerling) -> bytes:
    if LEAK_PGN in defects:
        if leerling.bsn:
            return with_pgn(dossier, "bsn", leerling.bsn)
        if leerling.onderwijsnummer:
            return with_pgn(dossier, "onderwijsnummer", leerling.onderwijsnummer)
    return dossier
