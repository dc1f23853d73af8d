"""The apps depend on each other one way (docs/architecture.md, "Layers").

Read from the source with ``ast``: an app may import only from the apps of lower layers, so no
cycle between apps can form; an import inside a function is allowed only with a
``# deferred: <reason>`` comment (a genuine import-time cost or a cycle inside one app).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

#: bottom to top; apps of one layer may not import each other
LAYERS: list[set[str]] = [
    {"core"},
    {"lifecycle"},
    {"projects"},
    {"documents", "exports"},
    {"web", "api"},
    {"config"},
]
APPS = set().union(*LAYERS)
RANK = {app: i for i, layer in enumerate(LAYERS) for app in layer}


def _modules():
    for app in sorted(APPS):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def _name(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _imports(tree):
    """(node, imported top-level package, inside a function?) for every import of the module."""
    inner = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner.update(id(n) for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom)))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node, node.module.split(".")[0], id(node) in inner
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name.split(".")[0], id(node) in inner
        elif isinstance(node, ast.ImportFrom) and node.level:
            yield node, None, id(node) in inner


def layer_violations(modules=None) -> list[str]:
    found = []
    for app, path in modules or _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, target, _inner in _imports(tree):
            if target in APPS and target != app and RANK[target] >= RANK[app]:
                found.append(f"{_name(path)}:{node.lineno} {app} imports {target}")
    return found


def undeclared_deferred_imports(modules=None) -> list[str]:
    found = []
    for _app, path in modules or _modules():
        lines = path.read_text(encoding="utf-8").split("\n")
        tree = ast.parse("\n".join(lines))
        for node, _target, inner in _imports(tree):
            if not inner:
                continue
            context = lines[node.lineno - 1] + (lines[node.lineno - 2] if node.lineno > 1 else "")
            if "# deferred:" not in context:
                found.append(f"{_name(path)}:{node.lineno}")
    return sorted(set(found))


def test_every_app_is_in_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"config"}
    assert apps == APPS


def test_apps_import_only_from_lower_layers():
    assert layer_violations() == []


def test_imports_inside_functions_say_why():
    assert undeclared_deferred_imports() == []


@pytest.mark.parametrize(
    "source, expect_layer, expect_deferred",
    [
        ("from projects.models import Project\n", True, False),  # lifecycle may not import projects
        ("from core.states import ProjectState\n", False, False),  # downward: fine
        ("def f():\n    from core import timeutil\n", False, True),  # in a function without a reason
        ("def f():\n    # deferred: a cycle\n    from core import timeutil\n", False, False),
    ],
)
def test_the_checks_catch_what_they_should(tmp_path, source, expect_layer, expect_deferred):
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    modules = [("lifecycle", probe)]  # read as a module of lifecycle
    assert bool(layer_violations(modules)) is expect_layer
    assert bool(undeclared_deferred_imports(modules)) is expect_deferred
