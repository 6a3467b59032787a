"""Benchmark: export time of a case with 100 and with 1,000 purchase lines, and reading the 1,000-line workbook back
(targets, issue 26: 100 lines < 300 ms; 1,000 lines ≤ 0.35 s; reading it back ≤ 0.25 s).

Run: python tests/benchmarks/bench_export.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ohshi_desk.core.case.model import parse_case  # noqa: E402
from ohshi_desk.core.rules.build import load_rules  # noqa: E402

try:
    from ohshi_desk.core.workbook.read import read_workbook  # noqa: E402
    from ohshi_desk.core.workbook.write import export_case  # noqa: E402
except ImportError:  # the layout before the modules were named for their job
    from ohshi_desk.core.export import export_case  # noqa: E402

    from ohshi_desk.core.workbook import read_workbook  # noqa: E402


def make_case(rules, total: int):
    items = ["mobile_terminal", "receipt_system_change", "tablet", "desktop_pc"]
    per = total // 4
    plans = {pid: {"lines": [{"item": items[i % 4], "quantity": 1 + i % 3, "unit_price": 1000 * (i + 1),
                              "description": f"品名 {i}", "vendor": f"〇〇システム{i % 3}", "order_date": "2025-10-01"}
                             for i in range(per)]}
             for pid in ("home_visit", "online_care", "outpatient_mobile", "medical_aid_card")}
    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "hospital", "name": "ベンチ病院",
                                                                   "prefecture": "大分県"}, "plans": plans}, rules)
    assert sum(len(p.lines) for p in case.plans.values()) == total
    return case


def timed(fn, n):
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t)
    return times


def main():
    rules = load_rules()
    with tempfile.TemporaryDirectory() as tmp:
        for total, n, target in ((100, 15, "< 300 ms"), (1000, 5, "≤ 350 ms")):
            case = make_case(rules, total)
            export_case(case, rules, Path(tmp) / "warm.xlsx")
            times = timed(lambda i, case=case, total=total: export_case(case, rules, Path(tmp) / f"b{total}_{i}.xlsx"), n)
            size = (Path(tmp) / f"b{total}_0.xlsx").stat().st_size
            print(f"export, {total} lines: median {statistics.median(times) * 1000:.1f} ms  "
                  f"(min {min(times) * 1000:.1f}, n={n}, {size / 1024:.0f} KiB)   target {target}")
        book = Path(tmp) / "b1000_0.xlsx"
        read_workbook(book, rules)
        times = timed(lambda i: read_workbook(book, rules), 5)
        print(f"read back, 1000 lines: median {statistics.median(times) * 1000:.1f} ms  (min {min(times) * 1000:.1f}, "
              f"n=5)   target ≤ 250 ms")


if __name__ == "__main__":
    main()
