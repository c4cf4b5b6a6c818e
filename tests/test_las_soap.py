"""The LAS's inbound SOAP endpoint (document, terugkoppeling), with the TC played by responses."""
from __future__ import annotations

import base64

import pytest
import requests
from lxml import etree

from las_support import (  # noqa: F401  (fixtures)
    LAS_12AB, SWV_VO, client, document_request, fault, make_app, peers, post_soap,
    terugkoppeling_request, zorgvraag_body,
)
from oso_protocol.transport import codec
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import DocumentResponse, TerugkoppelingResponse


@pytest.fixture
def db(tmp_path):
    return tmp_path / "las.sqlite"


@pytest.fixture
def app(db):
    return make_app(db)


@pytest.fixture
def zv(client, peers):
    lid = client.get("/api/leerlingen?brin=12AB").json[0]["id"]
    zv = client.post(f"/api/leerlingen/{lid}/zorgvragen", json=zorgvraag_body()).json["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja"
    peers.calls.clear()
    peers.messages.clear()
    return zv


def fetch(client, zv, **over):
    return post_soap(client, document_request(zv, **over))


def n_terugkoppelingen(app) -> int:
    return app.extensions["las"]["store"].one("SELECT COUNT(*) FROM terugkoppelingen")[0]


# --- documentRequest -----------------------------------------------------------------------------

def test_dossier_geleverd(client, peers, zv):
    resp, answer = fetch(client, zv)
    assert resp.status_code == 200
    assert isinstance(answer, DocumentResponse)
    assert answer.resultaat == "DossierGeleverd" and answer.dossierVersie == "2019.1"
    snapshot = client.get(f"/api/zorgvragen/{zv['id']}/dossier").data
    assert base64.b64decode(answer.dossier) == snapshot
    assert peers.calls == ["sessiecontrole"]
    sc = peers.messages[0]
    assert (sc.bronBrin, sc.bronRouteringsKenmerk, sc.koppelsleutel, sc.overdrachtsoort) == \
        ("12AB", LAS_12AB, zv["koppelsleutel"], "SWVaanvraag")
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["dossier_opgehaald"] is True


def test_sessie_afwijkend_wordt_doorgegeven_en_sessiecontrole_komt_eerst(app, client, peers, zv):
    peers.handlers["sessiecontrole"] = lambda m: fault("SessieAfwijkend", "Koppelsleutel wijkt af.")
    resp, answer = fetch(client, zv)
    assert resp.status_code == 500
    assert isinstance(answer, OsoFault) and answer.resultaat == "SessieAfwijkend"
    assert peers.calls == ["sessiecontrole"]
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["dossier_opgehaald"] is False
    # the message log shows the order: request in, sessiecontrole out, fault out
    rows = app.extensions["las"]["messagelog"].entries(koppelsleutel=zv["koppelsleutel"])
    ops = [(r["direction"], r["operation"], r["element"]) for r in rows
           if r["operation"] in ("document", "sessiecontrole")]
    assert ops[0] == ("in", "document", "documentRequest")
    assert ops[1] == ("out", "sessiecontrole", "sessiecontroleRequest")
    assert ops[-1] == ("out", "document", "Fault")


def test_sessiecontrole_ook_voor_onbekende_koppelsleutel(client, peers, zv):
    """The LAS looks at nothing before the TC has checked the session: also an unknown key
    gets a sessiecontrole, and the TC's refusal is what the SWV hears."""
    peers.handlers["sessiecontrole"] = lambda m: fault("SessieOnbekend", "Onbekende sessie.")
    _, answer = fetch(client, zv, koppelsleutel="11111111-2222-3333-4444-555555555555")
    assert answer.resultaat == "SessieOnbekend"
    assert peers.calls == ["sessiecontrole"]


def test_tc_onbereikbaar_bij_sessiecontrole(client, peers, zv):
    peers.handlers["sessiecontrole"] = lambda m: requests.ConnectionError("down")
    _, answer = fetch(client, zv)
    assert answer.resultaat == "NietBereikbaar" and answer.faultcode == "Server"
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["dossier_opgehaald"] is False


def test_onbekende_koppelsleutel(client, peers, zv):
    _, answer = fetch(client, zv, koppelsleutel="11111111-2222-3333-4444-555555555555")
    assert answer.resultaat == "LeerlinginfoNietBeschikbaar"


def test_koppelsleutel_in_kleine_letters(client, peers, zv):
    _, answer = fetch(client, zv, koppelsleutel=zv["koppelsleutel"].lower())
    assert isinstance(answer, DocumentResponse)


def test_verwijderde_zorgvraag_wordt_niet_geleverd(client, peers, zv):
    client.delete(f"/api/zorgvragen/{zv['id']}")
    _, answer = fetch(client, zv)
    assert answer.resultaat == "LeerlinginfoNietBeschikbaar"
    assert peers.calls == ["sessiecontrole"]


def test_ander_aanleverpunt_krijgt_niets(client, peers, zv):
    _, answer = fetch(client, zv, doelRouteringsKenmerk=SWV_VO, doelBrin="25VO")
    assert answer.resultaat == "LeveringGeweigerd"
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["dossier_opgehaald"] is False


def test_onjuiste_dossierversie(client, peers, zv):
    _, answer = fetch(client, zv, dossierVersie="2018.1")
    assert answer.resultaat == "DossierversieOnjuist"


def test_snapshot_blijft_gelijk_na_wijziging_leerling(client, peers, zv):
    _, first = fetch(client, zv)
    resp = client.patch(f"/api/leerlingen/{zv['leerling_id']}",
                        json={"achternaam": "Gewijzigdnaam"})
    assert resp.status_code == 200
    _, second = fetch(client, zv)
    assert second.dossier == first.dossier
    assert b"Gewijzigdnaam" not in base64.b64decode(second.dossier)
    # a new zorgvraag does see the change
    new = client.post(f"/api/leerlingen/{zv['leerling_id']}/zorgvragen",
                      json=zorgvraag_body()).json["zorgvraag"]
    assert b"Gewijzigdnaam" in client.get(f"/api/zorgvragen/{new['id']}/dossier").data


# --- terugkoppelingRequest -------------------------------------------------------------------------

def test_terugkoppeling_voor_ophalen_geweigerd(app, client, peers, zv):
    _, answer = post_soap(client, terugkoppeling_request(zv))
    assert answer.resultaat == "DossierNietOpgehaald"
    assert n_terugkoppelingen(app) == 0
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["terugkoppeling_ontvangen"] == "Nee"


def test_terugkoppelingen_na_ophalen(client, peers, zv):
    fetch(client, zv)
    resp, answer = post_soap(client, terugkoppeling_request(zv))
    assert resp.status_code == 200 and isinstance(answer, TerugkoppelingResponse)
    msg = terugkoppeling_request(zv)
    msg.terugkoppeling.status = "Afgerond"
    post_soap(client, msg)
    got = client.get(f"/api/zorgvragen/{zv['id']}").json
    assert got["terugkoppeling_ontvangen"] == "Ja"
    assert [t["status"] for t in got["terugkoppelingen"]] == ["Toegekend", "Afgerond"]
    first = got["terugkoppelingen"][0]
    assert (first["toelichting"], first["behandelaar"], first["datum"]) == \
        ("TLV toegekend.", "Loket SWV", "2024-03-01T10:00:00")
    row = client.get(f"/api/leerlingen/{zv['leerling_id']}/zorgvragen").json[0]
    assert row["terugkoppeling_ontvangen"] == "Ja"
    assert peers.calls == ["sessiecontrole"]  # the terugkoppeling needs no TC call at the LAS


def test_terugkoppeling_met_document(client, peers, zv):
    from oso_protocol.transport.messages import Document
    fetch(client, zv)
    msg = terugkoppeling_request(zv)
    msg.terugkoppeling.document = [Document(bestandsnaam="besluit.pdf",
                                            bestandsinhoud=base64.b64encode(b"PK\x03\x04").decode(),
                                            omschrijving="Besluit")]
    _, answer = post_soap(client, msg)
    assert isinstance(answer, TerugkoppelingResponse)
    docs = client.get(f"/api/zorgvragen/{zv['id']}").json["terugkoppelingen"][0]["documenten"]
    assert docs == [{"bestandsnaam": "besluit.pdf", "omschrijving": "Besluit",
                     "bestandsinhoud": base64.b64encode(b"PK\x03\x04").decode()}]


def test_terugkoppeling_onbekende_koppelsleutel(client, peers, zv):
    _, answer = post_soap(client, terugkoppeling_request(
        zv, koppelsleutel="11111111-2222-3333-4444-555555555555"))
    assert answer.resultaat == "KoppelsleutelOnbekend"


def test_terugkoppeling_verwijderde_zorgvraag(app, client, peers, zv):
    fetch(client, zv)
    client.delete(f"/api/zorgvragen/{zv['id']}")
    _, answer = post_soap(client, terugkoppeling_request(zv))
    assert answer.resultaat == "KoppelsleutelOnbekend"
    assert n_terugkoppelingen(app) == 0


@pytest.mark.parametrize("over", [{"doelRouteringsKenmerk": SWV_VO},
                                  {"bronRouteringsKenmerk": "0000000700034CD00950"}])
def test_terugkoppeling_verkeerd_aanleverpunt(app, client, peers, zv, over):
    fetch(client, zv)
    _, answer = post_soap(client, terugkoppeling_request(zv, **over))
    assert answer.resultaat == "OnbekendAanleverpunt"
    assert n_terugkoppelingen(app) == 0


# --- bad input -------------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<x>&e;</x></soapenv:Body></soapenv:Envelope>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<x>&lol2;</x></soapenv:Body></soapenv:Envelope>"""


@pytest.mark.parametrize("body", [XXE, LAUGHS, b"<not-closed", b"", b"\xff\xfe garbage"])
def test_vijandige_xml_geeft_fault_en_slaat_niets_op(app, client, peers, zv, body):
    resp = client.post("/oso", data=body, headers={"Content-Type": codec.CONTENT_TYPE})
    assert resp.status_code == 500
    with pytest.raises(OsoFault) as exc:
        codec.decode(resp.data)
    assert exc.value.resultaat == "OngeldigBericht"
    assert peers.calls == []
    assert n_terugkoppelingen(app) == 0
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["dossier_opgehaald"] is False


def test_terugkoppeling_in_strijd_met_schema(app, client, peers, zv):
    fetch(client, zv)
    data = codec.encode(terugkoppeling_request(zv)).replace(b"<oso:status>Toegekend</oso:status>",
                                                            b"")
    resp = client.post("/oso", data=data, headers={"Content-Type": codec.CONTENT_TYPE})
    assert resp.status_code == 500
    assert n_terugkoppelingen(app) == 0


def test_te_groot_bericht(db, peers):
    small = make_app(db, MAX_BYTES=2048, SCENARIO=None).test_client()
    resp = small.post("/oso", data=b"<a>" + b"x" * 5000 + b"</a>",
                      headers={"Content-Type": codec.CONTENT_TYPE})
    assert resp.status_code == 500
    with pytest.raises(OsoFault) as exc:
        codec.decode(resp.data)
    assert exc.value.resultaat == "BerichtTeGroot"
    assert peers.calls == []


def test_onbekende_operatie(client, peers):
    from oso_protocol.transport.messages import NotificatieResponse
    _, answer = post_soap(client, NotificatieResponse())
    assert isinstance(answer, OsoFault)
    assert peers.calls == []


def test_wsdl(client):
    resp = client.get("/oso?wsdl")
    assert resp.status_code == 200
    root = etree.fromstring(resp.data)
    ops = {op.get("name") for op in root.iter("{http://schemas.xmlsoap.org/wsdl/}operation")}
    assert {"document", "terugkoppeling"} <= ops
    assert b"/oso" in resp.data


# --- crash safety ----------------------------------------------------------------------------------

def test_nieuwe_app_op_hetzelfde_bestand_ziet_alles(db, app, client, peers, zv):
    fetch(client, zv)
    post_soap(client, terugkoppeling_request(zv))
    lid = zv["leerling_id"]
    concept = client.post(f"/api/leerlingen/{lid}/zorgvragen",
                          json={"omschrijving": "Concept", "verzenden": False}).json["zorgvraag"]
    n_leerlingen = len(client.get("/api/leerlingen").json)
    dossier = client.get(f"/api/zorgvragen/{zv['id']}/dossier").data
    app.extensions["las"]["store"].close()

    again = make_app(db).test_client()
    assert len(again.get("/api/leerlingen").json) == n_leerlingen  # not seeded twice
    got = again.get(f"/api/zorgvragen/{zv['id']}").json
    assert got["koppelsleutel"] == zv["koppelsleutel"]
    assert got["notificatie_verstuurd"] == "Ja" and got["dossier_opgehaald"] is True
    assert len(got["terugkoppelingen"]) == 1
    assert again.get(f"/api/zorgvragen/{zv['id']}/dossier").data == dossier
    assert again.get(f"/api/zorgvragen/{concept['id']}").json["status"] == "concept"
    assert [r["id"] for r in again.get(f"/api/leerlingen/{lid}/zorgvragen").json] == \
        [zv["id"], concept["id"]]
    # and it still serves the dossier
    _, answer = post_soap(again, document_request(zv))
    assert base64.b64decode(answer.dossier) == dossier
