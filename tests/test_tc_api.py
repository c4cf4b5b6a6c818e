"""The TC's JSON API: health, register admin, koppelingen."""
from oso_protocol.transport import faults
from oso_protocol.transport.messages import OverzichtAanleverpuntRequest

from tc_support import SWV_RK, app, client, clock, counts, melden, soap  # noqa: F401

NIEUW_AP = {"routeringskenmerk": "0000000700099ZZ00931", "brin": "99ZZ", "system": "swv-sim",
            "doel": "SWV", "naam": "SWV Nieuw", "url": "{swv}/oso", "scholen": ["12AB"]}


def test_health(client):
    assert client.get("/api/health").json == {"actor": "tc", "ok": True}


def test_register_shape(client):
    reg = client.get("/api/register").json
    assert set(reg) == {"schools", "systems", "mandates", "aanleverpunten"}
    assert len(reg["schools"]) == 4 and len(reg["mandates"]) == 7
    ap = next(a for a in reg["aanleverpunten"] if a["routeringskenmerk"] == SWV_RK)
    assert ap["url"] == "http://swv.test/oso" and ap["scholen"] == ["12AB", "34CD", "78GH"]
    assert ap["actief"] is True and ap["system"] == "swv-sim"


def test_create_and_use_an_aanleverpunt(client):
    resp = client.post("/api/register/aanleverpunten", json=NIEUW_AP)
    assert resp.status_code == 201
    assert resp.json["url"] == "http://swv.test/oso"
    answer = soap(client, OverzichtAanleverpuntRequest(brin="12AB", doel="SWV"))
    assert "0000000700099ZZ00931" in {a.routeringsKenmerk for a in answer.aanleverpunt}
    assert soap(client, melden(doel_brin="99ZZ", swv_rk="0000000700099ZZ00931")).koppelsleutel


def test_create_school_system_mandate(app, client):
    assert client.post("/api/register/schools",
                       json={"brin": "90XY", "naam": "De Nieuwe School", "sector": "PO"}).status_code == 201
    assert client.post("/api/register/systems",
                       json={"id": "las-2", "naam": "Ander LAS", "soort": "LAS"}).status_code == 201
    assert client.post("/api/register/mandates",
                       json={"brin": "90XY", "system": "las-2", "dienst": "OSO-SWV"}).status_code == 201
    assert counts(app)["mandates"] == 8


def test_bad_admin_input(app, client):
    before = counts(app)
    cases = [
        ("/api/register/schools", {"brin": "X", "naam": "Te kort"}, 400),
        ("/api/register/schools", {"brin": "90XY"}, 400),
        ("/api/register/systems", {"id": "x", "naam": "x", "soort": "ERP"}, 400),
        ("/api/register/mandates", {"brin": "12AB", "system": "onbekend", "dienst": "OSO-SWV"}, 400),
        ("/api/register/mandates", {"brin": "12AB", "system": "las-sim", "dienst": "Anders"}, 400),
        ("/api/register/mandates", {"brin": "12AB", "system": "las-sim", "dienst": "OSO-SWV"}, 409),
        ("/api/register/aanleverpunten", {**NIEUW_AP, "routeringskenmerk": "kort"}, 400),
        ("/api/register/aanleverpunten", {**NIEUW_AP, "doel": "PaO"}, 400),
        ("/api/register/aanleverpunten", {**NIEUW_AP, "actief": "ja"}, 400),
        ("/api/register/aanleverpunten", {**NIEUW_AP, "routeringskenmerk": SWV_RK}, 409),
        ("/api/register/aanleverpunten", ["geen", "object"], 400),
        ("/api/register/leveranciers", {}, 404),
    ]
    for url, body, status in cases:
        resp = client.post(url, json=body)
        assert resp.status_code == status, (url, body, resp.json)
        assert isinstance(resp.json["fout"], str) and resp.json["code"]
    resp = client.post("/api/register/schools", data="geen json", content_type="text/plain")
    assert resp.status_code == 415 and "JSON" in resp.json["fout"]
    assert counts(app) == before


def test_patch_and_delete_aanleverpunt(client):
    url = f"/api/register/aanleverpunten/{SWV_RK}"
    assert client.patch(url, json={"actief": False}).json["actief"] is False
    assert client.patch(url, json={"brin": "11AA"}).status_code == 400
    assert client.patch(url, json={"actief": "nee"}).status_code == 400
    assert client.patch("/api/register/aanleverpunten/0000000700099ZZ00999",
                        json={"actief": True}).status_code == 404
    assert client.delete(url).status_code == 200
    resp = client.delete(url)
    assert resp.status_code == 404 and resp.json["code"] == faults.ONBEKEND_AANLEVERPUNT
    assert soap(client, melden()).resultaat == faults.ONBEKEND_AANLEVERPUNT


def test_delete_mandate(client):
    body = {"brin": "12AB", "system": "swv-sim", "dienst": "OSO-SWV"}
    assert client.delete("/api/register/mandates", json=body).status_code == 200
    assert client.delete("/api/register/mandates", json=body).status_code == 404
    assert client.delete("/api/register/mandates", json={"brin": "12AB"}).status_code == 400


def test_koppelingen(client):
    k = soap(client, melden()).koppelsleutel
    rows = client.get("/api/koppelingen").json["koppelingen"]
    assert [r["koppelsleutel"] for r in rows] == [k]
    assert set(rows[0]) >= {"koppelsleutel", "bron_brin", "bron_routeringskenmerk", "doel_brin",
                            "doel_routeringskenmerk", "created", "opgehaald",
                            "terugkoppeling_gemeld", "sessies"}
    assert client.get(f"/api/koppelingen/{k.lower()}").json["koppelsleutel"] == k
    resp = client.get("/api/koppelingen/11111111-2222-3333-4444-555555555555")
    assert resp.status_code == 404 and resp.json["code"] == faults.KOPPELSLEUTEL_ONBEKEND


def test_unknown_api_path_is_json(client):
    resp = client.get("/api/bestaat-niet")
    assert resp.status_code == 404 and "fout" in resp.json
