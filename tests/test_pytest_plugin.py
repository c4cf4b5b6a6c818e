"""The pytest11 plugin (harness.conformance.pytest_plugin): `pytest --oso-config FILE --oso-report DIR` runs
the same conformance scenarios as `oso-sim conformance`, with the same refusal rules, reports and
verdict; without its options it leaves a pytest run alone."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.conformance import sut_play

PYTEST = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
# a handful of LAS scenarios that really run, plus every mandatory scenario of the other roles,
# which are niet van toepassing for a LAS under test
TAGS = "@mandatory and (@OSS.ZV01 or not @las)"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "OSO_CONFORMANCE"))}


def _run(cmd: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=False, cwd=cwd, env=_env(), capture_output=True, text=True,
                          timeout=timeout)


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _outcomes(summary: dict) -> dict[str, str]:
    return {f"{s.get('feature')}: {s['name']}": s["outcome"] for s in summary["scenarios"]}


def test_without_its_options_the_plugin_leaves_pytest_alone(tmp_path):
    (tmp_path / "test_eigen.py").write_text(
        "import sys\n"
        "def test_eigen():\n"
        "    # nothing of the conformance run was loaded into this session\n"
        "    loaded = [m for m in ('harness.cli.conformance', 'harness.conformance.run_plugin', 'harness.conformance.needs')\n"
        "              if m in sys.modules]\n"
        "    assert loaded == []\n", encoding="utf-8")
    done = _run([*PYTEST, "test_eigen.py"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "Oordeel" not in done.stdout + done.stderr and not list(tmp_path.glob("*/summary.json"))


def test_the_options_are_in_pytest_help(tmp_path):
    done = _run([*PYTEST, "--help"], tmp_path)
    assert done.returncode == 0
    for option in ("--oso-config=FILE", "--oso-report=DIR", "--oso-tags=EXPR", "--oso-tls"):
        assert option in done.stdout


def test_an_incomplete_configuration_is_refused_before_any_scenario(tmp_path):
    config = tmp_path / "las.toml"
    config.write_text('[las]\nmode = "external"\nbase_url = "http://127.0.0.1:9"\nbrin = "12AB"\n'
                      'routeringskenmerk = "0000000700012AB00950"\n[tc]\nport = 8510\n', encoding="utf-8")
    (tmp_path / "test_eigen.py").write_text("def test_eigen():\n    pass\n", encoding="utf-8")
    done = _run([*PYTEST, "--oso-config", "las.toml", "--oso-report", "rapport"], tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "[las] trigger ontbreekt" in done.stderr
    summary = _summary(tmp_path / "rapport")
    assert summary["verdict"] == "fout" and summary["scenarios"] == []
    assert "test_eigen" not in done.stdout  # the vendor's own tests did not run instead
    assert (tmp_path / "rapport" / "report.html").is_file() and (tmp_path / "rapport" / "junit.xml").is_file()


@pytest.mark.slow
def test_plugin_and_cli_give_the_same_verdict_and_outcomes_for_an_external_las(tmp_path):
    tc_port, las_port = sut_play.free_port(), sut_play.free_port()
    proc = sut_play.serve("las", las_port, tc_port, tmp_path)
    try:
        pupils = sut_play.prepare_las_pupils(f"http://127.0.0.1:{las_port}")
        config = tmp_path / "las.toml"
        config.write_text(sut_play.las_config("oso-sim LAS", las_port, tc_port, pupils), encoding="utf-8")
        cli = _run([sys.executable, "-m", "harness.cli", "conformance", "--config", str(config),
                    "--report", str(tmp_path / "cli"), "--tags", TAGS], tmp_path, 600)
        # the vendor's own folder: a pytest.ini and a test of their own that must not run
        vendor = tmp_path / "leverancier"
        vendor.mkdir()
        (vendor / "pytest.ini").write_text("[pytest]\naddopts = -ra\n", encoding="utf-8")
        (vendor / "test_eigen.py").write_text("def test_eigen():\n    raise AssertionError\n", encoding="utf-8")
        plugin = _run([*PYTEST, "--oso-config", str(config), "--oso-report", "rapport", f"--oso-tags={TAGS}"],
                      vendor, 600)
    finally:
        sut_play.stop(proc)
    by_cli, by_plugin = _summary(tmp_path / "cli"), _summary(vendor / "rapport")
    # over plain HTTP every selected scenario passes, yet the run is no certification
    assert by_cli["verdict"] == "onvolledig", (cli.stdout, cli.stderr)
    assert "zonder wederzijdse TLS" in by_cli["verdict_reden"]
    assert by_plugin["verdict"] == by_cli["verdict"], plugin.stdout + plugin.stderr
    assert by_plugin["verdict_reden"] == by_cli["verdict_reden"]
    assert cli.returncode == plugin.returncode == 3
    assert _outcomes(by_plugin) == _outcomes(by_cli)
    outcomes = set(_outcomes(by_cli).values())
    assert {"geslaagd", "niet van toepassing"} <= outcomes, outcomes
    assert "test_eigen" not in plugin.stdout
    assert f"Oordeel: {by_cli['verdict']}" in plugin.stdout
    for name in ("junit.xml", "report.html", "summary.json"):
        assert (vendor / "rapport" / name).is_file()


@pytest.mark.slow
def test_a_failing_run_ends_mislukt_with_exit_1_on_both_routes(tmp_path):
    # our simulated LAS with one deliberate defect: it sends a zorgvraag without toelichting
    config = tmp_path / "defect.toml"
    config.write_text('[las]\ndefects = ["send_without_toelichting"]\n', encoding="utf-8")
    cli = _run([sys.executable, "-m", "harness.cli", "conformance", "--config", str(config),
                "--report", "cli", "--tags", "@OSS.ZV01"], tmp_path, 600)
    plugin = _run([*PYTEST, "--oso-config", str(config), "--oso-report", "plugin", "--oso-tags=@OSS.ZV01"],
                  tmp_path, 600)
    by_cli, by_plugin = _summary(tmp_path / "cli"), _summary(tmp_path / "plugin")
    assert by_cli["verdict"] == by_plugin["verdict"] == "mislukt", plugin.stdout[-2000:]
    assert cli.returncode == plugin.returncode == 1
    assert _outcomes(by_plugin) == _outcomes(by_cli)
    assert "mislukt" in _outcomes(by_plugin).values() and "geslaagd" in _outcomes(by_plugin).values()
