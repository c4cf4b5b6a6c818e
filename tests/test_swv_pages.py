"""The SWV web pages (swv_mock.ui) as a browser gets them: inbox, one aanvraag with its dossier
laid out for a person, downloads and the validation report. Peers are played with `responses`."""
import base64
import json
import random
import re
import io
import zipfile

import pytest

from oso_protocol.dossier.builder import build_dossier
from oso_protocol.dossier.model import Communicatie
from oso_protocol.synthetic import REFERENTIEDATUM, make_leerling, make_school, make_zorgvraag
from oso_protocol.transport.messages import DocumentResponse

from swv_support import (DOSSIER, app, client, make_app, notify, ok, peers)  # noqa: F401

XSS = "<script>alert(1)</script>"


def built(seed="swv-pages", profile="POSWV", change=None) -> bytes:
    rng = random.Random(seed)
    school = make_school(rng, profile)
    ll = make_leerling(rng, profile, school=school)
    if change:
        change(ll, school)
    return build_dossier(ll, school, datum=REFERENTIEDATUM, **make_zorgvraag(rng, ll, profile))


def delivering(xml: bytes):
    return ok(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1",
                               dossier=base64.b64encode(xml).decode()))


def fetched(client, peers, xml: bytes) -> str:
    peers(document=delivering(xml))
    k = notify(client)
    assert client.post(f"/api/aanvragen/{k}/ophalen").get_json()["status"] == "afgemeld"
    return k


@pytest.fixture
def step_client(tmp_path):
    app = make_app(tmp_path, STEP_MODE=True)
    yield app.test_client()
    app.extensions["oso_sim_close"]()


# --- inbox ---------------------------------------------------------------------------------------

def test_empty_inbox_is_dutch_and_styled(client):
    html = client.get("/").text
    assert "Binnengekomen aanvragen" in html
    assert "nog geen aanvragen" in html
    assert "/kit/base.css" in html and "swv.css" in html
    assert client.get("/swv-static/swv.css").status_code == 200
    assert client.get("/kit/base.css").status_code == 200


def test_inbox_lists_the_aanvraag_with_readable_status(client):
    k = notify(client)
    html = client.get("/").text
    assert k in html
    assert "12AB" in html                      # bron BRIN
    assert "SWV PO Rivierenland" in html       # aanleverpunt by name
    assert "Genotificeerd" in html
    # AUTO_FETCH is off in these tests: the SWV needs a click to fetch
    assert "Dossier ophalen" in html


def test_inbox_in_step_mode_has_banner_and_button(step_client):
    k = notify(step_client)
    html = step_client.get("/").text
    assert "Stap voor stap" in html
    assert "Wacht op ophalen" in html
    form = re.search(r'<form method="post" action="/aanvragen/%s/ophalen".*?</form>' % k, html, re.S)
    assert form and 'name="csrf_token"' in form.group(0) and "Dossier ophalen" in form.group(0)


def test_inbox_shows_failed_and_valid_state(client, peers):
    k = fetched(client, peers, DOSSIER)
    html = client.get("/").text
    assert "Afgemeld" in html and k in html


def case_dossier() -> tuple[bytes, object, object]:
    rng = random.Random("swv-zaak")
    school = make_school(rng, "POSWV")
    ll = make_leerling(rng, "POSWV", school=school)
    kw = make_zorgvraag(rng, ll, "POSWV")
    kw["gegevensblokken"] = [*kw["gegevensblokken"], "Schoolloopbaan"]
    kw["toelichting"].omschrijving = "Lezen blijft achter ondanks extra begeleiding"
    return build_dossier(ll, school, datum=REFERENTIEDATUM, **kw), ll, school


def inbox_row(html: str, k: str) -> str:
    return re.search(rf'<tr data-koppelsleutel="{k}">.*?</tr>', html, re.DOTALL).group(0)


def test_inbox_is_a_case_list_with_names_only_after_the_fetch(client, peers):
    xml, ll, school = case_dossier()
    peers(document=delivering(xml))
    k = notify(client)
    row = inbox_row(client.get("/").text, k)
    # the notificatie carries only a koppelsleutel and BRINs: no names before the fetch
    assert ll.achternaam not in row and "nog onbekend" in row and "12AB" in row

    assert client.post(f"/api/aanvragen/{k}/ophalen").get_json()["status"] == "afgemeld"
    row = inbox_row(client.get("/").text, k)
    naam = " ".join(p for p in (ll.roepnaam or ll.voornamen[0], ll.voorvoegsel, ll.achternaam) if p)
    assert naam in row
    assert school.naam in row
    assert "Lezen blijft achter ondanks extra begeleiding" in row
    groep = ll.schoolloopbaan[-1].groepsnaam or ll.schoolloopbaan[-1].groepscode
    assert f'<span class="small muted groep">{groep}</span>' in row
    assert "Afgemeld" in row and "nog niet gegeven" in row
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
    assert re.search(r"\d\d-\d\d-\d{4}", cells[4])  # opgehaald op
    page = client.get(f"/aanvragen/{k}").text
    assert "Vraag van de school" in page and "Lezen blijft achter ondanks extra begeleiding" in page


def test_inbox_shows_the_terugkoppeling_instead_of_staying_afgemeld(client, peers):
    peers(document=delivering(DOSSIER))
    k = notify(client)
    client.post(f"/api/aanvragen/{k}/ophalen")
    resp = client.post(f"/api/aanvragen/{k}/terugkoppeling",
                       json={"status": "InBehandeling", "toelichting": "We kijken ernaar."})
    assert resp.status_code == 200, resp.get_json()
    row = inbox_row(client.get("/aanvragen-lijst").text, k)
    assert "In behandeling" in row and "nog niet gegeven" not in row


def test_inbox_list_part_is_served_alone_for_the_refresh_script(client):
    k = notify(client)
    page = client.get("/").text
    assert 'data-vernieuw="/aanvragen-lijst"' in page and "inbox.js" in page
    assert "Vernieuwen" not in page.split("<noscript>")[0]  # no manual reload needed
    part = client.get("/aanvragen-lijst")
    assert part.status_code == 200 and k in part.text and "<html" not in part.text
    assert client.get("/swv-static/inbox.js").status_code == 200


# --- one aanvraag --------------------------------------------------------------------------------

def test_unknown_aanvraag_is_404_in_dutch(client):
    resp = client.get("/aanvragen/00000000-0000-0000-0000-000000000000")
    assert resp.status_code == 404
    assert "Aanvraag niet gevonden" in resp.text


def test_waiting_aanvraag_has_no_dossier_yet(step_client):
    k = notify(step_client)
    html = step_client.get(f"/aanvragen/{k}").text
    assert "Wacht op ophalen" in html
    assert 'id="dossier"' not in html
    assert "nog niet opgehaald" in html
    assert "Notificatie ontvangen" in html     # the step from the message log


def test_dossier_is_laid_out_per_category(client, peers):
    k = fetched(client, peers, built())
    html = client.get(f"/aanvragen/{k}").text
    for titel in ("Leerling", "School", "Ouders/verzorgers", "Schoolloopbaan",
                  "Onderwijsondersteuning", "Toelichting onderwijsbehoeften",
                  "Categorie uitlevering"):
        assert f">{titel}<" in html, titel
    # steps from the message log, with outcomes
    for stap in ("Overdracht aangevraagd bij de TC", "Dossier opgevraagd bij de LAS",
                 "Sessie afgemeld bij de TC", "OverdrachtGeslaagd"):
        assert stap in html
    # the declared categories: OPT-UIT/VERBODEN are explained
    assert "VERBODEN" in html and "niet toegestaan voor dit profiel" in html
    # dates as a Dutch reader writes them
    assert re.search(r"\b\d{2}-\d{2}-\d{4}\b", html)
    assert "Validatierapport" in html


def test_only_present_categories_get_a_section(client, peers):
    k = fetched(client, peers, built())
    html = client.get(f"/aanvragen/{k}").text
    # POSWV: eindtoets and VO-MBO are VERBODEN, so never a section
    assert 'id="sectie-eindtoets-basisonderwijs"' not in html
    assert 'id="sectie-vo-mbo"' not in html
    assert 'id="sectie-leerling"' in html


def test_secret_data_is_shown_masked(client, peers):
    def secret(ll, school):
        ll.adresgeheim = True
        ll.communicatie = [Communicatie("telefoon", "0612345678", "prive", geheim=True),
                           Communicatie("e-mail", "kind@example.nl", "prive", geheim=True)]
    k = fetched(client, peers, built(change=secret))
    html = client.get(f"/aanvragen/{k}").text
    leerling = html.split('id="sectie-leerling"')[1].split("</section>")[0]
    assert ">geheim<" in leerling
    assert ">afgeschermd<" in leerling
    assert "9999999999" not in leerling and "geheim@geheim.geheim" not in leerling
    assert "0612345678" not in html and "kind@example.nl" not in html


def test_names_are_escaped(client, peers):
    def evil(ll, school):
        ll.achternaam = XSS
        school.naam = XSS
    k = fetched(client, peers, built(change=evil))
    for url in (f"/aanvragen/{k}", "/"):
        html = client.get(url).text
        assert "<script>alert(1)</script>" not in html
    html = client.get(f"/aanvragen/{k}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_attachment_download_gives_the_inner_file(client, peers):
    k = fetched(client, peers, built())
    html = client.get(f"/aanvragen/{k}").text
    links = re.findall(r'href="(/aanvragen/%s/bijlagen/\d+)"' % k, html)
    assert links
    resp = client.get(links[0])
    assert resp.status_code == 200
    assert resp.data.startswith(b"%PDF")
    assert "attachment" in resp.headers["Content-Disposition"]
    assert ".pdf" in resp.headers["Content-Disposition"]
    assert resp.headers["Content-Type"] == "application/pdf"
    assert client.get(f"/aanvragen/{k}/bijlagen/999").status_code == 404


# a bare dossier holding one attachment; our SWV refuses it (XSD), so the page tests below store
# it the way a SWV that kept it would have
MINIMAL = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
           b'<dossier xmlns="http://www.edustandaard.nl/oso_gegevensset/2019/dossier">'
           b'<overdrachtsoort>swv-dossier</overdrachtsoort></dossier>')


def stored(client, peers, app, xml: bytes) -> str:
    k = fetched(client, peers, DOSSIER)
    app.extensions["swv"].inbox.update(k, dossier=xml)
    return k


def _with_document(inhoud_b64: str) -> bytes:
    return MINIMAL.replace(b"</dossier>", (
        b"<huidigeschool><leerling><overigdocumentlijst><document>"
        b"<bestandsnaam>verslag.pdf</bestandsnaam><bestandsinhoud>" + inhoud_b64.encode() +
        b"</bestandsinhoud></document></overigdocumentlijst></leerling></huidigeschool></dossier>"))


def test_broken_zip_falls_back_to_the_raw_zip(client, peers, app):
    broken = base64.b64encode(b"PK\x03\x04 dit is geen zip").decode()
    k = stored(client, peers, app, _with_document(broken))
    resp = client.get(f"/aanvragen/{k}/bijlagen/0")
    assert resp.status_code == 200
    assert resp.data == b"PK\x03\x04 dit is geen zip"
    assert "verslag.pdf.zip" in resp.headers["Content-Disposition"]


def test_zip_with_other_inner_name_still_downloads(client, peers, app):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("anders.txt", b"hallo")
    k = stored(client, peers, app, _with_document(base64.b64encode(buf.getvalue()).decode()))
    resp = client.get(f"/aanvragen/{k}/bijlagen/0")
    assert resp.data == b"hallo" and "anders.txt" in resp.headers["Content-Disposition"]


def test_unreadable_base64_attachment_is_a_dutch_message(client, peers, app):
    k = stored(client, peers, app, _with_document("!!!geen base64!!!"))
    resp = client.get(f"/aanvragen/{k}/bijlagen/0")
    assert resp.status_code == 422 and "geen geldige base64" in resp.text


def test_raw_xml_download_is_byte_exact(client, peers):
    xml = built()
    k = fetched(client, peers, xml)
    resp = client.get(f"/aanvragen/{k}/dossier.xml")
    assert resp.data == xml
    assert "attachment" in resp.headers["Content-Disposition"]
    assert f'href="/aanvragen/{k}/dossier.xml"' in client.get(f"/aanvragen/{k}").text


def test_validation_report_grouped_by_layer(client, peers, app):
    k = fetched(client, peers, DOSSIER)
    rapport = {"file": None, "valid": False, "profile": "POSWV", "findings": [
        {"rule": "XSD", "layer": "xsd", "severity": "fout", "location": "/dossier[1]",
         "message": "Element 'x' is niet verwacht."},
        {"rule": "PaO.LL01", "layer": "standard", "severity": "fout",
         "location": "/dossier[1]/huidigeschool[1]/leerling[1]",
         "message": "In een SWV-dossier is minimaal één voornaam verplicht bij een leerling."},
        {"rule": "OSS.XYZ", "layer": "project", "severity": "waarschuwing",
         "location": "/dossier[1]/metadata[1]", "message": "Let op <dit>."},
    ]}
    app.extensions["swv"].inbox.update(k, rapport=json.dumps(rapport), valid=0)
    html = client.get(f"/aanvragen/{k}").text
    report = html.split('id="validatierapport"')[1]
    assert "Ongeldig dossier (profiel POSWV): 2 fout(en) en 1 waarschuwing(en)." in report
    xsd = report.split('id="laag-xsd"')[1].split('id="laag-standard"')[0]
    standard = report.split('id="laag-standard"')[1].split('id="laag-project"')[0]
    project = report.split('id="laag-project"')[1]
    assert "Element &#39;x&#39; is niet verwacht." in xsd
    assert "PaO.LL01" in standard and "Voornaam leerling verplicht" in standard  # rule title
    assert "/dossier[1]/huidigeschool[1]/leerling[1]" in standard
    assert "OSS.XYZ" in project and "Let op &lt;dit&gt;." in project
    assert "Standaard (gegevensset 2019.1)" in report


def test_validation_verdict_valid_and_unknown(client, peers, app):
    k = fetched(client, peers, DOSSIER)
    html = client.get(f"/aanvragen/{k}").text
    verdict = re.search(r'class="msg [a-z]+ verdict"><strong>(.*?)</strong>', html).group(1)
    if app.extensions["swv"].inbox.row(k)["valid"] is None:
        assert verdict.startswith("Niet volledig gevalideerd")
    app.extensions["swv"].inbox.update(k, rapport=json.dumps(
        {"file": None, "valid": True, "profile": "POSWV", "findings": []}), valid=1)
    html = client.get(f"/aanvragen/{k}").text
    assert "Geldig dossier (profiel POSWV): geen fouten." in html


def test_failed_fetch_shows_the_reason(client, peers):
    from swv_support import fault_body
    peers(overdracht=fault_body("GeenMandaat", "Geen mandaat voor 12AB"))
    k = notify(client)
    client.post(f"/api/aanvragen/{k}/ophalen")
    html = client.get(f"/aanvragen/{k}").text
    assert "Mislukt" in html and "Geen mandaat voor 12AB" in html and "GeenMandaat" in html
    assert "Opnieuw ophalen" in html


def test_times_are_shown_in_dutch_local_time():
    from swv_mock.ui import datumtijd
    assert datumtijd("2024-03-01T10:15:30.123+00:00") == "01-03-2024 11:15:30"   # CET
    assert datumtijd("2024-07-01T10:15:30+00:00") == "01-07-2024 12:15:30"       # CEST
    assert datumtijd("geen tijd") == "geen tijd"
