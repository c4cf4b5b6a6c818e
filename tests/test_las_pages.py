"""The LAS pages in headless Chromium, with the TC and SWV as real actors on loopback sockets:
create and send a zorgvraag through the form, the refusal without toelichting, removal with a
confirmation (dialog, and a page without JavaScript), and the read-only sent zorgvraag with its
terugkoppeling. Screenshots: see browser_support.SCREENSHOTS.
"""
from __future__ import annotations

import base64
import re

import pytest
import requests
from playwright.sync_api import expect

from browser_support import no_horizontal_scroll, screenshot
from harness.runtime.actors import Actors
from oso_protocol.synthetic import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BRIN = "12AB"
SWV_PO = "0000000700025PO00931"
LABEL_PO = "931: 25PO 0000000700025PO00931 SWV PO Rivierenland"
XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def actors():
    with Actors() as a:
        yield a


@pytest.fixture
def toelichting(tmp_path):
    path = tmp_path / "Toelichting_onderwijsbehoeften.pdf"
    path.write_bytes(pdf_bytes("Toelichting onderwijsbehoeften", ["Rust, structuur en herhaling."]))
    return path


def api(base: str, path: str, method: str = "get", **kw):
    resp = requests.request(method, base + path, timeout=15, **kw)
    resp.raise_for_status()
    return resp.json()


def pupils(actors, brin=BRIN) -> list[dict]:
    return api(actors.urls["las"], "/api/leerlingen", params={"brin": brin})


def send_over_api(actors, leerling_id: int, omschrijving: str) -> dict:
    body = {"omschrijving": omschrijving, "aanleverpunt": SWV_PO,
            "aandachtspunten": "Graag overleg met de intern begeleider.",
            "gegevensblokken": ["Toetsresultaten", "Handelingsplannen"],
            "toelichting": {"bestandsnaam": "Toelichting_onderwijsbehoeften.pdf",
                            "inhoud_base64": base64.b64encode(pdf_bytes(
                                "Toelichting onderwijsbehoeften", ["Rust."])).decode()}}
    zv = api(actors.urls["las"], f"/api/leerlingen/{leerling_id}/zorgvragen", "post",
             json=body)["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja", zv
    return zv


def open_zorgvragen(page, actors, leerling_id: int) -> None:
    page.goto(actors.urls["las"] + f"/leerlingen/{leerling_id}")
    page.get_by_role("link", name="Begeleiding", exact=True).click()
    page.get_by_role("navigation", name="Begeleiding").get_by_role(
        "link", name="Zorgvraag (OSO)").click()
    page.wait_for_url(re.compile(rf"/leerlingen/{leerling_id}/zorgvragen$"))


def both_screens_fit(page, projector_screenshot: str | None = None) -> None:
    """No sideways scrolling on a laptop (1366x768) nor on a projector (1920x1080)."""
    for size in ({"width": 1366, "height": 768}, {"width": 1920, "height": 1080}):
        page.set_viewport_size(size)
        assert no_horizontal_scroll(page), (page.url, size)
    if projector_screenshot:
        screenshot(page, projector_screenshot)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_create_and_send_through_the_form(actors, page, toelichting, tmp_path):
    las = actors.urls["las"]
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(las + "/")
    page.get_by_role("link", name=re.compile(BRIN)).first.click()
    page.wait_for_url(re.compile(rf"\?brin={BRIN}$"))
    rows = page.locator("table.leerlingen tbody tr")
    expect(rows).to_have_count(len(pupils(actors)))
    both_screens_fit(page)
    screenshot(page, "las-leerlingen")

    rows.first.get_by_role("link").click()
    expect(page.locator("nav.tabs a.active")).to_have_text("Personalia")
    for tab in ("Onderwijs", "Toetsen", "Map", "Begeleiding"):
        page.locator("nav.tabs").get_by_role("link", name=tab, exact=True).click()
        expect(page.locator("nav.tabs a.active")).to_have_text(tab)
        assert no_horizontal_scroll(page), tab
    page.get_by_role("navigation", name="Begeleiding").get_by_role(
        "link", name="Zorgvraag (OSO)").click()
    page.get_by_role("link", name="Nieuwe zorgvraag").click()

    expect(page.get_by_label("Routeringskenmerkselectie")).to_have_value(SWV_PO)
    assert LABEL_PO in page.get_by_label("Routeringskenmerkselectie").inner_text()
    for naam in ("School", "Leerling", "Onderwijsondersteuning"):
        box = page.get_by_role("checkbox", name=naam, exact=False).first
        expect(box).to_be_checked()
        expect(box).to_be_disabled()
    page.get_by_label("Korte omschrijving").fill("Begrijpend lezen blijft achter")
    page.get_by_label("Aandachtspunten").fill("Ouders zijn op de hoogte.")
    page.get_by_role("checkbox", name="Toetsresultaten").check()
    page.get_by_role("checkbox", name="Handelingsplannen").check()
    # as in the seed's screenshot, the form starts with Overstapadvies ticked; untick it
    expect(page.get_by_role("checkbox", name="Overstapadvies")).to_be_checked()
    page.get_by_role("checkbox", name="Overstapadvies").uncheck()
    page.get_by_label("Toelichting onderwijsbehoeften").set_input_files(str(toelichting))
    extra = tmp_path / "Groeidocument.pdf"
    extra.write_bytes(pdf_bytes("Groeidocument", ["Doelen en evaluatie."]))
    page.get_by_label("Toegevoegde bijlages").set_input_files(str(extra))
    both_screens_fit(page)
    screenshot(page, "las-nieuwe-zorgvraag")

    # aandachtspunten filled, Overstapadvies not ticked: the LAS asks before anything is sent
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan en verzenden").click()
    expect(page.locator(".msg.error")).to_contain_text("Overstapadvies is niet aangevinkt")
    expect(page.get_by_label("Aandachtspunten")).to_have_value("Ouders zijn op de hoogte.")
    both_screens_fit(page)
    screenshot(page, "las-aandachtspunten-vraag")
    with page.expect_navigation():
        page.get_by_role("button", name="Overstapadvies aanvinken en verzenden").click()
    expect(page.locator(".msg.ok")).to_contain_text("Opgeslagen en verzonden")
    expect(page.get_by_role("button", name="Opslaan en verzenden")).to_have_count(0)
    zid = int(re.search(r"/zorgvragen/(\d+)", page.url).group(1))
    zv = api(las, f"/api/zorgvragen/{zid}")
    assert zv["notificatie_verstuurd"] == "Ja"
    assert {"Toetsresultaten", "Handelingsplannen", "Leerling", "Overstapadvies"} <= set(
        zv["gegevensblokken"])
    assert zv["aandachtspunten"] == "Ouders zijn op de hoogte."
    assert [b["bestandsnaam"] for b in zv["bijlagen"]] == [
        "Toelichting_onderwijsbehoeften.pdf", "Groeidocument.pdf"]


def test_refusal_without_toelichting_keeps_the_form(actors, page, toelichting):
    leerling = pupils(actors)[1]
    page.set_viewport_size({"width": 1366, "height": 768})
    open_zorgvragen(page, actors, leerling["id"])
    before = page.locator("table.zorgvragen tbody tr[data-zorgvraag]").count()
    page.get_by_role("link", name="Nieuwe zorgvraag").click()
    page.get_by_label("Korte omschrijving").fill("Werkhouding")
    page.get_by_label("Aandachtspunten").fill("Na de kerstvakantie opnieuw bekijken.")
    page.get_by_role("checkbox", name="Verzuim").check()
    page.get_by_role("checkbox", name="Overstapadvies").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan en verzenden").click()

    alert = page.locator(".msg.error[role=alert]")
    expect(alert).to_contain_text("Toelichting onderwijsbehoeften is verplicht")
    expect(alert).to_contain_text("Er is niets naar het samenwerkingsverband gestuurd")
    expect(page.get_by_label("Korte omschrijving")).to_have_value("Werkhouding")
    expect(page.get_by_label("Aandachtspunten")).to_have_value("Na de kerstvakantie opnieuw bekijken.")
    expect(page.get_by_role("checkbox", name="Verzuim")).to_be_checked()
    expect(page.get_by_label("Routeringskenmerkselectie")).to_have_value(SWV_PO)
    assert no_horizontal_scroll(page)
    screenshot(page, "las-geweigerd-zonder-toelichting")

    page.get_by_label("Toelichting onderwijsbehoeften").set_input_files(str(toelichting))
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan en verzenden").click()
    expect(page.locator(".msg.ok")).to_contain_text("Opgeslagen en verzonden")
    rows = api(actors.urls["las"], f"/api/leerlingen/{leerling['id']}/zorgvragen")
    assert len(rows) == before + 1 and rows[-1]["omschrijving"] == "Werkhouding"


def test_delete_with_confirmation(actors, page, browser):
    leerling = pupils(actors)[2]
    houden = send_over_api(actors, leerling["id"], "Blijft staan")
    weg = send_over_api(actors, leerling["id"], "Mag weg")
    open_zorgvragen(page, actors, leerling["id"])

    # the dialog says no: nothing changes
    page.once("dialog", lambda d: d.dismiss())
    page.locator(f'tr[data-zorgvraag="{weg["id"]}"]').get_by_role("button").click()
    expect(page.locator(f'tr[data-zorgvraag="{weg["id"]}"]')).to_have_count(1)
    assert page.url.endswith("/zorgvragen")

    # the dialog says yes
    asked = []
    page.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    with page.expect_navigation():
        page.locator(f'tr[data-zorgvraag="{weg["id"]}"]').get_by_role("button").click()
    assert "Mag weg" in asked[0]
    expect(page.locator(".msg.ok")).to_contain_text("“Mag weg” is verwijderd")
    expect(page.locator(f'tr[data-zorgvraag="{weg["id"]}"]')).to_have_count(0)
    expect(page.locator(f'tr[data-zorgvraag="{houden["id"]}"]')).to_have_count(1)

    # without JavaScript the trash button opens a confirmation page
    context = browser.new_context(viewport={"width": 1366, "height": 768}, java_script_enabled=False)
    try:
        p = context.new_page()
        p.set_default_timeout(15000)
        p.goto(actors.urls["las"] + f"/leerlingen/{leerling['id']}/zorgvragen")
        p.locator(f'tr[data-zorgvraag="{houden["id"]}"]').get_by_role("button").click()
        expect(p.get_by_role("heading", name="Zorgvraag verwijderen")).to_be_visible()
        expect(p.locator("main")).to_contain_text("Weet u zeker dat u de zorgvraag “Blijft staan”")
        screenshot(p, "las-verwijderen-bevestigen")
        p.get_by_role("link", name="Nee, terug").click()
        expect(p.locator(f'tr[data-zorgvraag="{houden["id"]}"]')).to_have_count(1)
        p.locator(f'tr[data-zorgvraag="{houden["id"]}"]').get_by_role("button").click()
        p.get_by_role("button", name="Ja, verwijderen").click()
        expect(p.locator(".msg.ok")).to_contain_text("“Blijft staan” is verwijderd")
        expect(p.locator(f'tr[data-zorgvraag="{houden["id"]}"]')).to_have_count(0)
    finally:
        context.close()


def test_sent_zorgvraag_read_only_with_terugkoppeling(actors, page):
    leerling = pupils(actors)[3]
    send_over_api(actors, leerling["id"], "Rekenen: extra ondersteuning")
    zv = send_over_api(actors, leerling["id"], "Onderzoek naar dyslexie")
    k = zv["koppelsleutel"]
    swv = actors.urls["swv"]
    aanvraag = api(swv, f"/api/aanvragen/{k}", params={"wait": "afgemeld", "timeout": 10})
    assert aanvraag["status"] == "afgemeld", aanvraag
    besluit = pdf_bytes("Besluit", ["Het arrangement is toegekend."])
    uitkomst = api(swv, f"/api/aanvragen/{k}/terugkoppeling", "post", json={
        "status": "Toegekend", "behandelaar": "M. de Vries",
        "toelichting": "Arrangement toegekend.\nStart na de herfstvakantie.",
        "document": {"bestandsnaam": "Besluit_arrangement.pdf", "omschrijving": "Besluit",
                     "inhoud_base64": base64.b64encode(besluit).decode()}})
    assert uitkomst["verzonden"], uitkomst

    page.set_viewport_size({"width": 1366, "height": 768})
    open_zorgvragen(page, actors, leerling["id"])
    row = page.locator(f'tr[data-zorgvraag="{zv["id"]}"]')
    cells = row.locator("td")
    expect(cells.nth(3)).to_have_text("Ja")
    expect(cells.nth(4)).to_have_text("Ja")
    both_screens_fit(page)
    screenshot(page, "las-zorgvragen")

    row.get_by_role("link", name="Onderzoek naar dyslexie").click()
    page.wait_for_url(re.compile(rf"/zorgvragen/{zv['id']}$"))
    tk = page.locator("#terugkoppelingen")
    expect(tk.locator(".tkstatus")).to_have_text("Toegekend")
    expect(tk).to_contain_text("M. de Vries")
    expect(tk).to_contain_text("Start na de herfstvakantie.")
    with page.expect_download() as dl:
        tk.get_by_role("link", name="Besluit_arrangement.pdf").click()
    assert dl.value.suggested_filename == "Besluit_arrangement.pdf"
    assert open(dl.value.path(), "rb").read() == besluit
    # read-only: nothing to type in, nothing to send
    assert page.locator("main input:not([type=hidden]):not([disabled]), main textarea, main select").count() == 0
    expect(page.get_by_role("button", name="Opslaan en verzenden")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("kan niet meer worden gewijzigd")
    expect(page.locator("#gegevens")).to_contain_text(LABEL_PO)
    both_screens_fit(page, "las-verzonden-zorgvraag-1920")
    screenshot(page, "las-verzonden-zorgvraag")


def test_pupil_named_script_shows_as_text(actors, page):
    leerling = pupils(actors, "34CD")[0]
    api(actors.urls["las"], f"/api/leerlingen/{leerling['id']}", "patch",
        json={"roepnaam": XSS, "achternaam": XSS})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(actors.urls["las"] + "/?brin=34CD")
    expect(page.locator("table.leerlingen")).to_contain_text(XSS)
    page.goto(actors.urls["las"] + f"/leerlingen/{leerling['id']}")
    expect(page.locator("h1")).to_contain_text(XSS)
    assert dialogs == []
