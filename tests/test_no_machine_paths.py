"""No absolute path of one machine in the project: code, tests, docs and configuration find
their files relative to the package (harness.runtime.resources), the project root or an environment
variable ($OSO_REFERENCE_DIR), so a clone or an installed wheel works anywhere."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# home folders, build machines and scratch space; a path that starts one of these in a tracked
# file was written on, and for, one machine
MACHINE_PATH = re.compile(r"(?<![\w.~-])(?:/(?:work|home|root|tmp|Users|mnt)/[\w.-]|[A-Za-z]:\\Users\\)")

# (file, text on the line): why that line may stay
ALLOWED: dict[tuple[str, str], str] = {
    ("tests/test_no_machine_paths.py", "MACHINE_PATH = re.compile("): "the pattern this test looks for",
}


def _tracked() -> list[str]:
    try:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("geen git-checkout: de lijst van bestanden van het project is niet te bepalen")
    return [p for p in done.stdout.decode().split("\0") if p and (ROOT / p).is_file()]


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None  # images and other binary files
    return data.decode("utf-8", errors="replace")


def _allowed(path: str, line: str) -> bool:
    return any(path == p and text in line for p, text in ALLOWED)


def test_no_tracked_file_names_an_absolute_machine_path():
    found = []
    for path in _tracked():
        text = _text(ROOT / path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line) and not _allowed(path, line):
                found.append(f"{path}:{number}: {line.strip()[:160]}")
    assert found == [], "absolute machine paths:\n" + "\n".join(found)


# written in pieces, so this file does not trip its own test
@pytest.mark.parametrize("line", ['ROOT = Path("/' 'home/jan/oso-sim")', 'cmd = ["--report", "/' 'tmp/rapport"]',
                                  "see /" "work/main/README.md", '"C:' r'\Users\jan\las.toml"'])
def test_the_pattern_catches_machine_paths(line):
    assert MACHINE_PATH.search(line)


@pytest.mark.parametrize("line", ["https://example.org/" "home/index", "../shared/reference", "tmp_path / 'x'",
                                  "~/" "tmp/x", "./" "work/dir"])
def test_the_pattern_leaves_other_paths_alone(line):
    assert not MACHINE_PATH.search(line)
