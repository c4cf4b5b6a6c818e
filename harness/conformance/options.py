"""The options of a conformance run that `oso-sim conformance` and the pytest plugin both offer
(the plugin with the prefix `--oso-`), and the --tls option every command that starts actors
shares, defined once so their meaning and Dutch help cannot drift apart."""
from __future__ import annotations

from collections.abc import Callable

# argparse's ArgumentParser.add_argument or pytest's OptionGroup.addoption: both take argparse's
# keywords
Add = Callable[..., object]

TLS_HELP = ("wederzijdse TLS zoals OSO: de gesimuleerde rollen en de harnas gebruiken de test-PKI in"
            " PKI-MAP (zonder map: een nieuwe in de rapportmap); het systeem onder test gebruikt zijn"
            " certificaat uit dezelfde PKI")


def add_tls(add: Add, flag: str = "--tls", *, metavar: str = "PKI-MAP", help: str = TLS_HELP) -> None:
    """--tls (a new test PKI) or --tls MAP (an existing one from `oso-sim pki init`); absent: None."""
    add(flag, nargs="?", const=True, default=None, metavar=metavar, help=help)


def add_run_options(add: Add, prefix: str = "") -> None:
    """--tags, --tls, --zonder-tls and --onvolledig; with prefix "oso-" as --oso-tags and so on,
    which pytest stores as oso_tags, oso_tls and oso_onvolledig."""
    dest = prefix.replace("-", "_")
    add(f"--{prefix}tags", metavar="EXPR", help='selectie op tags, bv. "@las and @mandatory" of "not optional"')
    add_tls(add, f"--{prefix}tls")
    add(f"--{prefix}zonder-tls", dest=f"{dest}tls", action="store_false",
        help="HTTP zonder certificaten, ook voor de zelftest: de verplichte identiteitsscenario's zijn"
             " dan niet geverifieerd en het oordeel is hooguit 'onvolledig'")
    add(f"--{prefix}onvolledig", action="store_true",
        help="draai ook als de configuratie sleutels mist; die scenario's worden niet geverifieerd en"
             " het oordeel is hooguit 'onvolledig'")
