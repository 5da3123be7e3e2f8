"""The Examples of the docstrings run as doctests (small inline data, no network).

Run on the installed modules (``maillage.geo.routing`` …) rather than on the source folders, so
that each module is imported once under its real name.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest


#: Modules that cannot be imported for their docstrings alone.
SKIPPED = {"maillage.__main__"}


def _modules() -> list[str]:
    """Every module of maillage (the sub-packages live in their own folders)."""
    names = set()
    for package in ("maillage", "maillage.layers", "maillage.geo", "maillage.analysis",
                    "maillage.maps"):
        names.add(package)
        path = importlib.import_module(package).__path__
        for info in pkgutil.walk_packages(path, package + "."):
            if info.name not in SKIPPED:
                names.add(info.name)
    return sorted(names)


def _with_examples(name: str) -> bool:
    module = importlib.import_module(name)
    return any(test.examples for test in doctest.DocTestFinder().find(module))


MODULES = [name for name in _modules() if _with_examples(name)]


def test_the_public_functions_have_examples_to_run():
    assert {"maillage.errors", "maillage.analysis.fca", "maillage.analysis.capacity",
            "maillage.layers.gtfs", "maillage.geo.population", "maillage.maps.static",
            "maillage.app.session"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch, tmp_path):
    monkeypatch.setenv("MAILLAGE_OFFLINE", "1")
    monkeypatch.setenv("MAILLAGE_CACHE", str(tmp_path / "cache"))
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    failures = []
    for test in doctest.DocTestFinder().find(module):
        runner.run(test, out=failures.append)
    assert failures == [], "".join(failures)
