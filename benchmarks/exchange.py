"""Complete exchanges per second over loopback HTTP, sequential and 8 in flight.

Compares one exchange with nine bare HTTP round trips to the same kind of server, so the figure
says how much of an exchange is protocol work (XML, schema checks, SQLite, dossier building and
validation) rather than HTTP itself.

    .venv/bin/python benchmarks/exchange.py [--count 40] [--parallel 8]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from contextlib import contextmanager

from actor_kit.http_session import Session
from harness.runtime.actors import Actors
from harness.runtime.exchange import ExchangeDriver
from harness.runtime.processes import start_three


def bare_round_trips(url: str, n: int = 200) -> float:
    s = Session()
    s.get(url, timeout=5)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        s.get(url, timeout=5)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


@contextmanager
def actor_urls(processes: bool):
    if not processes:
        with Actors() as actors:
            yield actors.urls
        return
    with tempfile.TemporaryDirectory() as tmp:
        procs = start_three(tmp)
        try:
            yield {role: p.url for role, p in procs.items()}
        finally:
            for p in procs.values():
                p.stop()


def run(processes: bool, count: int, parallel: int) -> bool:
    label = "three processes" if processes else "one process (threads)"
    print(f"--- actors in {label}")
    with actor_urls(processes) as urls:
        driver = ExchangeDriver(urls)
        targets = driver.mandated_targets()
        driver.run_many(2, targets=targets)  # warm-up: schema compiles, connections
        bare_ms = bare_round_trips(urls["las"] + "/api/health")

        t = time.perf_counter()
        seq = driver.run_many(count, parallel=1, targets=targets)
        seq_s = time.perf_counter() - t
        seq_ms = statistics.median(r.ms for r in seq)

        t = time.perf_counter()
        par = driver.run_many(count, parallel=parallel, targets=targets)
        par_s = time.perf_counter() - t

    ok_seq = sum(r.completed for r in seq)
    ok_par = sum(r.completed for r in par)
    print(f"bare HTTP round trip (median)        {bare_ms:8.2f} ms")
    print(f"nine bare round trips                {9 * bare_ms:8.2f} ms")
    print(f"one exchange, sequential (median)    {seq_ms:8.2f} ms  "
          f"= {seq_ms / (9 * bare_ms):.1f}x nine round trips (target <= 4x)")
    print(f"sequential: {ok_seq}/{count} in {seq_s:.2f} s -> {ok_seq / seq_s:6.1f} exchanges/s")
    print(f"{parallel} in flight: {ok_par}/{count} in {par_s:.2f} s -> "
          f"{ok_par / par_s:6.1f} exchanges/s (target >= 60 with three processes)")
    return ok_seq == ok_par == count


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--mode", choices=["threads", "processes", "both"], default="both")
    args = ap.parse_args()
    ok = True
    if args.mode in ("threads", "both"):
        ok &= run(False, args.count, args.parallel)
    if args.mode in ("processes", "both"):
        ok &= run(True, args.count, args.parallel)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
