"""A change of day is a tested input, not an accident: the app's one clock (core/clock.py), the CLI's default
--as-of and the wizard's default date follow it, and at each of five days every program has the status it should.

The command line is tried on the fixture rules (tests/fixtures/README.md; their windows in tests/program_days.py),
so that a new edition or question of a real program changes nothing here; the real windows are the YAML cases'.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ohshi_desk.core.base import clock as app_clock
from tests.conftest import FIXTURE_RULES
from tests.program_days import FIXTURE_DAYS, FIXTURE_PROGRAMS
from tests.rules_edit import own_warnings

ROOT = Path(__file__).resolve().parents[1]

# On the fixture rules: every question answered so that each program is usable; with usage, so that テスト4 (and
# テスト3) are listed
CLINIC = {
    "format": "ohshi-desk-case/1",
    "facility": {"name": "日付テスト医院", "kind": "clinic", "fx_done": True, "fx_visits": 1},
    "face_reader": {"maker": "panasonic", "units": 1, "free_units": 0},
    "usage": {"oct2023_receipts": 1000, "oct2023_rate_percent": 4.0, "oct2023_users": 40,
              "best_month_users_2024": 200, "peak_monthly_uses": 600},
    "plans": {
        "fx_coupons": {"lines": [{"item": "generic_reader", "quantity": 1, "unit_price": 4980}]},
        "fx_capped": {"lines": [{"item": "mobile_terminal", "quantity": 1, "unit_price": 40000}]},
        "fx_unit_table": {"lines": [{"item": "face_reader", "quantity": 1, "unit_price": 300000}]},
    },
}
HOSPITAL = {
    "format": "ohshi-desk-case/1",
    "facility": {"name": "日付テスト病院", "kind": "hospital", "fx_done": True},
    "face_reader": {"maker": "unknown"},
    "plans": {"fx_unit_table": {"lines": [{"item": "face_reader", "quantity": 1, "unit_price": 300000}]}},
}
# the real rules' 健診センター: for the tests of the clock that need no program's status
CHECKUP = {
    "format": "ohshi-desk-case/1",
    "facility": {"name": "日付テスト健診センター", "kind": "other", "checkup_provider": True},
    "face_reader": {"maker": "unknown"},
    "plans": {"checkup_limited_check": {"lines": [{"item": "tablet", "quantity": 1, "unit_price": 30000}]}},
}


def cli(case: dict, tmp_path: Path, day: str) -> dict:
    """``ohshi-desk compute`` with no --as-of, in a process whose day is ``day`` (OHSHI_TODAY), on the fixture rules."""
    path = tmp_path / "case.ohshi.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "OHSHI_TODAY": day, "OHSHI_RULES_DIR": str(FIXTURE_RULES)}
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "compute", str(path)], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("day", list(FIXTURE_DAYS))
def test_the_cli_computes_on_the_clock_day_with_the_statuses_of_that_day(day, tmp_path):
    clinic_want, hospital_want = FIXTURE_DAYS[day]
    out = cli(CLINIC, tmp_path, day)
    assert out["as_of"] == day and out["as_of_source"] == "today"
    got = {p["id"]: p["status"] for p in out["programs"]}
    assert got == dict(zip(FIXTURE_PROGRAMS, clinic_want, strict=True))
    # whatever the day: テスト1 40,000 (under its 41,000 cap) × 3/4 = 30,000; テスト2 4,980 × 1/2 = 2,490; テスト3 one unit
    # (600 uses ≥ 500) 300,000 × 1/2 = 150,000 (under 275,000); テスト4 clinic 3–5% row, +160 users → 200,000
    subsidy = {p["id"]: p["subsidy"] for p in out["programs"]}
    assert subsidy == {"fx_capped": 30000, "fx_coupons": 2490, "fx_unit_table": 150000, "fx_usage_bonus": 200000}
    open_total = sum(p["subsidy"] for p in out["programs"] if p["status"] == "open")
    assert out["total_subsidy_open"] == open_total
    hospital = cli(HOSPITAL, tmp_path, day)
    assert [(p["id"], p["status"]) for p in hospital["programs"]] == [("fx_unit_table", hospital_want)]


def test_the_clock_reads_the_environment_and_refuses_a_bad_day(monkeypatch):
    monkeypatch.setenv("OHSHI_TODAY", "令和7年11月1日")
    assert app_clock.today() == dt.date(2025, 11, 1)
    assert app_clock.now().date() == dt.date(2025, 11, 1)
    app_clock.set_today(dt.date(2027, 3, 1))
    assert app_clock.today() == dt.date(2027, 3, 1)
    app_clock.set_today(None)
    monkeypatch.setenv("OHSHI_TODAY", "2025-13-01")
    with pytest.raises(app_clock.ClockError, match="OHSHI_TODAY"):
        app_clock.today()


def test_a_bad_day_in_the_environment_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "c.ohshi.json"
    path.write_text(json.dumps(CHECKUP, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "compute", str(path)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "OHSHI_TODAY": "あした"}, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(own_warnings(proc.stderr.splitlines())) == 1 and "OHSHI_TODAY" in proc.stderr and "Traceback" not in proc.stderr


def test_only_the_clock_module_asks_the_computer_what_day_it_is():
    """The calls that read the computer's date or time (see the pattern) appear in core/clock.py only."""
    pattern = re.compile(r"\b(date\.today|datetime\.(now|today|utcnow)|localtime|gmtime|QDate\.currentDate|"
                         r"QDateTime\.current\w*)\s*\(")
    clock_py = ROOT / "ohshi_desk" / "core" / "base" / "clock.py"
    assert _lines_matching(pattern, (p for p in (ROOT / "ohshi_desk").rglob("*.py") if p != clock_py)) == []
    assert pattern.search(clock_py.read_text(encoding="utf-8"))


def test_the_workbook_is_stamped_with_the_clock_day_in_wareki(tmp_path, rules, clock):
    from openpyxl import load_workbook

    from ohshi_desk.core.case.model import parse_case
    from ohshi_desk.core.workbook.write import export_case

    clock(dt.date(2027, 3, 1))
    out = tmp_path / "book.xlsx"
    export_case(parse_case(CHECKUP, rules), rules, out)
    summary = load_workbook(out)["概要"]
    stamps = [row[1].value for row in summary.iter_rows(min_row=1, max_row=20) if row[0].value == "作成"]
    assert stamps == ["令和9年3月1日（ohshi-desk）"]


def test_no_test_reads_the_clock_or_times_itself():
    """Tests set the day they mean (the clock fixture, OHSHI_TODAY) and wait on conditions, never on durations;
    speed is measured in tests/benchmarks/, and a hang is caught by tests/hangs.py's generous limit. The tools the
    tests run (tests/tools/, the drivers) are held to it too; a line whose job *is* time — the kill trials' typist
    pausing between keys and killing at a random moment, waiting for LibreOffice's pipe to open — says so with
    ``# timing:`` and its reason."""
    pattern = re.compile(r"\b(date\.today|datetime\.(now|today|utcnow)|"
                         r"time\.(time|monotonic|perf_counter|process_time|sleep)(_ns)?|localtime|gmtime|"
                         r"QDate\.currentDate|QDateTime\.current\w*|QTime\.currentTime|QElapsedTimer|qWait|"
                         r"QTest\.qSleep)\s*\(|"
                         r"from time" r" import")
    tests = (p for p in (ROOT / "tests").rglob("*.py") if "benchmarks" not in p.relative_to(ROOT / "tests").parts)
    found = _lines_matching(pattern, tests)
    assert [line for line in found if "# timing: " not in line] == []
    assert all(len(line.split("# timing: ", 1)[1]) > 10 for line in found)  # a reason, not a bare marker


def _lines_matching(pattern, paths) -> list[str]:
    """file:line: text of every line of ``paths`` that ``pattern`` finds."""
    return [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for path in paths
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
