"""1,000 generated dossiers, both profiles, random gegevensblokken: all valid, no "fout" finding."""
from __future__ import annotations

import random

import pytest
from lxml import etree

from harness.cli import main as cli_main
from harness.runtime.reference_data import missing, official_xsd
from oso_protocol.dossier.builder import build_dossier
from oso_protocol.synthetic import REFERENTIEDATUM, make_leerling, make_school, make_zorgvraag

XSD = official_xsd()
TOTAL = 1000


def _validate():
    """The project validator; until it is exported, its two rule layers called directly."""
    try:
        from oso_protocol.dossier import validate
    except ImportError:
        from oso_protocol.dossier.findings import Report
        from oso_protocol.dossier.rules_project import check_project
        from oso_protocol.dossier.rules_standard import check_standard
        from oso_protocol.dossier.version import DEFAULT_VERSION

        def validate(xml: bytes):
            root = etree.fromstring(xml)
            return Report(findings=check_standard(root, DEFAULT_VERSION) + check_project(root, DEFAULT_VERSION))
    return validate


def _dossiers():
    for profile in ("POSWV", "VOSWV"):
        rng = random.Random(f"many:{profile}")
        school = make_school(rng, profile)
        for _ in range(TOTAL // 2):
            ll = make_leerling(rng, profile, school=school, script_naam=rng.random() < 0.01)
            yield profile, build_dossier(ll, school, datum=REFERENTIEDATUM, **make_zorgvraag(rng, ll, profile))


def test_thousand_dossiers_pass_the_validator():
    validate = _validate()
    count = 0
    for profile, xml in _dossiers():
        count += 1
        report = validate(xml)
        fouten = [f for f in report.findings if f.severity == "fout"]
        assert not fouten, f"{profile} #{count}: {[(f.rule, f.location, f.message) for f in fouten]}"
    assert count == TOTAL


@pytest.mark.interop
def test_thousand_dossiers_pass_the_official_schema():
    if not XSD.is_file():
        pytest.skip(missing(XSD))
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    count = 0
    for profile, xml in _dossiers():
        count += 1
        assert schema.validate(etree.fromstring(xml)), f"{profile} #{count}: {schema.error_log}"
    assert count == TOTAL


def test_generate_command(tmp_path, capsys):
    out = tmp_path / "dossiers"
    assert cli_main(["generate", "--profile", "POSWV", "--count", "3", "--seed", "4", "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == ["POSWV_0001.xml", "POSWV_0002.xml", "POSWV_0003.xml"]
    assert "POSWV_0003.xml" in capsys.readouterr().out
    again = tmp_path / "again"
    assert cli_main(["generate", "--profile", "POSWV", "--count", "3", "--seed", "4", "--out", str(again)]) == 0
    assert all((out / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_generate_bad_arguments(tmp_path, capsys):
    assert cli_main(["generate", "--profile", "VOSWV", "--count", "0", "--out", str(tmp_path)]) == 2
    assert "minstens 1" in capsys.readouterr().err
    blocker = tmp_path / "bestand"
    blocker.write_text("x")
    assert cli_main(["generate", "--profile", "VOSWV", "--count", "1", "--out", str(blocker / "sub")]) == 2
    assert "fout" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli_main(["generate", "--profile", "POVO", "--count", "1", "--out", str(tmp_path)])
    assert exc.value.code == 2
