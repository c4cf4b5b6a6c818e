"""Steps where the SWV acts, or the harness plays the SWV towards the LAS under test."""
from __future__ import annotations

import base64
import hashlib
import time

from pytest_bdd import given, parsers, then, when

from harness.conformance.drivers.http import AUTO
from harness.conformance.drivers.las import toelichting_pdf
from oso_protocol.transport import messages as m

from .common import evidence


@given("het SWV haalt dossiers alleen op verzoek op")
def manual_fetch(env):
    assert not env.started, "deze stap hoort voor elke andere stap te staan"
    env.auto_fetch = False


def _terugkoppeling(env, ctx, body):
    ctx.terugkoppeling = body
    ctx.delivered = env.swv.terugkoppeling(ctx.koppelsleutel, body)


@when(parsers.parse('het SWV een terugkoppeling stuurt met status "{status}" en toelichting "{toelichting}"'))
def swv_sends_terugkoppeling(env, ctx, status, toelichting):
    _terugkoppeling(env, ctx, {"status": status, "toelichting": toelichting, "behandelaar": "Loket SWV"})


@when(parsers.parse('het SWV een terugkoppeling stuurt met status "{status}" en een document'))
def swv_sends_document(env, ctx, status):
    data = toelichting_pdf("Besluit")
    _terugkoppeling(env, ctx, {
        "status": status, "toelichting": "Zie het besluit in de bijlage.", "behandelaar": "Commissie TLV",
        "document": {"bestandsnaam": "Besluit.pdf", "inhoud_base64": base64.b64encode(data).decode(),
                     "sha256": hashlib.sha256(data).hexdigest()}})


@then("is de terugkoppeling afgeleverd")
def terugkoppeling_delivered(env, ctx):
    ok, why = ctx.delivered
    assert ok, f"terugkoppeling niet afgeleverd: {why} [{evidence(env, ctx.koppelsleutel)}]"


@then("meldde het SWV de terugkoppeling bij de TC voordat het die naar de LAS stuurde")
def melden_before_terugkoppeling(env, ctx):
    k = ctx.koppelsleutel
    gemeld = [r for r in _server_rows(env, "tc", k, "meldenTerugkoppeling") if r["direction"] == "in"]
    ontvangen = [r for r in _server_rows(env, "las", k, "terugkoppeling") if r["direction"] == "in"]
    assert gemeld, f"SWV meldde de terugkoppeling niet bij de TC [{evidence(env, k)}]"
    assert ontvangen, f"de terugkoppeling bereikte de LAS niet [{evidence(env, k)}]"
    assert gemeld[0]["ts"] <= ontvangen[0]["ts"], (
        f"SWV stuurde de terugkoppeling om {ontvangen[0]['ts']} naar de LAS en meldde haar pas om"
        f" {gemeld[0]['ts']} bij de TC")


@then("heeft het SWV het dossier opgehaald")
def swv_has_fetched(env, ctx):
    k = ctx.koppelsleutel
    status = env.swv.wait_fetched(k)
    dossier = env.delivered_dossier(k)
    assert dossier is not None, (f"SWV haalde het dossier niet op: status {status.get('status')}"
                                 f" {status.get('fout') or ''} [{evidence(env, k)}]")
    ctx.dossier = dossier


def _signed_off(env, k: str) -> list[str]:
    """The afmelding results of `k`'s sessions, once the SWV signed every session off."""
    deadline = time.monotonic() + min(10.0, env.swv.config.wait_seconds)
    koppeling = env.tc.koppeling(k)
    while time.monotonic() < deadline and not (koppeling["sessies"] and all(s["afgemeld"] for s in koppeling["sessies"])):
        time.sleep(0.1)
        koppeling = env.tc.koppeling(k)
    open_ = [s["sessieId"] for s in koppeling["sessies"] if not s["afgemeld"]]
    assert koppeling["sessies"] and not open_, \
        f"SWV meldde sessie(s) {open_} niet af bij de TC (geen afmelding) [{evidence(env, k)}]"
    return [s["resultaat"] for s in koppeling["sessies"]]


@then(parsers.re(r"(?:meldt het SWV de sessie af|heeft het SWV de sessie afgemeld) met (?P<resultaat>\w+)"))
def swv_signed_off(env, ctx, resultaat):
    """The SWV's verdict on a dossier as the TC saw it: its afmelding result
    (docs/protocol-assumptions.md: an SWV that finds a PGN in a dossier signs off DossierOngeldig)."""
    resultaten = _signed_off(env, ctx.koppelsleutel)
    assert resultaten[-1] == resultaat, \
        f"SWV meldde af met {resultaten[-1]}, verwacht {resultaat} [{evidence(env, ctx.koppelsleutel)}]"


def _server_rows(env, role, k, operation):
    return [r for r in env.log(role, k, xml=True)
            if r.get("operation") == operation and r.get("side") == "server"]


@then("heeft het SWV bij de TC een sessie aangevraagd met overdrachtsoort SWVaanvraag")
def swv_requested_session(env, ctx):
    k = ctx.koppelsleutel
    env.swv.wait_fetched(k)
    rows = [r for r in _server_rows(env, "tc", k, "overdracht") if r["direction"] == "in"]
    assert rows, f"SWV vroeg geen sessie aan (geen overdracht bij de TC) [{evidence(env, k)}]"
    assert "SWVaanvraag</" in rows[0]["xml"], "overdrachtRequest zonder overdrachtsoort SWVaanvraag"
    assert "zoeksleutel" not in rows[0]["xml"], "overdrachtRequest draagt een zoeksleutel naast de koppelsleutel"


@then("heeft het SWV het dossier binnen die sessie bij de LAS opgehaald")
def swv_fetched_in_session(env, ctx):
    k = ctx.koppelsleutel
    sessies = {s["sessieId"].upper() for s in env.tc.koppeling(k)["sessies"]}
    rows = [r for r in _server_rows(env, "las", k, "document") if r["direction"] == "out"]
    assert rows, f"SWV vroeg het dossier niet op bij de LAS [{evidence(env, k)}]"
    assert rows[-1]["outcome"] == m.DOSSIER_GELEVERD, f"LAS leverde niet: {rows[-1]['outcome']}"
    assert (rows[-1].get("sessie_id") or "").upper() in sessies, \
        f"documentRequest met sessie {rows[-1].get('sessie_id')} die de TC niet uitgaf ({sorted(sessies)})"


# -- the harness playing the SWV towards the LAS --------------------------------------------------

def _document_request(env, ctx, k, sessie_id, present=AUTO):
    koppeling = env.tc.koppeling(k)
    ctx.soap = env.probe.call("las", env.las.soap_url, m.DocumentRequest(
        sessieId=sessie_id, bronBrin=koppeling["bron_brin"],
        bronRouteringsKenmerk=koppeling["bron_routeringskenmerk"], doelBrin=koppeling["doel_brin"],
        doelRouteringsKenmerk=koppeling["doel_routeringskenmerk"], koppelsleutel=k), present=present)


@when("de harnas het dossier bij de LAS opvraagt met een onbekend sessieId")
def document_unknown_session(env, ctx):
    _document_request(env, ctx, ctx.koppelsleutel, "00000000-0000-4000-8000-000000000000")


@when("de harnas het tweede dossier bij de LAS opvraagt met de sessie van het eerste")
def document_other_session(env, ctx):
    first, second = ctx.sent_all[0].koppelsleutel, ctx.sent_all[1].koppelsleutel
    ctx.sent = ctx.sent_all[1]
    sessie = _overdracht(env, ctx, first)
    _document_request(env, ctx, second, sessie)


@when("de harnas het dossier bij de LAS opvraagt met die sessie")
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


@given("de harnas heeft een sessie voor de zorgvraag")
def harness_session(env, ctx):
    _overdracht(env, ctx, ctx.koppelsleutel)


@then(parsers.re(r"weigert de LAS het documentRequest(?: met (?P<code>\w+))?"))
def las_refuses_document(env, ctx, code):
    r = ctx.soap
    assert not r.ok, f"LAS leverde het dossier toch: {r.describe()}"
    if code:
        assert r.fault.resultaat == code, f"LAS weigerde met {r.fault.resultaat} ({r.fault.omschrijving}), verwacht {code}"


@then("heeft de LAS de sessie bij de TC gecontroleerd")
def las_checked_session(env, ctx):
    rows = [r for r in env.log("tc", ctx.koppelsleutel) if r.get("operation") == "sessiecontrole"
            and r.get("side") == "server" and r.get("direction") == "in"]
    assert rows, f"LAS riep geen sessiecontrole aan bij de TC voor deze koppelsleutel [{evidence(env)}]"


@then("is er geen dossier geleverd")
def no_dossier(env, ctx):
    assert not ctx.soap.ok and not getattr(ctx.soap.answer, "dossier", None), \
        f"de harnas ontving een dossier: {ctx.soap.describe()}"


def _terugkoppeling_to_las(env, ctx, k, present=AUTO, melden=True):
    """The harness as the SWV the TC routed the zorgvraag to: melds the terugkoppeling at the TC,
    then sends it to the LAS. Only the koppelsleutel differs between the refusal and its control.
    Without `melden` it skips the TC, which would refuse a terugkoppeling before the fetch."""
    koppeling = env.tc.koppeling(ctx.koppelsleutel)
    ids = dict(bronBrin=koppeling["bron_brin"], bronRouteringsKenmerk=koppeling["bron_routeringskenmerk"],
               doelBrin=koppeling["doel_brin"], doelRouteringsKenmerk=koppeling["doel_routeringskenmerk"])
    if k == ctx.koppelsleutel and melden:
        melding = env.tc.call(m.MeldenTerugkoppelingRequest(**ids, koppelsleutel=k))
        assert melding.ok, f"TC weigerde de meldenTerugkoppeling van de harnas: {melding.describe()}"
    ctx.soap = env.probe.call("las", env.las.soap_url, m.TerugkoppelingRequest(
        **ids, koppelsleutel=k,
        terugkoppeling=m.Terugkoppeling(status="Ontvangen", datum="2026-01-06T10:00:00",
                                        toelichting="Controle door de harnas.")), present=present)


@when("de harnas een terugkoppeling naar de LAS stuurt voor een onbekende koppelsleutel")
def terugkoppeling_to_las_unknown(env, ctx):
    _terugkoppeling_to_las(env, ctx, "0F0F0F0F-0000-4000-8000-000000000001")


@when("de harnas dezelfde terugkoppeling naar de LAS stuurt voor de koppelsleutel van de zorgvraag")
def terugkoppeling_to_las_known(env, ctx):
    _terugkoppeling_to_las(env, ctx, ctx.koppelsleutel)


@when("de harnas een terugkoppeling naar de LAS stuurt voor de zorgvraag voordat het dossier is opgehaald")
def terugkoppeling_to_las_before_fetch(env, ctx):
    _terugkoppeling_to_las(env, ctx, ctx.koppelsleutel, melden=False)


@then(parsers.re(r"weigert de LAS de terugkoppeling met (?P<code>\w+)"))
def las_refuses_terugkoppeling(ctx, code):
    r = ctx.soap
    assert not r.ok, f"LAS aanvaardde de terugkoppeling, verwacht een weigering met {code}: {r.describe()}"
    assert r.fault.resultaat == code, f"LAS weigerde met {r.fault.resultaat} ({r.fault.omschrijving}), verwacht {code}"


@when("de harnas het dossier bij de LAS opvraagt met een eigen sessie")
def document_own_session(env, ctx):
    _overdracht(env, ctx, ctx.koppelsleutel)
    _document_request(env, ctx, ctx.koppelsleutel, ctx.session["sessieId"])


@then("levert de LAS het dossier")
def las_delivers(env, ctx):
    r = ctx.soap
    assert r.ok and r.resultaat == m.DOSSIER_GELEVERD and getattr(r.answer, "dossier", None), \
        f"LAS leverde het dossier niet bij een geldige sessie: {r.describe()}"


@when(parsers.re(r"de sessiecontrole van de TC (?P<state>gestoord is|weer werkt)"))
def tc_storing(env, ctx, state):
    env.tc.storing("sessiecontrole", state == "gestoord is")


def _fetch_with_session(env, ctx) -> bytes:
    _overdracht(env, ctx, ctx.koppelsleutel)
    _document_request(env, ctx, ctx.koppelsleutel, ctx.session["sessieId"])
    las_delivers(env, ctx)
    return base64.b64decode(ctx.soap.answer.dossier)


@given("de harnas heeft het dossier met een sessie opgehaald en zonder OverdrachtGeslaagd afgemeld")
def harness_fetched_first(env, ctx):
    ctx.first_dossier = _fetch_with_session(env, ctx)
    k = ctx.session["koppeling"]
    # [choice] any result but OverdrachtGeslaagd keeps the koppelsleutel usable for a new session
    # (docs/protocol-assumptions.md row 23), so the same zorgvraag can be fetched a second time.
    r = env.tc.call(m.AfmeldingRequest(
        sessieId=ctx.session["sessieId"], bronBrin=k["bron_brin"],
        bronRouteringsKenmerk=k["bron_routeringskenmerk"], doelBrin=k["doel_brin"],
        doelRouteringsKenmerk=k["doel_routeringskenmerk"], koppelsleutel=k["koppelsleutel"],
        overdrachtsoort=m.OVERDRACHTSOORT_SWV, resultaat="DossierOngeldig"))
    assert r.ok, f"TC weigerde de afmelding van de harnas: {r.describe()}"


@when("de harnas het dossier opnieuw ophaalt met een nieuwe sessie")
def harness_fetches_again(env, ctx):
    ctx.dossier = _fetch_with_session(env, ctx)


@then("is het tweede dossier gelijk aan het eerste")
def second_equals_first(ctx):
    assert ctx.dossier == ctx.first_dossier, (
        f"de LAS leverde na de wijziging een ander dossier ({len(ctx.dossier)} bytes) dan bij de eerste"
        f" sessie ({len(ctx.first_dossier)} bytes): geen momentopname van het verzendmoment")
