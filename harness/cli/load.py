"""`oso-sim load`: a load run on Locust against an SWV or a LAS, ours or a vendor's.

    oso-sim load --config swv.toml --report belasting/        # CSV and HTML summary
    oso-sim load --vorm las --gebruikers 20 --duur 30
    oso-sim load --workers 2                                  # Locust master + 2 worker processes
    oso-sim load --web                                        # Locust's web UI on loopback

The [load] section of the conformance configuration sets the run and its thresholds (CLI
options win). Locust runs in processes of its own: its gevent monkey-patching never reaches
oso-sim itself. Docs: docs/load.md.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from harness.conformance.config import ConfigError, parse_config, read_toml
from harness.runtime.processes import free_port

LOAD_KEYS = {"vorm": str, "gebruikers": int, "opstart_per_seconde": float, "duur": float,
             "max_uitwisselingen": int, "scholen": int, "leerlingen_per_school": int,
             "workers": int, "p95_ms": float, "p99_ms": float, "max_fouten": int}
DEFAULTS = {"vorm": "swv", "gebruikers": 10, "opstart_per_seconde": 5.0, "duur": 30.0,
            "max_uitwisselingen": 1000, "scholen": 20, "leerlingen_per_school": 4, "workers": 0,
            "p95_ms": 2000.0, "p99_ms": None, "max_fouten": 0}
LIMITS = {"gebruikers": 500, "duur": 3600.0, "max_uitwisselingen": 100_000, "scholen": 2000, "workers": 8}
HARNESS = Path(__file__).resolve().parents[1]
ROOT = HARNESS.parent


def add_arguments(p):
    p.add_argument("--config", help="TOML-configuratie zoals bij conformance, met een sectie [load]")
    p.add_argument("--vorm", choices=["swv", "las"], help="swv: een SWV onder een golf zorgvragen;"
                   " las: een LAS onder ophaalverkeer (standaard uit [load], anders swv)")
    p.add_argument("--gebruikers", type=int, help="gelijktijdige gesimuleerde gebruikers")
    p.add_argument("--opstart-per-seconde", type=float, dest="opstart_per_seconde",
                   help="nieuwe gebruikers per seconde")
    p.add_argument("--duur", type=float, help="looptijd in seconden")
    p.add_argument("--max-uitwisselingen", type=int, dest="max_uitwisselingen",
                   help="bovengrens voor het aantal uitwisselingen")
    p.add_argument("--scholen", type=int, help="aantal gesimuleerde scholen (BRIN's)")
    p.add_argument("--workers", type=int, help="Locust-workerprocessen naast een master (0: een proces)")
    p.add_argument("--report", default="belasting", help="map voor CSV, Locust-rapport en samenvatting")
    p.add_argument("--web", action="store_true", help="Locusts webinterface op 127.0.0.1 (start meteen)")
    p.add_argument("--web-port", type=int, default=8089, help="poort van de webinterface (standaard 8089)")


def read_settings(args) -> tuple[dict, object]:
    """[load] from the file, CLI options on top; the roles as `conformance` reads them."""
    data, source, base = {}, "<geen configuratie>", None
    if args.config:
        path = Path(args.config)
        data = read_toml(path)
        source, base = str(path), path.resolve().parent
    load = dict(data.pop("load", {}) or {})
    roles = parse_config(data, source, base)
    unknown = sorted(set(load) - set(LOAD_KEYS))
    if unknown:
        raise ConfigError(f"{source}: onbekende sleutel(s) in [load]: {', '.join(unknown)};"
                          f" bekend zijn {', '.join(sorted(LOAD_KEYS))}")
    settings = dict(DEFAULTS)
    for key, kind in LOAD_KEYS.items():
        value = load.get(key)
        if value is not None:
            if kind is str and not isinstance(value, str) or kind is not str and (
                    isinstance(value, bool) or not isinstance(value, (int, float))):
                raise ConfigError(f"{source}: [load] {key} moet {'tekst' if kind is str else 'een getal'} zijn")
            settings[key] = kind(value)
        cli = getattr(args, key, None)
        if cli is not None:
            settings[key] = kind(cli)
    if settings["vorm"] not in ("swv", "las"):
        raise ConfigError(f"{source}: [load] vorm moet 'swv' of 'las' zijn")
    for key in ("gebruikers", "opstart_per_seconde", "duur", "max_uitwisselingen", "scholen"):
        if settings[key] <= 0:
            raise ConfigError(f"[load] {key} moet groter dan 0 zijn")
    for key, limit in LIMITS.items():
        if settings[key] > limit:
            raise ConfigError(f"[load] {key} = {settings[key]} is boven de grens van {limit}")
    if settings["workers"] < 0:
        raise ConfigError("[load] workers mag niet negatief zijn")
    if settings["vorm"] == "las" and roles.roles["las"].external:
        raise ConfigError("vorm las tegen een externe LAS wordt niet ondersteund: de run bereidt"
                          " zorgvragen voor via de JSON-API van onze eigen LAS")
    if settings["vorm"] == "swv" and roles.roles["las"].external:
        raise ConfigError("vorm swv meet een SWV: de scholen (LAS) zijn dan gesimuleerd, niet extern")
    return settings, roles


def locust_commands(settings: dict, locustfile: Path, prefix: Path, web: bool, web_port: int) -> list[list[str]]:
    """The Locust processes of the run: one, or a master with its workers (on loopback)."""
    base = [sys.executable, "-m", "locust", "-f", str(locustfile), "--loglevel", "WARNING",
            "-u", str(settings["gebruikers"]), "-r", str(settings["opstart_per_seconde"]),
            "-t", f"{int(settings['duur'])}s", "--stop-timeout", "30",
            "--csv", str(prefix), "--csv-full-history", "--html", str(prefix) + "_locust.html"]
    base += ["--web-host", "127.0.0.1", "--web-port", str(web_port), "--autostart", "--autoquit", "5"] \
        if web else ["--headless", "--only-summary"]
    workers = settings["workers"]
    if not workers:
        return [base]
    port = free_port()
    master = base + ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                     "--expect-workers", str(workers), "--expect-workers-max-wait", "60"]
    worker = [sys.executable, "-m", "locust", "-f", str(locustfile), "--worker", "--loglevel", "WARNING",
              "--master-host", "127.0.0.1", "--master-port", str(port)]
    return [master] + [worker] * workers


def run_locust(commands: list[list[str]], env: dict, report: Path, bound_s: float) -> int:
    logs, procs = [], []
    try:
        for i, cmd in enumerate(commands):
            log = open(report / f"locust-{'master' if i == 0 and len(commands) > 1 else i}.log", "wb")  # noqa: SIM115
            logs.append(log)
            procs.append(subprocess.Popen(cmd, cwd=report, env=env, stdout=log, stderr=subprocess.STDOUT))
        try:
            code = procs[0].wait(timeout=bound_s)
        except subprocess.TimeoutExpired:
            print("oso-sim load: Locust stopte niet binnen de tijd; afgebroken", file=sys.stderr)
            code = 1
        return code
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        for log in logs:
            log.close()


def run(args) -> int:
    try:
        settings, roles = read_settings(args)
    except ConfigError as exc:
        print(f"oso-sim load: {exc}", file=sys.stderr)
        return 2
    # looked up, never imported: importing Locust monkey-patches ssl and socket with gevent
    if importlib.util.find_spec("locust") is None:
        print("oso-sim load: Locust ontbreekt; installeer het met pip install 'oso-sim[load]'",
              file=sys.stderr)
        return 2
    from harness.load import checks
    from harness.load import report as rpt
    from harness.load import world as wld

    report = Path(args.report).resolve()
    report.mkdir(parents=True, exist_ok=True)
    prefix = report / "locust"
    for old in report.glob("locust_*.csv"):
        old.unlink()
    vorm, workers = settings["vorm"], settings["workers"]
    swv = roles.roles["swv"]
    procs = wld.Processes()
    defects = {r: c.defects for r, c in roles.roles.items() if c.defects}
    started = time.monotonic()
    # the actors' databases and logs stay beside the report: the evidence when a run fails
    tmp = report / "actoren"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    if True:
        try:
            if vorm == "swv":
                external = (swv.soap_url, swv.routeringskenmerk, swv.brin or "25PO") if swv.external else None
                world = wld.start_swv_world(Path(tmp), procs, schools=settings["scholen"],
                                            las_count=max(1, workers), swv_external=external,
                                            leerlingen=settings["leerlingen_per_school"], defects=defects)
            else:
                world = wld.start_las_world(Path(tmp), procs, schools=settings["scholen"],
                                            leerlingen=settings["leerlingen_per_school"], defects=defects)
            world.max_exchanges = settings["max_uitwisselingen"]
            world.wait_seconds = (swv if vorm == "swv" else roles.roles["las"]).wait_seconds
            if vorm == "las":
                print(f"Voorbereiden: {settings['max_uitwisselingen']} zorgvragen bij de LAS ...")
                world.pool = checks.prepare_pool(world, settings["max_uitwisselingen"])
            world_file = world.save(report / "wereld.json")
            print(f"Belasting ({vorm}) met {settings['gebruikers']} gebruikers, {int(settings['duur'])} s,"
                  f" {workers or 'geen'} workers, {len(world.schools)} scholen"
                  + (f"; webinterface op http://127.0.0.1:{args.web_port}" if args.web else ""))
            env = {**os.environ, "OSO_LOAD_WORLD": str(world_file), "OSO_LOAD_WORKERS": str(max(1, workers)),
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
            locustfile = HARNESS / "load" / f"locust_{vorm}.py"
            locust_start = time.monotonic()
            code = run_locust(locust_commands(settings, locustfile, prefix, args.web, args.web_port),
                              env, report, bound_s=settings["duur"] + 180)
            steps, totaal = rpt.read_stats(prefix)
            outcome = rpt.Outcome(steps, totaal, rpt.read_history(prefix),
                                  locust_fouten=rpt.read_failures(prefix))
            rpt.over_whole_run(outcome, time.monotonic() - locust_start)
            if code not in (0, 1):
                outcome.bevindingen.append(f"Locust eindigde met code {code}; zie locust-*.log")
            if vorm == "swv":
                outcome.controle, found = checks.check_swv_run(world, world.wait_seconds)
            else:
                outcome.controle, found = checks.check_las_run(world)
            outcome.bevindingen += found
        finally:
            procs.stop()
    rpt.judge(outcome, p95_ms=settings["p95_ms"], p99_ms=settings["p99_ms"], max_fouten=settings["max_fouten"])
    titel = {"swv": "Belasting: SWV onder een golf zorgvragen",
             "las": "Belasting: LAS onder ophaalverkeer"}[vorm]
    instellingen = {"systeem": roles.describe_sut(), "vorm": vorm, **{k: v for k, v in settings.items()
                                                                        if k != "vorm"},
                    "looptijd (s)": round(time.monotonic() - started, 1)}
    summary = rpt.write_html(report / "samenvatting.html", outcome, titel=titel, instellingen=instellingen,
                             locust_html="locust_locust.html" if (report / "locust_locust.html").exists() else None)
    for s in outcome.steps:
        print(f"  {s.naam:<52} {s.aantal:>6} x  fouten {s.fouten:>3}  p50 {s.p50:>6.0f}  p95 {s.p95:>6.0f}"
              f"  p99 {s.p99:>6.0f} ms")
    print(f"  Verzoeken: {outcome.verzoeken} in {outcome.looptijd_s:.1f} s,"
          f" {outcome.per_seconde:.1f} per seconde over de hele run")
    for line in outcome.bevindingen[:20] + outcome.overschrijdingen:
        print(f"  - {line}")
    if outcome.locust_fouten:
        print("  Meest voorkomende fouten:")
        for line in outcome.locust_fouten[:5]:
            print(f"    {line}")
    print(f"Samenvatting: {summary}")
    print(f"Oordeel: {'geslaagd' if outcome.geslaagd else 'mislukt'}")
    return 0 if outcome.geslaagd else 1
