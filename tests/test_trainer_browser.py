"""Each trainer situation walked from the demo start page in headless Chromium: one click on
its button, the outcome on the start page, then its first link, where the trainer shows it.
Screenshots trainer-<situatie>.png (start page) and trainer-<situatie>-pagina.png (the page
linked): see browser_support.SCREENSHOTS."""
from __future__ import annotations

import pytest
from browser_support import no_horizontal_scroll, screenshot

from harness.cli import demo as cmd_demo
from harness.runtime.actors import Actors
from harness.trainer.scenarios import SITUATIES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# what the linked page must show for the situation to be visible there
OP_DE_PAGINA = {
    "geweigerd-verzenden": "Toelichting",
    "geen-mandaat": "GeenMandaat",
    "inactief-aanleverpunt": "0000000700025PO00931",
    "dossier-met-pgn": "PaO.LL12",
    "late-terugkoppeling": "Deze koppelsleutel hoort bij geen",
    "verlopen-sessie": "verlopen",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with Actors(workdir=tmp_path_factory.mktemp("trainer-browser")) as actors:
        actors.apps["tc"].config["TRAINER_SCENARIOS"] = cmd_demo._trainer(actors, token="t")
        yield actors


@pytest.mark.parametrize("situatie", SITUATIES, ids=[s.naam for s in SITUATIES])
def test_situation_from_the_start_page(demo, page, situatie):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(demo.urls["tc"] + "/demo")
    panel = page.locator("#situaties")
    assert panel.is_visible()
    panel.locator(f"#situatie-{situatie.naam}").get_by_role("button").click()
    uitkomst = page.locator("#uitkomst")
    uitkomst.wait_for(timeout=60_000)
    tekst = uitkomst.inner_text()
    assert situatie.titel in tekst
    assert "ok" in (uitkomst.get_attribute("class") or "").split(), tekst
    assert no_horizontal_scroll(page)
    uitkomst.scroll_into_view_if_needed()
    screenshot(page, f"trainer-{situatie.naam}")

    link = uitkomst.locator("a").first
    href = link.get_attribute("href")
    page.goto(href)
    page.wait_for_load_state()
    assert OP_DE_PAGINA[situatie.naam] in page.content(), href
    screenshot(page, f"trainer-{situatie.naam}-pagina")
