"""Kill between two messages, start again on the same file: the fetch continues where it was."""
import threading
import time

from swv_support import (  # noqa: F401
    BRIN, DOSSIER, LAS_RK, LAS_SOAP, SESSIE, SWV_BRIN, SWV_RK, make_app, new_key, notify, peers)


def seed(tmp_path, **columns) -> str:
    """An aanvraag left behind by a previous process, as its row in the database."""
    app = make_app(tmp_path)
    inbox = app.extensions["swv"].inbox
    k = new_key()
    inbox.receive(koppelsleutel=k, bron_brin=BRIN, bron_routeringskenmerk=LAS_RK,
                  doel_brin=SWV_BRIN, doel_routeringskenmerk=SWV_RK, status="genotificeerd")
    inbox.update(k, **columns)
    app.extensions["oso_sim_close"]()
    return k


def restart(tmp_path, **extra):
    return make_app(tmp_path, AUTO_FETCH=True, **extra)


def wait(app, k, status):
    row, reached = app.extensions["swv"].inbox.wait(k, status, 10)
    assert reached, row
    return row


def test_sessie_with_dossier_only_signs_off(tmp_path, peers):
    k = seed(tmp_path, status="sessie", sessie_id=SESSIE, las_url=LAS_SOAP,
             las_routeringskenmerk=LAS_RK, dossier=DOSSIER, dossier_versie="2019.1")
    p = peers()
    app = restart(tmp_path)
    try:
        row = wait(app, k, "afgemeld")
        assert row["status"] == "afgemeld" and row["rapport"]
        assert p.operations() == ["afmelding"]
        afmelding, = p.sent("afmelding")
        assert (afmelding.sessieId, afmelding.resultaat) == (SESSIE, "OverdrachtGeslaagd")
    finally:
        app.extensions["oso_sim_close"]()


def test_opgehaald_only_signs_off(tmp_path, peers):
    k = seed(tmp_path, status="opgehaald", sessie_id=SESSIE, las_url=LAS_SOAP, dossier=DOSSIER,
             rapport='{"findings": []}', afmelding_resultaat="OverdrachtGeslaagd")
    p = peers()
    app = restart(tmp_path)
    try:
        wait(app, k, "afgemeld")
        assert p.operations() == ["afmelding"]
    finally:
        app.extensions["oso_sim_close"]()


def test_sessie_with_stored_refusal_only_signs_off(tmp_path, peers):
    k = seed(tmp_path, status="sessie", sessie_id=SESSIE, las_url=LAS_SOAP,
             afmelding_resultaat="LeerlinginfoNietBeschikbaar",
             fout_code="LeerlinginfoNietBeschikbaar", fout="Dossier niet geleverd")
    p = peers()
    app = restart(tmp_path)
    try:
        row = wait(app, k, "afgemeld")
        assert row["status"] == "mislukt"
        afmelding, = p.sent("afmelding")
        assert afmelding.resultaat == "LeerlinginfoNietBeschikbaar"
        assert p.operations() == ["afmelding"]
    finally:
        app.extensions["oso_sim_close"]()


def test_sessie_without_dossier_starts_a_new_session(tmp_path, peers):
    k = seed(tmp_path, status="sessie", sessie_id="11111111-1111-1111-1111-111111111111",
             las_url=LAS_SOAP)
    p = peers()
    app = restart(tmp_path)
    try:
        row = wait(app, k, "afgemeld")
        assert row["status"] == "afgemeld" and row["sessie_id"] == SESSIE
        assert p.operations() == ["overdracht", "document", "afmelding"]
    finally:
        app.extensions["oso_sim_close"]()


def test_no_resume_without_auto_fetch_and_none_for_final(tmp_path, peers):
    k = seed(tmp_path, status="opgehaald", sessie_id=SESSIE, las_url=LAS_SOAP, dossier=DOSSIER,
             afmelding_resultaat="OverdrachtGeslaagd")
    seed(tmp_path, status="afgemeld")
    seed(tmp_path, status="mislukt")
    p = peers()
    app = make_app(tmp_path)  # AUTO_FETCH off: nothing moves
    time.sleep(0.2)
    assert p.operations() == []
    app.extensions["oso_sim_close"]()
    app = make_app(tmp_path, AUTO_FETCH=True)
    try:
        row = wait(app, k, "afgemeld")
        time.sleep(0.2)
        assert p.operations() == ["afmelding"], row  # the final ones are left alone
    finally:
        app.extensions["oso_sim_close"]()


def test_auto_fetch_runs_after_the_answer(tmp_path, peers):
    from oso_protocol.transport import codec
    from swv_support import notificatie
    answered_first = []
    p = peers()
    app = make_app(tmp_path, AUTO_FETCH=True)
    ctx = app.extensions["swv"]
    original = ctx.ophalen.run

    def run(key):
        log = ctx.messagelog.entries(koppelsleutel=key, with_xml=False)
        answered_first.append(any(r["direction"] == "out" and r["operation"] == "notificatie"
                                  for r in log))
        return original(key)

    ctx.worker._job = run
    try:
        k = new_key()
        started = time.monotonic()
        # buffered: the test client then closes the response, as a WSGI server does
        resp = app.test_client().post("/oso", data=codec.encode(notificatie(k)),
                                      content_type=codec.CONTENT_TYPE, buffered=True)
        assert resp.status_code == 200
        row = wait(app, k, "afgemeld")
        assert time.monotonic() - started < 0.9  # on close, not by the fallback timer
        assert answered_first == [True] and row["status"] == "afgemeld"
        assert p.operations() == ["overdracht", "document", "afmelding"]
    finally:
        ctx.close()


def test_auto_fetch_without_close_still_runs_once(tmp_path, peers):
    p = peers(document=__import__("swv_support").fault_body("LeveringGeweigerd"))
    app = make_app(tmp_path, AUTO_FETCH=True)
    try:
        k = notify(app.test_client())
        row = wait(app, k, "afgemeld")
        assert row["status"] == "mislukt"
        time.sleep(1.2)
        assert p.operations() == ["overdracht", "document", "afmelding"]
    finally:
        app.extensions["oso_sim_close"]()
