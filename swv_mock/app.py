"""create_app(config) for the SWV system (the Doelsysteem). See docs/actors.md for the config keys.

Besides the shared keys: TC_URL, AUTO_FETCH (fetch in the background after each notificatie),
STEP_MODE (store notificaties as `wacht`, fetch only on request; the inbox page switches it
at runtime), DEFECTS (a set of swv_mock.defects.DEFECTS to play a broken SWV), LAS_URL (only
for a defect that asks the LAS without a TC session; defaults to ACTOR_URLS["las"] + "/oso"), SOAP_TIMEOUT (seconds,
default 10), WORKERS (default 4), LAS_RETRY_SECONDS (how long a LAS that gives no answer is
tried again before the session is signed off BronNietBereikbaar, default 3600).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml
from flask import Flask, jsonify, render_template, request, url_for
from werkzeug.exceptions import NotFound

from actor_kit import ids
from actor_kit.messagelog import MessageLog
from actor_kit.soap_client import SoapClient
from actor_kit.inbox import RefusedInbox, inbox_blueprint
from actor_kit.soap_endpoint import DEFAULT_MAX_BYTES, install_soap_endpoint
from actor_kit.web import method_not_allowed, register_web, wants_json
from actor_kit.store import Store
from oso_protocol.transport.messages import NS

from . import aanvragen as av
from .aanvragen import Inbox
from .api import bp as api_bp
from . import defects as swv_defects
from . import herstel
from .db import SCHEMA, SwvStore
from .herstel import Herhaler
from .ophalen import LAS_RETRY_SECONDS, FetchPolicy, Ophalen, ophalen_open
from .soap_handlers import notificatie_handler
from .terugkoppeling import SendPolicy, TerugkoppelingSender
from .ui import bp as ui_bp
from .worker import Worker

log = logging.getLogger(__name__)

# fixtures/ ships as the package oso_sim_fixtures, in a clone and in an installed wheel alike
DEFAULT_SCENARIO = Path(str(files("oso_sim_fixtures"))) / "default.yaml"


@dataclass
class SwvContext:
    """What the views need; one per app, in app.extensions["swv"]."""

    store: Store
    messagelog: MessageLog
    inbox: Inbox
    ophalen: Ophalen
    terugkoppeling: TerugkoppelingSender
    worker: Worker | None
    aanleverpunten: dict
    naam: str
    auto_fetch: bool   # configured: fetch in the background after each notificatie
    step_mode: bool    # switchable at runtime from the inbox page (demo "stap voor stap")
    herhaler: Herhaler | None = None  # retries afmeldingen and terugkoppelingen lost in transit

    @property
    def fetches_automatically(self) -> bool:
        return self.auto_fetch and not self.step_mode

    def close(self) -> None:
        if self.herhaler is not None:
            self.herhaler.stop()
        if self.worker is not None:
            self.worker.stop()
        self.store.close()


def _scenario(value) -> dict:
    if isinstance(value, dict):
        return value
    path = Path(value) if value else DEFAULT_SCENARIO
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    swv = _scenario(config.get("SCENARIO")).get("swv") or {}
    defects = frozenset(config.get("DEFECTS") or ())
    if defects - swv_defects.DEFECTS:
        raise ValueError(f"onbekende DEFECTS: {sorted(defects - swv_defects.DEFECTS)}")
    fetch_policy = swv_defects.policy(FetchPolicy, defects)
    step_mode = bool(config.get("STEP_MODE", False))
    auto_fetch = bool(config.get("AUTO_FETCH", swv.get("auto_fetch", True)))
    ns = config.get("NS") or NS
    las_url = config.get("LAS_URL") or (
        (config.get("ACTOR_URLS") or {}).get("las", "").rstrip("/") + "/oso"
        if (config.get("ACTOR_URLS") or {}).get("las") else None)

    app = Flask(__name__)
    ids.install(app)
    app.config.update(config)
    app.json.sort_keys = False

    store = SwvStore(config.get("DB_PATH"), SCHEMA)
    messagelog = MessageLog(store)
    refused = RefusedInbox(store)
    client = SoapClient(messagelog, me=swv.get("system", "swv"), ns=ns,
                        timeout=float(config.get("SOAP_TIMEOUT", 10.0)), tls=config.get("TLS"))
    inbox = Inbox(store)
    ophalen = Ophalen(inbox, client, tc_url=config.get("TC_URL"), policy=fetch_policy,
                      las_url=las_url,
                      las_retry_seconds=float(config.get("LAS_RETRY_SECONDS", LAS_RETRY_SECONDS)))
    sender = TerugkoppelingSender(inbox, client, tc_url=config.get("TC_URL"),
                                  policy=swv_defects.policy(SendPolicy, defects))
    worker = Worker(ophalen.run, threads=int(config.get("WORKERS", 4))) if auto_fetch else None
    aanleverpunten = {p["routeringskenmerk"]: p for p in swv.get("aanleverpunten") or []}
    ctx = SwvContext(store, messagelog, inbox, ophalen, sender, worker, aanleverpunten,
                     swv.get("naam", "Samenwerkingsverband"), auto_fetch, step_mode)
    app.extensions["swv"] = ctx
    app.extensions["oso_sim_close"] = ctx.close
    ophalen.status_na_bevestiging = lambda: av.WACHT if ctx.step_mode else av.GENOTIFICEERD

    handler = notificatie_handler(inbox, aanleverpunten, step_mode=lambda: ctx.step_mode,
                                  on_new=worker.submit if worker else None,
                                  bevestiger=ophalen if config.get("CONFIRM_KOPPELSLEUTEL", True)
                                  and fetch_policy.confirm_at_notificatie() else None,
                                  ophalen=ophalen)
    install_soap_endpoint(
        app, "swv_soap", role="swv", path="/oso", handlers={"notificatie": handler},
        messagelog=messagelog, ns=ns, max_bytes=int(config.get("MAX_BYTES", DEFAULT_MAX_BYTES)),
        inbox=refused)
    app.register_blueprint(api_bp)
    app.register_blueprint(inbox_blueprint(refused, base="swv/base.html"))
    register_web(app)
    app.register_blueprint(ui_bp)

    @app.errorhandler(404)
    def not_found(exc):
        # a browser gets a page it can leave; the API and JSON clients keep their JSON answer
        tekst = exc.description if exc.description != NotFound.description else None
        if wants_json() or request.path.startswith("/oso"):
            return jsonify({"fout": tekst or "Deze pagina of dit API-pad bestaat niet.",
                            "code": "Onbekend"}), 404
        return render_template("swv/melding.html", titel="Pagina niet gevonden",
                               melding=tekst or "Deze pagina bestaat niet bij dit SWV-systeem.",
                               terug=url_for("swv_ui.inbox"),
                               terug_tekst="Naar de aanvragen (startpagina)"), 404

    @app.errorhandler(405)
    def not_allowed(exc):
        return method_not_allowed(exc, lambda tekst: render_template(
            "swv/melding.html", titel="Methode niet toegestaan", melding=tekst,
            terug=url_for("swv_ui.inbox"), terug_tekst="Naar de aanvragen (startpagina)"))

    # Resume what a previous process left half-way: the database is the truth, not memory.
    sender.recover()
    ctx.herhaler = herstel.start(ophalen, sender, config,
                                 automatisch=lambda: ctx.fetches_automatically)
    app.jinja_env.globals["herstel"] = ctx.herhaler.open
    if worker is not None and ctx.fetches_automatically:
        for key in inbox.keys_with_status(av.ONAF):
            if not ophalen_open(inbox.row(key)):  # those are the retrier's (herstel.start)
                worker.submit(key)
    return app
