"""The one normalising parser for what people type."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ohshi_desk.core.base.formatting import wareki
from ohshi_desk.core.base.inputs import InputError, parse_count, parse_date, parse_percent, parse_yen


@pytest.mark.parametrize("text,value", [
    ("4980", 4980), ("４９８０", 4980), ("4,980", 4980), ("４，９８０円", 4980), ("¥4,980", 4980), ("￥４９８０", 4980),
    (" 4 980 円 ", 4980), ("4.2万", 42000), ("4.2万円", 42000), ("１万２０００円", 12000), ("12万3456", 123456),
    ("5千", 5000), ("0", 0), (4980, 4980), ("100000000", 100_000_000), ("4980円(税込)", 4980),
])
def test_parse_yen_accepts_what_people_type(text, value):
    assert parse_yen(text, "単価") == value


@pytest.mark.parametrize("text,fragment", [
    ("-5", "マイナス"), ("−５００円", "マイナス"), ("4980.5", "1円未満"), ("1.23456万", "1円未満"),
    ("100000001", "1億円"), ("9" * 30, "1億円"), ("abc", "数字"), ("4,98o", "数字"), ("", "入力"), ("万", "数字"),
    (4980.0, "整数"), (True, "数字"), ([1], "数字"), ("1e5", "数字"), ("NaN", "数字"),
])
def test_parse_yen_refuses_with_a_japanese_message_naming_the_field(text, fragment):
    with pytest.raises(InputError) as err:
        parse_yen(text, "単価（税込）")
    assert str(err.value).startswith("「単価（税込）」: ")
    assert fragment in str(err.value)


def test_parse_yen_empty_allowed():
    assert parse_yen(" ", "単価", allow_empty=True) is None


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_yen_never_raises_anything_else(value):
    try:
        result = parse_yen(value, "単価")
    except InputError as exc:
        assert exc.field == "単価" and exc.problem
    else:
        assert isinstance(result, int) and 0 <= result <= 100_000_000


@given(st.integers(0, 100_000_000))
def test_parse_yen_round_trips_formatted_numbers(n):
    assert parse_yen(f"{n:,}円", "x") == n
    assert parse_yen(str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")), "x") == n


def test_counts_and_percent():
    assert parse_count("３台", "数量") == 3
    with pytest.raises(InputError, match="1以上"):
        parse_count("0", "数量")
    with pytest.raises(InputError, match="整数"):
        parse_count("1.5", "数量")
    assert parse_percent("４．５％") == Fraction(9, 2)
    assert parse_percent(4.0) == 4
    assert parse_percent(0.1) == Fraction(1, 10)
    with pytest.raises(InputError):
        parse_percent("101")


@pytest.mark.parametrize("text", ["2026-01-15", "2026/1/15", "2026年1月15日", "令和8年1月15日", "R8.1.15",
                                  "２０２６／０１／１５"])
def test_dates(text):
    assert parse_date(text) == dt.date(2026, 1, 15)


def test_bad_dates_and_wareki():
    for bad in ("2026/2/30", "tomorrow", "令和8年13月1日"):
        with pytest.raises(InputError):
            parse_date(bad, "納品日")
    assert parse_date("令和元年5月1日") == dt.date(2019, 5, 1)
    assert wareki(dt.date(2026, 1, 15)) == "令和8年1月15日"
    assert wareki(dt.date(2019, 5, 1)) == "令和元年5月1日"
