"""Retrying what was lost in transit: an afmelding, a terugkoppeling (meldenTerugkoppeling
plus terugkoppelingRequest), and a fetch (the TC's confirmation of a notificatie, an overdracht,
a documentRequest) that got no answer.

A lost afmelding leaves the TC thinking the dossier was never fetched, which blocks every
terugkoppeling; so it is tried again, with a growing pause (doubling, capped), until the TC
answers. A terugkoppeling lost in transit goes the same way, and one written while the
afmelding is still open waits for it. A refusal (a SOAP Fault) is an answer and ends it.

One thread, sleeping until the earliest due attempt. What is due lives in memory; the database
says what is still open, so after a restart everything open is due at once (the app's start-up).
"""
from __future__ import annotations

import heapq
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

log = logging.getLogger(__name__)

AFMELDING = "afmelding"
TERUGKOPPELING = "terugkoppeling"
OPHALEN = "ophalen"

# [choice] 2 s, 4 s, 8 s ... never more than 5 minutes between two attempts: the first retry
# comes within seconds, a peer that stays away is not hammered
DEFAULT_BASE_SECONDS = 2.0
DEFAULT_MAX_SECONDS = 300.0


@dataclass
class Poging:
    soort: str
    sleutel: object          # koppelsleutel (afmelding) or terugkoppeling id
    pogingen: int            # failed attempts so far
    volgende: float          # epoch seconds of the next attempt
    fout: str | None = None
    wat: str | None = None   # what it waits for, in the page's words (a fetch's, say)

    def melding(self) -> str:
        wat = self.wat or {AFMELDING: "Afmelding nog niet bevestigd",
                           OPHALEN: "Ophalen nog niet gelukt"}.get(
            self.soort, "Terugkoppeling nog niet bevestigd")
        tijd = datetime.fromtimestamp(self.volgende).astimezone().strftime("%H:%M:%S")
        return f"{wat}, volgende poging om {tijd}"

    def to_dict(self) -> dict:
        wanneer = datetime.fromtimestamp(self.volgende, timezone.utc)
        return {"bevestigd": False, "pogingen": self.pogingen,
                "volgende_poging": wanneer.isoformat(timespec="seconds"),
                "fout": self.fout, "melding": self.melding()}


class Herhaler:
    """`afmelden(koppelsleutel)` and `terugkoppelen(id)` make one attempt each and return True
    when it is settled (confirmed, or refused for good). When an attempt fails in transit the
    domain code reports it with `mislukt`; an attempt that is not settled and reported nothing
    is backed off all the same, so nothing is retried in a tight loop."""

    def __init__(self, *, afmelden: Callable[[str], bool], terugkoppelen: Callable[[int], bool],
                 ophalen: Callable[[str], bool] | None = None,
                 base_seconds: float = DEFAULT_BASE_SECONDS,
                 max_seconds: float = DEFAULT_MAX_SECONDS, clock: Callable[[], float] = time.time):
        self._attempt = {AFMELDING: afmelden, TERUGKOPPELING: terugkoppelen,
                         OPHALEN: ophalen or (lambda key: True)}
        self.base = max(0.0, float(base_seconds))
        self.max = max(self.base, float(max_seconds))
        self._clock = clock
        self._open: dict[tuple[str, object], Poging] = {}
        self._heap: list[tuple[float, int, tuple[str, object]]] = []
        self._seq = 0
        self._reported: set[tuple[str, object]] = set()
        self._cv = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._loop, name="swv-herstel", daemon=True)
        self._thread.start()

    def delay(self, pogingen: int) -> float:
        """The pause after `pogingen` failed attempts: base, 2x, 4x ... never above max."""
        return min(self.max, self.base * (2 ** min(max(0, pogingen - 1), 30)))

    def mislukt(self, soort: str, sleutel, fout: str | None = None,
                wat: str | None = None) -> Poging:
        """An attempt failed in transit: schedule the next one after a longer pause."""
        ident = (soort, sleutel)
        with self._cv:
            old = self._open.get(ident)
            pogingen = (old.pogingen if old else 0) + 1
            p = Poging(soort, sleutel, pogingen, self._clock() + self.delay(pogingen),
                       fout or (old.fout if old else None), wat or (old.wat if old else None))
            self._reported.add(ident)
            self._push(p)
            return p

    def nu(self, soort: str, sleutel, wat: str | None = None) -> None:
        """Due at once: after a restart, or when what it waited for is done."""
        ident = (soort, sleutel)
        with self._cv:
            old = self._open.get(ident)
            self._push(Poging(soort, sleutel, old.pogingen if old else 0, self._clock(),
                              old.fout if old else None, wat or (old.wat if old else None)))

    def klaar(self, soort: str, sleutel) -> None:
        with self._cv:
            self._open.pop((soort, sleutel), None)

    def _push(self, p: Poging) -> None:
        self._open[(p.soort, p.sleutel)] = p
        self._seq += 1
        heapq.heappush(self._heap, (p.volgende, self._seq, (p.soort, p.sleutel)))
        self._cv.notify_all()

    def open(self, soort: str, sleutel) -> dict | None:
        """What the pages and the API show: attempts, next attempt, last error, a Dutch line."""
        with self._cv:
            p = self._open.get((soort, sleutel))
            return p.to_dict() if p else None

    # --- the thread --------------------------------------------------------------------------

    def _next_due(self):
        with self._cv:
            while not self._stopped:
                while self._heap:
                    due, _, ident = self._heap[0]
                    p = self._open.get(ident)
                    if p is None or p.volgende != due:
                        heapq.heappop(self._heap)  # settled or rescheduled since
                        continue
                    if due <= self._clock():
                        heapq.heappop(self._heap)
                        self._reported.discard(ident)
                        return ident
                    break
                wait = min(max(self._heap[0][0] - self._clock(), 0.0), 60.0) if self._heap else None
                self._cv.wait(timeout=wait)
            return None

    def _loop(self) -> None:
        while True:
            ident = self._next_due()
            if ident is None:
                return
            soort, sleutel = ident
            try:
                settled = bool(self._attempt[soort](sleutel))
            except Exception:  # one broken attempt must not stop the others
                log.exception("retry of %s %s failed", soort, sleutel)
                settled = False
            with self._cv:
                reported = ident in self._reported
            if settled:
                self.klaar(soort, sleutel)
            elif not reported:
                self.mislukt(soort, sleutel)

    def stop(self, timeout: float = 5.0) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify_all()
        self._thread.join(timeout)


def start(ophalen, sender, config: dict, automatisch: Callable[[], bool] = lambda: True
          ) -> Herhaler:
    """A retrier wired to the fetch and the terugkoppeling sender, with everything the database
    still has open due at once. Config RETRY_BASE_SECONDS and RETRY_MAX_SECONDS (see above).
    `automatisch()`: whether a koppelsleutel the TC confirms late is fetched at once."""
    from . import aanvragen as av
    from .ophalen import afmelding_open, ophalen_open, wacht_op
    from .terugkoppeling import OPNIEUW

    def ophalen_poging(key: str) -> bool:
        try:
            row = ophalen.run(key, ophalen=automatisch())
        except av.OnbekendeAanvraag:
            return True
        return not ophalen_open(row)

    def afmelden(key: str) -> bool:
        row = ophalen.run(key)
        if afmelding_open(row):
            return False
        # what waited for this afmelding may go now
        for tk in sender.inbox.terugkoppelingen(key):
            if tk["verzendstatus"] == OPNIEUW:
                herhaler.nu(TERUGKOPPELING, tk["id"])
        return True

    herhaler = Herhaler(afmelden=afmelden, terugkoppelen=sender.resend, ophalen=ophalen_poging,
                        base_seconds=float(config.get("RETRY_BASE_SECONDS", DEFAULT_BASE_SECONDS)),
                        max_seconds=float(config.get("RETRY_MAX_SECONDS", DEFAULT_MAX_SECONDS)))
    ophalen.on_afmelding_open = lambda key: herhaler.mislukt(AFMELDING, key)
    ophalen.on_open = lambda key, wat: herhaler.mislukt(OPHALEN, key, wat=wat)
    ophalen.on_klaar = lambda key: herhaler.klaar(OPHALEN, key)
    sender.on_open = lambda tk_id, fout: herhaler.mislukt(TERUGKOPPELING, tk_id, fout)
    for row in sender.inbox.store.query(
            "SELECT * FROM aanvraag WHERE afmelding_fout IS NOT NULL AND afgemeld_op IS NULL"):
        if afmelding_open(dict(row)):
            herhaler.nu(AFMELDING, row["koppelsleutel"])
    for tk_id in sender.open_ids():
        herhaler.nu(TERUGKOPPELING, tk_id)
    # a fetch that waited for a peer (or for the TC's confirmation) when the process stopped
    for row in sender.inbox.store.query(
            "SELECT * FROM aanvraag WHERE status IN (?, ?, ?, ?)",
            (av.ONBEVESTIGD, av.GENOTIFICEERD, av.WACHT, av.SESSIE)):
        if ophalen_open(dict(row)):
            herhaler.nu(OPHALEN, row["koppelsleutel"], wat=wacht_op(dict(row)))
    return herhaler


def annotate(herhaler: Herhaler | None, aanvraag: dict) -> dict:
    """The API's aanvraag with what is still being retried: `afmelding_herstel`,
    `ophalen_herstel` (a fetch waiting for the TC or the LAS) and, per
    terugkoppeling, `herstel` ({bevestigd, pogingen, volgende_poging, fout, melding} or None)."""
    if herhaler is None:
        return aanvraag
    out = dict(aanvraag, afmelding_herstel=herhaler.open(AFMELDING, aanvraag["koppelsleutel"]),
               ophalen_herstel=herhaler.open(OPHALEN, aanvraag["koppelsleutel"]))
    out["terugkoppelingen"] = [dict(t, herstel=herhaler.open(TERUGKOPPELING, t["id"]))
                               for t in aanvraag.get("terugkoppelingen") or []]
    return out
