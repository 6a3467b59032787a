"""What the keyboard reaches: one Alt letter per control, each page starts on its first field with a ring, Tab goes
through every control in reading order, a focused field is scrolled into view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QWidget

from ohshi_desk.ui.pages import GOALS, PLANS, READER, RESULT

from .driver import commit, every_page, facility, next_page


@pytest.fixture(scope="module")
def rules(fixture_rules):
    """The keyboard, the wheel and the screen need some program, not the real ones (tests/fixtures/README.md)."""
    return fixture_rules



def mnemonics(w, page) -> dict[str, list[str]]:
    """Alt+letter → the controls it would reach on ``page`` (with the wizard's own buttons)."""
    import re

    from PySide6.QtWidgets import QAbstractButton

    seen: dict[str, list[str]] = {}
    texts = [b.text() for b in w.findChildren(QAbstractButton) if b.isVisible() and not page.isAncestorOf(b)]
    texts += [b.text() for b in page.findChildren(QAbstractButton)]
    texts += [lbl.text() for lbl in page.findChildren(QLabel) if lbl.buddy() is not None]
    for t in texts:
        m = re.search(r"&([^&])", t.replace("&&", ""))
        if m:
            seen.setdefault(m.group(1).upper(), []).append(t)
    return seen


def walk_every_page(w):
    facility(w, "clinic", fx_done=True)
    yield w.currentPage()
    for target in (READER, GOALS):
        next_page(w, target)
        yield w.currentPage()
    for pid in ("fx_capped", "fx_usage_bonus"):
        w.goals_page.boxes[pid].setChecked(True)
    next_page(w, PLANS)
    yield w.currentPage()
    commit(w.plans_page.editors["fx_capped"].rows[0].price, "40000")
    w.next()
    yield w.currentPage()
    while w.currentId() != RESULT:
        w.next()
        yield w.currentPage()
    assert w.currentId() == RESULT


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


def test_no_page_has_two_controls_on_one_alt_letter(wizard):
    """Alt+N is 次へ on every page (it went to 施設名 on page 1); no letter reaches two controls."""
    pages = 0
    for page in walk_every_page(wizard):
        clashes = {k: v for k, v in mnemonics(wizard, page).items() if len(v) > 1}
        assert clashes == {}, f"{page.heading}: {clashes}"
        pages += 1
    assert pages >= 6


def test_each_page_starts_on_its_first_field_with_a_visible_ring(wizard, qtbot):
    from PySide6.QtWidgets import QGraphicsDropShadowEffect

    w = wizard
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    qtbot.waitUntil(lambda: w.focusWidget() is w.facility_page.name)
    qtbot.waitUntil(lambda: isinstance(w.facility_page.name.graphicsEffect(), QGraphicsDropShadowEffect))
    facility(w, "clinic")
    next_page(w, READER)
    first_maker = next(iter(w.reader_page.buttons.values()))
    qtbot.waitUntil(lambda: w.focusWidget() is first_maker)
    assert isinstance(first_maker.graphicsEffect(), QGraphicsDropShadowEffect)
    assert w.facility_page.name.graphicsEffect() is None  # the ring follows the focus


def test_tab_order_is_reading_order_on_the_first_page(wizard):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit

    w = wizard
    fp = w.facility_page
    order, x = [], fp.name
    for _ in range(60):
        if isinstance(x, (QLineEdit, QComboBox, QAbstractButton)) and fp.isAncestorOf(x) and x.isVisible():
            if not (isinstance(x, QLineEdit) and isinstance(x.parent(), QComboBox)):
                order.append(x.accessibleName() or x.text())
        x = x.nextInFocusChain()
        if x is fp.name:
            break
    expected = ["施設名", "施設の種類", "施設の種類の説明", "保険医療機関等コード（7桁）", "保険医療機関等コードの説明",
                "都道府県", "市区町村"]
    assert order[:len(expected)] == expected
    yes = [o for o in order if o.endswith(": はい")]
    assert yes == ["テスト用のはい・いいえの質問: はい"]  # the rules' yes/no question, after the place
    assert order.index(yes[0]) > order.index("市区町村")


def test_every_control_of_every_page_is_reached_by_tab_in_reading_order_one_ring_at_a_time(wizard, qtbot):
    w = wizard
    pages = 0
    for page in every_page(w):
        if page is w.plans_page:  # a second line, added with 「＋ 行を追加」 by the keyboard: it comes before the button
            add = w.plans_page.editors["fx_capped"].add_button
            before = len(w.plans_page.editors["fx_capped"].rows)
            add.setFocus()
            qtbot.keyClick(add, Qt.Key.Key_Space)
            assert len(w.plans_page.editors["fx_capped"].rows) == before + 1
        w._focus_first_field()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and w.isAncestorOf(QApplication.focusWidget()))
        stops = tab_stops(w, qtbot)
        missed = [c.accessibleName() or c.text() for c in controls(page) if c not in stops]
        assert not missed, f"{page.heading}: Tab never reaches {missed} ; stops: {[c.accessibleName() or c.text() for c in stops]}"
        assert_reading_order(page, stops)
        if page is w.plans_page:
            assert w.plans_page.editors["fx_capped"].add_button in stops
        for c in stops:  # one ring at a time; no page button made the default by its focus
            c.setFocus()
            qtbot.waitUntil(lambda c=c: c.hasFocus())
            assert rings(w) == [c], (page.heading, [r.accessibleName() or r.text() for r in rings(w)])
            if isinstance(c, QPushButton) and page.isAncestorOf(c):
                assert not c.autoDefault(), c.text()
        pages += 1
    assert pages == 7


def test_a_focused_field_below_the_fold_is_scrolled_into_view(wizard, qtbot):
    w = wizard
    w.resize(w.width(), 420)  # as 150 % on a 1366×768 screen: the page is taller than its window
    facility(w, "clinic")
    next_page(w, READER)
    next_page(w, GOALS)
    next_page_ok = w.goals_page.boxes["fx_capped"]
    next_page_ok.setChecked(True)
    next_page(w, PLANS)
    page = w.plans_page
    area = page.scroll_area
    ed = page.editors["fx_capped"]
    for _ in range(12):  # lines enough to go below the window's fold
        ed.add_row()
    last = ed.rows[-1].vendor  # the chosen program's last field (the other programs' are hidden)

    def top():
        return last.mapTo(area.viewport(), last.rect().topLeft()).y()

    area.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: last.isVisible() and top() > area.viewport().height())  # laid out, below the fold
    last.setFocus()
    qtbot.waitUntil(lambda: last.hasFocus())
    qtbot.waitUntil(lambda: 0 <= top() and top() + last.height() <= area.viewport().height())
    assert area.verticalScrollBar().value() > 0
