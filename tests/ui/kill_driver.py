"""Helper process for the SIGKILL test (not a test itself).

    kill_driver.py fill     — fills the wizard half-way, waits for the autosave, prints READY and the snapshot,
                              then waits to be killed
    kill_driver.py restore  — starts again, answers yes to 「前回の入力を復元しますか」, prints the restored state
    kill_driver.py second   — a second window while a first one runs: prints what it was asked and told, types a
                              name, waits for its own autosave, prints READY, then waits to be killed
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from ohshi_desk.core.base.paths import autosave_path  # noqa: E402
from ohshi_desk.core.rules.build import load_rules  # noqa: E402
from ohshi_desk.ui.app import make_application  # noqa: E402
from ohshi_desk.ui.autosave import offer_recovery  # noqa: E402
from ohshi_desk.ui.wizard import OhshiWizard  # noqa: E402


def wait_for(condition, what: str, limit: int = 100_000) -> None:
    """Run Qt's events until ``condition()`` holds (the autosave timer fires inside processEvents)."""
    for _ in range(limit):
        QApplication.processEvents()
        if condition():
            return
        time.sleep(0.005)  # timing: the driver has no event loop of its own; it lets the autosave timer fire
    raise SystemExit(f"gave up waiting for {what}")


def saved_snapshot() -> dict | None:
    try:
        return json.loads(autosave_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def state(w) -> dict:
    snap = w.snapshot()
    return {"snapshot": snap, "case": w.case_data() if w.facility_page.kind.currentData() else None,
            "page": w.currentId()}


def main(mode: str) -> None:
    make_application([])
    w = OhshiWizard(load_rules())
    w.ask_before_close = False
    w.show()
    if mode == "fill":
        outcome = offer_recovery(w, ask=lambda t: False, tell=lambda t: None)
        assert outcome == "none", outcome
        w.autosave_enabled = True
        fp = w.facility_page
        fp.name.setText("べっぷ中央病院")
        fp.kind.setCurrentIndex(fp.kind.findData("hospital"))
        fp.prefecture.setCurrentIndex(fp.prefecture.findData("大分県"))
        fp.municipality.setEditText("別府市")
        fp.questions["obligation_exempt"].set_value(False)
        w.next()
        w.reader_page.buttons["fujitsu"].setChecked(True)
        w.reader_page.units.setText("２")
        w.next()
        w.goals_page.boxes["home_visit"].setChecked(True)
        w.goals_page.boxes["medical_aid_card"].setChecked(True)
        w.next()
        hv = w.plans_page.editors["home_visit"]
        hv.rows[0].price.setText("４万５千円")
        hv.rows[0].description.setText("タブレット TB-10")
        hv.rows[1].price.setText("80万")
        mac = w.plans_page.editors["medical_aid_card"]
        mac.rows[0].price.setText("-3")  # half-typed, not valid yet: must come back as typed
        w.plans_page.options["medical_aid_card"].setCurrentIndex(2)
        wait_for(lambda: saved_snapshot() == w.snapshot(), "the autosave of what is on screen")
        print("READY " + json.dumps(state(w), ensure_ascii=False), flush=True)
        QApplication.exec()  # until killed
    elif mode == "second":
        asked, told = [], []
        outcome = offer_recovery(w, ask=lambda t: asked.append(t) or True, tell=told.append)
        w.autosave_enabled = True
        w.facility_page.name.setText("ふたつめの窓の医院")
        wait_for(lambda: saved_snapshot() == w.snapshot(), "the second window's autosave")
        print("READY " + json.dumps({"outcome": outcome, "asked": asked, "told": told, "autosave": str(autosave_path()),
                                     **state(w)}, ensure_ascii=False), flush=True)
        QApplication.exec()  # until killed
    else:
        outcome = offer_recovery(w, ask=lambda t: True, tell=lambda t: None)
        QApplication.processEvents()
        print("RESTORED " + json.dumps({"outcome": outcome, **state(w)}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
