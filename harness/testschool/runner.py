"""The test school: a simulated LAS and TC (harness/runtime/actors.py) routed to a vendor's SWV system,
the flows of flows.py played one after another, and a listing of what that SWV did with each.

The listing is read live from the school's own actors (the TC's koppelingen, the LAS's message
log and zorgvragen) and the journals of the harness LASes, so a terugkoppeling the vendor sends
an hour later shows up too.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import requests

from actor_kit.http_session import Session
from oso_protocol.transport import messages as m
from oso_protocol.transport.faults import OsoFault

from harness.conformance.drivers.http import DriverError, SoapProbe
from harness.conformance.outcomes import MISLUKT, NIET_GEVERIFIEERD
from harness.conformance.peers import CraftedLas
from harness.runtime.actors import Actors
from harness.testschool.flows import FLOWS, Flow, oordeel

SWV_DOEL = "SWV"
GEEN_ADRES = "http://127.0.0.1:9/oso"   # nothing listens: the LAS's own notificatie fails fast
PROFIEL_SCHOOL = {"PO": ("12AB", "34CD"), "VO": ("56EF",)}
# A harness LAS gets a LAS aanleverpunt of its own (this prefix and a number from 60), so a
# vendor's SWV that fetches late still reaches the LAS of its zorgvraag.
HARNAS_BRIN = "12AB"
HARNAS_RK_PREFIX = "0000000700012AB009"
HARNAS_LEERLING = {"id": None, "naam": "geen: de harnas-LAS levert het dossier", "brin": HARNAS_BRIN}


class SchoolFout(Exception):
    """The school itself could not play a flow (not the vendor's doing)."""


class SwvWeigert(Exception):
    """The vendor's SWV refused the notificatie of a flow: the flow failed."""


@dataclass
class Geval:
    flow: Flow
    leerling: dict
    zorgvragen: list[dict] = field(default_factory=list)
    fout: str | None = None             # the school could not play the flow
    weigering: str | None = None        # the vendor's SWV refused its notificatie
    peer: CraftedLas | None = None      # the harness LAS of a harness flow


class School:
    def __init__(self, swv_soap_url: str, *, tls=None, workdir=None, port: int = 0,
                 wacht: float = 30.0, trust: tuple = (), flows=FLOWS):
        self.swv_soap_url = swv_soap_url
        self.wacht = wacht
        self.flows = tuple(flows)
        self.peers: list[CraftedLas] = []
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
        for peer in self.peers:
            peer.stop()
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

    def _wacht_tot(self, klaar) -> bool:
        deadline = time.monotonic() + self.wacht
        while time.monotonic() < deadline:
            if klaar():
                return True
            time.sleep(0.2)
        return False

    def wacht_af(self, k: str) -> bool:
        """Until the vendor's SWV signed off this koppelsleutel, or the wait is up."""
        return self._wacht_tot(lambda: bool(self._afmeldingen(k)))

    def via_harnas_las(self, flow: Flow) -> dict:
        """The flow's behaviour played by a harness LAS, as the conformance scenarios play it
        (features/steps/harness_las_steps.py): a LAS aanleverpunt of its own in the school's TC
        register, a koppelsleutel from the TC, and the notificatie to the vendor's SWV."""
        tls = self.actors.tls_files.get("las")
        probe = SoapProbe(verify=tls["ca"] if tls else None,
                          cert=(tls["cert"], tls["key"]) if tls else None, me="harnas-las")
        tc_soap = self.urls["tc"] + "/oso"
        peer = CraftedLas(tc_soap, probe, flow.behaviour, tls=tls).start()
        self.peers.append(peer)
        rk = f"{HARNAS_RK_PREFIX}{59 + len(self.peers):02d}"
        self.tc("POST", "/api/register/aanleverpunten", json={
            "routeringskenmerk": rk, "brin": HARNAS_BRIN, "system": "las-sim", "doel": "OV",
            "naam": f"harnas-LAS ({flow.titel})", "url": peer.soap_url, "actief": True})
        aps = self.las("GET", f"/api/aanleverpunten?brin={HARNAS_BRIN}")
        if not aps:
            raise SchoolFout(f"school {HARNAS_BRIN} heeft geen SWV-aanleverpunt")
        doel_rk = aps[0]["routeringskenmerk"]
        doel = next((a for a in self.tc("GET", "/api/register")["aanleverpunten"]
                     if a["routeringskenmerk"] == doel_rk), None)
        if doel is None:
            raise SchoolFout(f"de TC kent het SWV-aanleverpunt {doel_rk} niet")
        try:
            melding = probe.call("tc", tc_soap, m.MeldenNotificatieRequest(
                bronBrin=HARNAS_BRIN, bronRouteringsKenmerk=rk, doelBrin=doel["brin"],
                doelRouteringsKenmerk=doel_rk))
            if not melding.ok:
                raise SchoolFout(f"de TC weigerde de meldenNotificatie: {melding.describe()}")
            k = melding.answer.koppelsleutel
            zv = {"id": None, "koppelsleutel": k, "peer": peer}
            note = probe.call("swv", self.swv_soap_url, m.NotificatieRequest(
                bronBrin=HARNAS_BRIN, bronRouteringsKenmerk=rk, doelBrin=doel["brin"],
                doelRouteringsKenmerk=doel_rk, koppelsleutel=k))
        except DriverError as exc:
            raise SchoolFout(str(exc)) from None
        if not note.ok or note.resultaat != m.NOTIFICATIE_ONTVANGEN:
            raise SwvWeigert(zv, f"het SWV weigerde de notificatie: {note.describe()}")
        return zv

    # -- reading what the vendor's SWV did -----------------------------------------------------

    def _leveringen(self, k: str, peer: CraftedLas | None = None) -> list[str]:
        """The LAS's answer to each documentRequest for `k`, oldest first."""
        if peer is not None:
            return [r.get("outcome") for r in _peer_rows(peer, k, "document")
                    if r.get("direction") == "out" or r.get("outcome", "").startswith("niet bereikbaar")]
        rows = self.las("GET", f"/api/berichten?koppelsleutel={k}&xml=0&limit=1000")["berichten"]
        return [r.get("outcome") for r in rows if r.get("operation") == "document"
                and r.get("side") == "server" and r.get("direction") == "out"]

    def _afmeldingen(self, k: str) -> list[str]:
        """The result of every afmelding the TC took for `k`, oldest first."""
        koppeling = self.tc("GET", f"/api/koppelingen/{k}")
        return [s["resultaat"] for s in koppeling["sessies"] if s["afgemeld"]]

    def _stap(self, zv: dict) -> dict:
        k = zv.get("koppelsleutel")
        stap = {"zorgvraag": zv.get("id"), "koppelsleutel": k}
        if not k:
            return stap
        koppeling = self.tc("GET", f"/api/koppelingen/{k}")
        peer = zv.get("peer")
        leveringen = self._leveringen(k, peer)
        if peer is not None:
            ontvangen = any(r.get("direction") == "in" for r in _peer_rows(peer, k, "terugkoppeling"))
        else:
            try:
                ontvangen = self.las("GET", f"/api/zorgvragen/{zv['id']}").get("terugkoppeling_ontvangen") == "Ja"
            except SchoolFout:
                ontvangen = False
        afmeldingen = [s["resultaat"] for s in koppeling["sessies"] if s["afgemeld"]]
        stap.update({
            "sessies": len(koppeling["sessies"]),
            "levering": leveringen[0] if leveringen else None,
            "leveringen": leveringen,
            "opgehaald": koppeling["opgehaald"],
            "afmeldingen": afmeldingen,
            "afmelding": afmeldingen[-1] if afmeldingen else None,
            "terugkoppeling_gemeld": koppeling["terugkoppeling_gemeld"],
            "terugkoppeling_ontvangen": ontvangen,
            "tijdlijn": f"{self.urls['tc']}/koppelingen/{k}",
        })
        return stap

    # -- playing -------------------------------------------------------------------------------

    def speel(self, on_geval=None) -> list[Geval]:
        leerlingen = self.leerlingen()
        gebruikt: set = set()
        for flow, speler in self.flows:
            if flow.harnas:
                leerling = dict(HARNAS_LEERLING)
            else:
                try:
                    leerling = self._kies(leerlingen[flow.profiel], gebruikt)
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
            except SwvWeigert as exc:
                zv, geval.weigering = exc.args
                geval.zorgvragen = [zv]
            except OsoFault as exc:
                if exc.received:  # the vendor's SWV answered the notificatie with a fault
                    geval.weigering = f"het SWV weigerde de notificatie: {exc.resultaat} {exc.omschrijving}"
                else:             # it was not reached at all
                    geval.fout = f"het SWV is niet bereikbaar: {exc.resultaat} {exc.omschrijving}"
            self.gevallen.append(geval)
            if on_geval:
                on_geval(geval)
        return self.gevallen

    def _kies(self, pool: list[dict], gebruikt: set) -> dict:
        """A pupil of his own per flow while they last."""
        if not pool:
            raise SchoolFout("de school heeft geen leerling voor deze situatie")
        return ([ll for ll in pool if ll["id"] not in gebruikt] or list(pool))[0]

    def overzicht(self) -> list[dict]:
        out = []
        for g in self.gevallen:
            stappen = [self._stap(zv) for zv in g.zorgvragen]
            if g.fout:
                uitkomst, waarom = NIET_GEVERIFIEERD, f"de school kon dit niet spelen: {g.fout}"
            elif g.weigering:
                uitkomst, waarom = MISLUKT, g.weigering
            else:
                uitkomst, waarom = oordeel(g.flow, stappen)
            out.append({
                "flow": g.flow.naam, "gedrag": g.flow.gedrag, "harnas_las": g.flow.harnas,
                "titel": g.flow.titel, "verwacht": g.flow.verwacht,
                "afmelding_verwacht": g.flow.afmelding,
                "leerling": {"id": g.leerling["id"], "naam": g.leerling.get("naam"),
                             "brin": g.leerling.get("brin")},
                "zorgvragen": stappen,
                "fout": g.fout,
                "uitkomst": uitkomst,
                "waarom": waarom,
            })
        return out


def _peer_rows(peer: CraftedLas, k: str, operation: str) -> list[dict]:
    return [r for r in list(peer.journal) if r.get("actor") == "harnas-las"
            and r.get("operation") == operation and (r.get("koppelsleutel") or "").upper() == k.upper()]
