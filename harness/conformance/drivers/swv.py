"""The SWV role. Simulated: its JSON API (docs/actors.md). External: it acts on a notification by
itself; what it did is read from the simulated TC (overdracht, afmelding, meldenTerugkoppeling)
and the LAS side (documentRequest); a terugkoppeling comes from its trigger or a person."""
from __future__ import annotations

import base64
import json
import time
from pathlib import Path

from harness.conformance.outcomes import NotVerified

from harness.conformance.drivers.http import DriverError, RoleDriver
from harness.conformance.drivers.trigger import output, prompt_person, refused, run_trigger

FINAL = ("afgemeld", "mislukt")


class SwvDriver(RoleDriver):
    """What every scenario may ask of the SWV under test (or of ours playing it)."""


class SimulatedSwv(SwvDriver):
    def __init__(self, env, config, base_url: str):
        super().__init__(env, config, base_url)
        self.api = env.json_api("swv", base_url, config.timeout)

    def aanvraag(self, koppelsleutel: str) -> dict | None:
        answer = self.api.request("GET", f"/api/aanvragen/{koppelsleutel}")
        return answer.body if answer.ok else None

    def wait_fetched(self, koppelsleutel: str) -> dict:
        """Until the dossier is fetched and the session signed off (or the fetch failed)."""
        deadline = time.monotonic() + self.config.wait_seconds
        last = None
        while time.monotonic() < deadline:
            wait = min(10.0, max(0.5, deadline - time.monotonic()))
            answer = self.api.request("GET", f"/api/aanvragen/{koppelsleutel}?wait=afgemeld&timeout={wait:.1f}",
                                      timeout=wait + self.config.timeout)
            if answer.ok:
                last = answer.body
                if last.get("status") in FINAL:
                    return last
            else:
                time.sleep(0.1)
        raise AssertionError(f"SWV haalde het dossier van {koppelsleutel} niet op binnen"
                             f" {self.config.wait_seconds:.0f} s (laatste stand: {last})")

    def fetch_now(self, koppelsleutel: str) -> dict:
        answer = self.api.request("POST", f"/api/aanvragen/{koppelsleutel}/ophalen",
                                  timeout=self.config.wait_seconds)
        return answer.body if isinstance(answer.body, dict) else {}

    def dossier(self, koppelsleutel: str) -> bytes:
        return self.api.raw("GET", f"/api/aanvragen/{koppelsleutel}/dossier")

    def rapport(self, koppelsleutel: str) -> dict:
        return self.api.get(f"/api/aanvragen/{koppelsleutel}/rapport")

    def toon(self, koppelsleutel: str) -> dict | None:
        """The SWV's view of an aanvraag in the shape of trigger_toon_aanvraag; None when the SWV
        has none for this koppelsleutel."""
        answer = self.api.request("GET", f"/api/aanvragen/{koppelsleutel}")
        if not answer.ok:
            return None
        body = answer.body
        return {"status": body.get("status"), "afmelding": body.get("afmelding_resultaat"),
                "dossier_bewaard": bool(body.get("dossier_bewaard"))}

    def terugkoppeling(self, koppelsleutel: str, body: dict) -> tuple[bool, str]:
        answer = self.api.request("POST", f"/api/aanvragen/{koppelsleutel}/terugkoppeling", json=body,
                                  timeout=self.config.wait_seconds)
        data = answer.body if isinstance(answer.body, dict) else {}
        return bool(data.get("verzonden")), str(data.get("resultaat") or data.get("fout") or answer.fout)


class ExternalSwv(SwvDriver):
    simulated = False

    def aanvraag(self, koppelsleutel: str) -> dict | None:
        return None

    def wait_fetched(self, koppelsleutel: str) -> dict:
        """Fetched = the TC saw the overdracht and the LAS delivered the dossier; then give the
        SWV until the deadline to sign off, so a missing afmelding is visible to later steps."""
        tc = self.env.tc
        k = tc.wait_koppeling(lambda k: k.get("opgehaald") or self._delivered(koppelsleutel),
                              self.config.wait_seconds, koppelsleutel, "ophalen van het dossier door het SWV")
        deadline = time.monotonic() + min(5.0, self.config.wait_seconds)
        while time.monotonic() < deadline and not all(s["afgemeld"] for s in k["sessies"]):
            time.sleep(0.1)
            k = tc.koppeling(koppelsleutel) or k
        return {"status": "afgemeld" if k["sessies"] and all(s["afgemeld"] for s in k["sessies"])
                else "opgehaald", "koppeling": k}

    def fetch_now(self, koppelsleutel: str) -> dict:
        return self.wait_fetched(koppelsleutel)

    def _delivered(self, koppelsleutel: str) -> bool:
        """A simulated LAS or a harness peer delivered the dossier (the TC only learns it at
        afmelding)."""
        return self.env.delivered_dossier(koppelsleutel) is not None

    def dossier(self, koppelsleutel: str) -> bytes:
        raise DriverError("het dossier zoals een extern SWV het ontving is niet zichtbaar")

    def toon(self, koppelsleutel: str) -> dict | None:
        """trigger_toon_aanvraag: exit 0 with JSON holding at least `status` and
        `dossier_bewaard` (true/false); exit 1 when the SWV has no aanvraag for the key."""
        template = self.config.trigger_toon_aanvraag
        if not template:
            raise NotVerified("[swv] trigger_toon_aanvraag ontbreekt in de configuratie")
        done = run_trigger("swv", template, {"koppelsleutel": koppelsleutel}, self.config.wait_seconds,
                           cwd=getattr(self.config, "folder", None), key="trigger_toon_aanvraag")
        if refused("swv", "trigger_toon_aanvraag", done):
            return None
        try:
            data = json.loads(done.stdout)
        except ValueError:
            raise NotVerified(f"trigger_toon_aanvraag gaf geen JSON: {done.stdout.strip()[:200]!r}") from None
        if not isinstance(data, dict) or not isinstance(data.get("dossier_bewaard"), bool):
            raise NotVerified("trigger_toon_aanvraag gaf niet de afgesproken vorm (een object met"
                              f" dossier_bewaard true of false): {str(data)[:200]}")
        return data

    def terugkoppeling(self, koppelsleutel: str, body: dict) -> tuple[bool, str]:
        values = {"koppelsleutel": koppelsleutel, "status": body.get("status", ""),
                  "toelichting": body.get("toelichting", ""), "behandelaar": body.get("behandelaar", ""),
                  "document": ""}
        if body.get("document"):
            # absolute: the trigger runs in the configuration's folder, not in ours
            folder = Path(self.env.workdir).resolve() / f"document-{time.time_ns()}"
            folder.mkdir()
            values["document"] = str(folder / body["document"]["bestandsnaam"])
            Path(values["document"]).write_bytes(base64.b64decode(body["document"]["inhoud_base64"]))
        if self.config.trigger_terugkoppeling:
            done = run_trigger("swv", self.config.trigger_terugkoppeling, values, self.config.wait_seconds,
                               cwd=getattr(self.config, "folder", None), key="trigger_terugkoppeling")
            if refused("swv", "trigger_terugkoppeling", done):
                # the SWV itself did not send: observed, not a trigger fault
                return False, f"het SWV-systeem stuurde de terugkoppeling niet: {output(done, 300) or '(geen reden)'}"
        elif not getattr(self.config, "handmatig", False):
            raise NotVerified("[swv] trigger_terugkoppeling ontbreekt in de configuratie")
        else:
            prompt_person(f"Laat het SWV-systeem op {self.base_url} een terugkoppeling sturen voor"
                          f" koppelsleutel {koppelsleutel}: status {values['status']!r}, toelichting"
                          f" {values['toelichting']!r}. De harnas wacht {self.config.wait_seconds:.0f} s.")
        try:
            self.env.tc.wait_koppeling(lambda k: k.get("terugkoppeling_gemeld"), self.config.wait_seconds,
                                       koppelsleutel, "meldenTerugkoppeling van het SWV")
        except AssertionError as exc:
            return False, str(exc)
        return True, "gemeld bij de TC"
