"""Project layer (OSS.*): one failing and one passing case per rule, plus the documented mutations."""
from __future__ import annotations

import base64

import pytest

from dossier_samples import (
    EXAMPLE_NAMES, child, leerling, load_example, minimal_dossier, q, set_cat, sub, zip_b64,
)
from oso_protocol.dossier.categories import VOSWV
from oso_protocol.dossier.findings import FOUT, LAYER_PROJECT, WAARSCHUWING
from oso_protocol.dossier.rules import RULES
from oso_protocol.dossier.rules_project import check_project
from oso_protocol.dossier.rules_standard import check_standard
from oso_protocol.dossier.version import V2019_1


def _oo(root):
    return child(leerling(root), "onderwijsondersteuning")


def _inhoud(root, text):
    child(child(child(_oo(root), "toelichting_onderwijsbehoeften"), "document"), "bestandsinhoud").text = text


def _drop_toelichting(root):
    oo = _oo(root)
    oo.remove(child(oo, "toelichting_onderwijsbehoeften"))


def _empty_oo(root):
    set_cat(root, "cat_onderwijsondersteuning", "OPT-UIT")
    set_cat(root, "cat_handelingsplannen", "OPT-UIT")
    _drop_toelichting(root)


CASES = [
    ("OSS.PM01", lambda r: set_cat(r, "cat_verzuim", "VERPLICHT"),
     lambda r: set_cat(r, "cat_verzuim", "OPT-UIT")),
    ("OSS.PM01", lambda r: set_cat(r, "cat_eindtoetsbo", "OPTIONEEL"), None),
    ("OSS.CAT09", lambda r: set_cat(r, "cat_onderwijsondersteuning", "VERBODEN"), None),
    ("OSS.OPT01", _empty_oo,
     lambda r: (_empty_oo(r), leerling(r).remove(_oo(r)))),
    ("OSS.ATT01", lambda r: _inhoud(r, "dit is geen base64!"),
     lambda r: _inhoud(r, "\n  " + zip_b64() + "\n  ")),
    ("OSS.ATT02", lambda r: _inhoud(r, base64.b64encode(b"%PDF-1.4 los").decode()), None),
    ("OSS.ATT03", lambda r: _inhoud(r, zip_b64()[:40]), None),
    ("OSS.ZV01", _drop_toelichting, None),
]


@pytest.mark.parametrize("rule,fail,ok", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fails_and_passes(rule, fail, ok):
    root = minimal_dossier()
    fail(root)
    hits = [f for f in check_project(root, V2019_1) if f.rule == rule]
    assert hits, f"{rule} not reported"
    assert all(f.layer == LAYER_PROJECT and f.severity == RULES[rule].severity for f in hits)
    good = minimal_dossier()
    if ok is not None:
        ok(good)
    assert rule not in {f.rule for f in check_project(good, V2019_1)}


def test_every_checked_project_rule_has_a_case():
    produced_elsewhere = {"OSS.XML01", "OSS.NS01"}
    wanted = {r.id for r in RULES.values() if r.layer == LAYER_PROJECT} - produced_elsewhere
    assert wanted == {c[0] for c in CASES}


def test_severities():
    assert RULES["OSS.ATT03"].severity == WAARSCHUWING
    assert RULES["OSS.ZV01"].severity == FOUT


def test_minimal_dossiers_are_clean():
    assert check_project(minimal_dossier(), V2019_1) == []
    assert check_project(minimal_dossier(VOSWV), V2019_1) == []


def test_zv01_not_reported_when_category_is_off():
    root = minimal_dossier()
    _empty_oo(root)
    rules = {f.rule for f in check_project(root, V2019_1)}
    assert "OSS.ZV01" not in rules and "OSS.PM01" in rules


def test_repeated_attachment_reported_per_document():
    root = minimal_dossier()
    _inhoud(root, "@@@")
    lijst = sub(leerling(root), "overigdocumentlijst", index=list(leerling(root)).index(
        child(leerling(root), "verzorger")))
    doc = sub(lijst, "document")
    sub(doc, "bestandsnaam", "b.pdf")
    sub(doc, "bestandsinhoud", "@@@")
    hits = [f for f in check_project(root, V2019_1) if f.rule == "OSS.ATT01"]
    assert len(hits) == 2 and '"b.pdf"' in hits[1].message


# --- the official examples --------------------------------------------------------------------

@pytest.mark.interop
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_official_examples_have_no_project_errors(name):
    findings = check_project(load_example(name), V2019_1)
    assert [f for f in findings if f.severity == FOUT] == []
    # Their truncated attachment ZIPs show up as warnings only.
    assert {f.rule for f in findings} <= {"OSS.ATT03"}


@pytest.mark.interop
def test_m2_toelichting_removed_gives_zv01_only_in_project_layer():
    root = load_example("Voorbeelddossier_PaO_POSWV_full.xml")
    _drop_toelichting(root)
    assert check_standard(root, V2019_1) == []
    errors = [f for f in check_project(root, V2019_1) if f.severity == FOUT]
    assert [(f.rule, f.layer) for f in errors] == [("OSS.ZV01", LAYER_PROJECT)]


@pytest.mark.interop
def test_x4_toelichting_in_forbidden_category_gives_cat09_not_os_cat09():
    root = load_example("Voorbeelddossier_PaO_POSWV_full.xml")
    set_cat(root, "cat_onderwijsondersteuning", "VERBODEN")
    oo = _oo(root)
    for el in list(oo):
        if el.tag != q("toelichting_onderwijsbehoeften"):
            oo.remove(el)
    assert "OS.cat09" not in {f.rule for f in check_standard(root, V2019_1)}
    rules = {f.rule for f in check_project(root, V2019_1) if f.severity == FOUT}
    assert "OSS.CAT09" in rules
    cat09 = [f for f in check_project(root, V2019_1) if f.rule == "OSS.CAT09"]
    assert cat09[0].location.endswith("/onderwijsondersteuning[1]/toelichting_onderwijsbehoeften[1]")
