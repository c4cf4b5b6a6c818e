"""Steps where the harness plays the LAS (and the TC) towards the SWV under test: a LAS of
harness/conformance/las_behaviours.py serves the dossier, the harness sends the notificatie, and what the SWV
then did is read from the TC's log and the harness LAS's journal."""
from __future__ import annotations

import time
import uuid

from pytest_bdd import given, parsers, then, when

from actor_kit import pki
from harness.conformance.drivers.http import DriverError
from harness.conformance.drivers.las import Sent
from harness.conformance.las_behaviours import behaviour
from harness.conformance.peers import ONBEREIKBAAR_OUTCOME, CraftedLas
from oso_protocol.transport import messages as m

from .common import evidence

HARNESS_LAS_RK = "0000000700012AB00950"
HARNESS_LAS_BRIN = "12AB"
# [choice] "another system" for a notificatie is the TC: a system the register knows, with a
# certificate of the same CA, that holds no LAS aanleverpunt
ANDER_SYSTEEM = pki.TC_ID
SERVER_CERTIFICATES = {"een verlopen servercertificaat": "slecht/verlopen",
                       "een servercertificaat van een onbekende CA": "slecht/andere-ca"}
# how long the harness watches for a documentRequest that should not come: an SWV fetches right
# after it took a notificatie, or after its overdracht
STILTE_SECONDS = 1.0
# and for a second fetch after the afmelding (a repeated notificatie that started one)
NASLEEP_SECONDS = 0.5


def _start_las(env, ctx, naam: str, server_cert: str | None = None) -> CraftedLas:
    env.start()
    # the simulated LAS's files: the run's las-sim certificate, trusting what the simulated actors
    # trust (a vendor's own CA too, so its SWV may fetch here)
    tls = env.actors.tls_files.get("las") if env.tls else None
    if tls and server_cert:
        # the impostor: the LAS aanleverpunt's URL, a certificate the SWV must not trust; it still
        # asks for and trusts the run's client certificates, so only the SWV's check can stop it
        bad = pki.files_for(env.tls, server_cert)
        tls = {"ca": tls["ca"], "cert": bad["cert"], "key": bad["key"]}
    peer = CraftedLas(env.tc.soap_url, env.probe, behaviour(naam), tls=tls).start()
    env.peers.append(peer)
    ctx.peer = peer
    env.tc.point_to(HARNESS_LAS_RK, peer.soap_url, {"brin": HARNESS_LAS_BRIN, "system": "las-sim",
                                                    "doel": "OV", "naam": "harnas-LAS"})
    ctx.peer_identity = (HARNESS_LAS_BRIN, HARNESS_LAS_RK)
    return peer


@given(parsers.re(r"de harnas speelt de LAS met (?P<naam>.+?) achter (?P<certificaat>een .*servercertificaat.*)"))
def harness_plays_impostor(env, ctx, naam, certificaat):
    _start_las(env, ctx, naam, SERVER_CERTIFICATES[certificaat])


@given(parsers.re(r"de harnas speelt de LAS met (?P<naam>(?!.* achter ).+)"))
def harness_plays_las(env, ctx, naam):
    _start_las(env, ctx, naam)


@given("de TC beantwoordt de eerste overdracht niet")
def tc_misses_first_overdracht(env, ctx):
    env.tc.storing("overdracht", 1)


def _melding(env, ctx, doel_rk: str | None = None) -> dict:
    """A koppelsleutel the TC issues for the harness LAS and `doel_rk` (by default the SWV under
    test), with the identifiers of the notificatie that goes with it."""
    brin, rk = ctx.peer_identity
    doel_rk = doel_rk or env.swv_aanleverpunt(brin)
    doel = env.tc.aanleverpunt(doel_rk)
    melding = env.tc.call(m.MeldenNotificatieRequest(bronBrin=brin, bronRouteringsKenmerk=rk,
                                                     doelBrin=doel["brin"], doelRouteringsKenmerk=doel_rk))
    assert melding.ok, f"TC weigerde de meldenNotificatie van de harnas: {melding.describe()}"
    k = melding.answer.koppelsleutel
    env.remember(k)
    ctx.notificatie = dict(bronBrin=brin, bronRouteringsKenmerk=rk, doelBrin=doel["brin"],
                           doelRouteringsKenmerk=doel_rk, koppelsleutel=k)
    ctx.sent = Sent(True, None, k)
    ctx.sent_all.append(ctx.sent)
    return doel


def _notify(env, ctx, present=None):
    """The notificatie of ctx.notificatie to the SWV under test; the answer in ctx.soap (None with
    ctx.refused_connection when the SWV refused the connection itself)."""
    url = env.tc.aanleverpunt(env.swv_aanleverpunt(ctx.peer_identity[0]))["url"]
    ctx.refused_connection = None
    kwargs = {"present": present} if present is not None else {}
    try:
        ctx.soap = env.probe.call("swv", url, m.NotificatieRequest(**ctx.notificatie), **kwargs)
    except DriverError as exc:
        ctx.soap, ctx.refused_connection = None, str(exc)
    return ctx.soap


def _accepted(ctx) -> None:
    note = ctx.soap
    assert note is not None and note.ok and note.resultaat == m.NOTIFICATIE_ONTVANGEN, \
        f"SWV nam de notificatie niet aan: {ctx.refused_connection or note.describe()}"


@when("de harnas het SWV een notificatie stuurt voor de zorgvraag")
def harness_notifies(env, ctx):
    _melding(env, ctx)
    _notify(env, ctx)
    _accepted(ctx)


@when("de harnas het SWV dezelfde notificatie nog een keer stuurt")
def harness_notifies_again(env, ctx):
    _notify(env, ctx)


@when("de harnas hetzelfde dossier zonder BSN aanbiedt voor een nieuwe zorgvraag")
def harness_serves_clean(env, ctx):
    """The positive control of the PGN refusal: the same dossier, only without the BSN."""
    ctx.peer.dossier = behaviour("een geldig dossier").dossier()
    harness_notifies(env, ctx)


@when("de harnas het SWV een notificatie stuurt met een koppelsleutel die de TC uitgaf voor een ander"
      " SWV-aanleverpunt")
def notify_foreign_key(env, ctx):
    brin = ctx.peer_identity[0]
    own = env.swv_aanleverpunt(brin)
    others = [a["routeringskenmerk"] for a in env.tc.register()["aanleverpunten"]
              if a.get("doel") == m.DOEL_SWV and a.get("actief", True) and a["routeringskenmerk"] != own]
    assert others, "het register van de harnas heeft geen tweede SWV-aanleverpunt"
    _melding(env, ctx, doel_rk=others[0])
    doel = env.tc.aanleverpunt(own)
    # the key is real, but the TC issued it for the other aanleverpunt: the notificatie names ours
    ctx.notificatie.update(doelBrin=doel["brin"], doelRouteringsKenmerk=own)
    ctx.refused_key = ctx.notificatie["koppelsleutel"]
    _notify(env, ctx)


@when("de harnas het SWV de notificatie stuurt met het certificaat van een ander systeem")
def notify_other_certificate(env, ctx):
    _melding(env, ctx)
    ctx.refused_key = ctx.notificatie["koppelsleutel"]
    _notify(env, ctx, present=env.certificate(ANDER_SYSTEEM))


@when("de harnas het SWV dezelfde notificatie stuurt met het certificaat van de school")
def notify_own_certificate(env, ctx):
    _notify(env, ctx)
    _accepted(ctx)


@then("weigert het SWV de notificatie")
def swv_refuses_notificatie(ctx):
    if getattr(ctx, "refused_connection", None):
        return
    r = ctx.soap
    k = getattr(ctx, "refused_key", None) or getattr(ctx, "unissued", None)
    assert not r.ok or r.resultaat != m.NOTIFICATIE_ONTVANGEN, \
        f"SWV nam de notificatie voor koppelsleutel {k} aan: {r.describe()}"


@then("heeft daarvoor geen documentRequest de LAS bereikt")
def no_document_for_refused(env, ctx):
    k = (getattr(ctx, "refused_key", None) or getattr(ctx, "unissued", None)).upper()
    # a refused notificatie starts nothing; give an SWV that fetches anyway the time to show it
    deadline = time.monotonic() + STILTE_SECONDS
    while True:
        rows = _document_rows(env, k)
        if rows or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not rows, f"SWV vroeg een dossier op voor koppelsleutel {k}, waarvoor het de notificatie had moeten weigeren"


# -- what the SWV did, as the harness LAS and the TC saw it ----------------------------------------

def _document_rows(env, k: str, direction: str = "in") -> list[dict]:
    return [r for r in env.probe.journal if r.get("actor") == "harnas-las" and r.get("operation") == "document"
            and r.get("direction") == direction and (r.get("koppelsleutel") or "").upper() == k.upper()]


def _deliveries(env, k: str) -> list[dict]:
    return [r for r in _document_rows(env, k, "out") if r.get("outcome") == m.DOSSIER_GELEVERD]


def _tc_rows(env, k: str, operation: str) -> list[dict]:
    return [r for r in env.log("tc", k, xml=True) if r.get("operation") == operation
            and r.get("side") == "server" and r.get("direction") == "in"]


def _sessie_of(row: dict) -> str:
    xml = row.get("xml") or ""
    start = xml.find("sessieId>")
    return xml[start + 9:xml.find("<", start + 9)].strip().lower() if start >= 0 else ""


def _afmeldingen(env, k: str) -> list[tuple[str, str]]:
    """(sessieId, resultaat) of every afmelding the TC took for `k`, oldest first."""
    koppeling = env.tc.koppeling(k) or {"sessies": []}
    return [(s["sessieId"].lower(), s["resultaat"]) for s in koppeling["sessies"] if s["afgemeld"]]


def _wait(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@then("heeft het SWV nooit afgemeld met OverdrachtGeslaagd")
def never_geslaagd(env, ctx):
    k = ctx.koppelsleutel
    results = [r for _s, r in _afmeldingen(env, k)]
    assert m.OVERDRACHT_GESLAAGD not in results, \
        f"SWV meldde af met OverdrachtGeslaagd terwijl de LAS niet leverde of iets ongeldigs leverde" \
        f" ({', '.join(results)}) [{evidence(env, k)}]"


def _settle(env, ctx) -> str:
    """Until the SWV signed off (or its wait is over), and a moment more for what follows."""
    k = ctx.koppelsleutel
    _wait(lambda: _afmeldingen(env, k), env.swv.config.wait_seconds)
    time.sleep(NASLEEP_SECONDS)
    return k


@then("heeft het SWV het dossier precies één keer opgehaald")
def fetched_once(env, ctx):
    k = _settle(env, ctx)
    delivered = _deliveries(env, k)
    # a request the LAS could not answer (down: HTTP 503) was no fetch; every other one was
    asked = [r for r in _document_rows(env, k) if r.get("outcome") != ONBEREIKBAAR_OUTCOME]
    assert len(delivered) == 1 and len(asked) == 1, (
        f"het SWV vroeg het dossier {len(asked)} keer op en de LAS leverde het {len(delivered)} keer,"
        f" verwacht één keer [{evidence(env, k)}]")


@then("ging elk bericht van het ophalen precies één keer, in de volgorde notificatie, overdracht,"
      " documentRequest, afmelding")
def one_of_each_in_order(env, ctx):
    k = _settle(env, ctx)
    notificaties = [r for r in env.probe.journal if r.get("operation") == "notificatie"
                    and r.get("direction") == "out" and (r.get("koppelsleutel") or "").upper() == k.upper()]
    events = {"notificatie": notificaties, "overdracht": _tc_rows(env, k, "overdracht"),
              "documentRequest": _document_rows(env, k), "afmelding": _tc_rows(env, k, "afmelding")}
    counts = {name: len(rows) for name, rows in events.items()}
    assert all(n == 1 for n in counts.values()), \
        "verwacht elk bericht één keer, gezien: " + ", ".join(f"{n}x {name}" for name, n in counts.items())
    order = sorted(events, key=lambda name: events[name][0].get("ts") or "")
    # the SWV may confirm the koppelsleutel with its overdracht before it answers the
    # notificatie; what must hold is overdracht, documentRequest, afmelding after the notificatie
    # was sent
    assert order[1:] == ["overdracht", "documentRequest", "afmelding"] or \
        order == ["overdracht", "notificatie", "documentRequest", "afmelding"], \
        f"volgorde van de berichten: {', '.join(order)}"


@then("heeft het SWV het dossier opgehaald met een nieuwe sessie")
def fetched_with_new_session(env, ctx):
    k = ctx.koppelsleutel
    delivered = _wait(lambda: _deliveries(env, k), env.swv.config.wait_seconds)
    expired = ctx.peer.expired
    assert delivered, (f"SWV haalde het dossier niet op na het antwoord SessieVerlopen"
                       f" ({len(_document_rows(env, k))} documentRequests, {len(_tc_rows(env, k, 'overdracht'))}"
                       f" overdrachten) [{evidence(env, k)}]")
    sessies = [_sessie_of(r) for r in _document_rows(env, k)]
    assert sessies[-1] not in expired, f"SWV haalde op met de verlopen sessie {sessies[-1]}"
    ctx.fetch_session = sessies[-1]


@then(parsers.re(r"heeft het SWV de sessie waarmee het ophaalde afgemeld met (?P<resultaat>\w+)"))
def signed_off_fetching_session(env, ctx, resultaat):
    k = ctx.koppelsleutel
    delivered = _wait(lambda: _deliveries(env, k), env.swv.config.wait_seconds)
    assert delivered, f"de LAS leverde het dossier niet [{evidence(env, k)}]"
    sessie = getattr(ctx, "fetch_session", None) or [_sessie_of(r) for r in _document_rows(env, k)][-1]
    done = _wait(lambda: [r for s, r in _afmeldingen(env, k) if s == sessie], min(10.0, env.swv.config.wait_seconds))
    assert done, f"SWV meldde de sessie {sessie} waarmee het ophaalde niet af [{evidence(env, k)}]"
    assert done[-1] == resultaat, f"SWV meldde de sessie af met {done[-1]}, verwacht {resultaat}"


@then("vraagt het SWV een sessie aan bij de TC")
def swv_asks_session(env, ctx):
    k = ctx.koppelsleutel
    rows = _wait(lambda: _tc_rows(env, k, "overdracht"), env.swv.config.wait_seconds)
    assert rows, f"SWV vroeg geen sessie aan bij de TC [{evidence(env, k)}]"


@then("bereikt geen sessieId de LAS")
def no_session_reaches_impostor(env, ctx):
    k = ctx.koppelsleutel
    # A request can only follow a connection: the watch starts at the SWV's first contact with
    # this LAS, however late that comes, so a slow SWV is held to the rule as a fast one is.
    # An SWV that never comes within its wait has sent nothing here either.
    _wait(lambda: ctx.peer.contacts > 0, env.swv.config.wait_seconds)
    time.sleep(1.5 * STILTE_SECONDS)
    rows = [r for r in env.probe.journal if r.get("actor") == "harnas-las" and r.get("direction") == "in"]
    assert not rows, (f"SWV stuurde {len(rows)} verzoek(en) met sessieId naar een LAS waarvan het"
                      f" servercertificaat niet deugt [{evidence(env, k)}]")


@then(parsers.re(r"bewaart het SWV (?P<wat>geen dossier|het dossier)"))
def swv_keeps(env, ctx, wat):
    k = ctx.koppelsleutel
    aanvraag = env.swv.toon(k)
    kept = bool(aanvraag and aanvraag.get("dossier_bewaard"))
    if wat == "geen dossier":
        assert not kept, f"SWV bewaart het dossier van {k} toch (status {aanvraag.get('status')!r})"
    else:
        assert kept, f"SWV bewaart het dossier van {k} niet: {aanvraag or 'geen aanvraag'}"
