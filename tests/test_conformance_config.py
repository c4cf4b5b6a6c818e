"""Role configuration: parsing, clear errors, the needs of the selected scenarios, and the
runner's exit code 2 on a wrong or incomplete file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.conformance import needs
from harness.conformance.config import ConfigError, load_config, parse_config
from harness.conformance.drivers.http import DriverError, JsonApi
from harness.conformance.drivers.trigger import fill

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


def test_the_wait_of_the_system_under_test_bounds_the_simulated_peers(tmp_path):
    f = tmp_path / "las.toml"
    f.write_text(LAS_VENDOR)
    roles = load_config(f).roles
    # the simulated SWV fetches from the vendor's LAS: it gives up when the LAS role does
    assert roles["swv"].wait_seconds == 30 and roles["tc"].wait_seconds == 30
    f.write_text(LAS_VENDOR.replace('[tc]\n', '[swv]\nwait_seconds = 5\n\n[tc]\n'))
    assert load_config(f).roles["swv"].wait_seconds == 5  # set in its own section: kept
    assert load_config(None).roles["swv"].wait_seconds == 60  # the self-test keeps the default


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
    assert summary["verdict"] == "fout" and "base_url" in summary["error"]
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "junit.xml").exists()
    assert done.stdout.strip().splitlines()[-1].startswith("Oordeel: fout")


def test_wrong_tag_expression_exits_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "harness.cli", "conformance", "--report", str(tmp_path / "r"),
                           "--tags", "las and ("], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 2 and "geen geldige tag-expressie" in done.stderr


# -- new keys ----------------------------------------------------------------------------------

EXTERNAL_LAS = """
[las]
mode = "external"
base_url = "https://las.example.nl"
brin = "12AB"
routeringskenmerk = "0000000700012AB00950"
"""


def _parse(text: str, base=None):
    import tomllib
    return parse_config(tomllib.loads(text), "c.toml", base)


def test_new_keys_parse(tmp_path):
    (tmp_path / "ca.pem").write_text("ca")
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "client.pem").write_text("cert")
    (tmp_path / "certs" / "client.key").write_text("key")
    c = _parse(EXTERNAL_LAS + """
trigger_wijzig_leerling = "w-l {leerling}"
trigger_wijzig_zorgvraag = "w-z"
trigger_toon_zorgvraag = "t-z"
trigger_verwijder_zorgvraag = "v-z"
trigger_aanleverpunten = "a"
handmatig = true
ca_bundle = "ca.pem"
client_cert = "certs/client.pem"
client_key = "certs/client.key"
[las.leerlingen]
po = "1001"
vo = { ref = "2001", brin = "56EF" }
met_bsn = { ref = 7 }
[las.scholen]
56EF = "0000000700056EF00950"
[tc]
port = 8510
""", tmp_path).roles["las"]
    assert (c.trigger_wijzig_leerling, c.trigger_wijzig_zorgvraag, c.trigger_toon_zorgvraag,
            c.trigger_verwijder_zorgvraag, c.trigger_aanleverpunten) == ("w-l {leerling}", "w-z", "t-z", "v-z", "a")
    assert c.handmatig is True
    assert c.ca_bundle == str(tmp_path / "ca.pem") and c.client_key == str(tmp_path / "certs" / "client.key")
    # string values stay plain references (backwards compatible); tables add the school
    assert c.leerlingen == {"po": "1001", "vo": "2001", "met_bsn": "7"}
    assert c.leerling("po").brin == "12AB" and c.leerling("vo").brin == "56EF" and c.leerling("vo").ref == "2001"
    assert c.leerling("met_onderwijsnummer") is None
    assert c.routeringskenmerk_of("56EF") == "0000000700056EF00950"
    assert c.routeringskenmerk_of("12AB") == "0000000700012AB00950"


def test_paths_are_relative_to_the_config_file(tmp_path):
    (tmp_path / "ca.pem").write_text("ca")
    f = tmp_path / "las.toml"
    f.write_text(EXTERNAL_LAS + 'ca_bundle = "ca.pem"\n[tc]\nport = 8510\n')
    assert load_config(f).roles["las"].ca_bundle == str(tmp_path / "ca.pem")


@pytest.mark.parametrize("extra, needle", [
    ('handmatig = "ja"', "handmatig moet true of false"),
    ('ca_bundle = "bestaat-niet.pem"', "ca_bundle"),
    ('client_key = "k.key"', "client_key"),
    ('trigger_toon_zorgvraag = 3', "trigger_toon_zorgvraag moet tekst"),
    ('[las.leerlingen]\npo = { brin = "12AB" }', "[las.leerlingen] po"),
    ('[las.leerlingen]\npo = { ref = "1", brin = "nee" }', "geen BRIN"),
    ('[las.leerlingen]\nmet_bns = "1"', "onbekende leerlingsoort(en) in [las.leerlingen]: met_bns"),
    ('[las.leerlingen]\nvo = { ref = "2", brin = "56EF" }', "niet in [las.scholen]"),
    ('[las.scholen]\n56EF = "kort"', "20 tekens"),
    ('[las.scholen]\nschool = "0000000700056EF00950"', "geen BRIN"),
])
def test_wrong_new_keys_name_the_problem(tmp_path, extra, needle):
    (tmp_path / "k.key").write_text("key")
    with pytest.raises(ConfigError) as exc:
        _parse(EXTERNAL_LAS + extra + "\n", tmp_path)
    assert needle in str(exc.value) and "c.toml" in str(exc.value)


# -- needs of the selected scenarios ------------------------------------------------------------

def _las_config(extra: str = "", pupils: str = 'po = "1"'):
    return _parse(EXTERNAL_LAS + 'trigger = "send"\n' + extra + f"\n[las.leerlingen]\n{pupils}\n[tc]\nport = 8510\n")


def test_step_table_maps_step_texts_to_keys():
    assert needs.keys_for_steps("las", ["een zorgvraag verzonden voor een PO-leerling en opgehaald door het SWV",
                                        "toont de LAS \"Terugkoppeling ontvangen: Ja\""]) == \
        ["leerlingen.po", "trigger", "trigger_toon_zorgvraag"]
    assert needs.keys_for_steps("las", ["een VO-leerling in de LAS"]) == ["leerlingen.vo", ]
    assert needs.keys_for_steps("las", ["een leerling met een BSN in de LAS",
                                        "de school een zorgvraag met toelichting verzendt"]) == \
        ["leerlingen.met_bsn", "trigger"]
    assert needs.keys_for_steps("swv", ["het SWV een terugkoppeling stuurt met status \"X\""]) == ["trigger_terugkoppeling"]
    assert needs.keys_for_steps("tc", ["anything"]) == []


def test_outlines_are_expanded_and_tags_inherited():
    scenarios = needs.read_scenarios()
    pgn = [s for s in scenarios if s.feature.startswith("Geen PGN") and "las" in s.tags]
    assert len(pgn) == 2 and all("PaO.LL12" in s.tags for s in pgn)       # feature tag inherited
    assert {needs.keys_for_steps("las", s.steps)[0] for s in pgn} == {"leerlingen.met_bsn",
                                                                       "leerlingen.met_onderwijsnummer"}


def test_incomplete_config_names_every_missing_key_and_its_scenarios():
    config = _las_config()
    result = needs.check(config, needs.read_scenarios(), needs.compile_selection(None))
    [las] = result
    assert not las.complete
    for key in ("leerlingen.vo", "leerlingen.met_bsn", "leerlingen.met_onderwijsnummer",
                "trigger_wijzig_leerling", "trigger_wijzig_zorgvraag", "trigger_toon_zorgvraag",
                "trigger_verwijder_zorgvraag", "trigger_aanleverpunten"):
        assert key in las.missing, key
    assert "leerlingen.po" not in las.missing and "trigger" not in las.missing
    assert any("Het dossier bevat geen PGN van een leerling met een BSN" in t
               for t in las.missing["leerlingen.met_bsn"])
    # optional scenarios never make a config incomplete
    assert not any("Extra bijlagen" in t for titles in las.missing.values() for t in titles)
    text = las.message()
    assert "[las.leerlingen] met_bsn ontbreekt" in text and "[las] trigger_wijzig_leerling ontbreekt" in text


def test_selection_limits_the_needs():
    config = _las_config()
    [las] = needs.check(config, needs.read_scenarios(), needs.compile_selection("@OSS.ZV01"))
    assert las.complete, las.missing
    [las] = needs.check(config, needs.read_scenarios(), needs.compile_selection("PaO.LL12 and las"))
    assert set(las.missing) == {"leerlingen.met_bsn", "leerlingen.met_onderwijsnummer"}


def test_handmatig_excuses_triggers_not_pupils():
    config = _las_config("handmatig = true")
    [las] = needs.check(config, needs.read_scenarios(), needs.compile_selection(None))
    assert not any(needs.is_trigger_key(k) for k in las.missing)
    assert "trigger_wijzig_leerling" in las.excused
    assert "leerlingen.vo" in las.missing


def test_external_swv_needs_its_terugkoppeling_and_toon_triggers():
    import tomllib
    config = parse_config(tomllib.loads(
        '[swv]\nmode = "external"\nbase_url = "http://s"\nrouteringskenmerk = "0000000700025PO00931"\n'
        '[tc]\nport = 8510\n'), "c.toml")
    [swv] = needs.check(config, needs.read_scenarios(), needs.compile_selection(None))
    assert sorted(swv.missing) == ["trigger_terugkoppeling", "trigger_toon_aanvraag"]
    assert not any("leerlingen" in k for k in swv.missing)   # the LAS is simulated


def test_left_out_counts_only_mandatory_scenarios_of_the_role_under_test():
    config = _las_config()
    scenarios = needs.read_scenarios()
    left = needs.left_out(config, scenarios, needs.compile_selection("las and PaO.LL12"))
    assert left and all(s.mandatory and "las" in s.tags for s in left)
    assert not needs.left_out(config, scenarios, needs.compile_selection("las or not las"))


def test_every_school_action_in_an_las_scenario_is_in_the_needs_table():
    """A changed step text must not slip past the table: every step where the school acts, or
    the LAS is asked to show something, needs a key of an external LAS."""
    acts = ("de school ", "toont de LAS")
    for s in needs.read_scenarios():
        if "las" not in s.tags:
            continue
        for step in s.steps:
            if step.startswith(acts) or " verzonden voor " in step or "leerling in de LAS" in step:
                assert needs.keys_for_steps("las", [step]), f"{s.title}: {step!r}"


def test_every_swv_action_or_view_in_an_swv_scenario_is_in_the_needs_table():
    """The SWV under test acts on a notificatie by itself; only sending a terugkoppeling and
    showing an aanvraag need its triggers, and every such step names one."""
    for s in needs.read_scenarios():
        if "swv" not in s.tags:
            continue
        for step in s.steps:
            if "het SWV een terugkoppeling stuurt" in step or step.startswith("bewaart het SWV"):
                assert needs.keys_for_steps("swv", [step]), f"{s.title}: {step!r}"
