"""The register the OSR holds: schools, systems, mandates and aanleverpunten.

Loaded from the scenario's `register` section on first start; after that the database is the
truth, so admin changes (a withdrawn mandate, a deactivated endpoint) survive a restart.
"""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import yaml

from oso_protocol.transport import faults
from oso_protocol.transport.messages import DOEL_OV, DOEL_SWV

from .context import TrafficCenter

DIENST_OSO = "OSO"
DIENST_OSO_SWV = "OSO-SWV"
DIENSTEN = (DIENST_OSO, DIENST_OSO_SWV)
SOORTEN = ("LAS", "SWV")
DOELEN = (DOEL_SWV, DOEL_OV)

_BRIN_RE = re.compile(r"^[0-9A-Z]{4}$")
_RK_RE = re.compile(r"^[0-9A-Z]{20}$")
_OIN_RE = re.compile(r"^[0-9]{20}$")


class AdminError(Exception):
    """Refused admin input; carried to the JSON API as {"fout", "code"} with `status`."""

    def __init__(self, status: int, fout: str, code: str = faults.ONGELDIG_BERICHT):
        super().__init__(fout)
        self.status = status
        self.fout = fout
        self.code = code


# --- scenario --------------------------------------------------------------------------------

def read_scenario(scenario) -> dict:
    """A scenario dict from a dict, a path or None (None: an empty register)."""
    if scenario is None:
        return {}
    if isinstance(scenario, dict):
        return scenario
    path = Path(scenario)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"Scenariobestand niet te lezen: {path} ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"Scenariobestand {path} is geen geldige YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError(f"Scenariobestand {path} bevat geen mapping.")
    return data


def load(tc: TrafficCenter, scenario) -> bool:
    """Fill the register from the scenario once; returns True when it was loaded now."""
    section = read_scenario(scenario).get("register") or {}
    with tc.store.tx() as conn:
        _ensure_oin_column(conn)
        if conn.execute("SELECT 1 FROM meta WHERE key = 'register_geladen'").fetchone():
            return False
        # [choice] Scenario rows pass the same checks as admin input: a broken scenario should
        # fail at start, not halfway through an exchange.
        for row in section.get("schools") or []:
            _insert_school(conn, row)
        for row in section.get("systems") or []:
            _insert_system(conn, row)
        for row in section.get("mandates") or []:
            _insert_mandate(conn, row)
        for row in section.get("aanleverpunten") or []:
            _insert_aanleverpunt(conn, row)
        conn.execute("INSERT INTO meta (key, value) VALUES ('register_geladen', ?)",
                     (str(tc.now()),))
    return True


def _ensure_oin_column(conn) -> None:
    # A TC database from before systems had an OIN gets the column; without TLS it stays empty.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(systems)")}
    if "oin" not in columns:
        conn.execute("ALTER TABLE systems ADD COLUMN oin TEXT")
    conn.execute("CREATE UNIQUE INDEX IF NOT EXISTS systems_oin ON systems (oin)")


# --- validation and inserts (shared by the scenario loader and the admin API) ----------------

def _text(row: dict, key: str, *, required: bool = True, what: str) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise AdminError(400, f"{what}: veld '{key}' ontbreekt.")
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise AdminError(400, f"{what}: veld '{key}' moet tekst zijn.")
    return str(value).strip()


def _brin(value: str | None, what: str) -> str:
    brin = (value or "").upper()
    if not _BRIN_RE.match(brin):
        raise AdminError(400, f"{what}: '{value}' is geen geldige BRIN (4 tekens).")
    return brin


def _bool(value, what: str, key: str) -> bool:
    if isinstance(value, bool):
        return value
    raise AdminError(400, f"{what}: veld '{key}' moet true of false zijn.")


def _scholen(value, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise AdminError(400, f"{what}: 'scholen' moet een lijst met BRIN-codes zijn.")
    return [_brin(str(v), what) for v in value]


def _as_dict(row, what: str) -> dict:
    if not isinstance(row, dict):
        raise AdminError(400, f"{what}: verwacht een JSON-object.")
    return row


def _insert(conn: sqlite3.Connection, sql: str, params: tuple, duplicate: str) -> None:
    try:
        conn.execute(sql, params)
    except sqlite3.IntegrityError:
        raise AdminError(409, duplicate) from None


def _insert_school(conn, row) -> dict:
    what = "School"
    row = _as_dict(row, what)
    brin = _brin(_text(row, "brin", what=what), what)
    school = {
        "brin": brin,
        "vestigingscode": _text(row, "vestigingscode", required=False, what=what),
        "naam": _text(row, "naam", what=what),
        "sector": _text(row, "sector", required=False, what=what),
        "bestuur": _text(row, "bestuur", required=False, what=what),
    }
    _insert(conn, "INSERT INTO schools (brin, vestigingscode, naam, sector, bestuur)"
                  " VALUES (:brin, :vestigingscode, :naam, :sector, :bestuur)", school,
            f"School {brin} bestaat al.")
    return school


def _insert_system(conn, row) -> dict:
    what = "Systeem"
    row = _as_dict(row, what)
    system = {
        "id": _text(row, "id", what=what),
        "naam": _text(row, "naam", what=what),
        "soort": (_text(row, "soort", what=what) or "").upper(),
        "leverancier": _text(row, "leverancier", required=False, what=what),
        # the OIN of the system's PKIoverheid certificate: who calls, under mutual TLS
        "oin": _text(row, "oin", required=False, what=what),
    }
    if system["soort"] not in SOORTEN:
        raise AdminError(400, f"Systeem: soort moet LAS of SWV zijn, niet '{row.get('soort')}'.")
    if system["oin"] is not None and not _OIN_RE.match(system["oin"]):
        raise AdminError(400, f"Systeem: OIN '{system['oin']}' moet 20 cijfers zijn.")
    if system["oin"] and conn.execute("SELECT 1 FROM systems WHERE oin = ?",
                                      (system["oin"],)).fetchone():
        raise AdminError(409, f"Systeem: OIN {system['oin']} hoort al bij een ander systeem.")
    _insert(conn, "INSERT INTO systems (id, naam, soort, leverancier, oin)"
                  " VALUES (:id, :naam, :soort, :leverancier, :oin)", system,
            f"Systeem {system['id']} bestaat al.")
    return system


def _mandate_fields(conn, row, what: str = "Mandaat") -> dict:
    row = _as_dict(row, what)
    mandate = {
        "brin": _brin(_text(row, "brin", what=what), what),
        "system": _text(row, "system", what=what),
        "dienst": _text(row, "dienst", what=what),
    }
    if mandate["dienst"] not in DIENSTEN:
        raise AdminError(400, f"Mandaat: dienst moet een van {', '.join(DIENSTEN)} zijn.")
    return mandate


def _insert_mandate(conn, row) -> dict:
    mandate = _mandate_fields(conn, row)
    if not conn.execute("SELECT 1 FROM schools WHERE brin = ?", (mandate["brin"],)).fetchone():
        raise AdminError(400, f"Mandaat: school {mandate['brin']} is niet bekend.",
                         faults.VERSTREKKER_NIET_BEKEND)
    if not conn.execute("SELECT 1 FROM systems WHERE id = ?", (mandate["system"],)).fetchone():
        raise AdminError(400, f"Mandaat: systeem {mandate['system']} is niet bekend.")
    _insert(conn, "INSERT INTO mandates (brin, system, dienst) VALUES (:brin, :system, :dienst)",
            mandate, f"Systeem {mandate['system']} heeft al een mandaat voor "
                     f"{mandate['dienst']} bij school {mandate['brin']}.")
    return mandate


def _insert_aanleverpunt(conn, row) -> dict:
    what = "Aanleverpunt"
    row = _as_dict(row, what)
    rk = (_text(row, "routeringskenmerk", what=what) or "").upper()
    if not _RK_RE.match(rk):
        raise AdminError(400, f"Aanleverpunt: routeringskenmerk '{rk}' moet 20 tekens zijn.")
    ap = {
        "routeringskenmerk": rk,
        # [choice] The BRIN of an SWV endpoint need not be a school in the register (25PO).
        "brin": _brin(_text(row, "brin", what=what), what),
        "system": _text(row, "system", what=what),
        "doel": _text(row, "doel", what=what),
        "naam": _text(row, "naam", what=what),
        "url": _text(row, "url", what=what),
        "actief": _bool(row.get("actief", True), what, "actief"),
        "vestigingscode": _text(row, "vestigingscode", required=False, what=what),
        "scholen": _scholen(row.get("scholen"), what),
    }
    if ap["doel"] not in DOELEN:
        raise AdminError(400, f"Aanleverpunt: doel moet SWV of OV zijn, niet '{ap['doel']}'.")
    if not conn.execute("SELECT 1 FROM systems WHERE id = ?", (ap["system"],)).fetchone():
        raise AdminError(400, f"Aanleverpunt: systeem {ap['system']} is niet bekend.")
    _insert(conn, "INSERT INTO aanleverpunten (routeringskenmerk, brin, system, doel, naam, url,"
                  " actief, vestigingscode, scholen) VALUES (?,?,?,?,?,?,?,?,?)",
            (rk, ap["brin"], ap["system"], ap["doel"], ap["naam"], ap["url"], int(ap["actief"]),
             ap["vestigingscode"], json.dumps(ap["scholen"])),
            f"Aanleverpunt {rk} bestaat al.")
    return ap


# --- admin operations ------------------------------------------------------------------------

def add(tc: TrafficCenter, kind: str, row) -> dict:
    insert = {"schools": _insert_school, "systems": _insert_system,
              "mandates": _insert_mandate, "aanleverpunten": _insert_aanleverpunt}[kind]
    with tc.store.tx() as conn:
        created = insert(conn, row)
    if kind == "aanleverpunten":
        return aanleverpunt(tc, created["routeringskenmerk"])
    return created


_PATCHABLE = {"url", "actief", "naam", "scholen", "vestigingscode"}


def patch_aanleverpunt(tc: TrafficCenter, rk: str, changes) -> dict:
    what = "Aanleverpunt"
    changes = _as_dict(changes, what)
    unknown = set(changes) - _PATCHABLE
    if unknown:
        raise AdminError(400, f"Aanleverpunt: deze velden zijn niet te wijzigen: "
                              f"{', '.join(sorted(unknown))} (wel: {', '.join(sorted(_PATCHABLE))}).")
    if not changes:
        raise AdminError(400, "Aanleverpunt: geen wijzigingen opgegeven.")
    sets, params = [], []
    for key, value in changes.items():
        if key == "actief":
            value = int(_bool(value, what, key))
        elif key == "scholen":
            value = json.dumps(_scholen(value, what))
        else:
            value = _text(changes, key, required=(key != "vestigingscode"), what=what)
        sets.append(f"{key} = ?")
        params.append(value)
    with tc.store.tx() as conn:
        cur = conn.execute(f"UPDATE aanleverpunten SET {', '.join(sets)}"
                           " WHERE routeringskenmerk = ?", (*params, rk.upper()))
        if cur.rowcount == 0:
            raise AdminError(404, f"Aanleverpunt {rk} is niet bekend.", faults.ONBEKEND_AANLEVERPUNT)
    return aanleverpunt(tc, rk)


def delete_aanleverpunt(tc: TrafficCenter, rk: str) -> None:
    with tc.store.tx() as conn:
        cur = conn.execute("DELETE FROM aanleverpunten WHERE routeringskenmerk = ?", (rk.upper(),))
        if cur.rowcount == 0:
            raise AdminError(404, f"Aanleverpunt {rk} is niet bekend.", faults.ONBEKEND_AANLEVERPUNT)


def delete_mandate(tc: TrafficCenter, row) -> None:
    mandate = _mandate_fields(None, row)
    with tc.store.tx() as conn:
        cur = conn.execute("DELETE FROM mandates WHERE brin = ? AND system = ? AND dienst = ?",
                           (mandate["brin"], mandate["system"], mandate["dienst"]))
        if cur.rowcount == 0:
            raise AdminError(404, f"Geen mandaat van {mandate['system']} voor {mandate['dienst']}"
                                  f" bij school {mandate['brin']}.", faults.GEEN_MANDAAT)


# --- queries -----------------------------------------------------------------------------------

def _ap_dict(tc: TrafficCenter, row) -> dict:
    d = dict(row)
    d["actief"] = bool(d["actief"])
    d["scholen"] = json.loads(d["scholen"] or "[]")
    d["url"] = tc.resolve_url(d["url"])
    return d


def aanleverpunt(tc: TrafficCenter, rk: str | None, conn=None) -> dict | None:
    if not rk:
        return None
    db = conn or tc.store.conn()
    row = db.execute("SELECT * FROM aanleverpunten WHERE routeringskenmerk = ?",
                     (rk.upper(),)).fetchone()
    return _ap_dict(tc, row) if row else None


def aanleverpunten(tc: TrafficCenter, *, brin: str | None = None, doel: str | None = None,
                   routeringskenmerk: str | None = None, only_active: bool = False) -> list[dict]:
    where, params = [], []
    if only_active:
        where.append("actief = 1")
    if doel:
        where.append("doel = ?")
        params.append(doel)
    if routeringskenmerk:
        where.append("routeringskenmerk = ?")
        params.append(routeringskenmerk.upper())
    sql = "SELECT * FROM aanleverpunten"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = [_ap_dict(tc, r) for r in tc.store.query(sql + " ORDER BY routeringskenmerk", tuple(params))]
    if brin:
        brin = brin.upper()
        # [choice] A school "has" an SWV endpoint when it activated it (the `scholen` list), not
        # only when the endpoint is registered under its own BRIN.
        rows = [r for r in rows if r["brin"] == brin or brin in r["scholen"]]
    return rows


def school(tc: TrafficCenter, brin: str | None, conn=None) -> dict | None:
    if not brin:
        return None
    db = conn or tc.store.conn()
    row = db.execute("SELECT * FROM schools WHERE brin = ?", (brin.upper(),)).fetchone()
    return dict(row) if row else None


def system(tc: TrafficCenter, system_id: str, conn=None) -> dict | None:
    db = conn or tc.store.conn()
    row = db.execute("SELECT * FROM systems WHERE id = ?", (system_id,)).fetchone()
    return dict(row) if row else None


def system_by_oin(tc: TrafficCenter, oin: str | None, conn=None) -> dict | None:
    """The system whose certificate carries this OIN, or None (unknown caller)."""
    if not oin:
        return None
    db = conn or tc.store.conn()
    row = db.execute("SELECT * FROM systems WHERE oin = ?", (oin,)).fetchone()
    return dict(row) if row else None


def has_mandate(conn, brin: str, system_id: str, dienst: str) -> bool:
    return conn.execute("SELECT 1 FROM mandates WHERE brin = ? AND system = ? AND dienst = ?",
                        (brin.upper(), system_id, dienst)).fetchone() is not None


def system_of(tc: TrafficCenter, routeringskenmerk: str | None) -> dict | None:
    """The register's system behind an aanleverpunt: who speaks for that routeringskenmerk (and,
    under mutual TLS, the system whose certificate OIN the TC checked the caller against)."""
    if not routeringskenmerk:
        return None
    row = tc.store.one("SELECT s.* FROM aanleverpunten a JOIN systems s ON s.id = a.system"
                       " WHERE a.routeringskenmerk = ?", (routeringskenmerk.upper(),))
    return dict(row) if row else None


def lane_systems(tc: TrafficCenter, bron_rk: str | None, doel_rk: str | None) -> dict[str, str]:
    """Lane -> system name for one exchange: the school's system by the bron's routeringskenmerk,
    the SWV's by the doel's; the TC is itself."""
    out = {"TC": "Traffic Center"}
    for lane, rk in (("LAS", bron_rk), ("SWV", doel_rk)):
        system = system_of(tc, rk)
        if system:
            out[lane] = f"{system['naam']} ({system['id']})"
    return out


def snapshot(tc: TrafficCenter) -> dict:
    return {
        "schools": [dict(r) for r in tc.store.query("SELECT * FROM schools ORDER BY brin")],
        "systems": [dict(r) for r in tc.store.query("SELECT * FROM systems ORDER BY id")],
        "mandates": [dict(r) for r in tc.store.query(
            "SELECT * FROM mandates ORDER BY brin, system, dienst")],
        "aanleverpunten": aanleverpunten(tc),
    }


def require_swv_mandates(conn, brin: str, las_system: str, swv_system: str) -> None:
    """OSO-SWV needs both sides mandated by the school's board; name the side that lacks it."""
    from oso_protocol.transport.faults import OsoFault

    for soort, system_id in (("LAS", las_system), ("SWV-systeem", swv_system)):
        if not has_mandate(conn, brin, system_id, DIENST_OSO_SWV):
            raise OsoFault(faults.GEEN_MANDAAT,
                           f"Het {soort} {system_id} heeft geen mandaat voor dienst "
                           f"{DIENST_OSO_SWV} van school {brin.upper()}.")
