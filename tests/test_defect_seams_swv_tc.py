"""The deliberate defects of the simulated SWV and TC live in their defects module only: each is a
subclass of the actor's policy that replaces a named step, and the workflow modules ask the
policy. A workflow module that names a defect or asks `defects.active(...)` brings the inline
hooks back, so these tests read every other module of swv_mock/ and oso_mock/ with `ast`."""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from oso_mock import defects as tc_defects
from oso_mock.policy import TcPolicy
from swv_mock import defects as swv_defects
from swv_mock.ophalen import FetchPolicy
from swv_mock.terugkoppeling import SendPolicy

ROOT = Path(__file__).resolve().parent.parent
ACTORS = {"swv_mock": swv_defects, "oso_mock": tc_defects}
# the app wiring builds the policy from config DEFECTS; it may use no more than this
WIRING = {"app.py"}
WIRING_NAMES = {"DEFECTS", "check", "policy"}


def _modules(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if path.name != "defects.py":
            yield path


def _constant_names(module) -> set[str]:
    """The module-level names the defects module gives its defect names (SKIP_AFMELDING, ...)."""
    return {name for name, value in vars(module).items()
            if isinstance(value, str) and value in module.DEFECTS}


def _imports_defects(node: ast.AST, package: str) -> list[str]:
    """The local names under which `node` imports the defects module (or names from it)."""
    found = []
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if module in ("defects", f"{package}.defects"):
            found += [a.asname or a.name for a in node.names]
        elif module in ("", package) or (node.level and module == ""):
            found += [a.asname or a.name for a in node.names if a.name == "defects"]
    elif isinstance(node, ast.Import):
        found += [a.asname or a.name for a in node.names if a.name == f"{package}.defects"]
    return found


def _findings(path: Path, package: str, module) -> list[str]:
    return _findings_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix(),
                        package, module)


def _findings_in(source: str, rel: str, package: str, module) -> list[str]:
    tree = ast.parse(source, filename=rel)
    names, constants = set(module.DEFECTS), _constant_names(module)
    out = []
    aliases = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        imported = _imports_defects(node, package)
        if imported:
            if Path(rel).name not in WIRING:
                out.append(f"{rel}:{line} imports the defects module")
            aliases.update(imported)
            out += [f"{rel}:{line} imports {n}" for n in imported if n in constants | {"active"}]
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names:
            out.append(f"{rel}:{line} names defect {node.value!r}")
        if isinstance(node, ast.Name) and node.id in constants:
            out.append(f"{rel}:{line} names defect constant {node.id}")
        if isinstance(node, ast.Attribute):
            if node.attr in constants:
                out.append(f"{rel}:{line} names defect constant {node.attr}")
            if isinstance(node.value, ast.Name) and node.value.id in aliases \
                    and node.attr not in WIRING_NAMES:
                out.append(f"{rel}:{line} uses defects.{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "active":
            out.append(f"{rel}:{line} asks {ast.unparse(node.func)}(...)")
    # comments and docstrings too: a defect named there is a hook waiting to come back
    for name in sorted(names):
        for m in re.finditer(rf"\b{re.escape(name)}\b", source):
            out.append(f"{rel}:{source.count(chr(10), 0, m.start()) + 1} mentions {name}")
    return out


@pytest.mark.parametrize("package", sorted(ACTORS))
def test_no_workflow_module_names_a_defect(package):
    module = ACTORS[package]
    findings = [f for path in _modules(package) for f in _findings(path, package, module)]
    assert findings == []


def test_the_check_sees_an_inline_hook():
    """The checker itself: the old style of hook is found."""
    found = _findings_in("from . import defects as swv_defects\n"
                         "from .defects import SKIP_OVERDRACHT\n"
                         "def f(d):\n"
                         "    if swv_defects.active(d, swv_defects.FETCH_TWICE):\n"
                         "        return 'skip_afmelding'\n", "swv_mock/ophalen.py",
                         "swv_mock", swv_defects)
    assert any("imports the defects module" in f for f in found)
    assert any("imports SKIP_OVERDRACHT" in f for f in found)
    assert any("swv_defects.active" in f for f in found)
    assert any("FETCH_TWICE" in f for f in found)
    assert any("'skip_afmelding'" in f for f in found)


def _steps(base: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(base, inspect.isfunction)
            if not name.startswith("_")}


@pytest.mark.parametrize("module, bases", [(swv_defects, (FetchPolicy, SendPolicy)),
                                           (tc_defects, (TcPolicy,))])
def test_every_defect_replaces_named_steps_of_its_policy(module, bases):
    assert set(module.REGISTRY) == module.DEFECTS
    for name, cls in module.REGISTRY.items():
        base = next(b for b in bases if issubclass(cls, b))
        replaced = {n for n in vars(cls) if n in _steps(base)}
        extra = {n for n, v in vars(cls).items()
                 if inspect.isfunction(v) and n not in _steps(base)}
        assert replaced, f"{name} replaces no step of {base.__name__}"
        assert not extra, f"{name} adds {sorted(extra)}: a defect only replaces steps"


def test_no_defects_is_the_correct_policy():
    assert type(swv_defects.policy(FetchPolicy, ())) is FetchPolicy
    assert type(swv_defects.policy(SendPolicy, ())) is SendPolicy
    assert type(tc_defects.policy(())) is TcPolicy
    assert type(tc_defects.policy(None)) is TcPolicy


def test_defects_stack_and_the_first_registered_decides_a_shared_step():
    both = swv_defects.policy(FetchPolicy, {swv_defects.SUCCEED_ON_REFUSAL,
                                            swv_defects.REFUSAL_AS_LEVERING_GEWEIGERD,
                                            swv_defects.ACCEPT_PGN})
    assert both.resultaat_for_refusal("LeveringGeweigerd") == "OverdrachtGeslaagd"
    assert both.apply_rules({"findings": [{"rule": "PaO.LL12", "severity": "fout"}],
                             "valid": False}) == {"findings": [], "valid": True}
    assert both.verify_for_las() is None  # a step no chosen defect touches stays correct
    with pytest.raises(ValueError, match="onbekende DEFECTS"):
        swv_defects.policy(FetchPolicy, {"skip_everything"})
    with pytest.raises(ValueError, match="onbekende DEFECTS"):
        tc_defects.policy({"skip_everything"})
