"""The mouse wheel changes no answer by accident: it scrolls the page; a focused choice still turns."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWizard

from ohshi_desk.ui.pages import GOALS, PLANS, READER

from .driver import every_page, facility, next_page


@pytest.fixture(scope="module")
def rules(fixture_rules):
    """The keyboard, the wheel and the screen need some program, not the real ones (tests/fixtures/README.md)."""
    return fixture_rules



def wheel(widget, dy: int) -> None:
    """One notch of the mouse wheel over the middle of ``widget`` (dy: +120 up, -120 down)."""
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, dy),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def choosers(page):
    """Every combo box, spin box and date field shown on ``page``."""
    return [c for c in page.findChildren(QComboBox) + page.findChildren(QAbstractSpinBox) if c.isVisible()]


def value_of(c):
    return c.currentText() if isinstance(c, QComboBox) else c.text()


def test_the_wheel_changes_no_answer_on_any_page(wizard, qtbot):
    """Turning the wheel over a combo box, spin box or date field that does not have the focus changes nothing
    (issue 27 point 1: 改修の内容 ②→① cut a hospital's estimate unnoticed)."""
    w = wizard
    control = QComboBox()  # the same wheel does change a combo box left as Qt makes it
    control.addItems(["a", "b", "c"])
    qtbot.addWidget(control)
    wheel(control, -120)
    assert control.currentIndex() == 1
    seen = 0
    for page in every_page(w):
        found = choosers(page)
        # the result page has no date field since issue 22 (another day is chosen through a dialog)
        assert found or page.heading in ("やりたいこと", "利用状況（2024年の制度）", "入力内容の確認", "結果: 補助の見積り"), page.heading
        for c in found:
            w.button(QWizard.WizardButton.BackButton if w.currentId() else QWizard.WizardButton.CancelButton).setFocus()
            assert not c.hasFocus()
            case, shown = w.case_data(), value_of(c)
            for dy in (-120, -120, 120, 120, 120):
                wheel(c, dy)
            assert value_of(c) == shown, f"{page.heading}: {c.accessibleName()}"
            assert w.case_data() == case, f"{page.heading}: {c.accessibleName()}"
            # and the wheel does not take the focus (Qt's WheelFocus would give it before the turn)
            assert c.focusPolicy() == Qt.FocusPolicy.StrongFocus, c.accessibleName()
            seen += 1
    assert seen >= 9  # 3 on 施設, 2 on カードリーダー, 改修の内容 and the 品目 of each line (the result has no day field)


def test_the_wheel_over_a_choice_scrolls_the_page_and_a_focused_choice_still_turns(wizard, qtbot):
    w = wizard
    facility(w, "hospital")
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["fx_capped"].setChecked(True)
    next_page(w, PLANS)
    ed = w.plans_page.editors["fx_capped"]
    for _ in range(12):
        ed.add_row()
    bar = w.plans_page.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(0)
    combo = ed.rows[0].item
    before = combo.currentIndex()
    w.button(QWizard.WizardButton.BackButton).setFocus()
    wheel(combo, -120)
    assert combo.currentIndex() == before
    assert bar.value() > 0  # the page scrolled instead
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)
    wheel(combo, -120)
    assert combo.currentIndex() == before + 1  # chosen on purpose: the wheel may turn it


def test_every_combo_box_of_the_wizard_is_a_guarded_choice():
    """A combo box made anywhere in the window is widgets.Choice (the wheel rule); any other spin box or date field
    is guarded when its page is built (widgets.guard_wheels), which the test above checks on every page."""
    from pathlib import Path

    ui = Path(__file__).resolve().parents[2] / "ohshi_desk" / "ui"
    made = [f"{p.name}: {line.strip()}" for p in ui.rglob("*.py") if p.name not in ("qt.py", "widgets.py")
            for line in p.read_text(encoding="utf-8").splitlines() if "QComboBox(" in line]
    assert made == []
