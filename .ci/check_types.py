"""mypy on maillage's public API modules, with the config of pyproject.toml ``[tool.mypy]``.

The sub-packages live in top-level folders (``geo/`` is ``maillage.geo`` …), which mypy cannot
map; this script lays the package out as installed (symbolic links in a temporary folder) and
runs ``mypy -p maillage.<package>`` there. Run by ``.ci/run`` before the tests.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Installed name → source folder (as ``[tool.setuptools.package-dir]`` says).
FOLDERS = {"geo": "geo", "layers": "layers", "analysis": "analysis", "maps": "maps", "data": "data"}
#: What is checked: the base modules and the public API packages, layers to maps.
CHECKED = ["maillage.errors", "maillage.settings", "maillage.atomic", "maillage.layers",
           "maillage.geo", "maillage.analysis", "maillage.maps"]


def main() -> int:
    """Run the check; the exit status is 1 when it finds a problem."""
    with tempfile.TemporaryDirectory(prefix="maillage-mypy-") as tmp:
        package = Path(tmp) / "maillage"
        package.mkdir()
        for path in (ROOT / "maillage").iterdir():
            (package / path.name).symlink_to(path)
        for name, folder in FOLDERS.items():
            (package / name).symlink_to(ROOT / folder)
        args = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
        for name in CHECKED:
            kind = "-p" if (package / name.split(".")[-1]).is_dir() else "-m"
            args += [kind, name]
        return subprocess.run(args, cwd=tmp).returncode


if __name__ == "__main__":
    sys.exit(main())
