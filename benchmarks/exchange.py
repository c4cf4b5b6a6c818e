"""Complete exchanges per second over loopback HTTP, sequential and 8 in flight.

Compares one exchange with nine bare HTTP round trips to the same kind of server, so the figure
says how much of an exchange is protocol work (XML, schema checks, SQLite, dossier building and
validation) rather than HTTP itself.

    .venv/bin/python benchmarks/exchange.py [--count 40] [--parallel 8]
"""
from __future__ import annotations

import argparse
import statistics
import time

import requests

from harness.actors import Actors
from harness.exchange import ExchangeDriver


def bare_round_trips(url: str, n: int = 200) -> float:
    s = requests.Session()
    s.get(url, timeout=5)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        s.get(url, timeout=5)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--parallel", type=int, default=8)
    args = ap.parse_args()
    with Actors() as actors:
        driver = ExchangeDriver(actors.urls)
        targets = driver.mandated_targets()
        driver.run_many(2, targets=targets)  # warm-up: schema compiles, connections
        bare_ms = bare_round_trips(actors.urls["las"] + "/api/health")

        t = time.perf_counter()
        seq = driver.run_many(args.count, parallel=1, targets=targets)
        seq_s = time.perf_counter() - t
        seq_ms = statistics.median(r.ms for r in seq)

        t = time.perf_counter()
        par = driver.run_many(args.count, parallel=args.parallel, targets=targets)
        par_s = time.perf_counter() - t

    ok_seq = sum(r.completed for r in seq)
    ok_par = sum(r.completed for r in par)
    print(f"bare HTTP round trip (median)        {bare_ms:8.2f} ms")
    print(f"nine bare round trips                {9 * bare_ms:8.2f} ms")
    print(f"one exchange, sequential (median)    {seq_ms:8.2f} ms  "
          f"= {seq_ms / (9 * bare_ms):.1f}x nine round trips (target < 5x)")
    print(f"sequential: {ok_seq}/{args.count} in {seq_s:.2f} s -> {ok_seq / seq_s:6.1f} exchanges/s")
    print(f"{args.parallel} in flight: {ok_par}/{args.count} in {par_s:.2f} s -> "
          f"{ok_par / par_s:6.1f} exchanges/s (target >= 30)")
    return 0 if ok_seq == ok_par == args.count else 1


if __name__ == "__main__":
    raise SystemExit(main())
