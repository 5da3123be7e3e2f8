"""An output folder replaced whole or not at all.

Everything is written into a temporary folder beside the target; only when all of it is
written does the temporary folder take the target's place. A failure leaves the previous
output untouched. A folder that was not written by maillage is never replaced.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from maillage.errors import InputError

#: File that marks a folder as a maillage output (so that it may be replaced).
MARKER = ".maillage-sortie"


def check_replaceable(target: Path) -> None:
    """Raise :class:`InputError` when ``target`` exists and is not a maillage output folder."""
    if not target.exists():
        return
    if not target.is_dir():
        raise InputError(f"« {target} » existe et n'est pas un dossier",
                         fix="choisir un autre dossier de sortie avec --out")
    if any(target.iterdir()) and not (target / MARKER).is_file():
        raise InputError(f"le dossier « {target} » existe, n'est pas vide et n'a pas été "
                         "créé par maillage : il ne sera pas remplacé",
                         fix="choisir un dossier vide ou nouveau avec --out")


def _publishable_modes(folder: Path) -> None:
    """Give files and folders the usual modes (temporary files are created private)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


@contextlib.contextmanager
def output_folder(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary folder; on success it replaces ``target`` (a folder) whole.

    Parameters
    ----------
    target : path
        Output folder. If it exists it must be empty or a previous maillage output.

    Yields
    ------
    Path
        Temporary folder beside ``target`` to write everything into.
    """
    target = Path(target).absolute()
    check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield work
        (work / MARKER).write_text("Dossier produit par maillage : il peut être remplacé "
                                   "par une nouvelle exécution.\n", encoding="utf-8")
        _publishable_modes(work)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old",
                                        dir=target.parent))
            os.replace(target, old / target.name)
        os.replace(work, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
