"""The four outcomes of a conformance scenario and how a step reports the two that are not
pass/fail. Modelled on ONC Inferno's separation of "omit" from "skip":

- geslaagd: every step proved its sentence;
- mislukt: a step's check failed (an AssertionError): the system under test broke the rule;
- niet van toepassing: decided before the scenario runs (tags and configuration), never by a step
  half-way: the role it tests is not under test, or it does not apply to this system by design;
- niet geverifieerd: it applies but could not be checked (missing pupil kind or trigger, a
  trigger that failed or timed out, a person who did not act, a harness error). Never counted
  as passed.

pytest only knows passed/failed/skipped, so the two extra outcomes travel as skips whose reason
starts with a fixed Dutch prefix; any other exception than an AssertionError in a step is
reported as niet geverifieerd too (harness.conformance_plugin maps them).
"""
from __future__ import annotations

import pytest

GESLAAGD = "geslaagd"
MISLUKT = "mislukt"
NIET_VAN_TOEPASSING = "niet van toepassing"
NIET_GEVERIFIEERD = "niet geverifieerd"
OUTCOMES = (GESLAAGD, MISLUKT, NIET_VAN_TOEPASSING, NIET_GEVERIFIEERD)

# Why a mandatory identity (@tls) scenario ends niet geverifieerd in a run over plain HTTP; the
# verdict line names it, so an onvolledig run says it was no certification.
NO_TLS_REASON = ("verbinding zonder wederzijdse TLS: de identiteit van de bellers is niet getoetst"
                 " (OSO verbindt alleen met wederzijdse TLS; draai met --tls)")

NVT_PREFIX = "niet van toepassing: "
NG_PREFIX = "niet geverifieerd: "


class NotVerified(Exception):
    """Raised by a driver when the system under test could not be made to act (trigger failed,
    timed out, a person did not act): the scenario ends niet geverifieerd, not mislukt."""


def not_applicable(reason: str):
    pytest.skip(NVT_PREFIX + reason)


def not_verified(reason: str):
    pytest.skip(NG_PREFIX + reason)


def outcome_of_skip(reason: str) -> str:
    """A skip that does not say niet van toepassing could not check what it should."""
    return NIET_VAN_TOEPASSING if reason.startswith(NVT_PREFIX) else NIET_GEVERIFIEERD


RANK = {GESLAAGD: 0, NIET_VAN_TOEPASSING: 1, NIET_GEVERIFIEERD: 2, MISLUKT: 3}


def worst(a: str, b: str) -> str:
    """Combining the phases of one scenario: a failed check outweighs an unverifiable one,
    which outweighs not applicable."""
    return a if RANK[a] >= RANK[b] else b


def strip_prefix(reason: str) -> str:
    for p in (NVT_PREFIX, NG_PREFIX):
        if reason.startswith(p):
            return reason[len(p):]
    return reason
