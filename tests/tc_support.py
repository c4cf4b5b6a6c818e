"""Shared helpers for the Traffic Center tests (tests/test_tc_*.py)."""
from __future__ import annotations

import pytest

from oso_mock.app import create_app
from oso_protocol.transport import codec
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (AfmeldingRequest, MeldenNotificatieRequest,
                                             MeldenTerugkoppelingRequest, OverdrachtRequest,
                                             SessiecontroleRequest)

LAS_URL = "http://las.test"
SWV_URL = "http://swv.test"

BRIN = "12AB"
LAS_RK = "0000000700012AB00950"
SWV_BRIN = "25PO"
SWV_RK = "0000000700025PO00931"
SWV_VO_RK = "0000000700025VO00932"
SWV_INACTIEF_RK = "0000000700025PO00939"


class Clock:
    def __init__(self, t: float = 1_700_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def make_app(tmp_path, clock=None, **extra):
    config = {"DB_PATH": str(tmp_path / "tc.sqlite"), "TESTING": True,
              "ACTOR_URLS": {"las": LAS_URL, "swv": SWV_URL, "tc": "http://tc.test"},
              "CLOCK": clock or Clock()}
    config.update(extra)
    return create_app(config)


def soap(client, message):
    """POST a message to /oso: the decoded answer, or the OsoFault the TC answered with."""
    resp = client.post("/oso", data=codec.encode(message),
                       headers={"Content-Type": codec.CONTENT_TYPE})
    try:
        answer = codec.decode(resp.data)
    except OsoFault as fault:
        assert resp.status_code == codec.HTTP_STATUS_FAULT
        return fault
    assert resp.status_code == 200
    return answer


def refused(client, message, code: str) -> OsoFault:
    answer = soap(client, message)
    assert isinstance(answer, OsoFault), f"expected {code}, got {answer!r}"
    assert answer.resultaat == code, answer
    return answer


def counts(app) -> dict:
    store = app.extensions["oso_mock"].store
    return {t: store.one(f"SELECT COUNT(*) FROM {t}")[0]
            for t in ("koppelingen", "sessies", "terugkoppelingen", "schools", "systems",
                      "mandates", "aanleverpunten")}


def melden(brin=BRIN, las_rk=LAS_RK, doel_brin=SWV_BRIN, swv_rk=SWV_RK, doel="SWV"):
    return MeldenNotificatieRequest(bronBrin=brin, bronRouteringsKenmerk=las_rk,
                                    doelBrin=doel_brin, doelRouteringsKenmerk=swv_rk, doel=doel)


def overdracht(koppelsleutel, **kw):
    fields = dict(bronBrin=BRIN, doelBrin=SWV_BRIN, doelRouteringsKenmerk=SWV_RK,
                  overdrachtsoort="SWVaanvraag", bronRouteringsKenmerk=LAS_RK,
                  koppelsleutel=koppelsleutel)
    fields.update(kw)
    return OverdrachtRequest(**fields)


def controle(sessie_id, koppelsleutel, **kw):
    fields = dict(bronBrin=BRIN, bronRouteringsKenmerk=LAS_RK, doelBrin=SWV_BRIN,
                  doelRouteringsKenmerk=SWV_RK, koppelsleutel=koppelsleutel,
                  overdrachtsoort="SWVaanvraag", sessieId=sessie_id)
    fields.update(kw)
    return SessiecontroleRequest(**fields)


def afmelding(sessie_id, koppelsleutel, resultaat="OverdrachtGeslaagd", **kw):
    fields = dict(sessieId=sessie_id, bronBrin=BRIN, bronRouteringsKenmerk=LAS_RK,
                  doelBrin=SWV_BRIN, doelRouteringsKenmerk=SWV_RK, koppelsleutel=koppelsleutel,
                  overdrachtsoort="SWVaanvraag", resultaat=resultaat)
    fields.update(kw)
    return AfmeldingRequest(**fields)


def terugkoppeling(koppelsleutel, **kw):
    fields = dict(bronBrin=BRIN, bronRouteringsKenmerk=LAS_RK, doelBrin=SWV_BRIN,
                  doelRouteringsKenmerk=SWV_RK, koppelsleutel=koppelsleutel, doel="SWV")
    fields.update(kw)
    return MeldenTerugkoppelingRequest(**fields)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(tmp_path, clock):
    app = make_app(tmp_path, clock)
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def client(app):
    return app.test_client()


def new_koppelsleutel(client) -> str:
    return soap(client, melden()).koppelsleutel


def new_sessie(client) -> tuple[str, str]:
    k = new_koppelsleutel(client)
    return k, soap(client, overdracht(k)).sessieId


def fetched(client) -> str:
    """A koppelsleutel whose dossier was fetched and signed off with OverdrachtGeslaagd."""
    k, s = new_sessie(client)
    soap(client, controle(s, k))
    soap(client, afmelding(s, k))
    return k
