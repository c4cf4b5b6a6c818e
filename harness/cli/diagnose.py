"""`oso-sim diagnose FILE... [--format text|json]`: what is wrong with a captured SOAP message or
dossier, offline: the operation (or the nearest one), the vocabulary version found and expected,
and per field what was expected and what came (oso_protocol.diagnosis, rules in docs/diagnose.md).

Exit codes (docs/architecture.md): 0 every file is a correct message or dossier, 1 at least one
is not, 2 a file cannot be read or the call is wrong.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_CORRECT, EXIT_WRONG, EXIT_UNREADABLE = 0, 1, 2
STDIN = "-"
MAX_BYTES = 64 * 1024 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="opgevangen SOAP-bericht of dossier; '-' leest van standaardinvoer")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="uitvoer voor mensen (text, standaard) of voor programma's (json)")


def _read(name: str) -> bytes:
    if name == STDIN:
        return sys.stdin.buffer.read(MAX_BYTES + 1)
    path = Path(name)
    if path.stat().st_size > MAX_BYTES:
        raise OSError(f"groter dan {MAX_BYTES} bytes")
    return path.read_bytes()


def run(args) -> int:
    from oso_protocol.diagnosis import diagnose

    if args.files.count(STDIN) > 1:
        print("oso-sim diagnose: fout: '-' (standaardinvoer) kan maar één keer", file=sys.stderr)
        return EXIT_UNREADABLE
    results, unreadable = [], False
    for name in args.files:
        try:
            data = _read(name)
        except OSError as exc:
            print(f"oso-sim diagnose: fout: {name} is niet te lezen ({getattr(exc, 'strerror', None) or exc})",
                  file=sys.stderr)
            unreadable = True
            continue
        results.append((name, diagnose(data)))
    if args.format == "json":
        json.dump([dict(d.to_dict(), bestand=name) for name, d in results], sys.stdout, ensure_ascii=False,
                  indent=2)
        sys.stdout.write("\n")
    else:
        for i, (name, d) in enumerate(results):
            if i:
                print()
            print(f"== {name}")
            print(d.text())
    if unreadable:
        return EXIT_UNREADABLE
    return EXIT_CORRECT if all(d.correct for _n, d in results) else EXIT_WRONG
