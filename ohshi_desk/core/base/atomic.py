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


def write_problem(exc: OSError) -> str:
    """Why a file could not be written, in Japanese, with what to do."""
    import errno

    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return "ディスクの空きが足りません。不要なファイルを削除するか、別のドライブ（USBメモリなど）に保存してください"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "書き込みが許可されていません（読み取り専用か、権限がありません）。別のフォルダに保存してください"
    if exc.errno == errno.ENAMETOOLONG:
        return "ファイルの名前が長すぎます。短い名前にしてください"
    if isinstance(exc, IsADirectoryError):
        return "同じ名前のフォルダがあります。別の名前にしてください"
    # the system's own words are English (or another language): not shown, the number is enough for support
    return f"書き込みに失敗しました（エラー番号 {exc.errno}）。別の場所に保存してください"


def read_problem(exc: BaseException) -> str:
    """Why a file could not be read, in Japanese — never the system's own (English) words nor an exception's name."""
    import errno

    code = getattr(exc, "errno", None)
    if isinstance(exc, FileNotFoundError) or code == errno.ENOENT:
        return "見つかりません"
    if code in (errno.EACCES, errno.EPERM):
        return "読み取りが許可されていません"
    if isinstance(exc, IsADirectoryError):
        return "フォルダです"
    if code == errno.ENAMETOOLONG:
        return "名前が長すぎます"
    return f"読み取りに失敗しました（エラー番号 {code}）" if code else "読み取りに失敗しました"


def apply_umask(fd: int) -> None:
    """Give a file made by mkstemp (always 0600) the permissions a new file normally gets (0666 less the umask)."""
    if os.name != "posix":
        return
    mask = os.umask(0o022)
    os.umask(mask)
    try:
        os.fchmod(fd, 0o666 & ~mask)
    except OSError:
        pass


def atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], object], *, suffix: str = ".tmp",
                 private: bool = False) -> None:
    """Call ``write(file)`` on a temporary file in ``path``'s folder, fsync it, then move it over ``path``.

    Raises :class:`TempFileError` or :class:`ReplaceError` (both ``OSError``) for the two steps that callers word
    differently; anything ``write`` raises is raised as it is. The temporary file never stays behind.
    ``private``: the file is the user's only (0600: autosave, cache); otherwise it gets the permissions a new file
    normally gets (an exported workbook, a saved case)."""
    import tempfile

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=folder)
    except OSError as exc:
        raise TempFileError(exc) from exc
    try:
        if not private:
            apply_umask(fd)
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
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
    clean_stale_temporaries(path, suffix)


STALE_TMP_S = 600  # a temporary file of ours this much older (or newer) than a file just written belongs to no save


def clean_stale_temporaries(path: Path, suffix: str = ".tmp") -> list[Path]:
    """Remove the temporary files a killed save of ``path`` left beside it (``.NAME.xxxx<suffix>``). Their age is
    measured against ``path`` just written (the file system's own time, not the computer's clock, which may have
    been moved); a save running right now in another window is minutes younger than the limit. Never raises."""
    removed = []
    try:
        ref = path.stat().st_mtime
        for p in path.parent.glob(f".{glob_escape(path.name)}.*{glob_escape(suffix)}"):
            try:
                if p.is_file() and not p.is_symlink() and abs(ref - p.stat().st_mtime) > STALE_TMP_S:
                    p.unlink()
                    removed.append(p)
            except OSError:
                pass
    except OSError:
        pass
    return removed


def glob_escape(text: str) -> str:
    import glob

    return glob.escape(text)


def atomic_write_bytes(path: str | os.PathLike, data: bytes, *, private: bool = False) -> None:
    atomic_write(path, lambda fh: fh.write(data), private=private)
