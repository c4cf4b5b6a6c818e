"""What every actor's web pages share: CSRF protection for forms and the common look.

Forms must work without JavaScript, so protection is a double-submit token: a random value in a
SameSite=Strict cookie that each form repeats in a hidden field. The SOAP endpoint (/oso) and the
JSON API (/api/...) are machine interfaces and are not covered: a browser cannot post SOAP or JSON
cross-site without a CORS preflight that we never grant.
"""
from __future__ import annotations

import hmac
import secrets
from pathlib import Path

from flask import Flask, abort, g, request
from markupsafe import Markup

COOKIE = "oso_sim_csrf"
FIELD = "csrf_token"
STATIC_DIR = Path(__file__).parent / "static"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
EXEMPT_PREFIXES = ("/oso", "/api/")


def _token() -> str:
    tok = request.cookies.get(COOKIE)
    if not tok or len(tok) < 32:
        tok = getattr(g, "_new_csrf", None) or secrets.token_urlsafe(32)
        g._new_csrf = tok
    return tok


def register_web(app: Flask) -> None:
    """CSRF protection plus the shared stylesheet at /kit/base.css."""
    from flask import Blueprint

    csrf_protect(app)
    if "oso_kit" not in app.blueprints:
        app.register_blueprint(Blueprint("oso_kit", __name__, static_folder=str(STATIC_DIR),
                                         static_url_path="/kit"))


def csrf_protect(app: Flask) -> None:
    @app.before_request
    def _check():
        if request.method not in UNSAFE or request.path.startswith(EXEMPT_PREFIXES):
            return None
        cookie = request.cookies.get(COOKIE, "")
        sent = request.form.get(FIELD, "") or request.headers.get("X-CSRF-Token", "")
        if not cookie or not sent or not hmac.compare_digest(cookie, sent):
            abort(400, description="Het formulier is verlopen of komt niet van deze pagina. "
                                   "Laad de pagina opnieuw en probeer het nog eens.")
        return None

    @app.after_request
    def _set_cookie(resp):
        new = getattr(g, "_new_csrf", None)
        if new:
            resp.set_cookie(COOKIE, new, httponly=True, samesite="Strict", path="/")
        return resp

    @app.context_processor
    def _inject():
        return {
            "csrf_token": _token,
            "csrf_field": lambda: Markup(
                f'<input type="hidden" name="{FIELD}" value="{_token()}">'),
        }
