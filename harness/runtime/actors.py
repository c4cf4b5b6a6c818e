"""The three actors on free loopback ports in one process: real sockets, threaded WSGI servers.

Ports are bound first and the apps created after, because each actor must know the others'
URLs (the TC's register holds the LAS and SWV endpoints; LAS and SWV call the TC).

With `tls` (a PKI directory from `oso-sim pki init`, or True for a fresh one in the workdir) each
actor serves mutual TLS with its own system's certificate and calls the others with it.
"""
from __future__ import annotations

import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from actor_kit import pki
from actor_kit.server import ServerThread

from harness.runtime.scenario import load_scenario

ROLES = ("tc", "las", "swv")


def system_id(role: str, scenario: dict) -> str:
    """Whose certificate an actor presents: the TC's own, or the system its scenario section names."""
    if role == "tc":
        return pki.TC_ID
    return str((scenario.get(role) or {}).get("system") or f"{role}-sim")


def tls_dir(tls, scenario: dict, workdir: Path) -> Path | None:
    """The PKI directory to use: None without TLS; made now when asked for and not there yet."""
    if not tls:
        return None
    directory = workdir / "pki" if tls is True else Path(tls)
    if not (directory / "ca.pem").is_file():
        pki.init(directory, scenario)
    return directory


def trust_bundle(path: Path, ca_files) -> str:
    """One CA file holding the run's test CA and, e.g., the CA of a vendor's own test
    certificates, so the simulated actors accept that vendor's system and are accepted by it."""
    path.write_text("".join(Path(f).read_text(encoding="ascii") for f in ca_files), encoding="ascii")
    return str(path)


def create_actor_app(role: str, config: dict):
    if role == "tc":
        from oso_mock.app import create_app
    elif role == "las":
        from las_client.app import create_app
    elif role == "swv":
        from swv_mock.app import create_app
    else:
        raise ValueError(f"onbekende rol {role!r}")
    return create_app(config)


class _BuiltOnFirstRequest:
    """A WSGI app made when its first request comes: for a simulated actor whose role a system
    under test plays, which a conformance scenario normally never calls. Building the LAS app
    costs ~60 ms and each scenario starts fresh actors, so an external-LAS run paid seconds for
    an app nobody asked anything; one that is called still answers as before."""

    def __init__(self, build):
        self._build = build
        self._app = None
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if self._app is None:
            with self._lock:
                if self._app is None:
                    self._app = self._build()
        return self._app(environ, start_response)

    @property
    def built(self) -> bool:
        return self._app is not None

    @property
    def extensions(self) -> dict:
        return self._app.extensions if self._app is not None else {}


@dataclass
class Actors:
    """Start with `with Actors() as actors:`; `actors.urls["las"]` etc."""

    scenario: dict | str | Path | None = None
    workdir: str | Path | None = None
    port: dict = field(default_factory=dict)             # role -> fixed port (0 = free)
    extra: dict = field(default_factory=dict)            # role -> extra config keys
    tls: str | Path | bool | None = None                 # PKI directory, True = new in workdir
    trust: tuple = ()                                    # more CA files to trust (a vendor's own)
    pki_dir: Path | None = None                          # the PKI in use, once started
    servers: dict = field(default_factory=dict)
    apps: dict = field(default_factory=dict)
    tls_files: dict = field(default_factory=dict)        # role -> {"ca", "cert", "key"} or None
    on_demand: tuple = ()                                # roles whose app is built on first request

    def start(self) -> "Actors":
        scenario = self.scenario if isinstance(self.scenario, dict) else load_scenario(self.scenario)
        if self.workdir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="oso-sim-")
            self.workdir = self._tmp.name
        workdir = Path(self.workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        self.pki_dir = tls_dir(self.tls, scenario, workdir)
        tls = {role: pki.files_for(self.pki_dir, system_id(role, scenario)) if self.pki_dir
               else None for role in ROLES}
        if self.pki_dir and self.trust:
            bundle = trust_bundle(workdir / "vertrouwd.pem", [self.pki_dir / "ca.pem", *self.trust])
            tls = {role: {**files, "ca": bundle} for role, files in tls.items()}
        self.tls_files = tls
        for role in ROLES:
            self.servers[role] = ServerThread(port=self.port.get(role, 0), tls=tls[role])
        urls = self.urls
        base = {
            "tc": {"ACTOR_URLS": urls},
            "las": {"TC_URL": urls["tc"]},
            "swv": {"TC_URL": urls["tc"]},
        }
        # one token for the three, as the demo has: under TLS the TC's timeline reads the peers'
        # logs with its token, since its own certificate is a system's and opens no API
        token = secrets.token_urlsafe(24)
        for role in ROLES:
            config = {"DB_PATH": str(workdir / f"{role}.sqlite"), "SCENARIO": scenario,
                      "PUBLIC_URL": urls[role], "API_TOKEN": token, **base[role],
                      **self.extra.get(role, {})}
            if tls[role]:
                config["TLS"] = tls[role]
            if role in self.on_demand:
                self.apps[role] = _BuiltOnFirstRequest(partial(create_actor_app, role, config))
            else:
                self.apps[role] = create_actor_app(role, config)
            self.servers[role].app = self.apps[role]
        for role in ROLES:
            self.servers[role].start()
        return self

    @property
    def client_tls(self) -> dict | None:
        """The harness's own certificate, for talking to the actors: None without TLS."""
        return pki.files_for(self.pki_dir, pki.HARNESS_ID) if self.pki_dir else None

    def built(self, role: str) -> bool:
        """Whether the app of `role` exists: one in `on_demand` only after its first request
        (asking it for its log would build it just to answer that it has none)."""
        app = self.apps.get(role)
        return app is not None and (not isinstance(app, _BuiltOnFirstRequest) or app.built)

    @property
    def urls(self) -> dict[str, str]:
        return {role: server.url for role, server in self.servers.items()}

    def stop(self) -> None:
        # each server ends its connections and waits a bounded time for their threads; side by
        # side, a demo stopped with Ctrl-C is gone within one server's bound rather than three
        stopping = [threading.Thread(target=server.stop, daemon=True) for server in self.servers.values()]
        for t in stopping:
            t.start()
        for t in stopping:
            t.join()
        for app in self.apps.values():
            close = app.extensions.get("oso_sim_close") if hasattr(app, "extensions") else None
            if close:
                close()
        if getattr(self, "_tmp", None):
            self._tmp.cleanup()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
