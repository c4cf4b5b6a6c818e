"""The inbox of refused calls: every SOAP call an actor refused, with the diagnosis of what came in.

A vendor whose call was refused sees one Fault line; the operator of the receiving actor sees
here which operation was meant, which OSO version the message had and which one was expected, and
every field that differs from the nearest valid message, in the Dutch words of
oso_protocol.diagnosis.rules. Kept for the refusals at the endpoint (Content-Type, size, parse,
envelope, namespace, schema: what codec.decode refuses) and for the Faults of the actor's own
business logic. Bounded to the last MAX_ENTRIES, in the actor's own store.

Served at GET /api/inbox, /api/inbox/<id> (JSON) and /inbox (a page in the actor's layout).
"""
from __future__ import annotations

import json
import threading

from flask import Blueprint, abort, jsonify, render_template

from oso_protocol.pgn_scan import mask_text, mask_tree
from oso_protocol.diagnosis import Diagnosis, diagnose
from oso_protocol.diagnosis.model import ONBEKEND, finding
from oso_protocol.transport.faults import OsoFault

from .dutch_time import datumtijd
from .messagelog import now_iso
from .store import Store

MAX_ENTRIES = 200
# A refused message over this size is not diagnosed: a diagnosis parses and validates the whole
# message (a dossier in it too), which for a burst of near-16-MiB refusals would cost the request
# threads far more than the refusal itself. Its start is in the message log.
DIAGNOSE_MAX_BYTES = 2 * 1024 * 1024
# what the page and the API show of the refused message itself; the message log keeps the rest
SHOWN_XML_BYTES = 64 * 1024

ENDPOINT = "endpoint"          # refused before any business logic (codec, size, Content-Type)
VERWERKING = "verwerking"      # refused by the actor's business logic with a Fault
STAGES = {ENDPOINT: "bij ontvangst (bericht niet aangenomen)",
          VERWERKING: "bij verwerking (Fault van de actor)"}

SCHEMA = """
CREATE TABLE IF NOT EXISTS refused_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    stage TEXT NOT NULL,
    peer TEXT,
    operation TEXT,
    element TEXT,
    version_found TEXT,
    version_expected TEXT,
    resultaat TEXT NOT NULL,
    omschrijving TEXT,
    http_status INTEGER,
    diagnosis TEXT NOT NULL,
    xml TEXT
);
"""


def unread_diagnosis(detail: str) -> Diagnosis:
    """A diagnosis for a call whose body was never read (too large, wrong Content-Type)."""
    return Diagnosis(kind=ONBEKEND, findings=[finding("OSS.MSG01", "/", found=detail,
                                                      detail=detail)])


def diagnosis_of(data: bytes | None, *, unread: str | None = None) -> Diagnosis:
    if data is None or unread is not None:
        return unread_diagnosis(unread or "het bericht is niet gelezen")
    if len(data) > DIAGNOSE_MAX_BYTES:
        return unread_diagnosis(f"het bericht is {len(data)} bytes; boven {DIAGNOSE_MAX_BYTES}"
                                " bytes wordt het niet gediagnosticeerd (het begin staat in het"
                                " berichtenlog)")
    return diagnose(data)


class RefusedInbox:
    def __init__(self, store: Store, max_entries: int = MAX_ENTRIES):
        self.store = store
        self.max_entries = max_entries
        self._lock = threading.Lock()
        store.conn().executescript(SCHEMA)

    def record(self, *, stage: str, fault: OsoFault, diagnosis: Diagnosis, peer: str | None,
               data: bytes | None, http_status: int | None, operation: str | None = None,
               element: str | None = None) -> int:
        """Keep one refused call; the oldest beyond max_entries go."""
        d = diagnosis.to_dict()
        # no pupil's number in what the page shows: a finding may quote a field's value
        d = mask_tree(d)
        shown = (data or b"")[:SHOWN_XML_BYTES].decode("utf-8", "replace")
        with self._lock, self.store.tx() as conn:
            cur = conn.execute(
                "INSERT INTO refused_calls (ts, stage, peer, operation, element, version_found,"
                " version_expected, resultaat, omschrijving, http_status, diagnosis, xml)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (now_iso(), stage, peer, operation or diagnosis.operation,
                 element or diagnosis.element, diagnosis.version_found, diagnosis.version_expected,
                 fault.resultaat, mask_text(fault.omschrijving), http_status,
                 json.dumps(d, ensure_ascii=False), mask_text(shown)))
            new_id = cur.lastrowid
            conn.execute("DELETE FROM refused_calls WHERE id <= ?", (new_id - self.max_entries,))
        return new_id

    @staticmethod
    def _row(row, *, with_xml: bool) -> dict:
        d = json.loads(row["diagnosis"])
        out = {"id": row["id"], "ts": row["ts"], "stage": row["stage"], "peer": row["peer"],
               "operation": row["operation"], "element": row["element"],
               "version_found": row["version_found"], "version_expected": row["version_expected"],
               "resultaat": row["resultaat"], "omschrijving": row["omschrijving"],
               "http_status": row["http_status"], "correct": d.get("correct"),
               "soap_version": d.get("soap_version"), "vocabulary": d.get("vocabulary"),
               "findings": d.get("findings") or []}
        if with_xml:
            out["xml"] = row["xml"]
        return out

    def entries(self, limit: int = MAX_ENTRIES) -> list[dict]:
        """Newest first."""
        rows = self.store.query("SELECT * FROM refused_calls ORDER BY id DESC LIMIT ?", (limit,))
        return [self._row(r, with_xml=False) for r in rows]

    def get(self, entry_id: int) -> dict | None:
        row = self.store.one("SELECT * FROM refused_calls WHERE id = ?", (entry_id,))
        return self._row(row, with_xml=True) if row else None


def inbox_blueprint(inbox: RefusedInbox, *, base: str, name: str = "kit_inbox") -> Blueprint:
    """GET /inbox (a page extending the actor's `base` template), /api/inbox, /api/inbox/<id>."""
    bp = Blueprint(name, __name__, template_folder="templates")
    bp.add_app_template_filter(datumtijd, "kit_datumtijd")

    @bp.get("/api/inbox")
    def api_list():
        return jsonify(inbox.entries())

    @bp.get("/api/inbox/<int:entry_id>")
    def api_one(entry_id: int):
        entry = inbox.get(entry_id)
        if entry is None:
            return jsonify({"fout": f"Geen geweigerde aanroep met nummer {entry_id}.",
                            "code": "Onbekend"}), 404
        return jsonify(entry)

    @bp.get("/inbox")
    def page():
        return render_template("kit/inbox.html", base_template=base, rijen=inbox.entries(),
                               fasen=STAGES)

    @bp.get("/inbox/<int:entry_id>")
    def page_one(entry_id: int):
        entry = inbox.get(entry_id)
        if entry is None:
            abort(404, f"Geen geweigerde aanroep met nummer {entry_id}.")
        return render_template("kit/inbox.html", base_template=base, rijen=[entry],
                               fasen=STAGES, een=entry)

    return bp
