"""`oso-sim exchange --count N [--parallel P] [--processes] [--json]`: N complete exchanges over
real loopback HTTP; with --processes the TC, LAS and SWV each run in a process of their own (as
`oso-sim serve` would start them), so the figures show what the machine can do rather than what
one Python process with three apps can."""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from actor_kit.pki import PkiError

from harness.runtime.actors import Actors
from harness.runtime.exchange import ExchangeDriver, ExchangeFailed
from harness.runtime.scenario import ScenarioError, load_scenario


def add_arguments(p):
    p.add_argument("--count", type=int, default=1, help="aantal uitwisselingen (standaard 1)")
    p.add_argument("--parallel", type=int, default=1, help="gelijktijdige uitwisselingen")
    p.add_argument("--json", action="store_true", help="een JSON-object als uitvoer")
    p.add_argument("--processes", action="store_true",
                   help="TC, LAS en SWV elk in een eigen proces (zoals oso-sim serve), niet samen in dit proces")
    p.add_argument("--scenario", help="scenariobestand (standaard fixtures/default.yaml)")
    p.add_argument("--workdir", help="map voor de databases (standaard tijdelijk)")
    p.add_argument("--tls", nargs="?", const=True, default=None, metavar="MAP",
                   help="wederzijdse TLS: PKI-map van 'oso-sim pki init' (zonder MAP: een nieuwe"
                        " test-PKI in de werkmap)")


class _Processes:
    """The three actors as processes, with the face of harness.runtime.actors.Actors."""

    client_tls = None

    def __init__(self, workdir: str | None):
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="oso-exchange-")
        self.workdir = Path(workdir or self._tmp.name)
        self.procs: dict = {}

    @property
    def urls(self) -> dict[str, str]:
        return {role: p.url for role, p in self.procs.items()}

    def start(self) -> None:
        from harness.runtime.processes import start_three

        self.workdir.mkdir(parents=True, exist_ok=True)
        self.procs = start_three(self.workdir)

    def stop(self) -> None:
        for p in self.procs.values():
            p.stop()
        if self._tmp is not None:
            self._tmp.cleanup()


def _print_timeline(n: int, res, out) -> None:
    mark = "voltooid" if res.completed else f"MISLUKT: {res.error}"
    print(f"Uitwisseling {n}: koppelsleutel {res.koppelsleutel or '-'} "
          f"({res.ms:.0f} ms) {mark}", file=out)
    for s in res.steps:
        print(f"  {s['from'] or '?':>3} -> {s['to']:<3} {s['operation']:<22} "
              f"{s['ms']:>7.1f} ms  {s['outcome']}", file=out)


def run(args) -> int:
    if args.count < 1 or args.parallel < 1:
        print("oso-sim exchange: --count en --parallel moeten minstens 1 zijn", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"oso-sim exchange: {exc}", file=sys.stderr)
        return 2
    if args.processes and (args.tls or args.scenario):
        print("oso-sim exchange: --processes gaat (nog) niet samen met --tls of --scenario", file=sys.stderr)
        return 2
    started = time.perf_counter()
    actors = _Processes(args.workdir) if args.processes else Actors(scenario=scenario, workdir=args.workdir,
                                                                        tls=args.tls)
    try:
        actors.start()
    except (PkiError, RuntimeError) as exc:
        actors.stop()
        print(f"oso-sim exchange: {exc}", file=sys.stderr)
        return 2
    try:
        driver = ExchangeDriver(actors.urls, tls=actors.client_tls)
        printer = None if args.json else (lambda n, r: _print_timeline(n, r, sys.stdout))
        try:
            run_started = time.perf_counter()
            results = driver.run_many(args.count, parallel=args.parallel, on_result=printer)
            run_seconds = time.perf_counter() - run_started
        except ExchangeFailed as exc:
            print(f"oso-sim exchange: {exc}", file=sys.stderr)
            return 1
    finally:
        actors.stop()
    seconds = time.perf_counter() - started
    completed = sum(r.completed for r in results)
    # the rate over the exchanges alone: starting the actors is not what the machine can do
    rate = completed / run_seconds if run_seconds > 0 else 0.0
    if args.json:
        print(json.dumps({"requested": args.count, "completed": completed,
                          "seconds": round(seconds, 3), "per_second": round(rate, 1),
                          "exchanges": [r.to_dict() for r in results]}, indent=2))
    else:
        print(f"{completed}/{args.count} uitwisselingen voltooid in {seconds:.2f} s"
              f" ({rate:.1f} per seconde, {args.parallel} tegelijk,"
              f" {'drie processen' if args.processes else 'één proces'})")
    return 0 if completed == args.count else 1
