"""`oso-sim validate`: exit codes 0/1/2, text for people, JSON in the documented shape."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from dossier_samples import EXAMPLES, insert_leerling_child, minimal_dossier, q
from harness.cli import main as cli_main


def write(path: Path, root=None, profile: str = "POSWV") -> Path:
    root = minimal_dossier(profile) if root is None else root
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return path


def with_bsn():
    root = minimal_dossier()
    insert_leerling_child(root, "bsn", "123456782", before="leerlingid")
    return root


def with_three_layers():
    root = with_bsn()
    root.find(q("metadata")).find(q("datum")).text = "morgen"
    ll = root.find(q("huidigeschool")).find(q("leerling"))
    ll.find(f"{q('onderwijsondersteuning')}/{q('toelichting_onderwijsbehoeften')}/{q('document')}/"
            f"{q('bestandsinhoud')}").text = "geen base64 !"
    return root


@pytest.fixture
def files(tmp_path):
    return {
        "goed": write(tmp_path / "goed.xml"),
        "goed_vo": write(tmp_path / "goed_vo.xml", profile="VOSWV"),
        "bsn": write(tmp_path / "bsn.xml", with_bsn()),
        "drie": write(tmp_path / "drie.xml", with_three_layers()),
        "kapot": _bytes(tmp_path / "kapot.xml", b"<dossier><metadata>"),
        "leeg": _bytes(tmp_path / "leeg.xml", b""),
        "ns": _bytes(tmp_path / "ns.xml", (tmp_path / "goed.xml").read_bytes().replace(b"/2019/", b"/2024/")),
    }


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def run(capsys, *args):
    code = cli_main(["validate", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


# --- exit codes ----------------------------------------------------------------------------------

def test_valid_files_exit_0(files, capsys):
    code, out, _ = run(capsys, files["goed"], files["goed_vo"])
    assert code == 0
    assert out.count("Oordeel: GELDIG") == 2
    assert "2 bestanden: 2 geldig, 0 ongeldig, 0 onleesbaar." in out


def test_findings_exit_1(files, capsys):
    code, out, _ = run(capsys, files["bsn"])
    assert code == 1
    assert "PaO.LL12" in out and "Oordeel: ONGELDIG POSWV-dossier - 1 fout (standaard 1)." in out


def test_wrong_namespace_is_a_finding_exit_1(files, capsys):
    code, out, _ = run(capsys, files["ns"])
    assert code == 1
    assert "OSS.NS01" in out and "2024" in out and "Verdere controles overgeslagen." in out


@pytest.mark.parametrize("name", ["kapot", "leeg"])
def test_unreadable_exit_2(files, capsys, name):
    code, out, _ = run(capsys, files[name])
    assert code == 2
    assert "OSS.XML01" in out and "Oordeel: ONLEESBAAR" in out


def test_missing_file_exit_2_and_names_it(tmp_path, capsys):
    code, out, _ = run(capsys, tmp_path / "weg.xml")
    assert code == 2
    assert "weg.xml" in out and "niet te lezen" in out


def test_unreadable_wins_over_findings_and_every_file_is_reported(files, capsys, tmp_path):
    code, out, _ = run(capsys, files["goed"], files["bsn"], tmp_path / "weg.xml")
    assert code == 2
    assert out.count("== ") == 3
    assert out.index("goed.xml") < out.index("bsn.xml") < out.index("weg.xml")
    assert "3 bestanden: 1 geldig, 1 ongeldig, 1 onleesbaar." in out


def test_findings_in_one_of_several_files_exit_1(files, capsys):
    assert run(capsys, files["goed"], files["bsn"], files["goed_vo"])[0] == 1


@pytest.mark.parametrize("args", [[], ["--format", "xml", "x.xml"], ["--onbekend", "x.xml"],
                                  ["--max-bytes", "0", "x.xml"], ["-", "-"]])
def test_wrong_call_exit_2(capsys, args):
    try:
        code = cli_main(["validate", *args])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip() and not out.strip()


# --- text for people -------------------------------------------------------------------------------

def test_text_groups_findings_by_layer_with_rule_location_message(files, capsys):
    code, out, _ = run(capsys, files["drie"])
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"== {files['drie']} (profiel POSWV)"
    heads = [i for i, l in enumerate(lines) if l.startswith("[")]
    assert [lines[i].split("]")[0] + "]" for i in heads] == ["[xsd]", "[standard]", "[project]"]
    xsd_block = "\n".join(lines[heads[0]:heads[1]])
    assert "XSD" in xsd_block and "/dossier[1]/metadata[1]/datum[1]" in xsd_block
    assert "'morgen' is geen geldige datum" in xsd_block
    std_block = "\n".join(lines[heads[1]:heads[2]])
    assert "PaO.LL12" in std_block and "/dossier[1]/huidigeschool[1]/leerling[1]" in std_block
    assert "BSN of onderwijsnummer is verboden" in std_block
    assert "OSS.ATT01" in "\n".join(lines[heads[2]:])
    assert "strengere procesregels" in lines[heads[2]]  # a vendor sees it is not the standard
    assert lines[-1] == "Oordeel: ONGELDIG POSWV-dossier - 3 fouten (schema 1, standaard 1, project 1)."


def test_text_of_a_clean_file_is_short(files, capsys):
    _, out, _ = run(capsys, files["goed_vo"])
    assert out.splitlines() == [f"== {files['goed_vo']} (profiel VOSWV)", "Oordeel: GELDIG VOSWV-dossier - geen fouten."]


@pytest.mark.interop
def test_warnings_alone_keep_exit_0(capsys):
    path = EXAMPLES / "Voorbeelddossier_PaO_POSWV_opt_out.xml"
    if not path.is_file():
        pytest.skip("reference examples not available")
    code, out, _ = run(capsys, path)
    assert code == 0
    assert "waarschuwing OSS.ATT03" in out and "Oordeel: GELDIG POSWV-dossier - geen fouten, 4 waarschuwingen." in out


# --- JSON for programs --------------------------------------------------------------------------------

def test_json_is_a_list_of_reports_in_the_documented_shape(files, capsys, tmp_path):
    code, out, _ = run(capsys, "--format", "json", files["goed"], files["bsn"], tmp_path / "weg.xml")
    assert code == 2
    data = json.loads(out)
    assert [list(r) for r in data] == [["file", "valid", "profile", "findings"]] * 3
    goed, bsn, weg = data
    assert goed == {"file": str(files["goed"]), "valid": True, "profile": "POSWV", "findings": []}
    assert bsn["valid"] is False and bsn["profile"] == "POSWV"
    assert bsn["findings"] == [{
        "rule": "PaO.LL12", "layer": "standard", "severity": "fout",
        "location": "/dossier[1]/huidigeschool[1]/leerling[1]",
        "message": "BSN of onderwijsnummer is verboden bij een leerling in een SWV-dossier.",
    }]
    assert weg["valid"] is False and weg["profile"] is None
    assert [(f["rule"], f["layer"]) for f in weg["findings"]] == [("OSS.XML01", "project")]


def test_json_keeps_dutch_letters_readable(files, capsys):
    _, out, _ = run(capsys, "--format", "json", files["drie"])
    layers = {f["layer"] for f in json.loads(out)[0]["findings"]}
    assert layers == {"xsd", "standard", "project"}
    assert "\\u" not in out


def test_json_exit_codes_match_text(files, capsys):
    assert run(capsys, "--format", "json", files["goed"])[0] == 0
    assert run(capsys, "--format", "json", files["bsn"])[0] == 1
    assert run(capsys, "--format", "json", files["kapot"])[0] == 2


# --- stdin, the console script, robustness --------------------------------------------------------------

def test_stdin(files, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(files["bsn"].read_bytes())))
    code, out, _ = run(capsys, "--format", "json", "-")
    assert code == 1 and json.loads(out)[0]["file"] == "<stdin>"


def test_an_internal_error_is_a_message_not_a_traceback(files, capsys, monkeypatch):
    import harness.cli.validate as cmd

    def broken(*a, **kw):
        raise RuntimeError("stuk")

    monkeypatch.setattr(cmd, "validate", broken)
    code, out, err = run(capsys, files["goed"])
    assert code == 2
    assert "Traceback" not in out + err and "De validatie zelf faalde (RuntimeError: stuk)" in out


def test_console_script_in_a_subprocess(files):
    """The real entry point: exit code and output through a pipe, no traceback on stderr."""
    exe = Path(sys.executable).with_name("oso-sim")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "harness.cli"]
    done = subprocess.run([*cmd, "validate", "--format", "json", str(files["bsn"]), str(files["goed"])],
                          capture_output=True, timeout=60, env={"PATH": "/usr/bin:/bin", "LANG": "C"})
    assert done.returncode == 1, done.stderr
    assert [r["valid"] for r in json.loads(done.stdout)] == [False, True]
    assert done.stderr == b""
    missing = subprocess.run([*cmd, "validate", "/nergens/dossier.xml"], capture_output=True, timeout=60)
    assert missing.returncode == 2 and b"Traceback" not in missing.stderr
