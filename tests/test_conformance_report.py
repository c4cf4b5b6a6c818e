"""The conformance report writer on synthetic results, and the runner's reports on bad input."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.evidence.report import summarize, write_reports

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = [
    {"nodeid": "a", "name": "Het dossier bevat geen PGN", "feature": "Geen PGN", "tags": ["las", "mandatory", "PaO.LL12"],
     "outcome": "mislukt", "duration_s": 0.4, "koppelsleutels": ["01AD8CFC-3957-4B0E-9C39-000000000001"],
     "reden": "PaO.LL12: dossier bevat bsn <script>",
     "steps": [{"keyword": "Gegeven", "name": "een leerling met een BSN in de LAS", "status": "geslaagd"},
               {"keyword": "Dan", "name": "bevat het dossier geen BSN en geen onderwijsnummer", "status": "mislukt", "error": "PaO.LL12"}],
     "messages": [{"actor": "LAS", "side": "server", "direction": "out", "operation": "document",
                   "koppelsleutel": "01AD8CFC-3957-4B0E-9C39-000000000001", "outcome": "DossierGeleverd",
                   "ts": "2025-01-06T10:00:00.123+00:00", "xml": "<bsn>123456782</bsn>"},
                  {"actor": "TC", "side": "server", "direction": "out", "operation": "sessiecontrole",
                   "outcome": "SessieReedsAfgemeld", "http_status": 500, "xml": "<Fault/>"}]},
    {"nodeid": "b", "name": "Terugkoppeling met document", "feature": "Terugkoppeling", "tags": ["las", "optional"],
     "outcome": "geslaagd", "duration_s": 0.2, "reden": "", "steps": []},
    {"nodeid": "c", "name": "Het SWV meldt af", "feature": "Sessies", "tags": ["swv", "mandatory"],
     "outcome": "niet van toepassing", "duration_s": 0.0, "reden": "dit scenario test swv", "steps": []},
    {"nodeid": "d", "name": "Volledige uitwisseling", "feature": "Uitwisseling", "tags": ["las", "swv", "tc", "mandatory"],
     "outcome": "geslaagd", "duration_s": 0.3, "reden": "", "steps": []},
    {"nodeid": "e", "name": "De LAS toont de terugkoppeling", "feature": "Terugkoppeling", "tags": ["las", "mandatory"],
     "outcome": "niet geverifieerd", "duration_s": 0.1, "reden": "de configuratie mist [las] trigger_toon_zorgvraag",
     "steps": [{"keyword": "Dan", "name": "toont de LAS de zorgvraag", "status": "niet geverifieerd"}]},
]


def test_summary_counts_and_verdict():
    s = summarize(SCENARIOS, {"naam": "Voorbeeld LAS", "sut_rollen": ["las"]})
    assert s["mandatory"] == {"geslaagd": 1, "mislukt": 1, "niet van toepassing": 1, "niet geverifieerd": 1}
    assert s["optional"] == {"geslaagd": 1, "mislukt": 0, "niet van toepassing": 0, "niet geverifieerd": 0}
    assert s["verdict"] == "mislukt" and s["exit_code"] == 1 and "1 verplicht scenario mislukt" in s["verdict_reden"]
    assert s["versions"]["gegevensset"] == "2019.1" and s["versions"]["protocol"] == "20200910"
    first = s["scenarios"][0]
    assert set(first) == {"name", "nodeid", "template", "feature", "tags", "level", "outcome", "reden", "duration_s",
                          "koppelsleutels"}
    assert first["outcome"] == "mislukt" and first["reden"].startswith("PaO.LL12")
    assert {r["outcome"] for r in s["scenarios"]} == {"geslaagd", "mislukt", "niet van toepassing", "niet geverifieerd"}


def test_optional_failure_does_not_fail_the_run():
    rows = [dict(SCENARIOS[1], outcome="mislukt", reden="x"), SCENARIOS[3]]
    assert summarize(rows)["verdict"] == "geslaagd"


def test_no_scenarios_is_fout():
    assert summarize([])["verdict"] == "fout"


def test_unknown_outcome_is_never_counted_as_passed():
    rows = [SCENARIOS[3], dict(SCENARIOS[3], nodeid="x", outcome="skipped"), dict(SCENARIOS[3], nodeid="y", outcome=None)]
    s = summarize(rows)
    assert s["mandatory"]["niet geverifieerd"] == 2 and s["verdict"] == "onvolledig"


def test_write_reports(tmp_path):
    summary = write_reports(tmp_path, SCENARIOS, {"naam": "Voorbeeld LAS", "leverancier": "Voorbeeld BV",
                                                  "sut_rollen": ["las"]},
                            selection={"tags": "las and not optional", "weggelaten": ["Sessies: X"]})
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == summary["verdict"] == "mislukt"
    html = (tmp_path / "report.html").read_text()
    # self-contained: inline CSS, no external links or scripts
    assert "<style>" in html and not re.search(r'<(link|script)\b', html) and "http://" not in html.split("<body>")[0].replace("xmlns", "")
    assert "Voorbeeld LAS" in html and "2019.1" in html and "20200910" in html
    assert '<span class="rule">PaO.LL12</span>' in html          # failing rule highlighted
    assert '<span class="rule">SessieReedsAfgemeld</span>' in html
    assert "&lt;script&gt;" in html and "<script>" not in html   # escaped
    # the message as logged, its pupil's number masked: a person reads this report
    assert "<details" in html and "&lt;bsn&gt;1234•••82" in html and "123456782" not in html
    # the verdict at the top, before any scenario, with its reason
    top = html.index('class="oordeel b-mislukt"')
    assert top < html.index("Verplichte scenario") and "1 verplicht scenario mislukt" in html[top:top + 300]
    # all four outcomes, each with its own badge and reason
    for slug, label in (("geslaagd", "geslaagd"), ("mislukt", "mislukt"), ("nvt", "niet van toepassing"),
                        ("ng", "niet geverifieerd")):
        assert f'<span class="badge b-{slug}">{label}</span>' in html
    assert "Niet van toepassing: dit scenario test swv" in html
    assert "Niet geverifieerd: de configuratie mist [las] trigger_toon_zorgvraag" in html
    # optional scenarios in their own section, after the mandatory ones
    assert html.index("Optionele scenario") < html.index("Terugkoppeling met document")
    assert "las and not optional" in html and "Sessies: X" in html   # the selection is recorded


def _contrast(fg: str, bg: str) -> float:
    def lum(h):
        r, g, b = (int(h[i:i + 2], 16) / 255 for i in (1, 3, 5))
        f = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_badges_have_readable_contrast():
    from harness.evidence.report import CSS
    assert ".badge{" in CSS and "color:#fff" in CSS.split(".badge{")[1].split("}")[0]
    colours = dict(re.findall(r"\.b-([a-z]+)\{background:(#[0-9a-f]{6})\}", CSS))
    assert set(colours) >= {"geslaagd", "mislukt", "nvt", "ng", "deelselectie", "onvolledig", "fout"}
    for name, bg in colours.items():
        assert _contrast("#ffffff", bg) >= 4.5, (name, bg)   # WCAG AA for normal text


def test_junit_maps_the_four_outcomes(tmp_path):
    write_reports(tmp_path, SCENARIOS, None, selection={"tags": "las", "weggelaten": []})
    root = ET.parse(tmp_path / "junit.xml").getroot()
    mandatory, optional = root.findall("testsuite")
    case = {c.get("name"): c for c in mandatory.findall("testcase")}
    assert case["Het dossier bevat geen PGN"].find("failure") is not None
    err = case["De LAS toont de terugkoppeling"].find("error")
    assert err is not None and err.get("message").startswith("niet geverifieerd: de configuratie mist")
    assert case["Het SWV meldt af"].find("skipped").get("message").startswith("niet van toepassing")
    assert list(case["Volledige uitwisseling"]) == []
    assert case["oordeel: mislukt"].find("failure") is not None
    assert (mandatory.get("failures"), mandatory.get("errors"), mandatory.get("skipped")) == ("2", "1", "1")
    props = {p.get("name"): p.get("value") for p in mandatory.iter("property")}
    assert props["oordeel"] == "mislukt" and props["tags"] == "las"
    assert [c.get("name") for c in optional.findall("testcase")] == ["Terugkoppeling met document"]


def test_error_still_writes_three_reports(tmp_path):
    write_reports(tmp_path, [], None, error="configuratiebestand x.toml is geen geldige TOML")
    for name in ("summary.json", "report.html", "junit.xml"):
        assert (tmp_path / name).stat().st_size > 0
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == "fout"
    root = ET.parse(tmp_path / "junit.xml").getroot()
    assert "geen geldige TOML" in root.find(".//error").get("message")


def _run(*args, timeout=240):
    return subprocess.run([sys.executable, "-m", "harness.cli", "conformance", *args], check=False,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.mark.slow
def test_sut_answering_html_is_fout_before_any_scenario(tmp_path):
    from flask import Flask

    from actor_kit.server import ServerThread
    app = Flask("garbage")
    app.add_url_rule("/oso", "oso", lambda: ("<html><body>Onderhoud</body></html>", 200,
                                             {"Content-Type": "text/html"}), methods=["POST", "GET"])
    with ServerThread(app) as srv:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[las]\nmode = "external"\nbase_url = "{srv.url}"\nbrin = "12AB"\n'
                       'routeringskenmerk = "0000000700012AB00950"\ntrigger = "true"\nwait_seconds = 2\n'
                       'timeout = 2\n[las.leerlingen]\npo = "1"\n[tc]\nport = 18572\n')
        done = _run("--config", str(cfg), "--report", str(tmp_path / "r"), "--tags", "OSS.ZV01")
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert done.returncode == 4, (done.stdout, done.stderr)
    assert summary["verdict"] == "fout" and summary["scenarios"] == []
    assert "geen geldig SOAP-antwoord" in summary["error"] and srv.url in summary["error"]
    assert summary["voorcontrole"]["geslaagd"] is False


# -- what a certifier reads: names, messages, labels, the run's record --------------------------

def test_failure_messages_lose_python_class_names_but_keep_the_trace(tmp_path):
    from harness.evidence.report import clean_message
    assert clean_message("AssertionError: dossier bevat bsn") == "dossier bevat bsn"
    assert clean_message("harness.conformance.drivers.http.DriverError: LAS op http://x: geen antwoord") == \
        "LAS op http://x: geen antwoord"
    assert clean_message("Failed: niet gevonden") == "niet gevonden"
    assert clean_message("fout in de harnas of de verbinding: kapot (KeyError)") == \
        "fout in de harnas of de verbinding: kapot"
    assert clean_message("Let op: het SWV zegt: nee") == "Let op: het SWV zegt: nee"   # Dutch text stays
    row = dict(SCENARIOS[0], reden="harness.conformance.drivers.http.DriverError: LAS op http://las: time-out",
               trace="Traceback ...\nharness.drivers.http.DriverError: LAS op http://las: time-out")
    summary = write_reports(tmp_path, [row], None)
    html = (tmp_path / "report.html").read_text()
    visible = re.sub(r'<details class="techniek">.*?</details>', "", html, flags=re.DOTALL)
    assert "LAS op http://las: time-out" in visible and "DriverError" not in visible
    assert '<details class="techniek"><summary>Technische details</summary>' in html
    assert "Traceback ..." in html      # the trace is kept, folded away
    assert summary["scenarios"][0]["reden"] == "LAS op http://las: time-out"


def test_outline_examples_are_named_by_their_values(tmp_path):
    rows = [dict(SCENARIOS[3], nodeid=f"o[{i}]", name="Een dossier is geldig",
                 voorbeeld={"profiel": p, "blok": b}) for i, (p, b) in enumerate((("PO", "alle"), ("VO", "X")))]
    summary = write_reports(tmp_path, rows, None)
    names = [s["weergavenaam"] for s in summary["scenarios"]]
    assert names == ["Een dossier is geldig (profiel: PO, blok: alle)", "Een dossier is geldig (profiel: VO, blok: X)"]
    assert summary["scenarios"][1]["voorbeeld"] == {"profiel": "VO", "blok": "X"}
    html = (tmp_path / "report.html").read_text()
    assert "Een dossier is geldig (profiel: VO, blok: X)" in html
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    assert {c.get("name") for c in junit.iter("testcase")} >= set(names)
    from harness.conformance.verdict import display_name
    # a title that already carries its value in brackets is not doubled
    assert display_name({"name": "Wijziging geweigerd (toelichting)", "voorbeeld": {"veld": "toelichting"}}) == \
        "Wijziging geweigerd (veld: toelichting)"


def test_the_report_is_dutch_throughout(tmp_path):
    write_reports(tmp_path, SCENARIOS, None)
    html = (tmp_path / "report.html").read_text()
    visible = re.sub(r"<(style|pre)\b.*?</\1>", "", html, flags=re.DOTALL)
    visible = re.sub(r"<[^>]+>", " ", visible)
    for english in ("passed", "failed", "skipped", "Feature:", "Verdict", "Date", "Steps"):
        assert english not in visible, english
    assert "Functionaliteit:" in visible and "Oordeel:" in visible


def test_messages_are_labelled_by_their_own_element_and_direction(tmp_path):
    from harness.evidence.report import message_element, message_label
    response = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                '<o:documentResponse xmlns:o="x"/></s:Body></s:Envelope>')
    row = {"operation": "document", "direction": "out", "side": "server", "xml": response}
    assert message_element(row) == "documentResponse"
    assert message_label(row) == "documentResponse (document, verzonden)"
    write_reports(tmp_path, [dict(SCENARIOS[3], messages=[dict(row, actor="harnas-las")])], None)
    html = (tmp_path / "report.html").read_text()
    assert "<summary>documentResponse</summary>" in html and "<td>verzonden</td>" in html


def test_crafted_las_journals_each_message_under_its_own_element():
    """The harness LAS answers a documentRequest after its own sessiecontrole at the TC; each
    journal row names its own message, so the documentResponse is never shown as sessiecontrole."""
    import requests
    from flask import Flask, Response

    from actor_kit.server import ServerThread
    from harness.conformance.drivers.http import SoapProbe
    from harness.conformance.las_behaviours import behaviour
    from harness.conformance.peers import CraftedLas
    from oso_protocol.transport import codec
    from oso_protocol.transport import messages as m

    tc = Flask("tc")
    tc.add_url_rule("/oso", "oso", lambda: Response(codec.encode(m.SessiecontroleResponse()),
                                                    content_type=codec.CONTENT_TYPE), methods=["POST"])
    with ServerThread(tc) as tc_srv:
        probe = SoapProbe(timeout=5)
        peer = CraftedLas(tc_srv.url + "/oso", probe, behaviour("een geldig dossier"))
        peer.dossier = b"<dossier/>"
        peer.start()
        try:
            request = m.DocumentRequest(sessieId="5E55DA7A-0000-4000-8000-000000000001", bronBrin="12AB", bronRouteringsKenmerk="0000000700012AB00950",
                                        doelBrin="25PO", doelRouteringsKenmerk="0000000700025PO00931",
                                        koppelsleutel="01AD8CFC-3957-4B0E-9C39-000000000001")
            answer = requests.post(peer.soap_url, data=codec.encode(request), timeout=5,
                                   headers={"Content-Type": codec.CONTENT_TYPE})
        finally:
            peer.stop()
    assert answer.status_code == 200
    labels = [(r["actor"], r["element"], r["operation"], r["direction"]) for r in probe.journal]
    assert labels == [("harnas-las", "documentRequest", "document", "in"),
                      ("harnas", "sessiecontroleRequest", "sessiecontrole", "out"),
                      ("harnas", "sessiecontroleResponse", "sessiecontrole", "in"),
                      ("harnas-las", "documentResponse", "document", "out")]
    assert all(r.get("ts") for r in probe.journal)


def test_run_record_in_summary_junit_and_report(tmp_path):
    from harness.evidence.run_info import dutch_moment, redact
    run = {"oso_sim_versie": "0.1.0", "git_commit": "abc123", "python": "3.11.7 (cpython)", "tags": "@las",
           "configuratiebestand": "las.toml", "configuratie": {"las": {"base_url": "https://las.example"}},
           "systeem_onder_test": [{"rol": "las", "url": "https://las.example", "brin": "12AB",
                                   "routeringskenmerk": "0000000700012AB00950", "certificaat": "CN=Voorbeeld LAS"}],
           "start": "2026-11-30T18:42:05+00:00", "einde": "2026-11-30T18:43:05+00:00",
           "start_nl": dutch_moment(1796064125.0), "einde_nl": "x", "duur_s": 60.0, "duur_nl": "1 min 0 s"}
    summary = write_reports(tmp_path, SCENARIOS, None, selection={"tags": "@las", "weggelaten": []}, run=run)
    assert json.loads((tmp_path / "summary.json").read_text())["run"] == summary["run"] == run
    props = {p.get("name"): p.get("value") for p in ET.parse(tmp_path / "junit.xml").getroot().iter("property")}
    assert props["git_commit"] == "abc123" and props["oso_sim_versie"] == "0.1.0" and props["duur_s"] == "60.0"
    assert "CN=Voorbeeld LAS" in props["systeem_onder_test"] and "las.example" in props["configuratie"]
    html = (tmp_path / "report.html").read_text()
    for text in ("abc123", "3.11.7", "CN=Voorbeeld LAS", "https://las.example", "1 min 0 s", "@las"):
        assert text in html, text
    assert dutch_moment(1796064125.0) == "30 november 2026 19:42:05 (CET)"
    assert dutch_moment(1783003325.0).endswith("(CEST)")
    secret = redact({"las": {"client_key": "pki/las.key", "api_token": "t0p", "base_url": "https://u:pw@h/x",
                             "trigger": "las-cli --token abc --password=geheim create {koppelsleutel}",
                             "brin": "12AB"}})
    flat = json.dumps(secret)
    assert "t0p" not in flat and "pki/las.key" not in flat and "geheim" not in flat and "abc" not in flat
    assert ":pw@" not in flat and secret["las"]["brin"] == "12AB" and "{koppelsleutel}" in flat


def test_pdf_carries_the_verdict_and_every_scenario(tmp_path):
    pytest.importorskip("weasyprint", reason="WeasyPrint niet geïnstalleerd (pip install oso-sim[pdf])")
    from pypdf import PdfReader

    from harness.evidence.report_pdf import write_pdf
    write_reports(tmp_path, SCENARIOS, {"naam": "Voorbeeld LAS", "sut_rollen": ["las"]})
    pdf = write_pdf(tmp_path / "report.html", tmp_path / "rapport.pdf")
    reader = PdfReader(str(pdf))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    assert "Oordeel: mislukt" in text and "1 verplicht scenario mislukt" in text
    for s in SCENARIOS:
        assert s["name"] in text, s["name"]
    assert "pagina 1 van" in text
    # the raw XML stays in the HTML report and the bundle, not in the printed pages
    assert "123456782" not in text and "SOAP-berichten: zie het HTML-rapport" in text


def test_pdf_without_weasyprint_says_so(tmp_path, monkeypatch):
    import builtins

    from harness.evidence.report_pdf import PdfUnavailable, write_pdf
    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    write_reports(tmp_path, SCENARIOS, None)
    with pytest.raises(PdfUnavailable, match="pip install weasyprint"):
        write_pdf(tmp_path / "report.html", tmp_path / "rapport.pdf")


def _certificate(path: Path, cn: str, key_path: Path | None = None) -> None:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Voorbeeld BV"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1)).sign(key, hashes.SHA256()))
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    if key_path is not None:
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))


def test_describe_run_from_a_configuration_file(tmp_path):
    from types import SimpleNamespace

    from harness.conformance.config import load_config
    from harness.evidence.run_info import REDACTED, describe_run
    _certificate(tmp_path / "las.pem", "las.voorbeeld.nl")
    (tmp_path / "las.key").write_text("geheime sleutel")
    (tmp_path / "ca.pem").write_text("ca")
    cfg = tmp_path / "las.toml"
    cfg.write_text('[sut]\nnaam = "Voorbeeld LAS"\n[las]\nmode = "external"\nbase_url = "https://127.0.0.1:9"\n'
                   'brin = "12AB"\nrouteringskenmerk = "0000000700012AB00950"\nca_bundle = "ca.pem"\n'
                   'client_cert = "las.pem"\nclient_key = "las.key"\n'
                   'trigger = "las-cli --api-token s3cr3t create {koppelsleutel}"\n[tc]\nport = 18700\n')
    config = load_config(str(cfg))
    run = SimpleNamespace(config=config, sut={"verbinding": "wederzijdse TLS"}, selection={"tags": "@las"},
                          started_at=1796064125.0)
    info = describe_run(run, finished=1796064190.5)
    assert info["tags"] == "@las" and info["duur_s"] == 65.5 and info["duur_nl"] == "1 min 6 s"
    assert info["start_nl"] == "30 november 2026 19:42:05 (CET)"
    assert info["start"] == "2026-11-30T18:42:05+00:00"
    las = info["configuratie"]["las"]
    assert las["client_key"] == REDACTED and "s3cr3t" not in las["trigger"] and "{koppelsleutel}" in las["trigger"]
    assert las["base_url"] == "https://127.0.0.1:9" and las["client_cert"] == "las.pem"
    # nothing answers on port 9: no server certificate, only the one the harness presents
    assert info["systeem_onder_test"] == [{"rol": "las", "url": "https://127.0.0.1:9", "brin": "12AB",
                                           "routeringskenmerk": "0000000700012AB00950",
                                           "client_cert": "CN=las.voorbeeld.nl,O=Voorbeeld BV"}]
    assert info["oso_sim_versie"] and info["versies"]["pytest-bdd"]
    assert re.fullmatch(r"[0-9a-f]{40}( \(met lokale wijzigingen\))?|onbekend", info["git_commit"])


def test_the_sut_certificate_is_read_from_its_tls_handshake(tmp_path):
    import socket
    import ssl
    import threading

    from harness.evidence.run_info import server_certificate_subject
    _certificate(tmp_path / "sut.pem", "las.leverancier.nl", tmp_path / "sut.key")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "sut.pem", tmp_path / "sut.key")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        try:
            with ctx.wrap_socket(conn, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            pass
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        assert server_certificate_subject(f"https://127.0.0.1:{port}/oso") == \
            "CN=las.leverancier.nl,O=Voorbeeld BV"
    finally:
        thread.join(5)
        listener.close()
    assert server_certificate_subject("http://127.0.0.1:1/oso") is None


def test_a_refused_run_still_records_what_was_asked(tmp_path):
    cfg = tmp_path / "kapot.toml"
    cfg.write_text('[las]\nmode = "external"\napi_token = "Zx9-qq-token"\n', encoding="utf-8")
    done = _run("--config", str(cfg), "--report", str(tmp_path / "r"), "--tags", "@las", timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    run = summary["run"]
    assert run["tags"] == "@las" and run["configuratiebestand"] == str(cfg)
    assert run["configuratie"]["las"]["api_token"] == "[weggelaten]" and run["oso_sim_versie"]
    assert "Zx9-qq-token" not in (tmp_path / "r" / "report.html").read_text()


def test_crafted_las_refuses_an_old_vocabulary_naming_the_version_found_and_expected():
    """An SWV under test that asks the harness LAS in the 20180404 vocabulary hears which version
    was found and which is expected, as from our own actors' endpoints."""
    import requests

    from harness.conformance.drivers.http import SoapProbe
    from harness.conformance.las_behaviours import behaviour
    from harness.conformance.peers import CraftedLas
    from oso_protocol.transport import NS_20180404, codec
    from oso_protocol.transport import messages as m

    peer = CraftedLas("http://127.0.0.1:9/oso", SoapProbe(timeout=5), behaviour("een geldig dossier")).start()
    try:
        request = m.DocumentRequest(sessieId="5E55DA7A-0000-4000-8000-000000000001", bronBrin="12AB",
                                    bronRouteringsKenmerk="0000000700012AB00950", doelBrin="25PO",
                                    doelRouteringsKenmerk="0000000700025PO00931",
                                    koppelsleutel="01AD8CFC-3957-4B0E-9C39-000000000001")
        answer = requests.post(peer.soap_url, data=codec.encode(request, ns=NS_20180404), timeout=5,
                               headers={"Content-Type": codec.CONTENT_TYPE})
    finally:
        peer.stop()
    assert answer.status_code == codec.HTTP_STATUS_FAULT
    text = answer.content.decode()
    assert "20180404 gevonden, 20200910 verwacht" in text, text
