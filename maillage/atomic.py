"""Atomic output writing: write to a temporary file in the same folder, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


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


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target``, removed on exit unless it was renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix,
                               dir=target.parent)
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
