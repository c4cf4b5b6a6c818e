"""report.html shows the diagnosis of a message the harness refused, and a mislukt step links to it."""
from __future__ import annotations

from pathlib import Path

from harness.evidence.report import refused_rows, render_html, summarize, write_reports

CORPUS = Path(__file__).parent / "fixtures" / "diagnose"
OLD = (CORPUS / "vocab2018_notificatie.xml").read_text(encoding="utf-8")
FAULT = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
         "<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>OngeldigBericht: x"
         "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>")


def _scenario(rows):
    return {"nodeid": "features/x.feature::Notificatie", "name": "Notificatie van een oud LAS",
            "feature": "Notificatie", "tags": ["swv"], "outcome": "mislukt",
            "reden": "De SWV weigerde de notificatie: OngeldigBericht",
            "steps": [{"keyword": "Gegeven", "name": "een LAS", "status": "passed"},
                      {"keyword": "Als", "name": "het LAS een notificatie stuurt", "status": "failed",
                       "error": "verwacht ok, kreeg OngeldigBericht"}],
            "messages": rows}


def test_a_refused_message_gets_its_diagnosis_and_the_failed_step_links_to_it(tmp_path):
    rows = [
        # refused at the endpoint: logged with the result code as its outcome
        {"actor": "swv", "side": "server", "direction": "in", "operation": "notificatie",
         "ts": "2026-01-01T10:00:00+00:00", "outcome": "OngeldigBericht",
         "xml": OLD.replace("</oso:notificatieRequest>", "<!-- 123456782 --></oso:notificatieRequest>")},
        {"actor": "swv", "side": "server", "direction": "out", "operation": "notificatie",
         "element": "Fault", "ts": "2026-01-01T10:00:00+00:00", "outcome": "OngeldigBericht", "xml": FAULT},
    ]
    assert refused_rows(rows) == {0: "OngeldigBericht"}
    s = _scenario(rows)
    html = render_html(summarize([s]), [s], {s["nodeid"]: rows})
    assert 'class="diag"' in html and "Diagnose van het geweigerde bericht (OngeldigBericht)" in html
    assert "OSO-versie 20180404 gevonden, 20200910 verwacht" in html
    assert "OSS.VER02" in html and "verwacht: <code>bronRouteringsKenmerk</code>" in html
    assert "gevonden: <code>bronAanleverpuntIndex</code>" in html
    anchor = html.split('<tr class="diag" id="', 1)[1].split('"', 1)[0]
    step = html[html.index("het LAS een notificatie stuurt"):]
    assert f'href="#{anchor}"' in step[:step.index("</li>")]
    # the report as written masks pupil numbers (the diagnosis does not quote the comment, the
    # message row does)
    write_reports(tmp_path, [s])
    assert "123456782" not in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_business_refusal_is_found_through_the_fault_that_answered_it():
    ok = (CORPUS / "brin_lowercase.xml").read_text(encoding="utf-8")
    rows = [
        {"actor": "harnas-las", "side": "server", "direction": "in", "operation": "meldenNotificatie",
         "outcome": "ontvangen", "xml": ok, "ts": ""},
        {"actor": "harnas-las", "side": "server", "direction": "out", "operation": "meldenNotificatie",
         "element": "Fault", "outcome": "OnbekendAanleverpunt", "xml": FAULT, "ts": ""},
        # a Fault the system under test answered is its refusal, not one of ours
        {"actor": "swv", "side": "client", "direction": "in", "operation": "document",
         "element": "Fault", "outcome": "SessieVerlopen", "xml": FAULT, "ts": ""},
    ]
    assert refused_rows(rows) == {0: "OnbekendAanleverpunt"}
    s = _scenario(rows)
    html = render_html(summarize([s]), [s], {s["nodeid"]: rows})
    assert "OSS.VAL01" in html and html.count('class="diag"') == 1


def test_no_diagnosis_without_a_refusal():
    s = dict(_scenario([]), outcome="passed")
    rows = [{"actor": "swv", "side": "server", "direction": "in", "operation": "notificatie",
             "outcome": "ontvangen", "xml": OLD, "ts": ""},
            {"actor": "swv", "side": "server", "direction": "out", "operation": "notificatie",
             "element": "notificatieResponse", "outcome": "ok", "xml": "<x/>", "ts": ""}]
    html = render_html(summarize([s]), [s], {s["nodeid"]: rows})
    assert 'class="diag"' not in html
