"""`oso-sim conformance [--config FILE] --report DIR [--tags EXPR] [--parallel N] [--onvolledig]`.

Before any scenario: the configuration is read and checked against what the selected mandatory
scenarios need (harness.conformance.needs; an incomplete one is refused, naming every missing key and the
scenarios that need it), and a pre-flight proves the system under test can be judged at all
(harness.conformance.preflight). Then the Gherkin scenarios in features/ run with pytest in a subprocess (so
a crash of a scenario, or of pytest, can never take the report with it), one line per scenario
as it finishes, and DIR/junit.xml, DIR/report.html and DIR/summary.json are always written. The
last line is the verdict: "Oordeel: ...".

The steps before and after pytest (prepare, refuse, announce, connect, judge, finish) are shared
with harness.conformance.pytest_plugin, which runs the same scenarios inside a vendor's own pytest session:
one set of rules, one way to write the reports, whichever route a vendor takes.

Exit codes (the verdict rules are in harness.evidence.report):
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
from dataclasses import dataclass, field
from pathlib import Path

from harness.conformance.config import ENV_VAR, TLS_ENV, ConfigError, load_config
from harness.conformance.options import add_run_options
from harness.runtime import resources

# harness.conformance.needs, harness.conformance.run_plugin, harness.evidence.report (through
# harness.conformance.outcomes) and harness.conformance.preflight import pytest or pytest-bdd, or start actors: they are
# imported where a run needs them, so every other oso-sim command keeps working even when pytest
# is broken.

# Settings of the calling environment that would change how the scenarios run; the run is
# defined by its own command line alone.
_PYTEST_ENV = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")


def add_arguments(p):
    p.add_argument("--config", help="TOML-bestand met de rollen (zonder: alle rollen gesimuleerd)")
    p.add_argument("--report", required=True, metavar="DIR", help="map voor junit.xml, report.html, summary.json")
    p.add_argument("--parallel", type=int, default=0, metavar="N",
                   help="draai N scenario's tegelijk (alleen als alle rollen gesimuleerd zijn)")
    p.add_argument("--timeout", type=float, default=1800.0,
                   help="maximale duur van de hele run in seconden (standaard %(default)s)")
    add_run_options(p.add_argument)
    p.add_argument("--bundle", metavar="BESTAND.zip",
                   help="schrijf ook een bewijspakket: rapporten, alle SOAP-berichten, dossiers en"
                        " bijlagen, de configuratie (geheimen weggelaten) en een manifest met SHA-256;"
                        " controleer het met oso-sim verify-bundle")
    p.add_argument("--pdf", metavar="BESTAND.pdf", help="schrijf het rapport ook als PDF (met WeasyPrint)")


def tag_expression(expr: str) -> str:
    """Gherkin-style tags ("@las and not @optional") as a pytest -m expression."""
    from harness.conformance import needs
    return needs.tag_expression(expr) or ""


def pytest_command(args, report: Path, parallel: int) -> list[str]:
    """The scenarios as their own pytest process, started from the installed package: `-c`
    with an empty ini file and --rootdir/--confcutdir on the features folder keep the pytest.ini,
    conftest.py and cache of whatever folder the user stands in out of the run."""
    features = resources.features_dir()
    cmd = [sys.executable, "-m", "pytest", str(resources.conformance_module()), "-p", "harness.conformance.run_plugin",
           "-c", os.devnull, "--rootdir", str(features), "--confcutdir", str(features),
           "-o", "addopts=", "--capture=sys", "-p", "no:cacheprovider", "-q", "-rN"]
    if args.tags and tag_expression(args.tags):
        cmd += ["-m", tag_expression(args.tags)]
    if parallel > 1:
        cmd += ["-n", str(parallel)]
    return cmd


class Refused(Exception):
    """The run cannot start: args are (message for the user, sut description); exit code 2."""


@dataclass
class Prepared:
    """A run that may start: its configuration, the selection and what is known before the
    first scenario; both routes (this command and the pytest plugin) fill and report it alike."""

    report: Path
    config: object
    sut: dict
    selection: dict
    incomplete: list
    tls: str | None = None
    preflight: dict | None = None
    started: float = field(default_factory=time.monotonic)
    started_at: float = field(default_factory=time.time)
    outputs: dict = field(default_factory=dict)  # {"bundle": path, "pdf": path} when asked for


def prepare(config_path: str | None, tags: str | None, onvolledig: bool, report: Path) -> Prepared:
    """Config, scenario selection and needs; Refused when the run must not start."""
    from harness.conformance import needs
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        raise Refused(str(exc), {"naam": f"onbekend (configuratie {config_path} onbruikbaar)",
                                 "sut_rollen": [], "bron": config_path}) from None
    sut = config.to_dict()
    try:
        selected = needs.compile_selection(tags)
    except ValueError as exc:
        raise Refused(str(exc), sut) from None
    scenarios = needs.read_scenarios(resources.features_dir(), config.claims)
    wrong_claim = needs.check_claims(config.claims, scenarios)
    if wrong_claim:
        raise Refused(f"{config.source}: {wrong_claim}", sut)
    incomplete = [n for n in needs.check(config, scenarios, selected) if not n.complete]
    if incomplete and not onvolledig:
        raise Refused("\n".join(n.message() for n in incomplete), sut)
    selection = {"tags": tags or None,
                 "weggelaten": [s.title for s in needs.left_out(config, scenarios, selected)]}
    return Prepared(report, config, sut, selection, incomplete)


def refuse(report: Path, refused: Refused, tags: str | None) -> int:
    """A run that may not start: the message, the three reports anyway, exit code 2."""
    from harness.conformance.verdict import EXIT_CONFIG
    message, sut = refused.args
    print(f"oso-sim conformance: {message}", file=sys.stderr)
    _write_error(report, message, sut, {"tags": tags or None})
    print(f"Oordeel: fout (de run is niet gestart). Rapport: {report / 'report.html'}", flush=True)
    return EXIT_CONFIG


def open_report(report: Path) -> None:
    """The report folder, without the results of an earlier run; Refused when it cannot be made."""
    try:
        report.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Refused(f"rapportmap {report} niet te maken ({exc.strerror})", None) from None
    for name in ("junit.xml", "results.json"):
        (report / name).unlink(missing_ok=True)


def announce(run: Prepared) -> None:
    from harness.conformance import needs
    print(f"Conformiteitsrun: {run.sut['naam']} (onder test: {', '.join(run.config.sut_roles) or 'geen, zelftest'})",
          flush=True)
    if run.selection["tags"]:
        print(f"Selectie: --tags {run.selection['tags']} ({len(run.selection['weggelaten'])} verplichte"
              " scenario's niet geselecteerd)", flush=True)
    for n in run.incomplete:
        keys = ", ".join(needs.describe_key(n.role, k) for k in n.missing)
        print(f"Let op (--onvolledig): de configuratie mist {keys}; de scenario's die dat nodig hebben"
              " worden niet geverifieerd", flush=True)


def _trigger_checkable(config) -> bool:
    las = config.roles["las"]
    return bool(las.leerlingen.get("po")) and bool(las.trigger or las.handmatig)


def _pki_dir(tls, report: Path) -> str | None:
    """The PKI of a --tls run: the one given, or a new one in the report folder."""
    if not tls:
        return None
    from actor_kit import pki

    from harness.runtime.scenario import load_scenario
    directory = report / "pki" if tls is True else Path(tls).resolve()
    if not (directory / "ca.pem").is_file():
        pki.init(directory, load_scenario(None))
    return str(directory)


def connect(run: Prepared, tls) -> str | None:
    """The connection (the PKI of a --tls run) and, with a system under test, the pre-flight;
    the reason the run cannot judge, or None. `tls`: a PKI folder, True (a new PKI), False
    (--zonder-tls) or None (not asked: the self-test runs over mutual TLS as OSO does, with a
    new PKI; a run with a system under test over plain HTTP, which is no certification)."""
    if tls is None and not run.config.sut_roles:
        tls = True
    run.tls = _pki_dir(tls, run.report)
    run.sut["tls"] = bool(run.tls)
    run.sut["verbinding"] = (f"wederzijdse TLS met de test-PKI in {run.tls}" if run.tls else
                             "HTTP zonder certificaten: identiteit niet getoetst, de verplichte"
                             " scenario's met @tls zijn niet geverifieerd (geen certificering)")
    if run.tls:
        print(f"Wederzijdse TLS met de test-PKI in {run.tls}", flush=True)
    if not run.config.sut_roles:
        return None
    # starts actors: only when a role is external
    from harness.conformance import preflight as preflight_mod
    print("Voorcontrole ...", flush=True)
    pf = preflight_mod.run(run.config, trigger=_trigger_checkable(run.config), tls=run.tls)
    run.preflight = pf.to_dict()
    for check in pf.checks:
        print(f"  ok: {check}", flush=True)
    return None if pf.ok else f"voorcontrole mislukt: {pf.reason}"


def scenario_env(run: Prepared, config_path: str | None) -> dict[str, str]:
    """What the scenarios read from the environment: the report folder, the configuration and
    the PKI."""
    from harness.conformance.run_plugin import REPORT_ENV
    return {REPORT_ENV: str(run.report), ENV_VAR: str(Path(config_path).resolve()) if config_path else "",
            TLS_ENV: run.tls or ""}


def judge(report: Path, code: int, error: str | None = None, log: str | None = None) -> tuple[list, str | None]:
    """The scenarios pytest reported (DIR/results.json) and, when pytest could not judge, why;
    `log` says where pytest's own output is."""
    log = log or str(report / "pytest.log")
    results = {}
    try:
        results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        error = error or f"geen resultaten van pytest; zie {log}"
    scenarios = results.get("scenarios", [])
    if results.get("collectiefouten"):
        error = error or "de scenario's zijn niet te laden: " + "; ".join(results["collectiefouten"])[:1500]
    if code == 5 and not scenarios:
        error = error or "geen enkel scenario geselecteerd (controleer --tags)"
    elif code not in (0, 1, 5) and error is None:
        error = f"pytest stopte met code {code}; zie {log}"
    return scenarios, error


def _pytest_missing() -> str | None:
    """Why the scenarios cannot run in this installation, or None."""
    try:
        import pytest  # noqa: F401
        import pytest_bdd  # noqa: F401
    except ImportError as exc:
        return (f"de scenario's draaien op pytest en pytest-bdd, maar die zijn niet te laden ({exc});"
                " installeer oso-sim opnieuw (pip install --force-reinstall oso-sim)")
    return None


def run(args) -> int:
    report = Path(args.report).resolve()  # pytest runs in the features folder, not from here
    missing = _pytest_missing()
    if missing:
        print(f"oso-sim conformance: {missing}", file=sys.stderr)
        return 4
    try:
        prepared = prepare(args.config, args.tags, args.onvolledig, report)
        open_report(report)
    except Refused as refused:
        return refuse(report, refused, args.tags)
    config = prepared.config
    prepared.outputs = {"bundle": getattr(args, "bundle", None), "pdf": getattr(args, "pdf", None)}
    parallel = args.parallel if not config.sut_roles else 0  # an external system is one shared state
    announce(prepared)
    error = connect(prepared, args.tls)
    if error:
        return finish(prepared, [], error)
    env = {k: v for k, v in os.environ.items() if k not in _PYTEST_ENV}
    env.update(scenario_env(prepared, args.config), PYTHONDONTWRITEBYTECODE="1")
    error = None
    with open(report / "pytest.log", "w", encoding="utf-8") as log:
        try:
            done = subprocess.run(pytest_command(args, report, parallel), check=False, env=env, stdout=log, stderr=None,
                                  timeout=args.timeout, cwd=str(resources.features_dir()))
            code = done.returncode
        except subprocess.TimeoutExpired:
            code, error = -1, f"de run duurde langer dan {args.timeout:.0f} s en is afgebroken"
    scenarios, error = judge(report, code, error)
    return finish(prepared, scenarios, error)


def finish(run: Prepared, scenarios, error) -> int:
    """The three reports and the verdict; the exit code of the verdict."""
    from harness.conformance.verdict import EXIT_CODES
    from harness.evidence.report import counts_line, write_reports
    from harness.evidence.run_info import describe_run
    report = run.report
    summary = write_reports(report, scenarios, run.sut, error=error, selection=run.selection,
                            preflight=run.preflight, run=describe_run(run))
    write_extras(run, summary)
    m, o = summary["mandatory"], summary["optional"]
    print(f"\nVerplicht: {counts_line(m)}; optioneel: {counts_line(o)} ({time.monotonic() - run.started:.1f} s)")
    if error:
        print(f"oso-sim conformance: {error}", file=sys.stderr)
    sys.stderr.flush()
    print(f"Rapport: {report / 'report.html'}")
    print(f"Oordeel: {summary['verdict']} ({summary['verdict_reden']})", flush=True)
    return EXIT_CODES[summary["verdict"]]


def write_extras(run, summary: dict) -> None:
    """The evidence bundle and the PDF, when asked for; a failure is said, never fatal: the
    reports themselves are already written."""
    outputs = getattr(run, "outputs", None) or {}
    if outputs.get("pdf"):
        from harness.evidence.report_pdf import PdfUnavailable, write_pdf
        try:
            write_pdf(run.report / "report.html", Path(outputs["pdf"]))
            print(f"PDF: {outputs['pdf']}", flush=True)
        except PdfUnavailable as exc:
            print(f"oso-sim conformance: geen PDF geschreven: {exc}", file=sys.stderr, flush=True)
    if outputs.get("bundle"):
        from harness.evidence.bundle import write_bundle
        try:
            extra = (Path(outputs["pdf"]),) if outputs.get("pdf") else ()
            manifest = write_bundle(run.report, Path(outputs["bundle"]), summary, extra)
            print(f"Bewijspakket: {outputs['bundle']} ({len(manifest['bestanden'])} bestanden;"
                  f" SHA-256 van manifest.json: {manifest['manifest_sha256']})", flush=True)
        except OSError as exc:
            print(f"oso-sim conformance: bewijspakket niet geschreven: {exc}", file=sys.stderr, flush=True)


def _write_error(report: Path, message: str, sut, selection) -> None:
    """A refused run still leaves the three reports behind, so CI keeps an artifact."""
    from harness.evidence.report import write_reports
    from harness.evidence.run_info import describe_refused
    try:
        write_reports(report, [], sut, error=message, selection=selection, run=describe_refused(sut, selection))
    except OSError:
        pass
