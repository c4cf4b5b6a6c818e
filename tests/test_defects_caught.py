"""The conformance suite can fail: our own LAS and SWV, played as a vendor's external system,
get geslaagd when correct, and every deliberate one-rule defect of the catalogue
(harness/conformance/defects.py) makes the scenarios meant to catch it fail, with verdict mislukt.
The same run writes the table in docs/conformance.md (scripts/defect_table.py)."""
from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

import pytest

from harness.conformance.defect_run import play_catalogue
from harness.conformance.defects import CATALOGUS
from oso_protocol.pgn_scan import mask, pgns_in

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    # the runs' folders live until the module ends: the tests below read their report files
    return play_catalogue(workers=2, workdir=tmp_path_factory.mktemp("defecten"))


@pytest.mark.parametrize("rol", ["las", "swv"])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_correct_system_as_external_sut_passes(played, rol, tls):
    """Over TLS a correct system is geslaagd; over plain HTTP every functional scenario passes
    but the identity ones cannot be checked, so the verdict is onvolledig: no certification."""
    r = next(p for p in played if p.defect is None and p.rol == rol and p.tls == tls)
    assert not r.failed and not r.niet_geverifieerd, (r.failed, r.niet_geverifieerd)
    assert r.verdict == ("geslaagd" if tls else "onvolledig"), r.verdict


def test_every_defect_has_a_scenario_meant_to_catch_it():
    assert all(d.scenarios for d in CATALOGUS), [d.sleutel for d in CATALOGUS if not d.scenarios]


@pytest.mark.parametrize("sleutel", [d.sleutel for d in CATALOGUS])
def test_defect_is_caught(played, sleutel):
    r = next(p for p in played if p.defect is not None and p.defect.sleutel == sleutel)
    assert r.verdict == "mislukt", f"{sleutel}: oordeel {r.verdict}, mislukt: {sorted(r.failed)}"
    missing = set(r.defect.scenarios) - r.failed
    assert not missing, f"{sleutel}: deze scenario's slaagden toch: {sorted(missing)}"
    # the rest passed: no other mandatory scenario failed, none could not be checked
    assert r.failed_mandatory == set(r.defect.scenarios), \
        f"{sleutel}: ook mislukt: {sorted(r.failed_mandatory - set(r.defect.scenarios))}"
    assert not r.niet_geverifieerd, f"{sleutel}: niet geverifieerd: {sorted(r.niet_geverifieerd)}"


# -- what a person reads of those runs ---------------------------------------------------------

UNREADABLE = [re.compile(p) for p in (r"0x[0-9a-f]{6,}", r"\b[A-Z]\w+\(\w+=", r"Traceback", r"<built-in",
                                      r"<function", r'File "')]
# the defects that put a pupil's number somewhere in what the LAS sends
LEAKING = ("leak_pgn", "leak_onderwijsnummer", "pgn_in_tekst", "pgn_in_bijlagenaam", "pgn_in_bijlage")
REPORT_FILES = ("report.html", "summary.json", "junit.xml", "results.json", "pytest.log")


def unreadable_reasons(summary: dict) -> list[str]:
    reasons = [("oordeel", summary.get("verdict_reden") or "")]
    reasons += [(s.get("name", ""), s.get("reden") or "") for s in summary.get("scenarios", [])]
    return [f"{name}: {reason[:200]}" for name, reason in reasons if any(p.search(reason) for p in UNREADABLE)]


def test_every_reason_is_a_sentence(played):
    bad = {f"{p.rol} {p.defect.naam if p.defect else 'correct'}{' tls' if p.tls else ''}": unreadable_reasons(p.summary)
           for p in played}
    assert all(p.summary.get("scenarios") for p in played), "een run zonder scenario's"
    assert not {k: v for k, v in bad.items() if v}


def pupil_numbers(run_dir: Path) -> frozenset[str]:
    """The pupils' numbers the run was configured with, as a vendor writes them in [las.leerlingen]."""
    return pgns_in(tomllib.loads((run_dir / "sut.toml").read_text(encoding="utf-8")))


def leaked_numbers_in_reports(report: Path) -> dict[str, list[str]]:
    """Per report file, the pupils' numbers it shows in clear."""
    numbers = pupil_numbers(report.parent)
    texts = {name: (report / name).read_text(encoding="utf-8") for name in REPORT_FILES}
    return {name: sorted(n for n in numbers if n in text) for name, text in texts.items()}


@pytest.mark.parametrize("naam", LEAKING)
def test_no_pupil_number_in_any_report(played, naam):
    r = next(p for p in played if p.defect is not None and p.defect.naam == naam)
    assert r.verdict == "mislukt" and r.report is not None
    numbers = pupil_numbers(r.report.parent)
    assert numbers, "de run kende geen nummer van een leerling"
    assert not {k: v for k, v in leaked_numbers_in_reports(r.report).items() if v}
    assert not [n for n in numbers if n in r.progress], "voortgangsregels"
    # what was found is still named: masked, with the SHA-256 of the original as proof
    summary = (r.report / "summary.json").read_text(encoding="utf-8")
    assert any(mask(n) in summary and hashlib.sha256(n.encode()).hexdigest()[:16] in summary for n in numbers)
    for name in ("report.html", "junit.xml", "pytest.log"):
        assert any(mask(n) in (r.report / name).read_text(encoding="utf-8") for n in numbers), name
    assert any(mask(n) in r.progress for n in numbers), "voortgangsregels"


def test_the_pdf_shows_masked_numbers_and_no_trace(played, tmp_path):
    pytest.importorskip("weasyprint")
    from pypdf import PdfReader

    from harness.evidence.report_pdf import write_pdf

    r = next(p for p in played if p.defect is not None and p.defect.naam == "pgn_in_bijlagenaam")
    pdf = write_pdf(r.report / "report.html", tmp_path / "rapport.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    numbers = pupil_numbers(r.report.parent)
    assert not [n for n in numbers if n in text]
    assert any(mask(n) in text for n in numbers)
    assert not [p.pattern for p in UNREADABLE if p.search(text)]
