"""The one way the app writes a file: to a temporary file beside the target, flushed to disk, then moved into
place — so that a crash, a full disk or a locked file never leaves half a file where a good one was."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


class TempFileError(OSError):
    """The temporary file could not be made in the target's folder (missing, read-only, no permission)."""

    def __init__(self, original: OSError):
        super().__init__(original.errno, original.strerror, original.filename)
        self.original = original


class ReplaceError(OSError):
    """The written file could not be moved over the target (e.g. open in Excel on Windows)."""

    def __init__(self, original: OSError):
        super().__init__(original.errno, original.strerror, original.filename)
        self.original = original


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object], *, suffix: str = ".tmp") -> None:
    """Call ``write(file)`` on a temporary file in ``path``'s folder, fsync it, then move it over ``path``.

    Raises :class:`TempFileError` or :class:`ReplaceError` (both ``OSError``) for the two steps that callers word
    differently; anything ``write`` raises is raised as it is. The temporary file never stays behind."""
    import tempfile

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=folder)
    except OSError as exc:
        raise TempFileError(exc) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        _normal_permissions(tmp)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise ReplaceError(exc) from exc
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _normal_permissions(tmp: str) -> None:
    """mkstemp makes the file readable by its owner only; a saved file gets what any new file gets (the umask)."""
    if os.name != "posix":
        return
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        os.chmod(tmp, 0o666 & ~mask)
    except OSError:
        pass


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    atomic_write(path, lambda fh: fh.write(data))
