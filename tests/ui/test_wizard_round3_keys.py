"""Issue 27, round 3: what the keyboard and 150 % see — the facility's goals first (point 4), Tab through every
control of every page in reading order with one ring at a time (point 5)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
    QWizard,
)

from ohshi_desk.ui.pages import GOALS, PLANS, READER

from .driver import every_page, facility, next_page


def tab_stops(w, qtbot, limit: int = 200) -> list[QWidget]:
    """Press Tab from the page's first field until the focus comes back to it: the controls in the order reached."""
    start = QApplication.focusWidget()
    assert start is not None
    seen = [start]
    for _ in range(limit):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is start:
            return seen
        seen.append(now)
    raise AssertionError("Tab never came back to the first field: " + ", ".join(x.accessibleName() for x in seen))


def controls(page) -> list[QWidget]:
    """Every control on the page a receptionist can use (shown, enabled, taking the focus by Tab)."""
    out = []
    for c in page.findChildren(QWidget):
        if not (c.isVisible() and c.isEnabled()) or not (c.focusPolicy().value & Qt.FocusPolicy.TabFocus.value):
            continue
        if isinstance(c, QLineEdit) and isinstance(c.parent(), QComboBox):
            continue  # an editable combo box's own line: the combo box takes the focus
        if isinstance(c, (QLineEdit, QComboBox, QAbstractButton)):
            out.append(c)
    return out


def place(page, c) -> tuple[int, int, int]:
    """(top, bottom, left) of ``c`` in the page's content (the scroll area's widget), whatever the scrolling."""
    inner = page.scroll_area.widget() if getattr(page, "scroll_area", None) else page
    top_left = c.mapTo(inner, c.rect().topLeft())
    return top_left.y(), top_left.y() + c.height(), top_left.x()


def assert_reading_order(page, stops) -> None:
    inside = [page.isAncestorOf(c) for c in stops]
    # read from the page's top: from the first control on the page after the window's buttons (Tab goes round)
    first = next((i for i in range(len(stops)) if inside[i] and not inside[i - 1]), 0)
    on_page = [c for c, on in zip(stops[first:] + stops[:first], inside[first:] + inside[:first], strict=False) if on]
    assert len(on_page) == sum(inside)
    assert all(inside[(first + i) % len(stops)] for i in range(len(on_page))), "the page's controls are not one run"
    for a, b in zip(on_page, on_page[1:], strict=False):
        (at, ab, al), (bt, bb, bl) = place(page, a), place(page, b)
        same_line = bt < ab and at < bb  # overlapping vertically
        assert (same_line and bl > al) or bt >= ab - 2, (
            f"{page.heading}: Tab goes from 「{a.accessibleName() or a.text()}」 to 「{b.accessibleName() or b.text()}」"
            f" ({at},{al}) → ({bt},{bl}), not in reading order")


def rings(w) -> list[QWidget]:
    """The controls drawn with a focus ring (our glow, or drawn as the window's default button by a focus)."""
    return [c for c in w.findChildren(QWidget) if c.isVisible() and getattr(c, "_ohshi_ring", False)
            and c.graphicsEffect() is not None]


def test_every_control_of_every_page_is_reached_by_tab_in_reading_order_one_ring_at_a_time(wizard, qtbot):
    w = wizard
    pages = 0
    for page in every_page(w):
        if page is w.plans_page:  # a second line, added with 「＋ 行を追加」 by the keyboard: it comes before the button
            add = w.plans_page.editors["home_visit"].add_button
            before = len(w.plans_page.editors["home_visit"].rows)
            add.setFocus()
            qtbot.keyClick(add, Qt.Key.Key_Space)
            assert len(w.plans_page.editors["home_visit"].rows) == before + 1
        w._focus_first_field()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and w.isAncestorOf(QApplication.focusWidget()))
        stops = tab_stops(w, qtbot)
        missed = [c.accessibleName() or c.text() for c in controls(page) if c not in stops]
        assert not missed, f"{page.heading}: Tab never reaches {missed} ; stops: {[c.accessibleName() or c.text() for c in stops]}"
        assert_reading_order(page, stops)
        if page is w.plans_page:
            assert w.plans_page.editors["home_visit"].add_button in stops
        for c in stops:  # one ring at a time; no page button made the default by its focus
            c.setFocus()
            qtbot.waitUntil(lambda c=c: c.hasFocus())
            assert rings(w) == [c], (page.heading, [r.accessibleName() or r.text() for r in rings(w)])
            if isinstance(c, QPushButton) and page.isAncestorOf(c):
                assert not c.autoDefault(), c.text()
        pages += 1
    assert pages == 7


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


def test_a_focused_field_below_the_fold_is_scrolled_into_view(wizard, qtbot):
    w = wizard
    w.resize(w.width(), 420)  # as 150 % on a 1366×768 screen: the page is taller than its window
    facility(w, "clinic")
    next_page(w, READER)
    next_page(w, GOALS)
    next_page_ok = w.goals_page.boxes["home_visit"]
    next_page_ok.setChecked(True)
    next_page(w, PLANS)
    page = w.plans_page
    area = page.scroll_area
    last = page.findChildren(QLineEdit)[-1]
    qtbot.waitUntil(lambda: area.verticalScrollBar().maximum() > 0)
    area.verticalScrollBar().setValue(0)
    last.setFocus()
    qtbot.waitUntil(lambda: last.hasFocus())

    def in_view():
        top = last.mapTo(area.viewport(), last.rect().topLeft()).y()
        return 0 <= top and top + last.height() <= area.viewport().height()

    qtbot.waitUntil(in_view)
    assert area.verticalScrollBar().value() > 0


def test_the_goals_page_folds_nothing_for_a_hospital_with_its_goals_open(wizard):
    w = wizard
    facility(w, "hospital", "病院", exempt=False, checkup=False)
    next_page(w, READER)
    next_page(w, GOALS)
    gp = w.goals_page
    for pid, box in gp.boxes.items():
        assert box.isVisible() == (box.isEnabled() or gp.fold_button.isChecked()), pid


def test_the_print_preview_fits_its_window_with_print_and_pdf_as_labelled_buttons(wizard, qtbot, monkeypatch,
                                                                                  tmp_path):
    """Issue 27 point 8: at 150 % Qt's print button was behind 「››」 and the page showed at 24 %."""
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    from ohshi_desk.ui import qt

    from .driver import commit, to_plans

    w = wizard
    w.resize(895, 473)  # the window of a 150 % session on a 1366×768 screen
    to_plans(w, "clinic", "home_visit")
    commit(w.plans_page.editors["home_visit"].rows[0].price, "45000")
    w.next()
    w.next()
    preview = w.print_preview()
    preview.show()
    qtbot.waitUntil(lambda: getattr(w, "preview_pages", 0) > 0)
    view = preview.findChild(QPrintPreviewWidget)
    assert view.zoomMode() == QPrintPreviewWidget.ZoomMode.FitToWidth
    assert preview.width() >= w.width() - 1 and preview.height() >= w.height() - 1
    qtbot.waitUntil(lambda: view.zoomFactor() > 0.4)  # an A4 page across the window, not a stamp at 24 %
    for button, text in ((preview.print_button, "印刷"), (preview.pdf_button, "PDF に保存")):
        assert button.isVisible() and text in button.text()
        assert preview.rect().contains(button.geometry().translated(button.parentWidget().mapTo(preview,
                                                                                                  button.pos()) - button.pos()))
    asked = []

    class FakePrintDialog:
        def __init__(self, printer, parent):
            asked.append(parent)

        def exec(self):
            return 0  # やめる

    monkeypatch.setattr(qt, "QPrintDialog", FakePrintDialog)
    preview.print_button.click()
    assert asked == [preview]
    target = tmp_path / "見積り.pdf"
    monkeypatch.setattr(qt.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "PDF (*.pdf)"))
    told = []
    monkeypatch.setattr(w, "tell_written", lambda path, *a, **k: told.append(path))
    preview.pdf_button.click()
    assert target.read_bytes().startswith(b"%PDF") and told == [target]
    preview.close()


def test_a_window_kept_at_150_percent_comes_back_as_large_on_the_screen_at_100(qtbot, rules, monkeypatch):
    """Issue 27 point 9: the 895×473 of a 150 % session came back at 100 %, and the first page scrolled."""
    from ohshi_desk.ui.app import make_application
    from ohshi_desk.ui.wizard import OhshiWizard

    make_application([])
    first = OhshiWizard(rules)
    first.ask_before_close = False
    qtbot.addWidget(first)
    try:
        monkeypatch.setattr(first, "_pixel_ratio", lambda: 1.5, raising=False)  # a session at 150 %
        first.resize(500, 400)
        first.done(0)
        again = OhshiWizard(rules)  # at 100 %
        again.ask_before_close = False
        qtbot.addWidget(again)
        assert (again.width(), again.height()) == (750, 600)
        assert again._pixel_ratio() == 1.0
    finally:
        first.settings.remove("window/size")
        first.settings.remove("window/pixels")


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


def test_an_opened_help_does_not_stretch_the_required_mark_and_counts_and_prices_fit(wizard, qtbot):
    """Issue 27 point 9: opening a 「？」 stretched the 必須 badge; at 150 % the 台数 field was 625 px wide and the
    price placeholder was cut."""
    w = wizard
    fp = w.facility_page
    badge = next(lbl for lbl in fp.findChildren(type(fp.kind_note)) if lbl.text() == "必須")
    height = badge.height()
    help_button = next(b for b in fp.findChildren(QPushButton) if b.accessibleName() == "施設の種類の説明")
    help_button.click()
    qtbot.waitUntil(lambda: fp.kind.parentWidget().height() > 2 * fp.kind.height())  # the help is open under it
    QApplication.processEvents()
    wrong = [] if badge.height() == height else [f"必須 {height} → {badge.height()} px high"]
    facility(w, "clinic")
    next_page(w, READER)
    units = w.reader_page.units
    if units.width() > 6 * units.fontMetrics().horizontalAdvance("0") + 60:  # a count of at most 100
        wrong.append(f"台数 {units.width()} px wide")
    next_page(w, GOALS)
    w.goals_page.boxes["home_visit"].setChecked(True)
    next_page(w, PLANS)
    price = w.plans_page.editors["home_visit"].rows[0].price
    price.clear()
    if price.width() < price.fontMetrics().horizontalAdvance(price.placeholderText()) + 12:
        wrong.append(f"「{price.placeholderText()}」 cut in a {price.width()} px field")
    assert not wrong


def test_a_price_asked_about_is_asked_once_on_screen(wizard, qtbot):
    """Issue 27 point 9: 「4.980」 was asked under the line, in a summary and in the line above the buttons at once."""
    from PySide6.QtWidgets import QLabel

    from .driver import commit, to_plans

    w = wizard
    to_plans(w, "clinic", "home_visit")
    row = w.plans_page.editors["home_visit"].rows[0]
    commit(row.price, "4.980")
    qtbot.waitUntil(lambda: row.error.isVisible())
    asked = [lbl for lbl in w.findChildren(QLabel) if lbl.isVisible() and "4,980円 ですか" in lbl.text()]
    assert asked == [row.error]
    line = w.plans_page.missing_line.text()
    assert "1行目の「単価（税込）」" in line and "ですか" not in line  # where, not the question again
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()


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
