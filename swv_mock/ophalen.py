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

A peer that gives no answer is not a verdict either (docs/protocol-assumptions.md rows 32, 37):
an overdracht or confirmation lost on the way to the TC, or a documentRequest the LAS did not
answer, leaves the aanvraag open and `on_open` hands it to the retrier. Only a LAS that stays
unreachable for `las_retry_seconds` is signed off BronNietBereikbaar. A LAS that answers
SessieVerlopen or SessieOnbekend gets a new session at once, at most MAX_SESSIES per run.

The steps where the rules are decided (is this dossier taken, what does a refusal sign off as,
does an unreachable LAS get another hour, ...) are methods of `FetchPolicy`, the correct SWV. The
deliberate defects of swv_mock/defects.py replace one of those steps each; the workflow here only
ever asks its policy.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import threading
import uuid
from datetime import datetime, timezone
from dataclasses import dataclass
from typing import Callable

from actor_kit import caller_check
from actor_kit.messagelog import now_iso
from actor_kit.soap_client import SoapClient
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    AFMELDING_RESULTATEN, OVERDRACHT_GESLAAGD, OVERDRACHTSOORT_SWV, AfmeldingRequest,
    AfmeldingResponse, DocumentRequest, DocumentResponse, OverdrachtRequest, OverdrachtResponse)
from oso_protocol.dossier.findings import FOUT, LAYER_XSD
from oso_protocol.xmlsafe import XmlInputError, parse_bytes

from . import aanvragen as av
from .aanvragen import Inbox

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

# A LAS that says the session is gone: a new session is asked at once.
SESSIE_FOUTEN = frozenset({faults.SESSIE_VERLOPEN, faults.SESSIE_ONBEKEND})
# [choice] at most three sessions per run: a LAS that calls every session expired is refusing,
# and the last session is signed off LeveringGeweigerd
MAX_SESSIES = 3

# [choice] a LAS that gives no answer is tried again (swv_mock/herstel.py) for an hour before the
# session is signed off BronNietBereikbaar; config LAS_RETRY_SECONDS
LAS_RETRY_SECONDS = 3600.0

# the rules that say the dossier is not of the 2019 gegevensset at all (validator._wrong_kind)
NOT_OUR_KIND = frozenset({"OSS.NS01", "OG.02"})

WACHT_OP_BEVESTIGING = "Wacht op bevestiging door de TC"
LAS_NIET_BEREIKBAAR = "LAS niet bereikbaar"
TC_NIET_BEREIKBAAR = "TC niet bereikbaar"


def lost_in_transit(fault: OsoFault) -> bool:
    return fault.resultaat in TRANSPORT_FOUTEN


def afmelding_open(row: dict) -> bool:
    """True when an afmelding was decided, tried, and not (yet) confirmed by the TC."""
    return (row["status"] in (av.SESSIE, av.OPGEHAALD) and bool(row["afmelding_resultaat"])
            and row["afgemeld_op"] is None and bool(row["afmelding_fout"]))


def ophalen_open(row: dict) -> bool:
    """True while the retrier owns the aanvraag: the TC has not confirmed its koppelsleutel yet,
    or an overdracht or documentRequest got no answer and nothing was decided since."""
    if row["status"] == av.ONBEVESTIGD:
        return True
    return (row["status"] in (av.GENOTIFICEERD, av.WACHT, av.SESSIE)
            and row["fout_code"] in TRANSPORT_FOUTEN and not row["afmelding_resultaat"]
            and row["dossier"] is None)


def wacht_op(row: dict) -> str:
    """What an open aanvraag waits for, in the words of the page."""
    if row["status"] == av.ONBEVESTIGD:
        return WACHT_OP_BEVESTIGING
    return LAS_NIET_BEREIKBAAR if row["status"] == av.SESSIE else TC_NIET_BEREIKBAAR


def _carries_pgn(report: dict) -> bool:
    return any(f.get("rule") == PGN_RULE for f in report.get("findings", []))


def _fails_schema(report: dict) -> bool:
    """Not a 2019 gegevensset dossier: another namespace or version, or the XSD refuses it."""
    return any(f.get("rule") in NOT_OUR_KIND or (f.get("layer") == LAYER_XSD
                                                and f.get("severity") == FOUT)
               for f in report.get("findings", []))


_PGN_VALUE = re.compile(rb"<(?:[\w.-]+:)?(?:bsn|onderwijsnummer)\b[^>]*>\s*([^<\s][^<]*?)\s*<")


def without_pgn_values(report: dict, data: bytes | None) -> dict:
    """The report with every bsn/onderwijsnummer the dossier carries masked wherever a finding
    quotes it: the report is kept after the dossier itself was refused for carrying one."""
    values = {m.group(1).decode("utf-8", "replace") for m in _PGN_VALUE.finditer(data or b"")}
    values = sorted((v for v in values if v), key=len, reverse=True)
    if not values:
        return report

    def mask(text):
        if not isinstance(text, str):
            return text
        for v in values:
            text = text.replace(v, "*" * len(v))
        return text

    findings = [{k: mask(v) for k, v in f.items()} for f in report.get("findings") or []]
    return dict(report, findings=findings)


def resultaat_for_fault(fault: OsoFault | str) -> str:
    """The afmelding result for a LAS that did not deliver."""
    code = fault.resultaat if isinstance(fault, OsoFault) else fault
    if code in AFMELDING_RESULTATEN:
        return code
    if code in (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD):
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


@dataclass(frozen=True)
class Verdict:
    """What a delivered dossier earns: the afmelding result, and whether its bytes are kept."""
    resultaat: str
    keep: bool
    pgn: bool


class FetchPolicy:
    """The named steps of the notificatie and the fetch, as the SWV should take them. A defect
    (swv_mock/defects.py) subclasses this and replaces one step; `super()` reaches the correct
    one, so several defects stack."""

    # --- notificatie ---------------------------------------------------------------------------

    def confirm_at_notificatie(self) -> bool:
        """Whether the notificatie handler asks the TC to confirm the koppelsleutel."""
        return True

    def check_caller(self, houder_oin, routeringskenmerk: str) -> None:
        """With TLS: only the system the TC names for the bron aanleverpunt may notify."""
        caller_check.require_caller(houder_oin, routeringskenmerk,
                                    "het systeem van het LAS-aanleverpunt")

    def on_repeated_notificatie(self, ophalen: "Ophalen", key: str,
                                after_answer: Callable[[Callable[[], object]], None]) -> None:
        """A notificatie for an aanvraag we already have: answered as the first, nothing done."""

    # --- the TC --------------------------------------------------------------------------------

    def address_overdracht(self, request: OverdrachtRequest) -> OverdrachtRequest:
        """The OverdrachtRequest as it goes to the TC: the koppelsleutel in its own field."""
        return request

    def confirm_koppelsleutel(self, ask: Callable[[OverdrachtRequest], OverdrachtResponse],
                              request: OverdrachtRequest) -> OverdrachtResponse | None:
        """The TC's confirmation of a notified koppelsleutel (`ask` sends the request); its
        refusal is raised. None: taken without a session."""
        return ask(request)

    def retry_tc(self) -> bool:
        """Whether a TC that gave no answer is tried again (else it counts as a refusal)."""
        return True

    def open_session(self, ophalen: "Ophalen", row: dict) -> dict:
        """The session for a documentRequest: an overdracht at the TC."""
        return ophalen.overdracht_at_tc(row)

    def renews_expired_session(self) -> bool:
        """Whether a LAS that calls the session expired or unknown gets a new one."""
        return True

    def signs_off(self) -> bool:
        """Whether a fetch ends with an afmelding at the TC."""
        return True

    # --- the LAS -------------------------------------------------------------------------------

    def verify_for_las(self) -> bool | None:
        """The TLS verification of the LAS's server certificate (None: the client's default)."""
        return None

    def after_las_unreachable(self, ophalen: "Ophalen", row: dict, fault: OsoFault) -> dict:
        """A documentRequest that got no answer: the retrier tries again for a while."""
        return ophalen.las_later(row, fault)

    def resultaat_for_refusal(self, code: str) -> str:
        """The afmelding result for a LAS that refused to deliver with `code`."""
        return resultaat_for_fault(code)

    def after_document_response(self, ophalen: "Ophalen", row: dict) -> None:
        """Once a documentResponse with a dossier is in: one documentRequest per session."""

    def refuses_response(self, answer: DocumentResponse) -> str | None:
        """Why a documentResponse is refused before its dossier is read (None: it is read)."""
        return None

    # --- judging the dossier -------------------------------------------------------------------

    def apply_rules(self, report: dict) -> dict:
        """The validation report the verdict is based on."""
        return report

    def unreadable(self, data: bytes | None, readable: bool) -> bool:
        return not data or not readable

    def fails_schema(self, report: dict) -> bool:
        return _fails_schema(report)

    def refuses_profile(self, report: dict) -> bool:
        """A dossier refused for its profile alone: none is."""
        return False

    def afmelding_resultaat(self, refused: bool, readable: bool) -> str:
        return DOSSIER_ONGELDIG if refused else OVERDRACHT_GESLAAGD

    def keeps_dossier(self, refused: bool, pgn: bool, onleesbaar: bool, schema: bool) -> bool:
        return not refused

    def judge_dossier(self, report: dict, data: bytes | None, readable: bool) -> Verdict:
        """[choice] the transfer succeeded when a 2019 gegevensset dossier arrived that the XSD
        takes and that carries no PGN, whatever its other findings: those go back to the school
        in the terugkoppeling. Anything else is signed off DossierOngeldig and its bytes are not
        kept: what cannot be read, another namespace or version, an XSD failure, a BSN or
        onderwijsnummer (PaO.LL12). The report stays, without the number
        (docs/protocol-assumptions.md row 11)."""
        pgn = _carries_pgn(report)
        onleesbaar = self.unreadable(data, readable)
        schema = self.fails_schema(report)
        refused = onleesbaar or schema or pgn or self.refuses_profile(report)
        return Verdict(resultaat=self.afmelding_resultaat(refused, readable),
                       keep=self.keeps_dossier(refused, pgn, onleesbaar, schema), pgn=pgn)


class Ophalen:
    def __init__(self, inbox: Inbox, client: SoapClient, *, tc_url: str | None,
                 policy: FetchPolicy | None = None, las_url: str | None = None,
                 las_retry_seconds: float = LAS_RETRY_SECONDS):
        self.inbox = inbox
        self.client = client
        self.tc_soap = (tc_url or "").rstrip("/") + "/oso"
        self.policy = policy if policy is not None else FetchPolicy()
        # configured LAS_URL: for a policy that asks the LAS without a session from the TC
        self.las_url = las_url
        self.las_retry_seconds = float(las_retry_seconds)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        # set by the app: called with the koppelsleutel when an afmelding was lost in transit
        self.on_afmelding_open: Callable[[str], object] | None = None
        # set by the app: called with (koppelsleutel, what it waits for) when an overdracht,
        # confirmation or documentRequest got no answer, and with the key once that is over
        self.on_open: Callable[[str, str], object] | None = None
        self.on_klaar: Callable[[str], object] | None = None
        # set by the app: the status a confirmed aanvraag gets (wacht in step mode)
        self.status_na_bevestiging: Callable[[], str] = lambda: av.GENOTIFICEERD

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def run(self, koppelsleutel: str, *, ophalen: bool = True) -> dict:
        """Bring one aanvraag as far as it goes; returns the stored row. Never raises OsoFault:
        every failure ends up in the row. Concurrent calls for one aanvraag queue up, and the
        second finds the work done. `ophalen=False`: an unconfirmed aanvraag is only confirmed,
        not fetched (the retrier in step mode or without AUTO_FETCH)."""
        key = av.normalize_key(koppelsleutel)
        with self._lock(key):
            row = self.inbox.row(key)
            if row is None:
                raise av.OnbekendeAanvraag(key)
            try:
                row = self._continue(row, ophalen)
            except Exception as exc:
                log.exception("fetch of %s failed", key)
                row = self.inbox.update(key, status=av.MISLUKT, fout_code=faults.INTERNE_FOUT,
                                        fout=f"Interne fout bij het ophalen: {exc}")
            if not ophalen_open(row) and self.on_klaar is not None:
                self.on_klaar(key)
            return row

    def later(self, key: str, wat: str) -> None:
        """Hand an aanvraag that waits for a peer to the retrier."""
        if self.on_open is not None:
            self.on_open(key, wat)

    def _continue(self, row: dict, ophalen: bool = True) -> dict:
        status = row["status"]
        if status == av.AFGEMELD:
            return row
        if status == av.ONBEVESTIGD:
            row = self._bevestig_alsnog(row)
            if row["status"] not in (av.GENOTIFICEERD, av.WACHT) or not ophalen:
                return row
        if row["status"] in (av.SESSIE, av.OPGEHAALD):
            if row["afmelding_resultaat"]:
                return self._afmelden(row)
            if row["dossier"] is not None:
                # the dossier is here but its verdict was not stored: judge it again, no refetch
                row = self._keep(key=row["koppelsleutel"], data=bytes(row["dossier"]),
                                 dossier_versie=row["dossier_versie"])
                return self._afmelden(row)
        nieuwe_sessie = not self._sessie_herbruikbaar(row)
        for n in range(1, MAX_SESSIES + 1):
            if nieuwe_sessie:
                row = self._overdracht(row)
                if row["status"] != av.SESSIE:
                    return row
            row, verlopen = self._document(row, nog_een_sessie=n < MAX_SESSIES
                                           and self.policy.renews_expired_session())
            if not verlopen:
                break
            nieuwe_sessie = True
        if not row["afmelding_resultaat"]:
            return row  # the LAS gave no answer: the retrier comes back
        return self._afmelden(row)

    # --- steps -------------------------------------------------------------------------------

    def bevestig(self, request: OverdrachtRequest) -> OverdrachtResponse:
        """Ask the TC for a session for a koppelsleutel a notificatie brought: the TC confirms
        that it issued the key for exactly this bron and doel. Raises the TC's OsoFault; None
        when the policy takes the key without a session (the fetch asks for one)."""
        def ask(req: OverdrachtRequest) -> OverdrachtResponse:
            return self.client.call(self.tc_soap, self.policy.address_overdracht(req),
                                    expect=OverdrachtResponse)
        return self.policy.confirm_koppelsleutel(ask, request)

    def retry_tc(self) -> bool:
        """Whether a TC that gave no answer is tried again (else the old refusal)."""
        return self.policy.retry_tc()

    def houder_oin(self, routeringskenmerk: str) -> str | None:
        """The OIN the TC names for the system holding `routeringskenmerk` (None: not known)."""
        return caller_check.houder_oin(self.client, self.tc_soap, routeringskenmerk)

    def _bevestig_alsnog(self, row: dict) -> dict:
        """The confirmation the notificatie could not get: a session, or the TC's refusal."""
        key = row["koppelsleutel"]
        try:
            answer = self.bevestig(OverdrachtRequest(
                bronBrin=row["bron_brin"], bronRouteringsKenmerk=row["bron_routeringskenmerk"],
                doelBrin=row["doel_brin"], doelRouteringsKenmerk=row["doel_routeringskenmerk"],
                koppelsleutel=key, overdrachtsoort=OVERDRACHTSOORT_SWV))
        except OsoFault as fault:
            if lost_in_transit(fault) and self.retry_tc():
                row = self.inbox.update(key, fout_code=fault.resultaat,
                                        fout=f"{WACHT_OP_BEVESTIGING}: {fault.omschrijving}")
                self.later(key, WACHT_OP_BEVESTIGING)
                return row
            log.info("koppelsleutel %s not confirmed: %s", key, fault)
            return self.inbox.update(
                key, status=av.MISLUKT, fout_code=fault.resultaat,
                fout=f"Het Traffic Center bevestigt deze koppelsleutel niet: {fault.omschrijving}")
        changes = dict(status=self.status_na_bevestiging(), fout=None, fout_code=None)
        if answer is not None:
            changes.update(sessie_id=answer.sessieId, las_url=answer.url, sessie_op=now_iso(),
                           las_routeringskenmerk=answer.bronRouteringsKenmerk
                           or row["bron_routeringskenmerk"])
        return self.inbox.update(key, **changes)

    @staticmethod
    def _leeftijd(iso: str | None) -> float | None:
        try:
            moment = datetime.fromisoformat(iso)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return (datetime.now(timezone.utc) - moment).total_seconds()

    def _vers(self, row: dict) -> bool:
        age = self._leeftijd(row["sessie_op"] or row["ontvangen_op"])
        return age is not None and 0 <= age < BEVESTIGDE_SESSIE_SECONDS

    def _bevestigde_sessie(self, row: dict) -> bool:
        if row["status"] not in (av.GENOTIFICEERD, av.WACHT) or row["pogingen"] \
                or not row["sessie_id"] or not row["las_url"]:
            return False
        return self._vers(row)

    def _sessie_herbruikbaar(self, row: dict) -> bool:
        """A session whose documentRequest got no answer is used again while it is fresh: the
        LAS never looked at it. [choice] the same BEVESTIGDE_SESSIE_SECONDS as at the notificatie."""
        return (row["status"] == av.SESSIE and bool(row["sessie_id"]) and bool(row["las_url"])
                and row["las_fout_sinds"] is not None and row["fout_code"] in TRANSPORT_FOUTEN
                and self._vers(row))

    def _overdracht(self, row: dict) -> dict:
        return self.policy.open_session(self, row)

    @staticmethod
    def fresh_session(row: dict) -> dict:
        """The columns of a new attempt: nothing of an earlier session carries over."""
        return dict(sessie_id=None, las_url=None, las_routeringskenmerk=None, dossier=None,
                    dossier_versie=None, opgehaald_op=None, rapport=None, valid=None,
                    profile=None, afmelding_resultaat=None, afgemeld_op=None,
                    afmelding_fout=None, fout=None, fout_code=None, sessie_op=None,
                    pogingen=row["pogingen"] + 1)

    def session_without_tc(self, row: dict) -> dict:
        """A session id made up here, for the configured LAS_URL: no TC was asked."""
        return self.inbox.update(row["koppelsleutel"], **dict(
            self.fresh_session(row), status=av.SESSIE, sessie_id=str(uuid.uuid4()).upper(),
            las_url=self.las_url, sessie_op=now_iso()))

    def overdracht_at_tc(self, row: dict) -> dict:
        """The session confirmed at the notificatie while it is fresh, else an overdracht."""
        key = row["koppelsleutel"]
        if self._bevestigde_sessie(row):
            return self.inbox.update(key, status=av.SESSIE, pogingen=1, fout=None, fout_code=None)
        fresh = self.fresh_session(row)
        request = self.policy.address_overdracht(OverdrachtRequest(
            bronBrin=row["bron_brin"], bronRouteringsKenmerk=row["bron_routeringskenmerk"],
            doelBrin=row["doel_brin"], doelRouteringsKenmerk=row["doel_routeringskenmerk"],
            koppelsleutel=key, overdrachtsoort=OVERDRACHTSOORT_SWV))
        try:
            answer = self.client.call(self.tc_soap, request, expect=OverdrachtResponse)
        except OsoFault as fault:
            if lost_in_transit(fault) and self.retry_tc():
                # [choice] no answer is no refusal: the aanvraag stays where it was (a session
                # that was kept becomes genotificeerd again) and the retrier asks again
                status = row["status"] if row["status"] in (av.GENOTIFICEERD, av.WACHT) \
                    else av.GENOTIFICEERD
                log.info("overdracht for %s lost in transit: %s", key, fault)
                row = self.inbox.update(key, **dict(
                    fresh, status=status, fout_code=fault.resultaat,
                    fout=f"{TC_NIET_BEREIKBAAR}: {fault.omschrijving}"))
                self.later(key, TC_NIET_BEREIKBAAR)
                return row
            # no session, so nothing to sign off
            log.info("overdracht for %s refused: %s", key, fault)
            return self.inbox.update(key, **dict(fresh, status=av.MISLUKT,
                                                 fout_code=fault.resultaat,
                                                 fout=f"Overdracht geweigerd: {fault.omschrijving}"))
        return self.inbox.update(key, **dict(
            fresh, status=av.SESSIE, sessie_id=answer.sessieId, las_url=answer.url,
            sessie_op=now_iso(),
            las_routeringskenmerk=answer.bronRouteringsKenmerk or row["bron_routeringskenmerk"]))

    def document_request(self, row: dict) -> DocumentRequest:
        return DocumentRequest(
            sessieId=row["sessie_id"], bronBrin=row["bron_brin"],
            bronRouteringsKenmerk=row["las_routeringskenmerk"] or row["bron_routeringskenmerk"],
            doelBrin=row["doel_brin"], doelRouteringsKenmerk=row["doel_routeringskenmerk"],
            koppelsleutel=row["koppelsleutel"], overdrachtsoort=OVERDRACHTSOORT_SWV)

    def call_las(self, row: dict) -> DocumentResponse:
        return self.client.call(row["las_url"] or "", self.document_request(row),
                                expect=DocumentResponse, verify=self.policy.verify_for_las())

    def fetch_again(self, koppelsleutel: str) -> None:
        """One more documentRequest with the stored session, for a policy that fetches on a
        repeated notificatie; its answer changes nothing."""
        row = self.inbox.row(koppelsleutel)
        if row is None or not row["sessie_id"] or not row["las_url"]:
            return
        try:
            self.call_las(row)
        except OsoFault as fault:
            log.info("extra documentRequest for %s: %s", koppelsleutel, fault)

    def _document(self, row: dict, *, nog_een_sessie: bool = False) -> tuple[dict, bool]:
        """(row, the LAS called the session expired and another may be asked)."""
        key = row["koppelsleutel"]
        try:
            answer = self.call_las(row)
        except OsoFault as fault:
            if fault.resultaat in SESSIE_FOUTEN and nog_een_sessie:
                # [choice] the expired session is not signed off: the LAS never delivered on it
                # and the TC lets it run out; the next overdracht gives a new one
                log.info("LAS says session of %s is gone: %s", key, fault)
                return self.inbox.update(key, fout_code=fault.resultaat,
                                         fout=f"Sessie niet geldig bij de LAS: {fault.omschrijving}"
                                         ), True
            if fault.resultaat == faults.ONGELDIG_ANTWOORD and getattr(fault, "envelop", False):
                # [choice] a SOAP answer whose documentResponse breaks the schema (a dossier
                # that is no base64, say) is a delivery that cannot be read: DossierOngeldig
                return self._keep(key=key, data=None, dossier_versie=None,
                                  waarom=fault.omschrijving[:300]), False
            if lost_in_transit(fault):
                return self.policy.after_las_unreachable(self, row, fault), False
            return self.not_delivered(key, fault.resultaat, fault.omschrijving,
                                      self.policy.resultaat_for_refusal(fault.resultaat)), False
        if answer.resultaat in AFMELDING_RESULTATEN and answer.resultaat != OVERDRACHT_GESLAAGD \
                and not answer.dossier:
            # a LAS may put its refusal in the answer instead of a Fault
            return self.not_delivered(key, answer.resultaat, "De LAS leverde geen dossier.",
                                      self.policy.resultaat_for_refusal(answer.resultaat)), False
        self.policy.after_document_response(self, row)
        waarom = self.policy.refuses_response(answer)
        if waarom:
            return self.not_delivered(key, LEVERING_GEWEIGERD, waarom, LEVERING_GEWEIGERD), False
        try:
            data = base64.b64decode("".join((answer.dossier or "").split()), validate=True)
        except (binascii.Error, ValueError):
            data = None
        return self._keep(key=key, data=data, dossier_versie=answer.dossierVersie), False

    def las_later(self, row: dict, fault: OsoFault) -> dict:
        """The LAS gave no answer: keep the session open for the retrier, until the LAS has been
        away for las_retry_seconds."""
        key = row["koppelsleutel"]
        sinds = row["las_fout_sinds"] or now_iso()
        if (self._leeftijd(sinds) or 0.0) >= self.las_retry_seconds:
            return self.not_delivered(key, fault.resultaat, fault.omschrijving,
                                      BRON_NIET_BEREIKBAAR)
        log.info("LAS gave no answer for %s: %s", key, fault)
        row = self.inbox.update(key, las_fout_sinds=sinds, fout_code=fault.resultaat,
                                fout=f"{LAS_NIET_BEREIKBAAR}: {fault.omschrijving}")
        self.later(key, LAS_NIET_BEREIKBAAR)
        return row

    def _keep(self, *, key: str, data: bytes | None, dossier_versie: str | None,
              waarom: str | None = None) -> dict:
        """Validate and store a delivered dossier with the afmelding result it earns."""
        if not data:
            report, readable = _report(None, False, [_finding(
                "OSS.SWV.BASE64", "Het dossier in documentResponse is geen geldige base64."
                + (f" {waarom}" if waarom else ""))]), False
        else:
            report, readable = validate_dossier(data)
            report = self.policy.apply_rules(report)
        verdict = self.policy.judge_dossier(report, data, readable)
        if verdict.pgn:
            report = without_pgn_values(report, data)
        valid = report.get("valid")
        return self.inbox.update(
            key, status=av.OPGEHAALD, dossier=data if verdict.keep else None,
            dossier_versie=dossier_versie,
            opgehaald_op=now_iso(), rapport=json.dumps(report, ensure_ascii=False),
            valid=None if valid is None else int(bool(valid)), profile=report.get("profile"),
            afmelding_resultaat=verdict.resultaat, fout=None, fout_code=None)

    def not_delivered(self, key: str, code: str, omschrijving: str, resultaat: str) -> dict:
        log.info("LAS did not deliver %s: %s %s", key, code, omschrijving)
        return self.inbox.update(key, afmelding_resultaat=resultaat, fout_code=code,
                                 fout=f"Dossier niet geleverd: {omschrijving}")

    def _afmelden(self, row: dict) -> dict:
        key = row["koppelsleutel"]
        delivered = row["status"] == av.OPGEHAALD or row["dossier"] is not None
        final = av.AFGEMELD if delivered else av.MISLUKT
        if not self.policy.signs_off():
            # opgehaald stays opgehaald, a failure is still a failure
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
