"""The wizard on the app's day (core/clock.py): the result page opens on it, and its statuses are that day's."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.program_days import DAYS, OP


@pytest.mark.parametrize("day", ["2025-06-01", "2026-11-23", "2027-03-01"])
def test_the_wizard_shows_the_clock_day_and_its_statuses(day, wizard, clock):
    """The result page opens on the app's day; the goals page and the cards follow it."""
    from PySide6.QtWidgets import QWizard

    clock(dt.date.fromisoformat(day))
    w = wizard
    fp = w.facility_page
    fp.name.setText("日付テスト健診センター")
    fp.kind.setCurrentIndex(fp.kind.findData("other"))
    fp.questions["checkup_provider"].set_value(True)
    w.next()
    w.reader_page.buttons["unknown"].setChecked(True)
    w.next()
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    w.next()
    ed = w.plans_page.editors["checkup_limited_check"]
    ed.rows[0].item.setCurrentIndex(ed.rows[0].item.findData("tablet"))
    ed.rows[0].price.setText("30000")
    while w.currentPage() is not w.result_page:
        assert w.button(QWizard.WizardButton.NextButton).isEnabled()
        w.next()
    rp = w.result_page
    from ohshi_desk.core.base.formatting import wareki

    assert rp.day_label.text() == f"{wareki(dt.date.fromisoformat(day))}時点の計算（今日）"
    assert rp.breakdown["as_of"] == day
    assert [p["status"] for p in rp.breakdown["programs"]] == [DAYS[day]]
    open_now = DAYS[day] == OP
    assert rp.total.text().endswith(": 22,000円" if open_now else ": 0円"), rp.total.text()
