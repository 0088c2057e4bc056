"""The shape of the code: dependencies point one way, imports sit at the top, modules stay small.

Apps, from the bottom up: core ← accounts ← outbox ← webhooks ← partners ← sandbox ← api.
Each may import only the apps below it; `bench` (the benchmark) sits outside the product
and nothing imports it.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
LAYERS = ["core", "accounts", "outbox", "webhooks", "partners", "sandbox", "api"]
MAX_LINES = 300


def _modules(app: str):
    for path in sorted((BASE / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_apps(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & {*LAYERS, "bench"}


@pytest.mark.parametrize("app", LAYERS)
def test_each_app_imports_only_the_apps_below_it(app):
    allowed = set(LAYERS[: LAYERS.index(app) + 1])
    for path in _modules(app):
        imported = _imported_apps(ast.parse(path.read_text()))
        assert imported <= allowed, f"{path.relative_to(BASE)} imports {imported - allowed}"


@pytest.mark.parametrize("app", LAYERS)
def test_no_import_inside_a_function(app):
    for path in _modules(app):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = [n for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom)]
                assert not inner, (
                    f"{path.relative_to(BASE)}:{inner[0].lineno} imports in a function"
                )


def _imports_a_view_module(node: ast.AST) -> bool:
    """`from <our app>.views import …`, `from .views import …`, `from ..views.x import …`."""
    if not isinstance(node, ast.ImportFrom):
        return False
    module = (node.module or "").split(".")
    ours = node.level > 0 or module[0] in LAYERS
    return ours and ("views" in module or any(a.name == "views" for a in node.names))


@pytest.mark.parametrize("app", LAYERS)
def test_only_url_confs_import_view_modules(app):
    for path in _modules(app):
        if path.name == "urls.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            assert not _imports_a_view_module(node), f"{path.relative_to(BASE)}:{node.lineno}"


@pytest.mark.parametrize("app", LAYERS)
def test_no_module_is_over_300_lines(app):
    for path in _modules(app):
        lines = len(path.read_text().splitlines())
        assert lines <= MAX_LINES, f"{path.relative_to(BASE)} has {lines} lines"


def test_the_product_never_mentions_the_benchmark():
    for path in (BASE / "worksadmin").rglob("*.py"):
        assert "bench" not in path.read_text().lower(), path
