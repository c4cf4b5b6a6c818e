"""LasClient and `oso-sim zorgvraag` against a LAS on a real loopback port (TC/SWV via responses)."""
from __future__ import annotations

import json

import pytest
import requests
import responses

from actor_kit.server import ServerThread
from harness.cli import main
from las_client.app import create_app
from las_client.client import LasClient, LasClientError
from las_support import PDF, SWV_PO, TC, Peers, soap
from oso_protocol.transport.messages import NotificatieResponse


@pytest.fixture
def las(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "las.sqlite"), "TC_URL": TC, "SOAP_TIMEOUT": 2})
    with ServerThread(app) as server:
        yield server.url


@pytest.fixture
def peers(las):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_passthru(las)
        yield Peers(rsps)


def test_client_roundtrip(las, peers, tmp_path):
    c = LasClient(las)
    ll = c.leerlingen("12AB")[0]
    assert c.aanleverpunten("12AB")[0]["routeringskenmerk"] == SWV_PO
    zv = c.maak_zorgvraag(ll["id"], "Rekenen", SWV_PO, PDF, gegevensblokken=["Verzuim"],
                          bijlagen=[("verslag.pdf", PDF, "Verslag")], aandachtspunten="Let op")
    assert zv["notificatie_verstuurd"] == "Ja"
    assert "Verzuim" in zv["gegevensblokken"]
    assert c.zorgvraag(zv["id"])["id"] == zv["id"]
    assert c.dossier(zv["id"]).startswith(b"<?xml")
    assert [r["id"] for r in c.overzicht(ll["id"])] == [zv["id"]]
    assert c.wijzig_leerling(ll["id"], roepnaam="Pim")["roepnaam"] == "Pim"
    with pytest.raises(LasClientError) as exc:
        c.maak_zorgvraag(ll["id"], "Zonder toelichting", SWV_PO, None)
    assert exc.value.status == 422 and "Toelichting onderwijsbehoeften" in exc.value.fout
    c.verwijder(zv["id"])
    assert c.overzicht(ll["id"]) == []


def test_client_onbereikbaar():
    with pytest.raises(LasClientError) as exc:
        LasClient("http://127.0.0.1:9", timeout=1).leerlingen()
    assert exc.value.unreachable


def test_cli(las, peers, tmp_path, capsys):
    toelichting = tmp_path / "toelichting.pdf"
    toelichting.write_bytes(PDF)
    assert main(["zorgvraag", "--las", las, "--json", "list", "--brin", "12AB"]) == 0
    ll = json.loads(capsys.readouterr().out)[0]
    assert main(["zorgvraag", "--las", las, "aanleverpunten", "12AB"]) == 0
    assert SWV_PO in capsys.readouterr().out
    assert main(["zorgvraag", "--las", las, "--json", "create", "--leerling", str(ll["id"]),
                 "--omschrijving", "Lezen", "--aanleverpunt", SWV_PO,
                 "--toelichting", str(toelichting), "--gegevensblok", "Toetsresultaten"]) == 0
    zv = json.loads(capsys.readouterr().out)
    assert zv["notificatie_verstuurd"] == "Ja"
    assert main(["zorgvraag", "--las", las, "show", str(zv["id"])]) == 0
    assert "Notificatie verstuurd:    Ja".lower() in capsys.readouterr().out.lower()
    assert main(["zorgvraag", "--las", las, "list", "--leerling", str(ll["id"])]) == 0
    assert "Lezen" in capsys.readouterr().out
    # refused: no toelichting
    assert main(["zorgvraag", "--las", las, "create", "--leerling", str(ll["id"]),
                 "--omschrijving", "Lezen", "--aanleverpunt", SWV_PO]) == 1
    assert "Toelichting onderwijsbehoeften" in capsys.readouterr().err
    # the SWV is down: stored, not notified, exit 1; "send" retries
    peers.handlers["notificatie"] = lambda m: requests.ConnectionError("down")
    assert main(["zorgvraag", "--las", las, "--json", "create", "--leerling", str(ll["id"]),
                 "--omschrijving", "Nog een", "--aanleverpunt", SWV_PO,
                 "--toelichting", str(toelichting)]) == 1
    zv2 = json.loads(capsys.readouterr().out)
    assert zv2["notificatie_verstuurd"] == "Nee"
    peers.handlers["notificatie"] = lambda m: soap(NotificatieResponse())
    assert main(["zorgvraag", "--las", las, "send", str(zv2["id"])]) == 0
    capsys.readouterr()
    assert main(["zorgvraag", "--las", las, "delete", str(zv["id"])]) == 0
    assert main(["zorgvraag", "--las", las, "show", "9999"]) == 1


def test_cli_onbereikbaar_en_verkeerd_gebruik(capsys, tmp_path):
    assert main(["zorgvraag", "--las", "http://127.0.0.1:9", "list"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["zorgvraag", "create"])
    assert exc.value.code == 2
    assert main(["zorgvraag", "--las", "http://127.0.0.1:9", "create", "--leerling", "1",
                 "--omschrijving", "x", "--toelichting", str(tmp_path / "bestaat-niet.pdf")]) == 2


def test_cli_status_line_is_the_one_status_of_the_las():
    from harness.cli.zorgvraag import _zorgvraag_text
    zv = {"id": 7, "omschrijving": "Zonder mandaat", "status": "verzonden",
          "toestand_tekst": "geweigerd door OSO (GeenMandaat)", "aanleverpunt": SWV_PO,
          "deelnameaanleverpunt": "SWV PO Rivierenland", "gemaakt_op": "2026-11-30T20:00:00+01:00",
          "koppelsleutel": None, "notificatie_verstuurd": "Nee", "dossier_opgehaald": False,
          "terugkoppeling_ontvangen": "Nee",
          "laatste_fout": "Melden notificatie bij het Traffic Center mislukt (GeenMandaat): ..."}
    text = _zorgvraag_text(zv)
    assert "status:                   geweigerd door OSO (GeenMandaat)" in text
    assert "status:                   verzonden" not in text
    assert "niet meegestuurd" not in text
    zv.update(aandachtspunten="Graag overleg.", aandachtspunten_meegestuurd=False)
    assert "aandachtspunten:          niet meegestuurd (Overstapadvies niet aangevinkt)" in \
        _zorgvraag_text(zv)
