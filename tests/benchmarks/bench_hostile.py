"""Benchmark: how long and how much memory each hostile input of the hardening rounds (issues 16 and 23) costs.

Target: no input takes more than a few seconds or a few hundred MB. Each attack runs ``ohshi-desk compute`` in a
fresh process; the figures are the wall time, the exit status and the peak resident memory of that process.
Run: python tests/benchmarks/bench_hostile.py
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json"


def run(label: str, args: list[str], env: dict) -> None:
    started = time.monotonic()
    # the peak resident memory of the child itself, measured inside it (RUSAGE_CHILDREN here would also count
    # this process's pages that a forked child shares before it execs)
    probe = ("import resource, runpy, sys, atexit;"
             "atexit.register(lambda: sys.stderr.write('PEAK %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss));"
             "sys.argv = ['ohshi-desk'] + sys.argv[1:]; runpy.run_module('ohshi_desk', run_name='__main__')")
    try:
        proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env,
                              timeout=120, cwd=ROOT)
        code, err = proc.returncode, proc.stderr.strip().splitlines()
    except subprocess.TimeoutExpired:
        code, err = "timeout", []
    took = time.monotonic() - started
    peak = next((int(e.split()[1]) / 1024 for e in err if e.startswith("PEAK ")), float("nan"))
    err = [e for e in err if not e.startswith("PEAK ")]
    first = (err[0][:60] + "…") if err else ""
    print(f"{label:44s} {took:6.2f} s  exit {code!s:7s} peak {peak:5.0f} MB  {first}")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="ohshi-bench-hostile-"))
    env = {**os.environ, "OHSHI_DATA_DIR": str(tmp / "data"), "OHSHI_CACHE_DIR": str(tmp / "cache")}
    env.pop("OHSHI_RULES_DIR", None)
    try:
        from openpyxl import load_workbook

        from ohshi_desk.core.case.model import read_case_file
        from ohshi_desk.core.rules.build import load_rules
        from ohshi_desk.core.workbook.write import export_case

        rules = load_rules()
        book = tmp / "book.xlsx"
        export_case(read_case_file(EXAMPLE, rules), rules, book)
        run("baseline: the example case", ["compute", str(EXAMPLE)], env)

        stray = tmp / "stray.xlsx"
        wb = load_workbook(book)
        wb["明細"].cell(row=1_048_576, column=30, value="x")
        wb.save(stray)
        run("workbook, a stray cell at row 1,048,576", ["compute", str(stray)], env)

        bomb = tmp / "bomb.xlsx"
        with zipfile.ZipFile(book) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                dst.writestr(info, src.read(info))
            with dst.open("xl/worksheets/sheet9.xml", "w", force_zip64=True) as member:  # streamed: 1 GB never in memory
                member.write(b"<a>")
                chunk = b" " * (1 << 20)
                for _ in range(1024):
                    member.write(chunk)
                member.write(b"</a>")
        print(f"  (zip bomb: {bomb.stat().st_size / 1e6:.1f} MB packed, 1 GB unpacked)")
        run("workbook, zip bomb", ["compute", str(bomb)], env)

        case = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        case["plans"] = {"smartphone_reader": {"lines": [
            {"item": "generic_reader" if i % 2 else "usb_hub", "quantity": 10_000, "unit_price": 1000 + i}
            for i in range(500)]}}
        coupons = tmp / "coupons.json"
        coupons.write_text(json.dumps(case), encoding="utf-8")
        run("case, 500 coupon lines × quantity 10,000", ["compute", str(coupons)], env)

        deep = tmp / "deep.json"
        deep.write_text('{"format": "ohshi-desk-case/1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
        run("case, 100,000 levels of nesting", ["compute", str(deep)], env)

        zero = tmp / "zero.json"
        zero.symlink_to("/dev/zero")
        run("case, a link to /dev/zero", ["compute", str(zero)], env)
        os.mkfifo(tmp / "pipe")
        fifo = tmp / "fifo.json"
        fifo.symlink_to(tmp / "pipe")
        run("case, a link to a FIFO", ["compute", str(fifo)], env)

        # issue 23: output encodings the console or a redirection imposes
        yoshida = tmp / "yoshida.json"
        yoshida.write_text(json.dumps({**case, "facility": {**case["facility"], "name": "𠮷田内科クリニック"}},
                                      ensure_ascii=False), encoding="utf-8")
        base_env = {k: v for k, v in env.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LANG")}
        for label, extra, target in (
            ("compute, stdout cp932, 𠮷田内科クリニック", {"PYTHONIOENCODING": "cp932"}, yoshida),
            ("compute, stdout Shift_JIS, the example (②)", {"PYTHONIOENCODING": "shift_jis"}, EXAMPLE),
            ("compute, LC_ALL=C, no UTF-8 mode", {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
                                                  "PYTHONCOERCECLOCALE": "0"}, yoshida),
        ):
            run(label, ["compute", str(target)], {**base_env, **extra})

        # issue 23: markup from outside (the hidden sheet's marker, shown in the 開けませんでした box in the window)
        from ohshi_desk.core.workbook.layout import DATA_SHEET

        marked = tmp / "marked.xlsx"
        wb = load_workbook(book)
        wb[DATA_SHEET]["A1"] = f'ohshi-desk-workbook/9<img src="{tmp / "pipe"}"><img src="//203.0.113.9/share/x.png">'
        wb.save(marked)
        run("workbook, hidden-sheet marker with <img src=FIFO>", ["compute", str(marked)], env)
        override = tmp / "data" / "rules"
        shutil.copytree(ROOT / "rules", override)
        kinds = override / "facility_kinds.yaml"
        kinds.write_text(kinds.read_text(encoding="utf-8").replace(
            "help: 紙レセプトで請求しているなど、オンライン資格確認の導入義務がない施設です",
            f"help: '9<img src=\"{tmp / 'pipe'}\"><b>振込先が変わりました</b><img src=\"//203.0.113.9/share/x.png\">'"),
            encoding="utf-8")
        run("start (--smoke), pack help with <img src=FIFO>", ["--smoke"], {**env, "QT_QPA_PLATFORM": "offscreen"})

        # issue 23: a rules cache edited by hand is checked afresh (the time of a start that cannot trust it)
        shutil.rmtree(override)
        run("compute, the rules cache filled", ["compute", str(EXAMPLE)], env)
        for cached in (tmp / "cache").glob("rules-*.json"):
            head, _nl, body = cached.read_bytes().partition(b"\n")  # the format and digest, then the documents
            cached.write_bytes(head + b"\n" + body.replace(b'"3/4"', b'"1/1"'))
        run("compute, the rules cache tampered with", ["compute", str(EXAMPLE)], env)

        for label, make in (
            ("override, 30,000-level YAML nesting", lambda f: (f / "items.yaml").write_text(
                "kind: items\nitems: " + "[" * 30000 + "]" * 30000)),
            ("override, billion laughs", lambda f: (f / "items.yaml").write_text(
                "kind: items\n" + 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
                + "items: {x: {label: *a9}}\n")),
            ("override, items.yaml → /dev/zero", lambda f: ((f / "items.yaml").unlink(),
                                                             (f / "items.yaml").symlink_to("/dev/zero"))),
            ("override, 5,000-digit rate", lambda f: (f / "programs" / "p2_home_visit.yaml").write_text(
                (f / "programs" / "p2_home_visit.yaml").read_text(encoding="utf-8").replace(
                    'hospital: "1/2", chain', f'hospital: "{"9" * 5000}/1", chain'))),
        ):
            shutil.rmtree(override, ignore_errors=True)
            shutil.copytree(ROOT / "rules", override)
            make(override)
            run(label, ["compute", str(EXAMPLE)], env)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
