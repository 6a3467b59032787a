"""A few of the SIGKILL trials of tests/tools/kill_trials.py (which runs 100 and prints the figures): killed at a
random moment while typing, the next start restores every field of the last autosave."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "kill_trials.py"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [3, 5, 8])
def test_killed_while_typing_restores_every_field(tmp_path, seed):
    spec = importlib.util.spec_from_file_location("kill_trials", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    result = tool.trial(seed, tmp_path)
    assert result["ok"], result
