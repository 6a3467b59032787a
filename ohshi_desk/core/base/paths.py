"""Where the app keeps its own files: autosave, log, a user's rules override. Qt-free."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "ohshi-desk"


def data_dir() -> Path:
    """The user's app-data folder (created on first use): %APPDATA%\\ohshi-desk on Windows,
    $XDG_DATA_HOME/ohshi-desk (~/.local/share/ohshi-desk) elsewhere. OHSHI_DATA_DIR overrides it."""
    env = os.environ.get("OHSHI_DATA_DIR")
    if env:
        path = Path(env)
    elif sys.platform == "win32" and os.environ.get("APPDATA"):
        path = Path(os.environ["APPDATA"]) / APP
    elif sys.platform == "darwin":
        path = Path.home() / "Library" / "Application Support" / APP
    else:
        path = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / APP
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)  # the clinic's data: the user's only
    except OSError:
        pass
    return path


AUTOSAVE = "autosave.json"
_claim: dict = {}  # data folder → (slot, the open lock file): this process's autosave (issue 23 point 3)


def autosave_path() -> Path:
    """This process's autosave: ``autosave.json``, or ``autosave-N.json`` when another window holds that one
    (:func:`claim_autosave`)."""
    folder = data_dir()
    slot = _claim.get(str(folder), (1, None))[0]
    return folder / _slot_name(slot)


def _slot_name(slot: int) -> str:
    return AUTOSAVE if slot == 1 else f"autosave-{slot}.json"


def claim_autosave(max_slots: int = 20) -> tuple[Path, bool]:
    """Take an autosave no other running window uses: an OS lock on ``<autosave>.lock``, held until this process
    ends — and released by the system when it is killed, so the next start offers what it left. Returns (the
    autosave this process writes, True when it is the usual one). Two windows never write the same file."""
    folder = data_dir()
    if str(folder) in _claim:
        slot = _claim[str(folder)][0]
        return folder / _slot_name(slot), slot == 1
    for slot in range(1, max_slots + 1):
        lock = folder / (_slot_name(slot) + ".lock")
        try:
            fh = open(lock, "a+b")  # noqa: SIM115 - kept open (the lock) for the life of the process
        except OSError:
            continue
        if _try_lock(fh):
            _claim[str(folder)] = (slot, fh)
            return folder / _slot_name(slot), slot == 1
        fh.close()
    return folder / AUTOSAVE, True  # no lock can be taken at all (a read-only folder): as before


def release_autosave() -> None:
    """Give the claim back (tests; a process ending does it by itself)."""
    for _slot, fh in _claim.values():
        try:
            fh.close()
        except OSError:
            pass
    _claim.clear()


def _try_lock(fh) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def log_path() -> Path:
    return data_dir() / "ohshi-desk.log"


def setup_logging() -> Path:
    """Log to a rotating file in the app-data folder (a windowed app has no console). The file is the user's only
    (0600), and it never quotes what was typed: see :class:`PrivateFormatter`."""
    import logging

    path = log_path()
    root = logging.getLogger()
    handler_class = _private_file_handler()
    if not any(isinstance(h, handler_class) for h in root.handlers):
        try:
            handler = handler_class(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        except OSError:
            return path
        handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path


_HANDLER = None


def _private_file_handler():
    """The log's file handler class, made on first use: ``logging.handlers`` brings socket, pickle and queue with
    it, which the first page does not need (setup_logging runs after the window has painted)."""
    global _HANDLER
    if _HANDLER is None:
        from logging.handlers import RotatingFileHandler

        class PrivateFileHandler(RotatingFileHandler):
            def _open(self):
                fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    os.chmod(self.baseFilename, 0o600)  # a log left 0644 by an older version, too
                except OSError:
                    pass
                return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

        _HANDLER = PrivateFileHandler
    return _HANDLER


_QUOTED = None


def redact(text: str) -> str:
    """Text for the log with every quoted value taken out: 「…」, "…", '…' and a value after ": " in an error
    line. What was typed (a facility name, a note) reaches messages only inside such quotes."""
    import re

    global _QUOTED
    if _QUOTED is None:
        _QUOTED = re.compile(r"「[^」]*」|『[^』]*』|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")
    return _QUOTED.sub(lambda m: m.group()[0] + "…" + m.group()[-1], text)


def _formatter_base():
    import logging

    return logging.Formatter


class PrivateFormatter(_formatter_base()):  # type: ignore[misc]
    """Messages with quoted values taken out; tracebacks keep the code path (files, lines, source) and the
    exception's type, never its message (which may hold a value typed on screen)."""

    def format(self, record):
        cached, record.exc_text = record.exc_text, None  # another handler may have cached the full text
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatMessage(self, record):  # noqa: N802 - logging's name
        return redact(super().formatMessage(record))

    def formatException(self, ei):  # noqa: N802
        text = super().formatException(ei)
        out = []
        for line in text.splitlines():
            if line.startswith((" ", "Traceback", "During handling", "The above exception")) or not line.strip():
                out.append(line)  # the app's own code: files, lines and source, never a value typed
            else:  # "SomeError: its message" → the type only
                out.append(line.split(":", 1)[0] + ": （内容は記録しません）")
        return "\n".join(out)


_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}
MAX_STEM = 60  # characters of a suggested name taken from the facility name (a path stays well under 255 bytes)


def safe_file_stem(name: str, fallback: str) -> str:
    """A file name made from a facility name, safe on Windows and elsewhere (issue 23): the characters no file name
    may hold (``\\ / : * ? " < > |``, control characters) become 「＿」, trailing dots and spaces go, a Windows device
    name (CON, NUL, COM1, …, also as ``CON.txt``) gets 「＿」 after it, and it is cut to MAX_STEM characters."""
    out = "".join("＿" if ch in '\\/:*?"<>|' or ord(ch) < 32 or ord(ch) == 127 else ch for ch in name or "")
    out = out.strip().rstrip(". ")[:MAX_STEM].rstrip(". ")
    if out.split(".")[0].upper().rstrip() in _WINDOWS_DEVICES:
        out += "＿"
    return out or fallback
