"""A throw-away test PKI in the style of PKIoverheid: one CA, one certificate per system.

Real OSO traffic runs over mutual TLS with PKIoverheid certificates, and the caller is the OIN in
the subject serialNumber of its certificate. This module makes the same shape for loopback tests:
a test CA, a certificate per system of the register (OIN in serialNumber, O = system name,
CN = localhost, SAN localhost + 127.0.0.1, usable as server AND client certificate), one for the
Traffic Center, one for the operator, and deliberately bad certificates for the tests that prove
the handshake refuses them.

The operator certificate is a role of its own, not a system of the register: the harness and the
person at the browser use it for the actors' JSON API and pages, which a system's certificate
does not open (actor_kit.access). Its files keep the name harnas.* that every caller and the docs
use.

Layout of DIR (fixed, so tests and docs can name the files):

    ca.pem, ca.key                    the test CA
    <system-id>.pem, <system-id>.key  one per system, plus tc.* and harnas.*
    harnas.p12                        the operator certificate for a browser (password: oso-sim)
    andere-ca.pem, andere-ca.key      a second CA that nobody trusts
    slecht/verlopen.*                 las-system certificate, right CA, expired
    slecht/andere-ca.*                las-system certificate signed by the other CA
    slecht/verkeerde-oin.*            right CA, valid, but an OIN of no system in the register
    pki.json                          which id has which OIN and files
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# [choice] Invented test OINs: prefix 00000003 (OIN derived from a KvK number) + an 8-digit
# number that is no real KvK registration + 0000. See docs/protocol-assumptions.md.
TC_ID = "tc"
TC_NAME = "oso-sim Traffic Center"
TC_OIN = "00000003900000010000"
OPERATOR_ID = "harnas"
OPERATOR_NAME = "oso-sim beheerder (harnas en browser)"
OPERATOR_OIN = "00000003900000020000"
OPERATOR_UNIT = "beheerder, geen OSO-systeem"  # OU, so a person sees the role in the browser
# the harness is the operator's program, and its callers know the certificate by this name
HARNESS_ID, HARNESS_NAME, HARNESS_OIN = OPERATOR_ID, OPERATOR_NAME, OPERATOR_OIN
UNKNOWN_OIN = "00000003999999990000"   # the verkeerde-oin certificate: belongs to nobody
BROWSER_PASSWORD = "oso-sim"
HOST = "localhost"

BAD = ("verlopen", "andere-ca", "verkeerde-oin")
MANIFEST = "pki.json"


class PkiError(ValueError):
    """The register cannot be turned into certificates (missing or bad OIN, duplicate)."""


@dataclass(frozen=True)
class Issued:
    """One certificate written to DIR."""

    id: str
    naam: str
    oin: str
    cert: Path
    key: Path


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _new_key() -> ec.EllipticCurvePrivateKey:
    # [choice] ECDSA P-256 instead of PKIoverheid's RSA: generating a PKI takes milliseconds,
    # which matters for tests that make one per run. TLS verification works the same way.
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key) -> None:
    data = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
    _write_private(path, data)


def _write_private(path: Path, data: bytes) -> None:
    """Write a secret as a new file of mode 0600 that replaces the old one. Opening the old file
    would keep its mode (a key once made 0644 stays world-readable) and follow a link put in its
    place; a fresh file renamed over it has neither problem."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _ca(name: str, not_before: dt.datetime, not_after: dt.datetime):
    key = _new_key()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "oso-sim (test, geen PKIoverheid)"),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def _leaf(ca_cert, ca_key, *, naam: str, oin: str, not_before: dt.datetime,
          not_after: dt.datetime, unit: str | None = None):
    key = _new_key()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "NL"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, naam),
        *([x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit)] if unit else []),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, oin),
        x509.NameAttribute(NameOID.COMMON_NAME, HOST),
    ])
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            # one certificate per system for both directions, as an OSO system both serves
            # and calls
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def _is_oin(value) -> bool:
    return isinstance(value, str) and len(value) == 20 and value.isdigit()


def systems_of(scenario: dict) -> list[dict]:
    """The register's systems as {id, naam, oin}; every one must carry a distinct 20-digit OIN."""
    rows = ((scenario or {}).get("register") or {}).get("systems") or []
    systems, seen = [], {TC_OIN: TC_ID, HARNESS_OIN: HARNESS_ID, UNKNOWN_OIN: "verkeerde-oin"}
    for row in rows:
        sid = str(row.get("id") or "").strip()
        oin = row.get("oin")
        if not sid:
            raise PkiError("Een systeem in het register heeft geen id.")
        if sid in (TC_ID, HARNESS_ID) or sid in BAD or "/" in sid or sid.startswith("."):
            raise PkiError(f"Systeem-id '{sid}' is als bestandsnaam in de PKI niet bruikbaar.")
        if not _is_oin(oin):
            raise PkiError(f"Systeem {sid} heeft geen geldige OIN in het register "
                           f"(verwacht 20 cijfers, kreeg {oin!r}).")
        if oin in seen:
            raise PkiError(f"OIN {oin} van systeem {sid} is al van {seen[oin]}.")
        seen[oin] = sid
        systems.append({"id": sid, "naam": str(row.get("naam") or sid), "oin": oin})
    return systems


def init(directory: str | os.PathLike, scenario: dict) -> list[Issued]:
    """Write a fresh test PKI for the scenario's register into `directory`; returns what it made.

    Existing files of an earlier PKI are overwritten, so every certificate in DIR belongs to the
    CA in DIR.
    """
    systems = systems_of(scenario)
    root = Path(directory)
    (root / "slecht").mkdir(parents=True, exist_ok=True)
    now = _now()
    start, end = now - dt.timedelta(hours=1), now + dt.timedelta(days=2 * 365)
    ca_cert, ca_key = _ca("oso-sim test-CA", now - dt.timedelta(days=1), now + dt.timedelta(days=10 * 365))
    _write_cert(root / "ca.pem", ca_cert)
    _write_key(root / "ca.key", ca_key)
    other_cert, other_key = _ca("oso-sim andere CA (niet vertrouwd)", now - dt.timedelta(days=1),
                                now + dt.timedelta(days=10 * 365))
    _write_cert(root / "andere-ca.pem", other_cert)
    _write_key(root / "andere-ca.key", other_key)

    issued: list[Issued] = []

    def issue(rel: str, sid: str, naam: str, oin: str, *, ca=(ca_cert, ca_key),
              not_before=start, not_after=end, unit=None) -> Issued:
        cert, key = _leaf(*ca, naam=naam, oin=oin, not_before=not_before, not_after=not_after,
                          unit=unit)
        item = Issued(sid, naam, oin, root / f"{rel}.pem", root / f"{rel}.key")
        _write_cert(item.cert, cert)
        _write_key(item.key, key)
        issued.append(item)
        return item

    for s in systems:
        issue(s["id"], s["id"], s["naam"], s["oin"])
    issue(TC_ID, TC_ID, TC_NAME, TC_OIN)
    harness = issue(OPERATOR_ID, OPERATOR_ID, OPERATOR_NAME, OPERATOR_OIN, unit=OPERATOR_UNIT)
    _write_browser_bundle(root / "harnas.p12", harness, ca_cert)

    # the bad ones impersonate the first LAS system, so only the defect under test differs
    victim = next((s for s in systems if _soort(scenario, s["id"]) == "LAS"),
                  systems[0] if systems else {"id": HARNESS_ID, "naam": HARNESS_NAME, "oin": HARNESS_OIN})
    issue("slecht/verlopen", "verlopen", victim["naam"], victim["oin"],
          not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1))
    issue("slecht/andere-ca", "andere-ca", victim["naam"], victim["oin"], ca=(other_cert, other_key))
    issue("slecht/verkeerde-oin", "verkeerde-oin", victim["naam"], UNKNOWN_OIN)

    manifest = {"ca": "ca.pem", "andere_ca": "andere-ca.pem",
                "certificaten": {i.id: {"naam": i.naam, "oin": i.oin,
                                        "cert": i.cert.relative_to(root).as_posix(),
                                        "key": i.key.relative_to(root).as_posix()}
                                 for i in issued}}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return issued


def _soort(scenario: dict, sid: str) -> str | None:
    for row in ((scenario or {}).get("register") or {}).get("systems") or []:
        if str(row.get("id")) == sid:
            return str(row.get("soort") or "").upper()
    return None


def _write_browser_bundle(path: Path, item: Issued, ca_cert) -> None:
    key = serialization.load_pem_private_key(item.key.read_bytes(), None)
    cert = x509.load_pem_x509_certificate(item.cert.read_bytes())
    data = pkcs12.serialize_key_and_certificates(
        item.id.encode(), key, cert, [ca_cert],
        serialization.BestAvailableEncryption(BROWSER_PASSWORD.encode()))
    _write_private(path, data)


def files_for(directory: str | os.PathLike, system_id: str) -> dict:
    """The TLS config of one system from a PKI directory: {"ca", "cert", "key"} (str paths)."""
    root = Path(directory)
    cert, key = root / f"{system_id}.pem", root / f"{system_id}.key"
    for path in (root / "ca.pem", cert, key):
        if not path.is_file():
            raise PkiError(f"{path} ontbreekt: maak de PKI met 'oso-sim pki init {directory}'"
                           f" met hetzelfde scenario.")
    return {"ca": str(root / "ca.pem"), "cert": str(cert), "key": str(key)}


def read_manifest(directory: str | os.PathLike) -> dict:
    return json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
