"""Benchmark: median start time of `ohshi-desk --smoke` against a bare three-page QWizard, side by side.

Target (issue 3): no more than 1.3× the bare wizard. Both run offscreen in fresh processes.
Run: python tests/benchmarks/bench_startup.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from clean_env import clean_env

ROOT = Path(__file__).resolve().parents[2]

BARE = Path(__file__).with_name("bare_wizard.py")
ENV = clean_env()


def run(cmd, n):
    """(wall time to the first page shown, wall time to the process's exit, CPU time the process had used when the
    first page was shown) of each of n runs."""
    times = []
    for _ in range(n):
        t_wall, t = time.time(), time.perf_counter()
        proc = subprocess.run(cmd, check=True, env=ENV, cwd=ROOT, capture_output=True, text=True)
        total = time.perf_counter() - t
        fields = proc.stdout.split("shown at ")[1].split()
        shown = float(fields[0]) - t_wall
        times.append((shown, total, float(fields[2])))
    return times


def spread(values) -> str:
    q1, _, q3 = statistics.quantiles(values, n=4)
    return f"(middle half {q1 * 1000:.0f}–{q3 * 1000:.0f} ms)"


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    # Byte-compile first, as an installed or frozen app is (PYTHONDONTWRITEBYTECODE would otherwise make every
    # run compile the app's modules from source, which the bare one-file script hardly pays).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "ohshi_desk")], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    bare_script = str(BARE)
    run([sys.executable, bare_script], 2)  # warm the file cache
    run([sys.executable, "-m", "ohshi_desk", "--smoke"], 2)
    bare, app = [], []
    for i in range(n):
        # Interleaved so that machine load hits both alike, and in turn first (ABBA): on a shared virtual machine
        # the second of two back-to-back runs is measurably slower, which would otherwise always be the app.
        if i % 2 == 0:
            bare += run([sys.executable, bare_script], 1)
            app += run([sys.executable, "-m", "ohshi_desk", "--smoke"], 1)
        else:
            app += run([sys.executable, "-m", "ohshi_desk", "--smoke"], 1)
            bare += run([sys.executable, bare_script], 1)
    for label, k in (("start (process start → first page shown)", 0), ("whole run incl. exit", 1),
                     ("CPU time used by the first page shown (steadier on a busy machine; not the target)", 2)):
        mb, ma = statistics.median(t[k] for t in bare), statistics.median(t[k] for t in app)
        print(f"{label}:")
        print(f"  bare 3-page QWizard : median {mb * 1000:7.1f} ms  {spread([t[k] for t in bare])}  (n={n})")
        print(f"  ohshi-desk --smoke  : median {ma * 1000:7.1f} ms  {spread([t[k] for t in app])}  (n={n})")
        print(f"  ratio               : {ma / mb:.2f}×" + ("   target ≤ 1.30×" if k == 0 else ""))
    imp = subprocess.run([sys.executable, "-X", "importtime", "-m", "ohshi_desk", "--smoke"], capture_output=True,
                         text=True, cwd=ROOT, env=ENV)
    heavy = [line for line in imp.stderr.splitlines() if "openpyxl" in line]
    print(f"openpyxl imported at start: {'yes' if heavy else 'no'}")


if __name__ == "__main__":
    main()
