"""Issue 14 point 8: the screen, the print and the workbook say the same corrected texts — dates the notice does
not state marked 「（目安）」, a program's own status words (「申請不要・支給期間終了」), documents the notice does not
name said so, and closed programs apart from the totals. The texts come from the shared breakdown
(core/breakdown.py), never from a page. On the fixture rules (tests/fixtures/README.md)."""

from __future__ import annotations

import datetime as dt

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.papers.print_html import breakdown_html
from ohshi_desk.core.workbook.write import build_workbook

CASE = {
    "format": "ohshi-desk-case/1",
    "facility": {"name": "テスト医院", "kind": "clinic", "fx_done": True, "fx_visits": 1},
    "face_reader": {"maker": "panasonic"},
    "usage": {"oct2023_receipts": 1000, "oct2023_rate_percent": 4, "oct2023_users": 40, "best_month_users_2024": 200,
              "peak_monthly_uses": 600},
    "plans": {
        "fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 40000}]},
        "fx_coupons": {"lines": [{"item": "generic_reader", "unit_price": 5000}]},
        "fx_unit_table": {"lines": [{"item": "face_reader", "unit_price": 100000}]},
        "fx_usage_bonus": {},
    },
}
DAY = dt.date(2025, 9, 1)
EXPECTED_STATUS = {
    "fx_capped": "受付中（令和8年1月15日まで）",                   # the end is stated
    "fx_coupons": "受付中（令和8年1月31日（目安）まで）",          # its end is not the notice's (secondary)
    "fx_unit_table": "受付前（令和8年4月1日から）",                # the start is stated
    "fx_usage_bonus": "申請不要・支給期間終了（令和6年8月31日まで）",  # paid without application
}
BREAKDOWN_DOC = "領収書内訳書（別紙様式2）（通知に書類名はありませんが、念のため用意してください）"  # テスト1's, secondary
# open: テスト1 40,000 × 3/4 = 30,000 + テスト2 one coupon 5,000 × 1/2 = 2,500; not yet open: テスト3 one reader (600
# uses ≥ 500) 100,000 × 1/2 = 50,000; closed: テスト4 4% (3 - 5%), 200 − 40 = 160 more users ≥ 160 → 200,000
TOTALS = ["いま申請できる補助の見積り合計: 32,500円",
          "受付前の補助（受付が始まってから申請）: 50,000円",
          "終了した制度（参考計算・合計に含めません）: 200,000円"]


def _breakdown(rules):
    return compute(parse_case(CASE, rules), rules, DAY)


def test_print_says_the_corrected_texts(fixture_rules):
    html = breakdown_html(_breakdown(fixture_rules))
    for text in [*EXPECTED_STATUS.values(), BREAKDOWN_DOC, *TOTALS]:
        assert text in html, text
    assert "受付前・終了分を含む合計" not in html


def test_workbook_says_the_same_texts(fixture_rules):
    bd = _breakdown(fixture_rules)
    wb = build_workbook(parse_case(CASE, fixture_rules), bd, fixture_rules)
    cells = [str(v) for ws in wb.sheets for (_k, v, _s, _c) in ws.cells.values() if v is not None]
    for text in [*EXPECTED_STATUS.values(), BREAKDOWN_DOC, "令和7年5月12日（目安）〜令和8年1月15日",
                 "令和7年8月29日〜令和8年1月31日（目安）", "申請不要・支給期間終了", "うち終了した制度（参考計算）"]:
        assert any(text in c for c in cells), text


def test_the_wizard_screen_and_its_printout_say_the_same_texts(fx_wizard, tmp_path, clock):
    """The same case opened in the wizard on the same day: the result page and the wizard's own printout (the
    one 印刷・PDF makes) carry the corrected texts and the same claimable total."""
    import json

    from PySide6.QtWidgets import QLabel

    clock(DAY)
    path = tmp_path / "case.ohshi.json"
    path.write_text(json.dumps({**CASE, "as_of": DAY.isoformat()}, ensure_ascii=False), encoding="utf-8")
    w = fx_wizard
    assert w.open_path(path)
    for _ in range(10):
        if w.currentPage() is w.result_page:
            break
        w.next()
    assert w.currentPage() is w.result_page
    screen = "\n".join(lbl.text() for lbl in w.result_page.findChildren(QLabel))
    printed = w.breakdown_html()
    for text in ["令和8年1月31日（目安）", "申請不要・支給期間終了", BREAKDOWN_DOC]:
        assert text in screen, text
        assert text in printed, text
    assert "いま申請できる見積り合計: 32,500円" in screen
    assert "いま申請できる補助の見積り合計: 32,500円" in printed
