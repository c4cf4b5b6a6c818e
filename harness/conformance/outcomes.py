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
reported as niet geverifieerd too (harness.conformance.run_plugin maps them).
"""
from __future__ import annotations

import re

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


# -- reasons a person reads --------------------------------------------------------------------

# pytest's assertion rewriting appends "assert <expression>" and "+  where … = …" lines to the
# message a step wrote: the values of Python objects, not a sentence about the system under test.
_INTROSPECTION = re.compile(r"^\s*(?:E\s+)?(?:AssertionError:\s*)?assert\b|^\s*\+\s+(?:where|and)\b")
_TRACEBACK = "Traceback (most recent call last)"
_FILE_LINE = re.compile(r'^\s*File "')
_OBJECT = re.compile(r"<(?:built-in|function|bound method|method|module|class|generator|coroutine)\b[^<>\n]*>"
                     r"|<[^<>\n]*\bat 0x[0-9a-fA-F]+>")
_ADDRESS = re.compile(r"\s*\bat 0x[0-9a-fA-F]{6,}\b|\b0x[0-9a-fA-F]{6,}\b")
_REPR = re.compile(r"\b[A-Z]\w*\(\w+=")
_GAP = "\u2026"


def _without_traceback(lines: list[str]) -> list[str]:
    """A Python traceback inside a message (a trigger's stderr, an error text) shrinks to what
    came before it and its last line, the error itself."""
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        at = line.find(_TRACEBACK)
        if at < 0:
            out.append(line)
            i += 1
            continue
        before = line[:at].rstrip(" :")
        i += 1
        while i < len(lines) and (not lines[i].strip() or lines[i][:1].isspace() or _FILE_LINE.match(lines[i])):
            i += 1
        error = lines[i].strip() if i < len(lines) else ""
        i += 1
        out.append(f"{before}: {error}" if before and error else before or error)
    return out


def _without_reprs(text: str) -> str:
    """`Name(field=…)`, a dataclass or namedtuple as Python prints it, replaced by an ellipsis:
    its fields are the harness's inner state, not the system's behaviour."""
    while True:
        m = _REPR.search(text)
        if m is None:
            return text
        depth, quote, j = 0, "", text.index("(", m.start())
        while j < len(text):
            c = text[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        text = text[:m.start()] + _GAP + text[j + 1:]


def readable_reason(text: str | None) -> str:
    """A reason for a person: the message a step wrote, without pytest's assertion
    introspection, tracebacks, object addresses or reprs of Python objects. What is left out
    stays in the technical trace."""
    lines = (text or "").strip().splitlines()
    for n, line in enumerate(lines):
        if _INTROSPECTION.match(line):
            lines = lines[:n]
            break
    lines = [line for line in _without_traceback(lines) if not _FILE_LINE.match(line)]
    out = []
    for line in lines:
        line = _without_reprs(_ADDRESS.sub("", _OBJECT.sub(_GAP, line))).replace("Traceback", "")
        line = re.sub(r"[ \t]{2,}", " ", line).rstrip()
        if line.strip():
            out.append(line)
    return "\n".join(out).strip()
