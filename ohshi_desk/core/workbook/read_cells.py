"""Reading a tracking workbook back: what the sheet readers share (the notices, limits, header matching, cells as
LibreOffice stores them). ``xlsx_read.py`` opens the workbook; ``xlsx_read_lines.py`` reads 明細,
``xlsx_read_forms.py`` the 様式2 vendor blocks and 必要書類."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from ohshi_desk.core.workbook.layout import COMPUTED as IGNORED  # noqa: F401 - the layout, as the 明細 reader names it
from ohshi_desk.core.workbook.layout import MAX_ROWS, REQUIRED  # noqa: F401
from ohshi_desk.core.workbook.layout import TEXT_COLUMNS as TEXT_LIMITS  # noqa: F401


@dataclass
class Notice:
    """Something in a workbook that was not read as it stands, and what was done instead."""

    sheet: str
    row: int | None
    column: str | None
    problem: str
    action: str

    def place(self) -> str:
        out = f"{self.sheet} シート"
        if self.row:
            out += f" {self.row}行目"
        if self.column:
            out += f"「{self.column}」"
        return out

    def __str__(self) -> str:
        return f"{self.place()}: {self.problem} → {self.action}"

    @property
    def unread(self) -> bool:
        """Whether what was written there was left out of the case (読まなかった記入), rather than read in a way
        the notice says (a formula's saved value, a merged 購入先, the estimate's value kept …)."""
        return any(word in self.action for word in UNREAD_ACTIONS)


UNREAD_ACTIONS = ("読みませんでした", "計算に入れませんでした", "見積りから外しました")
NOTICE_HEADINGS = {"read": "読み取った変更", "unread": "読まなかった記入", "noted": "読み方を決めて読んだところ"}


def _rows(ws, limit: int = MAX_ROWS + 10, width: int = 60) -> list[tuple]:
    """The sheet's rows (values), at most ``limit``, without the empty rows at its end. The rows are read as the
    file holds them, not as its ``<dimension>`` says: LibreOffice may write a stale one (rows below it are still
    read) or one reaching row 1,048,576 (no empty rows are made up to fill it)."""
    _as_written(ws)
    out = []
    for i, row in enumerate(ws.iter_rows(max_col=width, values_only=True)):
        if i >= limit:
            break
        out.append(row)
    return _without_empty_end(out)


def rows_and_outside(ws, limit: int, width: int, scan: int) -> tuple[list[tuple], int, tuple | None]:
    """``_rows(ws, limit, width)`` (each row padded to ``width``), and in the same pass the cells with something in
    them below row ``limit`` (down to ``limit + scan``) or right of column ``width``, which are not read: how many,
    and the first as (row, column, value)."""
    _as_written(ws)
    out, count, first = [], 0, None
    blank = (None,) * width
    for r, row in enumerate(ws.iter_rows(max_row=limit + scan, values_only=True), 1):
        start = 1
        if r <= limit:
            out.append(tuple(row[:width]) + blank[len(row):])
            row, start = row[width:], width + 1
        for c, v in enumerate(row, start):
            if v is not None and v != "":
                count += 1
                first = first or (r, c, v)
    return _without_empty_end(out), count, first


def _as_written(ws) -> None:
    """Rows as the file holds them, not as its ``<dimension>`` says (see ``_rows``)."""
    if hasattr(ws, "reset_dimensions"):  # a read-only sheet (ReadOnlyWorksheet's public method)
        ws.reset_dimensions()


def _without_empty_end(rows: list) -> list:
    while rows and all(v in (None, "") for v in rows[-1]):
        rows.pop()
    return rows


def merged_ranges(path, title: str) -> list[str]:
    """The merged ranges ("J3:J4") of the sheet called ``title`` in the workbook at ``path`` (a read-only openpyxl
    workbook does not read them)."""
    import posixpath
    import re
    import xml.etree.ElementTree as ET
    import zipfile

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    try:
        with zipfile.ZipFile(path) as z:
            book = ET.fromstring(z.read("xl/workbook.xml"))
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            rid = next((s.get(f"{{{ns['r']}}}id") for s in book.iterfind("m:sheets/m:sheet", ns)
                        if s.get("name") == title), None)
            target = next((r.get("Target") for r in rels.iterfind("p:Relationship", ns) if r.get("Id") == rid), None)
            if not target:
                return []
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            data = z.read(name)
    except (KeyError, OSError, zipfile.BadZipFile, ET.ParseError):
        return []
    start = data.find(b"mergeCell")  # after the rows: the search starts there (a cell's text holds no "<")
    if start < 0:
        return []
    start = data.rfind(b"<", 0, start)
    return [m.decode("ascii", "replace") for m in
            re.findall(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', data[start:])]




def _norm(value) -> str:
    return "".join(str(value).split()) if value is not None else ""


def _header_map(row) -> dict[str, int]:
    return {_norm(v): j for j, v in enumerate(row) if _norm(v)}


def _num(value):
    """An integral float (as LibreOffice stores numbers) as int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith("=")



def _date_text(value) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return None
