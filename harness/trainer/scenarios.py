"""Prepared situations a trainer plays in one click against the running demo.

Each situation drives the actors through their own JSON APIs (as harness/runtime/exchange.py does) and
says in Dutch what happened and on which page to show it. Two situations need a moment the APIs
do not offer, and get it from the demo process that owns the actors: the LAS's defect switch
(a dossier with a PGN) and the TC's session lifetime (an expired session). Both are switched
back as soon as the one zorgvraag they are for has passed, under one lock, so a trainer's own
clicks in between see an ordinary demo.
"""
from __future__ import annotations

import base64
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import requests

from actor_kit.http_session import Session
from las_client import defects as las_defects
from oso_protocol.synthetic import pdf_bytes

# said on the page and in the outcome when a situation fetches while the SWV runs step by step
ZELF_OPGEHAALD = ("Stap voor stap staat aan, maar deze situatie klikte zelf op 'Dossier ophalen' in"
                  " het SWV: wat zij laat zien bestaat pas als het dossier is opgehaald.")
ZONDER_MANDAAT = "78GH"   # the default scenario's school whose SWV system has no mandate
WAIT = 15.0               # seconds the SWV may take to fetch a dossier on its own


@dataclass(frozen=True)
class Situatie:
    naam: str
    titel: str
    uitleg: str
    # What the situation shows only exists once the SWV has fetched the dossier, so it clicks
    # 'Dossier ophalen' itself, also when the SWV runs step by step; the page says so.
    haalt_zelf_op: bool = False


SITUATIES = (
    Situatie("geweigerd-verzenden", "Verzenden geweigerd",
             "De school verstuurt een zorgvraag zonder toelichting onderwijsbehoeften; de LAS weigert."),
    Situatie("geen-mandaat", "School zonder mandaat",
             f"School {ZONDER_MANDAAT} heeft het SWV-systeem geen mandaat gegeven; de TC weigert de"
             " notificatie (GeenMandaat)."),
    Situatie("inactief-aanleverpunt", "Inactief aanleverpunt",
             "Het aanleverpunt van het SWV staat even uit in de TC; de LAS biedt het niet meer aan"
             " en weigert het verzenden."),
    Situatie("dossier-met-pgn", "Dossier met BSN",
             "De LAS zet (bewust fout) het BSN in het dossier; het SWV haalt het op en het"
             " validatierapport toont de regel.", haalt_zelf_op=True),
    Situatie("late-terugkoppeling", "Late terugkoppeling",
             "Het SWV koppelt terug nadat de school de zorgvraag al heeft verwijderd; de LAS kent"
             " de koppelsleutel niet meer.", haalt_zelf_op=True),
    Situatie("verlopen-sessie", "Verlopen sessie",
             "De sessie die de TC uitgeeft is al verlopen als de LAS hem laat controleren; de LAS"
             " levert het dossier niet.", haalt_zelf_op=True),
)


@dataclass
class Uitkomst:
    naam: str
    titel: str
    gelukt: bool                  # the situation showed what it is meant to show
    tekst: str
    links: list[tuple[str, str]] = field(default_factory=list)
    nummer: int = 0

    def to_dict(self) -> dict:
        return {"nummer": self.nummer, "naam": self.naam, "titel": self.titel,
                "gelukt": self.gelukt, "tekst": self.tekst,
                "links": [{"tekst": t, "url": u} for t, u in self.links]}


class Onverwacht(Exception):
    """An actor answered otherwise than the situation needs: said to the trainer as is."""


class TrainerScenarios:
    """`lijst()` for the page, `speel(naam)` to play one; the last outcomes are kept by number,
    so the start page can show one after a redirect."""

    def __init__(self, urls: dict[str, str], *, tls=None, token: str | None = None,
                 las_zorgvragen=None, tc=None, timeout: float = 20.0):
        self.urls = {k: v.rstrip("/") for k, v in urls.items()}
        self.token = token
        self.timeout = timeout
        self._las_zorgvragen = las_zorgvragen
        self._tc = tc
        self._tls = tls
        self._lock = threading.Lock()
        self._uitkomsten: dict[int, Uitkomst] = {}
        self._teller = 0
        self._zelf_opgehaald = False  # set by a situation that fetched in step mode (under _lock)

    # -- HTTP --------------------------------------------------------------------------------

    def _call(self, method: str, role: str, path: str, **kw) -> tuple[int, object]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            with Session(tls=self._tls) as s:
                resp = s.request(method, self.urls[role] + path, timeout=self.timeout,
                                 headers=headers, **kw)
        except requests.RequestException as exc:
            raise Onverwacht(f"{role.upper()} niet bereikbaar ({type(exc).__name__}).") from None
        try:
            return resp.status_code, resp.json()
        except ValueError:
            raise Onverwacht(f"{role.upper()} gaf geen JSON op {path} (HTTP {resp.status_code}).") from None

    def _ok(self, method: str, role: str, path: str, **kw):
        status, body = self._call(method, role, path, **kw)
        if status >= 400:
            fout = body.get("fout") if isinstance(body, dict) else body
            raise Onverwacht(f"{role.upper()} weigerde {method} {path}: {fout}")
        return body

    # -- building blocks ---------------------------------------------------------------------

    def _leerling(self, brin: str | None = None, met_pgn: bool = False) -> tuple[dict, dict]:
        """A pupil and the first SWV aanleverpunt the TC offers his school; with `met_pgn` one
        whose record holds a BSN or onderwijsnummer (the LAS defect leaks what is there)."""
        scholen = [brin] if brin else [s["brin"] for s in self._ok("GET", "las", "/api/scholen")
                                       if s["brin"] != ZONDER_MANDAAT]
        for b in scholen:
            aps = self._ok("GET", "las", f"/api/aanleverpunten?brin={b}")
            if not aps:
                continue
            for leerling in self._ok("GET", "las", f"/api/leerlingen?brin={b}"):
                if met_pgn:
                    data = self._ok("GET", "las", f"/api/leerlingen/{leerling['id']}")
                    if not (data.get("bsn") or data.get("onderwijsnummer")):
                        continue
                return leerling, aps[0]
        raise Onverwacht("Geen leerling gevonden met een SWV-aanleverpunt"
                         + (" en een BSN of onderwijsnummer" if met_pgn else "")
                         + (f" op school {brin}." if brin else "."))

    def _zorgvraag_body(self, titel: str, rk: str, toelichting: bool = True) -> dict:
        body = {"omschrijving": titel, "aanleverpunt": rk, "verzenden": True,
                "aandachtspunten": "Graag aandacht voor de leesontwikkeling."}
        if toelichting:
            pdf = pdf_bytes("Toelichting onderwijsbehoeften",
                            [titel, "Ondersteuningsbehoefte lezen en rekenen."])
            body["toelichting"] = {"bestandsnaam": "Toelichting onderwijsbehoeften.pdf",
                                   "inhoud_base64": base64.b64encode(pdf).decode()}
        return body

    def _verstuur(self, leerling: dict, body: dict) -> tuple[int, dict]:
        status, antwoord = self._call("POST", "las", f"/api/leerlingen/{leerling['id']}/zorgvragen",
                                      json=body)
        return status, antwoord if isinstance(antwoord, dict) else {}

    def _verstuurd(self, leerling: dict, body: dict) -> dict:
        status, antwoord = self._verstuur(leerling, body)
        if status >= 400 or "zorgvraag" not in antwoord:
            raise Onverwacht(f"De LAS verstuurde de zorgvraag niet: {antwoord.get('fout')}")
        zv = antwoord["zorgvraag"]
        if zv.get("notificatie_verstuurd") != "Ja" or not zv.get("koppelsleutel"):
            raise Onverwacht(f"De notificatie ging niet uit: {zv.get('laatste_fout')}")
        return zv

    def _opgehaald(self, k: str) -> dict:
        """The aanvraag once the SWV is done with it; in step mode the scenario clicks
        'Dossier ophalen' itself, as the trainer would."""
        if self._stap_voor_stap():
            self._zelf_opgehaald = True
            aanvraag = self._ok("POST", "swv", f"/api/aanvragen/{k}/ophalen")
        else:
            aanvraag = self._ok("GET", "swv", f"/api/aanvragen/{k}?wait=afgemeld&timeout={WAIT}")
        if aanvraag.get("status") in ("wacht", "genotificeerd"):
            aanvraag = self._ok("POST", "swv", f"/api/aanvragen/{k}/ophalen")
        if aanvraag.get("status") == "sessie":
            aanvraag = self._ok("GET", "swv", f"/api/aanvragen/{k}?wait=afgemeld&timeout={WAIT}")
        return aanvraag

    def _stap_voor_stap(self) -> bool:
        health = self._ok("GET", "swv", "/api/health")
        return bool(health.get("step_mode", health.get("stap_voor_stap")))

    def _link(self, role: str, path: str) -> str:
        return self.urls[role] + path

    @contextmanager
    def _las_defect(self, naam: str):
        if self._las_zorgvragen is None:
            raise Onverwacht("Deze situatie kan alleen in 'oso-sim demo' (de LAS draait daar mee).")
        oud = self._las_zorgvragen.defects
        self._las_zorgvragen.defects = las_defects.check({naam})
        try:
            yield
        finally:
            self._las_zorgvragen.defects = oud

    @contextmanager
    def _sessieduur(self, seconden: float):
        if self._tc is None:
            raise Onverwacht("Deze situatie kan alleen in 'oso-sim demo' (de TC draait daar mee).")
        oud = self._tc.session_ttl
        self._tc.session_ttl = seconden
        try:
            yield
        finally:
            self._tc.session_ttl = oud

    # -- the situations ----------------------------------------------------------------------

    def _geweigerd_verzenden(self) -> tuple[bool, str, list]:
        leerling, ap = self._leerling()
        status, antwoord = self._verstuur(
            leerling, self._zorgvraag_body("Zorgvraag zonder toelichting", ap["routeringskenmerk"],
                                           toelichting=False))
        links = [("Zorgvraagformulier in de LAS",
                  self._link("las", f"/leerlingen/{leerling['id']}/zorgvragen/nieuw"))]
        if status == 422:
            return True, (f"De LAS weigerde de zorgvraag voor {leerling.get('naam')}:"
                          f" {antwoord.get('fout')} Er ging niets naar de TC of het SWV."), links
        return False, f"De LAS weigerde niet (HTTP {status}).", links

    def _geen_mandaat(self) -> tuple[bool, str, list]:
        leerling, ap = self._leerling(ZONDER_MANDAAT)
        status, antwoord = self._verstuur(
            leerling, self._zorgvraag_body("Zorgvraag zonder mandaat", ap["routeringskenmerk"]))
        zv = antwoord.get("zorgvraag") or {}
        links = [("Zorgvraag in de LAS", self._link("las", f"/zorgvragen/{zv['id']}"))] if zv else []
        links += [("Weigeringen in de TC", self._link("tc", "/weigeringen")),
                  ("Mandaten in het register van de TC", self._link("tc", "/#mandaten"))]
        if zv and zv.get("notificatie_verstuurd") != "Ja":
            return True, (f"School {ZONDER_MANDAAT}: de TC weigerde de notificatie"
                          f" ({str(zv.get('laatste_fout') or 'geen reden').rstrip('.')}). Het SWV heeft niets"
                          " ontvangen."), links
        return False, (f"Onverwacht: HTTP {status}, notificatie verstuurd:"
                       f" {zv.get('notificatie_verstuurd')} {antwoord.get('fout') or ''}").rstrip(), links

    def _inactief_aanleverpunt(self) -> tuple[bool, str, list]:
        leerling, ap = self._leerling()
        rk = ap["routeringskenmerk"]
        self._ok("PATCH", "tc", f"/api/register/aanleverpunten/{rk}", json={"actief": False})
        try:
            status, antwoord = self._verstuur(
                leerling, self._zorgvraag_body("Zorgvraag naar inactief aanleverpunt", rk))
        finally:
            self._ok("PATCH", "tc", f"/api/register/aanleverpunten/{rk}", json={"actief": True})
        links = [("Aanleverpunten in de TC", self._link("tc", f"/#ap-{rk}")),
                 ("Zorgvraagformulier in de LAS",
                  self._link("las", f"/leerlingen/{leerling['id']}/zorgvragen/nieuw"))]
        if status == 422:
            return True, (f"Aanleverpunt {rk} stond uit. De LAS weigerde: {antwoord.get('fout')}"
                          " Daarna is het aanleverpunt weer aangezet; zet het in de TC zelf uit"
                          " om te laten zien dat de LAS het niet meer aanbiedt."), links
        return False, f"De LAS weigerde niet (HTTP {status}).", links

    def _dossier_met_pgn(self) -> tuple[bool, str, list]:
        leerling, ap = self._leerling(met_pgn=True)
        # the LAS builds the dossier when it sends, so the defect is needed for that call only
        with self._las_defect(las_defects.LEAK_PGN):
            zv = self._verstuurd(leerling, self._zorgvraag_body("Zorgvraag met BSN in het dossier",
                                                                 ap["routeringskenmerk"]))
        k = zv["koppelsleutel"]
        aanvraag = self._opgehaald(k)
        links = [("Validatierapport in het SWV", self._link("swv", f"/aanvragen/{k}#validatierapport")),
                 ("Volgordediagram in de TC", self._link("tc", f"/koppelingen/{k}"))]
        if aanvraag.get("valid") is False:
            return True, (f"Koppelsleutel {k}: het SWV haalde het dossier op en keurde het af"
                          f" ({aanvraag.get('bevindingen')} bevinding(en); afmelding:"
                          f" {aanvraag.get('afmelding_resultaat') or '-'})."), links
        return False, (f"Koppelsleutel {k}: het SWV keurde het dossier niet af (status"
                       f" {aanvraag.get('status')}, geldig: {aanvraag.get('valid')})."), links

    def _late_terugkoppeling(self) -> tuple[bool, str, list]:
        leerling, ap = self._leerling()
        zv = self._verstuurd(leerling, self._zorgvraag_body("Zorgvraag die de school intrekt",
                                                             ap["routeringskenmerk"]))
        k = zv["koppelsleutel"]
        self._opgehaald(k)
        self._ok("DELETE", "las", f"/api/zorgvragen/{zv['id']}")
        status, tk = self._call("POST", "swv", f"/api/aanvragen/{k}/terugkoppeling", json={
            "status": "Toegekend", "behandelaar": "Loket SWV",
            "toelichting": "Het arrangement is toegekend."})
        tk = tk if isinstance(tk, dict) else {}
        links = [("Terugkoppeling in het SWV", self._link("swv", f"/aanvragen/{k}#terugkoppeling")),
                 ("Volgordediagram in de TC", self._link("tc", f"/koppelingen/{k}"))]
        if not tk.get("verzonden"):
            return True, (f"Koppelsleutel {k}: de school verwijderde de zorgvraag nadat het SWV"
                          " het dossier had opgehaald. De late terugkoppeling werd niet"
                          f" aangenomen. {str(tk.get('fout') or tk.get('resultaat') or status).rstrip('.')}."), links
        return False, f"Koppelsleutel {k}: de LAS nam de terugkoppeling toch aan.", links

    def _verlopen_sessie(self) -> tuple[bool, str, list]:
        leerling, ap = self._leerling()
        # a lifetime of zero: every session the TC hands out is over before it is checked
        with self._sessieduur(0.0):
            zv = self._verstuurd(leerling, self._zorgvraag_body("Zorgvraag met verlopen sessie",
                                                                 ap["routeringskenmerk"]))
            k = zv["koppelsleutel"]
            self._zelf_opgehaald = self._stap_voor_stap()
            aanvraag = {"status": "genotificeerd"} if self._zelf_opgehaald else \
                self._ok("GET", "swv", f"/api/aanvragen/{k}?wait=mislukt&timeout={WAIT}")
            if aanvraag.get("status") in ("wacht", "genotificeerd"):
                aanvraag = self._ok("POST", "swv", f"/api/aanvragen/{k}/ophalen")
        links = [("Status in het SWV", self._link("swv", f"/aanvragen/{k}#status")),
                 ("Volgordediagram in de TC", self._link("tc", f"/koppelingen/{k}"))]
        if not aanvraag.get("dossier_opgehaald"):
            return True, (f"Koppelsleutel {k}: de LAS leverde het dossier niet, de sessie was"
                          f" verlopen ({aanvraag.get('fout_code') or aanvraag.get('fout') or 'zie het SWV'})."
                          " Met 'Opnieuw ophalen' in het SWV lukt het nu wel: de sessieduur is weer"
                          " normaal."), links
        return False, f"Koppelsleutel {k}: het SWV kreeg het dossier toch.", links

    _SPELERS: ClassVar[dict] = {"geweigerd-verzenden": _geweigerd_verzenden, "geen-mandaat": _geen_mandaat,
                "inactief-aanleverpunt": _inactief_aanleverpunt,
                "dossier-met-pgn": _dossier_met_pgn, "late-terugkoppeling": _late_terugkoppeling,
                "verlopen-sessie": _verlopen_sessie}

    # -- public ------------------------------------------------------------------------------

    def lijst(self) -> list[Situatie]:
        return list(SITUATIES)

    def speel(self, naam: str) -> Uitkomst:
        situatie = next((s for s in SITUATIES if s.naam == naam), None)
        if situatie is None:
            raise KeyError(naam)
        with self._lock:
            self._zelf_opgehaald = False
            try:
                gelukt, tekst, links = self._SPELERS[naam](self)
            except Onverwacht as exc:
                gelukt, tekst, links = False, str(exc), []
            if self._zelf_opgehaald:
                tekst = f"{tekst} {ZELF_OPGEHAALD}"
            self._teller += 1
            uitkomst = Uitkomst(naam, situatie.titel, gelukt, tekst, links, self._teller)
            self._uitkomsten[uitkomst.nummer] = uitkomst
            for oud in [n for n in self._uitkomsten if n <= self._teller - 20]:
                del self._uitkomsten[oud]
        return uitkomst

    def verstuur_voorbeeld(self) -> dict:
        """One ordinary zorgvraag, sent: `oso-sim demo --voorbeeld --step` leaves the rest to
        the trainer."""
        leerling, ap = self._leerling()
        return self._verstuurd(leerling, self._zorgvraag_body("Voorbeeldzorgvraag",
                                                               ap["routeringskenmerk"]))

    def uitkomst(self, nummer: int) -> Uitkomst | None:
        return self._uitkomsten.get(nummer)


def lijst_tekst() -> str:
    """`oso-sim demo --scenario-list`: one line each."""
    breedte = max(len(s.naam) for s in SITUATIES)
    return "\n".join(f"{s.naam.ljust(breedte)}  {s.titel}: {s.uitleg}" for s in SITUATIES)
