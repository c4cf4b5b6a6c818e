"""The trainer's pages tell one story (issue 20), read in headless Chromium at 1280 px: situations
that fetch in step mode say so on the demo page, the SWV's Verloop follows the exchange, the TC
names the real sender of each message and says OSO (not OSR), tables fit the screen, and an
unknown address is a Dutch page with a link home (JSON for the API). Screenshots page-*.png: see
browser_support.SCREENSHOTS."""
from __future__ import annotations

import re

import pytest
import requests
from browser_support import screenshot
from playwright.sync_api import expect

from harness.cli import demo as cmd_demo
from harness.runtime.actors import Actors
from harness.testschool import page as testschool_page
from harness.trainer.scenarios import SITUATIES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FITS = "document.documentElement.scrollWidth <= 1280"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with Actors(workdir=tmp_path_factory.mktemp("een-verhaal"),
                extra={"swv": {"STEP_MODE": True}}) as actors:
        actors.apps["tc"].config["TRAINER_SCENARIOS"] = cmd_demo._trainer(actors, token="t")
        yield actors


@pytest.fixture
def page1280(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    return page

# every badge stays one box on one line: a word of it never goes half to the next line
BADGES_WHOLE = """() => [...document.querySelectorAll('.badge')].every(b =>
    b.getClientRects().length === 1 &&
    b.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(b).fontSize) + 8)"""


def test_step_mode_situations_say_they_fetch_themselves(demo, page1280):
    page = page1280
    page.goto(demo.urls["tc"] + "/demo")
    zelf = {s.naam for s in SITUATIES if s.haalt_zelf_op}
    assert zelf == {"dossier-met-pgn", "late-terugkoppeling", "verlopen-sessie"}
    for s in SITUATIES:
        expect(page.locator(f"#situatie-{s.naam} .zelf-ophalen")).to_have_count(int(s.naam in zelf))
    page.locator("#situatie-dossier-met-pgn").get_by_role("button").click()
    uitkomst = page.locator("#uitkomst")
    uitkomst.wait_for(timeout=60_000)
    assert "klikte zelf op 'Dossier ophalen'" in uitkomst.inner_text()
    assert page.evaluate(FITS)
    screenshot(page, "page-demo-zelf-ophalen")


def test_verloop_and_sender_follow_the_exchange(demo, page1280):
    page, urls = page1280, demo.urls
    leerling = requests.get(urls["las"] + "/api/leerlingen", params={"brin": "12AB"}, timeout=10).json()[0]
    trainer = demo.apps["tc"].config["TRAINER_SCENARIOS"]
    zv = trainer._verstuurd(leerling, trainer._zorgvraag_body("Verloop in volgorde",
                                                               "0000000700025PO00931"))
    k = zv["koppelsleutel"]
    requests.post(urls["swv"] + f"/api/aanvragen/{k}/ophalen", timeout=30).raise_for_status()

    page.goto(urls["swv"] + f"/aanvragen/{k}")
    stappen = page.locator("#stappen tbody tr td:nth-child(2)").all_inner_texts()
    assert stappen[0] == "Notificatie ontvangen (koppelsleutel bevestigd bij de TC)", stappen
    assert stappen[1:] == ["Dossier opgevraagd bij de LAS (documentRequest)", "Sessie afgemeld bij de TC"]
    assert page.evaluate(FITS)
    assert page.locator("#stappen .badge").count() > 0
    assert page.evaluate(BADGES_WHOLE), "een badge in het Verloop breekt midden in een woord"
    page.set_viewport_size({"width": 900, "height": 900})   # a narrow window squeezes the cells
    assert page.evaluate(BADGES_WHOLE), "een badge in het Verloop breekt midden in een woord (900 px)"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#stappen").scroll_into_view_if_needed()
    screenshot(page, "page-swv-verloop")

    page.goto(urls["tc"] + f"/koppelingen/{k}")
    assert "(OSR)" not in page.content()
    expect(page.locator(".role-note")).to_contain_text("Traffic Center van OSO")
    berichten = page.locator("details.bericht")
    verzoek = berichten.filter(has_text=re.compile(r"SWV → LAS\s+documentRequest"))
    antwoord = berichten.filter(has_text=re.compile(r"LAS → SWV\s+document"))
    expect(verzoek.locator(".afzender")).to_have_text(re.compile(r"^SWV: .*\(swv-sim\)$"))
    expect(antwoord.locator(".afzender")).to_have_text(
        re.compile(r"^LAS: .*\(las-sim\), antwoord op de aanroep$"))
    antwoord.locator("summary").click()
    assert page.evaluate(FITS)
    screenshot(page, "page-tc-afzender")


def test_unknown_address_is_a_dutch_page_with_a_link_home(demo, page1280):
    page = page1280
    for role, thuis in (("tc", "/"), ("las", "/"), ("swv", "/")):
        resp = page.goto(demo.urls[role] + "/bestaat-niet")
        assert resp.status == 404 and "json" not in resp.headers["content-type"]
        assert page.locator("html").get_attribute("lang") == "nl"
        expect(page.locator("h1")).to_contain_text("niet gevonden", ignore_case=True)
        home = page.locator("main a").first
        assert home.get_attribute("href") == thuis, role
        screenshot(page, f"page-404-{role}")
        api = requests.get(demo.urls[role] + "/api/bestaat-niet", timeout=10)
        assert api.status_code == 404 and api.json().get("fout"), role
        asked = requests.get(demo.urls[role] + "/bestaat-niet", timeout=10,
                             headers={"Accept": "application/json"})
        assert asked.status_code == 404 and asked.json().get("fout"), role


def test_a_wrong_method_is_a_dutch_page_too(demo, page1280):
    # a form's address opened in the browser: the person reads Dutch and finds the way home
    page = page1280
    for role, path in (("tc", "/demo/situaties/x"), ("las", "/zorgvragen/1/verzenden"),
                       ("swv", "/stap-voor-stap")):
        resp = page.goto(demo.urls[role] + path)
        assert resp.status == 405 and "text/html" in resp.headers["content-type"], role
        assert "POST" in resp.headers.get("allow", ""), role
        assert page.locator("html").get_attribute("lang") == "nl", role
        expect(page.locator("main")).to_contain_text("niet toegestaan", ignore_case=True)
        assert page.locator("main a").count() > 0, role
        screenshot(page, f"page-405-{role}")
        asked = requests.get(demo.urls[role] + path, headers={"Accept": "application/json"}, timeout=10)
        assert asked.status_code == 405 and asked.json().get("fout"), role


class _School:
    """What the test school page reads: long koppelsleutels, URLs and reasons, as a real run has."""
    swv_soap_url = "http://leverancier-swv.example.nl:8602/oso/zorgvraag/ontvangst"
    urls = {"tc": "http://127.0.0.1:8600"}

    def overzicht(self):
        k = "KS-2024-0000000700012AB00950-0000000700025PO00931-7f3c9a"
        return [{"flow": f"flow-met-een-lange-naam-{i}", "titel": "Dossier met bijlage na verlopen sessie",
                 "gedrag": "sessiecontrole-verlopen-en-herhaald-ophalen", "harnas_las": True,
                 "leerling": {"naam": "Sanne de Vries-van den Berg", "brin": "12AB", "id": 7},
                 "verwacht": "Het SWV haalt het dossier opnieuw op en meldt af bij de TC.",
                 "zorgvragen": [{"koppelsleutel": k + str(i), "tijdlijn": f"http://127.0.0.1:8600/koppelingen/{k}{i}",
                                 "leveringen": ["documentResponse", "Fault: SessieVerlopen"],
                                 "afmelding": "Afgemeld", "terugkoppeling_ontvangen": True}],
                 "uitkomst": "niet geverifieerd",
                 "waarom": "Geen afmelding gezien bij http://127.0.0.1:8600/oso/afmelding/"
                           "0000000700025PO00931 binnen de wachttijd."} for i in range(3)]


def test_testschool_table_fits_1280(page1280):
    html = testschool_page.create_app(_School()).test_client().get("/").text
    page1280.set_content(html)
    expect(page1280.locator("th").last).to_have_text("Uitkomst")
    assert page1280.evaluate(FITS)
    screenshot(page1280, "page-testschool-1280")
