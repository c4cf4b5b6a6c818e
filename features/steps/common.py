"""Shared state of a scenario and the evidence a failing step prints."""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Ctx", "evidence", "profile_of", "PROFILE"]

PROFILE = {"PO": "POSWV", "VO": "VOSWV"}


@dataclass
class Ctx:
    pupil: object = None
    sent: object = None                      # the last Sent
    sent_all: list = field(default_factory=list)
    dossier: bytes | None = None
    answer: object = None                    # last JSON answer (drivers.http.Answer)
    soap: object = None                      # last SoapResult of the harness
    session: dict = field(default_factory=dict)
    aanleverpunten: list = field(default_factory=list)
    terugkoppeling: dict = field(default_factory=dict)
    delivered: tuple = (False, "")
    sector: str = "PO"

    @property
    def koppelsleutel(self) -> str:
        if not self.sent or not self.sent.koppelsleutel:
            raise AssertionError(f"er is geen verzonden zorgvraag met koppelsleutel"
                                 f" ({self.sent.describe() if self.sent else 'niets verzonden'})")
        return self.sent.koppelsleutel


def profile_of(sector: str) -> str:
    return PROFILE[sector]


def evidence(env, koppelsleutel: str | None = None) -> str:
    """One line per simulated actor: the calls it answered (operation -> outcome), as proof."""
    parts = []
    for role, label in (("tc", "TC"), ("las", "LAS"), ("swv", "SWV")):
        try:
            rows = env.log(role, koppelsleutel)
        except Exception:
            continue
        calls = [f"{r['operation']}->{r['outcome']}" for r in rows
                 if r.get("side") == "server" and r.get("direction") == "out" and r.get("operation")]
        if calls:
            parts.append(f"{label}: {', '.join(calls)}")
    return " | ".join(parts) or "geen berichten gelogd"
