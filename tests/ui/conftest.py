"""Fixtures for the wizard tests (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

from .windows import open_wizard


@pytest.fixture
def wizard(qtbot, rules):
    """A fresh wizard window, shown; on the suite's day, with its own app-data folder (tests/conftest.py)."""
    return open_wizard(qtbot, rules)
