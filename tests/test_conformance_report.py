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
     "outcome": "mislukt", "duration_s": 0.4, "koppelsleutels": ["01AD8CFC-3957-4B0E-9C39-000000000001"],
     "reden": "PaO.LL12: dossier bevat bsn <script>",
     "steps": [{"keyword": "Given", "name": "a leerling met een BSN in the LAS", "status": "geslaagd"},
               {"keyword": "Then", "name": "the dossier contains no bsn", "status": "mislukt", "error": "PaO.LL12"}],
     "messages": [{"actor": "LAS", "side": "server", "direction": "out", "operation": "document",
                   "koppelsleutel": "01AD8CFC-3957-4B0E-9C39-000000000001", "outcome": "DossierGeleverd",
                   "ts": "2025-01-06T10:00:00.123+00:00", "xml": "<bsn>123456782</bsn>"},
                  {"actor": "TC", "side": "server", "direction": "out", "operation": "sessiecontrole",
                   "outcome": "SessieReedsAfgemeld", "http_status": 500, "xml": "<Fault/>"}]},
    {"nodeid": "b", "name": "Terugkoppeling met document", "feature": "Terugkoppeling", "tags": ["las", "optional"],
     "outcome": "geslaagd", "duration_s": 0.2, "reden": "", "steps": []},
    {"nodeid": "c", "name": "Het SWV meldt af", "feature": "Sessies", "tags": ["swv", "mandatory"],
     "outcome": "niet van toepassing", "duration_s": 0.0, "reden": "dit scenario test swv", "steps": []},
    {"nodeid": "d", "name": "Volledige uitwisseling", "feature": "Uitwisseling", "tags": ["las", "swv", "tc", "mandatory"],
     "outcome": "geslaagd", "duration_s": 0.3, "reden": "", "steps": []},
    {"nodeid": "e", "name": "De LAS toont de terugkoppeling", "feature": "Terugkoppeling", "tags": ["las", "mandatory"],
     "outcome": "niet geverifieerd", "duration_s": 0.1, "reden": "de configuratie mist [las] trigger_toon_zorgvraag",
     "steps": [{"keyword": "Then", "name": "the LAS shows it", "status": "niet geverifieerd"}]},
]


def test_summary_counts_and_verdict():
    s = summarize(SCENARIOS, {"naam": "Voorbeeld LAS", "sut_rollen": ["las"]})
    assert s["mandatory"] == {"geslaagd": 1, "mislukt": 1, "niet van toepassing": 1, "niet geverifieerd": 1}
    assert s["optional"] == {"geslaagd": 1, "mislukt": 0, "niet van toepassing": 0, "niet geverifieerd": 0}
    assert s["verdict"] == "mislukt" and s["exit_code"] == 1 and "1 verplicht scenario mislukt" in s["verdict_reden"]
    assert s["versions"]["gegevensset"] == "2019.1" and s["versions"]["protocol"] == "20200910"
    first = s["scenarios"][0]
    assert set(first) == {"name", "template", "feature", "tags", "level", "outcome", "reden", "duration_s",
                          "koppelsleutels"}
    assert first["outcome"] == "mislukt" and first["reden"].startswith("PaO.LL12")
    assert {r["outcome"] for r in s["scenarios"]} == {"geslaagd", "mislukt", "niet van toepassing", "niet geverifieerd"}


def test_optional_failure_does_not_fail_the_run():
    rows = [dict(SCENARIOS[1], outcome="mislukt", reden="x"), SCENARIOS[3]]
    assert summarize(rows)["verdict"] == "geslaagd"


def test_no_scenarios_is_fout():
    assert summarize([])["verdict"] == "fout"


def test_unknown_outcome_is_never_counted_as_passed():
    rows = [SCENARIOS[3], dict(SCENARIOS[3], nodeid="x", outcome="skipped"), dict(SCENARIOS[3], nodeid="y", outcome=None)]
    s = summarize(rows)
    assert s["mandatory"]["niet geverifieerd"] == 2 and s["verdict"] == "onvolledig"


def test_write_reports(tmp_path):
    summary = write_reports(tmp_path, SCENARIOS, {"naam": "Voorbeeld LAS", "leverancier": "Voorbeeld BV",
                                                  "sut_rollen": ["las"]},
                            selection={"tags": "las and not optional", "weggelaten": ["Sessies: X"]})
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == summary["verdict"] == "mislukt"
    html = (tmp_path / "report.html").read_text()
    # self-contained: inline CSS, no external links or scripts
    assert "<style>" in html and not re.search(r'<(link|script)\b', html) and "http://" not in html.split("<body>")[0].replace("xmlns", "")
    assert "Voorbeeld LAS" in html and "2019.1" in html and "20200910" in html
    assert '<span class="rule">PaO.LL12</span>' in html          # failing rule highlighted
    assert '<span class="rule">SessieReedsAfgemeld</span>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html   # escaped
    assert "<details" in html and "&lt;bsn&gt;123456782" in html
    # the verdict at the top, before any scenario, with its reason
    top = html.index('class="oordeel b-mislukt"')
    assert top < html.index("Verplichte scenario") and "1 verplicht scenario mislukt" in html[top:top + 300]
    # all four outcomes, each with its own badge and reason
    for slug, label in (("geslaagd", "geslaagd"), ("mislukt", "mislukt"), ("nvt", "niet van toepassing"),
                        ("ng", "niet geverifieerd")):
        assert f'<span class="badge b-{slug}">{label}</span>' in html
    assert "Niet van toepassing: dit scenario test swv" in html
    assert "Niet geverifieerd: de configuratie mist [las] trigger_toon_zorgvraag" in html
    # optional scenarios in their own section, after the mandatory ones
    assert html.index("Optionele scenario") < html.index("Terugkoppeling met document")
    assert "las and not optional" in html and "Sessies: X" in html   # the selection is recorded


def _contrast(fg: str, bg: str) -> float:
    def lum(h):
        r, g, b = (int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))
        f = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4  # noqa: E731
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_badges_have_readable_contrast():
    from harness.conformance_report import CSS
    assert ".badge{" in CSS and "color:#fff" in CSS.split(".badge{")[1].split("}")[0]
    colours = dict(re.findall(r"\.b-([a-z]+)\{background:(#[0-9a-f]{6})\}", CSS))
    assert set(colours) >= {"geslaagd", "mislukt", "nvt", "ng", "deelselectie", "onvolledig", "fout"}
    for name, bg in colours.items():
        assert _contrast("#ffffff", bg) >= 4.5, (name, bg)   # WCAG AA for normal text


def test_junit_maps_the_four_outcomes(tmp_path):
    write_reports(tmp_path, SCENARIOS, None, selection={"tags": "las", "weggelaten": []})
    root = ET.parse(tmp_path / "junit.xml").getroot()
    mandatory, optional = root.findall("testsuite")
    case = {c.get("name"): c for c in mandatory.findall("testcase")}
    assert case["Het dossier bevat geen PGN"].find("failure") is not None
    err = case["De LAS toont de terugkoppeling"].find("error")
    assert err is not None and err.get("message").startswith("niet geverifieerd: de configuratie mist")
    assert case["Het SWV meldt af"].find("skipped").get("message").startswith("niet van toepassing")
    assert list(case["Volledige uitwisseling"]) == []
    assert case["oordeel: mislukt"].find("failure") is not None
    assert (mandatory.get("failures"), mandatory.get("errors"), mandatory.get("skipped")) == ("2", "1", "1")
    props = {p.get("name"): p.get("value") for p in mandatory.iter("property")}
    assert props["oordeel"] == "mislukt" and props["tags"] == "las"
    assert [c.get("name") for c in optional.findall("testcase")] == ["Terugkoppeling met document"]


def test_error_still_writes_three_reports(tmp_path):
    write_reports(tmp_path, [], None, error="configuratiebestand x.toml is geen geldige TOML")
    for name in ("summary.json", "report.html", "junit.xml"):
        assert (tmp_path / name).stat().st_size > 0
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == "fout"
    root = ET.parse(tmp_path / "junit.xml").getroot()
    assert "geen geldige TOML" in root.find(".//error").get("message")


def _run(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "harness.cli", "conformance", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.mark.slow
def test_sut_answering_html_is_fout_before_any_scenario(tmp_path):
    from flask import Flask
    from actor_kit.server import ServerThread
    app = Flask("garbage")
    app.add_url_rule("/oso", "oso", lambda: ("<html><body>Onderhoud</body></html>", 200,
                                             {"Content-Type": "text/html"}), methods=["POST", "GET"])
    with ServerThread(app) as srv:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[las]\nmode = "external"\nbase_url = "{srv.url}"\nbrin = "12AB"\n'
                       'routeringskenmerk = "0000000700012AB00950"\ntrigger = "true"\nwait_seconds = 2\n'
                       'timeout = 2\n[las.leerlingen]\npo = "1"\n[tc]\nport = 18572\n')
        done = _run("--config", str(cfg), "--report", str(tmp_path / "r"), "--tags", "OSS.ZV01")
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert summary["verdict"] == "fout" and summary["scenarios"] == []
    assert "geen geldig SOAP-antwoord" in summary["error"] and srv.url in summary["error"]
    assert summary["voorcontrole"]["geslaagd"] is False
