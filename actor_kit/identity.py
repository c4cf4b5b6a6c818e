"""Who is calling: the OIN of the caller's client certificate, as the TLS server found it.

The TLS server (actor_kit.server, mutual TLS) verifies the peer's certificate chain against the
test PKI and puts the OIN from the certificate's subject serialNumber into the WSGI environ.
Without TLS (the loopback demo) there is no certificate and `caller_oin` is None: the actors then
take identity from the routeringskenmerk in the message, as the pages say.
"""
from __future__ import annotations

import contextvars

PEER_OIN = "oso_sim.peer_oin"          # str: OIN of a verified client certificate
PEER_CERT = "oso_sim.peer_cert_der"    # bytes: the verified client certificate (DER)


def caller_oin(environ) -> str | None:
    """The verified caller's OIN, or None when the call came without a (verified) certificate."""
    return environ.get(PEER_OIN) or None


# the environ of the SOAP call being handled: the endpoint (actor_kit.soap_endpoint) runs outside
# Flask's request context, so `flask.request` does not hold it there
_serving: contextvars.ContextVar[dict | None] = contextvars.ContextVar("oso_sim_soap_environ",
                                                                      default=None)


def serving(environ) -> contextvars.Token:
    """Mark `environ` as the call being handled until `served(token)`."""
    return _serving.set(environ)


def served(token: contextvars.Token) -> None:
    _serving.reset(token)


def current_environ():
    """The WSGI environ of the call being handled: the SOAP call's, else the Flask request's,
    else None (outside any call)."""
    environ = _serving.get()
    if environ is not None:
        return environ
    from flask import has_request_context, request

    return request.environ if has_request_context() else None


def tls_enabled(config) -> bool:
    """True when the actor serves mutual TLS, so every OSO call must carry a certificate."""
    return bool(config.get("TLS"))


def oin_of(cert) -> str | None:
    """The OIN in a certificate's subject serialNumber (PKIoverheid's place for it), or None.

    `cert` is DER bytes (as `getpeercert(binary_form=True)` gives) or a cryptography
    Certificate.
    """
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    if cert is None:
        return None
    if isinstance(cert, (bytes, bytearray)):
        try:
            cert = x509.load_der_x509_certificate(bytes(cert))
        except ValueError:
            return None
    values = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    return str(values[0].value) if values else None
