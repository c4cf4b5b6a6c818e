"""Role configuration: parsing, clear errors, and the runner's exit code 2 on a wrong file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.drivers.trigger import fill
from harness.drivers.http import DriverError, JsonApi
from harness.roles import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent

LAS_VENDOR = """
[sut]
naam = "Voorbeeld LAS 4.2"
leverancier = "Voorbeeld BV"

[las]
mode = "external"
base_url = "https://las.example.nl"
soap_path = "/services/oso"
brin = "12AB"
routeringskenmerk = "0000000700012AB00950"
trigger = "vendor-send --leerling {leerling} --aanleverpunt {aanleverpunt} --toelichting {toelichting}"
wait_seconds = 30
[las.leerlingen]
po = "1001"
met_bsn = "1002"

[tc]
mode = "simulated"
port = 8510
"""


def test_no_config_is_all_simulated():
    c = load_config(None)
    assert c.sut_roles == [] and all(not r.external for r in c.roles.values())


def test_las_vendor_config(tmp_path):
    f = tmp_path / "las.toml"
    f.write_text(LAS_VENDOR)
    c = load_config(f)
    assert c.sut_roles == ["las"]
    las = c.roles["las"]
    assert las.soap_url == "https://las.example.nl/services/oso" and las.leerlingen["met_bsn"] == "1002"
    assert las.wait_seconds == 30 and c.roles["tc"].port == 8510
    assert c.describe_sut() == "Voorbeeld LAS 4.2"


@pytest.mark.parametrize("text, needle", [
    ("[las]\nmode = 'extern'", "mode"),
    ("[las]\nmode = 'external'", "base_url"),
    ("[las]\nmode = 'external'\nbase_url = 'ftp://x'\nbrin='12AB'\nroute='x'", "route"),
    ("[las]\nmode = 'external'\nbase_url = 'ftp://x'", "base_url"),
    ("[swv]\nmode = 'external'\nbase_url = 'http://x'\nrouteringskenmerk = 'kort'\n[tc]\nport=1", "20 tekens"),
    ("[swv]\nmode = 'external'\nbase_url = 'http://x'\nrouteringskenmerk = '0000000700025PO00931'", "[tc] port"),
    ("[las]\ntimeout = -1", "timeout"),
    ("[las]\nleerlingen = 3", "leerlingen"),
    ("[foo]\nx=1", "foo"),
    ("[las]\nmode = 'external'\nbase_url = 'http://a'\nbrin='12AB'\nrouteringskenmerk='0000000700012AB00950'\n"
     "[swv]\nmode = 'external'\nbase_url = 'http://b'\nrouteringskenmerk='0000000700025PO00931'\n[tc]\nport=1", "beide"),
])
def test_wrong_config_names_the_problem(tmp_path, text, needle):
    import tomllib
    with pytest.raises(ConfigError) as exc:
        parse_config(tomllib.loads(text), "c.toml")
    assert needle in str(exc.value) and "c.toml" in str(exc.value)


def test_unreadable_and_invalid_toml(tmp_path):
    with pytest.raises(ConfigError, match="niet te lezen"):
        load_config(tmp_path / "bestaat-niet.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[las\nmode=")
    with pytest.raises(ConfigError, match="geen geldige TOML"):
        load_config(bad)


def test_trigger_values_are_quoted():
    argv = fill("send --leerling {leerling} --omschrijving {omschrijving}", {"leerling": "1; rm -rf /",
                                                                            "omschrijving": "a b"})
    assert argv == ["send", "--leerling", "1; rm -rf /", "--omschrijving", "a b"]
    with pytest.raises(DriverError, match="onbekende plaatshouder"):
        fill("send {nope}", {"leerling": "1"})


def test_json_api_unreachable_names_role_and_address():
    with pytest.raises(DriverError, match=r"LAS op http://127.0.0.1:9/api/health: verbinding"):
        JsonApi("las", "http://127.0.0.1:9", timeout=1).get("/api/health")


def test_json_api_timeout():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(DriverError, match="timeout"):
            JsonApi("swv", f"http://127.0.0.1:{s.getsockname()[1]}", timeout=0.5).get("/api/health")
    finally:
        s.close()


def test_runner_exits_2_on_wrong_config_and_still_writes_reports(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[las]\nmode = 'external'\n")
    done = subprocess.run([sys.executable, "-m", "harness.cli", "conformance", "--config", str(bad),
                           "--report", str(tmp_path / "r")], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2
    assert "base_url" in done.stderr and "bad.toml" in done.stderr
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["verdict"] == "error" and "base_url" in summary["error"]
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "junit.xml").exists()


@pytest.mark.slow
def test_runner_tag_selection_and_pass(tmp_path):
    done = subprocess.run([sys.executable, "-m", "harness.cli", "conformance", "--report", str(tmp_path / "r"),
                           "--tags", "@tc and @mandatory and not @las"], capture_output=True, text=True,
                          timeout=240, cwd=ROOT)
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert summary["verdict"] == "passed" and summary["mandatory"]["passed"] >= 5
    assert all("tc" in s["tags"] for s in summary["scenarios"])
    assert "GESLAAGD" in done.stderr      # progress per scenario
    assert any(s["koppelsleutels"] for s in summary["scenarios"])
