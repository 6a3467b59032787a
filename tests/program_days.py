"""Five days and each program's status on them: the real 健診 program's (rules/programs/*.yaml) for the wizard's day
test (ui/test_wizard_days.py), and the fixture rules' for the command line's (test_days.py). The real programs'
windows themselves are tested by the YAML cases of tests/cases/."""

from __future__ import annotations

OP, NY, CL = "open", "not_yet_open", "closed"
# The day, and the 健診 program's status on it (a checkup centre)
DAYS = {
    "2025-06-01": NY,
    "2025-11-01": NY,
    "2026-01-16": NY,
    "2026-11-23": OP,  # only the 健診 program is open
    "2027-03-01": CL,  # after P6 closes: nothing is open
}

# The fixture rules' (tests/fixtures/README.md), for the command line's day test (test_days.py), so that a
# new edition of a real program changes nothing there. Windows: テスト1 2025-05-12〜2026-01-15, テスト2 2025-08-29〜
# 2026-01-31, テスト3 2026-04-01〜2027-03-31, テスト4 2024-05-01〜2024-08-31. A clinic; then a hospital with テスト3 only.
FIXTURE_PROGRAMS = ["fx_capped", "fx_coupons", "fx_unit_table", "fx_usage_bonus"]
FIXTURE_DAYS = {
    "2025-06-01": ([OP, NY, NY, CL], NY),  # テスト1 open, テスト2 not yet
    "2025-11-01": ([OP, OP, NY, CL], NY),  # テスト1 and テスト2 open
    "2026-01-16": ([CL, OP, NY, CL], NY),  # the day after テスト1's deadline: テスト2 is left
    "2026-11-23": ([CL, CL, OP, CL], OP),  # the suite's day: only テスト3 is open
    "2027-04-01": ([CL, CL, CL, CL], CL),  # after テスト3 closes: nothing is open
}
