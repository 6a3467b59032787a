"""Take a screenshot of every wizard page into resources/screenshots/ (run under Xvfb), at the text scale given:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/tools/screenshots.py
    QT_SCALE_FACTOR=1.5 xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/tools/screenshots.py

At 150 % the files are named *_150.png. The window is sized as a user gets it (fitted to the screen). At 100 % the
printout is also written as 8_print.pdf and its pages as 8_print-N.png (pdftoppm). SHOTS_OUT=<folder> writes them
elsewhere (to compare a layout change with the committed ones).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ohshi_desk.core.rules.build import load_rules  # noqa: E402
from ohshi_desk.ui.app import make_application  # noqa: E402
from ohshi_desk.ui.pages import CONFIRM, PLANS, RESULT, USAGE  # noqa: E402
from ohshi_desk.ui.wizard import OhshiWizard  # noqa: E402

OUT = Path(os.environ.get("SHOTS_OUT", ROOT / "resources" / "screenshots"))
SCALE = os.environ.get("QT_SCALE_FACTOR", "1")
SUFFIX = "" if SCALE in ("", "1") else "_" + str(round(float(SCALE) * 100))


def shot(app, wizard, name):
    for _ in range(10):
        app.processEvents()
    path = OUT / f"{name}{SUFFIX}.png"
    wizard.grab().save(str(path))
    print(path)


def main():
    app = make_application([])
    wizard = OhshiWizard(load_rules())
    wizard.remember_size = False  # a tool's window is not the user's next window size
    wizard.settings.remove("window/size")
    wizard.settings.remove("window/pixels")
    wizard.show()
    fp = wizard.facility_page
    fp.name.setText("やまだ内科クリニック")
    fp.kind.setCurrentIndex(fp.kind.findData("clinic"))
    fp.prefecture.setCurrentIndex(fp.prefecture.findData("大分県"))
    fp.municipality.setEditText("別府市")
    fp.questions["obligation_exempt"].set_value(False)
    fp.questions["checkup_provider"].set_value(True)
    shot(app, wizard, "1_facility")
    wizard.next()
    wizard.reader_page.buttons["canon"].setChecked(True)
    wizard.reader_page.units.setText("1")
    wizard.reader_page.free_units.setCurrentIndex(2)
    shot(app, wizard, "2_reader")
    wizard.next()
    for pid in ("smartphone_reader", "checkup_limited_check", "usage_bonus"):
        wizard.goals_page.boxes[pid].setChecked(True)
    shot(app, wizard, "3_goals")
    wizard.next()
    assert wizard.currentId() == PLANS
    ed = wizard.plans_page.editors["checkup_limited_check"]
    ed.rows[0].description.setText("ICカードリーダー ABC-123")
    ed.rows[0].price.setText("４，９８０円")
    ed.rows[0].vendor.setText("別府OA")
    ed.rows[1].description.setText("タブレット 10インチ")
    ed.rows[1].price.setText("4.2万")
    ed.rows[1].vendor.setText("別府OA")
    row = ed.add_row()
    row.item.setCurrentIndex(row.item.findData("desktop_pc"))
    row.description.setText("受付用パソコン")
    row.price.setText("98,000")
    wizard.plans_page.update_estimate()
    shot(app, wizard, "4_plans")
    wizard.next()
    assert wizard.currentId() == USAGE
    u = wizard.usage_page.edits
    for key, val in (("oct2023_receipts", "1000"), ("oct2023_rate_percent", "4"), ("oct2023_users", "40"),
                     ("best_month_users_2024", "200")):
        u[key].setText(val)
    shot(app, wizard, "5_usage")
    wizard.next()
    assert wizard.currentId() == CONFIRM
    shot(app, wizard, "6_confirm")
    wizard.next()
    assert wizard.currentId() == RESULT
    for c in wizard.result_page.cards_host.children():
        if hasattr(c, "toggle") and c.program["id"] == "checkup_limited_check":
            c.toggle.setChecked(True)
    shot(app, wizard, "7_result")
    preview = wizard.print_preview()  # the print preview, as large as the window (issue 27 point 8)
    preview.show()
    for _ in range(20):
        app.processEvents()
    path = OUT / f"9_preview{SUFFIX}.png"
    preview.grab().save(str(path))
    print(path)
    preview.close()
    if not SUFFIX:
        pdf = OUT / "8_print.pdf"
        wizard.print_to_pdf(pdf)
        print(pdf)
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(OUT / "8_print")], check=True)
    # an error state: a price that cannot be read, and one that is asked about
    wizard.back()
    wizard.back()
    wizard.back()
    assert wizard.currentId() == PLANS
    ed.rows[0].price.setText("-500")
    ed.rows[1].price.setText("10.000")
    wizard.plans_page.update_estimate()  # what its 150 ms timer does while the user looks
    shot(app, wizard, "4b_plans_error")
    ed.rows[0].price.setText("4,980")
    ed.rows[1].price.setText("42000")
    while wizard.currentId() != wizard.startId():  # a 健診センター: its one goal first, the others folded
        wizard.back()
    fp.kind.setCurrentIndex(fp.kind.findData("other"))
    fp.name.setText("べっぷ健診センター")
    wizard.next()
    wizard.reader_page.buttons["none"].setChecked(True)
    shot(app, wizard, "2b_reader_none")
    wizard.next()
    shot(app, wizard, "3b_goals_checkup_centre")
    wizard.dirty = False
    wizard.close()


if __name__ == "__main__":
    main()
