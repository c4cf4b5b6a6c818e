"""Every SOAP message an actor sends or receives: time, direction, operation, peer, full XML, outcome.

It feeds the web pages, the conformance report and debugging. Rows are written in their own
transaction, so a refused or failed exchange is still on record.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from .store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS message_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    side TEXT,              -- 'server' (we answered the call) or 'client' (we made the call)
    operation TEXT,
    element TEXT,
    peer TEXT,
    koppelsleutel TEXT,
    sessie_id TEXT,
    outcome TEXT,
    http_status INTEGER,
    duration_ms REAL,
    xml TEXT
);
CREATE INDEX IF NOT EXISTS message_log_koppelsleutel ON message_log (koppelsleutel);
CREATE INDEX IF NOT EXISTS message_log_sessie ON message_log (sessie_id);
"""

_GUID = r"([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})"
_KOPPEL_RE = re.compile(r"koppelsleutel>\s*" + _GUID)
_SESSIE_RE = re.compile(r"sessieId>\s*" + _GUID)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _sniff(xml: str, pattern: re.Pattern) -> str | None:
    m = pattern.search(xml[:65536])
    return m.group(1).upper() if m else None


class MessageLog:
    def __init__(self, store: Store):
        self.store = store
        store.conn().executescript(SCHEMA)

    def record(self, direction: str, *, side: str | None = None, operation: str | None, element: str | None = None,
               peer: str | None, xml: bytes | str | None, outcome: str,
               http_status: int | None = None, duration_ms: float | None = None,
               koppelsleutel: str | None = None, sessie_id: str | None = None, sniff: bool = True) -> int:
        """`sniff`: take a koppelsleutel and sessieId missing from the arguments from the XML.
        Off where the sender decides what its text is filed under (a refused message)."""
        text = xml.decode("utf-8", "replace") if isinstance(xml, (bytes, bytearray)) else (xml or "")
        if sniff:
            koppelsleutel = (koppelsleutel or _sniff(text, _KOPPEL_RE) or None)
            sessie_id = (sessie_id or _sniff(text, _SESSIE_RE) or None)
        # One INSERT on an autocommit connection is its own transaction: atomic without the
        # BEGIN/COMMIT round of store.tx(), which would triple the statements of every message.
        cur = self.store.conn().execute(
            "INSERT INTO message_log (ts, direction, side, operation, element, peer,"
            " koppelsleutel, sessie_id, outcome, http_status, duration_ms, xml)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (now_iso(), direction, side, operation, element, peer,
             koppelsleutel.upper() if koppelsleutel else None,
             sessie_id.upper() if sessie_id else None,
             outcome, http_status, duration_ms, text),
        )
        return cur.lastrowid

    def entries(self, *, koppelsleutel: str | None = None, sessie_id: str | None = None,
                after_id: int = 0, limit: int = 500, with_xml: bool = True) -> list[dict]:
        cols = "id, ts, direction, side, operation, element, peer, koppelsleutel, sessie_id, outcome," \
               " http_status, duration_ms" + (", xml" if with_xml else "")
        # past SQLite's 64-bit range no row is newer; unbounded, sqlite3 raises OverflowError
        where, params = ["id > ?"], [max(-2 ** 63, min(int(after_id), 2 ** 63 - 1))]
        if koppelsleutel:
            where.append("koppelsleutel = ?")
            params.append(koppelsleutel.upper())
        if sessie_id:
            where.append("sessie_id = ?")
            params.append(sessie_id.upper())
        rows = self.store.query(
            f"SELECT {cols} FROM message_log WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
            (*params, limit),
        )
        return [dict(r) for r in rows]

    def get(self, entry_id: int) -> dict | None:
        row = self.store.one("SELECT * FROM message_log WHERE id = ?", (entry_id,))
        return dict(row) if row else None
