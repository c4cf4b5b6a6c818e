"""The deliberate defects of our LAS and SWV (las_client/defects.py, swv_mock/defects.py): each one
changes exactly the behaviour it names, and with the defect off the correct behaviour holds.

The actors run in-process with their peers played by `responses`; the conformance run that shows
which scenario catches which defect is someone else's (harness/conformance/defects.py holds the catalogue).
"""
from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import pytest
import requests
import responses
from lxml import etree

import las_support as L
import swv_support as S
import tc_support as T
from harness.conformance import defects as catalogus
from las_client import defects as las_defects
from oso_mock import defects as tc_defects
from oso_protocol.dossier import build_dossier, validate
from oso_protocol.dossier.pgn import with_pgn
from oso_protocol.dossier.version import NS
from oso_protocol.synthetic import make_leerling, make_school, pdf_bytes
from oso_protocol.transport import codec, faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (DocumentResponse, SessiecontroleRequest,
                                             SessiecontroleResponse, TerugkoppelingResponse)
from swv_mock import defects as swv_defects

ROOT = Path(__file__).resolve().parent.parent
BSN = "123456782"
ONDERWIJSNUMMER = "101010108"


# --- the catalogue ------------------------------------------------------------------------------

def _scenario_titles() -> set[str]:
    """The scenario titles as pytest-bdd reads them (any Gherkin language), outlines unexpanded."""
    from pytest_bdd.parser import FeatureParser
    return {template.name for path in (ROOT / "features").glob("*.feature")
            for template in FeatureParser(str(path.parent), path.name).parse().scenarios.values()}


def test_catalogue_names_every_defect_of_both_actors_and_nothing_else():
    assert {d.naam for d in catalogus.voor_rol("las")} == las_defects.DEFECTS
    assert {d.naam for d in catalogus.voor_rol("swv")} == swv_defects.DEFECTS
    assert {d.naam for d in catalogus.voor_rol("tc")} == tc_defects.DEFECTS
    assert len({d.sleutel for d in catalogus.CATALOGUS}) == len(catalogus.CATALOGUS)


def test_catalogue_scenarios_exist_in_the_features():
    titles = _scenario_titles()
    missing = {d.sleutel: [s for s in d.scenarios if s not in titles] for d in catalogus.CATALOGUS}
    assert not {k: v for k, v in missing.items() if v}, missing
    for d in catalogus.CATALOGUS:
        assert d.beschrijving.endswith(".") and len(d.beschrijving) < 200, d


def test_unknown_defect_is_refused_in_dutch_per_role(tmp_path):
    assert catalogus.controleer("las", ["leak_pgn"]) == {"leak_pgn"}
    with pytest.raises(catalogus.OnbekendDefect, match="onbekend defect voor swv: leak_pgn"):
        catalogus.controleer("swv", ["leak_pgn"])
    with pytest.raises(catalogus.OnbekendDefect, match="onbekend defect voor tc: fail_open"):
        catalogus.controleer("tc", ["fail_open"])
    with pytest.raises(ValueError, match="onbekende DEFECTS voor de LAS"):
        L.make_app(tmp_path / "las.sqlite", DEFECTS={"skip_everything"})
    with pytest.raises(ValueError, match="onbekende DEFECTS voor het SWV"):
        swv_defects.check({"skip_everything"})


def test_serve_refuses_an_unknown_defect_before_it_starts(tmp_path):
    from harness.cli import main
    with pytest.raises(SystemExit) as exit_:
        raise SystemExit(main(["serve", "las", "--defect", "lek_pgn", "--tc-url",
                               "http://127.0.0.1:9", "--db", str(tmp_path / "las.sqlite")]))
    assert exit_.value.code == 2
    assert not (tmp_path / "las.sqlite").exists()


# --- LAS helpers --------------------------------------------------------------------------------

@pytest.fixture
def las(tmp_path):
    """las(*defects) -> (test client, Peers): a LAS with those defects, its TC and SWV mocked."""
    apps = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        peers = L.Peers(rsps)

        def make(*defects):
            app = L.make_app(tmp_path / f"las{len(apps)}.sqlite", DEFECTS=set(defects))
            apps.append(app)
            return app.test_client(), peers
        yield make
    for app in apps:
        app.extensions["oso_sim_close"]()


def pupil(client, brin="12AB", **record) -> int:
    lid = L.leerling_id(client, brin)
    if record:
        assert client.patch(f"/api/leerlingen/{lid}", json=record).status_code == 200
    return lid


def send(client, lid, **over) -> dict:
    resp = client.post(f"/api/leerlingen/{lid}/zorgvragen", json=L.zorgvraag_body(**over))
    assert resp.status_code == 201, resp.json
    return resp.json["zorgvraag"]


def dossier(client, zv) -> bytes:
    return client.get(f"/api/zorgvragen/{zv['id']}/dossier").data


def root(data: bytes):
    return etree.fromstring(data)


def find(data: bytes, path: str):
    return root(data).find(".//" + "/".join(f"{{{NS}}}{p}" for p in path.split("/")))


def toelichting_doc(data: bytes) -> tuple[str, str | None, bytes]:
    """(bestandsnaam, omschrijving, file bytes from the ZIP) of the toelichting in a dossier."""
    doc = find(data, "toelichting_onderwijsbehoeften/document")
    naam = doc.findtext(f"{{{NS}}}bestandsnaam")
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(doc.findtext(f"{{{NS}}}bestandsinhoud")))) as z:
        inhoud = z.read(z.namelist()[0])
    return naam, doc.findtext(f"{{{NS}}}omschrijving"), inhoud


def fetched_document(client, zv):
    """The dossier as an SWV gets it through documentRequest (sessiecontrole as the peers say)."""
    resp, answer = L.post_soap(client, L.document_request(zv))
    if isinstance(answer, OsoFault):
        return answer
    return base64.b64decode(answer.dossier)


def declared(data: bytes) -> dict[str, str]:
    cu = find(data, "metadata/categorie_uitlevering")
    return {etree.QName(c).localname: c.text for c in cu}


# --- LAS: PGN -------------------------------------------------------------------------------------

def _pgn_anywhere(data: bytes, number: str) -> list[str]:
    """Where `number` sits in the dossier: element names, toelichting file name, text, PDF."""
    where = [etree.QName(el).localname for el in root(data).iter()
             if isinstance(el.tag, str) and number in (el.text or "")
             and etree.QName(el).localname != "bestandsinhoud"]
    naam, omschrijving, inhoud = toelichting_doc(data)
    if number.encode() in inhoud:
        where.append("pdf")
    return where


@pytest.mark.parametrize("defect,kind,expected", [
    ("leak_pgn", "bsn", ["bsn"]),
    ("leak_pgn", "onderwijsnummer", ["onderwijsnummer"]),
    ("leak_onderwijsnummer", "onderwijsnummer", ["onderwijsnummer"]),
    ("pgn_in_tekst", "bsn", ["omschrijving"]),
    ("pgn_in_bijlagenaam", "bsn", ["bestandsnaam"]),
    ("pgn_in_bijlage", "bsn", ["pdf"]),
])
def test_pgn_defects_put_the_number_where_they_say(las, defect, kind, expected):
    number = BSN if kind == "bsn" else ONDERWIJSNUMMER
    record = {"bsn": BSN, "onderwijsnummer": None} if kind == "bsn" else \
        {"bsn": None, "onderwijsnummer": ONDERWIJSNUMMER}
    good, _ = las()
    bad, _ = las(defect)
    assert _pgn_anywhere(dossier(good, send(good, pupil(good, **record))), number) == []
    leaked = dossier(bad, send(bad, pupil(bad, **record)))
    assert _pgn_anywhere(leaked, number) == expected
    if defect in ("leak_pgn", "leak_onderwijsnummer"):
        assert "PaO.LL12" in {f.rule for f in validate(leaked).findings}


def test_pgn_in_bijlage_is_a_real_pdf_text_line(las):
    bad, _ = las("pgn_in_bijlage")
    naam, _, inhoud = toelichting_doc(dossier(bad, send(bad, pupil(bad, bsn=BSN))))
    assert inhoud.startswith(b"%PDF-") and inhoud.rstrip().endswith(b"%%EOF")
    assert f"(BSN van de leerling: {BSN}) Tj".encode() in inhoud


# --- LAS: toelichting ---------------------------------------------------------------------------

def test_send_without_toelichting(las):
    good, peers = las()
    resp = good.post(f"/api/leerlingen/{pupil(good)}/zorgvragen",
                     json=L.zorgvraag_body(toelichting=None))
    assert resp.status_code == 422 and peers.calls == []
    bad, peers = las("send_without_toelichting")
    zv = send(bad, pupil(bad), toelichting=None)
    assert zv["notificatie_verstuurd"] == "Ja" and peers.count("notificatie") == 1
    assert find(dossier(bad, zv), "toelichting_onderwijsbehoeften") is None


def test_drop_toelichting(las):
    good, _ = las()
    assert find(dossier(good, send(good, pupil(good))), "toelichting_onderwijsbehoeften") is not None
    bad, _ = las("drop_toelichting")
    zv = send(bad, pupil(bad))
    assert [b["soort"] for b in zv["bijlagen"]] == ["toelichting"]  # the school did attach it
    data = dossier(bad, zv)
    assert find(data, "toelichting_onderwijsbehoeften") is None
    assert not validate(data).valid


# --- LAS: immutable, snapshot ---------------------------------------------------------------------

def test_change_after_send(las):
    good, _ = las()
    zv = send(good, pupil(good))
    resp = good.patch(f"/api/zorgvragen/{zv['id']}", json={"omschrijving": "Anders"})
    assert resp.status_code == 409 and "Maak een nieuwe zorgvraag aan" in resp.json["fout"]
    bad, _ = las("change_after_send")
    zv = send(bad, pupil(bad))
    resp = bad.patch(f"/api/zorgvragen/{zv['id']}", json={"omschrijving": "Anders"})
    assert resp.status_code == 200
    assert bad.get(f"/api/zorgvragen/{zv['id']}").json["omschrijving"] == "Anders"


def test_live_dossier(las):
    for defects, expect_new in (((), False), (("live_dossier",), True)):
        client, _ = las(*defects)
        lid = pupil(client)
        zv = send(client, lid)
        client.patch(f"/api/leerlingen/{lid}", json={"achternaam": "Gewijzigdnaam"})
        served = fetched_document(client, zv)
        assert (b"Gewijzigdnaam" in served) is expect_new
        assert (served == dossier(client, zv)) is not expect_new


def test_stale_new_zorgvraag(las):
    for defects, stale in (((), False), (("stale_new_zorgvraag",), True)):
        client, _ = las(*defects)
        lid = pupil(client)
        first = send(client, lid)
        client.patch(f"/api/leerlingen/{lid}", json={"achternaam": "Gewijzigdnaam"})
        second = send(client, lid, omschrijving="Nieuwe zorgvraag")
        assert second["koppelsleutel"] != first["koppelsleutel"]
        assert (b"Gewijzigdnaam" in dossier(client, second)) is not stale
        assert (dossier(client, second) == dossier(client, first)) is stale


def test_serve_deleted(las):
    for defects, served in (((), False), (("serve_deleted",), True)):
        client, _ = las(*defects)
        zv = send(client, pupil(client))
        assert client.delete(f"/api/zorgvragen/{zv['id']}").status_code == 200
        answer = fetched_document(client, zv)
        if served:
            assert answer == dossier(client, zv)
        else:
            assert answer.resultaat == faults.LEERLINGINFO_NIET_BESCHIKBAAR


# --- LAS: sessiecontrole ----------------------------------------------------------------------------

def test_skip_sessiecontrole(las):
    for defects, checks in (((), 1), (("skip_sessiecontrole",), 0)):
        client, peers = las(*defects)
        zv = send(client, pupil(client))
        before = peers.count("sessiecontrole")
        peers.handlers["sessiecontrole"] = lambda m: L.fault(faults.SESSIE_ONBEKEND)
        answer = fetched_document(client, zv)
        assert peers.count("sessiecontrole") - before == checks
        assert isinstance(answer, bytes) is (checks == 0)
        peers.handlers["sessiecontrole"] = lambda m: L.soap(SessiecontroleResponse(sector="SWV"))


@pytest.mark.parametrize("defect,tolerated", [
    ("ignore_sessie_afwijkend", faults.SESSIE_AFWIJKEND),
    ("serve_after_afmelding", faults.SESSIE_REEDS_AFGEMELD),
])
def test_sessie_answer_taken_as_valid(las, defect, tolerated):
    others = {faults.SESSIE_AFWIJKEND, faults.SESSIE_REEDS_AFGEMELD, faults.SESSIE_ONBEKEND} - {tolerated}
    good, peers = las()
    bad, _ = las(defect)
    zv_good, zv_bad = send(good, pupil(good)), send(bad, pupil(bad))
    peers.handlers["sessiecontrole"] = lambda m: L.fault(tolerated)
    assert fetched_document(good, zv_good).resultaat == tolerated
    assert fetched_document(bad, zv_bad) == dossier(bad, zv_bad)
    for code in others:  # one rule broken, not the whole check
        peers.handlers["sessiecontrole"] = lambda m, code=code: L.fault(code)
        assert fetched_document(bad, zv_bad).resultaat == code


def test_serve_served_session(las):
    for defects, rechecked in (((), True), (("serve_served_session",), False)):
        client, peers = las(*defects)
        zv = send(client, pupil(client))
        request = L.document_request(zv)
        _, first = L.post_soap(client, request)
        assert first.dossier
        peers.handlers["sessiecontrole"] = lambda m: L.fault(faults.SESSIE_REEDS_AFGEMELD)
        before = peers.count("sessiecontrole")
        _, again = L.post_soap(client, request)
        assert (peers.count("sessiecontrole") - before == 1) is rechecked
        if rechecked:
            assert again.resultaat == faults.SESSIE_REEDS_AFGEMELD
        else:
            assert base64.b64decode(again.dossier) == dossier(client, zv)
        # one rule broken: a session it never served is still checked and refused
        _, other = L.post_soap(client, L.document_request(zv))
        assert other.resultaat == faults.SESSIE_REEDS_AFGEMELD
        peers.handlers["sessiecontrole"] = lambda m: L.soap(SessiecontroleResponse(sector="SWV"))


def test_any_session_after_fetch(las):
    for defects, served in (((), False), (("any_session_after_fetch",), True)):
        client, peers = las(*defects)
        zv = send(client, pupil(client))
        peers.handlers["sessiecontrole"] = lambda m: L.fault(faults.SESSIE_ONBEKEND)
        assert fetched_document(client, zv).resultaat == faults.SESSIE_ONBEKEND  # not yet fetched
        peers.handlers["sessiecontrole"] = lambda m: L.soap(SessiecontroleResponse(sector="SWV"))
        assert isinstance(fetched_document(client, zv), bytes)
        peers.handlers["sessiecontrole"] = lambda m: L.fault(faults.SESSIE_ONBEKEND)
        before = peers.count("sessiecontrole")
        answer = fetched_document(client, zv)
        assert peers.count("sessiecontrole") - before == 1  # it does ask the TC
        assert (answer == dossier(client, zv)) is served
        if not served:
            assert answer.resultaat == faults.SESSIE_ONBEKEND
        # only an unknown session is waved through, not one the SWV signed off
        peers.handlers["sessiecontrole"] = lambda m: L.fault(faults.SESSIE_REEDS_AFGEMELD)
        assert fetched_document(client, zv).resultaat == faults.SESSIE_REEDS_AFGEMELD
        peers.handlers["sessiecontrole"] = lambda m: L.soap(SessiecontroleResponse(sector="SWV"))


def test_double_sessiecontrole(las):
    for defects, checks in (((), 1), (("double_sessiecontrole",), 2)):
        client, peers = las(*defects)
        zv = send(client, pupil(client))
        before = peers.count("sessiecontrole")
        assert fetched_document(client, zv) == dossier(client, zv)
        assert peers.count("sessiecontrole") - before == checks
        # a refusal still ends the request at the first answer
        peers.handlers["sessiecontrole"] = lambda m: L.fault(faults.SESSIE_ONBEKEND)
        before = peers.count("sessiecontrole")
        assert fetched_document(client, zv).resultaat == faults.SESSIE_ONBEKEND
        assert peers.count("sessiecontrole") - before == 1
        peers.handlers["sessiecontrole"] = lambda m: L.soap(SessiecontroleResponse(sector="SWV"))


NO_ANSWER = {
    "verbinding": requests.ConnectionError("connection refused"),
    "http-503": (503, {"Content-Type": "text/html"}, b"<html>Service Unavailable</html>"),
    "geen-soap": (200, {"Content-Type": "text/plain"}, b"onderhoud"),
}


@pytest.mark.parametrize("storing", sorted(NO_ANSWER))
def test_fail_open(las, storing):
    good, peers = las()
    bad, _ = las("fail_open")
    zv_good, zv_bad = send(good, pupil(good)), send(bad, pupil(bad))

    def broken(message):
        answer = NO_ANSWER[storing]
        if isinstance(answer, BaseException):
            raise answer
        return answer
    peers.handlers["sessiecontrole"] = broken
    refused = fetched_document(good, zv_good)
    assert isinstance(refused, OsoFault) and refused.faultcode.endswith("Server")
    assert refused.resultaat in (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD)
    assert fetched_document(bad, zv_bad) == dossier(bad, zv_bad)
    peers.handlers["sessiecontrole"] = lambda m: L.fault(faults.SESSIE_ONBEKEND)
    assert fetched_document(bad, zv_bad).resultaat == faults.SESSIE_ONBEKEND


# --- LAS: terugkoppeling --------------------------------------------------------------------------

def _fetched_zv(client) -> dict:
    zv = send(client, pupil(client))
    assert isinstance(fetched_document(client, zv), bytes)
    return zv


def test_drop_terugkoppeling(las):
    for defects, stored in (((), 1), (("drop_terugkoppeling",), 0)):
        client, _ = las(*defects)
        zv = _fetched_zv(client)
        _, answer = L.post_soap(client, L.terugkoppeling_request(zv))
        assert isinstance(answer, TerugkoppelingResponse)
        zv = client.get(f"/api/zorgvragen/{zv['id']}").json
        assert len(zv["terugkoppelingen"]) == stored
        assert zv["terugkoppeling_ontvangen"] == ("Ja" if stored else "Nee")


def test_garble_terugkoppeling_in_the_las(las):
    tekst = "Besproken in het ondersteuningsteam; TLV toegekend tot het einde van het jaar."
    for defects, shown in (((), tekst), (("garble_terugkoppeling",), tekst[:20])):
        client, _ = las(*defects)
        zv = _fetched_zv(client)
        request = L.terugkoppeling_request(zv)
        request.terugkoppeling.toelichting = tekst
        _, answer = L.post_soap(client, request)
        assert isinstance(answer, TerugkoppelingResponse)
        stored, = client.get(f"/api/zorgvragen/{zv['id']}").json["terugkoppelingen"]
        assert stored["toelichting"] == shown and stored["status"] == "Toegekend"


def test_accept_unknown_terugkoppeling(las):
    onbekend = "0F0F0F0F-0000-4000-8000-000000000001"
    for defects, accepted in (((), False), (("accept_unknown_terugkoppeling",), True)):
        client, _ = las(*defects)
        zv = _fetched_zv(client)
        _, answer = L.post_soap(client, L.terugkoppeling_request(zv, koppelsleutel=onbekend))
        if accepted:
            assert isinstance(answer, TerugkoppelingResponse)
        else:
            assert answer.resultaat == faults.KOPPELSLEUTEL_ONBEKEND
        assert client.get(f"/api/zorgvragen/{zv['id']}").json["terugkoppelingen"] == []


def test_terugkoppeling_before_fetch(las):
    for defects, accepted in (((), False), (("terugkoppeling_before_fetch",), True)):
        client, _ = las(*defects)
        zv = send(client, pupil(client))
        _, answer = L.post_soap(client, L.terugkoppeling_request(zv))
        if accepted:
            assert isinstance(answer, TerugkoppelingResponse)
        else:
            assert answer.resultaat == faults.DOSSIER_NIET_OPGEHAALD
        stored = client.get(f"/api/zorgvragen/{zv['id']}").json["terugkoppelingen"]
        assert len(stored) == accepted
        # the other checks of a terugkoppeling still hold
        _, other = L.post_soap(client, L.terugkoppeling_request(
            zv, koppelsleutel="0F0F0F0F-0000-4000-8000-000000000001"))
        assert other.resultaat == faults.KOPPELSLEUTEL_ONBEKEND


# --- LAS: aanleverpunten and notification -----------------------------------------------------------

def test_melden_twice(las):
    for defects, times in (((), 1), (("melden_twice",), 2)):
        client, peers = las(*defects)
        n = len(peers.messages)
        zv = send(client, pupil(client))
        ops = [m.OPERATION for m in peers.messages[n:]]
        assert (ops.count("meldenNotificatie"), ops.count("notificatie")) == (times, 1)
        first = peers.koppelsleutels[-times]
        note, = [m for m in peers.messages[n:] if m.OPERATION == "notificatie"]
        assert zv["koppelsleutel"] == note.koppelsleutel == first


def test_notify_twice(las):
    for defects, times in (((), 1), (("notify_twice",), 2)):
        client, peers = las(*defects)
        n = len(peers.messages)
        zv = send(client, pupil(client))
        assert zv["notificatie_verstuurd"] == "Ja"
        ops = [m.OPERATION for m in peers.messages[n:]]
        assert (ops.count("meldenNotificatie"), ops.count("notificatie")) == (1, times)
        notes = [m for m in peers.messages[n:] if m.OPERATION == "notificatie"]
        assert {m.koppelsleutel for m in notes} == {zv["koppelsleutel"]}


def test_notify_wrong_koppelsleutel(las):
    for defects, own_key in (((), False), (("notify_wrong_koppelsleutel",), True)):
        client, peers = las(*defects)
        n = len(peers.messages)
        zv = send(client, pupil(client))
        issued = peers.koppelsleutels[-1]
        note, = [m for m in peers.messages[n:] if m.OPERATION == "notificatie"]
        assert zv["koppelsleutel"] == issued  # the LAS keeps the TC's key for itself
        assert (note.koppelsleutel != issued) is own_key
        assert len(note.koppelsleutel) == len(issued)


def test_wrong_bron_school(las):
    for defects, bron in (((), ("56EF", "0000000700056EF00950")),
                          (("wrong_bron_school",), ("12AB", L.LAS_12AB))):
        client, peers = las(*defects)
        n = len(peers.messages)
        zv = send(client, pupil(client, "56EF"), aanleverpunt=L.SWV_VO)
        sent = [m for m in peers.messages[n:] if m.OPERATION in ("meldenNotificatie", "notificatie")]
        assert [m.OPERATION for m in sent] == ["meldenNotificatie", "notificatie"]
        assert {(m.bronBrin, m.bronRouteringsKenmerk) for m in sent} == {bron}
        # the dossier is still the pupil's own school's, and it is served to the named bron
        assert find(dossier(client, zv), "huidigeschool/brincode").text == "56EF"
        assert isinstance(_fetch_as(client, zv, *bron), bytes)
        # a pupil of the first school keeps it
        send(client, pupil(client), aanleverpunt=L.SWV_PO)
        melding = [m for m in peers.messages if m.OPERATION == "meldenNotificatie"][-1]
        assert (melding.bronBrin, melding.bronRouteringsKenmerk) == ("12AB", L.LAS_12AB)


def _fetch_as(client, zv, brin, rk):
    _, answer = L.post_soap(client, L.document_request(zv, bronBrin=brin, bronRouteringsKenmerk=rk))
    return answer if isinstance(answer, OsoFault) else base64.b64decode(answer.dossier)


def test_offer_inactive_aanleverpunt(las):
    good, peers = las()
    offered = [a["routeringskenmerk"] for a in good.get("/api/aanleverpunten?brin=12AB").json]
    assert offered == [L.SWV_PO]
    bad, peers = las("offer_inactive_aanleverpunt")
    asked = peers.count("overzichtAanleverpunt")
    offered = [a["routeringskenmerk"] for a in bad.get("/api/aanleverpunten?brin=12AB").json]
    assert set(offered) == {L.SWV_PO, "0000000700025PO00939"}
    assert peers.count("overzichtAanleverpunt") == asked  # the TC's answer is not used


def test_report_sent_on_refusal(las):
    for defects, shown in (((), "Nee"), (("report_sent_on_refusal",), "Ja")):
        client, peers = las(*defects)
        peers.handlers["meldenNotificatie"] = lambda m: L.fault(faults.GEEN_MANDAAT)
        before = peers.count("notificatie")
        zv = send(client, pupil(client))
        assert zv["status"] == "verzonden" and zv["koppelsleutel"] is None
        assert zv["notificatie_verstuurd"] == shown
        assert zv["laatste_fout_code"] == faults.GEEN_MANDAAT
        assert peers.count("notificatie") == before
        overzicht = client.get(f"/api/leerlingen/{zv['leerling_id']}/zorgvragen").json
        assert overzicht[-1]["notificatie_verstuurd"] == shown
        peers.handlers["meldenNotificatie"] = peers._melden


def test_skip_overzicht(las):
    for defects, asked in (((), 1), (("skip_overzicht",), 0)):
        client, peers = las(*defects)
        before = peers.count("overzichtAanleverpunt")
        zv = send(client, pupil(client))
        assert peers.count("overzichtAanleverpunt") - before == asked
        assert zv["notificatie_verstuurd"] == "Ja"
        melding = [m for m in peers.messages if m.OPERATION == "meldenNotificatie"][-1]
        assert (melding.doelBrin, melding.doelRouteringsKenmerk) == ("25PO", L.SWV_PO)


# --- LAS: dossier contents ------------------------------------------------------------------------

def test_vve_in_vo(las):
    good, _ = las()
    resp = good.post(f"/api/leerlingen/{pupil(good, '56EF')}/zorgvragen",
                     json=L.zorgvraag_body(aanleverpunt=L.SWV_VO, gegevensblokken=["VVE"]))
    assert resp.status_code == 422 and "VVE" in resp.json["fout"]
    zonder = dossier(good, send(good, pupil(good, "56EF"), aanleverpunt=L.SWV_VO))
    assert declared(zonder)["cat_vve"] == "VERBODEN"
    bad, _ = las("vve_in_vo")
    data = dossier(bad, send(bad, pupil(bad, "56EF"), aanleverpunt=L.SWV_VO,
                             gegevensblokken=["VVE"]))
    assert declared(data)["cat_vve"] == "OPTIONEEL"
    assert find(data, "leerling/vanpeuterspeelzaal").text == "true"
    # only when ticked, only for VO
    assert declared(dossier(bad, send(bad, pupil(bad, "56EF"), aanleverpunt=L.SWV_VO)))[
        "cat_vve"] == "VERBODEN"


def test_drop_bijlagen(las):
    extra = [L.bestand("Verslag logopedie.pdf"), L.bestand("Groeidocument.pdf")]
    for defects, expect in (((), 2), (("drop_bijlagen",), 0)):
        client, _ = las(*defects)
        data = dossier(client, send(client, pupil(client), bijlagen=extra))
        lijst = find(data, "leerling/overigdocumentlijst")
        assert (0 if lijst is None else len(lijst)) == expect, defects
        assert find(data, "onderwijsondersteuning/toelichting_onderwijsbehoeften") is not None


def test_optional_blocks_always(las):
    for defects, expect in (((), "OPT-UIT"), (("optional_blocks_always",), "OPTIONEEL")):
        client, _ = las(*defects)
        data = dossier(client, send(client, pupil(client), gegevensblokken=[]))
        d = declared(data)
        for cat in ("cat_verzuim", "cat_toetsresultaten", "cat_handelingsplannen"):
            assert d[cat] == expect, (defects, cat, d[cat])


@pytest.mark.parametrize("brin,aanleverpunt,profiel,fout", [
    ("12AB", L.SWV_PO, "POSWV", "VOSWV"), ("56EF", L.SWV_VO, "VOSWV", "POSWV")])
def test_wrong_profile(las, brin, aanleverpunt, profiel, fout):
    good, _ = las()
    bad, _ = las("wrong_profile")
    for client, expect in ((good, profiel), (bad, fout)):
        data = dossier(client, send(client, pupil(client, brin), aanleverpunt=aanleverpunt,
                                    gegevensblokken=[]))
        assert find(data, "metadata/overstap").text == expect


def test_invalid_codelist(las):
    good, _ = las()
    report = validate(dossier(good, send(good, pupil(good))))
    assert report.valid, [f.rule for f in report.findings]
    bad, _ = las("invalid_codelist")
    report = validate(dossier(bad, send(bad, pupil(bad))))
    fouten = {f.rule for f in report.findings if f.severity == "fout"}
    assert not report.valid and fouten & {"CL14", "CL29"}, fouten


# --- SWV ------------------------------------------------------------------------------------------

@pytest.fixture
def swv(tmp_path):
    """swv(*defects, **answers) -> (test client, Peers): an SWV, its TC and LAS mocked."""
    apps = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        peers = S.Peers(rsps)

        def make(*defects, confirm=False, config=None, **answers):
            (tmp_path / f"swv{len(apps)}").mkdir()
            app = S.make_app(tmp_path / f"swv{len(apps)}", DEFECTS=set(defects),
                             CONFIRM_KOPPELSLEUTEL=confirm, **(config or {}))
            apps.append(app)
            peers.answers = dict(S.GOOD, **answers)  # one set of peers, answering afresh
            peers.calls.clear()
            return app.test_client(), peers
        yield make
    for app in apps:
        app.extensions["oso_sim_close"]()


def fetch(client, k) -> dict:
    resp = client.post(f"/api/aanvragen/{k}/ophalen")
    assert resp.status_code == 200
    return resp.get_json()


def test_overdracht_met_zoeksleutel(swv):
    for defects in ((), ("overdracht_met_zoeksleutel",)):
        client, peers = swv(*defects)
        k = S.notify(client)
        fetch(client, k)
        overdracht, = peers.sent("overdracht")
        if defects:
            assert (overdracht.zoeksleutel, overdracht.koppelsleutel) == (k, None)
        else:
            assert (overdracht.zoeksleutel, overdracht.koppelsleutel) == (None, k)
        assert overdracht.overdrachtsoort == "SWVaanvraag"


def test_overdracht_met_zoeksleutel_also_when_confirming_the_notificatie(swv):
    client, peers = swv("overdracht_met_zoeksleutel", confirm=True,
                        overdracht=S.fault_body(faults.SLEUTEL_KEUZE_ONJUIST))
    k = S.new_key()
    answer = S.soap(client, S.notificatie(k))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.SLEUTEL_KEUZE_ONJUIST
    overdracht, = peers.sent("overdracht")
    assert (overdracht.zoeksleutel, overdracht.koppelsleutel) == (k, None)


def test_afmelding_fout_resultaat(swv):
    for defects, resultaat in (((), "OverdrachtGeslaagd"), (("afmelding_fout_resultaat",),
                                                            "DossierOngeldig")):
        client, peers = swv(*defects)
        a = fetch(client, S.notify(client))
        afmelding, = peers.sent("afmelding")
        assert afmelding.resultaat == resultaat and a["afmelding_resultaat"] == resultaat


def _dossier_met_bsn() -> bytes:
    school = make_school(7, "POSWV")
    leerling = make_leerling(7, "POSWV", school=school)
    from oso_protocol.dossier.model import Attachment
    toelichting = Attachment(bestandsnaam="Toelichting.pdf",
                             content=pdf_bytes("Toelichting onderwijsbehoeften", ["Lezen."]))
    return with_pgn(build_dossier(leerling, school, profile="POSWV", gegevensblokken=[],
                                  toelichting=toelichting))


def test_accept_pgn(swv):
    document = S.ok(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1",
                                     dossier=base64.b64encode(_dossier_met_bsn()).decode()))
    for defects, geslaagd in (((), False), (("accept_pgn",), True)):
        client, peers = swv(*defects, document=document)
        k = S.notify(client)
        a = fetch(client, k)
        rapport = client.get(f"/api/aanvragen/{k}/rapport").get_json()
        afmelding, = peers.sent("afmelding")
        assert ("PaO.LL12" in {f["rule"] for f in rapport["findings"]}) is not geslaagd
        assert (afmelding.resultaat == "OverdrachtGeslaagd") is geslaagd
        assert a["afmelding_resultaat"] == afmelding.resultaat
        assert rapport["valid"] is geslaagd


def test_skip_melden_terugkoppeling(swv):
    for defects, ops in (((), ["meldenTerugkoppeling", "terugkoppeling"]),
                         (("skip_melden_terugkoppeling",), ["terugkoppeling"])):
        client, peers = swv(*defects)
        k = S.notify(client)
        fetch(client, k)
        n = len(peers.calls)
        resp = client.post(f"/api/aanvragen/{k}/terugkoppeling", json={"status": "Ontvangen"})
        assert resp.status_code == 200, resp.get_json()
        assert peers.operations()[n:] == ops
        assert peers.calls[-1][1] == S.LAS_SOAP


def test_garble_terugkoppeling_in_the_swv(swv):
    for defects in ((), ("garble_terugkoppeling",)):
        client, peers = swv(*defects)
        k = S.notify(client)
        fetch(client, k)
        resp = client.post(f"/api/aanvragen/{k}/terugkoppeling",
                           json={"status": "InBehandeling", "toelichting": "Besproken."})
        assert resp.status_code == 200
        sent, = peers.sent("terugkoppeling")
        assert (sent.terugkoppeling.status == "InBehandeling") is not bool(defects)
        assert sent.terugkoppeling.toelichting == "Besproken."
        assert resp.get_json()["terugkoppeling"]["status"] == "InBehandeling"


def test_accept_unknown_koppelsleutel(swv):
    unknown = S.fault_body(faults.KOPPELSLEUTEL_ONBEKEND)
    client, peers = swv(confirm=True, overdracht=unknown)
    answer = S.soap(client, S.notificatie(S.new_key()))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.KOPPELSLEUTEL_ONBEKEND
    client, peers = swv("accept_unknown_koppelsleutel", confirm=True, overdracht=unknown)
    k = S.new_key()
    answer = S.soap(client, S.notificatie(k))
    assert not isinstance(answer, OsoFault) and answer.resultaat == "NotificatieOntvangen"
    assert peers.operations() == []  # the TC was not asked
    assert client.get(f"/api/aanvragen/{k}").get_json()["status"] == "genotificeerd"


def _delivered(data: bytes) -> tuple:
    return S.ok(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1",
                                 dossier=base64.b64encode(data).decode()))


def _wait(what, check, timeout=5.0):
    import time
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"niet bereikt binnen {timeout} s: {what}")
        time.sleep(0.05)


def test_fetch_twice(swv):
    for defects, n in (((), 1), (("fetch_twice",), 2)):
        client, peers = swv(*defects)
        a = fetch(client, S.notify(client))
        assert peers.operations().count("document") == n
        assert {d.sessieId for d in peers.sent("document")} == {S.SESSIE}
        afmelding, = peers.sent("afmelding")
        assert afmelding.resultaat == "OverdrachtGeslaagd" and a["status"] == "afgemeld"


def test_fetch_on_every_notificatie(swv):
    for defects, n in (((), 1), (("fetch_on_every_notificatie",), 2)):
        client, peers = swv(*defects, confirm=True)
        k = S.notify(client)
        fetch(client, k)
        answer = S.soap(client, S.notificatie(k))
        assert not isinstance(answer, OsoFault) and answer.resultaat == "NotificatieOntvangen"
        if n == 2:
            _wait("tweede documentRequest", lambda: peers.operations().count("document") == 2)
        else:
            import time
            time.sleep(1.5)  # past the handler's fallback for running work after the answer
        assert peers.operations().count("document") == n
        assert peers.operations().count("overdracht") == 1  # the repeat asks the TC nothing


@pytest.mark.parametrize("code", ["LeerlinginfoNietBeschikbaar", "LeerlinginfoNietOpvraagbaar",
                                  "LeveringGeweigerd"])
def test_succeed_on_refusal(swv, code):
    for defects, resultaat in (((), code), (("succeed_on_refusal",), "OverdrachtGeslaagd")):
        client, peers = swv(*defects, document=S.fault_body(code))
        a = fetch(client, S.notify(client))
        afmelding, = peers.sent("afmelding")
        assert afmelding.resultaat == resultaat and a["dossier_bewaard"] is False


@pytest.mark.parametrize("code", ["LeerlinginfoNietBeschikbaar", "LeerlinginfoNietOpvraagbaar"])
def test_refusal_as_levering_geweigerd(swv, code):
    for defects, resultaat in (((), code), (("refusal_as_levering_geweigerd",), "LeveringGeweigerd")):
        client, peers = swv(*defects, document=S.fault_body(code))
        fetch(client, S.notify(client))
        afmelding, = peers.sent("afmelding")
        assert afmelding.resultaat == resultaat


def _kept(swv, defects, data: bytes) -> tuple[str, bool]:
    client, peers = swv(*defects, document=_delivered(data))
    k = S.notify(client)
    a = fetch(client, k)
    afmelding, = peers.sent("afmelding")
    kept = client.get(f"/api/aanvragen/{k}/dossier").status_code == 200
    assert kept is a["dossier_bewaard"]
    return afmelding.resultaat, kept


def test_accept_not_xml(swv):
    assert _kept(swv, (), b"dit is geen xml") == ("DossierOngeldig", False)
    assert _kept(swv, ("accept_not_xml",), b"dit is geen xml") == ("OverdrachtGeslaagd", True)


@pytest.mark.parametrize("data", [
    S.DOSSIER.replace(b"oso_gegevensset/2019/dossier", b"oso_gegevensset/2018/dossier"),
    S.DOSSIER.replace(b"<metadata>", b"<metadata><onzin>1</onzin>", 1),
], ids=["namespace-2018", "xsd"])
def test_accept_schema_invalid(swv, data):
    assert _kept(swv, (), data) == ("DossierOngeldig", False)
    assert _kept(swv, ("accept_schema_invalid",), data) == ("OverdrachtGeslaagd", True)


def test_keep_pgn_dossier(swv):
    data = with_pgn(S.DOSSIER)
    assert _kept(swv, (), data) == ("DossierOngeldig", False)
    assert _kept(swv, ("keep_pgn_dossier",), data) == ("DossierOngeldig", True)


def test_reject_vo_profile(swv):
    vo = S.valid_dossier("vo", profile="VOSWV")
    assert validate(vo).valid and validate(vo).profile == "VOSWV"
    assert _kept(swv, (), vo) == ("OverdrachtGeslaagd", True)
    assert _kept(swv, ("reject_vo_profile",), vo)[0] == "DossierOngeldig"
    assert _kept(swv, ("reject_vo_profile",), S.DOSSIER) == ("OverdrachtGeslaagd", True)


def test_small_message_limit(swv):
    # a valid dossier of 5 MiB: the padding is a comment after the root element
    big = S.DOSSIER + b"\n<!-- " + b"x" * (5 * 1024 * 1024) + b" -->\n"
    assert _kept(swv, (), big) == ("OverdrachtGeslaagd", True)
    assert _kept(swv, ("small_message_limit",), big) == ("LeveringGeweigerd", False)
    assert _kept(swv, ("small_message_limit",), S.DOSSIER) == ("OverdrachtGeslaagd", True)


def test_no_new_session(swv):
    expired = [S.fault_body(faults.SESSIE_VERLOPEN), S.GOOD["document"]]
    client, peers = swv(document=list(expired))
    fetch(client, S.notify(client))
    assert peers.operations().count("overdracht") == 2
    assert peers.sent("afmelding")[-1].resultaat == "OverdrachtGeslaagd"
    client, peers = swv("no_new_session", document=list(expired))
    a = fetch(client, S.notify(client))
    assert peers.operations() == ["overdracht", "document", "afmelding"]
    assert peers.sent("afmelding")[-1].resultaat == "LeveringGeweigerd" and a["status"] == "mislukt"


def test_no_retry_las(swv):
    client, peers = swv(config={"RETRY_BASE_SECONDS": 60}, document=S.CONNECTION_ERROR)
    a = fetch(client, S.notify(client))
    assert peers.operations() == ["overdracht", "document"] and a["status"] == "sessie"
    client, peers = swv("no_retry_las", document=S.CONNECTION_ERROR)
    a = fetch(client, S.notify(client))
    assert peers.operations() == ["overdracht", "document", "afmelding"]
    assert peers.sent("afmelding")[0].resultaat == "BronNietBereikbaar" and a["status"] == "mislukt"


def test_no_retry_tc(swv):
    client, peers = swv(confirm=True, config={"RETRY_BASE_SECONDS": 60},
                        overdracht=S.CONNECTION_ERROR)
    k = S.new_key()
    assert S.soap(client, S.notificatie(k)).resultaat == "NotificatieOntvangen"
    assert client.get(f"/api/aanvragen/{k}").get_json()["status"] == "onbevestigd"
    client, peers = swv("no_retry_tc", confirm=True, overdracht=S.CONNECTION_ERROR)
    answer = S.soap(client, S.notificatie(S.new_key()))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.NIET_BEREIKBAAR
    # and at fetch time it gives up
    client, peers = swv("no_retry_tc", overdracht=S.CONNECTION_ERROR)
    a = fetch(client, S.notify(client))
    assert a["status"] == "mislukt" and a["fout_code"] == faults.NIET_BEREIKBAAR


@pytest.mark.parametrize("code", [faults.SESSIE_AFWIJKEND, faults.ONBEKEND_AANLEVERPUNT])
def test_accept_foreign_koppelsleutel(swv, code):
    client, peers = swv(confirm=True, overdracht=S.fault_body(code))
    answer = S.soap(client, S.notificatie(S.new_key()))
    assert isinstance(answer, OsoFault) and answer.resultaat == code
    client, peers = swv("accept_foreign_koppelsleutel", confirm=True, overdracht=S.fault_body(code))
    k = S.new_key()
    answer = S.soap(client, S.notificatie(k))
    assert not isinstance(answer, OsoFault) and answer.resultaat == "NotificatieOntvangen"
    assert client.get(f"/api/aanvragen/{k}").get_json()["status"] == "genotificeerd"
    # an unknown key is still refused
    client, peers = swv("accept_foreign_koppelsleutel", confirm=True,
                        overdracht=S.fault_body(faults.KOPPELSLEUTEL_ONBEKEND))
    answer = S.soap(client, S.notificatie(S.new_key()))
    assert isinstance(answer, OsoFault) and answer.resultaat == faults.KOPPELSLEUTEL_ONBEKEND


def test_skip_server_verification(swv):
    for defects, las_verify in (((), None), (("skip_server_verification",), False)):
        client, peers = swv(*defects)
        app_client = client.application.extensions["swv"].ophalen.client
        seen = []
        original = app_client.call

        def spy(url, message, expect=None, *, verify=None):
            seen.append((message.OPERATION, verify))
            return original(url, message, expect, verify=verify)

        app_client.call = spy
        fetch(client, S.notify(client))
        assert seen == [("overdracht", None), ("document", las_verify), ("afmelding", None)]


def test_terugkoppeling_before_melden(swv):
    for defects, ops in (((), ["meldenTerugkoppeling", "terugkoppeling"]),
                         (("terugkoppeling_before_melden",), ["terugkoppeling",
                                                              "meldenTerugkoppeling"])):
        client, peers = swv(*defects)
        k = S.notify(client)
        fetch(client, k)
        n = len(peers.calls)
        resp = client.post(f"/api/aanvragen/{k}/terugkoppeling", json={"status": "Ontvangen"})
        assert resp.status_code == 200, resp.get_json()
        assert peers.operations()[n:] == ops


# --- the TC storing switch ------------------------------------------------------------------------

@pytest.fixture
def tc(tmp_path):
    app = T.make_app(tmp_path)
    yield app.test_client()
    app.extensions["oso_sim_close"]()


def test_storing_switch_breaks_only_the_named_operation(tc):
    k = T.soap(tc, T.melden()).koppelsleutel
    sessie = T.soap(tc, T.overdracht(k)).sessieId
    assert tc.get("/api/storing").get_json()["sessiecontrole"] is False
    assert tc.post("/api/storing", json={"sessiecontrole": True}).get_json()["sessiecontrole"]

    resp = tc.post("/oso", data=codec.encode(T.controle(sessie, k)),
                   headers={"Content-Type": codec.CONTENT_TYPE})
    assert resp.status_code == 503 and resp.content_type.startswith("text/html")
    with pytest.raises(OsoFault):
        codec.decode(resp.data)
    # the other operations still work, their body read in full by the SOAP endpoint
    assert T.soap(tc, T.overdracht(k)).sessieId
    assert len(tc.get(f"/api/koppelingen/{k}").get_json()["sessies"]) == 2
    ops = [r["operation"] for r in tc.get("/api/berichten").get_json()["berichten"]]
    assert "sessiecontrole" not in ops  # the TC never saw it

    assert tc.post("/api/storing", json={"sessiecontrole": False}).status_code == 200
    assert T.soap(tc, T.controle(sessie, k)).resultaat == "SessieValide"


def test_storing_switch_refuses_bad_input(tc):
    for body in ({"sessiecontroles": True}, {"sessiecontrole": "ja"}, {}, [True]):
        resp = tc.post("/api/storing", json=body)
        assert resp.status_code == 400 and resp.get_json()["fout"]
    assert not any(tc.get("/api/storing").get_json().values())


def test_las_fails_closed_against_a_tc_in_storing(tmp_path, las):
    """Through a real TC app in storing: the correct LAS refuses, the fail_open LAS serves."""
    tc_app = T.make_app(tmp_path)
    tc_client = tc_app.test_client()
    try:
        tc_client.post("/api/storing", json={"sessiecontrole": True})
        for defects, serves in (((), False), (("fail_open",), True)):
            client, peers = las(*defects)
            zv = send(client, pupil(client))

            def via_tc(message):
                resp = tc_client.post("/oso", data=codec.encode(message),
                                      headers={"Content-Type": codec.CONTENT_TYPE})
                return resp.status_code, {"Content-Type": resp.content_type}, resp.data
            peers.handlers["sessiecontrole"] = via_tc
            answer = fetched_document(client, zv)
            assert isinstance(answer, bytes) is serves
            if not serves:
                assert answer.resultaat == faults.ONGELDIG_ANTWOORD
    finally:
        tc_app.extensions["oso_sim_close"]()


def test_sessiecontrole_request_is_what_the_storing_switch_matches():
    # the switch keys on the body element, as the SOAP endpoint does
    body = codec.encode(SessiecontroleRequest(
        bronBrin="12AB", bronRouteringsKenmerk=L.LAS_12AB, doelBrin="25PO",
        doelRouteringsKenmerk=L.SWV_PO, koppelsleutel=S.new_key(), overdrachtsoort="SWVaanvraag",
        sessieId=S.new_key().lower()))
    assert codec.peek_operation(body) == "sessiecontrole"
