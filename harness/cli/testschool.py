"""`oso-sim testschool --swv-url URL`: a test school for SWV vendors, as Kennisnet's sandbox test
school does by hand. A simulated LAS and TC route every zorgvraag to the vendor's SWV system;
each prepared pupil triggers one flow; a page and a JSON listing say what the SWV did with each.

Each flow plays one LAS behaviour of harness/conformance/las_behaviours.py, the ones the conformance
scenarios play, and ends with the words of the conformance report: geslaagd, mislukt, or niet
geverifieerd (the SWV has not signed off yet, or the school could not play the flow).

Exit codes: 0 every flow geslaagd when the school stopped (after --seconds or Ctrl-C), 1 a flow
did not (or was not played), 2 wrong call or the school could not start.
"""
from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

from actor_kit import pki
from actor_kit.server import ServerThread


def add_arguments(p) -> None:
    p.add_argument("--swv-url", required=True, metavar="URL",
                   help="basis-URL van uw SWV-systeem (het SOAP-endpoint is URL/oso, of --swv-soap-url)")
    p.add_argument("--swv-soap-url", metavar="URL", help="volledige SOAP-URL van uw SWV-systeem")
    p.add_argument("--tls", metavar="PKI-MAP",
                   help="wederzijdse TLS: test-PKI van 'oso-sim pki init' (uw SWV gebruikt het"
                        " certificaat swv-sim)")
    p.add_argument("--ca", action="append", default=[], metavar="BESTAND",
                   help="extra CA om te vertrouwen (de CA van uw eigen testcertificaat)")
    p.add_argument("--port", type=int, default=0, metavar="POORT",
                   help="eerste poort: TC op P, LAS op P+1 (0 = vrije poorten)")
    p.add_argument("--pagina-port", type=int, default=0, metavar="POORT", help="poort van de overzichtspagina")
    p.add_argument("--workdir", metavar="MAP", help="map voor de databases (standaard tijdelijk)")
    p.add_argument("--wacht", type=float, default=30.0, metavar="SECONDEN",
                   help="seconden die het SWV per situatie krijgt (standaard %(default)s)")
    p.add_argument("--seconds", type=float, default=None, metavar="SECONDEN",
                   help="stop zoveel seconden na de laatste situatie (standaard: tot Ctrl-C)")
    p.add_argument("--json", metavar="BESTAND", help="schrijf het overzicht bij het stoppen als JSON")


def run(args) -> int:
    # the flows judge with harness.conformance.outcomes, which imports pytest: `oso-sim --help` and
    # every other command must work without it
    from harness.conformance.outcomes import GESLAAGD
    from harness.testschool.flows import FLOWS
    from harness.testschool.page import create_app
    from harness.testschool.runner import School, SchoolFout

    soap = args.swv_soap_url or args.swv_url.rstrip("/") + "/oso"
    school = School(soap, tls=args.tls, workdir=args.workdir, port=args.port, wacht=args.wacht,
                    trust=tuple(args.ca))
    try:
        school.start()
    except (pki.PkiError, OSError, SchoolFout) as exc:
        school.stop()
        print(f"oso-sim testschool: de testschool start niet: {exc}", file=sys.stderr)
        return 2
    pagina = ServerThread(app=create_app(school), port=args.pagina_port)
    pagina.start()
    overzicht = []
    try:
        print("Testschool draait:")
        print(f"  Overzicht:       {pagina.url}/   (JSON: {pagina.url}/api/testschool)")
        print(f"  Traffic Center:  {school.urls['tc']}/oso   <- stel dit in uw SWV in")
        print(f"  LAS van school:  {school.urls['las']}/oso")
        print(f"  Uw SWV:          {soap}")
        print(f"Situaties ({len(FLOWS)}), één voor één:", flush=True)
        try:
            school.speel(on_geval=lambda g: print(
                f"  {g.flow.naam:22} {g.fout or ', '.join(z['koppelsleutel'] for z in g.zorgvragen)}",
                flush=True))
            for g in school.overzicht():
                waarom = f" ({g['waarom']})" if g["waarom"] and g["uitkomst"] != GESLAAGD else ""
                print(f"  {g['flow']:22} {g['uitkomst']}{waarom}")
            print("Het overzicht blijft bijwerken (bv. terugkoppelingen). Stoppen: Ctrl-C", flush=True)
            threading.Event().wait(args.seconds)
        except KeyboardInterrupt:
            pass
        overzicht = school.overzicht()
    finally:
        if args.json:
            Path(args.json).write_text(json.dumps({"swv": soap, "gevallen": overzicht},
                                                  indent=2, ensure_ascii=False), encoding="utf-8")
        pagina.stop()
        school.stop()
    gespeeld = len(overzicht) == len(FLOWS)
    return 0 if gespeeld and all(g["uitkomst"] == GESLAAGD for g in overzicht) else 1
