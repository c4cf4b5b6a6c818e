"""The project's own packages import each other without a circle.

The graph is built from the source with `ast`, not by importing: every `import` and `from ... import`
in a module counts, at the top or inside a function, because an import inside a function is still
a dependency (it only runs later), and a circle through one is how the evidence modules once tied
themselves together (bundle -> conformance_report -> run_info -> bundle). Imports under
`if TYPE_CHECKING:` are left out: they never run.

An edge goes to the module that is imported (`from harness.evidence import bundle` -> the module
harness.evidence.bundle; `from harness.conformance.verdict import verdict` -> harness.conformance.verdict).
Importing a submodule also runs its package's __init__, but that edge is left out: a package's
__init__ importing its own children is no circle anyone can untie.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("oso_protocol", "actor_kit", "las_client", "oso_mock", "swv_mock", "harness")

# Cycles that are known and being removed elsewhere, as sorted tuples of the modules on the circle;
# empty now that las_client/defects.py no longer imports las_client.app.
EXPECTED: set[tuple[str, ...]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                found[_module_name(path)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                targets.add(alias.name)
            continue
        if node.level:
            base = package.split(".")
            base = base[:len(base) - (node.level - 1)]
            base_name = ".".join(base + ([node.module] if node.module else []))
        else:
            base_name = node.module
        for alias in node.names:
            candidate = f"{base_name}.{alias.name}"
            targets.add(candidate if candidate in known else base_name)
    edges = set()
    for target in targets:
        # `import a.b.c` or an unknown attribute: the longest known module it names
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name and not name.startswith(target + "."):
            edges.add(target)
    return edges


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan), each as one circle
    through it, so a failure names the modules to untie."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        work = [(v, iter(sorted(g[v])))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, children = work[-1]
            for w in children:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(g[w]))))
                    break
                if w in on_stack:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == node:
                            break
                    if len(component) > 1:
                        out.append(_circle(g, set(component)))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def _circle(g: dict[str, set[str]], component: set[str]) -> list[str]:
    """One concrete circle inside a strongly connected component: the shortest way back to its start."""
    start = min(component)
    paths, seen = [[start]], {start}
    while paths:
        path = paths.pop(0)
        for w in sorted(g[path[-1]] & component):
            if w == start:
                return path + [start]
            if w not in seen:
                seen.add(w)
                paths.append(path + [w])
    return sorted(component)


def test_the_graph_covers_every_package():
    g = graph()
    for package in PACKAGES:
        assert package in g
    assert any(edge.startswith("oso_protocol") for edges in g.values() for edge in edges)


def test_no_import_cycles():
    found = cycles(graph())
    unexpected = [c for c in found if tuple(sorted(set(c))) not in EXPECTED]
    assert not unexpected, "import circles:\n" + "\n".join(" -> ".join(c) for c in unexpected)


def test_expected_cycles_still_exist():
    # once a known circle is gone, it must leave EXPECTED too, or it could come back unnoticed
    found = {tuple(sorted(set(c))) for c in cycles(graph())}
    assert EXPECTED <= found, f"no longer circular, remove from EXPECTED: {EXPECTED - found}"


def test_a_circle_is_found_and_named():
    g = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(g) == [["a", "b", "c", "a"]]


# docs/architecture.md: oso_protocol <- actor_kit <- the actors <- harness; never the other way
LAYER = {"oso_protocol": 0, "actor_kit": 1, "las_client": 2, "oso_mock": 2, "swv_mock": 2, "harness": 3}


def test_imports_run_down_the_layers_only():
    up = sorted((a, b) for a, targets in graph().items() for b in targets
                if LAYER[b.split(".")[0]] > LAYER[a.split(".")[0]])
    assert not up, "imports tegen de lagen in: " + ", ".join(f"{a} -> {b}" for a, b in up)
