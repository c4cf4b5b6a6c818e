"""A vendor's acceptance LAS keeps its data, and its CI certifies it on every push: the verdict
must not drift from run to run. One LAS process with one database is certified three times in a
row, over plain HTTP and over mutual TLS; every run gets the same verdict and the same outcome per
scenario. A LAS broken in the snapshot rule is still caught on its third run (before the changed
achternaam was unique to a run, a rerun failed a correct LAS and passed a stale snapshot)."""
from __future__ import annotations

from pathlib import Path

import pytest

from actor_kit import pki
from harness.conformance import sut_play
from harness.conformance.defects import MOMENTOPNAME
from harness.runtime.scenario import load_scenario

pytestmark = pytest.mark.slow


def _three_runs(tmp_path: Path, *, tls: bool, defects=(), tags: str | None = None) -> list[sut_play.Run]:
    pki_dir = None
    if tls:
        pki_dir = tmp_path / "pki"
        pki.init(pki_dir, load_scenario(None))
    tc_port, port = sut_play.free_port(), sut_play.free_port()
    proc = sut_play.serve("las", port, tc_port, tmp_path, defects, pki_dir=pki_dir)
    try:
        base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        pupils = sut_play.prepare_las_pupils(base, sut_play.harness_tls(pki_dir))
        config = sut_play.las_config("oso-sim LAS, drie keer", port, tc_port, pupils, pki_dir=pki_dir)
        runs = []
        for i in range(3):
            workdir = tmp_path / f"run{i + 1}"
            workdir.mkdir()
            runs.append(sut_play.conformance(workdir, config, tags, pki_dir=pki_dir))
        return runs
    finally:
        sut_play.stop(proc)
    

def _per_scenario(run: sut_play.Run) -> dict[str, str]:
    return {s["name"]: s["outcome"] for s in run.summary["scenarios"]}


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_three_runs_against_one_persistent_las_give_the_same_verdict(tmp_path, tls):
    runs = _three_runs(tmp_path, tls=tls)
    expected = "geslaagd" if tls else "onvolledig"
    for i, run in enumerate(runs, 1):
        assert run.summary.get("verdict") == expected, (i, run.summary.get("verdict_reden"), run.stderr[-2000:])
    first = _per_scenario(runs[0])
    assert first and all(_per_scenario(r) == first for r in runs[1:]), \
        [{k: v for k, v in _per_scenario(r).items() if first.get(k) != v} for r in runs[1:]]
    las = [name for name, outcome in first.items() if outcome == "geslaagd"]
    assert len(las) >= 30, las
    print(f"\n3 runs ({'tls' if tls else 'http'}) against one LAS: {expected} each time, "
          f"{len(las)} scenario's geslaagd; " + ", ".join(f"{r.seconds:.1f} s" for r in runs))


def test_a_stale_snapshot_is_still_caught_on_the_third_run(tmp_path):
    runs = _three_runs(tmp_path, tls=False, defects=["live_dossier"], tags="@las and @onveranderlijk")
    for i, run in enumerate(runs, 1):
        assert run.summary.get("verdict") == "mislukt", (i, run.summary.get("verdict_reden"))
        assert run.failed() == {MOMENTOPNAME}, (i, run.failed())
