"""Atomic output writing: write to a temporary file in the same folder, then rename.

And the checks of an output path made before any computation (:func:`check_output_file`,
:func:`check_output_dir`): a run must not fail on its output after all the work.

Each temporary file names the process that writes it
(``.<nom>.<pid>-<début>-<machine>.<aléa>.tmp<suffixe>``), so that the temporaries of a run
killed before its rename (``kill -9``, power cut) are recognised and removed at the next start
(:func:`clean_stale_temporaries`), and only when their owner process has ended.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from maillage.errors import InputError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` atomically.

    On error the temporary file is removed and ``target`` is left untouched.
    """
    target = Path(target)
    with _staged(target) as tmp_path:
        yield tmp_path
        os.replace(tmp_path, target)


def write_text(target: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``target`` atomically and return the target path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding, newline="")
    return Path(target)


def write_bytes(target: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically and return the target path."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


@contextlib.contextmanager
def atomic_files(targets) -> Iterator[list[Path]]:
    """Yield one temporary path per target; the targets are replaced only if all were written.

    A failure while writing any of them leaves every target as it was (no mix of old and new
    files) and removes the temporary files.
    """
    targets = [Path(t) for t in targets]
    with contextlib.ExitStack() as stack:
        temps = [stack.enter_context(_staged(t)) for t in targets]
        yield temps
        for tmp, target in zip(temps, targets):
            os.replace(tmp, target)


#: A temporary file of :func:`atomic_path`: target name, owner (pid, start, host), random part.
_TEMPORARY = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)-(?P<start>\d*)-(?P<host>[0-9a-f]{8})"
                        r"\.[a-z0-9_]{8}\.tmp(?:\.[^.]*)?$")


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), [] when unreadable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[-1].split()
    except OSError:
        return []


def process_start(pid: int) -> str:
    """When process ``pid`` started (clock ticks since boot), "" when unknown."""
    fields = _stat_fields(pid)
    return fields[19] if len(fields) > 19 else ""


def process_ended(pid: int, start: str = "") -> bool:
    """True when process ``pid`` of this machine has ended.

    A zombie has ended; so has a process whose start time differs from ``start`` (the pid
    was reused by another program). A process of another user is taken as running.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    fields = _stat_fields(pid)
    if fields and fields[0] == "Z":
        return True
    now = fields[19] if len(fields) > 19 else ""
    return bool(start and now not in ("", start))


def _host_tag() -> str:
    return f"{zlib.crc32(socket.gethostname().encode()):08x}"


def _owner_tag() -> str:
    pid = os.getpid()
    return f"{pid}-{process_start(pid)}-{_host_tag()}"


def clean_stale_temporaries(folder: str | os.PathLike) -> list[Path]:
    """Remove the temporary files that runs which have ended left in ``folder``; return them.

    Only files named like :func:`atomic_path`'s temporaries, written on this machine by a
    process that has ended (``kill -9`` before the final rename), are removed; any other
    file, and the temporaries of running processes, are left alone.

    Parameters
    ----------
    folder : path
        The output folder (e.g. ``--out`` of ``maillage scenario run``).

    Returns
    -------
    list of Path
        The files removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(os.fspath(folder)))
    except OSError:  # absent or unreadable: nothing of ours to clean
        return removed
    host = _host_tag()
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if (match is None or match["host"] != host or not entry.is_file(follow_symlinks=False)
                or not process_ended(int(match["pid"]), match["start"])):
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry.path)
            removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target``, removed on exit unless it was renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{_owner_tag()}.",
                               suffix=".tmp" + target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp_path, 0o666 & ~umask)  # as a plain open() would create it, not mkstemp's 0600
    try:
        yield tmp_path
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (a dangling link counts as existing)."""
    while not (path.exists() or path.is_symlink()) and path != path.parent:
        path = path.parent
    return path


def _check_parent(target: Path) -> None:
    """The folder that will hold ``target`` exists or can be made, and is writable."""
    base = _nearest_existing(target.parent)
    if base.is_symlink() and not base.exists():
        raise InputError(f"« {base} » est un lien symbolique vers « {os.readlink(base)} », qui "
                         "n'existe pas", fix="créer la cible du lien ou choisir un autre chemin")
    if not base.is_dir():
        raise InputError(f"« {base} » n'est pas un dossier : impossible d'y écrire "
                         f"« {target.name} »", fix="choisir un autre chemin de sortie")
    if not os.access(base, os.W_OK | os.X_OK):
        raise InputError(f"le dossier « {base} » est en lecture seule : impossible d'y écrire "
                         f"« {target.name} »", fix="choisir un dossier où vous pouvez écrire")


def check_output_file(target: str | os.PathLike) -> Path:
    """Check, before any computation, that the file ``target`` can be written; return it.

    Raises :class:`~maillage.errors.InputError` (French, with the fix) when ``target`` is a
    folder, a dangling symbolic link, read-only, or under a file or a read-only folder.
    """
    target = Path(target).absolute()
    if target.is_symlink() and not target.exists():
        raise InputError(f"« {target} » est un lien symbolique vers « {os.readlink(target)} », "
                         "qui n'existe pas", fix="donner un chemin de fichier réel")
    if target.is_dir():
        raise InputError(f"« {target} » est un dossier : un fichier est attendu",
                         fix=f"donner un nom de fichier, ex. {target / 'reseau.graphml'}")
    if target.exists() and not os.access(target, os.W_OK):
        raise InputError(f"le fichier « {target} » est en lecture seule",
                         fix="choisir un autre fichier de sortie")
    _check_parent(target)
    return target


def check_output_dir(target: str | os.PathLike) -> Path:
    """Check, before any computation, that files can be written into the folder ``target``.

    Raises :class:`~maillage.errors.InputError` when ``target`` is a file, a dangling symbolic
    link, read-only, or cannot be created. Returns the absolute path.
    """
    target = Path(target).absolute()
    if target.is_symlink() and not target.exists():
        raise InputError(f"« {target} » est un lien symbolique vers « {os.readlink(target)} », "
                         "qui n'existe pas", fix="créer la cible du lien ou choisir un autre "
                                                 "dossier avec --out")
    if target.exists() and not target.is_dir():
        raise InputError(f"« {target} » est un fichier : --out attend un dossier",
                         fix="choisir un dossier (nouveau ou existant) avec --out")
    if target.is_dir() and not os.access(target, os.W_OK | os.X_OK):
        raise InputError(f"le dossier « {target} » est en lecture seule",
                         fix="choisir un dossier où vous pouvez écrire avec --out")
    _check_parent(target)
    return target
