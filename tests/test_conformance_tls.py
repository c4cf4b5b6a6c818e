"""The conformance self-test over mutual TLS: every role simulated, every call with a certificate
of the test PKI, and the identity scenarios (which need TLS) actually run and pass."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _selftest(tmp_path, *extra) -> tuple[int, dict]:
    report = tmp_path / "rapport"
    done = subprocess.run([sys.executable, "-m", "harness.cli", "conformance", "--report", str(report),
                           "--parallel", "2", *extra], cwd=ROOT, capture_output=True, text=True, timeout=900)
    return done.returncode, json.loads((report / "summary.json").read_text())


def test_selftest_over_mutual_tls_passes_with_the_identity_scenarios_run(tmp_path):
    code, summary = _selftest(tmp_path, "--tls")
    identity = [s for s in summary["scenarios"] if "tls" in s["tags"]]
    assert identity and all(s["outcome"] == "geslaagd" for s in identity), identity
    assert summary["verdict"] == "geslaagd" and code == 0, summary["verdict_reden"]
    assert (tmp_path / "rapport" / "pki" / "ca.pem").is_file()


def test_without_tls_the_identity_scenarios_are_not_applicable(tmp_path):
    code, summary = _selftest(tmp_path, "--tags", "tls or OSS.ZV01")
    identity = [s for s in summary["scenarios"] if "tls" in s["tags"]]
    assert identity and all(s["outcome"] == "niet van toepassing" for s in identity), identity
    assert all("zonder wederzijdse TLS" in s["reden"] for s in identity)
