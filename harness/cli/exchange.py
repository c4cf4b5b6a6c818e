"""`oso-sim exchange --count N [--json]`: N complete exchanges over real loopback HTTP."""
from __future__ import annotations

import json
import sys
import time

from actor_kit.pki import PkiError

from harness.runtime.actors import Actors
from harness.runtime.exchange import ExchangeDriver, ExchangeFailed
from harness.runtime.scenario import ScenarioError, load_scenario


def add_arguments(p):
    p.add_argument("--count", type=int, default=1, help="aantal uitwisselingen (standaard 1)")
    p.add_argument("--parallel", type=int, default=1, help="gelijktijdige uitwisselingen")
    p.add_argument("--json", action="store_true", help="een JSON-object als uitvoer")
    p.add_argument("--scenario", help="scenariobestand (standaard fixtures/default.yaml)")
    p.add_argument("--workdir", help="map voor de databases (standaard tijdelijk)")
    p.add_argument("--tls", nargs="?", const=True, default=None, metavar="MAP",
                   help="wederzijdse TLS: PKI-map van 'oso-sim pki init' (zonder MAP: een nieuwe"
                        " test-PKI in de werkmap)")


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
    started = time.perf_counter()
    actors = Actors(scenario=scenario, workdir=args.workdir, tls=args.tls)
    try:
        actors.start()
    except PkiError as exc:
        actors.stop()
        print(f"oso-sim exchange: {exc}", file=sys.stderr)
        return 2
    try:
        driver = ExchangeDriver(actors.urls, tls=actors.client_tls)
        printer = None if args.json else (lambda n, r: _print_timeline(n, r, sys.stdout))
        try:
            results = driver.run_many(args.count, parallel=args.parallel, on_result=printer)
        except ExchangeFailed as exc:
            print(f"oso-sim exchange: {exc}", file=sys.stderr)
            return 1
    finally:
        actors.stop()
    seconds = time.perf_counter() - started
    completed = sum(r.completed for r in results)
    if args.json:
        print(json.dumps({"requested": args.count, "completed": completed,
                          "seconds": round(seconds, 3),
                          "exchanges": [r.to_dict() for r in results]}, indent=2))
    else:
        print(f"{completed}/{args.count} uitwisselingen voltooid in {seconds:.2f} s")
    return 0 if completed == args.count else 1
