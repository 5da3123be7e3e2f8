"""The package structure as imports show it: no import cycle, and data flows one way.

Read statically (the source of every module, imports inside functions included; imports under
``if TYPE_CHECKING:`` are for tools only and not counted):

- no two modules import each other, directly or through others (no hidden loop);
- a package only imports packages at its level or below:
  base modules of ``maillage/`` (errors, settings, atomic, kinds …) → layers → geo → analysis →
  maps → pipeline → cli / app. A lower package never imports a higher one.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import networkx as nx
import pytest

#: Level of each part of maillage; a module may import modules of its level or lower.
#: A new top-level module of ``maillage/`` must be added here (the test says so).
LEVELS = {
    "maillage": 0,  # the root package: re-exports lazily, imports nothing above itself
    "maillage.errors": 0,
    "maillage.settings": 0,
    "maillage.atomic": 0,
    "maillage.kinds": 0,
    "maillage.formatting": 0,
    "maillage.lazy": 0,
    "maillage.safe": 0,
    "maillage.data": 0,
    "maillage.layers": 1,
    "maillage.geo": 2,
    "maillage.analysis": 3,
    "maillage.maps": 4,
    "maillage.pipeline": 5,
    "maillage.national": 5,  # the national batch (Dask): layers, geo, analysis
    "maillage.batch": 5,  # reports for every EPCI: calls the pipeline
    "maillage.cluster": 5,  # Dask clients and tasks of the batches
    "maillage.pairfiles": 5,  # pair files (Parquet, GeoPackage) of the national batch
    "maillage.cli": 6,
    "maillage.app": 6,
    "maillage.__main__": 7,
}
#: The sub-packages whose folders are read (``maillage.geo`` lives in ``geo/`` …).
PACKAGES = ("maillage", "maillage.layers", "maillage.geo", "maillage.analysis", "maillage.maps",
            "maillage.data")


def _modules() -> dict[str, tuple[Path, bool]]:
    """Every module of maillage: name → (file, is a package ``__init__``)."""
    found = {}
    for package in PACKAGES:
        folder = Path(importlib.util.find_spec(package).submodule_search_locations[0])
        for path in folder.rglob("*.py"):
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if any(p.startswith(".") or p == "__pycache__" for p in parts):
                continue
            is_package = parts[-1] == "__init__"
            name = ".".join([package, *parts[:-1]] if is_package else [package, *parts])
            found.setdefault(name, (path, is_package))
    return found


MODULES = _modules()


def _targets(module: str, is_package: bool, node: ast.AST) -> list[str]:
    """The maillage modules an import statement imports."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[:len(base) - node.level + 1]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in MODULES else prefix
                 for a in node.names]
    return [n for n in names if n == "maillage" or n.startswith("maillage.")]


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str, path: Path | None = None, is_package: bool = False) -> set[str]:
    """The maillage modules ``module`` imports (its file read from ``MODULES`` or ``path``)."""
    if path is None:
        path, is_package = MODULES[module]
    found: set[str] = set()

    def walk(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.update(_targets(module, is_package, child))
            walk(child)

    walk(ast.parse(path.read_text(encoding="utf-8")))
    found.discard(module)
    return found


@pytest.fixture(scope="module")
def graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for module in MODULES:
        graph.add_node(module)
        graph.add_edges_from((module, target) for target in _imports(module))
    return graph


def _level(module: str) -> int:
    """The level of a module: its own entry, or its package's (``maillage`` itself is 0)."""
    if module == "maillage":
        return LEVELS[module]
    parts = module.split(".")
    for n in range(len(parts), 1, -1):
        if ".".join(parts[:n]) in LEVELS:
            return LEVELS[".".join(parts[:n])]
    raise AssertionError(f"{module}: unknown part of maillage, add it to LEVELS in {__file__}")


def test_the_modules_are_found():
    assert {"maillage.errors", "maillage.layers.communes", "maillage.geo.engine",
            "maillage.analysis.siting.problems", "maillage.maps.report", "maillage.cli"} <= set(MODULES)


def test_every_module_has_a_level():
    for module in MODULES:
        _level(module)
    with pytest.raises(AssertionError, match="add it to LEVELS"):
        _level("maillage.newmodule")


def test_no_import_cycle(graph):
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == [], "modules importing each other"


def test_a_lower_package_never_imports_a_higher_one(graph):
    upward = sorted(f"{a} ({_level(a)}) imports {b} ({_level(b)})"
                    for a, b in graph.edges if _level(b) > _level(a))
    assert upward == []


def test_the_reading_sees_a_loop_hidden_in_a_function_but_not_type_checking_imports(tmp_path):
    (tmp_path / "a.py").write_text("from .b import g\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def g():\n    from .a import f\n", encoding="utf-8")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from maillage.maps import Diagnostic\n", encoding="utf-8")
    assert _imports("maillage.layers.a", tmp_path / "a.py") == {"maillage.layers.b"}
    assert _imports("maillage.layers.b", tmp_path / "b.py") == {"maillage.layers.a"}
    assert _imports("maillage.layers.c", tmp_path / "c.py") == set()
    assert _imports("maillage.analysis.siting.problems") >= {"maillage.analysis.siting.greedy",
                                                              "maillage.errors"}


#: The sub-packages whose modules import each other relatively (DESIGN.md, "Imports").
SUBPACKAGES = ("maillage.layers", "maillage.geo", "maillage.analysis", "maillage.maps")


def _internal_import_problems(module: str, path: Path) -> list[str]:
    """Imports of maillage written inside a function, or absolute within the own package."""
    package = ".".join(module.split(".")[:2])
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom | ast.Import):
            continue
        names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                 else [alias.name for alias in node.names])
        internal = (isinstance(node, ast.ImportFrom) and node.level > 0) or any(
            n == "maillage" or n.startswith("maillage.") for n in names)
        if internal and id(node) not in top and not _in_type_checking(tree, node):
            problems.append(f"{module}:{node.lineno} imports maillage inside a function")
        if isinstance(node, ast.ImportFrom) and node.level == 0 and any(
                n == package or n.startswith(package + ".") for n in names):
            problems.append(f"{module}:{node.lineno} imports its own package absolutely "
                            f"(from {node.module}): write it relative")
    return problems


def _in_type_checking(tree: ast.Module, target: ast.AST) -> bool:
    return any(isinstance(node, ast.If) and _is_type_checking(node) and target in node.body
               for node in tree.body)


def test_imports_within_a_package_are_relative_and_at_the_top():
    problems = [p for module, (path, _) in sorted(MODULES.items())
                if module.startswith(SUBPACKAGES) for p in _internal_import_problems(module, path)]
    assert problems == []


def test_the_import_style_check_sees_absolute_and_nested_imports(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("from maillage.maps.labels import kind_label\nfrom .secret import x\n"
                    "def f():\n    from .labels import fr_number\n", encoding="utf-8")
    assert _internal_import_problems("maillage.maps.m", path) == [
        "maillage.maps.m:1 imports its own package absolutely (from maillage.maps.labels): "
        "write it relative",
        "maillage.maps.m:4 imports maillage inside a function"]
