"""The conformance report: summary.json for tools, report.html for people (self-contained:
inline CSS, no scripts or external assets, <details> to collapse the SOAP messages) and
junit.xml for CI test views.

Input is the plugin's results.json (or a synthetic list in tests): per scenario one of the four
outcomes of harness.conformance.outcomes. The verdict over the selected mandatory scenarios (optional ones
are reported separately and never change it):

- fout: the run could not judge (pre-flight failed, pytest broke or timed out, no scenario
  selected, or every selected mandatory scenario was niet van toepassing);
- mislukt: a mandatory scenario is mislukt;
- onvolledig: none is mislukt, but a mandatory scenario is niet geverifieerd;
- deelselectie: all are geslaagd or niet van toepassing, but --tags left mandatory scenarios
  that apply to the system under test out;
- geslaagd: all are geslaagd or niet van toepassing, and at least one is geslaagd.

junit.xml: mislukt is a <failure>, niet geverifieerd an <error> (CI views show both in red, so
an unchecked rule never looks like a pass), niet van toepassing <skipped>; optional scenarios
go in a second test suite, and one extra test case carries the verdict.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import quoteattr

from actor_kit.dutch_time import local
from actor_kit.inbox import diagnosis_of
from oso_protocol.dossier.version import DEFAULT_VERSION
from oso_protocol.transport import faults as _faults
from oso_protocol.transport.messages import NS

from harness.conformance.outcomes import (GESLAAGD, MISLUKT, NIET_GEVERIFIEERD, NIET_VAN_TOEPASSING,
                                          NO_TLS_REASON, OUTCOMES, readable_reason)
from harness.conformance.verdict import (EXIT_CODES, V_DEELSELECTIE, V_FOUT, V_MISLUKT, V_ONVOLLEDIG,
                                        display_name, level, outcome_of, verdict)
from oso_protocol.pgn_scan import mask_text, mask_tree, pgns_in
from harness.evidence.run_info import redact_text, redact_tree

VERSIONS = {"gegevensset": DEFAULT_VERSION.name, "gegevensset_namespace": DEFAULT_VERSION.namespace,
            "protocol": NS.rsplit("/", 1)[-1], "protocol_namespace": NS}

ROLE_TAGS = ("las", "swv", "tc")
_RULE = re.compile(r"\b(PaO\.[A-Z]{2}\d{2}|OS\.cat\d+|OSS\.[A-Z]+\d*|OG\.\d+|CL\d+|[A-Z][a-z]+(?:[A-Z][a-z]+)+)\b")
KNOWN_CODES = {"SessieAfwijkend", "SessieReedsAfgemeld", "SessieOnbekend", "SessieVerlopen",
               "KoppelsleutelOnbekend", "DossierNietOpgehaald", "LeerlinginfoNietBeschikbaar",
               "GeenMandaat", "AanleverpuntInactief", "OverdrachtGeslaagd", "NietBereikbaar",
               "OngeldigAntwoord", "DossierOngeldig", "OnbekendAanleverpunt"}

def summarize(scenarios: list[dict], sut: dict | None = None, *, error: str | None = None,
              selection: dict | None = None, preflight: dict | None = None, run: dict | None = None) -> dict:
    """`selection`: {"tags": the --tags expression or None, "weggelaten": titles of the mandatory
    scenarios it left out}; `preflight`: what the pre-flight checked (harness.conformance.preflight)."""
    # a trigger's traceback or an exception's repr in why the run could not judge is for the
    # technical log, not for the verdict a person reads
    error = readable_reason(error) or error if error else error
    if preflight and preflight.get("reden"):
        preflight = {**preflight, "reden": readable_reason(preflight["reden"]) or preflight["reden"]}
    counts = {lvl: {o: 0 for o in OUTCOMES} for lvl in ("mandatory", "optional")}
    out = []
    for s in scenarios:
        outcome = outcome_of(s)
        counts[level(s.get("tags", []))][outcome] += 1
        out.append({"name": s.get("name") or s.get("nodeid"), "nodeid": s.get("nodeid"),
                    "template": s.get("template") or s.get("name") or s.get("nodeid"),
                    "feature": s.get("feature", ""),
                    "tags": s.get("tags", []), "level": "optioneel" if level(s.get("tags", [])) == "optional"
                    else "verplicht", "outcome": outcome,
                    "reden": clean_message(s.get("reden", s.get("message", "")) or ""),
                    "duration_s": s.get("duration_s", 0.0), "koppelsleutels": s.get("koppelsleutels", []),
                    **({"voorbeeld": s["voorbeeld"], "weergavenaam": display_name(s)} if s.get("voorbeeld") else {})})
    selection = {"tags": None, "weggelaten": [], **(selection or {})}
    left = selection["weggelaten"]
    without_tls = sum(1 for s in out if s["level"] == "verplicht" and s["outcome"] == NIET_GEVERIFIEERD
                      and s["reden"].startswith(NO_TLS_REASON))
    optional_failed = [s.get("weergavenaam") or s["name"] for s in out
                       if s["level"] == "optioneel" and s["outcome"] == MISLUKT]
    plain_http = bool(sut and sut.get("sut_rollen") and sut.get("tls") is False)
    v, why = verdict(counts["mandatory"], error=error, left_out=len(left), tags=selection["tags"],
                     without_tls=without_tls, optional_failed=optional_failed, plain_http=plain_http)
    summary = {"sut": sut or {"naam": "oso-sim (alle rollen gesimuleerd)", "sut_rollen": []},
               "versions": VERSIONS, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "verdict": v, "verdict_reden": why, "exit_code": EXIT_CODES[v],
               "selectie": {"tags": selection["tags"], "weggelaten_verplicht": len(left),
                            "weggelaten": left},
               "mandatory": counts["mandatory"], "optional": counts["optional"], "scenarios": out}
    summary["date_nl"] = _dutch_now()
    if run is not None:
        summary["run"] = run
    if preflight is not None:
        summary["voorcontrole"] = preflight
    if error:
        summary["error"] = error
    return summary


def _dutch_now() -> str:
    from harness.evidence.run_info import dutch_moment
    return dutch_moment(datetime.now(timezone.utc).timestamp())


def counts_line(counts: dict) -> str:
    return ", ".join(f"{counts[o]} {o}" for o in OUTCOMES)


# -- names and messages as a reader sees them --------------------------------------------------

# A Python class name at the start of a line ("AssertionError: ", "harness.conformance.drivers.http.DriverError: ",
# "Failed: ") or as a trailer ("(DriverError)"): technical detail, kept only in the folded trace.
_CLASS_PREFIX = re.compile(r"^(\s*)(?:E\s+)?(?:[a-z_][\w]*\.)*(?:[A-Z]\w*(?:Error|Exception|Warning|Fault|Exit)|Failed)"
                           r":\s*", re.MULTILINE)
_CLASS_TRAILER = re.compile(r"\s*\((?:[a-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception)\)\s*$", re.MULTILINE)


def clean_message(text: str) -> str:
    """A failure message for people: without the Python class names that prefix it, and
    without what harness.conformance.outcomes.readable_reason leaves to the technical trace."""
    return _CLASS_TRAILER.sub("", _CLASS_PREFIX.sub(r"\1", readable_reason(text or ""))).strip()


_BODY_ELEMENT = re.compile(r"<(?:[\w.-]+:)?Body\b[^>]*>\s*(?:<!--.*?-->\s*)*<(?:[\w.-]+:)?([\w.-]+)", re.DOTALL)
DIRECTION = {"in": "ontvangen", "out": "verzonden"}
SIDE = {"client": "cliënt", "server": "server"}


def message_element(row: dict) -> str:
    """The body element of a logged message (documentRequest, documentResponse, Fault), from the
    log row or else from the message itself."""
    element = row.get("element")
    if not element:
        m = _BODY_ELEMENT.search(row.get("xml") or "")
        element = m.group(1) if m else ""
    return element or ""


def message_label(row: dict) -> str:
    """"documentResponse (document, verzonden)": what the message is, of which operation, which way."""
    element = message_element(row) or "?"
    operation = row.get("operation") or "?"
    return f"{element} ({operation}, {DIRECTION.get(row.get('direction'), row.get('direction') or '?')})"


# -- HTML --------------------------------------------------------------------------------------

# Every badge is white text on a colour with a WCAG contrast of at least 4.5:1, and every text on
# its background too (tests/test_conformance_report.py and tests/test_report_browser.py check it).
BADGE = {"geslaagd": "#1e7b34", "mislukt": "#b3261e", "nvt": "#5f6368", "ng": "#8a4b00",
         "deelselectie": "#1f4e9c", "onvolledig": "#8a4b00", "fout": "#5b1a1a"}
SLUG = {GESLAAGD: "geslaagd", MISLUKT: "mislukt", NIET_VAN_TOEPASSING: "nvt", NIET_GEVERIFIEERD: "ng",
        V_DEELSELECTIE: "deelselectie", V_ONVOLLEDIG: "onvolledig", V_FOUT: "fout",
        "passed": "geslaagd", "failed": "mislukt", "skipped": "ng"}
ICON = {"geslaagd": "✓", "mislukt": "✗", "nvt": "–", "ng": "?"}
TEXT = "#1d2329"

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:70em;color:#1d2329;background:#fff;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccd}h3{font-size:1.05em;margin:1.4em 0 .3em}
table.meta{border-collapse:collapse}table.meta ul{margin:0;padding-left:1.2em}table.meta td{padding:.15em 1em .15em 0;vertical-align:top}table.meta td:first-child{color:#4a4f57;white-space:nowrap}
table.counts{border-collapse:collapse;margin:.6em 0}table.counts td,table.counts th{border:1px solid #d5d9de;padding:.2em .6em;text-align:right;color:#1d2329}table.counts th{background:#f0f1f3;text-align:left}
.badge{display:inline-block;padding:.1em .6em;border-radius:.3em;font-weight:600;color:#fff;white-space:nowrap}
""" + "".join(f".b-{k}{{background:{v}}}" for k, v in BADGE.items()) + """
.oordeel{font-size:1.3em;margin:.8em 0;padding:.6em .9em;border-radius:.4em;border-left:8px solid #1d2329;background:#f0f1f3;color:#1d2329}
""" + "".join(f".oordeel.b-{k}{{border-left-color:{v};background:#f6f7f8;color:#1d2329}}" for k, v in BADGE.items()) + """
.scenario{border:1px solid #d5d9de;border-left-width:6px;border-radius:.4em;margin:.6em 0;padding:.5em .8em;color:#1d2329;background:#fff}
.scenario.s-geslaagd{border-left-color:#1e7b34}.scenario.s-mislukt{border-color:#b3261e;border-width:2px 2px 2px 6px}
.scenario.s-ng{border-left-color:#8a4b00}.scenario.s-nvt{border-left-color:#5f6368}
.scenario summary{cursor:pointer}.tag{font-size:.8em;background:#eef1f4;border-radius:.25em;padding:0 .35em;margin-left:.25em;color:#333a44}
.meta-line{color:#4a4f57}
ol.steps{list-style:none;margin:.4em 0;padding:0}
ol.steps li{padding:.15em .5em;margin:.1em 0;border-left:4px solid transparent;color:#1d2329;background:#fff}
ol.steps li .icon{display:inline-block;width:1.2em;font-weight:700}
ol.steps li.geslaagd .icon{color:#1e7b34}
ol.steps li.mislukt{border-left-color:#b3261e;background:#fdecea;color:#1d2329;font-weight:600}ol.steps li.mislukt .icon{color:#b3261e}
ol.steps li.ng{border-left-color:#8a4b00;background:#fff4d6;color:#1d2329}ol.steps li.ng .icon{color:#8a4b00}
ol.steps li.nvt{border-left-color:#5f6368;color:#1d2329}
.steplabel{font-size:.85em;font-weight:600;margin-left:.4em;padding:0 .4em;border-radius:.25em;color:#fff}
.steperror{display:block;font-weight:400;margin:.2em 0 0 1.2em;white-space:pre-wrap}
.kw{font-weight:600}
.msg{background:#fdecea;border-left:4px solid #b3261e;padding:.4em .7em;color:#1d2329;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:.9em}
.ngmsg{background:#fff4d6;border-left:4px solid #8a4b00;padding:.4em .7em;color:#3d2800;white-space:pre-wrap}
.skipmsg{background:#f0f1f3;border-left:4px solid #5f6368;padding:.4em .7em;color:#1d2329}
.rule{background:#ffe08a;color:#1d2329;padding:0 .2em;border-radius:.2em;font-weight:700}
table.msgs{border-collapse:collapse;width:100%;font-size:.9em}table.msgs td,table.msgs th{border-bottom:1px solid #e4e7ea;padding:.2em .4em;text-align:left;vertical-align:top;color:#1d2329}
tr.bad td{background:#fdecea}tr.diag td{background:#fff8f6;border-bottom:2px solid #b3261e}details.diagnose ul{margin:.3em 0;padding-left:1.2em}pre{white-space:pre-wrap;word-break:break-all;font-size:.85em;background:#f6f8fa;color:#1d2329;padding:.5em;max-height:30em;overflow:auto}
.print-only{display:none}
@media print{body{margin:0;max-width:none;font-size:10pt}details.techniek,details.berichten,details.config{display:none}
 .print-only{display:block;color:#4a4f57;font-size:.9em}.scenario{break-inside:avoid}h2,h3{break-after:avoid}
 @page{size:A4;margin:1.6cm 1.4cm;@bottom-left{content:"OSO-conformiteitsrapport";font:8pt sans-serif;color:#4a4f57}
 @bottom-right{content:"pagina " counter(page) " van " counter(pages);font:8pt sans-serif;color:#4a4f57}}}
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _badge(value: str) -> str:
    return f'<span class="badge b-{SLUG.get(value, "ng")}">{_e(value)}</span>'


def _highlight(text: str) -> str:
    return _RULE.sub(lambda m: f'<span class="rule">{m.group(1)}</span>'
                     if m.group(1) in KNOWN_CODES or "." in m.group(1) or m.group(1).startswith("CL")
                     else m.group(1), _e(text))


def _is_bad(row: dict) -> bool:
    outcome = str(row.get("outcome") or "")
    return row.get("http_status") in (500,) or outcome in KNOWN_CODES - {"OverdrachtGeslaagd"} or \
        outcome.startswith("Onge") or "Fault" in str(row.get("element") or "")


def _clock(ts: str) -> str:
    """The time of day of a logged message in Dutch local time, to the millisecond."""
    try:
        moment = local(datetime.fromisoformat(ts))
    except (TypeError, ValueError):
        return (ts or "")[11:23]
    return moment.strftime("%H:%M:%S.%f")[:12]


# A message over this size is shown cut off in report.html: a dossier with attachments up to the
# SOAP limit would make the page tens of megabytes. The whole message stays in berichten/ and in
# the bundle.
SHOWN_XML_CHARS = 64 * 1024


def _shown_xml(xml: str) -> str:
    if len(xml) <= SHOWN_XML_CHARS:
        return xml
    return (xml[:SHOWN_XML_CHARS] + f"\n… {len(xml) - SHOWN_XML_CHARS:,} tekens weggelaten".replace(",", ".")
            + " (het hele bericht staat in berichten/ en in het bewijspakket)")


# every result code a receiver answers with (oso_protocol.transport.faults): a received message
# logged with one of these as its outcome was refused
REFUSAL_CODES = {v for k, v in vars(_faults).items() if k.isupper() and isinstance(v, str)}


def refused_rows(rows: list[dict]) -> dict[int, str]:
    """Which logged messages from the system under test the harness refused: row index -> the
    result code. A message refused at the endpoint is logged with the code as its outcome; one
    refused by business logic is logged as ontvangen and followed by the Fault the same actor
    answered with."""
    refused: dict[int, str] = {}
    pending: dict[object, int] = {}     # actor -> its last received call not yet answered
    for i, r in enumerate(rows):
        element = message_element(r)
        outcome = str(r.get("outcome") or "")
        if r.get("direction") == "in":
            if "Fault" in element or not r.get("xml"):
                continue   # a Fault is a refusal by the system under test, not of its message
            if outcome in REFUSAL_CODES:
                refused[i] = outcome
            elif r.get("side") == "server":
                pending[r.get("actor")] = i
        elif r.get("direction") == "out" and r.get("side") == "server":
            j = pending.pop(r.get("actor"), None)
            if j is not None and ("Fault" in element or outcome in REFUSAL_CODES):
                refused.setdefault(j, outcome or "Fault")
    return refused


def _anchor(prefix: str, index: int) -> str:
    return f"diagnose-{prefix}-{index}"


def _diagnosis_html(row: dict, code: str, anchor: str) -> str:
    """The diagnosis of a refused message: version found and expected, and each finding with
    what was expected and what was found there. Pupil numbers masked, whatever a value quotes."""
    d = diagnosis_of((row.get("xml") or "").encode("utf-8"))
    head = f"Diagnose van het geweigerde bericht ({_e(code)})"
    if d.operation:
        head += f": operatie {_e(d.operation)}"
    if d.version_found or d.version_expected:
        head += (f", OSO-versie {_e(d.version_found or 'onbekend')} gevonden,"
                 f" {_e(d.version_expected or 'onbekend')} verwacht")
    items = []
    for f in d.findings:
        diff = "".join(f"<br><small>{label}: <code>{_e(mask_text(value))}</code></small>"
                       for label, value in (("waar", f.location), ("verwacht", f.expected),
                                            ("gevonden", f.found)) if value is not None)
        items.append(f'<li><span class="rule">{_e(f.rule)}</span> {_e(f.title)} ({_e(f.severity)}):'
                     f" {_e(mask_text(f.message))}{diff}</li>")
    body = (f"<ul>{''.join(items)}</ul>" if items else
            "<p>De diagnose vindt niets mis met het bericht zelf; de weigering volgt uit de"
            " toestand bij de ontvanger.</p>")
    return (f'<tr class="diag" id="{anchor}"><td colspan="8"><details class="diagnose" open>'
            f"<summary>{head}</summary>{body}</details></td></tr>")


def _messages_html(rows: list[dict], prefix: str = "s") -> str:
    if not rows:
        return "<p><em>Geen SOAP-berichten gelogd voor dit scenario.</em></p>"
    refused = refused_rows(rows)
    out = ['<table class="msgs"><tr><th>tijd</th><th>actor</th><th>kant</th><th>richting</th>'
           '<th>bericht</th><th>operatie</th><th>koppelsleutel</th><th>uitkomst</th></tr>']
    for i, r in enumerate(rows):
        cls = ' class="bad"' if _is_bad(r) else ""
        xml = r.get("xml") or ""
        element = message_element(r) or "?"
        detail = (f"<details><summary>{_e(element)}</summary><pre>{_e(_shown_xml(xml))}</pre></details>"
                  if xml else _e(element))
        out.append(f"<tr{cls}><td>{_e(_clock(r.get('ts') or ''))}</td><td>{_e(r.get('actor'))}</td>"
                   f"<td>{_e(SIDE.get(r.get('side'), r.get('side')))}</td>"
                   f"<td>{_e(DIRECTION.get(r.get('direction'), r.get('direction')))}</td><td>{detail}</td>"
                   f"<td>{_e(r.get('operation'))}</td>"
                   f"<td>{_e(r.get('koppelsleutel'))}</td><td>{_highlight(r.get('outcome') or '')}</td></tr>")
        if i in refused:
            out.append(_diagnosis_html(r, refused[i], _anchor(prefix, i)))
    out.append("</table>")
    return "".join(out)


def _trace_html(s: dict, reason: str) -> str:
    trace = s.get("trace") or ""
    if not trace and clean_message(reason) == reason.strip():
        return ""
    return (f'<details class="techniek"><summary>Technische details</summary>'
            f"<pre>{_e(trace or reason)}</pre></details>")


def _reason_html(outcome: str, reason: str) -> str:
    text = clean_message(reason)
    if not text:
        return ""
    if outcome == MISLUKT:
        return f'<div class="msg">{_highlight(text)}</div>'
    if outcome == NIET_GEVERIFIEERD:
        return f'<div class="ngmsg">Niet geverifieerd: {_highlight(text)}</div>'
    if outcome == NIET_VAN_TOEPASSING:
        return f'<div class="skipmsg">Niet van toepassing: {_e(text)}</div>'
    return ""


def _step_html(st: dict, links: str = "") -> str:
    status = st.get("status")
    slug = SLUG.get(status, "ng")
    label = "" if slug == "geslaagd" else (f'<span class="steplabel b-{slug}">'
                                             f'{_e(OUTCOME_OF_SLUG.get(slug, status))}</span>')
    error = clean_message(st.get("error") or "")
    error_html = f'<span class="steperror">{_highlight(error)}</span>' if error and slug != "geslaagd" else ""
    return (f'<li class="{slug}"><span class="icon" aria-hidden="true">{ICON.get(slug, "?")}</span>'
            f'<span class="kw">{_e(st.get("keyword"))}</span> {_e(st.get("name"))}{label}{error_html}'
            f'{links}</li>')


def _step_links(steps: list[dict], rows: list[dict], prefix: str) -> dict[int, str]:
    """For each mislukt step, links to the diagnoses of the refused messages it involved: those
    whose result code, operation or element its name or error names; when no step names one,
    the first mislukt step links them all."""
    refused = refused_rows(rows)
    failed = [i for i, st in enumerate(steps) if SLUG.get(st.get("status")) == "mislukt"]
    if not refused or not failed:
        return {}
    matched: dict[int, list[int]] = {}
    for i in failed:
        text = f"{steps[i].get('name') or ''} {steps[i].get('error') or ''}"
        hits = [j for j, code in refused.items()
                if any(w and w in text for w in (code, rows[j].get("operation"), message_element(rows[j])))]
        if hits:
            matched[i] = hits
    if not matched:
        matched[failed[0]] = sorted(refused)
    return {i: '<span class="steperror">Geweigerd bericht: ' + ", ".join(
                f'<a href="#{_anchor(prefix, j)}">{_e(message_element(rows[j]) or "bericht")}'
                f' ({_e(refused[j])}), zie de diagnose</a>' for j in hits) + "</span>"
            for i, hits in matched.items()}


OUTCOME_OF_SLUG = {"geslaagd": GESLAAGD, "mislukt": MISLUKT, "nvt": NIET_VAN_TOEPASSING, "ng": NIET_GEVERIFIEERD}


def _scenario_html(s: dict, messages: list[dict]) -> str:
    outcome = outcome_of(s)
    slug = SLUG[outcome]
    tags = "".join(f'<span class="tag">@{_e(t)}</span>' for t in s.get("tags", []))
    prefix = hashlib.sha1(str(s.get("nodeid") or s.get("name") or "").encode()).hexdigest()[:8]
    links = _step_links(s.get("steps", []), messages, prefix)
    steps = "".join(_step_html(st, links.get(i, "")) for i, st in enumerate(s.get("steps", [])))
    keys = ", ".join(s.get("koppelsleutels", [])) or "-"
    is_open = " open" if outcome in (MISLUKT, NIET_GEVERIFIEERD) else ""
    reason = s.get("reden", s.get("message", "")) or ""
    duration = f"{s.get('duration_s', 0):.2f}".replace(".", ",")
    return (f'<details class="scenario s-{slug}"{is_open}><summary>'
            f'{_badge(outcome)} <strong>{_e(display_name(s))}</strong>'
            f' {tags} <small>({duration} s)</small></summary>'
            f'<p class="meta-line"><small>Functionaliteit: {_e(s.get("feature"))} &middot;'
            f' koppelsleutels: {_e(keys)}</small></p>'
            f'{_reason_html(outcome, reason)}{_trace_html(s, reason) if outcome != GESLAAGD else ""}'
            f'<ol class="steps">{steps}</ol>'
            # open when it holds a diagnosis a failed step links to
            f'<details class="berichten"{" open" if links else ""}><summary>SOAP-berichten ({len(messages)})</summary>'
            f'{_messages_html(messages, prefix)}</details>'
            f'<p class="print-only">{len(messages)} SOAP-berichten: zie het HTML-rapport of het bewijspakket.</p>'
            '</details>')


def _counts_html(summary: dict) -> str:
    head = "".join(f"<th>{_badge(o)}</th>" for o in OUTCOMES)
    rows = "".join(f"<tr><th>{label}</th>" + "".join(f"<td>{summary[key][o]}</td>" for o in OUTCOMES) + "</tr>"
                   for key, label in (("mandatory", "verplicht"), ("optional", "optioneel (telt niet mee)")))
    return f'<table class="counts"><tr><th></th>{head}</tr>{rows}</table>'


def _preflight_html(pf: dict | None) -> str:
    if not pf:
        return "overgeslagen (alle rollen gesimuleerd)"
    checks = "".join(f"<li>{_e(c)}</li>" for c in pf.get("controles", []))
    reason = f'<div class="msg">{_highlight(clean_message(pf["reden"]))}</div>' if pf.get("reden") else ""
    return f"{_badge(GESLAAGD if pf.get('geslaagd') else MISLUKT)}<ul>{checks}</ul>{reason}"


def _section(title: str, scenarios: list[dict], messages: dict[str, list[dict]]) -> list[str]:
    if not scenarios:
        return []
    body = [f"<h2>{title}</h2>"]
    by_feature: dict[str, list[dict]] = {}
    for s in scenarios:
        by_feature.setdefault(s.get("feature") or "", []).append(s)
    for feature, items in by_feature.items():
        body.append(f"<h3>{_e(feature) or 'Scenario&#39;s'}</h3>")
        for s in items:
            body.append(_scenario_html(s, messages.get(s.get("nodeid") or s.get("name"), [])))
    return body


def _identity_html(run: dict) -> str:
    rows = run.get("systeem_onder_test") or []
    if not rows:
        return ""
    items = []
    for r in rows:
        cert = f" &middot; certificaat: {_e(r['certificaat'])}" if r.get("certificaat") else ""
        if r.get("client_cert"):
            cert += f" &middot; harnas presenteert (client_cert): {_e(r['client_cert'])}"
        items.append(f"<li>{_e(str(r.get('rol', '')).upper())}: {_e(r.get('url') or '-')}"
                     f" (BRIN {_e(r.get('brin') or '-')}, aanleverpunt {_e(r.get('routeringskenmerk') or '-')})"
                     f"{cert}</li>")
    return f"<tr><td>Identiteit</td><td><ul>{''.join(items)}</ul></td></tr>"


def _run_html(summary: dict) -> str:
    run = summary.get("run") or {}
    when = (f"<tr><td>Start</td><td>{_e(run.get('start_nl') or summary.get('date_nl'))}</td></tr>"
            f"<tr><td>Einde</td><td>{_e(run.get('einde_nl') or summary.get('date_nl'))}</td></tr>")
    if run.get("duur_nl"):
        when += f"<tr><td>Duur</td><td>{_e(run['duur_nl'])}</td></tr>"
    if not run:
        return when
    config = run.get("configuratie")
    config_html = ("geen (alle rollen gesimuleerd)" if config is None else
                   f"{_e(run.get('configuratiebestand') or '')}<details class=\"config\"><summary>volledige"
                   f" configuratie (geheimen weggelaten)</summary><pre>{_e(json.dumps(config, ensure_ascii=False, indent=2))}"
                   "</pre></details>")
    return (when + f"<tr><td>oso-sim</td><td>versie {_e(run.get('oso_sim_versie'))}"
            f" &middot; git-commit {_e(run.get('git_commit'))}</td></tr>"
            f"<tr><td>Python</td><td>{_e(run.get('python'))}</td></tr>"
            f"<tr><td>Configuratie</td><td>{config_html}</td></tr>")


def render_html(summary: dict, scenarios: list[dict], messages: dict[str, list[dict]]) -> str:
    sut = summary["sut"]
    roles = ", ".join(r.upper() for r in sut.get("sut_rollen", [])) or "alle rollen gesimuleerd (zelftest)"
    v = summary["versions"]
    sel = summary["selectie"]
    tags = _e(sel["tags"]) if sel["tags"] else "alle scenario's (geen --tags)"
    if sel["weggelaten_verplicht"]:
        left = "".join(f"<li>{_e(t)}</li>" for t in sel["weggelaten"])
        tags += (f"<details><summary>{sel['weggelaten_verplicht']} verplichte scenario's niet geselecteerd"
                 f"</summary><ul>{left}</ul></details>")
    body = _section("Verplichte scenario's", [s for s in scenarios if level(s.get("tags", [])) == "mandatory"], messages)
    body += _section("Optionele scenario's (tellen niet mee voor het oordeel)",
                     [s for s in scenarios if level(s.get("tags", [])) == "optional"], messages)
    error = f'<div class="msg">{_e(clean_message(summary["error"]))}</div>' if summary.get("error") else ""
    verdict_slug = SLUG[summary["verdict"]]
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>OSO-conformiteitsrapport: {_e(sut.get('naam'))}</title>
<style>{CSS}</style></head><body>
<h1>OSO-conformiteitsrapport</h1>
<p>Zorgvraag naar samenwerkingsverband (aanvraag SWV-dossier)</p>
<div class="oordeel b-{verdict_slug}">Oordeel: {_badge(summary['verdict'])} {_e(summary['verdict_reden'])}</div>{error}
<table class="meta">
<tr><td>Systeem onder test</td><td><strong>{_e(sut.get('naam'))}</strong>{' &middot; ' + _e(sut.get('leverancier')) if sut.get('leverancier') else ''}</td></tr>
<tr><td>Rol</td><td>{_e(roles)}</td></tr>
{_identity_html(summary.get('run') or {})}
<tr><td>Verbinding</td><td>{_e(sut.get('verbinding') or 'HTTP zonder certificaten')}</td></tr>
<tr><td>Standaard</td><td>gegevensset {_e(v['gegevensset'])} ({_e(v['gegevensset_namespace'])})</td></tr>
<tr><td>Protocol</td><td>OSO-namespace {_e(v['protocol'])} ({_e(v['protocol_namespace'])})</td></tr>
{_run_html(summary)}
<tr><td>Selectie (--tags)</td><td>{tags}</td></tr>
<tr><td>Voorcontrole</td><td>{_preflight_html(summary.get('voorcontrole'))}</td></tr>
</table>
{_counts_html(summary)}
{''.join(body)}
</body></html>
"""


# -- junit -------------------------------------------------------------------------------------

def _testcase(s: dict) -> str:
    outcome, reason = s["outcome"], s["reden"] or s["outcome"]
    inner = ""
    if outcome == MISLUKT:
        inner = f"<failure type=\"mislukt\" message={quoteattr(reason[:500])}>{html.escape(reason)}</failure>"
    elif outcome == NIET_GEVERIFIEERD:
        inner = (f"<error type=\"niet geverifieerd\" message={quoteattr(('niet geverifieerd: ' + reason)[:500])}>"
                 f"{html.escape(reason)}</error>")
    elif outcome == NIET_VAN_TOEPASSING:
        inner = f"<skipped message={quoteattr(('niet van toepassing: ' + reason)[:500])}/>"
    return (f"<testcase classname={quoteattr(s['feature'])} name={quoteattr(s.get('weergavenaam') or s['name'])}"
            f" time=\"{s['duration_s']}\">{inner}</testcase>")


def _suite(name: str, cases: list[str], properties: str = "") -> str:
    n = lambda tag: sum(1 for c in cases if f"<{tag} " in c or f"<{tag}>" in c)  # noqa: E731
    return (f'<testsuite name={quoteattr(name)} tests="{len(cases)}" failures="{n("failure")}"'
            f' errors="{n("error")}" skipped="{n("skipped")}">{properties}' + "".join(cases) + "</testsuite>")


def junit_xml(summary: dict) -> str:
    """junit.xml from the summary: the suite of mandatory scenarios with one extra test case
    carrying the verdict, and a separate suite of optional scenarios."""
    props = {"oordeel": summary["verdict"], "oordeel_reden": summary["verdict_reden"],
             "tags": summary["selectie"]["tags"] or "", "systeem": summary["sut"].get("naam") or ""}
    run = summary.get("run") or {}
    for key in ("oso_sim_versie", "git_commit", "python", "start", "einde", "start_nl", "einde_nl", "duur_s",
                "verbinding", "configuratiebestand"):
        if run.get(key) is not None:
            props[key] = run[key]
    if run:
        props["systeem_onder_test"] = json.dumps(run.get("systeem_onder_test") or [], ensure_ascii=False)
        props["configuratie"] = json.dumps(run.get("configuratie"), ensure_ascii=False)
    properties = "<properties>" + "".join(f"<property name={quoteattr(k)} value={quoteattr(str(v))}/>"
                                          for k, v in props.items()) + "</properties>"
    mandatory = [s for s in summary["scenarios"] if s["level"] == "verplicht"]
    optional = [s for s in summary["scenarios"] if s["level"] == "optioneel"]
    v, why = summary["verdict"], summary["verdict_reden"]
    inner = {V_MISLUKT: f"<failure type=\"mislukt\" message={quoteattr(why[:500])}/>",
             V_ONVOLLEDIG: f"<error type=\"onvolledig\" message={quoteattr(why[:500])}/>",
             V_FOUT: f"<error type=\"fout\" message={quoteattr(why[:500])}>{html.escape(why)}</error>",
             V_DEELSELECTIE: f"<skipped message={quoteattr('deelselectie: ' + why[:480])}/>"}.get(v, "")
    verdict_case = (f"<testcase classname=\"conformance\" name=\"oordeel: {v}\">{inner}</testcase>")
    suite = _suite("oso-conformance: verplicht", [_testcase(s) for s in mandatory] + [verdict_case], properties)
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<testsuites>', suite]
    if optional:
        out.append(_suite("oso-conformance: optioneel", [_testcase(s) for s in optional]))
    out.append("</testsuites>\n")
    return "".join(out)


def write_reports(folder: str | Path, scenarios: list[dict], sut: dict | None = None, *,
                  error: str | None = None, selection: dict | None = None,
                  preflight: dict | None = None, run: dict | None = None) -> dict:
    """Write summary.json, report.html and junit.xml; return the summary. `run`: what
    harness.evidence.run_info.describe_run records about the run (version, configuration, times)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = summarize(scenarios, sut, error=error, selection=selection, preflight=preflight, run=run)
    messages = {}
    for s in scenarios:
        if s.get("messages_file"):
            try:
                messages[s.get("nodeid") or s.get("name")] = json.loads(
                    (folder / s["messages_file"]).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass
        elif s.get("messages"):
            messages[s.get("nodeid") or s.get("name")] = s["messages"]
    # No pupil's number in any report: the numbers the configuration names, and any standalone
    # one that passes the 11-proef or the onderwijsnummer check, are masked in every file, the
    # SOAP messages shown in report.html included (the bundle keeps them as they travelled).
    # Nor a secret of a trigger (an environment assignment, an option named like a key, a URL's
    # credentials), wherever a reason or line quotes one.
    known = pgns_in(run) | pgns_in(sut)
    summary = redact_tree(mask_tree(summary, known))
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "report.html").write_text(redact_text(mask_text(render_html(summary, scenarios, messages), known)),
                                        encoding="utf-8")
    (folder / "junit.xml").write_text(redact_text(mask_text(junit_xml(summary), known)), encoding="utf-8")
    return summary
