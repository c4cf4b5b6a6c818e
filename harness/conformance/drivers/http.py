"""HTTP towards the roles, always with a timeout, every failure a DriverError naming role and URL.

A scenario that meets an unreachable system, an HTML page or garbage must fail with a message a
vendor can act on, and must never hang.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import requests

from actor_kit.http_session import Session
from actor_kit.messagelog import now_iso
from oso_protocol.transport import codec
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import NS, Message

LABEL = {"las": "LAS", "swv": "SWV", "tc": "TC", "peer": "harnas-peer"}


class DriverError(AssertionError):
    """A role could not be reached or answered nonsense. An AssertionError, so pytest reports
    the scenario as failed with this message rather than as a crash of the harness."""


def _why(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS-handshake mislukt (certificaat geweigerd of niet vertrouwd)"
    if isinstance(exc, requests.Timeout):
        return "geen antwoord binnen de tijdslimiet (timeout)"
    if isinstance(exc, requests.ConnectionError):
        return "verbinding geweigerd of adres onbereikbaar"
    return type(exc).__name__


def _session(verify=None, cert=None) -> Session:
    """`verify`: CA bundle path (or False); `cert`: client certificate path or (cert, key) paths,
    e.g. a vendor's test system and the certificate it was given for the harness."""
    http = Session()
    if verify is not None:
        http.verify = verify
    if cert:
        http.cert = cert
    return http


@dataclass
class Answer:
    status: int
    body: object

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def fout(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("fout") or self.body.get("code") or "")
        return ""


class JsonApi:
    """The JSON API of a simulated actor (or anything that speaks the same contract)."""

    def __init__(self, role: str, base_url: str, timeout: float = 10.0, verify=None, cert=None,
                 token: str | None = None):
        self.role = role
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = _session(verify, cert)
        if token:  # the actor's API token, required when it listens off loopback
            self.http.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, *, timeout: float | None = None, **kw) -> Answer:
        url = self.base_url + path
        try:
            resp = self.http.request(method, url, timeout=timeout or self.timeout, **kw)
        except requests.RequestException as exc:
            raise DriverError(f"{LABEL[self.role]} op {url}: {_why(exc)}") from None
        if "json" not in resp.headers.get("Content-Type", "") and resp.status_code != 204:
            if method == "GET" and path.endswith("/dossier") and resp.ok:
                return Answer(resp.status_code, resp.content)
            raise DriverError(f"{LABEL[self.role]} op {url} gaf geen JSON (HTTP {resp.status_code},"
                              f" {resp.headers.get('Content-Type') or 'geen Content-Type'}):"
                              f" {resp.text[:120]!r}")
        try:
            body = resp.json() if resp.content else None
        except ValueError:
            raise DriverError(f"{LABEL[self.role]} op {url} gaf onleesbare JSON"
                              f" (HTTP {resp.status_code})") from None
        return Answer(resp.status_code, body)

    def get(self, path: str, **kw):
        return self._ok("GET", path, **kw)

    def _ok(self, method: str, path: str, **kw):
        answer = self.request(method, path, **kw)
        if not answer.ok:
            raise DriverError(f"{LABEL[self.role]} weigerde {method} {path} (HTTP {answer.status}):"
                              f" {answer.fout}")
        return answer.body

    def post(self, path: str, **kw):
        return self._ok("POST", path, **kw)

    def patch(self, path: str, **kw):
        return self._ok("PATCH", path, **kw)

    def delete(self, path: str, **kw):
        return self._ok("DELETE", path, **kw)

    def raw(self, method: str, path: str, **kw) -> bytes:
        url = self.base_url + path
        try:
            resp = self.http.request(method, url, timeout=kw.pop("timeout", self.timeout), **kw)
        except requests.RequestException as exc:
            raise DriverError(f"{LABEL[self.role]} op {url}: {_why(exc)}") from None
        if not resp.ok:
            raise DriverError(f"{LABEL[self.role]} weigerde {method} {path} (HTTP {resp.status_code})")
        return resp.content


@dataclass
class SoapResult:
    """One SOAP call made by the harness itself (playing a peer): the answer or the refusal."""

    operation: str
    url: str
    http_status: int
    answer: Message | None = None
    fault: OsoFault | None = None
    request_xml: str = ""
    response_xml: str = ""
    sent_at: str = ""

    @property
    def ok(self) -> bool:
        return self.fault is None

    @property
    def resultaat(self) -> str | None:
        if self.fault is not None:
            return self.fault.resultaat
        return getattr(self.answer, "resultaat", None) or "ok"

    def describe(self) -> str:
        if self.fault is not None:
            return (f"{self.operation} bij {self.url}: SOAP Fault {self.fault.resultaat}"
                    f" ({self.fault.omschrijving})")
        return f"{self.operation} bij {self.url}: {self.resultaat}"


AUTO = object()      # SoapProbe.call: present the certificate the harness's role calls for
NO_CERT = object()   # SoapProbe.call: present no client certificate at all


class SoapProbe:
    """The harness's own SOAP client, for playing the LAS or SWV towards the system under test.

    Keeps a journal of every call so the report can show them next to the actors' logs.
    """

    def __init__(self, timeout: float = 10.0, ns: str = NS, me: str = "harnas", verify=None,
                 cert=None, tls_for=None):
        self.timeout = timeout
        self.ns = ns
        self.me = me
        self.journal: list[dict] = []
        self.http = _session(verify, cert)
        # (operation, url) -> {"verify", "cert"}: under mutual TLS the harness presents the
        # certificate of the system whose part it plays in that operation (harness.conformance.environment)
        self.tls_for = tls_for

    def call(self, role: str, url: str, message: Message, *, present=AUTO) -> SoapResult:
        """`present`: AUTO (the certificate `tls_for` picks), NO_CERT, or (cert, key) paths."""
        body = codec.encode(message, ns=self.ns)
        result = SoapResult(message.OPERATION, url, 0, request_xml=body.decode("utf-8"))
        result.sent_at = now_iso()
        tls = dict(self.tls_for(message.OPERATION, url)) if self.tls_for else {}
        if present is NO_CERT:
            tls["cert"] = None
        elif present is not AUTO:
            tls["cert"] = present
        try:
            resp = self.http.post(url, data=body, timeout=self.timeout, **tls, headers={
                "Content-Type": codec.CONTENT_TYPE, "X-OSO-Peer": self.me,
                "SOAPAction": f'"{codec.soap_action(message.OPERATION, ns=self.ns)}"'})
        except requests.RequestException as exc:
            raise DriverError(f"{LABEL.get(role, role)} op {url}: {_why(exc)}"
                              f" ({message.OPERATION})") from None
        result.http_status = resp.status_code
        result.response_xml = resp.content.decode("utf-8", "replace")
        try:
            result.answer = codec.decode(resp.content, ns=self.ns)
        except OsoFault as fault:
            if not fault.received:
                raise DriverError(
                    f"{LABEL.get(role, role)} op {url} gaf geen geldig SOAP-antwoord op"
                    f" {message.OPERATION} (HTTP {resp.status_code},"
                    f" {resp.headers.get('Content-Type') or 'geen Content-Type'}):"
                    f" {fault.omschrijving}") from None
            result.fault = fault
        self._journal(result, getattr(message, "koppelsleutel", None))
        return result

    def _journal(self, result: SoapResult, koppelsleutel: str | None) -> None:
        k = koppelsleutel.upper() if koppelsleutel else None
        base = {"actor": "harnas", "side": "client", "operation": result.operation,
                "peer": result.url, "koppelsleutel": k}
        # each row names its own body element: the request's and the answer's (or Fault)
        self.journal.append({**base, "direction": "out", "outcome": "verzonden", "ts": result.sent_at,
                             "element": body_element(result.request_xml), "xml": result.request_xml})
        self.journal.append({**base, "direction": "in", "outcome": result.resultaat, "ts": now_iso(),
                             "element": body_element(result.response_xml),
                             "http_status": result.http_status, "xml": result.response_xml})


_BODY_ELEMENT = re.compile(r"<(?:[\w.-]+:)?Body\b[^>]*>\s*(?:<!--.*?-->\s*)*<(?:[\w.-]+:)?([\w.-]+)", re.DOTALL)


def body_element(xml) -> str | None:
    """The local name of a SOAP message's body element (documentResponse, Fault), for the log."""
    text = xml.decode("utf-8", "replace") if isinstance(xml, (bytes, bytearray)) else str(xml or "")
    m = _BODY_ELEMENT.search(text, 0, 65536)
    return m.group(1) if m else None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class RoleDriver:
    """What every driver of a role knows: the scenario's world, the role's configuration and where
    the role's system answers (its SOAP endpoint under `soap_path`)."""

    simulated = True

    def __init__(self, env, config, base_url: str):
        self.env = env
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.soap_url = self.base_url + config.soap_path
