"""Fixtures for the wizard tests (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest


@pytest.fixture
def wizard(qtbot, rules):
    """A fresh wizard window, shown; on the suite's day, with its own app-data folder (tests/conftest.py)."""
    from ohshi_desk.ui.app import make_application
    from ohshi_desk.ui.wizard import OhshiWizard

    make_application([])
    w = OhshiWizard(rules)
    w.ask_before_close = False  # pytest-qt closes every window at teardown
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w
