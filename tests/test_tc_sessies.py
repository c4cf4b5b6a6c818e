"""overdracht, sessiecontrole and afmelding at the Traffic Center."""
from oso_protocol.transport import faults
from oso_protocol.transport.messages import (AfmeldingResponse, OverdrachtResponse,
                                             SessiecontroleResponse)

from tc_support import (BRIN, LAS_RK, LAS_URL, SWV_BRIN, SWV_VO_RK, afmelding, app,  # noqa: F401
                        client, clock, controle, counts, fetched, new_koppelsleutel, new_sessie,
                        overdracht, refused, soap)

ANDER_GUID = "11111111-2222-3333-4444-555555555555"


# --- overdracht --------------------------------------------------------------------------------

def test_overdracht_issues_session(app, client, clock):
    k = new_koppelsleutel(client)
    answer = soap(client, overdracht(k.lower()))  # the key is not case-sensitive
    assert isinstance(answer, OverdrachtResponse)
    assert answer.bronRouteringsKenmerk == LAS_RK
    assert answer.url == LAS_URL + "/oso"
    sessies = client.get(f"/api/koppelingen/{k}").json["sessies"]
    assert [s["sessieId"] for s in sessies] == [answer.sessieId]
    assert sessies[0]["afgemeld"] is False


def test_overdracht_needs_koppelsleutel_not_zoeksleutel(app, client):
    k = new_koppelsleutel(client)
    refused(client, overdracht(None, zoeksleutel="QUJDRA=="), faults.SLEUTEL_KEUZE_ONJUIST)
    # neither or both: the message schema (a choice) refuses it before the TC looks at it
    refused(client, overdracht(None), faults.ONGELDIG_BERICHT)
    refused(client, overdracht(k, zoeksleutel="QUJDRA=="), faults.ONGELDIG_BERICHT)
    assert counts(app)["sessies"] == 0


def test_overdracht_unknown_koppelsleutel(app, client):
    refused(client, overdracht(ANDER_GUID), faults.KOPPELSLEUTEL_ONBEKEND)
    assert counts(app)["sessies"] == 0


def test_overdracht_wrong_overdrachtsoort(app, client):
    k = new_koppelsleutel(client)
    refused(client, overdracht(k, overdrachtsoort="overstapdossier"),
            faults.ONJUISTE_OVERDRACHTSOORT)
    assert counts(app)["sessies"] == 0


def test_overdracht_from_another_swv_endpoint(app, client):
    k = new_koppelsleutel(client)
    refused(client, overdracht(k, doelBrin="25VO", doelRouteringsKenmerk=SWV_VO_RK),
            faults.ONBEKEND_AANLEVERPUNT)
    assert counts(app)["sessies"] == 0


def test_overdracht_inactive_swv_endpoint(app, client):
    k = new_koppelsleutel(client)
    client.patch("/api/register/aanleverpunten/0000000700025PO00931", json={"actief": False})
    refused(client, overdracht(k), faults.AANLEVERPUNT_INACTIEF)
    assert counts(app)["sessies"] == 0


def test_overdracht_other_bron_brin(app, client):
    k = new_koppelsleutel(client)
    refused(client, overdracht(k, bronBrin="34CD"), faults.SESSIE_AFWIJKEND)
    assert counts(app)["sessies"] == 0


def test_overdracht_mandate_withdrawn(app, client):
    k = new_koppelsleutel(client)
    client.delete("/api/register/mandates",
                  json={"brin": BRIN, "system": "swv-sim", "dienst": "OSO-SWV"})
    refused(client, overdracht(k), faults.GEEN_MANDAAT)
    assert counts(app)["sessies"] == 0


def test_overdracht_again_before_and_after_fetch(app, client):
    k, first = new_sessie(client)
    second = soap(client, overdracht(k)).sessieId  # a retry after a crash is fine
    assert second != first
    soap(client, afmelding(second, k))
    refused(client, overdracht(k), faults.KOPPELSLEUTEL_REEDS_GEBRUIKT)
    assert counts(app)["sessies"] == 2


# --- sessiecontrole ----------------------------------------------------------------------------

def test_sessiecontrole_valid(app, client):
    k, s = new_sessie(client)
    answer = soap(client, controle(s.upper(), k))
    assert isinstance(answer, SessiecontroleResponse)
    assert (answer.resultaat, answer.sector) == ("SessieValide", "SWV")
    assert client.get(f"/api/koppelingen/{k}").json["sessies"][0]["gecontroleerd"] == 1


def test_sessiecontrole_unknown_session(client):
    k = new_koppelsleutel(client)
    refused(client, controle(ANDER_GUID, k), faults.SESSIE_ONBEKEND)


def test_sessiecontrole_after_afmelding(client):
    k, s = new_sessie(client)
    soap(client, afmelding(s, k))
    refused(client, controle(s, k), faults.SESSIE_REEDS_AFGEMELD)


def test_sessiecontrole_expired(client, clock):
    k, s = new_sessie(client)
    clock.t += 899
    soap(client, controle(s, k))
    clock.t += 1
    refused(client, controle(s, k), faults.SESSIE_VERLOPEN)


def test_sessiecontrole_ttl_from_config(tmp_path):
    from tc_support import Clock, make_app
    clock = Clock()
    client = make_app(tmp_path, clock, SESSION_TTL_SECONDS=5).test_client()
    k, s = new_sessie(client)
    clock.t += 5
    refused(client, controle(s, k), faults.SESSIE_VERLOPEN)


def test_sessiecontrole_unknown_bron_school(client):
    k, s = new_sessie(client)
    refused(client, controle(s, k, bronBrin="99ZZ"), faults.VERSTREKKER_NIET_BEKEND)


def test_sessiecontrole_other_doel_endpoint(client):
    k, s = new_sessie(client)
    refused(client, controle(s, k, doelRouteringsKenmerk=SWV_VO_RK), faults.ONBEKEND_AANLEVERPUNT)


def test_sessiecontrole_deviating_data(app, client):
    k, s = new_sessie(client)
    other_k = new_koppelsleutel(client)
    for change in ({"bronBrin": "34CD"}, {"doelBrin": "25VO"},
                   {"overdrachtsoort": "overstapdossier"}, {"koppelsleutel": other_k},
                   {"bronRouteringsKenmerk": "0000000700034CD00950"}):
        refused(client, controle(s, change.pop("koppelsleutel", k), **change),
                faults.SESSIE_AFWIJKEND)
    assert client.get(f"/api/koppelingen/{k}").json["sessies"][0]["gecontroleerd"] == 0


# --- afmelding ---------------------------------------------------------------------------------

def test_afmelding_geslaagd_marks_opgehaald(client):
    k, s = new_sessie(client)
    soap(client, controle(s, k))
    answer = soap(client, afmelding(s, k))
    assert isinstance(answer, AfmeldingResponse)
    koppeling = client.get(f"/api/koppelingen/{k}").json
    assert koppeling["opgehaald"] is True
    assert koppeling["sessies"][0]["afgemeld"] is True
    assert koppeling["sessies"][0]["resultaat"] == "OverdrachtGeslaagd"


def test_afmelding_other_result_leaves_dossier_unfetched(client):
    k, s = new_sessie(client)
    soap(client, afmelding(s, k, resultaat="DossierOngeldig"))
    koppeling = client.get(f"/api/koppelingen/{k}").json
    assert koppeling["opgehaald"] is False
    assert koppeling["sessies"][0]["resultaat"] == "DossierOngeldig"
    soap(client, overdracht(k))  # so a new session is still allowed


def test_afmelding_unknown_session(client):
    k = new_koppelsleutel(client)
    refused(client, afmelding(ANDER_GUID, k), faults.SESSIE_ONBEKEND)


def test_afmelding_twice(client):
    k, s = new_sessie(client)
    soap(client, afmelding(s, k, resultaat="BronNietBereikbaar"))
    refused(client, afmelding(s, k), faults.SESSIE_REEDS_AFGEMELD)
    koppeling = client.get(f"/api/koppelingen/{k}").json
    assert koppeling["opgehaald"] is False
    assert koppeling["sessies"][0]["resultaat"] == "BronNietBereikbaar"


def test_afmelding_deviating_data(client):
    k, s = new_sessie(client)
    refused(client, afmelding(s, k, doelBrin="25VO"), faults.SESSIE_AFWIJKEND)
    refused(client, afmelding(s, new_koppelsleutel(client)), faults.SESSIE_AFWIJKEND)
    assert client.get(f"/api/koppelingen/{k}").json["sessies"][0]["afgemeld"] is False


def test_afmelding_unknown_resultaat(client):
    k, s = new_sessie(client)
    refused(client, afmelding(s, k, resultaat="Prima"), faults.ONGELDIG_BERICHT)
    assert client.get(f"/api/koppelingen/{k}").json["sessies"][0]["afgemeld"] is False


def test_fetched_helper(client):
    k = fetched(client)
    assert client.get(f"/api/koppelingen/{k}").json["opgehaald"] is True
