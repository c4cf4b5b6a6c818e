"""`oso-sim zorgvraag --las URL list|aanleverpunten|create|show|send|delete`: work a running LAS.

Exit codes: 0 done, 1 the LAS refused (or the SWV was not notified), 2 wrong call or LAS unreachable.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from las_client.client import LasClient, LasClientError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--las", default=os.environ.get("OSO_SIM_LAS", "http://127.0.0.1:5001"),
                        help="basis-URL van de LAS (standaard $OSO_SIM_LAS of %(default)s)")
    parser.add_argument("--json", action="store_true", help="uitvoer als JSON")
    sub = parser.add_subparsers(dest="actie", required=True, parser_class=type(parser))

    p = sub.add_parser("list", help="leerlingen, of met --leerling het overzicht zorgvragen")
    p.add_argument("--brin")
    p.add_argument("--leerling", type=int)

    p = sub.add_parser("aanleverpunten", help="de SWV-aanleverpunten die OSO voor een school biedt")
    p.add_argument("brin")

    p = sub.add_parser("create", help="nieuwe zorgvraag (standaard: opslaan en verzenden)")
    p.add_argument("--leerling", type=int, required=True)
    p.add_argument("--omschrijving", required=True)
    p.add_argument("--aanleverpunt", help="routeringskenmerk van het SWV-aanleverpunt")
    p.add_argument("--toelichting", help="bestand: Toelichting onderwijsbehoeften")
    p.add_argument("--gegevensblok", action="append", default=[], metavar="NAAM")
    p.add_argument("--bijlage", action="append", default=[], metavar="BESTAND")
    p.add_argument("--aandachtspunten")
    p.add_argument("--concept", action="store_true", help="alleen opslaan, niet verzenden")

    for naam, hulp in (("show", "een zorgvraag tonen"), ("send", "verzenden of opnieuw proberen"),
                       ("delete", "een zorgvraag verwijderen")):
        p = sub.add_parser(naam, help=hulp)
        p.add_argument("id", type=int)


def _print(args, data, text: str) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else text)


def _zorgvraag_text(zv: dict) -> str:
    lines = [f"Zorgvraag {zv['id']}: {zv['omschrijving']}",
             f"  status:                   {zv['status']}",
             f"  aanleverpunt:             {zv.get('deelnameaanleverpunt') or zv['aanleverpunt']}",
             f"  gemaakt op:               {zv['gemaakt_op']}",
             f"  koppelsleutel:            {zv.get('koppelsleutel') or '-'}",
             f"  notificatie verstuurd:    {zv['notificatie_verstuurd']}",
             f"  dossier opgehaald:        {'Ja' if zv['dossier_opgehaald'] else 'Nee'}",
             f"  terugkoppeling ontvangen: {zv['terugkoppeling_ontvangen']}"]
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


def run(args) -> int:
    las = LasClient(args.las)
    try:
        if args.actie == "list":
            if args.leerling is not None:
                rows = las.overzicht(args.leerling)
                _print(args, rows, _table(rows, [
                    ("id", "Id"), ("omschrijving", "Omschrijving"), ("gemaakt_op", "Gemaakt op"),
                    ("deelnameaanleverpunt", "Deelnameaanleverpunt"),
                    ("notificatie_verstuurd", "Notificatie verstuurd"),
                    ("terugkoppeling_ontvangen", "Terugkoppeling ontvangen")]))
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
        if args.actie == "create":
            if args.toelichting and not os.path.isfile(args.toelichting):
                print(f"oso-sim: fout: bestand niet gevonden: {args.toelichting}", file=sys.stderr)
                return 2
            for b in args.bijlage:
                if not os.path.isfile(b):
                    print(f"oso-sim: fout: bestand niet gevonden: {b}", file=sys.stderr)
                    return 2
            zv = las.maak_zorgvraag(args.leerling, args.omschrijving, args.aanleverpunt,
                                    args.toelichting, gegevensblokken=args.gegevensblok,
                                    bijlagen=args.bijlage, aandachtspunten=args.aandachtspunten,
                                    verzenden=not args.concept)
        elif args.actie == "show":
            zv = las.zorgvraag(args.id)
        elif args.actie == "send":
            zv = las.verzend(args.id)
        elif args.actie == "delete":
            zv = las.verwijder(args.id)
        else:  # unreachable: argparse requires one of the above
            return 2
    except LasClientError as exc:
        print(f"oso-sim: {exc.fout}" + (f" ({exc.code})" if exc.code else ""), file=sys.stderr)
        return 2 if exc.unreachable or exc.status == 400 else 1
    _print(args, zv, _zorgvraag_text(zv))
    # a sent zorgvraag whose SWV was not notified is not done yet
    if args.actie in ("create", "send") and zv["status"] == "verzonden" \
            and zv["notificatie_verstuurd"] != "Ja":
        return 1
    return 0
