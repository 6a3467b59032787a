"""What the frozen app really opens (issue 28 point 3): runs the PyInstaller bundle's paths under
`strace -f -e trace=openat,open,lseek` (plus LD_DEBUG=files for the libraries the dynamic linker maps) and prints the
files of the bundle never opened, by size, and the modules of its PYZ archive never read.

The paths run: --smoke and --self-test (rules, compute, export and reopen of a workbook, the wizard walked to the
result) on the offscreen platform and, when a display is there (run under `xvfb-run -a`), on xcb as a desktop
does; --self-test with a rules folder of the user's (valid, and one the schema refuses); the command line's
compute and export; and 申請の準備 (`prepare`) of a vendor-filled workbook with a PNG, a
JPEG and a PDF scan (the PDFs drawn by Qt, the scans read with QImageReader and pypdf).
Not run (no way to drive them without a user): the print dialog and its preview (QtPrintSupport and the
printsupport plugin stay in the bundle for them), the file dialogs.

The PYZ's modules are read by the bootloader's importer, which opens the executable and seeks to each module's
offset: the lseek offsets name the modules imported, exactly, frozen.

Run: xvfb-run -a -s "-screen 0 1366x768x24" python tests/tools/bundle_trace.py [BUNDLE_DIR] [--top N]
(without BUNDLE_DIR it builds the bundle from packaging/ohshi_desk.spec in a temporary folder, nice'd).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json"
DAY = "2025-11-01"

from tests.prepare_cases import FLOW_CASE  # noqa: E402  (the clinic of test_prepare_flow: one program ready, one not)


def build(work: Path) -> Path:
    subprocess.run(["nice", "-n", "10", sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
                    str(ROOT / "packaging" / "ohshi_desk.spec")], check=True)
    return work / "dist" / "ohshi-desk"



def filled_workbook(exe: Path, env: dict, tmp: Path) -> tuple[Path, Path]:
    """The case exported by the frozen app, then filled as its vendors fill it (openpyxl), and a folder of scans
    named after the vendors (a PDF, a PNG and a JPEG): what `prepare` needs to draw every kind of page."""
    import json

    from openpyxl import load_workbook

    from ohshi_desk.core.workbook.form2 import FORM_BLOCK
    from tests.scans import pdf, png
    from tests.vendor_session_helpers import layout

    case, book = tmp / "case.ohshi.json", tmp / "見積り.xlsx"
    case.write_text(json.dumps(FLOW_CASE, ensure_ascii=False), encoding="utf-8")
    subprocess.run([str(exe), "export", str(case), "-o", str(book), "--as-of", DAY], env=env, check=True,
                   capture_output=True)
    lay = layout(book)
    wb = load_workbook(book)
    amount = f"B{FORM_BLOCK['amount'][0]}"
    for head, title in lay["forms"].items():
        ws = wb[title]
        ws["B4"], ws["B9"], ws["B10"], ws["B11"] = "2025/10/20", "株式会社A社システム", "大分県大分市府内町1-1", \
            "097-000-0000"
        ws[amount] = 210000 if "A社" in head else 80000
    c = lay["cols"]
    for rid in ("home_visit#0", "home_visit#1", "medical_aid_card#0"):
        r = lay["rows"][rid]
        wb["明細"][f"{c['領収書受領日']}{r}"] = wb["明細"][f"{c['内訳書受領日']}{r}"] = "2025/10/25"
    wb["明細"][f"{c['チェックシート受領日']}{lay['rows']['medical_aid_card#0']}"] = "2025/10/26"
    back = tmp / "戻り.xlsx"
    wb.save(back)
    scans = tmp / "scans"
    scans.mkdir()
    pdf(scans / "A社_領収書.pdf")
    png(scans / "B社 領収書.png", 420, 600)
    jpeg = subprocess.run([sys.executable, "-c", "import sys\nfrom PySide6.QtGui import QGuiApplication, QImage\n"
                           "a = QGuiApplication(['x', '-platform', 'offscreen'])\nim = QImage(420, 600, "
                           "QImage.Format.Format_RGB32)\nim.fill(0xFF8800)\nsys.exit(0 if im.save(sys.argv[1]) else 1)",
                           str(scans / "A社_領収書_2.jpg")], capture_output=True)
    if jpeg.returncode:
        print("(no JPEG scan: Qt could not write one here)", file=sys.stderr)
    return back, scans


def scenarios(exe: Path, env: dict, tmp: Path) -> list[tuple[str, list[str], dict]]:
    off = {**env, "QT_QPA_PLATFORM": "offscreen"}
    runs = [("smoke offscreen", ["--smoke"], off), ("self-test offscreen", ["--self-test"], off),
            ("compute", ["compute", str(EXAMPLE), "--as-of", DAY], off),
            ("export", ["export", str(EXAMPLE), "-o", str(tmp / "cli.xlsx"), "--as-of", DAY], off)]
    if env.get("DISPLAY"):
        xcb = {**env, "QT_QPA_PLATFORM": "xcb"}
        runs += [("smoke xcb", ["--smoke"], xcb), ("self-test xcb", ["--self-test"], xcb)]
    else:
        print("(no DISPLAY: the xcb runs are left out; run under xvfb-run -a)", file=sys.stderr)
    for label, broken in (("self-test, rules override", False), ("self-test, broken override", True)):
        data = tmp / label.replace(" ", "_").replace(",", "")
        shutil.copytree(ROOT / "rules", data / "rules")  # the user's own rules folder: checked by the schema
        meta = data / "rules" / "meta.yaml"
        meta.write_text(re.sub(r'version: "[^"]+"', 'version: "2099.1"', meta.read_text(encoding="utf-8")),
                        encoding="utf-8")
        if broken:
            p2 = data / "rules" / "programs" / "p2_home_visit.yaml"
            p2.write_text(p2.read_text(encoding="utf-8").replace("limit: {hospital: 411000", "limit: {hospital: 9"),
                          encoding="utf-8")
        runs.append((label, ["--self-test"], {**off, "OHSHI_DATA_DIR": str(data)}))
    try:
        book, scans = filled_workbook(exe, off, tmp)
        (tmp / "papers").mkdir()
        runs.append(("prepare (PDF, scans)", ["prepare", str(book), "--scans", str(scans), "-o", str(tmp / "papers"),
                                              "--as-of", DAY], off))
    except Exception as exc:  # noqa: BLE001 - the other paths are still worth tracing
        print(f"(prepare left out: {type(exc).__name__}: {exc})", file=sys.stderr)
    return runs


OPEN = re.compile(r'^(\d+)\s+open(?:at)?\((?:AT_FDCWD|\d+), "([^"]+)", [^)]*\)\s+=\s+(\d+)')
SEEK = re.compile(r'^(\d+)\s+lseek\((\d+), (\d+), SEEK_SET\)\s+=\s+\d+')
CLOSE = re.compile(r'^(\d+)\s+close\((\d+)\)')
LDD = re.compile(r"calling init: (\S+)|file=(\S+) \[0\];  generating link map")


def trace(exe: Path, args: list[str], env: dict, out: Path) -> tuple[set[str], list[int], str]:
    """Paths opened (resolved), offsets sought in the executable, the run's result line."""
    proc = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat,open,lseek,close", "-o", str(out), str(exe),
                           *args], env={**env, "LD_DEBUG": "files"}, capture_output=True, text=True, timeout=600)
    opened, seeks, fds = set(), [], {}
    exe_real = os.path.realpath(exe)
    for line in out.read_text(errors="replace").splitlines():
        if m := OPEN.match(line):
            real = os.path.realpath(m[2])
            opened.add(real)
            fds[(m[1], m[3])] = real
        elif m := SEEK.match(line):
            if fds.get((m[1], m[2])) == exe_real:
                seeks.append(int(m[3]))
        elif m := CLOSE.match(line):
            fds.pop((m[1], m[2]), None)
    for m in LDD.finditer(proc.stderr):
        opened.add(os.path.realpath(m[1] or m[2]))
    tail = (proc.stdout.strip().splitlines() or [""])[-1][:70]
    return opened, seeks, f"exit {proc.returncode}: {tail}"


def pyz_modules(exe: Path) -> dict[int, tuple[str, int]]:
    """The PYZ's modules by their offset in the executable: name and compressed size."""
    from PyInstaller.archive.readers import CArchiveReader

    pkg = CArchiveReader(str(exe))
    name = next(n for n, e in pkg.toc.items() if e[-1] == "z")
    pyz = pkg.open_embedded_archive(name)
    return {pyz._start_offset + off: (mod, length) for mod, (_kind, off, length) in pyz.toc.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("bundle", nargs="?", type=Path)
    ap.add_argument("--top", type=int, default=40, help="how many of the unopened files and packages to list")
    ap.add_argument("--modules", action="store_true", help="also list every PYZ module never read")
    opts = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bundle-trace-") as tmp:
        tmp = Path(tmp)
        bundle = (opts.bundle or build(tmp / "pyi")).resolve()
        exe = bundle / "ohshi-desk"
        home = tmp / "home"
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "OHSHI_DATA_DIR": str(home / "data"),
               "OHSHI_CACHE_DIR": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config"),
               "OHSHI_TODAY": os.environ.get("OHSHI_TODAY", DAY), "LANG": "ja_JP.UTF-8"}
        for key in ("DISPLAY", "XAUTHORITY"):
            if key in os.environ:
                env[key] = os.environ[key]
        opened: set[str] = set()
        seeks: set[int] = set()
        for i, (label, args, run_env) in enumerate(scenarios(exe, env, tmp)):
            got, sought, result = trace(exe, args, run_env, tmp / f"strace{i}.txt")
            opened |= got
            seeks |= set(sought)
            inside = {p for p in got if p.startswith(str(bundle))}
            print(f"{label:28} {len(inside):4} files of the bundle opened, {len(sought):4} modules read  ({result})")
        files = {}
        for folder, _dirs, names in os.walk(bundle):
            for n in names:
                p = Path(folder) / n
                if not p.is_symlink():
                    files[os.path.realpath(p)] = p.stat().st_size
        unopened = sorted(((s, p) for p, s in files.items() if p not in opened), reverse=True)
        total = sum(files.values())
        print(f"\nbundle: {total / 2**20:.1f} MiB in {len(files)} files; opened {len(files) - len(unopened)}; "
              f"never opened {len(unopened)} files, {sum(s for s, _ in unopened) / 2**20:.1f} MiB:")
        for s, p in unopened[:opts.top]:
            print(f"{s / 2**20:9.2f} MiB  {os.path.relpath(p, bundle)}")
        mods = pyz_modules(exe)
        unread = sorted(((length, mod) for off, (mod, length) in mods.items() if off not in seeks), reverse=True)
        print(f"\nPYZ: {len(mods)} modules, {sum(v[1] for v in mods.values()) / 2**20:.2f} MiB compressed; never read "
              f"{len(unread)}, {sum(s for s, _ in unread) / 2**20:.2f} MiB:")
        by_package: dict[str, int] = {}
        for length, mod in unread:
            top = mod.split(".")[0]
            by_package[top] = by_package.get(top, 0) + length
        for top, length in sorted(by_package.items(), key=lambda kv: -kv[1])[:opts.top]:
            print(f"{length / 1024:9.1f} KiB  {top}  ({sum(1 for _, m in unread if m.split('.')[0] == top)} modules)")
        if opts.modules:
            print("\n".join(f"{length / 1024:9.1f} KiB  {mod}" for length, mod in unread))
        if shutil.which("strace") is None:
            print("strace is missing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
