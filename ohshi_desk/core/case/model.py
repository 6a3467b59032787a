"""The case: one facility's answers, as saved in ``*.ohshi.json`` (see shared/CASE_FORMAT.md).

A :class:`Case` keeps the raw JSON (so unknown keys survive a save) next to a checked, normalised view the engine
reads. Loading never raises anything but :class:`CaseError`, whose message is one Japanese line naming the field.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ohshi_desk.core.base.atomic import atomic_write_bytes
from ohshi_desk.core.base.formats import CASE_FORMAT, CASE_FORMAT_PREFIX
from ohshi_desk.core.base.inputs import InputError, parse_count, parse_date, parse_percent, parse_yen
from ohshi_desk.core.case.fields import BY_KEY, LABELS, parse_answer, section

FORMAT, FORMAT_PREFIX = CASE_FORMAT, CASE_FORMAT_PREFIX
MAX_CASE_BYTES = 5 * 1024 * 1024
MAX_LINES = 500

# Tracking of a purchase line (optional keys of a line; CASE_FORMAT "tracking dates"), in the order of the
# 明細 sheet's columns: declared in :mod:`.fields`, like every input's label.
TRACKING_DATES = {f.key: f.label for f in section("tracking")}
LINE_STATUSES = ("検討中", "見積依頼中", "発注済", "納品済", "領収書受領済", "申請済", "交付決定", "入金済", "中止")

FIELD_LABELS = LABELS


class CaseError(ValueError):
    """A case that cannot be used. ``str(err)`` is one Japanese line naming the field."""

    def __init__(self, field: str, problem: str):
        self.field = field
        self.problem = problem
        label = FIELD_LABELS.get(field) or FIELD_LABELS.get(field.rsplit(".", 1)[-1], "")
        name = f"{field}（{label}）" if label and label != field else field
        from ohshi_desk.core.base.guard import one_line

        super().__init__(one_line(f"ケースファイルの {name}: {problem}" if field else f"ケースファイル: {problem}"))


class WorkbookError(CaseError):
    """A workbook (an .xlsx, or a file that is not one) that cannot be read. ``str(err)`` is one Japanese line
    naming the file or the sheet — not 「ケースファイル:」, as it is not a case file."""

    def __init__(self, problem: str):
        super().__init__("", problem)
        from ohshi_desk.core.base.guard import one_line

        self.args = (one_line(problem),)

    def __str__(self) -> str:
        return self.args[0]


@dataclass(eq=False)
class Line:
    index: int
    item: str
    quantity: int
    unit_price: int
    description: str = ""
    vendor: str = ""
    tracking: dict[str, _dt.date] = field(default_factory=dict)
    status: str = ""
    note: str = ""
    receipt: str = ""  # 領収書No, when a vendor issues more than one receipt for a program (ohshi-desk extension)
    amount_override: int | None = None  # the 金額 a vendor wrote over 数量×単価 (a discount); ohshi-desk extension
    vendor_eligible: int | None = None  # the vendor's ①補助対象金額 when it differs from the estimate's

    @property
    def amount(self) -> int:
        return self.amount_override if self.amount_override is not None else self.quantity * self.unit_price

    @property
    def claimable(self) -> int:
        """What this line may put into a subsidy: its 金額, no more than the vendor's ① when the vendor split it."""
        return self.amount if self.vendor_eligible is None else min(self.amount, self.vendor_eligible)

    @property
    def unit_cost(self) -> int:
        """The per-unit cost for per-unit rules: 単価, or the claimable amount spread over the units (rounded down,
        the lower amount) when the vendor wrote a discount or a smaller ①."""
        if self.amount_override is None and self.vendor_eligible is None:
            return self.unit_price
        return self.claimable // self.quantity if self.quantity else 0


@dataclass(eq=False)
class Plan:
    program_id: str
    lines: list[Line] = field(default_factory=list)
    option: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    # the vendor blocks of the plan's 様式2 (``plans.<id>.receipts``, keyed by receipt_key), their date parsed
    receipts: dict[str, dict] = field(default_factory=dict)

    def receipt_date(self, line: Line) -> _dt.date | None:
        """The date of the receipt a line is on (its 様式2's 日付), else the line's 領収書受領日; None if neither."""
        block = self.receipts.get(receipt_key(line.vendor, line.receipt))
        if block is None:  # the block is keyed by the receipt's first spelling: Ａ社 and A社 are one receipt
            wanted = (fold(line.vendor), fold(line.receipt))
            block = next((b for k, b in self.receipts.items()
                          if (fold(k.rsplit("#", 1)[0]), fold(k.rsplit("#", 1)[1]) if "#" in k else "") == wanted), None)
        block = block or {}
        return block.get("date") or line.tracking.get("receipt_date")


def fold(value) -> str:
    """A 購入先 or 領収書No as a receipt is keyed: NFKC (Ａ社 = A社) and no spaces of any width."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def receipt_key(vendor: str, no: str) -> str:
    """The key of a receipt's vendor block in ``plans.<id>.receipts``: the vendor, and ``#<領収書No>`` when a vendor
    issues more than one receipt (docs/CASE_FORMAT.md). The one place this key is made."""
    return f"{vendor}#{no}" if no else vendor


@dataclass(eq=False)
class Facility:
    kind: str
    name: str = ""
    institution_code: str = ""
    prefecture: str = ""
    municipality: str = ""
    # the answers to the facility questions declared in the rules (facility_kinds.yaml ``flags``, of any type;
    # kept in the case file as facility.<id>): no Python per question
    answers: dict = field(default_factory=dict)

    def flag(self, name: str):
        return self.answers.get(name)

    def with_flag(self, name: str, value) -> Facility:
        """A copy of this facility with the question ``name`` answered ``value`` (this one unchanged)."""
        other = copy.copy(self)
        other.answers = {**self.answers, name: value}
        return other


@dataclass(eq=False)
class FaceReader:
    maker: str | None = None
    model: str = ""
    # makers of the facility's other face readers (a hospital with readers from two makers; issue 14 point 9)
    other_makers: tuple[str, ...] = ()
    units: int | None = None
    free_units: int | None = None


class Usage:
    """The clinic's usage figures (``usage``): one attribute per input of the ``usage`` section of :mod:`.fields`."""

    def __init__(self, **values):
        names = [f.name for f in section("usage")]
        unknown = set(values) - set(names)
        if unknown:
            raise TypeError(f"Usage: unknown {', '.join(sorted(unknown))}")
        for name in names:
            setattr(self, name, values.get(name))

    def given(self) -> bool:
        return any(v is not None for v in vars(self).values())


@dataclass(eq=False)
class Case:
    raw: dict[str, Any]
    facility: Facility
    face_reader: FaceReader
    usage: Usage | None
    plans: dict[str, Plan]
    as_of: _dt.date | None = None
    made_on: _dt.date | None = None  # the day the wizard made (saved) the estimate (ohshi-desk extension)
    # Set when the case was read from a vendor's workbook (xlsx_read): what could not be read, the case as it was
    # exported (the estimate), and for each line now (program id, index) the estimate's line it came from.
    notices: list = field(default_factory=list)
    estimate: Case | None = None
    origins: dict = field(default_factory=dict)
    withheld: list = field(default_factory=list)  # case keys the workbook did not carry (usage)

    def to_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, indent=2) + "\n"


def _text(value, fld: str) -> str:
    """A text input, no longer than its declaration in :mod:`.fields` allows (a line's keys by their last part)."""
    if value is None:  # most of a line's texts (its status, note, receipt) are absent
        return ""
    decl = BY_KEY.get(fld) or BY_KEY.get(fld.rsplit(".", 1)[-1])
    max_len = decl.max_len if decl is not None and decl.max_len else 200
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise CaseError(fld, "文字で書いてください")
    text = str(value)
    if len(text) > max_len:
        raise CaseError(fld, f"{max_len}文字以内にしてください")
    return text


def _obj(value, fld: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CaseError(fld, "{ } で囲んだ項目の集まりでなければなりません")
    return value


def _answer(question: dict, value, fld: str):
    """The answer to a question of the rules (any type, :func:`.fields.parse_answer`), named by its label."""
    try:
        return parse_answer(question, value, question.get("label") or fld)
    except InputError as exc:
        raise CaseError(fld, exc.problem) from None


def _declared(value, label: str, *, decl):
    """A number input declared in :mod:`.fields` (count or percent), read with its limits."""
    if decl.type == "percent":
        return parse_percent(value, label, allow_empty=True)
    return parse_count(value, label, minimum=decl.minimum or 0, maximum=decl.maximum, allow_empty=True)


def _wrap(fn, value, fld: str, **kw):
    try:
        return fn(value, FIELD_LABELS.get(fld) or FIELD_LABELS.get(fld.rsplit(".", 1)[-1], fld), **kw)
    except InputError as exc:
        raise CaseError(fld, exc.problem) from None


def parse_case(data: Any, rules) -> Case:
    """Check and normalise a case already read from JSON. Raises :class:`CaseError`."""
    if not isinstance(data, dict):
        raise CaseError("", "中身がケースの形式（{ } で囲んだJSON）ではありません")
    from ohshi_desk.core.base.guard import check_tree_text, tree_copy

    bad = check_tree_text(data)  # control characters, lone surrogates, U+FFFE… in any text, and deep nesting
    if bad is not None:
        raise CaseError(*bad)
    fmt = data.get("format")
    if not isinstance(fmt, str) or fmt != FORMAT:
        if isinstance(fmt, str) and fmt.startswith(FORMAT_PREFIX):
            raise CaseError("format", f"「{fmt}」は新しいバージョンのアプリで作られた形式です。アプリを更新してから開いてください")
        raise CaseError("format", f"「{FORMAT}」ではありません。ohshi-desk のケースファイルか確認してください")
    as_of = _wrap(parse_date, data.get("as_of"), "as_of", allow_empty=True) if "as_of" in data else None
    made_on = _wrap(parse_date, data.get("made_on"), "made_on", allow_empty=True) if "made_on" in data else None

    fac_raw = _obj(data.get("facility"), "facility")
    kind = fac_raw.get("kind")
    if kind is None:
        raise CaseError("facility.kind", f"施設区分がありません（{'・'.join(rules.kinds)} のどれか）")
    if not isinstance(kind, str) or kind not in rules.kinds:
        raise CaseError("facility.kind", f"「{kind}」は施設区分ではありません（{'・'.join(rules.kinds)} のどれか）")
    code = _text(fac_raw.get("institution_code"), "facility.institution_code")
    if code and not (code.isascii() and code.isdigit() and len(code) == 7):
        raise CaseError("facility.institution_code", "7桁の数字で書いてください")
    facility = Facility(
        kind=kind,
        name=_text(fac_raw.get("name"), "facility.name"),
        institution_code=code,
        prefecture=_text(fac_raw.get("prefecture"), "facility.prefecture"),
        municipality=_text(fac_raw.get("municipality"), "facility.municipality"),
        answers={fid: v for fid, q in rules.flags.items()
                 if (v := _answer(q, fac_raw.get(fid), f"facility.{fid}")) is not None},
    )
    if facility.prefecture and not any(p["name"] == facility.prefecture for p in rules.prefectures):
        raise CaseError("facility.prefecture", f"「{facility.prefecture}」は都道府県名ではありません（例: 大分県）")

    fr_raw = _obj(data.get("face_reader"), "face_reader")
    maker = fr_raw.get("maker")
    if maker is not None and (not isinstance(maker, str) or maker not in rules.makers):
        raise CaseError("face_reader.maker", f"「{maker}」はメーカーの一覧にありません（{'・'.join(rules.makers)} のどれか）")
    others = fr_raw.get("other_makers")
    if others is None:
        others = []
    if not isinstance(others, list) or len(others) > 20:
        raise CaseError("face_reader.other_makers", "[ ] で囲んだメーカーの並びにしてください（20まで）")
    for i, m in enumerate(others):
        if not isinstance(m, str) or m not in rules.makers:
            raise CaseError(f"face_reader.other_makers[{i}]",
                            f"「{m}」はメーカーの一覧にありません（{'・'.join(rules.makers)} のどれか）")
    face_reader = FaceReader(
        maker=maker,
        other_makers=tuple(dict.fromkeys(m for m in others if m != maker)),
        model=_text(fr_raw.get("model"), "face_reader.model"),
        units=_wrap(_declared, fr_raw.get("units"), "face_reader.units", decl=BY_KEY["face_reader.units"]),
        free_units=_wrap(_declared, fr_raw.get("free_units"), "face_reader.free_units",
                         decl=BY_KEY["face_reader.free_units"]),
    )

    usage = None
    if data.get("usage") is not None:
        u = _obj(data["usage"], "usage")
        usage = Usage(**{f.name: _wrap(_declared, u.get(f.name), f.key, decl=f) for f in section("usage")})

    plans: dict[str, Plan] = {}
    for pid, plan_raw in _obj(data.get("plans"), "plans").items():
        fld = f"plans.{pid}"
        if pid not in rules.program_ids:
            raise CaseError(fld, f"「{pid}」は補助制度のIDではありません（{'・'.join(rules.program_ids)} のどれか）")
        plan_raw = _obj(plan_raw, fld)
        program = rules.program(pid)
        plan = Plan(program_id=pid)
        option = plan_raw.get("option")
        if option is not None:
            if not program.options:
                raise CaseError(f"{fld}.option", "この補助制度には選択肢がありません")
            if not isinstance(option, str) or option not in program.options:
                raise CaseError(f"{fld}.option", f"「{option}」は選択肢にありません（{'・'.join(program.options)} のどれか）")
            plan.option = option
        # the plan's questions are data (rules: a program's ``questions``, of any type), not a list in Python
        for flag, question in program.questions.items():
            if flag in plan_raw:
                value = _answer(question, plan_raw[flag], f"{fld}.{flag}")
                if value is not None:
                    plan.flags[flag] = value
        lines = plan_raw.get("lines", [])
        if lines is None:
            lines = []
        if not isinstance(lines, list):
            raise CaseError(f"{fld}.lines", "[ ] で囲んだ行の並びでなければなりません")
        if len(lines) > MAX_LINES:
            raise CaseError(f"{fld}.lines", f"行が多すぎます（{MAX_LINES}行まで）")
        for i, line_raw in enumerate(lines):
            lf = f"{fld}.lines[{i}]"
            line_raw = _obj(line_raw, lf)
            item = line_raw.get("item")
            if not isinstance(item, str) or item not in rules.items:
                raise CaseError(f"{lf}.item", f"「{item}」は品目の一覧にありません（{'・'.join(rules.items)} のどれか）")
            if "unit_price" not in line_raw:
                raise CaseError(f"{lf}.unit_price", "単価（税込）がありません")
            qty = line_raw.get("quantity", 1)
            tracking = {}
            for key in TRACKING_DATES:
                if line_raw.get(key) not in (None, ""):
                    tracking[key] = _wrap(parse_date, line_raw[key], f"{lf}.{key}")
            plan.lines.append(Line(
                index=i,
                item=item,
                quantity=_wrap(parse_count, qty, f"{lf}.quantity"),
                unit_price=_wrap(parse_yen, line_raw.get("unit_price"), f"{lf}.unit_price"),
                description=_text(line_raw.get("description"), f"{lf}.description"),
                vendor=_text(line_raw.get("vendor"), f"{lf}.vendor"),
                tracking=tracking,
                status=_text(line_raw.get("status"), f"{lf}.status"),
                note=_text(line_raw.get("note"), f"{lf}.note"),
                receipt=_text(line_raw.get("receipt"), f"{lf}.receipt"),
                amount_override=_wrap(parse_yen, line_raw.get("amount"), f"{lf}.amount", allow_empty=True)
                if line_raw.get("amount") is not None else None,
                vendor_eligible=_wrap(parse_yen, line_raw.get("vendor_eligible"), f"{lf}.vendor_eligible",
                                      allow_empty=True) if line_raw.get("vendor_eligible") is not None else None,
            ))
        plan.receipts = _receipts(plan_raw.get("receipts"), f"{fld}.receipts")
        plans[pid] = plan
    return Case(raw=tree_copy(data), facility=facility, face_reader=face_reader, usage=usage, plans=plans,
                as_of=as_of, made_on=made_on)


def _receipts(raw, fld: str) -> dict[str, dict]:
    """The dates of ``plans.<id>.receipts`` (the vendor block of each receipt's 様式2). An impossible date is refused
    like an impossible ``as_of`` (issue 25 point 4); the block's texts are read from the case as they are."""
    if raw is None:
        return {}
    out: dict[str, dict] = {}
    for key, block in _obj(raw, fld).items():
        bf = f"{fld}.{key}"
        block = _obj(block, bf)
        out[str(key)] = {"date": _wrap(parse_date, block.get("date"), f"{bf}.date", allow_empty=True)
                         if block.get("date") is not None else None,
                         # the 領収書の金額（税込） the vendor wrote in the block (ohshi-desk extension, issue 29)
                         "amount": _receipt_amount(block.get("amount"), f"{bf}.amount")}
    return out


def _receipt_amount(value, fld: str) -> int | None:
    try:
        return parse_yen(value, "領収書の金額（税込）", allow_empty=True) if value is not None else None
    except InputError as exc:
        raise CaseError(fld, exc.problem) from None


def read_case_file(path: str | os.PathLike, rules) -> Case:
    """Read and check a case file. Every failure is a :class:`CaseError`."""
    from ohshi_desk.core.base.guard import DuplicateKey, LimitError, read_regular_file, shown, strict_json_loads

    path = Path(path)
    try:
        raw = read_regular_file(path, MAX_CASE_BYTES)
    except FileNotFoundError:
        raise CaseError("", f"ファイル「{shown(path, 120)}」が見つかりません") from None
    except IsADirectoryError:
        raise CaseError("", f"「{shown(path, 120)}」はフォルダです") from None
    except LimitError as exc:
        raise CaseError("", f"{exc}。ケースファイルか確認してください") from None
    except OSError as exc:
        from ohshi_desk.core.base.atomic import read_problem

        raise CaseError("", f"ファイル「{shown(path, 120)}」を読めません（{read_problem(exc)}）") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CaseError("", "UTF-8のテキストではありません。ケースファイルか確認してください") from None
    try:
        data = strict_json_loads(text)
    except DuplicateKey as exc:
        raise CaseError("", f"キー「{shown(exc.key)}」が同じ場所に2回書かれています（どちらが正しいか分からないため読みません）") from None
    except LimitError as exc:
        raise CaseError("", f"JSONとして読めません（{exc}）") from None
    except json.JSONDecodeError as exc:
        raise CaseError("", f"JSONとして読めません（{exc.lineno}行目 {exc.colno}文字目。ファイルが途中で切れているか、壊れています）") from None
    except (ValueError, RecursionError):
        raise CaseError("", "JSONとして読めません（数値や入れ子が正しくありません）") from None
    return parse_case(data, rules)


def _reject_constant(name: str):
    raise ValueError(name)


def save_case(case: Case, path: str | os.PathLike) -> None:
    atomic_write_bytes(path, case.to_json().encode("utf-8"))
