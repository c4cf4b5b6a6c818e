"""The LAS (Bronsysteem) as a Flask app: SOAP endpoint at /oso, JSON API under /api, web pages at /."""
from __future__ import annotations

import random

from flask import Flask

from actor_kit import ids
from actor_kit.inbox import RefusedInbox, inbox_blueprint
from actor_kit.messagelog import MessageLog
from actor_kit.soap_client import SoapClient
from actor_kit.soap_endpoint import DEFAULT_MAX_BYTES, install_soap_endpoint
from actor_kit.store import Store
from oso_protocol.transport.messages import NS

from . import defects, leerlingen
from .api import api_blueprint
from .db import SCHEMA
from .oso_calls import OsoCalls
from .scenario import DEFAULT_SCENARIO, load_scenario
from .soap_handlers import make_handlers
from .ui import register_ui
from .ui_zorgvraag import bp as zorgvraag_pages
from .zorgvragen import Zorgvragen


def seed_from_scenario(store: Store, scenario: dict) -> None:
    """Fill an empty database with the scenario's schools and seeded synthetic pupils.

    Runs once: a database that already holds a school is left alone, so a restart after a
    crash never duplicates or overwrites pupils.
    """
    from oso_protocol.synthetic import make_population, make_school, rename_school

    las = scenario.get("las") or {}
    seed = las.get("seed", 0)
    namen = {s.get("brin"): s.get("naam")
             for s in (scenario.get("register") or {}).get("schools") or []}
    with store.tx() as conn:
        if conn.execute("SELECT 1 FROM scholen LIMIT 1").fetchone():
            return
        for school_cfg in las.get("schools") or []:
            brin = school_cfg["brin"]
            profile = school_cfg.get("profile", "POSWV")
            school = make_school(random.Random(f"las:{seed}:{brin}"), profile)
            # the scenario's register is the truth about a school; the generator fills the rest
            school.brincode = brin
            school.vestigingscode = str(school_cfg.get("vestigingscode", school.vestigingscode))
            rename_school(school, school_cfg.get("naam") or namen.get(brin) or school.naam)
            school.aanleverpunt = school_cfg["routeringskenmerk"]
            leerlingen.add_school(conn, school, routeringskenmerk=school_cfg["routeringskenmerk"],
                                  profile=profile)
            pupils = make_population(f"{seed}:{brin}", int(school_cfg.get("leerlingen", 0)),
                                     profile, school=school)
            # `vast`: identity numbers pinned per pupil (first pupils of the school, in order), so
            # a configuration can name a pupil with a BSN or an onderwijsnummer by its id
            for leerling, vast in zip(pupils, school_cfg.get("vast") or []):
                for key in ("bsn", "onderwijsnummer"):
                    if key in vast:
                        setattr(leerling, key, vast[key])
            for leerling in pupils:
                leerlingen.insert_leerling(conn, brin, leerling)
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('scenario', ?)",
                     (str(scenario.get("name") or ""),))


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    app = Flask(__name__)
    ids.install(app)
    app.config.update(config)
    ns = config.get("NS") or NS
    store = Store(config.get("DB_PATH"), SCHEMA)
    messagelog = MessageLog(store)
    refused = RefusedInbox(store)
    client = SoapClient(messagelog, me="las", ns=ns,
                        timeout=float(config.get("SOAP_TIMEOUT", 10.0)), tls=config.get("TLS"))
    calls = OsoCalls(client, config.get("TC_URL"))
    # the one place the deliberate defects come in: every named step of the workflow asks this
    # policy, which is the reference behaviour unless config DEFECTS replaces a step
    policy = defects.policy(config.get("DEFECTS"), config)
    zorgvragen = Zorgvragen(store, calls, policy=policy)
    # [choice] as the TC: no SCENARIO key seeds the default scenario, SCENARIO None an empty LAS
    if config.get("SCENARIO", DEFAULT_SCENARIO) is not None:
        seed_from_scenario(store, load_scenario(config.get("SCENARIO")))

    app.extensions["las"] = {"store": store, "messagelog": messagelog, "calls": calls,
                             "zorgvragen": zorgvragen, "client": client}
    app.extensions["oso_sim_close"] = store.close
    install_soap_endpoint(
        app, "las_soap", role="las", path="/oso",
        handlers=make_handlers(store, calls, policy),
        messagelog=messagelog, ns=ns, max_bytes=int(config.get("MAX_BYTES", DEFAULT_MAX_BYTES)),
        inbox=refused)
    app.register_blueprint(api_blueprint(store, messagelog, zorgvragen, calls))
    app.register_blueprint(inbox_blueprint(refused, base="las/base.html"))
    register_ui(app, zorgvraag_pages)
    return app
