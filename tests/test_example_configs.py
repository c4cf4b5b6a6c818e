"""The configurations in docs/examples/ are what a vendor copies. Each file is copied unchanged into
an empty folder (only its port numbers move to free ones, and `oso-sim` becomes the venv's
script, because PATH may lack it), the commands of its header are run from that folder as
written, and the run itself is started from another folder: every relative path (ca_bundle, the
`--tls pki` inside the triggers) must resolve against the configuration file.

Over TLS the example must judge our own LAS or SWV geslaagd with every mandatory scenario of the
role applicable and geslaagd. Over plain HTTP every mandatory scenario of the role that is not
about identity must be geslaagd; the @tls identity scenarios cannot be checked there (niet
geverifieerd, or niet van toepassing), so the verdict is onvolledig or geslaagd.

A trigger that crashes is never a refusal and never a pass: in the pre-flight it stops the run
(fout), in a scenario it leaves that scenario niet geverifieerd (onvolledig), with the last line
of the trigger's stderr as the reason."""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.conformance import sut_play

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
OSO_SIM = Path(sys.executable).parent / "oso-sim"
EXAMPLE_PORTS = {"tc": 8700, "las": 8701, "swv": 8702}


def _copy_text(name: str, ports: dict[int, int]) -> str:
    """The example's text with only its ports and the `oso-sim` command replaced."""
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    for example, port in ports.items():
        text = re.sub(rf"\b{example}\b", str(port), text)
    return re.sub(r"\boso-sim (?=(?:zorgvraag|swv|serve|pki|conformance)\b)", shlex.quote(str(OSO_SIM)) + " ", text)


def _copy(name: str, folder: Path, ports: dict[int, int]) -> tuple[Path, list[str]]:
    """The example copied into `folder`; returns the copy and the commands of its header."""
    text = _copy_text(name, ports)
    folder.mkdir(parents=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        command = line.lstrip("#").strip()
        if command.startswith(shlex.quote(str(OSO_SIM))):
            header.append(command)
    return path, header


def _commands(header: list[str]) -> dict[str, list[str]]:
    """The header's commands by their subcommand (`pki`, `serve`, `conformance`)."""
    found = {}
    for command in header:
        argv = shlex.split(command.rstrip("&").strip())
        found[argv[1]] = argv
    return found


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def _elsewhere(argv: list[str], folder: Path) -> list[str]:
    """The conformance command with the paths it names itself (--config, --report, --tls) taken
    from the example's folder, so it can start anywhere; the paths inside the configuration stay
    as written."""
    argv = list(argv)
    for name in ("--config", "--report", "--tls"):
        if name in argv:
            i = argv.index(name) + 1
            argv[i] = str(folder / argv[i])
    return argv


def _play(tmp_path: Path, name: str, role: str) -> sut_play.Run:
    ports = {EXAMPLE_PORTS[r]: sut_play.free_port() for r in ("tc", role)}
    folder = tmp_path / "voorbeeld"
    config, header = _copy(name, folder, ports)
    commands = _commands(header)
    assert set(commands) >= {"serve", "conformance"}, header
    assert _option(commands["conformance"], "--config") == name, "the header runs this very file"
    tls = "--tls" in commands["serve"]
    assert tls == ("pki" in commands), "a TLS recipe makes its PKI first, an HTTP one has none"
    if tls:
        subprocess.run(commands["pki"], cwd=folder, check=True, capture_output=True, timeout=120)
    serve = commands["serve"]
    port = _option(serve, "--port")
    scheme = "https" if tls else "http"
    proc = sut_play.start(serve, f"{scheme}://127.0.0.1:{port}", tmp_path / f"{role}.log", cwd=folder,
                          pki_dir=folder / _option(serve, "--tls") if tls else None)
    try:
        elsewhere = tmp_path / "elders"
        elsewhere.mkdir()
        argv = _elsewhere(commands["conformance"], folder)
        run = sut_play.run_conformance(argv, folder / _option(commands["conformance"], "--report"), elsewhere)
    finally:
        sut_play.stop(proc)
    assert config.read_text(encoding="utf-8") == _copy_text(name, ports)
    return run


def _mandatory(run: sut_play.Run, role: str) -> list[dict]:
    return [s for s in run.summary["scenarios"] if role in s["tags"] and "mandatory" in s["tags"]]


def _check_http(run: sut_play.Run, role: str) -> None:
    assert run.summary, run.stderr[-3000:]
    assert run.summary["verdict"] in ("onvolledig", "geslaagd"), (run.summary["verdict"], run.stderr[-3000:])
    assert run.code == {"onvolledig": 3, "geslaagd": 0}[run.summary["verdict"]]
    scenarios = _mandatory(run, role)
    other = {s["name"]: s["outcome"] for s in scenarios if "tls" not in s["tags"]}
    identity = {s["name"]: s["outcome"] for s in scenarios if "tls" in s["tags"]}
    assert other and set(other.values()) == {"geslaagd"}, other
    assert set(identity.values()) <= {"niet geverifieerd", "niet van toepassing"}, identity
    print(f"\n{role} over HTTP: {len(other)} verplichte scenario's geslaagd, {len(identity)} identiteit"
          f" niet getoetst; oordeel {run.summary['verdict']} in {run.seconds:.1f} s")


def _check_tls(run: sut_play.Run, role: str) -> None:
    assert run.code == 0, run.stderr[-3000:]
    assert run.summary["verdict"] == "geslaagd"
    scenarios = {s["name"]: s["outcome"] for s in _mandatory(run, role)}
    assert scenarios and set(scenarios.values()) == {"geslaagd"}, scenarios
    print(f"\n{role} over TLS: {len(scenarios)} verplichte scenario's geslaagd in {run.seconds:.1f} s")


def _identity(run: sut_play.Run, role: str) -> set[str]:
    return {s["outcome"] for s in _mandatory(run, role) if "tls" in s["tags"]}


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
@pytest.mark.parametrize("role", ["las", "swv"])
def test_the_example_judges_our_own_system(tmp_path, role, tls):
    run = _play(tmp_path, f"{role}-tls.toml" if tls else f"{role}.toml", role)
    (_check_tls if tls else _check_http)(run, role)
    if role == "las" and tls:
        assert _identity(run, "las") == {"geslaagd"}
    elif role == "las":
        assert _identity(run, "las"), "the LAS's identity scenarios are in the run, unchecked"
        vo = [s for s in run.summary["scenarios"] if "VO" in s["name"] and s["outcome"] == "geslaagd"]
        assert vo, "the VO school of [las.scholen] ran its scenarios in the same run"


def test_the_http_examples_carry_no_tls_recipe():
    """The certificate keys live in the -tls files, complete; no commented-out half recipe."""
    for name in ("las.toml", "swv.toml"):
        text = (EXAMPLES / name).read_text(encoding="utf-8")
        assert "ca_bundle" not in text and "client_cert" not in text and "https://" not in text
        assert name.replace(".toml", "-tls.toml") in text


# -- a trigger that crashes -------------------------------------------------------------------------

KAPOT = textwrap.dedent("""\
    import sys

    def wijzig(leerling):
        raise ConnectionError(f"de leerlingadministratie is onbereikbaar voor leerling {leerling}")

    wijzig(sys.argv[sys.argv.index("--leerling") + 1])
""")


def _with_trigger(config: Path, key: str, command: str) -> None:
    text = config.read_text(encoding="utf-8")
    text, n = re.subn(rf"^{key} = .*$", f"{key} = {sut_play._q(command)}", text, flags=re.M)
    assert n == 1
    config.write_text(text, encoding="utf-8")


def test_a_crashing_trigger_is_never_a_refusal_nor_a_pass(tmp_path):
    ports = {EXAMPLE_PORTS[r]: sut_play.free_port() for r in ("tc", "las")}
    folder = tmp_path / "ci"
    config, header = _copy("las.toml", folder, ports)
    (folder / "kapot.py").write_text(KAPOT, encoding="utf-8")
    serve = _commands(header)["serve"]
    proc = sut_play.start(serve, f"http://127.0.0.1:{_option(serve, '--port')}", tmp_path / "las.log", cwd=folder)
    try:
        elsewhere = tmp_path / "elders"
        elsewhere.mkdir()
        # a relative script, found in the configuration's folder, that crashes in the scenarios only
        _with_trigger(config, "trigger_wijzig_leerling",
                      f"{shlex.quote(sys.executable)} ./kapot.py --leerling {{leerling}} --achternaam {{achternaam}}")
        run = sut_play.run_conformance(
            [str(OSO_SIM), "conformance", "--config", str(config), "--report", str(tmp_path / "rapport"),
             "--tags", "@onveranderlijk and @las and @mandatory"], tmp_path / "rapport", elsewhere)
        assert run.code == 3, run.stderr[-3000:]
        assert run.summary["verdict"] == "onvolledig"
        outcomes = {s["name"]: (s["outcome"], s["reden"]) for s in run.summary["scenarios"]}
        assert "mislukt" not in {o for o, _ in outcomes.values()}, outcomes
        crashed = {n: r for n, (o, r) in outcomes.items() if o == "niet geverifieerd"}
        assert len(crashed) == 2, outcomes          # the two scenarios that change the achternaam
        for reason in crashed.values():
            assert "trigger_wijzig_leerling" in reason
            assert "de leerlingadministratie is onbereikbaar voor leerling 1" in reason
            assert "Traceback" not in reason and 'File "' not in reason
        assert {o for n, (o, _) in outcomes.items() if n not in crashed} == {"geslaagd"}, outcomes
        print(f"\nkapotte trigger_wijzig_leerling: oordeel onvolledig in {run.seconds:.1f} s")

        # the same crash in the send trigger stops the run in the pre-flight: fout, nothing counted
        _with_trigger(config, "trigger", f"{shlex.quote(sys.executable)} ./kapot.py --leerling {{leerling}}")
        run = sut_play.run_conformance(
            [str(OSO_SIM), "conformance", "--config", str(config), "--report", str(tmp_path / "rapport-2")],
            tmp_path / "rapport-2", elsewhere)
        assert run.code == 4, run.stderr[-3000:]
        assert run.summary["verdict"] == "fout" and not run.summary["scenarios"]
        reason = run.summary["voorcontrole"]["reden"]
        assert "de leerlingadministratie is onbereikbaar voor leerling 1" in reason, reason
        assert "Traceback" not in reason
    finally:
        sut_play.stop(proc)
