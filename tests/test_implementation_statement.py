"""The implementation statement: `[sut] ondersteunt` names the optional features a system claims;
the scenarios of a claimed feature (@kenmerk.<naam>) are mandatory for it, so a LAS that claims
extra bijlagen and drops them gets mislukt, not geslaagd. An unknown claim is refused up front."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.conformance import needs
from harness.conformance.config import ConfigError, parse_config

ROOT = Path(__file__).resolve().parent.parent


def test_a_claimed_optional_scenario_counts_as_mandatory():
    tags = {"las", "optional", "kenmerk.extra_bijlagen"}
    assert needs.with_claims(tags, ["extra_bijlagen"]) == {"las", "mandatory", "geclaimd", "kenmerk.extra_bijlagen"}
    assert needs.with_claims(tags, ["terugkoppeling_met_document"]) == tags
    assert needs.with_claims(tags, []) == tags


def test_the_feature_files_offer_the_claims_the_docs_name():
    scenarios = needs.read_scenarios()
    assert needs.known_claims(scenarios) == {"extra_bijlagen", "terugkoppeling_met_document"}
    claimed = [s for s in needs.read_scenarios(claims=["extra_bijlagen"]) if "geclaimd" in s.tags]
    assert [s.name for s in claimed] == ["Extra bijlagen komen aan in de bijlagedocumenten"]
    assert all(s.mandatory for s in claimed)
    assert "bekend zijn: extra_bijlagen, terugkoppeling_met_document" in needs.check_claims(["alles"], scenarios)


def test_the_statement_must_be_a_list_of_names():
    assert parse_config({"sut": {"ondersteunt": ["extra_bijlagen"]}}).claims == ("extra_bijlagen",)
    with pytest.raises(ConfigError, match="ondersteunt moet een lijst"):
        parse_config({"sut": {"ondersteunt": "extra_bijlagen"}})


def _run(tmp_path, config: str, *args) -> tuple[int, dict, str]:
    cfg = tmp_path / "sut.toml"
    cfg.write_text(config, encoding="utf-8")
    report = tmp_path / "rapport"
    done = subprocess.run([sys.executable, "-m", "harness.cli", "conformance", "--config", str(cfg),
                           "--report", str(report), *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600)
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    return done.returncode, summary, done.stdout + done.stderr


@pytest.mark.slow
def test_a_claimed_feature_is_judged_as_mandatory(tmp_path):
    code, summary, out = _run(tmp_path, '[sut]\nnaam = "zelftest"\nondersteunt = ["extra_bijlagen"]\n',
                              "--tags", "@OSS.ATT01")
    row = next(s for s in summary["scenarios"] if s["name"] == "Extra bijlagen komen aan in de bijlagedocumenten")
    assert row["level"] == "verplicht" and "geclaimd" in row["tags"] and row["outcome"] == "geslaagd", row
    assert summary["mandatory"]["geslaagd"] >= 1 and summary["optional"]["geslaagd"] == 0
    assert code == 0, out


def test_an_unknown_claim_is_refused_before_the_run(tmp_path):
    code, summary, out = _run(tmp_path, '[sut]\nondersteunt = ["teleportatie"]\n')
    assert code == 2 and summary["verdict"] == "fout"
    assert "onbekende kenmerken: teleportatie" in out
