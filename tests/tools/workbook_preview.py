"""Render the example workbook with LibreOffice to PNG pages in resources/screenshots/ (to look at them):

    .venv/bin/python tests/tools/workbook_preview.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ohshi_desk.core.case.model import read_case_file  # noqa: E402
from ohshi_desk.core.rules.build import load_rules  # noqa: E402
from ohshi_desk.core.workbook.write import export_case  # noqa: E402
from tests.libreoffice import soffice  # noqa: E402


def main():
    rules = load_rules()
    case = read_case_file(ROOT / "resources" / "examples" / "yamada_clinic.ohshi.json", rules)
    out = ROOT / "resources" / "screenshots"
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "workbook.xlsx"
        export_case(case, rules, book)
        soffice("--convert-to", "pdf", "--outdir", tmp, str(book))
        for old in out.glob("workbook-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "70", "-png", str(Path(tmp) / "workbook.pdf"), str(out / "workbook")],
                       check=True)
    for png in sorted(out.glob("workbook-*.png")):
        print(png.relative_to(ROOT))


if __name__ == "__main__":
    main()
