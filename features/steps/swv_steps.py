"""Steps where the SWV acts, or the harness plays the SWV towards the LAS under test."""
from __future__ import annotations

import base64
import time

from pytest_bdd import given, parsers, then, when

from harness.drivers.las import toelichting_pdf
from harness.peers import CraftedLas
from oso_protocol.dossier.pgn import with_pgn
from oso_protocol.transport import messages as m

from .common import evidence


@given("the SWV fetches dossiers only on request")
def manual_fetch(env):
    assert not env.started, "deze stap hoort voor elke andere stap te staan"
    env.auto_fetch = False


@given("the harness plays the LAS with a dossier that contains a bsn")
def harness_plays_las(env, ctx):
    from oso_protocol.dossier import build_dossier
    from oso_protocol.dossier.model import Attachment
    from oso_protocol.synthetic import make_leerling, make_school

    env.start()
    school = make_school(7, "POSWV")
    leerling = make_leerling(7, "POSWV", school=school)
    toelichting = Attachment(bestandsnaam="Toelichting onderwijsbehoeften.pdf", content=toelichting_pdf())
    dossier = with_pgn(build_dossier(leerling, school, profile="POSWV", gegevensblokken=[],
                                     toelichting=toelichting))
    peer = CraftedLas(env.tc.soap_url, env.probe, dossier).start()
    env.peers.append(peer)
    rk = "0000000700012AB00950"
    env.tc.point_to(rk, peer.soap_url, {"brin": "12AB", "system": "las-sim", "doel": "OV", "naam": "harnas-LAS"})
    ctx.peer_identity = ("12AB", rk)


@when("the harness notifies the SWV of the zorgvraag")
def harness_notifies(env, ctx):
    brin, rk = ctx.peer_identity
    doel_rk = env.swv_aanleverpunt(brin)
    doel = env.tc.aanleverpunt(doel_rk)
    melding = env.tc.call(m.MeldenNotificatieRequest(bronBrin=brin, bronRouteringsKenmerk=rk,
                                                     doelBrin=doel["brin"], doelRouteringsKenmerk=doel_rk))
    assert melding.ok, f"TC weigerde de meldenNotificatie van de harnas: {melding.describe()}"
    k = melding.answer.koppelsleutel
    env.remember(k)
    note = env.probe.call("swv", melding.answer.url, m.NotificatieRequest(
        bronBrin=brin, bronRouteringsKenmerk=rk, doelBrin=doel["brin"], doelRouteringsKenmerk=doel_rk,
        koppelsleutel=k))
    assert note.ok and note.resultaat == m.NOTIFICATIE_ONTVANGEN, \
        f"SWV nam de notificatie niet aan: {note.describe()}"
    from harness.drivers.las import Sent
    ctx.sent = Sent(True, None, k)


@when("the SWV fetches the dossier")
def swv_fetches(env, ctx):
    if env.swv.simulated:
        ctx.fetch = env.swv.fetch_now(ctx.koppelsleutel)
        if ctx.fetch.get("status") == "afgemeld":
            ctx.dossier = env.swv.dossier(ctx.koppelsleutel)
    else:
        ctx.fetch = env.swv.wait_fetched(ctx.koppelsleutel)


def _terugkoppeling(env, ctx, body):
    ctx.terugkoppeling = body
    ctx.delivered = env.swv.terugkoppeling(ctx.koppelsleutel, body)


@when(parsers.parse('the SWV sends a terugkoppeling with status "{status}" and toelichting "{toelichting}"'))
def swv_sends_terugkoppeling(env, ctx, status, toelichting):
    _terugkoppeling(env, ctx, {"status": status, "toelichting": toelichting, "behandelaar": "Loket SWV"})


@when(parsers.parse('the SWV sends a terugkoppeling with status "{status}" and a document'))
def swv_sends_document(env, ctx, status):
    env.swv.require_internal("een terugkoppeling met een document")
    _terugkoppeling(env, ctx, {
        "status": status, "toelichting": "Zie het besluit in de bijlage.", "behandelaar": "Commissie TLV",
        "document": {"bestandsnaam": "Besluit.pdf",
                     "inhoud_base64": base64.b64encode(toelichting_pdf("Besluit")).decode()}})


@then("the terugkoppeling is delivered")
def terugkoppeling_delivered(env, ctx):
    ok, why = ctx.delivered
    assert ok, f"terugkoppeling niet afgeleverd: {why} [{evidence(env, ctx.koppelsleutel)}]"


@then("the SWV has fetched the dossier")
def swv_has_fetched(env, ctx):
    k = ctx.koppelsleutel
    status = env.swv.wait_fetched(k)
    koppeling = env.tc.koppeling(k) if env.tc.simulated else None
    fetched = ((koppeling or {}).get("opgehaald") or status.get("status") in ("afgemeld", "opgehaald"))
    assert fetched, (f"SWV haalde het dossier niet op: status {status.get('status')}"
                     f" {status.get('fout') or ''} [{evidence(env, k)}]")
    if env.swv.simulated:
        ctx.dossier = env.swv.dossier(k)
    elif env.las.simulated:
        ctx.dossier = env.las.snapshot(ctx.sent.zorgvraag_id)


@then(parsers.parse("the SWV reports the dossier invalid with rule {rule}"))
def swv_reports_rule(env, ctx, rule):
    k = ctx.koppelsleutel
    if env.swv.simulated:
        rapport = env.swv.rapport(k)
        rules = {f["rule"] for f in rapport.get("findings", [])}
        assert rule in rules and not rapport.get("valid", True), \
            f"SWV meldt {rule} niet: geldig={rapport.get('valid')}, regels {sorted(rules)}"
        return
    # An external SWV shows its verdict in the afmelding: anything but OverdrachtGeslaagd.
    k_state = env.tc.wait_koppeling(lambda x: x["sessies"] and all(s["afgemeld"] for s in x["sessies"]),
                                    env.swv.config.wait_seconds, k, "afmelding door het SWV")
    resultaten = [s["resultaat"] for s in k_state["sessies"]]
    assert m.OVERDRACHT_GESLAAGD not in resultaten, \
        f"SWV meldde {resultaten} af voor een dossier met een PGN ({rule}); verwacht bv. DossierOngeldig"


def _server_rows(env, role, k, operation):
    return [r for r in env.log(role, k, xml=True)
            if r.get("operation") == operation and r.get("side") == "server"]


@then("the SWV requested a session at the TC with overdrachtsoort SWVaanvraag")
def swv_requested_session(env, ctx):
    k = ctx.koppelsleutel
    env.swv.wait_fetched(k)
    rows = [r for r in _server_rows(env, "tc", k, "overdracht") if r["direction"] == "in"]
    assert rows, f"SWV vroeg geen sessie aan (geen overdracht bij de TC) [{evidence(env, k)}]"
    assert "SWVaanvraag</" in rows[0]["xml"], "overdrachtRequest zonder overdrachtsoort SWVaanvraag"
    assert "zoeksleutel" not in rows[0]["xml"], "overdrachtRequest draagt een zoeksleutel naast de koppelsleutel"


@then("the SWV fetched the dossier from the LAS within that session")
def swv_fetched_in_session(env, ctx):
    k = ctx.koppelsleutel
    sessies = {s["sessieId"].upper() for s in env.tc.koppeling(k)["sessies"]}
    rows = [r for r in _server_rows(env, "las", k, "document") if r["direction"] == "out"]
    assert rows, f"SWV vroeg het dossier niet op bij de LAS [{evidence(env, k)}]"
    assert rows[-1]["outcome"] == m.DOSSIER_GELEVERD, f"LAS leverde niet: {rows[-1]['outcome']}"
    assert (rows[-1].get("sessie_id") or "").upper() in sessies, \
        f"documentRequest met sessie {rows[-1].get('sessie_id')} die de TC niet uitgaf ({sorted(sessies)})"


@then("the SWV signed the session off with OverdrachtGeslaagd")
def swv_signed_off(env, ctx):
    k = ctx.koppelsleutel
    deadline = time.monotonic() + min(10.0, env.swv.config.wait_seconds)
    koppeling = env.tc.koppeling(k)
    while time.monotonic() < deadline and not all(s["afgemeld"] for s in koppeling["sessies"]):
        time.sleep(0.1)
        koppeling = env.tc.koppeling(k)
    open_ = [s["sessieId"] for s in koppeling["sessies"] if not s["afgemeld"]]
    assert not open_, f"SWV meldde sessie(s) {open_} niet af bij de TC (geen afmelding) [{evidence(env, k)}]"
    resultaten = [s["resultaat"] for s in koppeling["sessies"]]
    assert resultaten[-1] == m.OVERDRACHT_GESLAAGD, f"afmelding met {resultaten[-1]}, verwacht OverdrachtGeslaagd"


# -- the harness playing the SWV towards the LAS --------------------------------------------------

def _document_request(env, ctx, k, sessie_id):
    koppeling = env.tc.koppeling(k)
    ctx.soap = env.probe.call("las", env.las.soap_url, m.DocumentRequest(
        sessieId=sessie_id, bronBrin=koppeling["bron_brin"],
        bronRouteringsKenmerk=koppeling["bron_routeringskenmerk"], doelBrin=koppeling["doel_brin"],
        doelRouteringsKenmerk=koppeling["doel_routeringskenmerk"], koppelsleutel=k))


@when("the harness requests the dossier at the LAS with an unknown sessieId")
def document_unknown_session(env, ctx):
    _document_request(env, ctx, ctx.koppelsleutel, "00000000-0000-4000-8000-000000000000")


@when("the harness requests the second dossier at the LAS with the session of the first")
def document_other_session(env, ctx):
    first, second = ctx.sent_all[0].koppelsleutel, ctx.sent_all[1].koppelsleutel
    ctx.sent = ctx.sent_all[1]
    sessie = _overdracht(env, ctx, first)
    _document_request(env, ctx, second, sessie)


@when("the harness requests the dossier at the LAS with that session")
def document_that_session(env, ctx):
    _document_request(env, ctx, ctx.koppelsleutel, ctx.session["sessieId"])


def _overdracht(env, ctx, k) -> str:
    koppeling = env.tc.koppeling(k)
    result = env.tc.call(m.OverdrachtRequest(
        bronBrin=koppeling["bron_brin"], doelBrin=koppeling["doel_brin"],
        doelRouteringsKenmerk=koppeling["doel_routeringskenmerk"],
        bronRouteringsKenmerk=koppeling["bron_routeringskenmerk"], koppelsleutel=k))
    assert result.ok, f"TC gaf de harnas geen sessie: {result.describe()}"
    ctx.session = {"sessieId": result.answer.sessieId, "koppeling": koppeling}
    return result.answer.sessieId


@given("the harness holds a session for the zorgvraag")
def harness_session(env, ctx):
    _overdracht(env, ctx, ctx.koppelsleutel)


@then(parsers.re(r"the LAS refuses the documentRequest(?: with (?P<code>\w+))?"))
def las_refuses_document(env, ctx, code):
    r = ctx.soap
    assert not r.ok, f"LAS leverde het dossier toch: {r.describe()}"
    if code:
        assert r.fault.resultaat == code, f"LAS weigerde met {r.fault.resultaat} ({r.fault.omschrijving}), verwacht {code}"


@then("the LAS checked the session at the TC")
def las_checked_session(env, ctx):
    rows = [r for r in env.log("tc") if r.get("operation") == "sessiecontrole" and r.get("side") == "server"]
    assert rows, f"LAS riep geen sessiecontrole aan bij de TC [{evidence(env)}]"


@then("no dossier was delivered")
def no_dossier(env, ctx):
    assert not ctx.soap.ok and not getattr(ctx.soap.answer, "dossier", None), \
        f"de harnas ontving een dossier: {ctx.soap.describe()}"


@when("the harness sends a terugkoppeling directly to the LAS for an unknown koppelsleutel")
def terugkoppeling_to_las_unknown(env, ctx):
    env.start()
    brin, rk = env.las.identity("12AB")
    ctx.soap = env.probe.call("las", env.las.soap_url, m.TerugkoppelingRequest(
        bronBrin=brin, bronRouteringsKenmerk=rk, doelBrin="25PO",
        doelRouteringsKenmerk="0000000700025PO00931", koppelsleutel="0F0F0F0F-0000-4000-8000-000000000001",
        terugkoppeling=m.Terugkoppeling(status="Ontvangen", datum="2025-01-06T10:00:00")))


@then("the LAS refuses the terugkoppeling")
def las_refuses_terugkoppeling(ctx):
    assert not ctx.soap.ok, f"LAS aanvaardde een terugkoppeling met een onbekende koppelsleutel: {ctx.soap.describe()}"
