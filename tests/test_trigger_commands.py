"""`oso-sim zorgvraag` and `oso-sim swv terugkoppeling` are the triggers our own LAS and SWV offer:
exit 1 only for the system's own refusal, exit 2 for the command's own trouble (a PKI folder that
is missing or unreadable, a URL that is no address, a system that is not there or is not ours), so
the harness never reads a broken trigger as a refusal."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from actor_kit import pki
from harness.cli import main

KEY = "4A1B2C3D-0000-4000-8000-000000000001"


class _Canned(BaseHTTPRequestHandler):
    answer: tuple[int, str, str] = (404, "text/html", "<html><body>Not Found</body></html>")

    def _reply(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, kind, body = self.server.answer
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = _reply

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A server that answers every call with `server.answer` (status, content type, body)."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    httpd.answer = _Canned.answer
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _json(status: int, body: dict) -> tuple[int, str, str]:
    return status, "application/json", json.dumps(body)


CREATE = ["create", "--leerling", "1", "--omschrijving", "Lezen", "--aanleverpunt", "0000000700025PO00931"]
TERUGKOPPELING = ["terugkoppeling", "--koppelsleutel", KEY, "--status", "Ontvangen"]


# -- oso-sim zorgvraag --------------------------------------------------------------------------

def test_a_missing_pki_folder_is_exit_2_in_dutch_without_a_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "harness.cli", "zorgvraag", "--tls", "ontbrekende-pki",
                           "--las", "http://127.0.0.1:9", *CREATE],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "--tls ontbrekende-pki: map niet gevonden" in done.stderr and "oso-sim pki init" in done.stderr


@pytest.mark.parametrize("command", ["zorgvraag", "swv"])
def test_a_pki_folder_without_usable_files_is_exit_2(tmp_path, capsys, command):
    empty = tmp_path / "leeg"
    empty.mkdir()
    rest = ["--las", "http://127.0.0.1:9", *CREATE] if command == "zorgvraag" else \
        ["--swv", "http://127.0.0.1:9", *TERUGKOPPELING]
    assert main([command, "--tls", str(empty), *rest]) == 2
    assert "ontbreekt" in capsys.readouterr().err
    for name in ("ca.pem", f"{pki.HARNESS_ID}.pem", f"{pki.HARNESS_ID}.key"):
        (empty / name).write_text("geen certificaat\n")
    assert main([command, "--tls", str(empty), *rest]) == 2
    assert "geen PEM-bestand" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["127.0.0.1:8601", "ftp://127.0.0.1:8601", "http://"])
def test_a_url_that_is_no_address_is_exit_2(capsys, url):
    assert main(["zorgvraag", "--las", url, *CREATE]) == 2
    assert "geen http(s)-adres" in capsys.readouterr().err
    assert main(["swv", "--swv", url, *TERUGKOPPELING]) == 2
    assert "geen http(s)-adres" in capsys.readouterr().err


def test_an_unreachable_las_is_exit_2(capsys):
    assert main(["zorgvraag", "--las", "http://127.0.0.1:9", *CREATE]) == 2


def test_an_html_page_of_another_server_is_no_refusal(server, capsys):
    assert main(["zorgvraag", "--las", server.url, *CREATE]) == 2
    assert "antwoordt geen LAS" in capsys.readouterr().err
    # `toon` must not turn someone else's 404 into "gevonden": false
    assert main(["zorgvraag", "--las", server.url, "toon", "--koppelsleutel", KEY]) == 2
    assert "gevonden" not in capsys.readouterr().out


def test_the_las_own_refusal_is_exit_1(server, capsys):
    server.answer = _json(422, {"fout": "Zonder toelichting onderwijsbehoeften kan de zorgvraag niet"
                                        " worden verzonden.", "code": "ToelichtingOntbreekt"})
    assert main(["zorgvraag", "--las", server.url, *CREATE]) == 1
    assert "Zonder toelichting" in capsys.readouterr().err


def test_the_las_own_not_found_is_gevonden_false(server, capsys):
    server.answer = _json(404, {"fout": "Geen zorgvraag met deze koppelsleutel.", "code": None})
    assert main(["zorgvraag", "--las", server.url, "toon", "--koppelsleutel", KEY]) == 0
    assert json.loads(capsys.readouterr().out)["gevonden"] is False


# -- oso-sim swv terugkoppeling -----------------------------------------------------------------

def test_swv_missing_pki_folder_is_exit_2(tmp_path, capsys):
    assert main(["swv", "--tls", str(tmp_path / "geen-pki"), "--swv", "http://127.0.0.1:9", *TERUGKOPPELING]) == 2
    err = capsys.readouterr().err
    assert "map niet gevonden" in err and "Traceback" not in err


def test_swv_unreachable_or_not_an_swv_is_exit_2(server, capsys):
    assert main(["swv", "--swv", "http://127.0.0.1:9", *TERUGKOPPELING]) == 2
    assert main(["swv", "--swv", server.url, *TERUGKOPPELING]) == 2
    assert "antwoordt geen SWV-systeem" in capsys.readouterr().err
    server.answer = _json(401, {"fout": "Geef het API-token mee.", "code": "NietGeautoriseerd"})
    assert main(["swv", "--swv", server.url, *TERUGKOPPELING]) == 2
    assert "--token" in capsys.readouterr().err


def test_swv_own_refusal_is_exit_1(server, capsys):
    server.answer = _json(502, {"verzonden": False, "resultaat": "DossierNietOpgehaald"})
    assert main(["swv", "--swv", server.url, *TERUGKOPPELING]) == 1
    assert "DossierNietOpgehaald" in capsys.readouterr().err
    server.answer = _json(200, {"verzonden": True, "resultaat": "TerugkoppelingOntvangen"})
    assert main(["swv", "--swv", server.url, *TERUGKOPPELING]) == 0
