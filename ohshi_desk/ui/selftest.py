"""``ohshi-desk --self-test``: the checks a packaged app runs on the machine it was installed on.

One line per check (OK/NG), exit 0 when all pass. A windowed app may have no console, so the lines also go to the
log and to ``self-test.txt`` in the app-data folder.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
import traceback
from pathlib import Path

log = logging.getLogger("ohshi_desk.selftest")


def run_self_test() -> int:
    from ohshi_desk.core.base.paths import data_dir, setup_logging

    setup_logging()
    lines: list[str] = []
    state: dict = {}

    def check(name: str, fn) -> bool:
        t = time.perf_counter()
        try:
            detail = fn() or ""
        except Exception as exc:  # noqa: BLE001 - a self-test reports every failure as a line
            log.error("self-test %s failed\n%s", name, traceback.format_exc())
            lines.append(f"NG {name}: {type(exc).__name__}: {exc}")
            return False
        lines.append(f"OK {name} ({(time.perf_counter() - t) * 1000:.0f} ms) {detail}".rstrip())
        return True

    def rules():
        from ohshi_desk.core.rules.build import load_rules_for_app

        state["rules"], folder, warnings = load_rules_for_app()
        for w in warnings:
            lines.append(f"NOTE {w}")
        return f"version {state['rules'].version}, {len(state['rules'].programs)} programs, from {folder}"

    def compute():
        from ohshi_desk.core.case.model import read_case_file
        from ohshi_desk.core.compute.engine import compute as run
        from ohshi_desk.core.rules.files import resources_dir

        example = resources_dir() / "examples" / "yamada_clinic.ohshi.json"
        state["case"] = read_case_file(example, state["rules"])
        import datetime as dt

        bd = run(state["case"], state["rules"], dt.date(2025, 11, 1))
        expected = {"home_visit": 120000, "smartphone_reader": 3240, "medical_aid_card": 54000, "usage_bonus": 200000}
        got = {p["id"]: p["subsidy"] for p in bd["programs"]}
        for pid, amount in expected.items():
            if got.get(pid) != amount:
                raise AssertionError(f"{pid}: {got.get(pid)} != {amount}")
        return f"total {bd['total_subsidy']:,} yen"

    def export_and_reopen():
        from ohshi_desk.core.workbook.read import read_workbook
        from ohshi_desk.core.workbook.write import export_case

        with tempfile.TemporaryDirectory() as tmp:
            book = Path(tmp) / "self-test.xlsx"
            export_case(state["case"], state["rules"], book)
            again = read_workbook(book, state["rules"])
            if again.raw.get("plans", {}).keys() != state["case"].raw.get("plans", {}).keys():
                raise AssertionError("the reopened workbook lost plans")
            return f"{book.stat().st_size:,} bytes"

    def wizard():
        from .app import make_application
        from .wizard import OhshiWizard

        app = make_application([])
        w = OhshiWizard(state["rules"])
        w.ask_before_close = False
        w.show()
        app.processEvents()
        w.load_case_data(state["case"].raw)
        while w.currentId() != -1 and w.nextId() != -1 and w.currentPage().isComplete():
            w.next()
            app.processEvents()
        title = w.currentPage().heading
        w.close()
        app.processEvents()
        return f"reached 「{title}」"

    ok = all([check("rules", rules), check("compute", compute), check("export+reopen", export_and_reopen),
              check("wizard", wizard)])
    lines.append("self-test: " + ("passed" if ok else "FAILED"))
    text = "\n".join(lines) + "\n"
    for line in lines:
        log.info(line)
    try:
        (data_dir() / "self-test.txt").write_text(text, encoding="utf-8")
    except OSError:
        pass
    if sys.stdout is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0 if ok else 1
