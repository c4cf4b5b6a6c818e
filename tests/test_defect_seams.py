"""The reference LAS names no defect: its workflow calls named steps of a policy, and only
las_client/defects.py replaces steps by defect name (issue 21)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import las_client
from las_client import defects as las_defects
from las_client.soap_handlers import ServingSteps
from las_client.zorgvragen import ZorgvraagSteps

LAS_DIR = Path(las_client.__file__).parent
WORKFLOW_MODULES = sorted(p for p in LAS_DIR.rglob("*.py") if p.name != "defects.py")


def _names_of_defects(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in las_defects.DEFECTS:
            found.append(f"regel {node.lineno}: {node.value!r}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "active"):
            found.append(f"regel {node.lineno}: .active(...)")
        elif isinstance(node, ast.Attribute) and node.attr.upper() == node.attr \
                and node.attr.lower() in las_defects.DEFECTS:
            found.append(f"regel {node.lineno}: .{node.attr}")
    return found


@pytest.mark.parametrize("path", WORKFLOW_MODULES, ids=lambda p: str(p.relative_to(LAS_DIR)))
def test_no_workflow_module_names_a_defect(path):
    assert _names_of_defects(ast.parse(path.read_text(encoding="utf-8"))) == []


def _imports_defects(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = {a.name for a in node.names}
            if node.module in ("defects", "las_client.defects") or (
                    node.module in (None, "las_client") and "defects" in names):
                return True
        elif isinstance(node, ast.Import) and "las_client.defects" in {a.name for a in node.names}:
            return True
    return False


def test_only_the_app_wiring_imports_the_defects_module():
    importers = [p.name for p in WORKFLOW_MODULES
                 if _imports_defects(ast.parse(p.read_text(encoding="utf-8")))]
    assert importers == ["app.py"]


def test_the_defects_module_does_not_import_the_app():
    tree = ast.parse((LAS_DIR / "defects.py").read_text(encoding="utf-8"))
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not modules & {"app", "las_client.app", "api", "ui"}


def test_every_defect_replaces_a_step_of_the_reference_las():
    steps = {m for cls in (ZorgvraagSteps, ServingSteps) for m in vars(cls)
             if not m.startswith("_") and callable(vars(cls)[m])}
    for name, cls in las_defects.REGISTRY.items():
        replaced = las_defects._steps(cls)
        assert replaced, name
        assert set(replaced) <= steps, (name, set(replaced) - steps)


def test_without_defects_the_policy_replaces_nothing():
    policy = las_defects.policy(())
    assert policy.names == frozenset()
    assert not vars(policy).keys() - {"names", "config"}


def test_a_defect_policy_replaces_only_the_steps_its_defect_names():
    policy = las_defects.policy({las_defects.NOTIFY_TWICE})
    assert set(vars(policy)) - {"names", "config"} == {"notify"}
