"""The trigger contract as the drivers read it: where a trigger runs (the configuration file's
folder), which exits are a refusal of the system and which only say the trigger could not ask it
(niet geverifieerd, with a short reason and the whole stderr kept for the trace), and that the
simulated TC, not the trigger's exit, decides whether a zorgvraag was sent."""
from __future__ import annotations

import shlex
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.conformance.config import load_config
from harness.conformance.drivers import trigger as trig
from harness.conformance.drivers.las import ExternalLas, Pupil
from harness.conformance.drivers.swv import ExternalSwv
from harness.conformance.outcomes import NotVerified

PY = shlex.quote(sys.executable)
KEY = "4A1B2C3D-0000-4000-8000-000000000001"
LAS_RK = "0000000700012AB00950"


def py(code: str) -> str:
    """A trigger template running `code` with this Python."""
    return f"{PY} -c {shlex.quote(textwrap.dedent(code))}"


CRASH = py("""
    def send():
        raise ValueError("geen verbinding met de LAS-database")
    send()
""")


def write_config(folder: Path, **triggers: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["[las]", 'mode = "external"', 'base_url = "http://127.0.0.1:9"', 'brin = "12AB"',
             f'routeringskenmerk = "{LAS_RK}"', "wait_seconds = 5"]
    lines += [f"{k} = {trig_toml(v)}" for k, v in triggers.items()]
    lines += ["[las.leerlingen]", 'po = "1001"', "[swv]", 'mode = "simulated"', "[tc]", "port = 8510"]
    path = folder / "las.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def trig_toml(value: str) -> str:
    import json
    return json.dumps(value)


class FakeTc:
    """The simulated TC as the LAS driver sees it: `issued` is the koppelsleutel the LAS's
    meldenNotificatie got (None: none), `refused` a refused meldenNotificatie."""

    def __init__(self, issued: str | None = None, refused: dict | None = None):
        self.issued, self.refused = issued, refused
        self.waits: list[float] = []

    def koppelingen(self):
        return []

    def last_message_id(self):
        return 0

    def new_koppeling(self, bron_rk, known, timeout, since_id=None):
        self.waits.append(timeout)
        return {"koppelsleutel": self.issued, "bron_routeringskenmerk": bron_rk} if self.issued else None

    def refused_melding(self, since_id):
        return self.refused

    def wait_koppeling(self, pred, timeout, koppelsleutel, what):
        return {"koppelsleutel": koppelsleutel, "terugkoppeling_gemeld": True}


def external_las(config_path: Path, workdir: Path, tc: FakeTc) -> ExternalLas:
    config = load_config(config_path)
    env = SimpleNamespace(tc=tc, workdir=str(workdir), run_token="abcdefgh")
    return ExternalLas(env, config.roles["las"], config.roles["las"].base_url)


def send(las: ExternalLas):
    return las.send(Pupil("po", "1001", "12AB"), "0000000700025PO00931")


# -- the folder a trigger runs in ---------------------------------------------------------------

def test_the_configuration_knows_its_folder_absolute_whatever_the_caller_gave(tmp_path, monkeypatch):
    write_config(tmp_path / "ci", trigger="true")
    monkeypatch.chdir(tmp_path)
    config = load_config("ci/las.toml")
    assert config.folder == str((tmp_path / "ci").resolve())
    assert config.roles["las"].folder == config.folder
    assert config.roles["tc"].folder == config.folder


def test_a_relative_trigger_runs_in_the_configuration_folder_not_the_callers(tmp_path, monkeypatch):
    folder = tmp_path / "ci"
    folder.mkdir()
    script = folder / "trigger.sh"
    script.write_text("#!/bin/sh\npwd > waar.txt\ncat pki/ca.pem >&2\nexit 0\n")
    script.chmod(0o755)
    (folder / "pki").mkdir()
    (folder / "pki" / "ca.pem").write_text("CA van de map\n")
    config_path = write_config(folder, trigger="./trigger.sh --tls pki {leerling}")
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)     # the scenarios' pytest runs in the package folder
    tc = FakeTc(issued=KEY)
    (tmp_path / "werk").mkdir()
    sent = send(external_las(config_path, tmp_path / "werk", tc))
    assert sent.sent and sent.koppelsleutel == KEY and sent.trigger_melding is None
    assert (folder / "waar.txt").read_text().strip() == str(folder.resolve())
    assert not (elsewhere / "waar.txt").exists()


def test_the_files_a_trigger_gets_are_absolute(tmp_path, monkeypatch):
    folder = tmp_path / "ci"
    config_path = write_config(folder, trigger=py("""
        import sys, pathlib
        assert pathlib.Path(sys.argv[1]).is_absolute() and pathlib.Path(sys.argv[1]).is_file()
    """) + " {toelichting}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "werk-relatief").mkdir()
    sent = send(external_las(config_path, Path("werk-relatief"), FakeTc(issued=KEY)))
    assert sent.sent and sent.trigger_melding is None, sent.describe()


# -- which exit means what ------------------------------------------------------------------------

def test_exit_1_with_the_las_answer_and_no_koppelsleutel_is_a_refusal(tmp_path):
    config_path = write_config(tmp_path, trigger=py("""
        import sys
        print("Zonder toelichting onderwijsbehoeften kan de zorgvraag niet worden verzonden.", file=sys.stderr)
        sys.exit(1)
    """))
    tc = FakeTc()
    sent = send(external_las(config_path, tmp_path, tc))
    assert not sent.sent and sent.refused and sent.claimed is False
    assert "Zonder toelichting" in sent.fout
    assert tc.waits == [0], "after a refusal the LAS has acted: one look at the TC, no wait"


def test_exit_1_after_the_tc_issued_a_koppelsleutel_counts_as_sent(tmp_path):
    config_path = write_config(tmp_path, trigger=py("""
        import sys
        print("oso-sim: de SWV weigerde de notificatie (KoppelsleutelOnbekend)", file=sys.stderr)
        sys.exit(1)
    """))
    sent = send(external_las(config_path, tmp_path, FakeTc(issued=KEY)))
    assert sent.sent and sent.koppelsleutel == KEY and not sent.refused
    assert sent.claimed is False
    assert "exit 1" in sent.trigger_melding and "KoppelsleutelOnbekend" in sent.trigger_melding
    assert "door de LAS geweigerd" not in sent.describe() and "KoppelsleutelOnbekend" in sent.describe()


@pytest.mark.parametrize("template, expected", [
    (CRASH, "geen verbinding met de LAS-database"),
    (py("import sys; print('kapot', file=sys.stderr); sys.exit(3)"), "exit 3"),
    (py("raise SystemExit(3)"), "exit 3"),
    (py("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"), "signaal 9"),
    ("opdracht-die-niet-bestaat-4711 {leerling}", "niet gevonden"),
    ("./niet-hier.sh", "niet gevonden"),
    ('vendor-send "--leerling {leerling}', "geen bruikbare opdracht"),
    ("vendor-send {onbekend}", "onbekende plaatshouder"),
], ids=["traceback-exit-1", "exit-3", "systemexit-3", "signal", "not-found", "relative-not-found",
        "bad-quote", "bad-placeholder"])
def test_a_trigger_that_could_not_ask_the_las_is_not_verified(tmp_path, template, expected):
    config_path = write_config(tmp_path, trigger=template)
    with pytest.raises(NotVerified) as info:
        send(external_las(config_path, tmp_path, FakeTc()))
    reason = str(info.value)
    assert expected in reason and reason.startswith("[las] trigger")
    assert "Traceback" not in reason and 'File "' not in reason
    assert "\n" not in reason


def test_a_traceback_keeps_its_whole_stderr_for_the_trace_and_a_short_reason(tmp_path):
    config_path = write_config(tmp_path, trigger=CRASH)
    with pytest.raises(NotVerified) as info:
        send(external_las(config_path, tmp_path, FakeTc()))
    assert str(info.value) == ("[las] trigger brak af met een Python-fout (exit 1):"
                               " geen verbinding met de LAS-database")
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "Traceback (most recent call last):" in notes and "in send" in notes


def test_a_crash_after_the_tc_issued_a_koppelsleutel_is_still_sent(tmp_path):
    config_path = write_config(tmp_path, trigger=CRASH)
    sent = send(external_las(config_path, tmp_path, FakeTc(issued=KEY)))
    assert sent.sent and sent.koppelsleutel == KEY
    assert sent.trigger_melding == "exit 1: geen verbinding met de LAS-database"


def test_a_trigger_past_its_time_is_not_verified(tmp_path):
    config_path = write_config(tmp_path, trigger=py("""
        import sys, time
        print("bezig met verzenden", file=sys.stderr, flush=True)
        time.sleep(30)
    """))
    las = external_las(config_path, tmp_path, FakeTc())
    las.config.wait_seconds = 1.5
    with pytest.raises(NotVerified) as info:
        send(las)
    assert "langer dan 2 s" in str(info.value) and "bezig met verzenden" in str(info.value)


def test_exit_0_without_a_koppelsleutel_is_observed_not_sent(tmp_path):
    config_path = write_config(tmp_path, trigger="true")
    tc = FakeTc(refused={"outcome": "GeenMandaat"})
    sent = send(external_las(config_path, tmp_path, tc))
    assert not sent.sent and sent.claimed is True and not sent.refused
    assert "GeenMandaat" in sent.fout
    assert tc.waits == [5.0], "a trigger that reported success gets the whole wait"


@pytest.mark.parametrize("template, outcome", [
    ("true", "gedaan"),
    (py("import sys; print('Een verzonden zorgvraag is niet te wijzigen.'); sys.exit(1)"), "geweigerd"),
    (CRASH, "niet geverifieerd"),
    (py("raise SystemExit(2)"), "niet geverifieerd"),
])
def test_change_zorgvraag_reads_the_contract(tmp_path, template, outcome):
    from harness.conformance.drivers.las import Sent
    config_path = write_config(tmp_path, trigger="true", trigger_wijzig_zorgvraag=template)
    las = external_las(config_path, tmp_path, FakeTc())
    try:
        change = las.change_zorgvraag(Sent(True, koppelsleutel=KEY), "omschrijving", "Anders")
    except NotVerified as exc:
        assert outcome == "niet geverifieerd", exc
        assert "trigger_wijzig_zorgvraag" in str(exc)
        return
    assert outcome == ("gedaan" if change.accepted else "geweigerd")
    if not change.accepted:
        assert "niet te wijzigen" in change.reason


@pytest.mark.parametrize("template", [CRASH, py("raise SystemExit(4)"),
                                      py("import sys; print('leerling onbekend'); sys.exit(1)")])
def test_a_pupil_change_that_did_not_happen_is_not_verified(tmp_path, template):
    config_path = write_config(tmp_path, trigger="true", trigger_wijzig_leerling=template)
    las = external_las(config_path, tmp_path, FakeTc())
    with pytest.raises(NotVerified) as info:
        las.change_pupil(Pupil("po", "1001", "12AB"), "Jansen")
    assert "trigger_wijzig_leerling" in str(info.value) and "Traceback" not in str(info.value)


def test_a_json_trigger_that_crashed_is_not_verified_even_with_output(tmp_path):
    config_path = write_config(tmp_path, trigger="true", trigger_toon_zorgvraag=py("""
        import json, sys
        print(json.dumps({"koppelsleutel": "K", "gevonden": False}))
        raise RuntimeError("half werk")
    """))
    las = external_las(config_path, tmp_path, FakeTc())
    with pytest.raises(NotVerified, match="half werk"):
        las.view(KEY)


# -- the SWV's trigger --------------------------------------------------------------------------

def external_swv(tmp_path: Path, template: str) -> ExternalSwv:
    folder = tmp_path / "swv-config"
    folder.mkdir()
    (folder / "swv.toml").write_text("\n".join([
        "[swv]", 'mode = "external"', 'base_url = "http://127.0.0.1:9"', 'brin = "25PO"',
        'routeringskenmerk = "0000000700025PO00931"', "wait_seconds = 5",
        f"trigger_terugkoppeling = {trig_toml(template)}", "[tc]", "port = 8510"]) + "\n")
    config = load_config(folder / "swv.toml")
    env = SimpleNamespace(tc=FakeTc(), workdir=str(tmp_path))
    return ExternalSwv(env, config.roles["swv"], config.roles["swv"].base_url)


def test_the_swv_trigger_runs_in_the_configuration_folder(tmp_path, monkeypatch):
    swv = external_swv(tmp_path, py("import os; open('hier.txt', 'w').write(os.getcwd())"))
    monkeypatch.chdir(tmp_path)
    assert swv.terugkoppeling(KEY, {"status": "Ontvangen"}) == (True, "gemeld bij de TC")
    assert (tmp_path / "swv-config" / "hier.txt").read_text() == str((tmp_path / "swv-config").resolve())


def test_the_swv_refusal_is_observed(tmp_path):
    swv = external_swv(tmp_path, py("import sys; print('dossier niet opgehaald', file=sys.stderr); sys.exit(1)"))
    ok, why = swv.terugkoppeling(KEY, {"status": "Ontvangen"})
    assert not ok and "dossier niet opgehaald" in why


@pytest.mark.parametrize("template", [CRASH, py("raise SystemExit(2)")])
def test_a_broken_swv_trigger_is_not_verified(tmp_path, template):
    swv = external_swv(tmp_path, template)
    with pytest.raises(NotVerified) as info:
        swv.terugkoppeling(KEY, {"status": "Ontvangen"})
    assert str(info.value).startswith("[swv] trigger_terugkoppeling") and "Traceback" not in str(info.value)


# -- the short reason ---------------------------------------------------------------------------

def test_the_tail_is_the_last_line_without_the_class_name():
    stderr = 'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\n' \
             "requests.exceptions.ConnectionError: weigerde verbinding\n\n"
    assert trig.tail(stderr) == "weigerde verbinding"
    assert trig.tail("Traceback (most recent call last):\nKeyboardInterrupt\n") == "KeyboardInterrupt"
    assert trig.tail("regel 1\nDe LAS: fout: iets\n") == "De LAS: fout: iets"
    assert trig.tail("", "alleen stdout\n") == "alleen stdout"
    assert len(trig.tail("x" * 5000)) == trig.TAIL_CHARS
