"""Cells and sheets of the tracking workbook: the styles, writing a text or a formula cell (text never becomes a
formula), fitting row heights, merging, protection and the A4 print set-up; and the 明細 layout the other sheets
point at (its columns, its first row, the order of its rows). Used by ``xlsx_write.py`` and ``xlsx_form2.py``; the
sheets are ``xlsx_book.Sheet`` (written with XlsxWriter). A style is a dict of XlsxWriter format properties."""

from __future__ import annotations

import datetime as _dt

from ohshi_desk.core.case.model import Case

MAX_ROW_HEIGHT = 180  # points; an A4 landscape page holds about 500

YEN = '#,##0"円";[Red]-#,##0"円"'
DATE_WAREKI = '[$-411]ggge"年"m"月"d"日";@'  # 令和8年1月15日 (Excel and LibreOffice both read [$-411] ggg/e)
DATE_SHORT = '[$-411]ge.m.d;@'  # R8.1.15, for the narrow tracking columns
DATE_PLAIN = "yyyy/m/d"
BOX = {"border": 1, "border_color": "#808080"}
HEAD_FILL = {"pattern": 1, "bg_color": "#DDEBF7"}
INPUT_FILL = {"pattern": 1, "bg_color": "#FFF9E5"}  # what the vendor fills in
CLINIC_FILL = {"pattern": 1, "bg_color": "#E8F5E9"}  # what the clinic fills in (申請日, 交付決定日, 入金日 …)
BOLD = {"bold": True}
WRAP = {"text_wrap": True, "valign": "top"}
TOP = {"valign": "top"}  # a figure beside a wrapped text: on its first line
RIGHT = {"align": "right"}  # a label left of its figure: long text runs into the empty cells on its left
CENTER = {"align": "center"}
LEFT = {"align": "left"}
WRAP_ONLY = {"text_wrap": True}
TOTAL_FONT = {"bold": True, "font_size": 12}
SMALL_FONT = {"font_size": 9}
SMALL_BOLD = {"font_size": 9, "bold": True}
UNLOCKED = {"locked": False}


def _style(style: dict, quote: bool = False) -> dict:
    out: dict = {}
    for part in ("font", "fill", "border", "alignment", "protection"):
        if style.get(part):
            out.update(style[part])
    if style.get("number_format"):
        out["num_format"] = style["number_format"]
    if (style.get("fill") is INPUT_FILL or style.get("fill") is CLINIC_FILL) and "protection" not in style:
        out["locked"] = False  # what a vendor or the clinic fills stays open under the sheet's protection
    if quote:
        out["quote_prefix"] = True  # F2 + Enter in Excel keeps it text instead of turning it into a formula
    return out


def text(ws, row: int, col: int, value, **style) -> None:
    """Write a value; a string is always a text cell (no formula injection from =, +, -, @)."""
    if isinstance(value, str) and value:
        kind = "s"
    elif isinstance(value, bool):
        kind = "b"
    elif isinstance(value, (int, float)):
        kind = "n"
    elif isinstance(value, _dt.date):
        kind = "d"
    else:
        kind, value = "blank", None
    quote = kind == "s" and value[:1] in ("=", "+", "-", "@")
    ws.cells[(row, col)] = (kind, value, _style(style, quote), None)


def _text_width(value) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def fit_rows(ws, first: int, last: int, line_height: float = 16.5) -> None:
    """Set each row's height to show its wrapped text (LibreOffice does not grow rows read from a file)."""
    import math

    cells: dict[int, list] = {}
    for (r, c), (kind, value, _s, _c) in ws.cells.items():
        if first <= r <= last and kind == "s" and c not in ws.hidden_cols:
            cells.setdefault(r, []).append((c, value))
    for r in range(first, last + 1):
        lines = 1
        for c, value in cells.get(r, ()):
            width = ws.widths.get(c) or 8.43
            lines = max(lines, sum(max(1, math.ceil(_text_width(part) / max(width - 1, 1)))
                                   for part in value.split("\n")))
        if lines > 1:  # capped: a 1,000-character note must not make a row taller than a page
            ws.heights[r] = min(lines * line_height, MAX_ROW_HEIGHT)


def _merge(ws, ref: str | None = None, *, start_row=0, start_column=0, end_row=0, end_column=0) -> None:
    """Merge a range ("A2:E2", or by its rows and columns); the range takes its first cell's style."""
    if ref:
        import re

        m = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", ref)
        start_column, start_row, end_column, end_row = (_col_number(m[1]), int(m[2]), _col_number(m[3]),
                                                        int(m[4]))
    ws.merge(start_row, start_column, end_row, end_column)


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def get_column_letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def formula(ws, row: int, col: int, expr: str, cached=None, **style) -> None:
    """A formula cell; ``cached`` is its value as ohshi-desk computed it, written into the file beside the formula
    so that a viewer that does not calculate (a mail preview, openpyxl's data_only) shows it too."""
    ws.cells[(row, col)] = ("f", expr, _style(style), cached)


def protect(ws) -> None:
    """Sheet protection without a password (審査 of a vendor's entries needs the formulas intact; 校閲 → シート保護の解除
    lifts it): formula and label cells are locked, input cells open; rows and columns may still be added, formatted
    and sorted."""
    ws.protected = True


def _print_setup(ws, *, landscape: bool, title_rows: tuple[int, int] | None = None, one_page: bool = False) -> None:
    ws.page.update(landscape=landscape, one_page=one_page, title_rows=title_rows)


# ---------------------------------------------------------------------------------- the 明細 layout

def sheet_key(*parts: str) -> str:
    """The formula text (without "=") that keys a receipt in the sheet: the same folding Excel and LibreOffice do
    for a 明細 row (ASC: full-width to half-width; spaces removed) applied to ``parts`` joined by "|"."""
    return "SUBSTITUTE(ASC(" + '&"|"&'.join(parts) + ')," ","")'


def _half_width_kana() -> dict[str, str]:
    import unicodedata

    return {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF61, 0xFFA0)
            if len(unicodedata.normalize("NFKC", chr(c))) == 1}


_KANA = _half_width_kana()
_MARKS = {"\u3099": "\uff9e", "\u309a": "\uff9f"}  # ゛ ゜ as they follow a half-width kana


def sheet_key_value(*parts) -> str:
    """The value :func:`sheet_key` gives in the sheet (ASC, then spaces removed), as ohshi-desk writes it beside the
    formula: a key recalculated by LibreOffice or Excel (a vendor retyping シー・システム) still equals one that was
    not (a 様式2's marker), so the form keeps the line."""
    import unicodedata

    out = []
    for ch in "|".join(str(p or "") for p in parts):
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            out.append(chr(o - 0xFEE0))
        elif ch == "\u3000":
            out.append(" ")
        elif ch in _KANA:
            out.append(_KANA[ch])
        else:
            d = unicodedata.normalize("NFD", ch)
            if len(d) == 2 and d[0] in _KANA and d[1] in _MARKS:
                out.append(_KANA[d[0]] + _MARKS[d[1]])
            else:
                out.append(ch)
    return "".join(out).replace(" ", "")


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
