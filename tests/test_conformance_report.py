"""The conformance report writer on synthetic results, and the runner's reports on bad input."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.conformance_report import summarize, write_reports

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = [
    {"nodeid": "a", "name": "Het dossier bevat geen PGN", "feature": "Geen PGN", "tags": ["las", "mandatory", "PaO.LL12"],
     "outcome": "failed", "duration_s": 0.4, "koppelsleutels": ["01AD8CFC-3957-4B0E-9C39-000000000001"],
     "message": "AssertionError: PaO.LL12: dossier bevat bsn <script>",
     "steps": [{"keyword": "Given", "name": "a leerling met een BSN in the LAS", "status": "passed"},
               {"keyword": "Then", "name": "the dossier contains no bsn", "status": "failed", "error": "PaO.LL12"}],
     "messages": [{"actor": "LAS", "side": "server", "direction": "out", "operation": "document",
                   "koppelsleutel": "01AD8CFC-3957-4B0E-9C39-000000000001", "outcome": "DossierGeleverd",
                   "ts": "2025-01-06T10:00:00.123+00:00", "xml": "<bsn>123456782</bsn>"},
                  {"actor": "TC", "side": "server", "direction": "out", "operation": "sessiecontrole",
                   "outcome": "SessieReedsAfgemeld", "http_status": 500, "xml": "<Fault/>"}]},
    {"nodeid": "b", "name": "Terugkoppeling met document", "feature": "Terugkoppeling", "tags": ["las", "optional"],
     "outcome": "passed", "duration_s": 0.2, "message": "", "steps": []},
    {"nodeid": "c", "name": "Het SWV meldt af", "feature": "Sessies", "tags": ["swv", "mandatory"],
     "outcome": "skipped", "duration_s": 0.0, "message": "niet van toepassing: dit scenario test swv", "steps": []},
    {"nodeid": "d", "name": "Volledige uitwisseling", "feature": "Uitwisseling", "tags": ["las", "swv", "tc", "mandatory"],
     "outcome": "passed", "duration_s": 0.3, "message": "", "steps": []},
]


def test_summary_counts_and_verdict():
    s = summarize(SCENARIOS, {"naam": "Voorbeeld LAS", "sut_rollen": ["las"]})
    assert s["mandatory"] == {"passed": 1, "failed": 1, "skipped": 1}
    assert s["optional"] == {"passed": 1, "failed": 0, "skipped": 0}
    assert s["verdict"] == "failed"
    assert s["versions"]["gegevensset"] == "2019.1" and s["versions"]["protocol"] == "20200910"
    first = s["scenarios"][0]
    assert set(first) == {"name", "feature", "tags", "outcome", "duration_s", "message", "koppelsleutels"}


def test_optional_failure_does_not_fail_the_run():
    rows = [dict(SCENARIOS[1], outcome="failed", message="x"), SCENARIOS[3]]
    assert summarize(rows)["verdict"] == "passed"


def test_no_scenarios_is_an_error_verdict():
    assert summarize([])["verdict"] == "error"


def test_write_reports(tmp_path):
    summary = write_reports(tmp_path, SCENARIOS, {"naam": "Voorbeeld LAS", "leverancier": "Voorbeeld BV",
                                                  "sut_rollen": ["las"]})
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == summary["verdict"] == "failed"
    html = (tmp_path / "report.html").read_text()
    # self-contained: inline CSS, no external links or scripts
    assert "<style>" in html and not re.search(r'<(link|script)\b', html) and "http://" not in html.split("<body>")[0].replace("xmlns", "")
    assert "Voorbeeld LAS" in html and "2019.1" in html and "20200910" in html
    assert '<span class="rule">PaO.LL12</span>' in html          # failing rule highlighted
    assert '<span class="rule">SessieReedsAfgemeld</span>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html   # escaped
    assert "<details" in html and "&lt;bsn&gt;123456782" in html
    assert "Overgeslagen: niet van toepassing" in html
    # junit written when pytest wrote none
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.find(".//failure") is not None


def test_error_still_writes_three_reports(tmp_path):
    write_reports(tmp_path, [], None, error="configuratiebestand x.toml is geen geldige TOML")
    for name in ("summary.json", "report.html", "junit.xml"):
        assert (tmp_path / name).stat().st_size > 0
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == "error"


def _run(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "harness.cli", "conformance", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.mark.slow
def test_unreachable_sut_fails_with_role_and_address(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[las]\nmode = "external"\nbase_url = "http://127.0.0.1:9"\nbrin = "12AB"\n'
                   'routeringskenmerk = "0000000700012AB00950"\ntrigger = "true"\nwait_seconds = 2\n'
                   'timeout = 2\n[las.leerlingen]\npo = "1"\n[tc]\nport = 0\n'.replace("port = 0", "port = 18571"))
    done = _run("--config", str(cfg), "--report", str(tmp_path / "r"), "--tags", "las and mandatory and not OSS.PM01")
    assert done.returncode == 1, done.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    failed = [s for s in summary["scenarios"] if s["outcome"] in ("failed", "error")]
    assert failed
    text = " ".join(s["message"] for s in failed)
    assert "127.0.0.1:9" in text or "geen meldenNotificatie" in text
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "junit.xml").exists()


@pytest.mark.slow
def test_sut_answering_html_or_garbage(tmp_path):
    from flask import Flask
    from actor_kit.server import ServerThread
    app = Flask("garbage")
    app.add_url_rule("/oso", "oso", lambda: ("<html><body>Onderhoud</body></html>", 200,
                                             {"Content-Type": "text/html"}), methods=["POST", "GET"])
    with ServerThread(app) as srv:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[las]\nmode = "external"\nbase_url = "{srv.url}"\nbrin = "12AB"\n'
                       'routeringskenmerk = "0000000700012AB00950"\nwait_seconds = 2\ntimeout = 2\n'
                       '[tc]\nport = 18572\n')
        done = _run("--config", str(cfg), "--report", str(tmp_path / "r"),
                    "--tags", "las and not PaO.LL12 and not OSS.ZV01 and not OSS.PM01 and not OSS.ATT01 and not tc")
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    msgs = " ".join(s["message"] for s in summary["scenarios"])
    assert "geen geldig SOAP-antwoord" in msgs and srv.url in msgs
    assert done.returncode == 1
