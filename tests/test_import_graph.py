"""Layers import only downward (STYLE.md rule 13): the import graph of plugin/ has no cycle and no upward edge.

Every import in every module counts, including those inside functions (an import inside a function to dodge
a cycle is a cycle). Layers, top to bottom:

    cli, demo                      the `flipside` commands and the demo walkthrough
    app                            plugin/__init__.py (create_app, the composition root) and wsgi.py
    web, lti, webhooks, jobs,      the adapters; emulators are loopback vendors for tests and the demo
    emulators
    services, schema               use cases; schema.py is the Alembic glue that checks the database
    connectors, models, domain     vendors, ORM classes, the framework-free core
    config, db, logs, vault        settings, engine/session, logging, encryption: infrastructure under all
    errors                         the one error tree
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PLUGIN = Path(__file__).resolve().parent.parent / "plugin"

LAYERS = [
    ("cli", "demo", "__main__"),
    ("app", "wsgi"),
    ("web", "lti", "webhooks", "jobs", "emulators"),
    ("services", "schema"),
    ("connectors", "models", "domain"),
    ("config", "db", "logs", "vault"),
    ("errors",),
]
RANK = {node: len(LAYERS) - i for i, layer in enumerate(LAYERS) for node in layer}

# Edges not yet broken, each "importer -> imported". This list may only shrink: never add to it.
KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    """plugin/services/lms.py -> plugin.services.lms; plugin/web/__init__.py -> plugin.web."""
    parts = list(path.relative_to(PLUGIN.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def node(module: str) -> str | None:
    """The layer node of a plugin module (its first component under plugin), or None outside plugin."""
    parts = module.split(".")
    if parts[0] != "plugin":
        return None
    return parts[1] if len(parts) > 1 else "app"


def submodule(package: str, name: str) -> str:
    """`package.name` when that is a module or package of plugin/, else `package` (name is an attribute)."""
    path = PLUGIN.parent.joinpath(*package.split("."), name)
    return f"{package}.{name}" if path.with_suffix(".py").is_file() or path.is_dir() else package


def imports(path: Path):
    """Yield (line, imported module) for every import in the file, relative ones resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for stmt in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                yield stmt.lineno, alias.name
        elif isinstance(stmt, ast.ImportFrom):
            if stmt.level:
                base = package.split(".")
                base = base[:len(base) - (stmt.level - 1)]
                target = ".".join(base + ([stmt.module] if stmt.module else []))
            else:
                target = stmt.module or ""
            # `from . import models` / `from plugin import create_app`: a name may be a module of its own
            for alias in stmt.names:
                yield stmt.lineno, submodule(target, alias.name)


def edges() -> dict[tuple[str, str], list[str]]:
    """(importer node, imported node) -> the imports that make it, as "plugin/x.py:12 imports plugin.y"."""
    graph: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(PLUGIN.rglob("*.py")):
        source = node(module_name(path))
        for line, target in imports(path):
            imported = node(target)
            if imported is None or imported == source:
                continue
            where = f"{path.relative_to(PLUGIN.parent)}:{line} imports {target}"
            graph[(source, imported)].append(where)
    return graph


def cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    succ = defaultdict(set)
    for a, b in graph:
        succ[a].add(b)
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(succ[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(succ):
        if v not in index:
            visit(v)
    return found


def test_every_node_has_a_layer():
    """A new package or top-level module must be placed in a layer before it can be checked."""
    nodes = {node(module_name(p)) for p in PLUGIN.rglob("*.py")}
    assert nodes - set(RANK) == set(), "place these in LAYERS"


def test_no_upward_import():
    """No module imports a layer above its own (outside the shrinking KNOWN list)."""
    graph = edges()
    upward = [where for (a, b), places in sorted(graph.items())
              if RANK[b] > RANK[a] and (a, b) not in KNOWN for where in places]
    assert upward == [], "upward imports:\n" + "\n".join(upward)


def test_no_cycle_between_packages():
    """No two packages (or top-level modules) import each other, directly or round a loop."""
    graph = {edge: places for edge, places in edges().items() if edge not in KNOWN}
    report = []
    for component in cycles(graph):
        report.append("cycle " + " <-> ".join(component) + ":")
        # the edges that close the loop: those not going strictly down
        report += [f"  {where}" for (a, b), places in sorted(graph.items())
                   if a in component and b in component and RANK[b] >= RANK[a] for where in places]
    assert report == [], "\n".join(report)


def test_known_edges_still_exist():
    """KNOWN only shrinks: an edge that has been broken must leave the list so it cannot come back."""
    graph = edges()
    assert {edge for edge in KNOWN if edge not in graph} == set()


def test_the_graph_sees_imports_inside_functions(tmp_path):
    """The walk counts a function-level relative import, resolved against its package."""
    assert node("plugin.services.lms") == "services"
    places = edges()[("app", "lti")]  # create_app imports the LTI views inside the function
    assert any(where.startswith("plugin/__init__.py:") for where in places)
