"""An output folder replaced whole or not at all, by one run at a time, leaving nothing behind.

Everything is written into a temporary folder beside the target; only when all of it is
written does the temporary folder take the target's place. A failure leaves the previous
output untouched. A folder that was not written by maillage is never replaced, and a symbolic
link given as the output is refused (replacing it by a folder would silently break it).

While a run writes an output, it holds a lock (``fcntl.flock`` on the hidden file
``.<nom>.maillage-verrou`` beside it, removed when the run ends): a second run on the same
output, in another process or thread, stops at once with a French message. Each temporary
folder names the process that owns it; at the next start, temporary folders of runs that
died (``kill -9``, power cut) are removed — only folders maillage created, and only when
their owner process is dead.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from maillage.atomic import check_output_dir, process_ended
from maillage.atomic import process_start as _start_time
from maillage.errors import InputError

#: File that marks a folder as a maillage output (so that it may be replaced).
MARKER = ".maillage-sortie"
#: File inside a temporary folder naming its owner: ``host pid start``.
OWNER = ".maillage-proprietaire"
#: Suffix of the lock file beside an output folder.
LOCK_SUFFIX = ".maillage-verrou"

_held: dict[str, int] = {}  # lock file -> thread holding it (flock does not see threads)
_held_guard = threading.Lock()


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


def check_output(target: str | os.PathLike) -> Path:
    """Check, before any computation, that ``target`` can become this run's output folder.

    Parameters
    ----------
    target : path
        The output folder (``--out``).

    Returns
    -------
    Path
        ``target``, absolute.

    Raises
    ------
    InputError
        ``target`` is a symbolic link (refused, with the real folder to give instead), a
        file, a folder maillage did not create, read-only, or under a file or a read-only
        folder.
    """
    target = Path(target).absolute()
    if target.is_symlink():
        real = os.path.realpath(target)
        if not os.path.exists(real):
            raise InputError(f"« {target} » est un lien symbolique vers « {os.readlink(target)} »"
                             ", qui n'existe pas", fix="donner un dossier réel avec --out")
        raise InputError(f"« {target} » est un lien symbolique (vers « {real} ») : maillage ne "
                         "remplace pas un lien par un dossier",
                         fix=f"donner le dossier réel : --out {real}")
    check_replaceable(target)
    return check_output_dir(target)


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}{LOCK_SUFFIX}"


def _busy(target: Path, pid: str = "") -> InputError:
    who = f" (processus {pid})" if pid.isdigit() else ""
    return InputError(f"une autre exécution de maillage écrit déjà dans « {target} »{who}",
                      fix="attendre qu'elle se termine, ou choisir un autre dossier avec --out")


@contextlib.contextmanager
def output_lock(target: str | os.PathLike) -> Iterator[None]:
    """Hold the lock of the output folder ``target`` (re-entrant in the same thread).

    Raises
    ------
    InputError
        Another process or thread holds it ("une autre exécution de maillage écrit déjà…").
    """
    target = Path(target).absolute()
    path = _lock_path(target)
    me = threading.get_ident()
    with _held_guard:
        owner = _held.get(str(path))
        if owner is not None and owner != me:
            raise _busy(target, str(os.getpid()))
        if owner == me:
            nested = True
        else:
            nested = False
            _held[str(path)] = me
    if nested:
        yield
        return
    fd = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(5):  # the file a holder removes on release may be opened meanwhile
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = os.pread(fd, 32, 0).decode("ascii", "ignore").strip()
                os.close(fd)
                fd = None
                raise _busy(target, pid) from None
            with contextlib.suppress(FileNotFoundError):
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    break
            os.close(fd)
            fd = None
        else:
            raise _busy(target)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        if fd is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # removed while still held: nothing is left beside the output
            os.close(fd)  # closing releases the flock
        with _held_guard:
            _held.pop(str(path), None)


def _mark_owner(folder: Path) -> None:
    pid = os.getpid()
    (folder / OWNER).write_text(f"{socket.gethostname()} {pid} {_start_time(pid)}\n",
                                encoding="utf-8")


def _owner_dead(folder: Path) -> bool:
    """True when ``folder``'s owner file names a process of this machine that has ended."""
    try:
        host, pid, *start = (folder / OWNER).read_text(encoding="utf-8").split()
        pid_number = int(pid)
    except (OSError, ValueError):
        return False  # not a folder maillage created (or unreadable): left alone
    if host != socket.gethostname():
        return False
    return process_ended(pid_number, start[0] if start else "")


def clean_stale(target: str | os.PathLike) -> list[Path]:
    """Remove the temporary folders of dead runs beside ``target``; return them.

    Only folders named like maillage's (``.<nom>.*.tmp`` or ``.*.old``) that hold maillage's
    owner file, and whose owner process has ended, are removed.
    """
    target = Path(target).absolute()
    removed = []
    for name in glob.glob(glob.escape(str(target.parent / f".{target.name}.")) + "*"):
        path = Path(name)
        if (path.is_symlink() or not path.is_dir()
                or not path.name.endswith((".tmp", ".old")) or not _owner_dead(path)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


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
        Output folder. If it exists it must be empty or a previous maillage output (see
        :func:`check_output`). Held locked (:func:`output_lock`) until replaced; temporary
        folders of dead runs beside it are removed first (:func:`clean_stale`).

    Yields
    ------
    Path
        Temporary folder beside ``target`` to write everything into.
    """
    target = check_output(target)
    with output_lock(target):
        clean_stale(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp",
                                     dir=target.parent))
        _mark_owner(work)
        try:
            yield work
            (work / OWNER).unlink()
            (work / MARKER).write_text("Dossier produit par maillage : il peut être remplacé "
                                       "par une nouvelle exécution.\n", encoding="utf-8")
            _publishable_modes(work)
            old = None
            check_replaceable(target)  # nothing else wrote there meanwhile
            if target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old",
                                            dir=target.parent))
                _mark_owner(old)
                os.replace(target, old / target.name)
            os.replace(work, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
