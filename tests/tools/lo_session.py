"""A vendor's editing session played through LibreOffice itself (UNO), for the tests.

Run by the system python3 (which has ``uno``), not the project's venv:

    /usr/bin/python3 tests/tools/lo_session.py JOBS.json

JOBS.json is a list of ``{"in": book.xlsx, "out": edited.xlsx, "edits": [...]}`` (``"recalc": false``: no
recalculation of the whole book before saving, as a vendor who only types); one soffice process (a private
profile and pipe name) opens each book, applies its edits as a user would, recalculates and saves it as .xlsx.
Edits (sheet names and A1 cell addresses):

    {"op": "type", "sheet": "明細", "cell": "F2", "value": 1234}      a number, a text, or "=..." a formula (UNO's
                                                                       grammar: arguments separated by ";")
    {"op": "insert_column", "sheet": "明細", "before": "G"}           an empty column, later ones move right
    {"op": "copy_row", "sheet": "明細", "from": 2, "to": 9}           the whole row, hidden cells included
    {"op": "delete_row", "sheet": "明細", "row": 3}
    {"op": "insert_row", "sheet": "明細", "before": 4}                an empty row, later ones move down
    {"op": "unprotect", "sheet": "明細"}                              校閲 → シート保護の解除 (no password)
    {"op": "sort", "sheet": "明細", "range": "A3:X6", "by": "F", "descending": true}   Data → Sort (no header row;
                                                                      "header": true for the filter's own range)
    {"op": "merge", "sheet": "明細", "range": "J3:J4"}                the cells merged (the first cell's text shows)
    {"op": "paste_values", "sheet": "明細", "cell": "G4"}             a formula replaced by its value (貼り付け: 値のみ)
    {"op": "move", "sheet": "明細", "range": "A3:X3", "to": "A8"}     cut and paste (the cells and their formulas move)
    {"op": "unmerge", "sheet": "様式2_…", "range": "B10:E10"}          結合の解除 (the freed cells can be typed into)
    {"op": "rename_sheet", "sheet": "様式2_…", "to": "A社の内訳書"}      a sheet's tab renamed
    {"op": "move_sheet", "sheet": "必要書類", "to": 0}                 a sheet's tab dragged to another place
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _apply(doc, edit: dict) -> None:
    sheet = doc.Sheets.getByName(edit["sheet"])
    op = edit["op"]
    if op == "type":
        cell = sheet.getCellRangeByName(edit["cell"])
        value = edit["value"]
        if value is None:
            cell.setString("")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.setValue(value)
        elif isinstance(value, str) and value.startswith("="):
            cell.setFormula(value)
        else:
            cell.setString(str(value))
    elif op == "insert_column":
        sheet.Columns.insertByIndex(_col_index(edit["before"]), 1)
    elif op == "copy_row":
        src = sheet.getCellRangeByName(f"A{edit['from']}:AMJ{edit['from']}").RangeAddress
        dst = sheet.getCellRangeByName(f"A{edit['to']}").CellAddress
        sheet.copyRange(dst, src)
    elif op == "delete_row":
        sheet.Rows.removeByIndex(edit["row"] - 1, 1)
    elif op == "insert_row":
        sheet.Rows.insertByIndex(edit["before"] - 1, 1)
    elif op == "unprotect":
        sheet.unprotect("")
    elif op == "sort":
        from com.sun.star.table import TableSortField  # type: ignore[import-not-found]

        rng = sheet.getCellRangeByName(edit["range"])
        field = TableSortField()
        field.Field = _col_index(edit["by"]) - rng.RangeAddress.StartColumn
        field.IsAscending = not edit.get("descending", False)
        fields = uno.Any("[]com.sun.star.table.TableSortField", (field,))
        uno.invoke(rng, "sort", ((_prop("SortFields", fields), _prop("ContainsHeader", edit.get("header", False))),))
    elif op == "merge":
        sheet.getCellRangeByName(edit["range"]).merge(True)
    elif op == "move":
        sheet.moveRange(sheet.getCellRangeByName(edit["to"]).CellAddress,
                        sheet.getCellRangeByName(edit["range"]).RangeAddress)
    elif op == "unmerge":
        sheet.getCellRangeByName(edit["range"]).merge(False)
    elif op == "rename_sheet":
        sheet.setName(edit["to"])
    elif op == "move_sheet":
        doc.Sheets.moveByName(edit["sheet"], edit["to"])
    elif op == "paste_values":
        cell = sheet.getCellRangeByName(edit["cell"])
        value = cell.getValue()
        cell.setValue(value)
    else:
        raise ValueError(f"unknown edit {op}")


def main(jobs_path: str) -> int:
    jobs = json.loads(Path(jobs_path).read_text(encoding="utf-8"))
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pipe = f"ohshi_vendor_{os.getpid()}"
    profile = tempfile.mkdtemp(prefix=f"lo-vendor-{os.getpid()}-")
    proc = subprocess.Popen([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--invisible",
                             "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        deadline = time.monotonic() + 120  # timing: LibreOffice opens its pipe when it is ready; 2 min at most
        while ctx is None:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            except Exception:
                if time.monotonic() > deadline or proc.poll() is not None:  # timing: the same limit
                    raise
                time.sleep(0.3)  # timing: asking the pipe again, without spinning a core
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for job in jobs:
            doc = desktop.loadComponentFromURL(Path(job["in"]).resolve().as_uri(), "_blank", 0,
                                               (_prop("Hidden", True),))
            try:
                for edit in job["edits"]:
                    _apply(doc, edit)
                if job.get("recalc", True):  # false: only what LibreOffice recalculates by itself as cells change
                    doc.calculateAll()
                doc.storeToURL(Path(job["out"]).resolve().as_uri(),
                               (_prop("FilterName", "Calc MS Excel 2007 XML"),))
            finally:
                doc.close(True)
        try:
            desktop.terminate()
        except Exception:  # the bridge goes away while terminating
            pass
    finally:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
