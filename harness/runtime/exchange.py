"""Complete zorgvraag exchanges driven through the actors' own APIs, timed from the message logs.

One exchange: the LAS creates and sends a zorgvraag (overzichtAanleverpunt, meldenNotificatie,
notificatie) -> the SWV fetches it (overdracht, documentRequest, sessiecontrole, afmelding) ->
the SWV sends a terugkoppeling (meldenTerugkoppeling, terugkoppeling) -> the LAS shows
"Terugkoppeling ontvangen: Ja". The harness only pushes the two human actions (send, feedback)
and reads back what happened; every protocol step is the actors' own work over HTTP.
"""
from __future__ import annotations

import base64
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from actor_kit.http_session import Session
from oso_protocol.synthetic import pdf_bytes

ACTOR_OF_ROLE = {"tc": "TC", "las": "LAS", "swv": "SWV"}


def _actor_name(peer: str | None) -> str | None:
    """Callers name themselves in X-OSO-Peer (a role or a system id such as 'swv-sim')."""
    low = (peer or "").lower()
    for role, name in ACTOR_OF_ROLE.items():
        if low == role or low.startswith(role + "-") or low.startswith(role + " "):
            return name
    return peer


class ExchangeFailed(Exception):
    pass


@dataclass
class Target:
    """A pupil and the SWV aanleverpunt his zorgvraag goes to."""

    leerling_id: str
    aanleverpunt: str


@dataclass
class ExchangeResult:
    koppelsleutel: str | None = None
    completed: bool = False
    error: str | None = None
    zorgvraag_id: str | None = None
    ms: float = 0.0
    steps: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {"koppelsleutel": self.koppelsleutel, "completed": self.completed,
               "ms": round(self.ms, 1), "steps": self.steps}
        if self.error:
            out["error"] = self.error
        return out


class ExchangeDriver:
    def __init__(self, urls: dict[str, str], timeout: float = 20.0, tls=None):
        self.urls = urls
        self.timeout = timeout
        self.tls = tls  # the harness's certificate when the actors serve mutual TLS
        self._local = threading.local()

    def _http(self) -> requests.Session:
        s = getattr(self._local, "s", None)
        if s is None:
            s = self._local.s = Session(tls=self.tls)
        return s

    def _json(self, method: str, role: str, path: str, **kw):
        url = self.urls[role] + path
        try:
            resp = self._http().request(method, url, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            raise ExchangeFailed(f"{ACTOR_OF_ROLE[role]} niet bereikbaar op {url}: "
                                 f"{type(exc).__name__}") from None
        try:
            body = resp.json()
        except ValueError:
            raise ExchangeFailed(f"{ACTOR_OF_ROLE[role]} gaf geen JSON op {path} "
                                 f"(HTTP {resp.status_code})") from None
        if resp.status_code >= 400:
            raise ExchangeFailed(f"{ACTOR_OF_ROLE[role]} weigerde {method} {path}: "
                                 f"{body.get('fout') if isinstance(body, dict) else body}")
        return body

    # -- set-up ----------------------------------------------------------------------------

    def targets(self) -> list[Target]:
        """Every pupil of a school that the TC offers an active SWV aanleverpunt for."""
        out = []
        for school in self._json("GET", "las", "/api/scholen"):
            aps = self._json("GET", "las", f"/api/aanleverpunten?brin={school['brin']}")
            if not aps:
                continue
            for ll in self._json("GET", "las", f"/api/leerlingen?brin={school['brin']}"):
                out.append(Target(str(ll["id"]), aps[0]["routeringskenmerk"]))
        return out

    def mandated_targets(self) -> list[Target]:
        register = self._json("GET", "tc", "/api/register")
        swv_systems = {s["id"] for s in register["systems"] if s["soort"] == "SWV"}
        las_systems = {s["id"] for s in register["systems"] if s["soort"] == "LAS"}
        both = {m["brin"] for m in register["mandates"] if m["system"] in swv_systems} & \
               {m["brin"] for m in register["mandates"] if m["system"] in las_systems}
        return [t for t in self.targets() if self._brin_of(t) in both]

    def _brin_of(self, target: Target) -> str:
        return self._json("GET", "las", f"/api/leerlingen/{target.leerling_id}")["brin"]

    # -- one exchange ------------------------------------------------------------------------

    def run_one(self, target: Target, n: int = 1, with_timeline: bool = True) -> ExchangeResult:
        result = ExchangeResult()
        started = time.perf_counter()
        try:
            toelichting = pdf_bytes("Toelichting onderwijsbehoeften",
                                    [f"Zorgvraag {n}", "Ondersteuningsbehoefte lezen en rekenen."])
            zv = self._json("POST", "las", f"/api/leerlingen/{target.leerling_id}/zorgvragen", json={
                "omschrijving": f"Zorgvraag {n}",
                "aandachtspunten": "Graag aandacht voor de leesontwikkeling.",
                "aanleverpunt": target.aanleverpunt,
                "toelichting": {"bestandsnaam": "Toelichting onderwijsbehoeften.pdf",
                                "inhoud_base64": base64.b64encode(toelichting).decode()},
                "verzenden": True,
            })["zorgvraag"]
            result.zorgvraag_id = str(zv["id"])
            result.koppelsleutel = zv.get("koppelsleutel")
            if zv.get("notificatie_verstuurd") != "Ja":
                raise ExchangeFailed(f"notificatie niet verstuurd: {zv.get('laatste_fout')}")
            k = result.koppelsleutel
            aanvraag = self._json("GET", "swv", f"/api/aanvragen/{k}?wait=afgemeld&timeout={self.timeout}")
            if aanvraag.get("status") != "afgemeld":
                raise ExchangeFailed(f"SWV haalde het dossier niet op: status {aanvraag.get('status')}"
                                     f" {aanvraag.get('fout') or ''}".rstrip())
            tk = self._json("POST", "swv", f"/api/aanvragen/{k}/terugkoppeling", json={
                "status": "Ontvangen", "behandelaar": "Loket SWV",
                "toelichting": "De aanvraag is ontvangen en wordt besproken in het ondersteuningsteam.",
            })
            if not tk.get("verzonden"):
                raise ExchangeFailed(f"terugkoppeling niet verzonden: {tk.get('fout')}")
            zv = self._json("GET", "las", f"/api/zorgvragen/{result.zorgvraag_id}")
            if zv.get("terugkoppeling_ontvangen") != "Ja":
                raise ExchangeFailed("LAS toont de terugkoppeling niet")
            result.completed = True
        except ExchangeFailed as exc:
            result.error = str(exc)
        result.ms = (time.perf_counter() - started) * 1000
        if result.koppelsleutel and with_timeline:
            result.steps = self.timeline(result.koppelsleutel)
        return result

    def _log_rows(self, role: str, query: str) -> list[dict]:
        """All message log rows of one actor matching `query`, paged by id."""
        rows, after = [], 0
        while True:
            try:
                page = self._json("GET", role, f"/api/berichten?{query}&xml=0&after_id={after}")
            except ExchangeFailed:
                return rows
            batch = page.get("berichten", [])
            rows.extend(batch)
            if len(batch) < 500 or not batch:  # the actors' page size
                return rows
            after = batch[-1]["id"]

    def timelines(self, koppelsleutels: set[str] | None = None, query: str = "") -> dict[str, list[dict]]:
        """Every call per koppelsleutel, as answered by its server, in time order."""
        steps: dict[str, list[tuple]] = {}
        for role in ("tc", "las", "swv"):
            for e in self._log_rows(role, query):
                k = (e.get("koppelsleutel") or "").upper()
                if not k or e.get("side") != "server" or e.get("direction") != "out":
                    continue
                if koppelsleutels is not None and k not in koppelsleutels:
                    continue
                steps.setdefault(k, []).append((e["ts"], {
                    "operation": e.get("operation"),
                    "from": _actor_name(e.get("peer")),
                    "to": ACTOR_OF_ROLE[role],
                    "ms": round(e.get("duration_ms") or 0.0, 2),
                    "outcome": e.get("outcome"),
                }))
        return {k: [r for _, r in sorted(v, key=lambda r: r[0])] for k, v in steps.items()}

    def timeline(self, koppelsleutel: str) -> list[dict]:
        k = koppelsleutel.upper()
        return self.timelines({k}, query=f"koppelsleutel={k}").get(k, [])

    def run_many(self, count: int, parallel: int = 1, targets: list[Target] | None = None,
                 on_result=None) -> list[ExchangeResult]:
        targets = targets or self.mandated_targets()
        if not targets:
            raise ExchangeFailed("geen leerling met een actief SWV-aanleverpunt en mandaten")
        jobs = [(targets[i % len(targets)], i + 1) for i in range(count)]

        def job(arg):
            return self.run_one(*arg, with_timeline=False)

        if parallel <= 1:
            results = [job(a) for a in jobs]
        else:
            with ThreadPoolExecutor(max_workers=parallel) as pool:
                results = list(pool.map(job, jobs))
        # one read of each message log at the end instead of three per exchange
        keys = {r.koppelsleutel.upper() for r in results if r.koppelsleutel}
        steps = self.timelines(keys) if keys else {}
        for n, res in enumerate(results, start=1):
            if res.koppelsleutel:
                res.steps = steps.get(res.koppelsleutel.upper(), [])
            if on_result:
                on_result(n, res)
        return results
