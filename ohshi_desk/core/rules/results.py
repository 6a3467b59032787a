"""What a computation produces before it becomes the breakdown: a :class:`Result` per program and a
:class:`LineResult` per purchase line, with the steps every method shares (rounding, trimming, rate × limit).

Money is ``int`` yen; rates are ``Fraction``; there are no floats here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ohshi_desk.core.base.formatting import rate_text, yen
from ohshi_desk.core.compute.breakdown import ROUNDING_LABELS

if TYPE_CHECKING:
    from fractions import Fraction

    from ohshi_desk.core.case.model import Line
    from ohshi_desk.core.rules.records import Edition, Program, Val


def round_amount(amount: Fraction | int, rounding: str) -> int:
    step = 1000 if rounding == "floor_1000" else 1
    whole = int(amount // 1)  # floor, exact for Fraction
    return whole // step * step


@dataclass(eq=False)
class LineResult:
    line: Line
    eligible: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def ineligible(self) -> int:
        return self.line.amount - self.eligible


@dataclass(eq=False)
class Result:
    program: Program
    edition: Edition
    status: str = "open"
    eligible_cost: int = 0
    capped_cost: int = 0
    rate: Fraction | None = None
    limit: int | None = None
    rounding: str | None = None
    subsidy: int = 0
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: list[Val] = field(default_factory=list)
    lines: list[LineResult] = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    start: Val | None = None  # the start that applies to this plan (an edition's use_starts), else the edition's
    plan_flags: dict = field(default_factory=dict)  # the plan's answers (which use: documents and notes said per use)

    def use(self, val: Val | None):
        if val is not None and val not in self.used:
            self.used.append(val)
        return None if val is None else val.value


def finish(r: Result, capped: int, rate: Fraction, limit: int, rounding: str) -> None:
    r.rate, r.limit, r.rounding = rate, limit, rounding
    raw = capped * rate
    rounded = round_amount(raw, rounding)
    raw_text = f"{int(raw):,}" if raw.denominator == 1 else f"{float(raw):,.2f}".rstrip("0").rstrip(".")
    step = f"{yen(capped)} × {rate_text(rate)} = {raw_text}円"
    if rounded != raw:
        step += f" → {ROUNDING_LABELS[rounding]}で {yen(rounded)}"
    r.reasons.append(step)
    if rounded > limit:
        r.reasons.append(f"補助限度額 {yen(limit)} を超えるため {yen(limit)} です")
        rounded = limit
    r.subsidy = rounded
    r.reasons.append(f"見積額: {yen(r.subsidy)}")


def trim(lines: list[LineResult], overflow: int, why: str) -> int:
    """Move ``overflow`` yen from eligible to ineligible, from the last line backwards. Returns what is left."""
    for lr in reversed(lines):
        if overflow <= 0:
            break
        cut = min(lr.eligible, overflow)
        if cut:
            lr.eligible -= cut
            overflow -= cut
            lr.reasons.append(f"{why}（{yen(cut)}）は補助対象外")
    return overflow

