"""Asking a real system to act on its own: run the vendor's trigger command, or ask a person.

The trigger contract: a command template with {placeholders}; every value is shell-quoted before
it is filled in. Exit status 0 means "the system did it", 1 "the system refused" (with its reason
in the output), anything else "the trigger could not ask the system". Without a trigger the harness prints what to do and waits.
"""
from __future__ import annotations

import os
import shlex
import subprocess

from .http import DriverError

# Exit status of a trigger: 0 the system did it, 1 the system refused (its reason in the output);
# anything else means the trigger could not ask the system, so nothing was observed.
EXIT_REFUSED = 1


def fill(template: str, values: dict) -> list[str]:
    quoted = {k: shlex.quote("" if v is None else str(v)) for k, v in values.items()}
    try:
        return shlex.split(template.format(**quoted))
    except KeyError as exc:
        raise DriverError(f"trigger {template!r} gebruikt onbekende plaatshouder {exc};"
                          f" beschikbaar: {', '.join('{' + k + '}' for k in values)}") from None


def run_trigger(role: str, template: str, values: dict, timeout: float) -> subprocess.CompletedProcess:
    argv = fill(template, values)
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except FileNotFoundError:
        raise DriverError(f"{role.upper()}-trigger: opdracht {argv[0]!r} niet gevonden") from None
    except subprocess.TimeoutExpired:
        raise DriverError(f"{role.upper()}-trigger liep langer dan {timeout:.0f} s: {' '.join(argv)}") from None
    return done


def prompt_person(text: str) -> None:
    """Instructions for the person operating the system under test. Written to fd 2 directly,
    because pytest captures sys.stderr while a step runs."""
    line = "\n" + "=" * 72 + "\nACTIE NODIG: " + text.strip() + "\n" + "=" * 72 + "\n"
    try:
        os.write(2, line.encode("utf-8"))
    except OSError:
        pass
