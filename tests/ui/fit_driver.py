"""Open the wizard on the screen this process was given (QT_QPA_PLATFORM, QT_SCALE_FACTOR), walk every page and
print, as JSON, each button that is not wholly on the screen's free area, each usage label not on one line, and whether the first page scrolls (used
by test_every_button_is_on_screen_at_any_text_scale and test_the_first_page_does_not_scroll)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QRect  # noqa: E402
from PySide6.QtWidgets import QAbstractButton, QLabel, QScrollArea, QWizard  # noqa: E402

from ohshi_desk.core.rules.build import load_rules  # noqa: E402
from ohshi_desk.ui.app import make_application  # noqa: E402
from ohshi_desk.ui.wizard import OhshiWizard  # noqa: E402


def in_scroll(widget) -> bool:
    """Inside a scroll area: reached by scrolling, so it need not be on screen at once."""
    p = widget.parentWidget()
    while p is not None:
        if isinstance(p, QScrollArea):
            return True
        p = p.parentWidget()
    return False


def off_screen(app, w) -> list[str]:
    for _ in range(5):
        app.processEvents()
    avail = w.screen().availableGeometry()
    out = []
    buttons = [w.button(b) for b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                                     QWizard.WizardButton.CancelButton, QWizard.WizardButton.CustomButton1,
                                     QWizard.WizardButton.CustomButton2)]
    buttons += [b for b in w.currentPage().findChildren(QAbstractButton) if b.isVisible() and not in_scroll(b)]
    for b in buttons:
        if not b.isVisible():
            continue
        top_left = b.mapToGlobal(b.rect().topLeft())
        rect = QRect(top_left, b.size())
        if not avail.contains(rect):
            out.append(f"page {w.currentId()}: {b.text()} at {rect.getRect()} outside {avail.getRect()}")
    return out


def broken_labels(w) -> list[str]:
    """The usage page's field labels that are not on one whole line (a wrapped one broke 利用件数 as 利/用件数)."""
    if w.currentPage() is not w.usage_page:
        return []
    names = {f.label for f in w.usage_page.FIELDS}
    out = []
    for lab in w.usage_page.findChildren(QLabel):
        if lab.text() in names and lab.isVisible():
            fm = lab.fontMetrics()
            if lab.height() >= 2 * fm.height() or lab.width() < fm.horizontalAdvance(lab.text()):
                out.append(f"page {w.currentId()}: 「{lab.text()}」 {lab.width()}×{lab.height()} px, not one line")
    return out


def scrolls(app, w) -> list[str]:
    """Each scroll area of the page shown that needs its vertical scroll bar: how many pixels are out of view."""
    for _ in range(5):
        app.processEvents()
    return [f"page {w.currentId()}: {area.objectName() or type(area.widget()).__name__} scrolls {bar.maximum()} px"
            for area in w.currentPage().findChildren(QScrollArea)
            if area.isVisible() and (bar := area.verticalScrollBar()).maximum() > 0]


def main():
    app = make_application([])
    w = OhshiWizard(load_rules())
    w.ask_before_close = False
    w.remember_size = False
    w.show()
    problems = off_screen(app, w)
    first_page = scrolls(app, w)  # the first page, as it opens and once its kind is chosen (issue 27 point 9)
    fp = w.facility_page
    fp.kind.setCurrentIndex(fp.kind.findData(sys.argv[1] if len(sys.argv) > 1 else "clinic"))
    fp.questions["checkup_provider"].set_value(True)
    first_page += scrolls(app, w)
    fp.prefecture.setCurrentIndex(fp.prefecture.findData("大分県"))  # its note says other towns may be typed
    first_page += scrolls(app, w)
    pages = [w.currentId()]
    while w.currentId() != -1 and len(pages) < 10:
        if w.currentId() == 2:  # goals: every open one
            for box in w.goals_page.boxes.values():
                if box.isEnabled():
                    box.setChecked(True)
        before = w.currentId()
        w.next()
        if w.currentId() == before:
            break
        pages.append(w.currentId())
        problems += off_screen(app, w) + broken_labels(w)
    print(json.dumps({"pages": pages, "problems": problems, "first_page_scrolls": first_page,
                      "maximised": w.isMaximized(),
                      "size": [w.width(), w.height()],
                      "screen": w.screen().availableGeometry().getRect()}, ensure_ascii=False))
    w.dirty = False
    w.close()


if __name__ == "__main__":
    main()
