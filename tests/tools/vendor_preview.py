"""Render a vendor's round trip to PNG pages in resources/screenshots/ (to look at them): the example case exported,
a vendor session played through LibreOffice (tests/vendor_session_helpers.py's edits), opened in ohshi-desk, exported
again, and that second workbook printed to PDF by LibreOffice:

    .venv/bin/python tests/tools/vendor_preview.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ohshi_desk.core.case.model import parse_case  # noqa: E402
from ohshi_desk.core.rules.build import load_rules  # noqa: E402
from ohshi_desk.core.workbook.read import read_workbook  # noqa: E402
from ohshi_desk.core.workbook.write import export_case  # noqa: E402
from tests.libreoffice import soffice  # noqa: E402
from tests.vendor_session_helpers import AS_OF, CASE, layout, vendor_edits  # noqa: E402


def main():
    rules = load_rules()
    out = ROOT / "resources" / "screenshots"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        book = tmp / "book.xlsx"
        export_case(parse_case(CASE, rules), rules, book, AS_OF)
        jobs = tmp / "jobs.json"
        jobs.write_text(json.dumps([{"in": str(book), "out": str(tmp / "edited.xlsx"),
                                     "edits": vendor_edits(layout(book), with_column=True)}], ensure_ascii=False))
        subprocess.run(["/usr/bin/python3", str(ROOT / "tests" / "tools" / "lo_session.py"), str(jobs)], check=True)
        case = read_workbook(tmp / "edited.xlsx", rules)
        for n in case.notices:
            print("注意:", n)
        second = tmp / "vendor-roundtrip.xlsx"
        export_case(case, rules, second, AS_OF)
        soffice("--convert-to", "pdf", "--outdir", str(tmp), str(second))
        for old in out.glob("vendor-roundtrip-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(tmp / "vendor-roundtrip.pdf"), str(out / "vendor-roundtrip")],
                       check=True)
    for png in sorted(out.glob("vendor-roundtrip-*.png")):
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
