"""The LAS's web pages without a browser (Flask test client), the TC and SWV played by
`responses`: pupil list, leerlingkaart, Begeleiding > Zorgvraag (OSO), the "Nieuwe zorgvraag" form
with its refusals, the read-only sent zorgvraag with its terugkoppeling, and removal."""
from __future__ import annotations

import base64
import io
import re
import zipfile
from html import unescape

import requests

from las_client import ui_zorgvraag
from las_client.zorgvragen import (AANLEVERPUNT_VERPLICHT, OMSCHRIJVING_VERPLICHT, ONVERANDERLIJK,
                                   TOELICHTING_VERPLICHT)
from las_support import (  # noqa: F401  (fixtures)
    PDF, SWV_PO, app, client, document_request, fault, leerling_id, peers, post_soap, soap,
    terugkoppeling_request, zorgvraag_body)
from oso_protocol.transport.messages import (Document, NotificatieResponse,
                                             OverzichtAanleverpuntResponse, Terugkoppeling)

XSS = "<script>alert(1)</script>"
LABEL_PO = "931: 25PO 0000000700025PO00931 SWV PO Rivierenland"
VERPLICHT_PO = {"School", "Schoolloopbaan", "Ouders/Verzorgers", "Algemene dossiergegevens",
                "Leerling", "Onderwijsondersteuning"}


def csrf(client, url="/") -> str:
    client.get(url)
    return client.get_cookie("oso_sim_csrf").value


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def formulier(token: str, **over) -> dict:
    data = {"csrf_token": token, "omschrijving": "Lezen blijft achter",
            "aandachtspunten": "Graag snel contact.", "aanleverpunt": SWV_PO,
            "gegevensblokken": ["Toetsresultaten", "Overstapadvies"],
            "toelichting": (io.BytesIO(PDF), "Toelichting onderwijsbehoeften.pdf")}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def verstuur(client, lid: int, **over):
    token = csrf(client, f"/leerlingen/{lid}/zorgvragen/nieuw")
    return client.post(f"/leerlingen/{lid}/zorgvragen", data=formulier(token, **over),
                       content_type="multipart/form-data")


def zorgvraag_id(resp) -> int:
    assert resp.status_code == 303, resp.text
    return int(re.search(r"/zorgvragen/(\d+)", resp.location).group(1))


def selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    m = re.search(r'<option value="([^"]*)" selected', select)
    return m.group(1) if m else None


def checkboxes(html: str) -> dict[str, dict]:
    out = {}
    for tag in re.findall(r'<input type="checkbox" name="gegevensblokken"[^>]*>', html):
        naam = unescape(re.search(r'value="([^"]*)"', tag).group(1))
        out[naam] = {"checked": " checked" in tag, "disabled": " disabled" in tag}
    return out


def stored(client, lid: int) -> list[dict]:
    return client.get(f"/api/leerlingen/{lid}/zorgvragen").json


# --- the pupil list and the leerlingkaart ----------------------------------------------------------

def test_pupil_list_with_school_filter_and_search(client):
    html = client.get("/").text
    assert "/kit/base.css" in html and "las.css" in html
    for brin in ("12AB", "34CD", "56EF", "78GH"):
        assert f"?brin={brin}" in html
    pupils = client.get("/api/leerlingen").json
    for p in pupils:
        assert f'href="/leerlingen/{p["id"]}"' in html
    only = client.get("/?brin=56EF").text
    assert len(re.findall(r'<tr data-leerling=', only)) == len(
        [p for p in pupils if p["brin"] == "56EF"])
    naam = pupils[0]["naam"]
    found = client.get("/", query_string={"q": naam.split()[-1].upper()}).text
    assert f'href="/leerlingen/{pupils[0]["id"]}"' in found
    assert "Geen leerlingen gevonden" in client.get("/?q=zzzzzz").text
    assert client.get("/las-static/las.css").status_code == 200


def test_leerlingkaart_tabs(client):
    lid = leerling_id(client)
    for path, tab in (("", "Personalia"), ("/onderwijs", "Onderwijs"), ("/toetsen", "Toetsen"),
                      ("/begeleiding", "Begeleiding"), ("/map", "Map")):
        resp = client.get(f"/leerlingen/{lid}{path}")
        assert resp.status_code == 200, path
        active = re.search(r'<a href="[^"]*" class="active" aria-current="page">([^<]+)</a>',
                           resp.text).group(1)
        assert active == tab
        for name in ("Personalia", "Onderwijs", "Toetsen", "Begeleiding", "Map"):
            assert f">{name}</a>" in resp.text
    begeleiding = client.get(f"/leerlingen/{lid}/begeleiding").text
    assert f'href="/leerlingen/{lid}/zorgvragen"' in begeleiding and "Zorgvraag (OSO)" in begeleiding
    assert "Schoolloopbaan" in client.get(f"/leerlingen/{lid}/onderwijs").text


def test_unknown_pupil_and_page_are_dutch_404s(client):
    resp = client.get("/leerlingen/9999")
    assert resp.status_code == 404 and "Leerling 9999 is niet bekend." in resp.text
    assert client.get("/zorgvragen/9999").status_code == 404
    resp = client.get("/bestaat-niet")
    assert resp.status_code == 404 and "Deze pagina bestaat niet." in resp.text
    assert client.get("/api/bestaat-niet").json["fout"]


def test_a_pupil_named_script_shows_as_text(client, peers):
    lid = leerling_id(client)
    client.patch(f"/api/leerlingen/{lid}", json={"achternaam": XSS, "roepnaam": XSS})
    zid = zorgvraag_id(verstuur(client, lid, omschrijving=XSS, aandachtspunten=XSS))
    pages = ["/", f"/leerlingen/{lid}", f"/leerlingen/{lid}/onderwijs",
             f"/leerlingen/{lid}/begeleiding", f"/leerlingen/{lid}/map",
             f"/leerlingen/{lid}/zorgvragen", f"/leerlingen/{lid}/zorgvragen/nieuw",
             f"/zorgvragen/{zid}", f"/zorgvragen/{zid}/verwijderen"]
    for url in pages:
        html = client.get(url).text
        assert "<script>alert" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


# --- Nieuwe zorgvraag: the form ----------------------------------------------------------------

def test_new_form_offers_the_tc_aanleverpunten_and_locks_verplicht_blocks(client, peers):
    lid = leerling_id(client)
    resp = client.get(f"/leerlingen/{lid}/zorgvragen/nieuw")
    assert resp.status_code == 200
    html = resp.text
    for label in ("Korte omschrijving", "Aandachtspunten", "Aanleverpuntselectie",
                  "Gegevensblokken", "Toelichting onderwijsbehoeften", "Toegevoegde bijlages",
                  "Opslaan en verzenden"):
        assert label in html
    assert LABEL_PO in html
    assert selected(html, "aanleverpunt") == SWV_PO  # the only one offered
    assert peers.calls == ["overzichtAanleverpunt"] and peers.messages[0].brin == "12AB"
    boxes = checkboxes(html)
    assert len(boxes) == 11
    assert {n for n, b in boxes.items() if b["checked"] and b["disabled"]} == VERPLICHT_PO
    assert not any(b["disabled"] for n, b in boxes.items() if n not in VERPLICHT_PO)
    # the optional blocks the seed's screenshot shows ticked start ticked; Verzuim does not
    assert {n for n, b in boxes.items() if b["checked"] and not b["disabled"]} == {
        "Handelingsplannen", "Toetsresultaten", "Overstapadvies", "VVE"}
    assert 'name="csrf_token"' in html and 'enctype="multipart/form-data"' in html


def test_vo_pupil_cannot_tick_vve(client, peers):
    html = client.get(f"/leerlingen/{leerling_id(client, '56EF')}/zorgvragen/nieuw").text
    assert checkboxes(html)["VVE"] == {"checked": False, "disabled": True}
    assert "niet toegestaan" in html
    assert "932: 25VO 0000000700025VO00932 SWV VO Rivierenland" in html


def test_tc_without_aanleverpunten_is_explained(client, peers):
    peers.handlers["overzichtAanleverpunt"] = lambda m: soap(OverzichtAanleverpuntResponse())
    lid = leerling_id(client)
    html = client.get(f"/leerlingen/{lid}/zorgvragen/nieuw").text
    assert "geen actief aanleverpunt" in html
    resp = verstuur(client, lid, aanleverpunt="")
    assert resp.status_code == 422
    assert AANLEVERPUNT_VERPLICHT in text(resp.text)
    assert stored(client, lid) == []


def test_tc_unreachable_while_filling_in_is_explained(client, peers):
    peers.handlers["overzichtAanleverpunt"] = lambda m: requests.ConnectionError("down")
    html = text(client.get(f"/leerlingen/{leerling_id(client)}/zorgvragen/nieuw").text)
    assert "De aanleverpunten konden niet bij het Traffic Center worden opgevraagd" in html
    assert "niet bereikbaar" in html


# --- refusals keep the form ----------------------------------------------------------------------

def test_without_csrf_token_nothing_is_stored_or_sent(client, peers):
    lid = leerling_id(client)
    client.get(f"/leerlingen/{lid}/zorgvragen/nieuw")
    peers.calls.clear()
    data = formulier("")
    del data["csrf_token"]
    resp = client.post(f"/leerlingen/{lid}/zorgvragen", data=data,
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "formulier is verlopen" in resp.text
    resp = client.post(f"/leerlingen/{lid}/zorgvragen", data=formulier("x" * 43),
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    assert stored(client, lid) == [] and peers.calls == []


def test_missing_toelichting_is_refused_and_the_form_keeps_what_was_typed(client, peers):
    lid = leerling_id(client)
    resp = verstuur(client, lid, toelichting=None, omschrijving="Rekenen <stagneert>",
                    aandachtspunten="Let op & overleg", gegevensblokken=["Toetsresultaten", "VVE"])
    assert resp.status_code == 422
    html = resp.text
    assert "Niet verzonden." in html and TOELICHTING_VERPLICHT in text(html)
    assert 'role="alert"' in html and 'aria-invalid="true" aria-describedby="fout-toelichting"' in html
    assert 'value="Rekenen &lt;stagneert&gt;"' in html
    assert ">Let op &amp; overleg</textarea>" in html
    assert selected(html, "aanleverpunt") == SWV_PO
    boxes = checkboxes(html)
    assert boxes["Toetsresultaten"]["checked"] and boxes["VVE"]["checked"]
    assert not boxes["Verzuim"]["checked"]
    assert stored(client, lid) == []
    assert "meldenNotificatie" not in peers.calls and "notificatie" not in peers.calls


def test_every_missing_field_is_named_at_once(client, peers):
    lid = leerling_id(client)
    resp = verstuur(client, lid, omschrijving="  ", aanleverpunt="", toelichting=None)
    assert resp.status_code == 422
    page = text(resp.text)
    for message in (OMSCHRIJVING_VERPLICHT, AANLEVERPUNT_VERPLICHT, TOELICHTING_VERPLICHT):
        assert message in page
    assert stored(client, lid) == []


def test_a_chosen_toelichting_survives_a_refusal(client, peers):
    lid = leerling_id(client)
    resp = verstuur(client, lid, omschrijving="", bijlagen=(io.BytesIO(b"extra"), "verslag.txt"))
    assert resp.status_code == 422 and OMSCHRIJVING_VERPLICHT in text(resp.text)
    html = resp.text
    assert "Toegevoegd: <strong>Toelichting onderwijsbehoeften.pdf</strong>" in html
    toelichting = re.search(r'name="toelichting_token" value="([^"]+)"', html).group(1)
    bijlage = re.search(r'name="bijlage_token" value="([^"]+)" checked', html).group(1)

    # another pupil cannot use the token
    other = leerling_id(client, "34CD")
    token = csrf(client)
    resp = client.post(f"/leerlingen/{other}/zorgvragen", content_type="multipart/form-data",
                       data=formulier(token, toelichting=None, toelichting_token=toelichting))
    assert resp.status_code == 422 and TOELICHTING_VERPLICHT in text(resp.text)

    resp = client.post(f"/leerlingen/{lid}/zorgvragen", content_type="multipart/form-data",
                       data=formulier(token, toelichting=None, toelichting_token=toelichting,
                                      bijlage_token=[bijlage], bijlage_bewaard=[bijlage]))
    zid = zorgvraag_id(resp)
    zv = client.get(f"/api/zorgvragen/{zid}").json
    assert [(b["soort"], b["bestandsnaam"]) for b in zv["bijlagen"]] == [
        ("toelichting", "Toelichting onderwijsbehoeften.pdf"), ("bijlage", "verslag.txt")]
    assert zv["notificatie_verstuurd"] == "Ja"
    # used once: the stash is empty again
    assert client.application.extensions["las"]["store"].one(
        "SELECT COUNT(*) AS n FROM formulierbestanden")["n"] == 0


def test_a_kept_bijlage_can_be_left_out(client, peers):
    lid = leerling_id(client)
    html = verstuur(client, lid, toelichting=None,
                    bijlagen=(io.BytesIO(b"extra"), "verslag.txt")).text
    bijlage = re.search(r'name="bijlage_token" value="([^"]+)"', html).group(1)
    resp = client.post(f"/leerlingen/{lid}/zorgvragen", content_type="multipart/form-data",
                       data=formulier(csrf(client), bijlage_bewaard=[bijlage]))
    zv = client.get(f"/api/zorgvragen/{zorgvraag_id(resp)}").json
    assert [b["soort"] for b in zv["bijlagen"]] == ["toelichting"]


def test_too_large_file_is_refused(client, peers, monkeypatch):
    monkeypatch.setattr(ui_zorgvraag, "MAX_BESTAND", 100)
    lid = leerling_id(client)
    resp = verstuur(client, lid, toelichting=(io.BytesIO(b"x" * 101), "groot.pdf"))
    assert resp.status_code == 422
    assert "Het bestand groot.pdf is groter dan 10 MB." in resp.text
    assert stored(client, lid) == []


def test_aanleverpunt_no_longer_offered_at_send_is_refused_with_values_kept(client, peers):
    lid = leerling_id(client)
    client.get(f"/leerlingen/{lid}/zorgvragen/nieuw")
    peers.handlers["overzichtAanleverpunt"] = lambda m: soap(OverzichtAanleverpuntResponse())
    resp = verstuur(client, lid, omschrijving="Gedrag in de klas")
    assert resp.status_code == 422
    page = text(resp.text)
    assert f"Het aanleverpunt {SWV_PO} wordt door OSO niet (meer) aangeboden" in page
    assert 'value="Gedrag in de klas"' in resp.text
    assert f"{SWV_PO} (nu niet aangeboden door OSO)" in page  # the choice stays visible
    assert "Toegevoegd: <strong>Toelichting onderwijsbehoeften.pdf</strong>" in resp.text
    assert stored(client, lid) == []


# --- aandachtspunten travel only in Overstapadvies -----------------------------------------------

def test_aandachtspunten_without_overstapadvies_ask_first_and_send_nothing(client, peers):
    lid = leerling_id(client)
    resp = verstuur(client, lid, gegevensblokken=["Toetsresultaten"])
    assert resp.status_code == 422
    page = text(resp.text)
    assert "het gegevensblok Overstapadvies is niet aangevinkt" in page
    assert "Overstapadvies aanvinken en verzenden" in page
    assert "Verzenden zonder aandachtspunten" in page
    assert stored(client, lid) == [] and "meldenNotificatie" not in peers.calls


def test_choosing_to_tick_overstapadvies_sends_the_aandachtspunten(client, peers):
    lid = leerling_id(client)
    resp = verstuur(client, lid, gegevensblokken=["Toetsresultaten"],
                    aandachtspunten_keuze="aanvinken")
    assert resp.status_code == 303
    zv = client.get(f"/api/zorgvragen/{stored(client, lid)[0]['id']}").json
    assert "Overstapadvies" in zv["gegevensblokken"] and zv["aandachtspunten"] == "Graag snel contact."
    assert zv["aandachtspunten_meegestuurd"] is True
    dossier = client.get(f"/api/zorgvragen/{zv['id']}/dossier").data.decode()
    assert "Graag snel contact." in dossier


def test_choosing_to_leave_them_out_drops_them_openly(client, peers):
    lid = leerling_id(client)
    resp = verstuur(client, lid, gegevensblokken=["Toetsresultaten"],
                    aandachtspunten_keuze="weglaten")
    assert resp.status_code == 303
    zv = client.get(f"/api/zorgvragen/{stored(client, lid)[0]['id']}").json
    assert "Overstapadvies" not in zv["gegevensblokken"] and not zv["aandachtspunten"]


def test_the_sent_page_shows_what_the_dossier_holds_not_the_form(client, peers):
    lid = leerling_id(client)
    zid = zorgvraag_id(verstuur(client, lid, gegevensblokken=["Toetsresultaten"],
                                aandachtspunten_keuze="weglaten"))
    html = client.get(f"/zorgvragen/{zid}").text
    section = text(re.search(r'<section class="card" id="ontvangen">.*?</section>', html,
                             re.DOTALL).group(0))
    assert "Vraag van de school Lezen blijft achter" in section
    assert "Aandachtspunten niet meegestuurd" in section
    assert "Toetsresultaten" in section and "Overstapadvies" not in section
    assert "Toelichting onderwijsbehoeften.pdf – Lezen blijft achter" in section

    zid = zorgvraag_id(verstuur(client, lid))
    section = re.search(r'<section class="card" id="ontvangen">.*?</section>',
                        client.get(f"/zorgvragen/{zid}").text, re.DOTALL).group(0)
    assert "Graag snel contact." in section and "Overstapadvies" in section


def test_the_form_says_where_each_field_goes(client, peers):
    html = text(client.get(f"/leerlingen/{leerling_id(client)}/zorgvragen/nieuw").text)
    assert "als omschrijving van de Toelichting onderwijsbehoeften" in html
    assert "alleen als dat blok is aangevinkt" in html
    assert "Blijft in de LAS" in html


# --- stored, but not delivered -------------------------------------------------------------------

def test_tc_refusal_at_melden_is_shown_with_a_retry(client, peers):
    peers.handlers["meldenNotificatie"] = lambda m: fault("GeenMandaat", "Geen mandaat voor SWV.")
    lid = leerling_id(client)
    zid = zorgvraag_id(verstuur(client, lid))
    page = text(client.get(f"/zorgvragen/{zid}?verzonden=1").text)
    assert "Geweigerd door OSO (GeenMandaat): het samenwerkingsverband heeft niets ontvangen." in page
    assert "Melden notificatie bij het Traffic Center mislukt (GeenMandaat)" in page
    assert "geen mandaat afgegeven" in page
    assert "Opnieuw versturen" in page
    # nothing on the page may say the SWV got it
    for claim in ("Verzonden op", "kan niet meer worden gewijzigd", "Verzonden dossier (XML)"):
        assert claim not in page
    rij = stored(client, lid)[0]
    assert rij["notificatie_verstuurd"] == "Nee"
    assert (rij["toestand"], rij["toestand_tekst"]) == ("geweigerd",
                                                        "geweigerd door OSO (GeenMandaat)")
    overzicht = text(client.get(f"/leerlingen/{lid}/zorgvragen").text)
    assert "geweigerd door OSO (GeenMandaat)" in overzicht

    peers.handlers["meldenNotificatie"] = peers._melden
    token = csrf(client, f"/zorgvragen/{zid}")
    resp = client.post(f"/zorgvragen/{zid}/verzenden", data={"csrf_token": token})
    assert resp.status_code == 303 and resp.location.endswith(f"/zorgvragen/{zid}?opnieuw=1")
    page = text(client.get(resp.location).text)
    assert "Verzonden. De notificatie is afgeleverd bij SWV PO Rivierenland" in page
    assert "Opnieuw versturen" not in page
    assert "Verzonden op" in page and "Verzonden dossier (XML)" in page
    assert stored(client, lid)[0]["toestand"] == "verzonden"


def test_swv_unreachable_is_shown_and_the_retry_reuses_the_koppelsleutel(client, peers):
    peers.handlers["notificatie"] = lambda m: requests.ConnectionError("connection refused")
    lid = leerling_id(client)
    zid = zorgvraag_id(verstuur(client, lid))
    page = text(client.get(f"/zorgvragen/{zid}?verzonden=1").text)
    assert "Versturen notificatie naar het samenwerkingsverband mislukt (NietBereikbaar)" in page
    assert "niet bereikbaar" in page
    peers.handlers["notificatie"] = lambda m: soap(NotificatieResponse())
    client.post(f"/zorgvragen/{zid}/verzenden", data={"csrf_token": csrf(client)})
    assert stored(client, lid)[0]["notificatie_verstuurd"] == "Ja"
    assert peers.count("meldenNotificatie") == 1


# --- sent: read-only, with the terugkoppeling ----------------------------------------------------

def test_sent_zorgvraag_shows_in_the_overview_with_the_seed_columns(client, peers):
    lid = leerling_id(client)
    resp = verstuur(client, lid)
    zid = zorgvraag_id(resp)
    assert "Opgeslagen en verzonden." in client.get(resp.location).text
    html = client.get(f"/leerlingen/{lid}/zorgvragen").text
    heads = [text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
    assert heads == ["Omschrijving", "Gemaakt op", "Deelnameaanleverpunt",
                     "Notificatie verstuurd", "Terugkoppeling ontvangen", "Verwijderen"]
    row = re.search(rf'<tr data-zorgvraag="{zid}">.*?</tr>', html, re.S).group(0)
    cells = [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[0] == "Lezen blijft achter verzonden"
    assert re.fullmatch(r"\d\d-\d\d-\d{4}", cells[1])
    # as ParnasSys: the aanleverpunt's number, its name as tooltip; "Neen" as the seed writes it
    assert re.fullmatch(r"\d{1,3}", cells[2])
    assert 'title="SWV PO Rivierenland"' in row
    assert cells[3:5] == ["Ja", "Neen"]
    assert f'href="/zorgvragen/{zid}"' in row and 'class="icon"' in row
    assert "Nieuwe zorgvraag" in html


def test_sent_zorgvraag_is_read_only_and_refuses_changes(client, peers):
    lid = leerling_id(client)
    zid = zorgvraag_id(verstuur(client, lid))
    html = client.get(f"/zorgvragen/{zid}").text
    assert "Opslaan en verzenden" not in html
    assert 'name="omschrijving"' not in html and 'type="file"' not in html
    assert LABEL_PO in html
    token = csrf(client, f"/zorgvragen/{zid}")
    resp = client.post(f"/zorgvragen/{zid}", content_type="multipart/form-data",
                       data=formulier(token, omschrijving="Iets anders"))
    assert resp.status_code == 409 and ONVERANDERLIJK in text(resp.text)
    assert client.get(f"/api/zorgvragen/{zid}").json["omschrijving"] == "Lezen blijft achter"
    assert "Iets anders" not in client.get(f"/zorgvragen/{zid}").text
    # the attachment and the dossier as sent can be downloaded
    zv = client.get(f"/api/zorgvragen/{zid}").json
    download = client.get(f"/zorgvragen/{zid}/bijlagen/{zv['bijlagen'][0]['id']}")
    assert download.data == PDF and "attachment" in download.headers["Content-Disposition"]
    assert client.get(f"/zorgvragen/{zid}/dossier.xml").data == \
        client.get(f"/api/zorgvragen/{zid}/dossier").data
    assert client.get(f"/zorgvragen/{zid}/bijlagen/9999").status_code == 404


def _zip(naam: str, inhoud: bytes) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(naam, inhoud)
    return base64.b64encode(buf.getvalue()).decode()


def test_terugkoppeling_shown_in_full_with_its_attachment(client, peers):
    lid = leerling_id(client)
    zid = zorgvraag_id(verstuur(client, lid))
    zv = client.get(f"/api/zorgvragen/{zid}").json
    post_soap(client, document_request(zv))  # the SWV fetched the dossier
    besluit = b"%PDF-1.4 besluit"
    tk = Terugkoppeling(status="Aanvullen", datum="2024-03-01T10:00:00",
                        toelichting="Graag het OPP erbij.\nDaarna beslissen wij.",
                        behandelaar="Loket <SWV>",
                        document=[Document(bestandsnaam="besluit.pdf",
                                           bestandsinhoud=_zip("besluit.pdf", besluit),
                                           omschrijving="Besluit")])
    resp, answer = post_soap(client, terugkoppeling_request(zv, terugkoppeling=tk))
    assert resp.status_code == 200, answer

    row = re.search(rf'<tr data-zorgvraag="{zid}">.*?</tr>',
                    client.get(f"/leerlingen/{lid}/zorgvragen").text, re.S).group(0)
    assert [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][4] == "Ja"
    html = client.get(f"/zorgvragen/{zid}").text
    section = re.search(r'<section class="card" id="terugkoppelingen">.*?</section>', html,
                        re.S).group(0)
    page = text(section)
    assert "Aanvullen (meer informatie nodig)" in page
    assert "Graag het OPP erbij.\nDaarna beslissen wij." in unescape(section)
    assert "Loket &lt;SWV&gt;" in section
    assert "01-03-2024" in page and "besluit.pdf" in page and "Besluit" in page
    link = re.search(r'href="(/zorgvragen/\d+/terugkoppelingen/\d+/documenten/0)"', section).group(1)
    download = client.get(link)
    assert download.data == besluit
    assert 'filename=besluit.pdf' in download.headers["Content-Disposition"]
    assert download.headers["Content-Type"] == "application/pdf"
    assert client.get(link[:-1] + "5").status_code == 404
    # the Map tab lists it too
    assert "besluit.pdf" in client.get(f"/leerlingen/{lid}/map").text


# --- removal -------------------------------------------------------------------------------------

def test_delete_asks_first_without_javascript(client, peers):
    lid = leerling_id(client)
    zid = zorgvraag_id(verstuur(client, lid))
    overzicht = client.get(f"/leerlingen/{lid}/zorgvragen").text
    form = re.search(rf'<form method="post" action="/zorgvragen/{zid}/verwijderen".*?</form>',
                     overzicht, re.S).group(0)
    assert 'name="bevestigd" value="0"' in form and "data-bevestig=" in form
    token = csrf(client)

    resp = client.post(f"/zorgvragen/{zid}/verwijderen",
                       data={"csrf_token": token, "bevestigd": "0"})
    assert resp.status_code == 200
    assert "Weet u zeker dat u de zorgvraag" in text(resp.text)
    assert 'name="bevestigd" value="1"' in resp.text
    assert len(stored(client, lid)) == 1
    assert "Weet u zeker" in client.get(f"/zorgvragen/{zid}/verwijderen").text

    resp = client.post(f"/zorgvragen/{zid}/verwijderen", data={"bevestigd": "1"})
    assert resp.status_code == 400 and len(stored(client, lid)) == 1

    resp = client.post(f"/zorgvragen/{zid}/verwijderen",
                       data={"csrf_token": token, "bevestigd": "1"})
    assert resp.status_code == 303
    assert resp.location.endswith(f"/leerlingen/{lid}/zorgvragen?verwijderd={zid}")
    html = client.get(resp.location).text
    assert "De zorgvraag “Lezen blijft achter” is verwijderd." in html
    assert f'data-zorgvraag="{zid}"' not in html
    assert stored(client, lid) == []
    assert client.get(f"/api/zorgvragen/{zid}").json["status"] == "verwijderd"
    assert "Deze zorgvraag is verwijderd" in client.get(f"/zorgvragen/{zid}").text


# --- a concept made over the API ---------------------------------------------------------------

def test_concept_opens_as_form_and_is_sent_from_it(client, peers):
    lid = leerling_id(client)
    body = zorgvraag_body(verzenden=False, toelichting=None, omschrijving="Concept uit script")
    zid = client.post(f"/api/leerlingen/{lid}/zorgvragen", json=body).json["zorgvraag"]["id"]
    html = client.get(f"/zorgvragen/{zid}").text
    assert "concept" in html and 'value="Concept uit script"' in html
    token = csrf(client)
    resp = client.post(f"/zorgvragen/{zid}", content_type="multipart/form-data",
                       data=formulier(token, omschrijving="Concept uit script", toelichting=None))
    assert resp.status_code == 422 and TOELICHTING_VERPLICHT in text(resp.text)
    resp = client.post(f"/zorgvragen/{zid}", content_type="multipart/form-data",
                       data=formulier(token, omschrijving="Concept, nu compleet"))
    assert resp.status_code == 303
    zv = client.get(f"/api/zorgvragen/{zid}").json
    assert zv["status"] == "verzonden" and zv["omschrijving"] == "Concept, nu compleet"
    assert zv["notificatie_verstuurd"] == "Ja"


def test_vo_pupil_is_in_a_klas_not_a_groep(client):
    lid = leerling_id(client, "56EF")
    html = text(client.get(f"/leerlingen/{lid}").text)
    assert re.search(r"Klas \d[A-C]\b", html) and "Groep " not in html.split("Geboren")[0]


def test_codes_show_their_published_labels(client):
    from las_client import codelabels, ui_kaart
    data = {"verzorgers": [{"achternaam": "Jansen", "relatietotkind": "2"},
                           {"achternaam": "Bakker", "relatietotkind": "7"}],
            "schoolloopbaan": [{"schooljaar": "2026-2027", "jaargroep": "12", "groepsnaam": "Klas 2A"}]}
    text_all = repr(ui_kaart.personalia(data))
    assert "'Relatie tot kind', 'Moeder'" in text_all
    assert codelabels.relatie("2") == "Moeder" and codelabels.relatie("1") == "Vader"
    assert codelabels.relatie("7") == "code 7 (codelijst 41 Relatie tot kind)"
    assert codelabels.jaargroep("12") == "VO leerjaar 2" and codelabels.jaargroep("7") == "groep 7"
    assert codelabels.advies("20") == "code 20 (codelijst 2 Advies VO)"
    assert "code 2" not in text_all
    lid = leerling_id(client)
    html = text(client.get(f"/leerlingen/{lid}").text)
    assert "Relatie tot kind code 1 " not in html and "Relatie tot kind code 2 " not in html
