"""The one place the app asks what day (and time) it is. Qt-free.

Everything that needs "today" — the day every wizard page computes for, the goals page's eligibility, the CLI's default
``--as-of``, the workbook's creation stamp, the names of kept-aside autosave files — calls :func:`today` or
:func:`now` here, never ``datetime.date.today()`` itself (a test checks that).

Support staff can see what a clinic would have seen on another day by starting the app (or the CLI) with
``OHSHI_TODAY=2025-11-01`` (``2025/11/1`` and ``令和7年11月1日`` work too). Tests pin the day the same way
(``tests/conftest.py``) or with :func:`set_today`.
"""

from __future__ import annotations

import datetime as _dt
import os

ENV = "OHSHI_TODAY"

_pinned: _dt.date | None = None


class ClockError(ValueError):
    """OHSHI_TODAY holds something that is not a date."""


def set_today(day: _dt.date | None) -> None:
    """Pin the day for this process (``None`` goes back to OHSHI_TODAY, else the system clock)."""
    global _pinned
    _pinned = day


def _from_env() -> _dt.date | None:
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    from ohshi_desk.core.base.inputs import InputError, parse_date

    try:
        return parse_date(raw, ENV)
    except InputError as exc:
        raise ClockError(f"環境変数 {ENV} の日付が読めません: {exc.problem}") from None


def today() -> _dt.date:
    """Today for the app: a pinned day, else OHSHI_TODAY, else the system's local date."""
    if _pinned is not None:
        return _pinned
    return _from_env() or _dt.date.today()


def now() -> _dt.datetime:
    """Now for stamps and file names. On a pinned day the time of day still runs (names stay unique)."""
    real = _dt.datetime.now()
    day = today()
    return real if day == real.date() else _dt.datetime.combine(day, real.time())
