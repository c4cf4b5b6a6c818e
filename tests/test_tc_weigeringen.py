"""The TC records every meldenNotificatie it refuses and shows it per school and aanleverpunt,
with the result code, and as a timeline of the request and the fault answer."""
from __future__ import annotations

import re

from tc_support import SWV_RK, app, client, clock, melden, refused, soap  # noqa: F401

from oso_protocol.transport.messages import MeldenNotificatieResponse

GEEN_MANDAAT_RK = "0000000700078GH00950"


def test_a_refused_melding_is_listed_with_school_aanleverpunt_and_code(client):
    refused(client, melden(brin="78GH", las_rk=GEEN_MANDAAT_RK), "GeenMandaat")
    refused(client, melden(brin="78GH", las_rk=GEEN_MANDAAT_RK), "GeenMandaat")
    assert isinstance(soap(client, melden()), MeldenNotificatieResponse)  # an issued one is no refusal

    rows = client.get("/api/weigeringen").json["weigeringen"]
    assert [(r["bron_brin"], r["doel_routeringskenmerk"], r["resultaat"]) for r in rows] == [
        ("78GH", SWV_RK, "GeenMandaat")] * 2
    assert rows[0]["bericht_in"] is not None

    html = client.get("/weigeringen").text
    groep = re.search(r'<tr data-school="78GH">.*?</tr>', html, re.DOTALL).group(0)
    assert "GeenMandaat" in groep and "(2×)" in groep and SWV_RK in groep
    assert "12AB" not in html.split('id="alle"')[0]  # the school with a koppelsleutel is not listed


def test_the_timeline_of_a_refusal_shows_request_and_fault(client):
    refused(client, melden(brin="78GH", las_rk=GEEN_MANDAAT_RK), "GeenMandaat")
    wid = client.get("/api/weigeringen").json["weigeringen"][0]["id"]
    html = client.get(f"/weigeringen/{wid}").text
    assert "Geweigerde meldenNotificatie" in html and "GeenMandaat" in html
    assert "<svg" in html
    assert "meldenNotificatie · Fault: GeenMandaat" in html
    assert html.count('class="bericht') == 2  # the request and the fault answer


def test_an_unknown_refusal_is_a_dutch_404(client):
    resp = client.get("/weigeringen/999")
    assert resp.status_code == 404 and "Weigering 999 is niet bekend" in resp.text


def test_no_refusals_says_so(client):
    assert "nog geen melding geweigerd" in client.get("/weigeringen").text
