"""Where each actor spends its time during a bounded exchange run: py-spy attached to each process.

Starts TC, LAS and SWV as three processes, attaches `py-spy record` (raw collapsed stacks) to each,
runs `--count` complete exchanges with `--parallel` in flight, and prints per actor the functions
with the most samples taken while holding the GIL (so CPU, not waiting), inclusive ("in the
stack") and exclusive ("on top"). Own code only is shown inclusively, so the table names the
project's plumbing rather than the interpreter's internals.

    .venv/bin/pip install py-spy        # a developer tool, not a dependency of oso-sim
    .venv/bin/python benchmarks/profile_actors.py [--count 200] [--parallel 8] [--top 15]
"""
from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.runtime.exchange import ExchangeDriver
from harness.runtime.processes import start_three

OWN = ("actor_kit/", "las_client/", "oso_mock/", "swv_mock/", "oso_protocol/", "harness/")


def _frames(stack: str) -> list[str]:
    return [f for f in stack.split(";") if f]


def summarise(raw: Path, top: int) -> list[str]:
    incl, excl, total = collections.Counter(), collections.Counter(), 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        n = int(n)
        total += n
        frames = _frames(stack)
        if frames:
            excl[frames[-1]] += n
        for f in set(frames):
            if any(o in f for o in OWN):
                incl[f] += n
    out = [f"  samples: {total}", "  in the stack (own code):"]
    out += [f"    {100 * c / max(total, 1):5.1f}%  {f}" for f, c in incl.most_common(top)]
    out += ["  on top (any code):"]
    out += [f"    {100 * c / max(total, 1):5.1f}%  {f}" for f, c in excl.most_common(top)]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--parallel", type=int, default=8)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--no-gil", action="store_true",
                    help="sample every thread that is not idle, not only the one holding the GIL:"
                         " counts the work done with the GIL released too (SQLite, lxml, sockets)")
    args = ap.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy ontbreekt: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        procs = start_three(Path(tmp))
        spies = {}
        try:
            driver = ExchangeDriver({r: p.url for r, p in procs.items()})
            targets = driver.mandated_targets()
            driver.run_many(4, parallel=2, targets=targets)   # warm-up outside the profile
            for role, p in procs.items():
                out = Path(tmp) / f"{role}.txt"
                spies[role] = (out, subprocess.Popen(
                    [spy, "record", "--format", "raw", "--rate", "200", "--nonblocking",
                     *([] if args.no_gil else ["--gil"]), "-o", str(out), "-p", str(p.proc.pid)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            time.sleep(1.0)   # let py-spy attach before the measured exchanges start
            t = time.perf_counter()
            res = driver.run_many(args.count, parallel=args.parallel, targets=targets)
            secs = time.perf_counter() - t
        finally:
            for _, sp in spies.values():
                sp.send_signal(2)
            for _, sp in spies.values():
                try:
                    sp.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    sp.kill()
            for p in procs.values():
                p.stop()
        ok = sum(r.completed for r in res)
        print(f"{ok}/{args.count} exchanges in {secs:.2f} s ({ok / secs:.1f}/s, "
              f"{args.parallel} in flight)")
        for role, (out, _) in spies.items():
            print(f"--- {role}")
            if out.exists():
                print("\n".join(summarise(out, args.top)))
            else:
                print("  py-spy wrote no profile (ptrace not allowed?)")
    return 0 if ok == args.count else 1


if __name__ == "__main__":
    raise SystemExit(main())
