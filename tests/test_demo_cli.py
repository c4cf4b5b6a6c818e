"""`oso-sim demo` as a trainer starts it, with and without mutual TLS: it prints the addresses
(and under TLS the CA and the browser certificate), runs the example exchange and stops cleanly."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _free_base() -> int:
    """A base port with the two above it free too (the demo takes three in a row)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base > 65000:
            continue
        try:
            for p in (base, base + 1, base + 2):
                with socket.socket() as t:
                    t.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
    raise RuntimeError("geen drie vrije poorten op een rij")


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_demo_runs_the_example_exchange(tmp_path, tls):
    base = _free_base()
    cmd = [sys.executable, "-m", "harness.cli", "demo", "--port", str(base), "--workdir", str(tmp_path),
           "--voorbeeld", "--seconds", "2"] + (["--tls"] if tls else [])
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    scheme = "https" if tls else "http"
    assert f"{scheme}://127.0.0.1:{base}/demo" in out, out
    assert "Voorbeelduitwisseling: voltooid" in out, out
    if tls:
        assert "ca.pem" in out and "harnas.p12" in out, out
        assert (tmp_path / "pki" / "ca.pem").is_file()
    else:
        assert "Wederzijdse TLS" not in out
