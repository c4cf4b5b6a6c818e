"""Shared helpers for the SWV system tests (tests/test_swv_*.py): an app on a temp database, and
`Peers`, which plays the TC and the LAS with the `responses` library (no servers)."""
from __future__ import annotations

import base64
import random
import uuid

import pytest
import requests
import responses

from oso_protocol.dossier.builder import build_dossier
from oso_protocol.synthetic import REFERENTIEDATUM, make_leerling, make_school, make_zorgvraag
from oso_protocol.transport import codec
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    AfmeldingResponse, DocumentResponse, MeldenTerugkoppelingResponse, NotificatieRequest,
    OverdrachtResponse, TerugkoppelingResponse)
from swv_mock.app import create_app

TC = "http://tc.test"
TC_SOAP = TC + "/oso"
LAS_SOAP = "http://las.test/oso"

BRIN = "12AB"
LAS_RK = "0000000700012AB00950"
SWV_BRIN = "25PO"
SWV_RK = "0000000700025PO00931"
SESSIE = "9CEBD89C-8953-416B-A2CB-ECEE939F1775"



def valid_dossier(seed: str = "swv-support", profile: str = "POSWV") -> bytes:
    """A dossier our SWV keeps: the XSD takes it and it carries no PGN."""
    rng = random.Random(seed)
    school = make_school(rng, profile)
    leerling = make_leerling(rng, profile, school=school)
    return build_dossier(leerling, school, datum=REFERENTIEDATUM,
                         **make_zorgvraag(rng, leerling, profile))


DOSSIER = valid_dossier()


def make_app(tmp_path, **extra):
    config = {"DB_PATH": str(tmp_path / "swv.sqlite"), "TESTING": True, "TC_URL": TC,
              "AUTO_FETCH": False, "SOAP_TIMEOUT": 2,
              # the fetch tests play the TC per operation; tests/test_attack_identity.py covers
              # the confirmation of the koppelsleutel at the notificatie
              "CONFIRM_KOPPELSLEUTEL": False}
    config.update(extra)
    return create_app(config)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def client(app):
    return app.test_client()


def new_key() -> str:
    return str(uuid.uuid4()).upper()


def notificatie(koppelsleutel: str, **overrides) -> NotificatieRequest:
    fields = dict(bronBrin=BRIN, bronRouteringsKenmerk=LAS_RK, doelBrin=SWV_BRIN,
                  doelRouteringsKenmerk=SWV_RK, koppelsleutel=koppelsleutel)
    fields.update(overrides)
    return NotificatieRequest(**fields)


def post_soap(client, body: bytes):
    return client.post("/oso", data=body, content_type=codec.CONTENT_TYPE)


def soap(client, message):
    """Send `message` to the app's /oso; the decoded answer, or the OsoFault it carried."""
    resp = post_soap(client, codec.encode(message))
    try:
        return codec.decode(resp.data)
    except OsoFault as fault:
        return fault


def notify(client, koppelsleutel: str | None = None) -> str:
    k = koppelsleutel or new_key()
    answer = soap(client, notificatie(k))
    assert not isinstance(answer, OsoFault), answer
    return k


def fault_body(code: str, text: str = "geweigerd") -> tuple[int, dict, bytes]:
    return (codec.HTTP_STATUS_FAULT, {"Content-Type": codec.CONTENT_TYPE},
            codec.encode_fault(OsoFault(code, text)))


def ok(message) -> tuple[int, dict, bytes]:
    return (200, {"Content-Type": codec.CONTENT_TYPE}, codec.encode(message))


GOOD = {
    "overdracht": ok(OverdrachtResponse(sessieId=SESSIE, bronRouteringsKenmerk=LAS_RK,
                                        url=LAS_SOAP)),
    "document": ok(DocumentResponse(resultaat="DossierGeleverd", dossierVersie="2019.1",
                                    dossier=base64.b64encode(DOSSIER).decode())),
    "afmelding": ok(AfmeldingResponse()),
    "meldenTerugkoppeling": ok(MeldenTerugkoppelingResponse(url=LAS_SOAP)),
    "terugkoppeling": ok(TerugkoppelingResponse()),
}


class Peers:
    """The TC and the LAS as `responses` callbacks. `answers[operation]` is a (status, headers,
    body) tuple or an exception to raise, or a list of those given one per call (the last one
    stays); every call is kept as (operation, url, body)."""

    def __init__(self, rsps: responses.RequestsMock, **answers):
        self.answers = dict(GOOD, **answers)
        self.calls: list[tuple[str, str, bytes]] = []
        for url in (TC_SOAP, LAS_SOAP):
            rsps.add_callback(responses.POST, url, callback=self._answer)

    def _answer(self, request):
        body = request.body if isinstance(request.body, bytes) else request.body.encode()
        operation = codec.decode(body).OPERATION
        self.calls.append((operation, request.url, body))
        answer = self.answers[operation]
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        if isinstance(answer, BaseException) or (isinstance(answer, type)
                                                 and issubclass(answer, BaseException)):
            raise answer
        return answer

    def operations(self) -> list[str]:
        return [c[0] for c in self.calls]

    def sent(self, operation: str):
        """The decoded messages we sent for `operation`."""
        return [codec.decode(body) for op, _, body in self.calls if op == operation]


@pytest.fixture
def peers():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield lambda **answers: Peers(rsps, **answers)


CONNECTION_ERROR = requests.ConnectionError("connection refused")
TIMEOUT = requests.Timeout("read timed out")
