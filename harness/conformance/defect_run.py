"""Plays every defect of the catalogue (harness.conformance.defects) as an external system under test and
records which scenarios caught it: the proof that the conformance suite can fail, one rule at a
time. Also plays the correct LAS and SWV, which must get geslaagd.

Used by scripts/defect_table.py (writes the table in docs/conformance.md) and by the slow test
tests/test_defects_caught.py.
"""
from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from harness.conformance.defects import CATALOGUS, Defect
from harness.conformance.outcomes import NO_TLS_REASON
from harness.conformance.sut_play import play, play_simulated


@dataclass
class Played:
    rol: str
    defect: Defect | None          # None: the correct system
    verdict: str
    failed: set[str] = field(default_factory=set)
    niet_geverifieerd: set[str] = field(default_factory=set)
    seconds: float = 0.0
    tls: bool = False
    failed_mandatory: set[str] = field(default_factory=set)
    summary: dict = field(default_factory=dict)   # summary.json as written
    report: Path | None = None                    # the report folder, while the workdir lives
    progress: str = ""                            # what the run printed on stderr, line per scenario

    @property
    def caught(self) -> bool:
        """Caught: verdict mislukt, and every scenario meant to catch it failed."""
        return (self.defect is not None and self.verdict == "mislukt"
                and set(self.defect.scenarios) <= self.failed)

    @property
    def exact(self) -> bool:
        """The mandatory scenarios that failed are exactly those meant to catch the defect:
        the rest passed (or did not apply)."""
        return self.defect is not None and self.failed_mandatory == set(self.defect.scenarios)

    @property
    def extra(self) -> set[str]:
        return self.failed - set(self.defect.scenarios if self.defect else ())


def play_one(rol: str, defect: Defect | None, workdir: Path, tls: bool = False) -> Played:
    if rol == "tc":  # no vendor plays the TC: the simulated one is broken in a self-test
        run = play_simulated(rol, workdir, [defect.naam])
    else:
        run = play(rol, workdir, [defect.naam] if defect else [], tls=tls or bool(defect and defect.tls))
    scenarios = run.summary.get("scenarios", [])
    # over plain HTTP the identity scenarios cannot be checked by design (NO_TLS_REASON): they
    # are counted apart, so what is left are the scenarios a fault kept from being checked
    return Played(rol, defect, run.summary.get("verdict", "fout"), run.failed(),
                  {s.get("template") or s["name"] for s in scenarios if s["outcome"] == "niet geverifieerd"
                   and "optional" not in s.get("tags", []) and not s.get("reden", "").startswith(NO_TLS_REASON)},
                  run.seconds, tls or bool(defect and defect.tls),
                  {s.get("template") or s["name"] for s in scenarios if s["outcome"] == "mislukt"
                   and "optional" not in s.get("tags", [])}, run.summary, workdir / "rapport", run.stderr)


def play_catalogue(workers: int = 2, only: list[str] | None = None, workdir: Path | None = None) -> list[Played]:
    """The correct LAS and SWV first, then every defect (or those named in `only`). With
    `workdir` the runs' folders (reports and all) stay there; else they are removed."""
    jobs: list[tuple[str, Defect | None, bool]] = [("las", None, False), ("swv", None, False),
                                                   ("las", None, True), ("swv", None, True)]
    jobs += [(d.rol, d, d.tls) for d in CATALOGUS if not only or d.naam in only or d.sleutel in only]
    with (nullcontext(str(workdir)) if workdir else tempfile.TemporaryDirectory(prefix="oso-defecten-")) as tmp, \
            ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(play_one, rol, d, Path(tmp) / f"{i:02d}-{rol}-{d.naam if d else 'correct'}", tls)
                   for i, (rol, d, tls) in enumerate(jobs)]
        return [f.result() for f in futures]


def markdown(results: list[Played]) -> str:
    defects = [r for r in results if r.defect is not None]
    caught = sum(r.caught for r in defects)
    exact = sum(r.caught and r.exact for r in defects)
    lines = [f"Score: **{caught}/{len(defects)}** defects caught, {exact} of them by exactly the mandatory"
             " scenarios meant to catch them (every other mandatory scenario passed or did not apply)."
             " Correct systems as external SUT: "
             + ", ".join(f"{r.rol.upper()}{' over TLS' if r.tls else ''} `{r.verdict}`"
                         for r in results if r.defect is None) + ".",
             "", "| role | defect | what it breaks | verdict | scenarios that failed | caught | only these |",
             "|---|---|---|---|---|---|---|"]
    for r in defects:
        failed = "; ".join(sorted(r.failed)) or "-"
        where = " (gesimuleerd)" if r.rol == "tc" else " (TLS)" if r.tls else ""
        lines.append(f"| {r.rol.upper()}{where} | `{r.defect.naam}` | {r.defect.beschrijving} | {r.verdict}"
                     f" | {failed} | {'yes' if r.caught else '**no**'} | {'yes' if r.exact else '**no**'} |")
    return "\n".join(lines)
