"""`oso-sim pki init DIR`: a test PKI for mutual TLS between the actors (and towards a vendor).

One certificate per system in the scenario's register (OIN in the subject serialNumber, as in
PKIoverheid), one for the Traffic Center and one for the harness, plus deliberately bad ones for
tests. The layout is described in actor_kit/pki.py and docs/actors.md.
"""
from __future__ import annotations

import sys
from pathlib import Path

from actor_kit import pki

from harness.runtime.scenario import ScenarioError, load_scenario

PURPOSE = {
    pki.TC_ID: "Traffic Center",
    pki.OPERATOR_ID: "beheerder (harnas en browser: harnas.p12), geen OSO-systeem",
    "verlopen": "SLECHT: verlopen",
    "andere-ca": "SLECHT: getekend door een andere CA",
    "verkeerde-oin": "SLECHT: OIN van geen enkel systeem",
}


def add_arguments(p):
    sub = p.add_subparsers(dest="actie", metavar="init", parser_class=type(p))
    init = sub.add_parser("init", help="maak een nieuwe test-PKI in MAP (bestaande bestanden"
                                       " worden overschreven)")
    init.add_argument("map", metavar="MAP", help="doelmap")
    init.add_argument("--scenario", help="scenariobestand met het register"
                                         " (standaard fixtures/default.yaml)")


def run(args) -> int:
    if getattr(args, "actie", None) != "init":
        print("oso-sim pki: gebruik 'oso-sim pki init MAP [--scenario BESTAND]'", file=sys.stderr)
        return 2
    try:
        issued = pki.init(args.map, load_scenario(args.scenario))
    except (ScenarioError, pki.PkiError) as exc:
        print(f"oso-sim pki: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"oso-sim pki: kan niet schrijven in {args.map} ({exc.strerror})", file=sys.stderr)
        return 2
    root = Path(args.map)
    print(f"Test-PKI geschreven in {root}:")
    print(f"  {root / 'ca.pem'}  test-CA (vertrouw deze; ca.key tekent)")
    for item in issued:
        what = PURPOSE.get(item.id, f"systeem {item.id}")
        print(f"  {item.cert}  {what}, OIN {item.oin} (sleutel {item.key.name})")
    print(f"  {root / 'andere-ca.pem'}  een tweede CA die niemand vertrouwt")
    print(f"  {root / pki.MANIFEST}  overzicht: welk id welke OIN en bestanden heeft")
    print(f"Wachtwoord van harnas.p12: {pki.BROWSER_PASSWORD}")
    print(f"Start een actor met: oso-sim serve tc --tls {root}")
    return 0
