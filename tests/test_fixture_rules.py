"""The small fixture rules set (tests/fixtures/rules) is what the tests that need "some program" may rely on: it
loads through the ordinary loader, holds one program per computation method, its own kinds and questions, cites
only its made-up notice, and computes without the real rules."""

from __future__ import annotations

import datetime as dt

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.rules.methods import METHODS

from .conftest import FIXTURE_CASE, FIXTURE_SEEDS, ROOT, SUITE_DAY


def test_one_program_per_method_each_with_its_own_file(fixture_rules):
    methods = sorted(p.method for p in fixture_rules.programs)
    assert methods == sorted(METHODS)
    assert all(p.id.startswith("fx_") for p in fixture_rules.programs)


def test_its_own_kinds_and_questions_read_by_its_own_programs(fixture_rules, rules):
    assert set(fixture_rules.kinds) == {"hospital", "clinic", "pharmacy", "other"} != set(rules.kinds)
    ids = {p.id for p in fixture_rules.programs}
    assert set(fixture_rules.flags) == {"fx_done", "fx_visits"}
    assert {pid for f in fixture_rules.flags.values() for pid in f["read_by"]} <= ids
    assert fixture_rules.flags["fx_visits"]["type"] == "count"


def test_every_cited_source_is_the_made_up_notice(fixture_rules):
    files = {s["file"] for s in fixture_rules.sources.values()} - {""}
    assert files == {"fx_000_fixture.txt"}
    assert (FIXTURE_SEEDS / "fx_000_fixture.txt").read_text(encoding="utf-8").startswith("テスト用の通知（架空）")


def test_its_windows_do_not_follow_the_real_rules(fixture_rules):
    """Fixed windows, whatever the real editions say: テスト1・2 open in late 2025 and closed on the suite's day,
    テスト3 open on it, テスト4 closed since 2024."""
    status = {p.id: p.editions[0].start.value <= SUITE_DAY <= p.editions[0].end.value for p in fixture_rules.programs}
    assert status == {"fx_capped": False, "fx_coupons": False, "fx_unit_table": True, "fx_usage_bonus": False}
    assert fixture_rules.folder != ROOT / "rules"


def test_a_clinic_case_computes_on_it(fixture_rules):
    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
                       "plans": {"fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 41000},
                                                          {"item": "receipt_system_change", "unit_price": 130000}]}}},
                      fixture_rules)
    out = compute(case, fixture_rules, dt.date(2025, 11, 1))
    # 171,000 × 3/4 floored to the 1,000, at its limit
    assert [(p["id"], p["status"], p["subsidy"]) for p in out["programs"]] == [("fx_capped", "open", 128000)]


def test_its_questions_decide_its_programs(fixture_rules):
    """テスト3 reads the yes/no question, テスト2 the count (at least 1件); a question unanswered does not count."""
    def status(pid, line, **answers):
        case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", **answers},
                           "plans": {pid: {"lines": [line]}}}, fixture_rules)
        return compute(case, fixture_rules, dt.date(2025, 11, 1))["programs"][0]["status"]

    reader = {"item": "face_reader", "unit_price": 100000}
    assert status("fx_unit_table", reader, fx_done=True) == "not_yet_open"  # eligible, opens in 2026-04
    assert status("fx_unit_table", reader, fx_done=False) == status("fx_unit_table", reader) == "not_applicable"
    coupon = {"item": "generic_reader", "unit_price": 5000}
    assert status("fx_coupons", coupon, fx_visits=1) == "open"
    assert status("fx_coupons", coupon, fx_visits=0) == status("fx_coupons", coupon) == "not_applicable"


def test_the_fixture_case_reads_on_it(fixture_rules):
    from ohshi_desk.core.workbook.read import read_any

    case = read_any(FIXTURE_CASE, fixture_rules)
    assert sorted(case.plans) == ["fx_capped", "fx_coupons"]
