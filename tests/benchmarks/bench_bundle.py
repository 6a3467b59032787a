"""Benchmark: the app's PyInstaller bundle against a bare three-page QWizard bundled with default settings, and
against a plain PySide6 wizard showing the app's first page pixel for pixel (same_page.py --lean, bundled the same way).

Prints side by side: bundle size (target: app ≤ 0.75× bare), median frozen start-up (and its spread) to the first page shown with
--smoke (target ≤ 1.10× the bare wizard showing Japanese) and peak memory (target ≤ 1.10× the same; issue 28), then what the resident memory is made of (font
files, Qt, heap…) while each window is open (Linux /proc). The last column, the app against the same page, is
what the app's own machinery costs (rules, engine, its modules) over what showing that page costs any program.
Builds the three bundles in a temporary folder.
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
SAME = Path(__file__).with_name("same_page.py")
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


def quartiles(v: list[float]) -> tuple[float, float, float, float]:
    """Min, first and third quartile, max: the spread of the start-ups beside their median."""
    q1, _median, q3 = statistics.quantiles(v, n=4)
    return min(v), q1, q3, max(v)


def peak_kib(exe: Path, args: list[str]) -> int:
    proc = subprocess.run([sys.executable, "-c", PEAK, str(exe), *args], capture_output=True, text=True, env=ENV,
                          check=True)
    return int(proc.stdout.strip())


GROUPS = (("font files", (".ttc", ".ttf", ".otf")),
          ("Qt and PySide libraries", ("libQt6", ".abi3.so", "libpyside6", "libshiboken6")),
          ("Python library", ("libpython",)), ("other libraries", (".so",)))


def resident_by_kind(exe: Path, args: list[str]) -> dict[str, float]:
    """Resident MiB by kind of mapping (Linux /proc), read once the running window's memory has settled: what the
    peak-memory figure is made of. The app runs without --smoke here (it is read while it waits for the user)."""
    proc = subprocess.Popen([str(exe), *args], stdout=subprocess.DEVNULL, env=ENV)
    try:
        last, steady, deadline = -1, 0, time.time() + 15
        while steady < 5 and time.time() < deadline:
            time.sleep(0.2)
            rss = sum(int(line.split()[1]) for line in Path(f"/proc/{proc.pid}/smaps_rollup").read_text().splitlines()
                      if line.startswith("Rss:"))
            steady, last = (steady + 1 if rss == last else 0), rss
        kinds: dict[str, float] = {}
        kind = ""
        for line in Path(f"/proc/{proc.pid}/smaps").read_text().splitlines():
            head = line.split()
            if "-" in head[0] and not head[0].endswith(":"):
                name = head[5] if len(head) > 5 else ""
                kind = next((k for k, ends in GROUPS if any(e in name for e in ends)), "heap and anonymous memory"
                            if not name or name.startswith("[") else "other files")
            elif head[0] == "Rss:":
                kinds[kind] = kinds.get(kind, 0) + int(head[1]) / 1024
        return kinds
    finally:
        proc.kill()
        proc.wait()


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
        (tmp / "same_page.py").write_text(SAME.read_text(encoding="utf-8"), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                        str(tmp / "dist"), "--workpath", str(tmp / "build3"), "--specpath", str(tmp),
                        "--exclude-module", "ohshi_desk", str(tmp / "same_page.py")], check=True)
        spec = tmp / "first_page.json"  # the app's first page, as this machine's offscreen screen shows it
        subprocess.run([sys.executable, str(SAME), "--dump", str(spec)], env={**ENV, "PYTHONPATH": str(ROOT)},
                       cwd=ROOT, check=True, capture_output=True)
        bare, app = tmp / "dist" / "bare_wizard", tmp / "dist" / "ohshi-desk"
        bare_exe, app_exe = bare / "bare_wizard", app / "ohshi-desk"
        same_exe = tmp / "dist" / "same_page" / "same_page"
        runs = {"bare": (bare_exe, []), "bare_ja": (bare_exe, ["--japanese"]),
                "same": (same_exe, [str(spec), "--lean"]), "app": (app_exe, ["--smoke"])}
        for exe, args in runs.values():
            start_times(exe, args, 2)  # warm the file cache and the app's rules cache
        times: dict[str, list[float]] = {k: [] for k in runs}
        order = list(runs)
        for i in range(n):  # interleaved, each first in turn (see bench_startup.py)
            for key in order[i % len(order):] + order[:i % len(order)]:
                times[key] += start_times(*runs[key], 1)
        peaks = {k: max(peak_kib(*runs[k]) for _ in range(3)) for k in runs}
        sb, sa = size(bare), size(app)
        kinds = {"bare": resident_by_kind(bare_exe, ["--hold"]),
                 "bare_ja": resident_by_kind(bare_exe, ["--japanese", "--hold"]),
                 "same": resident_by_kind(same_exe, [str(spec), "--lean", "--hold"]),
                 "app": resident_by_kind(app_exe, [])}
    st = {k: statistics.median(v) for k, v in times.items()}
    cols = (("bare", "bare QWizard"), ("bare_ja", "bare, 日本語"), ("same", "same page"), ("app", "ohshi-desk"))
    print(f"{'':38}" + "".join(f"{title:>14}" for _k, title in cols) + f"{'÷ 日本語':>10}{'÷ same page':>13}  target")
    print(f"{'bundle size':38}{sb / 2**20:>10.0f} MiB{'':>14}{'':>14}{sa / 2**20:>10.0f} MiB"
          f"{sa / sb:>9.2f}× (÷ bare)      ≤ 0.75× the bare")

    def row(label: str, values: dict[str, float], unit: str, target: str) -> None:
        print(f"{label:38}" + "".join(f"{values[k]:>10.0f} {unit:3}" for k, _t in cols)
              + f"{values['app'] / values['bare_ja']:>9.2f}×{values['app'] / values['same']:>12.2f}×  {target}")

    row("start-up (median, first page shown)", {k: v * 1000 for k, v in st.items()}, "ms", "≤ 1.10× (日本語)")
    for label, lo, hi in (("  spread: min–max", 0, -1), ("  spread: interquartile range", 1, 2)):
        print(f"{label:38}" + "".join(f"{'–'.join(f'{x * 1000:.0f}' for x in (q[lo], q[hi])):>11} ms"
                                      for q in (quartiles(times[k]) for k, _t in cols)))
    row("peak memory (max RSS)", {k: v / 1024 for k, v in peaks.items()}, "MiB", "≤ 1.10× (日本語)")
    print("The same bare wizard is measured twice: with its default English text, and showing Japanese text, which")
    print("makes Qt load the CJK font as the app must (a Japanese screen needs the font whatever the app does).")
    print("'same page': a plain PySide6 wizard that shows the app's first page pixel for pixel, without the app's code")
    print("(same_page.py --lean): the app ÷ it is what the app's own machinery costs over showing that page.")
    print(f"(n={n} start-ups each, interleaved; peak memory: the highest of 3 runs each)")
    print()
    print("What the resident memory is made of, window open (MiB):")
    print(f"{'':38}" + "".join(f"{title:>14}" for _k, title in cols))
    for kind in sorted(set().union(*kinds.values()), key=lambda k: -kinds["app"].get(k, 0)):
        print(f"{kind:38}" + "".join(f"{kinds[k].get(kind, 0):>14.1f}" for k, _t in cols))
    print(f"{'total':38}" + "".join(f"{sum(kinds[k].values()):>14.1f}" for k, _t in cols))
    print("Font files: the pages of the CJK font that the shown text needed (more distinct kanji, more pages).")
    print("Heap: also the window's picture, larger for the app (its default size against the bare wizard's own).")

if __name__ == "__main__":
    main()
