"""The trainer's story read in the browser, with the three actors on loopback sockets: a school
without mandate (78GH) reads "geweigerd door OSO (GeenMandaat)" on the LAS page and overview, the
TC lists the refusal and draws its timeline; the SWV's case list shows pupil, school and question
and updates itself while the page stays open. Screenshots: see browser_support.SCREENSHOTS.
"""
from __future__ import annotations

import base64
import re

import pytest
import requests
from browser_support import no_horizontal_scroll, screenshot
from playwright.sync_api import expect

from harness.runtime.actors import Actors
from oso_protocol.synthetic import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SWV_PO = "0000000700025PO00931"


@pytest.fixture(scope="module")
def actors():
    with Actors() as a:
        yield a


def send(las: str, brin: str, omschrijving: str) -> tuple[dict, dict]:
    leerling = requests.get(las + "/api/leerlingen", params={"brin": brin}, timeout=10).json()[0]
    body = {"omschrijving": omschrijving, "aanleverpunt": SWV_PO, "gegevensblokken": [],
            "toelichting": {"bestandsnaam": "Toelichting onderwijsbehoeften.pdf",
                            "inhoud_base64": base64.b64encode(pdf_bytes(
                                "Toelichting onderwijsbehoeften", ["Rust."])).decode()}}
    resp = requests.post(las + f"/api/leerlingen/{leerling['id']}/zorgvragen", json=body,
                         timeout=30)
    return leerling, resp.json()["zorgvraag"]


def test_school_without_mandate_reads_the_same_refusal_everywhere(actors, page):
    las, tc = actors.urls["las"], actors.urls["tc"]
    leerling, zv = send(las, "78GH", "Zorgvraag zonder mandaat")
    assert (zv["toestand"], zv["toestand_tekst"]) == ("geweigerd", "geweigerd door OSO (GeenMandaat)")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.goto(las + f"/zorgvragen/{zv['id']}")
    main = page.locator("main")
    expect(page.locator("h2 .badge.toestand")).to_have_text("geweigerd door OSO (GeenMandaat)")
    text = main.inner_text()
    for claim in ("Verzonden op", "kan niet meer worden gewijzigd", "Verzonden dossier (XML)"):
        assert claim not in text, claim
    assert page.locator(".badge.ok", has_text="verzonden").count() == 0
    expect(page.get_by_role("button", name="Opnieuw versturen")).to_be_visible()
    assert no_horizontal_scroll(page)
    screenshot(page, "las-geweigerd-geen-mandaat")

    page.goto(las + f"/leerlingen/{leerling['id']}/zorgvragen")
    row = page.locator(f'tr[data-zorgvraag="{zv["id"]}"]')
    expect(row.locator(".badge.toestand")).to_have_text("geweigerd door OSO (GeenMandaat)")
    expect(row.locator("td").nth(3)).to_have_text("Neen")
    screenshot(page, "las-zorgvragen-geweigerd")

    page.goto(tc + "/weigeringen")
    groep = page.locator('tr[data-school="78GH"]')
    expect(groep).to_contain_text("GeenMandaat")
    expect(groep).to_contain_text(SWV_PO)
    assert no_horizontal_scroll(page)
    screenshot(page, "tc-weigeringen")

    groep.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/weigeringen/\d+$"))
    arrows = page.locator("svg.sequence a")
    expect(arrows).to_have_count(2)
    expect(page.locator("svg.sequence")).to_contain_text("GeenMandaat")
    assert no_horizontal_scroll(page)
    screenshot(page, "tc-weigering-tijdlijn")


def test_swv_case_list_shows_names_and_updates_by_itself(actors, page):
    las, swv = actors.urls["las"], actors.urls["swv"]
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(swv + "/")
    before = page.locator("table.inbox tbody tr").count()

    leerling, zv = send(las, "12AB", "Rekenen stagneert sinds groep 5")
    assert zv["notificatie_verstuurd"] == "Ja", zv
    k = zv["koppelsleutel"]
    row = page.locator(f'tr[data-koppelsleutel="{k}"]')
    # no reload: the page's script brings the new case in, with the names from the dossier
    expect(row).to_have_count(1, timeout=15000)
    expect(row.locator("td.vraag")).to_have_text("Rekenen stagneert sinds groep 5", timeout=15000)
    expect(row).to_contain_text(leerling["achternaam"])
    expect(row).to_contain_text("OBS De Regenboog")
    assert page.locator("table.inbox tbody tr").count() == before + 1

    requests.post(swv + f"/api/aanvragen/{k}/terugkoppeling",
                  json={"status": "InBehandeling", "toelichting": "We plannen een gesprek."},
                  timeout=30).raise_for_status()
    expect(row.locator("td.terugkoppeling")).to_contain_text("In behandeling", timeout=15000)
    assert no_horizontal_scroll(page)
    screenshot(page, "swv-inbox-zaken")
