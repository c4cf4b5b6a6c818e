"""oso_mock.timeline without servers: message log rows in, sequence diagram (SVG text) out."""
import re
from xml.etree import ElementTree

from oso_mock import timeline

K = "DFD4E89B-BAF6-41E6-BB90-0EBD1DDAB850"
SVG_NS = "{http://www.w3.org/2000/svg}"


def row(id, ts, direction, operation, element, peer, outcome="ontvangen", side="server",
        http_status=None, xml="<x/>"):
    return {"id": id, "ts": f"2024-03-01T10:15:{ts}+00:00", "direction": direction, "side": side,
            "operation": operation, "element": element, "peer": peer, "koppelsleutel": K,
            "outcome": outcome, "http_status": http_status, "duration_ms": 1.5, "xml": xml}


def exchange_logs():
    """One complete exchange as the three actors log it (server rows plus some client rows)."""
    return {
        "TC": [
            row(11, "30.100", "in", "meldenNotificatie", "meldenNotificatieRequest", "las"),
            row(12, "30.101", "out", "meldenNotificatie", "meldenNotificatieResponse", "las", "ok", http_status=200),
            row(13, "30.200", "in", "overdracht", "overdrachtRequest", "swv-sim"),
            row(14, "30.201", "out", "overdracht", "overdrachtResponse", "swv-sim", "ok", http_status=200),
            row(15, "30.310", "in", "sessiecontrole", "sessiecontroleRequest", "las"),
            row(16, "30.311", "out", "sessiecontrole", "sessiecontroleResponse", "las", "SessieValide", http_status=200),
        ],
        "LAS": [
            row(5, "30.102", "out", "notificatie", "notificatieRequest", "http://swv/oso", "verzonden", side="client"),
            row(7, "30.300", "in", "document", "documentRequest", "swv-sim"),
            row(8, "30.320", "out", "document", "documentResponse", "swv-sim", "DossierGeleverd", http_status=200),
        ],
        "SWV": [
            row(1, "30.103", "in", "notificatie", "notificatieRequest", "las"),
            row(2, "30.104", "out", "notificatie", "notificatieResponse", "las", "NotificatieOntvangen", http_status=200),
        ],
    }


def arrows(svg: str) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(svg)
    return [a for a in root.iter(SVG_NS + "a")]


def test_merge_keeps_server_rows_in_time_order_with_callers_and_callees():
    msgs = timeline.merge(exchange_logs())
    assert [(m.source, m.target, m.element) for m in msgs] == [
        ("LAS", "TC", "meldenNotificatieRequest"),
        ("TC", "LAS", "meldenNotificatieResponse"),
        ("LAS", "SWV", "notificatieRequest"),
        ("SWV", "LAS", "notificatieResponse"),
        ("SWV", "TC", "overdrachtRequest"),
        ("TC", "SWV", "overdrachtResponse"),
        ("SWV", "LAS", "documentRequest"),
        ("LAS", "TC", "sessiecontroleRequest"),      # nested inside the documentRequest
        ("TC", "LAS", "sessiecontroleResponse"),
        ("LAS", "SWV", "documentResponse"),
    ]
    assert [m.n for m in msgs] == list(range(1, 11))
    assert not any(m.fault for m in msgs)


def test_one_clickable_arrow_per_message_and_dashed_responses():
    msgs = timeline.merge(exchange_logs())
    svg = timeline.svg(msgs)
    links = arrows(svg)
    assert [a.get("href") for a in links] == [f"#msg-{n}" for n in range(1, 11)]
    for a, m in zip(links, msgs):
        line = a.find(SVG_NS + "line")
        assert (line.get("stroke-dasharray") is not None) == m.response
        assert int(float(line.get("x1"))) == timeline.LANE_X[m.source]
    assert svg.count('class="lane-name"') == 3


def test_lane_order_is_las_tc_swv():
    assert timeline.LANE_X["LAS"] < timeline.LANE_X["TC"] < timeline.LANE_X["SWV"]


def test_soap_faults_are_red():
    logs = {"TC": [
        row(1, "31.000", "in", "meldenNotificatie", "meldenNotificatieRequest", "las"),
        row(2, "31.001", "out", "meldenNotificatie", "Fault", "las", "GeenMandaat", http_status=500),
    ]}
    msgs = timeline.merge(logs)
    assert [m.fault for m in msgs] == [False, True]
    links = arrows(timeline.svg(msgs))
    assert "fault" not in links[0].get("class")
    assert "fault" in links[1].get("class")
    line = links[1].find(SVG_NS + "line")
    assert line.get("stroke") == timeline.RED and "head-fault" in line.get("marker-end")
    label = [t.text for t in links[1].iter(SVG_NS + "text") if t.get("class") == "label"]
    assert label == ["meldenNotificatie · Fault: GeenMandaat"]


def test_every_text_is_escaped():
    evil = '<script>alert("x")</script>'
    logs = {"TC": [row(1, "32.000", "in", evil, evil, evil),
                   row(2, "32.001", "out", evil, "Fault", evil, outcome=evil, http_status=500)]}
    svg = timeline.svg(timeline.merge(logs))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    ElementTree.fromstring(svg)  # still well-formed


def test_unknown_peer_falls_back_on_the_operation_and_never_calls_itself():
    logs = {"LAS": [row(1, "33.000", "in", "document", "documentRequest", "10.0.0.7")],
            "TC": [row(2, "33.100", "in", "wieweet", "x", "10.0.0.8")]}
    a, b = timeline.merge(logs)
    assert (a.source, a.target) == ("SWV", "LAS")
    assert b.source != b.target == "TC"


def test_empty_timeline_says_so_in_dutch():
    svg = timeline.svg([])
    assert "Geen berichten gevonden" in svg and arrows(svg) == []


def test_clock_in_dutch_local_time():
    assert timeline.clock("2024-03-01T10:15:30.123+00:00") in ("11:15:30.123", "10:15:30.123")
    assert timeline.clock("geen tijd") == "geen tijd"


def test_pretty_xml_indents_and_shortens_base64():
    xml = "<a><b>" + "Q" * 10000 + "</b><c>kort</c></a>"
    pretty = timeline.pretty_xml(xml)
    assert re.search(r"\n  <c>kort</c>", pretty)
    assert "tekens weggelaten" in pretty and len(pretty) < 1000
    assert timeline.pretty_xml("<niet goed") == "<niet goed"
    assert timeline.pretty_xml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>').startswith("<!DOCTYPE")
