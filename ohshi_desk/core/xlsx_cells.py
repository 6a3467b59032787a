"""Cells and sheets of the tracking workbook: the styles, writing a text or a formula cell (text never becomes a
formula), fitting row heights, merging, protection and the A4 print set-up; and the 明細 layout the other sheets
point at (its columns, its first row, the order of its rows). Used by ``xlsx_write.py`` and ``xlsx_form2.py``."""

from __future__ import annotations

import copy

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from .case import TRACKING_DATES, Case

MAX_ROW_HEIGHT = 180  # points; an A4 landscape page holds about 500

YEN = '#,##0"円";[Red]-#,##0"円"'
DATE_WAREKI = '[$-411]ggge"年"m"月"d"日";@'  # 令和8年1月15日 (Excel and LibreOffice both read [$-411] ggg/e)
DATE_SHORT = '[$-411]ge.m.d;@'  # R8.1.15, for the narrow tracking columns
DATE_PLAIN = "yyyy/m/d"
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
RIGHT = Alignment(horizontal="right")  # a label left of its figure: long text runs into the empty cells on its left
CENTER = Alignment(horizontal="center")
LEFT = Alignment(horizontal="left")
WRAP_ONLY = Alignment(wrap_text=True)
# made once: the style cache below knows a style object by its identity, so a Font made per call misses it
TOTAL_FONT = Font(bold=True, size=12)
SMALL_FONT = Font(size=9)
SMALL_BOLD = Font(size=9, bold=True)
UNLOCKED = Protection(locked=False)


def text(ws, row: int, col: int, value, **style):
    """Write a value; a string is always a text cell (no formula injection from =, +, -, @)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    quote = isinstance(value, str) and value[:1] in ("=", "+", "-", "@")
    if isinstance(value, str):
        cell.data_type = "s"
    _style(ws, cell, style, quote)
    return cell


def _style(ws, cell, style: dict, quote: bool = False) -> None:
    """Set a cell's style. openpyxl hashes every style object on each set (most of an export's time): the
    resulting style array is kept per workbook and copied to the next cell styled the same way."""
    if style.get("fill") is INPUT_FILL and "protection" not in style:
        style = {**style, "protection": UNLOCKED}  # what a vendor fills stays open under the sheet's protection
    if not style and not quote:
        return
    cache = ws.parent.__dict__.setdefault("_ohshi_styles", {})
    key = (quote, *((k, v if isinstance(v, str) else id(v)) for k, v in style.items()))
    hit = cache.get(key)
    if hit is not None:
        cell._style = copy.copy(hit[0])
        return
    for k, v in style.items():
        setattr(cell, k, v)
    if quote:
        cell.quotePrefix = True  # F2 + Enter in Excel keeps it text instead of turning it into a formula
    cache[key] = (copy.copy(cell._style), tuple(style.values()))  # the values are kept so their ids stay theirs


def _text_width(value) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def fit_rows(ws, first: int, last: int, line_height: float = 16.5) -> None:
    """Set each row's height to show its wrapped text (LibreOffice does not grow rows read from a file)."""
    import math

    widths = {}
    cells: dict[int, list] = {}
    for (r, _c), cell in ws._cells.items():  # one pass (ws[r] measures the whole sheet on every call)
        if first <= r <= last and isinstance(cell.value, str) and cell.data_type != "f":
            cells.setdefault(r, []).append(cell)
    for r in range(first, last + 1):
        lines = 1
        for cell in cells.get(r, ()):
            letter = cell.column_letter
            if ws.column_dimensions[letter].hidden:
                continue
            if letter not in widths:
                widths[letter] = ws.column_dimensions[letter].width or 8.43
            lines = max(lines, sum(max(1, math.ceil(_text_width(part) / max(widths[letter] - 1, 1)))
                                   for part in cell.value.split("\n")))
        if lines > 1:  # capped: a 1,000-character note must not make a row taller than a page
            ws.row_dimensions[r].height = min(lines * line_height, MAX_ROW_HEIGHT)


def _merge(ws, ref: str | None = None, *, start_row=0, start_column=0, end_row=0, end_column=0, edge=None) -> None:
    """Merge a range of a form quickly: openpyxl's merge_cells restyles every edge cell (a third of a 1,000-line
    export); the form's merged ranges need no more than their right edge boxed, which ``edge`` does."""
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.merge import MergedCellRange

    rng = CellRange(ref) if ref else CellRange(min_row=start_row, min_col=start_column, max_row=end_row,
                                              max_col=end_column)
    ws.merged_cells.add(MergedCellRange(ws, rng.coord))
    if edge is not None:
        for c in range(rng.min_col + 1, rng.max_col + 1):
            _style(ws, ws.cell(row=rng.min_row, column=c), {"border": edge})


def formula(ws, row: int, col: int, expr: str, cached=None, **style):
    """A formula cell; ``cached`` is its value as ohshi-desk computed it, written into the file beside the formula
    so that a viewer that does not calculate (a mail preview, openpyxl's data_only) shows it too."""
    cell = ws.cell(row=row, column=col, value=expr)
    cell.data_type = "f"
    if cached is not None:
        ws.parent.__dict__.setdefault("_ohshi_cached", {}).setdefault(ws.title, {})[cell.coordinate] = cached
    _style(ws, cell, style)
    return cell


def protect(ws) -> None:
    """Sheet protection without a password (審査 of a vendor's entries needs the formulas intact; 校閲 → シート保護の解除
    lifts it): formula and label cells are locked, input cells open; rows and columns may still be added, formatted
    and sorted."""
    prot = ws.protection
    prot.sheet = True
    for action in ("formatCells", "formatColumns", "formatRows", "insertColumns", "insertRows", "deleteRows",
                   "deleteColumns", "sort", "autoFilter"):
        setattr(prot, action, False)  # False: allowed while the sheet is protected


def _print_setup(ws, *, landscape: bool, title_rows: str | None = None, one_page: bool = False) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


# ---------------------------------------------------------------------------------- the 明細 layout

DETAIL_COLUMNS = [  # (header, width)
    ("ID", 4), ("補助制度", 17), ("項目", 13), ("内訳（品名・型番）", 20), ("数量", 5), ("単価（税込）", 11),
    ("金額", 11), ("①補助対象金額", 11), ("②補助対象外金額", 11), ("購入先・ベンダー", 14), ("領収書No", 6),
    *[(label, 8.5) for label in TRACKING_DATES.values()],
    ("状況", 11), ("備考", 20), ("見積りの理由（ohshi-desk）", 36), ("様式2キー（ohshi-desk）", 4),
]
COL = {name: i + 1 for i, (name, _w) in enumerate(DETAIL_COLUMNS)}
TOTAL_ROW = 1  # the totals (they count every row below, added ones included), above the headers: a sort from the
HEAD_ROW = 2  # filter buttons on the headers never takes them in (they were under the headers before; still read)
DETAIL_FIRST = 3
LIST_ROWS = 2000  # drop-downs reach this far, for rows a vendor adds at the end
KEY_HEADER = "様式2キー（ohshi-desk）"  # hidden: each row's receipt, which the 様式2 sheets look up (never a fixed row)
SPARE_ROWS = 200  # rows below the lines that get the key formula, for lines a vendor adds at the end
FORM_LOOKUP_ROWS = 10000  # how far down 明細 a 様式2 looks for its lines


def fold(value) -> str:
    """A 購入先 or 領収書No as a receipt is keyed: NFKC (Ａ社 = A社) and no spaces of any width."""
    import unicodedata

    return "".join(unicodedata.normalize("NFKC", str(value or "")).split())


def sheet_key(*parts: str) -> str:
    """The formula text (without "=") that keys a receipt in the sheet: the same folding Excel and LibreOffice do
    for a 明細 row (ASC: full-width to half-width; spaces removed) applied to ``parts`` joined by "|"."""
    return "SUBSTITUTE(ASC(" + '&"|"&'.join(parts) + ')," ","")'


def quoted(value: str) -> str:
    """A text as a formula's string literal (its quotes doubled: never a way out of the literal)."""
    return '"' + str(value).replace('"', '""') + '"'


def detail_rows(case: Case, bd: dict) -> list[tuple[str, dict, object]]:
    """(program id, breakdown line, case line) in 明細's order; the row of the k-th is DETAIL_FIRST + k."""
    out = []
    for p in bd["programs"]:
        plan = case.plans.get(p["id"])
        if plan is None:
            continue
        by_index = {ln["index"]: ln for ln in p["lines"]}
        out.extend((p["id"], by_index[line.index], line) for line in plan.lines)
    return out
