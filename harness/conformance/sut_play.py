"""Our own LAS or SWV played as a vendor's system under test: started in its own process with
`oso-sim serve`, configured exactly as docs/conformance.md tells a vendor (trigger commands and
all), optionally with a deliberate defect. Used by the suite's self-checks (tests/ and
scripts/defect_table.py): a correct system must get geslaagd, each defect must be caught.
"""
from __future__ import annotations

import copy
import json
import shlex
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from actor_kit import pki
from actor_kit.tls import requests_kwargs

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "harness.cli"]
LAS_BRIN, LAS_RK = "12AB", "0000000700012AB00950"
VO_BRIN, VO_RK = "56EF", "0000000700056EF00950"
SWV_BRIN, SWV_RK = "25PO", "0000000700025PO00931"
ONDERWIJSNUMMER = "101010108"
# the optional features our own actors support, claimed as a vendor would ([sut] ondersteunt)
LAS_CLAIMS = ("extra_bijlagen", "terugkoppeling_met_document")
SWV_CLAIMS = ("terugkoppeling_met_document",)


def harness_tls(pki_dir: Path | None) -> dict:
    """verify= and cert= for the harness's own calls to an actor's JSON API under TLS."""
    return requests_kwargs(pki.files_for(pki_dir, pki.HARNESS_ID)) if pki_dir else {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(role: str, port: int, tc_port: int, workdir: Path, defects=(),
          pki_dir: Path | None = None, cwd: Path | None = None) -> subprocess.Popen:
    """`oso-sim serve ROLE` in its own process (in `cwd`, by default the project), returned once
    its health API answers."""
    extra = [a for d in defects for a in ("--defect", d)]
    scheme = "https" if pki_dir else "http"
    if pki_dir:
        extra += ["--tls", str(pki_dir)]
    argv = [*CLI, "serve", role, "--port", str(port), "--tc-url", f"{scheme}://127.0.0.1:{tc_port}",
            "--db", str(workdir / f"{role}.sqlite"), *extra]
    return start(argv, f"{scheme}://127.0.0.1:{port}", workdir / f"{role}.log", cwd=cwd or ROOT,
                 pki_dir=pki_dir)


def start(argv: list[str], base_url: str, log_path: Path, cwd: Path, pki_dir: Path | None = None) -> subprocess.Popen:
    """An actor started with `argv` (e.g. the `oso-sim serve` line of an example's header, run
    where a vendor runs it), returned once its health API at `base_url` answers."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    tls = harness_tls(pki_dir)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if requests.get(f"{base_url}/api/health", timeout=1, **tls).ok:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError(f"{' '.join(argv[:4])} startte niet: {log_path.read_text()[-800:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _q(s: str) -> str:
    # a TOML basic string holding a shell command
    return json.dumps(s)


def prepare_las_pupils(base: str, tls: dict | None = None) -> dict[str, dict]:
    """Pick the pupils a vendor would prepare in its LAS, and give one an onderwijsnummer."""
    tls = tls or {}

    def first(brin, pred=lambda p: True):
        for p in requests.get(f"{base}/api/leerlingen?brin={brin}", timeout=5, **tls).json():
            full = requests.get(f"{base}/api/leerlingen/{p['id']}", timeout=5, **tls).json()
            if pred(full):
                return full
        raise RuntimeError(f"geen geschikte leerling op school {brin}")

    po = first(LAS_BRIN, lambda p: not p.get("bsn"))
    met_bsn = first(LAS_BRIN, lambda p: bool(p.get("bsn")))
    met_on = first(LAS_BRIN, lambda p: p["id"] not in (po["id"], met_bsn["id"]))
    requests.patch(f"{base}/api/leerlingen/{met_on['id']}", json={"bsn": None, "onderwijsnummer": ONDERWIJSNUMMER},
                   timeout=5, **tls).raise_for_status()
    vo = first(VO_BRIN)
    return {"po": {"ref": po["id"]}, "met_bsn": {"ref": met_bsn["id"], "bsn": met_bsn["bsn"]},
            "met_onderwijsnummer": {"ref": met_on["id"], "onderwijsnummer": ONDERWIJSNUMMER},
            "vo": {"ref": vo["id"], "brin": VO_BRIN}}


def las_config(naam: str, las_port: int, tc_port: int, pupils: dict[str, dict],
               wait_seconds: float = 15, pki_dir: Path | None = None,
               trigger_pki: Path | None = None) -> str:
    """Our LAS as the system under test, triggered through `oso-sim zorgvraag` like a vendor's
    scripts; every trigger contract of docs/conformance.md configured. The triggers reach the
    LAS with `trigger_pki` (the vendor's own certificates), by default the run's PKI."""
    trigger_pki = trigger_pki or pki_dir
    base = f"{'https' if pki_dir else 'http'}://127.0.0.1:{las_port}"
    zv = " ".join(shlex.quote(a) for a in CLI) + f" zorgvraag --las {base}" + (
        f" --tls {shlex.quote(str(trigger_pki))}" if trigger_pki else "")
    triggers = {
        "trigger": f"{zv} create --leerling {{leerling}} --omschrijving {{omschrijving}}"
                   " --aanleverpunt {aanleverpunt} --toelichting {toelichting}"
                   " --gegevensblokken {gegevensblokken} --aandachtspunten {aandachtspunten}"
                   " --bijlagen {bijlagen}",
        "trigger_wijzig_leerling": f"{zv} wijzig-leerling --leerling {{leerling}} --achternaam {{achternaam}}",
        "trigger_wijzig_zorgvraag": f"{zv} wijzig --koppelsleutel {{koppelsleutel}} --veld {{veld}} --waarde {{waarde}}",
        "trigger_toon_zorgvraag": f"{zv} toon --koppelsleutel {{koppelsleutel}}",
        "trigger_verwijder_zorgvraag": f"{zv} delete --koppelsleutel {{koppelsleutel}}",
        "trigger_aanleverpunten": f"{zv} --json aanleverpunten {{brin}}",
    }
    lines = [f'[sut]\nnaam = {_q(naam)}', f"ondersteunt = {json.dumps(list(LAS_CLAIMS))}", "[las]",
             'mode = "external"', f'base_url = "{base}"',
             f'brin = "{LAS_BRIN}"', f'routeringskenmerk = "{LAS_RK}"', f"wait_seconds = {wait_seconds}"]
    lines += [f"{k} = {_q(v)}" for k, v in triggers.items()]
    lines += _tls_keys(pki_dir, "swv-sim")
    lines += ["[las.scholen]", f'"{VO_BRIN}" = "{VO_RK}"', "[las.leerlingen]"]
    for kind, p in pupils.items():
        extra = "".join(f', {k} = "{p[k]}"' for k in ("brin", "bsn", "onderwijsnummer") if p.get(k))
        lines.append(f'{kind} = {{ ref = "{p["ref"]}"{extra} }}')
    lines += ["[tc]", f"port = {tc_port}"]
    return "\n".join(lines) + "\n"


def _tls_keys(pki_dir: Path | None, peer: str) -> list[str]:
    """What a vendor writes for its test system: the CA of its server certificate, and the
    certificate the harness presents when it plays the peer (`peer`'s, from the same PKI)."""
    if not pki_dir:
        return []
    return [f"ca_bundle = {_q(str(pki_dir / 'ca.pem'))}", f"client_cert = {_q(str(pki_dir / f'{peer}.pem'))}",
            f"client_key = {_q(str(pki_dir / f'{peer}.key'))}"]


def swv_config(naam: str, swv_port: int, tc_port: int, wait_seconds: float = 10,
               pki_dir: Path | None = None, trigger_pki: Path | None = None) -> str:
    """Our SWV as the system under test; its triggers reach it with `trigger_pki` (the vendor's
    own certificates), by default the run's PKI."""
    trigger_pki = trigger_pki or pki_dir
    base = f"{'https' if pki_dir else 'http'}://127.0.0.1:{swv_port}"
    tls = f" --tls {shlex.quote(str(trigger_pki))}" if trigger_pki else ""
    tk = (" ".join(shlex.quote(a) for a in CLI) + f" swv --swv {base}{tls} terugkoppeling --koppelsleutel"
          " {koppelsleutel} --status {status} --toelichting {toelichting} --behandelaar {behandelaar}"
          " --document {document}")
    toon = " ".join(shlex.quote(a) for a in CLI) + f" swv --swv {base}{tls} toon --koppelsleutel {{koppelsleutel}}"
    return "\n".join([f"[sut]\nnaam = {_q(naam)}", f"ondersteunt = {json.dumps(list(SWV_CLAIMS))}", "[swv]",
                      'mode = "external"', f'base_url = "{base}"',
                      f'brin = "{SWV_BRIN}"', f'routeringskenmerk = "{SWV_RK}"',
                      f"wait_seconds = {wait_seconds}", f"trigger_terugkoppeling = {_q(tk)}",
                      f"trigger_toon_aanvraag = {_q(toon)}",
                      *_tls_keys(pki_dir, "las-sim"),
                      "[tc]", f"port = {tc_port}"]) + "\n"


@dataclass
class Run:
    code: int
    summary: dict
    stderr: str
    seconds: float

    def outcomes(self) -> dict[str, str]:
        return {s["name"]: s["outcome"] for s in self.summary.get("scenarios", [])}

    def failed(self) -> set[str]:
        """Titles as written in the feature files (an outline once, whichever example failed)."""
        return {s.get("template") or s["name"] for s in self.summary.get("scenarios", [])
                if s["outcome"] == "mislukt"}


def conformance(workdir: Path, config: str, tags: str | None = None, timeout: float = 900,
                pki_dir: Path | None = None, cwd: Path | None = None) -> Run:
    """`config` written to workdir/sut.toml and judged; the run starts in `cwd` (by default the
    project)."""
    cfg = workdir / "sut.toml"
    cfg.write_text(config)
    cmd = [*CLI, "conformance", "--config", str(cfg), "--report", str(workdir / "rapport")]
    if pki_dir:
        cmd += ["--tls", str(pki_dir)]
    if tags:
        cmd += ["--tags", tags]
    return run_conformance(cmd, workdir / "rapport", cwd or ROOT, timeout)


def run_conformance(argv: list[str], report: Path, cwd: Path, timeout: float = 900) -> Run:
    """An `oso-sim conformance` command line as given, run in `cwd`; its report folder `report`."""
    started = time.monotonic()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    try:
        summary = json.loads((report / "summary.json").read_text())
    except (OSError, ValueError):
        summary = {}
    return Run(done.returncode, summary, done.stderr, time.monotonic() - started)


def play_simulated(role: str, workdir: Path, defects=(), tags: str | None = None) -> Run:
    """The self-test with one simulated role broken on purpose (`[ROLE] defects`): how the
    scenarios of a role no vendor plays (the TC) prove they can fail."""
    workdir.mkdir(parents=True, exist_ok=True)
    names = ", ".join(json.dumps(d) for d in defects)
    config = f'[sut]\nnaam = "oso-sim met gesimuleerde {role.upper()} met defect {", ".join(defects)}"\n' \
             f"[{role}]\ndefects = [{names}]\n"
    return conformance(workdir, config, tags)


VENDOR_OIN = "00000003100000090000"   # invented, like every OIN of the test PKI


def vendor_pki(workdir: Path, harness_ca: Path, role: str) -> Path:
    """Certificates a vendor brings itself: its own CA and an OIN of its own for its system; the
    vendor adds the harness's test CA to what its system trusts (docs/conformance.md)."""
    from harness.runtime.scenario import load_scenario

    scenario = copy.deepcopy(load_scenario(None))
    for system in scenario["register"]["systems"]:
        if system["id"] == f"{role}-sim":
            system["oin"] = VENDOR_OIN
    directory = workdir / "leverancier-pki"
    pki.init(directory, scenario)
    (directory / "eigen-ca.pem").write_text((directory / "ca.pem").read_text())
    (directory / "ca.pem").write_text((directory / "eigen-ca.pem").read_text() + harness_ca.read_text())
    return directory


def play(role: str, workdir: Path, defects=(), tags: str | None = None, tls: bool = False,
         own_ca: bool = False) -> Run:
    """Run the conformance suite against our own `role` (las|swv) as an external system; with
    `tls` both sides use one test PKI, as a vendor would with certificates from `oso-sim pki init`;
    with `own_ca` too the system uses certificates of its own CA and OIN, named in the config
    (`ca_bundle`, `oin`)."""
    workdir.mkdir(parents=True, exist_ok=True)
    pki_dir = vendor_dir = None
    if tls or own_ca:
        from harness.runtime.scenario import load_scenario
        pki_dir = workdir / "pki"
        pki.init(pki_dir, load_scenario(None))
    if own_ca:
        vendor_dir = vendor_pki(workdir, pki_dir / "ca.pem", role)
    tc_port, port = free_port(), free_port()
    proc = serve(role, port, tc_port, workdir, defects, vendor_dir or pki_dir)
    try:
        naam = f"oso-sim {role.upper()}" + (f" met defect {', '.join(defects)}" if defects else "")
        if role == "las":
            base = f"{'https' if pki_dir else 'http'}://127.0.0.1:{port}"
            config = las_config(naam, port, tc_port, prepare_las_pupils(base, harness_tls(vendor_dir or pki_dir)),
                                pki_dir=pki_dir, trigger_pki=vendor_dir)
        else:
            config = swv_config(naam, port, tc_port, pki_dir=pki_dir, trigger_pki=vendor_dir)
        if vendor_dir:
            config = config.replace(f'ca_bundle = {_q(str(pki_dir / "ca.pem"))}',
                                    f'ca_bundle = {_q(str(vendor_dir / "eigen-ca.pem"))}\noin = "{VENDOR_OIN}"')
        return conformance(workdir, config, tags, pki_dir=pki_dir)
    finally:
        stop(proc)
