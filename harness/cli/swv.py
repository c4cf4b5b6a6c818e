"""`oso-sim swv --swv URL terugkoppeling --koppelsleutel K --status S ...`: make a running SWV
system of ours send a terugkoppeling. It is the SWV counterpart of `oso-sim zorgvraag`: the
`trigger_terugkoppeling` our SWV offers the conformance harness (docs/conformance.md).

Exit codes: 0 sent (the LAS acknowledged it), 1 the SWV refused or could not deliver (its own
answer, on stderr), 2 this command's own trouble: a wrong call, a URL that is no http(s) address,
a file or PKI folder that cannot be read, the SWV unreachable, or an answer that is not the SWV's.

`oso-sim swv --swv URL toon --koppelsleutel K`: what the SWV holds for one aanvraag, as JSON on
stdout: its status, the afmelding result and whether the dossier was kept. Exit 0 shown, 1 the SWV
has no aanvraag with that koppelsleutel, 2 as above.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from pathlib import Path

# requests comes in with the session (_start), after the call checks: `--help` needs none of it
from harness.cli.zorgvraag import CallError, check_url, demo_url, harness_session


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--swv", default=os.environ.get("OSO_SIM_SWV"),
                        help="basis-URL van het SWV-systeem (standaard $OSO_SIM_SWV, anders de"
                             " draaiende 'oso-sim demo')")
    parser.add_argument("--token", default=os.environ.get("OSO_SIM_TOKEN"),
                        help="API-token van het SWV-systeem (standaard $OSO_SIM_TOKEN)")
    parser.add_argument("--tls", metavar="PKI-MAP",
                        help="wederzijdse TLS: bel het SWV met het harnascertificaat uit deze test-PKI")
    sub = parser.add_subparsers(dest="actie", required=True, parser_class=type(parser))
    p = sub.add_parser("terugkoppeling", help="stuur een terugkoppeling voor een opgehaald dossier")
    p.add_argument("--koppelsleutel", required=True, help="koppelsleutel van het opgehaalde dossier")
    p.add_argument("--status", required=True, help="bv. Ontvangen, InBehandeling, Toegekend")
    p.add_argument("--toelichting", default="", help="toelichting voor de school (mag leeg zijn)")
    p.add_argument("--behandelaar", default="", help="naam van de behandelaar bij het SWV")
    p.add_argument("--document", action="append", default=[], metavar="BESTAND",
                   help="bestand dat meegaat (herhaalbaar)")
    p = sub.add_parser(
        "toon", help="toon status, afmelding en of het dossier bewaard is voor één aanvraag",
        description="Toon wat het SWV-systeem van één aanvraag weet: status, afmelding en of het"
                    " dossier bewaard is (JSON op stdout). Exitcode 0: getoond; 1: het SWV kent"
                    " deze koppelsleutel niet; 2: fout in de aanroep of SWV niet bereikbaar.",
        epilog="voorbeelden:\n  oso-sim swv --swv http://127.0.0.1:8702 toon --koppelsleutel"
               " 4A1B2C3D-0000-4000-8000-000000000001",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--koppelsleutel", required=True, help="koppelsleutel van de aanvraag")


def _start(args):
    """(session, None) or (None, exit code) after the checks every action shares."""
    args.swv = demo_url(args, "swv", "--swv")
    if args.swv is None:
        return None, 2
    try:
        check_url(args.swv, "--swv")
        return harness_session(args.tls), None
    except CallError as exc:
        print(f"oso-sim: fout: {exc}", file=sys.stderr)
        return None, 2


def _request_error() -> type[Exception]:
    import requests

    return requests.RequestException


def _ask(session, args, method: str, tail: str, **kwargs):
    """(response, its JSON or None) of one call about the aanvraag, or exit 2 when the SWV system
    cannot be reached."""
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    url = f"{args.swv.rstrip('/')}/api/aanvragen/{args.koppelsleutel}{tail}"
    try:
        resp = session.request(method, url, headers=headers, timeout=60, **kwargs)
    except _request_error() as exc:
        print(f"oso-sim: het SWV-systeem op {args.swv} is niet bereikbaar ({type(exc).__name__}).",
              file=sys.stderr)
        return 2
    try:
        return resp, resp.json()
    except ValueError:
        return resp, None


def run(args) -> int:
    if args.actie == "toon":
        return toon(args)
    session, code = _start(args)
    if session is None:
        return code
    body = {"status": args.status, "toelichting": args.toelichting or None,
            "behandelaar": args.behandelaar or None, "documenten": []}
    try:
        for path in (p for p in args.document if p):  # an empty value: no document
            body["documenten"].append({"bestandsnaam": Path(path).name,
                                       "inhoud_base64": base64.b64encode(Path(path).read_bytes()).decode()})
    except OSError as exc:
        print(f"oso-sim: fout: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    answer = _ask(session, args, "POST", "/terugkoppeling", json=body)
    if isinstance(answer, int):
        return answer
    resp, data = answer
    if not isinstance(data, dict) or not ({"verzonden", "fout", "resultaat"} & set(data)):
        # an HTML error page or someone else's JSON: nobody refused anything
        print(f"oso-sim: fout: op {args.swv} antwoordt geen SWV-systeem van oso-sim (HTTP {resp.status_code});"
              " controleer --swv", file=sys.stderr)
        return 2
    if resp.status_code == 401:  # the token of this call, not the SWV's answer about the terugkoppeling
        print(f"oso-sim: fout: {data.get('fout') or 'geen toegang'}; geef --token mee", file=sys.stderr)
        return 2
    if resp.ok and data.get("verzonden"):
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    reden = data.get("fout") or data.get("resultaat") or f"HTTP {resp.status_code}"
    print(f"oso-sim: terugkoppeling niet verzonden: {reden}", file=sys.stderr)
    return 1


# what `toon` prints, in this order: the aanvraag as the SWV's API gives it, narrowed down
TOON_VELDEN = ("koppelsleutel", "status", "bevestigd", "afmelding", "afgemeld_op", "afmelding_fout",
               "dossier_bewaard", "valid", "profile", "bevindingen", "fout_code", "fout",
               "pogingen")


def toon(args) -> int:
    session, code = _start(args)
    if session is None:
        return code
    answer = _ask(session, args, "GET", "")
    if isinstance(answer, int):
        return answer
    resp, data = answer
    if resp.status_code == 401 and isinstance(data, dict):
        print(f"oso-sim: fout: {data.get('fout') or 'geen toegang'}; geef --token mee", file=sys.stderr)
        return 2
    if resp.status_code == 404 and isinstance(data, dict) and data.get("code") == "KoppelsleutelOnbekend":
        print(f"oso-sim: het SWV-systeem heeft geen aanvraag met koppelsleutel {args.koppelsleutel}.",
              file=sys.stderr)
        return 1
    if not resp.ok or not isinstance(data, dict) or not {"koppelsleutel", "status"} <= set(data):
        # an HTML error page or someone else's JSON: not an answer about the aanvraag
        print(f"oso-sim: fout: op {args.swv} antwoordt geen SWV-systeem van oso-sim (HTTP {resp.status_code});"
              " controleer --swv", file=sys.stderr)
        return 2
    data = dict(data, afmelding=data.get("afmelding_resultaat"),
                dossier_bewaard=bool(data.get("dossier_bewaard", data.get("dossier_opgehaald"))))
    print(json.dumps({k: data.get(k) for k in TOON_VELDEN}, indent=2, ensure_ascii=False))
    return 0
