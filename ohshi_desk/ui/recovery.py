"""Restore that never refuses, autosave whose failures are seen, and the kept-aside files.

Qt-light: the functions here take the wizard and plain data; message boxes stay with their callers.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("ohshi_desk")

KEEP_ASIDE = 5  # kept-aside autosave copies (autosave-broken-*, autosave-declined-*) to keep, newest first
TMP_MAX_AGE_S = 60  # a .autosave.json.*.tmp older than this belongs to no running save


def parse_leniently(data: dict, rules):
    """parse_case, dropping each two-level field it refuses (``facility.institution_code``) until it passes."""
    import copy  # not at start-up

    from ohshi_desk.core.case.model import CaseError, parse_case

    data = copy.deepcopy(data)
    for _ in range(32):
        try:
            return parse_case(data, rules)
        except CaseError as exc:
            head, _, key = exc.field.partition(".")
            section = data.get(head)
            if not key or "." in key or not isinstance(section, dict) or key not in section:
                raise
            section.pop(key)
    return parse_case(data, rules)


def shown_value(value) -> str:
    from ohshi_desk.core.base.guard import shown

    if value is None or value == "":
        return "（空欄）"
    return f"「{shown(value, 60)}」"


def aside_path(folder: Path, kind: str) -> Path:
    """The name of a new kept-aside copy: ``autosave-<kind>-<order>-<date>.json``. ``order`` counts up across all
    the copies in the folder, so that their age is the order they were made in — not a date, which a clock set
    back would make look older than the rest (and prune first: the copy the user had just declined)."""
    from ohshi_desk.core.base.clock import now

    n = max((aside_order(p)[0] for p in kept_aside(folder)), default=0) + 1
    return folder / f"autosave-{kind}-{n:06d}-{now():%Y%m%d-%H%M%S}.json"


def aside_order(p: Path) -> tuple[int, str]:
    """How recent a kept-aside copy is: its order number (0 for names made before there was one), then its name."""
    import re

    m = re.match(r"autosave-[a-z]+-(\d{6,})-\d{8}-\d{6}\.json$", p.name)
    return (int(m.group(1)) if m else 0, p.name)


def clean_app_data(folder: Path, keep: int = KEEP_ASIDE) -> list[Path]:
    """After a successful autosave: remove stale temporary files of the autosave and all but the newest ``keep``
    kept-aside copies of each kind. Returns what was removed; never raises.

    A temporary file's age is measured against the autosave just written (the file system's own time), not the
    computer's clock: the two can disagree (a clock set back, a network drive), and an age must not go negative."""
    removed = []
    try:
        try:
            from ohshi_desk.core.base.paths import autosave_path

            now = (folder / autosave_path().name).stat().st_mtime
        except OSError:
            now = None  # no autosave to measure against: leave the temporary files alone
        for p in folder.glob(".autosave.json.*.tmp") if now is not None else ():
            try:
                if abs(now - p.stat().st_mtime) > TMP_MAX_AGE_S:  # written with a clock set far ahead: stale too
                    p.unlink()
                    removed.append(p)
            except OSError:
                pass
        for kind in ("broken", "declined"):
            kept = sorted(folder.glob(f"autosave-{kind}-*.json"), key=aside_order, reverse=True)
            for p in kept[keep:]:
                try:
                    p.unlink()
                    removed.append(p)
                except OSError:
                    pass
    except OSError:
        pass
    return removed


def kept_aside(folder: Path) -> list[Path]:
    """The kept-aside autosave copies, newest first (for 「保管した入力を開く」)."""
    try:
        return sorted(folder.glob("autosave-*-*.json"), key=aside_order, reverse=True)
    except OSError:
        return []


def autosave_problem(exc: BaseException, path: Path) -> str:
    """One line for the status bar: where, why, and what to do."""
    import errno

    if isinstance(exc, IsADirectoryError) or (path.is_dir() if _safe(path) else False):
        why = "同じ名前のフォルダがあるため"
    elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        why = "ディスクの空きが足りないため"
    elif isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "書き込みが許可されていないため（読み取り専用）"
    else:
        why = f"書き込みに失敗したため（エラー番号 {getattr(exc, 'errno', None) or '不明'}）"
    from ohshi_desk.core.base.guard import shown

    return (f"自動保存できていません: {shown(path, 80)} に{why}。"
            "入力は画面に残っています。「保存…」で別の場所（デスクトップなど）に保存してください")


def _safe(path: Path) -> bool:
    try:
        os.stat(path)
        return True
    except OSError:
        return False


MAX_AUTOSAVE_BYTES = 20 * 1024 * 1024
AUTOSAVE_FORMAT = "ohshi-desk-autosave/1"


def read_autosave(path) -> dict | None:
    """The snapshot in an autosave file (autosave.json or a kept-aside copy), or None when the file is not one.
    Read with the same limits as any input; raises nothing."""
    from ohshi_desk.core.base.guard import read_regular_file, strict_json_loads

    try:
        raw = read_regular_file(path, MAX_AUTOSAVE_BYTES)
        snap = strict_json_loads(raw.decode("utf-8", "replace"))
    except (OSError, ValueError, RecursionError):
        return None
    return snap if isinstance(snap, dict) and snap.get("format") == AUTOSAVE_FORMAT else None
