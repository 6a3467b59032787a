"""Issue 22 outside the window: a closed program says what she can still do (rules data), an open program one
answer away is offered, every output computed for a day that is not today says so, and the command line says
where its day came from."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from tests.reopened_case import CLINIC, FIXTURE_CLINIC, LATER, MADE, check_every_closed_text

from .conftest import FIXTURE_RULES
from .rules_edit import copy_rules, edit

ROOT = Path(__file__).resolve().parents[1]


def run(*args, rules_dir: Path | None = None):
    """The command line; on the rules folder ``rules_dir`` (OHSHI_RULES_DIR) when given, else the bundled rules."""
    env = {**os.environ, "OHSHI_RULES_DIR": str(rules_dir)} if rules_dir else None
    return subprocess.run([sys.executable, "-m", "ohshi_desk", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=env)


# ------------------------------------------------------------------------------------------------ command line

def test_the_command_line_says_where_its_day_came_from(tmp_path, clock):
    """On the fixture rules (テスト1・2 open on MADE, closed on LATER), so that a new edition of a real program
    open on LATER changes nothing here."""
    clock(LATER)
    case = tmp_path / "case.ohshi.json"
    case.write_text(json.dumps(FIXTURE_CLINIC, ensure_ascii=False), encoding="utf-8")
    proc = run("compute", str(case), rules_dir=FIXTURE_RULES)  # the case's as_of: the contract, and one line saying so
    out = json.loads(proc.stdout)
    assert proc.returncode == 0 and out["as_of"] == MADE.isoformat() and out["as_of_source"] == "case"
    # open on MADE: テスト1 171,000 (41,000 + 130,000 capped) × 3/4 = 128,250 → 128,000; テスト2 5,000 × 1/2 = 2,500
    assert [(p["id"], p["status"], p["subsidy"]) for p in out["programs"]] == [("fx_capped", "open", 128000),
                                                                              ("fx_coupons", "open", 2500)]
    told = proc.stderr.strip().splitlines()
    assert len(told) == 1 and "令和7年11月1日" in told[0] and "令和8年12月3日" in told[0], proc.stderr
    proc = run("compute", str(case), "--as-of", LATER.isoformat(), rules_dir=FIXTURE_RULES)
    out = json.loads(proc.stdout)
    assert (out["as_of"], out["as_of_source"], out["total_subsidy_open"], proc.stderr) == (
        LATER.isoformat(), "option", 0, "")
    assert {p["status"] for p in out["programs"]} == {"closed"}
    case.write_text(json.dumps({k: v for k, v in FIXTURE_CLINIC.items() if k != "as_of"}, ensure_ascii=False),
                    encoding="utf-8")
    proc = run("compute", str(case), rules_dir=FIXTURE_RULES)
    out = json.loads(proc.stdout)
    assert (out["as_of"], out["as_of_source"], proc.stderr) == (LATER.isoformat(), "today", "")
    clock(MADE)  # the case's own day being today is nothing to tell
    case.write_text(json.dumps(FIXTURE_CLINIC, ensure_ascii=False), encoding="utf-8")
    proc = run("compute", str(case), rules_dir=FIXTURE_RULES)
    assert json.loads(proc.stdout)["as_of_source"] == "case" and proc.stderr == ""


def test_an_export_on_the_case_day_says_it_is_not_today(tmp_path, clock):
    from openpyxl import load_workbook

    clock(LATER)
    case = tmp_path / "case.ohshi.json"
    case.write_text(json.dumps(CLINIC, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "book.xlsx"
    proc = run("export", str(case), "-o", str(out))
    assert proc.returncode == 0 and "令和7年11月1日" in proc.stderr
    assert load_workbook(out)["概要"]["A2"].value == "⚠ 令和7年11月1日時点の計算です（今日ではありません）"


# ------------------------------------------------------------------------------------------------ closed programs

def _closed_breakdown(rules, day=LATER, data=CLINIC):
    return compute(parse_case(data, rules), rules, day)


def test_every_closed_program_says_what_she_can_still_do(fixture_rules):
    """Each program, after its last window: the window ended (its date), a new round comes as a rules update and
    where its news appears, whom to ask; スマホ対応 says it is not required. All from rules data: the fixture rules
    (one program per method; three portals and 申請不要), every question answered so that each program is usable."""
    from ohshi_desk.core.compute.presenting import closed_steps

    rules = fixture_rules
    check_every_closed_text(rules, lambda _program: {"kind": "clinic", "fx_done": True, "fx_visits": 1})
    closed = {p["id"]: p for p in _closed_breakdown(rules, data=FIXTURE_CLINIC)["programs"]}
    assert closed_steps(closed["fx_coupons"], rules)[0] == "スマホ保険証への対応は義務ではありません"
    # テスト1: its own when_closed, then medical_portal's closed_steps with its end (2026-01-15) and the portal filled in
    assert closed_steps(closed["fx_capped"], rules) == [
        "補助の受付が終わっても、訪問診療等で患者さんからオンライン資格確認を求められた場合には応じる義務があります",
        "この回の受付は令和8年1月15日で終わりました。いまから申請することはできません",
        "新しい回の補助が決まると「医療機関等向け総合ポータルサイト」でお知らせされます",
        "新しい回の補助は、ohshi-desk の「ルールを更新…」で新しいルールを取り込むと見積りできます",
        f"分からないときは {rules.call_center}"]


def test_an_open_program_one_answer_away_is_offered(rules):
    from ohshi_desk.core.compute.presenting import one_more_answer

    case = parse_case(CLINIC, rules)  # 健診実施機関 not answered
    found = one_more_answer(case, rules, LATER)
    assert [(s["program"], s["flag"]) for s in found] == [("checkup_limited_check", "checkup_provider")]
    assert found[0]["text"] == ("特定健診・特定保健指導を実施していれば、「健診実施機関のオンライン資格確認（資格確認限定型）」は"
                                "令和9年2月1日まで申請できます")
    no = parse_case({**CLINIC, "facility": {**CLINIC["facility"], "checkup_provider": False}}, rules)
    assert one_more_answer(no, rules, LATER) == []  # answered いいえ: not one answer away
    yes = parse_case({**CLINIC, "facility": {**CLINIC["facility"], "checkup_provider": True}}, rules)
    assert one_more_answer(yes, rules, LATER) == []  # already usable: nothing to offer
    assert one_more_answer(case, rules, dt.date(2027, 3, 1)) == []  # closed then too: nothing on offer


def test_the_print_marks_closed_amounts_and_says_another_day(fixture_rules, clock):
    from ohshi_desk.core.papers.print_sheet import case_sheet_html

    clock(LATER)
    bd = _closed_breakdown(fixture_rules, data=FIXTURE_CLINIC)
    html = case_sheet_html(FIXTURE_CLINIC, bd, fixture_rules, printed_on=LATER)
    assert "今日ではありません" not in html  # computed for today: no banner
    assert "いま申請できる補助の見積り合計: 0円" in html
    assert "補助の対象（受付終了・参考）" in html  # the lines' column never reads as claimable
    assert "（受付終了・参考）</td>" in html and "いまできること" in html and "「ルールを更新…」" in html
    then = _closed_breakdown(fixture_rules, MADE, FIXTURE_CLINIC)
    html = case_sheet_html(FIXTURE_CLINIC, then, fixture_rules, printed_on=LATER, banners=["ほかの注意"])
    assert html.index("令和7年11月1日時点の計算です（今日ではありません）") < html.index("いま申請できる補助の見積り合計")
    assert "ほかの注意" in html


def test_the_workbook_marks_closed_amounts_and_says_another_day(tmp_path, fixture_rules, clock):
    from openpyxl import load_workbook

    from ohshi_desk.core.workbook.layout import COL, DETAIL_FIRST
    from ohshi_desk.core.workbook.write import export_case

    clock(LATER)
    out = tmp_path / "today.xlsx"
    bd = export_case(parse_case(FIXTURE_CLINIC, fixture_rules), fixture_rules, out, LATER)
    ws = load_workbook(out)["概要"]
    assert ws["A2"].value is None  # today: no banner
    rows = {ws.cell(r, 1).value: r for r in range(12, 12 + len(bd["programs"]))}
    for p in bd["programs"]:
        assert p["status"] == "closed"
        for col in (4, 6, 7):
            assert "（受付終了・参考）" in ws.cell(rows[p["name"]], col).number_format
    reasons = [load_workbook(out)["明細"].cell(r, COL["見積りの理由（ohshi-desk）"]).value
               for r in range(DETAIL_FIRST, DETAIL_FIRST + sum(len(p["lines"]) for p in FIXTURE_CLINIC["plans"].values()))]
    assert all(r.startswith("（受付終了・参考）") for r in reasons), reasons
    out = tmp_path / "then.xlsx"
    bd = export_case(parse_case(FIXTURE_CLINIC, fixture_rules), fixture_rules, out, MADE, banners=["この見積りは…"])
    ws = load_workbook(out)["概要"]
    assert ws["A2"].value == "⚠ 令和7年11月1日時点の計算です（今日ではありません）　この見積りは…"
    assert all("受付終了" not in ws.cell(r, 7).number_format for r in range(12, 12 + len(bd["programs"])))


# ------------------------------------------------------------------------------------------------ the rules schema

@pytest.mark.parametrize("rel, old, new, words", [
    ("programs/p1_smartphone_reader.yaml", "cite: s000_mhlw, confidence: source}", "confidence: source}",
     ["p1_smartphone_reader.yaml", "cite"]),
    ("programs/p1_smartphone_reader.yaml", "cite: s000_mhlw, confidence: source}", "cite: nowhere, confidence: source}",
     ["p1_smartphone_reader.yaml", "when_closed[0].cite", "nowhere"]),
    ("portals.yaml", "    closed_steps_cite: s001_mhlw", "    closed_steps_cite: nowhere",
     ["portals.yaml", "closed_steps_cite", "nowhere"]),
    ("portals.yaml", "    closed_steps:\n      - この回の受付は", "    closed_step:\n      - この回の受付は",
     ["portals.yaml", "closed_step"]),
    ("facility_kinds.yaml", "    if_yes: 特定健診", "    if_yes: 1\n    if_no: 特定健診", ["facility_kinds.yaml"]),
])
def test_the_new_rules_keys_are_checked(tmp_path, rel, old, new, words):
    from ohshi_desk.core.rules.build import RulesError, load_rules

    folder = copy_rules(tmp_path / "rules")
    edit(folder, rel, old, new)
    with pytest.raises(RulesError) as err:
        load_rules(folder)
    for w in words:
        assert w in str(err.value), str(err.value)


def test_a_program_paid_without_application_is_marked_in_its_own_words_when_over(rules):
    """P8 is not applied for (申請不要): once its paying period is over, its amounts are marked 「（申請不要・支給期間終了・
    参考）」 from its rules' status label — never 「受付終了」, which would say there had been a window to apply in."""
    from ohshi_desk.core.compute.presenting import closed_line, closed_mark
    from ohshi_desk.core.papers.print_sheet import case_sheet_html

    data = {**CLINIC, "usage": {"oct2023_receipts": 1000, "oct2023_rate_percent": 4.0, "oct2023_users": 40,
                                "best_month_users_2024": 200, "peak_monthly_uses": 600},
            "plans": {**CLINIC["plans"], "usage_bonus": {}}}
    bd = compute(parse_case(data, rules), rules, LATER)
    p8 = next(p for p in bd["programs"] if p["id"] == "usage_bonus")
    p2 = next(p for p in bd["programs"] if p["id"] != "usage_bonus")
    assert p8["status"] == p2["status"] == "closed"
    label = rules.program("usage_bonus").status_labels["closed"]
    assert closed_mark(p8) == f"（{label}・参考）" and "受付終了" not in closed_mark(p8)
    assert closed_mark(p2) == "（受付終了・参考）"
    assert closed_line(p8).endswith(f"（{label}・参考）") and "締切" not in closed_line(p8)
    html = case_sheet_html(data, bd, rules, printed_on=LATER)
    assert f"（{label}・参考）" in html


def test_a_question_declared_only_in_the_rules_is_offered_as_the_one_more_answer(tmp_path):
    """The one-more-answer offer comes from the rules alone: a new facility question with ``if_yes``, read by an
    open program, is offered with no Python (the two questions the case format names are not special)."""
    from ohshi_desk.core.compute.presenting import one_more_answer
    from ohshi_desk.core.rules.build import load_rules

    folder = copy_rules(tmp_path / "rules")
    edit(folder, "facility_kinds.yaml", "flags:\n", "flags:\n  runs_checkups:\n    label: 健診を行っている\n"
         "    help: 健診を行っている施設です\n    read_by: [checkup_limited_check]\n"
         "    if_yes: 健診を行っていれば、「{program}」は{deadline}まで申請できます\n", exactly_once=True)
    edit(folder, "programs/p6_checkup_limited_check.yaml", "flags: [checkup_provider]", "flags: [runs_checkups]")
    edit(folder, "facility_kinds.yaml", "read_by: [checkup_limited_check]\n    # offered", "read_by: []\n    # offered")
    rules = load_rules(folder, cache_dir=False)
    found = one_more_answer(parse_case(CLINIC, rules), rules, LATER)
    assert [(s["program"], s["flag"]) for s in found] == [("checkup_limited_check", "runs_checkups")]
    assert found[0]["text"].startswith("健診を行っていれば、「健診実施機関の")
    answered = {**CLINIC, "facility": {**CLINIC["facility"], "runs_checkups": True}}
    assert one_more_answer(parse_case(answered, rules), rules, LATER) == []  # usable now: nothing to offer


def test_the_workbook_marks_a_program_paid_without_application_in_its_own_words(tmp_path, rules, clock):
    from openpyxl import load_workbook

    from ohshi_desk.core.workbook.write import export_case

    clock(LATER)
    data = {**CLINIC, "usage": {"oct2023_receipts": 1000, "oct2023_rate_percent": 4.0, "oct2023_users": 40,
                                "best_month_users_2024": 200, "peak_monthly_uses": 600},
            "plans": {**CLINIC["plans"], "usage_bonus": {}}}
    out = tmp_path / "book.xlsx"
    export_case(parse_case(data, rules), rules, out, LATER)
    label = rules.program("usage_bonus").status_labels["closed"]
    ws = load_workbook(out)["概要"]
    formats = {c.number_format for row in ws.iter_rows() if row[0].value == rules.program("usage_bonus").name
               for c in row}
    assert any(f"（{label}・参考）" in f for f in formats) and not any("受付終了" in f for f in formats), formats
