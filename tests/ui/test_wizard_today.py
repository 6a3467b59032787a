"""Issue 22 in the wizard: every page computes as of the app's clock, whatever day a file was saved on; another
day is a deliberate act (「別の日で計算…」) said on every page, the print and the workbook; a closed program says
what she can still do, and a program open with one more answer is offered with the way back to its question."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget, QWizard

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.compute.presenting import claimable_total

from ..reopened_case import CLINIC, FIXTURE_CLINIC, LATER, MADE

BANNER = "令和7年11月1日時点の計算です（今日ではありません）"


def _to_result(w):
    for _ in range(10):
        if w.currentPage() is w.result_page:
            return
        assert w.button(QWizard.WizardButton.NextButton).isEnabled(), w.currentPage().heading
        w.next()
    assert w.currentPage() is w.result_page


def _open(w, tmp_path, data=CLINIC):
    path = tmp_path / "case.ohshi.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert w.open_path(path)
    return path


def _then_total(rules, data=CLINIC):
    bd = compute(parse_case(data, rules), rules, MADE)
    return claimable_total(bd, set(data["plans"]))


def test_a_case_saved_on_another_day_opens_at_today_and_says_then_against_now(fx_wizard, tmp_path, fixture_rules, clock):
    from openpyxl import load_workbook

    from ohshi_desk.core.base.formatting import yen

    clock(LATER)
    then = _then_total(fixture_rules, FIXTURE_CLINIC)
    assert then > 0  # programs that were open then
    w = fx_wizard
    path = _open(w, tmp_path, FIXTURE_CLINIC)
    said = (f"この見積りは令和7年11月1日に作ったものです。今日（令和8年12月3日）で計算し直しました: "
            f"いま申請できる額は0円です（当時は{yen(then)}）")
    assert w.day() == LATER and w.made_on == MADE
    w.next()
    w.next()
    assert w.currentPage() is w.goals_page
    assert w.goals_page.made_on_banner.isVisible() and w.goals_page.made_on_banner.text() == said
    assert "受付中" not in "".join(lbl.text() for lbl in w.goals_page.whens.values() if lbl.text()
                                 and "テスト3" not in lbl.text())
    _to_result(w)
    rp = w.result_page
    assert rp.breakdown["as_of"] == LATER.isoformat()
    assert rp.total.text() == "いま申請できる見積り合計: 0円"
    assert rp.made_on_banner.isVisible() and rp.made_on_banner.text() == said
    assert not rp.day_banner.isVisible()  # today: not the other-day banner
    assert rp.day_label.text() == "令和8年12月3日時点の計算（今日）"
    html = w.breakdown_html()
    assert said in html and "いま申請できる補助の見積り合計: 0円" in html and "受付中" not in html
    book = tmp_path / "book.xlsx"
    assert w.export_path(book, ask=False) == book
    summary = load_workbook(book)["概要"]
    assert summary["A2"].value == "⚠ " + said
    values = load_workbook(book, data_only=True)
    sheet, cell = next(iter(values.defined_names["SubsidyTotalOpen"].destinations))
    assert values[sheet][cell.replace("$", "")].value == 0  # what can be applied for, as of today
    # saved again: the day it was made now, and no frozen as_of
    assert w.save_path(path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["made_on"] == LATER.isoformat() and "as_of" not in saved


def test_typing_or_turning_the_wheel_on_the_result_page_changes_no_day(wizard, tmp_path, qtbot, clock):
    clock(LATER)
    w = wizard
    _open(w, tmp_path)
    _to_result(w)
    rp = w.result_page
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    before = (w.day(), rp.breakdown["as_of"], rp.total.text())
    focus = QApplication.focusWidget()
    qtbot.keyClicks(focus, "2025")  # ASCII digits only (Japanese is never typed with keyClicks)
    qtbot.keyClick(focus, Qt.Key.Key_Up)
    for widget in [rp, *rp.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        for delta in (120, -120):
            event = QWheelEvent(QPointF(5, 5), QPointF(widget.mapToGlobal(QPoint(5, 5))), QPoint(0, 0),
                                QPoint(0, delta), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                Qt.ScrollPhase.NoScrollPhase, False)
            QApplication.sendEvent(widget, event)
    assert (w.day(), rp.breakdown["as_of"], rp.total.text()) == before
    assert not hasattr(rp, "date")  # no date field on the page at all


def test_another_day_chosen_on_purpose_is_said_on_every_page_and_in_both_outputs(wizard, tmp_path, rules, clock):
    from openpyxl import load_workbook

    from ohshi_desk.ui.pages.result import OtherDayDialog

    clock(LATER)
    w = wizard
    path = _open(w, tmp_path)
    _to_result(w)
    dialog = OtherDayDialog.build(w, w.day(), False)
    dialog.field.setText("2025/13/1")
    dialog.use_button.click()
    assert dialog.answer is None and dialog.problem.text()  # a day that is not a day: said in the dialog
    dialog.field.setText("2025/11/1")
    dialog.use_button.click()
    assert dialog.answer == (MADE, False)
    back = OtherDayDialog.build(w, MADE, True)
    assert back.keep.isChecked()  # a kept day is shown as kept
    back.today_button.click()
    assert back.answer == (None, False)
    w.set_other_day(*dialog.answer)
    rp = w.result_page
    assert rp.breakdown["as_of"] == MADE.isoformat()
    assert rp.total.text() == f"いま申請できる見積り合計: {_then_total(rules):,}円"  # the engine's own figure then
    assert not rp.made_on_banner.isVisible()  # 「今日で計算し直しました」 would not be true now
    assert BANNER in w.breakdown_html()
    book = tmp_path / "book.xlsx"
    w.export_path(book, ask=False)
    assert load_workbook(book)["概要"]["A2"].value == "⚠ " + BANNER
    seen = []
    while True:  # every page, on the way back
        page = w.currentPage()
        assert page.day_banner.isVisible() and page.day_banner.text() == BANNER, page.heading
        seen.append(page.heading)
        if w.currentId() == w.startId():
            break
        w.back()
    assert len(seen) >= 5
    # not the file's day unless she says so
    assert w.save_path(path)
    assert "as_of" not in json.loads(path.read_text(encoding="utf-8"))
    w.set_other_day(MADE, keep=True)
    assert w.save_path(path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["as_of"] == MADE.isoformat() and saved["made_on"] == LATER.isoformat()
    # opened again: today, the kept day offered in the dialog, and saved again as it was
    w.set_other_day(None)
    assert not w.result_page.day_banner.isVisible() and w.day() == LATER
    _open(w, tmp_path, saved)
    assert w.day() == LATER and w.file_as_of == MADE
    assert not w.facility_page.day_banner.isVisible()


def test_an_all_closed_clinic_gets_a_next_step_for_each_program_and_the_one_more_answer(fx_wizard, tmp_path, clock):
    from ohshi_desk.ui.pages.result import ClosedLine, Suggestion

    clock(LATER)
    w = fx_wizard
    _open(w, tmp_path, FIXTURE_CLINIC)
    _to_result(w)
    rp = w.result_page
    lines = [c for c in rp.cards_host.children() if isinstance(c, ClosedLine)]
    assert sorted(c.program["id"] for c in lines) == sorted(FIXTURE_CLINIC["plans"])
    for c in lines:
        assert c.steps.isVisible() and "「ルールを更新…」" in c.steps.text() and "0800-080-4583" in c.steps.text()
        assert "（受付終了・参考）" in c.text.text()
    p1 = next(c for c in lines if c.program["id"] == "fx_coupons")
    assert "スマホ保険証への対応は義務ではありません" in p1.steps.text()
    offers = [c for c in rp.cards_host.children() if isinstance(c, Suggestion)]
    assert len(offers) == 1 and offers[0].isVisible()
    assert "令和9年3月31日まで申請できます" in offers[0].text.text()
    assert "令和9年3月31日まで申請できます" in w.breakdown_html()
    offers[0].button.click()
    assert w.currentPage() is w.facility_page
    assert QApplication.focusWidget() is w.facility_page.questions["fx_done"].yes
    w.facility_page.questions["fx_done"].set_value(True)
    w.next()
    w.next()
    assert w.goals_page.boxes["fx_unit_table"].isEnabled()  # now offered as a goal


def test_the_goals_page_offers_the_one_more_answer_beside_its_bare_not_eligible(fx_wizard, tmp_path, clock):
    clock(LATER)
    w = fx_wizard
    _open(w, tmp_path, FIXTURE_CLINIC)
    w.next()
    w.next()
    reason = w.goals_page.reasons["fx_unit_table"].text()
    assert reason.startswith("対象外: ") and "令和9年3月31日まで申請できます" in reason


@pytest.mark.parametrize("legacy", [True, False])
def test_a_restore_after_a_crash_computes_as_of_today(fx_wizard, tmp_path, clock, legacy):
    """An older version's snapshot held the result page's day as as_of; a new one holds the chosen day, which a
    restore does not take back (the fixture_rules switch does: same session)."""
    from ohshi_desk.ui.wizard import OhshiWizard

    clock(LATER)
    w = fx_wizard
    _open(w, tmp_path, FIXTURE_CLINIC)
    w.set_other_day(MADE)
    snap = w.snapshot()
    if legacy:
        for key in ("other_day", "file_as_of", "made_on"):
            snap.pop(key)
        snap["as_of"] = MADE.isoformat()
    w2 = OhshiWizard(w.rules)
    w2.ask_before_close = False
    try:
        assert w2.restore(snap) == []
        assert w2.day() == LATER and w2.made_on == MADE
        _to_result(w2)
        assert w2.result_page.breakdown["as_of"] == LATER.isoformat()
        assert w2.result_page.total.text() == "いま申請できる見積り合計: 0円"
        assert "当時は" in w2.result_page.made_on_banner.text()
    finally:
        w2.deleteLater()


def test_the_rules_switch_keeps_the_day_chosen_on_purpose_and_its_banner(wizard, tmp_path, clock):
    from ohshi_desk.ui.rules_update import switch_rules

    clock(LATER)
    w = wizard
    _open(w, tmp_path)
    _to_result(w)
    w.set_other_day(MADE)
    new, _told, _aside = switch_rules(w)
    try:
        assert new.day() == MADE and new.currentPage() is new.result_page
        assert new.result_page.breakdown["as_of"] == MADE.isoformat()
        assert new.result_page.day_banner.isVisible() and new.result_page.day_banner.text() == BANNER
    finally:
        new.ask_before_close = False
        new.close()


def test_a_window_left_open_past_a_deadline_shows_prints_and_exports_the_new_day(fx_wizard, tmp_path, fixture_rules, clock):
    """The result page open on the estimate's day; the clock moves on past every deadline (midnight with the window
    open): when the app is active again — and before a print or an export — the figures are those of the new day."""
    from openpyxl import load_workbook

    clock(MADE)
    w = fx_wizard
    _open(w, tmp_path, FIXTURE_CLINIC)
    _to_result(w)
    rp = w.result_page
    then = _then_total(fixture_rules, FIXTURE_CLINIC)
    assert then > 0 and rp.total.text() == f"いま申請できる見積り合計: {then:,}円"
    assert rp.day_timer.isActive()  # it asks the clock again while shown
    clock(LATER)
    assert rp.is_stale()
    now = claimable_total(compute(parse_case(FIXTURE_CLINIC, fixture_rules), fixture_rules, LATER), set(FIXTURE_CLINIC["plans"]))
    assert now == 0  # every FY2025 program closed by then
    html = w.breakdown_html()  # the print asks first
    assert "計算の基準日: 令和8年12月3日" in html and "いま申請できる補助の見積り合計: 0円" in html
    assert rp.total.text() == "いま申請できる見積り合計: 0円" and not rp.is_stale()
    clock(MADE)
    QApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert rp.total.text() == f"いま申請できる見積り合計: {then:,}円"  # the app became active: the day is asked again
    clock(LATER)
    rp.day_timer.timeout.emit()  # the minute's check
    assert rp.total.text() == "いま申請できる見積り合計: 0円"
    book = tmp_path / "book.xlsx"
    assert w.export_path(book, ask=False)
    values = [c.value for row in load_workbook(book)["概要"].iter_rows() for c in row if c.value is not None]
    assert any("令和8年12月3日" in str(v) for v in values)


def test_a_file_that_keeps_a_day_of_its_own_is_computed_for_today_and_says_so(fx_wizard, tmp_path, fixture_rules, clock):
    """A case saved with 「この日を保存する」 (made_on and as_of): the window computes for today, not silently — the
    goals and result pages, the print and the workbook say the file's day and how to compute for it on purpose."""
    from openpyxl import load_workbook

    clock(LATER)
    w = fx_wizard
    _open(w, tmp_path, {**FIXTURE_CLINIC, "made_on": LATER.isoformat(), "as_of": MADE.isoformat()})
    assert w.day() == LATER and w.file_as_of == MADE
    said = "このファイルには計算の基準日（令和7年11月1日）が保存されています"
    _to_result(w)
    rp = w.result_page
    assert rp.made_on_banner.isVisible() and said in rp.made_on_banner.text()
    assert "「別の日で計算…」" in rp.made_on_banner.text()
    assert rp.total.text() == "いま申請できる見積り合計: 0円"  # today's figure, not the file day's
    assert said in w.breakdown_html()
    book = tmp_path / "book.xlsx"
    assert w.export_path(book, ask=False)
    values = [str(c.value) for row in load_workbook(book)["概要"].iter_rows() for c in row if c.value is not None]
    assert any(said in v for v in values)
    w.set_other_day(MADE, keep=True)  # on purpose: that day's figures, its own banner instead
    assert not rp.made_on_banner.isVisible() and rp.total.text() == f"いま申請できる見積り合計: {_then_total(fixture_rules, FIXTURE_CLINIC):,}円"
    w.set_other_day(None)  # back to today, the day no longer kept
    assert w.file_as_of is None and said not in rp.made_on_banner.text()


def test_the_goals_page_left_open_past_a_deadline_says_closed_when_looked_at_again(fx_wizard, tmp_path, clock):
    clock(MADE)
    w = fx_wizard
    _open(w, tmp_path, FIXTURE_CLINIC)
    w.next()
    w.next()
    gp = w.goals_page
    assert w.currentPage() is gp and gp.whens["fx_capped"].text().startswith("受付中")
    clock(LATER)  # the window stays open past every FY2025 deadline
    QApplication.instance().applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)
    assert gp.whens["fx_capped"].text().startswith("受付終了"), gp.whens["fx_capped"].text()
    clock(MADE)
    gp.day_timer.timeout.emit()  # the minute's check does the same
    assert gp.whens["fx_capped"].text().startswith("受付中")
