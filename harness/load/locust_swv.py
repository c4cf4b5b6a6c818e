"""Locust: a system under test in the SWV role under a wave of zorgvragen.

Each simulated school (a LAS of this worker) sends zorgvragen of its synthetic pupils; the SWV
gets them through the simulated TC and fetches the dossiers from the school. Timed per exchange:
the notificatie (the LAS's send, which returns when the SWV answered the notificatie), the time
until the SWV fetched the dossier and until it signed the session off, both seen at the TC.
"""
from __future__ import annotations

import time

import requests
from locust import User, constant, events, task
from locust.exception import StopUser

from harness.load.checks import OVERDRACHT_GESLAAGD, pupils, zorgvraag_body
from harness.load.locust_common import (
    StepFailed,
    fail,
    step,
    take_number,
    worker_index,
    world,
)

_pupils: dict[int, list] = {}
# Polling the TC is itself load on the TC: the interval starts small and grows, so a slow step
# is seen to within about a third of its time and a fast one to within a few ms.
POLL_FIRST, POLL_GROWTH, POLL_MAX = 0.005, 1.4, 0.2


@events.test_start.add_listener
def _load_pupils(environment, **_):
    las = worker_index(environment) % len(world().las_urls)
    _pupils[las] = pupils(world(), las)


class School(User):
    wait_time = constant(0)

    def on_start(self):
        self.las = worker_index(self.environment) % len(world().las_urls)
        self.http = requests.Session()
        if self.las not in _pupils:
            _pupils[self.las] = pupils(world(), self.las)

    @task
    def zorgvraag(self):
        env, w = self.environment, world()
        n = take_number(env)
        if n is None:
            raise StopUser()
        leerling, ap = _pupils[self.las][n % len(_pupils[self.las])]
        base = w.las_urls[self.las]
        try:
            with step(env, "OSO", "notificatie (school verzendt, SWV antwoordt)"):
                resp = self.http.post(f"{base}/api/leerlingen/{leerling}/zorgvragen",
                                      json=zorgvraag_body(n, ap), timeout=w.wait_seconds)
                zv = resp.json().get("zorgvraag") or {}
                if resp.status_code != 201 or zv.get("notificatie_verstuurd") != "Ja":
                    raise StepFailed(f"HTTP {resp.status_code}: {zv.get('laatste_fout') or resp.text[:200]}")
            k = zv["koppelsleutel"]
            started = time.perf_counter()
            with step(env, "OSO", "na notificatie: tot ophalen (documentRequest)"):
                kp = self._follow(k, lambda kp: kp.get("opgehaald"), started)
            with step(env, "OSO", "na ophalen: tot afmelding"):
                kp = self._follow(k, lambda kp: any(s.get("afgemeld") for s in kp.get("sessies") or []),
                                  started)
            resultaten = [s.get("resultaat") for s in kp.get("sessies") or [] if s.get("afgemeld")]
            if resultaten != [OVERDRACHT_GESLAAGD]:
                fail(env, "afmeldingsresultaat", f"{k}: afgemeld met {resultaten}")
        except (StepFailed, requests.RequestException, ValueError, KeyError):
            return  # already counted by step()

    def _follow(self, k: str, done, started: float) -> dict:
        """Poll the TC's koppeling until `done`; the TC sees every step of the SWV."""
        w = world()
        pause = POLL_FIRST
        while True:
            resp = self.http.get(f"{w.urls['tc']}/api/koppelingen/{k}", timeout=w.wait_seconds)
            kp = resp.json() if resp.ok else {}
            if done(kp):
                return kp
            if time.perf_counter() - started > w.wait_seconds:
                raise StepFailed(f"{k}: na {w.wait_seconds:.0f} s nog niet zo ver")
            time.sleep(pause)
            pause = min(pause * POLL_GROWTH, POLL_MAX)
