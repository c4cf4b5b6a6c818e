"""Role configuration for a conformance run: which of las, tc, swv is simulated and which is a
vendor's real system (the system under test), and how to reach and trigger it.

One TOML file, one table per role:

    [sut]                          # optional: who is being certified, shown in the report
    naam = "Voorbeeld LAS 4.2"
    leverancier = "Voorbeeld BV"

    [las]
    mode = "external"
    base_url = "https://las.example.nl"
    soap_path = "/oso"
    brin = "12AB"
    routeringskenmerk = "0000000700012AB00950"
    trigger = "vendor-send --leerling {leerling} --aanleverpunt {aanleverpunt} --toelichting {toelichting}"
    [las.leerlingen]               # the pupils the vendor prepared, as its trigger knows them
    po = "1001"

    [tc]
    mode = "simulated"
    port = 8510                    # fixed, because the external system is configured with it

Every role that is absent is simulated. A wrong file raises ConfigError with a message naming the
role and key, so `oso-sim conformance` can exit 2 before any scenario starts.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROLES = ("las", "tc", "swv")
MODES = ("simulated", "external")
ENV_VAR = "OSO_CONFORMANCE_CONFIG"

DEFAULT_TIMEOUT = 10.0           # seconds per HTTP call to a system
DEFAULT_WAIT = 60.0              # seconds to wait for an external system (or a person) to act

_ROLE_KEYS = {"mode", "base_url", "soap_path", "brin", "routeringskenmerk", "trigger",
              "trigger_terugkoppeling", "leerlingen", "port", "timeout", "wait_seconds", "naam"}
_LEERLING_KEYS = ("po", "vo", "met_bsn", "met_onderwijsnummer", "zonder_mandaat")


class ConfigError(Exception):
    """The configuration file cannot be used; the message names the file, role and key."""


@dataclass
class RoleConfig:
    role: str
    mode: str = "simulated"
    base_url: str | None = None
    soap_path: str = "/oso"
    brin: str | None = None
    routeringskenmerk: str | None = None
    trigger: str | None = None
    trigger_terugkoppeling: str | None = None
    leerlingen: dict[str, str] = field(default_factory=dict)
    port: int = 0                      # simulated role: fixed port (0 = any free port)
    timeout: float = DEFAULT_TIMEOUT
    wait_seconds: float = DEFAULT_WAIT
    naam: str | None = None

    @property
    def external(self) -> bool:
        return self.mode == "external"

    @property
    def soap_url(self) -> str | None:
        return self.base_url.rstrip("/") + self.soap_path if self.base_url else None


@dataclass
class ConformanceConfig:
    roles: dict[str, RoleConfig]
    sut: dict = field(default_factory=dict)
    source: str | None = None

    @property
    def sut_roles(self) -> list[str]:
        """The roles played by a real system; empty when everything is simulated (self-test)."""
        return [r for r in ROLES if self.roles[r].external]

    def describe_sut(self) -> str:
        if not self.sut_roles:
            return self.sut.get("naam") or "oso-sim (alle rollen gesimuleerd)"
        parts = [f"{r.upper()} op {self.roles[r].base_url}" for r in self.sut_roles]
        return self.sut.get("naam") or ", ".join(parts)

    def to_dict(self) -> dict:
        return {
            "naam": self.describe_sut(),
            "leverancier": self.sut.get("leverancier"),
            "rollen": {r: {"mode": c.mode, "base_url": c.base_url, "brin": c.brin,
                           "routeringskenmerk": c.routeringskenmerk} for r, c in self.roles.items()},
            "sut_rollen": self.sut_roles,
            "bron": self.source,
        }


def all_simulated() -> ConformanceConfig:
    return ConformanceConfig(roles={r: RoleConfig(r) for r in ROLES})


def _role(name: str, table, where: str) -> RoleConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [{name}] moet een tabel zijn")
    unknown = sorted(set(table) - _ROLE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: onbekende sleutel(s) in [{name}]: {', '.join(unknown)}")
    cfg = RoleConfig(name)
    mode = table.get("mode", "simulated")
    if mode not in MODES:
        raise ConfigError(f"{where}: [{name}] mode = {mode!r}; kies 'simulated' of 'external'")
    cfg.mode = mode
    for key in ("base_url", "soap_path", "brin", "routeringskenmerk", "trigger",
                "trigger_terugkoppeling", "naam"):
        if key in table:
            if not isinstance(table[key], str):
                raise ConfigError(f"{where}: [{name}] {key} moet tekst zijn")
            setattr(cfg, key, table[key])
    for key in ("timeout", "wait_seconds"):
        if key in table:
            value = table[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
                raise ConfigError(f"{where}: [{name}] {key} moet een positief getal zijn")
            setattr(cfg, key, float(value))
    if "port" in table:
        port = table["port"]
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ConfigError(f"{where}: [{name}] port moet een poortnummer zijn (0-65535)")
        cfg.port = port
    if "leerlingen" in table:
        ll = table["leerlingen"]
        if not isinstance(ll, dict) or not all(isinstance(v, (str, int)) for v in ll.values()):
            raise ConfigError(f"{where}: [{name}.leerlingen] moet sleutel = \"leerling-id\" paren bevatten")
        cfg.leerlingen = {k: str(v) for k, v in ll.items()}
    if not cfg.soap_path.startswith("/"):
        raise ConfigError(f"{where}: [{name}] soap_path moet met / beginnen")
    if cfg.external:
        if not cfg.base_url:
            raise ConfigError(f"{where}: [{name}] mode = 'external' vraagt om base_url")
        url = urlparse(cfg.base_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ConfigError(f"{where}: [{name}] base_url {cfg.base_url!r} is geen http(s)-adres")
        if name in ("las", "swv") and not cfg.routeringskenmerk:
            raise ConfigError(f"{where}: [{name}] mode = 'external' vraagt om routeringskenmerk"
                              " (het aanleverpunt van het systeem in het register)")
        if cfg.routeringskenmerk is not None and len(cfg.routeringskenmerk) != 20:
            raise ConfigError(f"{where}: [{name}] routeringskenmerk moet 20 tekens lang zijn")
        if name == "las" and not cfg.brin:
            raise ConfigError(f"{where}: [las] mode = 'external' vraagt om brin (de school)")
    return cfg


def parse_config(data: dict, source: str = "<config>") -> ConformanceConfig:
    unknown = sorted(set(data) - set(ROLES) - {"sut"})
    if unknown:
        raise ConfigError(f"{source}: onbekende sectie(s) {', '.join(unknown)};"
                          f" verwacht [sut], [las], [tc], [swv]")
    roles = {r: _role(r, data.get(r, {}), source) for r in ROLES}
    if roles["tc"].external and any(roles[r].external for r in ("las", "swv")):
        raise ConfigError(f"{source}: slechts een van tc en las/swv kan extern zijn: de harnas"
                          " beheert het register van de gesimuleerde TC")
    if roles["las"].external and roles["swv"].external:
        raise ConfigError(f"{source}: las en swv zijn beide extern; test een systeem tegelijk"
                          " zodat elke fout aan een rol is toe te wijzen")
    if any(roles[r].external for r in ("las", "swv")) and not roles["tc"].port:
        raise ConfigError(f"{source}: [tc] port is verplicht wanneer las of swv extern is: het"
                          " externe systeem moet de gesimuleerde TC op een vast adres kunnen vinden")
    sut = data.get("sut", {})
    if not isinstance(sut, dict):
        raise ConfigError(f"{source}: [sut] moet een tabel zijn")
    return ConformanceConfig(roles=roles, sut={k: str(v) for k, v in sut.items()}, source=source)


def load_config(path: str | Path | None) -> ConformanceConfig:
    """The configuration in `path`; every role simulated when `path` is None or empty."""
    if not path:
        return all_simulated()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"configuratiebestand {path} is niet te lezen ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"configuratiebestand {path} is geen UTF-8-tekst") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"configuratiebestand {path} is geen geldige TOML: {exc}") from None
    return parse_config(data, str(path))


def config_from_env() -> ConformanceConfig:
    return load_config(os.environ.get(ENV_VAR) or None)
