"""Asking a real system to act on its own: run the vendor's trigger command, or ask a person.

The trigger contract: a command template with {placeholders}; every value is shell-quoted before
it is filled in. The command runs in the folder of the configuration file, so a relative path in
it (`./send.sh`, `--tls pki`) means the same in the pre-flight and in every scenario. Exit status
0 means "the system did it", 1 "the system refused" (with its reason in the output), anything
else "the trigger could not ask the system". A trigger that cannot start, times out, exits
outside the contract, or stops with a Python traceback (even with exit 1: an uncaught exception
exits 1 too) tells nothing about the system: `NotVerified`, never a refusal and never a pass.
Without a trigger the harness prints what to do and waits.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess

from harness.conformance.outcomes import NotVerified
from harness.evidence.run_info import redact_text

from harness.conformance.drivers.http import DriverError

# Exit status of a trigger: 0 the system did it, 1 the system refused (its reason in the output);
# anything else means the trigger could not ask the system, so nothing was observed.
EXIT_DONE = 0
EXIT_REFUSED = 1
TRACEBACK = "Traceback (most recent call last):"
TAIL_CHARS = 300
STDERR_CHARS = 20000   # what the technical trace keeps of a failing trigger's stderr
_EXCEPTION_LINE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?:: (?P<message>.*))?$")


def fill(template: str, values: dict) -> list[str]:
    quoted = {k: shlex.quote("" if v is None else str(v)) for k, v in values.items()}
    try:
        return shlex.split(template.format(**quoted))
    except KeyError as exc:
        raise DriverError(f"trigger {redact_text(template)!r} gebruikt onbekende plaatshouder {exc};"
                          f" beschikbaar: {', '.join('{' + k + '}' for k in values)}") from None
    except ValueError:  # an unbalanced quote or brace in the template
        raise DriverError(f"trigger {redact_text(template)!r} is geen bruikbare opdracht: aanhalingstekens of"
                          " accolades staan niet in paren") from None


def _text(data) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


def crashed(done: subprocess.CompletedProcess) -> bool:
    """The trigger itself broke: a Python traceback in its output."""
    return TRACEBACK in _text(done.stderr) or TRACEBACK in _text(done.stdout)


def tail(stderr: str, stdout: str = "") -> str:
    """A short reason from a trigger's output: the last non-empty line of stderr (else stdout).
    The last line of a traceback names the exception class first; the reason keeps its message
    only (the class name alone when there is none), as every reason of the report is written
    without Python class names. The whole stderr stays in the technical trace."""
    for text in (_text(stderr), _text(stdout)):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            continue
        last = lines[-1]
        exception = _EXCEPTION_LINE.match(last) if TRACEBACK in text else None
        if exception:
            name = exception["name"].rsplit(".", 1)[-1]
            last = exception["message"] or name
        return redact_text(last[:TAIL_CHARS])
    return ""


def not_verified(reason: str, stderr: str = "") -> NotVerified:
    """NotVerified with the short reason; the trigger's whole stderr travels as a note, so the
    technical trace of the report has it and the reason stays one line. Both may quote the
    command line, so its secrets are taken out first."""
    exc = NotVerified(redact_text(reason))
    stderr = _text(stderr).strip()
    if stderr:
        exc.add_note("stderr van de trigger:\n" + redact_text(stderr[-STDERR_CHARS:]))
    return exc


def run_trigger(role: str, template: str, values: dict, timeout: float,
                cwd: str | os.PathLike | None = None, key: str = "trigger") -> subprocess.CompletedProcess:
    """Run a trigger in `cwd` (the configuration file's folder). What did not come to an exit
    status of the command raises NotVerified: it could not be filled in or started, or it ran
    past `timeout`."""
    label = f"[{role}] {key}"
    try:
        argv = fill(template, values)
    except DriverError as exc:
        raise not_verified(f"{label}: {exc}") from None
    if not argv:
        raise NotVerified(f"{label} is leeg")
    if cwd is not None and not os.path.isdir(cwd):
        raise NotVerified(f"{label}: de map van de configuratie {cwd} bestaat niet (meer)")
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise not_verified(f"{label}: opdracht {argv[0]!r} niet gevonden"
                          + (f" (gezocht vanuit {cwd})" if cwd and os.sep in argv[0] else "")) from None
    except PermissionError:
        raise not_verified(f"{label}: opdracht {argv[0]!r} is niet uitvoerbaar") from None
    except OSError as exc:
        raise not_verified(f"{label}: opdracht {argv[0]!r} start niet ({exc.strerror})") from None
    except subprocess.TimeoutExpired as exc:
        said = tail(exc.stderr, exc.stdout)
        raise not_verified(f"{label} liep langer dan {timeout:.0f} s en is afgebroken"
                           + (f"; laatste uitvoer: {said}" if said else ""), _text(exc.stderr)) from None


def output(done: subprocess.CompletedProcess, limit: int = 400) -> str:
    """What the trigger printed, for a refusal's reason (the system's own words)."""
    return redact_text(((done.stderr or "") + (done.stdout or "")).strip()[:limit])


def refused(role: str, key: str, done: subprocess.CompletedProcess) -> bool:
    """The contract's reading of a finished trigger: False when the system did it (exit 0),
    True when the system refused (exit 1 with its own answer). Anything else, and a trigger that
    crashed with a traceback, raises NotVerified with the tail of its stderr."""
    label = f"[{role}] {key}"
    if crashed(done):
        raise not_verified(f"{label} brak af met een Python-fout (exit {done.returncode}):"
                           f" {tail(done.stderr, done.stdout) or '(geen uitvoer)'}", done.stderr)
    if done.returncode == EXIT_DONE:
        return False
    if done.returncode == EXIT_REFUSED:
        return True
    said = tail(done.stderr, done.stdout)
    if done.returncode < 0:
        why = f"werd gestopt door signaal {-done.returncode}"
    else:
        why = f"stopte met exit {done.returncode}, buiten het contract (0 gedaan, 1 geweigerd)"
    raise not_verified(f"{label} {why}" + (f": {said}" if said else ""), done.stderr)


def prompt_person(text: str) -> None:
    """Instructions for the person operating the system under test. Written to fd 2 directly,
    because pytest captures sys.stderr while a step runs."""
    line = "\n" + "=" * 72 + "\nACTIE NODIG: " + text.strip() + "\n" + "=" * 72 + "\n"
    try:
        os.write(2, line.encode("utf-8"))
    except OSError:
        pass
