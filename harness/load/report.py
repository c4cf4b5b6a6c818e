"""Locust's CSV files read back, the thresholds of the configuration applied, and a Dutch HTML
summary with p50/p95/p99 per step and a plot over time (an SVG of our own, no plotting library)."""
from __future__ import annotations

import csv
import html
from dataclasses import dataclass, field
from pathlib import Path

from oso_protocol.pgn_scan import mask_text


@dataclass
class Step:
    soort: str
    naam: str
    aantal: int
    fouten: int
    p50: float
    p95: float
    p99: float
    max: float
    per_seconde: float


@dataclass
class Outcome:
    steps: list[Step]
    totaal: Step | None
    history: list[dict]
    controle: dict = field(default_factory=dict)   # figures of the run-wide checks
    bevindingen: list[str] = field(default_factory=list)   # run-wide check findings
    overschrijdingen: list[str] = field(default_factory=list)   # thresholds not met
    locust_fouten: list[str] = field(default_factory=list)
    looptijd_s: float = 0.0   # seconds the Locust run took, start to end

    @property
    def verzoeken(self) -> int:
        return self.totaal.aantal if self.totaal else sum(s.aantal for s in self.steps)

    @property
    def per_seconde(self) -> float:
        """Requests per second over the whole run: every request counted, divided by the run's
        seconds (Locust's own figure is a recent window and reads 0 after a short run)."""
        return per_second(self.verzoeken, self.looptijd_s)

    @property
    def fouten(self) -> int:
        return (self.totaal.fouten if self.totaal else 0) + len(self.bevindingen)

    @property
    def geslaagd(self) -> bool:
        return not self.overschrijdingen


def per_second(requests: int, seconds: float) -> float:
    """`requests` spread over `seconds`; a run shorter than a millisecond counts as one, so a
    run that made requests never reads 0."""
    if requests <= 0:
        return 0.0
    return requests / max(seconds, 0.001)


def over_whole_run(outcome: Outcome, seconds: float) -> Outcome:
    """Set each step's rate, and the total's, to its requests over the whole run."""
    outcome.looptijd_s = seconds
    for s in [*outcome.steps, *([outcome.totaal] if outcome.totaal else [])]:
        s.per_seconde = per_second(s.aantal, seconds)
    return outcome


def _f(row: dict, key: str) -> float:
    try:
        return float(row.get(key) or 0)
    except ValueError:
        return 0.0


def read_stats(prefix: Path) -> tuple[list[Step], Step | None]:
    path = Path(f"{prefix}_stats.csv")
    if not path.is_file():
        return [], None
    steps, total = [], None
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            s = Step(row["Type"], row["Name"], int(_f(row, "Request Count")), int(_f(row, "Failure Count")),
                     _f(row, "50%"), _f(row, "95%"), _f(row, "99%"), _f(row, "Max Response Time"),
                     _f(row, "Requests/s"))
            if row["Name"] == "Aggregated":
                total = s
            else:
                steps.append(s)
    return steps, total


def read_history(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_stats_history.csv")
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return [{"t": int(_f(r, "Timestamp")), "users": _f(r, "User Count"), "rps": _f(r, "Requests/s"),
                 "fps": _f(r, "Failures/s"), "p50": _f(r, "50%"), "p95": _f(r, "95%")}
                for r in csv.DictReader(fh) if r.get("Name") == "Aggregated"]


def read_failures(prefix: Path, limit: int = 20) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: -int(r.get("Occurrences") or 0))
    # an error text may quote a message of the system under load: no pupil number leaves it
    return [mask_text(f"{r.get('Occurrences')}x {r.get('Name')}: {r.get('Error')}") for r in rows][:limit]


def judge(outcome: Outcome, *, p95_ms: float | None, p99_ms: float | None, max_fouten: int) -> Outcome:
    timed = [s for s in outcome.steps if s.soort != "CONTROLE"]
    if not timed or sum(s.aantal for s in timed) == 0:
        outcome.overschrijdingen.append("geen enkele stap gemeten: de belasting liep niet")
    for s in timed:
        if p95_ms is not None and s.p95 > p95_ms:
            outcome.overschrijdingen.append(f"{s.naam}: p95 {s.p95:.0f} ms boven de grens van {p95_ms:.0f} ms")
        if p99_ms is not None and s.p99 > p99_ms:
            outcome.overschrijdingen.append(f"{s.naam}: p99 {s.p99:.0f} ms boven de grens van {p99_ms:.0f} ms")
    if outcome.fouten > max_fouten:
        outcome.overschrijdingen.append(f"{outcome.fouten} fouten, toegestaan {max_fouten}")
    return outcome


def svg_plot(history: list[dict], width: int = 760, height: int = 260) -> str:
    """p50 and p95 (left axis, ms) and requests per second (right axis) over the run."""
    if len(history) < 2:
        return "<p>Te weinig meetpunten voor een grafiek.</p>"
    t0 = history[0]["t"]
    xs = [h["t"] - t0 for h in history]
    xmax = max(xs) or 1
    ms_max = max(max(h["p95"] for h in history), 1.0)
    rps_max = max(max(h["rps"] for h in history), 1.0)
    left, right, top, bottom = 56, 56, 16, 36
    pw, ph = width - left - right, height - top - bottom

    def pts(key: str, scale: float) -> str:
        return " ".join(f"{left + pw * x / xmax:.1f},{top + ph * (1 - h[key] / scale):.1f}"
                        for x, h in zip(xs, history))

    ticks = "".join(
        f'<text x="{left - 6}" y="{top + ph * (1 - f) + 4:.0f}" text-anchor="end">{ms_max * f:.0f}</text>'
        f'<text x="{left + pw + 6}" y="{top + ph * (1 - f) + 4:.0f}">{rps_max * f:.1f}</text>'
        f'<line x1="{left}" x2="{left + pw}" y1="{top + ph * (1 - f):.0f}" y2="{top + ph * (1 - f):.0f}"'
        ' stroke="#ddd"/>' for f in (0, 0.25, 0.5, 0.75, 1))
    xt = "".join(f'<text x="{left + pw * f:.0f}" y="{top + ph + 16}" text-anchor="middle">{xmax * f:.0f} s</text>'
                 for f in (0, 0.25, 0.5, 0.75, 1))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
            f' font-family="sans-serif" font-size="11" role="img" aria-label="Verloop van de run">'
            f'{ticks}{xt}'
            f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{pts("p50", ms_max)}"/>'
            f'<polyline fill="none" stroke="#d62728" stroke-width="2" points="{pts("p95", ms_max)}"/>'
            f'<polyline fill="none" stroke="#2ca02c" stroke-width="2" stroke-dasharray="4 3"'
            f' points="{pts("rps", rps_max)}"/>'
            f'<text x="{left}" y="{height - 4}">ms (links): <tspan fill="#1f77b4">p50</tspan>,'
            f' <tspan fill="#d62728">p95</tspan>; rechts: <tspan fill="#2ca02c">verzoeken per seconde</tspan>'
            f'</text></svg>')


def write_html(path: Path, outcome: Outcome, *, titel: str, instellingen: dict, locust_html: str | None) -> Path:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(s.naam)}</td><td>{s.aantal}</td><td>{s.fouten}</td><td>{s.p50:.0f}</td>"
        f"<td>{s.p95:.0f}</td><td>{s.p99:.0f}</td><td>{s.max:.0f}</td><td>{s.per_seconde:.1f}</td></tr>"
        for s in outcome.steps)
    oordeel = "geslaagd" if outcome.geslaagd else "mislukt"
    lijst = lambda items: "<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>" if items else "<p>Geen.</p>"
    inst = "".join(f"<tr><th>{e(k)}</th><td>{e('geen grens' if v is None else str(v))}</td></tr>"
                   for k, v in instellingen.items())
    ctrl = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in outcome.controle.items())
    link = f'<p>Het volledige Locust-rapport: <a href="{e(locust_html)}">{e(locust_html)}</a></p>' if locust_html else ""
    path.write_text(f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{e(titel)}</title>
<style>body{{font-family:sans-serif;max-width:62rem;margin:1.5rem auto;padding:0 1rem}}
table{{border-collapse:collapse;margin:.5rem 0}}td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}}
td:not(:first-child){{text-align:right}}.geslaagd{{color:#1a7f37}}.mislukt{{color:#b00020}}</style></head>
<body><h1>{e(titel)}</h1>
<p class="{oordeel}"><strong>Oordeel: {oordeel}</strong></p>
<h2>Instellingen</h2><table>{inst}</table>
<p>Verzoeken: {outcome.verzoeken} in {outcome.looptijd_s:.1f} s,
{outcome.per_seconde:.1f} per seconde over de hele run</p>
<h2>Looptijden per stap (ms)</h2>
<table><tr><th>Stap</th><th>Aantal</th><th>Fouten</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>per s</th></tr>
{rows}</table>
<h2>Verloop</h2>{svg_plot(outcome.history)}
<h2>Controle over de hele run</h2><table>{ctrl}</table>{lijst(outcome.bevindingen)}
<h2>Grenzen overschreden</h2>{lijst(outcome.overschrijdingen)}
<h2>Fouten volgens Locust</h2>{lijst(outcome.locust_fouten)}
{link}</body></html>
""", encoding="utf-8")
    return path
