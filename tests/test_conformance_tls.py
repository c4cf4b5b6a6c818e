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


def test_selftest_runs_over_mutual_tls_by_default_with_the_identity_scenarios_run(tmp_path):
    code, summary = _selftest(tmp_path)
    identity = [s for s in summary["scenarios"] if "tls" in s["tags"]]
    assert identity and all(s["outcome"] == "geslaagd" for s in identity), identity
    assert summary["verdict"] == "geslaagd" and code == 0, summary["verdict_reden"]
    assert (tmp_path / "rapport" / "pki" / "ca.pem").is_file()
    assert summary["run"]["verbinding"].startswith("wederzijdse TLS")


def test_plain_http_is_no_certification_the_identity_scenarios_are_not_verified(tmp_path):
    code, summary = _selftest(tmp_path, "--zonder-tls", "--tags", "tls or OSS.ZV01")
    identity = [s for s in summary["scenarios"] if "tls" in s["tags"]]
    assert identity and all(s["outcome"] == "niet geverifieerd" for s in identity), identity
    assert all(s["reden"].startswith("verbinding zonder wederzijdse TLS") for s in identity)
    # every functional scenario still shows its outcome
    others = [s for s in summary["scenarios"] if "tls" not in s["tags"]]
    assert others and all(s["outcome"] == "geslaagd" for s in others), others
    assert summary["verdict"] == "onvolledig" and code == 3, summary["verdict_reden"]
    assert f"waarvan {len(identity)} over identiteit: verbinding zonder wederzijdse TLS" \
        in summary["verdict_reden"]
    assert "geen certificering" in summary["run"]["verbinding"]
