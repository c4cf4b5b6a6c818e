"""Every reason a person reads is a sentence about the system under test, not Python: pytest's
assertion introspection, tracebacks, object addresses and reprs stay in the technical trace."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from harness.conformance.outcomes import MISLUKT, NIET_GEVERIFIEERD, readable_reason
from harness.conformance.run_plugin import classify
from harness.evidence.report import write_reports

UNREADABLE = [re.compile(p) for p in (r"0x[0-9a-f]{6,}", r"\b[A-Z]\w+\(\w+=", r"Traceback", r"<built-in",
                                      r"<function", r'File "')]


def unreadable(text: str) -> list[str]:
    return [p.pattern for p in UNREADABLE if p.search(text or "")]


@dataclass
class Leerling:
    soort: str
    pgn: tuple = ()


def _raised(check) -> BaseException:
    with pytest.raises(BaseException) as info:
        check()
    return info.value


def _fails_with_message():
    leerling = Leerling("met een BSN", ("111222333",))
    assert "abc".encode() in bytes(leerling.soort, "utf-8") and not leerling.pgn, \
        "het dossier bevat de toelichting niet"


def _fails_without_message():
    leerling = Leerling("met een BSN", ("111222333",))
    assert not leerling.pgn


def test_rewritten_assertion_gives_only_the_steps_message():
    exc = _raised(_fails_with_message)
    assert "where" in str(exc) and "<built-in method encode" in str(exc)  # what pytest adds
    assert classify(exc) == (MISLUKT, "het dossier bevat de toelichting niet")


def test_rewritten_assertion_without_message_is_a_dutch_sentence():
    outcome, reason = classify(_raised(_fails_without_message))
    assert outcome == MISLUKT and reason.startswith("een controle faalde zonder toelichting")
    assert not unreadable(reason) and "111222333" not in reason


def test_unexpected_exception_names_its_class_at_the_end():
    assert classify(KeyError("sleutel")) == (NIET_GEVERIFIEERD,
                                              "fout in de harnas of de verbinding: 'sleutel' (KeyError)")


def test_traceback_in_a_message_shrinks_to_the_error():
    text = ("de trigger stopte met code 1: Traceback (most recent call last):\n"
            '  File "/opt/leverancier/send.py", line 3, in <module>\n    main()\n'
            "RuntimeError: geen verbinding met de database")
    outcome, reason = classify(RuntimeError(text))
    assert outcome == NIET_GEVERIFIEERD
    assert reason == ("fout in de harnas of de verbinding: de trigger stopte met code 1:"
                      " RuntimeError: geen verbinding met de database (RuntimeError)")
    assert not unreadable(reason)


@pytest.mark.parametrize("text, expected", [
    ("zorgvraag niet verzonden: Sent(sent=False, fout='a)b', zorgvraag={}) volgens de LAS",
     "zorgvraag niet verzonden: \u2026 volgens de LAS"),
    ("geen dossier voor Ctx(pupil=Pupil(kind='po', pgn=('111222333',)), dossier=None)",
     "geen dossier voor \u2026"),
    ("callback <function stap at 0x7f3a2b1c9d80> faalde", "callback \u2026 faalde"),
    ("object op 0x7f3a2b1c9d80 weg", "object op weg"),
    ("PaO.LL12: dossier bevat bsn", "PaO.LL12: dossier bevat bsn"),
])
def test_sanitizer(text, expected):
    assert readable_reason(text) == expected
    assert not unreadable(readable_reason(text))


def test_reports_keep_the_trace_only_under_technische_details(tmp_path):
    trace = ('Traceback (most recent call last):\n  File "features/steps/las_steps.py", line 3\n'
             "AssertionError: de LAS verzond niet\nassert False\n +  where False = Sent(sent=False).sent")
    scenario = {"nodeid": "f::s", "name": "Zonder toelichting", "feature": "Toelichting", "tags": ["las"],
                "outcome": MISLUKT, "reden": "de LAS verzond niet\nassert False\n +  where False ="
                " Sent(sent=False, fout=None).sent", "trace": trace,
                "steps": [{"keyword": "Dan", "name": "is de zorgvraag verzonden", "status": MISLUKT,
                           "error": "de LAS verzond niet <built-in method encode of str object at 0x7feacbafdd20>"}]}
    summary = write_reports(tmp_path, [scenario])
    assert summary["scenarios"][0]["reden"] == "de LAS verzond niet"
    stored = json.loads((tmp_path / "summary.json").read_text())
    assert [unreadable(s["reden"]) for s in stored["scenarios"]] == [[]]
    assert not unreadable((tmp_path / "junit.xml").read_text())
    html = (tmp_path / "report.html").read_text()
    folded = re.search(r'<details class="techniek">.*?</details>', html, re.DOTALL).group(0)
    assert "Traceback" in folded and "Sent(sent=False)" in folded
    assert not unreadable(html.replace(folded, ""))
