"""Five days and each program's status on them (the windows of rules/programs/*.yaml), shared by the day tests of
the core (test_days.py) and of the wizard (ui/test_wizard_days.py)."""

from __future__ import annotations

OP, NY, CL = "open", "not_yet_open", "closed"
PROGRAMS = ["smartphone_reader", "home_visit", "online_care", "outpatient_mobile", "medical_aid_card",
            "usage_bonus", "reader_addition"]
# The day, and each program's status on it, in PROGRAMS' order (a clinic); then the 健診 program (a checkup centre).
DAYS = {
    "2025-06-01": ([NY, OP, OP, NY, NY, CL, CL], NY),  # before P1 opens; P4 and P7 not yet either
    "2025-11-01": ([OP, OP, OP, OP, OP, CL, CL], NY),  # everything of FY2025 open
    "2026-01-16": ([OP, CL, CL, CL, CL, CL, CL], NY),  # the day after the FY2025 deadline: only P1 is left
    "2026-11-23": ([CL, CL, CL, CL, CL, CL, CL], OP),  # only the 健診 program is open
    "2027-03-01": ([CL, CL, CL, CL, CL, CL, CL], CL),  # after P6 closes: nothing is open
}
