"""One scenario's world: the simulated actors (fresh per scenario, so scenarios stay independent
and can run in parallel), the configured external systems routed into the register, the drivers
the steps use, and what the scenario must report (koppelsleutels, messages)."""
from __future__ import annotations

import secrets
import string
import tempfile
from collections.abc import Callable
from pathlib import Path

from actor_kit import pki

from harness.conformance.config import ConformanceConfig
from harness.conformance.drivers.http import JsonApi, SoapProbe
from harness.conformance.drivers.las import ExternalLas, SimulatedLas
from harness.conformance.drivers.swv import ExternalSwv, SimulatedSwv
from harness.conformance.drivers.tc import TcDriver
from harness.evidence.messages import dossier_of
from harness.runtime.actors import Actors

ACTOR_LABEL = {"tc": "TC", "las": "LAS", "swv": "SWV"}

# Which side sends each OSO operation: the harness plays that side, with its certificate.
SENDER = {"overzichtAanleverpunt": "las", "meldenNotificatie": "las", "notificatie": "las",
          "sessiecontrole": "las", "overdracht": "swv", "document": "swv", "afmelding": "swv",
          "meldenTerugkoppeling": "swv", "terugkoppeling": "swv"}


def unique_token(length: int = 8) -> str:
    """Letters only, so it fits any name or text field a LAS accepts."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length))


class ConformanceEnv:
    def __init__(self, config: ConformanceConfig, workdir: str | Path | None = None,
                 tls: str | Path | None = None):
        self.config = config
        self.tls = Path(tls) if tls else None   # PKI directory: the run speaks mutual TLS
        self._tmp = None
        if workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="oso-conf-")
            workdir = self._tmp.name
        self.workdir = str(workdir)
        self.auto_fetch = True
        self.actors: Actors | None = None
        self.peers: list = []
        self.koppelsleutels: list[str] = []
        self.used_pupils: set[str] = set()
        # A system under test keeps its data from run to run: what a scenario writes into it is
        # marked with a token no earlier run used, and what it changed is put back at the end.
        self.run_token = unique_token()
        self._restore: list[tuple[str, Callable[[], None]]] = []
        self._apis: dict[str, JsonApi] = {}
        self.probe = SoapProbe(timeout=max(c.timeout for c in config.roles.values()),
                               tls_for=self._tls_for if self.tls else None)

    # -- life cycle ----------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self.actors is not None

    def start(self) -> "ConformanceEnv":
        if self.actors is not None:
            return self
        roles = self.config.roles
        extra = {"swv": {"AUTO_FETCH": self.auto_fetch}, "las": {}, "tc": {}}
        for role, cfg in roles.items():
            if cfg.defects and not cfg.external:  # a broken simulated role, for the self-checks
                extra[role]["DEFECTS"] = set(cfg.defects)
        if roles["tc"].external:
            extra["las"]["TC_URL"] = roles["tc"].base_url.rstrip("/")
            extra["swv"]["TC_URL"] = roles["tc"].base_url.rstrip("/")
        trust = tuple(roles[r].ca_bundle for r in self.config.sut_roles if roles[r].ca_bundle)
        self.actors = Actors(workdir=self.workdir, extra=extra, tls=self.tls, trust=trust if self.tls else (),
                             port={r: roles[r].port for r in roles if roles[r].port and not roles[r].external},
                             on_demand=tuple(r for r in ("las", "swv") if roles[r].external))
        self.actors.start()
        urls = self.actors.urls
        tc_url = roles["tc"].base_url if roles["tc"].external else urls["tc"]
        self.tc = TcDriver(roles["tc"], tc_url, self.probe, simulated=not roles["tc"].external,
                           api=self.json_api("tc", tc_url, roles["tc"].timeout))
        if roles["las"].external:
            self.las = ExternalLas(self, roles["las"], roles["las"].base_url)
            las = roles["las"]
            scholen = {las.brin: las.routeringskenmerk, **las.scholen}
            system = self._register_sut("las", las, list(scholen))
            for brin, rk in scholen.items():
                self.tc.point_to(rk, las.soap_url, {"brin": brin, "system": system, "doel": "OV",
                                                    "naam": las.naam or "LAS onder test"})
        else:
            self.las = SimulatedLas(self, roles["las"], urls["las"])
        if roles["swv"].external:
            self.swv = ExternalSwv(self, roles["swv"], roles["swv"].base_url)
            scholen = sorted({s["brin"] for s in self.tc.register()["schools"]})
            system = self._register_sut("swv", roles["swv"], scholen)
            self.tc.point_to(roles["swv"].routeringskenmerk, roles["swv"].soap_url,
                             {"brin": roles["swv"].brin or "25PO", "system": system, "doel": "SWV",
                              "naam": roles["swv"].naam or "SWV onder test", "scholen": scholen})
        else:
            self.swv = SimulatedSwv(self, roles["swv"], urls["swv"])
        return self

    def _register_sut(self, role: str, config, scholen: list[str]) -> str:
        """The register's system for the SUT: our own simulated one, or, when the vendor's
        certificate carries its own OIN (`oin`), a system with that OIN and the same mandates,
        so the TC and the simulated peers know the vendor's system by its certificate."""
        if not config.oin:
            return f"{role}-sim"
        system = f"{role}-onder-test"
        self.tc.api.post("/api/register/systems", json={
            "id": system, "naam": config.naam or f"{role.upper()} onder test", "soort": role.upper(),
            "oin": config.oin})
        for brin in scholen:
            self.tc.add_mandate(brin, system)
        return system

    # -- mutual TLS ----------------------------------------------------------------------------

    def certificate(self, system_id: str) -> tuple[str, str]:
        """(cert, key) of a system of the run's PKI, e.g. "swv-sim", "las-sim" or a bad one
        ("slecht/verlopen")."""
        files = pki.files_for(self.tls, system_id)
        return files["cert"], files["key"]

    def _sut_role(self, url: str):
        for role in self.config.sut_roles:
            base = self.config.roles[role].base_url
            if base and url.startswith(base.rstrip("/")):
                return self.config.roles[role]
        return None

    def _tls_for(self, operation: str, url: str) -> dict:
        """verify= and cert= for one SOAP call of the harness: it presents the certificate of the
        system whose part it plays (SENDER), and verifies the peer against the run's CA; towards
        a system under test the role's ca_bundle / client_cert / client_key take precedence."""
        system = {"las": "las-sim", "swv": "swv-sim"}[SENDER.get(operation, "las")]
        kwargs = {"verify": str(self.tls / "ca.pem"), "cert": self.certificate(system)}
        sut = self._sut_role(url)
        if sut is not None:
            if sut.ca_bundle:
                kwargs["verify"] = sut.ca_bundle
            if sut.client_cert:
                kwargs["cert"] = (sut.client_cert, sut.client_key) if sut.client_key else sut.client_cert
        return kwargs

    def system_tls(self, system_id: str) -> dict | None:
        """The TLS config of a system of the run's PKI, for a harness peer; None without TLS."""
        return pki.files_for(self.tls, system_id) if self.tls else None

    def json_api(self, role: str, url: str, timeout: float) -> JsonApi:
        """The JSON API of a simulated actor; under TLS with the harness's own certificate."""
        if not self.tls:
            return JsonApi(role, url, timeout)
        return JsonApi(role, url, timeout, verify=str(self.tls / "ca.pem"),
                       cert=self.certificate(pki.HARNESS_ID))

    def _close_http(self) -> None:
        # An open keep-alive connection of ours holds a server thread, and stopping the actors
        # then waits for it: close every client session first.
        self.probe.http.close()
        for api in list(self._apis.values()) + [getattr(d, "api", None) for d in
                                                (getattr(self, "tc", None), getattr(self, "las", None),
                                                 getattr(self, "swv", None))]:
            if api is not None:
                api.http.close()

    def restore_later(self, what: str, undo: Callable[[], None]) -> None:
        """Put something the scenario changed in the system under test back when it ends."""
        self._restore.append((what, undo))

    def _put_back(self) -> None:
        # best effort, newest first: a value that could not be put back does not change this
        # scenario's outcome, and no later scenario depends on it (they use their own tokens)
        while self._restore:
            _what, undo = self._restore.pop()
            try:
                undo()
            except BaseException:  # noqa: BLE001 - pytest's skip/fail are BaseExceptions too
                pass

    def stop(self) -> None:
        self._put_back()
        self._close_http()
        for peer in self.peers:
            peer.stop()
        self.peers = []
        actors, self.actors, tmp, self._tmp = self.actors, None, self._tmp, None
        if actors is not None:
            actors.stop()
        if tmp is not None:
            tmp.cleanup()

    # -- helpers for steps ---------------------------------------------------------------------

    def remember(self, koppelsleutel: str | None) -> None:
        if koppelsleutel and koppelsleutel.upper() not in self.koppelsleutels:
            self.koppelsleutels.append(koppelsleutel.upper())

    def swv_aanleverpunt(self, brin: str) -> str:
        """The SWV aanleverpunt a zorgvraag of school `brin` goes to: the SWV under test when
        there is one, otherwise the active simulated one the school activated."""
        if self.config.roles["swv"].external:
            return self.config.roles["swv"].routeringskenmerk
        aps = self.tc.swv_aanleverpunten(brin)
        if not aps:
            # a school without an SWV mandate still has an aanleverpunt to (try to) send to
            aps = self.tc.swv_aanleverpunten("12AB")
        return aps[0]["routeringskenmerk"]

    def simulated_apis(self) -> dict[str, JsonApi]:
        if self.actors is None:
            return {}
        for role, url in self.actors.urls.items():
            if role == "tc" and self.config.roles["tc"].external:
                continue
            if not self.actors.built(role):
                continue  # the stand-in for a system under test nobody called: an empty log
            if role not in self._apis:
                self._apis[role] = self.json_api(role, url, 5.0)
        return dict(self._apis)

    def log(self, role: str, koppelsleutel: str | None = None, *, xml: bool = False) -> list[dict]:
        if self.actors is not None and role in self.actors.urls and not self.actors.built(role):
            return []  # the stand-in for a system under test nobody called has logged nothing
        api = self.simulated_apis()[role]
        q = f"?koppelsleutel={koppelsleutel}" if koppelsleutel else "?"
        return api.get(f"/api/berichten{q}&xml={'1' if xml else '0'}&limit=5000")["berichten"]

    def delivered_dossier(self, koppelsleutel: str) -> bytes | None:
        """The dossier as it travelled from the LAS to the SWV for `koppelsleutel`: the last
        documentResponse that a simulated actor or a harness peer saw, decoded. Read from the
        messages themselves, so it is the same observation whichever role is under test."""
        k = koppelsleutel.upper()
        rows = []
        for role in ("swv", "las"):
            if role in self.simulated_apis():
                rows += [r for r in self.log(role, k, xml=True) if r.get("operation") == "document"]
        # the harness's own calls and its peers (a crafted LAS) share the probe's journal
        rows += [r for r in self.probe.journal if r.get("operation") == "document"
                 and (r.get("koppelsleutel") or "").upper() == k]
        for row in reversed(rows):
            data = dossier_of(row.get("xml") or "")
            if data:
                return data
        return None

    def messages(self) -> list[dict]:
        """Every logged SOAP message of this scenario's koppelsleutels, oldest first, for the
        report. Messages without a koppelsleutel (overzichtAanleverpunt, refused calls) are kept
        too: a fresh set of actors per scenario means the whole log belongs to this scenario."""
        rows = []
        for role, api in self.simulated_apis().items():
            try:
                entries = api.get("/api/berichten?xml=1&limit=5000")["berichten"]
            except AssertionError:
                continue
            for e in entries:
                rows.append({**e, "actor": ACTOR_LABEL[role]})
        # the harness's own rows carry their time too, so the report shows one timeline
        for e in self.probe.journal:
            rows.append({**e, "actor": e.get("actor") or "harnas"})
        rows.sort(key=lambda r: r.get("ts") or "")
        return rows
