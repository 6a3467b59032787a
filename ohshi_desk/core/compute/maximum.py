"""The most a program could pay a facility, asked of the engine itself (Qt-free).

When a chosen program has no prices yet, the wizard shows this figure (「最大30,000円。購入金額を入れると計算します」)
rather than 0円. No rule is restated here: the engine is given every item at a price far above any cap, and
whatever it pays is the maximum under the current rules, caps, limits and rounding for this facility and day.
"""

from __future__ import annotations

import datetime as _dt

PROBE_PRICE = 100_000_000  # yen; above every cap in the notices
PROBE_QUANTITY = 10  # above every per-facility unit limit in the notices


def probe_case(case_data: dict, rules, program_id: str) -> dict:
    """What the maximum asks the engine: the case with only ``program_id``'s plan, its lines replaced by every item
    at a price above all caps, and the usage answers only when the program reads them (how many units the uses
    allow). A shallow copy: the caller's case is never changed, and the other plans' lines (a hospital has
    hundreds) are not copied for nothing (issue 28). The wizard keys its cache of maxima on it."""
    reads_usage = rules.program(program_id).uses_usage
    data = {k: v for k, v in case_data.items() if k != "plans" and (k != "usage" or reads_usage)}
    plan = dict((case_data.get("plans") or {}).get(program_id) or {})
    plan["lines"] = [{"item": it, "quantity": PROBE_QUANTITY, "unit_price": PROBE_PRICE} for it in rules.items]
    data["plans"] = {program_id: plan}
    return data


def program_maximum(case_data: dict, rules, day: _dt.date, program_id: str) -> int:
    """The subsidy the engine gives ``program_id`` when every item is bought at a price above all caps."""
    return maximum_of_probe(probe_case(case_data, rules, program_id), rules, day, program_id)


def maximum_of_probe(probe: dict, rules, day: _dt.date, program_id: str) -> int:
    """``program_maximum`` for a case already made by :func:`probe_case` (the wizard has it for its cache key)."""
    from ohshi_desk.core.case.model import parse_case
    from ohshi_desk.core.compute.engine import compute

    bd = compute(parse_case(probe, rules), rules, day)
    return next((p["subsidy"] for p in bd["programs"] if p["id"] == program_id), 0)
