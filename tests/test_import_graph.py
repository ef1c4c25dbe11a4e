"""Layers import only downward (STYLE.md rule 13): the import graph of plugin/ has no cycle and no upward edge.

Every import in every module counts, including those inside functions (an import inside a function to dodge
a cycle is a cycle). Layers, top to bottom:

    cli, demo                      the `flipside` commands and the demo walkthrough
    app                            plugin/__init__.py (create_app, the composition root) and wsgi.py
    web, lti, webhooks, jobs,      the adapters; emulators are loopback vendors for tests and the demo
    emulators
    services, migration_state      use cases; migration_state.py: is the database at the migrations' head (Alembic)
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
    ("services", "migration_state"),
    ("connectors", "models", "domain"),
    ("config", "db", "logs", "vault"),
    ("errors",),
]
RANK = {node: len(LAYERS) - i for i, layer in enumerate(LAYERS) for node in layer}
NOT_FOR_PRODUCTION = ("demo", "emulators")  # synthetic data and loopback vendors: only cli and demo use them


def module_name(path: Path, root: Path = PLUGIN) -> str:
    """plugin/services/lms.py -> plugin.services.lms; plugin/web/__init__.py -> plugin.web."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def node(module: str) -> str | None:
    """The layer node of a plugin module (its first component under plugin), or None outside plugin."""
    parts = module.split(".")
    if parts[0] != "plugin":
        return None
    return parts[1] if len(parts) > 1 else "app"


def submodule(package: str, name: str, root: Path = PLUGIN) -> str:
    """`package.name` when that is a module or package of plugin/, else `package` (name is an attribute)."""
    path = root.parent.joinpath(*package.split("."), name)
    return f"{package}.{name}" if path.with_suffix(".py").is_file() or path.is_dir() else package


def imports(path: Path, root: Path = PLUGIN):
    """Yield (line, imported module) for every import in the file, relative ones resolved."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for stmt in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                yield stmt.lineno, alias.name
        elif isinstance(stmt, ast.ImportFrom):
            if stmt.level:
                base = package.split(".")
                base = base[: len(base) - (stmt.level - 1)]
                target = ".".join(base + ([stmt.module] if stmt.module else []))
            else:
                target = stmt.module or ""
            # `from . import models` / `from plugin import create_app`: a name may be a module of its own
            for alias in stmt.names:
                yield stmt.lineno, submodule(target, alias.name, root)


def edges(root: Path = PLUGIN) -> dict[tuple[str, str], list[str]]:
    """(importer node, imported node) -> the imports that make it, as "plugin/x.py:12 imports plugin.y"."""
    graph: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        source = node(module_name(path, root))
        for line, target in imports(path, root):
            imported = node(target)
            where = f"{path.relative_to(root.parent)}:{line} imports {target}"
            if imported is not None and imported != source and where not in graph[(source, imported)]:
                graph[(source, imported)].append(where)
    return graph


def upward(graph) -> list[str]:
    """Every import of a layer above the importer's."""
    return [where for (a, b), places in sorted(graph.items()) if RANK[b] > RANK[a] for where in places]


def cycle_report(graph) -> list[str]:
    """Each cycle between nodes, with the imports that close it: those not going strictly down."""
    report = []
    for component in cycles(graph):
        report.append("cycle " + " <-> ".join(component) + ":")
        report += [
            f"  {where}"
            for (a, b), places in sorted(graph.items())
            if a in component and b in component and RANK[b] >= RANK[a]
            for where in places
        ]
    return report


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
    """No module imports a layer above its own."""
    found = upward(edges())
    assert found == [], "upward imports:\n" + "\n".join(found)


def test_no_cycle_between_packages():
    """No two packages (or top-level modules) import each other, directly or round a loop."""
    report = cycle_report(edges())
    assert report == [], "\n".join(report)


def test_production_paths_never_import_demo_or_emulators():
    """Demo code and the loopback vendors are reached from `flipside demo` (and tests), never from a request or job."""
    found = [
        where
        for (a, b), places in sorted(edges().items())
        if b in NOT_FOR_PRODUCTION and a not in ("cli", *NOT_FOR_PRODUCTION)
        for where in places
    ]
    assert found == [], "production imports of demo code:\n" + "\n".join(found)


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "plugin" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "plugin"


def test_an_import_inside_a_function_that_climbs_is_named_by_file_and_line(tmp_path):
    """The walk sees a relative import hidden in a function body, resolves it, and names where it is."""
    plugin = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "services/__init__.py": "",
            "jobs/__init__.py": "",
            "services/enrolment.py": "from ..models import Pair\n\ndef later():\n    from ..jobs.enrolment import enrol\n",  # noqa: E501
            "jobs/enrolment.py": "from ..services import enrolment\n",
            "models/__init__.py": "Pair = 1\n",
        },
    )
    graph = edges(plugin)
    assert upward(graph) == ["plugin/services/enrolment.py:4 imports plugin.jobs.enrolment"]
    assert cycle_report(graph) == [
        "cycle jobs <-> services:",
        "  plugin/services/enrolment.py:4 imports plugin.jobs.enrolment",
    ]


def test_a_sideways_loop_is_a_cycle(tmp_path):
    """Two packages of one layer may use each other one way, never both ways."""
    plugin = _tree(
        tmp_path,
        {
            "__init__.py": "",
            "web/__init__.py": "",
            "lti/__init__.py": "",
            "web/account.py": "from ..lti import identity\n",
            "lti/identity.py": "X = 1\n",
            "lti/admin.py": "from ..web import access\n",
            "web/access.py": "Y = 1\n",
        },
    )
    graph = edges(plugin)
    assert upward(graph) == []
    assert cycle_report(graph) == [
        "cycle lti <-> web:",
        "  plugin/lti/admin.py:1 imports plugin.web.access",
        "  plugin/web/account.py:1 imports plugin.lti.identity",
    ]
    del graph[("lti", "web")]
    assert cycle_report(graph) == []


def test_the_real_graph_sees_imports_inside_functions():
    """create_app imports the blueprints inside its body: the walk of plugin/ finds those edges."""
    places = edges()[("app", "web")]
    assert any(where.startswith("plugin/__init__.py:") for where in places)


def test_importing_the_domain_loads_no_framework_or_client_library():
    """A process that only matches (the solver, `bench match`) carries no web framework, ORM or Redis client."""
    import subprocess
    import sys

    probe = (
        "import sys, plugin.domain.matching, plugin.domain.personality, plugin.errors; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'redis', 'rq'})))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.split() == []
