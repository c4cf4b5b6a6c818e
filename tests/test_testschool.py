"""Test-school mode: its flows are the LAS behaviours the conformance scenarios play
(harness/conformance/las_behaviours.py), and against our own SWV system, started as a vendor's would be (its
own process, `oso-sim serve swv`), every flow ends geslaagd in the JSON listing the command serves
and writes; an SWV that signs a refusal off as a success makes the refusal flows mislukt."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from actor_kit import pki
from harness.conformance import las_behaviours
from harness.conformance.outcomes import GESLAAGD, MISLUKT, NIET_GEVERIFIEERD
from harness.conformance.sut_play import free_port, serve, stop
from harness.runtime.scenario import load_scenario
from harness.testschool.flows import FLOWS
from harness.testschool.runner import School

ROOT = Path(__file__).resolve().parent.parent
SPEELT = re.compile(r"de harnas speelt de LAS met (.+?)(?: achter .*)?$")


def _scenario_behaviours() -> set[str]:
    """Every LAS behaviour a scenario of features/*.feature plays, its Examples filled in."""
    found: set[str] = set()
    for feature in sorted((ROOT / "features").glob("*.feature")):
        templates: list[str] = []
        header = None
        for raw in feature.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if re.match(r"(Abstract )?Scenario|Scenario Outline|Achtergrond|Background", line):
                templates, header = [], None
                continue
            if line.startswith(("Voorbeelden:", "Examples:")):
                header = []
                continue
            step = SPEELT.search(line)
            if step:
                if "<" in step.group(1):
                    templates.append(step.group(1))
                else:
                    found.add(step.group(1))
                continue
            if header is not None and line.startswith("|"):
                cells = [c.strip() for c in line.strip("|").split("|")]
                if not header:
                    header = cells
                    continue
                for template in templates:
                    naam = template
                    for column, value in zip(header, cells):
                        naam = naam.replace(f"<{column}>", value)
                    found.add(naam)
    return found


def test_every_flow_plays_a_behaviour_of_the_shared_definition():
    for flow, _speler in FLOWS:
        assert flow.gedrag in las_behaviours.BEHAVIOURS, flow.naam
        b = las_behaviours.BEHAVIOURS[flow.gedrag]
        assert flow.titel.startswith(b.titel) and flow.verwacht.startswith(b.verwacht)
        assert flow.afmelding == b.afmelding
    assert len({f.naam for f, _ in FLOWS}) == len(FLOWS)


def test_every_behaviour_of_the_scenarios_is_played_by_the_test_school():
    in_scenarios = _scenario_behaviours()
    assert "de weigering LeveringGeweigerd" in in_scenarios and "een geldig dossier" in in_scenarios
    assert in_scenarios <= set(las_behaviours.BEHAVIOURS), in_scenarios - set(las_behaviours.BEHAVIOURS)
    missing = in_scenarios - {f.gedrag for f, _ in FLOWS}
    assert not missing, f"de testschool speelt deze LAS-gedragingen van de scenario's niet: {missing}"


def _three_free_ports(avoid: int) -> int:
    """A port P with P, P+1 and P+2 free: the test school puts its TC, LAS and SWV there. One
    free port says nothing of the next, which a client connection may hold."""
    for _ in range(50):
        base = free_port()
        if avoid in range(base, base + 3):
            continue
        sockets = []
        try:
            for port in range(base, base + 3):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("geen drie opeenvolgende vrije poorten gevonden")


@pytest.mark.slow
@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_every_flow_ends_geslaagd_against_our_swv(tmp_path, tls):
    swv_port = free_port()
    tc_port = _three_free_ports(avoid=swv_port)
    pki_dir = None
    if tls:  # the vendor's SWV presents the test PKI's swv-sim certificate
        pki_dir = tmp_path / "pki"
        pki.init(pki_dir, load_scenario(None))
    swv = serve("swv", swv_port, tc_port, tmp_path, pki_dir=pki_dir)
    listing = tmp_path / "overzicht.json"
    scheme = "https" if tls else "http"
    try:
        school = subprocess.Popen(
            [sys.executable, "-m", "harness.cli", "testschool", "--swv-url",
             f"{scheme}://127.0.0.1:{swv_port}", "--port", str(tc_port), "--workdir",
             str(tmp_path / "school"), "--wacht", "20", "--seconds", "3", "--json", str(listing)]
            + (["--tls", str(pki_dir)] if tls else []),
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # the page serves the same listing while the school runs
        page_url, lines = None, []
        for line in school.stdout:
            lines.append(line)
            if "Overzicht:" in line:
                page_url = line.split()[1]
            if line.startswith("Het overzicht blijft"):
                break
        assert page_url, "".join(lines) + school.stderr.read()
        served = requests.get(f"{page_url}api/testschool", timeout=30).json()
        page = requests.get(page_url, timeout=30).text
        out, err = school.communicate(timeout=120)
    finally:
        stop(swv)
    assert school.returncode == 0, "".join(lines) + out + err
    data = json.loads(listing.read_text())
    gevallen = {g["flow"]: g for g in data["gevallen"]}
    assert list(gevallen) == [f.naam for f, _ in FLOWS]
    for naam, g in gevallen.items():
        assert g["uitkomst"] == GESLAAGD, (naam, g)
    assert {g["flow"] for g in served["gevallen"]} == set(gevallen)
    for f, _ in FLOWS:
        assert f'id="flow-{f.naam}"' in page
    assert 'class="uitkomst geslaagd"' in page and "zoals verwacht" not in page

    def first(naam):
        return gevallen[naam]["zorgvragen"][0]

    assert first("normaal")["leveringen"] == ["DossierGeleverd"]
    assert first("normaal")["afmelding"] == "OverdrachtGeslaagd"
    assert gevallen["vo-profiel"]["leerling"]["brin"] == "56EF"
    assert first("validatiefout")["afmelding"] == "DossierOngeldig"
    assert first("validatiefout")["leveringen"] == ["DossierGeleverd"]     # read from the harness LAS
    assert first("verwijderd")["leveringen"][0] == "LeerlinginfoNietBeschikbaar"
    assert first("verwijderd")["afmelding"] == "LeerlinginfoNietBeschikbaar"
    assert first("levering-geweigerd")["leveringen"][0] == "LeveringGeweigerd"
    assert first("verlopen-sessie")["leveringen"][:2] == ["SessieVerlopen", "DossierGeleverd"]
    assert first("las-onbereikbaar")["leveringen"][0].startswith("niet bereikbaar")
    # one pupil per flow of the school's own LAS while its pupils last
    eigen = [g for g in gevallen.values() if not g["harnas_las"]]
    assert len({g["leerling"]["id"] for g in eigen}) == len(eigen)
    tweede = gevallen["tweede-zorgvraag"]["zorgvragen"]
    assert len({z["koppelsleutel"] for z in tweede}) == 2
    assert all(z["afmelding"] == "OverdrachtGeslaagd" for z in tweede)


@pytest.mark.slow
def test_the_listing_says_niet_geverifieerd_when_the_swv_is_not_there(tmp_path):
    """No SWV behind the URL: the school cannot notify it, and says so per flow."""
    listing = tmp_path / "overzicht.json"
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "testschool", "--swv-url", "http://127.0.0.1:9",
         "--workdir", str(tmp_path / "school"), "--wacht", "1", "--seconds", "0",
         "--json", str(listing)], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    data = json.loads(listing.read_text())
    assert data["gevallen"] and all(g["uitkomst"] == NIET_GEVERIFIEERD for g in data["gevallen"])


@pytest.mark.slow
def test_an_swv_that_signs_a_refusal_off_as_success_fails_the_refusal_flows(tmp_path):
    """`oso-sim serve swv --defect succeed_on_refusal`: each flow whose LAS refuses is mislukt,
    an ordinary zorgvraag still geslaagd."""
    refusals = [(f, s) for f, s in FLOWS if f.behaviour.fout]
    gewoon = [(f, s) for f, s in FLOWS if f.naam == "normaal"]
    assert len(refusals) == 3
    swv_port = free_port()
    tc_port = _three_free_ports(avoid=swv_port)
    swv = serve("swv", swv_port, tc_port, tmp_path, defects=("succeed_on_refusal",))
    school = School(f"http://127.0.0.1:{swv_port}/oso", workdir=tmp_path / "school", port=tc_port,
                    wacht=15, flows=gewoon + refusals)
    try:
        school.start()
        school.speel()
        gevallen = {g["flow"]: g for g in school.overzicht()}
    finally:
        school.stop()
        stop(swv)
    assert gevallen["normaal"]["uitkomst"] == GESLAAGD, gevallen["normaal"]
    for flow, _ in refusals:
        g = gevallen[flow.naam]
        assert g["uitkomst"] == MISLUKT, g
        assert "OverdrachtGeslaagd" in g["waarom"], g
