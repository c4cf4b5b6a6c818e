"""Locust: a system under test in the LAS role under fetch load.

The run prepared zorgvragen the LAS sent (the SWV did not fetch them). Each simulated SWV user
takes one, asks the simulated TC for a session (overdracht), fetches the dossier from the LAS
(documentRequest, the timed figure), compares it with the LAS's snapshot and signs off at the TC.
One call in ten is a documentRequest with a session the TC never issued: the LAS must refuse it.
"""
from __future__ import annotations

import base64
import os
import random
import tempfile
import uuid

import requests
from locust import User, constant, task
from locust.exception import StopUser

from actor_kit.messagelog import MessageLog
from actor_kit.soap_client import SoapClient
from actor_kit.store import Store
from harness.load.locust_common import (
    StepFailed,
    fail,
    step,
    take_number,
    worker_count,
    worker_index,
    world,
)
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import (
    OVERDRACHT_GESLAAGD,
    OVERDRACHTSOORT_SWV,
    AfmeldingRequest,
    AfmeldingResponse,
    DocumentRequest,
    DocumentResponse,
    OverdrachtRequest,
    OverdrachtResponse,
)

SWV_SYSTEM = "swv-sim"
# what a LAS may answer a session the TC never issued with (docs/protocol-assumptions.md)
WEIGERINGEN = {"SessieOnbekend", "SessieAfwijkend", "SessieVerlopen", "LeveringGeweigerd",
               "LeerlinginfoNietOpvraagbaar"}

_client: SoapClient | None = None
_pool: list[dict] | None = None
_done: list[dict] = []


def client() -> SoapClient:
    """One SOAP client per Locust process, logging to a scratch database of its own."""
    global _client
    if _client is None:
        fd, path = tempfile.mkstemp(prefix="oso-load-", suffix=".sqlite")
        os.close(fd)
        _client = SoapClient(MessageLog(Store(path, "")), me=SWV_SYSTEM, timeout=world().wait_seconds)
    return _client


def pool(environment) -> list[dict]:
    """This worker's share of the prepared zorgvragen; each is fetched once."""
    global _pool
    if _pool is None:
        _pool = list(world().pool[worker_index(environment)::worker_count()])
    return _pool


class Swv(User):
    wait_time = constant(0)

    def on_start(self):
        self.http = requests.Session()

    @task(9)
    def ophalen(self):
        env, w = self.environment, world()
        items = pool(env)
        if take_number(env) is None or not items:
            raise StopUser()
        item = items.pop()
        tc, las = w.urls["tc"] + "/oso", w.urls["las"] + "/oso"
        kwargs = {"bronBrin": item["bron_brin"], "bronRouteringsKenmerk": item["bron_rk"],
                  "doelBrin": item["doel_brin"], "doelRouteringsKenmerk": item["doel_rk"],
                  "koppelsleutel": item["koppelsleutel"], "overdrachtsoort": OVERDRACHTSOORT_SWV}
        try:
            with step(env, "SOAP", "overdracht (TC)"):
                sessie = client().call(tc, OverdrachtRequest(**kwargs), expect=OverdrachtResponse)
            with step(env, "SOAP", "documentRequest (LAS)"):
                answer = client().call(sessie.url or las, DocumentRequest(sessieId=sessie.sessieId, **kwargs),
                                       expect=DocumentResponse)
            data = base64.b64decode("".join((answer.dossier or "").split()))
            snapshot = self.http.get(f"{w.urls['las']}/api/zorgvragen/{item['zorgvraag']}/dossier",
                                     timeout=w.wait_seconds).content
            if data != snapshot:
                fail(env, "dossier gelijk aan momentopname",
                     f"{item['koppelsleutel']}: geleverd dossier wijkt af van de momentopname")
            with step(env, "SOAP", "afmelding (TC)"):
                client().call(tc, AfmeldingRequest(sessieId=sessie.sessieId, resultaat=OVERDRACHT_GESLAAGD,
                                                   **kwargs), expect=AfmeldingResponse)
            _done.append(item)
        except (OsoFault, StepFailed, requests.RequestException, ValueError):
            return  # counted by step()

    @task(1)
    def zonder_sessie(self):
        """A documentRequest with a session the TC never issued must be refused."""
        env, w = self.environment, world()
        if not w.pool:
            raise StopUser()
        item = random.choice(w.pool)
        request = DocumentRequest(
            sessieId=str(uuid.uuid4()).upper(), bronBrin=item["bron_brin"],
            bronRouteringsKenmerk=item["bron_rk"], doelBrin=item["doel_brin"],
            doelRouteringsKenmerk=item["doel_rk"], koppelsleutel=item["koppelsleutel"],
            overdrachtsoort=OVERDRACHTSOORT_SWV)
        try:
            with step(env, "SOAP", "documentRequest zonder geldige sessie (LAS weigert)"):
                try:
                    answer = client().call(w.urls["las"] + "/oso", request, expect=DocumentResponse)
                except OsoFault as fault:
                    if fault.resultaat not in WEIGERINGEN:
                        raise StepFailed(f"geweigerd met {fault.resultaat}, verwacht een van"
                                         f" {sorted(WEIGERINGEN)}") from None
                    return
                if answer.dossier:
                    raise StepFailed(f"{item['koppelsleutel']}: dossier geleverd zonder geldige sessie")
        except StepFailed:
            return
