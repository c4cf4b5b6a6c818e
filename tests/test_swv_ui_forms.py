"""The SWV's forms: Dossier ophalen and the terugkoppeling, each a CSRF-protected POST that
works without JavaScript and ends on a page that says what happened."""
import base64
import re
import io
import zipfile

import pytest

from oso_protocol.transport.messages import TERUGKOPPELING_STATUSSEN

from swv_support import (CONNECTION_ERROR, app, client, fault_body, make_app,  # noqa: F401
                         notify, peers)


def csrf(client, url="/") -> str:
    """The token a page hands out (cookie and hidden field carry the same value)."""
    client.get(url)
    return client.get_cookie("oso_sim_csrf").value


@pytest.fixture
def step_app(tmp_path):
    app = make_app(tmp_path, STEP_MODE=True)
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def step_client(step_app):
    return step_app.test_client()


def fetched(client, peers, **answers) -> str:
    p = peers(**answers)
    k = notify(client)
    client.post(f"/api/aanvragen/{k}/ophalen")
    return k, p


# --- Dossier ophalen -----------------------------------------------------------------------------

def test_step_mode_fetches_only_on_the_click(step_client, peers):
    p = peers()
    k = notify(step_client)
    assert p.operations() == []                       # nothing fetched by itself
    token = csrf(step_client)
    resp = step_client.post(f"/aanvragen/{k}/ophalen", data={"csrf_token": token})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/aanvragen/{k}")
    assert p.operations() == ["overdracht", "document", "afmelding"]
    html = step_client.get(resp.headers["Location"]).text
    assert "Afgemeld" in html and 'id="dossier"' in html
    assert f"/aanvragen/{k}/ophalen" not in step_client.get("/").text


def test_ophalen_without_token_is_refused(step_client, peers):
    p = peers()
    k = notify(step_client)
    resp = step_client.post(f"/aanvragen/{k}/ophalen")
    assert resp.status_code == 400
    assert "formulier is verlopen" in resp.text
    assert p.operations() == []


def test_ophalen_with_wrong_token_is_refused(step_client, peers):
    p = peers()
    k = notify(step_client)
    csrf(step_client)  # sets the cookie
    resp = step_client.post(f"/aanvragen/{k}/ophalen", data={"csrf_token": "x" * 43})
    assert resp.status_code == 400 and p.operations() == []


def test_ophalen_of_unknown_aanvraag_is_404(step_client):
    notify(step_client)  # a form on the page, so a token is handed out
    token = csrf(step_client)
    resp = step_client.post("/aanvragen/00000000-0000-0000-0000-000000000000/ophalen",
                            data={"csrf_token": token})
    assert resp.status_code == 404


# --- the terugkoppeling form ---------------------------------------------------------------------

def test_form_offers_every_status_and_the_fields(client, peers):
    k, _ = fetched(client, peers)
    html = client.get(f"/aanvragen/{k}").text
    form = re.search(r'<form method="post" action="/aanvragen/%s/terugkoppeling".*?</form>' % k,
                     html, re.S).group(0)
    assert 'enctype="multipart/form-data"' in form and 'name="csrf_token"' in form
    for status in TERUGKOPPELING_STATUSSEN:
        assert f'value="{status}"' in form
    for name in ("behandelaar", "toelichting", "bijlage"):
        assert f'name="{name}"' in form
    assert '<label for="tk-toelichting">Toelichting</label>' in form


def test_terugkoppeling_sent_with_attachment(client, peers):
    k, p = fetched(client, peers)
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling", content_type="multipart/form-data", data={
        "csrf_token": token, "status": "Toegekend", "behandelaar": "M. de Vries",
        "toelichting": "Arrangement toegekend.\nStart na de herfstvakantie.",
        "omschrijving": "Besluit", "bijlage": (io.BytesIO(b"%PDF-1.4 besluit"), "besluit.pdf")})
    assert resp.status_code == 303
    html = client.get(resp.headers["Location"]).text
    assert "Verzonden." in html
    assert "M. de Vries" in html and "besluit.pdf" in html and "Toegekend" in html
    sent, = p.sent("terugkoppeling")
    tk = sent.terugkoppeling
    assert (tk.status, tk.behandelaar) == ("Toegekend", "M. de Vries")
    assert tk.toelichting == "Arrangement toegekend.\nStart na de herfstvakantie."
    doc, = tk.document
    assert doc.bestandsnaam == "besluit.pdf" and doc.omschrijving == "Besluit"
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(doc.bestandsinhoud))) as zf:
        assert zf.read("besluit.pdf") == b"%PDF-1.4 besluit"


def test_terugkoppeling_refused_by_the_tc_shows_code(client, peers):
    k, p = fetched(client, peers, meldenTerugkoppeling=fault_body(
        "DossierNietOpgehaald", "Het dossier is nog niet opgehaald."))
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling",
                       data={"csrf_token": token, "status": "Ontvangen"})
    html = client.get(resp.headers["Location"]).text
    outcome = re.search(r'class="msg error outcome">(.*?)</div>', html, re.S).group(1)
    assert "Niet verzonden." in outcome
    assert "De TC weigerde de terugkoppeling" in outcome
    assert "DossierNietOpgehaald" in outcome
    assert "haal het eerst op" in outcome            # a Dutch explanation of the code
    assert p.sent("terugkoppeling") == []


def test_terugkoppeling_refused_by_the_las(client, peers):
    k, _ = fetched(client, peers, terugkoppeling=fault_body(
        "LeerlinginfoNietBeschikbaar", "De zorgvraag is verwijderd."))
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling",
                       data={"csrf_token": token, "status": "Afgewezen"})
    html = client.get(resp.headers["Location"]).text
    assert "De LAS nam de terugkoppeling niet aan" in html
    assert "LeerlinginfoNietBeschikbaar" in html
    assert "mislukt: LeerlinginfoNietBeschikbaar" in html   # in the list of earlier ones


def test_terugkoppeling_las_unreachable(client, peers):
    k, _ = fetched(client, peers, terugkoppeling=CONNECTION_ERROR)
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling",
                       data={"csrf_token": token, "status": "Ontvangen"})
    html = client.get(resp.headers["Location"]).text
    assert "NietBereikbaar" in html and "niet bereikbaar" in html


def test_terugkoppeling_without_status_keeps_the_input(client, peers):
    k, p = fetched(client, peers)
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling", data={
        "csrf_token": token, "status": "", "toelichting": "<b>mijn tekst</b>"})
    assert resp.status_code == 400
    assert "Kies een status" in resp.text
    assert "&lt;b&gt;mijn tekst&lt;/b&gt;</textarea>" in resp.text
    assert p.sent("meldenTerugkoppeling") == []


def test_terugkoppeling_with_unknown_status_is_refused(client, peers):
    k, p = fetched(client, peers)
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling",
                       data={"csrf_token": token, "status": "Verzonnen"})
    assert resp.status_code == 400 and "Onbekende status" in resp.text
    assert p.sent("meldenTerugkoppeling") == []


def test_empty_attachment_is_refused(client, peers):
    k, p = fetched(client, peers)
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling", content_type="multipart/form-data", data={
        "csrf_token": token, "status": "Ontvangen", "bijlage": (io.BytesIO(b""), "leeg.pdf")})
    assert resp.status_code == 400 and "leeg" in resp.text
    assert p.sent("meldenTerugkoppeling") == []


def test_terugkoppeling_without_token_is_refused(client, peers):
    k, p = fetched(client, peers)
    resp = client.post(f"/aanvragen/{k}/terugkoppeling", data={"status": "Ontvangen"})
    assert resp.status_code == 400 and p.sent("meldenTerugkoppeling") == []


def test_earlier_terugkoppelingen_are_listed_newest_first(client, peers):
    k, _ = fetched(client, peers)
    token = csrf(client, f"/aanvragen/{k}")
    for status, tekst in (("Ontvangen", "eerste"), ("InBehandeling", "tweede")):
        client.post(f"/aanvragen/{k}/terugkoppeling",
                    data={"csrf_token": token, "status": status, "toelichting": tekst})
    html = client.get(f"/aanvragen/{k}").text
    lijst = html.split("Eerdere terugkoppelingen")[1]
    assert lijst.index("tweede") < lijst.index("eerste")
    assert "In behandeling" in lijst


def test_reload_after_sending_does_not_send_again(client, peers):
    k, p = fetched(client, peers)
    token = csrf(client, f"/aanvragen/{k}")
    resp = client.post(f"/aanvragen/{k}/terugkoppeling",
                       data={"csrf_token": token, "status": "Ontvangen"})
    client.get(resp.headers["Location"])
    client.get(resp.headers["Location"])
    assert len(p.sent("terugkoppeling")) == 1
