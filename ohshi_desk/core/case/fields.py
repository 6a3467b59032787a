"""Every input of a case, declared once (issue 24 point 1): its key, section, type, label, unit, limits, whether it
is required and whether it travels to vendors in the tracking workbook.

The case parser (:mod:`.case`), the wizard pages (through their widget adapters in ``ui/``), the workbook reader and
the methods read labels, keys and limits from here. Questions a program reads are declared in ``rules/`` (a
facility ``flags`` entry of facility_kinds.yaml, a program's ``questions``) with the same ``type`` words, and are
read with :func:`parse_answer`, so a new question of any type is a rules change.

Plain tuples and a slotted class, no dataclass: :mod:`.case` is imported before the first page shows.
"""

from __future__ import annotations

# the types an input (or a question in the rules) may have
TYPES = ("text", "yes_no", "count", "percent", "yen", "date", "choice")
NUMBER_TYPES = ("count", "percent", "yen")
MAX_USAGE_COUNT = 10_000_000


class FieldDecl:
    """One input: ``key`` is its place in the case file (``facility.name``; a line's keys are bare, ``vendor``)."""

    __slots__ = ("key", "section", "type", "label", "unit", "minimum", "maximum", "max_len", "required", "travels",
                 "column")

    def __init__(self, key: str, section: str, type: str, label: str, *, unit: str = "", minimum: int | None = None,
                 maximum: int | None = None, max_len: int | None = None, required: bool = False,
                 travels: bool = True, column: float = 0):
        self.key, self.section, self.type, self.label, self.unit = key, section, type, label, unit
        self.minimum, self.maximum, self.max_len, self.required, self.travels = (minimum, maximum, max_len, required,
                                                                                 travels)
        # a line's text or date field with a 明細 column of its own (its width): headed by the label, written, read
        # back and checked like 備考 (core/workbook/layout.py puts it after 備考); 0: no column, or one the layout
        # places itself
        self.column = column

    @property
    def name(self) -> str:
        """The key inside its section (``facility.name`` → ``name``)."""
        return self.key.rsplit(".", 1)[-1]

    def __repr__(self) -> str:
        return f"FieldDecl({self.key!r}, {self.type!r}, {self.label!r})"


F = FieldDecl
FIELDS: tuple[FieldDecl, ...] = (
    F("format", "case", "text", "ファイル形式", required=True),
    F("as_of", "case", "date", "計算の基準日"),
    F("made_on", "case", "date", "見積りを作った日"),
    F("facility", "case", "text", "施設"),
    F("facility.name", "facility", "text", "施設名", max_len=200),
    F("facility.kind", "facility", "choice", "施設区分", required=True),
    F("facility.institution_code", "facility", "text", "保険医療機関等コード", max_len=20),
    F("facility.prefecture", "facility", "choice", "都道府県", max_len=10),
    F("facility.municipality", "facility", "text", "市区町村", max_len=40),
    F("face_reader", "case", "text", "顔認証付きカードリーダー"),
    F("face_reader.maker", "face_reader", "choice", "カードリーダーのメーカー"),
    F("face_reader.model", "face_reader", "text", "カードリーダーの型番", max_len=80),
    F("face_reader.other_makers", "face_reader", "choice", "ほかのカードリーダーのメーカー"),
    F("face_reader.units", "face_reader", "count", "カードリーダーの台数", unit="台", minimum=0, maximum=100),
    F("face_reader.free_units", "face_reader", "count", "無償提供を受けた台数", unit="台", minimum=0, maximum=100),
    # the clinic's own usage figures: they stay at the clinic (not in the workbook for vendors)
    F("usage.oct2023_receipts", "usage", "count", "2023年10月のレセプト件数", unit="件", minimum=0,
      maximum=MAX_USAGE_COUNT, travels=False),
    F("usage.oct2023_rate_percent", "usage", "percent", "2023年10月のマイナ保険証利用率", unit="%", travels=False),
    F("usage.oct2023_users", "usage", "count", "2023年10月のマイナ保険証利用人数", unit="人", minimum=0,
      maximum=MAX_USAGE_COUNT, travels=False),
    F("usage.best_month_users_2024", "usage", "count", "2024年5〜8月で最も多い月の利用人数", unit="人", minimum=0,
      maximum=MAX_USAGE_COUNT, travels=False),
    F("usage.peak_monthly_uses", "usage", "count", "2023年10月〜2024年8月で最も多い月の利用件数", unit="件", minimum=0,
      maximum=MAX_USAGE_COUNT, travels=False),
    # a purchase line (plans.<id>.lines[i].<key>)
    F("item", "line", "choice", "品目", required=True),
    # 数量's maximum is core/base/inputs.MAX_COUNT (the parser's default; not imported here: inputs pulls in decimal and
    # fractions, ~17 M instructions before the first page; tests/test_workbook_layout.py holds the two equal)
    F("quantity", "line", "count", "数量", minimum=1, maximum=10_000),
    F("unit_price", "line", "yen", "単価（税込）", required=True),
    F("description", "line", "text", "内訳（品名・型番）", max_len=200),
    F("vendor", "line", "text", "購入先・ベンダー", max_len=100),
    F("option", "plan", "choice", "改修の内容（①②③）"),
    F("status", "line", "text", "状況", max_len=40),
    F("note", "line", "text", "備考", max_len=1000),
    F("amount", "line", "yen", "金額（値引き後）"),
    F("receipt", "line", "text", "領収書No", max_len=20),
    F("vendor_eligible", "line", "yen", "①補助対象金額（ベンダー記入）"),
    F("date", "receipt", "date", "領収書内訳書（様式2）の日付"),
    # the tracking dates of a line (CASE_FORMAT "tracking dates"), in the order of the 明細 sheet's columns
    F("estimate_date", "tracking", "date", "見積日"),
    F("order_date", "tracking", "date", "発注日"),
    F("delivery_date", "tracking", "date", "納品日"),
    F("receipt_date", "tracking", "date", "領収書受領日"),
    F("breakdown_received_date", "tracking", "date", "内訳書受領日"),
    F("checksheet_received_date", "tracking", "date", "チェックシート受領日"),
    F("application_date", "tracking", "date", "申請日"),
    F("decision_date", "tracking", "date", "交付決定日"),
    F("payment_date", "tracking", "date", "入金日"),
)
del F

BY_KEY = {f.key: f for f in FIELDS}
LABELS = {f.key: f.label for f in FIELDS}


def section(name: str) -> tuple[FieldDecl, ...]:
    return tuple(f for f in FIELDS if f.section == name)


def field(key: str) -> FieldDecl:
    return BY_KEY[key]


def withheld_sections() -> tuple[str, ...]:
    """The case's top-level keys whose inputs do not travel to vendors (every one of their inputs says so)."""
    out = []
    for f in FIELDS:
        top = f.key.split(".", 1)[0]
        if "." in f.key and not f.travels and top not in out:
            out.append(top)
    return tuple(out)


def parse_answer(question: dict, value, label: str):
    """The answer to a question declared in the rules (``type``: yes_no, the default, or count, percent, yen, date,
    choice, text), checked against its limits. ``None`` when unanswered. Raises :class:`.inputs.InputError`
    (its problem in Japanese) for a wrong answer."""
    from ohshi_desk.core.base.inputs import InputError, parse_count, parse_date, parse_percent, parse_yen

    if value is None:
        return None
    kind = question.get("type", "yes_no")
    if kind == "yes_no":
        if not isinstance(value, bool):
            raise InputError(label, "true か false で書いてください")
        return value
    if isinstance(value, bool):
        raise InputError(label, "true / false ではなく値で書いてください")
    if kind == "count":
        return parse_count(value, label, minimum=int(question.get("min", 0)),
                           maximum=int(question.get("max", MAX_USAGE_COUNT)), allow_empty=True)
    if kind == "yen":
        out = parse_yen(value, label, allow_empty=True)
        if out is not None and out < int(question.get("min", 0)):
            raise InputError(label, f"{question.get('min', 0)}円以上にしてください")
        return out
    if kind == "percent":
        return parse_percent(value, label, allow_empty=True)
    if kind == "date":
        return parse_date(value, label, allow_empty=True)
    if kind == "choice":
        choices = question.get("choices") or {}
        if not isinstance(value, str) or value not in choices:
            raise InputError(label, f"「{value}」は選択肢にありません（{'・'.join(choices)} のどれか）")
        return value
    if not isinstance(value, (str, int)):
        raise InputError(label, "文字で書いてください")
    text = str(value)
    limit = int(question.get("max_len", 200))
    if len(text) > limit:
        raise InputError(label, f"{limit}文字以内にしてください")
    return text or None


def answer_json(question: dict, value):
    """An answer as the case file keeps it (a percent as the number typed; a date as ISO)."""
    import datetime as _dt
    from fractions import Fraction

    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else str(float(value))
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value
