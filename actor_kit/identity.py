"""Who is calling: the OIN of the caller's client certificate, as the TLS server found it.

The TLS server (actor_kit.server, mutual TLS) verifies the peer's certificate chain against the
test PKI and puts the OIN from the certificate's subject serialNumber into the WSGI environ.
Without TLS (the loopback demo) there is no certificate and `caller_oin` is None: the actors then
take identity from the routeringskenmerk in the message, as the pages say.
"""
from __future__ import annotations

PEER_OIN = "oso_sim.peer_oin"          # str: OIN of a verified client certificate
PEER_CERT = "oso_sim.peer_cert_der"    # bytes: the verified client certificate (DER)


def caller_oin(environ) -> str | None:
    """The verified caller's OIN, or None when the call came without a (verified) certificate."""
    return environ.get(PEER_OIN) or None


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
