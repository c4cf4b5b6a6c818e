"""The SWV's JSON API (docs/actors.md): the inbox, its dossiers and reports, fetching and
terugkoppeling. Thin: every decision lives in the domain modules."""
from __future__ import annotations

import threading

from flask import Blueprint, Response, current_app, jsonify, request

from actor_kit.server import DEFAULT_THREADS

from oso_protocol.transport import faults

from . import aanvragen as av
from . import herstel
from .terugkoppeling import InvoerFout

MAX_WAIT_SECONDS = 120.0
DEFAULT_WAIT_SECONDS = 10.0
# [choice] at most half of DEFAULT_THREADS callers (actor_kit.server) may sit in a wait at once;
# the others are told to come back, so waiting callers cannot pile up threads and connections
MAX_WAITERS = DEFAULT_THREADS // 2
_waiters_lock = threading.Lock()


def fout(message: str, code: str, status: int):
    return jsonify({"fout": message, "code": code}), status


def _ctx():
    return current_app.extensions["swv"]


def _waiters() -> threading.BoundedSemaphore:
    ext = current_app.extensions
    with _waiters_lock:
        if "swv_waiters" not in ext:
            ext["swv_waiters"] = threading.BoundedSemaphore(
                int(current_app.config.get("MAX_WAITERS") or MAX_WAITERS))
        return ext["swv_waiters"]


def _onbekend(k: str):
    return fout(f"Geen aanvraag met koppelsleutel {k}.", faults.KOPPELSLEUTEL_ONBEKEND, 404)


def _bool_arg(name: str, default: bool) -> bool:
    value = request.args.get(name)
    return default if value is None else value.lower() in ("1", "true", "ja", "yes")


bp = Blueprint("swv_api", __name__, url_prefix="/api")


@bp.get("/health")
def health():
    ctx = _ctx()
    return jsonify({"actor": "swv", "ok": True, "step_mode": ctx.step_mode,
                    "auto_fetch": ctx.fetches_automatically})


@bp.get("/berichten")
def berichten():
    try:
        after_id = int(request.args.get("after_id", 0))
    except ValueError:
        return fout("after_id moet een getal zijn.", faults.ONGELDIG_BERICHT, 400)
    rows = _ctx().messagelog.entries(koppelsleutel=request.args.get("koppelsleutel"),
                                     after_id=after_id, with_xml=_bool_arg("xml", False))
    return jsonify({"berichten": rows})


@bp.get("/berichten/<int:entry_id>")
def bericht(entry_id: int):
    row = _ctx().messagelog.get(entry_id)
    if row is None:
        return fout(f"Geen bericht met id {entry_id}.", faults.ONGELDIG_BERICHT, 404)
    return jsonify(row)


@bp.get("/aanvragen")
def aanvragen():
    return jsonify(_ctx().inbox.overview())


@bp.get("/aanvragen/<k>")
def aanvraag(k: str):
    inbox = _ctx().inbox
    wanted = request.args.get("wait")
    if not wanted:
        row = inbox.row(k)
        return jsonify(herstel.annotate(_ctx().herhaler, inbox.public(row))) if row else _onbekend(k)
    if wanted not in av.STATUSSEN:
        return fout(f"Onbekende status {wanted!r}; kies uit {', '.join(av.STATUSSEN)}.",
                    faults.ONGELDIG_BERICHT, 400)
    try:
        timeout = float(request.args.get("timeout", DEFAULT_WAIT_SECONDS))
    except ValueError:
        return fout("timeout moet een getal (seconden) zijn.", faults.ONGELDIG_BERICHT, 400)
    # [choice] waiting also covers a notificatie that has not arrived yet: the harness may ask
    # before the LAS has sent it. Only when the time is up is an unknown key a 404.
    waiters = _waiters()
    if not waiters.acquire(blocking=False):
        resp, status = fout("Er wachten al te veel verzoeken op deze SWV; probeer het zo opnieuw.",
                            "TeVeelWachtenden", 503)
        resp.headers["Retry-After"] = "1"
        return resp, status
    try:
        row, reached = inbox.wait(k, wanted, max(0.0, min(timeout, MAX_WAIT_SECONDS)))
    finally:
        waiters.release()
    if row is None:
        return _onbekend(k)
    # [choice] a wait that ran out still answers 200 with the current aanvraag, marked so
    return jsonify(dict(inbox.public(row), wacht_bereikt=reached))


@bp.get("/aanvragen/<k>/dossier")
def dossier(k: str):
    row = _ctx().inbox.row(k)
    if row is None:
        return _onbekend(k)
    if row["dossier"] is None:
        return fout("Het dossier is (nog) niet opgehaald.", faults.DOSSIER_NIET_OPGEHAALD, 404)
    return Response(bytes(row["dossier"]), content_type="application/xml")


@bp.get("/aanvragen/<k>/rapport")
def rapport(k: str):
    row = _ctx().inbox.row(k)
    if row is None:
        return _onbekend(k)
    if not row["rapport"]:
        return fout("Het dossier is (nog) niet gevalideerd.", faults.DOSSIER_NIET_OPGEHAALD, 404)
    return Response(row["rapport"], content_type="application/json")


@bp.get("/aanvragen/<k>/gegevens")
def gegevens(k: str):
    """The dossier as plain data, for the web pages."""
    from .dossier_view import DossierViewError, dossier_data
    row = _ctx().inbox.row(k)
    if row is None:
        return _onbekend(k)
    if row["dossier"] is None:
        return fout("Het dossier is (nog) niet opgehaald.", faults.DOSSIER_NIET_OPGEHAALD, 404)
    try:
        return jsonify(dossier_data(bytes(row["dossier"])))
    except DossierViewError as exc:
        return fout(str(exc), faults.ONGELDIG_BERICHT, 422)


@bp.post("/aanvragen/<k>/ophalen")
def ophalen(k: str):
    ctx = _ctx()
    try:
        row = ctx.ophalen.run(k)
    except av.OnbekendeAanvraag:
        return _onbekend(k)
    # [choice] the outcome, good or bad, is in the aanvraag itself (status, fout): 200 either way
    return jsonify(ctx.inbox.public(row))


@bp.post("/aanvragen/<k>/terugkoppeling")
def terugkoppeling(k: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return fout("Verwacht een JSON-object met ten minste status.", faults.ONGELDIG_BERICHT, 400)
    documenten = list(body.get("documenten") or [])
    if body.get("document"):
        documenten.insert(0, body["document"])
    try:
        uitkomst = _ctx().terugkoppeling.send(
            k, status=body.get("status"), toelichting=body.get("toelichting"),
            behandelaar=body.get("behandelaar"), documenten=documenten)
    except av.OnbekendeAanvraag:
        return _onbekend(k)
    except InvoerFout as exc:
        return fout(str(exc), faults.ONGELDIG_BERICHT, 400)
    return jsonify(uitkomst.to_dict()), (200 if uitkomst.verzonden else 502)
