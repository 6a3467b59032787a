"""Issue 24 points 1 and 4: a question of any type is rules data, kept across a workbook round trip; the kinds a
program takes are named one by one; a wrong declaration is refused with a Japanese message naming file and key."""

from __future__ import annotations

import copy

import pytest

from ohshi_desk.core.case.model import CaseError, parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.rules.build import RulesError, load_rules
from ohshi_desk.core.workbook.read import read_workbook, with_usage_on_screen
from ohshi_desk.core.workbook.write import export_case

from .conftest import FIXTURE_RULES
from .rules_edit import P2_NOT_KINDS, copy_rules, edit, with_fixture_visits_question

CASE = {"format": "ohshi-desk-case/1", "as_of": "2025-11-01",
        "facility": {"kind": "clinic", "name": "ほうもん医院", "visits_per_month": 4},
        "plans": {"fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 41000},
                                           {"item": "receipt_system_change", "unit_price": 130000}]}}}


@pytest.fixture(scope="module")
def visits_rules(tmp_path_factory):
    return load_rules(with_fixture_visits_question(tmp_path_factory.mktemp("visits") / "rules"), cache_dir=False)


def _p2(case, rules) -> dict:
    return next(p for p in compute(case, rules)["programs"] if p["id"] == "fx_capped")


def test_a_number_question_is_read_checked_and_survives_a_workbook_round_trip(visits_rules, tmp_path):
    rules = visits_rules
    case = parse_case(copy.deepcopy(CASE), rules)
    assert case.facility.flag("visits_per_month") == 4
    before = _p2(case, rules)
    assert before["status"] == "open" and before["subsidy"] > 0
    book = tmp_path / "book.xlsx"
    export_case(case, rules, book)
    again = read_workbook(book, rules)
    assert again.raw["facility"]["visits_per_month"] == 4  # the clinic's answer is not lost on the way back
    assert again.facility.flag("visits_per_month") == 4
    assert _p2(again, rules)["subsidy"] == before["subsidy"]
    # a wrong answer names the question, in Japanese
    bad = copy.deepcopy(CASE)
    bad["facility"]["visits_per_month"] = "たくさん"
    with pytest.raises(CaseError) as err:
        parse_case(bad, rules)
    assert "facility.visits_per_month" in str(err.value) and "整数" in str(err.value)
    bad["facility"]["visits_per_month"] = 10001
    with pytest.raises(CaseError, match="10,000以下"):
        parse_case(bad, rules)


def test_usage_withheld_from_vendors_is_kept_from_the_same_clinic_and_said_truly(rules, tmp_path):
    data = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "name": "りよう医院"},
            "usage": {"oct2023_receipts": 400, "oct2023_rate_percent": 4, "oct2023_users": 10,
                      "best_month_users_2024": 40}}
    case = parse_case(data, rules)
    book = tmp_path / "usage.xlsx"
    export_case(case, rules, book)
    again = read_workbook(book, rules)
    assert "usage" not in again.raw  # the vendor's copy lacks it
    [notice] = [n for n in again.notices if "利用実績" in n.problem]
    assert "引き継" not in notice.action  # nothing is said to be kept before it is
    kept = with_usage_on_screen(again, data)
    assert kept["usage"] == data["usage"]
    assert "引き継いで計算します" in notice.action
    other = read_workbook(book, rules)
    data_other = {**data, "facility": {"kind": "clinic", "name": "べつの医院"}}
    assert "usage" not in with_usage_on_screen(other, data_other)
    assert not any("引き継いで計算します" in n.action for n in other.notices)
    assert any("引き継いでいません" in n.action for n in other.notices)


@pytest.mark.parametrize(("rel", "old", "new", "key", "words"), [
    ("programs/1_fx_capped.yaml", "      kinds: [hospital, clinic, pharmacy]\n",
     "      kinds: [insured]\n", "eligibility.kinds", "グループ「insured」は使えません"),
    ("programs/1_fx_capped.yaml", P2_NOT_KINDS, "      not_kinds: [other, clinic]\n", "eligibility.not_kinds",
     "2回"),
    ("facility_kinds.yaml", "    read_by: [fx_unit_table]\n", "    read_by: [fx_unit_table]\n    type: choice\n",
     "flags.fx_done.choices", "choices が必要"),
    ("facility_kinds.yaml", "    read_by: [fx_unit_table]\n",
     "    read_by: [fx_unit_table]\n    type: count\n", "flags.fx_done.if_yes", "はい・いいえ"),
])
def test_a_wrong_question_or_kind_list_is_refused_naming_file_and_key(tmp_path, rel, old, new, key, words):
    """On a copy of the fixture rules (tests/fixtures/README.md), whose lines no change to the real ones moves."""
    folder = copy_rules(tmp_path / "rules", FIXTURE_RULES)
    edit(folder, rel, old, new, exactly_once=True)
    with pytest.raises(RulesError) as err:
        load_rules(folder, cache_dir=False)
    assert rel.split("/")[-1] in str(err.value) and key in str(err.value) and words in str(err.value)


def test_a_number_question_in_eligibility_flags_is_refused(tmp_path):
    folder = copy_rules(tmp_path / "rules", FIXTURE_RULES)
    edit(folder, "programs/3_fx_unit_table.yaml", "flags: [fx_done]", "flags: [fx_visits]", exactly_once=True)
    with pytest.raises(RulesError, match="3_fx_unit_table.yaml.*at_least"):
        load_rules(folder, cache_dir=False)
