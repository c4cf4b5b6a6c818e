"""The Traffic Center's web pages (oso_mock.ui): the register with its aanleverpunt switch, the
timeline of a koppeling as a sequence diagram, the demo start page.

The first part uses the Flask test client, with the LAS and SWV message logs played by
`responses`; the second part runs the three actors on real sockets and clicks through the pages
in headless Chromium. Screenshots: see browser_support.SCREENSHOTS.
"""
from __future__ import annotations

import base64
import re

import pytest
import requests
import responses

from browser_support import SCREENSHOTS, no_horizontal_scroll, screenshot
from oso_protocol.transport.messages import OverzichtAanleverpuntRequest
from oso_protocol.transport.faults import OsoFault
from tc_support import (BRIN, LAS_URL, SWV_INACTIEF_RK, SWV_RK, SWV_URL, app, client,  # noqa: F401
                        clock, fetched, soap, terugkoppeling)

XSS = "<script>alert(1)</script>"


def csrf(client) -> str:
    html = client.get("/").text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def ap_row(html: str, rk: str) -> str:
    m = re.search(rf'<tr id="ap-{rk}".*?</tr>', html, re.S)
    assert m, f"no row for {rk}"
    return m.group(0)


def offered(client, brin=BRIN) -> set[str]:
    answer = soap(client, OverzichtAanleverpuntRequest(brin=brin, doel="SWV"))
    return {a.routeringsKenmerk for a in answer.aanleverpunt}


def peer_log(rsps, base: str, rows: list[dict] | None = None, status: int = 200):
    rsps.add(responses.GET, base + "/api/berichten", status=status,
             json={"berichten": rows or []} if status == 200 else {"fout": "kapot"})


def server_row(id, ts, direction, operation, element, peer, k, outcome="ontvangen", xml="<a/>"):
    return {"id": id, "ts": f"2099-01-01T00:00:{ts}+00:00", "direction": direction,
            "side": "server", "operation": operation, "element": element, "peer": peer,
            "koppelsleutel": k, "sessie_id": None, "outcome": outcome,
            "http_status": 200 if direction == "out" else None, "duration_ms": 2.0, "xml": xml}


# --- register --------------------------------------------------------------------------------

def test_register_lists_everything_and_marks_the_inactive_aanleverpunt(client):
    html = client.get("/").text
    assert "Register van het Traffic Center" in html
    assert "/kit/base.css" in html and "tc.css" in html
    for text in ("OBS De Regenboog", "Stichting Zonder Mandaat", "oso-sim SWV", "OSO-SWV",
                 "Scholen", "Systemen", "Mandaten", "Aanleverpunten", "Koppelingen"):
        assert text in html
    inactive = ap_row(html, SWV_INACTIEF_RK)
    assert 'class="inactief"' in inactive and "Inactief" in inactive
    assert "wordt niet aangeboden" in inactive and "Activeren" in inactive
    active = ap_row(html, SWV_RK)
    assert "inactief" not in active and "Actief" in active and "Deactiveren" in active
    assert f"{SWV_URL}/oso" in active  # placeholders resolved
    assert "nog geen koppelingen" in html
    assert client.get("/tc-static/tc.css").status_code == 200


def test_register_lists_koppelingen_linking_to_their_timeline(client):
    k = fetched(client)
    html = client.get("/").text
    row = re.search(rf'<tr data-koppelsleutel="{k}">.*?</tr>', html, re.S).group(0)
    assert f'href="/koppelingen/{k}"' in row
    assert "OBS De Regenboog" in row and "Ja" in row  # opgehaald
    assert "Nee" in row                               # no terugkoppeling yet


def test_toggle_without_csrf_token_is_refused_and_changes_nothing(client):
    client.get("/")  # the cookie alone is not enough: the form must repeat it
    resp = client.post(f"/aanleverpunten/{SWV_RK}/actief", data={"actief": "0"})
    assert resp.status_code == 400
    assert "formulier" in resp.text
    resp = client.post(f"/aanleverpunten/{SWV_RK}/actief",
                       data={"actief": "0", "csrf_token": "x" * 43})
    assert resp.status_code == 400
    assert SWV_RK in offered(client)


def test_deactivated_aanleverpunt_is_no_longer_offered_and_comes_back(client):
    token = csrf(client)
    assert SWV_RK in offered(client)
    resp = client.post(f"/aanleverpunten/{SWV_RK}/actief",
                       data={"actief": "0", "csrf_token": token})
    assert resp.status_code == 303 and f"gewijzigd={SWV_RK}" in resp.location
    html = client.get(resp.location).text
    assert "niet meer aangeboden" in html
    assert 'class="inactief"' in ap_row(html, SWV_RK)
    assert SWV_RK not in offered(client)

    resp = client.post(f"/aanleverpunten/{SWV_RK}/actief",
                       data={"actief": "1", "csrf_token": token})
    assert "is nu\n  <strong>actief</strong>" in client.get(resp.location).text
    assert SWV_RK in offered(client)


def test_toggle_of_unknown_aanleverpunt_and_bad_value(client):
    token = csrf(client)
    resp = client.post("/aanleverpunten/ONBEKEND/actief", data={"actief": "0", "csrf_token": token})
    assert resp.status_code == 303
    assert "niet bekend" in client.get(resp.location).text
    resp = client.post(f"/aanleverpunten/{SWV_RK}/actief", data={"actief": "ja", "csrf_token": token})
    assert resp.status_code == 400


def test_school_name_with_script_is_shown_as_text(client):
    resp = client.post("/api/register/schools", json={"brin": "99ZZ", "naam": XSS, "bestuur": XSS})
    assert resp.status_code == 201
    html = client.get("/").text
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- timeline --------------------------------------------------------------------------------

def test_unknown_koppelsleutel_is_a_dutch_404_page(client):
    resp = client.get("/koppelingen/9CEBD89C-8953-416B-A2CB-ECEE939F1775")
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    assert "is niet bekend bij dit Traffic Center" in resp.text


def test_koppelsleutel_with_script_is_escaped_on_the_404_page(client):
    resp = client.get("/koppelingen/" + requests.utils.quote(XSS, safe=""))
    assert resp.status_code == 404
    assert XSS not in resp.text and "&lt;script&gt;" in resp.text


def test_timeline_merges_tc_las_and_swv_logs_into_one_diagram(client):
    k = fetched(client)
    swv_rows = [server_row(1, "00.001", "in", "notificatie", "notificatieRequest", "las", k),
                server_row(2, "00.002", "out", "notificatie", "notificatieResponse", "las", k,
                           "NotificatieOntvangen")]
    las_rows = [server_row(7, "00.003", "in", "document", "documentRequest", "swv-sim", k,
                           xml=f"<documentRequest><x>{XSS}</x></documentRequest>"),
                server_row(8, "00.004", "out", "document", "documentResponse", "swv-sim", k,
                           "DossierGeleverd")]
    with responses.RequestsMock() as rsps:
        peer_log(rsps, LAS_URL, las_rows)
        peer_log(rsps, SWV_URL, swv_rows)
        html = client.get(f"/koppelingen/{k}").text
    # TC: meldenNotificatie (its request found without koppelsleutel), overdracht,
    # sessiecontrole, afmelding -> 8 rows; peers add 4
    hrefs = re.findall(r'<a href="#msg-(\d+)"', html)
    assert hrefs == [str(n) for n in range(1, 13)]
    assert re.findall(r'<details id="msg-(\d+)"', html) == hrefs
    assert "meldenNotificatieRequest" in html and "document · DossierGeleverd" in html
    assert "LAS → SWV" in html and "SWV → LAS" in html
    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'id="onvolledig"' not in html
    # the pretty-printed XML is in a <pre>, escaped
    assert re.search(r'<pre class="xml">&lt;documentRequest&gt;\n  &lt;x&gt;', html)


def test_timeline_says_when_a_peer_log_is_unavailable(client):
    k = fetched(client)
    with responses.RequestsMock() as rsps:
        peer_log(rsps, LAS_URL, status=500)
        rsps.add(responses.GET, SWV_URL + "/api/berichten",
                 body=requests.ConnectionError("weg"))
        resp = client.get(f"/koppelingen/{k}")
    assert resp.status_code == 200
    html = resp.text
    assert 'id="onvolledig"' in html
    assert "Het berichtenlog van de <strong>LAS</strong>" in html and "HTTP 500" in html
    assert "Het berichtenlog van de <strong>SWV</strong>" in html and "niet bereikbaar" in html
    assert "wat de TC zelf zag" in html
    assert len(re.findall(r'<a href="#msg-', html)) == 8


def test_fault_on_the_timeline_is_red(client):
    k = fetched(client)
    # a meldenTerugkoppeling naming the wrong school is refused by the TC with a SOAP Fault
    assert isinstance(soap(client, terugkoppeling(k, bronBrin="99ZZ")), OsoFault)
    with responses.RequestsMock() as rsps:
        peer_log(rsps, LAS_URL)
        peer_log(rsps, SWV_URL)
        html = client.get(f"/koppelingen/{k}").text
    assert re.search(r'<a href="#msg-\d+" class="msg response fault"', html)
    assert 'marker-end="url(#head-fault)"' in html
    assert '<details id="msg-10" class="bericht fault">' in html


# --- demo start page -------------------------------------------------------------------------

def test_demo_page_links_the_three_actors_and_explains_the_steps(client):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, LAS_URL + "/api/health", json={"actor": "las", "ok": True})
        rsps.add(responses.GET, SWV_URL + "/api/health", body=requests.ConnectionError("weg"))
        html = client.get("/demo").text
    assert f'href="{LAS_URL}/"' in html and f'href="{SWV_URL}/"' in html
    assert 'href="http://tc.test/"' in html
    for text in ("Zorgvraag maken in de LAS", "Notificatie", "overdracht", "documentRequest",
                 "sessiecontrole", "afmelding", "Terugkoppeling", "Dossier ophalen"):
        assert text in html
    assert "bereikbaar" in html and "niet bereikbaar" in html


# --- in the browser, with the three actors on real sockets ---------------------------------------

@pytest.fixture(scope="module")
def live():
    """The actors, one complete exchange and one call the TC refuses (school 78GH: GeenMandaat)."""
    from harness.runtime.actors import Actors
    from harness.runtime.exchange import ExchangeDriver

    with Actors() as actors:
        result = ExchangeDriver(actors.urls).run_many(1)[0]
        assert result.completed, result.error
        _refused_zorgvraag(actors.urls["las"])
        yield actors, result.koppelsleutel


def _refused_zorgvraag(las: str) -> None:
    leerling = requests.get(las + "/api/leerlingen", params={"brin": "78GH"}, timeout=10).json()[0]
    body = {"omschrijving": "Zorgvraag zonder mandaat", "aanleverpunt": SWV_RK,
            "gegevensblokken": [],
            "toelichting": {"bestandsnaam": "toelichting.pdf",
                            "inhoud_base64": base64.b64encode(b"%PDF-1.4\n%%EOF").decode()}}
    zv = requests.post(las + f"/api/leerlingen/{leerling['id']}/zorgvragen", json=body,
                       timeout=10).json()["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Nee" and zv["koppelsleutel"] in (None, "")
    assert "mandaat" in (zv.get("laatste_fout") or "").lower()


@pytest.mark.browser
@pytest.mark.slow
def test_demo_register_and_timeline_in_the_browser(live, page):
    actors, k = live
    tc, las, swv = actors.urls["tc"], actors.urls["las"], actors.urls["swv"]

    # the start page, on a laptop and on a projector
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(tc + "/demo")
    for base in (las, tc, swv):
        assert page.locator(f'a[href="{base}/"]').count() >= 1
    assert page.locator(".badge.ok", has_text="bereikbaar").count() == 3
    assert "Zo verloopt de uitwisseling" in page.locator("main").inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "tc-demo-start")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.reload()
    assert no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1366, "height": 768})

    # the register: the inactive aanleverpunt is marked; switch the SWV PO one off and on
    page.get_by_role("link", name="Register").first.click()
    assert "Inactief" in page.locator(f"#ap-{SWV_INACTIEF_RK}").inner_text()
    assert page.locator(f'tr[data-koppelsleutel="{k}"]').count() == 1
    assert no_horizontal_scroll(page)
    screenshot(page, "tc-register")

    def las_offers() -> set[str]:
        rows = requests.get(las + "/api/aanleverpunten", params={"brin": BRIN}, timeout=10).json()
        return {r["routeringskenmerk"] for r in rows}

    assert SWV_RK in las_offers()
    page.locator(f"#ap-{SWV_RK}").get_by_role("button", name="Deactiveren").click()
    assert "niet meer aangeboden" in page.locator(".msg.ok").inner_text()
    assert SWV_RK not in las_offers()
    page.locator(f"#ap-{SWV_RK}").get_by_role("button", name="Activeren").click()
    assert SWV_RK in las_offers()

    # the timeline of the exchange: one arrow per message, each opening its XML
    page.locator(f'tr[data-koppelsleutel="{k}"] a').click()
    page.wait_for_url(re.compile(rf"/koppelingen/{k}$"))
    arrows = page.locator("svg.sequence a")
    assert arrows.count() == page.locator("details.bericht").count() == 16
    assert page.locator("#onvolledig").count() == 0
    for lane in ("LAS", "TC", "SWV"):
        assert page.locator("svg.sequence .lane-name", has_text=lane).count() == 1
    assert no_horizontal_scroll(page)
    screenshot(page, "tc-timeline")

    arrow = page.locator("svg.sequence a", has_text="DossierGeleverd")
    n = arrow.get_attribute("href").removeprefix("#msg-")
    arrow.click()
    details = page.locator(f"#msg-{n}")
    # the page's script opens the message on the hash change: wait for it, do not race it
    page.wait_for_selector(f"#msg-{n}[open]", timeout=5000)
    assert details.get_attribute("open") is not None
    pre = details.locator("pre.xml")
    assert pre.is_visible() and "documentResponse" in pre.inner_text()
    assert "tekens weggelaten" in pre.inner_text()  # the base64 dossier is shortened
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    details.screenshot(path=str(SCREENSHOTS / "tc-timeline-bericht.png"))

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(tc + f"/koppelingen/{k}")
    assert no_horizontal_scroll(page)


@pytest.mark.browser
@pytest.mark.slow
def test_timeline_arrow_shows_its_xml_without_javascript(live, browser):
    actors, k = live
    context = browser.new_context(viewport={"width": 1366, "height": 768}, java_script_enabled=False)
    try:
        p = context.new_page()
        p.goto(actors.urls["tc"] + f"/koppelingen/{k}")
        p.locator("svg.sequence a", has_text="overdrachtRequest").click()
        assert re.search(r"#msg-\d+$", p.url)
        target = p.url.rsplit("#", 1)[1]
        assert "overdrachtRequest" in p.locator(f"#{target} pre.xml").inner_text()
        assert p.locator(f"#{target} pre.xml").is_visible()
    finally:
        context.close()
