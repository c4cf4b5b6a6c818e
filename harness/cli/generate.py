"""`oso-sim generate`: synthetic aanvraag SWV-dossiers, built by the LAS's own builder.

Same arguments, same bytes: pupils come from the seed and the dossier date is fixed to the
synthetic reference date.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

from oso_protocol.dossier.builder import build_dossier
from oso_protocol.dossier.categories import PROFILES
from oso_protocol.synthetic import REFERENTIEDATUM, make_leerling, make_school, make_zorgvraag


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", required=True, choices=PROFILES, help="POSWV of VOSWV")
    parser.add_argument("--count", type=int, default=1, help="aantal dossiers (standaard 1)")
    parser.add_argument("--seed", type=int, default=0, help="zaadwaarde; zelfde zaad, zelfde bytes")
    parser.add_argument("--out", required=True, help="map waarin de dossiers komen")


def generate(profile: str, count: int, seed: int, out: Path) -> list[Path]:
    rng = random.Random(f"generate:{seed}:{profile}")
    school = make_school(rng, profile)
    written = []
    for i in range(1, count + 1):
        leerling = make_leerling(rng, profile, school=school)
        xml = build_dossier(leerling, school, datum=REFERENTIEDATUM, **make_zorgvraag(rng, leerling, profile))
        path = out / f"{profile}_{i:04d}.xml"
        path.write_bytes(xml)
        written.append(path)
    return written


def run(args) -> int:
    if args.count < 1:
        print(f"oso-sim generate: fout: --count moet minstens 1 zijn (gekregen: {args.count})", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"oso-sim generate: fout: kan map {out} niet aanmaken: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if not out.is_dir() or not os.access(out, os.W_OK):
        print(f"oso-sim generate: fout: map {out} is niet beschrijfbaar", file=sys.stderr)
        return 2
    try:
        written = generate(args.profile, args.count, args.seed, out)
    except OSError as exc:
        print(f"oso-sim generate: fout: schrijven in {out} mislukt: {exc.strerror or exc}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    print(f"{len(written)} {args.profile}-dossier(s) geschreven naar {out}")
    return 0
