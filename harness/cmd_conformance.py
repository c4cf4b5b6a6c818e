"""`oso-sim conformance [--config FILE] --report DIR [--tags EXPR] [--parallel N]`.

Runs the Gherkin scenarios in features/ with pytest in a subprocess (so a crash of a scenario, or
of pytest, can never take the report with it), shows one line per scenario as it finishes, and
always writes DIR/junit.xml, DIR/report.html and DIR/summary.json.

Exit codes: 0 every mandatory scenario passed (or was not applicable), 1 a mandatory scenario
failed or the run broke down, 2 a wrong configuration file or call.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .conformance_plugin import REPORT_ENV
from .conformance_report import write_reports
from .roles import ENV_VAR, ConfigError, load_config

FEATURES = Path(__file__).resolve().parent.parent / "features"


def add_arguments(p):
    p.add_argument("--config", help="TOML-bestand met de rollen (zonder: alle rollen gesimuleerd)")
    p.add_argument("--report", required=True, metavar="DIR", help="map voor junit.xml, report.html, summary.json")
    p.add_argument("--tags", help='selectie op tags, bv. "@las and @mandatory" of "not optional"')
    p.add_argument("--parallel", type=int, default=0, metavar="N",
                   help="draai N scenario's tegelijk (alleen als alle rollen gesimuleerd zijn)")
    p.add_argument("--timeout", type=float, default=1800.0,
                   help="maximale duur van de hele run in seconden (standaard %(default)s)")


def tag_expression(expr: str) -> str:
    """Gherkin-style tags ("@las and not @optional") as a pytest -m expression."""
    return expr.replace("@", "").strip()


def pytest_command(args, report: Path, parallel: int) -> list[str]:
    cmd = [sys.executable, "-m", "pytest", str(FEATURES), "-p", "harness.conformance_plugin",
           "--junitxml", str(report / "junit.xml"), "-o", "addopts=", "-o", "junit_family=xunit2",
           "--capture=sys", "-p", "no:cacheprovider", "-q", "-rN",
           "--rootdir", str(FEATURES.parent)]
    if args.tags:
        cmd += ["-m", tag_expression(args.tags)]
    if parallel > 1:
        cmd += ["-n", str(parallel)]
    return cmd


def run(args) -> int:
    report = Path(args.report).resolve()  # pytest runs from the project folder, not from here
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"oso-sim conformance: {exc}", file=sys.stderr)
        _write_error(report, str(exc), None)
        return 2
    try:
        report.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"oso-sim conformance: rapportmap {report} niet te maken ({exc.strerror})", file=sys.stderr)
        return 2
    for name in ("junit.xml", "results.json"):
        (report / name).unlink(missing_ok=True)
    parallel = args.parallel if not config.sut_roles else 0  # an external system is one shared state
    sut = config.to_dict()
    print(f"Conformiteitsrun: {sut['naam']} (onder test: {', '.join(config.sut_roles) or 'geen, zelftest'})",
          flush=True)
    env = {**os.environ, REPORT_ENV: str(report.resolve()), ENV_VAR: str(Path(args.config).resolve()) if args.config else ""}
    cmd = pytest_command(args, report, parallel)
    started = time.monotonic()
    error = None
    with open(report / "pytest.log", "w", encoding="utf-8") as log:
        try:
            done = subprocess.run(cmd, env=env, stdout=log, stderr=None, timeout=args.timeout,
                                  cwd=str(FEATURES.parent))
            code = done.returncode
        except subprocess.TimeoutExpired:
            code, error = -1, f"de run duurde langer dan {args.timeout:.0f} s en is afgebroken"
    if code not in (0, 1, 5) and error is None:
        error = f"pytest stopte met code {code}; zie {report / 'pytest.log'}"
    scenarios = []
    try:
        scenarios = json.loads((report / "results.json").read_text(encoding="utf-8"))["scenarios"]
    except (OSError, ValueError, KeyError):
        error = error or f"geen resultaten van pytest; zie {report / 'pytest.log'}"
    if code == 5 and not scenarios:
        error = "geen enkel scenario geselecteerd (controleer --tags)"
    summary = write_reports(report, scenarios, sut, error=error)
    m, o = summary["mandatory"], summary["optional"]
    print(f"\nVerplicht: {m['passed']} geslaagd, {m['failed']} mislukt, {m['skipped']} overgeslagen;"
          f" optioneel: {o['passed']} geslaagd, {o['failed']} mislukt, {o['skipped']} overgeslagen"
          f" ({time.monotonic() - started:.1f} s)")
    if error:
        print(f"oso-sim conformance: {error}", file=sys.stderr)
    print(f"Oordeel: {summary['verdict']}. Rapport: {report / 'report.html'}")
    return 0 if summary["verdict"] == "passed" else 1


def _write_error(report: Path, message: str, sut) -> None:
    """A wrong config still leaves the three reports behind, so CI keeps an artifact."""
    try:
        write_reports(report, [], sut, error=message)
    except OSError:
        pass
