"""One normalising parser for what people type: money, counts, percentages and dates (writing them back out
is :mod:`.formatting`).

Used by the wizard's fields and by the case loader, so a price typed as ``４，９８０円`` or ``4.2万`` means the
same everywhere. Every failure is an :class:`InputError` whose message is Japanese and names the field.
No floats: amounts go through ``Decimal`` and come out as ``int`` yen.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

MAX_YEN = 100_000_000  # above this a price is almost surely a typo (1億円)
MAX_COUNT = 10_000



class InputError(ValueError):
    """A value the user typed that cannot be used. ``str(err)`` is the Japanese message for the screen."""

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        super().__init__(f"「{field}」: {problem}")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    for ch in (" ", "\u3000", "\t", ",", "、", "，"):
        text = text.replace(ch, "")
    return text.replace("−", "-").replace("ー", "-").replace("‐", "-").replace("－", "-")


def _decimal(text: str, field: str, example: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(field, f"数字で入力してください（例: {example}）") from None
    if not value.is_finite():
        raise InputError(field, f"数字で入力してください（例: {example}）")
    return value


_YEN_RE = re.compile(r"^(?P<sign>[-+]?)(?:(?P<man>\d+(?:\.\d+)?)万)?(?:(?P<sen>\d+(?:\.\d+)?)千)?(?P<rest>\d+(?:\.\d+)?)?$")


def parse_yen(value, field: str = "金額", *, allow_empty: bool = False) -> int | None:
    """Parse a tax-inclusive yen amount: ``4980``, ``４，９８０円``, ``¥4,980``, ``4.2万``, ``1万2000円``.

    Returns ``None`` for an empty entry when ``allow_empty``; raises :class:`InputError` otherwise.
    """
    example = "4980、4,980円、4.2万"
    if isinstance(value, bool):
        raise InputError(field, f"数字で入力してください（例: {example}）")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        raise InputError(field, "金額は小数を使わず、円単位の整数で書いてください")
    elif isinstance(value, str):
        text = _normalise(value)
        for suffix in ("円", "えん", "¥", "\\", "$"):
            text = text.replace(suffix, "")
        text = text.replace("税込", "").replace("(税込)", "").replace("()", "")
        if text == "":
            if allow_empty:
                return None
            raise InputError(field, "金額を入力してください")
        if len(text) > 40:
            raise InputError(field, "長すぎます。金額を数字で入力してください")
        m = _YEN_RE.match(text)
        if not m or not (m["man"] or m["sen"] or m["rest"]):
            raise InputError(field, f"数字で入力してください（例: {example}）")
        amount = Decimal(0)
        if m["man"]:
            amount += _decimal(m["man"], field, example) * 10_000
        if m["sen"]:
            amount += _decimal(m["sen"], field, example) * 1_000
        if m["rest"]:
            amount += _decimal(m["rest"], field, example)
        if m["sign"] == "-":
            amount = -amount
    elif value is None:
        if allow_empty:
            return None
        raise InputError(field, "金額を入力してください")
    else:
        raise InputError(field, f"数字で入力してください（例: {example}）")
    if amount < 0:
        raise InputError(field, "マイナスの金額は入力できません（値引きは値引き後の金額で入力してください）")
    if amount != amount.to_integral_value():
        raise InputError(field, "1円未満の端数は入力できません（税込の円単位で入力してください）")
    if amount > MAX_YEN:
        raise InputError(field, "1億円を超える金額は入力ミスの可能性が高いため受け付けません。桁をご確認ください")
    return int(amount)


def parse_count(value, field: str = "数量", *, minimum: int = 1, maximum: int = MAX_COUNT,
                allow_empty: bool = False) -> int | None:
    """Parse a whole count (``1``, ``３``, ``2台``, ``3個``)."""
    if isinstance(value, bool):
        raise InputError(field, "整数で入力してください")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = _normalise(value)
        for suffix in ("台", "個", "点", "本", "式", "件", "人", "回", "つ"):
            text = text.replace(suffix, "")
        if text == "":
            if allow_empty:
                return None
            raise InputError(field, "数を入力してください")
        if not re.fullmatch(r"[-+]?\d{1,12}", text):
            raise InputError(field, "整数で入力してください（例: 1、2台）")
        number = int(text)
    elif value is None:
        if allow_empty:
            return None
        raise InputError(field, "数を入力してください")
    else:
        raise InputError(field, "整数で入力してください（例: 1、2台）")
    if number < minimum:
        raise InputError(field, f"{minimum}以上の数を入力してください")
    if number > maximum:
        raise InputError(field, f"{maximum:,}以下の数を入力してください")
    return number


def parse_percent(value, field: str = "利用率", *, allow_empty: bool = False) -> Fraction | None:
    """Parse a percentage (``4``, ``4.0``, ``４％``) into an exact Fraction of percent points (0–100)."""
    if isinstance(value, bool):
        raise InputError(field, "数字で入力してください（例: 4.5）")
    if value is None or (isinstance(value, str) and _normalise(value) in ("", "%")):
        if allow_empty:
            return None
        raise InputError(field, "利用率を入力してください")
    if isinstance(value, int):
        pct = Fraction(value)
    elif isinstance(value, float):
        # JSON numbers such as 4.0 arrive as floats: take their shortest decimal spelling exactly.
        if value != value or value in (float("inf"), float("-inf")):
            raise InputError(field, "数字で入力してください（例: 4.5）")
        pct = Fraction(Decimal(repr(value)))
    elif isinstance(value, str):
        text = _normalise(value).replace("%", "").replace("パーセント", "")
        if not re.fullmatch(r"[-+]?\d{1,6}(\.\d{1,6})?", text):
            raise InputError(field, "数字で入力してください（例: 4.5）")
        pct = Fraction(Decimal(text))
    else:
        raise InputError(field, "数字で入力してください（例: 4.5）")
    if pct < 0 or pct > 100:
        raise InputError(field, "0〜100の範囲で入力してください")
    return pct


def _era_pattern() -> str:
    from ohshi_desk.core.base.formatting import ERAS

    return "|".join(name for name, _i, _f in ERAS) + "|" + "|".join(initial for _n, initial, _f in ERAS)


_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
    re.compile(rf"^(?P<era>{_era_pattern()})(?P<y>元|\d{{1,2}})[年./-](?P<m>\d{{1,2}})[月./-](?P<d>\d{{1,2}})日?$"),
)
_DATE_EXAMPLE = "（例: 2026/1/15、令和8年1月15日）"


def parse_date(value, field: str = "日付", *, allow_empty: bool = False) -> _dt.date | None:
    """Parse ``2026-01-15``, ``2026/1/15``, ``2026年1月15日`` or ``令和8年1月15日`` (also ``R8.1.15``, 平成, 昭和, 大正).

    A 和暦 date must lie inside its era (``令和元年4月1日``, ``平成35年1月1日`` and ``R0.1.1`` are refused, with the era's
    first or last day said); the era table is :data:`.formatting.ERAS`."""
    from ohshi_desk.core.base.formatting import ERAS, era_last_day, wareki

    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if value is None or (isinstance(value, str) and _normalise(value) == ""):
        if allow_empty:
            return None
        raise InputError(field, f"日付を入力してください{_DATE_EXAMPLE}")
    if not isinstance(value, str):
        raise InputError(field, f"日付の形式が正しくありません{_DATE_EXAMPLE}")
    text = unicodedata.normalize("NFKC", value).replace(" ", "").replace("\u3000", "").upper()
    if len(text) > 30:
        raise InputError(field, f"日付の形式が正しくありません{_DATE_EXAMPLE}")
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        n = 1 if m["y"] == "元" else int(m["y"])
        era = m.groupdict().get("era")
        if era:
            name, _initial, first = next(e for e in ERAS if era in (e[0], e[1]))
            if n < 1:
                raise InputError(field, f"{name}0年はありません（{name}は元年から数えます）")
            year = first.year + n - 1
        else:
            year = n
        try:
            day = _dt.date(year, int(m["m"]), int(m["d"]))
        except ValueError:
            raise InputError(field, "存在しない日付です") from None
        if era:
            last = era_last_day(name)
            if day < first:
                before = "西暦" if name == ERAS[-1][0] else "前の元号か西暦"
                raise InputError(field, f"{name}は{wareki(first)}からです。それより前の日付は{before}で入力してください")
            if last is not None and day > last:
                raise InputError(field, f"{name}は{wareki(last)}までです。それより後の日付は次の元号か西暦で入力してください")
        return day
    raise InputError(field, f"日付の形式が正しくありません{_DATE_EXAMPLE}")
