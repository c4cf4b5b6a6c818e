"""The configurations in docs/examples/ are what a vendor copies: run exactly as written (only the
ports moved to free ones), they judge our own LAS and SWV as external systems with every
mandatory scenario of the role applicable and geslaagd. The TLS run uncomments the certificate
keys, as the comment in the file tells a vendor to."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from actor_kit import pki
from harness import sut_play
from harness.scenario import load_scenario

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
OSO_SIM = shlex.quote(str(Path(sys.executable).parent / "oso-sim"))


def _as_written(name: str, ports: dict[int, int], tls_dir: Path | None = None) -> str:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    for example, port in ports.items():
        text = text.replace(f"127.0.0.1:{example}", f"127.0.0.1:{port}").replace(f"port = {example}", f"port = {port}")
    # the pytest process need not have the venv on PATH; the command is the same `oso-sim`
    text = text.replace('"oso-sim ', f'"{OSO_SIM} ')
    if tls_dir is not None:
        text = text.replace("http://127.0.0.1", "https://127.0.0.1").replace("# ca_bundle", "ca_bundle")
        text = text.replace("# client_", "client_").replace('"pki/', f'"{tls_dir}/')
        text = text.replace("--las https", f"--tls {tls_dir} --las https").replace("--swv https",
                                                                                     f"--tls {tls_dir} --swv https")
    return text


def _applicable_mandatory(run, role: str) -> dict[str, str]:
    return {s["name"]: s["outcome"] for s in run.summary["scenarios"]
            if role in s["tags"] and "optional" not in s["tags"] and s["outcome"] != "niet van toepassing"}


def _only_identity_left_out(run, role: str, tls: bool) -> None:
    """Over plain HTTP only the identity (@tls) scenarios of the role cannot apply; over TLS none."""
    left_out = [s for s in run.summary["scenarios"]
                if role in s["tags"] and "optional" not in s["tags"] and s["outcome"] == "niet van toepassing"]
    assert all("tls" in s["tags"] for s in left_out), [s["name"] for s in left_out]
    if tls:
        assert not left_out, [s["name"] for s in left_out]


def _play(tmp_path: Path, role: str, example: int, tls: bool) -> tuple[sut_play.Run, str]:
    pki_dir = None
    if tls:
        pki_dir = tmp_path / "pki"
        pki.init(pki_dir, load_scenario(None))
    tc_port, port = sut_play.free_port(), sut_play.free_port()
    proc = sut_play.serve(role, port, tc_port, tmp_path, pki_dir=pki_dir)
    try:
        config = _as_written(f"{role}.toml", {8700: tc_port, example: port}, pki_dir)
        return sut_play.conformance(tmp_path, config, pki_dir=pki_dir), config
    finally:
        sut_play.stop(proc)


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_the_las_example_judges_our_las_geslaagd(tmp_path, tls):
    run, _ = _play(tmp_path, "las", 8701, tls)
    assert run.code == 0, run.stderr[-3000:]
    assert run.summary["verdict"] == "geslaagd"
    judged = _applicable_mandatory(run, "las")
    assert judged and set(judged.values()) == {"geslaagd"}, judged
    vo = [s for s in run.summary["scenarios"] if "VO" in s["name"] and s["outcome"] == "geslaagd"]
    assert vo, "the VO school of [las.scholen] ran its scenarios in the same run"
    _only_identity_left_out(run, "las", tls)
    print(f"\nlas.toml ({'tls' if tls else 'http'}): {len(judged)} verplichte LAS-scenario's geslaagd"
          f" in {run.seconds:.1f} s")


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_the_swv_example_judges_our_swv_geslaagd(tmp_path, tls):
    run, _ = _play(tmp_path, "swv", 8702, tls)
    assert run.code == 0, run.stderr[-3000:]
    assert run.summary["verdict"] == "geslaagd"
    judged = _applicable_mandatory(run, "swv")
    assert judged and set(judged.values()) == {"geslaagd"}, judged
    _only_identity_left_out(run, "swv", tls)
    print(f"\nswv.toml ({'tls' if tls else 'http'}): {len(judged)} verplichte SWV-scenario's geslaagd"
          f" in {run.seconds:.1f} s")
