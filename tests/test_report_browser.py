"""report.html as a certifier sees it, in headless Chromium: the contrast of every badge, step row
and message box (WCAG 2 AA: at least 4.5:1 for text), the failing step marked by more than colour,
Dutch labels. Screenshots: report-overzicht.png and report-mislukte-stap.png (browser_support)."""
from __future__ import annotations

import pytest
from browser_support import screenshot_path

from harness.evidence.report import write_reports

pytestmark = [pytest.mark.browser]

KEY = "01AD8CFC-3957-4B0E-9C39-000000000001"
RESPONSE = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
            '<oso:documentResponse xmlns:oso="urn:x"><oso:resultaat>DossierGeleverd</oso:resultaat>'
            '</oso:documentResponse></soapenv:Body></soapenv:Envelope>')

SCENARIOS = [
    {"nodeid": "f", "name": "Een VO-dossier is geldig", "voorbeeld": {"profiel": "VO", "blok": "alle"},
     "feature": "Elk dossier dat de LAS levert is geldig", "tags": ["las", "mandatory"], "outcome": "mislukt",
     "duration_s": 1.25, "koppelsleutels": [KEY],
     "reden": "AssertionError: dossier ongeldig: OSS.VVE01 [projectregels] /dossier/cat_vve: VVE voor een VO-leerling",
     "trace": "Traceback (most recent call last):\n  ...\nAssertionError: dossier ongeldig: OSS.VVE01",
     "steps": [{"keyword": "Gegeven", "name": "een VO-leerling in de LAS", "status": "geslaagd"},
               {"keyword": "Als", "name": "de school een zorgvraag verstuurt met alle gegevensblokken",
                "status": "geslaagd"},
               {"keyword": "Dan", "name": "doorstaat het dossier de volledige validatie", "status": "mislukt",
                "error": "AssertionError: dossier ongeldig: OSS.VVE01 VVE voor een VO-leerling"}],
     "messages": [{"actor": "LAS", "side": "server", "direction": "out", "operation": "document",
                   "element": "documentResponse", "koppelsleutel": KEY, "outcome": "DossierGeleverd",
                   "ts": "2026-11-30T18:42:05.123+00:00", "xml": RESPONSE},
                  {"actor": "TC", "side": "server", "direction": "out", "operation": "sessiecontrole",
                   "element": "Fault", "outcome": "SessieReedsAfgemeld", "http_status": 500, "xml": "<Fault/>"}]},
    {"nodeid": "g", "name": "Zorgvraag, ophalen en terugkoppeling", "feature": "Uitwisseling",
     "tags": ["las", "swv", "mandatory"], "outcome": "geslaagd", "duration_s": 0.8, "koppelsleutels": [KEY],
     "reden": "", "steps": [{"keyword": "Gegeven", "name": "een PO-leerling in de LAS", "status": "geslaagd"},
                            {"keyword": "Dan", "name": "ontvangt het SWV het dossier", "status": "geslaagd"}]},
    {"nodeid": "n", "name": "Het SWV meldt af", "feature": "Sessies", "tags": ["swv", "mandatory"],
     "outcome": "niet van toepassing", "duration_s": 0.0, "reden": "dit scenario test het SWV", "steps": []},
    {"nodeid": "v", "name": "De LAS toont de terugkoppeling", "feature": "Terugkoppeling",
     "tags": ["las", "mandatory"], "outcome": "niet geverifieerd", "duration_s": 0.1,
     "reden": "harness.conformance.drivers.http.DriverError: LAS op http://127.0.0.1:1/oso: geen verbinding",
     "steps": [{"keyword": "Dan", "name": "toont de LAS de terugkoppeling", "status": "niet geverifieerd",
                "error": "LAS op http://127.0.0.1:1/oso: geen verbinding"}]},
]

RUN = {"oso_sim_versie": "0.1.0", "git_commit": "9384217", "python": "3.11.7 (cpython)", "tags": "@mandatory",
       "configuratiebestand": "las.toml", "configuratie": {"las": {"base_url": "https://las.voorbeeld.nl",
                                                                    "client_key": "[weggelaten]"}},
       "systeem_onder_test": [{"rol": "las", "url": "https://las.voorbeeld.nl", "brin": "12AB",
                               "routeringskenmerk": "0000000700012AB00950", "certificaat": "CN=Voorbeeld LAS"}],
       "verbinding": "wederzijdse TLS", "start": "2026-11-30T18:42:05+00:00", "einde": "2026-11-30T18:43:10+00:00",
       "start_nl": "30 november 2026 19:42:05 (CET)", "einde_nl": "30 november 2026 19:43:10 (CET)",
       "duur_s": 65.0, "duur_nl": "1 min 5 s"}

# WCAG 2 relative luminance and contrast of each element's text against the first opaque
# background behind it (the element's own or an ancestor's).
CONTRAST_JS = """
(selector) => {
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const fg = rgb(getComputedStyle(el).color).slice(0, 3), bg = background(el);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    return {text: el.innerText.trim().slice(0, 60), fg: fg.join(','), bg: bg.join(','),
            ratio: (hi + 0.05) / (lo + 0.05)};
  });
}
"""

CHECKED = [".badge", ".steplabel", "ol.steps li", "ol.steps li .kw", "ol.steps li .icon", ".steperror", ".msg",
           ".ngmsg", ".skipmsg", ".oordeel", ".scenario summary strong", ".tag", ".meta-line small",
           "table.meta td", "table.counts td", "table.msgs td", ".rule", "h1", "h2", "h3"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rapport")
    write_reports(folder, SCENARIOS, {"naam": "Voorbeeld LAS", "leverancier": "Voorbeeld BV", "sut_rollen": ["las"],
                                      "verbinding": "wederzijdse TLS"},
                  selection={"tags": "@mandatory", "weggelaten": []}, run=RUN)
    return folder / "report.html"


def test_every_text_has_aa_contrast_and_the_failing_step_is_marked(page, report):
    page.goto(report.as_uri())
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    low = []
    seen = 0
    for selector in CHECKED:
        for row in page.evaluate(CONTRAST_JS, selector):
            seen += 1
            if row["ratio"] < 4.5:
                low.append((selector, row))
    assert seen > 60, seen
    assert not low, low
    # one row per outcome, each of them measured above
    rows = page.locator("ol.steps li")
    classes = [rows.nth(i).get_attribute("class") for i in range(rows.count())]
    assert {"geslaagd", "mislukt", "ng"} <= set(classes)
    failing = page.locator("ol.steps li.mislukt")
    assert failing.count() == 1
    # marked by more than colour: an icon, a border and the word
    assert "✗" in failing.inner_text() and "mislukt" in failing.inner_text()
    border = failing.evaluate("e => parseFloat(getComputedStyle(e).borderLeftWidth)")
    assert border >= 3
    passed = page.locator("ol.steps li.geslaagd").first
    assert passed.evaluate("e => getComputedStyle(e).color") == "rgb(29, 35, 41)"
    # Dutch, with the example values and without Python class names in the visible text
    visible = page.evaluate("""() => { const c = document.body.cloneNode(true);
        c.querySelectorAll('details.techniek, pre').forEach(e => e.remove()); return c.innerText; }""")
    assert "Een VO-dossier is geldig (profiel: VO, blok: alle)" in visible
    assert "AssertionError" not in visible and "DriverError" not in visible
    for label in ("Oordeel:", "geslaagd", "mislukt", "niet van toepassing", "niet geverifieerd",
                  "30 november 2026 19:42:05 (CET)", "CN=Voorbeeld LAS", "1 min 5 s", "git-commit 9384217"):
        assert label in visible, label
    for english in ("passed", "failed", "skipped", "Feature:"):
        assert english not in visible, english
    assert "documentResponse" in visible and "verzonden" in visible
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
    page.evaluate("document.querySelectorAll('details.scenario.s-mislukt').forEach(d => d.open = true)")
    page.screenshot(path=str(screenshot_path("report-overzicht")), full_page=False)
    page.locator("details.scenario.s-mislukt").screenshot(path=str(screenshot_path("report-mislukte-stap")))
