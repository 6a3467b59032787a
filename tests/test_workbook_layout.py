"""The workbook's layout is declared once (core/workbook/layout.py): every declared 明細 column is written, read back
unchanged and never called unknown; the writer and the reader import the layout, never each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.workbook.layout import DETAIL_COLUMNS, HEAD_ROW
from ohshi_desk.core.workbook.read import read_workbook
from ohshi_desk.core.workbook.write import export_case

CORE = Path(__file__).resolve().parents[1] / "ohshi_desk" / "core" / "workbook"
VALUES = {  # a value for each kind of line field, as the case holds it
    "item": "tablet", "quantity": 3, "unit_price": 12345, "amount": 30000, "vendor_eligible": 20000,
    "description": "端末 X1 型", "vendor": "株式会社エー", "receipt": "2", "status": "発注済", "note": "備考です",
}


def _value(column):
    if column.field in VALUES:
        return VALUES[column.field]
    return "2025-10-01" if column.kind == "date" else f"{column.header}の記入"


@pytest.fixture
def round_trip(tmp_path, rules):
    line = {c.field: _value(c) for c in DETAIL_COLUMNS if c.field}
    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "name": "やまだ内科"},
                       "plans": {"home_visit": {"lines": [line]}}}, rules)
    book = tmp_path / "book.xlsx"
    export_case(case, rules, book)
    ws = load_workbook(book)["明細"]
    headers = [ws.cell(HEAD_ROW, c).value for c in range(1, ws.max_column + 1)]
    again = read_workbook(book, rules)
    return {"line": line, "headers": headers, "read": again.raw["plans"]["home_visit"]["lines"][0],
            "notices": [str(n) for n in again.notices]}


@pytest.mark.parametrize("column", DETAIL_COLUMNS, ids=[c.header for c in DETAIL_COLUMNS])
def test_every_declared_column_is_written_read_back_and_never_unknown(round_trip, column):
    assert column.header in round_trip["headers"]
    assert not any(column.header in t and "ohshi-desk の列ではありません" in t for t in round_trip["notices"])
    if column.field:
        assert round_trip["read"].get(column.field) == round_trip["line"][column.field], column
    assert not any("ohshi-desk の列ではありません" in t for t in round_trip["notices"]), round_trip["notices"]


def test_every_line_column_is_a_declared_field_and_takes_its_limit_from_it():
    """A 明細 column's key, type and limit are the line field's (core/case/fields.py), not typed a second time."""
    from ohshi_desk.core.base.inputs import MAX_COUNT
    from ohshi_desk.core.case.fields import BY_KEY

    assert BY_KEY["quantity"].maximum == MAX_COUNT  # the plans page's limit is the parser's
    for c in DETAIL_COLUMNS:
        if not c.field:
            continue
        decl = BY_KEY.get(c.field)
        assert decl is not None and decl.section in ("line", "tracking"), c
        if c.kind == "text":
            assert decl.type == "text" and c.limit == decl.max_len > 0, c
        if c.kind == "date":
            assert decl.type == "date", c


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module.rsplit(".", 1)[-1])
    return out


def test_the_writer_and_the_reader_share_the_layout_and_never_import_each_other():
    writer = {"write", "form2", "cells", "book"}
    reader = {"read", "read_lines", "read_forms", "read_cells"}
    for name in reader:
        assert not _imports(CORE / f"{name}.py") & writer, name
    for name in writer:
        assert not _imports(CORE / f"{name}.py") & reader, name
    assert "layout" in _imports(CORE / "read_lines.py") & _imports(CORE / "write.py")
    assert not _imports(CORE / "layout.py") & (writer | reader)


def test_the_key_written_beside_a_key_formula_is_what_the_sheet_computes():
    from ohshi_desk.core.workbook.cells import sheet_key_value

    assert sheet_key_value("訪問診療等", "シー・システム", "") == "訪問診療等|ｼｰ･ｼｽﾃﾑ|"  # ASC: half-width kana
    assert sheet_key_value("訪問診療等", "Ａ　社", "１") == "訪問診療等|A社|1"
    assert sheet_key_value("x", "ガイド", "") == "x|ｶﾞｲﾄﾞ|"


# A process in which core/case/fields.py declares one more line field, 製造番号, with a column of its own, and nothing
# else is changed: the round trip of that field through a workbook, as a vendor's copy comes back.
_NEW_FIELD = r"""
import json, sys
from ohshi_desk.core.case import fields
new = fields.FieldDecl("serial", "line", "text", "製造番号", max_len=100, column=12)
fields.FIELDS = (*fields.FIELDS, new)
fields.BY_KEY["serial"], fields.LABELS["serial"] = new, new.label
from openpyxl import load_workbook
from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.rules.build import load_rules
from ohshi_desk.core.workbook.layout import DETAIL_COLUMNS, HEAD_ROW
from ohshi_desk.core.workbook.read import read_workbook
from ohshi_desk.core.workbook.write import export_case
rules = load_rules(sys.argv[1])
line = {"item": "mobile_terminal", "unit_price": 30000, "serial": "SN-0001"}
book = sys.argv[2]
export_case(parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "name": "x"},
                        "plans": {"fx_capped": {"lines": [line]}}}, rules), rules, book)
ws = load_workbook(book)["明細"]
again = read_workbook(book, rules)
print(json.dumps({"headers": [c.header for c in DETAIL_COLUMNS],
                  "written": [ws.cell(HEAD_ROW, c).value for c in range(1, ws.max_column + 1)],
                  "read": again.raw["plans"]["fx_capped"]["lines"][0].get("serial"),
                  "notices": [str(n) for n in again.notices]}, ensure_ascii=False))
"""


def test_a_line_field_declared_with_a_column_is_a_column_with_nothing_else_changed(tmp_path):
    """Issue 24's Done-when: a new 明細 column is one declaration (the field's, with its ``column`` width)."""
    import json
    import subprocess
    import sys

    from tests.conftest import FIXTURE_RULES

    proc = subprocess.run([sys.executable, "-c", _NEW_FIELD, str(FIXTURE_RULES), str(tmp_path / "book.xlsx")],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["headers"][out["headers"].index("備考") + 1] == "製造番号"  # after 備考, before ohshi-desk's own
    assert "製造番号" in out["written"]
    assert out["read"] == "SN-0001"
    assert not any("製造番号" in t or "ohshi-desk の列ではありません" in t for t in out["notices"]), out["notices"]
