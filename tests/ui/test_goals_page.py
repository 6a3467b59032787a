"""The goals page: what is claimable now, closed programs folded to one line, the facility's own goals first, a changed
answer that drops goals says so."""

from __future__ import annotations

import datetime as dt

import pytest

from ohshi_desk.ui.pages import GOALS, PLANS, READER, RESULT

from .driver import commit, facility, next_page, result_cards, set_result_date


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2025, 6, 1), "受付前・令和7年8月29日から受付"),
    (dt.date(2026, 11, 23), "受付終了・令和8年1月31日（目安）で締切"),  # P1's end is not in the notice
])
def test_a_goal_that_is_not_needed_still_says_whether_it_is_open(wizard, clock, day, expected):
    """A Canon clinic does not need P1; beside its goal the window says closed / not yet open, not a bare period."""
    clock(day)
    w = wizard
    facility(w, "clinic", "キヤノン医院")
    next_page(w, READER)
    w.reader_page.buttons["canon"].setChecked(True)
    next_page(w, GOALS)
    assert w.goals_page.reasons["smartphone_reader"].text().startswith("不要")
    assert w.goals_page.whens["smartphone_reader"].text() == expected


def test_closed_programs_fold_to_one_line_and_never_count_as_claimable(fx_wizard):
    w = fx_wizard
    facility(w, "hospital", "べっぷ中央病院")
    next_page(w, READER)
    next_page(w, GOALS)
    # status and deadline beside each goal (the suite's day is 2026-11-23: the fixture's テスト1 closed on 2026-01-15)
    assert "受付終了" in w.goals_page.whens["fx_capped"].text()
    assert "令和8年1月15日" in w.goals_page.whens["fx_capped"].text()
    w.goals_page.boxes["fx_capped"].setChecked(True)
    next_page(w, PLANS)
    hv = w.plans_page.editors["fx_capped"]
    hv.rows[0].quantity.setText("2")
    commit(hv.rows[0].price, "25,000")
    commit(hv.rows[1].price, "80万円")
    next_page(w, RESULT)
    assert w.result_page.breakdown["total_subsidy"] == 411000  # the engine's figure, reference only
    assert w.result_page.total.text() == "いま申請できる見積り合計: 0円"
    line = result_cards(w)["fx_capped"]
    assert type(line).__name__ == "ClosedLine" and not hasattr(line, "amount")
    assert "令和8年1月15日で締切。現在は申請できません。参考額 411,000円（受付終了・参考）" in line.text.text()
    # the same case while it was open: a full card on top, counted, with the days left
    set_result_date(w, dt.date(2025, 12, 16))
    card = result_cards(w)["fx_capped"]
    assert card.amount.text() == "見積額 411,000円" and "あと30日" in card.when.text()
    assert "411,000円" in w.result_page.total.text()


def test_a_checkup_centre_with_the_question_unanswered_is_told_what_to_do(wizard):
    w = wizard
    facility(w, "other", "べっぷ健診センター")  # 健診 left unanswered
    next_page(w, READER)
    next_page(w, GOALS)
    assert not any(b.isEnabled() for b in w.goals_page.boxes.values())
    assert "戻る" in w.goals_page.missing_line.text()
    assert "未回答" in w.goals_page.reasons["checkup_limited_check"].text()


def test_a_changed_answer_that_drops_goals_says_so_and_can_be_undone(fx_wizard):
    w = fx_wizard
    facility(w, "clinic")
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["fx_capped"].setChecked(True)
    w.back()
    w.back()
    w.facility_page.kind.setCurrentIndex(w.facility_page.kind.findData("other"))
    next_page(w, READER)
    next_page(w, GOALS)
    assert not w.goals_page.boxes["fx_capped"].isChecked()
    assert w.goals_page.dropped_box.isVisible() and "外しました" in w.goals_page.dropped_text.text()
    w.goals_page.undo_button.click()
    assert w.facility_page.kind.currentData() == "clinic"
    assert w.goals_page.boxes["fx_capped"].isChecked() and not w.goals_page.dropped_box.isVisible()


def test_a_checkup_centre_sees_its_goal_first_and_the_others_folded_in_one_line(wizard, qtbot):
    w = wizard
    facility(w, "other", "べっぷ健診センター", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    gp = w.goals_page
    open_ = [pid for pid, b in gp.boxes.items() if b.isEnabled()]
    closed = [pid for pid in gp.boxes if pid not in open_]
    assert open_ and closed
    assert gp.fold_button.isVisible() and gp.fold_button.text().endswith(f"この施設が対象外の制度（{len(closed)}件）")
    assert all(gp.boxes[pid].isVisible() for pid in open_)
    assert not any(gp.boxes[pid].isVisible() for pid in closed)  # folded, not in the way
    area = gp.scroll_area
    for pid in open_:  # the goal it can have is in view without scrolling
        box = gp.boxes[pid]
        top = box.mapTo(area.viewport(), box.rect().topLeft()).y()
        assert 0 <= top and top + box.height() <= area.viewport().height()
    gp.fold_button.click()  # opened: every goal with its reason, in the rules' order
    qtbot.waitUntil(lambda: all(gp.boxes[pid].isVisible() for pid in closed))
    assert "対象外" in gp.reasons[closed[0]].text()
    gp.fold_button.click()
    qtbot.waitUntil(lambda: not gp.boxes[closed[0]].isVisible())


def test_the_goals_page_folds_nothing_for_a_hospital_with_its_goals_open(wizard):
    w = wizard
    facility(w, "hospital", "病院", exempt=False, checkup=False)
    next_page(w, READER)
    next_page(w, GOALS)
    gp = w.goals_page
    for pid, box in gp.boxes.items():
        assert box.isVisible() == (box.isEnabled() or gp.fold_button.isChecked()), pid
