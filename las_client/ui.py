"""The LAS's web pages, shaped like ParnasSys: the pupil list and the leerlingkaart with its tabs
(Personalia, Onderwijs, Toetsen, Begeleiding, Map). The zorgvraag pages under Begeleiding live
in ui_zorgvraag. Server-rendered and usable without JavaScript; every decision stays in the
domain modules, as for the JSON API.
"""
from __future__ import annotations


from flask import (Blueprint, Flask, Response, current_app, jsonify, render_template, request,
                   url_for)
from werkzeug.exceptions import HTTPException

from actor_kit.dutch_time import datumtijd
from actor_kit.web import allow_header, content_disposition, register_web, wants_json

from . import leerlingen as ll
from . import ui_kaart
from .errors import LasError

bp = Blueprint("las_ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/las-static")

TABS = (("personalia", "Personalia", "las_ui.personalia"),
        ("onderwijs", "Onderwijs", "las_ui.onderwijs"),
        ("toetsen", "Toetsen", "las_ui.toetsen"),
        ("begeleiding", "Begeleiding", "las_ui.begeleiding"),
        ("map", "Map", "las_ui.map_"))



def ctx() -> dict:
    return current_app.extensions["las"]


@bp.app_template_filter("datum")
def datum_filter(value) -> str:
    return ui_kaart.datum(value)


@bp.app_template_filter("neen")
def neen_filter(value) -> str:
    # the ParnasSys overview writes "Neen" (seed help page); the API keeps "Nee"
    return "Neen" if value == "Nee" else value


@bp.app_template_filter("datumtijd")
def datumtijd_filter(value) -> str:
    return datumtijd(value, seconds=False)


def download(inhoud: bytes, naam: str, mime: str | None = None) -> Response:
    resp = Response(inhoud, content_type=mime or "application/octet-stream")
    resp.headers["Content-Disposition"] = content_disposition(naam)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def melding(titel: str, tekst: str, status: int, terug: str | None = None):
    return render_template("las/melding.html", titel=titel, melding=tekst,
                           terug=terug or url_for("las_ui.leerlingen")), status


def las_error_page(exc: LasError):
    titel = "Niet gevonden" if exc.status == 404 else "Dat lukte niet"
    return melding(titel, exc.fout, exc.status)


bp.register_error_handler(LasError, las_error_page)


# --- the pupil list ------------------------------------------------------------------------------

@bp.get("/")
def leerlingen():
    store = ctx()["store"]
    scholen = ll.list_scholen(store)
    brin = request.args.get("brin") or None
    if brin and brin not in {s["brin"] for s in scholen}:
        brin = None
    zoek = (request.args.get("q") or "").strip()
    namen = {s["brin"]: s["naam"] for s in scholen}
    aantallen = {r["leerling_id"]: r["n"] for r in store.query(
        "SELECT leerling_id, COUNT(*) AS n FROM zorgvragen WHERE status != 'verwijderd'"
        " GROUP BY leerling_id")}
    rows = []
    for p in ll.list_leerlingen(store, brin):
        if zoek and zoek.lower() not in p["naam"].lower():
            continue
        rows.append(dict(p, school=namen.get(p["brin"], ""), zorgvragen=aantallen.get(p["id"], 0)))
    rows.sort(key=lambda p: (p["brin"], (p["achternaam"] or "").lower(), p["naam"].lower()))
    return render_template("las/leerlingen.html", scholen=scholen, brin=brin, zoek=zoek,
                           leerlingen=rows)


# --- the leerlingkaart ---------------------------------------------------------------------------

def kaart(leerling_id: int) -> tuple[dict, dict, dict]:
    """(pupil record, school row, the header every tab shows)."""
    store = ctx()["store"]
    data = ll.get_leerling(store, leerling_id)
    _, school = ll.get_school(store, data["brin"])
    kop = {"id": leerling_id, "naam": ui_kaart.naam(data) or f"Leerling {leerling_id}",
           "groep": ui_kaart.groep(data), "geboortedatum": ui_kaart.datum(data.get("geboortedatum")),
           "brin": school["brin"], "school": school["naam"], "profiel": school["profile"],
           "leerlingnummer": data.get("leerlingid") or ""}
    return data, school, kop


def render_tab(template: str, tab: str, kop: dict, status: int = 200, **values):
    return render_template(template, kop=kop, tab=tab, tabs=TABS, **values), status


@bp.get("/leerlingen/<int:leerling_id>")
def personalia(leerling_id: int):
    data, _, kop = kaart(leerling_id)
    return render_tab("las/personalia.html", "personalia", kop, p=ui_kaart.personalia(data))


@bp.get("/leerlingen/<int:leerling_id>/onderwijs")
def onderwijs(leerling_id: int):
    data, school, kop = kaart(leerling_id)
    return render_tab("las/onderwijs.html", "onderwijs", kop, o=ui_kaart.onderwijs(data, school))


@bp.get("/leerlingen/<int:leerling_id>/toetsen")
def toetsen(leerling_id: int):
    data, _, kop = kaart(leerling_id)
    return render_tab("las/toetsen.html", "toetsen", kop, t=ui_kaart.toetsen(data))


@bp.get("/leerlingen/<int:leerling_id>/begeleiding")
def begeleiding(leerling_id: int):
    data, _, kop = kaart(leerling_id)
    return render_tab("las/begeleiding.html", "begeleiding", kop, sub="ondersteuning",
                      oo=ui_kaart.ondersteuning(data))


@bp.get("/leerlingen/<int:leerling_id>/map")
def map_(leerling_id: int):
    data, _, kop = kaart(leerling_id)
    zv = ctx()["zorgvragen"]
    zorgvragen = [zv.get(r["id"]) for r in zv.overzicht(leerling_id)]
    return render_tab("las/map.html", "map", kop, documenten=ui_kaart.documenten(data),
                      zorgvragen=zorgvragen)


@bp.get("/leerlingen/<int:leerling_id>/map/<int:n>")
def map_document(leerling_id: int, n: int):
    data, _, _ = kaart(leerling_id)
    docs = ui_kaart.documenten(data)
    if not 0 <= n < len(docs):
        raise LasError(404, "Dit document staat niet (meer) in de map van de leerling.",
                       "OnbekendDocument")
    return download(ui_kaart.document_inhoud(docs[n]), docs[n]["bestandsnaam"], docs[n]["mime"])


# --- wiring --------------------------------------------------------------------------------------

def _http_error(exc: HTTPException):
    """Dutch pages for the web pages; the machine interfaces keep their own answers."""
    if request.path.startswith("/oso"):
        return exc
    allow = allow_header(exc)
    if wants_json():
        fout = "Deze methode is op dit adres niet toegestaan." if exc.code == 405 else exc.description
        return jsonify({"fout": fout, "code": exc.name}), exc.code, allow
    titels = {400: "Verzoek geweigerd", 404: "Niet gevonden", 405: "Niet toegestaan"}
    teksten = {404: "Deze pagina bestaat niet.",
               405: "Deze handeling kan op deze pagina niet: de methode is hier niet toegestaan."}
    tekst = exc.description if exc.code == 400 else teksten.get(exc.code, exc.description)
    page, status = melding(titels.get(exc.code, "Fout"), tekst, exc.code or 500)
    return page, status, allow


def register_ui(app: Flask, *pages) -> None:
    """The web pages: these and the blueprints `pages` built on them (the zorgvraag screens, which
    import this module and so are handed in, not imported here)."""
    register_web(app)
    app.register_blueprint(bp)
    for page in pages:
        app.register_blueprint(page)
    for code in (400, 404, 405):
        app.register_error_handler(code, _http_error)
