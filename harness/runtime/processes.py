"""Actors as separate OS processes (`python -m harness.cli serve ...`).

Used where one process is not enough: tests that kill an actor with SIGKILL, a system under test
that must look external to the harness, and throughput runs that need both cores (three actors in
one process share one interpreter lock).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    # the port is free when asked; the actor binds it moments later (fine on a test machine)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ActorProcess:
    def __init__(self, role: str, port: int, db: Path, *extra: str):
        self.role, self.port, self.db, self.extra = role, port, db, extra
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> "ActorProcess":
        cmd = [sys.executable, "-m", "harness.cli", "serve", self.role, "--port", str(self.port),
               "--db", str(self.db), *self.extra]
        # stderr goes to a file beside the database: a pipe nobody reads would fill up and
        # block the actor mid-exchange
        self.log_path = Path(str(self.db) + ".log")
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.role} stopte meteen: {self.log_tail()}")
            try:
                if requests.get(self.url + "/api/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"{self.role} kwam niet op op {self.url}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flush beyond what SQLite already committed."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "_log", None):
            self._log.close()

    def log_tail(self, n: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-n:]
        except OSError:
            return ""


def start_three(workdir: Path, *, swv_args: tuple[str, ...] = (), las_args: tuple[str, ...] = (),
                tc_args: tuple[str, ...] = ()) -> dict[str, ActorProcess]:
    """TC, LAS and SWV as three processes on free ports, wired to each other."""
    workdir = Path(workdir)
    ports = {r: free_port() for r in ("tc", "las", "swv")}
    urls = {r: f"http://127.0.0.1:{p}" for r, p in ports.items()}
    procs = {
        "tc": ActorProcess("tc", ports["tc"], workdir / "tc.sqlite",
                           "--las-url", urls["las"], "--swv-url", urls["swv"], *tc_args),
        "las": ActorProcess("las", ports["las"], workdir / "las.sqlite", "--tc-url", urls["tc"],
                            *las_args),
        "swv": ActorProcess("swv", ports["swv"], workdir / "swv.sqlite", "--tc-url", urls["tc"],
                            *swv_args),
    }
    started = []
    try:
        for p in procs.values():
            started.append(p.start())
    except Exception:
        for p in started:
            p.stop()
        raise
    return procs
