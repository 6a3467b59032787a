"""Property tests (hypothesis): for any case, every estimate is never negative, never above its limit, never above
cost × rate, and never falls when a price rises."""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute

from .conftest import rules_once

RULES = rules_once()
KINDS = list(RULES.kinds)
ITEMS = list(RULES.items)
PLAN_PROGRAMS = [p.id for p in RULES.programs]

line_st = st.fixed_dictionaries({
    "item": st.sampled_from(ITEMS),
    "quantity": st.integers(1, 5),
    "unit_price": st.integers(0, 2_000_000),
})
plan_st = st.fixed_dictionaries(
    {"lines": st.lists(line_st, max_size=6)},
    optional={"option": st.sampled_from(["certificate", "both", "card"]),
              "prior_subsidy": st.booleans(), "receipt_system_done_before": st.booleans()},
)
case_st = st.fixed_dictionaries({
    "format": st.just("ohshi-desk-case/1"),
    "facility": st.fixed_dictionaries({"kind": st.sampled_from(KINDS)},
                                      optional={"obligation_exempt": st.booleans(), "checkup_provider": st.booleans()}),
    "face_reader": st.fixed_dictionaries({"maker": st.sampled_from(list(RULES.makers))},
                                         optional={"free_units": st.integers(0, 4)}),
    "plans": st.dictionaries(st.sampled_from(PLAN_PROGRAMS), plan_st, max_size=4),
}, optional={"usage": st.fixed_dictionaries({}, optional={
    "oct2023_receipts": st.integers(0, 20000), "oct2023_rate_percent": st.integers(0, 100),
    "oct2023_users": st.integers(0, 3000), "best_month_users_2024": st.integers(0, 3000),
    "peak_monthly_uses": st.integers(0, 4000)})})
day_st = st.dates(dt.date(2024, 1, 1), dt.date(2027, 6, 30))


def _clean(data):
    # medical_aid_card is the only program with options; drop them elsewhere
    for pid, plan in data["plans"].items():
        if pid != "medical_aid_card":
            plan.pop("option", None)
    return data


def breakdown(data, day):
    return {p["id"]: p for p in compute(parse_case(_clean(data), RULES), RULES, day)["programs"]}


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(case_st, day_st)
def test_estimate_bounds(data, day):
    out = breakdown(data, day)
    for pid, p in out.items():
        assert p["subsidy"] >= 0
        if p["status"] in ("not_applicable", "not_needed"):
            assert p["subsidy"] == 0
        if p["limit"] is not None:
            assert p["subsidy"] <= p["limit"], pid
        if p["rate"] is not None:
            rate = Fraction(p["rate"])
            assert p["subsidy"] <= p["eligible_cost"] * rate, pid
            assert p["subsidy"] <= p["capped_cost"] * rate, pid
        assert p["capped_cost"] <= p["eligible_cost"]
        for line in p["lines"]:
            assert 0 <= line["eligible"] <= line["amount"]
            assert line["eligible"] + line["ineligible"] == line["amount"]
        assert sum(line["eligible"] for line in p["lines"]) == p["capped_cost"] or p["id"] == "reader_addition" \
            or p["status"] in ("not_applicable", "not_needed")


@SETTINGS
@given(case_st, day_st, st.data())
def test_estimate_never_falls_when_a_price_rises(data, day, draw):
    data = _clean(data)
    plans_with_lines = [pid for pid, plan in data["plans"].items() if plan["lines"]]
    assume(plans_with_lines)
    pid = draw.draw(st.sampled_from(plans_with_lines))
    i = draw.draw(st.integers(0, len(data["plans"][pid]["lines"]) - 1))
    more = draw.draw(st.integers(1, 500_000))
    before = breakdown(copy.deepcopy(data), day)
    bigger = copy.deepcopy(data)
    bigger["plans"][pid]["lines"][i]["unit_price"] += more
    after = breakdown(bigger, day)
    # shared-system programs move a line between them: their sum never falls
    for p_id in before:
        share = RULES.program(p_id).shares_system
        if share and share["with"] in before:
            assert after[p_id]["subsidy"] + after[share["with"]]["subsidy"] >= \
                before[p_id]["subsidy"] + before[share["with"]]["subsidy"]
        else:
            assert after[p_id]["subsidy"] >= before[p_id]["subsidy"], p_id
    total_before = sum(p["subsidy"] for p in before.values())
    total_after = sum(p["subsidy"] for p in after.values())
    assert total_after >= total_before
