"""Under which koppelsleutel the TC files a message it could not take as a call (a SOAP Fault
posted to it, an answer, a message it cannot read), and whom it names as the sender.

Such a message says whatever its sender wrote, a koppelsleutel included. Filed under that key it
would stand on the koppeling's timeline as if it were part of the exchange. So it is filed there
only when it comes from a system of that koppeling, known the way identity works on the SOAP
calls (toegang.py): with TLS by the OIN of the caller's certificate, without TLS by a
routeringskenmerk of the koppeling named in the message. Otherwise it is logged without a key.
"""
from __future__ import annotations

import re

from flask import current_app

from . import koppelingen, register, toegang

_GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
_KOPPELSLEUTEL = re.compile(rb"koppelsleutel>\s*(" + _GUID.encode() + rb")", re.IGNORECASE)
_ROUTERINGSKENMERK = re.compile(rb"routeringskenmerk>\s*([0-9A-Za-z]{1,40})\s*<", re.IGNORECASE)
SCAN_BYTES = 65536


def afzender(data: bytes) -> tuple[str | None, str | None]:
    """(koppelsleutel, sender as the log shows it) for a message the TC could not take; the
    koppelsleutel is None unless the sender is a system of that koppeling."""
    head = bytes(data[:SCAN_BYTES])
    found = _KOPPELSLEUTEL.search(head)
    if not found:
        return None, None
    tc = current_app.extensions["oso_mock"]
    k = koppelingen.een(tc, found.group(1).decode("ascii"))
    if k is None:
        return None, None
    kanten = {k["bron_routeringskenmerk"]: "LAS", k["doel_routeringskenmerk"]: "SWV"}
    caller = toegang.huidige_aanroeper()
    if caller.tls:
        if not caller.oin:
            return None, None
        for rk, lane in kanten.items():
            ap = register.aanleverpunt(tc, rk)
            system = register.system(tc, ap["system"]) if ap else None
            if system is not None and toegang.system_oin(system) == caller.oin:
                return k["koppelsleutel"], f"{lane} {system['id']} (certificaat, OIN {caller.oin})"
        return None, f"OIN {caller.oin} (geen systeem van koppeling {k['koppelsleutel']})"
    named = {m.group(1).decode("ascii") for m in _ROUTERINGSKENMERK.finditer(head)}
    for rk, lane in kanten.items():
        if rk in named:
            return k["koppelsleutel"], f"{lane} (routeringskenmerk {rk}, zonder TLS)"
    return None, None
