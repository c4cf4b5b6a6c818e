"""pytest plugin for `oso-sim conformance`: per scenario its outcome, steps, koppelsleutels and
the SOAP messages that proved it, written as DIR/results.json for the report writer.

Loaded with `-p harness.conformance_plugin`; the output folder comes from OSO_CONFORMANCE_REPORT.
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

REPORT_ENV = "OSO_CONFORMANCE_REPORT"
ROLE_TAGS = ("las", "swv", "tc")

_steps: dict[str, list[dict]] = {}


def _dir() -> Path | None:
    d = os.environ.get(REPORT_ENV)
    return Path(d) if d else None


def _progress(text: str) -> None:
    # fd 2 directly: the runner is told to capture only sys-level streams, so this reaches
    # the person watching while pytest's own output goes to the log file.
    try:
        os.write(2, (text + "\n").encode("utf-8"))
    except OSError:
        pass


# -- steps, from pytest-bdd's hooks ------------------------------------------------------------

def _step(request, step, status, error=None):
    _steps.setdefault(request.node.nodeid, []).append(
        {"keyword": step.keyword, "name": step.name, "status": status,
         **({"error": error} if error else {})})


def pytest_bdd_before_scenario(request, feature, scenario):
    _steps[request.node.nodeid] = []
    request.node.conformance_meta = {"name": scenario.name, "feature": feature.name,
                                     "file": feature.rel_filename}


def pytest_bdd_after_step(request, feature, scenario, step, step_func, step_func_args):
    _step(request, step, "passed")


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args, exception):
    status = "skipped" if isinstance(exception, pytest.skip.Exception) else "failed"
    _step(request, step, status, str(exception).split("\n")[0][:600])


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception):
    _step(request, step, "failed", f"geen stapdefinitie voor: {step.keyword} {step.name}")


# -- per test: collect on the worker -----------------------------------------------------------

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when != "teardown":
        return
    meta = getattr(item, "conformance_meta", None) or {"name": item.name, "feature": "", "file": ""}
    tags = sorted(m.name for m in item.iter_markers() if m.name not in ("usefixtures", "parametrize"))
    data = {**meta, "tags": tags, "steps": _steps.pop(item.nodeid, []),
            "koppelsleutels": getattr(item, "conformance_koppelsleutels", [])}
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
        self.started = time.time()

    def pytest_runtest_logreport(self, report):
        r = self.results.setdefault(report.nodeid, {"nodeid": report.nodeid, "outcome": "passed",
                                                    "duration_s": 0.0, "message": ""})
        r["duration_s"] = round(r["duration_s"] + report.duration, 3)
        if report.failed:
            if r["outcome"] != "failed":
                r["outcome"] = "failed" if report.when == "call" else "error"
                r["message"] = _message(report)
        elif report.skipped and r["outcome"] == "passed":
            r["outcome"] = "skipped"
            r["message"] = _skip_reason(report)
        for key, value in report.user_properties:
            if key == "conformance":
                r.update(json.loads(value))
        if report.when == "teardown":
            tags = set(r.get("tags", []))
            level = "optioneel" if "optional" in tags else "verplicht"
            mark = {"passed": "GESLAAGD", "failed": "MISLUKT", "error": "FOUT", "skipped": "OVERGESLAGEN"}[r["outcome"]]
            line = f"  {mark:<12} [{level}] {r.get('feature', '')}: {r.get('name', report.nodeid)} ({r['duration_s']:.1f} s)"
            if r["outcome"] in ("failed", "error") and r["message"]:
                line += f"\n               {r['message'][:300]}"
            _progress(line)

    def pytest_sessionfinish(self, session, exitstatus):
        folder = _dir()
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        out = {"started": self.started, "finished": time.time(), "exitstatus": int(exitstatus),
               "scenarios": list(self.results.values())}
        (folder / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")


def _message(report) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message.strip()[:2000]
    return str(report.longrepr).strip().splitlines()[-1][:2000] if report.longrepr else ""


def _skip_reason(report) -> str:
    if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    return str(report.longrepr or "")


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        config.pluginmanager.register(Collector(), "conformance_collector")
