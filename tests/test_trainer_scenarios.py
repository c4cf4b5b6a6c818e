"""The trainer's prepared situations, played from the demo start page against three real
actors: each shows what it is meant to show (the refusal, the code, the validation rule) and
leaves the demo as it was; `oso-sim demo --scenario-list` names them all."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from harness.cli import demo as cmd_demo
from harness.runtime.actors import Actors
from harness.trainer.scenarios import SITUATIES

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with Actors(workdir=tmp_path_factory.mktemp("trainer")) as actors:
        trainer = cmd_demo._trainer(actors, token="t")
        actors.apps["tc"].config["TRAINER_SCENARIOS"] = trainer
        yield actors, trainer


def _play(actors, naam: str) -> tuple[str, str]:
    """Click the situation's button on the start page; the page shown after the redirect."""
    s = requests.Session()
    start = s.get(f"{actors.urls['tc']}/demo", timeout=30)
    assert f'id="situatie-{naam}"' in start.text
    csrf = s.cookies.get("oso_sim_csrf")
    resp = s.post(f"{actors.urls['tc']}/demo/situaties/{naam}", data={"csrf_token": csrf},
                  timeout=120)
    assert resp.status_code == 200, resp.text[:500]
    assert "uitkomst=" in resp.url
    return resp.url, resp.text


def _uitkomst(trainer, url: str):
    return trainer.uitkomst(int(re.search(r"uitkomst=(\d+)", url).group(1)))


def test_the_list_names_every_situation_once():
    done = subprocess.run([sys.executable, "-m", "harness.cli", "demo", "--scenario-list"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == len(SITUATIES) == 6
    for s, line in zip(SITUATIES, lines):
        assert line.startswith(s.naam) and s.titel in line


def test_refused_send_without_toelichting(demo):
    actors, trainer = demo
    url, page = _play(actors, "geweigerd-verzenden")
    u = _uitkomst(trainer, url)
    assert u.gelukt, u.tekst
    assert "toelichting" in u.tekst.lower()
    assert 'id="uitkomst"' in page and u.titel in page
    assert any("/zorgvragen/nieuw" in link for _, link in u.links)


def test_school_without_mandate_is_refused_by_the_tc(demo):
    actors, trainer = demo
    u = _uitkomst(trainer, _play(actors, "geen-mandaat")[0])
    assert u.gelukt, u.tekst
    assert "GeenMandaat" in u.tekst
    las_link = next(link for _, link in u.links if "/zorgvragen/" in link)
    assert requests.get(las_link, timeout=30).status_code == 200


def test_inactive_aanleverpunt_is_refused_and_switched_back_on(demo):
    actors, trainer = demo
    u = _uitkomst(trainer, _play(actors, "inactief-aanleverpunt")[0])
    assert u.gelukt, u.tekst
    rk = re.search(r"Aanleverpunt (\w+) stond uit", u.tekst).group(1)
    register = requests.get(f"{actors.urls['tc']}/api/register", timeout=30).json()
    ap = next(a for a in register["aanleverpunten"] if a["routeringskenmerk"] == rk)
    assert ap["actief"] is True


def test_dossier_with_pgn_fails_validation_at_the_swv(demo):
    actors, trainer = demo
    u = _uitkomst(trainer, _play(actors, "dossier-met-pgn")[0])
    assert u.gelukt, u.tekst
    k = re.search(r"Koppelsleutel ([\w-]+)", u.tekst).group(1)
    aanvraag = requests.get(f"{actors.urls['swv']}/api/aanvragen/{k}", timeout=30).json()
    assert aanvraag["valid"] is False and aanvraag["bevindingen"] >= 1
    # the defect was for that one zorgvraag only
    assert actors.apps["las"].extensions["las"]["zorgvragen"].defects == frozenset()


def test_late_terugkoppeling_is_not_accepted(demo):
    actors, trainer = demo
    u = _uitkomst(trainer, _play(actors, "late-terugkoppeling")[0])
    assert u.gelukt, u.tekst
    assert "verwijderde" in u.tekst


def test_expired_session_keeps_the_dossier_at_the_school(demo):
    actors, trainer = demo
    u = _uitkomst(trainer, _play(actors, "verlopen-sessie")[0])
    assert u.gelukt, u.tekst
    assert "SessieVerlopen" in u.tekst or "verlopen" in u.tekst
    assert actors.apps["tc"].extensions["oso_mock"].session_ttl > 0


def test_an_ordinary_exchange_still_completes_afterwards(demo):
    from harness.runtime.exchange import ExchangeDriver
    actors, _ = demo
    res = ExchangeDriver(actors.urls).run_many(1)[0]
    assert res.completed, res.error


def test_without_the_demo_the_tc_offers_no_situations(tmp_path):
    with Actors(workdir=tmp_path) as actors:
        page = requests.get(f"{actors.urls['tc']}/demo", timeout=30).text
        assert 'id="situaties"' not in page


def test_in_step_mode_the_situations_click_dossier_ophalen_themselves(tmp_path):
    with Actors(workdir=tmp_path, extra={"swv": {"STEP_MODE": True}}) as actors:
        trainer = cmd_demo._trainer(actors, token="t")
        for naam in ("dossier-met-pgn", "late-terugkoppeling", "verlopen-sessie"):
            u = trainer.speel(naam)
            assert u.gelukt, (naam, u.tekst)
