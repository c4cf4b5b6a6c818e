"""`oso-sim verify-bundle FILE.zip`: is this evidence bundle intact, and do the facts the raw
messages show agree with the report inside it? Offline: nothing is fetched or started.

Exit codes: 0 intact and consistent; 1 a member changed, missing or extra, or the report
contradicts what the messages show; 2 the file cannot be read as a bundle.
"""
from __future__ import annotations

import sys
from pathlib import Path

from harness.evidence import bundle


def add_arguments(p):
    p.description = ("Controleert een bewijspakket van oso-sim conformance --bundle: de SHA-256 van elk"
                     " bestand, dat er niets ontbreekt of bij is gekomen, en per scenario wat uit de"
                     " ruwe berichten opnieuw is af te leiden (dossiervalidatie, PGN-scan) tegen wat het"
                     " rapport zegt. Werkt offline.")
    p.add_argument("pakket", metavar="BESTAND.zip", help="het bewijspakket")
    p.add_argument("--manifest-sha256", metavar="HEX",
                   help="de SHA-256 van manifest.json zoals bij het maken gemeld; een ander manifest"
                        " betekent een ander pakket, ook als alle controlesommen erin kloppen")


def run(args) -> int:
    path = Path(args.pakket)
    print(f"Bewijspakket: {path}")
    try:
        result = bundle.verify(path)
    except bundle.Unreadable as exc:
        print(f"Bewijspakket onleesbaar: {exc}", file=sys.stderr)
        return bundle.EXIT_UNREADABLE
    except OSError as exc:
        print(f"Bewijspakket onleesbaar: {path}: {exc.strerror or exc}", file=sys.stderr)
        return bundle.EXIT_UNREADABLE
    digest = result.manifest_sha256
    if digest:
        print(f"SHA-256 van manifest.json: {digest}")
    expected = (getattr(args, "manifest_sha256", None) or "").strip().lower()
    if expected and digest != expected:
        result.problem(f"manifest.json heeft SHA-256 {digest}, verwacht {expected}")
    elif expected:
        result.lines.insert(0, "manifest.json is het gemelde manifest (SHA-256 gelijk)")
    for line in result.lines:
        print(line)
    if result.intact:
        print("Bewijspakket intact")
        return bundle.EXIT_INTACT
    more = f" (en {len(result.problems) - 3} meer)" if len(result.problems) > 3 else ""
    print("Bewijspakket NIET intact: " + "; ".join(result.problems[:3]) + more)
    return bundle.EXIT_NOT_INTACT
