"""No pupil's number in any report: a BSN or onderwijsnummer is shown as 1112•••33 with the
SHA-256 of the original as proof, in reasons, traces, the SOAP messages shown in report.html,
summary.json, junit.xml, results.json, the progress lines and pytest's own output."""
from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.conformance import run_plugin as conformance_plugin
from oso_protocol.pgn_scan import Hit, known_numbers, mask, mask_text, mask_tree, onderwijsnummer_check, pgns_in
from harness.evidence.report import write_reports

BSN = "111222333"              # passes the 11-proef
ONDERWIJSNUMMER = "101010108"  # passes the onderwijsnummer check
EIGEN = "123456789"            # passes neither: masked only where the run knows it
DOT = "\u2022"


def test_mask_keeps_four_and_two_digits():
    assert mask(BSN) == f"1112{DOT * 3}33"
    assert mask("1112.22.333") == f"1112{DOT * 3}33"


def test_known_numbers_are_masked_wherever_they_stand():
    text = f"bijlage Toelichting {EIGEN}.pdf, zip {EIGEN[:4]}.{EIGEN[4:6]}.{EIGEN[6:]}; los {EIGEN}"
    assert mask_text(text, [EIGEN]) == (f"bijlage Toelichting 1234{DOT * 3}89.pdf, zip 1234{DOT * 3}89;"
                                        f" los 1234{DOT * 3}89")
    assert mask_text(text) == text  # not a PGN by its digits, and not known


def test_standalone_numbers_that_pass_a_check_are_masked():
    assert onderwijsnummer_check(ONDERWIJSNUMMER)
    assert mask_text(f"BSN {BSN}, onderwijsnummer {ONDERWIJSNUMMER}.") == \
        f"BSN 1112{DOT * 3}33, onderwijsnummer 1010{DOT * 3}08."


@pytest.mark.parametrize("text", [
    "koppelsleutel 3F2504E0-4F89-11D3-9A0C-0305E82C3301",
    "OIN 00000001111222333000",                 # 20 digits, a known number inside
    "routeringskenmerk 0000000700012AB00950",
    "om 2026-12-06T02:50:55.111222+00:00",
    "epoch 1111222333.5",                       # 10 digits
])
def test_other_numbers_stay(text):
    assert mask_text(text, [BSN]) == text


def test_a_number_touching_letters_is_masked_only_when_known():
    assert mask_text("id x111222333y") == "id x111222333y"   # hex, an id: not a PGN by itself
    assert mask_text("id x111222333y", [BSN]) == f"id x1112{DOT * 3}33y"


def test_mask_tree_and_the_numbers_a_configuration_names():
    config = {"las": {"leerlingen": {"po": "1", "met_bsn": {"ref": "2", "bsn": EIGEN},
                                     "met_onderwijsnummer": {"ref": "3", "onderwijsnummer": ONDERWIJSNUMMER}}}}
    assert pgns_in(config) == {EIGEN, ONDERWIJSNUMMER}
    assert mask_tree({"a": [f"nr {EIGEN}", 3, None], EIGEN: True}, pgns_in(config)) == \
        {"a": [f"nr 1234{DOT * 3}89", 3, None], f"1234{DOT * 3}89": True}
    assert known_numbers(["12345678", "1", None, EIGEN]) == {"012345678", EIGEN}


def test_a_finding_shows_the_masked_number_and_its_sha256():
    hit = Hit(0, "LAS", "document", "bestandsnaam", f"bijlage Toelichting 1112{DOT * 3}33.pdf", 0,
              mask(BSN), "bekend nummer", hashlib.sha256(BSN.encode()).hexdigest())
    text = hit.describe()
    assert f"1112{DOT * 3}33" in text and hashlib.sha256(BSN.encode()).hexdigest()[:16] in text
    assert BSN not in text and BSN not in repr(hit)


def test_every_report_file_is_masked(tmp_path):
    run = {"configuratie": {"las": {"leerlingen": {"met_bsn": {"ref": "2", "bsn": EIGEN}}}}}
    messages = [{"ts": "2026-12-06T10:00:00+00:00", "actor": "LAS", "side": "server", "direction": "out",
                 "operation": "document", "xml": f"<bestandsnaam>Toelichting {EIGEN}.pdf</bestandsnaam>"}]
    scenario = {"nodeid": "f::s", "name": "Geen PGN", "feature": "PGN", "tags": ["las"], "outcome": "mislukt",
                "reden": f"PaO.LL12: bekend nummer in bijlage Toelichting {EIGEN}.pdf",
                "trace": f"pupil = Pupil(kind='met_bsn', pgn=('{EIGEN}',))", "messages": messages,
                "steps": [{"keyword": "Dan", "name": "geen PGN", "status": "mislukt", "error": f"nummer {EIGEN}"}]}
    summary = write_reports(tmp_path, [scenario], {"naam": "LAS"}, run=run)
    assert summary["scenarios"][0]["reden"] == f"PaO.LL12: bekend nummer in bijlage Toelichting 1234{DOT * 3}89.pdf"
    for name in ("summary.json", "report.html", "junit.xml"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert EIGEN not in text, name
        assert f"1234{DOT * 3}89" in text, name


def test_pytest_output_is_masked_whole_lines_at_a_time(monkeypatch):
    monkeypatch.setattr(conformance_plugin, "_configured", frozenset())
    monkeypatch.setattr(conformance_plugin, "_learned", {EIGEN})
    out = io.StringIO()
    masking = conformance_plugin._MaskingFile(out)
    masking.write(f"pgn=('{EIGEN[:5]}")
    masking.write(f"{EIGEN[5:]}',)\nnog ")
    masking.flush()
    assert out.getvalue() == f"pgn=('1234{DOT * 3}89',)\nnog "


def test_the_plugin_masks_results_progress_and_pytest_output(tmp_path):
    """A real pytest run with the plugin: a failing check holding a configured pupil's number
    in its assertion, its introspection and its trace."""
    config = tmp_path / "las.toml"
    config.write_text(f'[las]\nmode = "external"\nbase_url = "http://127.0.0.1:9"\nbrin = "12AB"\n'
                      f'routeringskenmerk = "0000000700012AB00950"\n'
                      f'[las.leerlingen]\nmet_bsn = {{ ref = "7", bsn = "{EIGEN}" }}\n[tc]\nport = 9\n', encoding="utf-8")
    (tmp_path / "test_leerling.py").write_text(
        "def test_geen_pgn():\n"
        f"    pgn = ('{EIGEN}',)\n"
        f"    assert not pgn, 'PaO.LL12: bekend nummer in bijlage Toelichting {EIGEN}.pdf'\n", encoding="utf-8")
    report = tmp_path / "rapport"
    env = {**os.environ, "OSO_CONFORMANCE_REPORT": str(report), "OSO_CONFORMANCE_CONFIG": str(config)}
    env.pop("PYTEST_ADDOPTS", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "harness.conformance.run_plugin", "-c", os.devnull,
                           "--rootdir", str(tmp_path), "-p", "no:cacheprovider", str(tmp_path / "test_leerling.py")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout[-2000:]
    results = (report / "results.json").read_text(encoding="utf-8")
    row = json.loads(results)["scenarios"][0]
    assert row["reden"] == f"PaO.LL12: bekend nummer in bijlage Toelichting 1234{DOT * 3}89.pdf"
    assert "assert not" in row["trace"]            # the trace is kept, masked
    for what, text in (("results.json", results), ("pytest", done.stdout), ("voortgang", done.stderr)):
        assert EIGEN not in text, what
        assert f"1234{DOT * 3}89" in text, what


def test_the_bundle_keeps_raw_messages_and_masked_reports(tmp_path):
    import zipfile

    from harness.evidence.bundle import write_bundle

    report = tmp_path / "rapport"
    (report / "berichten").mkdir(parents=True)
    raw = f"<Envelope><Body><documentResponse><toelichting>leerling {EIGEN}</toelichting></documentResponse></Body></Envelope>"
    (report / "berichten" / "s.json").write_text(json.dumps([{"actor": "LAS", "operation": "document", "xml": raw}]),
                                                 encoding="utf-8")
    row = {"nodeid": "f::s", "name": "Geen PGN", "feature": "PGN", "tags": ["las"], "outcome": "mislukt",
           "reden": f"bekend nummer in toelichting {EIGEN}", "messages_file": "berichten/s.json"}
    (report / "results.json").write_text(json.dumps({"scenarios": [row]}), encoding="utf-8")
    run = {"configuratie": {"las": {"leerlingen": {"met_bsn": {"ref": "2", "bsn": EIGEN}}}}}
    summary = write_reports(report, [row], {"naam": "LAS"}, run=run)
    write_bundle(report, tmp_path / "bewijs.zip", summary)
    with zipfile.ZipFile(tmp_path / "bewijs.zip") as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    messages = [data for name, data in members.items() if "/berichten/" in name and name.endswith(".xml")]
    assert messages == [raw.encode("utf-8")]                       # evidence, byte for byte
    for name in ("rapport/summary.json", "rapport/report.html", "rapport/junit.xml", "configuratie.json"):
        assert EIGEN.encode() not in members[name], name
    assert f"1234{DOT * 3}89".encode() in members["rapport/report.html"]
