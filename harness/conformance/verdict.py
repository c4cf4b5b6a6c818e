"""The verdict of a conformance run over its selected mandatory scenarios (geslaagd, deelselectie,
mislukt, onvolledig, fout), the exit code each verdict gives, and how one scenario's row reads:
its outcome and its name. The report writer (harness.evidence.report) and the bundle check
(harness.evidence.bundle) both judge with these, so a bundle is checked by the rules that wrote it.
"""
from __future__ import annotations

import re

from harness.conformance.outcomes import GESLAAGD, MISLUKT, NIET_GEVERIFIEERD, OUTCOMES

V_GESLAAGD, V_MISLUKT, V_ONVOLLEDIG, V_FOUT, V_DEELSELECTIE = (
    "geslaagd", "mislukt", "onvolledig", "fout", "deelselectie")
VERDICTS = (V_GESLAAGD, V_DEELSELECTIE, V_MISLUKT, V_ONVOLLEDIG, V_FOUT)
EXIT_CODES = {V_GESLAAGD: 0, V_DEELSELECTIE: 0, V_MISLUKT: 1, V_ONVOLLEDIG: 3, V_FOUT: 4}
EXIT_CONFIG = 2

# Results written by an older plugin (or by hand) still land in one of the four outcomes.
_LEGACY = {"passed": GESLAAGD, "failed": MISLUKT, "skipped": NIET_GEVERIFIEERD, "error": NIET_GEVERIFIEERD}


def level(tags) -> str:
    return "optional" if "optional" in tags else "mandatory"


def outcome_of(row: dict) -> str:
    o = row.get("outcome")
    if o in OUTCOMES:
        return o
    return _LEGACY.get(o, NIET_GEVERIFIEERD)


def _mandatory(n: int) -> str:
    return f"{n} verplicht scenario" if n == 1 else f"{n} verplichte scenario's"


def verdict(mandatory: dict, *, error: str | None = None, left_out: int = 0,
            tags: str | None = None, without_tls: int = 0,
            optional_failed: list[str] | None = None, plain_http: bool = False) -> tuple[str, str]:
    """(verdict, its reason in Dutch) from the counts of the selected mandatory scenarios.
    `without_tls`: how many of the niet geverifieerd ones are identity scenarios that a run over
    plain HTTP cannot check; `optional_failed`: names of failed optional scenarios, which never
    change the verdict but are named in its reason, so a CI line cannot hide them; `plain_http`:
    a system under test was judged without mutual TLS, which OSO never uses, so whatever its
    scenarios show the run is no certification (at best onvolledig)."""
    v, why = _verdict(mandatory, error=error, left_out=left_out, tags=tags, without_tls=without_tls)
    if plain_http and v in (V_GESLAAGD, V_DEELSELECTIE):
        v, why = V_ONVOLLEDIG, (f"{why}, maar de verbinding was zonder wederzijdse TLS: identiteit niet"
                                " getoetst, dus geen certificering (draai met --tls)")
    if optional_failed and v != V_FOUT:
        shown = "; ".join(optional_failed[:5]) + (f"; en {len(optional_failed) - 5} meer"
                                                  if len(optional_failed) > 5 else "")
        n = len(optional_failed)
        why += (f"; let op: {n} optioneel scenario mislukt" if n == 1 else
                f"; let op: {n} optionele scenario's mislukt") + f" ({shown})"
    return v, why


def _verdict(mandatory: dict, *, error: str | None, left_out: int, tags: str | None,
             without_tls: int) -> tuple[str, str]:
    if error:
        return V_FOUT, error
    total = sum(mandatory.values())
    if total == 0:
        return V_FOUT, "geen enkel verplicht scenario geselecteerd" + (f" (--tags {tags})" if tags else "")
    if mandatory[MISLUKT]:
        return V_MISLUKT, f"{_mandatory(mandatory[MISLUKT])} mislukt"
    if mandatory[NIET_GEVERIFIEERD]:
        why = f"{_mandatory(mandatory[NIET_GEVERIFIEERD])} niet geverifieerd"
        if without_tls:
            why += (f", waarvan {without_tls} over identiteit: verbinding zonder wederzijdse TLS,"
                    " dus geen certificering (draai met --tls)")
        return V_ONVOLLEDIG, why + "; geen enkel verplicht scenario mislukt"
    if not mandatory[GESLAAGD]:
        return V_FOUT, "geen enkel geselecteerd verplicht scenario was van toepassing op het systeem onder test"
    if left_out:
        return V_DEELSELECTIE, (f"alle geselecteerde verplichte scenario's geslaagd of niet van toepassing,"
                                f" maar --tags {tags} liet {_mandatory(left_out)} weg")
    return V_GESLAAGD, "alle verplichte scenario's geslaagd of niet van toepassing"


def display_name(s: dict) -> str:
    """The scenario's name, with the values of its outline example: "… (profiel: VO, blok: X)"."""
    name = s.get("name") or s.get("nodeid") or ""
    example = s.get("voorbeeld") or {}
    if not example:
        return name
    # a title that already names its example "(value)" gets the labelled values instead
    trailer = re.search(r"\s*\(([^()]*)\)$", name)
    if trailer and trailer.group(1) in {*example.values(), ", ".join(example.values())}:
        name = name[:trailer.start()]
    return f"{name} ({', '.join(f'{k}: {v}' for k, v in example.items())})"
