"""A running `oso-sim demo` is found by `oso-sim zorgvraag` and `oso-sim swv` without --las or
--swv, through a state file only its user can read; with --voorbeeld --step the example
zorgvraag waits at the SWV for the trainer; with no demo the commands say so in Dutch."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "harness.cli"]
pytestmark = pytest.mark.slow


def _env(state: Path) -> dict:
    env = dict(os.environ, OSO_SIM_DEMO_STATE=str(state))
    env.pop("OSO_SIM_LAS", None)
    env.pop("OSO_SIM_SWV", None)
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_zorgvraag_and_swv_find_the_running_demo(tmp_path):
    state = tmp_path / "run" / "demo.json"
    env = _env(state)
    demo = subprocess.Popen([*CLI, "demo", "--port", "0", "--workdir", str(tmp_path / "w"),
                             "--step", "--voorbeeld", "--seconds", "300"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not state.exists() and demo.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert state.exists(), demo.stderr.read() if demo.poll() is not None else "geen state"
        assert stat.S_IMODE(state.stat().st_mode) == 0o600
        data = json.loads(state.read_text())
        assert data["token"] and data["urls"]["las"].startswith("http://127.0.0.1:")

        # wait for the example zorgvraag, then read it through the demo-found LAS
        line = ""
        while "Voorbeeld" not in line and time.monotonic() < deadline:
            line = demo.stdout.readline()
        assert "Voorbeeldzorgvraag verstuurd" in line, line
        koppelsleutel = line.split("koppelsleutel ")[1].split(")")[0]
        shown = _run(["zorgvraag", "toon", "--koppelsleutel", koppelsleutel], env)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["koppelsleutel"].upper() == koppelsleutel.upper()

        # step mode: the SWV has not fetched, so a terugkoppeling is refused by the SWV itself
        tk = _run(["swv", "terugkoppeling", "--koppelsleutel", koppelsleutel,
                   "--status", "Ontvangen"], env)
        assert tk.returncode == 1, tk.stdout + tk.stderr
        assert "niet verzonden" in tk.stderr
    finally:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(30)
        except subprocess.TimeoutExpired:
            demo.kill()
            _, err = demo.communicate(timeout=10)
            raise AssertionError(f"de demo stopte niet binnen 30 s na Ctrl-C:\n{err[-3000:]}") from None
    assert demo.returncode == 0
    assert not state.exists()


def test_without_a_demo_the_commands_say_so(tmp_path):
    env = _env(tmp_path / "demo.json")
    for args, optie in ((["zorgvraag", "list"], "--las"),
                        (["swv", "terugkoppeling", "--koppelsleutel", "K", "--status", "Ontvangen"],
                         "--swv")):
        done = _run(args, env)
        assert done.returncode == 2
        assert "er draait geen 'oso-sim demo'" in done.stderr and optie in done.stderr


def test_a_state_file_left_by_a_killed_demo_is_ignored(tmp_path):
    state = tmp_path / "demo.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    state.write_text(json.dumps({"pid": int(dead), "urls": {"las": "http://127.0.0.1:9"},
                                 "token": "x"}))
    done = _run(["zorgvraag", "list"], _env(state))
    assert done.returncode == 2 and "er draait geen 'oso-sim demo'" in done.stderr
