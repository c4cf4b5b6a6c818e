"""Attacks on the actors' resources, each next to the legitimate use that must keep working:
messages shaped to cost memory, ZIP bombs, oversized attachments and answers, and callers that
hold the request threads. Memory figures are in benchmarks/soap_memory.py, not here."""
from __future__ import annotations

import base64
import io
import json
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

import las_support
import swv_support
from actor_kit.messagelog import MessageLog
from actor_kit.server import ServerThread
from actor_kit.soap_client import SoapClient
from actor_kit.soap_endpoint import REFUSED_LOG_BYTES
from actor_kit.store import Store
from actor_kit.zipsafe import MAX_UNPACKED_BYTES, TooLarge, unpack_one
from las_client.ui_uploads import MAX_BESTAND, te_groot
from las_support import peers  # noqa: F401  (fixture)
from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (Document, NotificatieResponse, Terugkoppeling)
from swv_mock import ui_dossier

MIB = 1024 * 1024


@pytest.fixture
def las(tmp_path):
    app = las_support.make_app(tmp_path / "las.sqlite")
    yield app
    app.extensions["oso_sim_close"]()


def _notificatie() -> bytes:
    return codec.encode(swv_support.notificatie(swv_support.new_key()))


def _with_attributes(n: int) -> bytes:
    attrs = b" " + b" ".join(b'a%d="1"' % i for i in range(n))
    return _notificatie().replace(b"<oso:bronBrin>", b"<oso:bronBrin" + attrs + b">", 1)


# --- SOAP messages shaped to cost memory ---------------------------------------------------------

def test_200k_attribute_message_is_refused_before_it_is_parsed(monkeypatch):
    attack = _with_attributes(200_000)
    assert len(attack) > 2 * MIB

    def no_parse(*_a, **_k):
        raise AssertionError("the message reached the XML parser")

    monkeypatch.setattr(codec, "parse_bytes", no_parse)
    with pytest.raises(OsoFault) as info:
        codec.decode(attack)
    assert info.value.resultaat == faults.ONGELDIG_BERICHT and "attributen" in info.value.omschrijving
    monkeypatch.undo()
    assert codec.decode(_notificatie()).koppelsleutel  # an ordinary message still passes


def test_message_of_many_small_tags_is_refused():
    attack = _notificatie().replace(b"<oso:bronBrin>", b"<oso:bronBrin>" + b"<x/>" * 60_000, 1)
    with pytest.raises(OsoFault) as info:
        codec.decode(attack)
    assert "tags" in info.value.omschrijving
    # a register overview of a thousand aanleverpunten stays well inside the bound
    assert codec.MAX_MARKUP > 1000 * 20


def test_schema_error_quotes_a_huge_value_only_in_part():
    attack = _notificatie().replace(b"<oso:bronBrin>12AB", b"<oso:bronBrin>" + b"A" * MIB, 1)
    with pytest.raises(OsoFault) as info:
        codec.decode(attack)
    assert "voldoet niet aan het schema" in info.value.omschrijving
    assert len(info.value.omschrijving) < 1000


def test_refused_huge_message_is_logged_with_its_start_only(tmp_path):
    app = swv_support.make_app(tmp_path)
    try:
        client = app.test_client()
        attack = _with_attributes(200_000)
        resp = client.post("/oso", data=attack, headers={"Content-Type": codec.CONTENT_TYPE})
        assert resp.status_code == codec.HTTP_STATUS_FAULT
        assert client.get("/api/aanvragen").json == []
        logged = [e for e in client.get("/api/berichten?xml=1").json["berichten"]
                  if e["direction"] == "in"]
        assert len(logged) == 1
        assert REFUSED_LOG_BYTES <= len(logged[0]["xml"]) < REFUSED_LOG_BYTES + 200
        assert f"ingekort: {len(attack)} bytes" in logged[0]["xml"]
        k = swv_support.notify(client)  # and a good notificatie is logged whole
        good = [e for e in client.get(f"/api/berichten?xml=1&koppelsleutel={k}").json["berichten"]
                if e["direction"] == "in"]
        assert good and "ingekort" not in good[0]["xml"]
    finally:
        app.extensions["oso_sim_close"]()


# --- ZIP bombs -----------------------------------------------------------------------------------

def _zip(naam: str, inhoud: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(naam, inhoud)
    return buf.getvalue()


def _terugkoppeling_met(client, document: Document) -> str:
    lid = las_support.leerling_id(client)
    zv = client.post(f"/api/leerlingen/{lid}/zorgvragen",
                     json=las_support.zorgvraag_body()).json["zorgvraag"]
    las_support.post_soap(client, las_support.document_request(zv))  # the SWV fetched it
    tk = Terugkoppeling(status="Toegekend", datum="2024-03-01T10:00:00", document=[document])
    resp, answer = las_support.post_soap(client, las_support.terugkoppeling_request(
        zv, terugkoppeling=tk))
    assert resp.status_code == 200, answer
    tk_id = client.get(f"/api/zorgvragen/{zv['id']}").json["terugkoppelingen"][0]["id"]
    return f"/zorgvragen/{zv['id']}/terugkoppelingen/{tk_id}/documenten/0"


def test_zip_bomb_terugkoppeling_is_refused_before_unpacking(las, peers, monkeypatch):
    bomb = _zip("besluit.pdf", bytes(MAX_UNPACKED_BYTES + MIB))
    assert len(bomb) < MIB
    client = las.test_client()
    url = _terugkoppeling_met(client, Document(bestandsnaam="besluit.pdf",
                                               bestandsinhoud=base64.b64encode(bomb).decode()))
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, *a, **k: opened.append(a) or real_open(self, *a, **k))
    resp = client.get(url)
    assert resp.status_code == 422 and "de grens is 50 MB" in resp.text
    assert opened == []  # refused on the size the ZIP declares, nothing was inflated
    # a normal document in the same place downloads as before
    good = _terugkoppeling_met(client, Document(
        bestandsnaam="besluit.pdf",
        bestandsinhoud=base64.b64encode(_zip("besluit.pdf", b"%PDF-1.4 besluit")).decode()))
    resp = client.get(good)
    assert resp.status_code == 200 and resp.data == b"%PDF-1.4 besluit"


def test_zip_bomb_attachment_in_a_dossier_is_refused_by_the_swv():
    bomb = base64.b64encode(_zip("verslag.pdf", bytes(MAX_UNPACKED_BYTES + MIB))).decode()
    with pytest.raises(ValueError, match="grens"):
        ui_dossier.unpack(ui_dossier.Attachment(0, "verslag.pdf", None, bomb))
    fine = base64.b64encode(_zip("verslag.pdf", b"tekst")).decode()
    assert ui_dossier.unpack(ui_dossier.Attachment(0, "verslag.pdf", None, fine)) == \
        ("verslag.pdf", b"tekst")


def test_zip_entry_is_cut_off_while_inflating_when_over_the_limit():
    raw = _zip("a.txt", b"x" * 5000)
    with pytest.raises(TooLarge):
        unpack_one(raw, "a.txt", max_bytes=4999)
    assert unpack_one(raw, "a.txt", max_bytes=5000) == ("a.txt", b"x" * 5000)
    assert unpack_one(b"geen zip", "a.txt") is None


# --- attachments through the API -----------------------------------------------------------------

def test_api_attachment_limit_equals_form_limit(las, peers):
    client = las.test_client()
    lid = las_support.leerling_id(client)
    too_big = bytes(MAX_BESTAND + 1)
    resp = client.post(f"/api/leerlingen/{lid}/zorgvragen", json=las_support.zorgvraag_body(
        toelichting=las_support.bestand("groot.pdf", too_big)))
    assert resp.status_code == 413 and resp.json["fout"] == te_groot("groot.pdf")
    assert client.get(f"/api/leerlingen/{lid}/zorgvragen").json == []
    # the form says the same about the same file
    client.get(f"/leerlingen/{lid}/zorgvragen/nieuw")
    csrf = client.get_cookie("oso_sim_csrf").value
    form = client.post(f"/leerlingen/{lid}/zorgvragen", content_type="multipart/form-data",
                       data={"csrf_token": csrf, "omschrijving": "Lezen",
                             "aanleverpunt": las_support.SWV_PO,
                             "toelichting": (io.BytesIO(too_big), "groot.pdf")})
    assert te_groot("groot.pdf") in form.text
    # a file of exactly the limit is taken by both
    resp = client.post(f"/api/leerlingen/{lid}/zorgvragen", json=las_support.zorgvraag_body(
        verzenden=False, toelichting=las_support.bestand("precies.pdf", bytes(MAX_BESTAND))))
    assert resp.status_code == 201, resp.json
    zid = resp.json["zorgvraag"]["id"]
    extra = client.post(f"/api/zorgvragen/{zid}/bijlagen",
                        json=las_support.bestand("extra.pdf", too_big))
    assert extra.status_code == 413


def test_api_body_far_over_the_limit_is_refused_unread(las):
    client = las.test_client()
    lid = las_support.leerling_id(client)
    resp = client.post(f"/api/leerlingen/{lid}/zorgvragen", data=b"{" + b" " * (100 * MIB),
                       content_type="application/json")
    assert resp.status_code == 413


# --- the SWV's long waits ------------------------------------------------------------------------

def test_many_waiters_do_not_starve_the_swv(tmp_path):
    app = swv_support.make_app(tmp_path)
    try:
        with ServerThread(app) as server:
            url = server.url
            k = swv_support.new_key()  # never notified: every waiter waits its full time

            def wait(_):
                return requests.get(f"{url}/api/aanvragen/{k}?wait=afgemeld&timeout=3",
                                    timeout=30)

            with ThreadPoolExecutor(max_workers=40) as pool:
                waiters = [pool.submit(wait, i) for i in range(40)]
                # the trainer's page and the SOAP endpoint still answer while they wait
                page = requests.get(url + "/", timeout=10)
                notified = requests.post(url + "/oso", data=_notificatie(), timeout=10,
                                         headers={"Content-Type": codec.CONTENT_TYPE})
                answers = [w.result() for w in waiters]
            assert page.status_code == 200
            assert isinstance(codec.decode(notified.content), NotificatieResponse)
            refused = [a for a in answers if a.status_code == 503]
            served = [a for a in answers if a.status_code == 404]
            assert refused and served and len(refused) + len(served) == 40
            assert all(a.headers["Retry-After"] == "1" and a.json()["code"] == "TeVeelWachtenden"
                       for a in refused)
            # the places are free again once the waits are over
            again = requests.get(f"{url}/api/aanvragen/{k}?wait=afgemeld&timeout=0.1", timeout=10)
            assert again.status_code == 404
    finally:
        app.extensions["oso_sim_close"]()


# --- a peer's answer -----------------------------------------------------------------------------

class _Peer:
    """A WSGI peer that answers every POST with `pieces` of 1 MiB, lazily, and counts them."""

    def __init__(self, pieces: int, declare_length: bool):
        self.pieces, self.declare_length, self.sent = pieces, declare_length, 0

    def __call__(self, environ, start_response):
        environ["wsgi.input"].read()
        headers = [("Content-Type", codec.CONTENT_TYPE)]
        if self.declare_length:
            headers.append(("Content-Length", str(self.pieces * MIB)))
        start_response("200 OK", headers)
        return self._body()

    def _body(self):
        for _ in range(self.pieces):
            self.sent += 1
            yield b" " * MIB


@pytest.mark.parametrize("declare_length", [True, False])
def test_oversized_peer_answer_is_cut_off(tmp_path, declare_length):
    client = SoapClient(MessageLog(Store(tmp_path / "log.sqlite", "")), me="las", timeout=5,
                        max_bytes=4 * MIB)
    peer = _Peer(200, declare_length)
    with ServerThread(peer) as server:
        with pytest.raises(OsoFault) as info:
            client.call(server.url + "/oso", swv_support.notificatie(swv_support.new_key()))
    assert info.value.resultaat == faults.BERICHT_TE_GROOT
    assert peer.sent < 100  # the rest was never asked for
    # an answer inside the limit is read and decoded as always
    ok = _Peer(0, False)
    ok._body = lambda: iter([codec.encode(NotificatieResponse())])
    with ServerThread(ok) as server:
        answer = client.call(server.url + "/oso", swv_support.notificatie(swv_support.new_key()))
    assert isinstance(answer, NotificatieResponse)


def test_peer_that_drips_its_answer_hits_the_overall_deadline(tmp_path):
    stop = threading.Event()

    def drip(environ, start_response):
        environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", codec.CONTENT_TYPE)])

        def body():
            for _ in range(200):  # bounded, should the client never give up
                if stop.wait(0.05):
                    return
                yield b" "
        return body()

    client = SoapClient(MessageLog(Store(tmp_path / "log.sqlite", "")), me="las", timeout=0.5)
    try:
        with ServerThread(drip) as server:
            with pytest.raises(OsoFault) as info:
                client.call(server.url + "/oso", swv_support.notificatie(swv_support.new_key()))
    finally:
        stop.set()
    assert info.value.resultaat == faults.NIET_BEREIKBAAR
    assert "niet op tijd" in info.value.omschrijving


# --- text fields of the JSON APIs ----------------------------------------------------------------

def test_json_text_over_its_limit_is_refused_on_all_three_actors(las, tmp_path):
    import tc_support
    from actor_kit import textlimits

    client = las.test_client()
    lid = client.get("/api/leerlingen?brin=12AB").json[0]["id"]
    resp = client.patch(f"/api/leerlingen/{lid}", json={"achternaam": "A" * MIB})
    assert resp.status_code == 400 and resp.json["code"] == "TekstTeLang"
    assert resp.json["fout"] == f"Het veld achternaam is {MIB} tekens lang; de grens is 200 tekens."
    assert client.get(f"/api/leerlingen/{lid}").json["achternaam"] != "A" * MIB
    resp = client.post(f"/api/leerlingen/{lid}/zorgvragen",
                       json={"omschrijving": "x" * (10 * MIB), "verzenden": False})
    assert resp.status_code == 400 and "omschrijving" in resp.json["fout"]
    assert client.get(f"/api/leerlingen/{lid}/zorgvragen").json == []
    resp = client.patch(f"/api/leerlingen/{lid}", json={"k" * 5000: "x"})
    assert resp.status_code == 400 and "veldnaam" in resp.json["fout"]
    # a body without Content-Length (chunked) is held to the same limits
    chunked = io.BytesIO(json.dumps({"achternaam": "A" * MIB}).encode())
    resp = client.patch(f"/api/leerlingen/{lid}", input_stream=chunked, content_type="application/json",
                        environ_overrides={"wsgi.input_terminated": True, "CONTENT_LENGTH": "",
                                           "HTTP_TRANSFER_ENCODING": "chunked"})
    assert resp.status_code == 400 and resp.json["code"] == "TekstTeLang"
    # control: text at its limit is taken, and file contents are left to the file limit
    assert client.patch(f"/api/leerlingen/{lid}", json={"achternaam": "B" * 200}).status_code == 200
    assert client.get(f"/api/leerlingen/{lid}").json["achternaam"] == "B" * 200
    assert textlimits.too_long({"toelichting": {"inhoud_base64": "A" * (2 * MIB)}}) is None

    tc = tc_support.make_app(tmp_path)
    try:
        resp = tc.test_client().post("/api/register/schools", json={"brin": "99ZZ", "naam": "S" * 300})
        assert resp.status_code == 400 and resp.json["code"] == "TekstTeLang"
        assert tc.test_client().post("/api/register/schools",
                                     json={"brin": "99ZZ", "naam": "School"}).status_code in (200, 201)
    finally:
        tc.extensions["oso_sim_close"]()
    swv = swv_support.make_app(tmp_path)
    try:
        resp = swv.test_client().post(f"/api/aanvragen/{swv_support.new_key()}/terugkoppeling",
                                      json={"status": "Ontvangen", "toelichting": "t" * 10_001})
        assert resp.status_code == 400 and "toelichting" in resp.json["fout"]
        # control: the same call within the limit reaches the SWV (which knows no such aanvraag)
        resp = swv.test_client().post(f"/api/aanvragen/{swv_support.new_key()}/terugkoppeling",
                                      json={"status": "Ontvangen", "toelichting": "t" * 10_000})
        assert resp.status_code == 404
    finally:
        swv.extensions["oso_sim_close"]()
