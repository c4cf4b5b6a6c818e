"""The TC's JSON API (docs/actors.md): health, register admin, koppelingen, message log."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from actor_kit.messagelog import MessageLog
from oso_protocol.transport import faults

from . import koppelingen, register
from .context import TrafficCenter
from .register import AdminError

KINDS = ("schools", "systems", "mandates", "aanleverpunten")


def fout(status: int, text: str, code: str = faults.ONGELDIG_BERICHT):
    return jsonify({"fout": text, "code": code}), status


def _json_body():
    data = request.get_json(silent=True)
    if data is None:
        raise AdminError(400, "Verwacht een JSON-body (Content-Type: application/json).")
    return data


def api_blueprint(tc: TrafficCenter, messagelog: MessageLog) -> Blueprint:
    bp = Blueprint("tc_api", __name__, url_prefix="/api")

    @bp.errorhandler(AdminError)
    def admin_error(exc: AdminError):
        return fout(exc.status, exc.fout, exc.code)

    @bp.get("/health")
    def health():
        return jsonify({"actor": "tc", "ok": True})

    @bp.get("/register")
    def get_register():
        return jsonify(register.snapshot(tc))

    @bp.post("/register/<kind>")
    def create(kind: str):
        if kind not in KINDS:
            raise AdminError(404, f"Onbekend registeronderdeel '{kind}' (wel: {', '.join(KINDS)}).")
        return jsonify(register.add(tc, kind, _json_body())), 201

    @bp.patch("/register/aanleverpunten/<rk>")
    def patch_aanleverpunt(rk: str):
        return jsonify(register.patch_aanleverpunt(tc, rk, _json_body()))

    @bp.delete("/register/aanleverpunten/<rk>")
    def delete_aanleverpunt(rk: str):
        register.delete_aanleverpunt(tc, rk)
        return jsonify({"verwijderd": rk.upper()})

    @bp.delete("/register/mandates")
    def delete_mandate():
        body = _json_body()
        register.delete_mandate(tc, body)
        return jsonify({"verwijderd": body})

    @bp.get("/koppelingen")
    def get_koppelingen():
        return jsonify({"koppelingen": koppelingen.alle(tc)})

    @bp.get("/koppelingen/<koppelsleutel>")
    def get_koppeling(koppelsleutel: str):
        k = koppelingen.een(tc, koppelsleutel)
        if k is None:
            return fout(404, f"Koppelsleutel {koppelsleutel} is niet bekend.",
                        faults.KOPPELSLEUTEL_ONBEKEND)
        return jsonify(k)

    @bp.get("/berichten")
    def berichten():
        try:
            after_id = int(request.args.get("after_id", 0))
            limit = int(request.args.get("limit", 500))
        except ValueError:
            return fout(400, "after_id en limit moeten gehele getallen zijn.")
        with_xml = request.args.get("xml", "0") in ("1", "true", "ja")
        rows = messagelog.entries(koppelsleutel=request.args.get("koppelsleutel") or None,
                                  sessie_id=request.args.get("sessie_id") or None,
                                  after_id=after_id, limit=max(1, min(limit, 5000)),
                                  with_xml=with_xml)
        return jsonify({"berichten": rows})

    @bp.get("/berichten/<int:entry_id>")
    def bericht(entry_id: int):
        row = messagelog.get(entry_id)
        if row is None:
            return fout(404, f"Bericht {entry_id} bestaat niet.", "Onbekend")
        return jsonify(row)

    return bp
