"""A vendor's system with certificates of its own CA and an OIN of its own: our LAS and our SWV,
played that way over mutual TLS, get geslaagd, and their identity scenarios really ran (not niet
van toepassing)."""
from __future__ import annotations

import pytest

from harness.conformance.sut_play import VENDOR_OIN, play

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("rol", ["las", "swv"])
def test_system_with_its_own_ca_and_oin_passes_over_mutual_tls(tmp_path, rol):
    run = play(rol, tmp_path, own_ca=True)
    identity = [s for s in run.summary["scenarios"] if "tls" in s["tags"] and rol in s["tags"]]
    assert identity and all(s["outcome"] == "geslaagd" for s in identity), identity
    assert run.summary["verdict"] == "geslaagd", (run.summary.get("verdict_reden"), run.failed())
    config = (tmp_path / "sut.toml").read_text()
    assert f'oin = "{VENDOR_OIN}"' in config and "eigen-ca.pem" in config
