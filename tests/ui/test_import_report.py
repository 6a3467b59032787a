"""取り込み結果: opening a workbook a vendor filled in shows what changed since the estimate and what could not be
read (with sheet/row/column); a workbook nobody changed shows nothing."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.workbook.layout import COL, DETAIL_FIRST
from ohshi_desk.core.workbook.write import export_case


@pytest.fixture(scope="module")
def rules(fixture_rules):
    """Opening a vendor's workbook needs some program, not the real ones (tests/fixtures/README.md)."""
    return fixture_rules


CASE = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "name": "やまだ内科"},
        "plans": {"fx_capped": {"lines": [{"item": "mobile_terminal", "unit_price": 40000, "vendor": "A社"}]}}}


def test_a_vendors_workbook_shows_the_changes_and_what_was_not_read(wizard, qtbot, tmp_path, rules):
    book = tmp_path / "book.xlsx"
    export_case(parse_case(CASE, rules), rules, book)
    wb = load_workbook(book)
    ws = wb["明細"]
    ws.cell(DETAIL_FIRST, COL["単価（税込）"]).value = 38000
    ws.cell(DETAIL_FIRST + 1, COL["内訳（品名・型番）"]).value = "設定作業"  # no 補助制度/項目
    ws.cell(DETAIL_FIRST + 1, COL["単価（税込）"]).value = 8000
    wb.save(book)
    assert wizard.open_path(book)
    qtbot.waitUntil(lambda: wizard.import_report is not None and wizard.import_report.isVisible())
    report = wizard.import_report
    top = report.changes.topLevelItem(0)
    lower = {**CASE, "plans": {"fx_capped": {"lines": [{**CASE["plans"]["fx_capped"]["lines"][0], "unit_price": 38000}]}}}
    before, after = (compute(parse_case(d, rules), rules, wizard.as_of)["programs"] for d in (CASE, lower))
    before, after = (next(p["subsidy"] for p in ps if p["id"] == "fx_capped") for ps in (before, after))
    assert before != after and top.text(1) == f"{before:,}円 → {after:,}円"
    assert top.child(0).text(1) == "1点 × 40,000円 → 1点 × 38,000円"
    notice = report.notices.item(0).text().split("\n")
    assert notice[0] == f"明細 シート {DETAIL_FIRST + 1}行目「補助制度」"
    assert "計算に入れませんでした" in notice[2]
    report.close()


def test_an_untouched_workbook_shows_nothing(wizard, tmp_path, rules):
    book = tmp_path / "book.xlsx"
    export_case(parse_case(CASE, rules), rules, book)
    assert wizard.open_path(book)
    assert wizard.import_report is None


def test_the_clinics_usage_figures_stay_when_a_vendors_workbook_is_opened(wizard, tmp_path, rules):
    import json

    usage = {"oct2023_receipts": 1000, "oct2023_rate_percent": 4}
    own = tmp_path / "case.ohshi.json"
    own.write_text(json.dumps({**CASE, "usage": usage}, ensure_ascii=False), encoding="utf-8")
    assert wizard.open_path(own)
    book = tmp_path / "book.xlsx"
    export_case(parse_case({**CASE, "usage": usage}, rules), rules, book)
    assert wizard.open_path(book)
    assert wizard.case_data()["usage"] == usage  # the workbook did not carry them; the open case's are kept
    assert any("利用実績" in t for t in wizard.import_report.texts())
    wizard.import_report.close()


def test_a_second_clinics_workbook_does_not_take_the_first_clinics_usage(wizard, tmp_path, rules):
    """Issue 23: clinic A's case open, then clinic B's returned workbook: B's estimate was computed with A's 利用実績
    (243,240円 shown instead of 123,240円, no notice). Now B's usage stays empty, and the report says why."""
    import json

    from ohshi_desk.core.compute.engine import compute

    usage = {"oct2023_receipts": 1000, "oct2023_rate_percent": 4}
    a = {**CASE, "facility": {**CASE["facility"], "name": "Aクリニック"}, "usage": usage}
    own = tmp_path / "a.ohshi.json"
    own.write_text(json.dumps(a, ensure_ascii=False), encoding="utf-8")
    assert wizard.open_path(own)
    b = {**CASE, "facility": {**CASE["facility"], "name": "Bクリニック"}}
    book = tmp_path / "b.xlsx"
    export_case(parse_case({**b, "usage": {"oct2023_receipts": 10, "oct2023_rate_percent": 1}}, rules), rules, book)
    assert wizard.open_path(book)  # B's workbook for vendors: B's usage withheld from it
    shown = wizard.case_data()
    assert shown["facility"]["name"] == "Bクリニック" and not shown.get("usage")
    assert compute(parse_case(shown, rules), rules)["total_subsidy"] == compute(parse_case(b, rules), rules)["total_subsidy"]
    texts = wizard.import_report.texts()
    assert any("Aクリニック" in t and "引き継いでいません" in t for t in texts), texts
    wizard.import_report.close()


def _opened_with_a_discount(wizard, tmp_path, rules) -> None:
    """The case's workbook with a vendor's 金額 of 35,000 on its first line, opened in the wizard."""
    book = tmp_path / "book.xlsx"
    export_case(parse_case(CASE, rules), rules, book)
    wb = load_workbook(book)
    wb["明細"].cell(DETAIL_FIRST, COL["金額"]).value = 35000  # a discount
    wb.save(book)
    assert wizard.open_path(book)
    wizard.import_report.close()


def test_a_vendors_discount_holds_until_the_line_is_edited_in_the_wizard(wizard, tmp_path, rules):
    from .driver import commit

    _opened_with_a_discount(wizard, tmp_path, rules)
    assert wizard.case_data()["plans"]["fx_capped"]["lines"][0]["amount"] == 35000  # kept, untouched
    row = wizard.plans_page.editors["fx_capped"].rows[0]
    row.price.clear()
    commit(row.price, "39000")  # the clinic changes the price: the discount on the old price no longer holds
    line = wizard.case_data()["plans"]["fx_capped"]["lines"][0]
    assert line["unit_price"] == 39000 and "amount" not in line


def test_a_discount_dropped_by_an_edit_stays_dropped_after_a_restore(wizard, tmp_path, rules, qtbot):
    """The autosave of an edited line carries no vendor's 金額, so a crash (or a rules switch) cannot bring it back."""
    from ohshi_desk.ui.wizard import OhshiWizard

    from .driver import commit

    _opened_with_a_discount(wizard, tmp_path, rules)
    assert wizard.snapshot()["plans"]["fx_capped"]["lines"][0]["amount"] == 35000  # untouched: it travels
    row = wizard.plans_page.editors["fx_capped"].rows[0]
    row.price.clear()
    commit(row.price, "39000")
    snap = wizard.snapshot()
    assert "amount" not in snap["plans"]["fx_capped"]["lines"][0]
    again = OhshiWizard(rules)
    again.ask_before_close = False
    qtbot.addWidget(again)
    assert again.restore(snap) == []
    line = again.case_data()["plans"]["fx_capped"]["lines"][0]
    assert line["unit_price"] == 39000 and "amount" not in line


def test_the_report_is_headed_by_what_it_holds_and_fits_the_screen(qtbot):
    """読まなかった記入 apart from what was read in a stated way; the dialog no larger than the screen's free area
    (offscreen: 800×600, smaller than the 980×600 it wishes), 閉じる inside it."""
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

    from ohshi_desk.core.workbook.read_cells import Notice
    from ohshi_desk.ui.import_report import ImportReport

    notices = [Notice("明細", 5, "補助制度", "補助制度と項目が空の行です", "計算に入れませんでした。補助制度と項目を一覧から選んでください"),
               Notice("明細", 4, "単価（税込）", "単価に式が入っています", "保存されていた式の値 6,050円 で読みました"),
               Notice("概要", 3, None, "「大分市」が書かれています", "読みませんでした")]
    report = ImportReport([], notices)
    qtbot.addWidget(report)
    report.show()
    qtbot.waitUntil(report.isVisible)
    heads = [w.text() for w in report.findChildren(QLabel)]
    assert "読まなかった記入（2件）" in heads and "読み方を決めて読んだところ（1件）" in heads
    assert report.notices.count() == 2 and "6,050円" in report.noted.item(0).text()
    avail = QApplication.primaryScreen().availableGeometry()
    assert report.width() <= avail.width() and report.height() <= avail.height()
    close = report.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    qtbot.waitUntil(lambda: report.rect().contains(close.geometry().translated(close.parentWidget().pos())))
    report.close()
