"""A vendor's system with certificates of its own CA and an OIN of its own: our LAS, played that
way over mutual TLS, gets geslaagd, and the identity scenarios really ran (not niet van toepassing)."""
from __future__ import annotations

import pytest

from harness.conformance.sut_play import VENDOR_OIN, play

pytestmark = pytest.mark.slow


def test_las_with_its_own_ca_and_oin_passes_over_mutual_tls(tmp_path):
    run = play("las", tmp_path, own_ca=True)
    identity = [s for s in run.summary["scenarios"] if "tls" in s["tags"]]
    assert identity and all(s["outcome"] == "geslaagd" for s in identity), identity
    assert run.summary["verdict"] == "geslaagd", (run.summary.get("verdict_reden"), run.failed())
    config = (tmp_path / "sut.toml").read_text()
    assert f'oin = "{VENDOR_OIN}"' in config and "eigen-ca.pem" in config
