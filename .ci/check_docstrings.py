"""numpydoc validation of maillage's public API: every name in a package's ``__all__``.

Run by ``.ci/run`` before the tests::

    python .ci/check_docstrings.py

The checks are those of ``[tool.numpydoc_validation] checks`` in pyproject.toml ("all" minus
the listed exceptions, as numpydoc's own hook reads them): among them EX01, every public
function and class has an ``Examples`` section (run as doctests by
``tests/base/test_doctests.py``), except the few of :data:`NO_EXAMPLE`, each with its reason.
Exits 1 and lists every failure.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import tomllib
from pathlib import Path

from numpydoc.validate import ERROR_MSGS, validate

#: The packages whose ``__all__`` is the public API.
PACKAGES = ("maillage", "maillage.layers", "maillage.geo", "maillage.analysis",
            "maillage.analysis.siting", "maillage.analysis.scenario", "maillage.maps",
            "maillage.app")


#: Public names without an Examples section, and why an example would be meaningless there.
NO_EXAMPLE = {
    "maillage.app.server.serve": "runs the web server until Ctrl+C (tests/app/servers.py "
                                 "starts it on a free port)",
    "maillage.layers.filosofi_online.fetch_cells": "downloads INSEE tiles, or reads them from "
                                                   "a cache it filled (tests/layers/"
                                                   "test_filosofi_online.py: recorded tiles)",
}


def selected_checks() -> set[str]:
    """The numpydoc checks to run, from pyproject.toml."""
    config = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    listed = config["tool"]["numpydoc_validation"]["checks"]
    if "all" in listed:
        return set(ERROR_MSGS) - {c for c in listed if c != "all"}
    return set(listed)


def public_objects():
    """(public name, object) for every function and class in the packages' ``__all__``."""
    seen = set()
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{obj.__module__}.{obj.__qualname__}", obj


def main() -> int:
    """Run the check; the exit status is 1 when it finds a problem."""
    checks = selected_checks()
    failures = []
    count = 0
    names = set()
    for qualname, obj in public_objects():
        count += 1
        names.add(qualname)
        result = validate(qualname)
        skipped = set()
        if inspect.isclass(obj) and "Attributes\n" in (obj.__doc__ or ""):
            # A result type documents its fields as Attributes (numpydoc's own rule for them).
            skipped = {"PR01", "PR02", "PR04", "PR07"}
        if qualname in NO_EXAMPLE:
            skipped.add("EX01")
        failures += [f"{qualname}: {code} {message}" for code, message in result["errors"]
                     if code in checks and code not in skipped]
    stale = sorted(set(NO_EXAMPLE) - names)
    failures += [f"{name}: in NO_EXAMPLE but not a public name any more" for name in stale]
    for line in failures:
        print(line)
    print(f"numpydoc: {count} public names checked, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
