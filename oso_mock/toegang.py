"""Who may make which TC call: the caller's certificate (OIN) against the register.

With mutual TLS every OSO call carries a verified certificate, and its OIN must be that of the
system holding the aanleverpunt the call speaks for (oso-protocol.md §4: the TC ties a
routeringskenmerk to the calling certificate). Without TLS (the loopback demo) there is no
certificate and identity is the routeringskenmerk in the message, as before.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from actor_kit import identity
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault

from . import register
from .context import TrafficCenter


@dataclass(frozen=True)
class Aanroeper:
    tls: bool
    oin: str | None = None


ZONDER_TLS = Aanroeper(tls=False)


def huidige_aanroeper() -> Aanroeper:
    """The caller of the SOAP request being handled (outside a request: no TLS)."""
    environ = identity.current_environ()
    if environ is None or not identity.tls_enabled(current_app.config):
        return ZONDER_TLS
    return Aanroeper(tls=True, oin=identity.caller_oin(environ))


def system_oin(system: dict | None) -> str | None:
    return ((system or {}).get("oin") or "").strip() or None


def vereis_houder(tc: TrafficCenter, conn, caller: Aanroeper, routeringskenmerk: str | None,
                  *, rol: str) -> None:
    """With TLS: refuse unless the caller's OIN is that of the system holding `routeringskenmerk`.

    An unknown aanleverpunt is left to the operation's own check, which names it properly.
    """
    if not caller.tls:
        return
    if not caller.oin:
        raise OsoFault(faults.ONJUIST_CERTIFICAAT,
                       "Geen geldig clientcertificaat: met TLS moet elke OSO-aanroep een"
                       " OSO-certificaat met OIN tonen.")
    ap = register.aanleverpunt(tc, routeringskenmerk, conn)
    if ap is None:
        return
    system = register.system(tc, ap["system"], conn)
    expected = system_oin(system)
    if expected is None:
        # [choice] a system without an OIN in the register cannot be recognised, so nobody may
        # speak for it (fail closed)
        raise OsoFault(faults.ONJUIST_CERTIFICAAT,
                       f"Het {rol} {ap['system']} van aanleverpunt {ap['routeringskenmerk']} heeft"
                       " geen OIN in het register; aanroepen namens dit aanleverpunt worden"
                       " geweigerd.")
    if caller.oin != expected:
        raise OsoFault(faults.ONJUIST_CERTIFICAAT,
                       f"Het certificaat van de aanroeper (OIN {caller.oin}) hoort niet bij het"
                       f" {rol} {ap['system']} dat aanleverpunt {ap['routeringskenmerk']}"
                       " beheert.")


def vereis_mandaat(tc: TrafficCenter, conn, caller: Aanroeper, routeringskenmerk: str,
                   brin: str) -> None:
    """With TLS: the doel system must (still) be mandated for the school's OSO-SWV dienst."""
    if not caller.tls:
        return
    ap = register.aanleverpunt(tc, routeringskenmerk, conn)
    if ap is None:
        return
    if not register.has_mandate(conn, brin, ap["system"], register.DIENST_OSO_SWV):
        raise OsoFault(faults.GEEN_MANDAAT,
                       f"Het SWV-systeem {ap['system']} heeft geen mandaat voor dienst"
                       f" {register.DIENST_OSO_SWV} van school {brin.upper()}.")
