"""Rules the bundle does not have, for tests: a copy of rules/ with a text edited in place (one helper for the
test files and the YAML cases' ``rules_edits``)."""

from __future__ import annotations

import shutil
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"


def copy_rules(dest: Path, source: Path = RULES_DIR) -> Path:
    """A copy of the bundled rules (or of ``source``: the fixture rules, tests/fixtures/README.md) at ``dest``."""
    shutil.copytree(source, dest)
    return dest


def edit(folder: Path, rel: str, old: str, new: str, *, exactly_once: bool = False, where: str = "") -> None:
    """Replace the first ``old`` in ``folder/rel`` by ``new``; ``old`` must be there (``exactly_once``: once)."""
    path = folder / rel
    text = path.read_text(encoding="utf-8")
    if exactly_once:
        assert text.count(old) == 1, f"{where}{old!r} is not once in rules/{rel}"
    assert old in text, f"{where}{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


VISITS_QUESTION = ("  visits_per_month:\n    type: count\n    unit: 件\n    max: 10000\n    label: 1か月の訪問件数\n"
                   "    help: 訪問診療・往診・訪問薬剤管理指導の1か月の件数です\n    read_by: [home_visit]\n")
P2_NOT_KINDS = "      not_kinds: [other]  # 保険医療機関・薬局でない施設は対象外\n"


def with_visits_question(folder: Path, program: str = "home_visit", file: str = "programs/p2_home_visit.yaml") -> Path:
    """The rules in ``folder`` with a number question (issue 24): 1か月の訪問件数, which P2 (or ``program``, in
    ``file``: the fixture rules' テスト1, a copy of P2) needs to be at least 1 — one facility_kinds.yaml entry and one
    line of the program, no Python."""
    edit(folder, "facility_kinds.yaml", "flags:\n", "flags:\n" + VISITS_QUESTION.replace("[home_visit]", f"[{program}]"),
         exactly_once=True)
    edit(folder, file, P2_NOT_KINDS, P2_NOT_KINDS + "      at_least: {visits_per_month: 1}\n", exactly_once=True)
    return folder


def with_fixture_visits_question(folder: Path) -> Path:
    """A copy of the fixture rules at ``folder`` with the number question of :func:`with_visits_question` on テスト1."""
    from tests.conftest import FIXTURE_RULES

    return with_visits_question(copy_rules(folder, FIXTURE_RULES), "fx_capped", "programs/1_fx_capped.yaml")


def fixture_rules_plus_folder(folder: Path) -> Path:
    """A copy of the fixture rules at ``folder`` with the programs of tests/fixtures/rules_plus/programs added
    (tests/fixtures/README.md): the ``fixture_rules_plus`` fixture's folder."""
    from tests.conftest import FIXTURE_RULES

    copy_rules(folder, FIXTURE_RULES)
    for program in sorted((FIXTURE_RULES.parent / "rules_plus" / "programs").glob("*.yaml")):
        shutil.copy(program, folder / "programs" / program.name)
    return folder


def own_warnings(warnings) -> list[str]:
    """The warnings (or stderr lines) a test's change added: those the bundled rules give by themselves (a kind no
    program names yet, …) are left out, so that a correct change to the real rules breaks no test about another
    thing. A line the console could not hold is compared with its ``\\uXXXX`` escapes read back."""
    import re

    from ohshi_desk.core.base.guard import one_line
    from tests.conftest import rules_once

    def unescaped(line: str) -> str:
        return re.sub(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))", lambda m: chr(int(m.group(1) or m.group(2), 16)), line)

    bundled = {one_line(w) for w in rules_once().warnings}
    return [w for w in warnings if one_line(w) not in bundled and unescaped(one_line(w)) not in bundled]


def own_stderr(stderr: str) -> str:
    """A command's stderr without the lines the bundled rules' own warnings make (see :func:`own_warnings`)."""
    return "".join(line + "\n" for line in own_warnings(stderr.splitlines()))
