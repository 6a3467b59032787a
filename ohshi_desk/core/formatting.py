"""Writing values out the way the notices and the forms do: yen, 和暦 dates, rates and percentages.

The one place every output (the result page, the print, the workbook, the reasons) takes these spellings from.
Reading what people type is :mod:`.inputs`.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction


def wareki(day: _dt.date) -> str:
    """``2026-01-15`` → ``令和8年1月15日`` (令和 only; earlier dates are written in 平成)."""
    if day >= _dt.date(2019, 5, 1):
        n = day.year - 2018
        return f"令和{'元' if n == 1 else n}年{day.month}月{day.day}日"
    n = day.year - 1988
    return f"平成{'元' if n == 1 else n}年{day.month}月{day.day}日"


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
