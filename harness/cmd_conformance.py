"""`oso-sim conformance [--config FILE] --report DIR [--tags EXPR] [--parallel N] [--onvolledig]`.

Before any scenario: the configuration is read and checked against what the selected mandatory
scenarios need (harness.needs; an incomplete one is refused, naming every missing key and the
scenarios that need it), and a pre-flight proves the system under test can be judged at all
(harness.preflight). Then the Gherkin scenarios in features/ run with pytest in a subprocess (so
a crash of a scenario, or of pytest, can never take the report with it), one line per scenario
as it finishes, and DIR/junit.xml, DIR/report.html and DIR/summary.json are always written. The
last line is the verdict: "Oordeel: ...".

Exit codes (the verdict rules are in harness.conformance_report):
  0  geslaagd, or deelselectie (--tags left mandatory scenarios out; all selected ones passed)
  1  mislukt: a mandatory scenario failed
  2  a wrong configuration file or call, or a configuration that misses keys the selected
     mandatory scenarios need (without --onvolledig)
  3  onvolledig: no mandatory scenario failed, but one or more could not be verified
  4  fout: the run could not judge (pre-flight failed, no scenario ran, pytest broke, timeout)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import needs
from .conformance_plugin import REPORT_ENV
from .conformance_report import EXIT_CODES, EXIT_CONFIG, counts_line, write_reports
from .roles import ENV_VAR, TLS_ENV, ConfigError, load_config

FEATURES = needs.FEATURES


def add_arguments(p):
    p.add_argument("--config", help="TOML-bestand met de rollen (zonder: alle rollen gesimuleerd)")
    p.add_argument("--report", required=True, metavar="DIR", help="map voor junit.xml, report.html, summary.json")
    p.add_argument("--tags", help='selectie op tags, bv. "@las and @mandatory" of "not optional"')
    p.add_argument("--parallel", type=int, default=0, metavar="N",
                   help="draai N scenario's tegelijk (alleen als alle rollen gesimuleerd zijn)")
    p.add_argument("--timeout", type=float, default=1800.0,
                   help="maximale duur van de hele run in seconden (standaard %(default)s)")
    p.add_argument("--tls", nargs="?", const=True, default=None, metavar="PKI-MAP",
                   help="wederzijdse TLS zoals OSO: de gesimuleerde rollen en de harnas gebruiken de"
                        " test-PKI in PKI-MAP (zonder map: een nieuwe in de rapportmap); het systeem"
                        " onder test gebruikt zijn certificaat uit dezelfde PKI")
    p.add_argument("--onvolledig", action="store_true",
                   help="draai ook als de configuratie sleutels mist; die scenario's worden niet"
                        " geverifieerd en het oordeel is hooguit 'onvolledig'")


def tag_expression(expr: str) -> str:
    """Gherkin-style tags ("@las and not @optional") as a pytest -m expression."""
    return needs.tag_expression(expr) or ""


def pytest_command(args, report: Path, parallel: int) -> list[str]:
    cmd = [sys.executable, "-m", "pytest", str(FEATURES), "-p", "harness.conformance_plugin",
           "-o", "addopts=", "--capture=sys", "-p", "no:cacheprovider", "-q", "-rN",
           "--rootdir", str(FEATURES.parent)]
    if needs.tag_expression(args.tags):
        cmd += ["-m", tag_expression(args.tags)]
    if parallel > 1:
        cmd += ["-n", str(parallel)]
    return cmd


class _Refused(Exception):
    """The run cannot start; the message is for the user, the exit code is 2."""


def _prepare(args):
    """Config, scenario selection and needs; _Refused when the run must not start."""
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        raise _Refused(str(exc), None, {"naam": f"onbekend (configuratie {args.config} onbruikbaar)",
                                        "sut_rollen": [], "bron": args.config}) from None
    sut = config.to_dict()
    try:
        selected = needs.compile_selection(args.tags)
    except ValueError as exc:
        raise _Refused(str(exc), config, sut) from None
    scenarios = needs.read_scenarios(FEATURES)
    incomplete = [n for n in needs.check(config, scenarios, selected) if not n.complete]
    if incomplete and not args.onvolledig:
        raise _Refused("\n".join(n.message() for n in incomplete), config, sut)
    selection = {"tags": args.tags or None,
                 "weggelaten": [s.title for s in needs.left_out(config, scenarios, selected)]}
    return config, sut, selection, incomplete


def _trigger_checkable(config) -> bool:
    las = config.roles["las"]
    return bool(las.leerlingen.get("po")) and bool(las.trigger or las.handmatig)


def _pki_dir(tls, report: Path) -> str | None:
    """The PKI of a --tls run: the one given, or a new one in the report folder."""
    if not tls:
        return None
    from actor_kit import pki
    from .scenario import load_scenario
    directory = report / "pki" if tls is True else Path(tls).resolve()
    if not (directory / "ca.pem").is_file():
        pki.init(directory, load_scenario(None))
    return str(directory)


def run(args) -> int:
    report = Path(args.report).resolve()  # pytest runs from the project folder, not from here
    try:
        config, sut, selection, incomplete = _prepare(args)
    except _Refused as refused:
        message, _, sut = refused.args
        print(f"oso-sim conformance: {message}", file=sys.stderr)
        _write_error(report, message, sut, {"tags": args.tags or None})
        print(f"Oordeel: fout (de run is niet gestart). Rapport: {report / 'report.html'}")
        return EXIT_CONFIG
    try:
        report.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"oso-sim conformance: rapportmap {report} niet te maken ({exc.strerror})", file=sys.stderr)
        return EXIT_CONFIG
    for name in ("junit.xml", "results.json"):
        (report / name).unlink(missing_ok=True)
    parallel = args.parallel if not config.sut_roles else 0  # an external system is one shared state
    print(f"Conformiteitsrun: {sut['naam']} (onder test: {', '.join(config.sut_roles) or 'geen, zelftest'})",
          flush=True)
    if selection["tags"]:
        print(f"Selectie: --tags {selection['tags']} ({len(selection['weggelaten'])} verplichte scenario's"
              " niet geselecteerd)", flush=True)
    for n in incomplete:
        keys = ", ".join(needs.describe_key(n.role, k) for k in n.missing)
        print(f"Let op (--onvolledig): de configuratie mist {keys}; de scenario's die dat nodig hebben"
              " worden niet geverifieerd", flush=True)
    started = time.monotonic()
    tls = _pki_dir(args.tls, report)
    sut["verbinding"] = (f"wederzijdse TLS met de test-PKI in {tls}" if tls else
                         "HTTP zonder certificaten (identiteit niet getoetst; de scenario's met @tls"
                         " zijn niet van toepassing)")
    if tls:
        print(f"Wederzijdse TLS met de test-PKI in {tls}", flush=True)
    preflight = None
    if config.sut_roles:
        from . import preflight as preflight_mod  # starts actors: only when a role is external
        print("Voorcontrole ...", flush=True)
        pf = preflight_mod.run(config, trigger=_trigger_checkable(config), tls=tls)
        preflight = pf.to_dict()
        for check in pf.checks:
            print(f"  ok: {check}", flush=True)
        if not pf.ok:
            error = f"voorcontrole mislukt: {pf.reason}"
            return _finish(report, [], sut, error, selection, preflight, started)
    env = {**os.environ, REPORT_ENV: str(report), ENV_VAR: str(Path(args.config).resolve()) if args.config else "",
           TLS_ENV: tls or ""}
    error = None
    with open(report / "pytest.log", "w", encoding="utf-8") as log:
        try:
            done = subprocess.run(pytest_command(args, report, parallel), env=env, stdout=log, stderr=None,
                                  timeout=args.timeout, cwd=str(FEATURES.parent))
            code = done.returncode
        except subprocess.TimeoutExpired:
            code, error = -1, f"de run duurde langer dan {args.timeout:.0f} s en is afgebroken"
    results = {}
    try:
        results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        error = error or f"geen resultaten van pytest; zie {report / 'pytest.log'}"
    scenarios = results.get("scenarios", [])
    if results.get("collectiefouten"):
        error = error or "de scenario's zijn niet te laden: " + "; ".join(results["collectiefouten"])[:1500]
    if code == 5 and not scenarios:
        error = error or "geen enkel scenario geselecteerd (controleer --tags)"
    elif code not in (0, 1, 5) and error is None:
        error = f"pytest stopte met code {code}; zie {report / 'pytest.log'}"
    return _finish(report, scenarios, sut, error, selection, preflight, started)


def _finish(report: Path, scenarios, sut, error, selection, preflight, started) -> int:
    summary = write_reports(report, scenarios, sut, error=error, selection=selection, preflight=preflight)
    m, o = summary["mandatory"], summary["optional"]
    print(f"\nVerplicht: {counts_line(m)}; optioneel: {counts_line(o)} ({time.monotonic() - started:.1f} s)")
    if error:
        print(f"oso-sim conformance: {error}", file=sys.stderr)
    sys.stderr.flush()
    print(f"Rapport: {report / 'report.html'}")
    print(f"Oordeel: {summary['verdict']} ({summary['verdict_reden']})", flush=True)
    return EXIT_CODES[summary["verdict"]]


def _write_error(report: Path, message: str, sut, selection) -> None:
    """A refused run still leaves the three reports behind, so CI keeps an artifact."""
    try:
        write_reports(report, [], sut, error=message, selection=selection)
    except OSError:
        pass
