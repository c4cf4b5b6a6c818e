"""Mutual-TLS settings of one actor: which CA it trusts and which certificate it presents.

The same three files serve both directions: the actor's server demands a client certificate
chained to the CA, and the actor's outbound calls present its certificate and check the peer's
against the same CA. In an app's config they are `TLS = {"ca": path, "cert": path, "key": path}`.
"""
from __future__ import annotations

import os
import ssl
from dataclasses import dataclass


@dataclass(frozen=True)
class TlsFiles:
    ca: str
    cert: str
    key: str
    # False only for the LAS defect no_client_certificate_check: a server that asks no client
    # certificate, as behind a TLS proxy configured without one
    verify_clients: bool = True

    @classmethod
    def of(cls, value) -> "TlsFiles | None":
        """From a config value: a TlsFiles, a {"ca", "cert", "key"} mapping, or None/empty."""
        if not value:
            return None
        if isinstance(value, TlsFiles):
            return value
        try:
            return cls(os.fspath(value["ca"]), os.fspath(value["cert"]), os.fspath(value["key"]),
                       bool(value.get("verify_clients", True)))
        except (KeyError, TypeError):
            raise ValueError("TLS-instelling moet 'ca', 'cert' en 'key' bevatten.") from None

    def as_config(self) -> dict:
        return {"ca": self.ca, "cert": self.cert, "key": self.key}


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """Refuses the handshake unless the client shows a valid certificate chained to `files.ca`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(files.cert, files.key)
    ctx.load_verify_locations(cafile=files.ca)
    ctx.verify_mode = ssl.CERT_REQUIRED if files.verify_clients else ssl.CERT_NONE
    return ctx


def requests_kwargs(value) -> dict:
    """`verify=` and `cert=` for requests; empty without TLS (plain HTTP, default trust)."""
    files = TlsFiles.of(value)
    if files is None:
        return {}
    return {"verify": files.ca, "cert": (files.cert, files.key)}


def apply_to_session(session, value) -> None:
    """Make every call of a requests.Session present the certificate and trust only the CA."""
    kwargs = requests_kwargs(value)
    if kwargs:
        session.verify = kwargs["verify"]
        session.cert = kwargs["cert"]
