"""次にやること as one checklist (issue 27 point 9): two open programs applied for at the same portal share most of
their steps; each step is said once, at the top of the result page and of the print, not again in each card."""

from __future__ import annotations

import datetime as dt
import re

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.compute.presenting import checklist, next_steps
from ohshi_desk.core.papers.print_sheet import case_sheet_html

# On the fixture rules with テスト5 (tests/fixtures/README.md), so that a change to a real program changes nothing here.
# On DAY テスト2 (coupon, its own portal), テスト1 and テスト5 (the same portal, the same deadline) are open.
DAY = dt.date(2025, 11, 1)
CASE = {"format": "ohshi-desk-case/1", "facility": {"kind": "hospital", "fx_visits": 1},
        "plans": {"fx_capped": {"lines": [{"item": "tablet", "unit_price": 40000}]},
                  "fx_aid_card": {"lines": [{"item": "receipt_system_change", "unit_price": 40000}]},
                  "fx_coupons": {}}}


def _breakdown(rules, plans=None):
    data = dict(CASE, plans=plans or CASE["plans"])
    return compute(parse_case(data, rules), rules, DAY)


def test_two_programs_sharing_steps_list_each_once_in_each_programs_order(fixture_rules_plus):
    rules = fixture_rules_plus
    b = _breakdown(rules)
    progs = {p["id"]: p for p in b["programs"]}
    assert {p["status"] for p in progs.values()} == {"open"}
    one, five = next_steps(progs["fx_capped"], rules), next_steps(progs["fx_aid_card"], rules)
    # the same portal, the same deadline: the same steps, but for the papers asked of the vendor (テスト5 has three)
    shared = [s for s in one if s in five]
    [own1] = [s for s in one if s not in five]
    [own5] = [s for s in five if s not in one]
    assert len(one) == len(five) == len(shared) + 1
    assert own1 == "ベンダーに「領収書内訳書（別紙様式2）」を頼む"
    assert own5 == "ベンダーに「領収書内訳書（別紙様式2）」、「システム改修に係るチェックシート」を頼む"
    items = checklist(b, rules)
    texts = [i["text"] for i in items]
    assert len(texts) == len(set(texts))  # no step twice
    everyone = set(next_steps(progs["fx_coupons"], rules)) | set(one) | set(five)
    assert set(texts) == everyone  # and none left out
    assert [t for t in texts if t in one] == one and [t for t in texts if t in five] == five  # each one's order kept
    # whom to ask, the last step of every program, is said once, last, without naming programs
    assert items[-1]["text"] == items[-1]["line"] and rules.call_center in items[-1]["text"]
    n1, n5 = (rules.program(pid).short_name for pid in ("fx_capped", "fx_aid_card"))
    for item in items[:-1]:  # the others say whom they are for
        assert item["line"].startswith(f"【{'・'.join(item['programs'])}】") and item["line"].endswith(item["text"])
    assert [i["programs"] for i in items if i["text"] in shared[:-1]] == [[n1, n5]] * (len(shared) - 1)
    assert [i["programs"] for i in items if i["text"] in (own1, own5)] == [[n1], [n5]]


def test_one_program_has_its_steps_as_they_are(fixture_rules_plus):
    rules = fixture_rules_plus
    b = _breakdown(rules, {"fx_capped": CASE["plans"]["fx_capped"]})
    p = next(p for p in b["programs"] if p["id"] == "fx_capped")
    assert [i["line"] for i in checklist(b, rules)] == next_steps(p, rules)
    # medical_portal's steps with テスト1's deadline, its paper for the vendor and the call centre filled in
    assert next_steps(p, rules) == [
        "「医療機関等向け総合ポータルサイト」にアカウントを登録する（まだの場合）",
        "機器の購入・改修をする（令和8年1月15日の申請期限に間に合うように）",
        "領収書を受け取り、申請まで大切に保管する",
        "ベンダーに「領収書内訳書（別紙様式2）」を頼む",
        "令和8年1月15日までに「医療機関等向け総合ポータルサイト」から申請する",
        f"分からないときは {rules.call_center}"]


def test_the_print_has_one_checklist_at_the_top(fixture_rules_plus):
    rules = fixture_rules_plus
    b = _breakdown(rules)
    html = case_sheet_html(CASE, b, rules, printed_on=DAY)
    assert html.count("次にやること") == 1
    assert html.index("次にやること") < html.index("入力内容") < html.index("いま申請できる制度")
    for item in checklist(b, rules):
        assert len(re.findall(re.escape(item["text"]), html)) == 1, item["text"]
