"""Opening a wizard window for a test: shown, exposed, closed by pytest-qt at teardown without asking."""

from __future__ import annotations


def open_wizard(qtbot, rules):
    """A fresh wizard window on ``rules``, shown; on the suite's day, with its own app-data folder."""
    from ohshi_desk.ui.app import make_application
    from ohshi_desk.ui.wizard import OhshiWizard

    make_application([])
    w = OhshiWizard(rules)
    w.ask_before_close = False  # pytest-qt closes every window at teardown
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w
