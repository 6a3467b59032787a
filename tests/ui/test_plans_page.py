"""The reader and plans pages: only the items a program names, amounts echoed and reformatted, an excluded item said
beside its line, a price asked once, help on the page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWizard

from ohshi_desk.ui.pages import GOALS, PLANS, READER, RESULT

from .driver import commit, facility, next_page, result_cards, to_plans


def checkup_centre_plans(w) -> None:
    """べっぷ健診センター (その他, 特定健診 はい) → the 健診 goal → the plans page."""
    facility(w, "other", "べっぷ健診センター", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    next_page(w, PLANS)


def test_a_chosen_program_without_prices_shows_its_maximum_not_zero(wizard):
    w = wizard
    checkup_centre_plans(w)
    next_page(w, RESULT)  # no price typed
    card = result_cards(w)["checkup_limited_check"]
    assert card.amount.text() == "最大 30,000円。購入金額を入れると計算します"
    assert w.result_page.total.text() == "いま申請できる見積り合計: 0円"  # a maximum is not an estimate


def test_amounts_are_echoed_ambiguous_ones_asked_and_subtotals_kept(wizard, qtbot):
    w = wizard
    checkup_centre_plans(w)
    ed = w.plans_page.editors["checkup_limited_check"]
    commit(ed.rows[0].price, "6万8千円")
    assert ed.rows[0].echo.text() == "＝68,000円"
    commit(ed.rows[1].price, "10.000")  # 10円 or 10,000円? asked, not read as 10円
    assert ed.rows[1].price.value() is None and "10,000円 ですか" in ed.rows[1].error.text()
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()
    ed.rows[1].price.clear()
    commit(ed.rows[1].price, "4,980")
    ed.rows[1].quantity.setText("2")
    assert ed.rows[1].echo.text() == "＝4,980円 × 2 ＝ 9,960円"
    assert ed.total_label.text() == "購入合計（税込）: 77,960円"
    qtbot.waitUntil(lambda: "30,000円" in w.plans_page.estimate.text())  # 77,960 → 41,000 cap × 3/4, 千円未満切捨て
    assert "見積額: 30,000円" in w.plans_page.estimates["checkup_limited_check"].text()


def test_the_total_says_a_line_in_red_is_not_in_it(fx_wizard, qtbot):
    """The 購入予定 error screenshot showed a total that looked complete while two lines' 単価 were in red (those
    lines are not in the case): the total says they are left out until they are put right."""
    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    pp = w.plans_page
    ed = pp.editors["fx_capped"]
    commit(ed.rows[0].price, "8,000")
    qtbot.waitUntil(lambda: pp.estimate.text().startswith("いま申請できる見積り合計: ") and "円" in pp.estimate.text())
    complete = pp.estimate.text()
    assert "直すまで" not in complete
    assert len(ed.rows) == 2  # the program's two suggested items, the second 未入力
    commit(ed.rows[1].price, "10.000")  # 10円 or 10,000円? asked: in red, not in the case
    assert ed.rows[1].price.value() is None and ed.rows[1].error.text()
    qtbot.waitUntil(lambda: pp.estimate.text() == complete + "（赤い説明のある行は、直すまで入っていません）")
    ed.rows[1].price.clear()
    commit(ed.rows[1].price, "4,980")
    qtbot.waitUntil(lambda: pp.estimate.text() == complete)  # put right: in the case, and the words go


def test_an_estimate_owed_when_the_page_is_left_is_worked_out_when_it_is_back(fx_wizard, qtbot):
    """A price typed just before 次へ: its estimate is not worked out for a page nobody sees (it landed in a later
    click, reading a hospital's lines again), but as soon as 購入予定 is back on screen (issue 28)."""
    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    pp = w.plans_page
    ed = pp.editors["fx_capped"]
    commit(ed.rows[0].price, "8,000")
    qtbot.waitUntil(lambda: "円" in pp.estimates["fx_capped"].text())
    before = pp.estimates["fx_capped"].text()
    commit(ed.rows[0].price, "20,000")  # its estimate is due in 150 ms ...
    w.next()  # ... but the page is left first
    assert w.currentId() != PLANS
    assert not pp._estimate_timer.isActive() and pp.estimates["fx_capped"].text() == before
    w.back()
    assert w.currentId() == PLANS
    qtbot.waitUntil(lambda: pp.estimates["fx_capped"].text() != before)  # the new price's estimate, now
    shown = pp.estimates["fx_capped"].text()
    pp.update_estimate()
    assert pp.estimates["fx_capped"].text() == shown  # the estimate of the case as it is


def test_an_amount_is_reformatted_on_leaving_the_field(fx_wizard, qtbot):

    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    ed = w.plans_page.editors["fx_capped"]
    price = ed.rows[0].price
    commit(price, "6万8千円")
    assert price.text() == "6万8千円"  # while typing, the text stays as typed
    qtbot.keyClick(price, Qt.Key.Key_Tab)  # leaving the field
    assert price.text() == "68,000" and price.value() == 68000
    price.clear()
    commit(price, "１０．０００")  # asked about, so it stays as typed until answered
    qtbot.keyClick(price, Qt.Key.Key_Return)
    assert price.text() == "１０．０００" and price.value() is None
    price.clear()
    commit(price, "４，９８０円")
    qtbot.keyClick(price, Qt.Key.Key_Return)
    assert price.text() == "4,980" and ed.rows[0].echo.text() == "＝4,980円"
    assert w.case_data()["plans"]["fx_capped"]["lines"][0]["unit_price"] == 4980


def test_only_the_items_a_program_names_are_offered(fx_wizard):
    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    combo = w.plans_page.editors["fx_capped"].rows[0].item
    offered = {combo.itemData(i) for i in range(combo.count())}
    assert "mobile_terminal" in offered and "receipt_system_change" in offered and "generic_reader" not in offered


def test_help_is_on_the_page_and_unknown_maker_gets_advice(wizard, rules):
    w = wizard
    fp = w.facility_page
    help_ = fp.code_row.help_label
    assert not help_.isVisible()
    fp.code_row.help_button.click()
    assert help_.isVisible() and "7桁" in help_.text() and help_.toolTip() == ""
    fp.kind.setCurrentIndex(fp.kind.findData("other"))  # not a 保険医療機関: no 医療機関コード asked
    assert not fp.code_row.isVisible()
    fp.kind.setCurrentIndex(fp.kind.findData("clinic"))
    assert fp.code_row.isVisible()
    next_page(w, READER)
    w.reader_page.buttons["unknown"].setChecked(True)
    advice = w.reader_page.canon_info.text()
    assert w.reader_page.canon_info.isVisible()
    assert rules.reader_hint in advice and rules.makers["canon"]["label"] in advice


def test_choosing_canon_later_keeps_typed_reader_lines_and_says_so(wizard):
    w = wizard
    to_plans(w, "clinic", "smartphone_reader")
    commit(w.plans_page.editors["smartphone_reader"].rows[0].price, "4980")
    w.back()
    w.back()
    w.reader_page.buttons["canon"].setChecked(True)  # the reader turns out to be a Canon: no reader needed
    next_page(w, GOALS)
    next_page(w, PLANS)
    ed = w.plans_page.editors["smartphone_reader"]
    assert [r.price.text() for r in ed.rows] == ["4,980"] and ed.isVisible()  # kept (reformatted on leaving)
    assert "入力済みの1行は消さずに残してあります" in w.plans_page.not_needed["smartphone_reader"].text()


def test_an_excluded_item_says_so_beside_its_line_as_it_is_chosen(wizard, qtbot, rules):
    """A desktop PC for a 健診センター: the rules' reason beside the line the moment it is chosen (no price yet),
    and a notebook PC's 個別審査 too; a tablet gets no warning (issue 27 point 3)."""
    w = wizard
    facility(w, "other", "健診センター", checkup=True)
    next_page(w, READER)
    next_page(w, GOALS)
    w.goals_page.boxes["checkup_limited_check"].setChecked(True)
    next_page(w, PLANS)
    edition = rules.program("checkup_limited_check").editions[-1]
    ed = w.plans_page.editors["checkup_limited_check"]
    row = ed.add_row()
    row.item.setCurrentIndex(row.item.findData("desktop_pc"))
    qtbot.waitUntil(lambda: row.note.isVisible())
    assert edition.excluded_items["desktop_pc"].value in row.note.text()
    assert row.item.accessibleDescription() == row.note.text()
    assert all(not r.note.isVisible() for r in ed.rows if r is not row)  # the reader and the tablet are paid
    row.item.setCurrentIndex(row.item.findData("notebook_pc"))
    qtbot.waitUntil(lambda: edition.review_items["notebook_pc"].value in row.note.text())
    commit(row.price, "98000")  # priced, it still says why
    w.plans_page.update_estimate()
    assert edition.review_items["notebook_pc"].value in row.note.text()
    row.item.setCurrentIndex(row.item.findData("tablet"))
    w.plans_page.update_estimate()
    assert "事業費の上限" in row.note.text()  # a tablet dearer than the cap: the part over it is said too
    commit(row.price, "20000")
    w.plans_page.update_estimate()
    assert row.note.text() == "" and not row.note.isVisible()


def test_a_checkup_centre_answers_it_has_no_reader_and_the_print_asks_nothing_it_was_never_asked(wizard, rules):
    """Issue 27 point 9: a 健診センター has no face reader; the print said 「わからない」 and 「保険医療機関等コード（未入力）」."""
    from ohshi_desk.core.papers.print_sheet import inputs_html

    w = wizard
    facility(w, "other", "べっぷ健診センター", checkup=True)
    next_page(w, READER)
    rp = w.reader_page
    none = next(b for b in rp.buttons.values() if b.text() == "持っていない")
    none.setChecked(True)
    assert not rp.canon_info.isVisible()  # no advice about a reader it does not have
    assert "持っていない" not in [rp.other_maker.itemText(i) for i in range(rp.other_maker.count())]
    html = inputs_html(w.case_data(), rules)
    assert "持っていない" in html and "わからない" not in html
    assert "保険医療機関等コード" not in html
    w.back()
    facility(w, "clinic", "べっぷ内科")  # a clinic is asked its code: an empty one is still said
    assert "保険医療機関等コード</th><td>（未入力）" in inputs_html(w.case_data(), rules)


def test_the_no_extra_reader_box_shows_only_while_every_reader_reads_the_smartphone(wizard):
    """Issue 27 point 9: キヤノン + 富士通Japan still showed the green 「追加のカードリーダーを買う必要はありません」."""
    w = wizard
    facility(w, "clinic", exempt=False, checkup=False)
    next_page(w, READER)
    rp = w.reader_page
    rp.buttons["canon"].setChecked(True)
    assert rp.canon_info.isVisible() and "必要はありません" in rp.canon_info.text()
    rp.other_maker.setCurrentIndex(rp.other_maker.findData("fujitsu"))
    assert not (rp.canon_info.isVisible() and "必要はありません" in rp.canon_info.text())
    rp.other_maker.setCurrentIndex(0)  # none other
    assert rp.canon_info.isVisible()


def test_a_price_asked_about_is_asked_once_on_screen(fx_wizard, qtbot):
    """Issue 27 point 9: 「4.980」 was asked under the line, in a summary and in the line above the buttons at once."""
    from PySide6.QtWidgets import QLabel

    from .driver import commit, to_plans

    w = fx_wizard
    to_plans(w, "clinic", "fx_capped")
    row = w.plans_page.editors["fx_capped"].rows[0]
    commit(row.price, "4.980")
    qtbot.waitUntil(lambda: row.error.isVisible())
    asked = [lbl for lbl in w.findChildren(QLabel) if lbl.isVisible() and "4,980円 ですか" in lbl.text()]
    assert asked == [row.error]
    line = w.plans_page.missing_line.text()
    assert "1行目の「単価（税込）」" in line and "ですか" not in line  # where, not the question again
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()


def test_the_coupon_offers_and_explains_only_its_own_items(wizard, rules):
    """Issue 27 point 9: the coupon's 品目の説明 listed every item (レセコン改修, モバイル端末…), not its own three."""
    w = wizard
    facility(w, "clinic", exempt=False, checkup=False)
    next_page(w, READER)
    w.reader_page.buttons["panasonic"].setChecked(True)
    next_page(w, GOALS)
    w.goals_page.boxes["smartphone_reader"].setChecked(True)
    next_page(w, PLANS)
    own = set(rules.program("smartphone_reader").editions[0].extra["coupon"]["items"])
    editor = w.plans_page.editors["smartphone_reader"]
    assert set(editor.order) == own
    help_text = w.plans_page.help_buttons["smartphone_reader"].parentWidget().findChildren(QLabel)
    shown = "\n".join(lbl.text() for lbl in help_text if "：" in lbl.text() or ": " in lbl.text())
    for it, item in rules.items.items():
        if item.get("hint"):
            assert (item["label"] + ": " in shown) == (it in own), it
