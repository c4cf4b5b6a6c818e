"""Wall time of the conformance suite against the simulated actors.

    python benchmarks/conformance.py [--parallel N] [--tags EXPR]

Prints the wall time, the number of scenarios and scenarios per second. Target: the whole
mandatory set under 60 s on a 2-core machine.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--parallel", type=int, default=os.cpu_count() or 1)
    p.add_argument("--tags", default="mandatory")
    args = p.parse_args()
    with tempfile.TemporaryDirectory(prefix="oso-conf-bench-") as tmp:
        cmd = [sys.executable, "-m", "harness.cli", "conformance", "--report", tmp, "--tags", args.tags]
        if args.parallel > 1:
            cmd += ["--parallel", str(args.parallel)]
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - started
        summary = json.loads((Path(tmp) / "summary.json").read_text())
    n = len(summary["scenarios"])
    print(f"scenario's: {n} ({args.tags}, parallel {args.parallel})")
    print(f"wandkloktijd: {wall:.1f} s, {n / wall:.2f} scenario's per seconde")
    print(f"oordeel: {summary['verdict']} (verplicht {summary['mandatory']}, optioneel {summary['optional']})")
    return 0 if done.returncode in (0, 1) else done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
