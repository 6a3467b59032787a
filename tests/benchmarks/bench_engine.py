"""Benchmark: load + validate the rules, and compute all programs for one case.

Targets (issue 2): compute under 1 ms median once the rules are loaded; load and validate under 50 ms.
Run: python tests/benchmarks/bench_engine.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ohshi_desk.core.case.model import parse_case  # noqa: E402
from ohshi_desk.core.compute.engine import compute  # noqa: E402
from ohshi_desk.core.rules.build import load_rules  # noqa: E402

CASE = {
    "format": "ohshi-desk-case/1",
    "facility": {"kind": "hospital", "obligation_exempt": True, "checkup_provider": True},
    "face_reader": {"maker": "panasonic", "units": 2, "free_units": 2},
    "usage": {"oct2023_receipts": 8000, "oct2023_rate_percent": 6.5, "oct2023_users": 520,
              "best_month_users_2024": 800, "peak_monthly_uses": 1600},
    "plans": {pid: {"lines": [{"item": it, "quantity": 2, "unit_price": 30000 + 1000 * i}
                              for i, it in enumerate(["generic_reader", "usb_hub", "tablet", "mobile_terminal",
                                                      "receipt_system_change", "reception_machine_change",
                                                      "face_reader", "installation", "desktop_pc"])]}
              for pid in ["smartphone_reader", "home_visit", "online_care", "outpatient_mobile", "limited_check",
                          "checkup_limited_check", "medical_aid_card", "reader_addition"]},
}
CASE["plans"]["medical_aid_card"]["option"] = "both"


def timeit(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main():
    rules = load_rules()
    loads = timeit(lambda: load_rules(cache_dir=False), 30)
    cached = timeit(load_rules, 30)
    case = parse_case(CASE, rules)
    day = dt.date(2025, 11, 1)
    compute(case, rules, day)
    computes = timeit(lambda: compute(case, rules, day), 500)
    parses = timeit(lambda: parse_case(CASE, rules), 500)
    cold = subprocess.run([sys.executable, "-X", "importtime", "-c", "import ohshi_desk.core.rules.build as r; r.load_rules()"],
                          capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    total_import_us = sum(int(line.split("|")[1]) for line in cold.stderr.splitlines()
                          if line.startswith("import time:") and "|" in line and line.split("|")[1].strip().isdigit()
                          and not line.split("|")[2].startswith("  "))
    programs = len(compute(case, rules, day)["programs"])
    print(f"rules load+validate : median {statistics.median(loads) * 1000:7.2f} ms  (p90 "
          f"{sorted(loads)[int(len(loads) * 0.9)] * 1000:.2f} ms, n={len(loads)})   target < 50 ms  (YAML + schema)")
    print(f"rules load (cached) : median {statistics.median(cached) * 1000:7.2f} ms  (checked documents from the "
          "cache, contradiction checks run)")
    print(f"compute ({programs} programs): median {statistics.median(computes) * 1000:7.3f} ms  (p90 "
          f"{sorted(computes)[int(len(computes) * 0.9)] * 1000:.3f} ms, n={len(computes)})   target < 1 ms")
    print(f"parse case          : median {statistics.median(parses) * 1000:7.3f} ms")
    print(f"cold imports (yaml, jsonschema, core): {total_import_us / 1000:.0f} ms (once per start, not in the targets)")


if __name__ == "__main__":
    main()
