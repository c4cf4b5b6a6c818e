"""Steps where the school acts in its LAS, and what the LAS shows or answers."""
from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from oso_protocol.dossier.categories import gegevensblokken_for
from oso_protocol.transport import messages as m

from .common import evidence, profile_of

SOORT = {"met een BSN": "met_bsn", "met een onderwijsnummer": "met_onderwijsnummer"}
SECTOR_KIND = {"PO": "po", "VO": "vo"}


def _pupil(env, ctx, kind: str, sector: str = "PO"):
    env.start()
    ctx.pupil = env.las.pupil(kind)
    ctx.sector = sector
    return ctx.pupil


def _blokken(sector: str, which: str | None, vve: bool) -> list[str] | None:
    rows = gegevensblokken_for(profile_of(sector))
    if which is None:
        return None
    if which == "all":
        return [r["naam"] for r in rows if r["state"] != "verboden" or (vve and r["naam"] == "VVE")]
    return [r["naam"] for r in rows if r["state"] == "verplicht"]


def _send(env, ctx, *, toelichting=True, blokken=None, bijlagen=0, omschrijving="Zorgvraag"):
    aanleverpunt = env.swv_aanleverpunt(ctx.pupil.brin)
    sent = env.las.send(ctx.pupil, aanleverpunt, toelichting=toelichting, gegevensblokken=blokken,
                        omschrijving=omschrijving, bijlagen=bijlagen)
    env.remember(sent.koppelsleutel)
    ctx.sent = sent
    ctx.sent_all.append(sent)
    return sent


def _assert_sent(env, sent):
    assert sent.sent, f"zorgvraag niet verzonden: {sent.fout} [{evidence(env)}]"
    assert sent.koppelsleutel, f"zorgvraag verzonden zonder koppelsleutel [{evidence(env)}]"


# -- Given -------------------------------------------------------------------------------------

@given(parsers.re(r"a (?P<sector>PO|VO) leerling in the LAS"))
def a_leerling(env, ctx, sector):
    _pupil(env, ctx, SECTOR_KIND[sector], sector)


@given(parsers.re(r"a leerling (?P<soort>met een BSN|met een onderwijsnummer) in the LAS"))
def a_leerling_met_pgn(env, ctx, soort):
    _pupil(env, ctx, SOORT[soort])


@given("a leerling of a school without SWV mandate in the LAS")
def a_leerling_zonder_mandaat(env, ctx):
    env.expect_refusal = True
    _pupil(env, ctx, "zonder_mandaat")


@given(parsers.re(r"a zorgvraag sent for a (?P<sector>PO|VO) leerling(?P<fetched> and fetched by the SWV)?$"))
def a_zorgvraag_sent(env, ctx, sector, fetched):
    _pupil(env, ctx, SECTOR_KIND[sector], sector)
    _assert_sent(env, _send(env, ctx))
    if fetched:
        status = env.swv.wait_fetched(ctx.koppelsleutel)
        assert status.get("status") == "afgemeld" or env.tc.koppeling(ctx.koppelsleutel)["opgehaald"], \
            f"SWV haalde het dossier niet op: {status.get('status')} {status.get('fout') or ''}" \
            f" [{evidence(env, ctx.koppelsleutel)}]"


@given("two zorgvragen sent for PO leerlingen")
def two_zorgvragen(env, ctx):
    for _ in range(2):
        _pupil(env, ctx, "po")
        _assert_sent(env, _send(env, ctx))


@given("the LAS system has no mandate for the school of the leerling")
def no_las_mandate(env, ctx):
    env.expect_refusal = True
    brin, rk = env.las.identity(ctx.pupil.brin)
    env.tc.remove_mandate(brin, env.tc.system_of(rk))


# -- When --------------------------------------------------------------------------------------

@when(parsers.re(r"the school sends a (?P<new>new )?zorgvraag (?P<mode>with|without) toelichting"
                 r"(?: and (?P<which>all|only the verplichte) gegevensblokken(?P<vve> including VVE)?)?"
                 r"(?: and (?P<n>\d+) bijlagen)?$"))
def school_sends(env, ctx, new, mode, which, vve, n):
    env.start()
    _send(env, ctx, toelichting=mode == "with", blokken=_blokken(ctx.sector, which, bool(vve)),
          bijlagen=int(n or 0), omschrijving="Nieuwe zorgvraag" if new else "Zorgvraag")


CHANGES = {
    "omschrijving": {"omschrijving": "Gewijzigde omschrijving"},
    "aandachtspunten": {"aandachtspunten": "Gewijzigde aandachtspunten"},
    "aanleverpunt": {"aanleverpunt": "0000000700025VO00932"},
    "gegevensblokken": {"gegevensblokken": ["Leerling", "School"]},
    "toelichting": {"toelichting": {"bestandsnaam": "Andere toelichting.pdf",
                                    "inhoud_base64": "JVBERi0xLjQK"}},
}


@when(parsers.parse("the school changes the {veld} of the zorgvraag"))
def school_changes(env, ctx, veld):
    env.las.require_internal("een verzonden zorgvraag wijzigen")
    ctx.answer = env.las.change_zorgvraag(ctx.sent.zorgvraag_id, CHANGES[veld])
    ctx.answer_field = veld


@when(parsers.parse('the achternaam of the leerling is changed to "{naam}" in the LAS'))
def pupil_changed(env, ctx, naam):
    env.las.require_internal("leerlinggegevens wijzigen")
    env.las.change_pupil(ctx.pupil, {"achternaam": naam})


@when("the school deletes the zorgvraag")
def school_deletes(env, ctx):
    env.las.require_internal("een zorgvraag verwijderen")
    env.las.delete_zorgvraag(ctx.sent.zorgvraag_id)


@when(parsers.parse('the school opens the aanleverpuntselectie for school "{brin}"'))
def open_aanleverpuntselectie(env, ctx, brin):
    env.start()
    env.las.require_internal("de keuzelijst van aanleverpunten")
    ctx.aanleverpunten = [a["routeringskenmerk"] for a in env.las.aanleverpunten(brin)]


# -- Then --------------------------------------------------------------------------------------

@then("the zorgvraag is not sent")
def not_sent(env, ctx):
    assert not ctx.sent.sent, f"zorgvraag werd toch verzonden: {ctx.sent.describe()} [{evidence(env)}]"


@then("the zorgvraag is sent")
def is_sent(env, ctx):
    _assert_sent(env, ctx.sent)


@then("the zorgvraag is sent with a new koppelsleutel")
def sent_new_key(env, ctx):
    _assert_sent(env, ctx.sent)
    earlier = {s.koppelsleutel for s in ctx.sent_all[:-1]}
    assert ctx.sent.koppelsleutel not in earlier, \
        f"de nieuwe zorgvraag kreeg een bestaande koppelsleutel {ctx.sent.koppelsleutel}"


@then(parsers.parse('the change is refused with "{text}"'))
def change_refused(ctx, text):
    a = ctx.answer
    assert a.status == 409, (f"wijzigen van {ctx.answer_field} na verzenden gaf HTTP {a.status}"
                             f" in plaats van 409: {a.fout or a.body}")
    assert text in a.fout, f"melding mist {text!r}: {a.fout!r}"


@then('the LAS shows "Terugkoppeling ontvangen: Ja"')
def las_shows_ja(env, ctx):
    if env.las.simulated:
        zv = env.las.zorgvraag(ctx.sent.zorgvraag_id)
        assert zv["terugkoppeling_ontvangen"] == "Ja", \
            f"LAS toont 'Terugkoppeling ontvangen: {zv['terugkoppeling_ontvangen']}'" \
            f" [{evidence(env, ctx.koppelsleutel)}]"
    else:  # an external LAS: its acknowledgement, as the simulated SWV received it
        rows = [r for r in env.log("swv", ctx.koppelsleutel)
                if r.get("operation") == "terugkoppeling" and r.get("side") == "client" and r["direction"] == "in"]
        assert rows and rows[-1]["outcome"] == m.TERUGKOPPELING_ONTVANGEN, \
            f"LAS bevestigde de terugkoppeling niet: {[r['outcome'] for r in rows]}"


@then("the LAS shows the terugkoppeling in full")
def las_shows_full(env, ctx):
    sent = ctx.terugkoppeling
    if not env.las.simulated:
        las_shows_ja(env, ctx)
        return
    zv = env.las.zorgvraag(ctx.sent.zorgvraag_id)
    assert zv["terugkoppelingen"], f"LAS toont geen terugkoppeling [{evidence(env, ctx.koppelsleutel)}]"
    shown = zv["terugkoppelingen"][-1]
    for key in ("status", "toelichting", "behandelaar"):
        if sent.get(key):
            assert shown.get(key) == sent[key], f"LAS toont {key} {shown.get(key)!r}, verzonden {sent[key]!r}"
    if sent.get("document"):
        docs = shown.get("document") or shown.get("documenten") or []
        assert docs, f"LAS toont het document van de terugkoppeling niet: {shown}"


@then("the zorgvraag is not in the overview of the leerling")
def not_in_overview(env, ctx):
    rows = env.las.overview(ctx.pupil)
    ids = [str(r["id"]) for r in rows]
    assert ctx.sent.zorgvraag_id not in ids, f"verwijderde zorgvraag staat nog in het overzicht: {rows}"


@then(parsers.parse('aanleverpunt "{rk}" is offered'))
def is_offered(ctx, rk):
    assert rk in ctx.aanleverpunten, f"aanleverpunt {rk} wordt niet aangeboden: {ctx.aanleverpunten}"


@then(parsers.parse('aanleverpunt "{rk}" is not offered'))
def is_not_offered(ctx, rk):
    assert rk not in ctx.aanleverpunten, f"inactief aanleverpunt {rk} wordt toch aangeboden: {ctx.aanleverpunten}"


@then(parsers.re(r"the LAS refused the documentRequest with (?P<code>\w+)"))
def las_refused_document_in_log(env, ctx, code):
    rows = [r for r in env.log("las", ctx.koppelsleutel)
            if r.get("operation") == "document" and r.get("side") == "server" and r["direction"] == "out"]
    assert rows, f"de LAS ontving geen documentRequest [{evidence(env, ctx.koppelsleutel)}]"
    assert rows[-1]["outcome"] == code, \
        f"documentRequest: LAS antwoordde {rows[-1]['outcome']}, verwacht {code}"
