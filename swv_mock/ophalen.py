"""The fetch of one aanvraag: overdracht at the TC, documentRequest at the LAS, validation,
afmelding with the best result reached.

Each step's outcome is committed before the next call goes out, so a process killed between two
messages picks up where it was (see `Ophalen.run`):

    wacht/genotificeerd/mislukt -> overdracht (new session)
    sessie, nothing from the LAS stored -> a new session; the old one is lost with the crash
    sessie, LAS refusal stored -> only the afmelding
    sessie/opgehaald with the dossier stored -> only the afmelding (judged again if need be)
    afgemeld -> nothing

A refused overdracht gives no session and so no afmelding. A refused afmelding ends the session
without telling the user (OSO'17 "Afmelden Sessie"): it is stored in afmelding_fout only. An
afmelding lost in transit (no answer, or garbage instead of SOAP) is different: the TC may never
have seen it, and until it does the dossier counts as not fetched and every terugkoppeling is
refused. The aanvraag then keeps its status with afmelding_fout set, and `on_afmelding_open` hands
it to the retrier (swv_mock/herstel.py) until the TC confirms.

With CONFIRM_KOPPELSLEUTEL the notificatie handler already asked the TC for a session
(`bevestig`); the first fetch uses that session while it is fresh instead of asking again.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import uuid
from datetime import datetime, timezone
from typing import Callable

from actor_kit import caller_check
from actor_kit.messagelog import now_iso
from actor_kit.soap_client import SoapClient
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    AFMELDING_RESULTATEN, OVERDRACHT_GESLAAGD, OVERDRACHTSOORT_SWV, AfmeldingRequest,
    AfmeldingResponse, DocumentRequest, DocumentResponse, OverdrachtRequest, OverdrachtResponse)
from oso_protocol.xmlsafe import XmlInputError, parse_bytes

from . import aanvragen as av
from . import defects as swv_defects
from .aanvragen import Inbox
# the defect names lived here first; kept importable from this module
from .defects import DEFECTS, SKIP_AFMELDING, SKIP_OVERDRACHT  # noqa: F401

log = logging.getLogger(__name__)

DOSSIER_ONGELDIG = "DossierOngeldig"
PGN_RULE = "PaO.LL12"
BRON_NIET_BEREIKBAAR = "BronNietBereikbaar"
LEVERING_GEWEIGERD = "LeveringGeweigerd"


_MAX_DOSSIER_BYTES = 64 * 1024 * 1024

# [choice] The session obtained at the notificatie is used for the first fetch only while it is
# younger than this: well inside the TC's 15 minutes, and a real TC's lifetime is not known.
BEVESTIGDE_SESSIE_SECONDS = 300.0

# Failures where the message may not have reached the peer, or its answer was lost: worth
# another attempt. A SOAP Fault from the peer is an answer and is never retried.
TRANSPORT_FOUTEN = frozenset({faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD})


def lost_in_transit(fault: OsoFault) -> bool:
    return fault.resultaat in TRANSPORT_FOUTEN


def afmelding_open(row: dict) -> bool:
    """True when an afmelding was decided, tried, and not (yet) confirmed by the TC."""
    return (row["status"] in (av.SESSIE, av.OPGEHAALD) and bool(row["afmelding_resultaat"])
            and row["afgemeld_op"] is None and bool(row["afmelding_fout"]))


def _carries_pgn(report: dict) -> bool:
    return any(f.get("rule") == PGN_RULE for f in report.get("findings", []))


def resultaat_for_fault(fault: OsoFault) -> str:
    """The afmelding result for a LAS that did not deliver."""
    if fault.resultaat in AFMELDING_RESULTATEN:
        return fault.resultaat
    if fault.resultaat in (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD):
        # [choice] an answer that is not SOAP (an HTML error page, a proxy) counts as not reached:
        # no OSO endpoint answered.
        return BRON_NIET_BEREIKBAAR
    # [choice] any other refusal (a failed session check passed on, a schema error) is a
    # refused delivery.
    return LEVERING_GEWEIGERD


def validate_dossier(data: bytes) -> tuple[dict, bool]:
    """(report dict, readable) with the full validator; a parse check only while it is absent."""
    try:
        from oso_protocol.dossier import validate
    except ImportError:
        validate = None
    if validate is not None:
        try:
            report = validate(data)
            return report.to_dict(), bool(getattr(report, "readable", True))
        except Exception as exc:  # a validator bug must not keep the session from being signed off
            log.exception("dossier validation failed")
            return _report(None, False, [_finding("OSS.SWV.VALIDATIE",
                                                  f"De validatie zelf faalde: {exc}")]), True
    try:
        parse_bytes(data, max_bytes=_MAX_DOSSIER_BYTES)
    except XmlInputError as exc:
        return _report(None, False, [_finding("OSS.SWV.XML", exc.message)]), False
    return _report(None, None, []), True


def _finding(rule: str, message: str) -> dict:
    return {"rule": rule, "layer": "project", "severity": "fout",
            "location": "/documentResponse/dossier", "message": message}


def _report(profile, valid, findings) -> dict:
    return {"file": None, "valid": valid, "profile": profile, "findings": findings}


class Ophalen:
    def __init__(self, inbox: Inbox, client: SoapClient, *, tc_url: str | None,
                 defects=frozenset(), las_url: str | None = None):
        self.inbox = inbox
        self.client = client
        self.tc_soap = (tc_url or "").rstrip("/") + "/oso"
        self.defects = swv_defects.check(defects)
        self.las_url = las_url  # only used by the skip_overdracht defect: no TC to ask
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        # set by the app: called with the koppelsleutel when an afmelding was lost in transit
        self.on_afmelding_open: Callable[[str], object] | None = None

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def run(self, koppelsleutel: str) -> dict:
        """Bring one aanvraag as far as it goes; returns the stored row. Never raises OsoFault:
        every failure ends up in the row. Concurrent calls for one aanvraag queue up, and the
        second finds the work done."""
        key = av.normalize_key(koppelsleutel)
        with self._lock(key):
            row = self.inbox.row(key)
            if row is None:
                raise av.OnbekendeAanvraag(key)
            try:
                return self._continue(row)
            except Exception as exc:
                log.exception("fetch of %s failed", key)
                return self.inbox.update(key, status=av.MISLUKT, fout_code=faults.INTERNE_FOUT,
                                         fout=f"Interne fout bij het ophalen: {exc}")

    def _continue(self, row: dict) -> dict:
        status = row["status"]
        if status == av.AFGEMELD:
            return row
        if status in (av.SESSIE, av.OPGEHAALD):
            if row["afmelding_resultaat"]:
                return self._afmelden(row)
            if row["dossier"] is not None:
                # the dossier is here but its verdict was not stored: judge it again, no refetch
                row = self._keep(key=row["koppelsleutel"], data=bytes(row["dossier"]),
                                 dossier_versie=row["dossier_versie"])
                return self._afmelden(row)
        row = self._overdracht(row)
        if row["status"] != av.SESSIE:
            return row
        row = self._document(row)
        return self._afmelden(row)

    # --- steps -------------------------------------------------------------------------------

    def bevestig(self, request: OverdrachtRequest) -> OverdrachtResponse:
        """Ask the TC for a session for a koppelsleutel a notificatie brought: the TC confirms
        that it issued the key for exactly this bron and doel. Raises the TC's OsoFault."""
        if swv_defects.active(self.defects, swv_defects.ACCEPT_UNKNOWN_KOPPELSLEUTEL):
            return None  # taken on its word: no session yet, the fetch asks for one
        if swv_defects.active(self.defects, swv_defects.OVERDRACHT_MET_ZOEKSLEUTEL):
            request.zoeksleutel, request.koppelsleutel = request.koppelsleutel, None
        return self.client.call(self.tc_soap, request, expect=OverdrachtResponse)

    def houder_oin(self, routeringskenmerk: str) -> str | None:
        """The OIN the TC names for the system holding `routeringskenmerk` (None: not known)."""
        return caller_check.houder_oin(self.client, self.tc_soap, routeringskenmerk)

    def _bevestigde_sessie(self, row: dict) -> bool:
        if row["status"] not in (av.GENOTIFICEERD, av.WACHT) or row["pogingen"] \
                or not row["sessie_id"] or not row["las_url"]:
            return False
        try:
            ontvangen = datetime.fromisoformat(row["ontvangen_op"])
        except (TypeError, ValueError):
            return False
        if ontvangen.tzinfo is None:
            ontvangen = ontvangen.replace(tzinfo=timezone.utc)
        age = (datetime.now(timezone.utc) - ontvangen).total_seconds()
        return 0 <= age < BEVESTIGDE_SESSIE_SECONDS

    def _overdracht(self, row: dict) -> dict:
        key = row["koppelsleutel"]
        if self._bevestigde_sessie(row) and SKIP_OVERDRACHT not in self.defects:
            return self.inbox.update(key, status=av.SESSIE, pogingen=1, fout=None, fout_code=None)
        fresh = dict(sessie_id=None, las_url=None, las_routeringskenmerk=None, dossier=None,
                     dossier_versie=None, opgehaald_op=None, rapport=None, valid=None,
                     profile=None, afmelding_resultaat=None, afgemeld_op=None,
                     afmelding_fout=None, fout=None, fout_code=None,
                     pogingen=row["pogingen"] + 1)
        if SKIP_OVERDRACHT in self.defects:
            return self.inbox.update(key, **dict(fresh, status=av.SESSIE,
                                                 sessie_id=str(uuid.uuid4()).upper(),
                                                 las_url=self.las_url))
        request = OverdrachtRequest(
            bronBrin=row["bron_brin"], bronRouteringsKenmerk=row["bron_routeringskenmerk"],
            doelBrin=row["doel_brin"], doelRouteringsKenmerk=row["doel_routeringskenmerk"],
            koppelsleutel=key, overdrachtsoort=OVERDRACHTSOORT_SWV)
        if swv_defects.active(self.defects, swv_defects.OVERDRACHT_MET_ZOEKSLEUTEL):
            request.zoeksleutel, request.koppelsleutel = key, None
        try:
            answer = self.client.call(self.tc_soap, request, expect=OverdrachtResponse)
        except OsoFault as fault:
            # no session, so nothing to sign off
            log.info("overdracht for %s refused: %s", key, fault)
            return self.inbox.update(key, **dict(fresh, status=av.MISLUKT,
                                                 fout_code=fault.resultaat,
                                                 fout=f"Overdracht geweigerd: {fault.omschrijving}"))
        return self.inbox.update(key, **dict(
            fresh, status=av.SESSIE, sessie_id=answer.sessieId, las_url=answer.url,
            las_routeringskenmerk=answer.bronRouteringsKenmerk or row["bron_routeringskenmerk"]))

    def _document(self, row: dict) -> dict:
        key = row["koppelsleutel"]
        request = DocumentRequest(
            sessieId=row["sessie_id"], bronBrin=row["bron_brin"],
            bronRouteringsKenmerk=row["las_routeringskenmerk"] or row["bron_routeringskenmerk"],
            doelBrin=row["doel_brin"], doelRouteringsKenmerk=row["doel_routeringskenmerk"],
            koppelsleutel=key, overdrachtsoort=OVERDRACHTSOORT_SWV)
        try:
            answer = self.client.call(row["las_url"] or "", request, expect=DocumentResponse)
        except OsoFault as fault:
            return self._not_delivered(key, fault.resultaat, fault.omschrijving,
                                       resultaat_for_fault(fault))
        if answer.resultaat in AFMELDING_RESULTATEN and answer.resultaat != OVERDRACHT_GESLAAGD \
                and not answer.dossier:
            # a LAS may put its refusal in the answer instead of a Fault
            return self._not_delivered(key, answer.resultaat, "De LAS leverde geen dossier.",
                                       answer.resultaat)
        try:
            data = base64.b64decode("".join((answer.dossier or "").split()), validate=True)
        except (binascii.Error, ValueError):
            data = None
        return self._keep(key=key, data=data, dossier_versie=answer.dossierVersie)

    def _keep(self, *, key: str, data: bytes | None, dossier_versie: str | None) -> dict:
        """Validate and store a delivered dossier with the afmelding result it earns."""
        if not data:
            report, readable = _report(None, False, [_finding(
                "OSS.SWV.BASE64", "Het dossier in documentResponse is geen geldige base64.")]), False
        else:
            report, readable = validate_dossier(data)
            if swv_defects.active(self.defects, swv_defects.ACCEPT_PGN):
                report = swv_defects.zonder_pgn_regel(report)
        # [choice] the transfer succeeded when a readable dossier arrived, whatever its findings:
        # content problems go back to the school in the terugkoppeling. DossierOngeldig when what
        # arrived cannot be read as a dossier, or carries a PGN (PaO.LL12): a dossier the SWV may
        # not keep (docs/protocol-assumptions.md row 11).
        resultaat = OVERDRACHT_GESLAAGD if readable and not _carries_pgn(report) else DOSSIER_ONGELDIG
        if swv_defects.active(self.defects, swv_defects.AFMELDING_FOUT_RESULTAAT) and readable:
            resultaat = DOSSIER_ONGELDIG
        valid = report.get("valid")
        return self.inbox.update(
            key, status=av.OPGEHAALD, dossier=data, dossier_versie=dossier_versie,
            opgehaald_op=now_iso(), rapport=json.dumps(report, ensure_ascii=False),
            valid=None if valid is None else int(bool(valid)), profile=report.get("profile"),
            afmelding_resultaat=resultaat, fout=None, fout_code=None)

    def _not_delivered(self, key: str, code: str, omschrijving: str, resultaat: str) -> dict:
        log.info("LAS did not deliver %s: %s %s", key, code, omschrijving)
        return self.inbox.update(key, afmelding_resultaat=resultaat, fout_code=code,
                                 fout=f"Dossier niet geleverd: {omschrijving}")

    def _afmelden(self, row: dict) -> dict:
        key = row["koppelsleutel"]
        delivered = row["status"] == av.OPGEHAALD or row["dossier"] is not None
        final = av.AFGEMELD if delivered else av.MISLUKT
        if self.defects & {SKIP_AFMELDING, SKIP_OVERDRACHT}:
            # the broken SWV stops here: opgehaald stays opgehaald, a failure is still a failure
            return self.inbox.update(key, status=av.OPGEHAALD if delivered else av.MISLUKT)
        request = AfmeldingRequest(
            sessieId=row["sessie_id"], bronBrin=row["bron_brin"],
            bronRouteringsKenmerk=row["las_routeringskenmerk"] or row["bron_routeringskenmerk"],
            doelBrin=row["doel_brin"], doelRouteringsKenmerk=row["doel_routeringskenmerk"],
            koppelsleutel=key, overdrachtsoort=OVERDRACHTSOORT_SWV,
            resultaat=row["afmelding_resultaat"])
        try:
            self.client.call(self.tc_soap, request, expect=AfmeldingResponse)
        except OsoFault as fault:
            if fault.resultaat == faults.SESSIE_REEDS_AFGEMELD:
                # we signed off before (a crash, or an answer lost in transit) and did not know
                return self.inbox.update(key, status=final, afgemeld_op=now_iso(),
                                         afmelding_fout=None)
            if lost_in_transit(fault):
                # the TC may not have it: keep the status, say so, and try again later
                log.info("afmelding for %s lost in transit: %s", key, fault)
                row = self.inbox.update(key, afmelding_fout=f"{fault.resultaat}:"
                                                            f" {fault.omschrijving}")
                if self.on_afmelding_open is not None:
                    self.on_afmelding_open(key)
                return row
            log.info("afmelding for %s refused: %s", key, fault)
            return self.inbox.update(key, status=final,
                                     afmelding_fout=f"{fault.resultaat}: {fault.omschrijving}")
        return self.inbox.update(key, status=final, afgemeld_op=now_iso(), afmelding_fout=None)
