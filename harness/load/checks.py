"""Before and after a load run: prepared zorgvragen, and the checks over the whole run.

Locust's users check each exchange as it happens; these checks look at the run as a whole,
from the simulated actors' own records, so that nothing lost or doubled slips past a worker.
"""
from __future__ import annotations

import base64
import time
from collections import Counter

import requests

from oso_protocol.synthetic import pdf_bytes

from harness.load.world import World

OVERDRACHT_GESLAAGD = "OverdrachtGeslaagd"


def _get(url: str, timeout: float = 30):
    resp = requests.get(url, timeout=timeout)
    resp.raise_for_status()
    return resp.json()


def log_rows(base: str, query: str = "") -> list[dict]:
    """Every message log row of one actor, paged by id (the actors' page size is 500)."""
    rows, after = [], 0
    while True:
        batch = _get(f"{base}/api/berichten?{query}&xml=0&after_id={after}").get("berichten", [])
        rows.extend(batch)
        if len(batch) < 500:
            return rows
        after = batch[-1]["id"]


def zorgvraag_body(n: int, aanleverpunt: str) -> dict:
    toelichting = pdf_bytes("Toelichting onderwijsbehoeften", [f"Zorgvraag {n}", "Belastingsrun."])
    return {"omschrijving": f"Zorgvraag {n}", "aandachtspunten": "Leesontwikkeling.",
            "aanleverpunt": aanleverpunt, "verzenden": True,
            "toelichting": {"bestandsnaam": "Toelichting.pdf",
                            "inhoud_base64": base64.b64encode(toelichting).decode()}}


def pupils(world: World, las_index: int) -> list[tuple[str, str]]:
    """(leerling id, SWV aanleverpunt) of every pupil the LAS `las_index` holds."""
    base = world.las_urls[las_index]
    out = []
    for school in world.schools:
        if school.las != las_index:
            continue
        ap = world.swv_aanleverpunten["vo" if school.vo else "po"]
        out += [(str(ll["id"]), ap) for ll in _get(f"{base}/api/leerlingen?brin={school.brin}")]
    return out


def prepare_pool(world: World, count: int) -> list[dict]:
    """Shape las: `count` sent zorgvragen that no SWV has fetched yet."""
    base = world.las_urls[0]
    targets = pupils(world, 0)
    by_brin = {s.brin: s for s in world.schools}
    pool, s = [], requests.Session()
    for n in range(count):
        leerling, ap = targets[n % len(targets)]
        resp = s.post(f"{base}/api/leerlingen/{leerling}/zorgvragen", json=zorgvraag_body(n + 1, ap),
                      timeout=30)
        zv = resp.json().get("zorgvraag") or {}
        if resp.status_code != 201 or zv.get("notificatie_verstuurd") != "Ja":
            raise RuntimeError(f"zorgvraag voorbereiden mislukt: HTTP {resp.status_code}"
                               f" {zv.get('laatste_fout') or resp.text[:200]}")
        brin = _get(f"{base}/api/leerlingen/{leerling}")["brin"]
        pool.append({"zorgvraag": str(zv["id"]), "koppelsleutel": zv["koppelsleutel"],
                     "bron_brin": brin, "bron_rk": by_brin[brin].routeringskenmerk,
                     "doel_brin": zv.get("aanleverpunt_brin") or ap[11:15], "doel_rk": ap})
    return pool


def check_swv_run(world: World, wait_seconds: float) -> tuple[dict, list[str]]:
    """Shape swv: every zorgvraag the schools notified was fetched exactly once, with a session
    the TC issued, signed off with OverdrachtGeslaagd; no aanvraag lost or doubled."""
    fouten: list[str] = []
    sent: set[str] = set()
    served: Counter = Counter()
    for base in world.las_urls:
        for row in log_rows(base):
            k = (row.get("koppelsleutel") or "").upper()
            if not k:
                continue
            if row["side"] == "client" and row["operation"] == "notificatie" \
                    and row["direction"] == "in" and row["outcome"] == "NotificatieOntvangen":
                sent.add(k)
            if row["side"] == "server" and row["operation"] == "document" and row["direction"] == "out" \
                    and row.get("element") == "documentResponse":
                served[k] += 1
    koppelingen = _wait_afgemeld(world.urls["tc"], sent, wait_seconds)
    for k in sorted(sent):
        kp = koppelingen.get(k)
        if kp is None:
            fouten.append(f"{k}: de TC kent de koppeling niet")
            continue
        sessies = kp.get("sessies") or []
        afgemeld = [s for s in sessies if s.get("afgemeld")]
        if not afgemeld:
            fouten.append(f"{k}: niet afgemeld (verloren aanvraag)")
        elif any(s.get("resultaat") != OVERDRACHT_GESLAAGD for s in afgemeld):
            fouten.append(f"{k}: afgemeld met {[s.get('resultaat') for s in afgemeld]},"
                          f" verwacht {OVERDRACHT_GESLAAGD}")
        if served[k] != 1:
            fouten.append(f"{k}: dossier {served[k]} keer geleverd, verwacht precies 1")
    dubbel = [k for k, n in served.items() if k not in sent and n]
    fouten += [f"{k}: dossier geleverd zonder notificatie" for k in dubbel]
    if "swv" in world.urls:   # our own SWV: its inbox neither loses nor doubles an aanvraag
        inbox = Counter(a["koppelsleutel"].upper() for a in _get(world.urls["swv"] + "/api/aanvragen"))
        fouten += [f"{k}: {n} aanvragen in het SWV voor een koppelsleutel" for k, n in inbox.items() if n > 1]
        fouten += [f"{k}: aanvraag ontbreekt in het SWV" for k in sent - set(inbox)]
    return {"genotificeerd": len(sent), "geleverd": sum(served.values())}, fouten


def _wait_afgemeld(tc: str, keys: set[str], wait_seconds: float) -> dict[str, dict]:
    """The TC's koppelingen, once every key is signed off or `wait_seconds` passed: exchanges
    still in flight when Locust stopped get their time to finish."""
    deadline = time.monotonic() + wait_seconds
    while True:
        rows = _get(tc + "/api/koppelingen")
        rows = rows.get("koppelingen", rows) if isinstance(rows, dict) else rows
        by_key = {r["koppelsleutel"].upper(): r for r in rows}
        open_ = [k for k in keys if not any(s.get("afgemeld") for s in
                                            (by_key.get(k) or {}).get("sessies") or [])]
        if not open_ or time.monotonic() > deadline:
            return by_key
        time.sleep(0.5)


def check_las_run(world: World) -> tuple[dict, list[str]]:
    """Shape las: no prepared dossier was delivered more than once (each fetch had its own
    session), and the LAS checked a session at the TC for every dossier it served."""
    fouten: list[str] = []
    served: Counter = Counter()
    for row in log_rows(world.las_urls[0]):
        k = (row.get("koppelsleutel") or "").upper()
        if k and row["side"] == "server" and row["operation"] == "document" \
                and row["direction"] == "out" and row.get("element") == "documentResponse":
            served[k] += 1
    checked: Counter = Counter()
    for row in log_rows(world.urls["tc"]):
        k = (row.get("koppelsleutel") or "").upper()
        if k and row["side"] == "server" and row["operation"] == "sessiecontrole" \
                and row["direction"] == "out":
            checked[k] += 1
    fouten += [f"{k}: dossier {n} keer geleverd" for k, n in served.items() if n > 1]
    fouten += [f"{k}: dossier geleverd zonder sessiecontrole bij de TC" for k in served if not checked[k]]
    return {"geleverd": sum(served.values()), "sessiecontroles": sum(checked.values())}, fouten
