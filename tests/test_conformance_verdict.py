"""The verdict of a conformance run: the rules over the four outcomes, the exit codes, how the
plugin maps what a step raised to an outcome, and the runner end to end: an incomplete config is
refused, a partial --tags selection is deelselectie, a dead LAS is fout, and a LAS that leaks the
BSN can no longer pass by being left unchecked."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from harness.conformance.outcomes import GESLAAGD, MISLUKT, NIET_GEVERIFIEERD, NIET_VAN_TOEPASSING
from harness.conformance.verdict import EXIT_CODES, verdict
from harness.evidence.report import summarize

ROOT = Path(__file__).resolve().parent.parent


def counts(g=0, m=0, nvt=0, ng=0) -> dict:
    return {GESLAAGD: g, MISLUKT: m, NIET_VAN_TOEPASSING: nvt, NIET_GEVERIFIEERD: ng}


# -- the rules ---------------------------------------------------------------------------------

@pytest.mark.parametrize("mandatory, left_out, error, expected", [
    (counts(g=3), 0, None, "geslaagd"),
    (counts(g=3, nvt=2), 0, None, "geslaagd"),
    (counts(g=3, nvt=2), 4, None, "deelselectie"),
    (counts(g=3, m=1), 0, None, "mislukt"),
    (counts(g=3, m=1, ng=2), 0, None, "mislukt"),        # a failure outweighs what was unchecked
    (counts(g=3, m=1), 4, None, "mislukt"),               # a partial selection does not hide it
    (counts(g=3, ng=1), 0, None, "onvolledig"),
    (counts(g=3, nvt=1, ng=1), 4, None, "onvolledig"),
    (counts(ng=2), 0, None, "onvolledig"),
    (counts(nvt=5), 0, None, "fout"),                     # nothing applied: nothing judged
    (counts(), 0, None, "fout"),                          # nothing selected
    (counts(g=3), 0, "pytest stopte met code 3", "fout"),
    (counts(g=3, m=1), 0, "de run duurde te lang", "fout"),  # an incomplete run is never judged
])
def test_verdict_rules(mandatory, left_out, error, expected):
    v, reason = verdict(mandatory, error=error, left_out=left_out, tags="las")
    assert v == expected and reason
    if error:
        assert reason == error


def test_exit_codes():
    assert EXIT_CODES == {"geslaagd": 0, "deelselectie": 0, "mislukt": 1, "onvolledig": 3, "fout": 4}


def _row(name, outcome, *tags):
    return {"nodeid": name, "name": name, "feature": "F", "tags": list(tags), "outcome": outcome, "reden": "r"}


def test_optional_scenarios_never_change_the_verdict():
    rows = [_row("a", GESLAAGD, "las", "mandatory"), _row("b", MISLUKT, "las", "optional"),
            _row("c", NIET_GEVERIFIEERD, "las", "optional")]
    s = summarize(rows)
    assert s["verdict"] == "geslaagd" and s["optional"][MISLUKT] == 1 and s["optional"][NIET_GEVERIFIEERD] == 1
    only_optional = summarize([_row("b", GESLAAGD, "las", "optional")])
    assert only_optional["verdict"] == "fout"          # no mandatory scenario judged


def test_a_failed_optional_scenario_is_named_in_the_verdict_line():
    s = summarize([_row("a", GESLAAGD, "las", "mandatory"),
                   _row("Extra bijlagen komen aan", MISLUKT, "las", "optional")])
    assert s["verdict"] == "geslaagd"
    assert s["verdict_reden"].endswith("let op: 1 optioneel scenario mislukt (Extra bijlagen komen aan)")


def test_a_system_judged_over_plain_http_is_never_certified():
    rows = [_row("a", GESLAAGD, "swv", "mandatory")]
    sut = {"naam": "SWV", "sut_rollen": ["swv"], "tls": False}
    s = summarize(rows, sut)
    assert s["verdict"] == "onvolledig" and s["exit_code"] == 3
    assert "zonder wederzijdse TLS" in s["verdict_reden"] and "geen certificering" in s["verdict_reden"]
    assert summarize(rows, {**sut, "tls": True})["verdict"] == "geslaagd"
    assert summarize(rows)["verdict"] == "geslaagd"      # a self-test certifies nobody
    failed = summarize([_row("a", MISLUKT, "swv", "mandatory")], sut)
    assert failed["verdict"] == "mislukt"                # a failure stays a failure


def test_plain_http_says_in_the_verdict_line_that_it_is_no_certification():
    from harness.conformance.outcomes import NO_TLS_REASON
    rows = [_row("a", GESLAAGD, "las", "mandatory"),
            {**_row("b", NIET_GEVERIFIEERD, "las", "mandatory", "tls"), "reden": NO_TLS_REASON}]
    s = summarize(rows)
    assert s["verdict"] == "onvolledig" and s["exit_code"] == 3
    assert "waarvan 1 over identiteit: verbinding zonder wederzijdse TLS, dus geen certificering" \
        in s["verdict_reden"]


def test_the_selection_is_recorded():
    s = summarize([_row("a", GESLAAGD, "tc", "mandatory")],
                  selection={"tags": "@tc", "weggelaten": ["F: x", "F: y"]})
    assert s["verdict"] == "deelselectie" and s["exit_code"] == 0
    assert s["selectie"] == {"tags": "@tc", "weggelaten_verplicht": 2, "weggelaten": ["F: x", "F: y"]}
    assert "@tc" in s["verdict_reden"] and "2 verplichte scenario's" in s["verdict_reden"]


# -- the plugin's mapping, on a tiny test file run through pytest with the plugin ----------------

PROBE_TESTS = '''
import pytest
from harness.conformance.drivers.http import DriverError
from harness.conformance.outcomes import NotVerified, not_applicable, not_verified

@pytest.fixture
def broken_teardown():
    yield
    raise RuntimeError("opruimen mislukte")

def test_assert():
    assert 1 == 2, "PaO.LL12: dossier bevat bsn"

def test_pass():
    pass

def test_nvt():
    not_applicable("dit scenario test swv")

def test_ng_helper():
    not_verified("trigger ontbreekt")

def test_plain_skip():
    pytest.skip("geen leerling 'vo'")

def test_not_verified_exception():
    raise NotVerified("de persoon handelde niet binnen 60 s")

def test_driver_error():
    raise DriverError("LAS op http://127.0.0.1:9/oso: verbinding geweigerd")

def test_harness_bug():
    {}["sleutel"]

def test_timeout():
    raise TimeoutError("geen antwoord")

def test_fail_then_teardown_error(broken_teardown):
    assert False, "de controle faalde"

def test_pass_then_teardown_error(broken_teardown):
    pass
'''


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plugin")
    (tmp / "test_probe.py").write_text(PROBE_TESTS)
    out = tmp / "out"
    env = {"OSO_CONFORMANCE_REPORT": str(out), "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "pytest", str(tmp / "test_probe.py"), "-p", "harness.conformance.run_plugin",
                    "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--rootdir", str(tmp)],
                   cwd=tmp, env=env, capture_output=True, text=True, timeout=120)
    rows = json.loads((out / "results.json").read_text())["scenarios"]
    return {r["name"]: r for r in rows}


@pytest.mark.parametrize("name, outcome, reason", [
    ("test_assert", MISLUKT, "PaO.LL12: dossier bevat bsn"),
    ("test_pass", GESLAAGD, ""),
    ("test_nvt", NIET_VAN_TOEPASSING, "dit scenario test swv"),
    ("test_ng_helper", NIET_GEVERIFIEERD, "trigger ontbreekt"),
    ("test_plain_skip", NIET_GEVERIFIEERD, "geen leerling 'vo'"),
    ("test_not_verified_exception", NIET_GEVERIFIEERD, "de persoon handelde niet binnen 60 s"),
    ("test_driver_error", NIET_GEVERIFIEERD, "LAS op http://127.0.0.1:9/oso: verbinding geweigerd"),
    ("test_harness_bug", NIET_GEVERIFIEERD, "fout in de harnas of de verbinding: 'sleutel' (KeyError)"),
    ("test_timeout", NIET_GEVERIFIEERD, "tijdslimiet overschreden: geen antwoord"),
    ("test_fail_then_teardown_error", MISLUKT, "de controle faalde"),
    ("test_pass_then_teardown_error", NIET_GEVERIFIEERD, "bij het afsluiten van het scenario"),
])
def test_plugin_maps_what_a_test_raised(mapped, name, outcome, reason):
    row = mapped[name]
    assert row["outcome"] == outcome, row
    assert row["reden"].startswith(reason), row
    assert not row["reden"].startswith(("AssertionError", "Skipped", "NotVerified", "DriverError"))


# -- the runner end to end ---------------------------------------------------------------------

def conformance(*args, timeout=300) -> tuple[subprocess.CompletedProcess, dict]:
    report = Path(args[args.index("--report") + 1])
    done = subprocess.run([sys.executable, "-m", "harness.cli", "conformance", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return done, json.loads((report / "summary.json").read_text())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def las_config(base_url: str, tc_port: int, pupils: dict[str, str], trigger: str = "true", extra: str = "") -> str:
    lines = "\n".join(f'{k} = "{v}"' for k, v in pupils.items())
    return textwrap.dedent(f"""\
        [sut]
        naam = "LAS onder test"
        [las]
        mode = "external"
        base_url = "{base_url}"
        brin = "12AB"
        routeringskenmerk = "0000000700012AB00950"
        trigger = "{trigger}"
        wait_seconds = 15
        timeout = 5
        {extra}
        [las.leerlingen]
        """) + lines + f"\n[tc]\nport = {tc_port}\n"


def test_incomplete_config_exits_2_naming_keys_and_scenarios(tmp_path):
    cfg = tmp_path / "las.toml"
    cfg.write_text(las_config("http://127.0.0.1:9", 18573, {"po": "1"}))
    done, summary = conformance("--config", str(cfg), "--report", str(tmp_path / "r"))
    assert done.returncode == 2, done.stderr
    err = done.stderr
    assert "[las.leerlingen] met_bsn ontbreekt" in err and "[las.leerlingen] vo ontbreekt" in err
    assert "[las] trigger_verwijder_zorgvraag ontbreekt" in err
    assert "Het dossier bevat geen PGN van een leerling met een BSN" in err
    assert "Een verwijderde zorgvraag verdwijnt uit het overzicht" in err
    assert "--onvolledig" in err
    assert summary["verdict"] == "fout" and summary["scenarios"] == []
    assert done.stdout.strip().splitlines()[-1].startswith("Oordeel: fout")


@pytest.mark.slow
def test_partial_tag_selection_is_deelselectie(tmp_path):
    done, summary = conformance("--report", str(tmp_path / "r"), "--tags", "@tc and @mandatory and not @las and not @swv")
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert summary["verdict"] == "deelselectie", summary["verdict_reden"]
    assert summary["mandatory"][GESLAAGD] >= 5 and summary["mandatory"][MISLUKT] == 0
    assert summary["selectie"]["tags"] == "@tc and @mandatory and not @las and not @swv"
    assert summary["selectie"]["weggelaten_verplicht"] > 10
    assert all("tc" in s["tags"] for s in summary["scenarios"])
    assert "GESLAAGD" in done.stderr                        # progress per scenario
    assert any(s["koppelsleutels"] for s in summary["scenarios"])
    assert done.stdout.strip().splitlines()[-1].startswith("Oordeel: deelselectie")
    junit = (tmp_path / "r" / "junit.xml").read_text()
    assert 'name="tags" value="@tc and @mandatory and not @las and not @swv"' in junit


@pytest.mark.slow
def test_dead_las_is_fout_and_nothing_counts(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}"
    cfg = tmp_path / "las.toml"
    cfg.write_text(las_config(dead, free_port(), {"po": "1", "met_bsn": "2", "met_onderwijsnummer": "3"}))
    done, summary = conformance("--config", str(cfg), "--report", str(tmp_path / "r"), "--tags", "PaO.LL12 and las")
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert summary["verdict"] == "fout" and summary["exit_code"] == 4
    assert "voorcontrole" in summary["error"] and "LAS" in summary["error"] and dead in summary["error"]
    assert summary["scenarios"] == [] and summary["mandatory"][GESLAAGD] == 0
    assert summary["voorcontrole"]["geslaagd"] is False
    assert done.stdout.strip().splitlines()[-1].startswith("Oordeel: fout")


def serve_las(port: int, tc_port: int, tmp: Path, *extra: str) -> subprocess.Popen:
    log = open(tmp / "las.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "serve", "las", "--port", str(port),
                             "--tc-url", f"http://127.0.0.1:{tc_port}", "--db", str(tmp / "las.sqlite"), *extra],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"LAS startte niet: {(tmp / 'las.log').read_text()[-500:]}")


@pytest.mark.slow
def test_leaking_las_without_pupils_cannot_pass(tmp_path):
    """The LAS copies the BSN into the dossier. Without a met_bsn pupil the run used to pass;
    now it is refused (exit 2), with --onvolledig it is onvolledig (3), and with the pupil it
    is mislukt (1)."""
    tc_port, las_port = free_port(), free_port()
    base = f"http://127.0.0.1:{las_port}"
    trigger = (f"{sys.executable} -m harness.cli zorgvraag --las {base} create --leerling {{leerling}}"
               " --omschrijving {omschrijving} --aanleverpunt {aanleverpunt} --toelichting {toelichting}")
    las = serve_las(las_port, tc_port, tmp_path, "--defect", "leak_pgn")
    try:
        pupils = requests.get(f"{base}/api/leerlingen?brin=12AB", timeout=5).json()
        met_bsn = next(str(p["id"]) for p in pupils
                       if requests.get(f"{base}/api/leerlingen/{p['id']}", timeout=5).json().get("bsn"))
        cfg = tmp_path / "las.toml"
        cfg.write_text(las_config(base, tc_port, {"po": "1"}, trigger))
        refused, _ = conformance("--config", str(cfg), "--report", str(tmp_path / "r0"), "--tags", "PaO.LL12 and las")
        unchecked, s1 = conformance("--config", str(cfg), "--report", str(tmp_path / "r1"),
                                    "--tags", "PaO.LL12 and las", "--onvolledig")
        cfg.write_text(las_config(base, tc_port, {"po": "1", "met_bsn": met_bsn}, trigger))
        caught, s2 = conformance("--config", str(cfg), "--report", str(tmp_path / "r2"),
                                 "--tags", "PaO.LL12 and las", "--onvolledig")
    finally:
        las.terminate()
        las.wait(10)
    assert refused.returncode == 2 and "[las.leerlingen] met_bsn ontbreekt" in refused.stderr
    assert unchecked.returncode == 3, (unchecked.stdout, unchecked.stderr)
    assert s1["verdict"] == "onvolledig" and s1["mandatory"][NIET_GEVERIFIEERD] == 2 and s1["mandatory"][GESLAAGD] == 0
    assert all("de configuratie mist [las.leerlingen]" in s["reden"] for s in s1["scenarios"])
    assert s1["voorcontrole"]["geslaagd"] is True                      # the trigger did work
    assert caught.returncode == 1, (caught.stdout, caught.stderr)
    by_outcome = {s["outcome"]: s for s in s2["scenarios"]}
    assert s2["verdict"] == "mislukt" and "BSN" in by_outcome[MISLUKT]["name"]
    assert "bsn" in by_outcome[MISLUKT]["reden"].lower()
    assert "met_onderwijsnummer" in by_outcome[NIET_GEVERIFIEERD]["reden"]
