"""Issue 28 (clicks): the maximum of a program is asked of the engine once per change of input, not once per card
and per visit, and working it out changes nothing in the case it is given. Counts engine calls, never times."""

from __future__ import annotations

import copy
import datetime as dt
import json

from ohshi_desk.core.base.clock import today
from ohshi_desk.core.compute import engine
from ohshi_desk.core.compute.maximum import program_maximum
from ohshi_desk.ui.pages import CONFIRM, PLANS, RESULT

from .driver import next_page, result_cards, set_result_date, to_plans


def _buying(rules):
    return next(p for p in rules.programs if p.purchases)


def _hospital_priced(w, clock, prices: dict) -> dict:
    """On 購入予定 for a hospital on a day テスト1 and テスト2 are open, the first line of each program in ``prices``
    priced: the programs' editors."""
    clock(dt.date(2025, 11, 1))  # テスト1 and テスト2 open
    to_plans(w, "hospital", *prices, fx_visits=1)
    editors = {pid: w.plans_page.editors[pid] for pid in prices}
    for pid, price in prices.items():
        editors[pid].rows[0].price.setText(price)
    return editors


def test_the_maximum_changes_nothing_in_the_case_it_is_given(rules):
    p = _buying(rules)
    other = next(q for q in rules.programs if q.purchases and q.id != p.id)
    case = {"format": "ohshi-desk-case/1",
            "facility": {"name": "テスト医院", "kind": "clinic", "prefecture": "大分県"},
            "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
            "usage": {"oct2023_receipts": 100},
            "plans": {p.id: {"lines": [{"item": next(iter(rules.items)), "quantity": 1, "unit_price": 1000}]},
                      other.id: {"lines": [{"item": next(iter(rules.items)), "quantity": 2, "unit_price": 5}]}}}
    before = copy.deepcopy(case)
    assert program_maximum(case, rules, today(), p.id) > 0
    assert case == before


def test_the_maximum_is_asked_once_per_change_of_input(wizard, rules, monkeypatch):
    p = _buying(rules)
    to_plans(wizard, "clinic", p.id)
    calls = []
    real = engine.compute

    def counting(case, *a, **k):
        calls.append(sorted(case.plans))
        return real(case, *a, **k)

    monkeypatch.setattr(engine, "compute", counting)
    day = wizard.day()
    first = wizard.program_maximum({"id": p.id}, day)
    again = [wizard.program_maximum({"id": p.id}, day) for _ in range(3)]
    assert again == [first] * 3
    assert calls == [[p.id]]  # one engine call for the probe, then the same answer
    # a price typed is no change to the maximum's input (it probes its own lines): still no engine call
    ed = wizard.plans_page.editors[p.id]
    if ed.rows:
        ed.rows[0].price.setText("12345")
    assert wizard.program_maximum({"id": p.id}, day) == first
    assert calls == [[p.id]]
    # another facility answer is: asked again
    fp = wizard.facility_page
    fp.kind.setCurrentIndex(fp.kind.findData(next(k for k in rules.kinds if k != "clinic")))
    wizard.program_maximum({"id": p.id}, day)
    assert len(calls) == 2


def test_a_walk_to_the_result_and_back_asks_no_maximum_twice(wizard, rules, monkeypatch, clock):
    clock(dt.date(2025, 9, 1))  # a day the buying programs are open (their cards show the maximum)
    info = wizard.applicability()
    p = next(p for p in rules.programs if p.purchases and not p.uses_usage
             and info[p.id]["window_status"] in ("open", "not_yet_open"))  # its card shows the maximum
    probes = []
    real = engine.compute

    def counting(case, *a, **k):
        lines = [ln for plan in case.plans.values() for ln in plan.lines]
        if lines and all(ln.unit_price == 100_000_000 for ln in lines):
            probes.append(json.dumps(sorted(case.plans)))
        return real(case, *a, **k)

    monkeypatch.setattr(engine, "compute", counting)
    to_plans(wizard, "clinic", p.id)
    next_page(wizard, RESULT)
    n = len(probes)
    assert n == 1  # the plans page and the result card with no price show the same maximum: asked once
    wizard.back()
    wizard.back()
    assert wizard.currentId() == PLANS
    next_page(wizard, RESULT)
    assert len(probes) == n  # the same input: every maximum shown again comes from the cache


def test_the_confirm_page_shows_every_line_without_a_table(wizard, rules):
    """Qt lays a table out cell by cell: a hospital's lines in a table within a table took ~130 ms to show. The
    page is paragraphs; every line is still on it, with its amounts and vendor, and the 「訂正」 of its row."""
    p = next(p for p in rules.programs if p.purchases and not p.uses_usage)
    item = next(iter(p.suggested_items or rules.items))
    lines = [{"item": item, "quantity": 1 + i, "unit_price": 1000 * (i + 1), "description": f"明細{i}",
              "vendor": f"業者{i}"} for i in range(5)]
    wizard.load_case_data({"format": "ohshi-desk-case/1",
                           "facility": {"name": "確認医院", "kind": "clinic", "prefecture": "大分県"},
                           "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
                           "plans": {p.id: {"lines": lines}}})
    while wizard.currentId() != CONFIRM:
        wizard.next()
    html = wizard.confirm_page.html
    assert "<table" not in html
    for i in range(5):
        assert f"明細{i}" in html and f"業者{i}" in html and f"{(i + 1) * (1000 * (i + 1)):,}円" in html
    assert f"購入する品目　<a href='fix:{PLANS}'>訂正</a>" in html


def test_the_confirm_page_lays_out_its_whole_text_once_drawn_not_in_the_next_click(fx_wizard):
    """Qt lays a long text out a screenful first and the rest in steps on a 10 ms timer: with 400 lines the steps
    still owed when 次へ was pressed were a third of 確認 → 結果. Once the page is drawn, the next turn of the event
    loop finishes it (the last line is laid out), before any click can come."""
    from PySide6.QtCore import QEventLoop, QTimer

    def turn():
        loop = QEventLoop()
        QTimer.singleShot(0, loop.quit)
        loop.exec()

    wizard = fx_wizard
    _many_lines(wizard, 300)
    while wizard.currentId() != CONFIRM:
        wizard.next()
    view = wizard.confirm_page.view
    last = view.document().lastBlock()
    assert "1,299円" in last.previous().text() or "1,299円" in last.text()  # the last line is the text's end
    for _ in range(50):  # until the view has been drawn (the first turn, offscreen)
        if not view.owed:
            break
        turn()
    assert not view.owed
    assert last.layout().lineCount() == 0  # drawn: only what is on screen was laid out with it
    turn()
    assert last.layout().lineCount() > 0


def test_the_case_of_the_pages_is_a_copy_the_file_opened_is_never_changed_through_it(wizard, rules):
    """case_data() no longer copies the opened file's plans (the pages make them again): what a caller does with
    the answer still never reaches self.raw, nor the next answer, and unknown keys still survive."""
    p = next(p for p in rules.programs if p.purchases)
    item = next(iter(p.suggested_items or rules.items))
    opened = {"format": "ohshi-desk-case/1", "vendor_note": {"deep": ["a"]},
              "facility": {"name": "確認医院", "kind": "clinic", "prefecture": "大分県", "extra": {"x": [1]}},
              "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
              "plans": {p.id: {"lines": [{"item": item, "quantity": 1, "unit_price": 1000, "memo": {"m": 1}}],
                               "kept": {"k": [2]}}}}
    wizard.load_case_data(opened)
    raw = copy.deepcopy(wizard.raw)
    data = wizard.case_data()
    first = copy.deepcopy(data)
    assert data["vendor_note"] == {"deep": ["a"]} and data["plans"][p.id]["kept"] == {"k": [2]}
    assert data["plans"][p.id]["lines"][0]["memo"] == {"m": 1}
    data["vendor_note"]["deep"].append("b")
    data["facility"]["extra"]["x"].append(2)
    data["plans"][p.id]["kept"]["k"].append(3)
    data["plans"][p.id]["lines"][0]["memo"]["m"] = 2
    assert wizard.raw == raw
    assert wizard.case_data() == first


def test_a_walk_computes_the_case_once_per_change_of_input(wizard, rules, monkeypatch):
    """施設 → 結果 and back and forth: the running estimate, 入力内容の確認 and the result share one engine answer
    for the case (the issue counted 7 computes on a walk)."""
    p = next(p for p in rules.programs if p.purchases and not p.uses_usage)
    item = next(iter(p.suggested_items or rules.items))
    full = []
    real = engine.compute

    def counting(case, *a, **k):
        if any(ln.unit_price == 4980 for plan in case.plans.values() for ln in plan.lines):
            full.append(1)
        return real(case, *a, **k)

    monkeypatch.setattr(engine, "compute", counting)
    wizard.load_case_data({"format": "ohshi-desk-case/1",
                           "facility": {"name": "確認医院", "kind": "clinic", "prefecture": "大分県"},
                           "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
                           "plans": {p.id: {"lines": [{"item": item, "quantity": 1, "unit_price": 4980}]}}})
    while wizard.currentId() != RESULT:
        wizard.next()
    assert len(full) == 1
    wizard.back()
    wizard.back()
    while wizard.currentId() != RESULT:
        wizard.next()
    assert len(full) == 1  # nothing changed: the same answer


def test_the_running_estimate_and_the_result_read_the_pages_once_and_change_nothing_of_it(fx_wizard, monkeypatch,
                                                                                           clock):
    """The pages' case is made once per estimate and once per result (the cards' maxima and the line notes are given
    it: reading 200 lines off the pages three times was a third of 確認 → 結果), and no page changes it."""
    wizard = fx_wizard
    clock(dt.date(2025, 11, 1))  # テスト1 and テスト2 open (the fixture rules)
    to_plans(wizard, "clinic", "fx_capped", "fx_coupons", fx_visits=1)
    ed = wizard.plans_page.editors["fx_capped"]
    while len(ed.rows) < 2:
        ed.add_row()
    ed.rows[0].price.setText("30000")
    ed.rows[1].price.setText("")  # an unpriced line: the line notes compute the case with it at 0円
    made, given = [], []
    real_data, real_compute = wizard.case_data, wizard.compute

    def case_data():
        made.append(1)
        return real_data()

    def compute(day, data=None):
        given.append((data, copy.deepcopy(data)))
        return real_compute(day, data)

    monkeypatch.setattr(wizard, "case_data", case_data)
    monkeypatch.setattr(wizard, "compute", compute)
    wizard.plans_page.update_estimate()
    assert len(made) == 1 and given and given[-1][0] is not None
    assert "見積額" in wizard.plans_page.estimates["fx_capped"].text()
    assert "最大" in wizard.plans_page.estimates["fx_coupons"].text()  # no price: its maximum, from the same case
    next_page(wizard, RESULT)
    assert {"fx_capped", "fx_coupons"} <= set(result_cards(wizard))  # cards (each asks the program's maximum)
    made.clear()
    wizard.result_page.recompute()
    assert len(made) == 1
    assert all(data == before for data, before in given)  # neither the line notes nor the maxima changed it


def test_rows_made_while_idle_are_polished_before_their_page_shows(fx_wizard, qtbot):
    """An opened file's lines become rows while the window is idle; their style and sizes are worked out then too
    (200 rows polished on 次へ were a third of 目的 → 購入予定)."""
    from ohshi_desk.ui.widgets import qt

    wizard = fx_wizard
    wizard.load_case_data({"format": "ohshi-desk-case/1",
                           "facility": {"name": "確認医院", "kind": "clinic", "prefecture": "大分県"},
                           "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
                           "plans": {"fx_capped": {"lines": [{"item": "mobile_terminal", "quantity": 1,
                                                              "unit_price": 1000 + i} for i in range(30)]}}})
    ed = wizard.plans_page.editors["fx_capped"]
    qtbot.waitUntil(lambda: not ed.pending() and len(ed.rows) == 30)
    assert not ed.isVisible()
    assert all(r.testAttribute(qt().WidgetAttribute.WA_WState_Polished) for r in ed.rows)


def test_the_maximum_of_a_program_that_reads_the_usage_follows_the_usage(fx_wizard):
    """テスト3 (unit_table, open on the suite's day) allows units by the peak monthly uses: with no price yet, its card
    shows the most it could pay for the uses answered, and another answer gives another maximum (it was 0円: the
    usage was left out of the probe)."""
    w = fx_wizard

    def card_amount(uses: int) -> str:
        w.load_case_data({"format": "ohshi-desk-case/1",
                          "facility": {"name": "テスト病院", "kind": "hospital", "prefecture": "大分県", "fx_done": True},
                          "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
                          "usage": {"peak_monthly_uses": uses},
                          "plans": {"fx_unit_table": {"lines": []}}})
        while w.currentId() != RESULT:
            w.next()
        return result_cards(w)["fx_unit_table"].amount.text()

    # a hospital with 1 free unit: 1,600 uses allow 3 units (limit 625,000円), 600 uses 1 unit (275,000円)
    assert card_amount(1600) == "最大 625,000円。購入金額を入れると計算します"
    assert card_amount(600) == "最大 275,000円。購入金額を入れると計算します"


def test_the_result_keeps_the_cards_whose_figures_did_not_change_and_makes_the_others_again(fx_wizard, clock):
    """Back to 購入予定, one price changed, forward again: that program's card is made again with its new figure,
    the other's card is the same widget (building every card again was a third of 確認 → 結果); another day makes
    every card again."""
    w = fx_wizard
    capped, coupons = _hospital_priced(w, clock, {"fx_capped": "40000", "fx_coupons": "5000"}).values()
    next_page(w, RESULT)
    before = result_cards(w)
    result_cards(w)["fx_coupons"].toggle.setChecked(True)
    while w.currentId() != PLANS:
        w.back()
    capped.rows[0].price.setText("30000")
    next_page(w, RESULT)
    after = result_cards(w)
    assert after["fx_coupons"] is before["fx_coupons"] and after["fx_coupons"].toggle.isChecked()
    assert after["fx_capped"] is not before["fx_capped"]
    assert not before["fx_capped"].isVisible()  # the old card is off the page at once
    # テスト1 for a hospital: 30,000 (a 端末 under its 41,000 cap) × 1/2 = 15,000
    assert after["fx_capped"].amount.text() == "見積額 15,000円"
    set_result_date(w, dt.date(2025, 11, 2))
    assert not set(result_cards(w).values()) & set(after.values())  # another day: every card made again


def _many_lines(wizard, n: int):
    """A clinic's file with ``n`` lines for テスト2 (fx_capped), walked to 購入予定; its editor."""
    wizard.load_case_data({"format": "ohshi-desk-case/1",
                           "facility": {"name": "確認医院", "kind": "clinic", "prefecture": "大分県"},
                           "face_reader": {"maker": "panasonic", "units": 1, "free_units": 1},
                           "plans": {"fx_capped": {"lines": [{"item": "mobile_terminal", "quantity": 1,
                                                              "unit_price": 1000 + i} for i in range(n)]}}})
    while wizard.currentId() != PLANS:
        wizard.next()
    return wizard.plans_page.editors["fx_capped"]


def test_a_page_of_many_lines_shows_the_first_with_the_page_and_every_other_one_just_after(fx_wizard, qtbot):
    """次へ to a page of 60 lines shows the first rows with it and the others while the window is idle (showing
    1,600 widgets within the click was 50 ms for a hospital's 200 lines); the page is as tall from the start, and
    戻る to it does the same."""
    from ohshi_desk.ui.lines import RowReveal

    wizard = fx_wizard
    ed = _many_lines(wizard, 60)
    content = wizard.plans_page.scroll_area.widget()
    for visit in range(2):
        rows = ed.rows
        shown = [r for r in rows if r.isVisible()]
        assert 0 < len(shown) <= RowReveal.FIRST < len(rows) == 60, visit
        assert shown == rows[:len(shown)]  # the first lines, in order
        height = content.sizeHint().height()  # the rows not yet shown keep their place
        qtbot.waitUntil(lambda: all(r.isVisible() for r in ed.rows))
        assert content.sizeHint().height() == height
        assert [r.price.text() for r in ed.rows] == [f"{1000 + i:,}" for i in range(60)]
        if visit == 0:  # on, then 戻る
            wizard.next()
            assert wizard.currentId() != PLANS
            wizard.back()
            assert wizard.currentId() == PLANS


def test_a_line_deleted_before_it_is_shown_is_gone_and_the_others_are_shown_numbered_again(fx_wizard, qtbot):
    wizard = fx_wizard
    ed = _many_lines(wizard, 40)
    hidden = ed.rows[30]
    assert not hidden.isVisible()
    ed.remove_row(hidden)
    qtbot.waitUntil(lambda: all(r.isVisible() for r in ed.rows))
    assert len(ed.rows) == 39 and hidden not in ed.rows  # deleted by Qt meanwhile: never shown again
    assert [r.number for r in ed.rows] == list(range(1, 40))
    assert [r.price.value() for r in ed.rows] == [1000 + i for i in range(40) if i != 30]
    assert ed.total() == sum(1000 + i for i in range(40) if i != 30)


def test_typing_tells_the_wizard_only_when_next_changes_and_the_line_above_the_buttons_follows_at_once(fx_wizard):
    """Each completeChanged makes QWizard hide and show again every widget of its pages (20 ms for each price typed
    on a page of 200 lines): prices that keep 次へ as it is say nothing to it; a wrong one greys 次へ and says where,
    and its correction brings 次へ back."""
    from PySide6.QtWidgets import QWizard

    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    page, ed = w.plans_page, w.plans_page.editors["fx_capped"]
    row = ed.rows[0] if ed.rows else ed.add_row()
    told = []
    page.completeChanged.connect(lambda: told.append(1))
    nxt = w.button(QWizard.WizardButton.NextButton)
    for price in ("1000", "2,000", "3万"):
        row.price.setText(price)
    assert told == [] and nxt.isEnabled()
    row.price.setText("abc")
    assert len(told) == 1 and not nxt.isEnabled()
    assert page.missing_line.isVisibleTo(page) and "1行目" in page.missing_line.text()
    row.price.setText("4.2万")
    assert len(told) == 2 and nxt.isEnabled() and not page.missing_line.isVisibleTo(page)


def test_rows_folded_while_the_page_is_on_screen_are_shown_again(fx_wizard, qtbot):
    """The plans page entered again while it is on screen (another day chosen there): every row shows again."""
    wizard = fx_wizard
    ed = _many_lines(wizard, 60)
    qtbot.waitUntil(lambda: all(r.isVisible() for r in ed.rows))
    wizard.plans_page.on_enter()
    assert ed.folded()
    qtbot.waitUntil(lambda: all(r.isVisible() for r in ed.rows))


def test_rows_of_a_page_left_before_they_were_shown_wait_for_the_page(fx_wizard, qtbot):
    """次へ pressed before the rows out of sight were shown: they wait, hidden, for the page to come back (shown on
    the hidden page, 戻る would show all of them within the click again)."""
    from ohshi_desk.ui.lines import RowReveal

    wizard = fx_wizard
    ed = _many_lines(wizard, 60)
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.plans_page.reveal.timer.isActive())
    assert ed.folded() == 60 - RowReveal.FIRST
    wizard.back()
    assert sum(r.isVisibleTo(wizard.plans_page) for r in ed.rows) == RowReveal.FIRST
    qtbot.waitUntil(lambda: all(r.isVisible() for r in ed.rows))


def test_the_result_leaves_in_place_what_did_not_change(fx_wizard, clock):
    """One price changed, back to 結果: the headings and the unchanged card are the same widgets in the same layout
    entries, so Qt keeps the sizes it measured for them (the layout emptied and filled again had every wrapped text
    measured again); only the changed card is replaced, in its place."""
    from shiboken6 import getCppPointer

    w = fx_wizard
    capped, coupons = _hospital_priced(w, clock, {"fx_capped": "40000", "fx_coupons": "5000"}).values()
    next_page(w, RESULT)
    lay = w.result_page.cards

    def entries():
        return [(lay.itemAt(i).widget(), getCppPointer(lay.itemAt(i))[0]) for i in range(lay.count())]

    before = entries()
    while w.currentId() != PLANS:
        w.back()
    capped.rows[0].price.setText("30000")
    next_page(w, RESULT)
    after = entries()
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert [after[i][0].program["id"] for i in changed] == ["fx_capped"]  # the one card made again, in its place
    assert after[-1][0] is None  # the stretch under the cards, once
    assert result_cards(w)["fx_capped"].amount.text() == "見積額 15,000円"


def test_the_wrapped_texts_of_the_result_are_measured_once_per_width(fx_wizard, clock, monkeypatch):
    """A wrapped text of the result page (the cards', the footer's) is laid out once per width and text: Qt asks the
    same heights again at every layout above it (the scroll area tries a scroll bar's width of widths), and laying out
    the closed programs' long steps each time was most of 確認 → 結果 for a hospital. A new text, or a new font, is
    measured again."""
    from ohshi_desk.ui.qt import QLabel

    w = fx_wizard
    _hospital_priced(w, clock, {"fx_capped": "40000"})
    next_page(w, RESULT)
    measured = []
    real = QLabel.heightForWidth
    monkeypatch.setattr(QLabel, "heightForWidth", lambda self, width: measured.append(width) or real(self, width))
    footer, card = w.result_page.footer, result_cards(w)["fx_capped"]
    labels = [footer, *(x for x in card.findChildren(QLabel) if x.wordWrap())]
    for label in labels:
        for _ in range(3):
            label.heightForWidth(301)
    assert measured == [301] * len(labels)  # once each
    one_line = footer.heightForWidth(301)
    footer.setText(footer.text() * 4)
    assert footer.heightForWidth(301) > one_line and len(measured) == len(labels) + 1  # the new text: measured
    font = footer.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    footer.setFont(font)
    assert footer.heightForWidth(301) > one_line and len(measured) == len(labels) + 2  # the new font: measured


def test_a_card_is_kept_when_only_its_lines_words_changed(fx_wizard, clock):
    """A card shows its program's figures, reasons and notes, never its lines: a line's 内訳 typed again changes
    nothing on it, and the card stays the same widget (its key no longer writes out every line); a price does."""
    w = fx_wizard
    row = _hospital_priced(w, clock, {"fx_capped": "40000"})["fx_capped"].rows[0]
    next_page(w, RESULT)
    before = result_cards(w)["fx_capped"]
    while w.currentId() != PLANS:
        w.back()
    row.description.setText("別の型番 X-200")
    next_page(w, RESULT)
    assert w.result_page.breakdown["programs"][0]["lines"][0]["description"] == "別の型番 X-200"  # the case has it
    assert result_cards(w)["fx_capped"] is before
    while w.currentId() != PLANS:
        w.back()
    row.price.setText("30000")
    next_page(w, RESULT)
    assert result_cards(w)["fx_capped"] is not before


def test_the_result_page_opens_without_walking_the_focus_chain(fx_wizard, clock, monkeypatch, qtbot):
    """The result page has no field to type in: the focus stays on the wizard's button, as when the window's focus
    chain was walked for a field (with a hospital's lines, thousands of widgets with nothing to stop at)."""
    from ohshi_desk.ui.qt import QWidget

    w = fx_wizard
    _hospital_priced(w, clock, {"fx_capped": "40000"})
    while w.currentId() != CONFIRM:
        w.next()
    walked = []
    real = QWidget.nextInFocusChain
    monkeypatch.setattr(QWidget, "nextInFocusChain", lambda self: walked.append(self) or real(self))
    w.button(w.WizardButton.NextButton).setFocus()
    w.next()
    assert w.currentId() == RESULT
    qtbot.waitUntil(lambda: w.focusWidget() is w.button(w.WizardButton.FinishButton))
    w._focus_first_field()  # what the page's opening asks, once more: answered without a walk
    assert walked == [] and w.focusWidget() is w.button(w.WizardButton.FinishButton)


def test_a_line_is_read_from_its_fields_once_until_one_of_them_changes(fx_wizard, monkeypatch):
    """The pages ask for the case many times a click; a row reads its fields again only when one changed (400
    lines read again were 2 ms a time). Every field's change is seen, a file loaded over the row too, and what a
    caller gets is its own."""
    from ohshi_desk.ui.lines import LineRow

    ed = _many_lines(fx_wizard, 2)
    row = ed.rows[0]
    reads = []
    real = LineRow._priced
    monkeypatch.setattr(LineRow, "_priced", lambda self: reads.append(self) or real(self))
    first = row.to_line()
    n = len(reads)
    assert n and row.to_line() == first and len(reads) == n  # read once
    first["unit_price"] = 1
    assert row.to_line()["unit_price"] == 1000  # the caller's dict is its own
    assert row.item.count() > 1
    other = 1 if row.item.currentIndex() == 0 else 0
    for change, key, want in (
            (lambda: row.price.setText("2,500"), "unit_price", 2500),
            (lambda: row.quantity.setText("3"), "quantity", 3),
            (lambda: row.description.setText("型番X"), "description", "型番X"),
            (lambda: row.vendor.setText("業者A"), "vendor", "業者A"),
            (lambda: row.item.setCurrentIndex(other), "item", row.item.itemData(other))):
        change()
        assert row.to_line()[key] == want, key
    row.load({"item": row.item.currentData(), "quantity": 3, "unit_price": 2500, "description": "型番X",
              "vendor": "業者A", "amount": 7000})  # the same fields, a vendor's amount: no field changes
    assert row.to_line()["amount"] == 7000
