"""A workbook held as plain data (cells, styles, merges, validations, a table, print set-up) and written with
XlsxWriter's public API: formulas with the value ohshi-desk computed beside them, 明細 as an Excel Table, input
messages and drop-downs, protection. ``xlsx_cells.py`` writes into it; ``xlsx_write.py`` saves it.

A style is a dict of XlsxWriter format properties (``{"bold": True}``); a cell's style is the union of the dicts it
was given. Rows and columns are 1-based here, as in the sheet; XlsxWriter's 0-based indices appear only below."""

from __future__ import annotations

import io


class Sheet:
    def __init__(self, title: str):
        self.title = title
        self.cells: dict[tuple[int, int], tuple] = {}  # (row, col) -> (kind, value, style, cached)
        self.widths: dict[int, float] = {}
        self.hidden_cols: set[int] = set()
        self.unlocked_cols: list[tuple[int, int]] = []  # column ranges open under the protection (rows added below)
        self.heights: dict[int, float] = {}
        self.open_rows: tuple[int, int] | None = None  # rows whose every cell is open (below the lines)
        self.merges: list[tuple[int, int, int, int]] = []
        self.validations: list[tuple[int, int, int, int, dict]] = []
        self.conditions: list[tuple[int, int, int, int, str, dict]] = []
        self.table: tuple[int, int, int, int, dict] | None = None
        self.freeze: tuple[int, int] | None = None  # the first row and column that scroll
        self.very_hidden = False
        self.protected = False
        self.page: dict = {}

    def value(self, row: int, col: int):
        cell = self.cells.get((row, col))
        return cell[1] if cell else None

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        self.merges.append((r1, c1, r2, c2))

    def restyle(self, row: int, col: int, **props) -> None:
        kind, value, style, cached = self.cells.get((row, col), ("blank", None, {}, None))
        self.cells[(row, col)] = (kind, value, {**style, **props}, cached)


class Book:
    def __init__(self):
        self.sheets: list[Sheet] = []
        self.names: dict[str, str] = {}
        self.receipts: list[tuple[str, str, str]] = []  # each 様式2's (program short name, marker formula, its value)

    def add(self, title: str) -> Sheet:
        ws = Sheet(title)
        self.sheets.append(ws)
        return ws

    def __getitem__(self, title: str) -> Sheet:
        return next(ws for ws in self.sheets if ws.title == title)

    @property
    def sheetnames(self) -> list[str]:
        return [ws.title for ws in self.sheets]

    def to_bytes(self) -> bytes:
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                       "strings_to_numbers": False})
        formats: dict[tuple, object] = {}

        def fmt(style: dict):
            if not style:
                return None
            key = tuple(sorted(style.items()))
            f = formats.get(key)
            if f is None:
                f = formats[key] = wb.add_format(dict(style))
            return f

        for s in self.sheets:
            _write_sheet(wb, wb.add_worksheet(s.title), s, fmt)
        for name, ref in self.names.items():
            wb.define_name(name, ref)
        wb.close()
        return buf.getvalue()


def _write_sheet(wb, ws, s: Sheet, fmt) -> None:
    unlocked = fmt({"locked": False})
    cols = set(s.widths) | s.hidden_cols

    def is_open(c):
        return any(a <= c <= b for a, b in s.unlocked_cols)
    for c in sorted(cols):
        ws.set_column(c - 1, c - 1, s.widths.get(c), unlocked if is_open(c) else None,
                      {"hidden": True} if c in s.hidden_cols else None)
    for a, b in s.unlocked_cols:
        if not any(a <= c <= b for c in cols):  # e.g. the columns right of 明細's, to the sheet's end
            ws.set_column(a - 1, b - 1, None, unlocked)
    for r, h in s.heights.items():
        ws.set_row(r - 1, h)
    if s.open_rows:  # a row format: every cell of the row, to the sheet's last column, unless it has its own style
        for r in range(s.open_rows[0], s.open_rows[1] + 1):
            ws.set_row(r - 1, s.heights.get(r), unlocked)
    if s.table is not None:  # before the cells: the cells written below replace what the table writes
        r1, c1, r2, c2, options = s.table
        ws.add_table(r1 - 1, c1 - 1, r2 - 1, c2 - 1, options)
    cells = s.cells
    for r1, c1, r2, c2 in s.merges:
        style = cells.get((r1, c1), (None, None, {}, None))[2]
        ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", fmt(style))
    for (r, c), (kind, value, style, cached) in cells.items():
        f = fmt(style)
        if kind == "f":
            ws.write_formula(r - 1, c - 1, value, f, "" if cached is None else cached)
        elif kind == "s":
            ws.write_string(r - 1, c - 1, value, f)
        elif kind == "n":
            ws.write_number(r - 1, c - 1, value, f)
        elif kind == "b":
            ws.write_boolean(r - 1, c - 1, value, f)
        elif kind == "d":
            ws.write_datetime(r - 1, c - 1, value, f)
        elif f is not None:
            ws.write_blank(r - 1, c - 1, None, f)
    for r1, c1, r2, c2, options in s.validations:
        ws.data_validation(r1 - 1, c1 - 1, r2 - 1, c2 - 1, options)
    for r1, c1, r2, c2, criteria, style in s.conditions:
        ws.conditional_format(r1 - 1, c1 - 1, r2 - 1, c2 - 1,
                              {"type": "formula", "criteria": criteria, "format": wb.add_format(style)})
    if s.freeze:
        ws.freeze_panes(s.freeze[0] - 1, s.freeze[1] - 1)
    p = s.page
    if p:
        ws.set_paper(9)  # A4
        ws.set_landscape() if p.get("landscape") else ws.set_portrait()
        if p.get("scale"):
            ws.set_print_scale(p["scale"])
        else:
            ws.fit_to_pages(1, 1 if p.get("one_page") else 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        if p.get("title_rows"):
            ws.repeat_rows(p["title_rows"][0] - 1, p["title_rows"][1] - 1)
        if p.get("title_cols"):
            ws.repeat_columns(p["title_cols"][0] - 1, p["title_cols"][1] - 1)
        if p.get("area"):
            r1, c1, r2, c2 = p["area"]
            ws.print_area(r1 - 1, c1 - 1, r2 - 1, c2 - 1)
        if p.get("col_breaks"):
            ws.set_v_pagebreaks(p["col_breaks"])
    if s.protected:  # without a password; rows and columns may still be added, formatted and sorted
        ws.protect("", {"format_cells": True, "format_columns": True, "format_rows": True, "insert_columns": True,
                        "insert_rows": True, "delete_columns": True, "delete_rows": True, "sort": True,
                        "autofilter": True})
    if s.very_hidden:
        ws.very_hidden()
