"""Sessions: overdracht issues them, sessiecontrole checks them, afmelding closes them.

A session covers one dossier (one koppelsleutel). It ends at afmelding or when it expires;
the koppelsleutel outlives it, for the terugkoppeling.
"""
from __future__ import annotations

import uuid

from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (AFMELDING_RESULTATEN, DOEL_SWV, OVERDRACHT_GESLAAGD,
                                             OVERDRACHTSOORT_SWV, SESSIE_VALIDE,
                                             AfmeldingRequest, AfmeldingResponse,
                                             OverdrachtRequest, OverdrachtResponse,
                                             SessiecontroleRequest, SessiecontroleResponse)

from . import register
from .context import TrafficCenter
from .toegang import ZONDER_TLS, Aanroeper, vereis_houder, vereis_mandaat


def _same(a: str | None, b: str | None) -> bool:
    # GUIDs, BRINs and routeringskenmerken are case-insensitive on the wire
    return (a or "").strip().upper() == (b or "").strip().upper()


def koppeling_row(conn, koppelsleutel: str | None):
    if not koppelsleutel:
        return None
    return conn.execute("SELECT * FROM koppelingen WHERE koppelsleutel = ?",
                        (koppelsleutel.strip().upper(),)).fetchone()


def _sessie_row(conn, sessie_id: str):
    return conn.execute("SELECT * FROM sessies WHERE sessie_id = ?",
                        (sessie_id.strip().lower(),)).fetchone()


# --- overdracht (SWV -> TC) --------------------------------------------------------------------

def overdracht(tc: TrafficCenter, msg: OverdrachtRequest, *,
               caller: Aanroeper = ZONDER_TLS) -> OverdrachtResponse:
    with tc.store.tx() as conn:
        # first, before anything about the koppelsleutel is told: whoever names the public
        # routeringskenmerk of an SWV must also hold that SWV system's certificate
        vereis_houder(tc, conn, caller, msg.doelRouteringsKenmerk, rol="SWV-systeem")
        if not msg.koppelsleutel or msg.zoeksleutel:
            raise OsoFault(faults.SLEUTEL_KEUZE_ONJUIST,
                           "Een SWV-aanvraag wordt opgehaald met de koppelsleutel, zonder"
                           " zoeksleutel.")
        k = koppeling_row(conn, msg.koppelsleutel)
        if k is None:
            raise OsoFault(faults.KOPPELSLEUTEL_ONBEKEND,
                           f"Koppelsleutel {msg.koppelsleutel} is niet uitgegeven door het TC.")
        if msg.overdrachtsoort != OVERDRACHTSOORT_SWV:
            raise OsoFault(faults.ONJUISTE_OVERDRACHTSOORT,
                           f"Overdrachtsoort moet {OVERDRACHTSOORT_SWV} zijn, niet"
                           f" {msg.overdrachtsoort}.")
        # Another SWV endpoint asking for this koppelsleutel lands here too: the key was issued
        # for one endpoint only.
        if not _same(msg.doelRouteringsKenmerk, k["doel_routeringskenmerk"]):
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           f"Koppelsleutel {k['koppelsleutel']} is niet uitgegeven voor"
                           f" aanleverpunt {msg.doelRouteringsKenmerk}.")
        swv_ap = register.aanleverpunt(tc, k["doel_routeringskenmerk"], conn)
        if swv_ap is None:
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           f"Aanleverpunt {msg.doelRouteringsKenmerk} staat niet meer in het register.")
        if not swv_ap["actief"]:
            raise OsoFault(faults.AANLEVERPUNT_INACTIEF,
                           f"Aanleverpunt {msg.doelRouteringsKenmerk} is niet actief.")
        if not _same(msg.bronBrin, k["bron_brin"]) or not _same(msg.doelBrin, k["doel_brin"]) \
                or (msg.bronRouteringsKenmerk
                    and not _same(msg.bronRouteringsKenmerk, k["bron_routeringskenmerk"])):
            raise OsoFault(faults.SESSIE_AFWIJKEND,
                           "BRIN of routeringskenmerk wijkt af van de koppeling bij deze"
                           " koppelsleutel.")
        las_ap = register.aanleverpunt(tc, k["bron_routeringskenmerk"], conn)
        if las_ap is None:
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           f"Het LAS-aanleverpunt {k['bron_routeringskenmerk']} staat niet meer"
                           " in het register.")
        # [choice] The SWV would fetch from an endpoint the school switched off: refuse early.
        if not las_ap["actief"]:
            raise OsoFault(faults.AANLEVERPUNT_INACTIEF,
                           f"Het LAS-aanleverpunt {las_ap['routeringskenmerk']} is niet actief.")
        register.require_swv_mandates(conn, k["bron_brin"], las_ap["system"], swv_ap["system"])
        # [choice] Until the dossier was fetched successfully a new session may be started (the
        # SWV crashed, the session expired); after that the key only serves the terugkoppeling.
        if k["opgehaald"]:
            raise OsoFault(faults.KOPPELSLEUTEL_REEDS_GEBRUIKT,
                           f"Het dossier bij koppelsleutel {k['koppelsleutel']} is al opgehaald.")
        # [choice] Lower case, as in the wiki's sessieId example; compared case-insensitively.
        sessie_id = str(uuid.uuid4())
        now = tc.now()
        conn.execute(
            "INSERT INTO sessies (sessie_id, koppelsleutel, bron_brin, bron_routeringskenmerk,"
            " doel_brin, doel_routeringskenmerk, overdrachtsoort, created, expires)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (sessie_id, k["koppelsleutel"], k["bron_brin"], k["bron_routeringskenmerk"],
             k["doel_brin"], k["doel_routeringskenmerk"], OVERDRACHTSOORT_SWV, now,
             now + tc.session_ttl))
    return OverdrachtResponse(sessieId=sessie_id, bronRouteringsKenmerk=las_ap["routeringskenmerk"],
                              url=las_ap["url"])


# --- sessiecontrole (LAS -> TC) ----------------------------------------------------------------

def _open_sessie(conn, sessie_id: str, *, afgemeld_ok: bool = False):
    s = _sessie_row(conn, sessie_id)
    if s is None:
        raise OsoFault(faults.SESSIE_ONBEKEND, f"Sessie {sessie_id} is niet uitgegeven door het TC.")
    if s["afgemeld"] is not None and not afgemeld_ok:
        raise OsoFault(faults.SESSIE_REEDS_AFGEMELD, f"Sessie {sessie_id} is al afgemeld.")
    return s


def _afwijkend(s, msg) -> list[str]:
    pairs = (("bronBrin", "bron_brin"), ("bronRouteringsKenmerk", "bron_routeringskenmerk"),
             ("doelBrin", "doel_brin"), ("doelRouteringsKenmerk", "doel_routeringskenmerk"),
             ("koppelsleutel", "koppelsleutel"), ("overdrachtsoort", "overdrachtsoort"))
    return [name for name, col in pairs if not _same(getattr(msg, name), s[col])]


def sessiecontrole(tc: TrafficCenter, msg: SessiecontroleRequest, *,
                   caller: Aanroeper = ZONDER_TLS) -> SessiecontroleResponse:
    with tc.store.tx() as conn:
        # the bron routeringskenmerk must belong to the calling certificate [W17]; the session
        # compare below then ties it to this koppeling's LAS
        vereis_houder(tc, conn, caller, msg.bronRouteringsKenmerk, rol="LAS")
        s = _open_sessie(conn, msg.sessieId,
                         afgemeld_ok=tc.policy.session_check_signed_off_ok())
        now = tc.now()
        if now >= s["expires"]:
            raise OsoFault(faults.SESSIE_VERLOPEN, f"Sessie {msg.sessieId} is verlopen.")
        if register.school(tc, msg.bronBrin, conn) is None:
            raise OsoFault(faults.VERSTREKKER_NIET_BEKEND,
                           f"School {msg.bronBrin} is niet bekend bij het TC.")
        if not _same(msg.doelRouteringsKenmerk, s["doel_routeringskenmerk"]):
            raise OsoFault(faults.ONBEKEND_AANLEVERPUNT,
                           f"Sessie {msg.sessieId} is niet uitgegeven aan aanleverpunt"
                           f" {msg.doelRouteringsKenmerk}.")
        tc.policy.session_check(msg.sessieId, _afwijkend(s, msg))
        doel_ap = register.aanleverpunt(tc, s["doel_routeringskenmerk"], conn)
        # [choice] The sector of an SWV endpoint is "SWV"; for any other doel, the school's.
        if doel_ap is None or doel_ap["doel"] == DOEL_SWV:
            sector = DOEL_SWV
        else:
            sector = (register.school(tc, s["doel_brin"], conn) or {}).get("sector")
        conn.execute("UPDATE sessies SET gecontroleerd = gecontroleerd + 1,"
                     " laatst_gecontroleerd = ? WHERE sessie_id = ?", (now, s["sessie_id"]))
    return SessiecontroleResponse(resultaat=SESSIE_VALIDE, sector=sector)


# --- afmelding (SWV -> TC) ---------------------------------------------------------------------

def afmelding(tc: TrafficCenter, msg: AfmeldingRequest, *,
              caller: Aanroeper = ZONDER_TLS) -> AfmeldingResponse:
    with tc.store.tx() as conn:
        vereis_houder(tc, conn, caller, msg.doelRouteringsKenmerk, rol="SWV-systeem")
        s = _open_sessie(conn, msg.sessieId)
        afwijkend = _afwijkend(s, msg)
        if afwijkend:
            raise OsoFault(faults.SESSIE_AFWIJKEND,
                           f"Gegevens wijken af van de sessie: {', '.join(afwijkend)}.")
        vereis_mandaat(tc, conn, caller, s["doel_routeringskenmerk"], s["bron_brin"])
        if msg.resultaat not in AFMELDING_RESULTATEN:
            raise OsoFault(faults.ONGELDIG_BERICHT,
                           f"Resultaat {msg.resultaat} is geen geldig afmeldresultaat"
                           f" ({', '.join(AFMELDING_RESULTATEN)}).")
        # [choice] An expired session may still be signed off: afmelding reports what happened,
        # expiry only limits fetching.
        now = tc.now()
        conn.execute("UPDATE sessies SET afgemeld = ?, resultaat = ? WHERE sessie_id = ?",
                     (now, msg.resultaat, s["sessie_id"]))
        if msg.resultaat == OVERDRACHT_GESLAAGD:
            conn.execute("UPDATE koppelingen SET opgehaald = 1, opgehaald_op = ?"
                         " WHERE koppelsleutel = ?", (now, s["koppelsleutel"]))
    return AfmeldingResponse()
