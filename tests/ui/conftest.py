"""Fixtures for the wizard tests (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

from .windows import open_wizard


@pytest.fixture
def wizard(qtbot, rules):
    """A fresh wizard window, shown; on the suite's day, with its own app-data folder (tests/conftest.py)."""
    return open_wizard(qtbot, rules)


@pytest.fixture
def fx_wizard(qtbot, fixture_rules):
    """A fresh wizard on the fixture rules (tests/fixtures/README.md): for a test that needs some program, not a real
    one, so that a change to a real program does not break it."""
    return open_wizard(qtbot, fixture_rules)


@pytest.fixture(autouse=True)
def _deferred_deletes_run():
    """After each window test (pytest-qt has closed its windows and asked for them to be deleted): one turn of an
    event loop, so that every widget taken out with deleteLater() is deleted as the app's running loop would
    delete it (a test never returns to one, and hundreds of hidden windows piled up), then garbage collected here,
    at a quiet point. A window a test leaves open is then found at once: it crashed a later test at random when the
    collector freed its Python side in the middle of that test (a rules switch's new window, issue 28 session 8)."""
    yield
    import gc

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        loop = QEventLoop()
        QTimer.singleShot(0, loop.quit)
        loop.exec()
    gc.collect()
