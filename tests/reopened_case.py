"""A clinic's estimate made on one day and opened again on another (issue 22), shared by the core and the wizard
tests of the day of the estimate."""

from __future__ import annotations

import datetime as dt

MADE = dt.date(2025, 11, 1)  # the day the estimate was made
LATER = dt.date(2026, 12, 3)  # the day it is opened again: every FY2025 program closed, P6 open to 2027-02-01

CLINIC = {
    "format": "ohshi-desk-case/1", "as_of": MADE.isoformat(),
    "facility": {"name": "やまだ内科", "kind": "clinic", "prefecture": "大分県", "obligation_exempt": False},
    "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
    "plans": {
        "smartphone_reader": {"lines": [{"item": "generic_reader", "quantity": 1, "unit_price": 5000}]},
        "home_visit": {"lines": [{"item": "mobile_terminal", "quantity": 1, "unit_price": 60000},
                                 {"item": "receipt_system_change", "quantity": 1, "unit_price": 300000}]},
        "medical_aid_card": {"option": "both",
                             "lines": [{"item": "receipt_system_change", "quantity": 1, "unit_price": 850000}]},
    },
}

# The same clinic on the fixture rules (tests/fixtures/README.md), for the wizard's tests of the day: テスト1・2 open
# on MADE and closed on LATER, テスト3 open on LATER once its yes/no question is answered (the one more answer).
FIXTURE_CLINIC = {
    "format": "ohshi-desk-case/1", "as_of": MADE.isoformat(),
    "facility": {"name": "やまだ内科", "kind": "clinic", "prefecture": "大分県", "fx_visits": 2},
    "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
    "plans": {
        "fx_coupons": {"lines": [{"item": "generic_reader", "quantity": 1, "unit_price": 5000}]},
        "fx_capped": {"option": "wide", "lines": [{"item": "mobile_terminal", "quantity": 1, "unit_price": 60000},
                                                  {"item": "receipt_system_change", "quantity": 1, "unit_price": 300000}]},
    },
}


def check_every_closed_text(rules, facility_for) -> None:
    """Each program of ``rules``, the day after its last window, for the facility ``facility_for(program)``: closed,
    and its steps name that day's end, the rules update and whom to ask, and, when it is applied for at a portal,
    where news of a new round appears (shared by the behaviour's test on the fixture rules and the real rules' own)."""
    from ohshi_desk.core.base.formatting import wareki
    from ohshi_desk.core.case.model import parse_case
    from ohshi_desk.core.compute.engine import compute
    from ohshi_desk.core.compute.presenting import closed_steps

    for program in rules.programs:
        last = max(program.editions, key=lambda e: e.end_date)
        data = {"format": "ohshi-desk-case/1", "facility": facility_for(program),
                "plans": {program.id: {}}, "usage": {"oct2023_receipts": 100}}
        p = next(x for x in compute(parse_case(data, rules), rules, last.end_date + dt.timedelta(days=1))["programs"]
                 if x["id"] == program.id)
        assert p["status"] == "closed", program.id
        text = "\n".join(closed_steps(p, rules))
        assert wareki(last.end_date) in text, (program.id, text)
        assert "「ルールを更新…」" in text and rules.call_center in text, (program.id, text)
        if p["portal"]["id"] != "none":  # applied for at a portal: where news of a new round appears
            assert "ポータルサイト" in text, (program.id, text)
