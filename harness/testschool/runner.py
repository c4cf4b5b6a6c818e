"""The test school: a simulated LAS and TC (harness/actors.py) routed to a vendor's SWV system,
the flows of flows.py played one after another, and a listing of what that SWV did with each.

The listing is read live from the school's own actors (the TC's koppelingen, the LAS's message
log and zorgvragen), so a terugkoppeling the vendor sends an hour later shows up too.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests

from actor_kit.http_session import Session
from las_client import defects as las_defects
from oso_protocol.transport.faults import OsoFault

from ..actors import Actors
from .flows import FLOWS, Flow, beoordeel

SWV_DOEL = "SWV"
GEEN_ADRES = "http://127.0.0.1:9/oso"   # nothing listens: the LAS's own notificatie fails fast
PROFIEL_SCHOOL = {"PO": ("12AB", "34CD"), "VO": ("56EF",)}


class SchoolFout(Exception):
    """The school itself could not play a flow (not the vendor's doing)."""


@dataclass
class Geval:
    flow: Flow
    leerling: dict
    zorgvragen: list[dict] = field(default_factory=list)
    fout: str | None = None


class School:
    def __init__(self, swv_soap_url: str, *, tls=None, workdir=None, port: int = 0,
                 wacht: float = 30.0, trust: tuple = ()):
        self.swv_soap_url = swv_soap_url
        self.wacht = wacht
        ports = {} if not port else {"tc": port, "las": port + 1, "swv": port + 2}
        # our own SWV runs idle alongside: every SWV aanleverpunt points at the vendor's system
        self.actors = Actors(workdir=workdir, port=ports, tls=tls, trust=trust,
                             extra={"swv": {"AUTO_FETCH": False}})
        self.gevallen: list[Geval] = []
        self._local = threading.local()

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> School:
        self.actors.start()
        for ap in self.tc("GET", "/api/register")["aanleverpunten"]:
            if ap.get("doel") == SWV_DOEL:
                self._route(ap["routeringskenmerk"], self.swv_soap_url)
        return self

    def stop(self) -> None:
        self.actors.stop()

    @property
    def urls(self) -> dict[str, str]:
        return self.actors.urls

    # -- HTTP to the school's own actors -------------------------------------------------------

    def _http(self) -> Session:
        s = getattr(self._local, "s", None)
        if s is None:
            s = self._local.s = Session(tls=self.actors.client_tls)
        return s

    def _call(self, role: str, method: str, path: str, **kw):
        try:
            resp = self._http().request(method, self.urls[role] + path, timeout=60, **kw)
            body = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise SchoolFout(f"{role.upper()} {method} {path}: {type(exc).__name__}") from None
        if resp.status_code >= 400:
            fout = body.get("fout") if isinstance(body, dict) else body
            raise SchoolFout(f"{role.upper()} weigerde {method} {path}: {fout}")
        return body

    def las(self, method: str, path: str, **kw):
        return self._call("las", method, path, **kw)

    def tc(self, method: str, path: str, **kw):
        return self._call("tc", method, path, **kw)

    def _route(self, rk: str, url: str) -> None:
        self.tc("PATCH", f"/api/register/aanleverpunten/{rk}", json={"url": url, "actief": True})

    # -- building blocks for the flows ---------------------------------------------------------

    def leerlingen(self) -> dict[str, list[dict]]:
        """Per profile the school's pupils, each with the SWV aanleverpunt of his school."""
        out: dict[str, list[dict]] = {}
        for profiel, scholen in PROFIEL_SCHOOL.items():
            for brin in scholen:
                aps = self.las("GET", f"/api/aanleverpunten?brin={brin}")
                if not aps:
                    raise SchoolFout(f"school {brin} heeft geen SWV-aanleverpunt")
                out.setdefault(profiel, []).extend(
                    dict(ll, aanleverpunt=aps[0]["routeringskenmerk"])
                    for ll in self.las("GET", f"/api/leerlingen?brin={brin}"))
        return out

    def verstuur(self, leerling: dict, body: dict) -> dict:
        zv = self.las("POST", f"/api/leerlingen/{leerling['id']}/zorgvragen", json=body)["zorgvraag"]
        if zv.get("notificatie_verstuurd") != "Ja":
            raise SchoolFout(f"de notificatie naar het SWV ging niet uit: {zv.get('laatste_fout')}")
        return zv

    def verstuur_later(self, leerling: dict, body: dict) -> dict:
        """Sent as far as the TC (a koppelsleutel), but the notificatie not delivered yet, so
        the school can change the zorgvraag before the SWV can know of it."""
        rk = leerling["aanleverpunt"]
        self._route(rk, GEEN_ADRES)
        try:
            zv = self.las("POST", f"/api/leerlingen/{leerling['id']}/zorgvragen", json=body)["zorgvraag"]
        finally:
            self._route(rk, self.swv_soap_url)
        if not zv.get("koppelsleutel"):
            raise SchoolFout(f"de TC gaf geen koppelsleutel: {zv.get('laatste_fout')}")
        return zv

    def notificeer(self, zv: dict) -> None:
        """The LAS's notificatie for `zv`, sent now, by the LAS's own client."""
        k = self.tc("GET", f"/api/koppelingen/{zv['koppelsleutel']}")
        calls = self.actors.apps["las"].extensions["las"]["calls"]
        calls.notificatie(self.swv_soap_url, bron_brin=k["bron_brin"],
                          bron_rk=k["bron_routeringskenmerk"], doel_brin=k["doel_brin"],
                          doel_rk=k["doel_routeringskenmerk"], koppelsleutel=k["koppelsleutel"])

    def herroute(self, zv: dict, rk: str) -> None:
        store = self.actors.apps["las"].extensions["las"]["store"]
        with store.tx() as conn:
            conn.execute("UPDATE zorgvragen SET aanleverpunt = ? WHERE id = ?", (rk, zv["id"]))

    @contextmanager
    def las_defect(self, naam: str):
        zorgvragen = self.actors.apps["las"].extensions["las"]["zorgvragen"]
        oud, zorgvragen.defects = zorgvragen.defects, las_defects.check({naam})
        try:
            yield
        finally:
            zorgvragen.defects = oud

    @contextmanager
    def sessieduur(self, seconden: float):
        tc = self.actors.apps["tc"].extensions["oso_mock"]
        oud, tc.session_ttl = tc.session_ttl, seconden
        try:
            yield
        finally:
            tc.session_ttl = oud

    def _wacht_tot(self, klaar) -> bool:
        deadline = time.monotonic() + self.wacht
        while time.monotonic() < deadline:
            if klaar():
                return True
            time.sleep(0.2)
        return False

    def wacht_op_document(self, k: str) -> bool:
        return self._wacht_tot(lambda: bool(self._leveringen(k)))

    def wacht_af(self, k: str) -> bool:
        """Until the vendor's SWV answered for this koppelsleutel (delivered and afgemeld, or
        refused), or the wait is up."""
        def klaar():
            leveringen = self._leveringen(k)
            return bool(leveringen) and (leveringen[0] != "DossierGeleverd"
                                         or self._afmelding(k) is not None)
        return self._wacht_tot(klaar)

    # -- reading what the vendor's SWV did -----------------------------------------------------

    def _leveringen(self, k: str) -> list[str]:
        rows = self.las("GET", f"/api/berichten?koppelsleutel={k}&xml=0&limit=1000")["berichten"]
        return [r.get("outcome") for r in rows if r.get("operation") == "document"
                and r.get("side") == "server" and r.get("direction") == "out"]

    def _afmelding(self, k: str) -> str | None:
        koppeling = self.tc("GET", f"/api/koppelingen/{k}")
        return next((s["resultaat"] for s in reversed(koppeling["sessies"]) if s["afgemeld"]), None)

    def _stap(self, zv: dict) -> dict:
        k = zv.get("koppelsleutel")
        stap = {"zorgvraag": zv.get("id"), "koppelsleutel": k}
        if not k:
            return stap
        koppeling = self.tc("GET", f"/api/koppelingen/{k}")
        leveringen = self._leveringen(k)
        try:
            las_zv = self.las("GET", f"/api/zorgvragen/{zv['id']}")
        except SchoolFout:
            las_zv = {}
        stap.update({
            "sessies": len(koppeling["sessies"]),
            "levering": leveringen[0] if leveringen else None,
            "leveringen": leveringen,
            "opgehaald": koppeling["opgehaald"],
            "afmelding": next((s["resultaat"] for s in reversed(koppeling["sessies"])
                               if s["afgemeld"]), None),
            "terugkoppeling_gemeld": koppeling["terugkoppeling_gemeld"],
            "terugkoppeling_ontvangen": las_zv.get("terugkoppeling_ontvangen") == "Ja",
            "tijdlijn": f"{self.urls['tc']}/koppelingen/{k}",
        })
        return stap

    # -- playing -------------------------------------------------------------------------------

    def speel(self, on_geval=None) -> list[Geval]:
        leerlingen = self.leerlingen()
        gebruikt: set = set()
        for flow, speler in FLOWS:
            try:
                leerling = self._kies(leerlingen[flow.profiel], gebruikt, flow.pgn)
            except SchoolFout as exc:
                self.gevallen.append(Geval(flow, {"id": None}, fout=str(exc)))
                continue
            gebruikt.add(leerling["id"])
            geval = Geval(flow, leerling)
            try:
                geval.zorgvragen = speler(self, leerling, flow)
                for zv in geval.zorgvragen:
                    self.wacht_af(zv["koppelsleutel"])
            except SchoolFout as exc:
                geval.fout = str(exc)
            except OsoFault as exc:  # the vendor refused the school's own notificatie
                geval.fout = f"het SWV weigerde de notificatie: {exc.resultaat} {exc.omschrijving}"
            self.gevallen.append(geval)
            if on_geval:
                on_geval(geval)
        return self.gevallen

    def _kies(self, pool: list[dict], gebruikt: set, pgn: bool) -> dict:
        """A pupil of his own per flow while they last (a PGN flow: one with an identity
        number in his record, which the LAS defect then leaks)."""
        kandidaten = [ll for ll in pool if ll["id"] not in gebruikt] or list(pool)
        if pgn:
            kandidaten = [ll for ll in kandidaten if self._heeft_pgn(ll)] or \
                [ll for ll in pool if self._heeft_pgn(ll)]
            if not kandidaten:
                raise SchoolFout("geen leerling met een BSN of onderwijsnummer")
        return kandidaten[0]

    def _heeft_pgn(self, leerling: dict) -> bool:
        data = self.las("GET", f"/api/leerlingen/{leerling['id']}")
        return bool(data.get("bsn") or data.get("onderwijsnummer"))

    def overzicht(self) -> list[dict]:
        out = []
        for g in self.gevallen:
            stappen = [self._stap(zv) for zv in g.zorgvragen]
            out.append({
                "flow": g.flow.naam, "titel": g.flow.titel, "verwacht": g.flow.verwacht,
                "leerling": {"id": g.leerling["id"], "naam": g.leerling.get("naam"),
                             "brin": g.leerling.get("brin")},
                "zorgvragen": stappen,
                "fout": g.fout,
                "uitkomst": "fout bij de school" if g.fout else beoordeel(g.flow, stappen),
            })
        return out
