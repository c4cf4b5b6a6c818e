"""TC pages for refused meldenNotificatie calls: the list per school and aanleverpunt with the
result code, and the timeline of one refusal (the LAS's request and the TC's fault answer).

Also as JSON at /api/weigeringen, so a test or a trainer's script can read what the TC refused.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from markupsafe import Markup

from . import register, timeline, weigeringen

bp = Blueprint("tc_weigeringen", __name__, template_folder="templates")


def _tc():
    return current_app.extensions["oso_mock"]


def _namen(tc) -> tuple[dict, dict]:
    snap = register.snapshot(tc)
    scholen = {s["brin"]: s["naam"] for s in snap["schools"]}
    aanleverpunten = {a["routeringskenmerk"]: a["naam"] for a in snap["aanleverpunten"]}
    return scholen, aanleverpunten


@bp.get("/weigeringen")
def lijst():
    tc = _tc()
    rows = weigeringen.alle(tc)
    scholen, aanleverpunten = _namen(tc)
    return render_template("tc/weigeringen.html", rijen=rows, groepen=weigeringen.per_school(rows),
                           scholen=scholen, aanleverpunten=aanleverpunten)


@bp.get("/weigeringen/<int:weigering_id>")
def tijdlijn(weigering_id: int):
    tc = _tc()
    w = weigeringen.een(tc, weigering_id)
    if w is None:
        rows = weigeringen.alle(tc)
        scholen, aanleverpunten = _namen(tc)
        return render_template("tc/weigeringen.html", rijen=rows,
                               groepen=weigeringen.per_school(rows), scholen=scholen,
                               aanleverpunten=aanleverpunten, onbekend=weigering_id), 404
    log = current_app.extensions["oso_sim_messagelog"]
    rows = weigeringen.berichten(log, w)
    messages = timeline.merge({"LAS": [], "TC": rows, "SWV": []})
    systemen = register.lane_systems(tc, w.get("bron_routeringskenmerk"), w.get("doel_routeringskenmerk"))
    details = [{"m": m, "tijd": timeline.clock(m.ts), "xml": timeline.pretty_xml(m.xml),
                "afzender": timeline.sender(m, systemen)} for m in messages]
    scholen, aanleverpunten = _namen(tc)
    return render_template("tc/weigering.html", w=w, svg=Markup(timeline.svg(messages)),
                           berichten=details, links={}, scholen=scholen,
                           aanleverpunten=aanleverpunten,
                           leeg_tekst=" voor deze weigering (het berichtenlog is leeg of gewist)")


@bp.get("/api/weigeringen")
def api_lijst():
    return jsonify({"weigeringen": weigeringen.alle(_tc())})
