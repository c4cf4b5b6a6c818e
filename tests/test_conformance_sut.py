"""SUT mode: the harness treats a separately started LAS (our own, in its own process) as a
vendor's system, triggers it through `oso-sim zorgvraag`, and judges it from the simulated TC
and SWV. A deliberately broken SWV (skip_afmelding) must fail the afmelding scenario."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(role: str, port: int, tc_port: int, tmp: Path, *extra: str) -> subprocess.Popen:
    log = open(tmp / f"{role}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", "serve", role, "--port", str(port),
                             "--tc-url", f"http://127.0.0.1:{tc_port}", "--db", str(tmp / f"{role}.sqlite"),
                             *extra], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/api/health", timeout=1).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"{role} startte niet: {(tmp / f'{role}.log').read_text()[-500:]}")


def conformance(tmp: Path, config: str, tags: str) -> tuple[int, dict, str]:
    cfg = tmp / "sut.toml"
    cfg.write_text(config)
    done = subprocess.run([sys.executable, "-m", "harness.cli", "conformance", "--config", str(cfg),
                           "--report", str(tmp / "rapport"), "--tags", tags],
                          cwd=ROOT, capture_output=True, text=True, timeout=400)
    return done.returncode, json.loads((tmp / "rapport" / "summary.json").read_text()), done.stderr


def external_las_config(naam: str, las_port: int, tc_port: int, leerlingen: dict[str, str]) -> str:
    """Our LAS as the system under test, triggered through `oso-sim zorgvraag` like a vendor's script."""
    base = f"http://127.0.0.1:{las_port}"
    trigger = (f"{sys.executable} -m harness.cli zorgvraag --las {base} create"
               " --leerling {leerling} --omschrijving {omschrijving} --aanleverpunt {aanleverpunt}"
               " --toelichting {toelichting}")
    pupils = "\n".join(f'{kind} = "{ref}"' for kind, ref in leerlingen.items())
    return f"""
[sut]
naam = "{naam}"
[las]
mode = "external"
base_url = "{base}"
brin = "12AB"
routeringskenmerk = "0000000700012AB00950"
trigger = "{trigger}"
wait_seconds = 15
[las.leerlingen]
{pupils}
[tc]
port = {tc_port}
"""


def test_external_las_passes(tmp_path):
    tc_port, las_port = free_port(), free_port()
    las = serve("las", las_port, tc_port, tmp_path)
    try:
        code, summary, err = conformance(
            tmp_path, external_las_config("oso-sim LAS als extern systeem", las_port, tc_port, {"po": "1"}),
            "OSS.ZV01 or (las and tc and not las)")
    finally:
        las.terminate()
        las.wait(10)
    by_name = {s["name"]: s for s in summary["scenarios"]}
    assert summary["sut"]["sut_rollen"] == ["las"]
    assert by_name["Zonder toelichting kan een zorgvraag niet worden verzonden"]["outcome"] == "passed", by_name
    assert by_name["Met toelichting ontvangt het SWV de toelichting in het dossier"]["outcome"] == "passed", by_name
    assert code == 0, err


def test_swv_that_skips_afmelding_fails(tmp_path):
    tc_port, swv_port = free_port(), free_port()
    swv = serve("swv", swv_port, tc_port, tmp_path, "--defect", "skip_afmelding")
    try:
        code, summary, err = conformance(tmp_path, f"""
[swv]
mode = "external"
base_url = "http://127.0.0.1:{swv_port}"
brin = "25PO"
routeringskenmerk = "0000000700025PO00931"
wait_seconds = 10
[tc]
port = {tc_port}
""", "swv and mandatory and not las")
    finally:
        swv.terminate()
        swv.wait(10)
    by_name = {s["name"]: s for s in summary["scenarios"]}
    afmelding = by_name["Het SWV haalt het dossier op met een sessie en meldt de sessie af"]
    assert afmelding["outcome"] == "failed" and "afmelding" in afmelding["message"], afmelding
    assert code == 1 and summary["verdict"] == "failed"


def test_las_that_leaks_the_bsn_fails_the_pgn_scenario(tmp_path):
    tc_port, las_port = free_port(), free_port()
    las = serve("las", las_port, tc_port, tmp_path, "--defect", "leak_pgn")
    try:
        base = f"http://127.0.0.1:{las_port}"
        pupils = requests.get(f"{base}/api/leerlingen?brin=12AB", timeout=5).json()
        met_bsn = next(p["id"] for p in pupils
                       if requests.get(f"{base}/api/leerlingen/{p['id']}", timeout=5).json().get("bsn"))
        code, summary, err = conformance(
            tmp_path, external_las_config("LAS die het BSN meestuurt", las_port, tc_port,
                                          {"po": "1", "met_bsn": str(met_bsn)}),
            "PaO.LL12 and las")
    finally:
        las.terminate()
        las.wait(10)
    outcomes = {s["name"]: s for s in summary["scenarios"]}
    failed = [s for s in summary["scenarios"] if s["outcome"] == "failed"]
    assert len(failed) == 1, outcomes
    assert "BSN" in failed[0]["name"] and "bsn" in failed[0]["message"], failed[0]
    assert code == 1 and summary["verdict"] == "failed", err
