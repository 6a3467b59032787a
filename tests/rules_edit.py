"""Rules the bundle does not have, for tests: a copy of rules/ with a text edited in place (one helper for the
test files and the YAML cases' ``rules_edits``)."""

from __future__ import annotations

import shutil
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def copy_rules(dest: Path) -> Path:
    """A copy of the bundled rules at ``dest``."""
    shutil.copytree(RULES_DIR, dest)
    return dest


def edit(folder: Path, rel: str, old: str, new: str, *, exactly_once: bool = False, where: str = "") -> None:
    """Replace the first ``old`` in ``folder/rel`` by ``new``; ``old`` must be there (``exactly_once``: once)."""
    path = folder / rel
    text = path.read_text(encoding="utf-8")
    if exactly_once:
        assert text.count(old) == 1, f"{where}{old!r} is not once in rules/{rel}"
    assert old in text, f"{where}{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
