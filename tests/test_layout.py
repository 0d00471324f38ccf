"""The package's shape: no import cycles, no module over 450 lines, endpoints named once.

The import graph is built from the source with :mod:`ast`, not by importing:
an edge is a module-level import (including those inside a top-level ``if``,
``try`` or class body), but not one inside a function (deferred on purpose,
e.g. an optional extra) or under ``if TYPE_CHECKING:`` (never executed).
``from . import x`` is an edge to the submodule ``x`` when there is one, else to
the package itself; importing a submodule adds no edge to its parent packages.
Each module is its own test case, so a failure names the modules to fix.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import iletimerkezi_async
from iletimerkezi_async import _endpoints

PACKAGE = "iletimerkezi_async"
ROOT = Path(iletimerkezi_async.__file__).parent
MAX_LINES = 450


def _module_name(path: Path) -> str:
    parts = [PACKAGE, *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    todo: list[ast.AST] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)
        else:
            todo.extend(ast.iter_child_nodes(node))


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    is_package = MODULES[module].name == "__init__.py"
    base = module.split(".")
    drop = node.level - 1 if is_package else node.level
    base = base[: len(base) - drop] if drop else base
    return ".".join([*base, *([node.module] if node.module else [])])


def _edges(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _module_level_imports(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        target = _resolve(module, node)
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            found.add(submodule if submodule in MODULES else target)
    return {name for name in found if name in MODULES}


GRAPH: dict[str, set[str]] = {module: _edges(module) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a self-import (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_the_imports() -> None:
    assert len(MODULES) > 40
    # A plain relative import, a submodule via "from . import", and the
    # TYPE_CHECKING exclusion (errors only needs models for annotations).
    assert f"{PACKAGE}.phone" in GRAPH[f"{PACKAGE}.models"]
    assert f"{PACKAGE}.errors" in GRAPH[f"{PACKAGE}.text"]
    assert f"{PACKAGE}.models" not in GRAPH[f"{PACKAGE}.errors"]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"a"}, "b": set()}) == [["a"]]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_in_no_import_cycle(module: str) -> None:
    cycle = next((c for c in _cycles(GRAPH) if module in c), None)
    assert cycle is None, f"{module} imports itself back through: {' <-> '.join(cycle)}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_at_most_450_lines(module: str) -> None:
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it (limit {MAX_LINES})"


# --------------------------------------------------------------------------- endpoint names


def _code_strings(tree: ast.Module) -> Iterator[str]:
    """Every string literal that is code, not documentation (docstrings are bare expressions)."""
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            yield node.value


def _modules_naming(name: str) -> set[str]:
    # The name as a whole token: "get-report" is not in "get-reports".
    token = re.compile(rf"(?<![\w/-]){re.escape(name)}(?![\w/-])")
    return {
        module
        for module, path in MODULES.items()
        if any(token.search(s) for s in _code_strings(ast.parse(path.read_text(encoding="utf-8"))))
    }


@pytest.mark.parametrize("endpoint", [e.name for e in _endpoints.ALL])
def test_an_endpoint_is_named_in_the_table_and_its_fake_handler_only(endpoint: str) -> None:
    """Adding or renaming an endpoint touches the table and the fake, nothing else."""
    modules = _modules_naming(endpoint)
    assert f"{PACKAGE}._endpoints" in modules
    others = modules - {f"{PACKAGE}._endpoints"}
    assert len(others) <= 1, f"{endpoint!r} is spelled out in {sorted(others)}"
    assert all(m.startswith(f"{PACKAGE}.testing.") for m in others), sorted(others)


def test_every_endpoint_of_the_table_has_a_distinct_name_and_path() -> None:
    names = [e.name for e in _endpoints.ALL]
    assert len(set(names)) == len(names) == 12
    assert {e.path for e in _endpoints.ALL} == {f"/v1/{n}/json" for n in names}


def test_the_api_time_zone_is_built_in_one_place() -> None:
    """``clock.ISTANBUL``; everything else imports it."""
    building = {
        module
        for module, path in MODULES.items()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "ZoneInfo"
    }
    assert building == {f"{PACKAGE}.clock"}
