"""The three actors on real loopback sockets: complete exchanges, concurrency, the CLI contract."""
from __future__ import annotations

import json

import pytest
import requests

from harness.cli import main
from harness.runtime.actors import Actors
from harness.runtime.exchange import ExchangeDriver

pytestmark = pytest.mark.slow

# in order of the answers: the SWV confirms the koppelsleutel at the TC (overdracht) before it
# answers the notificatie
EXPECTED_STEPS = ["meldenNotificatie", "overdracht", "notificatie", "sessiecontrole", "document",
                  "afmelding", "meldenTerugkoppeling", "terugkoppeling"]


@pytest.fixture(scope="module")
def actors():
    with Actors() as a:
        yield a


def test_one_exchange_runs_every_step_in_order(actors):
    res = ExchangeDriver(actors.urls).run_many(1)[0]
    assert res.completed, res.error
    assert [s["operation"] for s in res.steps] == EXPECTED_STEPS
    by_op = {s["operation"]: s for s in res.steps}
    assert (by_op["notificatie"]["from"], by_op["notificatie"]["to"]) == ("LAS", "SWV")
    assert (by_op["document"]["from"], by_op["document"]["to"]) == ("SWV", "LAS")
    assert (by_op["sessiecontrole"]["from"], by_op["sessiecontrole"]["to"]) == ("LAS", "TC")
    assert by_op["afmelding"]["outcome"] == "AfmeldingOntvangen"
    assert by_op["terugkoppeling"]["outcome"] == "TerugkoppelingOntvangen"


def test_fifty_parallel_zorgvragen_complete_with_distinct_koppelsleutels(actors):
    driver = ExchangeDriver(actors.urls, timeout=60)
    results = driver.run_many(50, parallel=16)
    failed = [r.error for r in results if not r.completed]
    assert not failed, failed[:3]
    keys = {r.koppelsleutel for r in results}
    assert len(keys) == 50
    # no lost terugkoppeling: each zorgvraag in the LAS holds exactly the one that was sent
    for r in results:
        zv = requests.get(f"{actors.urls['las']}/api/zorgvragen/{r.zorgvraag_id}", timeout=10).json()
        assert zv["terugkoppeling_ontvangen"] == "Ja"
        assert len(zv["terugkoppelingen"]) == 1
    tc = requests.get(f"{actors.urls['tc']}/api/koppelingen", timeout=10).json()
    rows = tc["koppelingen"] if isinstance(tc, dict) else tc
    assert keys <= {k["koppelsleutel"].upper() for k in rows}


def test_cli_exchange_json_contract(capsys):
    assert main(["exchange", "--count", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["requested"] == 3 and out["completed"] == 3
    assert len(out["exchanges"]) == 3
    for ex in out["exchanges"]:
        assert ex["completed"] is True and ex["koppelsleutel"]
        assert {"operation", "from", "to", "ms", "outcome"} <= set(ex["steps"][0])


def test_cli_exchange_text_timeline(capsys):
    assert main(["exchange", "--count", "1"]) == 0
    out = capsys.readouterr().out
    assert "sessiecontrole" in out and "1/1 uitwisselingen voltooid" in out


def test_cli_exchange_bad_arguments(capsys):
    assert main(["exchange", "--count", "0"]) == 2
    assert main(["exchange", "--scenario", "/nonexistent.yaml"]) == 2


def test_exchange_with_the_actors_in_three_processes(tmp_path):
    """`oso-sim exchange --processes`: the same exchanges with TC, LAS and SWV each in a process
    of their own; the rate is over the exchanges, not the start-up."""
    import json as _json
    import subprocess as _sp
    import sys as _sys

    done = _sp.run([_sys.executable, "-m", "harness.cli", "exchange", "--processes", "--count", "3",
                    "--parallel", "2", "--json", "--workdir", str(tmp_path)],
                   capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = _json.loads(done.stdout)
    assert data["completed"] == 3 and data["per_second"] > 0
    assert {p.name for p in tmp_path.iterdir()} >= {"tc.sqlite", "las.sqlite", "swv.sqlite"}
    refused = _sp.run([_sys.executable, "-m", "harness.cli", "exchange", "--processes", "--tls"],
                      capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "--processes" in refused.stderr
