"""Plays every defect of harness/conformance/defects.py as an external system under test and writes the table
"defect -> scenarios that catch it" into docs/conformance.md (between the defect-tabel markers).

    .venv/bin/python scripts/defect_table.py [--workers 2] [--only NAME ...] [--print]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.conformance.defect_run import markdown, play_catalogue  # noqa: E402

BEGIN, END = "<!-- defect-tabel:begin -->", "<!-- defect-tabel:end -->"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--only", nargs="*")
    p.add_argument("--print", action="store_true", help="alleen tonen, docs niet bijwerken")
    args = p.parse_args()
    started = time.monotonic()
    results = play_catalogue(args.workers, args.only)
    table = markdown(results)
    print(table)
    print(f"\n{time.monotonic() - started:.0f} s in totaal; per run: "
          + ", ".join(f"{r.defect.naam if r.defect else r.rol + ' correct'} {r.seconds:.0f} s" for r in results))
    if not args.print and not args.only:
        doc = ROOT / "docs" / "conformance.md"
        text = doc.read_text(encoding="utf-8")
        a, b = text.index(BEGIN) + len(BEGIN), text.index(END)
        doc.write_text(text[:a] + "\n" + table + "\n" + text[b:], encoding="utf-8")
    # a correct system over plain HTTP is onvolledig: its identity scenarios cannot be checked
    ok = all(r.caught and r.exact for r in results if r.defect) and all(
        r.verdict == ("geslaagd" if r.tls else "onvolledig") and not r.failed and not r.niet_geverifieerd
        for r in results if r.defect is None)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
