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
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return path


def autosave_path() -> Path:
    return data_dir() / "autosave.json"


def log_path() -> Path:
    return data_dir() / "ohshi-desk.log"


def setup_logging() -> Path:
    """Log to a rotating file in the app-data folder (a windowed app has no console)."""
    import logging
    from logging.handlers import RotatingFileHandler

    path = log_path()
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        try:
            handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        except OSError:
            return path
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path
