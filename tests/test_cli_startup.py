"""The trigger commands start without the heavy machinery: a conformance run starts `oso-sim
zorgvraag` and `oso-sim swv` dozens of times, and each import of Flask, lxml, xmlschema, pytest or
cryptography costs every one of them. What they import is checked here; how fast they start is
measured by benchmarks/speed.py, not timed in a test."""
from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

HEAVY = ("flask", "lxml", "xmlschema", "pytest", "cryptography", "faker", "harness.conformance.run",
         "harness.runtime", "oso_protocol.dossier")

PROBE = """
import json, sys
from harness.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def dead_url() -> str:
    with socket.socket() as s:  # a port nobody listens on once closed
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def modules_after(*argv: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"})
    report = json.loads(done.stderr.strip().splitlines()[-1])
    return report["code"], set(report["modules"])


def heavy_in(modules: set[str]) -> list[str]:
    return [name for name in HEAVY if name in modules]


@pytest.mark.parametrize("argv, code", [
    (("--help",), 0),
    (("zorgvraag", "--help"), 0),
    (("swv", "--help"), 0),
    (("zorgvraag", "--las", "{url}", "toon", "--koppelsleutel", "K"), 2),
    (("zorgvraag", "--las", "{url}", "create", "--leerling", "1", "--omschrijving", "x"), 2),
    (("swv", "--swv", "{url}", "toon", "--koppelsleutel", "K"), 2),
    (("swv", "--swv", "{url}", "terugkoppeling", "--koppelsleutel", "K", "--status", "Ontvangen"), 2),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_trigger_commands_import_no_heavy_modules(argv, code):
    url = dead_url()
    got, modules = modules_after(*(a.format(url=url) for a in argv))
    assert got == code  # a dead URL is this command's own trouble: exit 2, not a refusal
    assert heavy_in(modules) == []


def test_help_imports_no_requests():
    """`--help` of a trigger command needs no HTTP client at all."""
    for argv in (("zorgvraag", "--help"), ("swv", "--help"), ("--help",)):
        assert "requests" not in modules_after(*argv)[1], argv


def test_the_probe_sees_heavy_modules():
    """The check is not blind: a command that does need lxml shows it."""
    _, modules = modules_after("validate", "--help")
    assert heavy_in(modules)
