"""Benchmark: CPU instructions executed until the first page is shown (valgrind's callgrind), for the bare
three-page QWizard (English and Japanese text), a plain PySide6 wizard showing the app's first page pixel for pixel
(same_page.py: written plainly, and --lean, setting enums by number as the app does) and `ohshi-desk --smoke`.

Wall-clock start-up on a shared machine wanders by ±20 % from one minute to the next; the count of instructions
does not (it repeats to 0.1 %), so it shows whether a change made start-up cheaper. It is a companion to
bench_startup.py, whose wall-clock median is the figure the target is set on. Needs valgrind
(apt-get install valgrind); each run takes ~15 s.
Target (issue 28): ohshi-desk ≤ 1.10× the bare wizard showing Japanese. The app against the same page is what the
app's own machinery (rules, engine, its modules, pages made from data) costs over showing that page at all.
With --stages it also prints what each stage of the start costs, the app's against the bare wizard's
(start_stages.py: interpreter, rules, PySide6 imported, QApplication, fonts and translations, the wizard's modules,
the wizard built, shown and painted); ~2 minutes more.
Run: python tests/benchmarks/bench_instructions.py [--stages]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from clean_env import clean_env

ROOT = Path(__file__).resolve().parents[2]
BARE = Path(__file__).with_name("bare_wizard.py")
SAME = Path(__file__).with_name("same_page.py")
STAGES = Path(__file__).with_name("start_stages.py")
TARGET = 1.10
# Runs the program and ends the process as soon as it prints its first-page line, so that only the start is counted.
STOP_AT_FIRST_PAGE = """
import builtins, os, runpy, sys
_print = builtins.print
def _stop(*a, **k):
    _print(*a, **k)
    if a and str(a[0]).startswith("smoke:"):
        sys.stdout.flush()
        os._exit(0)
builtins.print = _stop
target, sys.argv = sys.argv[1], sys.argv[1:]
if target == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    runpy.run_path(target, run_name="__main__")
"""


def instructions(args: list[str], env: dict[str, str], out: Path) -> int:
    proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c",
                           STOP_AT_FIRST_PAGE, *args], capture_output=True, text=True, env=env, cwd=ROOT)
    if "smoke: first page shown" not in proc.stdout:
        raise SystemExit(f"{' '.join(args)} did not show its first page:\n{proc.stderr[-2000:]}")
    return int(re.search(r"Collected : (\d+)", proc.stderr).group(1))


def stage_counts(env: dict[str, str], bare: bool) -> dict[str, int]:
    """Instructions up to the end of each stage of start_stages.py."""
    sys.path.insert(0, str(STAGES.parent))
    from start_stages import BARE_STAGES
    from start_stages import STAGES as APP_STAGES

    out = {}
    for stage in BARE_STAGES if bare else APP_STAGES:
        proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                               str(STAGES), stage, *(["--bare"] if bare else [])], capture_output=True, text=True,
                              env=env, cwd=ROOT)
        if f"stage: {stage}" not in proc.stdout:
            raise SystemExit(f"stage {stage} did not finish:\n{proc.stderr[-2000:]}")
        out[stage] = int(re.search(r"Collected : (\d+)", proc.stderr).group(1))
    return out


def print_stages(env: dict[str, str]) -> None:
    bare, app = stage_counts(env, True), stage_counts(env, False)
    print()
    print("What each stage costs (M instructions; the stage's own, then the running total):")
    print(f"{'stage':48}{'bare, 日本語':>22}{'ohshi-desk':>22}")
    names = {"python": "interpreter and site", "rules": "rules read (before Qt, as run_app)",
             "qt": "PySide6.QtWidgets imported", "qapp": "QApplication made",
             "pages": "its three pages made", "app": "translations, locale, font (make_application)",
             "modules": "the wizard's modules imported", "wizard": "the wizard built (first page, fonts)",
             "shown": "shown and painted"}
    order = ["python", "rules", "qt", "qapp", "pages", "app", "modules", "wizard", "shown"]
    for counts in (bare, app):
        prev = 0
        for stage in order:
            if stage in counts:
                counts[stage], prev = (counts[stage] - prev, counts[stage]), counts[stage]
    for stage in order:
        cells = "".join(f"{counts[stage][0] / 1e6:>12.1f} ({counts[stage][1] / 1e6:5.0f})" if stage in counts
                        else f"{'':>20}" for counts in (bare, app))
        print(f"{names[stage]:48}{cells}")


def main():
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "ohshi_desk")], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    env = clean_env()
    subprocess.run([sys.executable, "-m", "ohshi_desk", "--smoke"], env=env, cwd=ROOT, check=True,
                   capture_output=True)  # fills the rules cache, as a first start does
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "first_page.json"  # the app's first page, as written by the app itself
        subprocess.run([sys.executable, str(SAME), "--dump", str(spec)], env={**env, "PYTHONPATH": str(ROOT)},
                       cwd=ROOT, check=True, capture_output=True)
        counts = {
            "bare 3-page QWizard": instructions([str(BARE)], env, Path(tmp) / "bare"),
            "bare, Japanese text": instructions([str(BARE), "--japanese"], env, Path(tmp) / "bare_ja"),
            "same page, plainly": instructions([str(SAME), str(spec)], env, Path(tmp) / "same"),
            "same page, --lean": instructions([str(SAME), str(spec), "--lean"], env, Path(tmp) / "same_lean"),
            "ohshi-desk --smoke": instructions(["-m", "ohshi_desk", "--smoke"], env, Path(tmp) / "app"),
        }
    base, base_ja = counts["bare 3-page QWizard"], counts["bare, Japanese text"]
    app, lean = counts["ohshi-desk --smoke"], counts["same page, --lean"]
    for name, n in counts.items():
        target = f"   target ≤ {TARGET:.2f}× (日本語), {TARGET * base_ja / 1e6:.0f} M" if n is app else ""
        print(f"{name:22}{n / 1e6:9.1f} M instructions  {n / base:5.2f}× bare  {n / base_ja:5.2f}× bare (日本語){target}")
    print(f"ohshi-desk ÷ the same page shown by a plain wizard: {app / lean:.2f}× (--lean), "
          f"{app / counts['same page, plainly']:.2f}× (written plainly); the page itself ÷ the bare wizard: "
          f"{lean / base_ja:.2f}×")
    if "--stages" in sys.argv:
        print_stages(env)


if __name__ == "__main__":
    main()
