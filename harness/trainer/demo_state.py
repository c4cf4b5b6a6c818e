"""Where a running `oso-sim demo` can be found: a small JSON file with its URLs and API token,
written at start and removed at stop, so `oso-sim zorgvraag` and `oso-sim swv` need no --las or
--swv. Mode 0600: it holds the token."""
from __future__ import annotations

import json
import os
from pathlib import Path

NAME = "demo.json"


def path() -> Path:
    """$OSO_SIM_DEMO_STATE, else $XDG_RUNTIME_DIR/oso-sim/, else ~/.cache/oso-sim/."""
    if os.environ.get("OSO_SIM_DEMO_STATE"):
        return Path(os.environ["OSO_SIM_DEMO_STATE"])
    base = os.environ.get("XDG_RUNTIME_DIR") or str(Path.home() / ".cache")
    return Path(base) / "oso-sim" / NAME


def write(urls: dict[str, str], token: str, pki_dir=None) -> Path | None:
    """The file, or None when it cannot be written (the demo runs on without it)."""
    target = path()
    data = {"pid": os.getpid(), "urls": dict(urls), "token": token,
            "pki": str(pki_dir) if pki_dir else None}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + f".{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(tmp, target)
    except OSError:
        return None
    return target


def remove(target: Path) -> None:
    """Only our own file: a second demo started later may have replaced it."""
    try:
        if json.loads(target.read_text(encoding="utf-8")).get("pid") == os.getpid():
            target.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    return True


def read() -> dict | None:
    """The running demo's state, or None when no demo runs (a file left by a demo that was
    killed is ignored)."""
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("urls"), dict) \
            or not _alive(data.get("pid")):
        return None
    return data


GEEN_DEMO = ("er draait geen 'oso-sim demo' (start die eerst, of geef het adres op met {optie})")
