"""The Traffic Center role: its register admin API, its koppelingen, and SOAP calls the harness
makes to it while playing the LAS or the SWV."""
from __future__ import annotations

import time

from harness.conformance.outcomes import not_applicable
from oso_protocol.transport import messages as m

from harness.conformance.drivers.http import DriverError, JsonApi, SoapProbe, SoapResult


class TcDriver:
    def __init__(self, config, base_url: str, probe: SoapProbe, simulated: bool,
                 api: JsonApi | None = None):
        self.config = config
        self.simulated = simulated
        self.base_url = base_url.rstrip("/")
        self.soap_url = self.base_url + config.soap_path
        self.api = api or JsonApi("tc", self.base_url, config.timeout)
        self.probe = probe

    def require_admin(self, what: str) -> None:
        if not self.simulated:
            not_applicable(f"{what} vraagt het beheer-API van de gesimuleerde TC")

    # -- register ------------------------------------------------------------------------------

    def register(self) -> dict:
        self.require_admin("het register lezen")
        return self.api.get("/api/register")

    def swv_aanleverpunten(self, brin: str, *, actief: bool = True) -> list[dict]:
        return [a for a in self.register()["aanleverpunten"]
                if a.get("doel") == m.DOEL_SWV and bool(a.get("actief")) == actief
                and brin in (a.get("scholen") or [])]

    def aanleverpunt(self, rk: str) -> dict | None:
        return next((a for a in self.register()["aanleverpunten"]
                     if a["routeringskenmerk"] == rk), None)

    def point_to(self, rk: str, url: str, template: dict) -> None:
        """Route an aanleverpunt to `url` (an external system or a harness peer); create it,
        shaped like `template`, when the register does not know it yet."""
        existing = self.aanleverpunt(rk)
        if existing is not None and existing.get("system") == template.get("system"):
            self.api.patch(f"/api/register/aanleverpunten/{rk}", json={"url": url, "actief": True})
            return
        if existing is not None:  # held by another system now (a SUT with its own OIN)
            self.api.delete(f"/api/register/aanleverpunten/{rk}")
            template = {**template, "scholen": existing.get("scholen") or template.get("scholen")}
        self.api.post("/api/register/aanleverpunten",
                      json={k: v for k, v in {**template, "routeringskenmerk": rk, "url": url,
                                              "actief": True}.items() if v is not None})

    def remove_mandate(self, brin: str, system: str, dienst: str = "OSO-SWV") -> None:
        self.api.delete("/api/register/mandates", json={"brin": brin, "system": system, "dienst": dienst})

    def add_mandate(self, brin: str, system: str, dienst: str = "OSO-SWV") -> None:
        self.api.post("/api/register/mandates", json={"brin": brin, "system": system, "dienst": dienst})

    def storing(self, operation: str, on: bool | int) -> None:
        """Make the simulated TC fail `operation` (HTTP 503, no SOAP), its next `on` calls when
        a number, or work again."""
        self.api.post("/api/storing", json={operation: on})

    def last_message_id(self) -> int:
        rows = self.api.get("/api/berichten?limit=5000&xml=0")["berichten"]
        return max((r["id"] for r in rows), default=0)

    def refused_melding(self, since_id: int) -> dict | None:
        """A meldenNotificatie the TC refused after message `since_id`, if any."""
        rows = self.api.get(f"/api/berichten?after_id={since_id}&xml=0&limit=5000")["berichten"]
        return next((r for r in rows if r.get("operation") == "meldenNotificatie"
                     and r.get("side") == "server" and r.get("direction") == "out"
                     and (r.get("http_status") or 200) != 200), None)

    def aanleverpunten_van(self, rk: str) -> set[str]:
        """`rk` and every other aanleverpunt the register gives to the system holding it."""
        aps = self.register()["aanleverpunten"]
        system = next((a.get("system") for a in aps if a["routeringskenmerk"] == rk), None)
        return {rk} | {a["routeringskenmerk"] for a in aps if system and a.get("system") == system}

    def system_of(self, rk: str) -> str:
        ap = self.aanleverpunt(rk)
        if ap is None:
            raise DriverError(f"TC kent aanleverpunt {rk} niet")
        return ap["system"]

    # -- state ---------------------------------------------------------------------------------

    def koppelingen(self) -> list[dict]:
        self.require_admin("de koppelingen lezen")
        return self.api.get("/api/koppelingen")["koppelingen"]

    def koppeling(self, koppelsleutel: str) -> dict | None:
        answer = self.api.request("GET", f"/api/koppelingen/{koppelsleutel}")
        return answer.body if answer.ok else None

    def wait_koppeling(self, pred, timeout: float, koppelsleutel: str, what: str) -> dict:
        deadline = time.monotonic() + timeout
        k = None
        while time.monotonic() < deadline:
            k = self.koppeling(koppelsleutel)
            if k and pred(k):
                return k
            time.sleep(0.1)
        raise AssertionError(f"TC: {what} niet gezien binnen {timeout:.0f} s voor koppelsleutel"
                             f" {koppelsleutel} (koppeling: {k})")

    def new_koppeling(self, bron_rk: str, known: set[str], timeout: float,
                      since_id: int | None = None) -> dict | None:
        """The first koppeling from `bron_rk` that is not in `known`, or None after `timeout`, or
        sooner once the TC refused a meldenNotificatie logged after message `since_id`.

        A koppeling from another aanleverpunt of the same LAS system counts too: a LAS that names
        the wrong one of its schools as bron did send, and the scenario that checks the bron
        should say so, not every scenario that waits for a koppelsleutel."""
        deadline = time.monotonic() + timeout
        own = self.aanleverpunten_van(bron_rk)
        while True:
            new = [k for k in self.koppelingen() if k["bron_routeringskenmerk"] in own
                   and k["koppelsleutel"] not in known]
            if new:
                return next((k for k in new if k["bron_routeringskenmerk"] == bron_rk), new[0])
            if time.monotonic() >= deadline:
                return None
            if since_id is not None and self.refused_melding(since_id):
                return None
            time.sleep(0.2)

    # -- SOAP, the harness playing a peer -------------------------------------------------------

    def call(self, message) -> SoapResult:
        return self.probe.call("tc", self.soap_url, message)
