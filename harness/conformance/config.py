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
    vo = { ref = "2001", brin = "56EF" }   # a pupil of another school the LAS serves
    [las.scholen]                  # an LAS serving several schools: BRIN -> its aanleverpunt
    56EF = "0000000700056EF00950"

    [tc]
    mode = "simulated"
    port = 8510                    # fixed, because the external system is configured with it

Every role that is absent is simulated. A wrong file raises ConfigError with a message naming the
role and key, so `oso-sim conformance` can exit 2 before any scenario starts. Relative paths
(ca_bundle, client_cert, client_key) are read relative to the configuration file, and every
trigger runs in its folder, in the pre-flight and in the scenarios alike (the scenarios' pytest
runs in the installed package's folder, so the caller's folder would not do).
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROLES = ("las", "tc", "swv")
MODES = ("simulated", "external")
ENV_VAR = "OSO_CONFORMANCE_CONFIG"
TLS_ENV = "OSO_CONFORMANCE_TLS"   # the PKI directory of a run over mutual TLS

DEFAULT_TIMEOUT = 10.0           # seconds per HTTP call to a system
DEFAULT_WAIT = 60.0              # seconds to wait for an external system (or a person) to act

TRIGGER_KEYS = ("trigger", "trigger_terugkoppeling", "trigger_wijzig_leerling", "trigger_wijzig_zorgvraag",
                "trigger_toon_zorgvraag", "trigger_verwijder_zorgvraag", "trigger_aanleverpunten",
                "trigger_toon_aanvraag")
_TEXT_KEYS = ("base_url", "soap_path", "brin", "routeringskenmerk", "naam", "oin") + TRIGGER_KEYS
_PATH_KEYS = ("ca_bundle", "client_cert", "client_key")
_ROLE_KEYS = {"mode", "leerlingen", "scholen", "port", "timeout", "wait_seconds", "handmatig", "defects",
              *_TEXT_KEYS, *_PATH_KEYS}
LEERLING_KINDS = ("po", "vo", "met_bsn", "met_onderwijsnummer", "zonder_mandaat")
_BRIN = re.compile(r"^[0-9]{2}[A-Z0-9]{2}$")


@dataclass(frozen=True)
class LeerlingRef:
    """A pupil the vendor prepared: its reference as the trigger knows it, and its school."""

    ref: str
    brin: str | None
    pgn: tuple = ()        # the pupil's BSN / onderwijsnummer, when the vendor names them

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
    trigger_wijzig_leerling: str | None = None
    trigger_wijzig_zorgvraag: str | None = None
    trigger_toon_zorgvraag: str | None = None
    trigger_verwijder_zorgvraag: str | None = None
    trigger_aanleverpunten: str | None = None
    trigger_toon_aanvraag: str | None = None      # swv: its view of an aanvraag
    leerlingen: dict[str, str] = field(default_factory=dict)      # kind -> reference
    leerling_scholen: dict[str, str] = field(default_factory=dict)  # kind -> BRIN, when not `brin`
    leerling_pgn: dict[str, tuple] = field(default_factory=dict)   # kind -> its BSN/onderwijsnummer
    scholen: dict[str, str] = field(default_factory=dict)         # BRIN -> routeringskenmerk
    handmatig: bool = False            # a person acts where a trigger is missing
    defects: tuple = ()                # simulated role: deliberate faults, to prove the suite can fail
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    port: int = 0                      # simulated role: fixed port (0 = any free port)
    timeout: float = DEFAULT_TIMEOUT
    wait_seconds: float = DEFAULT_WAIT
    naam: str | None = None
    oin: str | None = None             # external, own certificates: the OIN in its certificate
    folder: str | None = None          # the configuration file's folder: triggers run there

    def leerling(self, kind: str) -> LeerlingRef | None:
        """The prepared pupil of `kind` with its school (the main `brin` unless given)."""
        ref = self.leerlingen.get(kind)
        if ref is None:
            return None
        return LeerlingRef(ref, self.leerling_scholen.get(kind) or self.brin, self.leerling_pgn.get(kind, ()))

    def routeringskenmerk_of(self, brin: str | None) -> str | None:
        """The system's aanleverpunt for school `brin`: its own, or one from [ROLE.scholen]."""
        if brin is None or brin == self.brin:
            return self.routeringskenmerk
        return self.scholen.get(brin)

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
    folder: str | None = None          # the configuration file's folder (absolute), None without a file
    # the implementation statement ([sut] ondersteunt): optional features the system claims; the
    # scenarios tagged @kenmerk.<name> of a claimed feature are mandatory for it
    claims: tuple[str, ...] = ()

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
                           "routeringskenmerk": c.routeringskenmerk, "handmatig": c.handmatig}
                       for r, c in self.roles.items()},
            "sut_rollen": self.sut_roles,
            "bron": self.source,
            "ondersteunt": list(self.claims),
        }


def all_simulated() -> ConformanceConfig:
    return ConformanceConfig(roles={r: RoleConfig(r) for r in ROLES})


def _leerlingen(name: str, table, where: str, cfg: RoleConfig) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [{name}.leerlingen] moet een tabel zijn: soort = \"leerling-id\""
                          " of soort = {{ ref = \"leerling-id\", brin = \"BRIN\" }}")
    unknown = sorted(set(table) - set(LEERLING_KINDS))
    if unknown:
        raise ConfigError(f"{where}: onbekende leerlingsoort(en) in [{name}.leerlingen]:"
                          f" {', '.join(unknown)}; bekend zijn {', '.join(LEERLING_KINDS)}")
    for kind, value in table.items():
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            cfg.leerlingen[kind] = str(value)
            continue
        if not isinstance(value, dict) or set(value) - {"ref", "brin", "bsn", "onderwijsnummer"} \
                or "ref" not in value:
            raise ConfigError(f"{where}: [{name}.leerlingen] {kind} moet \"leerling-id\" zijn of"
                              " { ref = \"leerling-id\", brin = \"BRIN\", bsn = \"...\","
                              " onderwijsnummer = \"...\" }")
        pgn = [str(value[k]) for k in ("bsn", "onderwijsnummer") if value.get(k)]
        if any(not re.fullmatch(r"\d{9}", n) for n in pgn):
            raise ConfigError(f"{where}: [{name}.leerlingen] {kind}: bsn en onderwijsnummer hebben 9 cijfers")
        if pgn:
            cfg.leerling_pgn[kind] = tuple(pgn)
        ref, brin = value["ref"], value.get("brin")
        if not isinstance(ref, (str, int)) or isinstance(ref, bool) or (brin is not None and not isinstance(brin, str)):
            raise ConfigError(f"{where}: [{name}.leerlingen] {kind}: ref en brin moeten tekst zijn")
        cfg.leerlingen[kind] = str(ref)
        if brin is not None:
            if not _BRIN.match(brin):
                raise ConfigError(f"{where}: [{name}.leerlingen] {kind}: brin {brin!r} is geen BRIN"
                                  " (4 tekens, bv. 12AB)")
            cfg.leerling_scholen[kind] = brin


def _scholen(name: str, table, where: str, cfg: RoleConfig) -> None:
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise ConfigError(f"{where}: [{name}.scholen] moet BRIN = \"routeringskenmerk\" paren bevatten")
    for brin, rk in table.items():
        if not _BRIN.match(brin):
            raise ConfigError(f"{where}: [{name}.scholen] {brin!r} is geen BRIN (4 tekens, bv. 12AB)")
        if len(rk) != 20:
            raise ConfigError(f"{where}: [{name}.scholen] {brin}: routeringskenmerk moet 20 tekens lang zijn")
    cfg.scholen = dict(table)


def _path(name: str, key: str, value, where: str, base: Path | None) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: [{name}] {key} moet een bestandspad zijn")
    path = Path(value).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_file():
        raise ConfigError(f"{where}: [{name}] {key} = {value!r}: bestand {path} bestaat niet")
    return str(path)


def _check_las(names):
    from las_client.defects import check
    return check(names)


def _check_tc(names):
    from oso_mock.defects import check
    return check(names)


def _check_swv(names):
    from swv_mock.defects import check
    return check(names)


_DEFECT_CHECK = {"las": _check_las, "tc": _check_tc, "swv": _check_swv}


def _role(name: str, table, where: str, base: Path | None = None) -> RoleConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [{name}] moet een tabel zijn")
    unknown = sorted(set(table) - _ROLE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: onbekende sleutel(s) in [{name}]: {', '.join(unknown)}")
    cfg = RoleConfig(name, folder=str(base) if base is not None else None)
    mode = table.get("mode", "simulated")
    if mode not in MODES:
        raise ConfigError(f"{where}: [{name}] mode = {mode!r}; kies 'simulated' of 'external'")
    cfg.mode = mode
    for key in _TEXT_KEYS:
        if key in table:
            if not isinstance(table[key], str):
                raise ConfigError(f"{where}: [{name}] {key} moet tekst zijn")
            setattr(cfg, key, table[key])
    if cfg.oin is not None and not re.fullmatch(r"\d{20}", cfg.oin):
        raise ConfigError(f"{where}: [{name}] oin moet 20 cijfers zijn (het OIN in het certificaat"
                          " van het systeem)")
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
    if "defects" in table:
        value = table["defects"]
        if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
            raise ConfigError(f"{where}: [{name}] defects moet een lijst namen zijn, bv. [\"offer_inactive\"]")
        if cfg.external:
            raise ConfigError(f"{where}: [{name}] defects geldt alleen voor een gesimuleerde rol;"
                              " een extern systeem start u zelf met zijn fouten")
        try:
            _DEFECT_CHECK[name](value)
        except ValueError as exc:
            raise ConfigError(f"{where}: [{name}] defects: {exc}") from None
        cfg.defects = tuple(value)
    if "handmatig" in table:
        if not isinstance(table["handmatig"], bool):
            raise ConfigError(f"{where}: [{name}] handmatig moet true of false zijn")
        cfg.handmatig = table["handmatig"]
    for key in _PATH_KEYS:
        if key in table:
            setattr(cfg, key, _path(name, key, table[key], where, base))
    if cfg.client_key and not cfg.client_cert:
        raise ConfigError(f"{where}: [{name}] client_key zonder client_cert; geef ook het certificaat op")
    if "leerlingen" in table:
        _leerlingen(name, table["leerlingen"], where, cfg)
    if "scholen" in table:
        _scholen(name, table["scholen"], where, cfg)
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
    for kind, brin in cfg.leerling_scholen.items():
        if brin != cfg.brin and brin not in cfg.scholen:
            raise ConfigError(f"{where}: [{name}.leerlingen] {kind} hoort bij school {brin}, maar die"
                              f" staat niet in [{name}.scholen] (en is niet brin = {cfg.brin!r})")
    return cfg


def parse_config(data: dict, source: str = "<config>", base: str | Path | None = None) -> ConformanceConfig:
    """`base`: the folder relative paths in the file are read from and triggers run in (the
    file's own folder)."""
    unknown = sorted(set(data) - set(ROLES) - {"sut", "load"})  # [load]: read by oso-sim load
    if unknown:
        raise ConfigError(f"{source}: onbekende sectie(s) {', '.join(unknown)};"
                          f" verwacht [sut], [las], [tc], [swv]")
    base = Path(base).resolve() if base is not None else None
    roles = {r: _role(r, data.get(r, {}), source, base) for r in ROLES}
    if roles["tc"].external and any(roles[r].external for r in ("las", "swv")):
        raise ConfigError(f"{source}: slechts een van tc en las/swv kan extern zijn: de harnas"
                          " beheert het register van de gesimuleerde TC")
    if roles["las"].external and roles["swv"].external:
        raise ConfigError(f"{source}: las en swv zijn beide extern; test een systeem tegelijk"
                          " zodat elke fout aan een rol is toe te wijzen")
    if any(roles[r].external for r in ("las", "swv")) and not roles["tc"].port:
        raise ConfigError(f"{source}: [tc] port is verplicht wanneer las of swv extern is: het"
                          " externe systeem moet de gesimuleerde TC op een vast adres kunnen vinden")
    _one_wait(roles, data)
    sut = dict(data.get("sut", {})) if isinstance(data.get("sut", {}), dict) else None
    if sut is None:
        raise ConfigError(f"{source}: [sut] moet een tabel zijn")
    claims = sut.pop("ondersteunt", [])
    if not isinstance(claims, list) or not all(isinstance(c, str) and c for c in claims):
        raise ConfigError(f"{source}: [sut] ondersteunt moet een lijst van kenmerknamen zijn,"
                          ' bv. ondersteunt = ["extra_bijlagen"]')
    return ConformanceConfig(roles=roles, sut={k: str(v) for k, v in sut.items()}, source=source,
                             folder=str(base) if base is not None else None, claims=tuple(claims))


def _one_wait(roles: dict[str, RoleConfig], data: dict) -> None:
    """One timeout model: the wait_seconds of the system under test bounds every wait of a
    scenario, the simulated peers' included, so a failing scenario ends within it. A simulated
    role keeps a wait_seconds of its own only when its own section sets one."""
    external = [r for r in roles.values() if r.external]
    if not external:
        return
    wait = max(r.wait_seconds for r in external)
    for name, role in roles.items():
        if not role.external and "wait_seconds" not in (data.get(name) or {}):
            role.wait_seconds = wait


def load_config(path: str | Path | None) -> ConformanceConfig:
    """The configuration in `path`; every role simulated when `path` is None or empty."""
    if not path:
        return all_simulated()
    path = Path(path)
    return parse_config(read_toml(path), str(path), path.resolve().parent)


def read_toml(path: Path) -> dict:
    """A configuration file as a dict; what keeps it from being one as a ConfigError in Dutch."""
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
    return data


def config_from_env() -> ConformanceConfig:
    return load_config(os.environ.get(ENV_VAR) or None)
