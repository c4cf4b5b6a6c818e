"""Steps where the school acts in its LAS, and what the LAS shows or answers.

Every step talks to `env.las`, one driver interface for our simulated LAS and a vendor's system
(harness.conformance.drivers.las); none of them branches into a weaker check for an external LAS.
"""
from __future__ import annotations

from pathlib import Path

from lxml import etree
from pytest_bdd import given, parsers, then, when

from harness.conformance.drivers.las import toelichting_pdf
from harness.conformance.outcomes import not_verified
from oso_protocol.dossier.categories import gegevensblokken_for
from oso_protocol.dossier.version import NS
from oso_protocol.transport import messages as m

from .common import evidence, profile_of

SOORT = {"met een BSN": "met_bsn", "met een onderwijsnummer": "met_onderwijsnummer"}
SECTOR_KIND = {"PO": "po", "VO": "vo"}
SWV_SYSTEM = "swv-sim"


def _pupil(env, ctx, kind: str, sector: str = "PO"):
    env.start()
    ctx.pupil = env.las.pupil(kind)
    ctx.sector = sector
    return ctx.pupil


def _blokken(sector: str, which: str | None, vve: bool) -> list[str] | None:
    rows = gegevensblokken_for(profile_of(sector))
    if which is None:
        return None
    if which == "alle":
        return [r["naam"] for r in rows if r["state"] != "verboden" or (vve and r["naam"] == "VVE")]
    return [r["naam"] for r in rows if r["state"] == "verplicht"]


def _send(env, ctx, **request):
    # a text no earlier run sent, so nothing in a LAS that keeps its data can pass for this one
    request.setdefault("omschrijving", f"Zorgvraag {env.run_token}")
    ctx.last_request = request
    aanleverpunt = env.swv_aanleverpunt(ctx.pupil.brin)
    sent = env.las.send(ctx.pupil, aanleverpunt, **request)
    env.remember(sent.koppelsleutel)
    ctx.sent = sent
    ctx.sent_all.append(sent)
    return sent


def _assert_sent(env, sent):
    assert sent.sent, f"zorgvraag niet verzonden: {sent.describe()} [{evidence(env)}]"
    assert sent.koppelsleutel, f"zorgvraag verzonden zonder koppelsleutel [{evidence(env)}]"


# -- Given -------------------------------------------------------------------------------------

@given(parsers.re(r"een (?P<sector>PO|VO)-leerling in de LAS"))
def a_leerling(env, ctx, sector):
    _pupil(env, ctx, SECTOR_KIND[sector], sector)


@given(parsers.re(r"een leerling (?P<soort>met een BSN|met een onderwijsnummer) in de LAS"))
def a_leerling_met_pgn(env, ctx, soort):
    _pupil(env, ctx, SOORT[soort])


@given(parsers.re(r"een zorgvraag verzonden voor een (?P<sector>PO|VO)-leerling(?P<fetched> en opgehaald door het SWV)?"))
def a_zorgvraag_sent(env, ctx, sector, fetched):
    _pupil(env, ctx, SECTOR_KIND[sector], sector)
    _assert_sent(env, _send(env, ctx))
    if fetched:
        status = env.swv.wait_fetched(ctx.koppelsleutel)
        if status.get("status") == "opgehaald":
            # delivered, and the afmelding that tells the TC follows the delivery: wait for it
            try:
                env.tc.wait_koppeling(lambda k: k.get("opgehaald"), env.swv.config.wait_seconds,
                                      ctx.koppelsleutel, "afmelding van het SWV")
            except AssertionError:
                pass
        assert status.get("status") == "afgemeld" or env.tc.koppeling(ctx.koppelsleutel)["opgehaald"], \
            f"SWV haalde het dossier niet op: {status.get('status')} {status.get('fout') or ''}" \
            f" [{evidence(env, ctx.koppelsleutel)}]"


@given("twee zorgvragen verzonden voor PO-leerlingen")
def two_zorgvragen(env, ctx):
    for _ in range(2):
        _pupil(env, ctx, "po")
        _assert_sent(env, _send(env, ctx))


@given(parsers.re(r"het (?P<which>LAS|SWV)-systeem heeft geen mandaat voor de school van de leerling"))
def no_mandate(env, ctx, which):
    brin, las_rk = env.las.identity(ctx.pupil.brin)
    system = env.tc.system_of(las_rk) if which == "LAS" else \
        env.tc.system_of(env.swv_aanleverpunt(ctx.pupil.brin))
    env.tc.remove_mandate(brin, system)
    ctx.removed_mandate = (brin, system)


# -- When --------------------------------------------------------------------------------------

@when(parsers.re(r"de school een (?P<new>nieuwe )?zorgvraag (?P<mode>met|zonder) toelichting"
                 r"(?: en (?P<which>alle|alleen de verplichte) gegevensblokken(?P<vve> inclusief VVE)?)?"
                 r"(?: en (?P<n>\d+) bijlagen)? verzendt"))
def school_sends(env, ctx, new, mode, which, vve, n):
    env.start()
    _send(env, ctx, toelichting=mode == "met", gegevensblokken=_blokken(ctx.sector, which, bool(vve)),
          bijlagen=int(n or 0), omschrijving=f"{'Nieuwe zorgvraag' if new else 'Zorgvraag'} {env.run_token}")


@when("de school dezelfde zorgvraag met toelichting verzendt")
def school_sends_same_with_toelichting(env, ctx):
    """The positive control of a refusal: the same request without the one fault."""
    _send(env, ctx, **{**ctx.last_request, "toelichting": True})


@when("het mandaat hersteld is en de school dezelfde zorgvraag opnieuw verzendt")
def mandate_restored(env, ctx):
    env.tc.add_mandate(*ctx.removed_mandate)
    _send(env, ctx, **ctx.last_request)


CHANGES = {
    "omschrijving": "Gewijzigde omschrijving {token}",
    "aandachtspunten": "Gewijzigde aandachtspunten {token}",
    "aanleverpunt": "0000000700025VO00932",
    "gegevensblokken": ["Leerling", "School"],
}


@when(parsers.parse("de school de {veld} van de zorgvraag wijzigt"))
def school_changes(env, ctx, veld):
    waarde = CHANGES.get(veld)
    if isinstance(waarde, str):
        waarde = waarde.format(token=env.run_token)
    if veld == "toelichting":
        waarde = str(Path(env.workdir) / "andere-toelichting.pdf")
        Path(waarde).write_bytes(toelichting_pdf(f"Een andere toelichting ({env.run_token})."))
    ctx.change = env.las.change_zorgvraag(ctx.sent, veld, waarde)
    ctx.change_field = veld


@when("de achternaam van de leerling in de LAS wordt gewijzigd in een naam die alleen deze run kent")
def pupil_changed(env, ctx):
    # A fixed name would already be in the LAS after a first run, and a check for "not in the
    # dossier" would then fail a correct LAS (or pass a broken one) on every later run.
    ctx.new_achternaam = f"Wijziging-{env.run_token}"
    env.las.change_pupil(ctx.pupil, ctx.new_achternaam)
    pupil, first, sent = ctx.pupil, getattr(ctx, "first_dossier", None), ctx.koppelsleutel

    def put_back():
        # the name as the dossier of the zorgvraag sent before the change carries it
        before = _achternaam(first or env.delivered_dossier(sent))
        if before and before != ctx.new_achternaam:
            env.las.change_pupil(pupil, before)
    env.restore_later(f"achternaam van leerling {pupil.ref}", put_back)


def _achternaam(dossier: bytes | None) -> str | None:
    """The pupil's achternaam as the dossier of the sent zorgvraag carries it, to put it back."""
    if not dossier:
        return None
    try:
        root = etree.fromstring(dossier, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    el = root.find(f"./{{{NS}}}huidigeschool/{{{NS}}}leerling/{{{NS}}}achternaam")
    return (el.text or "").strip() or None if el is not None else None


@then(parsers.re(r"bevat het dossier de nieuwe achternaam(?P<niet> niet)?"))
def dossier_has_new_name(ctx, niet):
    assert ctx.dossier, "er is geen dossier ontvangen om te bekijken"
    found = ctx.new_achternaam.encode() in ctx.dossier
    if niet:
        assert not found, (f"het dossier bevat de achternaam {ctx.new_achternaam!r}, die pas na het verzenden"
                           " in de LAS kwam: geen momentopname van het verzendmoment")
    else:
        assert found, (f"het dossier van de nieuwe zorgvraag bevat de gewijzigde achternaam"
                       f" {ctx.new_achternaam!r} niet: de LAS gebruikte oude gegevens")


@when("de school de zorgvraag verwijdert")
def school_deletes(env, ctx):
    env.las.delete_zorgvraag(ctx.sent)


@when(parsers.parse('de school de aanleverpuntselectie voor school "{brin}" opent'))
def open_aanleverpuntselectie(env, ctx, brin):
    env.start()
    brin = env.las.identity(brin)[0]
    ctx.aanleverpunten = env.las.aanleverpunten(brin)


# -- Then --------------------------------------------------------------------------------------

@then("weigert de LAS de zorgvraag")
def las_refuses(env, ctx):
    s = ctx.sent
    assert not s.sent, f"zorgvraag werd toch verzonden: {s.describe()} [{evidence(env)}]"
    assert s.claimed is not True, \
        f"de LAS meldde de zorgvraag als verzonden, maar de TC gaf geen koppelsleutel: {s.fout}"
    if s.claimed is None:
        not_verified("een persoon bediende de LAS: of de LAS weigerde is niet waargenomen")
    assert s.refused and s.fout, f"de LAS gaf geen reden voor de weigering: {s.describe()}"


@then("is de zorgvraag verzonden")
def is_sent(env, ctx):
    _assert_sent(env, ctx.sent)


@then("is de zorgvraag verzonden met een nieuwe koppelsleutel")
def sent_new_key(env, ctx):
    _assert_sent(env, ctx.sent)
    earlier = {s.koppelsleutel for s in ctx.sent_all[:-1]}
    assert ctx.sent.koppelsleutel not in earlier, \
        f"de nieuwe zorgvraag kreeg een bestaande koppelsleutel {ctx.sent.koppelsleutel}"


@then("weigert de LAS de wijziging")
def change_refused(env, ctx):
    c = ctx.change
    assert not c.accepted, f"de LAS nam de wijziging van {ctx.change_field} na verzenden aan"
    assert c.reason, f"de LAS weigerde de wijziging van {ctx.change_field} zonder reden"


def _view(env, ctx) -> dict:
    view = env.las.view(ctx.koppelsleutel)
    assert view.get("gevonden"), f"de LAS kent de zorgvraag {ctx.koppelsleutel} niet (meer)"
    return view


@then('toont de LAS "Terugkoppeling ontvangen: Ja"')
def las_shows_ja(env, ctx):
    view = _view(env, ctx)
    assert view.get("terugkoppeling_ontvangen") == "Ja" or view.get("terugkoppelingen"), \
        f"LAS toont geen ontvangen terugkoppeling: {view} [{evidence(env, ctx.koppelsleutel)}]"


@then("toont de LAS de terugkoppeling volledig")
def las_shows_full(env, ctx):
    sent = ctx.terugkoppeling
    shown = _view(env, ctx).get("terugkoppelingen") or []
    assert shown, f"LAS toont geen terugkoppeling [{evidence(env, ctx.koppelsleutel)}]"
    last = shown[-1]
    for key in ("status", "toelichting", "behandelaar"):
        assert last.get(key) == sent.get(key), \
            f"LAS toont {key} {last.get(key)!r}, het SWV stuurde {sent.get(key)!r}"
    if sent.get("document"):
        want = {(sent["document"]["bestandsnaam"], sent["document"]["sha256"])}
        got = {(d.get("bestandsnaam"), d.get("sha256")) for d in last.get("documenten") or []}
        assert want <= got, f"LAS toont het document van de terugkoppeling niet ongeschonden: {got}"


@then("toont de LAS de zorgvraag niet meer")
def not_shown(env, ctx):
    view = env.las.view(ctx.koppelsleutel)
    assert not view.get("gevonden"), f"de verwijderde zorgvraag is nog te zien: {view}"


@then(parsers.parse('wordt aanleverpunt "{rk}" aangeboden'))
def is_offered(ctx, rk):
    assert rk in ctx.aanleverpunten, f"aanleverpunt {rk} wordt niet aangeboden: {ctx.aanleverpunten}"


@then(parsers.parse('wordt aanleverpunt "{rk}" niet aangeboden'))
def is_not_offered(ctx, rk):
    assert rk not in ctx.aanleverpunten, f"inactief aanleverpunt {rk} wordt toch aangeboden: {ctx.aanleverpunten}"


@then("neemt de LAS de terugkoppeling aan")
def las_accepts_terugkoppeling(ctx):
    r = ctx.soap
    assert r.ok and r.resultaat == m.TERUGKOPPELING_ONTVANGEN, \
        f"LAS nam een terugkoppeling voor een eigen koppelsleutel niet aan: {r.describe()}"
