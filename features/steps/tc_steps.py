"""Steps where the harness plays the LAS or the SWV towards the Traffic Center."""
from __future__ import annotations

import time
from collections import Counter

from pytest_bdd import parsers, then, when

from oso_protocol.transport import codec
from oso_protocol.transport import messages as m
from oso_protocol.transport.faults import OsoFault

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


# -- what the LAS sent, as the simulated TC and SWV logged it --------------------------------------

def _decoded(row):
    """The message of a logged row, or None when it is no readable OSO message."""
    try:
        return codec.decode((row.get("xml") or "").encode("utf-8"))
    except OsoFault:
        return None


def _received(env, role: str, operation: str, koppelsleutel: str | None = None) -> list[dict]:
    """The requests `role` received for `operation` (with their XML), oldest first."""
    return [r for r in env.log(role, koppelsleutel, xml=True) if r.get("operation") == operation
            and r.get("side") == "server" and r.get("direction") == "in"]


def _las_meldingen(env, brin: str) -> list:
    """The meldenNotificatie requests of this LAS (any of its aanleverpunten) the TC received.
    The TC is fresh per scenario, so they all belong to this scenario's zorgvragen."""
    own = env.tc.aanleverpunten_van(env.las.identity(brin)[1])
    return [m for m in map(_decoded, _received(env, "tc", "meldenNotificatie"))
            if m is not None and m.bronRouteringsKenmerk in own]


def _notificaties(env) -> list[dict]:
    """The notificaties the SWV received, waiting briefly for one that is still on its way."""
    deadline = time.monotonic() + min(10.0, env.las.config.wait_seconds)
    rows = _received(env, "swv", "notificatie")
    while not rows and time.monotonic() < deadline:
        time.sleep(0.2)
        rows = _received(env, "swv", "notificatie")
    return rows


def _n(count: int, word: str, plural: str) -> str:
    return f"{count} {word if count == 1 else plural}"


@then("heeft de LAS voor de zorgvraag precies één meldenNotificatie en één notificatie gestuurd")
def exactly_one_notification(env, ctx):
    k = ctx.koppelsleutel
    meldingen = _las_meldingen(env, ctx.pupil.brin)
    assert len(meldingen) == 1, (f"de LAS stuurde {_n(len(meldingen), 'meldenNotificatie', 'meldenNotificaties')}"
                                 f" voor de zorgvraag, verwacht 1 [{evidence(env)}]")
    notes = _received(env, "swv", "notificatie", k)
    assert len(notes) == 1, (f"de LAS stuurde {_n(len(notes), 'notificatie', 'notificaties')} voor"
                             f" koppelsleutel {k}, verwacht 1 [{evidence(env, k)}]")


def _document_sessions(env, k: str) -> list[str]:
    """The sessieId of every documentRequest for `k` that reached the LAS: from the simulated SWV
    and from the harness itself."""
    sessies = [(r.get("sessie_id") or "").upper() for r in env.log("swv", k)
               if r.get("operation") == "document" and r.get("side") == "client"
               and r.get("direction") == "out"]
    for row in env.probe.journal:
        if row.get("operation") == "document" and row.get("direction") == "out" \
                and (row.get("koppelsleutel") or "").upper() == k.upper():
            message = _decoded(row)
            sessies.append((getattr(message, "sessieId", None) or "").upper())
    return sessies


@then("heeft de LAS voor elk documentRequest precies één sessiecontrole gedaan")
def one_sessiecontrole_per_document(env, ctx):
    k = ctx.koppelsleutel
    requests = Counter(_document_sessions(env, k))
    assert requests, f"geen documentRequest voor koppelsleutel {k} gezien [{evidence(env, k)}]"
    checks = Counter((r.get("sessie_id") or "").upper()
                     for r in _received(env, "tc", "sessiecontrole", k))
    for sessie in sorted(set(requests) | set(checks)):
        assert checks[sessie] == requests[sessie], (
            f"de LAS controleerde sessie {sessie} {checks[sessie]} keer bij de TC voor"
            f" {_n(requests[sessie], 'documentRequest', 'documentRequests')} met die sessie"
            f" (koppelsleutel {k}), verwacht {requests[sessie]} [{evidence(env, k)}]")


@then("noemt de notificatie aan het SWV de koppelsleutel die de TC voor de zorgvraag uitgaf")
def notificatie_carries_issued_key(env, ctx):
    own = env.tc.aanleverpunten_van(env.las.identity(ctx.pupil.brin)[1])
    issued = sorted(k["koppelsleutel"].upper() for k in env.tc.koppelingen()
                    if k["bron_routeringskenmerk"] in own)
    assert issued, f"de TC gaf de LAS geen koppelsleutel uit [{evidence(env)}]"
    notes = _notificaties(env)
    assert notes, f"geen notificatie bereikte het SWV (de TC gaf {', '.join(issued)} uit) [{evidence(env)}]"
    notified = sorted({(m.koppelsleutel or "").upper() for m in map(_decoded, notes) if m is not None})
    assert notified == issued, (f"de LAS notificeerde met {', '.join(notified) or 'geen koppelsleutel'},"
                                f" de TC gaf {', '.join(issued)} uit [{evidence(env)}]")


@then("noemen meldenNotificatie en notificatie de school van de leerling en haar LAS-aanleverpunt als bron")
def bron_is_the_pupils_school(env, ctx):
    brin, rk = env.las.identity(ctx.pupil.brin)
    ap = env.tc.aanleverpunt(rk)
    assert ap is not None and ap["brin"] == brin, \
        f"het register kent {rk} niet als LAS-aanleverpunt van school {brin}: {ap}"
    meldingen = _las_meldingen(env, brin)
    assert meldingen, f"de TC ontving geen meldenNotificatie van de LAS [{evidence(env)}]"
    notes = [m for m in map(_decoded, _notificaties(env)) if m is not None]
    assert notes, f"geen notificatie bereikte het SWV [{evidence(env)}]"
    for message in meldingen + notes:
        named = (message.bronBrin, message.bronRouteringsKenmerk)
        assert named == (brin, rk), (
            f"de LAS noemde in {message.OPERATION} school {named[0]} met aanleverpunt {named[1]} als"
            f" bron; de leerling zit op school {brin}, met LAS-aanleverpunt {rk} in het register")
