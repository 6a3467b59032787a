"""Benchmark: export time of a case with 100 purchase lines (target: under 300 ms).

Run: python tests/benchmarks/bench_export.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ohshi_desk.core.case import parse_case  # noqa: E402
from ohshi_desk.core.rules import load_rules  # noqa: E402
from ohshi_desk.core.xlsx_write import export_case  # noqa: E402


def main():
    rules = load_rules()
    items = ["mobile_terminal", "receipt_system_change", "tablet", "desktop_pc"]
    plans = {pid: {"lines": [{"item": items[i % 4], "quantity": 1 + i % 3, "unit_price": 1000 * (i + 1),
                              "description": f"品名 {i}", "vendor": "〇〇システム", "order_date": "2025-10-01"}
                             for i in range(25)]}
             for pid in ("home_visit", "online_care", "outpatient_mobile", "medical_aid_card")}
    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "hospital", "name": "ベンチ病院",
                                                                   "prefecture": "大分県"}, "plans": plans}, rules)
    assert sum(len(p.lines) for p in case.plans.values()) == 100
    with tempfile.TemporaryDirectory() as tmp:
        export_case(case, rules, Path(tmp) / "warm.xlsx")
        times = []
        for i in range(15):
            t = time.perf_counter()
            export_case(case, rules, Path(tmp) / f"b{i}.xlsx")
            times.append(time.perf_counter() - t)
        size = (Path(tmp) / "b0.xlsx").stat().st_size
    print(f"export, 100 lines: median {statistics.median(times) * 1000:.1f} ms  (min {min(times) * 1000:.1f}, "
          f"n={len(times)}, {size / 1024:.0f} KiB)   target < 300 ms")


if __name__ == "__main__":
    main()
