"""Sending a terugkoppeling: meldenTerugkoppeling at the TC for the LAS url, then
terugkoppelingRequest at that url.

One attempt per answer (OSO'17 "Versturen Terugkoppeling"): a refusal by the TC or the LAS is
stored and shown, never retried. [choice] A call that got no answer (the peer unreachable, a
timeout, garbage instead of SOAP) is not an answer: the terugkoppeling stays `opnieuw` and
`on_open` hands it to the retrier (swv_mock/herstel.py), which sends the same terugkoppeling
(same datum) again until it gets one; the LAS takes a repeat as the one it already has. So does a
terugkoppeling written while our afmelding is not yet confirmed by the TC: the TC would refuse it
with DossierNietOpgehaald, so it waits.

The terugkoppeling is committed before the first call goes out, so what the user wrote survives a
crash; one left half-sent by a crash is marked failed on the next start, not sent again.

The status that goes out, where the LAS url comes from and the order of the two calls are steps
of `SendPolicy`, the correct SWV; a deliberate defect (swv_mock/defects.py) replaces one of them.
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from actor_kit.messagelog import now_iso
from actor_kit.soap_client import SoapClient
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    TERUGKOPPELING_STATUSSEN, Document, MeldenTerugkoppelingRequest, MeldenTerugkoppelingResponse,
    Terugkoppeling, TerugkoppelingRequest, TerugkoppelingResponse)

from .aanvragen import Inbox, OnbekendeAanvraag, terugkoppeling_public
from .ophalen import afmelding_open, lost_in_transit

log = logging.getLogger(__name__)

VERZENDEN = "verzenden"   # stored, calls under way
VERZONDEN = "verzonden"
MISLUKT = "mislukt"
OPNIEUW = "opnieuw"       # no answer yet (lost in transit, or waiting for the afmelding)

WACHT_OP_AFMELDING = ("Wacht op de bevestiging van de afmelding bij de TC; daarna gaat de"
                      " terugkoppeling vanzelf.")


class InvoerFout(ValueError):
    """The terugkoppeling as asked for cannot be sent; the message is Dutch."""


@dataclass
class Uitkomst:
    verzonden: bool
    terugkoppeling: dict
    resultaat: str | None = None
    fout: str | None = None
    code: str | None = None

    @property
    def opnieuw(self) -> bool:
        return self.terugkoppeling.get("verzendstatus") == OPNIEUW

    def to_dict(self) -> dict:
        out = {"verzonden": self.verzonden, "terugkoppeling": self.terugkoppeling}
        if self.verzonden:
            out["resultaat"] = self.resultaat
        else:
            out["fout"] = self.fout
            out["code"] = self.code
            out["opnieuw"] = self.opnieuw
        return out


def zip_document(bestandsnaam: str, inhoud: bytes) -> str:
    """Like a gegevensset document: base64 of a ZIP holding the file under its own name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(bestandsnaam, inhoud)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def parse_document(raw) -> dict:
    if not isinstance(raw, dict):
        raise InvoerFout("document moet een object zijn met bestandsnaam en inhoud_base64.")
    naam = (raw.get("bestandsnaam") or "").strip()
    if not naam:
        raise InvoerFout("Een document heeft een bestandsnaam nodig.")
    try:
        inhoud = base64.b64decode(raw.get("inhoud_base64") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise InvoerFout(f"De inhoud van {naam} is geen geldige base64.") from None
    if not inhoud:
        raise InvoerFout(f"Het document {naam} is leeg.")
    return {"bestandsnaam": naam, "omschrijving": raw.get("omschrijving"),
            "bestandsinhoud": zip_document(naam, inhoud)}


class SendPolicy:
    """The named steps of sending a terugkoppeling, as the SWV should take them. A defect
    (swv_mock/defects.py) subclasses this and replaces one step."""

    def status_sent(self, status: str) -> str:
        """The status in the terugkoppelingRequest: the one the user chose."""
        return status

    def las_url(self, sender: "TerugkoppelingSender", row: dict,
                melden: MeldenTerugkoppelingRequest) -> str:
        """Where the terugkoppeling goes: the url the TC answers to meldenTerugkoppeling.
        Raises the TC's OsoFault."""
        return sender.client.call(sender.tc_soap, melden, expect=MeldenTerugkoppelingResponse).url

    def send_terugkoppeling(self, sender: "TerugkoppelingSender", tk_id: int, row: dict,
                            melden: MeldenTerugkoppelingRequest,
                            bericht: TerugkoppelingRequest) -> "Uitkomst":
        """The order of the calls: the TC first, then the LAS at the url it gives."""
        return sender.melden_then_send(tk_id, row, melden, bericht)


class TerugkoppelingSender:
    def __init__(self, inbox: Inbox, client: SoapClient, *, tc_url: str | None,
                 policy: SendPolicy | None = None):
        self.inbox = inbox
        self.client = client
        self.tc_soap = (tc_url or "").rstrip("/") + "/oso"
        self.policy = policy if policy is not None else SendPolicy()
        # set by the app: called with (id, fout) when a terugkoppeling is left `opnieuw`
        self.on_open: Callable[[int, str], object] | None = None

    def recover(self) -> int:
        """Mark terugkoppelingen cut off by a crash as failed (one attempt: no resend)."""
        with self.inbox.store.tx() as conn:
            cur = conn.execute(
                "UPDATE terugkoppeling SET verzendstatus = ?, fout_code = ?, fout = ?"
                " WHERE verzendstatus = ?",
                (MISLUKT, faults.INTERNE_FOUT,
                 "Het verzenden werd onderbroken; de terugkoppeling is niet opnieuw verstuurd.",
                 VERZENDEN))
            return cur.rowcount

    def send(self, koppelsleutel: str, *, status: str, toelichting: str | None = None,
             behandelaar: str | None = None, documenten: list | None = None) -> Uitkomst:
        """Raises OnbekendeAanvraag for an unknown aanvraag and InvoerFout for bad input; every failure of
        the TC or LAS is in the Uitkomst."""
        row = self.inbox.row(koppelsleutel)
        if row is None:
            raise OnbekendeAanvraag(koppelsleutel)
        if status not in TERUGKOPPELING_STATUSSEN:
            raise InvoerFout(f"Onbekende status {status!r}; kies uit "
                             f"{', '.join(TERUGKOPPELING_STATUSSEN)}.")
        docs = [parse_document(d) for d in (documenten or [])]
        # [choice] no local check that the dossier was fetched: the TC guards that rule, and a
        # conformance test must be able to watch the TC enforce it.
        datum = datetime.now(timezone.utc).isoformat(timespec="seconds")
        key = row["koppelsleutel"]
        with self.inbox.store.tx() as conn:
            tk_id = conn.execute(
                "INSERT INTO terugkoppeling (koppelsleutel, status, datum, toelichting, behandelaar,"
                " documenten, verzendstatus, aangemaakt_op) VALUES (?,?,?,?,?,?,?,?)",
                (key, status, datum, toelichting, behandelaar, json.dumps(docs), VERZENDEN,
                 now_iso())).lastrowid
        return self._deliver(tk_id, row)

    def open_ids(self) -> list[int]:
        return [r["id"] for r in self.inbox.store.query(
            "SELECT id FROM terugkoppeling WHERE verzendstatus = ? ORDER BY id", (OPNIEUW,))]

    def resend(self, tk_id: int) -> bool:
        """One more attempt for a terugkoppeling left `opnieuw`; True when it is settled."""
        tk = self.inbox.store.one("SELECT * FROM terugkoppeling WHERE id = ?", (tk_id,))
        if tk is None or tk["verzendstatus"] != OPNIEUW:
            return True
        row = self.inbox.row(tk["koppelsleutel"])
        if row is None:
            return True
        return not self._deliver(tk_id, row).opnieuw

    def _deliver(self, tk_id: int, row: dict) -> Uitkomst:
        tk = dict(self.inbox.store.one("SELECT * FROM terugkoppeling WHERE id = ?", (tk_id,)))
        key = row["koppelsleutel"]
        status, datum = tk["status"], tk["datum"]
        toelichting, behandelaar = tk["toelichting"], tk["behandelaar"]
        docs = json.loads(tk["documenten"] or "[]")
        if afmelding_open(row):
            return self._later(tk_id, OsoFault(faults.DOSSIER_NIET_OPGEHAALD, WACHT_OP_AFMELDING),
                               "De terugkoppeling wacht")

        melden = MeldenTerugkoppelingRequest(
            bronBrin=row["bron_brin"],
            bronRouteringsKenmerk=row["las_routeringskenmerk"] or row["bron_routeringskenmerk"],
            doelBrin=row["doel_brin"], doelRouteringsKenmerk=row["doel_routeringskenmerk"],
            koppelsleutel=key)
        status = self.policy.status_sent(status)
        bericht = TerugkoppelingRequest(
            bronBrin=melden.bronBrin, bronRouteringsKenmerk=melden.bronRouteringsKenmerk,
            doelBrin=melden.doelBrin, doelRouteringsKenmerk=melden.doelRouteringsKenmerk,
            koppelsleutel=key,
            terugkoppeling=Terugkoppeling(
                status=status, datum=datum, toelichting=toelichting, behandelaar=behandelaar,
                document=[Document(bestandsnaam=d["bestandsnaam"],
                                   bestandsinhoud=d["bestandsinhoud"],
                                   omschrijving=d["omschrijving"]) for d in docs]))
        return self.policy.send_terugkoppeling(self, tk_id, row, melden, bericht)

    def melden_then_send(self, tk_id: int, row: dict, melden, bericht) -> Uitkomst:
        """meldenTerugkoppeling at the TC, then the terugkoppeling to the url it names."""
        key = row["koppelsleutel"]
        try:
            las_url = self.policy.las_url(self, row, melden)
        except OsoFault as fault:
            if lost_in_transit(fault):
                return self._later(tk_id, fault, "De TC gaf geen antwoord")
            if fault.resultaat == faults.DOSSIER_NIET_OPGEHAALD:
                fresh = self.inbox.row(key)
                if fresh is not None and afmelding_open(fresh):
                    return self._later(tk_id, fault, "De terugkoppeling wacht")
            return self._failed(tk_id, fault, "De TC weigerde de terugkoppeling")
        self._set(tk_id, las_url=las_url)
        try:
            answer = self.client.call(las_url, bericht, expect=TerugkoppelingResponse)
        except OsoFault as fault:
            if lost_in_transit(fault):
                return self._later(tk_id, fault, "De LAS gaf geen antwoord")
            return self._failed(tk_id, fault, "De LAS nam de terugkoppeling niet aan")
        tk = self._set(tk_id, verzendstatus=VERZONDEN, resultaat=answer.resultaat,
                       verzonden_op=now_iso(), fout=None, fout_code=None)
        return Uitkomst(True, tk, resultaat=answer.resultaat)

    def send_then_melden(self, tk_id: int, row: dict, melden, bericht) -> Uitkomst:
        """The wrong order, for a policy that has it: the LAS of the overdracht gets the
        terugkoppeling first, the TC's meldenTerugkoppeling follows (its answer changes nothing)."""
        las_url = row["las_url"] or ""
        self._set(tk_id, las_url=las_url)
        try:
            answer = self.client.call(las_url, bericht, expect=TerugkoppelingResponse)
        except OsoFault as fault:
            answer, refused = None, fault
        try:
            self.client.call(self.tc_soap, melden, expect=MeldenTerugkoppelingResponse)
        except OsoFault as fault:
            log.info("meldenTerugkoppeling after the fact for %s: %s", tk_id, fault)
        if answer is None:
            return self._failed(tk_id, refused, "De LAS nam de terugkoppeling niet aan")
        tk = self._set(tk_id, verzendstatus=VERZONDEN, resultaat=answer.resultaat,
                       verzonden_op=now_iso(), fout=None, fout_code=None)
        return Uitkomst(True, tk, resultaat=answer.resultaat)

    def _later(self, tk_id: int, fault: OsoFault, wat: str) -> Uitkomst:
        fout = f"{wat}: {fault.omschrijving}"
        log.info("terugkoppeling %s open: %s", tk_id, fault)
        tk = self._set(tk_id, verzendstatus=OPNIEUW, fout=fout, fout_code=fault.resultaat)
        if self.on_open is not None:
            self.on_open(tk_id, fout)
        return Uitkomst(False, tk, fout=fout, code=fault.resultaat)

    def _failed(self, tk_id: int, fault: OsoFault, wat: str) -> Uitkomst:
        fout = f"{wat}: {fault.omschrijving}"
        log.info("terugkoppeling %s failed: %s", tk_id, fault)
        tk = self._set(tk_id, verzendstatus=MISLUKT, fout=fout, fout_code=fault.resultaat)
        return Uitkomst(False, tk, fout=fout, code=fault.resultaat)

    def _set(self, tk_id: int, **changes) -> dict:
        cols = ", ".join(f"{k} = ?" for k in changes)
        with self.inbox.store.tx() as conn:
            conn.execute(f"UPDATE terugkoppeling SET {cols} WHERE id = ?", (*changes.values(), tk_id))
        row = self.inbox.store.one("SELECT * FROM terugkoppeling WHERE id = ?", (tk_id,))
        return terugkoppeling_public(dict(row))
