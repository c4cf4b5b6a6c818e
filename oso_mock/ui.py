"""The Traffic Center's web pages: the register (with an on/off switch per aanleverpunt), the
timeline of one koppelsleutel as a sequence diagram, and the demo start page for trainers.

Server-rendered and usable without JavaScript. The TC only logs the calls it answered; the
direct LAS <-> SWV messages are read from the LAS and SWV logs over their JSON API. A vendor's
system has no such API, so an unreadable peer log is reported on the page, never an error.
"""
from __future__ import annotations


import requests
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup

from actor_kit.dutch_time import datumtijd
from actor_kit.tls import requests_kwargs

from . import koppelingen, register, timeline
from .register import AdminError

bp = Blueprint("tc_ui", __name__, template_folder="templates", static_folder="static",
               static_url_path="/tc-static")

PEER_TIMEOUT = 2.0     # seconds; a slow peer must not hold the trainer's page hostage
HEALTH_TIMEOUT = 1.0
PEER_ROLES = {"las": "LAS", "swv": "SWV"}


bp.add_app_template_filter(datumtijd, "datumtijd")


def _tc():
    return current_app.extensions["oso_mock"]


def _log():
    return current_app.extensions["oso_sim_messagelog"]


def _actor_urls() -> dict[str, str]:
    urls = {k: (v or "").rstrip("/") for k, v in (_tc().actor_urls or {}).items()}
    urls.setdefault("tc", request.host_url.rstrip("/"))
    return urls


# --- register --------------------------------------------------------------------------------

@bp.get("/")
def register_page():
    tc = _tc()
    snap = register.snapshot(tc)
    scholen = {s["brin"]: s["naam"] for s in snap["schools"]}
    systemen = {s["id"]: s["naam"] for s in snap["systems"]}
    gewijzigd = register.aanleverpunt(tc, request.args.get("gewijzigd"))
    return render_template("tc/register.html", reg=snap, scholen=scholen, systemen=systemen,
                           koppelingen=koppelingen.alle(tc), gewijzigd=gewijzigd,
                           fout=request.args.get("fout"))


@bp.post("/aanleverpunten/<rk>/actief")
def toggle_aanleverpunt(rk: str):
    wanted = request.form.get("actief")
    if wanted not in ("0", "1"):
        abort(400, description="Kies activeren of deactiveren.")
    try:
        ap = register.patch_aanleverpunt(_tc(), rk, {"actief": wanted == "1"})
    except AdminError as exc:
        return redirect(url_for("tc_ui.register_page", fout=exc.fout) + "#aanleverpunten", 303)
    # outcome shown after a redirect, so a reload never posts twice
    return redirect(url_for("tc_ui.register_page", gewijzigd=ap["routeringskenmerk"])
                    + f"#ap-{ap['routeringskenmerk']}", 303)


# --- timeline --------------------------------------------------------------------------------

def _peer_base(role: str) -> str | None:
    """The peer's base URL as the operator configured it (ACTOR_URLS: `--las-url`/`--swv-url`).
    Never the register's aanleverpunt URL: anyone who can add or change an aanleverpunt would
    make the TC fetch an address of their choosing (server-side request forgery)."""
    return _actor_urls().get(role) or None


def _peer_auth(role: str, base: str) -> dict:
    """The TC's own API token, for a peer the operator configured (ACTOR_URLS) only: the demo
    and `oso-sim serve --token` give the three actors one token. A URL from the register may
    be anyone's system and never gets it."""
    if base != _actor_urls().get(role):
        return {}
    return {"Authorization": f"Bearer {current_app.config.get('API_TOKEN', '')}"}


def _peer_rows(role: str, koppeling: dict) -> tuple[list[dict], dict]:
    """The server rows a peer logged for this koppelsleutel, and how reading them went."""
    base = _peer_base(role)
    info = {"actor": PEER_ROLES[role], "url": base, "ok": False, "reden": None}
    if not base:
        info["reden"] = (f"geen adres ingesteld (start het Traffic Center met --{role}-url om het"
                         f" berichtenlog van de {PEER_ROLES[role]} te tonen)")
        return [], info
    try:
        resp = requests.get(f"{base}/api/berichten", timeout=PEER_TIMEOUT,
                            **requests_kwargs(current_app.config.get("TLS")),
                            headers=_peer_auth(role, base),
                            params={"koppelsleutel": koppeling["koppelsleutel"], "xml": "1",
                                    "limit": "1000"})
        resp.raise_for_status()
        rows = resp.json()["berichten"]
        if not isinstance(rows, list):
            raise ValueError("geen lijst")
    except requests.Timeout:
        info["reden"] = "geen antwoord binnen de tijd"
        return [], info
    except requests.RequestException as exc:
        info["reden"] = "niet bereikbaar" if exc.response is None else \
            f"HTTP {exc.response.status_code}"
        return [], info
    except (ValueError, KeyError, TypeError):
        info["reden"] = "geen berichtenlog in het verwachte formaat"
        return [], info
    info["ok"] = True
    rows = [r for r in rows if isinstance(r, dict)]
    for row in rows:
        row["bron_url"] = f"{base}/api/berichten/{row.get('id')}"
    return rows, info


def _tc_rows(koppeling: dict) -> list[dict]:
    rows = _log().entries(koppelsleutel=koppeling["koppelsleutel"], with_xml=True, limit=5000)
    rows += _melding_requests(koppeling, rows)
    for row in rows:
        row["bron_url"] = url_for("tc_api.bericht", entry_id=row["id"])
    return rows


def _melding_requests(koppeling: dict, rows: list[dict]) -> list[dict]:
    """The meldenNotificatie request carries no koppelsleutel yet (the TC hands it out in the
    response), so its log row is found as the latest earlier request for the same bron and doel."""
    found = []
    for out in rows:
        if out["operation"] != "meldenNotificatie" or out["direction"] != "out":
            continue
        candidates = _log().store.query(
            "SELECT id, ts, direction, side, operation, element, peer, koppelsleutel, sessie_id,"
            " outcome, http_status, duration_ms, xml FROM message_log"
            " WHERE side = 'server' AND direction = 'in' AND operation = 'meldenNotificatie'"
            " AND koppelsleutel IS NULL AND id < ? ORDER BY id DESC LIMIT 50", (out["id"],))
        for c in candidates:
            xml = c["xml"] or ""
            if koppeling["bron_routeringskenmerk"] in xml and \
                    koppeling["doel_routeringskenmerk"] in xml:
                found.append(dict(c))
                break
    return found


# [choice] path: a pasted value with a slash still gets the Dutch "not known" page
@bp.get("/koppelingen/<path:koppelsleutel>")
def timeline_page(koppelsleutel: str):
    k = koppelingen.een(_tc(), koppelsleutel)
    if k is None:
        return render_template("tc/niet_gevonden.html", koppelsleutel=koppelsleutel), 404
    logs, bronnen = {"TC": _tc_rows(k)}, []
    for role in ("las", "swv"):
        rows, info = _peer_rows(role, k)
        logs[PEER_ROLES[role]] = rows
        bronnen.append(info)
    messages = timeline.merge({lane: logs[lane] for lane in timeline.LANES})
    systemen = register.lane_systems(_tc(), k["bron_routeringskenmerk"], k["doel_routeringskenmerk"])
    details = [{"m": m, "tijd": timeline.clock(m.ts), "xml": timeline.pretty_xml(m.xml),
                "afzender": timeline.sender(m, systemen)} for m in messages]
    links = _raw_links(messages, logs)
    return render_template("tc/timeline.html", k=k, svg=Markup(timeline.svg(messages)),
                           berichten=details, links=links, bronnen=bronnen,
                           ontbreekt=[b for b in bronnen if not b["ok"]])


def _raw_links(messages, logs) -> dict[int, str]:
    """Message number -> URL of the raw log row (for messages whose XML was shortened)."""
    queues = {lane: sorted((r for r in rows if r.get("side") == "server"),
                           key=lambda r: r.get("id") or 0) for lane, rows in logs.items()}
    pos = {lane: 0 for lane in queues}
    links = {}
    for m in messages:  # merge kept each log's own order, so walking each queue in step works
        q = queues[m.logged_by]
        if pos[m.logged_by] < len(q):
            links[m.n] = q[pos[m.logged_by]].get("bron_url")
            pos[m.logged_by] += 1
    return links


# --- demo start page -------------------------------------------------------------------------

def _health(base: str | None) -> dict | None:
    if not base:
        return None
    try:
        resp = requests.get(f"{base}/api/health", timeout=HEALTH_TIMEOUT,
                            **requests_kwargs(current_app.config.get("TLS")))
        data = resp.json()
        return data if isinstance(data, dict) else None
    except (requests.RequestException, ValueError):
        return None


@bp.get("/demo")
def demo_page():
    urls = _actor_urls()
    actoren = []
    for role, naam, uitleg in (
            ("las", "LAS (school)", "Hier maakt de school de zorgvraag en verstuurt die."),
            ("tc", "Traffic Center", "Register, koppelingen en het volgordediagram per uitwisseling."),
            ("swv", "SWV-systeem", "Hier komt de aanvraag binnen, wordt het dossier opgehaald en "
                                   "gaat de terugkoppeling terug.")):
        base = urls.get(role) or ""
        health = {"actor": "tc", "ok": True} if role == "tc" else _health(base)
        actoren.append({"rol": role, "naam": naam, "uitleg": uitleg, "url": base,
                        "bereikbaar": bool(health and health.get("ok")), "health": health or {}})
    swv_health = next(a["health"] for a in actoren if a["rol"] == "swv")
    # [choice] The SWV's health may say whether it runs step by step; when it does not say,
    # the page explains where the step buttons are instead of guessing.
    stap = swv_health.get("step_mode", swv_health.get("stap_voor_stap"))
    trainer = current_app.config.get("TRAINER_SCENARIOS")
    uitkomst = trainer.uitkomst(request.args.get("uitkomst", 0, type=int)) if trainer else None
    return render_template("tc/demo.html", actoren=actoren, urls=urls, stap_voor_stap=stap,
                           koppelingen=koppelingen.alle(_tc())[-5:][::-1],
                           situaties=trainer.lijst() if trainer else None, uitkomst=uitkomst)


# [choice] The prepared situations are played by an object `oso-sim demo` hands the TC in its
# config (TRAINER_SCENARIOS): it drives the actors over their APIs, so the TC imports none of them.
@bp.post("/demo/situaties/<naam>")
def play_situatie(naam: str):
    trainer = current_app.config.get("TRAINER_SCENARIOS")
    if trainer is None:
        abort(404, description="Situaties zijn er alleen in 'oso-sim demo'.")
    try:
        uitkomst = trainer.speel(naam)
    except KeyError:
        abort(404, description=f"Onbekende situatie {naam!r}.")
    return redirect(url_for("tc_ui.demo_page", uitkomst=uitkomst.nummer) + "#situaties", 303)
