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
