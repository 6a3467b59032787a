"""The tracking workbook the clinic sends to its vendors (openpyxl).

Sheets: 概要 (one row per program, totals with the defined names SubsidyTotal / SubsidyTotalOpen /
SubsidyTotalClosed), 明細 (one row per purchase line with tracking columns), one 領収書内訳書 (別紙様式2) per program that needs one (15 lines a
sheet, more on 続紙 sheets), 必要書類 (a checklist), and a hidden sheet holding the case, so that the workbook can
be opened again after a vendor has edited it (see ``xlsx_read.py``).

Every text a user or vendor typed is written as a text cell, never as a formula, whatever it begins with.
The file is written to a temporary file beside the target and moved into place.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .breakdown import NO_SUBSIDY, confidence_label, documents_text, status_text, window_date
from .case import LINE_STATUSES, TRACKING_DATES, Case
from .clock import now, today
from .formatting import wareki

WORKBOOK_FORMAT = "ohshi-desk-workbook/1"
DATA_SHEET = "_ohshi"
WITHHELD = ("usage",)  # case keys that do not travel to vendors
CHUNK = 30000  # a cell holds at most 32,767 characters
FORM_LINES = 15
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
UNLOCKED = Protection(locked=False)
CHECK_STATUSES = ("未着手", "依頼済", "受領済", "提出済", "不要")

DETAIL_COLUMNS = [  # (header, width)
    ("ID", 4), ("補助制度", 17), ("項目", 13), ("内訳（品名・型番）", 20), ("数量", 5), ("単価（税込）", 11),
    ("金額", 11), ("①補助対象金額", 11), ("②補助対象外金額", 11), ("購入先・ベンダー", 14), ("領収書No", 6),
    *[(label, 8.5) for label in TRACKING_DATES.values()],
    ("状況", 11), ("備考", 20), ("見積りの理由（ohshi-desk）", 36),
]
COL = {name: i + 1 for i, (name, _w) in enumerate(DETAIL_COLUMNS)}


class ExportError(Exception):
    """The workbook could not be written. ``str()`` is a Japanese message; ``suggestion`` another file name."""

    def __init__(self, message: str, suggestion: Path | None = None):
        super().__init__(message)
        self.suggestion = suggestion


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


def build_workbook(case: Case, breakdown: dict, rules) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = "概要"
    _summary(wb, summary, case, breakdown, rules)
    snapshot: dict = {"eligible": {}, "forms": {}}
    rows = _details(wb, case, breakdown, rules, snapshot)
    used: set[str] = set()
    for p in breakdown["programs"]:
        if p["status"] not in NO_SUBSIDY and any(
                rules.documents[d["id"]].get("workbook_sheet") == "receipt_breakdown_form" for d in p["documents"]):
            _form2(wb, case, p, rules, rows, snapshot, used)
    _checklist(wb, case, breakdown)
    _data_sheet(wb, case, snapshot)
    return wb


# ------------------------------------------------------------------------------------------------- 概要

def _summary(wb, ws, case: Case, bd: dict, rules) -> None:
    fac = case.facility
    text(ws, 1, 1, "オンライン資格確認 補助金の見積りと進み具合", font=Font(bold=True, size=14))
    rows = [
        ("施設名", fac.name), ("施設の種類", rules.kinds[fac.kind]["label"]),
        ("保険医療機関等コード", fac.institution_code), ("所在地", f"{fac.prefecture}{fac.municipality}"),
        ("計算の基準日", _dt.date.fromisoformat(bd["as_of"])),
        ("ルール版", f"{bd['rules_version']}（{wareki(rules.last_checked)}確認）"),
        ("作成", f"{wareki(today())}（ohshi-desk）"),
    ]
    from .rules_source import source_note

    if source_note(bd):  # figures from an override: said where the rules version is
        rows.insert(rows.index(next(r for r in rows if r[0] == "ルール版")) + 1, ("ルールの出所", source_note(bd)))
    for i, (k, v) in enumerate(rows, start=3):
        text(ws, i, 1, k, font=BOLD)
        c = text(ws, i, 2, v, alignment=Alignment(horizontal="left"))
        ws.merge_cells(start_row=i, start_column=2, end_row=i, end_column=5)
        if isinstance(v, _dt.date):
            c.number_format = DATE_WAREKI
    head = 11
    headers = ["補助制度", "状況", "受付期間", "対象経費", "補助率", "補助限度額", "見積額", "締切", "申請先", "必要書類",
               "確かさ"]
    for j, h in enumerate(headers, 1):
        text(ws, head, j, h, font=BOLD, fill=HEAD_FILL, border=BOX, alignment=WRAP)
    first = head + 1
    for i, p in enumerate(bd["programs"]):
        r = first + i
        values = [p["name"], p["status_label"],
                  f"{window_date(p, 'start')}〜{window_date(p, 'end')}",
                  p["eligible_cost"], p["rate"] or "", p["limit"] if p["limit"] is not None else "", p["subsidy"],
                  _dt.date.fromisoformat(p["deadline"]), p["portal"]["label"],
                  documents_text(p),
                  confidence_label(rules, p["confidence"])]
        for j, v in enumerate(values, 1):
            c = text(ws, r, j, v, border=BOX, alignment=WRAP)
            if j in (4, 6, 7):
                c.number_format = YEN
            if j == 8:
                c.number_format = DATE_WAREKI
    last = first + len(bd["programs"]) - 1
    total_row = last + 2
    est = f"$G${first}:$G${max(last, first)}"
    status = f"$B${first}:$B${max(last, first)}"
    # the headline is what can still be applied for; programs whose window closed are reference lines apart
    # (their figure was paid or never will be)
    text(ws, total_row, 1, "いま申請できる見積額の合計", font=Font(bold=True, size=12), alignment=RIGHT)
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=6)
    formula(ws, total_row, 7, f'=SUMIF({status},"受付中",{est})' if bd["programs"] else "=0",
            cached=bd["total_subsidy_open"],
            number_format=YEN, font=Font(bold=True, size=12), border=BOX)
    text(ws, total_row + 1, 1, "（参考）受付が終わった制度も含めた合計", font=Font(size=9), alignment=RIGHT)
    ws.merge_cells(start_row=total_row + 1, start_column=1, end_row=total_row + 1, end_column=6)
    formula(ws, total_row + 1, 7, f"=SUM({est})" if bd["programs"] else "=0", number_format=YEN, border=BOX,
            cached=bd["total_subsidy"])
    closed_labels = sorted({p["status_label"] for p in bd["programs"] if p["status"] == "closed"})
    text(ws, total_row + 2, 1, "うち終了した制度（参考計算）", font=Font(size=9), alignment=RIGHT)
    ws.merge_cells(start_row=total_row + 2, start_column=1, end_row=total_row + 2, end_column=6)
    formula(ws, total_row + 2, 7, "=" + "+".join(f'SUMIF({status},"{lab}",{est})' for lab in closed_labels)
            if closed_labels and bd["programs"] else "=0", number_format=YEN, border=BOX,
            cached=sum(p["subsidy"] for p in bd["programs"] if p["status"] == "closed"))
    wb.defined_names["SubsidyTotalOpen"] = DefinedName("SubsidyTotalOpen", attr_text=f"'概要'!$G${total_row}")
    wb.defined_names["SubsidyTotal"] = DefinedName("SubsidyTotal", attr_text=f"'概要'!$G${total_row + 1}")
    wb.defined_names["SubsidyTotalClosed"] = DefinedName("SubsidyTotalClosed", attr_text=f"'概要'!$G${total_row + 2}")

    r = total_row + 4
    text(ws, r, 1, "ご注意", font=BOLD)
    caveats = ["これは見積りです。実際の補助額は申請の審査で決まります。購入・申請の前に必ずポータルサイトで最新の情報を確認してください。",
               "通知に書かれていない点は、少なめの金額になるように見積もっています（下の各行の［ ］は、その値の根拠の種類です）。",
               "明細の単価や数量を変えた場合は、このファイルを ohshi-desk で開き直すと見積りが計算し直されます。",
               "「対象経費」は、明細の「①補助対象金額」のうち、その補助の計算に入る金額の合計です。"
               "「見積額」は対象経費に補助率をかけ、補助限度額までとした金額です（制度によって計算のしかたが違います）。"]
    seen = set()
    for p in bd["programs"]:
        for c in p["caveats"]:
            label = confidence_label(rules, c["confidence"])
            line = f"{p['name']}: ［{label}］{c['note']}" if c["note"] else ""
            if line and line not in seen:
                seen.add(line)
                caveats.append(line)
    for i, c in enumerate(caveats, 1):
        text(ws, r + i, 1, f"・{c}")
    for col, width in zip("ABCDEFGHIJK", (30, 10, 30, 12, 8, 12, 12, 16, 26, 30, 14), strict=True):
        ws.column_dimensions[col].width = width
    fit_rows(ws, first, last)
    ws.freeze_panes = ws.cell(row=first, column=2)
    _print_setup(ws, landscape=True, title_rows=f"{head}:{head}")
    protect(ws)


# ------------------------------------------------------------------------------------------------- 明細

DETAIL_FIRST = 3  # row 1 the headers, row 2 the totals (they count every row below, added ones included)
LIST_ROWS = 2000  # drop-downs reach this far, for rows a vendor adds at the end


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


def _details(wb, case: Case, bd: dict, rules, snapshot: dict) -> dict:
    ws = wb.create_sheet("明細")
    for j, (h, width) in enumerate(DETAIL_COLUMNS, 1):
        text(ws, 1, j, h, font=BOLD, fill=HEAD_FILL, border=BOX, alignment=WRAP)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.column_dimensions["A"].hidden = True
    status_dv = DataValidation(type="list", formula1='"' + ",".join(LINE_STATUSES) + '"', allow_blank=True,
                               showErrorMessage=True, errorTitle="状況", error="一覧から選んでください")
    ws.add_data_validation(status_dv)
    letter = {name: get_column_letter(c) for name, c in COL.items()}
    status_dv.add(f"{letter['状況']}{DETAIL_FIRST}:{letter['状況']}{LIST_ROWS}")  # rows added at the end too
    for column, labels in (("補助制度", [rules.program(pid).short_name for pid in rules.program_ids
                                         if rules.program(pid).purchases]),
                           ("項目", [v["label"] for v in rules.items.values()])):
        choices = ",".join(labels)
        if len(choices) <= 250 and not any("," in x or '"' in x for x in labels):  # Excel's limit for a list
            dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True, showErrorMessage=True,
                                errorTitle=column, error="一覧から選んでください")
            dv.add(f"{letter[column]}{DETAIL_FIRST}:{letter[column]}{LIST_ROWS}")
            ws.add_data_validation(dv)
    q, u, a, e = letter["数量"], letter["単価（税込）"], letter["金額"], letter["①補助対象金額"]
    text(ws, 2, COL["補助制度"], "合計", font=BOLD, border=BOX)
    listed = detail_rows(case, bd)
    firsts = [ln.vendor_eligible if ln.vendor_eligible is not None else res["eligible"] for _p, res, ln in listed]
    amounts = [ln.amount for _p, _r, ln in listed]
    for name, total in (("金額", sum(amounts)), ("①補助対象金額", sum(firsts)),
                        ("②補助対象外金額", sum(amounts) - sum(firsts))):
        c = letter[name]
        formula(ws, 2, COL[name], f"=SUM({c}{DETAIL_FIRST}:{c}1048576)", font=BOLD, number_format=YEN, border=BOX,
                cached=total)
    rows: dict[str, int] = {}
    r = DETAIL_FIRST
    for pid, res, line in listed:
        ident = f"{pid}#{line.index}"
        rows[ident] = r
        shown = line.vendor_eligible if line.vendor_eligible is not None else res["eligible"]
        snapshot["eligible"][ident] = shown  # what ① says now: a different value later is the vendor's split
        text(ws, r, COL["ID"], ident)
        text(ws, r, COL["補助制度"], rules.program(pid).short_name, border=BOX, alignment=WRAP, protection=UNLOCKED)
        text(ws, r, COL["項目"], rules.items[line.item]["label"], border=BOX, alignment=WRAP, protection=UNLOCKED)
        text(ws, r, COL["内訳（品名・型番）"], line.description, border=BOX, fill=INPUT_FILL, alignment=WRAP)
        text(ws, r, COL["数量"], line.quantity, border=BOX, fill=INPUT_FILL)
        text(ws, r, COL["単価（税込）"], line.unit_price, border=BOX, fill=INPUT_FILL, number_format=YEN)
        if line.amount_override is not None:  # the vendor's 金額 (a discount) stays as written
            text(ws, r, COL["金額"], line.amount_override, border=BOX, fill=INPUT_FILL, number_format=YEN)
        else:
            formula(ws, r, COL["金額"], f"={q}{r}*{u}{r}", border=BOX, number_format=YEN, protection=UNLOCKED,
                    cached=line.amount)
        text(ws, r, COL["①補助対象金額"], shown, border=BOX, fill=INPUT_FILL, number_format=YEN)
        formula(ws, r, COL["②補助対象外金額"], f"={a}{r}-{e}{r}", border=BOX, number_format=YEN,
                cached=line.amount - shown)
        text(ws, r, COL["購入先・ベンダー"], line.vendor, border=BOX, fill=INPUT_FILL)
        text(ws, r, COL["領収書No"], line.receipt, border=BOX, fill=INPUT_FILL)
        for key, label in TRACKING_DATES.items():
            text(ws, r, COL[label], line.tracking.get(key), border=BOX, fill=INPUT_FILL, number_format=DATE_SHORT)
        text(ws, r, COL["状況"], line.status or "検討中", border=BOX, fill=INPUT_FILL)
        text(ws, r, COL["備考"], line.note, border=BOX, fill=INPUT_FILL, alignment=WRAP)
        text(ws, r, COL["見積りの理由（ohshi-desk）"], " / ".join(res["reasons"]) or "補助対象", border=BOX,
             alignment=WRAP)
        r += 1
    last = max(r - 1, DETAIL_FIRST)
    fit_rows(ws, 1, last)
    ws.freeze_panes = f"D{DETAIL_FIRST}"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_COLUMNS))}{last}"
    _print_setup(ws, landscape=True, title_rows="1:1")
    # Printed in three parts, each at a readable size (80 % of 11 pt): the lines (to 購入先), the tracking dates,
    # then 状況, 備考 and the reasons; 補助制度/項目/内訳 repeat on every part.
    from openpyxl.worksheet.pagebreak import Break

    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.scale = 80
    for c in COL.values():  # below the lines every column is open: rows are added, or copied whole, at the end
        ws.column_dimensions[get_column_letter(c)].protection = UNLOCKED
    rest = ws.column_dimensions[get_column_letter(len(COL) + 1)]  # and the columns right of them, to the sheet's end
    rest.min, rest.max = len(COL) + 1, 16384
    rest.protection = UNLOCKED
    protect(ws)
    ws.print_title_cols = f"{letter['補助制度']}:{letter['内訳（品名・型番）']}"
    for name in ("領収書No", list(TRACKING_DATES.values())[-1]):
        ws.col_breaks.append(Break(id=COL[name]))
    return rows


# ------------------------------------------------------------------------------------- 領収書内訳書（様式2）

NO_VENDOR = "購入先未記入"
_BAD_TITLE = str.maketrans({ch: "＿" for ch in "[]:*?/\\'"})


def receipts(case: Case, bd: dict, rules) -> list[tuple[str, str, str, list[tuple[dict, object]]]]:
    """One receipt per program × vendor (× 領収書No when a vendor issues more than one):
    (program id, vendor, receipt no, [(breakdown line, case line)]), in 明細's order."""
    groups: dict[tuple[str, str, str], list] = {}
    for pid, res, line in detail_rows(case, bd):
        groups.setdefault((pid, line.vendor, line.receipt), []).append((res, line))
    return [(pid, vendor, no, lines) for (pid, vendor, no), lines in groups.items()]


def receipt_key(vendor: str, no: str) -> str:
    """The key of a receipt's vendor block in ``plans.<id>.receipts``."""
    return f"{vendor}#{no}" if no else vendor


def _form2(wb, case: Case, p: dict, rules, rows: dict, snapshot: dict, used: set) -> None:
    plan = case.plans.get(p["id"])
    per_vendor = [(v, no, lines) for _pid, v, no, lines in receipts(case, {"programs": [p]}, rules)] if plan else []
    stored = (case.raw.get("plans", {}).get(p["id"], {}) or {}).get("receipts") or {}
    for vendor, no, lines in per_vendor or [("", "", [])]:
        pages = [lines[i:i + FORM_LINES] for i in range(0, len(lines), FORM_LINES)] or [[]]
        short = rules.program(p["id"]).short_name
        key = receipt_key(vendor, no)
        base = (f"様式2_{short}_{vendor or NO_VENDOR}" + (f"_{no}" if no else "")).translate(_BAD_TITLE)[:27]
        title, k = base, 2
        while title in used:
            title, k = f"{base[:24]}({k})", k + 1
        used.add(title)
        sheets = []
        for n, chunk in enumerate(pages):
            ws = wb.create_sheet(title if n == 0 else f"{title}_続{n}")
            sheets.append(ws)
            snapshot["forms"][ws.title] = [p["id"], key, vendor]
            snapshot["facility_cells"] = facility_cells(case, rules)
            block = stored.get(key) if isinstance(stored.get(key), dict) else {}
            _form2_sheet(ws, case, p, vendor, no, block, chunk, rows, n, len(pages), rules)
        subtotal_refs = [f"'{ws.title}'!$D$29+'{ws.title}'!$E$29" for ws in sheets]
        for ws in sheets:
            formula(ws, 7, 4, "=" + "+".join(subtotal_refs), number_format=YEN, font=Font(bold=True, size=12),
                    border=BOX, cached=sum(line.amount for _res, line in lines))


def facility_cells(case: Case, rules) -> dict[str, str]:
    """The cells of every 様式2 filled from the clinic's answers: {cell: (label, value)}."""
    fac = case.facility
    return {"B5": ["都道府県コード", rules.prefecture_code(fac.prefecture) or ""],
            "B6": ["点数表コード", rules.kinds[fac.kind].get("score_table_code", "")],
            "D4": ["保険医療機関等コード", fac.institution_code], "D5": ["保険医療機関等名称", fac.name]}


FORM_BLOCK = {"date": (4, "日付（西暦）"), "name": (9, "開発事業者等名称"), "address": (10, "所在地"),
              "phone": (11, "電話番号")}


def _form2_sheet(ws, case: Case, p: dict, vendor: str, no: str, block: dict, chunk: list, rows: dict, page: int,
                 pages: int, rules) -> None:
    fac = case.facility
    text(ws, 1, 5, "（別紙様式2）", alignment=Alignment(horizontal="right"))
    text(ws, 2, 1, "領収書内訳書" + (f"（続紙 {page}）" if page else ""), font=Font(bold=True, size=16))
    _merge(ws, "A2:E2")
    ws["A2"].alignment = Alignment(horizontal="center")
    text(ws, 3, 1, f"補助制度: {p['name']}　／　購入先: {vendor or NO_VENDOR}" + (f"　／　領収書No: {no}" if no else ""),
         font=Font(size=9))
    _merge(ws, "A3:E3")
    date = None
    if block.get("date"):
        try:
            date = _dt.date.fromisoformat(str(block["date"]))
        except ValueError:
            date = None
    header = [
        (4, "日付（西暦）", date, DATE_PLAIN),
        (5, "都道府県コード", rules.prefecture_code(fac.prefecture) or "", None),
        (6, "点数表コード", rules.kinds[fac.kind].get("score_table_code", ""), None),
    ]
    for r, label, value, fmt in header:  # 日付 is the vendor's; the codes come from the clinic's answers (locked)
        text(ws, r, 1, label, font=BOLD, border=BOX, fill=HEAD_FILL)
        c = text(ws, r, 2, value, border=BOX, fill=INPUT_FILL) if fmt else text(ws, r, 2, value, border=BOX)
        if fmt:
            c.number_format = fmt
    text(ws, 4, 3, "保険医療機関等コード", font=BOLD, border=BOX, fill=HEAD_FILL)
    text(ws, 4, 4, fac.institution_code, border=BOX)
    text(ws, 5, 3, "保険医療機関等名称", font=BOLD, border=BOX, fill=HEAD_FILL)
    text(ws, 5, 4, fac.name, border=BOX)
    _merge(ws, "D5:E5", edge=BOX)
    text(ws, 7, 3, "総額（①＋②）", font=BOLD, border=BOX, fill=HEAD_FILL)
    for key in ("name", "address", "phone"):
        r, label = FORM_BLOCK[key]
        value = block.get(key) if isinstance(block.get(key), str) else ""
        if key == "name" and not value:
            value = vendor
        text(ws, r, 1, label, font=BOLD, border=BOX, fill=HEAD_FILL)
        text(ws, r, 2, value, border=BOX, fill=INPUT_FILL)
        _merge(ws, start_row=r, start_column=2, end_row=r, end_column=5, edge=BOX)
    text(ws, 12, 1, "（開発事業者等が記入してください。明細の行は「明細」シートに書いてください）",
         font=Font(size=9, color="555555"))
    head = 13
    for j, h in enumerate(("No", "項目", "内訳", "①補助対象金額", "②補助対象外金額"), 1):
        text(ws, head, j, h, font=BOLD, fill=HEAD_FILL, border=BOX, alignment=CENTER)
    col = {name: get_column_letter(c) for name, c in COL.items()}
    firsts: list[int] = []
    seconds: list[int] = []
    for i in range(FORM_LINES):
        r = head + 1 + i
        text(ws, r, 1, page * FORM_LINES + i + 1, border=BOX, alignment=CENTER)
        ws.row_dimensions[r].height = 24
        if i >= len(chunk):
            for j in (2, 3, 4, 5):
                text(ws, r, j, None, border=BOX, alignment=WRAP)
            continue
        res, line = chunk[i]
        src = rows[f"{p['id']}#{line.index}"]

        def ref(name, src=src):
            return f"'明細'!${col[name]}${src}"
        first = line.vendor_eligible if line.vendor_eligible is not None else res["eligible"]
        shown = f"{line.description or res['item_label']}　{line.quantity}点 × {line.unit_price:,}円"
        if line.amount != line.quantity * line.unit_price:
            shown += f"（値引き後 {line.amount:,}円）"
        firsts.append(first)
        seconds.append(line.amount - first)
        formula(ws, r, 2, f"={ref('項目')}", border=BOX, alignment=WRAP, cached=res["item_label"])
        formula(ws, r, 3, f'=IF({ref("内訳（品名・型番）")}="",{ref("項目")},{ref("内訳（品名・型番）")})&"　"&'
                          f'{ref("数量")}&"点 × "&TEXT({ref("単価（税込）")},"#,##0")&"円"'
                          f'&IF({ref("金額")}<>{ref("数量")}*{ref("単価（税込）")},'
                          f'"（値引き後 "&TEXT({ref("金額")},"#,##0")&"円）","")', border=BOX, alignment=WRAP,
                cached=shown)
        formula(ws, r, 4, f"={ref('①補助対象金額')}", border=BOX, number_format=YEN, cached=first)
        formula(ws, r, 5, f"={ref('②補助対象外金額')}", border=BOX, number_format=YEN, cached=line.amount - first)
        import math
        lines_needed = max(math.ceil(_text_width(res["item_label"]) / 19), math.ceil(_text_width(shown) / 37), 1)
        ws.row_dimensions[r].height = max(24, 13 * lines_needed + 4)
    sub = head + FORM_LINES + 1  # row 29
    text(ws, sub, 1, "小計", font=BOLD, border=BOX, fill=HEAD_FILL)
    _merge(ws, start_row=sub, start_column=1, end_row=sub, end_column=3, edge=BOX)
    formula(ws, sub, 4, f"=SUM(D{head + 1}:D{sub - 1})", number_format=YEN, font=BOLD, border=BOX, cached=sum(firsts))
    formula(ws, sub, 5, f"=SUM(E{head + 1}:E{sub - 1})", number_format=YEN, font=BOLD, border=BOX,
            cached=sum(seconds))
    notes = ["記入上の注意",
             "・金額はすべて税込で記入してください。",
             "・内訳書の総額（①＋②）は、領収書の総額と一致させてください。この用紙は領収書1枚（補助制度×購入先）ごとです。",
             "・領収書のすべての明細を記入し、補助対象外の金額や上限を超える部分は②に記入してください。",
             "・品名・数量・金額・①②は「明細」シートで直してください（この用紙に自動で反映されます）。"
             + (f"（全{pages}枚）" if pages > 1 else "")]
    for i, n in enumerate(notes):
        text(ws, sub + 2 + i, 1, n, font=Font(size=9, bold=(i == 0)), alignment=Alignment(wrap_text=True))
        _merge(ws, start_row=sub + 2 + i, start_column=1, end_row=sub + 2 + i, end_column=5)
    for col_letter, width in zip("ABCDE", (16, 20, 38, 16, 16), strict=True):
        ws.column_dimensions[col_letter].width = width
    _print_setup(ws, landscape=False, one_page=True)
    protect(ws)


# ------------------------------------------------------------------------------------------------ 必要書類

CHECK_HEADERS = ("補助制度", "状況・締切", "書類", "用意する人", "進み具合", "受領日", "備考", "ID")


def _checklist(wb, case: Case, bd: dict) -> None:
    ws = wb.create_sheet("必要書類")
    for j, h in enumerate(CHECK_HEADERS, 1):
        text(ws, 1, j, h, font=BOLD, fill=HEAD_FILL, border=BOX)
    dv = DataValidation(type="list", formula1='"' + ",".join(CHECK_STATUSES) + '"', allow_blank=True)
    ws.add_data_validation(dv)
    stored = case.raw.get("documents") if isinstance(case.raw.get("documents"), dict) else {}
    r = 2
    for p in bd["programs"]:
        needed = p["status"] not in ("not_applicable", "not_needed", "closed")
        for d in p["documents"] or [{"id": "", "label": "（書類なし）"}]:
            kept = (stored.get(p["id"]) or {}).get(d["id"]) if isinstance(stored.get(p["id"]), dict) else None
            kept = kept if isinstance(kept, dict) else {}
            text(ws, r, 1, p["name"], border=BOX, alignment=WRAP)
            text(ws, r, 2, status_text(p), border=BOX, alignment=WRAP)
            text(ws, r, 3, d.get("text") or d["label"], border=BOX, alignment=WRAP)
            text(ws, r, 4, d.get("who", ""), border=BOX)
            text(ws, r, 5, kept.get("progress") or ("未着手" if needed else "不要"), border=BOX, fill=INPUT_FILL)
            dv.add(ws.cell(row=r, column=5))
            received = None
            if kept.get("received_date"):
                try:
                    received = _dt.date.fromisoformat(str(kept["received_date"]))
                except ValueError:
                    received = None
            text(ws, r, 6, received, border=BOX, fill=INPUT_FILL, number_format=DATE_WAREKI)
            note = kept.get("note") if "note" in kept else ("" if needed else p["status_label"])
            text(ws, r, 7, note, border=BOX, fill=INPUT_FILL, alignment=WRAP)
            text(ws, r, 8, f"{p['id']}#{d['id']}" if d["id"] else None)
            r += 1
    for col, width in zip("ABCDEFGH", (34, 26, 30, 14, 10, 14, 24, 4), strict=True):
        ws.column_dimensions[col].width = width
    ws.column_dimensions["H"].hidden = True
    fit_rows(ws, 1, r - 1)
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=True, title_rows="1:1")
    protect(ws)


# ------------------------------------------------------------------------------------------- the case

def payload_hash(case_json: str, snapshot_json: str) -> str:
    import hashlib

    return hashlib.sha256((case_json + "\n" + snapshot_json).encode("utf-8")).hexdigest()


def _data_sheet(wb, case: Case, snapshot: dict) -> None:
    ws = wb.create_sheet(DATA_SHEET)
    ws.sheet_state = "veryHidden"
    # The vendor needs the lines, not the clinic's usage figures (レセプト件数, 利用率…): those stay at the clinic.
    withheld = [key for key in WITHHELD if key in case.raw]
    if withheld:
        snapshot["withheld"] = withheld
    payload = json.dumps({k: v for k, v in case.raw.items() if k not in WITHHELD}, ensure_ascii=False)
    snap = json.dumps(snapshot, ensure_ascii=False)
    text(ws, 1, 1, WORKBOOK_FORMAT)
    text(ws, 1, 2, "このシートは ohshi-desk が開き直すためのものです。変更しないでください。")
    text(ws, 1, 3, payload_hash(payload, snap))
    for col, data in ((1, payload), (2, snap)):
        for i in range(0, max(len(data), 1), CHUNK):
            text(ws, 2 + i // CHUNK, col, data[i:i + CHUNK])


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


# ---------------------------------------------------------------------------------------------- writing

def suggest_other_name(path: Path) -> Path:
    for n in range(2, 100):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    return path.with_name(f"{path.stem}_{now():%Y%m%d%H%M%S}{path.suffix}")


def _with_cached_values(wb) -> bytes:
    """The saved file, with each formula's value written beside it (openpyxl writes formulas with an empty value)."""
    import io
    import re
    import zipfile
    from xml.sax.saxutils import escape

    buf = io.BytesIO()
    wb.save(buf)
    cached = wb.__dict__.get("_ohshi_cached") or {}
    if not cached:
        return buf.getvalue()
    parts = {f"xl/worksheets/sheet{i}.xml": cached.get(ws.title) for i, ws in enumerate(wb.worksheets, 1)}
    pattern = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v ?/></c>', re.S)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            values = parts.get(item.filename)
            if values:
                def fill(m, values=values):
                    value = values.get(m.group(1))
                    if value is None:
                        return m.group(0)
                    if isinstance(value, str):
                        return f'<c r="{m.group(1)}"{m.group(2)} t="str"><f>{m.group(3)}</f><v>{escape(value)}</v></c>'
                    return f'<c r="{m.group(1)}"{m.group(2)}><f>{m.group(3)}</f><v>{value}</v></c>'
                data = pattern.sub(fill, data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()


def write_workbook(wb: Workbook, path: str | os.PathLike) -> None:
    """Save atomically. Raises :class:`ExportError` (Japanese, with another name to try) when it cannot."""
    from .atomic import ReplaceError, TempFileError, atomic_write

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"「{path.name}」: Excel ファイルの名前は .xlsx で終わるようにしてください", path.with_suffix(".xlsx"))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        atomic_write(path, lambda fh: fh.write(_with_cached_values(wb)), suffix=".xlsx.tmp")
    except TempFileError as exc:
        if isinstance(exc.original, FileNotFoundError):
            raise ExportError(f"フォルダ「{folder}」がありません。別のフォルダを選んでください") from None
        raise ExportError(f"フォルダ「{folder}」に書き込めません（読み取り専用か、権限がありません）。別のフォルダを選んでください",
                          Path.home() / path.name) from None
    except ReplaceError as exc:
        if isinstance(exc.original, PermissionError):
            raise ExportError(f"「{path.name}」に書き込めません。Excel などで開いたままになっていませんか。閉じてからもう一度試すか、"
                              f"別の名前（例: {suggest_other_name(path).name}）で保存してください",
                              suggest_other_name(path)) from None
        raise ExportError(f"「{path.name}」を保存できません（{exc.strerror}）。別の名前か別のフォルダを選んでください",
                          suggest_other_name(path)) from None
    except OSError as exc:  # while writing: a full disk, a USB stick pulled out, a quota; the old file is untouched
        from .atomic import write_problem

        raise ExportError(f"「{path.name}」を保存できません。{write_problem(exc)}。元のファイルはそのままです",
                          suggest_other_name(path)) from None


def export_case(case: Case, rules, path, as_of: _dt.date | None = None) -> dict:
    from .engine import compute

    breakdown = compute(case, rules, as_of)
    for p in breakdown["programs"]:  # who prepares each document, for the checklist
        for d in p["documents"]:
            d["who"] = rules.documents[d["id"]]["who"]
    write_workbook(build_workbook(case, breakdown, rules), path)
    return breakdown
