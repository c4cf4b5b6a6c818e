"""A test switch that puts one TC operation "in storing" (out of order).

`POST /api/storing {"sessiecontrole": true}` makes /oso answer that operation with HTTP 503 and
an HTML page instead of SOAP, the way a proxy in front of a failing service answers; `false`
makes it work again; a number (`{"overdracht": 1}`) fails only that many next calls, a TC that
is down for a moment. `GET /api/storing` shows the switches. It exists so a conformance scenario
can check that a LAS refuses to serve a dossier when it cannot check the session (fail closed),
and that an SWV tries again later when the TC was down.
Nothing is logged for a request answered this way: the TC never saw it.
"""
from __future__ import annotations

import threading

from flask import Blueprint, Flask, jsonify, request

from oso_protocol.transport import codec
from oso_protocol.transport.messages import TC_OPERATIONS

STORING_PAGINA = (b"<html><head><title>503 Service Unavailable</title></head><body>"
                  b"<h1>Service Unavailable</h1><p>Het Traffic Center is tijdelijk niet"
                  b" beschikbaar.</p></body></html>")


class Storing:
    def __init__(self):
        self._lock = threading.Lock()
        self._uit: set[str] = set()
        self._aantal: dict[str, int] = {}   # operation -> calls still to fail

    def zet(self, operation: str, aan: bool | int) -> None:
        with self._lock:
            self._aantal.pop(operation, None)
            if isinstance(aan, bool):
                (self._uit.add if aan else self._uit.discard)(operation)
            elif aan > 0:
                self._uit.add(operation)
                self._aantal[operation] = aan
            else:
                self._uit.discard(operation)

    def actief(self, operation: str | None) -> bool:
        """Whether this call fails; counts it off a limited storing."""
        with self._lock:
            if operation not in self._uit:
                return False
            if operation in self._aantal:
                self._aantal[operation] -= 1
                if self._aantal[operation] <= 0:
                    del self._aantal[operation]
                    self._uit.discard(operation)
            return True

    @property
    def iets(self) -> bool:
        return bool(self._uit)

    def answer(self, data: bytes) -> tuple[int, str, bytes] | None:
        """The proxy's 503 page for a call of an operation in storing (actor_kit.soap_endpoint's
        Interceptor); None lets the call through."""
        if self.actief(codec.peek_operation(data)):
            return 503, "text/html; charset=utf-8", STORING_PAGINA
        return None

    def stand(self) -> dict[str, bool | int]:
        with self._lock:
            return {op: self._aantal.get(op, op in self._uit) for op in TC_OPERATIONS}


def register_storing(app: Flask, storing: Storing) -> Storing:
    """GET and POST /api/storing; the SOAP endpoint asks `storing` itself (its interceptor)."""
    bp = Blueprint("tc_storing", __name__, url_prefix="/api")

    @bp.get("/storing")
    def get_storing():
        return jsonify(storing.stand())

    @bp.post("/storing")
    def set_storing():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body:
            return jsonify({"fout": "Verwacht een JSON-object, bv. {\"sessiecontrole\": true}.",
                            "code": "OngeldigeInvoer"}), 400
        onbekend = sorted(k for k in body if k not in TC_OPERATIONS)
        if onbekend or not all(isinstance(v, bool) or (isinstance(v, int) and 0 <= v <= 1000)
                               for v in body.values()):
            return jsonify({"fout": f"Kies operaties uit {', '.join(TC_OPERATIONS)} met true, false of"
                                    " een aantal aanroepen (0 tot 1000)"
                                    f"{'; onbekend: ' + ', '.join(onbekend) if onbekend else ''}.",
                            "code": "OngeldigeInvoer"}), 400
        for operation, aan in body.items():
            storing.zet(operation, aan)
        return jsonify(storing.stand())

    app.register_blueprint(bp)
    app.extensions["oso_storing"] = storing
    return storing
