"""Steps where the harness plays the LAS or the SWV towards the Traffic Center."""
from __future__ import annotations

from pytest_bdd import parsers, then, when

from oso_protocol.transport import messages as m

from .common import evidence


@when(parsers.parse('de harnas de TC vraagt om de aanleverpunten van school "{brin}"'))
def ask_aanleverpunten(env, ctx, brin):
    env.start()
    r = env.tc.call(m.OverzichtAanleverpuntRequest(brin=brin, doel=m.DOEL_SWV))
    assert r.ok, f"TC weigerde overzichtAanleverpunt: {r.describe()}"
    ctx.aanleverpunten = [a.routeringsKenmerk for a in r.answer.aanleverpunt]


@when(parsers.parse('de harnas bij de TC een notificatie meldt voor aanleverpunt "{rk}"'))
def meld_notificatie(env, ctx, rk):
    env.start()
    brin, las_rk = env.las.identity("12AB")
    ap = env.tc.aanleverpunt(rk) or {"brin": "25PO"}
    ctx.soap = env.tc.call(m.MeldenNotificatieRequest(bronBrin=brin, bronRouteringsKenmerk=las_rk,
                                                      doelBrin=ap["brin"], doelRouteringsKenmerk=rk))


def _meld_terugkoppeling(env, ctx, k, doel_brin=None, doel_rk=None):
    koppeling = env.tc.koppeling(k) if k != UNKNOWN else None
    if koppeling is None:
        brin, rk = env.las.identity("12AB")
        koppeling = {"bron_brin": brin, "bron_routeringskenmerk": rk, "doel_brin": "25PO",
                     "doel_routeringskenmerk": "0000000700025PO00931"}
    ctx.soap = env.tc.call(m.MeldenTerugkoppelingRequest(
        bronBrin=koppeling["bron_brin"], bronRouteringsKenmerk=koppeling["bron_routeringskenmerk"],
        doelBrin=doel_brin or koppeling["doel_brin"],
        doelRouteringsKenmerk=doel_rk or koppeling["doel_routeringskenmerk"], koppelsleutel=k))


UNKNOWN = "0F0F0F0F-0000-4000-8000-000000000002"


@when("de harnas bij de TC een terugkoppeling meldt als het genotificeerde SWV")
def meld_terugkoppeling_notified(env, ctx):
    _meld_terugkoppeling(env, ctx, ctx.koppelsleutel)


@when("de harnas bij de TC een terugkoppeling meldt voor een onbekende koppelsleutel")
def meld_terugkoppeling_unknown(env, ctx):
    env.start()
    _meld_terugkoppeling(env, ctx, UNKNOWN)


@when("de harnas bij de TC een terugkoppeling meldt als een ander SWV-aanleverpunt")
def meld_terugkoppeling_other(env, ctx):
    koppeling = env.tc.koppeling(ctx.koppelsleutel)
    other = next(a for a in env.tc.register()["aanleverpunten"]
                 if a["doel"] == m.DOEL_SWV and a["actief"]
                 and a["routeringskenmerk"] != koppeling["doel_routeringskenmerk"])
    _meld_terugkoppeling(env, ctx, ctx.koppelsleutel, other["brin"], other["routeringskenmerk"])


@when("de harnas de sessie afmeldt")
def sign_off(env, ctx):
    k = ctx.session["koppeling"]
    r = env.tc.call(m.AfmeldingRequest(
        sessieId=ctx.session["sessieId"], bronBrin=k["bron_brin"],
        bronRouteringsKenmerk=k["bron_routeringskenmerk"], doelBrin=k["doel_brin"],
        doelRouteringsKenmerk=k["doel_routeringskenmerk"], koppelsleutel=k["koppelsleutel"],
        overdrachtsoort=m.OVERDRACHTSOORT_SWV, resultaat=m.OVERDRACHT_GESLAAGD))
    assert r.ok, f"TC weigerde de afmelding van de harnas: {r.describe()}"


@when(parsers.re(r"de harnas de sessie bij de TC controleert(?P<other> met een andere bronBrin)?"))
def check_session(env, ctx, other):
    k = ctx.session["koppeling"]
    ctx.soap = env.tc.call(m.SessiecontroleRequest(
        bronBrin="34CD" if other else k["bron_brin"], bronRouteringsKenmerk=k["bron_routeringskenmerk"],
        doelBrin=k["doel_brin"], doelRouteringsKenmerk=k["doel_routeringskenmerk"],
        koppelsleutel=k["koppelsleutel"], overdrachtsoort=m.OVERDRACHTSOORT_SWV,
        sessieId=ctx.session["sessieId"]))


@then(parsers.re(r"weigert de TC met (?P<code>\w+)"))
def tc_refuses_with(ctx, code):
    r = ctx.soap
    assert not r.ok, f"TC weigerde niet: {r.describe()}; verwacht {code}"
    assert r.fault.resultaat == code, f"TC weigerde met {r.fault.resultaat} ({r.fault.omschrijving}), verwacht {code}"


@then(parsers.re(r"weigert de TC de (?P<operation>meldenTerugkoppeling|meldenNotificatie)"))
def tc_refuses_operation(ctx, operation):
    r = ctx.soap
    assert r.operation == operation, f"laatste oproep was {r.operation}"
    assert not r.ok, f"TC aanvaardde de {operation}: {r.describe()}"


@then("heeft geen meldenNotificatie de TC bereikt")
def no_melding(env, ctx):
    rows = [r for r in env.log("tc") if r.get("operation") == "meldenNotificatie"]
    assert not rows, f"TC ontving toch een meldenNotificatie: {[r['outcome'] for r in rows]}"


@then("heeft de TC geen koppelsleutel uitgegeven")
def no_koppelsleutel(env, ctx):
    koppelingen = env.tc.koppelingen()
    assert not koppelingen, (f"TC gaf koppelsleutel(s) uit: {[k['koppelsleutel'] for k in koppelingen]}"
                             f" [{evidence(env)}]")


@then("heeft geen notificatie het SWV bereikt")
def no_notificatie(env, ctx):
    if env.swv.simulated:
        rows = [r for r in env.log("swv") if r.get("operation") == "notificatie"]
    else:
        rows = [r for r in env.log("las") if r.get("operation") == "notificatie" and r.get("side") == "client"]
    assert not rows, f"SWV ontving toch een notificatie: {[r['outcome'] for r in rows]}"


@then(parsers.re(r"bestond de uitwisseling uit de berichten (?P<ops>.+)"))
def exchange_messages(env, ctx, ops):
    seen = set()
    for role in ("tc", "las", "swv"):
        try:
            seen |= {r["operation"] for r in env.log(role) if r.get("operation")}
        except AssertionError:
            continue
    missing = [op.strip() for op in ops.split(",") if op.strip() not in seen]
    assert not missing, f"ontbrekende berichten: {missing} [{evidence(env, ctx.koppelsleutel)}]"
