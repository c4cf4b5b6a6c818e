"""Recovery of what the SWV lost in transit, on real loopback sockets: a small proxy between the
SWV and the TC drops exactly one afmelding, and everything still ends where it should."""
from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from harness.runtime.actors import Actors
from swv_mock.herstel import Herhaler

import las_support

pytestmark = pytest.mark.slow


class DroppingProxy:
    """Forwards POSTs to `upstream`. The first message containing `drop` is swallowed: the
    connection is closed without an answer, so the TC never sees it. Later ones wait at `gate`
    until the test opens it, so the test can look at the state in between."""

    def __init__(self, drop: bytes):
        self.drop = drop
        self.upstream: str | None = None
        self.dropped = 0
        self.forwarded: list[bytes] = []
        self.gate = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if proxy.drop in body:
                    if proxy.dropped == 0:
                        proxy.dropped += 1
                        self.close_connection = True
                        self.connection.close()
                        return
                    proxy.gate.wait(timeout=30)
                resp = requests.post(proxy.upstream + self.path, data=body, timeout=30,
                                     headers={"Content-Type": self.headers["Content-Type"]})
                proxy.forwarded.append(body)
                self.send_response(resp.status_code)
                self.send_header("Content-Type", resp.headers.get("Content-Type", "text/xml"))
                self.send_header("Content-Length", str(len(resp.content)))
                self.end_headers()
                self.wfile.write(resp.content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def wait_for(what: str, check, timeout: float = 20.0):
    """Poll `check()` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"niet bereikt binnen {timeout} s: {what}")
        time.sleep(0.05)


def test_lost_afmelding_is_retried_and_the_terugkoppeling_waits_for_it():
    with DroppingProxy(b"afmeldingRequest") as proxy, Actors(extra={"swv": {
            "TC_URL": proxy.url, "RETRY_BASE_SECONDS": 0.2, "RETRY_MAX_SECONDS": 1,
            "SOAP_TIMEOUT": 30}}) as actors:
        proxy.upstream = actors.urls["tc"]
        las, swv, tc = actors.urls["las"], actors.urls["swv"], actors.urls["tc"]
        lid = requests.get(f"{las}/api/leerlingen?brin=12AB", timeout=10).json()[0]["id"]
        zv = requests.post(f"{las}/api/leerlingen/{lid}/zorgvragen",
                           json=las_support.zorgvraag_body(), timeout=30).json()["zorgvraag"]
        k = zv["koppelsleutel"]
        assert k and zv["notificatie_verstuurd"] == "Ja"

        # the afmelding was dropped: the SWV says so and keeps it open; the TC knows nothing
        a = wait_for("afmelding in herstel", lambda: (lambda r: r if r.get("afmelding_herstel")
                                                      else None)(
            requests.get(f"{swv}/api/aanvragen/{k}", timeout=10).json()))
        assert proxy.dropped == 1
        assert a["status"] == "opgehaald" and a["afgemeld_op"] is None
        assert a["afmelding_herstel"]["melding"].startswith(
            "Afmelding nog niet bevestigd, volgende poging om ")
        assert "NietBereikbaar" in a["afmelding_fout"]
        page = requests.get(f"{swv}/aanvragen/{k}", timeout=10).text
        assert "Afmelding nog niet bevestigd, volgende poging om" in page
        assert requests.get(f"{tc}/api/koppelingen/{k}", timeout=10).json()["opgehaald"] is False

        # a terugkoppeling written now is not refused for good: it waits for the afmelding
        resp = requests.post(f"{swv}/api/aanvragen/{k}/terugkoppeling", timeout=30,
                             json={"status": "Ontvangen", "toelichting": "Aanvraag ontvangen."})
        tk = resp.json()["terugkoppeling"]
        assert tk["verzendstatus"] == "opnieuw" and resp.json()["opnieuw"] is True

        # the TC comes through again: the retry lands, and the terugkoppeling follows it
        proxy.gate.set()
        wait_for("afmelding bevestigd", lambda: requests.get(
            f"{swv}/api/aanvragen/{k}", timeout=10).json()["status"] == "afgemeld")
        assert requests.get(f"{tc}/api/koppelingen/{k}", timeout=10).json()["opgehaald"] is True
        a = wait_for("terugkoppeling verzonden", lambda: (lambda r: r if r["terugkoppelingen"][0][
            "verzonden"] else None)(requests.get(f"{swv}/api/aanvragen/{k}", timeout=10).json()))
        assert a["afmelding_herstel"] is None and a["terugkoppelingen"][0]["herstel"] is None
        zorgvraag = requests.get(f"{las}/api/zorgvragen/{zv['id']}", timeout=10).json()
        assert zorgvraag["terugkoppeling_ontvangen"] == "Ja"
        assert len(zorgvraag["terugkoppelingen"]) == 1
        assert sum(b"afmeldingRequest" in b for b in proxy.forwarded) == 1


def test_backoff_doubles_and_is_capped():
    h = Herhaler(afmelden=lambda k: True, terugkoppelen=lambda i: True, base_seconds=5,
                 max_seconds=300)
    try:
        assert [h.delay(n) for n in range(1, 9)] == [5, 10, 20, 40, 80, 160, 300, 300]
        assert h.delay(10_000) == 300
    finally:
        h.stop()


def test_a_retry_that_is_not_settled_is_backed_off_not_spun():
    attempts = []
    clock = [1000.0]
    done = threading.Event()

    def afmelden(key):
        attempts.append(clock[0])
        done.set()
        return False  # still no answer, and nothing reported: the retrier backs off itself

    h = Herhaler(afmelden=afmelden, terugkoppelen=lambda i: True, base_seconds=60,
                 max_seconds=600, clock=lambda: clock[0])
    try:
        h.nu("afmelding", "K")
        assert done.wait(5)
        p = wait_for("nieuwe poging gepland", lambda: (lambda o: o if o and o["pogingen"] == 1
                                                       else None)(h.open("afmelding", "K")))
        assert p["melding"].startswith("Afmelding nog niet bevestigd, volgende poging om ")
        assert attempts == [1000.0]  # the clock did not move: no second attempt
    finally:
        h.stop()
