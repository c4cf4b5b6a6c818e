"""A real built dossier through the fetch and the plain-data view."""
import base64
import random

import pytest

from oso_protocol.dossier.builder import build_dossier
from oso_protocol.synthetic import REFERENTIEDATUM, make_leerling, make_school, make_zorgvraag
from oso_protocol.transport.messages import DocumentResponse
from swv_mock.dossier_view import DossierViewError, dossier_data

from swv_support import app, client, notify, ok, peers  # noqa: F401


def built(seed="swv-view", profile="POSWV") -> bytes:
    rng = random.Random(seed)
    school = make_school(rng, profile)
    ll = make_leerling(rng, profile, school=school)
    return build_dossier(ll, school, datum=REFERENTIEDATUM, **make_zorgvraag(rng, ll, profile))


def test_built_dossier_is_fetched_validated_and_viewable(client, peers):
    xml = built()
    p = peers(document=ok(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1",
                                           dossier=base64.b64encode(xml).decode())))
    k = notify(client)
    a = client.post(f"/api/aanvragen/{k}/ophalen").get_json()
    assert a["status"] == "afgemeld"
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == "OverdrachtGeslaagd"
    assert client.get(f"/api/aanvragen/{k}/dossier").data == xml  # byte-exact
    rapport = client.get(f"/api/aanvragen/{k}/rapport").get_json()
    if rapport["valid"] is not None:  # the full validator is in place
        assert rapport["valid"] is True, rapport["findings"]
        assert a["valid"] is True and a["profile"] == "POSWV"
    view = client.get(f"/api/aanvragen/{k}/gegevens").get_json()
    assert isinstance(view["dossier"], dict) and view["dossier"]


def test_view_keeps_the_text_of_the_dossier():
    data = dossier_data(built())["dossier"]
    assert data["overdrachtsoort"] == "swv-dossier"


@pytest.mark.parametrize("raw", [b"", b"<a>", b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'])
def test_view_refuses_unreadable(raw):
    with pytest.raises(DossierViewError):
        dossier_data(raw)
