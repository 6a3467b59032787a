"""Driving the wizard in GUI tests (pytest-qt, offscreen): typing Japanese through input-method commit events, the
facility page, the next page, the way to the plans page, the result cards, another day. Test files import these from
here, never from one another (issue 24 point 6)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWizard

from ohshi_desk.ui.pages import CONFIRM, GOALS, PLANS, READER, RESULT, USAGE


def commit(widget, text: str) -> None:
    """Type text the way an input method (IME) does: one commit event."""
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def facility(w, kind, name="テスト医院", exempt=None, checkup=None, **answers):
    """The facility page: its name, its kind and the answers to the rules' questions (``answers``: question id →
    value). ``exempt`` and ``checkup`` answer the real rules' obligation_exempt and checkup_provider, left out on
    rules without them (tests/fixtures/rules)."""
    fp = w.facility_page
    commit(fp.name, name)
    fp.kind.setCurrentIndex(fp.kind.findData(kind))
    real = {"obligation_exempt": exempt, "checkup_provider": checkup}
    for qid, value in {**{q: v for q, v in real.items() if q in fp.questions}, **answers}.items():
        fp.questions[qid].set_value(value)


def next_page(w, expected):
    assert w.button(QWizard.WizardButton.NextButton).isEnabled()
    w.button(QWizard.WizardButton.NextButton).click()
    if expected == RESULT and w.currentId() == CONFIRM:  # the 入力内容の確認 page comes just before the result
        assert w.button(QWizard.WizardButton.NextButton).isEnabled()
        w.button(QWizard.WizardButton.NextButton).click()
    assert w.currentId() == expected


def to_plans(w, kind, *goals, name="テスト医院", **answers):
    """施設 (``answers``: see :func:`facility`) → カードリーダー → やりたいこと (the goals) → 購入・改修の予定."""
    facility(w, kind, name, **answers)
    next_page(w, READER)
    next_page(w, GOALS)
    for pid in goals:
        w.goals_page.boxes[pid].setChecked(True)
    next_page(w, PLANS)


def result_cards(w):
    return {c.program["id"]: c for c in w.result_page.cards_host.children() if hasattr(c, "program")}


def set_result_date(w, day: dt.date):
    """Another day, chosen on purpose (「別の日で計算…」 → 「この日で計算」): the page shown is computed again."""
    w.set_other_day(day)


def every_page(w):
    """Each page in turn, with a combo, spin box or date field of every kind on the way: 施設 (種類, 都道府県,
    市区町村), カードリーダー (無償提供, ほかのメーカー), every goal that can be chosen, 購入予定 (改修の内容, 品目 of each
    line), 利用状況, 確認, 結果 (the day)."""
    # every yes/no question いいえ, every number 1 (what makes most programs choosable)
    answers = {qid: False if q.get("type") is None else 1 for qid, q in w.rules.flags.items()}
    facility(w, "hospital", "ホイール病院", **answers)
    fp = w.facility_page
    fp.prefecture.setCurrentIndex(fp.prefecture.findData("大分県"))
    fp.municipality.setCurrentIndex(0)
    yield w.currentPage()
    next_page(w, READER)
    w.reader_page.buttons["fujitsu"].setChecked(True)
    w.reader_page.free_units.setCurrentIndex(2)
    yield w.currentPage()
    next_page(w, GOALS)
    for box in w.goals_page.boxes.values():  # every goal that can be chosen: each kind of plan on the next page
        if box.isEnabled():
            box.setChecked(True)
    yield w.currentPage()
    next_page(w, PLANS)
    for choice in w.plans_page.options.values():
        choice.setCurrentIndex(1)
    for editor in w.plans_page.editors.values():
        if editor.rows:
            commit(editor.rows[0].price, "40000")
    yield w.currentPage()
    next_page(w, USAGE)
    yield w.currentPage()
    next_page(w, CONFIRM)
    yield w.currentPage()
    w.next()
    assert w.currentId() == RESULT
    yield w.currentPage()
