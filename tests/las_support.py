"""Test helpers for the LAS: the TC and the SWV played by `responses`, and request builders."""
from __future__ import annotations

import base64
import uuid

import pytest
import responses

from las_client.app import create_app
from oso_protocol.transport import codec
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    Aanleverpunt, DocumentRequest, MeldenNotificatieResponse, NotificatieResponse,
    OverzichtAanleverpuntResponse, SessiecontroleResponse, Terugkoppeling, TerugkoppelingRequest,
)

TC = "http://tc.test"
SWV_URL = "http://swv.test/oso"
SWV_PO = "0000000700025PO00931"
SWV_VO = "0000000700025VO00932"
LAS_12AB = "0000000700012AB00950"

OFFERED = {
    "12AB": [Aanleverpunt(routeringsKenmerk=SWV_PO, brin="25PO", naam="SWV PO Rivierenland",
                          doel="SWV")],
    "56EF": [Aanleverpunt(routeringsKenmerk=SWV_VO, brin="25VO", naam="SWV VO Rivierenland",
                          doel="SWV")],
}

PDF = b"%PDF-1.4\n% toelichting\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_app(path, **extra):
    """A LAS on its own SQLite file with the default scenario; its TC and SWV are `responses`."""
    return create_app({"DB_PATH": str(path), "TC_URL": TC, "TESTING": True, "SOAP_TIMEOUT": 2,
                       **extra})


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path / "las.sqlite")
    yield app
    app.extensions["oso_sim_close"]()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def peers():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield Peers(rsps)


def leerling_id(client, brin="12AB") -> int:
    return client.get(f"/api/leerlingen?brin={brin}").json[0]["id"]


def soap(message) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": codec.CONTENT_TYPE}, codec.encode(message)


def fault(code: str, text: str = "geweigerd") -> tuple[int, dict, bytes]:
    return (codec.HTTP_STATUS_FAULT, {"Content-Type": codec.CONTENT_TYPE},
            codec.encode_fault(OsoFault(code, text)))


class Peers:
    """TC and SWV behind `responses`. Each operation maps to a function(message) returning a
    (status, headers, body) triple or an Exception; `calls` records the operations in order."""

    def __init__(self, rsps: responses.RequestsMock):
        self.calls: list[str] = []
        self.messages: list = []
        self.koppelsleutels: list[str] = []
        self.handlers = {
            "overzichtAanleverpunt": lambda m: soap(OverzichtAanleverpuntResponse(
                aanleverpunt=list(OFFERED.get(m.brin, [])))),
            "meldenNotificatie": self._melden,
            "notificatie": lambda m: soap(NotificatieResponse()),
            "sessiecontrole": lambda m: soap(SessiecontroleResponse(sector="SWV")),
        }
        rsps.add_callback(responses.POST, TC + "/oso", callback=self._dispatch)
        rsps.add_callback(responses.POST, SWV_URL, callback=self._dispatch)

    def _melden(self, m):
        k = str(uuid.uuid4()).upper()
        self.koppelsleutels.append(k)
        return soap(MeldenNotificatieResponse(koppelsleutel=k, url=SWV_URL))

    def _dispatch(self, request):
        message = codec.decode(request.body)
        self.calls.append(message.OPERATION)
        self.messages.append(message)
        return self.handlers[message.OPERATION](message)

    def count(self, operation: str) -> int:
        return self.calls.count(operation)


def bestand(naam: str = "Toelichting onderwijsbehoeften.pdf", inhoud: bytes = PDF) -> dict:
    return {"bestandsnaam": naam, "inhoud_base64": base64.b64encode(inhoud).decode()}


def zorgvraag_body(**over) -> dict:
    body = {"omschrijving": "Lezen blijft achter", "aandachtspunten": "Graag snel contact.",
            "aanleverpunt": SWV_PO, "gegevensblokken": ["Toetsresultaten"],
            "toelichting": bestand(), "verzenden": True}
    body.update(over)
    return body


def document_request(zv: dict, **over) -> DocumentRequest:
    fields = dict(sessieId=str(uuid.uuid4()), bronBrin="12AB", bronRouteringsKenmerk=LAS_12AB,
                  doelBrin="25PO", doelRouteringsKenmerk=zv["aanleverpunt"],
                  koppelsleutel=zv["koppelsleutel"] or str(uuid.uuid4()).upper())
    fields.update(over)
    return DocumentRequest(**fields)


def terugkoppeling_request(zv: dict, **over) -> TerugkoppelingRequest:
    fields = dict(bronBrin="12AB", bronRouteringsKenmerk=LAS_12AB, doelBrin="25PO",
                  doelRouteringsKenmerk=zv["aanleverpunt"], koppelsleutel=zv["koppelsleutel"],
                  terugkoppeling=Terugkoppeling(status="Toegekend", datum="2024-03-01T10:00:00",
                                                toelichting="TLV toegekend.",
                                                behandelaar="Loket SWV"))
    fields.update(over)
    return TerugkoppelingRequest(**fields)


def post_soap(client, message):
    resp = client.post("/oso", data=codec.encode(message),
                       headers={"Content-Type": codec.CONTENT_TYPE})
    try:
        answer = codec.decode(resp.data)
    except OsoFault as f:
        return resp, f
    return resp, answer
