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
    # A kill that lands before the first autosave proves nothing about restoring: the trial is made again with
    # another moment (a few tries at most), never counted as passed.
    for attempt in range(6):
        result = tool.trial(seed + 1000 * attempt, tmp_path / str(attempt))
        if result.get("saves"):
            break
    assert result.get("saves"), f"no trial autosaved before its kill: {result}"
    assert result["ok"], result
