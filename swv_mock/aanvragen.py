"""The inbox: aanvragen keyed by koppelsleutel, and the status machine they move through.

    genotificeerd (or wacht in step mode) -> sessie -> opgehaald -> afgemeld
    any step may end in mislukt, with fout and fout_code
    onbevestigd -> genotificeerd (or wacht): taken while the TC could not confirm the key

Every change goes through `Inbox.update`, which commits and then wakes up whoever waits for a
status (the harness's long-poll API), so nobody has to poll the database.
"""
from __future__ import annotations

import json
import threading
import time

from actor_kit.messagelog import now_iso
from actor_kit.store import Store

GENOTIFICEERD = "genotificeerd"
WACHT = "wacht"
SESSIE = "sessie"
OPGEHAALD = "opgehaald"
AFGEMELD = "afgemeld"
MISLUKT = "mislukt"
# the notificatie was taken while the TC could not be asked to confirm its koppelsleutel: not
# an aanvraag yet, so no rank on the happy path (a wait for `genotificeerd` is not satisfied)
ONBEVESTIGD = "onbevestigd"

STATUSSEN = (ONBEVESTIGD, WACHT, GENOTIFICEERD, SESSIE, OPGEHAALD, AFGEMELD, MISLUKT)
# how far along the happy path a status is; waiting for `sessie` is satisfied by `afgemeld` too
_RANK = {WACHT: 0, GENOTIFICEERD: 0, SESSIE: 1, OPGEHAALD: 2, AFGEMELD: 3}
# statuses the worker picks up again after a restart
ONAF = (GENOTIFICEERD, SESSIE, OPGEHAALD)

_LIST_FIELDS = ("koppelsleutel", "status", "bron_brin", "bron_routeringskenmerk", "opgehaald_op",
                "doel_routeringskenmerk", "ontvangen_op", "valid")


class OnbekendeAanvraag(KeyError):
    """No aanvraag with this koppelsleutel."""


class KoppelsleutelConflict(Exception):
    """The koppelsleutel is already stored for another bron."""


def normalize_key(koppelsleutel: str) -> str:
    # the wiki shows upper-case GUIDs; a LAS sending lower case must still find its aanvraag
    return (koppelsleutel or "").strip().upper()


def _valid(value):
    return None if value is None else bool(value)


class Inbox:
    def __init__(self, store: Store):
        self.store = store
        # waiters per koppelsleutel: [condition, number waiting, changes seen], so a change
        # wakes only the callers waiting for that aanvraag, not every waiter of the inbox
        self._lock = threading.Lock()
        self._waiters: dict[str, list] = {}

    # --- reading -----------------------------------------------------------------------------

    def row(self, koppelsleutel: str) -> dict | None:
        row = self.store.one("SELECT * FROM aanvraag WHERE koppelsleutel = ?",
                             (normalize_key(koppelsleutel),))
        return dict(row) if row else None

    def overview(self) -> list[dict]:
        rows = self.store.query(
            f"SELECT {', '.join(_LIST_FIELDS)} FROM aanvraag ORDER BY ontvangen_op DESC")
        return [dict(r, valid=_valid(r["valid"])) for r in rows]

    def keys_with_status(self, statuses) -> list[str]:
        marks = ",".join("?" * len(statuses))
        return [r["koppelsleutel"] for r in self.store.query(
            f"SELECT koppelsleutel FROM aanvraag WHERE status IN ({marks}) ORDER BY ontvangen_op",
            tuple(statuses))]

    def public(self, row: dict) -> dict:
        """The aanvraag as the JSON API shows it (without the dossier bytes)."""
        rapport = json.loads(row["rapport"]) if row.get("rapport") else None
        out = {k: row[k] for k in (
            "koppelsleutel", "status", "bron_brin", "bron_routeringskenmerk", "doel_brin",
            "doel_routeringskenmerk", "ontvangen_op", "bijgewerkt_op", "sessie_id", "las_url",
            "dossier_versie", "opgehaald_op", "profile", "afmelding_resultaat", "afgemeld_op",
            "afmelding_fout", "fout", "fout_code", "pogingen")}
        out["valid"] = _valid(row["valid"])
        out["dossier_opgehaald"] = row["dossier"] is not None
        # a refused dossier (DossierOngeldig) is signed off without its bytes being kept
        out["dossier_bewaard"] = row["dossier"] is not None
        out["bevestigd"] = row["status"] != ONBEVESTIGD
        out["bevindingen"] = len(rapport["findings"]) if rapport else None
        out["terugkoppelingen"] = self.terugkoppelingen(row["koppelsleutel"])
        return out

    def terugkoppelingen(self, koppelsleutel: str) -> list[dict]:
        rows = self.store.query("SELECT * FROM terugkoppeling WHERE koppelsleutel = ? ORDER BY id",
                                (normalize_key(koppelsleutel),))
        return [terugkoppeling_public(dict(r)) for r in rows]

    # --- writing -----------------------------------------------------------------------------

    def receive(self, *, koppelsleutel: str, bron_brin: str, bron_routeringskenmerk: str,
                doel_brin: str, doel_routeringskenmerk: str, status: str) -> tuple[dict, bool]:
        """Store a notificatie. Returns (row, new). The check and the insert share one
        transaction, so two simultaneous notificaties cannot both create the aanvraag."""
        key = normalize_key(koppelsleutel)
        with self.store.tx() as conn:
            existing = conn.execute("SELECT * FROM aanvraag WHERE koppelsleutel = ?",
                                    (key,)).fetchone()
            if existing is not None:
                if (existing["bron_brin"], existing["bron_routeringskenmerk"]) != (
                        bron_brin, bron_routeringskenmerk):
                    raise KoppelsleutelConflict(key)
                return dict(existing), False
            now = now_iso()
            conn.execute(
                "INSERT INTO aanvraag (koppelsleutel, status, bron_brin, bron_routeringskenmerk,"
                " doel_brin, doel_routeringskenmerk, ontvangen_op, bijgewerkt_op)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (key, status, bron_brin, bron_routeringskenmerk, doel_brin,
                 doel_routeringskenmerk, now, now))
        self._notify(key)
        return self.row(key), True

    def update(self, koppelsleutel: str, **changes) -> dict:
        """Commit `changes` to one aanvraag, then wake the waiters."""
        changes["bijgewerkt_op"] = now_iso()
        cols = ", ".join(f"{k} = ?" for k in changes)
        with self.store.tx() as conn:
            conn.execute(f"UPDATE aanvraag SET {cols} WHERE koppelsleutel = ?",
                         (*changes.values(), normalize_key(koppelsleutel)))
        self._notify(koppelsleutel)
        return self.row(koppelsleutel)

    def _notify(self, koppelsleutel: str) -> None:
        with self._lock:
            entry = self._waiters.get(normalize_key(koppelsleutel))
            if entry is not None:
                entry[2] += 1
                entry[0].notify_all()

    # --- waiting -----------------------------------------------------------------------------

    def wait(self, koppelsleutel: str, status: str, timeout: float) -> tuple[dict | None, bool]:
        """Block until the aanvraag reached `status` (or got further, or failed).
        Returns (row or None, reached)."""
        deadline = time.monotonic() + timeout
        key = normalize_key(koppelsleutel)
        with self._lock:
            entry = self._waiters.setdefault(key, [threading.Condition(self._lock), 0, 0])
            entry[1] += 1
        try:
            while True:
                with self._lock:
                    seen = entry[2]
                row = self.row(key)
                if row is not None and reached(row["status"], status):
                    return row, True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return row, False
                with self._lock:
                    if entry[2] == seen:  # no change since the row was read
                        # a short cap, so a change made by another process on the same file is seen too
                        entry[0].wait(min(remaining, 0.5))
        finally:
            with self._lock:
                entry[1] -= 1
                if entry[1] == 0:
                    self._waiters.pop(key, None)


def reached(current: str, wanted: str) -> bool:
    if current == wanted or current == MISLUKT:
        return True
    return current in _RANK and wanted in _RANK and _RANK[current] >= _RANK[wanted]


def terugkoppeling_public(row: dict) -> dict:
    return {
        "id": row["id"],
        "koppelsleutel": row["koppelsleutel"],
        "status": row["status"],
        "datum": row["datum"],
        "toelichting": row["toelichting"],
        "behandelaar": row["behandelaar"],
        "documenten": [{k: d[k] for k in ("bestandsnaam", "omschrijving")}
                       for d in json.loads(row["documenten"] or "[]")],
        "verzendstatus": row["verzendstatus"],
        "verzonden": row["verzendstatus"] == "verzonden",
        "las_url": row["las_url"],
        "resultaat": row["resultaat"],
        "fout": row["fout"],
        "fout_code": row["fout_code"],
        "aangemaakt_op": row["aangemaakt_op"],
        "verzonden_op": row["verzonden_op"],
    }
