"""What every actor's web pages share: protection against other sites, the API token, safe
download names, security headers and the common look.

Forms must work without JavaScript, so protection is a double-submit token: a random value in a
SameSite=Strict cookie that each form repeats in a hidden field. The JSON API (/api/...) takes
only application/json bodies, which a browser cannot send to another site without a CORS
preflight that we never grant; the SOAP endpoint (/oso) likewise only takes text/xml
(soap_endpoint). On top of that any state-changing request that a browser marks as coming from
another origin (Origin, Sec-Fetch-Site) is refused, whatever the path.
"""
from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import Flask, abort, g, jsonify, request
from markupsafe import Markup, escape

from .access import require_token

COOKIE = "oso_sim_csrf"
FIELD = "csrf_token"
STATIC_DIR = Path(__file__).parent / "static"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
EXEMPT_PREFIXES = ("/oso", "/api/")
SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _token() -> str:
    tok = request.cookies.get(COOKIE)
    if not tok or len(tok) < 32:
        tok = getattr(g, "_new_csrf", None) or secrets.token_urlsafe(32)
        g._new_csrf = tok
    return tok


def register_web(app: Flask) -> None:
    """CSRF and cross-site protection, the API token, length limits on JSON text, security
    headers and the shared stylesheet at /kit/base.css."""
    from flask import Blueprint

    from .textlimits import register_text_limits

    csrf_protect(app)
    refuse_cross_site(app)
    app.context_processor(_identity_note)
    require_token(app)
    register_text_limits(app)  # after the token: a stranger learns nothing from a 400
    app.after_request(_security_headers)
    if "oso_kit" not in app.blueprints:
        app.register_blueprint(Blueprint("oso_kit", __name__, static_folder=str(STATIC_DIR),
                                         static_url_path="/kit"))


def _identity_note() -> dict:
    """What every page says about how callers are known: by certificate under mutual TLS, or in
    the loopback demo only by the routeringskenmerk in the message (docs/security.md)."""
    from flask import current_app

    from .identity import tls_enabled

    if tls_enabled(current_app.config):
        return {"identiteit_melding": "Wederzijdse TLS: elke OSO-aanroep toont een certificaat met"
                                      " OIN uit de test-PKI, en wordt daaraan getoetst."}
    return {"identiteit_melding": "Demo zonder certificaten: wie belt, blijkt hier alleen uit het"
                                  " routeringskenmerk in het bericht. Echte OSO-systemen kennen elkaar"
                                  " aan hun PKIoverheid-certificaat (start met --tls om dat te tonen)."}


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


# --- other sites ---------------------------------------------------------------------------------

def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _refuse(status: int, tekst: str, code: str):
    if request.path.startswith(("/api/", "/oso")):
        resp = jsonify({"fout": tekst, "code": code})
        resp.status_code = status
        return resp
    page = (f'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Geweigerd</title>'
            f'<link rel="stylesheet" href="/kit/base.css"></head><body><main>'
            f"<h1>Geweigerd</h1><p>{escape(tekst)}</p></main></body></html>")
    return page, status, {"Content-Type": "text/html; charset=utf-8"}


def wants_json() -> bool:
    """Whether an error goes out as JSON: for the API paths, and for a client that asks for JSON
    rather than HTML; a browser (and a client that states no preference) gets a page."""
    if request.path.startswith("/api/"):
        return True
    accept = request.accept_mimetypes
    return accept.quality("application/json") > accept.quality("text/html")


def allow_header(exc) -> dict:
    """The Allow header of a 405: which methods the address does take, as HTTP wants."""
    methods = getattr(exc, "valid_methods", None)
    return {"Allow": ", ".join(methods)} if methods else {}


def method_not_allowed(exc, page):
    """A 405 in Dutch: JSON for the API, /oso and JSON clients, else `page(tekst)`, the actor's
    own page with a way home."""
    tekst = f"De methode {request.method} is op dit adres niet toegestaan."
    if wants_json() or request.path.startswith("/oso"):
        return jsonify({"fout": tekst, "code": "Onbekend"}), 405, allow_header(exc)
    return page(tekst), 405, allow_header(exc)


def _cross_site(public_url: str | None) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() not in {_origin(request.host_url), _origin(public_url)}
    return request.headers.get("Sec-Fetch-Site", "") in ("cross-site", "same-site")


def refuse_cross_site(app: Flask) -> None:
    @app.before_request
    def _guard():
        if request.method not in UNSAFE or request.path.startswith("/oso"):
            return None
        if _cross_site(app.config.get("PUBLIC_URL")):
            return _refuse(403, "Dit verzoek komt van een andere website en wordt geweigerd.",
                           "AndereHerkomst")
        if request.path.startswith("/api/"):
            has_body = bool(request.content_length) or "Content-Type" in request.headers
            if has_body and request.mimetype != "application/json":
                return _refuse(415, "De API neemt alleen JSON aan (Content-Type: application/json).",
                               "OngeldigeInvoer")
        return None


def _security_headers(resp):
    for name, value in SECURITY_HEADERS.items():
        resp.headers.setdefault(name, value)
    return resp


# --- downloads -----------------------------------------------------------------------------------

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def content_disposition(naam: str, fallback: str = "bestand") -> str:
    """`attachment` with a name that cannot break the header (RFC 6266).

    Line breaks, other control and format characters, quotes, backslashes and path separators
    are dropped; `filename` carries an ASCII form for old clients, `filename*` the name in UTF-8.
    """
    clean = "".join(ch for ch in str(naam or "")
                    if ch == " " or (unicodedata.category(ch)[0] not in "CZ"
                                     and ch not in '"\\/'))
    clean = clean.strip(" .") or fallback
    ascii_name = "".join(ch if " " <= ch < "\x7f" else "_" for ch in clean)
    if not _TOKEN.fullmatch(ascii_name):
        ascii_name = f'"{ascii_name}"'
    return f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(clean, safe='')}"
