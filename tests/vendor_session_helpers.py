"""A vendor's session with the tracking workbook, shared by the tests that play one (tests/test_vendor_session.py,
test_vendor_forms_lo.py, test_prepare_flow.py) and tests/tools/vendor_preview.py: the example case, where things are
in its exported workbook, the vendor's edits, and a LibreOffice session run through tests/tools/lo_session.py."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ohshi_desk.core.workbook.layout import HEAD_ROW

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 11, 1)
CASE = {"format": "ohshi-desk-case/1", "as_of": "2025-11-01",
        "facility": {"kind": "clinic", "name": "やまだ内科", "prefecture": "大分県", "institution_code": "1234567"},
        "plans": {"home_visit": {"lines": [
            {"item": "mobile_terminal", "quantity": 2, "unit_price": 40000, "vendor": "A社", "description": "端末 X1"},
            {"item": "receipt_system_change", "unit_price": 120000, "vendor": "A社"},
            {"item": "tablet", "unit_price": 30000, "vendor": "B社"}]},
            "medical_aid_card": {"option": "both", "lines": [
                {"item": "receipt_system_change", "unit_price": 50000, "vendor": "A社"}]}}}


def layout(book: Path) -> dict:
    """Where things are in an exported workbook: 明細's columns by header, rows by id, the receipts' sheets."""
    wb = load_workbook(book)
    ws = wb["明細"]
    cols = {ws.cell(HEAD_ROW, c).value: get_column_letter(c) for c in range(1, ws.max_column + 1)}
    rows = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value}
    forms = {wb[t]["A3"].value: t for t in wb.sheetnames if t.startswith("様式2")}
    return {"cols": cols, "rows": rows, "last": max(rows.values()), "forms": forms}


def vendor_edits(lay: dict, *, with_column: bool) -> list[dict]:
    c, row = lay["cols"], lay["rows"]
    end = lay["last"]
    a_form = next(t for head, t in lay["forms"].items() if "訪問診療" in head and "A社" in head)

    def typ(cell, value, sheet="明細"):
        return {"op": "type", "sheet": sheet, "cell": cell, "value": value}
    first, system, tablet = row["home_visit#0"], row["home_visit#1"], row["home_visit#2"]
    edits = [
        typ(f"{c['単価（税込）']}{first}", 38000),                         # a price typed
        typ(f"{c['納品日']}{first}", "2025/12/10"),
        typ(f"{c['状況']}{first}", "納品済"),
        typ(f"{c['備考']}{first}", "=2台のうち1台は予備"),                  # text beginning with =: typed as text below
        typ(f"{c['金額']}{system}", 110000),                              # a discount typed over the formula
        typ(f"{c['①補助対象金額']}{row['medical_aid_card#0']}", 0),       # moved to ②
        typ(f"{c['項目']}{tablet}", "モバイル端末等"),                     # a changed 項目
        {"op": "copy_row", "sheet": "明細", "from": first, "to": end + 1},  # a copied row (its hidden id too)
        typ(f"{c['内訳（品名・型番）']}{end + 1}", "予備端末 X1"),
        typ(f"{c['補助制度']}{end + 2}", "訪問診療等"),                    # a row added at the end, no id
        typ(f"{c['項目']}{end + 2}", "タブレット"),
        typ(f"{c['数量']}{end + 2}", 1),
        typ(f"{c['単価（税込）']}{end + 2}", 5000),
        typ(f"{c['内訳（品名・型番）']}{end + 3}", "設定作業"),             # no 補助制度/項目: reported, not dropped
        typ(f"{c['単価（税込）']}{end + 3}", 8000),
        typ("B4", "2025/12/15", a_form),                                  # 様式2's vendor block
        typ("B9", "株式会社A社システム", a_form),
        typ("B10", "大分県大分市府内町1-1", a_form),
        typ("B11", "097-000-0000", a_form),
        typ("C18", "追加の出張費", a_form),                                 # a line written on the form itself
        typ("D4", "7654321", a_form),                                     # the clinic's code typed over
        typ("E2", "受領済", "必要書類"),
        typ("F2", "2025/12/20", "必要書類"),
        typ("G2", "原本は院長室", "必要書類"),
    ]
    if with_column:  # last, as it moves every later column
        edits += [{"op": "insert_column", "sheet": "明細", "before": c["金額"]},
                  typ(f"{c['金額']}{HEAD_ROW}", "社内メモ"), typ(f"{c['金額']}{first}", "確認中")]
    return edits


def lo(jobs: list[dict], tmp: Path) -> None:
    spec = tmp / "jobs.json"
    spec.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(["/usr/bin/python3", str(ROOT / "tests" / "tools" / "lo_session.py"), str(spec)],
                          timeout=300, capture_output=True, text=True)
    assert proc.returncode == 0, f"the LibreOffice session failed (python3-uno installed?):\n{proc.stderr[-2000:]}"
