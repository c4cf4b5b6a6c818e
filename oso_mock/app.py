"""create_app(config): the mock OSO Traffic Center as a Flask app.

Config keys (besides the shared ones in docs/actors.md): SESSION_TTL_SECONDS (default 900),
ACTOR_URLS ({"las", "swv", "tc"} base URLs for the register's URL placeholders) and CLOCK (a
function returning epoch seconds, default time.time; tests move time with it).
"""
from __future__ import annotations

import time
from importlib.resources import files
from pathlib import Path

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import NotFound

from actor_kit import ids
from actor_kit.messagelog import MessageLog
from actor_kit.inbox import RefusedInbox, inbox_blueprint
from actor_kit.soap_endpoint import DEFAULT_MAX_BYTES, install_soap_endpoint
from actor_kit.web import method_not_allowed, register_web, wants_json
from .db import SCHEMA, TcStore
from oso_protocol.transport.messages import NS

from . import defects as tc_defects
from . import ingedeeld, register
from .api import api_blueprint
from .context import DEFAULT_SESSION_TTL_SECONDS, TrafficCenter
from .storing import Storing, register_storing
from .ui import bp as ui_blueprint
from .ui_weigeringen import bp as weigeringen_blueprint

from .soap_handlers import handlers

# fixtures/ ships as the package oso_sim_fixtures, in a clone and in an installed wheel alike
DEFAULT_SCENARIO = Path(str(files("oso_sim_fixtures"))) / "default.yaml"


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    app = Flask(__name__)
    ids.install(app)
    app.config.update(config)

    store = TcStore(config.get("DB_PATH"), SCHEMA)
    actor_urls = dict(config.get("ACTOR_URLS") or {})
    if config.get("PUBLIC_URL"):
        actor_urls.setdefault("tc", config["PUBLIC_URL"])
    tc = TrafficCenter(store=store, clock=config.get("CLOCK") or time.time,
                       session_ttl=float(config.get("SESSION_TTL_SECONDS",
                                                    DEFAULT_SESSION_TTL_SECONDS)),
                       actor_urls=actor_urls, policy=tc_defects.policy(config.get("DEFECTS")))
    # [choice] No SCENARIO key: the project's default scenario; SCENARIO None: an empty register.
    scenario = config.get("SCENARIO", DEFAULT_SCENARIO if DEFAULT_SCENARIO.exists() else None)
    register.load(tc, scenario)
    messagelog = MessageLog(store)
    refused = RefusedInbox(store)

    storing = Storing()
    install_soap_endpoint(
        app, "tc_soap", role="tc", path="/oso", handlers=handlers(tc), messagelog=messagelog,
        ns=config.get("NS") or NS, max_bytes=int(config.get("MAX_BYTES") or DEFAULT_MAX_BYTES),
        file_refused=ingedeeld.afzender, inbox=refused, interceptor=storing)
    app.register_blueprint(api_blueprint(tc, messagelog))
    register_storing(app, storing)
    register_web(app)
    app.register_blueprint(ui_blueprint)
    app.register_blueprint(weigeringen_blueprint)
    app.register_blueprint(inbox_blueprint(refused, base="tc/base.html"))

    @app.errorhandler(404)
    def not_found(exc):
        # a browser gets a page it can leave; the API and JSON clients keep their JSON answer
        tekst = exc.description if exc.description != NotFound.description else None
        if wants_json() or request.path.startswith("/oso"):
            return jsonify({"fout": tekst or "Deze pagina of dit API-pad bestaat niet.",
                            "code": "Onbekend"}), 404
        return render_template("tc/fout.html", titel="Pagina niet gevonden",
                               melding=tekst or "Deze pagina bestaat niet bij dit Traffic Center."), 404

    @app.errorhandler(405)
    def not_allowed(exc):
        return method_not_allowed(exc, lambda tekst: render_template(
            "tc/fout.html", titel="Methode niet toegestaan", melding=tekst))

    app.extensions["oso_mock"] = tc
    app.extensions["oso_sim_messagelog"] = messagelog
    app.extensions["oso_sim_close"] = store.close
    return app
