"""Kill an actor with SIGKILL between two messages of an exchange, restart it on the same
database, and finish the exchange: nothing acknowledged may be lost."""
from __future__ import annotations

import base64

import pytest
import requests

from harness.runtime.processes import start_three
from oso_protocol.synthetic import pdf_bytes

pytestmark = pytest.mark.slow

T = 15


@pytest.fixture
def actors(tmp_path):
    # manual fetch, so the test decides between which two messages the kill falls
    procs = start_three(tmp_path, swv_args=("--manual-fetch",))
    yield procs
    for p in procs.values():
        p.stop()


def send_zorgvraag(las: str) -> dict:
    school = next(s for s in requests.get(f"{las}/api/scholen", timeout=T).json()
                  if s["brin"] == "12AB")
    leerling = requests.get(f"{las}/api/leerlingen?brin={school['brin']}", timeout=T).json()[0]
    ap = requests.get(f"{las}/api/aanleverpunten?brin=12AB", timeout=T).json()[0]
    resp = requests.post(f"{las}/api/leerlingen/{leerling['id']}/zorgvragen", timeout=T, json={
        "omschrijving": "Crashtest", "aanleverpunt": ap["routeringskenmerk"],
        "toelichting": {"bestandsnaam": "toelichting.pdf",
                        "inhoud_base64": base64.b64encode(pdf_bytes("T", ["x"])).decode()},
    })
    assert resp.status_code == 201, resp.text
    zv = resp.json()["zorgvraag"]
    assert zv["notificatie_verstuurd"] == "Ja", zv
    return zv


def fetch(swv: str, k: str) -> dict:
    return requests.post(f"{swv}/api/aanvragen/{k}/ophalen", timeout=T).json()


def feedback(swv: str, k: str) -> dict:
    return requests.post(f"{swv}/api/aanvragen/{k}/terugkoppeling", timeout=T,
                         json={"status": "Ontvangen", "toelichting": "na herstart"}).json()


def test_swv_killed_after_notificatie_fetches_after_restart(actors):
    zv = send_zorgvraag(actors["las"].url)
    k = zv["koppelsleutel"]
    actors["swv"].kill()
    actors["swv"].start()
    aanvraag = requests.get(f"{actors['swv'].url}/api/aanvragen/{k}", timeout=T).json()
    assert aanvraag["status"] in ("genotificeerd", "wacht")
    assert fetch(actors["swv"].url, k)["status"] == "afgemeld"
    assert feedback(actors["swv"].url, k)["verzonden"] is True
    got = requests.get(f"{actors['las'].url}/api/zorgvragen/{zv['id']}", timeout=T).json()
    assert got["terugkoppeling_ontvangen"] == "Ja"


def test_las_killed_after_sending_still_serves_the_snapshot(actors):
    zv = send_zorgvraag(actors["las"].url)
    snapshot = requests.get(f"{actors['las'].url}/api/zorgvragen/{zv['id']}/dossier", timeout=T).content
    actors["las"].kill()
    actors["las"].start()
    k = zv["koppelsleutel"]
    assert fetch(actors["swv"].url, k)["status"] == "afgemeld"
    fetched = requests.get(f"{actors['swv'].url}/api/aanvragen/{k}/dossier", timeout=T).content
    assert fetched == snapshot
    assert feedback(actors["swv"].url, k)["verzonden"] is True


def test_tc_killed_between_notificatie_and_overdracht(actors):
    zv = send_zorgvraag(actors["las"].url)
    actors["tc"].kill()
    actors["tc"].start()
    k = zv["koppelsleutel"]
    koppeling = requests.get(f"{actors['tc'].url}/api/koppelingen/{k}", timeout=T).json()
    assert koppeling["koppelsleutel"].upper() == k.upper()
    assert fetch(actors["swv"].url, k)["status"] == "afgemeld"
    assert feedback(actors["swv"].url, k)["verzonden"] is True


def test_tc_killed_after_afmelding_keeps_the_fetch_on_record(actors):
    zv = send_zorgvraag(actors["las"].url)
    k = zv["koppelsleutel"]
    assert fetch(actors["swv"].url, k)["status"] == "afgemeld"
    actors["tc"].kill()
    actors["tc"].start()
    # meldenTerugkoppeling needs the TC to remember that the dossier was fetched
    assert feedback(actors["swv"].url, k)["verzonden"] is True
