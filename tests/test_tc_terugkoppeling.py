"""meldenTerugkoppeling at the Traffic Center."""
from oso_protocol.transport import faults
from oso_protocol.transport.messages import MeldenTerugkoppelingResponse

from tc_support import (LAS_RK, LAS_URL, SWV_VO_RK, app, client, clock, counts,  # noqa: F401
                        fetched, new_koppelsleutel, new_sessie, afmelding, refused, soap,
                        terugkoppeling)


def test_terugkoppeling_after_fetch(app, client):
    k = fetched(client)
    answer = soap(client, terugkoppeling(k))
    assert isinstance(answer, MeldenTerugkoppelingResponse)
    assert answer.url == LAS_URL + "/oso"
    koppeling = client.get(f"/api/koppelingen/{k}").json
    assert koppeling["terugkoppeling_gemeld"] is True and koppeling["terugkoppelingen"] == 1
    soap(client, terugkoppeling(k))  # [choice] several terugkoppelingen per aanvraag
    assert counts(app)["terugkoppelingen"] == 2


def test_unknown_koppelsleutel(app, client):
    refused(client, terugkoppeling("11111111-2222-3333-4444-555555555555"),
            faults.KOPPELSLEUTEL_ONBEKEND)
    assert counts(app)["terugkoppelingen"] == 0


def test_triple_must_match(app, client):
    k = fetched(client)
    refused(client, terugkoppeling(k, bronRouteringsKenmerk="0000000700034CD00950"),
            faults.SESSIE_AFWIJKEND)
    refused(client, terugkoppeling(k, doelBrin="25VO", doelRouteringsKenmerk=SWV_VO_RK),
            faults.SESSIE_AFWIJKEND)
    assert counts(app)["terugkoppelingen"] == 0


def test_dossier_must_have_been_fetched(app, client):
    refused(client, terugkoppeling(new_koppelsleutel(client)), faults.DOSSIER_NIET_OPGEHAALD)
    k, s = new_sessie(client)
    soap(client, afmelding(s, k, resultaat="LeveringGeweigerd"))
    refused(client, terugkoppeling(k), faults.DOSSIER_NIET_OPGEHAALD)
    assert counts(app)["terugkoppelingen"] == 0


def test_las_endpoint_must_be_active(app, client):
    k = fetched(client)
    client.patch(f"/api/register/aanleverpunten/{LAS_RK}", json={"actief": False})
    refused(client, terugkoppeling(k), faults.AANLEVERPUNT_INACTIEF)
    assert counts(app)["terugkoppelingen"] == 0
    assert client.get(f"/api/koppelingen/{k}").json["terugkoppeling_gemeld"] is False


def test_url_follows_the_register(client):
    k = fetched(client)
    client.patch(f"/api/register/aanleverpunten/{LAS_RK}", json={"url": "https://las.example/oso2"})
    assert soap(client, terugkoppeling(k)).url == "https://las.example/oso2"
