"""The version part of a refusal text: what a receiver adds to its Fault when the diagnosis of
the refused message finds an older OSO version or vocabulary.

A schema error line ("element aanleverpuntIndex: This element is not expected") does not tell a
vendor that the whole message is of another version; this note does, in the words of the rule
table, so the Fault, the inbox page and `oso-sim diagnose` say the same thing.
"""
from __future__ import annotations

from .model import Diagnosis

# a note names at most this many renamed fields: a Fault's omschrijving stays one readable line
MAX_RENAMES = 3


def version_note(d: Diagnosis) -> str | None:
    """"OSO-berichtversie 20180404 gevonden, 20200910 verwacht; aanleverpuntIndex heet sinds
    20200910 routeringsKenmerk ...", or None when version and vocabulary are the expected ones."""
    expected = d.version_expected
    if d.kind != "soap" or not expected:
        return None
    found = d.version_found
    parts = []
    if found and found != expected:
        parts.append(f"OSO-berichtversie {found} gevonden, {expected} verwacht")
    elif d.vocabulary and d.vocabulary != expected:
        parts.append(f"woordenschat van OSO-berichtversie {d.vocabulary} gevonden"
                     f" (namespace {found}), {expected} verwacht")
    if not parts:
        return None
    if any(f.rule == "OSS.VER01" and f.variant == "eld" for f in d.findings):
        parts.append("de host xml.eld.nl is sinds 20180404 xml.kennisnet.nl")
    renames = [f.message.rstrip(".") for f in d.findings if f.rule == "OSS.VER02"]
    parts.extend(renames[:MAX_RENAMES])
    return "; ".join(parts)


def explained(omschrijving: str, d: Diagnosis) -> str:
    """`omschrijving` with the version note in front when there is one; otherwise unchanged."""
    note = version_note(d)
    return f"{note}. {omschrijving}" if note else omschrijving
