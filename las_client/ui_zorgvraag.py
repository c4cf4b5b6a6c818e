"""Begeleiding > Zorgvraag (OSO): the overview, "Nieuwe zorgvraag" with "Opslaan en verzenden",
a sent zorgvraag read-only with its terugkoppelingen, and removal with a confirmation.

A refused form comes back with everything the user entered, files included (ui_uploads), and
with the reason in Dutch; nothing has left the school then. A zorgvraag the domain stored but
could not deliver (TC refused, SWV unreachable) opens on its own page with the reason and a
button to try again. Outcomes of a POST are shown after a redirect, from what the database
holds, so a reload never posts twice.
"""
from __future__ import annotations

import base64
import binascii
import mimetypes

from flask import Blueprint, redirect, request, url_for

from actor_kit import ids
from actor_kit.zipsafe import TooLarge, unpack_one
from oso_protocol.dossier.categories import gegevensblokken_for
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import Aanleverpunt

from . import verzonden_dossier
from . import zorgvragen as zv_domain
from .errors import LasError
from .ui import ctx, download, kaart, las_error_page, render_tab
from .ui_uploads import MAX_BESTAND, FormulierBestanden, te_groot

bp = Blueprint("las_zv", __name__, template_folder="templates")
bp.register_error_handler(LasError, las_error_page)

TOELICHTING_OMSCHRIJVING = "Toelichting onderwijsbehoeften"

TERUGKOPPELING_LABELS = {
    "Ontvangen": "Ontvangen", "InBehandeling": "In behandeling",
    "Aanvullen": "Aanvullen (meer informatie nodig)", "Toegekend": "Toegekend",
    "Afgewezen": "Afgewezen", "Afgerond": "Afgerond",
}
TERUGKOPPELING_KLASSE = {"Toegekend": "ok", "Afgerond": "ok", "Afgewezen": "bad",
                         "Aanvullen": "warn"}

# What a result code means for the school, next to the peer's own words.
FOUT_UITLEG = {
    faults.GEEN_MANDAAT: "De school heeft in het OSO-register (OSR) geen mandaat afgegeven voor het"
                         " systeem van het samenwerkingsverband. Vraag de OSR-beheerder van het"
                         " bestuur om dat mandaat en verstuur daarna opnieuw.",
    faults.NIET_BEREIKBAAR: "Het andere systeem was niet bereikbaar. Probeer het later opnieuw met"
                            " ‘Opnieuw versturen’.",
    faults.AANLEVERPUNT_INACTIEF: "Het aanleverpunt van het samenwerkingsverband is niet actief"
                                  " bij OSO. Is het weer actief, verstuur dan opnieuw; anders maakt"
                                  " u een nieuwe zorgvraag met een ander aanleverpunt.",
    faults.ONBEKEND_AANLEVERPUNT: "OSO biedt dit aanleverpunt niet (meer) aan voor deze school."
                                  " Maak een nieuwe zorgvraag met een ander aanleverpunt.",
    faults.GEEN_RELATIE_MET_DOEL: "De school heeft dit aanleverpunt van het samenwerkingsverband"
                                  " niet geactiveerd bij OSO.",
    faults.VERSTREKKER_NIET_BEKEND: "OSO kent deze school niet als verstrekker.",
    faults.ONGELDIG_ANTWOORD: "Het andere systeem antwoordde met iets dat geen geldig OSO-bericht"
                              " is. Probeer het later opnieuw.",
    faults.INTERNE_FOUT: "Er ging in de LAS iets mis. Probeer het opnieuw.",
}


def _bestanden() -> FormulierBestanden:
    return FormulierBestanden(ctx()["store"])


def ap_label(rk: str | None, brin: str | None, naam: str | None) -> str:
    if not rk:
        return ""
    if not brin:
        return rk
    return zv_domain.aanleverpunt_label(Aanleverpunt(routeringsKenmerk=rk, brin=brin,
                                                     naam=naam or "", doel="SWV"))


def blokken(profile: str, gekozen) -> list[dict]:
    """The Gegevensblokken checkboxes: VERPLICHT ones ticked and locked, VERBODEN ones locked off."""
    gekozen = set(gekozen or ())
    out = []
    for b in gegevensblokken_for(profile):
        verplicht, verboden = b["state"] == "verplicht", b["state"] == "verboden"
        out.append(dict(b, checked=verplicht or (not verboden and b["naam"] in gekozen),
                        locked=verplicht or verboden))
    return out


def aanleverpunten(brin: str) -> tuple[list[dict], str | None]:
    """The SWV aanleverpunten the TC offers for the school, and why there are none."""
    try:
        offered = ctx()["calls"].aanleverpunten(brin)
    except OsoFault as fault:
        return [], (f"De aanleverpunten konden niet bij het Traffic Center worden opgevraagd"
                    f" ({fault.resultaat}): {fault.omschrijving}"
                    f" {FOUT_UITLEG.get(fault.resultaat, '')}").strip()
    if not offered:
        return [], (f"OSO biedt voor school {brin} geen actief aanleverpunt van een"
                    f" samenwerkingsverband aan. Het samenwerkingsverband moet eerst een"
                    f" aanleverpunt bij OSO aanmaken of activeren.")
    return [{"rk": ap.routeringsKenmerk, "label": zv_domain.aanleverpunt_label(ap)}
            for ap in offered], None


# --- reading the form ----------------------------------------------------------------------------

def _uploads(name: str, fouten: dict) -> list[dict]:
    out = []
    for f in request.files.getlist(name):
        if not f or not f.filename:
            continue
        naam = f.filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "bestand"
        inhoud = f.read(MAX_BESTAND + 1)
        if len(inhoud) > MAX_BESTAND:
            fouten.setdefault(name, te_groot(naam))
            continue
        if inhoud:
            out.append({"token": None, "bestandsnaam": naam, "inhoud": inhoud})
    return out


def lees_formulier(leerling_id: int) -> tuple[dict, dict]:
    """(what was entered, field -> refusal) from the posted form, kept files included."""
    f, fouten = request.form, {}
    bewaard = _bestanden()
    form = {"omschrijving": (f.get("omschrijving") or "").strip(),
            "aandachtspunten": (f.get("aandachtspunten") or "").strip(),
            "aanleverpunt": (f.get("aanleverpunt") or "").strip(),
            "gegevensblokken": f.getlist("gegevensblokken"),
            "aandachtspunten_keuze": f.get("aandachtspunten_keuze") or ""}
    nieuwe_toelichting = _uploads("toelichting", fouten)
    form["toelichting"] = (nieuwe_toelichting[0] if nieuwe_toelichting
                           else bewaard.haal(leerling_id, f.get("toelichting_token", "")))
    form["vervangen"] = [f.get("toelichting_token")] if nieuwe_toelichting else []
    form["bijlagen"] = [b for b in (bewaard.haal(leerling_id, t) for t in f.getlist("bijlage_token"))
                        if b] + _uploads("bijlagen", fouten)
    form["weggelaten"] = [t for t in f.getlist("bijlage_bewaard") if t not in
                          f.getlist("bijlage_token")]
    return form, fouten


def controleer(form: dict, fouten: dict) -> None:
    """Every missing field at once, in the domain's words (the domain checks one at a time)."""
    if not form["omschrijving"]:
        fouten.setdefault("omschrijving", zv_domain.OMSCHRIJVING_VERPLICHT)
    if not form["aanleverpunt"]:
        fouten.setdefault("aanleverpunt", zv_domain.AANLEVERPUNT_VERPLICHT)
    if not form["toelichting"]:
        fouten.setdefault("toelichting", zv_domain.TOELICHTING_VERPLICHT)


OVERSTAPADVIES = "Overstapadvies"
# [choice] A new zorgvraag starts with the optional blocks the ParnasSys help page shows ticked
# (docs/actors.md); one that the profile forbids (VVE in VO) stays off.
SEED_AANGEVINKT = ("Handelingsplannen", "Toetsresultaten", OVERSTAPADVIES, "VVE")
AANDACHTSPUNTEN_BLIJVEN_ACHTER = (
    "U vulde aandachtspunten in, maar het gegevensblok Overstapadvies is niet aangevinkt. Alleen in"
    " dat blok gaan aandachtspunten mee naar het samenwerkingsverband. Vink Overstapadvies aan, of"
    " verstuur zonder aandachtspunten.")


def aandachtspunten_mee(form: dict, fouten: dict, profiel: str) -> None:
    """Aandachtspunten travel only inside the Overstapadvies block: never drop them silently.
    The school chooses: tick the block, or send without them (the form's two buttons)."""
    if not form["aandachtspunten"] or OVERSTAPADVIES in form["gegevensblokken"]:
        return
    states = {b["naam"]: b["state"] for b in gegevensblokken_for(profiel)}
    keuze = form.get("aandachtspunten_keuze")
    if keuze == "aanvinken" and states.get(OVERSTAPADVIES) != "verboden":
        form["gegevensblokken"] = [*form["gegevensblokken"], OVERSTAPADVIES]
    elif keuze == "weglaten":
        form["aandachtspunten"] = ""
    else:
        form["vraag_overstapadvies"] = states.get(OVERSTAPADVIES) != "verboden"
        fouten.setdefault("aandachtspunten", AANDACHTSPUNTEN_BLIJVEN_ACHTER)


def _bestand(b: dict, omschrijving: str | None = None) -> dict:
    out = {"bestandsnaam": b["bestandsnaam"],
           "inhoud_base64": base64.b64encode(b["inhoud"]).decode("ascii")}
    if omschrijving:
        out["omschrijving"] = omschrijving
    return out


def payload(form: dict) -> dict:
    return {"omschrijving": form["omschrijving"], "aandachtspunten": form["aandachtspunten"],
            "aanleverpunt": form["aanleverpunt"], "gegevensblokken": form["gegevensblokken"],
            "toelichting": (_bestand(form["toelichting"], TOELICHTING_OMSCHRIJVING)
                            if form["toelichting"] else None),
            "bijlagen": [_bestand(b) for b in form["bijlagen"]]}


def veld_van(exc: LasError) -> str:
    if exc.code == faults.ONBEKEND_AANLEVERPUNT or exc.fout == zv_domain.AANLEVERPUNT_VERPLICHT:
        return "aanleverpunt"
    if exc.fout == zv_domain.OMSCHRIJVING_VERPLICHT:
        return "omschrijving"
    if exc.fout == zv_domain.TOELICHTING_VERPLICHT:
        return "toelichting"
    if exc.code == "GegevensblokVerboden":
        return "gegevensblokken"
    if "Aandachtspunten" in exc.fout:
        return "aandachtspunten"
    return "algemeen"


def op_formulier(exc: LasError, fouten: dict) -> int:
    """Put a refusal of the domain next to its field; the HTTP status to answer with.

    An unknown pupil or zorgvraag (404) is no form error: it goes to the error page."""
    if exc.status == 404:
        raise exc
    fouten[veld_van(exc)] = exc.fout
    return exc.status


def bewaar_nieuwe(leerling_id: int, form: dict) -> None:
    """Keep the files of a refused form for the next attempt."""
    bewaard = _bestanden()
    b = form["toelichting"]
    if b and not b.get("token"):
        form["toelichting"] = bewaard.bewaar(leerling_id, b["bestandsnaam"], b["inhoud"])
    form["bijlagen"] = [b if b.get("token") else bewaard.bewaar(leerling_id, b["bestandsnaam"],
                                                                b["inhoud"])
                        for b in form["bijlagen"]]
    bewaard.vergeet(form["vervangen"] + form["weggelaten"])


def render_formulier(kop: dict, form: dict, *, fouten: dict | None = None, status: int = 200,
                     zv: dict | None = None, eerste_keer: bool = False):
    aps, tc_fout = aanleverpunten(kop["brin"])
    if eerste_keer and not form["aanleverpunt"] and len(aps) == 1:
        form = dict(form, aanleverpunt=aps[0]["rk"])
    if form["aanleverpunt"] and form["aanleverpunt"] not in {a["rk"] for a in aps}:
        # the choice stays visible, so a TC hiccup does not silently drop it
        aps.append({"rk": form["aanleverpunt"],
                    "label": f"{form['aanleverpunt']} (nu niet aangeboden door OSO)"})
    action = (url_for("las_zv.wijzig", zorgvraag_id=zv["id"]) if zv
              else url_for("las_zv.maak", leerling_id=kop["id"]))
    return render_tab("las/zorgvraag_form.html", "begeleiding", kop, status=status,
                      sub="zorgvraag", form=form, fouten=fouten or {}, aanleverpunten=aps,
                      tc_fout=tc_fout, blokken=blokken(kop["profiel"], form["gegevensblokken"]),
                      zv=zv, action=action)


def leeg_formulier() -> dict:
    return {"omschrijving": "", "aandachtspunten": "", "aanleverpunt": "", "gegevensblokken": [],
            "toelichting": None, "bijlagen": [], "aandachtspunten_keuze": ""}


# --- the overview --------------------------------------------------------------------------------

@bp.get("/leerlingen/<int:leerling_id>/zorgvragen")
def overzicht(leerling_id: int):
    _, _, kop = kaart(leerling_id)
    zorgvragen = ctx()["zorgvragen"]
    verwijderd = None
    weg = ids.arg("verwijderd")
    if weg is not None:
        try:
            z = zorgvragen.get(weg)
        except LasError:
            z = None
        if z and z["leerling_id"] == leerling_id and z["status"] == zv_domain.VERWIJDERD:
            verwijderd = z
    return render_tab("las/zorgvragen.html", "begeleiding", kop, sub="zorgvraag",
                      rijen=zorgvragen.overzicht(leerling_id), verwijderd=verwijderd)


# --- Nieuwe zorgvraag ----------------------------------------------------------------------------

@bp.get("/leerlingen/<int:leerling_id>/zorgvragen/nieuw")
def nieuw(leerling_id: int):
    _, _, kop = kaart(leerling_id)
    form = leeg_formulier()
    states = {b["naam"]: b["state"] for b in gegevensblokken_for(kop["profiel"])}
    form["gegevensblokken"] = [n for n in SEED_AANGEVINKT if states.get(n) == "optioneel"]
    return render_formulier(kop, form, eerste_keer=True)


@bp.post("/leerlingen/<int:leerling_id>/zorgvragen")
def maak(leerling_id: int):
    _, _, kop = kaart(leerling_id)
    form, fouten = lees_formulier(leerling_id)
    controleer(form, fouten)
    aandachtspunten_mee(form, fouten, kop["profiel"])
    status = 422
    if not fouten:
        try:
            zv = ctx()["zorgvragen"].maak(leerling_id, dict(payload(form), verzenden=True))
        except LasError as exc:
            status = op_formulier(exc, fouten)
        else:
            used = [b.get("token") for b in [form["toelichting"], *form["bijlagen"]] if b]
            _bestanden().vergeet(used + form["vervangen"] + form["weggelaten"])
            return redirect(url_for("las_zv.zorgvraag", zorgvraag_id=zv["id"], verzonden=1), 303)
    bewaar_nieuwe(leerling_id, form)
    return render_formulier(kop, form, fouten=fouten, status=status)


# --- one zorgvraag -------------------------------------------------------------------------------

def _terugkoppelingen(zv: dict) -> list[dict]:
    out = []
    for t in reversed(zv["terugkoppelingen"]):
        out.append(dict(t, status_label=TERUGKOPPELING_LABELS.get(t["status"], t["status"]),
                        klasse=TERUGKOPPELING_KLASSE.get(t["status"], "info")))
    return out


def _ontvangen(zv: dict) -> dict | None:
    """What the SWV could fetch, read from the stored dossier (only once it was notified)."""
    if zv["notificatie_verstuurd"] != "Ja" or zv["status"] != zv_domain.VERZONDEN:
        return None
    try:
        return verzonden_dossier.samenvatting(ctx()["zorgvragen"].dossier(zv["id"]))
    except LasError:
        return None


def render_zorgvraag(zv: dict, *, fout: str | None = None, status: int = 200):
    _, _, kop = kaart(zv["leerling_id"])
    return render_tab(
        "las/zorgvraag.html", "begeleiding", kop, status=status, sub="zorgvraag", zv=zv,
        fout=fout, label=ap_label(zv["aanleverpunt"], zv.get("aanleverpunt_brin"),
                                  zv.get("aanleverpunt_naam")),
        blokken=blokken(kop["profiel"], zv["gegevensblokken"]),
        terugkoppelingen=_terugkoppelingen(zv), ontvangen=_ontvangen(zv),
        uitleg=FOUT_UITLEG.get(zv["laatste_fout_code"] or ""),
        net_verzonden=bool(request.args.get("verzonden")),
        opnieuw=bool(request.args.get("opnieuw")))


def _concept_formulier(zv: dict) -> dict:
    return {"omschrijving": zv["omschrijving"] or "", "aandachtspunten": zv["aandachtspunten"] or "",
            "aanleverpunt": zv["aanleverpunt"] or "", "gegevensblokken": zv["gegevensblokken"],
            "toelichting": None, "bijlagen": []}


@bp.get("/zorgvragen/<int:zorgvraag_id>")
def zorgvraag(zorgvraag_id: int):
    zv = ctx()["zorgvragen"].get(zorgvraag_id)
    if zv["status"] == zv_domain.CONCEPT:
        _, _, kop = kaart(zv["leerling_id"])
        return render_formulier(kop, _concept_formulier(zv), zv=zv)
    return render_zorgvraag(zv)


@bp.post("/zorgvragen/<int:zorgvraag_id>")
def wijzig(zorgvraag_id: int):
    """Only a concept (made over the API with verzenden false) can still change; a sent one is
    refused whatever the form says."""
    zorgvragen = ctx()["zorgvragen"]
    zv = zorgvragen.get(zorgvraag_id)
    if zv["status"] == zv_domain.VERZONDEN:
        return render_zorgvraag(zv, fout=zv_domain.ONVERANDERLIJK, status=409)
    if zv["status"] == zv_domain.VERWIJDERD:
        return render_zorgvraag(zv, fout="Deze zorgvraag is verwijderd en kan niet meer worden"
                                         " gewijzigd of verzonden.", status=409)
    form, fouten = lees_formulier(zv["leerling_id"])
    aandachtspunten_mee(form, fouten, kaart(zv["leerling_id"])[2]["profiel"])
    status = 422
    if not fouten:
        try:
            body = payload(form)
            if body["toelichting"] is None:
                del body["toelichting"]  # keep the one the concept already has
            zorgvragen.wijzig(zorgvraag_id, body)
            zorgvragen.verzend(zorgvraag_id)
        except LasError as exc:
            status = op_formulier(exc, fouten)
        else:
            return redirect(url_for("las_zv.zorgvraag", zorgvraag_id=zorgvraag_id, verzonden=1),
                            303)
    zv = zorgvragen.get(zorgvraag_id)
    if zv["status"] != zv_domain.CONCEPT:
        return render_zorgvraag(zv, fout=next(iter(fouten.values())), status=status)
    _, _, kop = kaart(zv["leerling_id"])
    form.update(toelichting=None, bijlagen=[])  # what was stored shows from the concept itself
    return render_formulier(kop, form, fouten=fouten, status=status, zv=zv)


@bp.post("/zorgvragen/<int:zorgvraag_id>/verzenden")
def opnieuw(zorgvraag_id: int):
    """Try the notification of a sent zorgvraag again; a step that succeeded is not repeated."""
    zorgvragen = ctx()["zorgvragen"]
    try:
        zorgvragen.verzend(zorgvraag_id)
    except LasError as exc:
        if exc.status == 404:
            raise
        return render_zorgvraag(zorgvragen.get(zorgvraag_id), fout=exc.fout, status=exc.status)
    return redirect(url_for("las_zv.zorgvraag", zorgvraag_id=zorgvraag_id, opnieuw=1), 303)


@bp.route("/zorgvragen/<int:zorgvraag_id>/verwijderen", methods=["GET", "POST"])
def verwijder(zorgvraag_id: int):
    """Without JavaScript the trash button lands here first and asks; the page's script asks in
    a dialog instead and posts `bevestigd=1` straight away."""
    zorgvragen = ctx()["zorgvragen"]
    zv = zorgvragen.get(zorgvraag_id)
    if request.method == "POST" and request.form.get("bevestigd") == "1":
        zorgvragen.verwijder(zorgvraag_id)
        return redirect(url_for("las_zv.overzicht", leerling_id=zv["leerling_id"],
                                verwijderd=zorgvraag_id), 303)
    _, _, kop = kaart(zv["leerling_id"])
    return render_tab("las/verwijderen.html", "begeleiding", kop, sub="zorgvraag", zv=zv)


# --- files ---------------------------------------------------------------------------------------

@bp.get("/zorgvragen/<int:zorgvraag_id>/bijlagen/<int:bijlage_id>")
def bijlage(zorgvraag_id: int, bijlage_id: int):
    naam, mime, inhoud = ctx()["zorgvragen"].bestand(zorgvraag_id, bijlage_id)
    return download(inhoud, naam, mime)


@bp.get("/zorgvragen/<int:zorgvraag_id>/dossier.xml")
def dossier(zorgvraag_id: int):
    return download(ctx()["zorgvragen"].dossier(zorgvraag_id), f"dossier-{zorgvraag_id}.xml",
                    "application/xml")


def uitpakken(bestandsnaam: str, bestandsinhoud: str) -> tuple[str, bytes]:
    """The file inside a document's base64 ZIP; the raw ZIP when it cannot be opened."""
    try:
        raw = base64.b64decode("".join((bestandsinhoud or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise LasError(422, f"De inhoud van {bestandsnaam} is geen geldige base64.",
                       "OnleesbareBijlage") from None
    try:
        found = unpack_one(raw, bestandsnaam)
    except TooLarge as exc:
        raise LasError(422, str(exc), "OnleesbareBijlage") from None
    # a ZIP that cannot be opened: the school still gets the bytes as they came
    return found or (f"{bestandsnaam}.zip", raw)


@bp.get("/zorgvragen/<int:zorgvraag_id>/terugkoppelingen/<int:tk_id>/documenten/<int:n>")
def terugkoppeling_document(zorgvraag_id: int, tk_id: int, n: int):
    zv = ctx()["zorgvragen"].get(zorgvraag_id)
    tk = next((t for t in zv["terugkoppelingen"] if t["id"] == tk_id), None)
    if tk is None or not 0 <= n < len(tk["documenten"]):
        raise LasError(404, "Dit document hoort niet bij deze terugkoppeling.", "OnbekendDocument")
    doc = tk["documenten"][n]
    naam, inhoud = uitpakken(doc.get("bestandsnaam") or f"document-{n + 1}",
                             doc.get("bestandsinhoud") or "")
    return download(inhoud, naam, mimetypes.guess_type(naam)[0])
