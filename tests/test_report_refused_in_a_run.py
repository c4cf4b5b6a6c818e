"""A vendor's refused call in a real conformance run shows its diagnosis in the report: our SWV
with the defect overdracht_met_zoeksleutel asks the TC for a session with a zoeksleutel, the
simulated TC refuses it, and report.html explains the message field by field."""
from __future__ import annotations

from harness.conformance.sut_play import play


def test_the_report_diagnoses_the_overdracht_the_tc_refused(tmp_path):
    run = play("swv", tmp_path, ["overdracht_met_zoeksleutel"],
               tags="@swv and @mandatory and not @tls and not @kenmerk.terugkoppeling_met_document")
    assert run.summary.get("verdict") == "mislukt", run.stderr[-2000:]
    html = (tmp_path / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "Diagnose van het geweigerde bericht" in html
    # the finding names the rule and what the SWV flow expects instead of the zoeksleutel
    assert "OSS.FLOW02" in html and "zoeksleutel" in html
