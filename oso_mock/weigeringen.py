"""Refused meldenNotificatie calls: what the TC said no to, per school and aanleverpunt.

A refusal issues no koppelsleutel, so nothing in the exchange state remembers it; the trainer
still needs to show "the TC said no, with this code". Each refusal is kept here with the
request's bron and doel and the result code, next to the message-log row of the request so its
timeline can be drawn.
"""
from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime

from oso_protocol.transport.faults import OsoFault

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS geweigerde_meldingen (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    bron_brin TEXT,
    bron_routeringskenmerk TEXT,
    doel_brin TEXT,
    doel_routeringskenmerk TEXT,
    resultaat TEXT NOT NULL,
    omschrijving TEXT,
    bericht_in INTEGER                       -- message_log id of the refused request, if found
);
"""


def ensure_schema(store) -> None:
    # the table lives in the TC's database file; creating it once per store is enough
    if not getattr(store, "_geweigerde_meldingen", False):
        store.conn().executescript(SCHEMA)
        store._geweigerde_meldingen = True


def registreer(handler):
    """Wrap the meldenNotificatie handler: a refusal is recorded, then raised as before."""
    @functools.wraps(handler)
    def wrapped(tc, msg, **kw):
        try:
            return handler(tc, msg, **kw)
        except OsoFault as fault:
            try:
                noteer(tc, msg, fault)
            except Exception:  # recording must never change the answer the LAS gets
                log.exception("recording a refused meldenNotificatie failed")
            raise
    return wrapped


def _request_row(store, bron_rk: str | None, doel_rk: str | None) -> int | None:
    # the request row was logged before the handler ran; under load another request may be
    # later, so the row must name this bron and doel
    rows = store.query(
        "SELECT id, xml FROM message_log WHERE side = 'server' AND direction = 'in'"
        " AND operation = 'meldenNotificatie' ORDER BY id DESC LIMIT 20")
    for r in rows:
        xml = r["xml"] or ""
        if (not bron_rk or bron_rk in xml) and (not doel_rk or doel_rk in xml):
            return r["id"]
    return None


def noteer(tc, msg, fault: OsoFault) -> int:
    bron_rk = getattr(msg, "bronRouteringsKenmerk", None)
    doel_rk = getattr(msg, "doelRouteringsKenmerk", None)
    ensure_schema(tc.store)
    with tc.store.tx() as conn:
        cur = conn.execute(
            "INSERT INTO geweigerde_meldingen (ts, bron_brin, bron_routeringskenmerk, doel_brin,"
            " doel_routeringskenmerk, resultaat, omschrijving, bericht_in)"
            " VALUES (?,?,?,?,?,?,?,?)",
            (tc.now(), (getattr(msg, "bronBrin", None) or "").upper() or None, bron_rk,
             (getattr(msg, "doelBrin", None) or "").upper() or None, doel_rk, fault.resultaat,
             fault.omschrijving, _request_row(tc.store, bron_rk, doel_rk)))
        return cur.lastrowid


def _dict(row) -> dict:
    d = dict(row)
    d["ts"] = datetime.fromtimestamp(d["ts"], tz=UTC).isoformat(timespec="seconds")
    return d


def alle(tc) -> list[dict]:
    ensure_schema(tc.store)
    return [_dict(r) for r in tc.store.query(
        "SELECT * FROM geweigerde_meldingen ORDER BY id DESC LIMIT 500")]


def een(tc, weigering_id: int) -> dict | None:
    ensure_schema(tc.store)
    row = tc.store.one("SELECT * FROM geweigerde_meldingen WHERE id = ?", (weigering_id,))
    return _dict(row) if row else None


def per_school(rows: list[dict]) -> list[dict]:
    """Grouped by school and aanleverpunt (bron BRIN, doel routeringskenmerk), newest first,
    with a count per result code."""
    groepen: dict[tuple, dict] = {}
    for r in rows:
        key = (r["bron_brin"], r["doel_routeringskenmerk"])
        g = groepen.setdefault(key, {"bron_brin": r["bron_brin"],
                                     "doel_routeringskenmerk": r["doel_routeringskenmerk"],
                                     "doel_brin": r["doel_brin"], "codes": {}, "laatste": r})
        g["codes"][r["resultaat"]] = g["codes"].get(r["resultaat"], 0) + 1
    return list(groepen.values())


def berichten(messagelog, weigering: dict) -> list[dict]:
    """The refused request and the TC's fault answer, as message-log rows for the timeline."""
    if not weigering.get("bericht_in"):
        return []
    verzoek = messagelog.get(weigering["bericht_in"])
    if verzoek is None:
        return []
    antwoord = messagelog.store.one(
        "SELECT * FROM message_log WHERE side = 'server' AND direction = 'out'"
        " AND operation = 'meldenNotificatie' AND COALESCE(http_status, 200) != 200 AND id > ?"
        " ORDER BY id LIMIT 1", (verzoek["id"],))
    return [verzoek] + ([dict(antwoord)] if antwoord else [])
