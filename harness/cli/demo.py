"""`oso-sim demo`: the three actors with the prepared scenario, for trainers and first looks."""
from __future__ import annotations

import secrets
import sys
import threading

from actor_kit import pki

from harness.conformance.options import add_tls
from harness.runtime.actors import Actors
from harness.runtime.exchange import ExchangeDriver
from harness.runtime.scenario import ScenarioError, load_scenario
from harness.trainer import demo_state
from harness.trainer.scenarios import Onverwacht, TrainerScenarios, lijst_tekst


def add_arguments(p):
    p.add_argument("--port", type=int, default=8600,
                   help="eerste poort: TC op P, LAS op P+1, SWV op P+2 (0 = vrije poorten)")
    p.add_argument("--scenario", help="scenariobestand (standaard fixtures/default.yaml)")
    p.add_argument("--workdir", help="map voor de databases (standaard tijdelijk)")
    p.add_argument("--step", action="store_true",
                   help="stap voor stap: het SWV wacht op een klik voor elke stap")
    p.add_argument("--voorbeeld", action="store_true",
                   help="verstuur eerst een voorbeeldzorgvraag zodat er iets te zien is (zonder"
                        " --step de hele uitwisseling; met --step wacht het SWV daarna op u)")
    p.add_argument("--scenario-list", action="store_true",
                   help="toon de voorbereide situaties voor trainers en stop")
    add_tls(p.add_argument, metavar="MAP", help="wederzijdse TLS (https): PKI-map van 'oso-sim pki init';"
            " zonder MAP een nieuwe test-PKI in de werkmap")
    p.add_argument("--seconds", type=float, default=None,
                   help="stop na zoveel seconden (standaard: tot Ctrl-C)")


def _print_tls(directory) -> None:
    print("Wederzijdse TLS: elke verbinding vraagt een clientcertificaat van de test-CA.")
    print(f"  CA:              {directory / 'ca.pem'}")
    print(f"  Browser:         importeer {directory / 'harnas.p12'}"
          f" (wachtwoord {pki.BROWSER_PASSWORD}) en vertrouw de CA")
    print("                   Dat is het beheerderscertificaat: alleen dat (of het API-token) opent"
          " de pagina's en de API; het certificaat van een OSO-systeem alleen /oso.")
    print(f"  curl:            curl --cacert {directory / 'ca.pem'} --cert {directory / 'harnas.pem'}"
          f" --key {directory / 'harnas.key'} URL")


def _voorbeeld(actors: Actors, trainer: TrainerScenarios, step: bool) -> None:
    if not step:
        res = ExchangeDriver(actors.urls, tls=actors.client_tls).run_many(1)[0]
        print(f"Voorbeelduitwisseling: {'voltooid' if res.completed else res.error}"
              f" (koppelsleutel {res.koppelsleutel})")
        return
    # step mode: the example stops where the SWV waits for the trainer's click
    try:
        zv = trainer.verstuur_voorbeeld()
    except Onverwacht as exc:
        print(f"Voorbeeldzorgvraag niet verstuurd: {exc}")
        return
    print(f"Voorbeeldzorgvraag verstuurd (koppelsleutel {zv['koppelsleutel']}); stap voor stap:"
          " het SWV wacht nu op uw klik op 'Dossier ophalen'.")


def _trainer(actors: Actors, token: str) -> TrainerScenarios:
    """The situations, with the two in-process handles they need (see trainer_scenarios)."""
    return TrainerScenarios(actors.urls, tls=actors.client_tls, token=token,
                            las_zorgvragen=actors.apps["las"].extensions["las"]["zorgvragen"],
                            tc=actors.apps["tc"].extensions["oso_mock"])


def run(args) -> int:
    if args.scenario_list:
        print(lijst_tekst())
        return 0
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"oso-sim demo: {exc}", file=sys.stderr)
        return 2
    ports = {} if args.port == 0 else {"tc": args.port, "las": args.port + 1, "swv": args.port + 2}
    # auto fetch stays configured, so switching step mode off on the SWV page resumes it
    # one token for the three actors: only needed from outside this machine, but shown anyway
    token = secrets.token_urlsafe(24)
    extra = {role: {"API_TOKEN": token} for role in ("tc", "las", "swv")}
    if args.step:
        extra["swv"]["STEP_MODE"] = True
    actors = Actors(scenario=scenario, workdir=args.workdir, port=ports, extra=extra, tls=args.tls)
    try:
        actors.start()
    except pki.PkiError as exc:
        actors.stop()
        print(f"oso-sim demo: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        actors.stop()
        print(f"oso-sim demo: poort bezet ({exc}); kies een andere met --port", file=sys.stderr)
        return 2
    state = None
    try:
        urls = actors.urls
        trainer = _trainer(actors, token)
        actors.apps["tc"].config["TRAINER_SCENARIOS"] = trainer
        state = demo_state.write(urls, token, actors.pki_dir)
        print("OSO zorgvraag-demo draait:")
        print(f"  Start:           {urls['tc']}/demo")
        print(f"  LAS (school):    {urls['las']}/")
        print(f"  Traffic Center:  {urls['tc']}/")
        print(f"  SWV-systeem:     {urls['swv']}/")
        print(f"  SOAP-endpoints:  {urls['tc']}/oso  {urls['las']}/oso  {urls['swv']}/oso")
        print(f"  API-token:       {token} (nodig voor de API en pagina's van buiten loopback)")
        if state:
            print(f"  Adressen voor 'oso-sim zorgvraag' en 'oso-sim swv': {state}")
        if actors.pki_dir:
            _print_tls(actors.pki_dir)
        if args.voorbeeld:
            _voorbeeld(actors, trainer, args.step)
        print("Stoppen: Ctrl-C", flush=True)
        stop = threading.Event()
        try:
            stop.wait(args.seconds)
        except KeyboardInterrupt:
            pass
    finally:
        if state:
            demo_state.remove(state)
        actors.stop()
    return 0
