"""The date-dependent tests pass whatever day the computer thinks it is: tests/tools/suite_at_dates.sh runs them
under Debian's faketime at 2025-06-01, 2026-11-23 and 2027-03-01 (the whole suite: run the script by hand)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ["tests/test_days.py", "tests/ui/test_wizard_days.py", "tests/ui/test_wizard.py", "tests/cases",
          "-m", "not slow"]


@pytest.mark.slow
def test_date_dependent_tests_pass_with_the_system_clock_at_three_days():
    assert shutil.which("faketime"), "faketime is needed: packaging/setup-linux.sh --test installs it"
    proc = subprocess.run(["bash", "tests/tools/suite_at_dates.sh", *SUBSET], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHON": sys.executable}, timeout=900)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [ln.split(":")[0] for ln in lines] == ["2025-06-01", "2026-11-23", "2027-03-01"]
    assert all(" passed" in ln and "failed" not in ln and "(exit 0," in ln for ln in lines), lines
