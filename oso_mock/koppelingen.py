"""Read side of the exchange state: koppelingen with their sessions, for the JSON API."""
from __future__ import annotations

from .context import TrafficCenter, iso


def _sessie(s) -> dict:
    return {"sessieId": s["sessie_id"], "created": iso(s["created"]), "expires": iso(s["expires"]),
            "gecontroleerd": s["gecontroleerd"], "afgemeld": s["afgemeld"] is not None,
            "afgemeld_op": iso(s["afgemeld"]), "resultaat": s["resultaat"]}


def _koppeling(tc: TrafficCenter, k) -> dict:
    sessies = tc.store.query("SELECT * FROM sessies WHERE koppelsleutel = ? ORDER BY created",
                             (k["koppelsleutel"],))
    terug = tc.store.one("SELECT COUNT(*) FROM terugkoppelingen WHERE koppelsleutel = ?",
                         (k["koppelsleutel"],))[0]
    return {"koppelsleutel": k["koppelsleutel"],
            "bron_brin": k["bron_brin"], "bron_routeringskenmerk": k["bron_routeringskenmerk"],
            "doel_brin": k["doel_brin"], "doel_routeringskenmerk": k["doel_routeringskenmerk"],
            "doel": k["doel"], "created": iso(k["created"]),
            "opgehaald": bool(k["opgehaald"]), "opgehaald_op": iso(k["opgehaald_op"]),
            "terugkoppeling_gemeld": bool(k["terugkoppeling_gemeld"]),
            "terugkoppelingen": terug,
            "sessies": [_sessie(s) for s in sessies]}


def alle(tc: TrafficCenter) -> list[dict]:
    rows = tc.store.query("SELECT * FROM koppelingen ORDER BY created, koppelsleutel")
    return [_koppeling(tc, k) for k in rows]


def een(tc: TrafficCenter, koppelsleutel: str) -> dict | None:
    k = tc.store.one("SELECT * FROM koppelingen WHERE koppelsleutel = ?",
                     (koppelsleutel.strip().upper(),))
    return _koppeling(tc, k) if k else None
