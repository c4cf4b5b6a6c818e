"""`oso-sim validate FILE... [--format text|json]`: check aanvraag SWV-dossiers.

Exit codes (docs/architecture.md): 0 every file is a valid dossier, 1 at least one has errors
("fout" findings; warnings alone keep 0), 2 a file cannot be read or the call is wrong. An
unreadable file wins over findings in other files: the run did not check everything asked.
"""
from __future__ import annotations

import argparse
import json
import sys

from oso_protocol.dossier import validate
from oso_protocol.dossier.findings import FOUT, LAYER_PROJECT, LAYERS, WAARSCHUWING, Finding, Report
from oso_protocol.xmlsafe import DEFAULT_MAX_BYTES

EXIT_VALID, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2
STDIN = "-"

LAYER_TITLES = {
    "xsd": "Schema (xsd): structuur, volgorde, verplichte velden en typen",
    "standard": "Standaard (standard): bedrijfsregels van de OSO gegevensset 2019.1",
    "project": "Project (project): strengere procesregels van oso-sim, buiten de standaard",
}
LAYER_SHORT = {"xsd": "schema", "standard": "standaard", "project": "project"}
# Findings that end validation early; their presence means nothing else was looked at.
_STOPPERS = {"OSS.NS01", "OG.02", "OSS.XML01"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="dossierbestand(en); '-' leest van standaardinvoer")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="uitvoer voor mensen (text, standaard) of voor programma's (json)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help=f"grootste toegestane bestand in bytes (standaard {DEFAULT_MAX_BYTES})")


def run(args) -> int:
    if args.max_bytes < 1:
        print(f"oso-sim validate: fout: --max-bytes moet minstens 1 zijn (gekregen: {args.max_bytes})",
              file=sys.stderr)
        return EXIT_UNREADABLE
    if args.files.count(STDIN) > 1:
        print("oso-sim validate: fout: '-' (standaardinvoer) kan maar één keer", file=sys.stderr)
        return EXIT_UNREADABLE
    _tolerant_output()
    reports = [_validate_one(f, args.max_bytes) for f in args.files]
    try:
        if args.format == "json":
            json.dump([r.to_dict() for r in reports], sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            for i, r in enumerate(reports):
                if i:
                    print()
                _print_text(r)
            if len(reports) > 1:
                print()
                print(_summary(reports))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) left early; the exit code still tells the outcome.
        _silence_stdout()
    return exit_code(reports)


def exit_code(reports: list[Report]) -> int:
    if any(not r.readable for r in reports):
        return EXIT_UNREADABLE
    if any(not r.valid for r in reports):
        return EXIT_FINDINGS
    return EXIT_VALID


def _validate_one(name: str, max_bytes: int) -> Report:
    try:
        if name == STDIN:
            report = validate(sys.stdin.buffer.read(max_bytes + 1), max_bytes=max_bytes)
            report.source = "<stdin>"
            return report
        return validate(name, max_bytes=max_bytes)
    except Exception as exc:  # a validator bug must read as a clear message, never a traceback
        # [choice] an internal failure is reported like an unreadable file (exit 2: this file was
        # not checked), under an id outside the rule catalogue because it is no rule.
        finding = Finding("OSS.INTERN", LAYER_PROJECT, FOUT, "/",
                          f"De validatie zelf faalde ({type(exc).__name__}: {exc}). Dit is een fout "
                          "in oso-sim, niet in het dossier.")
        return Report(findings=[finding], source=name, readable=False)


# --- text output ----------------------------------------------------------------------------------

def _print_text(r: Report) -> None:
    profiel = f" (profiel {r.profile})" if r.profile else ""
    print(f"== {r.source}{profiel}")
    for layer in LAYERS:
        found = r.by_layer(layer)
        if not found:
            continue
        print(f"[{layer}] {LAYER_TITLES[layer]}")
        width = max(len(f.rule) for f in found)
        for f in found:
            print(f"  {f.severity:<12} {f.rule:<{width}}  {f.location}")
            print(f"  {'':<12} {'':<{width}}  {f.message}")
    print(verdict(r))


def verdict(r: Report) -> str:
    """The one-line Dutch judgement on one report."""
    if not r.readable:
        return "Oordeel: ONLEESBAAR - het bestand is niet als dossier te lezen; niets gecontroleerd."
    fouten = [f for f in r.findings if f.severity == FOUT]
    waarschuwingen = sum(1 for f in r.findings if f.severity == WAARSCHUWING)
    extra = f", {waarschuwingen} waarschuwing{'en' if waarschuwingen != 1 else ''}" if waarschuwingen else ""
    soort = f" {r.profile}-dossier" if r.profile else " dossier"
    if not fouten:
        return f"Oordeel: GELDIG{soort} - geen fouten{extra}."
    per_layer = ", ".join(f"{LAYER_SHORT[layer]} {n}" for layer in LAYERS
                          if (n := sum(1 for f in fouten if f.layer == layer)))
    gestopt = " Verdere controles overgeslagen." if r.rules() & _STOPPERS else ""
    return (f"Oordeel: ONGELDIG{soort} - {len(fouten)} fout{'en' if len(fouten) != 1 else ''} "
            f"({per_layer}){extra}.{gestopt}")


def _summary(reports: list[Report]) -> str:
    geldig = sum(1 for r in reports if r.valid)
    onleesbaar = sum(1 for r in reports if not r.readable)
    ongeldig = len(reports) - geldig - onleesbaar
    return (f"{len(reports)} bestanden: {geldig} geldig, {ongeldig} ongeldig, "
            f"{onleesbaar} onleesbaar.")


def _tolerant_output() -> None:
    # Dutch messages carry letters such as "é"; a terminal with a narrow encoding must get a
    # replacement character, not a UnicodeEncodeError halfway through a report.
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="replace")
        except (ValueError, OSError):
            pass


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
