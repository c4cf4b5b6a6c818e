"""The conformance suite can fail: our own LAS and SWV, played as a vendor's external system,
get geslaagd when correct, and every deliberate one-rule defect of the catalogue
(harness/defects.py) makes the scenarios meant to catch it fail, with verdict mislukt.
The same run writes the table in docs/conformance.md (scripts/defect_table.py)."""
from __future__ import annotations

import pytest

from harness.defect_run import play_catalogue
from harness.defects import CATALOGUS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def played():
    return play_catalogue(workers=2)


@pytest.mark.parametrize("rol", ["las", "swv"])
@pytest.mark.parametrize("tls", [False, True], ids=["http", "tls"])
def test_correct_system_as_external_sut_passes(played, rol, tls):
    """Over TLS a correct system is geslaagd; over plain HTTP every functional scenario passes
    but the identity ones cannot be checked, so the verdict is onvolledig: no certification."""
    r = next(p for p in played if p.defect is None and p.rol == rol and p.tls == tls)
    assert not r.failed and not r.niet_geverifieerd, (r.failed, r.niet_geverifieerd)
    assert r.verdict == ("geslaagd" if tls else "onvolledig"), r.verdict


def test_every_defect_has_a_scenario_meant_to_catch_it():
    assert all(d.scenarios for d in CATALOGUS), [d.sleutel for d in CATALOGUS if not d.scenarios]


@pytest.mark.parametrize("sleutel", [d.sleutel for d in CATALOGUS])
def test_defect_is_caught(played, sleutel):
    r = next(p for p in played if p.defect is not None and p.defect.sleutel == sleutel)
    assert r.verdict == "mislukt", f"{sleutel}: oordeel {r.verdict}, mislukt: {sorted(r.failed)}"
    missing = set(r.defect.scenarios) - r.failed
    assert not missing, f"{sleutel}: deze scenario's slaagden toch: {sorted(missing)}"
    # the rest passed: no other mandatory scenario failed, none could not be checked
    assert r.failed_mandatory == set(r.defect.scenarios), \
        f"{sleutel}: ook mislukt: {sorted(r.failed_mandatory - set(r.defect.scenarios))}"
    assert not r.niet_geverifieerd, f"{sleutel}: niet geverifieerd: {sorted(r.niet_geverifieerd)}"
