"""The `oso-sim` command line: this entry point, and one module per subcommand beside it (harness/cli/*.py).

Exit codes are a contract (docs/architecture.md): 0 success, 1 findings / failed run, 2 unreadable
input or a wrong call; `conformance` adds 3 (onvolledig: a mandatory scenario could not be
checked) and 4 (fout: the system under test did not answer or the run broke), docs/conformance.md.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from harness.cli import nl

# subcommand -> module that defines `add_arguments(parser)` and `run(args) -> int`
COMMANDS = {
    "validate": "harness.cli.validate",
    "generate": "harness.cli.generate",
    "exchange": "harness.cli.exchange",
    "serve": "harness.cli.serve",
    "demo": "harness.cli.demo",
    "zorgvraag": "harness.cli.zorgvraag",
    "conformance": "harness.cli.conformance",
    "pki": "harness.cli.pki",
    "swv": "harness.cli.swv",
    "verify-bundle": "harness.cli.verify_bundle",
    "load": "harness.cli.load",
    "testschool": "harness.cli.testschool",
    "diagnose": "harness.cli.diagnose",
}

HELP = {
    "validate": "valideer aanvraag SWV-dossiers (xsd, standaard, project)",
    "generate": "maak synthetische aanvraag SWV-dossiers",
    "exchange": "draai N volledige uitwisselingen over HTTP",
    "serve": "start een actor (tc, las of swv)",
    "demo": "start de drie actoren met een voorbereid scenario",
    "zorgvraag": "maak en verstuur zorgvragen bij een draaiende LAS",
    "conformance": "draai de conformiteitsscenario's en schrijf een rapport",
    "pki": "maak een test-PKI (CA en certificaten met OIN) voor wederzijdse TLS",
    "swv": "laat een draaiend SWV-systeem (van oso-sim) een terugkoppeling sturen of een aanvraag tonen",
    "verify-bundle": "controleer een bewijspakket van een conformiteitsrun, offline",
    "load": "belast een LAS of SWV met Locust en meet doorlooptijden",
    "testschool": "testschool voor SWV-leveranciers: elke situatie van de conformiteitstest als eigen stroom",
    "diagnose": "zeg wat er mis is met een opgevangen SOAP-bericht of dossier (versie, velden, regels)",
}


# shown under each command's --help: what a newcomer types first
VOORBEELDEN = {
    "validate": "oso-sim validate dossier.xml\noso-sim validate --format json dossiers/*.xml",
    "generate": "oso-sim generate --profile POSWV --count 10 --out dossiers/\n"
                "oso-sim generate --profile VOSWV --seed 7 --out vo/",
    "exchange": "oso-sim exchange --count 3",
    "serve": "oso-sim serve tc --port 8700\n"
             "oso-sim serve las --port 8701 --tc-url http://127.0.0.1:8700 --db las.sqlite",
    "demo": "oso-sim demo\noso-sim demo --step --voorbeeld\noso-sim demo --tls",
    "zorgvraag": "oso-sim zorgvraag list\n"
                 "oso-sim zorgvraag create --leerling 1 --omschrijving 'Hulp bij lezen'"
                 " --aanleverpunt 0000000700025PO00931 --toelichting toelichting.pdf",
    "conformance": "oso-sim conformance --report rapport\n"
                   "oso-sim conformance --report rapport --tags '@swv and @mandatory'\n"
                   "oso-sim conformance --config las.toml --report rapport --tls pki",
    "pki": "oso-sim pki init pki",
    "swv": "oso-sim swv --swv http://127.0.0.1:8702 terugkoppeling --koppelsleutel K --status Ontvangen",
    "verify-bundle": "oso-sim verify-bundle bewijs.zip",
    "load": "oso-sim load --duur 10 --gebruikers 4 --scholen 4 --report belasting\n"
            "oso-sim load --vorm las --gebruikers 20 --duur 30",
    "testschool": "oso-sim testschool --swv-url http://127.0.0.1:8702",
    "diagnose": "oso-sim diagnose bericht.xml\noso-sim diagnose --format json dossier.xml",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # usage errors exit 2, as argparse does, but say it in Dutch
        self.print_usage(sys.stderr)
        print(f"oso-sim: fout: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only`, just that command's module is imported and the
    others are listed by name; with `only=""` (no command given) every command is listed by
    name. Importing every command costs ~60 MiB (Flask, Faker, ...) and ~0.7 s, more than an
    offline check such as verify-bundle, or `oso-sim --help`, needs in all."""
    nl.install()
    parser = _Parser(prog="oso-sim", description="OSO zorgvraag-simulator en conformiteitsharnas",
                     epilog="Hulp per opdracht: oso-sim OPDRACHT --help. Uitleg: README.md en docs/.")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, title="opdrachten", metavar="OPDRACHT")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=HELP.get(name), description=HELP.get(name))
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # command not built in this checkout
            raise
        example = VOORBEELDEN.get(name)
        p = sub.add_parser(name, help=HELP.get(name), description=HELP.get(name),
                           epilog=("voorbeelden:\n  " + example.replace("\n", "\n  ")) if example else None,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    first = (sys.argv[1:] if argv is None else argv)[:1]
    parser = build_parser(only=first[0] if first and first[0] in COMMANDS else "")
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    try:
        return int(args._module.run(args) or 0)
    except KeyboardInterrupt:
        return 130

