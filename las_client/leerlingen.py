"""Schools and pupils as the LAS keeps them: JSON documents of the dossier model.

A PATCH is a JSON merge (RFC 7396) on the stored record, checked by a round trip through the
model so a bad field is refused instead of breaking the next dossier build.
"""
from __future__ import annotations

import json
from typing import Any

from actor_kit.messagelog import now_iso
from actor_kit.store import Store
from oso_protocol.dossier.model import Leerling, School

from .errors import LasError


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _check_leerling(data: dict) -> dict:
    try:
        return Leerling.from_dict(data).to_dict()
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise LasError(400, f"Ongeldige leerlinggegevens: {exc}", "OngeldigeInvoer") from None


# --- schools -----------------------------------------------------------------------------------

def school_row(row) -> dict:
    return {"brin": row["brin"], "vestigingscode": row["vestigingscode"], "naam": row["naam"],
            "routeringskenmerk": row["routeringskenmerk"], "profile": row["profile"]}


def list_scholen(store: Store) -> list[dict]:
    return [school_row(r) for r in store.query("SELECT * FROM scholen ORDER BY brin")]


def get_school(store: Store, brin: str) -> tuple[School, dict]:
    row = store.one("SELECT * FROM scholen WHERE brin = ?", (brin,))
    if row is None:
        raise LasError(404, f"School {brin} is niet bekend in deze LAS.", "OnbekendeSchool")
    return School.from_dict(json.loads(row["data"])), school_row(row)


def school_info(store: Store, brin: str) -> dict:
    """get_school's dict only, without decoding the school's record."""
    row = store.one("SELECT * FROM scholen WHERE brin = ?", (brin,))
    if row is None:
        raise LasError(404, f"School {brin} is niet bekend in deze LAS.", "OnbekendeSchool")
    return school_row(row)


def add_school(conn, school: School, *, routeringskenmerk: str, profile: str) -> None:
    conn.execute(
        "INSERT INTO scholen (brin, vestigingscode, naam, routeringskenmerk, profile, data)"
        " VALUES (?,?,?,?,?,?)",
        (school.brincode, school.vestigingscode, school.naam, routeringskenmerk, profile,
         json.dumps(school.to_dict(), ensure_ascii=False)),
    )


# --- pupils ------------------------------------------------------------------------------------

def _groep(data: dict) -> str | None:
    loopbaan = data.get("schoolloopbaan") or []
    if not loopbaan:
        return None
    laatste = max(loopbaan, key=lambda s: (s.get("schooljaar") or "", s.get("begindatum") or ""))
    return laatste.get("groepsnaam") or laatste.get("groepscode")


def _summary(row) -> dict:
    data = json.loads(row["data"])
    leerling = Leerling.from_dict(data)
    return {"id": row["id"], "naam": leerling.weergavenaam, "brin": row["brin"],
            "groep": _groep(data), "achternaam": leerling.achternaam,
            "geboortedatum": data.get("geboortedatum")}


def list_leerlingen(store: Store, brin: str | None = None) -> list[dict]:
    if brin:
        rows = store.query("SELECT * FROM leerlingen WHERE brin = ? ORDER BY id", (brin,))
    else:
        rows = store.query("SELECT * FROM leerlingen ORDER BY id")
    return [_summary(r) for r in rows]


def _row(store: Store, leerling_id: int):
    row = store.one("SELECT * FROM leerlingen WHERE id = ?", (leerling_id,))
    if row is None:
        raise LasError(404, f"Leerling {leerling_id} is niet bekend.", "OnbekendeLeerling")
    return row


def get_leerling(store: Store, leerling_id: int) -> dict:
    row = _row(store, leerling_id)
    return {"id": row["id"], "brin": row["brin"], **json.loads(row["data"])}


def leerling_brin(store: Store, leerling_id: int) -> str:
    """The school of a pupil, 404 as load_leerling, without decoding the record."""
    row = store.one("SELECT brin FROM leerlingen WHERE id = ?", (leerling_id,))
    if row is None:
        raise LasError(404, f"Leerling {leerling_id} is niet bekend.", "OnbekendeLeerling")
    return row["brin"]


def load_leerling(store: Store, leerling_id: int) -> tuple[Leerling, str]:
    row = _row(store, leerling_id)
    return Leerling.from_dict(json.loads(row["data"])), row["brin"]


def insert_leerling(conn, brin: str, leerling: Leerling | dict) -> int:
    data = leerling.to_dict() if isinstance(leerling, Leerling) else leerling
    cur = conn.execute("INSERT INTO leerlingen (brin, data, gewijzigd_op) VALUES (?,?,?)",
                       (brin, json.dumps(data, ensure_ascii=False), now_iso()))
    return cur.lastrowid


def add_leerling(store: Store, payload: dict) -> int:
    if not isinstance(payload, dict):
        raise LasError(400, "Verwacht een JSON-object met de leerlinggegevens.", "OngeldigeInvoer")
    payload = dict(payload)
    brin = payload.pop("brin", None)
    payload.pop("id", None)
    if not brin:
        raise LasError(400, "Geef de brin van de school van de leerling op.", "OngeldigeInvoer")
    if not payload.get("achternaam"):
        raise LasError(400, "De achternaam van de leerling is verplicht.", "OngeldigeInvoer")
    get_school(store, brin)
    data = _check_leerling(payload)
    with store.tx() as conn:
        return insert_leerling(conn, brin, data)


def patch_leerling(store: Store, leerling_id: int, patch: dict) -> dict:
    if not isinstance(patch, dict):
        raise LasError(400, "Verwacht een JSON-object met de te wijzigen velden.", "OngeldigeInvoer")
    patch = {k: v for k, v in patch.items() if k not in ("id", "brin")}
    with store.tx() as conn:
        row = conn.execute("SELECT * FROM leerlingen WHERE id = ?", (leerling_id,)).fetchone()
        if row is None:
            raise LasError(404, f"Leerling {leerling_id} is niet bekend.", "OnbekendeLeerling")
        merged = merge_patch(json.loads(row["data"]), patch)
        if not merged.get("achternaam"):
            raise LasError(400, "De achternaam van de leerling is verplicht.", "OngeldigeInvoer")
        data = _check_leerling(merged)
        conn.execute("UPDATE leerlingen SET data = ?, gewijzigd_op = ? WHERE id = ?",
                     (json.dumps(data, ensure_ascii=False), now_iso(), leerling_id))
    return get_leerling(store, leerling_id)
