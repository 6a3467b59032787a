"""The facility page: 次へ says why it is grey (on every page after it), a prefecture with one listed town says any other
may be typed."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from ohshi_desk.ui.pages import GOALS, PLANS, READER

from .driver import facility, next_page


def test_next_says_why_it_is_grey(fx_wizard):
    w = fx_wizard
    fp = w.facility_page
    next_button = w.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled()
    assert fp.missing_line.isVisible() and "「施設の種類」を選んでください" in fp.missing_line.text()
    assert fp.missing_line.toolTip() == ""  # said on the page, not in a tooltip
    facility(w, "clinic")
    assert next_button.isEnabled() and not fp.missing_line.isVisible()
    next_page(w, READER)
    next_page(w, GOALS)
    assert "1つ以上" in w.goals_page.missing_line.text()
    w.goals_page.boxes["fx_capped"].setChecked(True)
    next_page(w, PLANS)
    row = w.plans_page.editors["fx_capped"].rows[0]
    row.quantity.clear()
    assert not next_button.isEnabled()
    assert "1行目の「数量」を入力してください" in w.plans_page.missing_line.text()


def test_a_prefecture_with_one_listed_town_says_any_other_may_be_typed(wizard):
    """Issue 27 point 9: the 市区町村 list of 大分県 holds only 別府市."""
    w = wizard
    fp = w.facility_page
    assert "一覧にない" not in fp.place_note.text()
    fp.prefecture.setCurrentIndex(fp.prefecture.findData("大分県"))
    assert fp.municipality.count() == 1  # 別府市 alone
    assert fp.place_note.isVisible() and "一覧にない市区町村は、そのまま入力してください" in fp.place_note.text()
    fp.municipality.setEditText("大分市")
    assert w.case_data()["facility"]["municipality"] == "大分市"
