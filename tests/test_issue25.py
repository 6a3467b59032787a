"""Issue 25 points 4, 6, 7 and 8: dates and eras, the input limits the contract lists, every rules change listed
by 「ルールを更新…」, and one check for 「限度額 = 事業費上限 × 補助率」."""

from __future__ import annotations

import datetime as dt

import pytest

from ohshi_desk.core.case import CaseError, parse_case
from ohshi_desk.core.formatting import ERAS, wareki
from ohshi_desk.core.inputs import InputError, parse_date

# ------------------------------------------------------------------------------------------------ point 4: dates


@pytest.mark.parametrize("text,day", [
    ("昭和64年1月7日", dt.date(1989, 1, 7)),   # the last 昭和 day
    ("平成元年1月8日", dt.date(1989, 1, 8)),   # the first 平成 day
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),   # the first 令和 day
    ("R7.11.1", dt.date(2025, 11, 1)),
    ("ｒ７．１１．１", dt.date(2025, 11, 1)),
    ("2025年11月1日", dt.date(2025, 11, 1)),
    ("S1.12.25", dt.date(1926, 12, 25)),
])
def test_dates_inside_their_era_are_read(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize("text,fragment", [
    ("R0.1.1", "令和0年はありません"),
    ("令和元年4月1日", "令和は令和元年5月1日からです"),
    ("平成35年1月1日", "平成は平成31年4月30日までです"),
    ("平成元年1月7日", "平成は平成元年1月8日からです"),
    ("昭和64年1月8日", "昭和は昭和64年1月7日までです"),
    ("2025-02-30", "存在しない日付です"),
])
def test_dates_outside_their_era_are_refused_in_japanese(text, fragment):
    with pytest.raises(InputError) as exc:
        parse_date(text, "納品日")
    assert fragment in str(exc.value) and "納品日" in str(exc.value)


def test_wareki_uses_the_one_era_table():
    assert wareki(dt.date(1989, 1, 7)) == "昭和64年1月7日"
    assert wareki(dt.date(1989, 1, 8)) == "平成元年1月8日"
    assert wareki(dt.date(2019, 4, 30)) == "平成31年4月30日"
    assert wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(dt.date(1926, 12, 24)) == "大正15年12月24日"
    # before the table: 西暦, never 「平成-88年」
    assert wareki(dt.date(1900, 1, 1)) == "1900年1月1日"
    # every era's first day reads back as itself, in both directions
    for name, initial, first in ERAS:
        assert wareki(first) == f"{name}元年{first.month}月{first.day}日"
        assert parse_date(wareki(first)) == first
        assert parse_date(f"{initial}1.{first.month}.{first.day}") == first
        before = first - dt.timedelta(days=1)  # the last day of the era before (or 西暦 before the table)
        assert parse_date(wareki(before)) == before
    assert wareki(ERAS[-1][2] - dt.timedelta(days=1)) == "1912年7月29日"


def test_impossible_receipt_date_names_the_field(rules):
    data = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
            "plans": {"medical_aid_card": {"lines": [{"item": "receipt_system_change", "unit_price": 40000,
                                                      "vendor": "A"}],
                                           "receipts": {"A": {"date": "2025-02-30"}}}}}
    with pytest.raises(CaseError) as exc:
        parse_case(data, rules)
    assert "plans.medical_aid_card.receipts.A.date" in str(exc.value) and "存在しない日付" in str(exc.value)


def test_a_typed_receipt_date_reaches_the_form2_date_cell(rules):
    from ohshi_desk.core.engine import compute
    from ohshi_desk.core.xlsx_write import build_workbook

    data = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
            "plans": {"medical_aid_card": {"lines": [{"item": "receipt_system_change", "unit_price": 40000,
                                                      "vendor": "A社"}],
                                           "receipts": {"A社": {"date": "R7.10.3"}}}}}
    case = parse_case(data, rules)
    wb = build_workbook(case, compute(case, rules, dt.date(2025, 11, 1)), rules)
    form = next(ws for ws in wb.worksheets if ws.title.startswith("様式2_"))
    assert form["B4"].value in (dt.date(2025, 10, 3), dt.datetime(2025, 10, 3))


# ------------------------------------------------------------------------------------------------ point 6: limits

def _contract() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[1] / "docs" / "CASE_FORMAT.md").read_text(encoding="utf-8")


def _bullet(text: str, start: str) -> str:
    """The bullet of CASE_FORMAT.md that starts with ``start`` (its continuation lines joined)."""
    lines = text.splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith(start))
    out = [lines[i]]
    for ln in lines[i + 1:]:
        if not ln.startswith("  "):
            break
        out.append(ln)
    return " ".join(s.strip() for s in out)


def test_the_contract_lists_the_limits_the_code_applies(rules):
    """Each limit the contract states is the one the parsers apply: just inside is read, just outside refused."""
    import json

    from ohshi_desk.core import case as case_mod
    from ohshi_desk.core import inputs

    limits = _bullet(_contract(), "- (ohshi-desk extension) Value limits")
    assert f"{inputs.MAX_YEN:,}" in limits and f"{inputs.MAX_COUNT:,}" in limits
    assert f"at most {case_mod.MAX_LINES} `lines`" in limits
    assert inputs.parse_yen(inputs.MAX_YEN) == 100_000_000
    with pytest.raises(InputError):
        inputs.parse_yen(inputs.MAX_YEN + 1)
    with pytest.raises(InputError):
        inputs.parse_count(inputs.MAX_COUNT + 1)

    def line(**kw):
        return {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
                "plans": {"home_visit": {"lines": [{"item": "tablet", "unit_price": 1000, **kw}]}}}

    # every text length the contract states is the one refused one character later
    for key, n in (("description", 200), ("vendor", 100), ("status", 40), ("note", 1000), ("receipt", 20)):
        assert f"`{key}` {n}" in limits, key
        parse_case(json.loads(json.dumps(line(**{key: "あ" * n}))), rules)
        with pytest.raises(CaseError) as exc:
            parse_case(line(**{key: "あ" * (n + 1)}), rules)
        assert key in str(exc.value)
    for forbidden in ({"unit_price": -1}, {"unit_price": 1.5}, {"quantity": 0}, {"unit_price": "100,000,001円"}):
        with pytest.raises(CaseError):
            parse_case(line(**forbidden), rules)


def test_every_typed_form_the_contract_lists_is_read(rules):
    import re

    from ohshi_desk.core import inputs

    forms = _bullet(_contract(), "- (ohshi-desk extension) Typed forms read")
    parsers = {"money": inputs.parse_yen, "counts and `quantity`": inputs.parse_count,
               "percentages": inputs.parse_percent, "dates": inputs.parse_date}
    seen = 0
    for label, parser in parsers.items():
        part = forms.split(f"{label} —", 1)[1].split(";", 1)[0]
        examples = re.findall(r"`([^`]+)`", part)
        assert examples, label
        for ex in examples:
            value = ex[1:-1] if ex.startswith('"') else (float(ex) if "." in ex else int(ex))
            if isinstance(value, float):
                value = ex  # a JSON number with a decimal point: read through its text (percent only)
            assert parser(value) is not None, (label, ex)
            seen += 1
    assert seen >= 20
    assert inputs.parse_yen("4,980円") == 4980 and inputs.parse_count("２") == 2 and inputs.parse_count("2") == 2
