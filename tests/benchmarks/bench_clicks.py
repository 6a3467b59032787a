"""Benchmark: the clicks and keystrokes a receptionist needs for the 健診 scenario, from the first page to the Excel
workbook written (the scenario of tests/ui/test_wizard.py, test_checkup_centre_tablet_and_desktop_pc).

べっぷ健診センター (施設の種類 その他, 特定健診 はい), card reader maker わからない, goal: the 健診 program only;
plans: the suggested 汎用カードリーダー line deleted, a タブレット at 30,000円 (the suggested line), a
デスクトップパソコン at 98,000円 (an added line); 次へ through to the result; 「Excel に書き出す」, a file name typed in the
save dialog, and whatever message comes after it closed.

The wizard is driven offscreen with real events (QTest mouse clicks on the window at the control's place, QTest key
clicks to the control with the focus), each counted; the run fails if an action does not do what it should, if a
control is covered or scrolled out of sight, and unless the workbook is written and the estimate is 22,000円.

Conventions (the same for any version measured):
- Mouse for every choice (combo box: 1 click to open, 1 to pick; radio, check box, button: 1 click), keyboard for
  text. A text field the focus is not already in takes 1 click.
- Each typed character is a keystroke. Japanese is typed through the IME: 施設名 as the romaji
  "beppukenshinsenta-" + 1 conversion key + Enter (20). Switching the IME on or off is not counted.
- The save dialog (QFileDialog, stood in for by a stub) is counted as typing "kenshin" + Enter over the suggested
  name (8); pressing Enter alone would take the suggested name. Scrolling, if a control is out of sight, is
  counted separately (there is none at 1000×700 on a 1366×768 screen).

Run: python tests/benchmarks/bench_clicks.py            (this checkout)
     python tests/benchmarks/bench_clicks.py --tree DIR (another checkout, e.g. a git worktree of an older commit)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREE = Path(sys.argv[sys.argv.index("--tree") + 1]).resolve() if "--tree" in sys.argv else HERE.parents[1]
sys.path.insert(0, str(TREE))
sys.path.insert(1, str(HERE))

from clean_env import clean_env  # noqa: E402

DAY = dt.date(2026, 11, 23)
NAME, ROMAJI = "べっぷ健診センター", "beppukenshinsenta-"
FILE_NAME = "kenshin"
PROGRAM = "checkup_limited_check"


def prepare_environment() -> Path:
    """Offscreen on a 1366×768 screen, fresh settings / cache / app-data folders, and the scenario's day."""
    for key in ("OHSHI_CACHE_DIR", "OHSHI_DATA_DIR", "OHSHI_RULES_DIR"):
        os.environ.pop(key, None)
    os.environ.update(clean_env())
    home = Path(os.environ["XDG_CONFIG_HOME"]).parent
    screen = home / "screen.json"
    screen.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"
    os.environ["OHSHI_DATA_DIR"] = str(home / "app-data")
    os.environ["OHSHI_TODAY"] = DAY.isoformat()
    try:
        from ohshi_desk.core.base import clock
    except ImportError:  # a version from before the clock module (--tree): it reads the computer's date
        print(f"note: this version has no clock module; it uses the computer's date, not {DAY}")
    else:
        clock.set_today(DAY)
    return home


class Driver:
    """Real events on the wizard, counted page by page."""

    def __init__(self, app, wizard):
        from PySide6.QtTest import QTest

        self.app, self.w, self.QTest = app, wizard, QTest
        self.steps: list[tuple[str, str, int, int, int]] = []  # page, action, clicks, keys, scrolls
        self.page = ""

    def settle(self, ms: int = 30) -> None:
        self.QTest.qWait(ms)
        self.app.processEvents()

    def record(self, action: str, clicks: int = 0, keys: int = 0, scrolls: int = 0) -> None:
        self.steps.append((self.page, action, clicks, keys, scrolls))

    def _on_screen(self, widget, pos) -> int:
        """Make sure the point is in sight and not covered; scroll (counted) when it is not. Returns scrolls."""
        from PySide6.QtWidgets import QScrollArea

        scrolls = 0
        win = widget.window()
        area = widget.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None:
            vp = area.viewport()
            if not vp.rect().contains(widget.mapTo(vp, pos)):
                area.ensureWidgetVisible(widget)
                self.settle()
                scrolls = 1
        at = widget.mapTo(win, pos)
        assert win.rect().contains(at), f"{widget.accessibleName() or widget}: outside the window"
        hit = win.childAt(at)
        assert hit is widget or widget.isAncestorOf(hit), f"{widget.accessibleName() or widget}: covered by {hit}"
        return scrolls

    def click(self, widget, action: str, pos=None) -> None:
        from PySide6.QtCore import QPoint, Qt
        from PySide6.QtWidgets import QCheckBox, QRadioButton

        self.settle()
        assert widget.isVisible() and widget.isEnabled(), f"{action}: the control is not there or is greyed out"
        if pos is None:  # a check box or radio button is clicked on its box, a wide one being mostly empty space
            pos = QPoint(8, widget.height() // 2) if isinstance(widget, (QCheckBox, QRadioButton)) else widget.rect().center()
        scrolls = self._on_screen(widget, pos)
        self.record(action, clicks=1, scrolls=scrolls)  # before: a button may open a dialog counted after it
        self.QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)

    def choose(self, combo, data, action: str) -> None:
        """Open the list with a click and click the entry."""
        from PySide6.QtCore import Qt

        self.click(combo, f"{action}: open the list")
        self.settle(100)
        view = combo.view()
        assert view.isVisible(), f"{action}: the list did not open"
        index = combo.model().index(combo.findData(data), 0)
        rect = view.visualRect(index)
        vp = view.viewport().rect()
        assert vp.top() <= rect.top() and rect.bottom() <= vp.bottom(), f"{action}: the entry needs scrolling in the list"
        # as a hand does: the pointer moves to the entry (a release sooner than a double-click after the list
        # opened is taken as the end of the opening click), then clicks it
        self.settle(self.app.doubleClickInterval() + 50)
        self.QTest.mouseMove(view.viewport(), rect.center())
        self.settle()
        self.QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                              rect.center())
        self.settle()
        assert combo.currentData() == data, f"{action}: {combo.currentData()!r} chosen, not {data!r}"
        self.record(f"{action}: click 「{combo.currentText()}」", clicks=1)

    def focus(self, edit, action: str) -> None:
        self.settle()
        if self.app.focusWidget() is not edit:
            self.click(edit, f"{action}: click into the field")
        assert self.app.focusWidget() is edit, f"{action}: the field did not take the focus"

    def type(self, edit, text: str, action: str) -> None:
        self.focus(edit, action)
        self.QTest.keyClicks(edit, text)
        assert edit.text() == text, f"{action}: {edit.text()!r}"
        self.record(f"{action}: type {text}", keys=len(text))

    def type_japanese(self, edit, romaji: str, text: str, action: str) -> None:
        """Romaji, one conversion key and Enter, delivered to the field as the IME does: one commit."""
        from PySide6.QtGui import QInputMethodEvent

        self.focus(edit, action)
        event = QInputMethodEvent("", [])
        event.setCommitString(text)
        self.app.sendEvent(edit, event)
        assert edit.text() == text, f"{action}: {edit.text()!r}"
        self.record(f"{action}: {romaji} + 変換 + Enter → {text}", keys=len(romaji) + 2)

    def next(self, expected: int) -> None:
        from PySide6.QtWidgets import QWizard

        self.click(self.w.button(QWizard.WizardButton.NextButton), "次へ")
        self.settle()
        assert self.w.currentId() == expected, f"page {self.w.currentId()}, not {expected}"


def run() -> tuple[Driver, Path, dict]:
    home = prepare_environment()
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

    import ohshi_desk
    from ohshi_desk.core.rules.build import load_rules
    from ohshi_desk.ui import pages
    from ohshi_desk.ui.app import make_application
    from ohshi_desk.ui.wizard import OhshiWizard

    confirm = getattr(pages, "CONFIRM", None)  # 入力内容の確認 (not in older versions)
    app = make_application([])
    w = OhshiWizard(load_rules())
    w.remember_size = False
    w.show()
    d = Driver(app, w)
    d.QTest.qWaitForWindowExposed(w)
    w.activateWindow()
    d.QTest.qWaitForWindowActive(w)
    d.settle(100)
    print(f"ohshi_desk from {Path(ohshi_desk.__file__).parent}; window {w.width()}×{w.height()} on "
          f"{w.screen().size().width()}×{w.screen().size().height()}")

    d.page = "施設"
    fp = w.facility_page
    d.type_japanese(fp.name, ROMAJI, NAME, "施設名")
    d.choose(fp.kind, "other", "施設の種類")
    d.click(fp.questions["checkup_provider"].yes, "特定健診の実施機関: はい")
    assert fp.questions["checkup_provider"].value() is True
    d.next(pages.READER)

    d.page = "カードリーダー"
    d.click(w.reader_page.buttons["unknown"], "メーカー: わからない")
    assert w.reader_page.maker() == "unknown"
    d.next(pages.GOALS)

    d.page = "やりたいこと"
    d.click(w.goals_page.boxes[PROGRAM], "健診の資格確認 にチェック")
    assert w.goals_page.chosen() == [PROGRAM]
    d.next(pages.PLANS)

    d.page = "購入予定"
    ed = w.plans_page.editors[PROGRAM]
    assert [r.item.currentData() for r in ed.rows] == ["generic_reader", "tablet"]
    d.click(ed.rows[0].remove, "汎用カードリーダーの行の「削除」")
    d.settle()
    assert [r.item.currentData() for r in ed.rows] == ["tablet"]
    d.type(ed.rows[0].price, "30000", "タブレットの単価")
    d.click(ed.add_button, "＋ 行を追加")
    row = ed.rows[-1]
    d.choose(row.item, "desktop_pc", "新しい行の品目")
    d.type(row.price, "98000", "デスクトップパソコンの単価")
    if confirm is not None:
        d.next(confirm)
        d.page = "入力内容の確認"
    d.next(pages.RESULT)

    d.page = "結果"
    bd = w.result_page.breakdown
    program = next(p for p in bd["programs"] if p["id"] == PROGRAM)
    assert program["subsidy"] == 22000, program["subsidy"]
    target = home / f"{FILE_NAME}.xlsx"
    asked = []

    def save_dialog(*args, **kwargs):
        asked.append(args[2] if len(args) > 2 else "")
        d.page = "結果: 保存ダイアログ"
        d.record(f"保存ダイアログ: type {FILE_NAME} + Enter (suggested: {Path(asked[-1]).name})",
                 keys=len(FILE_NAME) + 1)
        return str(target), ""

    QFileDialog.getSaveFileName = staticmethod(save_dialog)

    def answer_message() -> None:  # a message over the window after the export: closed with a click
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            poll.stop()
            button = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
            d.page = f"結果: 「{box.windowTitle()}」"
            text = " / ".join(b.text() for b in box.buttons())
            d.click(button, f"「{button.text()}」 (buttons: {text})")

    poll = QTimer()
    poll.setInterval(50)
    poll.timeout.connect(answer_message)
    poll.start()
    d.click(w.result_page.export_button, "「Excel に書き出す」")
    d.settle(200)
    poll.stop()
    assert len(asked) == 1 and target.is_file(), "the workbook was not written"
    w.dirty = False
    w.ask_before_close = False
    w.close()
    return d, target, program


def pad(text: str, width: int) -> str:
    """Left-justify counting a full-width character as two columns, as a terminal shows it."""
    import unicodedata

    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - shown)


def main():
    d, target, program = run()
    pages_in_order = list(dict.fromkeys(step[0] for step in d.steps))
    print(f"\n{pad('page', 36)}{pad('action', 84)}{'clicks':>6}{'keys':>6}")
    for p, action, clicks, keys, scrolls in d.steps:
        extra = f"  (+{scrolls} scroll)" if scrolls else ""
        print(f"{pad(p, 36)}{pad(action, 84)}{clicks:>6}{keys:>6}{extra}")
    print(f"\n{pad('page', 36)}{'clicks':>6}{'keys':>6}")
    for page in pages_in_order:
        rows = [s for s in d.steps if s[0] == page]
        print(f"{pad(page, 36)}{sum(s[2] for s in rows):>6}{sum(s[3] for s in rows):>6}")
    clicks, keys, scrolls = (sum(s[i] for s in d.steps) for i in (2, 3, 4))
    print(f"\ntotal: {clicks} clicks, {keys} keystrokes, {clicks + keys} actions; {scrolls} scrolls")
    print(f"estimate {program['subsidy']:,}円; workbook written: {target.name} ({target.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
