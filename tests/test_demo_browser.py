"""The demo as a trainer gives it, clicked through in headless Chromium with the three actors on
real sockets, the SWV stap voor stap. Screenshots: see browser_support.SCREENSHOTS.

`test_swv_pages_in_the_browser` drives the SWV pages alone (the zorgvraag comes in over the LAS
JSON API); `test_full_demo_through_the_pages` walks the whole story through the TC, LAS and SWV
pages, and waits (skips) while the TC /demo page or the LAS pages are not there.
"""
from __future__ import annotations

import base64
import re

import pytest
import requests
from playwright.sync_api import expect

from browser_support import no_horizontal_scroll, screenshot, screenshot_path
from harness.runtime.actors import Actors
from oso_protocol.synthetic import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BRIN = "12AB"
SWV_PO = "0000000700025PO00931"


@pytest.fixture(scope="module")
def actors():
    with Actors(extra={"swv": {"STEP_MODE": True, "AUTO_FETCH": False}}) as a:
        yield a


def api(actors, role: str, path: str, method: str = "get", **kw):
    resp = requests.request(method, actors.urls[role] + path, timeout=10, **kw)
    resp.raise_for_status()
    return resp.json()


def send_zorgvraag(actors, omschrijving: str) -> dict:
    """A zorgvraag sent over the LAS JSON API, so the SWV pages can be shown on their own."""
    leerling = api(actors, "las", "/api/leerlingen", params={"brin": BRIN})[0]
    blokken = api(actors, "las", f"/api/leerlingen/{leerling['id']}/gegevensblokken")
    body = {"omschrijving": omschrijving, "aanleverpunt": SWV_PO,
            "gegevensblokken": [b["naam"] for b in blokken if b["state"] != "verboden"],
            "toelichting": {"bestandsnaam": "Toelichting_onderwijsbehoeften.pdf",
                            "inhoud_base64": base64.b64encode(pdf_bytes(
                                "Toelichting onderwijsbehoeften", ["Rust en structuur."])).decode(),
                            "omschrijving": "Toelichting onderwijsbehoeften"}}
    zv = api(actors, "las", f"/api/leerlingen/{leerling['id']}/zorgvragen", "post",
             json=body)["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja", zv
    return zv


def swv_row(page, koppelsleutel: str):
    return page.locator(f'tr[data-koppelsleutel="{koppelsleutel}"]')


# --- the SWV pages on their own ------------------------------------------------------------------

def test_swv_pages_in_the_browser(actors, page):
    zv = send_zorgvraag(actors, "Zorgvraag voor de SWV-schermen")
    k = zv["koppelsleutel"]
    swv = actors.urls["swv"]

    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(swv + "/")
    assert page.get_by_text("Stap voor stap").first.is_visible()
    row = swv_row(page, k)
    assert "Wacht op ophalen" in row.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "swv-inbox")

    row.get_by_role("button", name="Dossier ophalen").click()
    page.wait_for_url(re.compile(rf"/aanvragen/{k}$"))
    assert "Afgemeld" in page.locator("#status").inner_text()
    dossier = page.locator("#dossier")
    assert dossier.is_visible()
    assert "Toelichting onderwijsbehoeften" in dossier.inner_text()
    assert no_horizontal_scroll(page)
    screenshot(page, "swv-aanvraag-dossier")

    # the toelichting downloads as the PDF inside the ZIP
    with page.expect_download() as dl:
        dossier.get_by_role("link", name=re.compile("Toelichting_onderwijsbehoeften")).first.click()
    assert dl.value.suggested_filename == "Toelichting_onderwijsbehoeften.pdf"

    rapport = page.locator("#validatierapport")
    rapport.scroll_into_view_if_needed()
    assert rapport.locator(".verdict").is_visible()
    rapport.screenshot(path=str(screenshot_path("swv-validatierapport")))

    form = page.locator("#terugkoppeling")
    page.get_by_label("Status").select_option("InBehandeling")
    page.get_by_label("Behandelaar").fill("J. Jansen")
    page.get_by_label("Toelichting", exact=True).fill("We nemen contact op voor een gesprek.")
    form.screenshot(path=str(screenshot_path("swv-terugkoppeling-formulier")))
    page.get_by_role("button", name="Terugkoppeling versturen").click()
    page.wait_for_url(re.compile(r"terugkoppeling=\d+"))
    assert "Verzonden." in page.locator("#terugkoppeling .outcome").inner_text()
    assert "J. Jansen" in page.locator("table.tklist").inner_text()

    las = api(actors, "las", f"/api/zorgvragen/{zv['id']}")
    assert las["terugkoppeling_ontvangen"] == "Ja"
    assert las["terugkoppelingen"][0]["behandelaar"] == "J. Jansen"

    # the same page on a projector
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.reload()
    assert no_horizontal_scroll(page)
    screenshot(page, "swv-aanvraag-1920")


# --- the whole demo ------------------------------------------------------------------------------

def _pages_present(actors) -> bool:
    try:
        demo = requests.get(actors.urls["tc"] + "/demo", timeout=5)
        las = requests.get(actors.urls["las"] + "/", timeout=5)
    except requests.RequestException:
        return False
    return demo.status_code == 200 and las.status_code == 200


def test_full_demo_through_the_pages(actors, page, tmp_path):
    if not _pages_present(actors):
        pytest.skip("de TC-pagina /demo of de LAS-pagina's zijn er (nog) niet")
    toelichting = tmp_path / "Toelichting_onderwijsbehoeften.pdf"
    toelichting.write_bytes(pdf_bytes("Toelichting onderwijsbehoeften",
                                      ["Heeft baat bij een vaste plek en voorspelbare dag."]))
    page.set_viewport_size({"width": 1366, "height": 768})

    # start page of the demo, then into the LAS
    page.goto(actors.urls["tc"] + "/demo")
    screenshot(page, "demo-flow-01-start")
    link = page.locator(f'a[href^="{actors.urls["las"]}"]').first
    if link.get_attribute("target") == "_blank":  # the start page opens each system in its own tab
        with page.context.expect_page() as opened:
            link.click()
        page = opened.value
        page.set_default_timeout(15000)
        page.set_viewport_size({"width": 1366, "height": 768})
        page.wait_for_load_state()
    else:
        with page.expect_navigation():
            link.click()
    assert page.url.startswith(actors.urls["las"])

    # a pupil of school 12AB
    school = page.get_by_role("link", name=re.compile(BRIN))
    if school.count():
        school.first.click()
    page.locator(f'a[href*="/leerlingen/"]').first.click()
    screenshot(page, "demo-flow-02-leerling")
    page.get_by_role("link", name=re.compile("Begeleiding")).first.click()
    page.get_by_role("link", name=re.compile(r"Zorgvraag \(OSO\)")).first.click()
    page.wait_for_url(re.compile(r"/leerlingen/\d+/zorgvragen$"))
    overzicht_url = page.url
    page.get_by_role("link", name=re.compile("Nieuwe zorgvraag")).first.click()

    page.get_by_label("Korte omschrijving").fill("Onderzoek naar extra ondersteuning")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan en verzenden").click()
    fout = page.locator(".msg.error, [role=alert]").first
    expect(fout).to_be_visible()
    assert re.search(r"toelichting", fout.inner_text(), re.I), fout.inner_text()
    screenshot(page, "demo-flow-03-geweigerd-zonder-toelichting")

    expect(page.get_by_label("Korte omschrijving")).to_have_value("Onderzoek naar extra ondersteuning")
    page.locator('input[type=file]').first.set_input_files(str(toelichting))
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan en verzenden").click()
    assert re.search(r"/zorgvragen/\d+\?verzonden=1$", page.url), page.url
    expect(page.locator(".msg.ok")).to_contain_text("Opgeslagen en verzonden")
    screenshot(page, "demo-flow-04-verzonden")
    zorgvraag_id = int(re.search(r"/zorgvragen/(\d+)", page.url).group(1))
    page.goto(overzicht_url)
    rij = page.locator("tr", has_text="Onderzoek naar extra ondersteuning").first
    assert re.search(r"Notificatie verstuurd:?\s*Ja|\bJa\b", rij.inner_text())
    screenshot(page, "demo-flow-05-las-overzicht")

    # the SWV: the aanvraag waits for the click
    k = api(actors, "las", f"/api/zorgvragen/{zorgvraag_id}")["koppelsleutel"]
    page.goto(actors.urls["swv"] + "/")
    assert "Wacht op ophalen" in swv_row(page, k).inner_text()
    screenshot(page, "demo-flow-06-swv-inbox")
    swv_row(page, k).get_by_role("button", name="Dossier ophalen").click()
    page.wait_for_url(re.compile(rf"/aanvragen/{k}$"))
    assert page.locator("#dossier").is_visible()
    verdict = page.locator("#validatierapport .verdict").inner_text()
    assert not verdict.startswith("Ongeldig"), verdict
    screenshot(page, "demo-flow-07-swv-dossier")

    page.get_by_label("Status").select_option("Toegekend")
    page.get_by_label("Behandelaar").fill("M. de Vries")
    page.get_by_label("Toelichting", exact=True).fill("Arrangement toegekend; start na de vakantie.")
    page.get_by_role("button", name="Terugkoppeling versturen").click()
    assert "Verzonden." in page.locator("#terugkoppeling .outcome").inner_text()
    screenshot(page, "demo-flow-08-swv-terugkoppeling-verzonden")

    # back in the LAS: the terugkoppeling arrived, the zorgvraag is read-only
    page.goto(overzicht_url)
    rij = page.locator("tr", has_text="Onderzoek naar extra ondersteuning").first
    assert "Ja" in rij.inner_text()
    screenshot(page, "demo-flow-09-las-terugkoppeling-ontvangen")
    rij.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/zorgvragen/{zorgvraag_id}$"))
    body = page.locator("main").inner_text()
    assert "M. de Vries" in body and "Arrangement toegekend" in body
    assert page.get_by_role("button", name="Opslaan en verzenden").count() == 0
    screenshot(page, "demo-flow-10-las-zorgvraag-alleen-lezen")

    # the TC timeline of this koppeling
    page.goto(actors.urls["tc"] + f"/koppelingen/{k}")
    assert k in page.locator("body").inner_text()
    screenshot(page, "demo-flow-11-tc-tijdlijn")

    # delete the zorgvraag in the LAS overview
    page.goto(overzicht_url)
    rij = page.locator("tr", has_text="Onderzoek naar extra ondersteuning").first
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        rij.get_by_role("button", name=re.compile("verwijderen")).click()
    expect(page.locator(".msg.ok")).to_contain_text("is verwijderd")
    assert page.locator("tr", has_text="Onderzoek naar extra ondersteuning").count() == 0
    screenshot(page, "demo-flow-12-las-verwijderd")
