"""overzichtAanleverpunt and meldenNotificatie at the Traffic Center."""
import re

from oso_protocol.transport import faults
from oso_protocol.transport.messages import (MeldenNotificatieResponse,
                                             OverzichtAanleverpuntRequest)

from tc_support import (BRIN, LAS_RK, SWV_BRIN, SWV_INACTIEF_RK, SWV_RK, SWV_URL, SWV_VO_RK,
                        app, client, clock, counts, melden, refused, soap)  # noqa: F401

GUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def _rks(answer):
    return sorted(a.routeringsKenmerk for a in answer.aanleverpunt)


def test_overzicht_active_only_without_filter(client):
    rks = _rks(soap(client, OverzichtAanleverpuntRequest()))
    assert SWV_RK in rks and SWV_VO_RK in rks and LAS_RK in rks
    assert SWV_INACTIEF_RK not in rks


def test_overzicht_brin_matches_activated_swv_endpoints(client):
    answer = soap(client, OverzichtAanleverpuntRequest(brin=BRIN, doel="SWV"))
    assert _rks(answer) == [SWV_RK]
    ap = answer.aanleverpunt[0]
    assert (ap.brin, ap.doel, ap.systeem, ap.actief) == (SWV_BRIN, "SWV", "swv-sim", True)
    assert ap.naam == "SWV PO Rivierenland"


def test_overzicht_brin_includes_own_endpoints(client):
    assert _rks(soap(client, OverzichtAanleverpuntRequest(brin=BRIN))) == sorted([LAS_RK, SWV_RK])
    assert _rks(soap(client, OverzichtAanleverpuntRequest(brin="56EF", doel="SWV"))) == [SWV_VO_RK]


def test_overzicht_filter_routeringskenmerk(client):
    assert _rks(soap(client, OverzichtAanleverpuntRequest(routeringsKenmerk=SWV_VO_RK))) == [SWV_VO_RK]
    assert _rks(soap(client, OverzichtAanleverpuntRequest(routeringsKenmerk=SWV_INACTIEF_RK))) == []
    assert _rks(soap(client, OverzichtAanleverpuntRequest(brin="99ZZ"))) == []


def test_melden_notificatie_issues_koppelsleutel(app, client):
    answer = soap(client, melden())
    assert isinstance(answer, MeldenNotificatieResponse)
    assert GUID_UPPER.match(answer.koppelsleutel)
    assert answer.url == SWV_URL + "/oso"
    k = client.get(f"/api/koppelingen/{answer.koppelsleutel}").json
    assert (k["bron_brin"], k["bron_routeringskenmerk"], k["doel_brin"],
            k["doel_routeringskenmerk"]) == (BRIN, LAS_RK, SWV_BRIN, SWV_RK)
    assert k["opgehaald"] is False and k["terugkoppeling_gemeld"] is False and k["sessies"] == []


def test_unknown_school(app, client):
    refused(client, melden(brin="99ZZ"), faults.VERSTREKKER_NIET_BEKEND)
    assert counts(app)["koppelingen"] == 0


def test_bron_aanleverpunt_must_be_the_schools_las_endpoint(app, client):
    refused(client, melden(las_rk="0000000700099ZZ00950"), faults.ONBEKEND_AANLEVERPUNT)
    # the LAS endpoint of another school
    refused(client, melden(las_rk="0000000700034CD00950"), faults.ONBEKEND_AANLEVERPUNT)
    # an SWV endpoint is no LAS endpoint
    refused(client, melden(las_rk=SWV_RK), faults.ONBEKEND_AANLEVERPUNT)
    client.patch(f"/api/register/aanleverpunten/{LAS_RK}", json={"actief": False})
    refused(client, melden(), faults.ONBEKEND_AANLEVERPUNT)
    assert counts(app)["koppelingen"] == 0


def test_doel_aanleverpunt_unknown(app, client):
    refused(client, melden(swv_rk="0000000700025PO00999"), faults.ONBEKEND_AANLEVERPUNT)
    assert counts(app)["koppelingen"] == 0


def test_doel_aanleverpunt_inactive(app, client):
    refused(client, melden(swv_rk=SWV_INACTIEF_RK), faults.AANLEVERPUNT_INACTIEF)
    assert counts(app)["koppelingen"] == 0


def test_doel_aanleverpunt_must_have_doel_swv(app, client):
    refused(client, melden(doel_brin="34CD", swv_rk="0000000700034CD00950"), faults.ONJUIST_DOEL)
    assert counts(app)["koppelingen"] == 0


def test_request_doel_must_be_swv(app, client):
    refused(client, melden(doel="OV"), faults.ONJUIST_DOEL)
    assert counts(app)["koppelingen"] == 0


def test_both_systems_need_a_mandate(app, client):
    fault = refused(client, melden(brin="78GH", las_rk="0000000700078GH00950"),
                    faults.GEEN_MANDAAT)
    assert "swv-sim" in fault.omschrijving
    client.delete("/api/register/mandates",
                  json={"brin": BRIN, "system": "las-sim", "dienst": "OSO-SWV"})
    fault = refused(client, melden(), faults.GEEN_MANDAAT)
    assert "las-sim" in fault.omschrijving
    assert counts(app)["koppelingen"] == 0


def test_each_call_gets_its_own_koppelsleutel(client):
    keys = {soap(client, melden()).koppelsleutel for _ in range(5)}
    assert len(keys) == 5
