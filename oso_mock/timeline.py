"""The exchange of one koppelsleutel as a sequence diagram: message log rows in, SVG text out.

Pure: no Flask, no HTTP, so it can be tested with hand-made rows. Each actor logs the calls it
answered as server rows ('in' = request received, 'out' = response sent); those rows together
give every message exactly once, whichever side made the call. Every text that reaches the SVG
is escaped here, because the caller marks the result as safe markup.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from html import escape

from lxml import etree

from actor_kit.dutch_time import local
from oso_protocol.xmlsafe import XmlInputError, parse_bytes

LANES = ("LAS", "TC", "SWV")
LANE_TITLES = {"LAS": "School (LAS)", "TC": "Traffic Center", "SWV": "Samenwerkingsverband"}

# Who calls an operation is fixed by the protocol; the peer header only confirms it.
CALLER_OF_OPERATION = {
    "overzichtAanleverpunt": "LAS", "meldenNotificatie": "LAS", "sessiecontrole": "LAS",
    "notificatie": "LAS",
    "overdracht": "SWV", "afmelding": "SWV", "meldenTerugkoppeling": "SWV",
    "document": "SWV", "terugkoppeling": "SWV",
}


# Layout in SVG user units; the SVG scales to the page width through its viewBox.
WIDTH = 1000
LANE_X = {"LAS": 255, "TC": 565, "SWV": 875}
HEAD_Y, HEAD_H = 8, 46
FIRST_Y = HEAD_Y + HEAD_H + 34
ROW_H = 36
RED = "#b42318"
INK = "#1d2733"
# A dossier travels base64-encoded inside documentResponse; megabytes of it help nobody reading.
MAX_TEXT = 3000


@dataclass
class Message:
    """One arrow: a request (caller -> callee) or a response (callee -> caller)."""

    n: int
    ts: str
    logged_by: str          # the lane whose log holds the row (always the callee)
    caller: str
    callee: str
    response: bool
    operation: str
    element: str
    outcome: str
    fault: bool
    http_status: int | None
    duration_ms: float | None
    peer: str
    xml: str

    @property
    def source(self) -> str:
        return self.callee if self.response else self.caller

    @property
    def target(self) -> str:
        return self.caller if self.response else self.callee

    @property
    def label(self) -> str:
        # a response names its operation, not its element, so the label fits between two lanes
        if self.response and self.fault:
            return f"{self.operation} · Fault: {self.outcome}"
        if self.response:
            return f"{self.operation} · {self.outcome}"
        return self.element or self.operation


def lane_of_peer(peer: str | None) -> str | None:
    """A lane from the caller's X-OSO-Peer name ('las', 'swv-sim', ...); None when unknown."""
    low = (peer or "").strip().lower()
    for lane in LANES:
        key = lane.lower()
        if low == key or low.startswith(key + "-") or low.startswith(key + " "):
            return lane
    return None


def sender(m: Message, systems: dict[str, str]) -> str:
    """Who sent the message, by name: the caller for a request, the one that answered for a
    response. `systems` maps a lane to the register's system for it (by routeringskenmerk);
    the self-chosen X-OSO-Peer name in the log is no identity, so it is not used."""
    lane = m.source
    naam = systems.get(lane) or LANE_TITLES[lane]
    if not m.response and m.peer and "(certificaat, OIN " in m.peer:
        # written by the TC itself from the caller's certificate (oso_mock/ingedeeld.py): the
        # identity that was checked, more precise than the register's system of the lane
        naam = m.peer
    return f"{lane}: {naam}" + (", antwoord op de aanroep" if m.response else "")


def caller_of(row: dict, callee: str) -> str:
    caller = lane_of_peer(row.get("peer")) or CALLER_OF_OPERATION.get(row.get("operation") or "")
    if caller and caller != callee:
        return caller
    # [choice] An unknown caller is drawn from the nearest other lane rather than dropped:
    # a message the TC answered must always be visible.
    return "LAS" if callee != "LAS" else "TC"


def is_fault(row: dict) -> bool:
    if (row.get("element") or "") == "Fault":
        return True
    status = row.get("http_status")
    return isinstance(status, int) and status >= 400


def merge(logs: dict[str, list[dict]]) -> list[Message]:
    """The server-side rows of each actor's log (lane -> rows) as one list of arrows in time order.

    Each log keeps its own order (by id); logs are interleaved by timestamp, so a call nested in
    another (sessiecontrole during documentRequest) lands between that call's request and response.
    """
    streams = []
    for order, (lane, rows) in enumerate(logs.items()):
        server = sorted((r for r in rows if r.get("side") == "server"), key=lambda r: r.get("id") or 0)
        streams.append([((r.get("ts") or ""), order, i, lane, r) for i, r in enumerate(server)])
    out: list[Message] = []
    for ts, _order, _i, lane, r in heapq.merge(*streams, key=lambda t: (t[0], t[1], t[2])):
        response = r.get("direction") == "out"
        out.append(Message(
            n=len(out) + 1, ts=ts, logged_by=lane, caller=caller_of(r, lane), callee=lane,
            response=response, operation=r.get("operation") or "?",
            element=r.get("element") or "", outcome=r.get("outcome") or "",
            fault=is_fault(r) or (not response and r.get("outcome") not in (None, "", "ontvangen")),
            http_status=r.get("http_status"), duration_ms=r.get("duration_ms"),
            peer=r.get("peer") or "", xml=r.get("xml") or ""))
    return out


def clock(ts: str) -> str:
    """'2024-03-01T10:15:30.123+00:00' -> '11:15:30.123' (Dutch local time); raw text otherwise."""
    try:
        moment = datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return str(ts or "")
    moment = local(moment)
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def _e(text) -> str:
    return escape(str(text), quote=True)


def _head(lane: str) -> str:
    x = LANE_X[lane]
    return (f'<g class="lane-head"><rect x="{x - 95}" y="{HEAD_Y}" width="190" height="{HEAD_H}"'
            f' rx="6" fill="#eef2f6" stroke="#9aa5b1"/><text x="{x}" y="{HEAD_Y + 21}" class="lane-name">{_e(lane)}</text>'
            f'<text x="{x}" y="{HEAD_Y + 38}" class="lane-sub">{_e(LANE_TITLES[lane])}</text></g>')


def _arrow(m: Message, y: int) -> str:
    x1, x2 = LANE_X[m.source], LANE_X[m.target]
    left, right = min(x1, x2), max(x1, x2)
    cls = "msg" + (" response" if m.response else " request") + (" fault" if m.fault else "")
    marker = "url(#head-fault)" if m.fault else "url(#head)"
    # stop the line at the arrowhead's base so the tip sits on the lifeline
    tip = x2 - 9 if x2 > x1 else x2 + 9
    dash = ' stroke-dasharray="7 5"' if m.response else ""
    title = f"Bericht {m.n}: {m.source} → {m.target}, {m.label} (klik voor de XML)"
    return (
        f'<a href="#msg-{m.n}" class="{cls}" id="pijl-{m.n}">'
        f'<title>{_e(title)}</title>'
        f'<rect class="hit" x="0" y="{y - 24}" width="{WIDTH}" height="{ROW_H - 2}" fill="transparent"/>'
        f'<text x="14" y="{y + 4}" class="nr">{m.n}</text>'
        f'<text x="44" y="{y + 4}" class="tijd">{_e(clock(m.ts))}</text>'
        f'<line x1="{x1}" y1="{y}" x2="{tip}" y2="{y}" stroke="{RED if m.fault else INK}"'
        f' stroke-width="2"{dash} marker-end="{marker}"/>'
        f'<text x="{(left + right) / 2:g}" y="{y - 8}" class="label">{_e(m.label)}</text>'
        f'</a>')


def svg(messages: list[Message]) -> str:
    """The sequence diagram as an inline <svg> element (text, every value escaped)."""
    height = FIRST_Y + max(len(messages), 1) * ROW_H
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sequence" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" role="img" aria-labelledby="seq-title">',
        '<title id="seq-title">Volgordediagram van de berichten tussen LAS, TC en SWV</title>',
        '<defs>'
        f'<marker id="head" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="9" markerHeight="9"'
        f' markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker>'
        f'<marker id="head-fault" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="9" markerHeight="9"'
        f' markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{RED}"/></marker>'
        '</defs>',
        f'<text x="14" y="{HEAD_Y + 30}" class="kolom">nr · tijd</text>',
    ]
    for lane in LANES:
        x = LANE_X[lane]
        parts.append(f'<line class="lifeline" x1="{x}" y1="{HEAD_Y + HEAD_H}" x2="{x}" y2="{height}"'
                     ' stroke="#9aa5b1" stroke-width="1.5" stroke-dasharray="4 4"/>')
        parts.append(_head(lane))
    if not messages:
        parts.append(f'<text x="{LANE_X["TC"]}" y="{FIRST_Y}" class="leeg">'
                     'Geen berichten gevonden voor deze koppelsleutel.</text>')
    for i, m in enumerate(messages):
        parts.append(_arrow(m, FIRST_Y + i * ROW_H))
    parts.append("</svg>")
    return "".join(parts)


def pretty_xml(text: str) -> str:
    """The message indented for reading, long text nodes shortened; the raw text when it is not
    well-formed XML (a broken message is exactly what a trainer may want to show)."""
    if not text or not text.strip():
        return ""
    try:
        root = parse_bytes(text.encode("utf-8"))
    except XmlInputError:
        return text
    for el in root.iter():
        if isinstance(el.text, str) and len(el.text) > MAX_TEXT:
            el.text = el.text[:200] + f"… [{len(el.text) - 200} tekens weggelaten]"
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")
