"""The import graph of `refuge/`: layers respected, no module cycles, deferred imports explained.

Read from the source with `ast` (nothing is imported), so a new cycle or a lower layer reaching up
fails here before it becomes a knot. The layers, lowest first:

    lib                       no Refuge imports
    rules, casefile, hooks    the pure engine, the case-file contract, the named extension points
    audit                     the audit chain
    vault                     the key holder and its persistence
    accounts                  users, roles, sessions, two-factor
    cases                     cases, events, recomputation, the access door
    search, alerts, filings, stats   features built on cases (siblings may use each other, acyclically)
    api                       the JSON API over the features
    demo, wiring, cli, urls, settings, wsgi, __main__   entry points: they may import anything

A module may import its own layer or a lower one. Every import counts, function-local ones too: a
dependency hidden inside a function is still a dependency. A function-local import of a Refuge
module is allowed only with a comment on its line saying why it cannot be at the top (`# deferred:
…`), e.g. a cycle with Django's app loading.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "refuge"

LAYERS: list[set[str]] = [
    {"lib"},
    {"rules", "casefile", "hooks"},
    {"audit"},
    {"vault"},
    {"accounts"},
    {"cases"},
    {"search", "alerts", "filings", "stats"},
    {"api"},
    {"demo", "wiring", "cli", "urls", "settings", "wsgi", "__main__", "static", "templates", "backup"},
]
LAYER_OF = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    return [module] + [f"{module}.{alias.name}" for alias in node.names]


def import_graph(mods: dict[str, Path]) -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    """Module → the Refuge modules it imports; and the function-local imports (module, line, text)."""
    edges: dict[str, set[str]] = defaultdict(set)
    deferred: list[tuple[str, int, str]] = []
    for name, path in mods.items():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        top_level = {id(n) for n in tree.body}
        for stmt in tree.body:  # imports under a top-level `if TYPE_CHECKING:` or `try:` count as top-level
            if isinstance(stmt, (ast.If, ast.Try)):
                top_level.update(id(n) for n in ast.walk(stmt))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            found = {t for t in _targets(node, package) if t in mods and t != name}
            if not found:
                continue
            if _type_checking_only(tree, node):
                continue
            edges[name].update(found)
            if id(node) not in top_level:
                deferred.append((name, node.lineno, lines[node.lineno - 1].strip()))
    return edges, deferred


def _type_checking_only(tree: ast.Module, node: ast.AST) -> bool:
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.If)
            and "TYPE_CHECKING" in ast.unparse(stmt.test)
            and any(n is node for n in ast.walk(stmt))
        ):
            return True
    return False


def top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def layer_violations(edges: dict[str, set[str]]) -> set[tuple[str, str]]:
    found = set()
    for source, targets in edges.items():
        for target in targets:
            a, b = top(source), top(target)
            if a != b and LAYER_OF.get(b, -1) > LAYER_OF.get(a, len(LAYERS)):
                found.add((source, target))
    return found


def cycles(edges: dict[str, set[str]]) -> list[set[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    nodes = set(edges) | {t for ts in edges.values() for t in ts}
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(component)
    return found


def test_every_package_has_a_layer() -> None:
    unknown = {top(m) for m in modules()} - set(LAYER_OF) - {"refuge"}
    assert not unknown, f"give these packages a layer in tests/test_architecture.py: {sorted(unknown)}"


def test_lower_layers_never_import_higher_ones() -> None:
    edges, _ = import_graph(modules())
    new = layer_violations(edges)
    assert not new, "a lower layer imports a higher one:\n" + "\n".join(f"  {a} -> {b}" for a, b in sorted(new))


def test_no_module_cycles() -> None:
    edges, _ = import_graph(modules())
    new = cycles(edges)
    assert not new, "import cycles:\n" + "\n".join("  " + " <-> ".join(sorted(c)) for c in new)


def test_function_local_imports_say_why() -> None:
    _, deferred = import_graph(modules())
    unexplained = [f"  {m}:{line}: {text}" for m, line, text in deferred if "# deferred:" not in text]
    assert not unexplained, "function-local imports without a `# deferred: reason`:\n" + "\n".join(unexplained)


def test_the_checks_catch_a_cycle_and_a_layer_violation() -> None:
    """The graph checks themselves, on a made-up graph: a cycle and an upward import are found."""
    edges = {
        "refuge.cases.a": {"refuge.cases.b"},
        "refuge.cases.b": {"refuge.cases.a"},
        "refuge.lib.x": {"refuge.api.y"},
    }
    assert cycles(edges) == [{"refuge.cases.a", "refuge.cases.b"}]
    assert layer_violations(edges) == {("refuge.lib.x", "refuge.api.y")}
