"""次にやること as one checklist (issue 27 point 9): two open programs applied for at the same portal share most of
their steps; each step is said once, at the top of the result page and of the print, not again in each card."""

from __future__ import annotations

import datetime as dt
import re

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.compute.presenting import checklist, next_steps
from ohshi_desk.core.papers.print_sheet import case_sheet_html

DAY = dt.date(2025, 11, 1)  # P1 (coupon, its own portal), P2 and P3 (the same portal) open
CASE = {"format": "ohshi-desk-case/1", "facility": {"kind": "hospital"},
        "plans": {"home_visit": {"lines": [{"item": "tablet", "unit_price": 40000}]},
                  "online_care": {"lines": [{"item": "tablet", "unit_price": 40000}]},
                  "smartphone_reader": {}}}


def _breakdown(rules, plans=None):
    data = dict(CASE, plans=plans or CASE["plans"])
    return compute(parse_case(data, rules), rules, DAY)


def test_two_programs_sharing_steps_list_each_once_in_each_programs_order(rules):
    b = _breakdown(rules)
    progs = {p["id"]: p for p in b["programs"]}
    assert {p["status"] for p in progs.values()} == {"open"}
    shared = next_steps(progs["home_visit"], rules)
    assert shared == next_steps(progs["online_care"], rules)  # the same portal, the same deadline
    items = checklist(b, rules)
    texts = [i["text"] for i in items]
    assert len(texts) == len(set(texts))  # no step twice
    everyone = set(next_steps(progs["smartphone_reader"], rules)) | set(shared)
    assert set(texts) == everyone  # and none left out
    assert [t for t in texts if t in shared] == shared  # each program's own order is kept
    # whom to ask, the last step of every program, is said once, last, without naming programs
    assert items[-1]["text"] == items[-1]["line"] and rules.call_center in items[-1]["text"]
    hv, oc = (rules.program(pid).short_name for pid in ("home_visit", "online_care"))
    for item in items[:-1]:  # the others say whom they are for
        assert item["line"].startswith(f"【{'・'.join(item['programs'])}】") and item["line"].endswith(item["text"])
    assert [i["programs"] for i in items if i["text"] in shared[:-1]] == [[hv, oc]] * (len(shared) - 1)


def test_one_program_has_its_steps_as_they_are(rules):
    b = _breakdown(rules, {"home_visit": CASE["plans"]["home_visit"]})
    p = next(p for p in b["programs"] if p["id"] == "home_visit")
    assert [i["line"] for i in checklist(b, rules)] == next_steps(p, rules)


def test_the_print_has_one_checklist_at_the_top(rules):
    b = _breakdown(rules)
    html = case_sheet_html(CASE, b, rules, printed_on=DAY)
    assert html.count("次にやること") == 1
    assert html.index("次にやること") < html.index("入力内容") < html.index("いま申請できる制度")
    for item in checklist(b, rules):
        assert len(re.findall(re.escape(item["text"]), html)) == 1, item["text"]
