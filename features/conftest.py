"""Fixtures and step wiring for the conformance scenarios.

The same scenarios run against the simulated actors (the default: `pytest features/`) and against
a vendor's system (`oso-sim conformance --config FILE`, which passes the file in
OSO_CONFORMANCE_CONFIG). Two outcomes are decided here, before a scenario's first step acts:

- niet van toepassing: the scenario's role tags do not include the role under test, so a
  vendor's report only judges its own system;
- niet geverifieerd: the configuration lacks a key one of its steps needs (harness.conformance.needs; the
  runner refuses such a configuration unless --onvolledig was given).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from harness.conformance.config import TLS_ENV, config_from_env
from harness.conformance.environment import ConformanceEnv
from harness.conformance.needs import describe_key, keys_for_steps, missing_keys, with_claims
from harness.conformance.outcomes import NO_TLS_REASON, not_applicable, not_verified

# The step definitions are fixtures: importing them here makes them visible to every scenario.
# The order is kept as it was written (a later definition of the same step would win).
from .steps.common import *  # noqa: I001
from .steps.las_steps import *
from .steps.swv_steps import *
from .steps.tc_steps import *
from .steps.dossier_steps import *
from .steps.identity_steps import *
from .steps.harness_las_steps import *

ROLE_TAGS = ("las", "swv", "tc")
_TAG = re.compile(r"(?<!\S)@([\w.\-:]+)")


def pytest_configure(config):
    # Every tag used in a feature file becomes a known marker, so `-m "las and mandatory"` works
    # and pytest does not warn about unknown marks.
    tags = set()
    for path in Path(__file__).resolve().parent.glob("*.feature"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                tags.update(_TAG.findall(line))
    for tag in sorted(tags):
        config.addinivalue_line("markers", f"{tag}: conformance tag")


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m deselection reads the markers
def pytest_collection_modifyitems(config, items):
    """The implementation statement ([sut] ondersteunt): an optional scenario of a feature the
    system claims is mandatory for it, in the selection, the verdict and every report."""
    claims = config_from_env().claims
    if not claims:
        return
    for item in items:
        names = {m.name for m in item.iter_markers()}
        tags = with_claims(names, claims)
        if tags == names:
            continue
        item.own_markers[:] = [m for m in item.own_markers if m.name != "optional"]
        for name in sorted(tags - names):
            item.add_marker(name)


@pytest.fixture(scope="session")
def conformance_config():
    return config_from_env()


def pytest_bdd_before_scenario(request, feature, scenario):
    # the rendered steps (outline values filled in), for the needs check in `env`
    request.node.conformance_steps = [step.name for step in scenario.steps]


def missing_for(config, tags: set[str], steps: list[str]) -> dict[str, list[str]]:
    """Per external role this scenario tests: the configuration keys its steps need but lack."""
    out = {}
    for role in config.sut_roles:
        if role in tags:
            keys = missing_keys(config.roles[role], steps)
            if keys:
                out[role] = keys
    return out


@pytest.fixture
def env(request, conformance_config, tmp_path):
    tags = {m.name for m in request.node.iter_markers()}
    sut = conformance_config.sut_roles
    if sut and not tags & set(sut):
        roles = ", ".join(sorted(tags & set(ROLE_TAGS))) or "geen rol"
        not_applicable(f"dit scenario test {roles}; onder test is {', '.join(sut)}")
    missing = missing_for(conformance_config, tags, getattr(request.node, "conformance_steps", []))
    if missing:
        keys = ", ".join(describe_key(role, k) for role, ks in missing.items() for k in ks)
        not_verified(f"de configuratie mist {keys}, nodig voor dit scenario")
    tls = os.environ.get(TLS_ENV) or None
    if "tls" in tags and not tls:
        # OSO connects with mutual TLS only: a run that could not test identity is no
        # certification, so a mandatory identity scenario is unchecked, never left out.
        if "optional" in tags:
            not_applicable(NO_TLS_REASON)
        not_verified(NO_TLS_REASON)
    world = ConformanceEnv(conformance_config, workdir=tmp_path, tls=tls)
    # what this scenario needs of the system under test (all present here), for drivers and steps
    world.needed_keys = {role: keys_for_steps(role, request.node.conformance_steps)
                         for role in sut if role in tags and hasattr(request.node, "conformance_steps")}
    request.node.conformance_env = world  # read by harness.conformance.run_plugin
    yield world
    try:
        if world.started:
            request.node.conformance_messages = world.messages()
    except Exception as exc:  # the report must not lose the verdict over a log that is gone
        request.node.conformance_messages = [{"actor": "harnas", "operation": None,
                                              "outcome": f"berichtenlog niet te lezen: {exc}"}]
    request.node.conformance_koppelsleutels = list(world.koppelsleutels)
    world.stop()


@pytest.fixture
def ctx():
    """What the steps of one scenario share: pupils, sent zorgvragen, the last answer, ..."""
    return Ctx()

