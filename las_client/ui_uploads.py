"""Files chosen on a "Nieuwe zorgvraag" form that was refused.

A browser never refills a file input, so without this the user would have to pick the
toelichting again after, say, forgetting the omschrijving. The files wait in the LAS database
under a random token that the re-rendered form carries in a hidden field; a token only works for
the pupil it was made for, and the rows go once used or after a day.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from actor_kit.store import Store

BEWAARTERMIJN = timedelta(days=1)
MAX_BESTAND = 10 * 1024 * 1024  # per file, on the form and in the JSON API alike


def te_groot(naam: str) -> str:
    return f"Het bestand {naam} is groter dan {MAX_BESTAND // (1024 * 1024)} MB."


def _nu() -> datetime:
    return datetime.now(timezone.utc)


class FormulierBestanden:
    def __init__(self, store: Store):
        self.store = store

    def bewaar(self, leerling_id: int, bestandsnaam: str, inhoud: bytes) -> dict:
        token = secrets.token_urlsafe(24)
        with self.store.tx() as conn:
            conn.execute("DELETE FROM formulierbestanden WHERE bewaard_op < ?",
                         ((_nu() - BEWAARTERMIJN).isoformat(),))
            conn.execute("INSERT INTO formulierbestanden (token, leerling_id, bestandsnaam,"
                         " inhoud, bewaard_op) VALUES (?,?,?,?,?)",
                         (token, leerling_id, bestandsnaam, inhoud, _nu().isoformat()))
        return {"token": token, "bestandsnaam": bestandsnaam, "inhoud": inhoud}

    def haal(self, leerling_id: int, token: str) -> dict | None:
        if not token:
            return None
        row = self.store.one("SELECT * FROM formulierbestanden WHERE token = ? AND"
                             " leerling_id = ? AND bewaard_op >= ?",
                             (token, leerling_id, (_nu() - BEWAARTERMIJN).isoformat()))
        if row is None:
            return None
        return {"token": token, "bestandsnaam": row["bestandsnaam"], "inhoud": bytes(row["inhoud"])}

    def vergeet(self, tokens) -> None:
        tokens = [t for t in tokens if t]
        if not tokens:
            return
        with self.store.tx() as conn:
            conn.executemany("DELETE FROM formulierbestanden WHERE token = ?",
                             [(t,) for t in tokens])
