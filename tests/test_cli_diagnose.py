"""`oso-sim diagnose`: the offline diagnosis of a captured message or dossier on the command line,
with the exit codes of the contract (0 correct, 1 not, 2 unreadable)."""
from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

CORPUS = Path(__file__).parent / "fixtures" / "diagnose"
ENTRIES = tomllib.loads((CORPUS / "corpus.toml").read_text(encoding="utf-8"))["entry"]


def oso_sim(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harness.cli", "diagnose", *args], input=stdin,
                          capture_output=True, timeout=60)


def test_a_wrong_message_exits_1_and_names_its_rules_in_dutch():
    entry = next(e for e in ENTRIES if "OSS.VER02" in e["rules"])
    done = oso_sim(str(CORPUS / entry["file"]))
    out = done.stdout.decode()
    assert done.returncode == 1, out
    assert "OSS.VER02" in out and "niet correct" in out


def test_a_correct_message_exits_0():
    entry = next(e for e in ENTRIES if not e["rules"])
    done = oso_sim(str(CORPUS / entry["file"]))
    assert done.returncode == 0, done.stdout.decode()


def test_json_lists_every_file_with_its_rules():
    wrong = [e for e in ENTRIES if e["rules"]][:3]
    done = oso_sim("--format", "json", *(str(CORPUS / e["file"]) for e in wrong))
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert [Path(d["bestand"]).name for d in data] == [e["file"] for e in wrong]
    for d, e in zip(data, wrong):
        assert {f["rule"] for f in d["findings"] if f["severity"] != "info"} >= set(e["rules"])


def test_standard_input_and_an_unreadable_file():
    entry = next(e for e in ENTRIES if e["rules"])
    assert oso_sim("-", stdin=(CORPUS / entry["file"]).read_bytes()).returncode == 1
    done = oso_sim(str(CORPUS / "bestaat-niet.xml"))
    assert done.returncode == 2 and "niet te lezen" in done.stderr.decode()
