"""Writing values out the way the notices and the forms do: yen, 和暦 dates, rates and percentages.

The one place every output (the result page, the print, the workbook, the reasons) takes these spellings from.
Reading what people type is :mod:`.inputs`.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction


# The one era table (issue 25 point 4): name, initial, first day. An era ends the day before the next begins.
# Facts, not rules: 大正元年7月30日, 昭和元年12月25日, 平成元年1月8日 (昭和64年1月7日 was the last 昭和 day),
# 令和元年5月1日. Dates before the first era here are written in 西暦 and refused when typed in 和暦.
ERAS: tuple[tuple[str, str, _dt.date], ...] = (
    ("令和", "R", _dt.date(2019, 5, 1)),
    ("平成", "H", _dt.date(1989, 1, 8)),
    ("昭和", "S", _dt.date(1926, 12, 25)),
    ("大正", "T", _dt.date(1912, 7, 30)),
)


def era_of(day: _dt.date) -> tuple[str, str, _dt.date] | None:
    """The era a day falls in (name, initial, first day), or None before the table begins."""
    return next((era for era in ERAS if day >= era[2]), None)


def era_last_day(name: str) -> _dt.date | None:
    """The last day of an era, or None for the present one."""
    for i, (n, _initial, _first) in enumerate(ERAS):
        if n == name:
            return ERAS[i - 1][2] - _dt.timedelta(days=1) if i else None
    raise KeyError(name)


def wareki(day: _dt.date) -> str:
    """``2026-01-15`` → ``令和8年1月15日``; ``1989-01-07`` → ``昭和64年1月7日``. A day before the era table
    (before 大正) is written in 西暦 (``1900年1月1日``), never as a negative year."""
    era = era_of(day)
    if era is None:
        return f"{day.year}年{day.month}月{day.day}日"
    n = day.year - era[2].year + 1
    return f"{era[0]}{'元' if n == 1 else n}年{day.month}月{day.day}日"


def yen(amount: int) -> str:
    """``41000`` → ``41,000円``."""
    return f"{amount:,}円"


def rate_text(rate: Fraction) -> str:
    """``Fraction(3, 4)`` → ``3/4``."""
    return f"{rate.numerator}/{rate.denominator}"


def percent_text(p: Fraction) -> str:
    """A percentage without trailing zeros: ``Fraction(9, 2)`` → ``4.5``."""
    if p.denominator == 1:
        return str(p.numerator)
    from decimal import Decimal

    return format((Decimal(p.numerator) / Decimal(p.denominator)).normalize(), "f")
