"""Attacks on the actors' surfaces, each next to the legitimate use that must keep working:
the API token off loopback, other sites posting through the trainer's browser, the SOAP
endpoint's Content-Type, download names and the security headers."""
from __future__ import annotations

import re
import uuid

import pytest

import las_support
from las_support import peers  # noqa: F401  (fixture)
import swv_support
import tc_support
from actor_kit.access import token_always_required
from actor_kit.server import ServerThread
from actor_kit.web import content_disposition
from harness.cli import main as cli_main
from harness.conformance.drivers.http import JsonApi
from oso_protocol.transport import codec

TOKEN = "geheim-token-voor-de-test"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
PUBLIC = {"PUBLIC_URL": "http://oso-sim.school.example:8601", "API_TOKEN": TOKEN}
EVIL = "http://evil.example"


@pytest.fixture
def public_las(tmp_path):
    app = las_support.make_app(tmp_path / "las.sqlite", **PUBLIC)
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def las(tmp_path):
    app = las_support.make_app(tmp_path / "las.sqlite")
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def locked_tc(tmp_path):
    app = tc_support.make_app(tmp_path, REQUIRE_TOKEN=True, API_TOKEN=TOKEN)
    yield app
    app.extensions["oso_sim_close"]()


def _leerling(client, headers=None) -> dict:
    lid = client.get("/api/leerlingen?brin=12AB", headers=headers).json[0]["id"]
    return client.get(f"/api/leerlingen/{lid}", headers=headers).json


def _csrf(client, url: str) -> str:
    client.get(url)
    return client.get_cookie("oso_sim_csrf").value


# --- the token -----------------------------------------------------------------------------------

def test_pupil_record_without_token_is_refused_off_loopback(public_las):
    client = public_las.test_client()
    resp = client.get("/api/leerlingen?brin=12AB")
    assert resp.status_code == 401 and resp.json["code"] == "NietGeautoriseerd"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    leerling = _leerling(client, BEARER)
    assert leerling["achternaam"] and leerling["geboortedatum"]
    resp = client.get(f"/api/leerlingen/{leerling['id']}")
    assert resp.status_code == 401 and leerling["achternaam"] not in resp.text
    wrong = client.get(f"/api/leerlingen/{leerling['id']}",
                       headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
    assert wrong.status_code == 401
    # the pupil pages send a person to the login form instead
    page = client.get(f"/leerlingen/{leerling['id']}")
    assert page.status_code == 303 and page.location.startswith("/inloggen?volgende=")
    assert leerling["achternaam"] not in page.text


def test_pupil_record_without_token_works_on_loopback_for_the_demo(las):
    client = las.test_client()
    leerling = _leerling(client)
    assert leerling["achternaam"]
    assert client.get(f"/leerlingen/{leerling['id']}").status_code == 200


def test_caller_from_another_address_needs_the_token_even_on_a_loopback_config(las):
    client = las.test_client()
    far = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get("/api/leerlingen", environ_base=far).status_code == 401
    # the token made at start, as `oso-sim serve` prints it
    ok = client.get("/api/leerlingen", environ_base=far,
                    headers={"Authorization": f"Bearer {las.config['API_TOKEN']}"})
    assert ok.status_code == 200 and ok.json


def test_message_log_with_xml_and_dossier_download_need_the_token(public_las, tmp_path):
    client = public_las.test_client()
    assert client.get("/api/berichten?xml=1").status_code == 401
    assert client.get("/api/berichten?xml=1", headers=BEARER).status_code == 200
    swv = swv_support.make_app(tmp_path, **PUBLIC)
    try:
        c = swv.test_client()
        k = swv_support.notify(c)  # the SOAP endpoint stays open to the other actors
        resp = c.get(f"/aanvragen/{k}/dossier.xml")
        assert resp.status_code == 303 and "/inloggen" in resp.location
        assert c.get("/api/aanvragen").status_code == 401
        assert [a["koppelsleutel"] for a in c.get("/api/aanvragen", headers=BEARER).json] == [k]
    finally:
        swv.extensions["oso_sim_close"]()


def test_register_change_without_token_is_refused(locked_tc):
    client = locked_tc.test_client()
    rk = tc_support.SWV_RK
    before = client.get("/api/register", headers=BEARER).json
    punt = next(a for a in before["aanleverpunten"] if a["routeringskenmerk"] == rk)
    resp = client.patch(f"/api/register/aanleverpunten/{rk}", json={"url": EVIL + "/oso"})
    assert resp.status_code == 401
    # nor through the register page's switch, not even with a fresh CSRF token
    csrf = _csrf(client, "/inloggen")
    resp = client.post(f"/aanleverpunten/{rk}/actief",
                       data={"csrf_token": csrf, "actief": "0" if punt["actief"] else "1"})
    assert resp.status_code == 401
    after = client.get("/api/register", headers=BEARER).json
    assert after == before
    ok = client.patch(f"/api/register/aanleverpunten/{rk}", json={"url": "http://swv2.test/oso"},
                      headers=BEARER)
    assert ok.status_code == 200 and ok.json["url"] == "http://swv2.test/oso"


def test_koppelingen_list_without_token_is_refused(locked_tc):
    client = locked_tc.test_client()
    k = tc_support.soap(client, tc_support.melden()).koppelsleutel
    resp = client.get("/api/koppelingen")
    assert resp.status_code == 401 and k not in resp.text
    assert k in client.get("/api/koppelingen", headers=BEARER).text
    assert client.get("/api/health").status_code == 200  # the demo page's check stays open


def test_login_form_lets_a_person_in_with_the_token_only(locked_tc):
    client = locked_tc.test_client()
    first = client.get("/")
    assert first.status_code == 303
    login = client.get(first.location)
    assert login.status_code == 200 and "API-token" in login.text
    csrf = client.get_cookie("oso_sim_csrf").value
    wrong = client.post("/inloggen", data={"csrf_token": csrf, "token": "raden", "volgende": "/"})
    assert wrong.status_code == 401 and "klopt niet" in wrong.text
    assert client.get("/").status_code == 303
    # a login that would send the person to another site goes home instead
    resp = client.post("/inloggen", data={"csrf_token": csrf, "token": TOKEN,
                                          "volgende": "//evil.example/"})
    assert resp.status_code == 303 and resp.location == "/"
    assert TOKEN not in client.get_cookie("oso_sim_toegang").value
    page = client.get("/")
    assert page.status_code == 200 and tc_support.SWV_RK in page.text


def test_serve_on_a_public_host_refuses_without_tls_or_token(capsys):
    assert cli_main(["serve", "tc", "--host", "0.0.0.0", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "--tls" in err and "--token" in err and "bereikbaar" in err
    # with a token it would start, and then every caller must show it
    assert token_always_required({"PUBLIC_URL": "http://0.0.0.0:8600"})
    assert not token_always_required({"PUBLIC_URL": "http://127.0.0.1:8600"})
    assert token_always_required({"PUBLIC_URL": "http://127.0.0.1:8600", "REQUIRE_TOKEN": True})


def test_harness_driver_sends_the_token(locked_tc):
    with ServerThread(locked_tc) as server:
        assert JsonApi("tc", server.url, timeout=5).request("GET", "/api/register").status == 401
        api = JsonApi("tc", server.url, timeout=5, token=TOKEN)
        assert api.get("/api/register")["aanleverpunten"]


# --- other sites ---------------------------------------------------------------------------------

def _concept(client) -> dict:
    lid = client.get("/api/leerlingen?brin=12AB").json[0]["id"]
    resp = client.post(f"/api/leerlingen/{lid}/zorgvragen",
                       json=las_support.zorgvraag_body(verzenden=False))
    assert resp.status_code == 201, resp.json
    return resp.json["zorgvraag"]


def test_cross_site_form_post_is_refused(las, peers):
    client = las.test_client()
    zv = _concept(client)
    url = f"/api/zorgvragen/{zv['id']}/verzenden"
    # what an evil page's <form method=post> makes the trainer's browser send
    resp = client.post(url, data={}, headers={"Origin": EVIL,
                                              "Sec-Fetch-Site": "cross-site"})
    assert resp.status_code == 403 and resp.json["code"] == "AndereHerkomst"
    # a browser that leaves Origin out still marks the form as a form: not JSON
    resp = client.post(url, data={"x": "1"}, content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 415
    resp = client.post(url, data="{}", content_type="text/plain")
    assert resp.status_code == 415
    assert peers.count("meldenNotificatie") == 0
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["notificatie_verstuurd"] != "Ja"
    # the harness and other programs: no body, or JSON, same origin or none
    ok = client.post(url, headers={"Origin": "http://localhost"})
    assert ok.status_code == 200, ok.json
    assert ok.json["zorgvraag"]["notificatie_verstuurd"] == "Ja"


def test_cross_site_post_of_a_page_form_is_refused_even_with_a_csrf_token(las, peers):
    client = las.test_client()
    zv = _concept(client)
    csrf = _csrf(client, f"/zorgvragen/{zv['id']}")
    url = f"/zorgvragen/{zv['id']}/verzenden"
    resp = client.post(url, data={"csrf_token": csrf}, headers={"Origin": EVIL})
    assert resp.status_code == 403 and "andere website" in resp.text
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["notificatie_verstuurd"] != "Ja"
    same = client.post(url, data={"csrf_token": csrf}, headers={"Origin": "http://localhost"})
    assert same.status_code in (200, 303)
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["notificatie_verstuurd"] == "Ja"


def test_text_plain_post_to_oso_gets_415(tmp_path):
    app = swv_support.make_app(tmp_path)
    try:
        client = app.test_client()
        body = codec.encode(swv_support.notificatie(str(uuid.uuid4()).upper()))
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                      None):
            resp = client.post("/oso", data=body, content_type=ctype)
            assert resp.status_code == 415, ctype
            assert "text/xml" in resp.text
        assert client.get("/api/aanvragen").json == []
        k = swv_support.notify(client)  # text/xml, as every SOAP 1.1 client sends
        assert [a["koppelsleutel"] for a in client.get("/api/aanvragen").json] == [k]
    finally:
        app.extensions["oso_sim_close"]()


# --- downloads and headers -----------------------------------------------------------------------

def test_attachment_name_with_line_break_downloads_safely(las):
    client = las.test_client()
    naam = 'verslag"\r\nSet-Cookie: x=1\u2028ü.pdf'
    lid = client.get("/api/leerlingen?brin=12AB").json[0]["id"]
    zv = client.post(f"/api/leerlingen/{lid}/zorgvragen", json=las_support.zorgvraag_body(
        verzenden=False, bijlagen=[las_support.bestand(naam, b"%PDF-1.4 verslag")])).json["zorgvraag"]
    bijlage = next(b for b in client.get(f"/api/zorgvragen/{zv['id']}").json["bijlagen"]
                   if b["soort"] == "bijlage")
    resp = client.get(f"/zorgvragen/{zv['id']}/bijlagen/{bijlage['id']}")
    assert resp.status_code == 200 and resp.data == b"%PDF-1.4 verslag"
    disposition = resp.headers["Content-Disposition"]
    assert not re.search(r"[\r\n\u2028]", disposition) and "Set-Cookie" not in resp.headers
    assert disposition.startswith("attachment; filename=")
    assert "filename*=UTF-8''verslagSet-Cookie%3A%20x%3D1%C3%BC.pdf" in disposition
    # an ordinary name stays as it was
    assert content_disposition("besluit.pdf") == \
        "attachment; filename=besluit.pdf; filename*=UTF-8''besluit.pdf"
    assert content_disposition("\r\n") .startswith("attachment; filename=bestand;")


@pytest.mark.parametrize("path", ["/", "/api/health", "/oso?wsdl", "/bestaat-niet"])
def test_every_answer_carries_the_security_headers(las, locked_tc, path):
    for app, headers in ((las, {}), (locked_tc, BEARER)):
        resp = app.test_client().get(path, headers=headers)
        assert resp.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "same-origin"



def test_tc_timeline_sends_its_token_only_to_the_peers_it_was_configured_with(locked_tc):
    from oso_mock import ui

    with locked_tc.test_request_context("/"):
        assert ui._peer_auth("las", tc_support.LAS_URL) == BEARER
        assert ui._peer_auth("swv", "http://vendor.example") == {}


# --- ids past SQLite's 64-bit INTEGER ------------------------------------------------------------

HUGE_ID = "9" * 30


def test_thirty_digit_ids_are_not_found_on_all_three_actors(las, tmp_path):
    tc = tc_support.make_app(tmp_path)
    swv = swv_support.make_app(tmp_path)
    try:
        for app, paths in ((las, ["/api/berichten/", "/api/leerlingen/", "/api/zorgvragen/",
                                  "/leerlingen/", "/zorgvragen/"]),
                           (tc, ["/api/berichten/", "/weigeringen/"]),
                           (swv, ["/api/berichten/"])):
            client = app.test_client()
            for path in paths:
                assert client.get(path + HUGE_ID).status_code == 404, (app.name, path)
                assert client.get(path + str(2 ** 63)).status_code == 404, (app.name, path)
            assert client.get("/api/berichten?after_id=" + HUGE_ID).status_code == 200
        lid = las.test_client().get("/api/leerlingen?brin=12AB").json[0]["id"]
        assert las.test_client().get(f"/leerlingen/{lid}/zorgvragen?verwijderd={HUGE_ID}").status_code == 200
        # control: an id in range still finds its row
        assert las.test_client().get(f"/api/leerlingen/{lid}").status_code == 200
        assert las.test_client().get(f"/api/leerlingen/{2 ** 63 - 1}").status_code == 404
    finally:
        tc.extensions["oso_sim_close"]()
        swv.extensions["oso_sim_close"]()


# --- the TC timeline reads only the peers it was configured with ----------------------------------

def test_tc_timeline_does_not_fetch_urls_from_the_register(tmp_path):
    import responses

    internal = "http://intern.example:8080"
    tc = tc_support.make_app(tmp_path, ACTOR_URLS={"tc": "http://tc.test"})
    try:
        client = tc.test_client()
        for rk in (tc_support.LAS_RK, tc_support.SWV_RK):
            assert client.patch(f"/api/register/aanleverpunten/{rk}",
                                json={"url": internal + "/oso"}).status_code == 200
        k = tc_support.new_koppelsleutel(client)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            hit = rsps.add(responses.GET, internal + "/api/berichten", json={"berichten": []})
            resp = client.get(f"/koppelingen/{k}")
            assert hit.call_count == 0 and len(rsps.calls) == 0
        assert resp.status_code == 200
        assert "geen adres ingesteld" in resp.text and "--las-url" in resp.text
    finally:
        tc.extensions["oso_sim_close"]()
    # control: the peers named on the command line are read
    (tmp_path / "b").mkdir()
    tc = tc_support.make_app(tmp_path / "b")
    try:
        client = tc.test_client()
        k = tc_support.new_koppelsleutel(client)
        with responses.RequestsMock() as rsps:
            las_log = rsps.add(responses.GET, tc_support.LAS_URL + "/api/berichten", json={"berichten": []})
            swv_log = rsps.add(responses.GET, tc_support.SWV_URL + "/api/berichten", json={"berichten": []})
            assert client.get(f"/koppelingen/{k}").status_code == 200
            assert las_log.call_count == 1 and swv_log.call_count == 1
    finally:
        tc.extensions["oso_sim_close"]()


# --- secrets in a trigger ------------------------------------------------------------------------

def test_trigger_secrets_are_redacted_in_every_report_and_the_bundle(tmp_path):
    import json
    import sys
    import zipfile

    from harness.evidence import run_info
    from harness.evidence.bundle import write_bundle
    from harness.evidence.report import write_reports
    from harness.conformance.drivers.trigger import refused, run_trigger
    from harness.conformance.outcomes import NotVerified
    from harness.conformance.preflight import Preflight

    send = ("env VENDOR_API_KEY=s3cr3t-env vendor-send --leerling {leerling} --api-key s3cr3t-opt"
            " --token=s3cr3t-eq --tc https://user:s3cr3t-url@las.example/oso")
    bare = "VENDOR_TOKEN=s3cr3t-bare vendor-show --koppelsleutel {koppelsleutel}"
    config = tmp_path / "las.toml"
    config.write_text(f'[las]\nmode = "external"\ntrigger = {json.dumps(send)}\n'
                      f'trigger_toon_zorgvraag = {json.dumps(bare)}\n', encoding="utf-8")
    reasons = []
    with pytest.raises(NotVerified) as info:   # argv[0] is the assignment: "not found" quotes it
        run_trigger("las", bare, {"koppelsleutel": "K"}, 10, cwd=tmp_path)
    reasons.append(str(info.value))
    with pytest.raises(NotVerified) as info:   # an unbalanced quote: the refusal quotes the template
        run_trigger("las", "env API_KEY=s3cr3t-q vendor 'x", {}, 10, cwd=tmp_path)
    reasons.append(str(info.value))
    echo = (f"{sys.executable} -c \"import sys; print(' '.join(sys.argv), file=sys.stderr); sys.exit(3)\""
            " --password s3cr3t-out")
    done = run_trigger("las", echo, {}, 30, cwd=tmp_path)
    with pytest.raises(NotVerified) as info:   # the trigger's own output repeats its arguments
        refused("las", "trigger", done)
    reasons.append(str(info.value) + "\n".join(getattr(info.value, "__notes__", [])))
    for reason in reasons:
        assert "s3cr3t" not in reason and run_info.REDACTED in reason, reason

    # the reports and the bundle, with every place a trigger's text can stand, unredacted too
    run = {"configuratiebestand": str(config), "configuratie": run_info.configuration(str(config))}
    pf = Preflight(ok=False, checks=[f"LAS-trigger: {send}"], reason=f"de LAS-trigger werkt niet: {bare}")
    report = tmp_path / "rapport"
    report.mkdir()
    row = {"nodeid": "f::s", "name": "Verzenden", "feature": "LAS", "tags": ["las"],
           "outcome": "niet geverifieerd", "reden": f"[las] trigger: {send}", "trace": bare,
           "steps": [{"keyword": "Als", "name": "verzenden", "status": "niet geverifieerd", "error": send}]}
    (report / "results.json").write_text(json.dumps({"scenarios": [row]}), encoding="utf-8")
    summary = write_reports(report, [row], {"naam": "LAS"}, run=run, preflight=pf.to_dict())
    write_bundle(report, tmp_path / "bewijs.zip", summary)
    with zipfile.ZipFile(tmp_path / "bewijs.zip") as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    files = {name: (report / name).read_bytes() for name in ("summary.json", "report.html", "junit.xml")}
    files.update(members)
    for name, data in files.items():
        if name.startswith("rapport/") and name.endswith("results.json"):
            continue  # here the test's own stand-in for the plugin's file; the plugin redacts (below)
        assert b"s3cr3t" not in data, name
    shown = json.loads(members["configuratie.json"])["configuratie"]["las"]
    # control: what the trigger does stays readable, only the secrets are gone
    assert shown["trigger"] == ("env VENDOR_API_KEY=[weggelaten] vendor-send --leerling {leerling} --api-key"
                                " [weggelaten] --token=[weggelaten] --tc https://[weggelaten]@las.example/oso")
    assert shown["trigger_toon_zorgvraag"] == "VENDOR_TOKEN=[weggelaten] vendor-show --koppelsleutel {koppelsleutel}"
    assert "vendor-send --leerling {leerling}" in files["report.html"].decode()
    assert summary["voorcontrole"]["reden"] == "de LAS-trigger werkt niet: VENDOR_TOKEN=[weggelaten] vendor-show" \
                                            " --koppelsleutel {koppelsleutel}"
    from harness.conformance import run_plugin as conformance_plugin
    assert "s3cr3t" not in conformance_plugin.masked(f"[las] trigger: {send}")
