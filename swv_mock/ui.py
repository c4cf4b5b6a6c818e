"""The SWV's web pages: the inbox of aanvragen and one aanvraag with its dossier, validation
report and the terugkoppeling form. Server-rendered, usable without JavaScript; every decision
lives in the domain modules, as for the JSON API.

Outcomes of a POST are shown after a redirect (so a reload never posts twice) from what the
database holds: the aanvraag's status and the stored terugkoppeling with its verzendstatus.
"""
from __future__ import annotations

import base64
import json
import mimetypes

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request,
                   url_for)

from actor_kit.dutch_time import datumtijd
from actor_kit.web import content_disposition
from oso_protocol.dossier.findings import LAYER_PROJECT, LAYER_STANDARD, LAYER_XSD, WAARSCHUWING
from oso_protocol.dossier.rules import RULES
from oso_protocol.transport import faults
from oso_protocol.transport.messages import TERUGKOPPELING_STATUSSEN
from oso_protocol.xmlsafe import XmlInputError, parse_bytes

from . import aanvragen as av
from . import zaak
from .dossier_view import DossierViewError, dossier_data
from .terugkoppeling import InvoerFout
from .ui_dossier import attachments, present, unpack

bp = Blueprint("swv_ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/swv-static")

STATUS_BADGES = {
    av.ONBEVESTIGD: ("Wacht op bevestiging door de TC", "warn",
                     "De notificatie is aangenomen, maar het Traffic Center heeft de koppelsleutel"
                     " nog niet bevestigd; er wordt niets opgehaald tot het dat doet."),
    av.GENOTIFICEERD: ("Genotificeerd", "info", "De notificatie is binnen; het ophalen volgt."),
    av.WACHT: ("Wacht op ophalen", "warn", "Klik op “Dossier ophalen” om het dossier op te halen."),
    av.SESSIE: ("Sessie geopend", "info", "De TC gaf een sessie; het dossier wordt opgevraagd."),
    av.OPGEHAALD: ("Dossier opgehaald", "ok", "Het dossier is binnen; de sessie wordt afgemeld."),
    av.AFGEMELD: ("Afgemeld", "ok", "Dossier opgehaald en de sessie is afgemeld bij de TC."),
    av.MISLUKT: ("Mislukt", "bad", "Het ophalen is mislukt."),
}
TERUGKOPPELING_LABELS = {
    "Ontvangen": "Ontvangen", "InBehandeling": "In behandeling",
    "Aanvullen": "Aanvullen (meer informatie nodig)", "Toegekend": "Toegekend",
    "Afgewezen": "Afgewezen", "Afgerond": "Afgerond",
}
LAYER_NAMES = {LAYER_XSD: "XSD (schema)", LAYER_STANDARD: "Standaard (gegevensset 2019.1)",
               LAYER_PROJECT: "Project (afspraken zorgvraag)"}
# What a code means for the person at the SWV, beside the peer's own text.
FOUT_UITLEG = {
    faults.DOSSIER_NIET_OPGEHAALD: "Het dossier is nog niet opgehaald; haal het eerst op.",
    faults.KOPPELSLEUTEL_ONBEKEND: "De TC of de LAS kent deze aanvraag niet (meer).",
    faults.LEERLINGINFO_NIET_BESCHIKBAAR: "De school heeft de zorgvraag ingetrokken of verwijderd.",
    faults.NIET_BEREIKBAAR: "Het andere systeem was niet bereikbaar; probeer het later opnieuw.",
    faults.GEEN_MANDAAT: "Het SWV-systeem heeft geen mandaat voor deze school.",
    faults.SESSIE_VERLOPEN: "De sessie is verlopen.",
    faults.ONGELDIG_BERICHT: "Het bericht werd niet geaccepteerd als geldig OSO-bericht.",
}
STAPPEN = {  # (operation, side) -> what the step was, in Dutch
    ("notificatie", "server"): "Notificatie ontvangen",
    ("overdracht", "client"): "Overdracht aangevraagd bij de TC",
    ("document", "client"): "Dossier opgevraagd bij de LAS (documentRequest)",
    ("afmelding", "client"): "Sessie afgemeld bij de TC",
    ("meldenTerugkoppeling", "client"): "Terugkoppeling gemeld bij de TC",
    ("terugkoppeling", "client"): "Terugkoppeling verstuurd naar de LAS",
}
FAULT_CODES = {v for k, v in vars(faults).items() if k.isupper() and isinstance(v, str)}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024



def _ctx():
    return current_app.extensions["swv"]


bp.add_app_template_filter(datumtijd, "datumtijd")


@bp.app_context_processor
def _globals():
    ctx = _ctx()
    return {"swv_naam": ctx.naam, "step_mode": ctx.step_mode, "auto_fetch": ctx.auto_fetch,
            "status_badges": STATUS_BADGES}


def _aanleverpunt(routeringskenmerk: str) -> str:
    punt = _ctx().aanleverpunten.get(routeringskenmerk) or {}
    return punt.get("naam") or routeringskenmerk


def _kan_ophalen(status: str) -> bool:
    ctx = _ctx()
    return status in (av.WACHT, av.MISLUKT) or (status == av.GENOTIFICEERD and not ctx.fetches_automatically)


# --- inbox ---------------------------------------------------------------------------------------

def _zaken() -> list[dict]:
    """The inbox rows as cases: the aanvraag, its pupil and question from the fetched dossier,
    and the latest terugkoppeling."""
    ctx = _ctx()
    velden = zaak.alle(ctx.inbox.store, ctx.inbox)
    terug = {}
    for t in ctx.inbox.store.query(
            "SELECT koppelsleutel, status, verzendstatus FROM terugkoppeling ORDER BY id"):
        terug[t["koppelsleutel"]] = {"status": t["status"], "verzendstatus": t["verzendstatus"],
                                     "label": TERUGKOPPELING_LABELS.get(t["status"], t["status"])}
    rows = []
    for a in ctx.inbox.overview():
        k = a["koppelsleutel"]
        rows.append(dict(a, aanleverpunt=_aanleverpunt(a["doel_routeringskenmerk"]),
                         kan_ophalen=_kan_ophalen(a["status"]),
                         zaak=velden.get(k) or dict(zaak.LEEG), terugkoppeling=terug.get(k)))
    return rows


@bp.get("/")
def inbox():
    return render_template("swv/inbox.html", aanvragen=_zaken())


@bp.get("/aanvragen-lijst")
def inbox_lijst():
    """The list part of the inbox alone: the page's script fetches it to stay current."""
    return render_template("swv/_inbox_lijst.html", aanvragen=_zaken())


@bp.post("/stap-voor-stap")
def stap_voor_stap():
    """The trainer's switch: on, the SWV waits for a click before each fetch."""
    _ctx().step_mode = request.form.get("aan") == "1"
    return redirect(url_for("swv_ui.inbox"), 303)


@bp.post("/aanvragen/<k>/ophalen")
def ophalen(k: str):
    ctx = _ctx()
    if ctx.inbox.row(k) is None:
        abort(404)
    try:
        ctx.ophalen.run(k)
    except av.OnbekendeAanvraag:
        abort(404)
    # the aanvraag page shows what the fetch brought, or why it failed
    return redirect(url_for("swv_ui.aanvraag", k=av.normalize_key(k)), 303)


# --- one aanvraag --------------------------------------------------------------------------------

def _stappen(k: str) -> list[dict]:
    """The replies of each exchange in our message log: what happened, and how it ended.

    While handling a notificatie this SWV asks the TC for an overdracht to confirm the
    koppelsleutel, so that reply is logged before the notificatie's own. It is shown as part of
    receiving the notificatie, at the time the notificatie came in, so the list follows the
    order of the exchange."""
    out = []
    notificatie = None  # the notificatie request being handled, while its reply is not yet out
    for e in _ctx().messagelog.entries(koppelsleutel=k, with_xml=False):
        side = e.get("side")
        goed = e.get("element") != "Fault" and e["outcome"] not in FAULT_CODES
        if (e["operation"], e["direction"], side) == ("notificatie", "in", "server"):
            notificatie = {"ts": e["ts"], "bevestiging": None}
            continue
        if notificatie is not None and (e["operation"], e["direction"], side) == \
                ("overdracht", "in", "client"):
            notificatie["bevestiging"] = (goed, e["outcome"])
            continue
        if (e["direction"], side) not in (("in", "client"), ("out", "server")):
            continue  # the request halves; the reply carries the outcome
        wat = STAPPEN.get((e["operation"], side), e["operation"] or "onbekend bericht")
        ts = e["ts"]
        if e["operation"] == "notificatie" and side == "server" and notificatie is not None:
            ts, bevestiging = notificatie["ts"], notificatie["bevestiging"]
            notificatie = None
            if bevestiging and bevestiging[0]:
                wat += " (koppelsleutel bevestigd bij de TC)"
            elif bevestiging:
                wat += f" (koppelsleutel niet bevestigd bij de TC: {bevestiging[1]})"
                goed = False
        out.append({"ts": ts, "wat": wat, "operation": e["operation"], "peer": e["peer"],
                    "uitkomst": e["outcome"], "goed": goed, "id": e["id"]})
    return out


def _rapport(row: dict) -> dict | None:
    if not row.get("rapport"):
        return None
    raw = json.loads(row["rapport"])
    findings = raw.get("findings") or []
    lagen = []
    for layer in (LAYER_XSD, LAYER_STANDARD, LAYER_PROJECT):
        items = [dict(f, titel=getattr(RULES.get(f.get("rule")), "title", ""))
                 for f in findings if f.get("layer") == layer]
        lagen.append({"naam": LAYER_NAMES[layer], "layer": layer, "bevindingen": items})
    other = [f for f in findings if f.get("layer") not in LAYER_NAMES]
    if other:
        lagen.append({"naam": "Overig", "layer": "overig", "bevindingen": other})
    fouten = sum(1 for f in findings if f.get("severity") != WAARSCHUWING)
    waarschuwingen = len(findings) - fouten
    profiel = f" (profiel {raw['profile']})" if raw.get("profile") else ""
    if raw.get("valid") is True:
        oordeel, klasse = f"Geldig dossier{profiel}: geen fouten" + (
            f", {waarschuwingen} waarschuwing(en)." if waarschuwingen else "."), "ok"
    elif raw.get("valid") is False:
        oordeel, klasse = (f"Ongeldig dossier{profiel}: {fouten} fout(en)"
                           f"{f' en {waarschuwingen} waarschuwing(en)' if waarschuwingen else ''}."
                           ), "bad"
    else:
        oordeel, klasse = ("Niet volledig gevalideerd: alleen gecontroleerd dat het dossier "
                           "leesbare XML is" + (f"; {fouten} fout(en)." if fouten else ".")), "warn"
    return {"valid": raw.get("valid"), "oordeel": oordeel, "klasse": klasse, "lagen": lagen,
            "aantal": len(findings)}


def _dossier(row: dict) -> tuple[dict | None, str | None]:
    """(presentation, error text) for the stored dossier."""
    if row.get("dossier") is None:
        return None, None
    data = bytes(row["dossier"])
    try:
        view = dossier_data(data)
        docs = attachments(parse_bytes(data))
    except (DossierViewError, XmlInputError) as exc:
        return None, f"Het dossier kan niet als XML worden gelezen: {getattr(exc, 'message', exc)}"
    out = present(view["dossier"], docs)
    out["schemafouten"] = view.get("fouten") or []
    out["bijlagen"] = docs
    return out, None


def _terugkoppelingen(k: str) -> list[dict]:
    out = []
    for t in _ctx().inbox.terugkoppelingen(k):
        out.append(dict(t, status_label=TERUGKOPPELING_LABELS.get(t["status"], t["status"]),
                        uitleg=FOUT_UITLEG.get(t.get("fout_code"))))
    return out


def _render_aanvraag(k: str, *, invoer: dict | None = None, invoerfout: str | None = None,
                     status: int = 200):
    ctx = _ctx()
    row = ctx.inbox.row(k)
    if row is None:
        return render_template("swv/niet_gevonden.html", koppelsleutel=k), 404
    dossier, dossierfout = _dossier(row)
    tks = _terugkoppelingen(row["koppelsleutel"])
    laatste = None
    wanted = request.args.get("terugkoppeling", type=int)
    if wanted is not None:
        laatste = next((t for t in tks if t["id"] == wanted), None)
    return render_template(
        "swv/aanvraag.html", a=row, aanleverpunt=_aanleverpunt(row["doel_routeringskenmerk"]),
        kan_ophalen=_kan_ophalen(row["status"]), stappen=_stappen(row["koppelsleutel"]),
        dossier=dossier, dossierfout=dossierfout, rapport=_rapport(row),
        terugkoppelingen=tks, laatste=laatste, statussen=TERUGKOPPELING_STATUSSEN,
        status_labels=TERUGKOPPELING_LABELS, invoer=invoer or {}, invoerfout=invoerfout,
        zaak=zaak.voor(ctx.inbox.store, row["koppelsleutel"], row.get("dossier"))), status


@bp.get("/aanvragen/<k>")
def aanvraag(k: str):
    return _render_aanvraag(k)


@bp.get("/aanvragen/<k>/dossier.xml")
def dossier_xml(k: str):
    row = _ctx().inbox.row(k)
    if row is None or row["dossier"] is None:
        abort(404)
    return Response(bytes(row["dossier"]), content_type="application/xml",
                    headers={"Content-Disposition":
                             content_disposition(f"dossier-{row['koppelsleutel']}.xml")})


@bp.get("/aanvragen/<k>/bijlagen/<int:n>")
def bijlage(k: str, n: int):
    row = _ctx().inbox.row(k)
    if row is None or row["dossier"] is None:
        abort(404)
    try:
        docs = attachments(parse_bytes(bytes(row["dossier"])))
    except XmlInputError:
        abort(404)
    if not 0 <= n < len(docs):
        abort(404)
    try:
        naam, inhoud = unpack(docs[n])
    except ValueError as exc:
        return render_template("swv/melding.html", titel="Bijlage niet leesbaar",
                               melding=str(exc), terug=url_for("swv_ui.aanvraag", k=k)), 422
    mime = mimetypes.guess_type(naam)[0] or "application/octet-stream"
    resp = Response(inhoud, content_type=mime)
    resp.headers["Content-Disposition"] = content_disposition(naam)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.post("/aanvragen/<k>/terugkoppeling")
def terugkoppeling(k: str):
    ctx = _ctx()
    if ctx.inbox.row(k) is None:
        abort(404)
    invoer = {key: (request.form.get(key) or "").strip()
              for key in ("status", "behandelaar", "toelichting", "omschrijving")}
    documenten = []
    upload = request.files.get("bijlage")
    if upload is not None and upload.filename:
        inhoud = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(inhoud) > MAX_UPLOAD_BYTES:
            return _render_aanvraag(k, invoer=invoer, status=400,
                                    invoerfout="De bijlage is groter dan 10 MB.")
        documenten.append({"bestandsnaam": upload.filename.replace("\\", "/").rsplit("/", 1)[-1],
                           "inhoud_base64": base64.b64encode(inhoud).decode("ascii"),
                           "omschrijving": invoer["omschrijving"] or None})
    if not invoer["status"]:
        return _render_aanvraag(k, invoer=invoer, status=400,
                                invoerfout="Kies een status voor de terugkoppeling.")
    try:
        uitkomst = ctx.terugkoppeling.send(
            k, status=invoer["status"], toelichting=invoer["toelichting"] or None,
            behandelaar=invoer["behandelaar"] or None, documenten=documenten)
    except av.OnbekendeAanvraag:
        abort(404)
    except InvoerFout as exc:
        return _render_aanvraag(k, invoer=invoer, invoerfout=str(exc), status=400)
    return redirect(url_for("swv_ui.aanvraag", k=av.normalize_key(k),
                            terugkoppeling=uitkomst.terugkoppeling["id"]) + "#terugkoppeling", 303)
