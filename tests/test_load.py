"""`oso-sim load` against our own actors: both shapes, distributed, and a broken LAS that fails.

The runs are small (a few schools, 10 users, 10-15 s) and bounded in count and time; they assert
correctness (0 errors, every dossier fetched once, refusals right), never speed.
"""
from __future__ import annotations

import csv
import json
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from actor_kit.server import ServerThread

ROOT = Path(__file__).resolve().parent.parent


def _locust_or_skip():
    import importlib.util
    if importlib.util.find_spec("locust") is None:
        pytest.skip("Locust ontbreekt (pip install -e '.[load]')")


def run_load(tmp_path: Path, toml: str, *extra: str, timeout: float = 240) -> tuple[int, str, Path]:
    cfg = tmp_path / "load.toml"
    cfg.write_text(textwrap.dedent(toml), encoding="utf-8")
    report = tmp_path / "rapport"
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "load", "--config", str(cfg),
                           "--report", str(report), *extra],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr, report


def stats(report: Path) -> dict[str, dict]:
    with (report / "locust_stats.csv").open(newline="", encoding="utf-8") as fh:
        return {r["Name"]: r for r in csv.DictReader(fh)}


def served_documents(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM message_log WHERE side = 'server' AND operation ="
                            " 'document' AND direction = 'out' AND element = 'documentResponse'").fetchone()[0]


# -- without Locust processes -----------------------------------------------------------------

def test_load_refuses_an_unknown_key_and_a_run_past_its_bounds(tmp_path):
    code, out, _ = run_load(tmp_path, """
        [load]
        gebruikers = 10
        snelheid = 3
        """)
    assert code == 2 and "onbekende sleutel(s) in [load]: snelheid" in out
    code, out, _ = run_load(tmp_path, """
        [load]
        duur = 100000
        """)
    assert code == 2 and "duur = 100000.0 is boven de grens van 3600" in out


def test_load_refuses_the_las_shape_against_an_external_las(tmp_path):
    code, out, _ = run_load(tmp_path, """
        [las]
        mode = "external"
        base_url = "http://127.0.0.1:9"
        routeringskenmerk = "0000000700012AB00950"
        brin = "12AB"
        [tc]
        port = 8599
        [load]
        vorm = "las"
        """)
    assert code == 2 and "vorm las tegen een externe LAS wordt niet ondersteund" in out


def test_one_configuration_file_serves_conformance_and_load():
    from harness.conformance.config import ConfigError, parse_config

    config = parse_config({"load": {"vorm": "swv", "p95_ms": 2000}, "swv": {"mode": "simulated"}})
    assert config.sut_roles == []
    with pytest.raises(ConfigError, match="onbekende sectie"):
        parse_config({"belasting": {}})


def test_oso_sim_never_imports_locust_or_gevent_outside_the_locust_processes():
    # gevent's monkey-patching inside oso-sim would change sockets and ssl for every actor
    code = ("import sys, harness.cli, harness.cli.load, harness.load.checks, harness.load.report,"
            " harness.load.world; bad = [m for m in ('locust', 'gevent') if m in sys.modules];"
            " print(bad); sys.exit(1 if bad else 0)")
    proc = subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_thresholds_judge_every_timed_step_and_the_errors(tmp_path):
    from harness.load import report as rpt

    steps = [rpt.Step("OSO", "notificatie", 10, 0, 20, 2500, 2600, 2700, 5.0),
             rpt.Step("OSO", "tot afmelding", 10, 1, 5, 50, 60, 70, 5.0)]
    total = rpt.Step("", "Aggregated", 20, 1, 10, 2400, 2500, 2700, 10.0)
    outcome = rpt.judge(rpt.Outcome(steps, total, []), p95_ms=2000, p99_ms=None, max_fouten=0)
    assert not outcome.geslaagd
    assert any("notificatie: p95 2500 ms boven de grens van 2000 ms" in o for o in outcome.overschrijdingen)
    assert any("1 fouten, toegestaan 0" in o for o in outcome.overschrijdingen)
    assert rpt.judge(rpt.Outcome(steps, total, []), p95_ms=3000, p99_ms=None, max_fouten=1).geslaagd
    empty = rpt.judge(rpt.Outcome([], None, []), p95_ms=3000, p99_ms=None, max_fouten=0)
    assert not empty.geslaagd and "de belasting liep niet" in empty.overschrijdingen[0]
    history = [{"t": 100 + i, "users": 5, "rps": i, "fps": 0, "p50": 10 + i, "p95": 20 + i} for i in range(5)]
    page = rpt.write_html(tmp_path / "s.html", rpt.Outcome(steps, total, history), titel="Belasting",
                          instellingen={"vorm": "swv", "p99_ms": None}, locust_html=None)
    text = page.read_text(encoding="utf-8")
    assert text.count("<polyline") == 3 and "Oordeel: geslaagd" in text and "geen grens" in text


@pytest.mark.slow
def test_actor_server_accepts_more_than_a_hundred_keep_alive_connections():
    # under a distributed load run the actors hold one keep-alive connection per peer thread;
    # waitress's default limit of 100 left the 101st caller unaccepted until a 10 s timeout
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    server = ServerThread(app)
    server.start()
    socks = []
    try:
        for _ in range(150):
            s = socket.create_connection((server.host, server.port), timeout=5)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
            socks.append(s)
        started = time.monotonic()
        answers = [s.recv(1024) for s in socks]
        assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
        assert time.monotonic() - started < 5
    finally:
        for s in socks:
            s.close()
        server.stop()


# -- real load runs ----------------------------------------------------------------------------

NOTIFICATIE = "notificatie (school verzendt, SWV antwoordt)"
# the SWV run both SWV tests share: eight schools, ten users, 15 s
SWV_RUN = {"vorm": "swv", "gebruikers": 10, "opstart_per_seconde": 10, "duur": 15, "scholen": 8, "p95_ms": 5000}


def load_section(settings: dict, before: str = "") -> str:
    """A configuration file: `before` (role tables) and a [load] table with `settings`."""
    return before + "[load]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items())


def run_swv_load(tmp_path: Path, **settings) -> tuple[str, Path, dict[str, dict], int]:
    """An SWV run against our own actors that passes without one failed request; its output, report
    folder, Locust statistics and the number of notificaties sent."""
    _locust_or_skip()
    code, out, report = run_load(tmp_path, load_section({**SWV_RUN, **settings}))
    assert code == 0, out
    rows = stats(report)
    sent = int(rows[NOTIFICATIE]["Request Count"])
    assert sent > 0 and rows["Aggregated"]["Failure Count"] == "0"
    return out, report, rows, sent


@pytest.mark.slow
def test_load_swv_shape_against_our_own_actors(tmp_path):
    out, report, rows, sent = run_swv_load(tmp_path, max_uitwisselingen=150, max_fouten=0)
    assert "Oordeel: geslaagd" in out
    for name in (NOTIFICATIE, "na notificatie: tot ophalen (documentRequest)", "na ophalen: tot afmelding"):
        assert int(rows[name]["Request Count"]) > 0 and rows[name]["Failure Count"] == "0", name
    page = (report / "samenvatting.html").read_text(encoding="utf-8")
    assert "Oordeel: geslaagd" in page and "<polyline" in page
    # every notified zorgvraag was fetched exactly once (the run-wide check) and the LAS agrees
    assert f"<th>genotificeerd</th><td>{sent}</td>" in page
    assert f"<th>geleverd</th><td>{sent}</td>" in page
    assert served_documents(report / "actoren" / "las0.sqlite") == sent


@pytest.mark.slow
def test_load_las_shape_against_our_own_las(tmp_path):
    _locust_or_skip()
    code, out, report = run_load(tmp_path, load_section(
        {"vorm": "las", "gebruikers": 10, "opstart_per_seconde": 10, "duur": 12, "scholen": 4,
         "max_uitwisselingen": 60, "max_fouten": 0}))
    assert code == 0, out
    rows = stats(report)
    assert rows["documentRequest (LAS)"]["Request Count"] == "60"
    assert rows["documentRequest (LAS)"]["Failure Count"] == "0"
    assert int(rows["documentRequest zonder geldige sessie (LAS weigert)"]["Request Count"]) > 0
    assert rows["Aggregated"]["Failure Count"] == "0"
    assert served_documents(report / "actoren" / "las.sqlite") == 60


@pytest.mark.slow
def test_load_fails_against_a_las_that_serves_without_session_check(tmp_path):
    _locust_or_skip()
    code, out, report = run_load(tmp_path, load_section(
        {"vorm": "las", "gebruikers": 4, "duur": 10, "scholen": 4, "max_uitwisselingen": 20},
        before='[las]\ndefects = ["skip_sessiecontrole"]\n'))
    assert code == 1, out
    assert "Oordeel: mislukt" in out
    assert "dossier geleverd zonder sessiecontrole bij de TC" in out
    rows = stats(report)
    assert int(rows["documentRequest zonder geldige sessie (LAS weigert)"]["Failure Count"]) > 0


@pytest.mark.slow
def test_load_distributed_master_and_two_workers_each_with_its_own_schools(tmp_path):
    out, report, rows, sent = run_swv_load(tmp_path, max_uitwisselingen=200, workers=2)
    assert "2 workers" in out
    assert (report / "locust-1.log").exists() and (report / "locust-2.log").exists()
    # the simulated side grew with the workers: each worker's own LAS served its schools' dossiers
    per_las = [served_documents(report / "actoren" / f"las{k}.sqlite") for k in (0, 1)]
    assert all(n > 0 for n in per_las) and sum(per_las) == sent
