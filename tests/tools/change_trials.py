"""Change trials (issue 24, Done-when): make a realistic rules change for real and count the tests it breaks.

    python tests/tools/change_trials.py [TRIAL ...]      # default: a c e; one run of the not-slow suite per trial
                                                         # (~2–3 min each on a shared machine: run it alone)

Each trial copies this tree to a temporary folder, makes its rules change there as data only (YAML, no Python line),
runs ``pytest -m "not slow"`` on the copy (under ``nice``) and prints the tests broken (failed + errors), split into
those about the changed rule (the YAML cases of tests/cases/ and the tests that read the real rules on purpose,
RULE_TESTS) and those outside it. The Done-when holds when every trial breaks nothing outside. Not part of the suite.

The trials (the rules changes a new notice brings):
  a  a new fiscal-year edition of P2 (令和8年度, its own window and a value), open on the suite's day
  b  a 10th program (a copy of P2 under its own id)
  c  a yes/no facility question P2 reads (one ``flags`` entry, P2's ``eligibility.flags``)
  d  a new facility kind (a kind no program names yet)
  e  a number question P2 reads (1か月の訪問件数, ``eligibility.at_least``; tests/rules_edit.with_visits_question)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.rules_edit import edit, with_visits_question  # noqa: E402  (after the path: run as a script)

# Tests about the rules themselves: a trial may break these (the change is theirs to follow).
RULE_TESTS = ("tests/cases/", "tests/test_golden_seeds.py")

P2 = "programs/p2_home_visit.yaml"
P2_CLOSING = "# said when the program has closed"


def _new_p2_edition(rules: Path) -> None:
    """a: 令和8年度 of P2 after 令和7年度: the same block with its own id, label, window and mobile cap."""
    path = rules / P2
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: fy2025\n")
    end = text.index(P2_CLOSING)
    block = text[start:end]
    window = block[block.index("    window:\n"):block.index("    eligibility:\n")]
    new = (block.replace("id: fy2025", "id: fy2026").replace("label: 令和7年度", "label: 令和8年度")
           .replace(window, '    window:\n      start: "2026-05-11"\n      end: "2027-01-15"\n')
           .replace("cap: {any: 41000}", "cap: {any: 45000}"))
    assert new != block and new.count("fy2026") == 1
    path.write_text(text[:end] + new + text[end:], encoding="utf-8")


def _tenth_program(rules: Path) -> None:
    """b: a 10th program, P2 copied under its own id, order and names."""
    text = (rules / P2).read_text(encoding="utf-8")
    new = (text.replace("id: home_visit\n", "id: home_visit_b\n").replace("order: 2\n", "order: 10\n")
           .replace("short_name: 訪問診療等\n", "short_name: 訪問診療等（第2類型）\n")
           .replace("name: 訪問診療等における", "name: 第2類型・訪問診療等における"))
    assert new.count("home_visit_b") == 1
    (rules / "programs" / "p10_home_visit_b.yaml").write_text(new, encoding="utf-8")


YES_NO_QUESTION = ("  home_visit_ready:\n    label: 訪問診療等を行っている\n"
                   "    help: 訪問診療・往診・訪問薬剤管理指導のいずれかを行っている施設です\n    read_by: [home_visit]\n")
P2_NOT_KINDS = "      not_kinds: [other]  # 保険医療機関・薬局でない施設は対象外\n"


def _yes_no_question(rules: Path) -> None:
    """c: a yes/no facility question P2 reads (6 YAML lines)."""
    edit(rules, "facility_kinds.yaml", "flags:\n", "flags:\n" + YES_NO_QUESTION, exactly_once=True)
    edit(rules, P2, P2_NOT_KINDS, P2_NOT_KINDS + "      flags: [home_visit_ready]\n", exactly_once=True)


def _new_kind(rules: Path) -> None:
    """d: a new facility kind, named by no program yet (eligible nowhere; the loader says so)."""
    edit(rules, "facility_kinds.yaml", "  other:", "  visiting_nurse: {label: 訪問看護ステーション, score_table_code: \"\"}\n"
         "  other:", exactly_once=True)


TRIALS = {
    "a": ("a new fiscal-year edition of P2", _new_p2_edition),
    "b": ("a 10th program", _tenth_program),
    "c": ("a yes/no question P2 reads", _yes_no_question),
    "d": ("a new facility kind", _new_kind),
    "e": ("a number question P2 reads", lambda rules: with_visits_question(rules)),
}

_IGNORE = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.pyc", "build", "dist", ".pytest_cache",
                                 ".ruff_cache", ".hypothesis")
_BROKEN = re.compile(r"^(FAILED|ERROR) (.+?)(?: - .*)?$")


def run_trial(key: str) -> tuple[int, list[str], list[str], str]:
    """(pytest's return code, broken tests about the rule, broken tests outside it, the summary line)."""
    with tempfile.TemporaryDirectory(prefix=f"ohshi-trial-{key}-") as tmp:
        tree = Path(tmp) / "tree"
        shutil.copytree(ROOT, tree, ignore=_IGNORE)
        if (ROOT.parent / "shared").is_dir():  # the notices and the shared contract, beside the checkout (CI layout)
            (tree.parent / "shared").symlink_to(ROOT.parent / "shared")
        if key != "none":
            TRIALS[key][1](tree / "rules")
        env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
        cmd = ["nice", sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow",
               "--tb=no", "-rfE"]
        done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    broken = sorted({m.group(2) for line in lines if (m := _BROKEN.match(line))})
    inside = [t for t in broken if t.startswith(RULE_TESTS)]
    outside = [t for t in broken if not t.startswith(RULE_TESTS)]
    summary = next((line for line in reversed(lines) if line.strip()), "") if lines else done.stderr[-300:]
    return done.returncode, inside, outside, summary


def main(argv: list[str]) -> int:
    keys = argv or ["a", "c", "e"]
    unknown = [k for k in keys if k not in TRIALS and k != "none"]
    if unknown:
        print(f"unknown trial(s) {unknown}; known: {', '.join(TRIALS)} (and 'none': the tree unchanged)")
        return 2
    for key in keys:
        rc, inside, outside, summary = run_trial(key)
        title = TRIALS[key][0] if key in TRIALS else "no change"
        crashed = "" if rc in (0, 1) else f"  (pytest ended with {rc}: a crash?)"
        print(f"trial {key} ({title}): broken {len(inside) + len(outside)}, about the rule {len(inside)}, "
              f"outside {len(outside)}{crashed}\n  {summary}")
        for name in outside:
            print(f"  outside: {name}")
        for name in inside:
            print(f"  rule:    {name}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
