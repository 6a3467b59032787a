"""Benchmark: the app's PyInstaller bundle against a bare three-page QWizard bundled with default settings.

Prints side by side: bundle size (target: app ≤ 0.9× bare), median frozen start-up to the first page shown with
--smoke (target ≤ 1.3× bare) and peak memory (target ≤ 1.3× bare). Builds both bundles in a temporary folder.
Run: python tests/benchmarks/bench_bundle.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clean_env import clean_env

ROOT = Path(__file__).resolve().parents[2]
BARE = Path(__file__).with_name("bare_wizard.py")
ENV = clean_env()
PEAK = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def size(path: Path) -> int:
    """Bytes on disk, each file once (Qt's libraries appear under two names as symbolic links)."""
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            p = Path(folder) / name
            if not p.is_symlink():
                total += p.stat().st_size
    return total


def start_times(exe: Path, args: list[str], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.time()
        proc = subprocess.run([str(exe), *args], capture_output=True, text=True, env=ENV, check=True)
        out.append(float(proc.stdout.split("shown at ")[1].split()[0]) - t)
    return out


def peak_kib(exe: Path, args: list[str]) -> int:
    proc = subprocess.run([sys.executable, "-c", PEAK, str(exe), *args], capture_output=True, text=True, env=ENV,
                          check=True)
    return int(proc.stdout.strip())


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "bare_wizard.py").write_text(BARE.read_text(encoding="utf-8"), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                        str(tmp / "dist"), "--workpath", str(tmp / "build"), "--specpath", str(tmp),
                        str(tmp / "bare_wizard.py")], check=True)
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                        str(tmp / "dist"), "--workpath", str(tmp / "build2"),
                        str(ROOT / "packaging" / "ohshi_desk.spec")], check=True)
        bare, app = tmp / "dist" / "bare_wizard", tmp / "dist" / "ohshi-desk"
        bare_exe, app_exe = bare / "bare_wizard", app / "ohshi-desk"
        start_times(bare_exe, [], 2)
        start_times(app_exe, ["--smoke"], 2)
        tb, ta = [], []
        for i in range(n):  # interleaved, each first in turn (see bench_startup.py)
            if i % 2 == 0:
                tb += start_times(bare_exe, [], 1)
                ta += start_times(app_exe, ["--smoke"], 1)
            else:
                ta += start_times(app_exe, ["--smoke"], 1)
                tb += start_times(bare_exe, [], 1)
        tj = [start_times(bare_exe, ["--japanese"], 1)[0] for _ in range(n)]
        mj = [peak_kib(bare_exe, ["--japanese"]) for _ in range(3)]
        mb = [peak_kib(bare_exe, []) for _ in range(3)]
        ma = [peak_kib(app_exe, ["--smoke"]) for _ in range(3)]
        sb, sa = size(bare), size(app)
    rows = [("bundle size", f"{sb / 2**20:.0f} MiB", f"{sa / 2**20:.0f} MiB", sa / sb, "≤ 0.90×"),
            ("start-up (median, first page shown)", f"{statistics.median(tb) * 1000:.0f} ms",
             f"{statistics.median(ta) * 1000:.0f} ms", statistics.median(ta) / statistics.median(tb), "≤ 1.30×"),
            ("peak memory (max RSS)", f"{max(mb) / 1024:.0f} MiB", f"{max(ma) / 1024:.0f} MiB", max(ma) / max(mb),
             "≤ 1.30×")]
    print(f"{'':38}{'bare QWizard':>14}{'ohshi-desk':>14}{'ratio':>9}  target")
    for name, b, a, r, target in rows:
        print(f"{name:38}{b:>14}{a:>14}{r:>8.2f}×  {target}")
    # Context, not a target: the same bare wizard showing Japanese text, which loads the CJK font.
    print(f"(bare QWizard with Japanese text: start-up {statistics.median(tj) * 1000:.0f} ms, "
          f"peak memory {max(mj) / 1024:.0f} MiB)")


if __name__ == "__main__":
    main()
