"""Who may use an actor's JSON API and web pages: the operator, by API token or certificate.

Every actor has one token (config API_TOKEN, else a random one made at start that `oso-sim serve`
and `oso-sim demo` print). It is required when the actor can be reached from elsewhere: its
PUBLIC_URL names a host that is not loopback, a request comes from a non-loopback address, or
config REQUIRE_TOKEN is set. On loopback without REQUIRE_TOKEN the trainer's demo keeps working
without one.

Under mutual TLS every caller shows a certificate of the test PKI, and a certificate is a role:
the operator's (pki.OPERATOR_ID, for the harness and the person at the browser) opens the API and
pages like the token, wherever the call comes from; a system's certificate (the register's
systems, the TC) is for the SOAP endpoint only and gets 403 on the API and pages unless the
token comes with it, on loopback too. Otherwise another vendor's SWV could read every dossier
from the message log or rewrite the register.

Programs send `Authorization: Bearer <token>`; a person types the token once on /inloggen and
gets a cookie (SameSite=Strict, HttpOnly) holding a value derived from it, never the token
itself. Left open: the SOAP endpoint (/oso, the machine interface between the actors, guarded by
TLS), /api/health, the static files and the login page.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from flask import Flask, current_app, jsonify, redirect, render_template_string, request

from . import identity, pki
from .tls import TlsFiles

COOKIE = "oso_sim_toegang"
LOGIN_PATH = "/inloggen"
OPEN_PATHS = ("/oso", "/api/health", LOGIN_PATH, "/favicon.ico")

LOGIN_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Inloggen - oso-sim</title>
<link rel="stylesheet" href="/kit/base.css"></head>
<body><main style="max-width:32rem;margin:3rem auto">
<h1>Inloggen</h1>
<p>Dit systeem is van buitenaf bereikbaar. Vul het API-token in dat <code>oso-sim serve</code>
of <code>oso-sim demo</code> bij het starten toonde.</p>
{% if fout %}<p class="fout" role="alert">{{ fout }}</p>{% endif %}
<form method="post" action="{{ login_path }}">
  {{ csrf_field() }}
  <input type="hidden" name="volgende" value="{{ volgende }}">
  <label for="token">API-token</label>
  <input id="token" name="token" type="password" autocomplete="off" required autofocus>
  <button type="submit">Inloggen</button>
</form></main></body></html>
"""


def _truthy(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "ja", "yes", "on")


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_always_required(config) -> bool:
    """True when the configuration alone says every caller must show the token."""
    if _truthy(config.get("REQUIRE_TOKEN", False)):
        return True
    public = config.get("PUBLIC_URL")
    if public and not is_loopback(urlsplit(public).hostname):
        return True
    host = config.get("HOST")
    return bool(host) and not is_loopback(host)


def _cookie_value(token: str) -> str:
    return hmac.new(token.encode(), b"oso-sim-toegang", hashlib.sha256).hexdigest()


def _shows_token(token: str) -> bool:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return hmac.compare_digest(auth[7:].strip().encode(), token.encode())
    cookie = request.cookies.get(COOKIE, "")
    return bool(cookie) and hmac.compare_digest(cookie.encode(), _cookie_value(token).encode())


def _is_open() -> bool:
    path = request.path
    if path in OPEN_PATHS or path.startswith("/oso/"):
        return True
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


FORBIDDEN_PAGE = """<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>Geen toegang - oso-sim</title>
<link rel="stylesheet" href="/kit/base.css"></head>
<body><main style="max-width:36rem;margin:3rem auto">
<h1>Geen toegang</h1>
<p class="fout" role="alert">{{ melding }}</p>
</main></body></html>
"""


def operator_oins(config) -> frozenset[str]:
    """The OINs whose certificate is the operator's (config OPERATOR_OIN: one or a list)."""
    value = config.get("OPERATOR_OIN") or pki.OPERATOR_OIN
    return frozenset([value] if isinstance(value, str) else value)


def operator_fingerprint(config) -> bytes | None:
    """SHA-256 of the operator certificate (config OPERATOR_CERT, else the harnas.pem that
    `pki init` wrote next to the actor's own certificate), or None when there is none to read.

    With it only that very certificate is the operator's: a CA trusted besides the test CA (a
    vendor's, in a conformance run) could otherwise issue its own certificate with the
    operator's OIN."""
    path = config.get("OPERATOR_CERT")
    if not path:
        try:
            files = TlsFiles.of(config.get("TLS"))
        except ValueError:
            return None
        if files is None:
            return None
        path = Path(files.cert).parent / f"{pki.OPERATOR_ID}.pem"
    try:
        cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
    except (OSError, ValueError):
        return None
    return cert.fingerprint(hashes.SHA256())


def _certificate_role(config, pin: bytes | None) -> str | None:
    """"operator" or "systeem" for a verified client certificate under TLS; None without one."""
    if not identity.tls_enabled(config):
        return None
    environ = request.environ
    oin = identity.caller_oin(environ)
    der = environ.get(identity.PEER_CERT)
    if not oin and not der:
        return None
    if pin is not None and der:
        return "operator" if hmac.compare_digest(hashlib.sha256(der).digest(), pin) else "systeem"
    return "operator" if oin in operator_oins(config) else "systeem"


def _system_refused():
    oin = identity.caller_oin(request.environ)
    wie = f"OIN {oin}" if oin else "zonder OIN"
    melding = (f"Het certificaat van deze aanroeper ({wie}) is niet het beheerderscertificaat;"
               f" dat van een OSO-systeem geeft alleen toegang tot de SOAP-koppeling (/oso)."
               f" De API en de pagina's zijn voor de"
               f" beheerder: gebruik het beheerderscertificaat ({pki.OPERATOR_ID}.pem, in de"
               f" browser {pki.OPERATOR_ID}.p12) of het API-token.")
    if request.path.startswith("/api/"):
        resp = jsonify({"fout": melding, "code": "GeenToegang"})
        resp.status_code = 403
        return resp
    return render_template_string(FORBIDDEN_PAGE, melding=melding), 403


def _safe_next(value: str | None) -> str:
    # only a path on this actor: an absolute or scheme-relative URL would make us an open redirect
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def require_token(app: Flask) -> None:
    """Make or take the actor's token and guard the API and pages with it and, under TLS, with
    the caller's certificate."""
    token = str(app.config.get("API_TOKEN") or "") or secrets.token_urlsafe(24)
    app.config["API_TOKEN"] = token
    always = token_always_required(app.config)
    pin = operator_fingerprint(app.config)

    @app.before_request
    def _check_token():
        if _is_open():
            return None
        if _shows_token(token):
            return None
        role = _certificate_role(app.config, pin)
        if role == "operator":
            return None
        if role == "systeem":
            return _system_refused()
        if not always and is_loopback(request.remote_addr):
            return None
        if request.path.startswith("/api/"):
            resp = jsonify({"fout": "Geef het API-token mee (Authorization: Bearer <token>).",
                            "code": "NietGeautoriseerd"})
            resp.status_code = 401
            resp.headers["WWW-Authenticate"] = 'Bearer realm="oso-sim"'
            return resp
        if request.method in ("GET", "HEAD"):
            return redirect(f"{LOGIN_PATH}?volgende={quote(request.full_path.rstrip('?'))}", 303)
        return _login_page("Log eerst in met het API-token.", "/", 401)

    app.add_url_rule(LOGIN_PATH, "oso_kit_inloggen", _login, methods=["GET", "POST"])


def _login_page(fout: str | None, volgende: str, status: int = 200):
    return render_template_string(LOGIN_PAGE, fout=fout, volgende=volgende,
                                  login_path=LOGIN_PATH), status


def _login():
    token = current_app.config["API_TOKEN"]
    volgende = _safe_next(request.values.get("volgende"))
    if request.method == "GET":
        return _login_page(None, volgende)
    given = (request.form.get("token") or "").strip()
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        return _login_page("Dat token klopt niet.", volgende, 401)
    resp = redirect(volgende, 303)
    resp.set_cookie(COOKIE, _cookie_value(token), httponly=True, samesite="Strict", path="/",
                    secure=request.is_secure)
    return resp
