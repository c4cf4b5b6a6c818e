"""`oso-sim serve tc|las|swv`: one actor on its own port, e.g. next to a vendor's system."""
from __future__ import annotations

import signal
import ssl
import sys
from pathlib import Path

from actor_kit import pki
from actor_kit.access import is_loopback, token_always_required
from actor_kit.server import make_wsgi_server

from harness.conformance.defects import OnbekendDefect, controleer as controleer_defecten
from harness.runtime.actors import create_actor_app, system_id
from harness.runtime.scenario import ScenarioError, load_scenario


def add_arguments(p):
    p.add_argument("role", choices=["tc", "las", "swv"], metavar="ROL",
                   help="welke actor: tc (Traffic Center), las (schoolsysteem) of swv (SWV-systeem)")
    p.add_argument("--host", default="127.0.0.1",
                   help="adres om op te luisteren (standaard %(default)s: alleen deze machine)")
    p.add_argument("--port", type=int, default=0, help="poort (standaard een vrije poort)")
    p.add_argument("--db", help="SQLite-bestand (standaard <rol>.sqlite in de huidige map)")
    p.add_argument("--scenario", help="scenariobestand (standaard fixtures/default.yaml)")
    p.add_argument("--tc-url", help="basis-URL van de Traffic Center (voor las en swv)")
    p.add_argument("--las-url", help="basis-URL van de LAS (voor het register en het volgordediagram van de tc)")
    p.add_argument("--swv-url", help="basis-URL van het SWV-systeem (voor het register en het volgordediagram van de tc)")
    p.add_argument("--manual-fetch", action="store_true",
                   help="swv: dossiers alleen op verzoek ophalen")
    p.add_argument("--step", action="store_true", help="swv: stap voor stap (wacht op een klik)")
    p.add_argument("--defect", action="append", default=[],
                   help="speel een bewust fout systeem (zie docs), bv. skip_afmelding")
    p.add_argument("--tls", metavar="MAP",
                   help="wederzijdse TLS met de certificaten uit MAP ('oso-sim pki init MAP');"
                        " de actor kiest het certificaat van zijn systeem in het scenario")
    p.add_argument("--token", help="API-token voor de JSON-API en de pagina's (standaard een"
                                   " willekeurig token, dat bij het starten wordt getoond)")


NO_CLIENT_CERTIFICATE_CHECK = "no_client_certificate_check"  # a LAS defect that lives in the server


def tls_files(args) -> dict | None:
    """The actor's certificate, key and CA from the PKI directory (None without --tls)."""
    if not args.tls:
        return None
    files = pki.files_for(args.tls, system_id(args.role, load_scenario(args.scenario)))
    if NO_CLIENT_CERTIFICATE_CHECK in (args.defect or ()):
        files["verify_clients"] = False
    return files


def config_for(args, public_url: str, tls: dict | None = None) -> dict:
    scenario = load_scenario(args.scenario)
    config = {"DB_PATH": args.db or f"{args.role}.sqlite", "SCENARIO": scenario,
              "PUBLIC_URL": public_url}
    if tls:
        config["TLS"] = tls
    if getattr(args, "token", None):
        config["API_TOKEN"] = args.token
    if args.role == "tc":
        config["ACTOR_URLS"] = {"tc": public_url, "las": args.las_url or "", "swv": args.swv_url or ""}
    else:
        if not args.tc_url:
            raise ScenarioError("--tc-url is verplicht voor las en swv")
        config["TC_URL"] = args.tc_url.rstrip("/")
    if args.role == "swv":
        config["AUTO_FETCH"] = not args.manual_fetch
        config["STEP_MODE"] = args.step
    if args.defect:
        try:
            config["DEFECTS"] = set(controleer_defecten(args.role, args.defect))
        except OnbekendDefect as exc:
            raise ScenarioError(str(exc)) from None
    return config


def _stop_like_ctrl_c(signum, frame):
    # SIGTERM ends the serve loop as Ctrl-C does; SQLite already holds every acknowledged write
    raise KeyboardInterrupt


def run(args) -> int:
    holder = {}
    if not is_loopback(args.host) and not (args.tls or getattr(args, "token", None)):
        print(f"oso-sim serve: wie op {args.host} luistert is van buitenaf bereikbaar; geef TLS"
              " (--tls MAP) of een API-token (--token) op.", file=sys.stderr)
        return 2
    try:
        tls = tls_files(args)
    except (ScenarioError, pki.PkiError) as exc:
        print(f"oso-sim serve: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_wsgi_server(lambda e, s: holder["app"](e, s), args.host, args.port, tls=tls)
    except ssl.SSLError as exc:  # before OSError, of which it is one
        print(f"oso-sim serve: TLS-bestanden onbruikbaar ({exc.reason or exc})", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"oso-sim serve: poort {args.port} niet beschikbaar ({exc.strerror})", file=sys.stderr)
        return 2
    url = f"{'https' if tls else 'http'}://{args.host}:{server.effective_port}"
    try:
        holder["app"] = create_actor_app(args.role, config_for(args, url, tls))
    except ScenarioError as exc:
        print(f"oso-sim serve: {exc}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop_like_ctrl_c)
    print(f"{args.role} luistert op {url} (SOAP: {url}/oso, WSDL: {url}/oso?wsdl)", flush=True)
    nodig = "verplicht" if token_always_required(holder["app"].config) else "alleen buiten loopback"
    if tls:
        # under TLS a system's certificate is refused on loopback too, so the token always counts
        nodig = "verplicht, ook op loopback, tenzij met het beheerderscertificaat"
    print(f"  API-token ({nodig}): {holder['app'].config['API_TOKEN']}", flush=True)
    if tls:
        print(f"  wederzijdse TLS: certificaat {tls['cert']}, vertrouwt alleen {tls['ca']}",
              flush=True)
        print(f"  API en pagina's: alleen met het beheerderscertificaat"
              f" {Path(args.tls) / (pki.OPERATOR_ID + '.pem')} (browser: {pki.OPERATOR_ID}.p12)"
              f" of het API-token; een systeemcertificaat opent alleen /oso", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        close = getattr(holder.get("app"), "extensions", {}).get("oso_sim_close")
        if close:
            close()
    return 0
