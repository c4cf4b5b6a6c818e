"""What a certifier needs to know about a conformance run besides its outcomes: which oso-sim
(version, git commit), which Python, which selection, the configuration as it was read (secrets
redacted), the identity of the system under test, and when the run started and ended.

`describe_run` gives the "run" object of summary.json (the report and junit.xml show the same);
harness.cli.conformance writes the evidence bundle and the PDF when the command line asked for them.
"""
from __future__ import annotations

import platform
import re
import socket
import ssl
import subprocess
import sys
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from actor_kit.dutch_time import local

ROOT = Path(__file__).resolve().parents[2]
UNKNOWN = "onbekend"
REDACTED = "[weggelaten]"

# A key whose value may open a door: its value never leaves the machine in a report or bundle.
_SECRET_KEY = re.compile(r"(key|token|secret|password|passwd|wachtwoord|credential|auth|cookie|pin)",
                         re.IGNORECASE)
# ... and the same inside a command line or URL (trigger templates carry options and URLs):
# an option named like a secret (`--api-key X`, `--token=X`, `-password X`), an environment
# assignment of one (`env VENDOR_API_KEY=X cmd`, `VENDOR_TOKEN=X cmd`), the user part of a URL
# (`https://user:pass@host`, `https://token@host`) and an Authorization header
_SECRET_WORD = r"(?:token|secret|password|passwd|pass|pwd|wachtwoord|key|credentials?|auth\w*|bearer|cookie|session)"
# quoted as on a command line, or as the HTML report escapes the quotes
_QUOTED_OR_WORD = r"(&quot;.*?&quot;|&#x27;.*?&#x27;|&#39;.*?&#39;|\"[^\"]*\"|'[^']*'|[^\s\"'<]+)"
_SECRET_OPTION = re.compile(r"((?<![\w-])--?[\w-]*" + _SECRET_WORD + r"[\w-]*(?:=|\s+))" + _QUOTED_OR_WORD,
                            re.IGNORECASE)
_SECRET_ASSIGNMENT = re.compile(r"((?<![\w-])[A-Za-z_][\w]*" + _SECRET_WORD + r"\w*=)" + _QUOTED_OR_WORD,
                                re.IGNORECASE)
# a scheme starts where a word starts: without the lookbehind every position of a long run of
# word characters (base64 in a logged message) starts a search to the run's end, quadratic
_URL_CREDENTIALS = re.compile(r"(?<!\w)(\w+://)[^/@\s\"']+@")
_HEADER_SECRET = re.compile(r"((?:authorization|proxy-authorization|x-api-key|x-auth-token|cookie)\s*:\s*)"
                            r"([^\"'\n]+)", re.IGNORECASE)

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def dutch_moment(epoch: float | None) -> str:
    """1796064125.0 -> "30 november 2026 19:42:05 (CET)": Dutch local time with its zone."""
    if epoch is None:
        return UNKNOWN
    moment = local(datetime.fromtimestamp(epoch, UTC))
    return (f"{moment.day} {MONTHS[moment.month - 1]} {moment.year} {moment:%H:%M:%S}"
            f" ({moment.tzname() or 'UTC'})")


def dutch_duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".", ",")
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def oso_sim_version() -> str:
    from importlib import metadata
    try:
        return metadata.version("oso-sim")
    except metadata.PackageNotFoundError:
        return UNKNOWN


def git_commit(root: Path = ROOT) -> str:
    """The commit of a git checkout (with a note when files differ from it); "onbekend" for an
    installed package."""
    if not (root / ".git").exists():
        return UNKNOWN
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=False)
        if head.returncode != 0:
            return UNKNOWN
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    commit = head.stdout.strip()
    return commit + (" (met lokale wijzigingen)" if dirty.returncode == 0 and dirty.stdout.strip() else "")


def redact(value, key: str = ""):
    """The configuration with the values of secret-looking keys, command-line options and URL
    credentials replaced by "[weggelaten]"."""
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, key) for v in value]
    if key and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    return value


def redact_tree(value):
    """Every string of a JSON-like structure through redact_text (keys stay: they are ours)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_tree(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_tree(v) for v in value]
    return value


def redact_text(text: str) -> str:
    """A command line, URL or message with the secrets in it replaced by "[weggelaten]": every
    place that shows a trigger (the configuration in the reports and the bundle, pre-flight
    lines, the reasons of a trigger that could not run) passes its text through here."""
    if not text:
        return text
    text = _HEADER_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    text = _SECRET_OPTION.sub(lambda m: m.group(1) + REDACTED, text)
    text = _SECRET_ASSIGNMENT.sub(lambda m: m.group(1) + REDACTED, text)
    return _URL_CREDENTIALS.sub(lambda m: m.group(1) + REDACTED + "@", text)


def configuration(source: str | None) -> dict | None:
    """The configuration file as read, redacted; None for a run with every role simulated."""
    if not source:
        return None
    try:
        with open(source, "rb") as fh:
            return redact(tomllib.load(fh))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return {"fout": f"{source} niet te lezen: {exc}"}


def certificate_subject(path: str | None) -> str | None:
    """The subject of the first certificate in a PEM file, or None."""
    if not path:
        return None
    try:
        from cryptography import x509
        cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
    except (OSError, ValueError, ImportError):
        return None
    return _subject(cert)


def _subject(cert) -> str:
    # the OIN of a PKIoverheid certificate sits in serialNumber: name it instead of "2.5.4.5"
    from cryptography.x509.oid import NameOID
    return cert.subject.rfc4514_string({NameOID.SERIAL_NUMBER: "serialNumber"})


def server_certificate_subject(url: str | None, client_cert: str | None = None,
                               client_key: str | None = None, timeout: float = 3.0) -> str | None:
    """The subject of the certificate an https system presents, read in a handshake; None for
    plain HTTP or when it cannot be reached. Not verified here: this records who answered, the
    scenarios judge whether that was right."""
    parts = urlsplit(url or "")
    if parts.scheme != "https" or not parts.hostname:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        if client_cert:
            ctx.load_cert_chain(client_cert, client_key)
        with socket.create_connection((parts.hostname, parts.port or 443), timeout=timeout) as raw, \
                ctx.wrap_socket(raw, server_hostname=parts.hostname) as tls:
            der = tls.getpeercert(binary_form=True)
        from cryptography import x509
        return _subject(x509.load_der_x509_certificate(der)) if der else None
    except (OSError, ValueError, ImportError):
        return None


def sut_identity(config) -> list[dict]:
    """Per role under test: its URL, BRIN and aanleverpunt; under TLS the subject of the
    certificate it presented (`certificaat`) and of the client_cert the harness presents to it."""
    out = []
    for role in config.sut_roles:
        c = config.roles[role]
        row = {"rol": role, "url": c.base_url, "brin": c.brin, "routeringskenmerk": c.routeringskenmerk}
        server = server_certificate_subject(c.base_url, getattr(c, "client_cert", None),
                                            getattr(c, "client_key", None))
        if server:
            row["certificaat"] = server
        client = certificate_subject(getattr(c, "client_cert", None))
        if client:
            row["client_cert"] = client
        out.append(row)
    return out


def _version(dist: str) -> str:
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return UNKNOWN


def versions() -> dict:
    return {"oso-sim": oso_sim_version(), "python": platform.python_version(),
            **{d: _version(d) for d in ("lxml", "xmlschema", "pytest", "pytest-bdd")}}


def describe_run(run, *, finished: float | None = None) -> dict:
    """The "run" object of summary.json for a harness.cli.conformance.Prepared run."""
    finished = time.time() if finished is None else finished
    started = getattr(run, "started_at", None) or finished
    return {
        "oso_sim_versie": oso_sim_version(),
        "git_commit": git_commit(),
        "python": f"{platform.python_version()} ({sys.implementation.name})",
        "versies": versions(),
        "tags": run.selection.get("tags"),
        "configuratiebestand": getattr(run.config, "source", None),
        "configuratie": configuration(getattr(run.config, "source", None)),
        "systeem_onder_test": sut_identity(run.config),
        "verbinding": run.sut.get("verbinding"),
        "start": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "einde": datetime.fromtimestamp(finished, UTC).isoformat(timespec="seconds"),
        "start_nl": dutch_moment(started),
        "einde_nl": dutch_moment(finished),
        "duur_s": round(finished - started, 1),
        "duur_nl": dutch_duration(finished - started),
    }


def describe_refused(sut: dict | None, selection: dict | None) -> dict:
    """The "run" object of a run that was refused before it started: what was asked, with what."""
    now = time.time()
    source = (sut or {}).get("bron")
    moment = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    return {"oso_sim_versie": oso_sim_version(), "git_commit": git_commit(),
            "python": f"{platform.python_version()} ({sys.implementation.name})", "versies": versions(),
            "tags": (selection or {}).get("tags"), "configuratiebestand": source,
            "configuratie": configuration(source), "systeem_onder_test": [], "verbinding": None,
            "start": moment, "einde": moment, "start_nl": dutch_moment(now), "einde_nl": dutch_moment(now),
            "duur_s": 0.0, "duur_nl": dutch_duration(0.0)}
