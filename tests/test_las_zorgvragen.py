"""The LAS's zorgvraag lifecycle and its outbound calls, with the TC and SWV played by responses."""
from __future__ import annotations

import pytest
import requests
import responses

from las_support import (  # noqa: F401  (fixtures)
    LAS_12AB, SWV_PO, SWV_VO, TC, app, bestand, client, fault, leerling_id, peers, soap,
    zorgvraag_body,
)
from oso_protocol.transport.messages import NotificatieResponse, OverzichtAanleverpuntResponse


def maak(client, lid=None, **over):
    lid = lid or leerling_id(client)
    return client.post(f"/api/leerlingen/{lid}/zorgvragen", json=zorgvraag_body(**over))


# --- the happy path ------------------------------------------------------------------------------

def test_opslaan_en_verzenden(client, peers):
    resp = maak(client)
    assert resp.status_code == 201, resp.json
    zv = resp.json["zorgvraag"]
    assert zv["status"] == "verzonden"
    assert zv["notificatie_verstuurd"] == "Ja"
    assert zv["terugkoppeling_ontvangen"] == "Nee"
    assert zv["laatste_fout"] is None
    assert zv["koppelsleutel"] == peers.koppelsleutels[0]
    assert peers.calls == ["overzichtAanleverpunt", "meldenNotificatie", "notificatie"]
    melden, notificatie = peers.messages[1], peers.messages[2]
    assert (melden.bronBrin, melden.bronRouteringsKenmerk) == ("12AB", LAS_12AB)
    assert (melden.doelBrin, melden.doelRouteringsKenmerk, melden.doel) == ("25PO", SWV_PO, "SWV")
    assert notificatie.koppelsleutel == zv["koppelsleutel"]
    assert [b["soort"] for b in zv["bijlagen"]] == ["toelichting"]
    # VERPLICHT blocks are always in, the ticked optional one too
    assert {"Leerling", "School", "Onderwijsondersteuning", "Toetsresultaten"} <= set(zv["gegevensblokken"])
    dossier = client.get(f"/api/zorgvragen/{zv['id']}/dossier")
    assert dossier.status_code == 200 and dossier.data.startswith(b"<?xml")
    # the school's question travels as the toelichting document's omschrijving
    from swv_mock.zaak import uit_dossier
    assert uit_dossier(dossier.data)["vraag"] == zv["omschrijving"] != ""
    # the API says it when the aandachtspunten stayed behind (no Overstapadvies block)
    assert zv["aandachtspunten"] and zv["aandachtspunten_meegestuurd"] is False
    assert b"Graag snel contact." not in dossier.data


def test_overzicht_rijen(client, peers):
    lid = leerling_id(client)
    zv = maak(client, lid).json["zorgvraag"]
    rows = client.get(f"/api/leerlingen/{lid}/zorgvragen").json
    assert len(rows) == 1
    row = rows[0]
    assert set(row) >= {"id", "omschrijving", "gemaakt_op", "deelnameaanleverpunt",
                        "notificatie_verstuurd", "terugkoppeling_ontvangen"}
    assert row["omschrijving"] == "Lezen blijft achter"
    assert len(row["gemaakt_op"]) == 10 and row["gemaakt_op"][2] == "-" and row["gemaakt_op"][5] == "-"
    assert row["deelnameaanleverpunt"] == "SWV PO Rivierenland"
    assert (row["notificatie_verstuurd"], row["terugkoppeling_ontvangen"]) == ("Ja", "Nee")
    assert client.delete(f"/api/zorgvragen/{zv['id']}").status_code == 200
    assert client.get(f"/api/leerlingen/{lid}/zorgvragen").json == []
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["status"] == "verwijderd"


def test_aanleverpunten_live_bij_tc(client, peers):
    aps = client.get("/api/aanleverpunten?brin=12AB").json
    assert aps == [{"routeringskenmerk": SWV_PO, "brin": "25PO", "naam": "SWV PO Rivierenland",
                    "doel": "SWV", "label": f"931: 25PO {SWV_PO} SWV PO Rivierenland"}]
    assert peers.messages[0].brin == "12AB" and peers.messages[0].doel == "SWV"


def test_aanleverpunten_tc_onbereikbaar_is_502(client):
    with responses.RequestsMock() as rsps:
        rsps.add(responses.POST, TC + "/oso", body=requests.ConnectionError("weg"))
        resp = client.get("/api/aanleverpunten?brin=12AB")
    assert resp.status_code == 502
    assert resp.json["code"] == "NietBereikbaar"


# --- refusals before anything is stored or sent ----------------------------------------------------

@pytest.mark.parametrize("over, tekst", [
    ({"omschrijving": "  "}, "omschrijving"),
    ({"aanleverpunt": None}, "Aanleverpuntselectie"),
    ({"toelichting": None}, "De bijlage Toelichting onderwijsbehoeften is verplicht en nodig om de"
                            " aanvraag te kunnen verzenden."),
    ({"toelichting": bestand(inhoud=b"")}, "Toelichting onderwijsbehoeften is verplicht"),
])
def test_onvolledig_wordt_geweigerd_zonder_iets_te_sturen(client, over, tekst):
    lid = leerling_id(client)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        resp = maak(client, lid, **over)
        assert len(rsps.calls) == 0
    assert resp.status_code == 422
    assert tekst in resp.json["fout"]
    assert resp.json["code"] == "ZorgvraagOnvolledig"
    assert client.get(f"/api/leerlingen/{lid}/zorgvragen").json == []


def test_aanleverpunt_niet_aangeboden(client, peers):
    lid = leerling_id(client)
    resp = maak(client, lid, aanleverpunt=SWV_VO)  # offered to 56EF, not to 12AB
    assert resp.status_code == 422
    assert resp.json["code"] == "OnbekendAanleverpunt"
    assert peers.calls == ["overzichtAanleverpunt"]
    assert client.get(f"/api/leerlingen/{lid}/zorgvragen").json == []


def test_verboden_gegevensblok_kan_niet_gekozen_worden(client, peers):
    lid = leerling_id(client, "56EF")  # VOSWV: VVE is VERBODEN
    resp = maak(client, lid, aanleverpunt=SWV_VO, gegevensblokken=["VVE"])
    assert resp.status_code == 422
    assert "VVE" in resp.json["fout"]
    assert peers.calls == []


def test_blokken_van_het_profiel(client):
    lid = leerling_id(client, "56EF")
    states = {b["naam"]: b["state"] for b in client.get(f"/api/leerlingen/{lid}/gegevensblokken").json}
    assert states["VVE"] == "verboden" and states["Leerling"] == "verplicht"


# --- failures of the peers: consistent state, retry ------------------------------------------------

def _assert_nee(zv, code):
    assert zv["status"] == "verzonden"
    assert zv["notificatie_verstuurd"] == "Nee"
    assert zv["laatste_fout_code"] == code
    assert code in zv["laatste_fout"]


@pytest.mark.parametrize("code", ["GeenMandaat", "AanleverpuntInactief"])
def test_tc_weigert_melden_dan_opnieuw(client, peers, code):
    peers.handlers["meldenNotificatie"] = lambda m: fault(code, "Niet toegestaan.")
    resp = maak(client)
    assert resp.status_code == 201
    zv = resp.json["zorgvraag"]
    _assert_nee(zv, code)
    assert zv["koppelsleutel"] is None
    assert "Melden notificatie" in zv["laatste_fout"]
    assert "notificatie" not in peers.calls
    row = client.get(f"/api/leerlingen/{zv['leerling_id']}/zorgvragen").json[0]
    assert row["notificatie_verstuurd"] == "Nee"
    # the TC changes its mind: the retry asks a koppelsleutel now
    peers.handlers["meldenNotificatie"] = peers._melden
    zv = client.post(f"/api/zorgvragen/{zv['id']}/verzenden").json["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja" and zv["laatste_fout"] is None
    assert zv["koppelsleutel"] == peers.koppelsleutels[-1]


@pytest.mark.parametrize("answer, code", [
    (lambda m: fault("OngeldigBericht", "Kapot."), "OngeldigBericht"),
    (lambda m: (200, {"Content-Type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"),
     "OngeldigAntwoord"),
    (lambda m: requests.ConnectionError("connection refused"), "NietBereikbaar"),
    (lambda m: requests.Timeout("read timed out"), "NietBereikbaar"),
    (lambda m: soap(NotificatieResponse(resultaat="IetsAnders")), "IetsAnders"),
])
def test_swv_faalt_dan_opnieuw_met_dezelfde_koppelsleutel(client, peers, answer, code):
    peers.handlers["notificatie"] = answer
    zv = maak(client).json["zorgvraag"]
    _assert_nee(zv, code)
    assert "Versturen notificatie" in zv["laatste_fout"]
    koppelsleutel = zv["koppelsleutel"]
    assert koppelsleutel == peers.koppelsleutels[0]
    # a retry while the SWV is still down changes nothing but the error
    zv = client.post(f"/api/zorgvragen/{zv['id']}/verzenden").json["zorgvraag"]
    _assert_nee(zv, code)
    peers.handlers["notificatie"] = lambda m: soap(NotificatieResponse())
    zv = client.post(f"/api/zorgvragen/{zv['id']}/verzenden").json["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja"
    assert zv["koppelsleutel"] == koppelsleutel
    assert peers.count("meldenNotificatie") == 1  # no second koppelsleutel was asked
    assert [m.koppelsleutel for m in peers.messages if m.OPERATION == "notificatie"] == [koppelsleutel] * 3
    # once notified, a further "verzenden" sends nothing
    before = len(peers.calls)
    assert client.post(f"/api/zorgvragen/{zv['id']}/verzenden").status_code == 200
    assert len(peers.calls) == before


def test_tc_onbereikbaar_bij_controle_aanleverpunt(client, peers):
    """The zorgvraag is stored and sent; the check is repeated at the retry."""
    peers.handlers["overzichtAanleverpunt"] = lambda m: requests.ConnectionError("down")
    zv = maak(client).json["zorgvraag"]
    _assert_nee(zv, "NietBereikbaar")
    assert zv["aanleverpunt_naam"] is None
    assert peers.calls == ["overzichtAanleverpunt", "overzichtAanleverpunt"]
    peers.handlers["overzichtAanleverpunt"] = lambda m: soap(OverzichtAanleverpuntResponse())
    # the TC is back but no longer offers the aanleverpunt: still Nee, with a clear code
    zv = client.post(f"/api/zorgvragen/{zv['id']}/verzenden").json["zorgvraag"]
    _assert_nee(zv, "OnbekendAanleverpunt")


def test_tc_terug_na_onbereikbaar(client, peers):
    default = peers.handlers["overzichtAanleverpunt"]
    peers.handlers["overzichtAanleverpunt"] = lambda m: requests.ConnectionError("down")
    zv = maak(client).json["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Nee"
    peers.handlers["overzichtAanleverpunt"] = default
    zv = client.post(f"/api/zorgvragen/{zv['id']}/verzenden").json["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja"
    assert zv["deelnameaanleverpunt"] == "SWV PO Rivierenland"


def test_tc_antwoordt_onzin_op_melden(client, peers):
    peers.handlers["meldenNotificatie"] = lambda m: (200, {}, b"not xml at all")
    zv = maak(client).json["zorgvraag"]
    _assert_nee(zv, "OngeldigAntwoord")
    assert zv["koppelsleutel"] is None


# --- concept, immutability -------------------------------------------------------------------------

def test_concept_wijzigen_en_later_verzenden(client, peers):
    lid = leerling_id(client)
    resp = client.post(f"/api/leerlingen/{lid}/zorgvragen",
                       json={"omschrijving": "Concept", "verzenden": False})
    assert resp.status_code == 201
    zv = resp.json["zorgvraag"]
    assert zv["status"] == "concept" and peers.calls == []
    # not complete yet: refused, and still a concept
    resp = client.post(f"/api/zorgvragen/{zv['id']}/verzenden")
    assert resp.status_code == 422 and peers.calls == []
    resp = client.patch(f"/api/zorgvragen/{zv['id']}", json={"aanleverpunt": SWV_PO,
                                                             "toelichting": bestand()})
    assert resp.status_code == 200
    resp = client.post(f"/api/zorgvragen/{zv['id']}/bijlagen",
                       json={**bestand("verslag.pdf"), "omschrijving": "Verslag"})
    assert resp.status_code == 201
    assert sorted(b["soort"] for b in resp.json["bijlagen"]) == ["bijlage", "toelichting"]
    zv = client.post(f"/api/zorgvragen/{zv['id']}/verzenden").json["zorgvraag"]
    assert zv["status"] == "verzonden" and zv["notificatie_verstuurd"] == "Ja"


def test_verzonden_zorgvraag_is_onveranderlijk(client, peers):
    zv = maak(client).json["zorgvraag"]
    resp = client.patch(f"/api/zorgvragen/{zv['id']}", json={"omschrijving": "Anders"})
    assert resp.status_code == 409
    assert resp.json["fout"] == ("Een verzonden zorgvraag kan niet meer worden gewijzigd."
                                 " Maak een nieuwe zorgvraag aan.")
    resp = client.post(f"/api/zorgvragen/{zv['id']}/bijlagen", json=bestand("extra.pdf"))
    assert resp.status_code == 409
    assert client.get(f"/api/zorgvragen/{zv['id']}").json["omschrijving"] == "Lezen blijft achter"
    assert len(client.get(f"/api/zorgvragen/{zv['id']}").json["bijlagen"]) == 1


def test_verwijderde_zorgvraag_wordt_niet_verzonden(client, peers):
    peers.handlers["notificatie"] = lambda m: requests.ConnectionError("down")
    zv = maak(client).json["zorgvraag"]
    client.delete(f"/api/zorgvragen/{zv['id']}")
    assert client.post(f"/api/zorgvragen/{zv['id']}/verzenden").status_code == 409


def test_leerling_patch_merget(client):
    lid = leerling_id(client)
    before = client.get(f"/api/leerlingen/{lid}").json
    after = client.patch(f"/api/leerlingen/{lid}", json={"achternaam": "Nieuw"}).json
    assert after["achternaam"] == "Nieuw"
    assert after["voornamen"] == before["voornamen"]
    assert client.patch(f"/api/leerlingen/{lid}", json={"geboortedatum": "geen datum"}).status_code == 400
    assert client.get("/api/leerlingen/99999").status_code == 404


def test_leerling_toevoegen(client):
    resp = client.post("/api/leerlingen", json={"brin": "12AB", "achternaam": "Jansen",
                                                "voornamen": ["Piet"]})
    assert resp.status_code == 201
    assert client.get(f"/api/leerlingen/{resp.json['id']}").json["achternaam"] == "Jansen"
    assert client.post("/api/leerlingen", json={"brin": "99ZZ", "achternaam": "X"}).status_code == 404


def test_geen_schrijfslot_tijdens_uitgaande_oproepen(app, client, peers):
    """While a peer takes its time, the LAS's database must stay writable for other requests."""
    import sqlite3

    path = app.extensions["las"]["store"].path
    seen = []

    def probe(answer):
        def handler(m):
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                seen.append(m.OPERATION)
            finally:
                other.close()
            return answer(m)
        return handler

    for op in ("overzichtAanleverpunt", "meldenNotificatie", "notificatie"):
        peers.handlers[op] = probe(peers.handlers[op])
    zv = maak(client).json["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja"
    assert seen == ["overzichtAanleverpunt", "meldenNotificatie", "notificatie"]
