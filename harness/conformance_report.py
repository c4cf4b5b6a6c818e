"""The conformance report: summary.json for tools and report.html for people (self-contained:
inline CSS, no scripts or external assets, <details> to collapse the SOAP messages).

Input is the plugin's results.json (or a synthetic list in tests). The verdict: the run passes
when no mandatory scenario failed or errored; optional scenarios are reported separately and
never fail the run.
"""
from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import quoteattr

from oso_protocol.dossier.version import DEFAULT_VERSION
from oso_protocol.transport.messages import NS

VERSIONS = {"gegevensset": DEFAULT_VERSION.name, "gegevensset_namespace": DEFAULT_VERSION.namespace,
            "protocol": NS.rsplit("/", 1)[-1], "protocol_namespace": NS}

ROLE_TAGS = ("las", "swv", "tc")
_RULE = re.compile(r"\b(PaO\.[A-Z]{2}\d{2}|OS\.cat\d+|OSS\.[A-Z]+\d*|OG\.\d+|CL\d+|[A-Z][a-z]+(?:[A-Z][a-z]+)+)\b")
KNOWN_CODES = {"SessieAfwijkend", "SessieReedsAfgemeld", "SessieOnbekend", "SessieVerlopen",
               "KoppelsleutelOnbekend", "DossierNietOpgehaald", "LeerlinginfoNietBeschikbaar",
               "GeenMandaat", "AanleverpuntInactief", "OverdrachtGeslaagd", "NietBereikbaar",
               "OngeldigAntwoord", "DossierOngeldig", "OnbekendAanleverpunt"}


def level(tags) -> str:
    return "optional" if "optional" in tags else "mandatory"


def summarize(scenarios: list[dict], sut: dict | None = None, *, error: str | None = None) -> dict:
    counts = {lvl: {"passed": 0, "failed": 0, "skipped": 0} for lvl in ("mandatory", "optional")}
    out = []
    for s in scenarios:
        outcome = s.get("outcome", "error")
        bucket = counts[level(s.get("tags", []))]
        bucket["failed" if outcome in ("failed", "error") else outcome if outcome in bucket else "failed"] += 1
        out.append({"name": s.get("name") or s.get("nodeid"), "feature": s.get("feature", ""),
                    "tags": s.get("tags", []), "outcome": outcome,
                    "duration_s": s.get("duration_s", 0.0), "message": s.get("message", ""),
                    "koppelsleutels": s.get("koppelsleutels", [])})
    if error or not scenarios:
        verdict = "error"
    else:
        verdict = "failed" if counts["mandatory"]["failed"] else "passed"
    summary = {"sut": sut or {"naam": "oso-sim (alle rollen gesimuleerd)", "sut_rollen": []},
               "versions": VERSIONS, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "verdict": verdict, "mandatory": counts["mandatory"], "optional": counts["optional"],
               "scenarios": out}
    if error:
        summary["error"] = error
    return summary


# -- HTML --------------------------------------------------------------------------------------

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;max-width:70em;color:#1d2329;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccd}
table.meta td{padding:.15em 1em .15em 0;vertical-align:top}table.meta td:first-child{color:#556;white-space:nowrap}
.verdict{display:inline-block;padding:.2em .7em;border-radius:.3em;font-weight:600;color:#fff}
.passed{background:#1e7b34}.failed,.error{background:#b3261e}.skipped{background:#7a7f87}
.scenario{border:1px solid #d5d9de;border-radius:.4em;margin:.6em 0;padding:.5em .8em}
.scenario.s-failed,.scenario.s-error{border-color:#b3261e;background:#fff6f5}
.scenario summary{cursor:pointer}.tag{font-size:.8em;background:#eef1f4;border-radius:.25em;padding:0 .35em;margin-left:.25em;color:#334}
ol.steps{margin:.4em 0 .4em 1.2em;padding:0}ol.steps li.failed{color:#b3261e;font-weight:600}ol.steps li.skipped{color:#7a7f87}
.kw{font-weight:600}.msg{background:#fde7e5;border-left:4px solid #b3261e;padding:.4em .7em;white-space:pre-wrap;font-family:ui-monospace,monospace;font-size:.9em}
.skipmsg{background:#f0f1f3;border-left:4px solid #7a7f87;padding:.4em .7em}
.rule{background:#ffe08a;padding:0 .2em;border-radius:.2em;font-weight:700}
table.msgs{border-collapse:collapse;width:100%;font-size:.9em}table.msgs td,table.msgs th{border-bottom:1px solid #e4e7ea;padding:.2em .4em;text-align:left;vertical-align:top}
tr.bad td{background:#fde7e5}pre{white-space:pre-wrap;word-break:break-all;font-size:.85em;background:#f6f8fa;padding:.5em;max-height:30em;overflow:auto}
"""


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _highlight(text: str) -> str:
    return _RULE.sub(lambda m: f'<span class="rule">{m.group(1)}</span>'
                     if m.group(1) in KNOWN_CODES or "." in m.group(1) or m.group(1).startswith("CL")
                     else m.group(1), _e(text))


def _is_bad(row: dict) -> bool:
    outcome = str(row.get("outcome") or "")
    return row.get("http_status") in (500,) or outcome in KNOWN_CODES - {"OverdrachtGeslaagd"} or \
        outcome.startswith("Onge") or "Fault" in str(row.get("element") or "")


def _messages_html(rows: list[dict]) -> str:
    if not rows:
        return "<p><em>Geen SOAP-berichten gelogd voor dit scenario.</em></p>"
    out = ['<table class="msgs"><tr><th>tijd</th><th>actor</th><th>kant</th><th>richting</th>'
           '<th>operatie</th><th>koppelsleutel</th><th>uitkomst</th></tr>']
    for r in rows:
        cls = ' class="bad"' if _is_bad(r) else ""
        xml = r.get("xml") or ""
        detail = (f"<details><summary>{_e(r.get('operation') or '?')}</summary><pre>{_e(xml)}</pre></details>"
                  if xml else _e(r.get("operation")))
        out.append(f"<tr{cls}><td>{_e((r.get('ts') or '')[11:23])}</td><td>{_e(r.get('actor'))}</td>"
                   f"<td>{_e(r.get('side'))}</td><td>{_e(r.get('direction'))}</td><td>{detail}</td>"
                   f"<td>{_e(r.get('koppelsleutel'))}</td><td>{_highlight(r.get('outcome') or '')}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _scenario_html(s: dict, messages: list[dict]) -> str:
    outcome = s.get("outcome", "error")
    tags = "".join(f'<span class="tag">@{_e(t)}</span>' for t in s.get("tags", []))
    steps = "".join(
        f'<li class="{_e(st.get("status"))}"><span class="kw">{_e(st.get("keyword"))}</span> {_e(st.get("name"))}'
        + (f' <em>({_e(st.get("status"))})</em>' if st.get("status") != "passed" else "") + "</li>"
        for st in s.get("steps", []))
    msg = s.get("message") or ""
    if outcome in ("failed", "error") and msg:
        msg_html = f'<div class="msg">{_highlight(msg)}</div>'
    elif outcome == "skipped" and msg:
        msg_html = f'<div class="skipmsg">Overgeslagen: {_e(msg)}</div>'
    else:
        msg_html = ""
    keys = ", ".join(s.get("koppelsleutels", [])) or "-"
    is_open = " open" if outcome in ("failed", "error") else ""
    return (f'<details class="scenario s-{_e(outcome)}"{is_open}><summary>'
            f'<span class="verdict {_e(outcome)}">{_e(outcome)}</span> <strong>{_e(s.get("name"))}</strong>'
            f' {tags} <small>({s.get("duration_s", 0):.2f} s)</small></summary>'
            f'<p><small>Feature: {_e(s.get("feature"))} &middot; koppelsleutels: {_e(keys)}</small></p>'
            f'{msg_html}<ol class="steps">{steps}</ol>'
            f'<details><summary>SOAP-berichten ({len(messages)})</summary>{_messages_html(messages)}</details>'
            "</details>")


def render_html(summary: dict, scenarios: list[dict], messages: dict[str, list[dict]]) -> str:
    sut = summary["sut"]
    roles = ", ".join(r.upper() for r in sut.get("sut_rollen", [])) or "alle rollen gesimuleerd (zelftest)"
    v = summary["versions"]
    m, o = summary["mandatory"], summary["optional"]
    verdict_opt = "failed" if o["failed"] else "passed"
    by_feature: dict[str, list[dict]] = {}
    for s in scenarios:
        by_feature.setdefault(s.get("feature") or "", []).append(s)
    body = []
    for feature, items in by_feature.items():
        body.append(f"<h2>{_e(feature) or 'Scenario&#39;s'}</h2>")
        for s in items:
            body.append(_scenario_html(s, messages.get(s.get("nodeid") or s.get("name"), [])))
    error = f'<div class="msg">{_e(summary["error"])}</div>' if summary.get("error") else ""
    return f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>OSO-conformiteitsrapport: {_e(sut.get('naam'))}</title>
<style>{CSS}</style></head><body>
<h1>OSO-conformiteitsrapport</h1>
<p>Zorgvraag naar samenwerkingsverband (aanvraag SWV-dossier)</p>
<table class="meta">
<tr><td>Systeem onder test</td><td><strong>{_e(sut.get('naam'))}</strong>{' &middot; ' + _e(sut.get('leverancier')) if sut.get('leverancier') else ''}</td></tr>
<tr><td>Rol</td><td>{_e(roles)}</td></tr>
<tr><td>Standaard</td><td>gegevensset {_e(v['gegevensset'])} ({_e(v['gegevensset_namespace'])})</td></tr>
<tr><td>Protocol</td><td>OSO namespace {_e(v['protocol'])} ({_e(v['protocol_namespace'])})</td></tr>
<tr><td>Datum</td><td>{_e(summary['date'])}</td></tr>
<tr><td>Oordeel verplicht</td><td><span class="verdict {_e(summary['verdict'])}">{_e(summary['verdict'])}</span>
 {m['passed']} geslaagd, {m['failed']} mislukt, {m['skipped']} overgeslagen</td></tr>
<tr><td>Oordeel optioneel</td><td><span class="verdict {verdict_opt}">{verdict_opt}</span>
 {o['passed']} geslaagd, {o['failed']} mislukt, {o['skipped']} overgeslagen</td></tr>
</table>{error}
{''.join(body)}
</body></html>
"""


# -- junit fallback ----------------------------------------------------------------------------

def minimal_junit(summary: dict) -> str:
    """A junit.xml for when pytest did not write one (it crashed, or never started)."""
    cases = []
    for s in summary["scenarios"]:
        inner = ""
        if s["outcome"] in ("failed", "error"):
            inner = f"<failure message={quoteattr(s['message'][:500])}/>"
        elif s["outcome"] == "skipped":
            inner = f"<skipped message={quoteattr(s['message'][:500])}/>"
        cases.append(f"<testcase classname={quoteattr(s['feature'])} name={quoteattr(s['name'])}"
                     f" time=\"{s['duration_s']}\">{inner}</testcase>")
    if summary.get("error"):
        cases.append(f"<testcase classname=\"conformance\" name=\"harnas\"><error message="
                     f"{quoteattr(summary['error'][:500])}/></testcase>")
    failures = sum(1 for s in summary["scenarios"] if s["outcome"] in ("failed", "error"))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<testsuites><testsuite name="oso-conformance"'
            f' tests="{len(cases)}" failures="{failures}" errors="{1 if summary.get("error") else 0}">'
            + "".join(cases) + "</testsuite></testsuites>\n")


def write_reports(folder: str | Path, scenarios: list[dict], sut: dict | None = None, *,
                  error: str | None = None) -> dict:
    """Write summary.json and report.html (and junit.xml when missing); return the summary."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    summary = summarize(scenarios, sut, error=error)
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
    (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    (folder / "report.html").write_text(render_html(summary, scenarios, messages), encoding="utf-8")
    junit = folder / "junit.xml"
    if not junit.exists() or junit.stat().st_size == 0:
        junit.write_text(minimal_junit(summary), encoding="utf-8")
    return summary
