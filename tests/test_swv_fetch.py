"""The fetch, with the TC and LAS played by `responses`: overdracht, documentRequest, validation,
afmelding with the best result reached."""
import base64
import json
import re
import time

import pytest

from oso_protocol.dossier.pgn import with_pgn

from oso_protocol.transport import faults

from swv_support import (  # noqa: F401
    CONNECTION_ERROR, DOSSIER, LAS_RK, LAS_SOAP, SESSIE, SWV_RK, TC_SOAP, TIMEOUT, app, client,
    GOOD, fault_body, make_app, notify, peers)


def fetch(client, k):
    resp = client.post(f"/api/aanvragen/{k}/ophalen")
    assert resp.status_code == 200
    return resp.get_json()


def test_happy_fetch_signs_off_with_overdracht_geslaagd(client, peers):
    p = peers()
    k = notify(client)
    a = fetch(client, k)
    assert p.operations() == ["overdracht", "document", "afmelding"]
    assert a["status"] == "afgemeld" and a["afmelding_resultaat"] == "OverdrachtGeslaagd"
    assert a["sessie_id"] == SESSIE and a["las_url"] == LAS_SOAP
    overdracht, = p.sent("overdracht")
    assert overdracht.koppelsleutel == k and overdracht.zoeksleutel is None
    assert overdracht.overdrachtsoort == "SWVaanvraag"
    assert overdracht.doelRouteringsKenmerk == SWV_RK
    document, = p.sent("document")
    assert (document.sessieId, document.koppelsleutel) == (SESSIE, k)
    assert document.bronRouteringsKenmerk == LAS_RK
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == "OverdrachtGeslaagd" and afmelding.sessieId == SESSIE
    assert client.get(f"/api/aanvragen/{k}/dossier").data == DOSSIER
    rapport = client.get(f"/api/aanvragen/{k}/rapport").get_json()
    assert "findings" in rapport
    assert a["afgemeld_op"] and a["afmelding_fout"] is None


@pytest.mark.parametrize("code", ["SessieAfwijkend", "GeenMandaat", "KoppelsleutelOnbekend"])
def test_refused_overdracht_gives_no_afmelding(client, peers, code):
    p = peers(overdracht=fault_body(code, "nee"))
    k = notify(client)
    a = fetch(client, k)
    assert p.operations() == ["overdracht"]
    assert a["status"] == "mislukt" and a["fout_code"] == code
    assert a["sessie_id"] is None and a["afmelding_resultaat"] is None


@pytest.mark.parametrize("answer,code", [
    (CONNECTION_ERROR, faults.NIET_BEREIKBAAR), (TIMEOUT, faults.NIET_BEREIKBAAR),
    ((200, {"Content-Type": "text/html"}, b"<html><body>Bad gateway</body></html>"),
     faults.ONGELDIG_ANTWOORD)])
def test_tc_unreachable_or_garbage_at_overdracht_is_tried_again(tmp_path, peers, answer, code):
    app = make_app(tmp_path, RETRY_BASE_SECONDS=0.3)
    try:
        client = app.test_client()
        p = peers(overdracht=answer)
        k = notify(client)
        a = fetch(client, k)
        assert p.operations() == ["overdracht"]
        # no answer is no refusal: the aanvraag stays open and the retrier has it
        assert a["status"] == "genotificeerd" and a["fout_code"] == code
        shown = client.get(f"/api/aanvragen/{k}").get_json()["ophalen_herstel"]
        assert shown["melding"].startswith("TC niet bereikbaar, volgende poging om ")
        assert "TC niet bereikbaar, volgende poging om" in client.get(f"/aanvragen/{k}").text
        p.answers["overdracht"] = GOOD["overdracht"]
        a = wait_status(client, k, "afgemeld")
        assert p.operations() == ["overdracht", "overdracht", "document", "afmelding"]
        assert a["afmelding_resultaat"] == "OverdrachtGeslaagd" and a["ophalen_herstel"] is None
    finally:
        app.extensions["oso_sim_close"]()


def test_no_retry_tc_gives_up_at_the_fetch(tmp_path, peers):
    app = make_app(tmp_path, DEFECTS={"no_retry_tc"}, RETRY_BASE_SECONDS=0.3)
    try:
        client = app.test_client()
        p = peers(overdracht=CONNECTION_ERROR)
        k = notify(client)
        a = fetch(client, k)
        assert a["status"] == "mislukt" and a["fout_code"] == faults.NIET_BEREIKBAAR
        time.sleep(0.8)
        assert p.operations() == ["overdracht"]
    finally:
        app.extensions["oso_sim_close"]()


def wait_status(client, k, status, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        a = client.get(f"/api/aanvragen/{k}").get_json()
        if a["status"] == status or time.monotonic() > deadline:
            assert a["status"] == status, a
            return a
        time.sleep(0.05)


@pytest.mark.parametrize("answer,code,resultaat", [
    (fault_body("LeerlinginfoNietBeschikbaar"), "LeerlinginfoNietBeschikbaar",
     "LeerlinginfoNietBeschikbaar"),
    (fault_body("LeveringGeweigerd"), "LeveringGeweigerd", "LeveringGeweigerd"),
    (fault_body("SessieAfwijkend"), "SessieAfwijkend", "LeveringGeweigerd"),
])
def test_las_failure_is_signed_off_with_its_result(client, peers, answer, code, resultaat):
    p = peers(document=answer)
    k = notify(client)
    a = fetch(client, k)
    assert p.operations() == ["overdracht", "document", "afmelding"]
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == resultaat and afmelding.sessieId == SESSIE
    assert a["status"] == "mislukt" and a["fout_code"] == code
    assert a["dossier_opgehaald"] is False
    assert client.get(f"/api/aanvragen/{k}/dossier").status_code == 404


def test_unreadable_dossier_is_dossier_ongeldig(client, peers):
    from oso_protocol.transport.messages import DocumentResponse
    from swv_support import ok
    import base64
    p = peers(document=ok(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1",
                                           dossier=base64.b64encode(b"dit is geen xml").decode())))
    k = notify(client)
    a = fetch(client, k)
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == "DossierOngeldig"
    assert a["status"] == "afgemeld" and a["valid"] is False


def test_refused_afmelding_still_ends_the_session(client, peers):
    p = peers(afmelding=fault_body("SessieOnbekend", "wie?"))
    k = notify(client)
    a = fetch(client, k)
    assert p.operations() == ["overdracht", "document", "afmelding"]
    assert a["status"] == "afgemeld" and a["afgemeld_op"] is None
    assert a["afmelding_fout"].startswith("SessieOnbekend")


def test_fetch_again_after_afgemeld_sends_nothing(client, peers):
    p = peers()
    k = notify(client)
    fetch(client, k)
    fetch(client, k)
    assert p.operations() == ["overdracht", "document", "afmelding"]


def test_failed_fetch_can_be_retried_with_a_new_session(client, peers):
    p = peers(overdracht=fault_body("GeenMandaat"))
    k = notify(client)
    assert fetch(client, k)["status"] == "mislukt"
    from swv_support import GOOD
    p.answers["overdracht"] = GOOD["overdracht"]
    a = fetch(client, k)
    assert a["status"] == "afgemeld" and a["fout"] is None and a["pogingen"] == 2


def test_unknown_aanvraag(client):
    resp = client.post("/api/aanvragen/00000000-0000-0000-0000-000000000000/ophalen")
    assert resp.status_code == 404 and resp.get_json()["code"] == "KoppelsleutelOnbekend"


def test_defect_skip_afmelding(tmp_path, peers):
    app = make_app(tmp_path, DEFECTS={"skip_afmelding"})
    try:
        client = app.test_client()
        p = peers()
        k = notify(client)
        a = fetch(client, k)
        assert p.operations() == ["overdracht", "document"]
        assert a["status"] == "opgehaald"
    finally:
        app.extensions["oso_sim_close"]()


def test_defect_skip_overdracht(tmp_path, peers):
    app = make_app(tmp_path, DEFECTS={"skip_overdracht"}, LAS_URL=LAS_SOAP)
    try:
        client = app.test_client()
        p = peers(document=fault_body("SessieOnbekend"))
        k = notify(client)
        a = fetch(client, k)
        assert p.operations() == ["document"]
        document, = p.sent("document")
        assert document.sessieId != SESSIE
        assert a["status"] == "mislukt" and a["fout_code"] == "SessieOnbekend"
    finally:
        app.extensions["oso_sim_close"]()


def test_unknown_defect_is_refused(tmp_path):
    with pytest.raises(ValueError):
        make_app(tmp_path, DEFECTS={"skip_everything"})


# --- which dossiers are kept ---------------------------------------------------------------------

def delivered(data: bytes | str):
    from oso_protocol.transport.messages import DocumentResponse
    from swv_support import ok
    text = data if isinstance(data, str) else base64.b64encode(data).decode()
    return ok(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1", dossier=text))


PGN = "123456782"
REFUSED = {
    "geen base64": "dit is @@ geen base64",
    "geen XML": b"dit is geen xml",
    "namespace 2018": DOSSIER.replace(b"oso_gegevensset/2019/dossier",
                                      b"oso_gegevensset/2018/dossier"),
    "andere namespace": DOSSIER.replace(b"http://www.edustandaard.nl/oso_gegevensset/2019/dossier",
                                        b"urn:iets:anders"),
    "standaardversie": re.sub(rb"<standaardversie>[^<]*", b"<standaardversie>2018.1", DOSSIER),
    "XSD": DOSSIER.replace(b"<metadata>", b"<metadata><onzin>1</onzin>", 1),
    "BSN": with_pgn(DOSSIER, "bsn", PGN),
    "onderwijsnummer": with_pgn(DOSSIER, "onderwijsnummer", PGN),
}


@pytest.mark.parametrize("what", sorted(REFUSED))
def test_refused_dossier_is_dossier_ongeldig_and_not_kept(client, peers, what):
    p = peers(document=delivered(REFUSED[what]))
    k = notify(client)
    a = fetch(client, k)
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == "DossierOngeldig" and a["afmelding_resultaat"] == "DossierOngeldig"
    assert a["status"] == "afgemeld" and a["dossier_bewaard"] is False
    assert client.get(f"/api/aanvragen/{k}/dossier").status_code == 404
    assert client.get(f"/api/aanvragen/{k}/gegevens").status_code == 404
    rapport = client.get(f"/api/aanvragen/{k}/rapport")
    assert rapport.status_code == 200 and rapport.get_json()["findings"]
    # nothing the SWV stored or shows holds the number
    assert PGN not in rapport.text and PGN not in json.dumps(a)
    assert PGN not in client.get(f"/aanvragen/{k}").text


def test_business_rule_findings_keep_the_dossier(client, peers):
    bad_mail = re.sub(rb"(<soort>e-mail</soort>\s*<aanduiding>[^<]*</aanduiding>\s*<nummer>)[^<]*",
                      rb"\1zonderapenstaart", DOSSIER, count=1)
    p = peers(document=delivered(bad_mail))
    k = notify(client)
    a = fetch(client, k)
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == "OverdrachtGeslaagd" and a["dossier_bewaard"] is True
    assert a["valid"] is False and a["bevindingen"]
    assert client.get(f"/api/aanvragen/{k}/dossier").data == bad_mail


# --- an expired session, a LAS without an answer ------------------------------------------------

@pytest.mark.parametrize("code", ["SessieVerlopen", "SessieOnbekend"])
def test_expired_session_gets_a_new_one_at_once(client, peers, code):
    p = peers(document=[fault_body(code), GOOD["document"]])
    k = notify(client)
    a = fetch(client, k)
    assert p.operations() == ["overdracht", "document", "overdracht", "document", "afmelding"]
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == "OverdrachtGeslaagd"
    assert a["status"] == "afgemeld" and a["pogingen"] == 2 and a["dossier_bewaard"] is True


def test_at_most_three_sessions_then_levering_geweigerd(client, peers):
    p = peers(document=fault_body("SessieVerlopen"))
    k = notify(client)
    a = fetch(client, k)
    assert p.operations() == ["overdracht", "document"] * 3 + ["afmelding"]
    afmelding, = p.sent("afmelding")
    assert afmelding.resultaat == "LeveringGeweigerd" and a["status"] == "mislukt"


@pytest.mark.parametrize("answer", [
    CONNECTION_ERROR, TIMEOUT,
    (503, {"Content-Type": "text/html"}, b"<html><body>Service Unavailable</body></html>")])
def test_las_without_an_answer_is_tried_again_and_fetched_once(tmp_path, peers, answer):
    app = make_app(tmp_path, RETRY_BASE_SECONDS=0.3)
    try:
        client = app.test_client()
        p = peers(document=answer)
        k = notify(client)
        a = fetch(client, k)
        assert p.operations() == ["overdracht", "document"]
        assert a["status"] == "sessie" and a["afmelding_resultaat"] is None
        shown = client.get(f"/api/aanvragen/{k}").get_json()["ophalen_herstel"]
        assert re.fullmatch(r"LAS niet bereikbaar, volgende poging om \d\d:\d\d:\d\d",
                            shown["melding"])
        assert "LAS niet bereikbaar, volgende poging om" in client.get(f"/aanvragen/{k}").text
        p.answers["document"] = GOOD["document"]
        a = wait_status(client, k, "afgemeld")
        ops = p.operations()
        # the same session, one delivery, one afmelding
        assert ops[0] == "overdracht" and ops.count("overdracht") == 1
        assert ops[-2:] == ["document", "afmelding"] and ops.count("afmelding") == 1
        assert {d.sessieId for d in p.sent("document")} == {SESSIE}
        afmelding, = p.sent("afmelding")
        assert afmelding.resultaat == "OverdrachtGeslaagd" and a["ophalen_herstel"] is None
    finally:
        app.extensions["oso_sim_close"]()


def test_las_retry_after_the_session_got_old_asks_a_new_one(tmp_path, peers, monkeypatch):
    import swv_mock.ophalen as ophalen
    monkeypatch.setattr(ophalen, "BEVESTIGDE_SESSIE_SECONDS", 0.0)
    app = make_app(tmp_path, RETRY_BASE_SECONDS=0.3)
    try:
        client = app.test_client()
        p = peers(document=[CONNECTION_ERROR, GOOD["document"]])
        k = notify(client)
        fetch(client, k)
        wait_status(client, k, "afgemeld")
        assert p.operations() == ["overdracht", "document", "overdracht", "document", "afmelding"]
    finally:
        app.extensions["oso_sim_close"]()


def test_las_away_too_long_is_bron_niet_bereikbaar(tmp_path, peers):
    app = make_app(tmp_path, LAS_RETRY_SECONDS=0)
    try:
        client = app.test_client()
        p = peers(document=CONNECTION_ERROR)
        k = notify(client)
        a = fetch(client, k)
        assert p.operations() == ["overdracht", "document", "afmelding"]
        afmelding, = p.sent("afmelding")
        assert afmelding.resultaat == "BronNietBereikbaar" and a["status"] == "mislukt"
    finally:
        app.extensions["oso_sim_close"]()
