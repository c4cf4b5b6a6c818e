"""pytest plugin for `oso-sim conformance`: per scenario its outcome, steps, koppelsleutels and
the SOAP messages that proved it, written as DIR/results.json for the report writer.

The outcome model (harness.conformance.outcomes) is applied here, per phase of a test and then combined:
an AssertionError (or pytest.fail) is mislukt; a skip whose reason starts with the
niet-van-toepassing prefix is niet van toepassing; every other skip and every other exception
(NotVerified, DriverError, timeouts, errors of the harness itself) is niet geverifieerd: it
could not be checked, so it never counts as passed. Without any of these: geslaagd.

Loaded with `-p harness.conformance.run_plugin`; the output folder comes from OSO_CONFORMANCE_REPORT.
Works with pytest-xdist: workers attach the data to their reports (user_properties and a side
file for the messages), the controller collects and writes.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from harness.conformance.outcomes import (GESLAAGD, MISLUKT, NIET_GEVERIFIEERD, RANK, NotVerified,
                                          outcome_of_skip, readable_reason, strip_prefix)
from oso_protocol.pgn_scan import known_numbers, mask_text, mask_tree
from harness.evidence.run_info import redact_text, redact_tree

REPORT_ENV = "OSO_CONFORMANCE_REPORT"
ROLE_TAGS = ("las", "swv", "tc")

TRACE_CHARS = 8000
_steps: dict[str, list[dict]] = {}


def _dir() -> Path | None:
    d = os.environ.get(REPORT_ENV)
    return Path(d) if d else None


# -- pupils' numbers: masked in everything this run writes -------------------------------------

_learned: set[str] = set()
_configured: frozenset[str] | None = None


def known_pgns() -> frozenset[str]:
    """The pupils' numbers this run knows: those in the configuration's [*.leerlingen], and
    those the scenarios met (a simulated LAS's pupils)."""
    global _configured
    if _configured is None:
        _configured = frozenset()
        try:
            from harness.conformance.config import config_from_env
            config = config_from_env()
            _configured = known_numbers(n for role in config.roles.values()
                                        for pgn in role.leerling_pgn.values() for n in pgn)
        except Exception:  # a broken configuration is reported elsewhere; masking goes on
            pass
    return _configured | frozenset(_learned)


def _learn(item) -> None:
    ctx = getattr(item, "funcargs", {}).get("ctx")
    pupil = getattr(ctx, "pupil", None)
    _learned.update(known_numbers(getattr(pupil, "pgn", None) or ()))


def masked(text: str) -> str:
    """What the reports and the terminal may show: no pupil's number, no trigger's secret."""
    return redact_text(mask_text(text, known_pgns()))


class _MaskingFile:
    """pytest's terminal output (DIR/pytest.log, or the vendor's console with the plugin) with
    every pupil's number masked; whole lines at a time, so a number is never cut in two."""

    def __init__(self, file):
        self._file = file
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            done, self._pending = self._pending.rsplit("\n", 1)
            self._file.write(masked(done + "\n"))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._file.write(masked(self._pending))
            self._pending = ""
        self._file.flush()

    def __getattr__(self, name):
        return getattr(self._file, name)


def _progress(text: str) -> None:
    # fd 2 directly: the runner is told to capture only sys-level streams, so this reaches
    # the person watching while pytest's own output goes to the log file.
    try:
        os.write(2, (masked(text) + "\n").encode("utf-8"))
    except OSError:
        pass


# -- steps, from pytest-bdd's hooks ------------------------------------------------------------

def _step(request, step, status, error=None, func=None):
    # "functie": the step definition's name, stable when the step's wording changes; the
    # evidence bundle's verifier knows what some of them claim (harness.evidence.bundle)
    _steps.setdefault(request.node.nodeid, []).append(
        {"keyword": step.keyword, "name": step.name, "status": status,
         **({"functie": func.__name__} if getattr(func, "__name__", None) else {}),
         **({"error": error} if error else {})})


def pytest_bdd_before_scenario(request, feature, scenario):
    _steps[request.node.nodeid] = []
    request.node.conformance_meta = {"name": scenario.name, "template": _template_name(request, scenario),
                                     "feature": feature.name, "file": feature.rel_filename,
                                     "voorbeeld": example_values(request)}


def example_values(request) -> dict[str, str]:
    """The values of a Scenario Outline's example row ({} for a plain scenario): the report names
    each example by them, so outlines whose rendered names coincide are told apart."""
    callspec = getattr(request.node, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    return {str(k): str(v) for k, v in example.items()} if isinstance(example, dict) else {}


def _template_name(request, scenario) -> str:
    """The scenario's title as written, <placeholders> and all (an outline's rendered name
    carries the example's values): what the defect catalogue names."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    template = scenario_wrapper_template_registry.get(getattr(request.node, "function", None))
    return template.name if template is not None else scenario.name


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args):
    _step(request, step, GESLAAGD, func=step_func)


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception):
    outcome, reason = classify(exception)
    _step(request, step, outcome, reason.split("\n")[0][:600], func=step_func)


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception):
    _step(request, step, NIET_GEVERIFIEERD, f"geen stapdefinitie voor: {step.keyword} {step.name}")


# -- the outcome model -------------------------------------------------------------------------

def _driver_error():
    try:
        from harness.conformance.drivers.http import DriverError
    except ImportError:  # the drivers are optional for this plugin's own tests
        return ()
    return DriverError


def _text(exc: BaseException) -> str:
    """What the exception says, as a sentence: pytest's assertion introspection, tracebacks and
    Python object reprs stay in the technical trace."""
    text = str(getattr(exc, "msg", None) or exc).strip()
    return readable_reason(text[:4000])[:2000]


def classify(exc: BaseException | None) -> tuple[str, str]:
    """(outcome, reason in Dutch) for what a phase of a test raised."""
    if exc is None:
        return GESLAAGD, ""
    if isinstance(exc, pytest.skip.Exception):
        reason = _text(exc)
        return outcome_of_skip(reason), strip_prefix(reason)
    # DriverError (a role unreachable or answering nonsense) is an AssertionError for older
    # step code, but it says nothing about whether the system keeps the rule.
    if isinstance(exc, (NotVerified, _driver_error())):
        return NIET_GEVERIFIEERD, strip_prefix(_text(exc)) or "niet geverifieerd"
    if isinstance(exc, (AssertionError, pytest.fail.Exception)):
        return MISLUKT, _text(exc) or "een controle faalde zonder toelichting (zie de technische details)"
    if isinstance(exc, TimeoutError):
        return NIET_GEVERIFIEERD, f"tijdslimiet overschreden: {_text(exc)}".rstrip(": ")
    what = _text(exc)
    return NIET_GEVERIFIEERD, (f"fout in de harnas of de verbinding: {what}" if what else
                               "fout in de harnas of de verbinding") + f" ({type(exc).__name__})"


# -- per test: collect on the worker -----------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    _learn(item)
    phase = classify(call.excinfo.value if call.excinfo is not None else None)
    if call.when == "teardown" and phase[0] != GESLAAGD and phase[0] != MISLUKT:
        phase = (phase[0], f"bij het afsluiten van het scenario: {phase[1]}")
    so_far = getattr(item, "conformance_outcome", (GESLAAGD, ""))
    if RANK[phase[0]] > RANK[so_far[0]]:  # the first reason of the worst kind wins
        item.conformance_outcome = phase
        if report.longrepr is not None and not report.skipped:
            # the technical trace stays available to the reader of the report, folded away
            item.conformance_trace = masked(str(getattr(report, "longreprtext", "") or report.longrepr)[-TRACE_CHARS:])
    if call.when != "teardown":
        return
    meta = getattr(item, "conformance_meta", None) or {"name": item.name, "feature": "", "file": ""}
    tags = sorted(m.name for m in item.iter_markers() if m.name not in ("usefixtures", "parametrize"))
    final, reason = getattr(item, "conformance_outcome", (GESLAAGD, ""))
    data = {**meta, "tags": tags, "steps": _steps.pop(item.nodeid, []), "outcome": final, "reden": reason,
            "koppelsleutels": getattr(item, "conformance_koppelsleutels", [])}
    data = redact_tree(mask_tree(data, known_pgns()))
    trace = getattr(item, "conformance_trace", "")
    if trace and final != GESLAAGD:
        data["trace"] = trace
    messages = getattr(item, "conformance_messages", None)
    folder = _dir()
    if messages and folder:
        side = folder / "berichten"
        side.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:] + ".json"
        (side / name).write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")
        data["messages_file"] = f"berichten/{name}"
    report.user_properties.append(("conformance", json.dumps(data, ensure_ascii=False)))


# -- on the controller: combine the three phases of each test ----------------------------------

class Collector:
    def __init__(self):
        self.results: dict[str, dict] = {}
        self.collect_errors: list[str] = []
        self.started = time.time()

    def pytest_collectreport(self, report):
        if report.failed:
            self.collect_errors.append(f"{report.nodeid or 'features'}: {_message(report)}")

    def pytest_runtest_logreport(self, report):
        r = self.results.setdefault(report.nodeid, {"nodeid": report.nodeid, "outcome": None,
                                                    "duration_s": 0.0, "reden": ""})
        r["duration_s"] = round(r["duration_s"] + report.duration, 3)
        if report.failed and not r["reden"]:
            # kept in case no teardown report comes (a crashed xdist worker)
            r["reden"] = _message(report)
        for key, value in report.user_properties:
            if key == "conformance":
                r.update(json.loads(value))
        if report.when == "teardown":
            self._finish(r)

    def _finish(self, r: dict) -> None:
        if r["outcome"] is None:  # the worker died before its teardown report
            r["outcome"] = NIET_GEVERIFIEERD
            r["reden"] = f"het scenario werd afgebroken: {r['reden'] or 'geen uitslag'}"
        tags = set(r.get("tags", []))
        level = "optioneel" if "optional" in tags else "verplicht"
        line = (f"  {r['outcome'].upper():<19} [{level}] {r.get('feature', '')}:"
                f" {r.get('name', r['nodeid'])} ({r['duration_s']:.1f} s)")
        if r["outcome"] != GESLAAGD and r["reden"]:
            line += f"\n                      {r['reden'].splitlines()[0][:300]}"
        _progress(line)

    def pytest_sessionfinish(self, session, exitstatus):
        for r in self.results.values():
            if r["outcome"] is None:
                self._finish(r)
        folder = _dir()
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        out = {"started": self.started, "finished": time.time(), "exitstatus": int(exitstatus),
               "collectiefouten": self.collect_errors,
               "scenarios": redact_tree(mask_tree(list(self.results.values()), known_pgns()))}
        (folder / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


def _message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return masked(readable_reason(crash.message.strip()[:4000])[:2000])
    return masked(readable_reason(str(report.longrepr).strip().splitlines()[-1][:2000])) if report.longrepr else ""


def pytest_configure(config):
    global _configured
    _configured = None  # a new session may bring another configuration
    _learned.clear()
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        config.pluginmanager.register(Collector(), "conformance_collector")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    # the terminal reporter exists by now, also when this plugin was registered late (the
    # pytest11 route), and has not written its header yet
    config = session.config
    writer = getattr(config.pluginmanager.getplugin("terminalreporter"), "_tw", None)
    if writer is not None and hasattr(writer, "_file") and not isinstance(writer._file, _MaskingFile):
        writer._file = _MaskingFile(writer._file)
