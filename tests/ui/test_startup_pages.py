"""Start-up (issue 28): the pages after the first one, and their modules, are added after the window's first paint
(ui/app.py) or when first asked for, and the first page behaves as before in the meantime."""

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from ohshi_desk.ui.pages import FACILITY, READER

ROOT = Path(__file__).resolve().parents[2]
LATER = ("ohshi_desk.ui.pages.reader", "ohshi_desk.ui.pages.goals", "ohshi_desk.ui.pages.plans",
         "ohshi_desk.ui.lines", "ohshi_desk.ui.pages.usage", "ohshi_desk.ui.pages.result",
         "ohshi_desk.ui.pages.confirm")
# asked for later: the autosave, a code typed, a day banner's words (none on today)
NOT_AT_START = (*LATER, "ohshi_desk.ui.recovery", "unicodedata", "ohshi_desk.core.compute.presenting",
                "ohshi_desk.core.base.formatting")

# run_app's steps up to the first paint, then its after-first-paint turn (ui/app.py)
START = f"""
import sys
from ohshi_desk.core.rules.build import load_rules_for_app
rules, _folder, _warnings = load_rules_for_app(rules_warnings=False)
from ohshi_desk.ui import app as ui_app
app = ui_app.make_application([], icon=False)
from ohshi_desk.ui.wizard import OhshiWizard
w = OhshiWizard(rules)
w.show()
app.processEvents()
later = {LATER!r}
print("at first paint:", sorted(m for m in {NOT_AT_START!r} if m in sys.modules), w.pageIds())
ui_app._after_first_paint(w, [], [])
for _ in range(3):
    app.processEvents()
print("after:", sorted(m for m in later if m not in sys.modules), w.pageIds())
w.dirty = False
w.remember_size = False
w.close()
"""


def test_the_later_pages_modules_are_imported_after_the_first_paint(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "PYTHONPATH": str(ROOT)}
    for name in ("OHSHI_CACHE_DIR", "OHSHI_DATA_DIR", "OHSHI_RULES_DIR", "OHSHI_TODAY"):  # as a user starts it
        env.pop(name, None)
    # the rules cache filled first, as by a first start (a start without it checks the rules with jsonschema)
    fill = "from ohshi_desk.core.rules.build import load_rules_for_app; load_rules_for_app()"
    subprocess.run([sys.executable, "-c", fill], check=True, timeout=120, env=env, cwd=tmp_path)
    proc = subprocess.run([sys.executable, "-c", START], capture_output=True, text=True, timeout=120, env=env,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "at first paint: [] [0]" in lines, proc.stdout  # only the facility page, and none of the others' modules
    assert "after: [] [0, 1, 2, 3, 4, 5, 6]" in lines, proc.stdout  # every page once the window is drawn


def test_before_the_later_pages_are_added_the_first_page_offers_next_and_goes_on(wizard, qtbot):
    w = wizard
    assert "reader_page" not in vars(w) and w.pageIds() == [FACILITY]  # nothing has asked for them yet
    next_button = w.button(QWizard.WizardButton.NextButton)
    assert next_button.isVisible() and next_button.text().startswith("次へ")
    assert not w.button(QWizard.WizardButton.FinishButton).isVisible()
    w.facility_page.kind.setCurrentIndex(w.facility_page.kind.findData("clinic"))
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.currentId() == READER)
    assert w.currentPage() is w.reader_page and w.pageIds() == [0, 1, 2, 3, 4, 5, 6]


def test_a_later_page_asked_for_is_added_with_the_others(wizard):
    w = wizard
    assert w.pageIds() == [FACILITY]
    page = w.goals_page  # as opening a file or the autosave asks for it, before the deferred turn
    assert w.page(2) is page and w.pageIds() == [0, 1, 2, 3, 4, 5, 6]
    assert w.goals_page is page  # made once
