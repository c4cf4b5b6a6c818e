"""`oso-sim zorgvraag --las URL ...`: work a running LAS of ours, and the trigger our LAS offers
the conformance harness (docs/conformance.md, "The trigger contract").

It passes exactly what it is given to the LAS and checks nothing itself: refusing a zorgvraag
without toelichting, or a change after sending, is the LAS's job, and the harness must see the
LAS do it.

Exit codes: 0 done, 1 the LAS refused (its own answer, on stderr) or the SWV was not notified,
2 this command's own trouble: a wrong call, a URL that is no http(s) address, a PKI folder or
file that cannot be read, the LAS unreachable, or an answer that is not the LAS's (an HTML error
page of another server). Only 1 is a refusal under the trigger contract; everything else must
not be read as one.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from harness.trainer import demo_state

if TYPE_CHECKING:
    from actor_kit.http_session import Session
    from las_client.client import LasClientError

# requests, the LAS client and the PKI (cryptography) are imported where they are used, not
# here: a conformance run starts this command dozens of times as a trigger, `--help` needs none
# of them and only --tls needs cryptography (tests/test_cli_startup.py keeps it so).


class CallError(Exception):
    """This command cannot do its work for a reason of its own (exit 2); the message is Dutch."""


def harness_session(pki_dir: str | None) -> Session:
    """A client session; with a test PKI it presents the harness's certificate and trusts its CA.
    A PKI folder that is missing or holds unreadable files raises CallError up front: requests
    would only fail on the first call, with an error that looks like an unreachable system."""
    from actor_kit.http_session import Session

    session = Session()
    if pki_dir:
        from actor_kit import pki
        from actor_kit.tls import apply_to_session

        if not Path(pki_dir).is_dir():
            raise CallError(f"--tls {pki_dir}: map niet gevonden (gezocht vanuit {os.getcwd()});"
                            f" maak de test-PKI met 'oso-sim pki init {pki_dir}'")
        try:
            files = pki.files_for(pki_dir, pki.HARNESS_ID)
        except pki.PkiError as exc:
            raise CallError(f"--tls {pki_dir}: {exc}") from None
        for path in files.values():
            try:
                head = Path(path).read_text(encoding="ascii", errors="replace")
            except OSError as exc:
                raise CallError(f"--tls {pki_dir}: {path} is niet te lezen ({exc.strerror})") from None
            if "-----BEGIN" not in head:
                raise CallError(f"--tls {pki_dir}: {path} is geen PEM-bestand")
        apply_to_session(session, files)
    return session


def check_url(url: str, optie: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise CallError(f"{optie} {url!r} is geen http(s)-adres (bv. http://127.0.0.1:8601)")


def from_the_las(exc: LasClientError) -> bool:
    """Whether an error answer is the LAS's own ({"fout", "code"} JSON) about what was asked: not
    an HTML error page of whatever answered at that URL, nor a refused API token (this call's own
    trouble). Only the LAS's own answer is a refusal."""
    return exc.status != 401 and (exc.code is not None or exc.fout != f"HTTP {exc.status}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--las", default=os.environ.get("OSO_SIM_LAS"),
                        help="basis-URL van de LAS (standaard $OSO_SIM_LAS, anders de draaiende"
                             " 'oso-sim demo')")
    parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    parser.add_argument("--tls", metavar="PKI-MAP",
                        help="wederzijdse TLS: bel de LAS met het harnascertificaat uit deze test-PKI")
    sub = parser.add_subparsers(dest="actie", required=True, parser_class=type(parser))

    p = sub.add_parser("list", help="leerlingen, of met --leerling het overzicht zorgvragen")
    p.add_argument("--brin", help="alleen de leerlingen van deze school (BRIN)")
    p.add_argument("--leerling", type=int, help="toon de zorgvragen van deze leerling (id in de LAS)")

    p = sub.add_parser("aanleverpunten", help="de SWV-aanleverpunten die OSO voor een school biedt")
    p.add_argument("brin", help="BRIN van de school")

    p = sub.add_parser("create", help="nieuwe zorgvraag (standaard: opslaan en verzenden)")
    p.add_argument("--leerling", type=int, required=True, help="id van de leerling in de LAS")
    p.add_argument("--omschrijving", required=True, help="korte omschrijving van de zorgvraag")
    p.add_argument("--aanleverpunt", help="routeringskenmerk van het SWV-aanleverpunt")
    p.add_argument("--toelichting", help="bestand: Toelichting onderwijsbehoeften")
    p.add_argument("--gegevensblok", action="append", default=[], metavar="NAAM",
                   help="aangevinkt gegevensblok (herhaalbaar)")
    p.add_argument("--gegevensblokken", default="", metavar="NAAM,NAAM",
                   help="aangevinkte gegevensblokken, met komma's gescheiden")
    p.add_argument("--bijlage", action="append", default=[], metavar="BESTAND",
                   help="extra bijlage (herhaalbaar)")
    p.add_argument("--bijlagen", default="", metavar="BESTAND,BESTAND",
                   help="extra bijlagen, met komma's gescheiden")
    p.add_argument("--aandachtspunten", help="aandachtspunten (gaan mee in het blok Overstapadvies)")
    p.add_argument("--concept", action="store_true", help="alleen opslaan, niet verzenden")

    for naam, hulp in (("show", "een zorgvraag tonen"), ("send", "verzenden of opnieuw proberen"),
                       ("delete", "een zorgvraag verwijderen")):
        p = sub.add_parser(naam, help=hulp)
        _zorgvraag_ref(p)

    p = sub.add_parser("toon", help="een zorgvraag als JSON in de vorm van het trigger-contract")
    p.add_argument("--koppelsleutel", required=True, help="de koppelsleutel die de TC uitgaf")

    p = sub.add_parser("wijzig", help="probeer een veld van een zorgvraag te wijzigen")
    _zorgvraag_ref(p)
    p.add_argument("--veld", required=True, help="welk veld",
                   choices=["omschrijving", "aandachtspunten", "aanleverpunt", "gegevensblokken",
                            "toelichting"])
    p.add_argument("--waarde", required=True,
                   help="nieuwe waarde (gegevensblokken: met komma's; toelichting: een bestand)")

    p = sub.add_parser("wijzig-leerling", help="de achternaam van een leerling wijzigen")
    p.add_argument("--leerling", type=int, required=True, help="id van de leerling in de LAS")
    p.add_argument("--achternaam", required=True, help="de nieuwe achternaam")


def _zorgvraag_ref(p) -> None:
    p.add_argument("id", type=int, nargs="?", help="id van de zorgvraag in de LAS")
    p.add_argument("--koppelsleutel", help="of: de koppelsleutel die de TC uitgaf")


def _blokken(args) -> list[str]:
    return list(args.gegevensblok) + [b.strip() for b in args.gegevensblokken.split(",") if b.strip()]


def _id(las, args) -> int:
    from las_client.client import LasClientError

    if args.koppelsleutel:
        return las.zorgvraag_op_koppelsleutel(args.koppelsleutel)["id"]
    if args.id is None:
        raise LasClientError(400, "geef een id of --koppelsleutel op")
    return args.id


def _waarde(veld: str, waarde: str):
    if veld == "gegevensblokken":
        return [b.strip() for b in waarde.split(",") if b.strip()]
    return waarde


def _print(args, data, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


def _zorgvraag_text(zv: dict) -> str:
    lines = [f"Zorgvraag {zv['id']}: {zv['omschrijving']}",
             f"  status:                   {zv.get('toestand_tekst') or zv['status']}",
             f"  aanleverpunt:             {zv.get('deelnameaanleverpunt') or zv['aanleverpunt']}",
             f"  gemaakt op:               {zv['gemaakt_op']}",
             f"  koppelsleutel:            {zv.get('koppelsleutel') or '-'}",
             f"  notificatie verstuurd:    {zv['notificatie_verstuurd']}",
             f"  dossier opgehaald:        {'Ja' if zv['dossier_opgehaald'] else 'Nee'}",
             f"  terugkoppeling ontvangen: {zv['terugkoppeling_ontvangen']}"]
    if zv.get("aandachtspunten") and zv.get("aandachtspunten_meegestuurd") is False:
        lines.append("  aandachtspunten:          niet meegestuurd (Overstapadvies niet aangevinkt)")
    if zv.get("laatste_fout"):
        lines.append(f"  laatste fout:             {zv['laatste_fout']}")
    for b in zv.get("bijlagen", []):
        lines.append(f"  bijlage ({b['soort']}): {b['bestandsnaam']}")
    for t in zv.get("terugkoppelingen", []):
        lines.append(f"  terugkoppeling {t['datum']}: {t['status']}"
                     f" ({t.get('behandelaar') or '-'}) {t.get('toelichting') or ''}".rstrip())
    return "\n".join(lines)


def _table(rows: list[dict], cols: list[tuple[str, str]]) -> str:
    if not rows:
        return "(geen)"
    widths = [max(len(kop), *(len(str(r.get(k) if r.get(k) is not None else ""))
                              for r in rows)) for k, kop in cols]
    out = ["  ".join(kop.ljust(w) for (_, kop), w in zip(cols, widths))]
    for r in rows:
        out.append("  ".join(str(r.get(k) if r.get(k) is not None else "").ljust(w)
                             for (k, _), w in zip(cols, widths)))
    return "\n".join(line.rstrip() for line in out)


def demo_url(args, role: str, optie: str) -> str | None:
    """The URL to use for `role`: the option, else the running demo's (its PKI too, when the
    option --tls is not given). None after printing why when no demo runs."""
    if getattr(args, role):
        return getattr(args, role)
    state = demo_state.read()
    if state is None or not state["urls"].get(role):
        print(f"oso-sim: {demo_state.GEEN_DEMO.format(optie=optie)}.", file=sys.stderr)
        return None
    if not args.tls and state.get("pki"):
        args.tls = state["pki"]
    if hasattr(args, "token") and not args.token:
        args.token = state.get("token")
    return state["urls"][role]


def run(args) -> int:
    from las_client.client import LasClient, LasClientError

    from harness.conformance.zorgvraag_view import contract_view

    args.las = demo_url(args, "las", "--las")
    if args.las is None:
        return 2
    try:
        check_url(args.las, "--las")
        las = LasClient(args.las, session=harness_session(args.tls))
    except CallError as exc:
        print(f"oso-sim: fout: {exc}", file=sys.stderr)
        return 2
    try:
        if args.actie == "list":
            if args.leerling is not None:
                rows = las.overzicht(args.leerling)
                _print(args, rows, _table(rows, [
                    ("id", "Id"), ("omschrijving", "Omschrijving"), ("gemaakt_op", "Gemaakt op"),
                    ("deelnameaanleverpunt", "Deelnameaanleverpunt"),
                    ("notificatie_verstuurd", "Notificatie verstuurd"),
                    ("terugkoppeling_ontvangen", "Terugkoppeling ontvangen"),
                    ("toestand_tekst", "Status")]))
            else:
                rows = las.leerlingen(args.brin)
                _print(args, rows, _table(rows, [("id", "Id"), ("naam", "Naam"), ("brin", "Brin"),
                                                 ("groep", "Groep")]))
            return 0
        if args.actie == "aanleverpunten":
            rows = las.aanleverpunten(args.brin)
            _print(args, rows, _table(rows, [("routeringskenmerk", "Routeringskenmerk"),
                                             ("brin", "Brin"), ("naam", "Naam")]))
            return 0
        if args.actie == "toon":
            try:
                zv = las.zorgvraag_op_koppelsleutel(args.koppelsleutel)
            except LasClientError as exc:
                if exc.status != 404 or not from_the_las(exc):
                    raise
                zv = None
            print(json.dumps(contract_view(zv, args.koppelsleutel), indent=2, ensure_ascii=False))
            return 0
        if args.actie == "wijzig-leerling":
            _print(args, las.wijzig_leerling(args.leerling, achternaam=args.achternaam),
                   f"Leerling {args.leerling}: achternaam is nu {args.achternaam}")
            return 0
        # An empty value is passed on as "no file": the LAS under test decides what that means.
        toelichting = getattr(args, "toelichting", None) or None
        bijlagen = list(getattr(args, "bijlage", [])) + [
            b for b in getattr(args, "bijlagen", "").split(",") if b.strip()]
        for path in [toelichting, *bijlagen]:
            if path and not os.path.isfile(path):
                print(f"oso-sim: fout: bestand niet gevonden: {path}", file=sys.stderr)
                return 2
        if args.actie == "create":
            zv = las.maak_zorgvraag(args.leerling, args.omschrijving, args.aanleverpunt,
                                    toelichting, gegevensblokken=_blokken(args),
                                    bijlagen=bijlagen, aandachtspunten=args.aandachtspunten,
                                    verzenden=not args.concept)
        elif args.actie == "show":
            zv = las.zorgvraag(_id(las, args))
        elif args.actie == "send":
            zv = las.verzend(_id(las, args))
        elif args.actie == "delete":
            zv = las.verwijder(_id(las, args))
        elif args.actie == "wijzig":
            zv = las.wijzig_zorgvraag(_id(las, args), **{args.veld: _waarde(args.veld, args.waarde)})
        else:  # unreachable: argparse requires one of the above
            return 2
    except LasClientError as exc:
        if not exc.unreachable and not from_the_las(exc):
            print(f"oso-sim: fout: {exc.fout}" if exc.status == 401 else
                  f"oso-sim: fout: op {args.las} antwoordt geen LAS van oso-sim (HTTP {exc.status});"
                  " controleer --las", file=sys.stderr)
            return 2
        print(f"oso-sim: {exc.fout}" + (f" ({exc.code})" if exc.code else ""), file=sys.stderr)
        return 2 if exc.unreachable else 1
    except OSError as exc:
        print(f"oso-sim: fout: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    _print(args, zv, _zorgvraag_text(zv))
    # a sent zorgvraag whose SWV was not notified is not done yet
    if args.actie in ("create", "send") and zv["status"] == "verzonden" \
            and zv["notificatie_verstuurd"] != "Ja":
        return 1
    return 0
