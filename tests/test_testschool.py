"""Test-school mode against our own SWV system, started as a vendor's would be (its own
process, `oso-sim serve swv`): every prepared pupil's flow ends with the outcome a correct SWV
gives, in the JSON listing the command serves and writes."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from actor_kit import pki
from harness.scenario import load_scenario
from harness.sut_play import free_port, serve, stop
from harness.testschool.flows import FLOWS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


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


@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_every_flow_ends_as_expected_against_our_swv(tmp_path, tls):
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
        assert g["uitkomst"] == "zoals verwacht", (naam, g)
    assert {g["flow"] for g in served["gevallen"]} == set(gevallen)
    for f, _ in FLOWS:
        assert f'id="flow-{f.naam}"' in page

    def first(naam):
        return gevallen[naam]["zorgvragen"][0]

    assert first("normaal")["leveringen"] == ["DossierGeleverd"]
    assert first("normaal")["afmelding"] == "OverdrachtGeslaagd"
    assert gevallen["vo-profiel"]["leerling"]["brin"] == "56EF"
    assert first("validatiefout")["afmelding"] == "DossierOngeldig"
    assert first("verwijderd")["leveringen"][0] == "LeerlinginfoNietBeschikbaar"
    assert first("levering-geweigerd")["leveringen"][0] == "LeveringGeweigerd"
    assert first("verlopen-sessie")["leveringen"][0] == "SessieVerlopen"
    # one pupil per flow while the school's pupils last
    assert len({g["leerling"]["id"] for g in gevallen.values()}) == len(gevallen)
    tweede = gevallen["tweede-zorgvraag"]["zorgvragen"]
    assert len({z["koppelsleutel"] for z in tweede}) == 2
    assert all(z["afmelding"] == "OverdrachtGeslaagd" for z in tweede)


def test_the_listing_says_anders_when_the_swv_is_not_there(tmp_path):
    """No SWV behind the URL: the school cannot notify it, and says so per flow."""
    listing = tmp_path / "overzicht.json"
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "testschool", "--swv-url", "http://127.0.0.1:9",
         "--workdir", str(tmp_path / "school"), "--wacht", "1", "--seconds", "0",
         "--json", str(listing)], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    data = json.loads(listing.read_text())
    assert data["gevallen"] and all(g["uitkomst"] != "zoals verwacht" for g in data["gevallen"])
