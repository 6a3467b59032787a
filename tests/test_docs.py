"""The project carries its own copy of the case-format contract (docs/CASE_FORMAT.md), kept in step with
../shared/CASE_FORMAT.md: it may extend the shared text, never drop or change a line of it."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "CASE_FORMAT.md"


def test_the_project_copy_holds_every_line_of_the_shared_contract():
    if not SHARED.exists():
        pytest.fail(f"{SHARED} is expected beside the checkout (the CI layout)", pytrace=False)
    ours = (ROOT / "docs" / "CASE_FORMAT.md").read_text(encoding="utf-8").splitlines()
    missing = [line for line in SHARED.read_text(encoding="utf-8").splitlines() if line.strip() and line not in ours]
    assert missing == [], f"lines of the shared contract missing from docs/CASE_FORMAT.md: {missing[:5]}"
