"""The load summary: requests per second over the whole run, and the errors Locust counted."""
from __future__ import annotations

import pytest

from harness.load import report as rpt


def _step(name: str, count: int, locust_rps: float = 0.0) -> rpt.Step:
    return rpt.Step("POST", name, count, 0, 10, 20, 30, 40, locust_rps)


def test_per_second_is_requests_over_seconds():
    assert rpt.per_second(120, 60.0) == pytest.approx(2.0)
    assert rpt.per_second(0, 60.0) == 0.0


def test_per_second_is_never_zero_when_requests_were_made():
    assert rpt.per_second(1, 3600.0) > 0
    assert rpt.per_second(5, 0.0) > 0   # a run too short to time still made its requests


def test_a_short_run_gets_its_rate_over_the_whole_run_not_locusts_window(tmp_path):
    # Locust's Requests/s is 0 after a short run; the summary must not repeat that
    steps = [_step("notificatie", 30), _step("afmelding", 10)]
    outcome = rpt.over_whole_run(rpt.Outcome(steps, _step("Aggregated", 40), []), 8.0)
    assert [s.per_seconde for s in outcome.steps] == [pytest.approx(3.75), pytest.approx(1.25)]
    assert outcome.totaal.per_seconde == pytest.approx(5.0)
    assert outcome.verzoeken == 40 and outcome.per_seconde == pytest.approx(5.0)
    page = rpt.write_html(tmp_path / "s.html", outcome, titel="t", instellingen={}, locust_html=None)
    assert "5.0 per seconde over de hele run" in page.read_text(encoding="utf-8")


def test_without_an_aggregated_row_the_steps_are_summed():
    outcome = rpt.over_whole_run(rpt.Outcome([_step("a", 6), _step("b", 4)], None, []), 2.0)
    assert outcome.verzoeken == 10 and outcome.per_seconde == pytest.approx(5.0)


def test_failures_most_frequent_first_and_never_with_a_pupil_number(tmp_path):
    # the LAS's error text can quote what it was sent; 111222333 passes the 11-proef
    (tmp_path / "locust_failures.csv").write_text(
        "Method,Name,Error,Occurrences\n"
        "OSO,notificatie,StepFailed('HTTP 503: storing'),3\n"
        "OSO,notificatie,StepFailed('HTTP 400: bsn 111222333 in het dossier'),40\n", encoding="utf-8")
    lines = rpt.read_failures(tmp_path / "locust")
    assert lines[0].startswith("40x notificatie: ") and lines[1].startswith("3x notificatie: ")
    assert "111222333" not in lines[0] and "bsn" in lines[0]
