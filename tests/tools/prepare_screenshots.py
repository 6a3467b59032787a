"""Screenshots of the 申請の準備 window (issue 29) after a returned workbook is opened, under Xvfb:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/tools/prepare_screenshots.py
    QT_SCALE_FACTOR=1.5 xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/tools/prepare_screenshots.py

Writes 9_prepare[_150].png (top) and 9_prepare_end[_150].png (scrolled to the end) into SHOTS_OUT (default
/tmp/ohshi-shots). One program is ready, the other is not (its receipt amount differs from its 内訳書)."""

from __future__ import annotations

import copy
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OHSHI_TODAY", "2025-11-01")

from ohshi_desk.core.case.model import parse_case  # noqa: E402
from ohshi_desk.core.rules.build import load_rules  # noqa: E402
from ohshi_desk.core.workbook.write import export_case  # noqa: E402
from ohshi_desk.ui.app import make_application  # noqa: E402
from ohshi_desk.ui.pages import RESULT  # noqa: E402
from ohshi_desk.ui.wizard import OhshiWizard  # noqa: E402
from tests.prepare_cases import REAL_CASE, ready_case  # noqa: E402
from tests.scans import pdf  # noqa: E402

OUT = Path(os.environ.get("SHOTS_OUT", "/tmp/ohshi-shots"))
SCALE = os.environ.get("QT_SCALE_FACTOR", "1")
SUFFIX = "" if SCALE in ("", "1") else "_" + str(round(float(SCALE) * 100))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    app = make_application([])
    rules = load_rules()
    tmp = Path(tempfile.mkdtemp(prefix="ohshi-prepare-shots-"))
    data = copy.deepcopy(ready_case(REAL_CASE))
    data["plans"]["medical_aid_card"]["receipts"]["B社"]["amount"] = 85000
    data["documents"]["medical_aid_card"]["system_checksheet"] = {"progress": "依頼済"}
    book = tmp / "戻り.xlsx"
    export_case(parse_case(data, rules), rules, book)
    wizard = OhshiWizard(rules)
    wizard.remember_size = False
    wizard.settings.remove("window/size")
    wizard.settings.remove("window/pixels")
    wizard.show()
    wizard.open_path(book)
    if wizard.import_report is not None:
        wizard.import_report.close()
    while wizard.currentId() != RESULT:
        wizard.next()
        app.processEvents()
    view = wizard.result_page.open_prepare()
    view.set_scans("home_visit", "A社", [pdf(tmp / "A社_領収書.pdf")])
    for _ in range(10):
        app.processEvents()
    wizard.grab().save(str(OUT / f"9_result_with_prepare{SUFFIX}.png"))
    view.grab().save(str(OUT / f"9_prepare{SUFFIX}.png"))
    bar = view.area.verticalScrollBar()
    bar.setValue(bar.maximum())
    for _ in range(10):
        app.processEvents()
    view.grab().save(str(OUT / f"9_prepare_end{SUFFIX}.png"))
    view.close()
    if not SUFFIX:  # the print with its 申請の準備 section, and its pages
        wizard.print_to_pdf(OUT / "9_print.pdf")
        import subprocess

        subprocess.run(["pdftoppm", "-r", "60", "-png", str(OUT / "9_print.pdf"), str(OUT / "9_print")], check=False)
    print(OUT, view.size().width(), view.size().height())


if __name__ == "__main__":
    main()
