"""The tracking workbook the clinic sends to its vendors (openpyxl).

Sheets: 概要 (one row per program, totals with the defined names SubsidyTotal / SubsidyTotalOpen /
SubsidyTotalClosed), 明細 (one row per purchase line with tracking columns), one 領収書内訳書 (別紙様式2) per program that needs one (15 lines a
sheet, more on 続紙 sheets), 必要書類 (a checklist), and a hidden sheet holding the case, so that the workbook can
be opened again after a vendor has edited it (see ``xlsx_read.py``).

Every text a user or vendor typed is written as a text cell, never as a formula, whatever it begins with.
The file is written to a temporary file beside the target and moved into place.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .breakdown import NO_SUBSIDY, confidence_label, documents_text, status_text, window_date
from .case import LINE_STATUSES, TRACKING_DATES, Case
from .clock import now, today
from .formatting import wareki

WORKBOOK_FORMAT = "ohshi-desk-workbook/1"
DATA_SHEET = "_ohshi"
CHUNK = 30000  # a cell holds at most 32,767 characters
FORM_LINES = 15

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
CHECK_STATUSES = ("未着手", "依頼済", "受領済", "提出済", "不要")

DETAIL_COLUMNS = [  # (header, width)
    ("ID", 4), ("補助制度", 12), ("項目", 13), ("内訳（品名・型番）", 24), ("数量", 5), ("単価（税込）", 11),
    ("金額", 11), ("①補助対象金額", 11), ("②補助対象外金額", 11), ("購入先・ベンダー", 14),
    *[(label, 9) for label in TRACKING_DATES.values()],
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
    if isinstance(value, str):
        cell.data_type = "s"
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _text_width(value) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def fit_rows(ws, first: int, last: int, line_height: float = 16.5) -> None:
    """Set each row's height to show its wrapped text (LibreOffice does not grow rows read from a file)."""
    import math

    widths = {}
    for r in range(first, last + 1):
        lines = 1
        for cell in ws[r]:
            if cell.value is None or not isinstance(cell.value, str) or cell.data_type == "f":
                continue
            letter = cell.column_letter
            if ws.column_dimensions[letter].hidden:
                continue
            if letter not in widths:
                widths[letter] = ws.column_dimensions[letter].width or 8.43
            lines = max(lines, sum(max(1, math.ceil(_text_width(part) / max(widths[letter] - 1, 1)))
                                   for part in cell.value.split("\n")))
        if lines > 1:
            ws.row_dimensions[r].height = lines * line_height


def formula(ws, row: int, col: int, expr: str, **style):
    cell = ws.cell(row=row, column=col, value=expr)
    cell.data_type = "f"
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def build_workbook(case: Case, breakdown: dict, rules) -> Workbook:
    wb = Workbook()
    summary = wb.active
    summary.title = "概要"
    _summary(wb, summary, case, breakdown, rules)
    _details(wb, case, breakdown, rules)
    for p in breakdown["programs"]:
        if p["status"] not in NO_SUBSIDY and any(
                rules.documents[d["id"]].get("workbook_sheet") == "receipt_breakdown_form" for d in p["documents"]):
            _form2(wb, case, p, rules)
    _checklist(wb, breakdown)
    _data_sheet(wb, case)
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
        ("作成", f"ohshi-desk {today().isoformat()}"),
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
    text(ws, total_row, 6, "見積額の合計（終了した制度を含む）", font=BOLD, alignment=RIGHT)
    est = f"$G${first}:$G${max(last, first)}"
    status = f"$B${first}:$B${max(last, first)}"
    formula(ws, total_row, 7, f"=SUM({est})" if bd["programs"] else "=0", number_format=YEN, font=BOLD, border=BOX)
    text(ws, total_row + 1, 6, "いま申請できる分", font=BOLD, alignment=RIGHT)
    formula(ws, total_row + 1, 7, f'=SUMIF({status},"受付中",{est})' if bd["programs"] else "=0",
            number_format=YEN, font=BOLD, border=BOX)
    # closed programs apart (issue 14 point 8): their figure was paid or never will be
    closed_labels = sorted({p["status_label"] for p in bd["programs"] if p["status"] == "closed"})
    text(ws, total_row + 2, 6, "うち終了した制度（参考計算）", font=BOLD, alignment=RIGHT)
    formula(ws, total_row + 2, 7, "=" + "+".join(f'SUMIF({status},"{lab}",{est})' for lab in closed_labels)
            if closed_labels and bd["programs"] else "=0", number_format=YEN, border=BOX)
    wb.defined_names["SubsidyTotal"] = DefinedName("SubsidyTotal", attr_text=f"'概要'!$G${total_row}")
    wb.defined_names["SubsidyTotalOpen"] = DefinedName("SubsidyTotalOpen", attr_text=f"'概要'!$G${total_row + 1}")
    wb.defined_names["SubsidyTotalClosed"] = DefinedName("SubsidyTotalClosed", attr_text=f"'概要'!$G${total_row + 2}")

    r = total_row + 3
    text(ws, r, 1, "ご注意", font=BOLD)
    caveats = ["これは見積りです。実際の補助額は申請の審査で決まります。購入・申請の前に必ずポータルサイトで最新の情報を確認してください。",
               "通知に書かれていない点は、少なめの金額になるように見積もっています（下の各行の［ ］は、その値の根拠の種類です）。",
               "明細の単価や数量を変えた場合は、このファイルを ohshi-desk で開き直すと見積りが計算し直されます。"]
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


# ------------------------------------------------------------------------------------------------- 明細

def _details(wb, case: Case, bd: dict, rules) -> None:
    ws = wb.create_sheet("明細")
    for j, (h, width) in enumerate(DETAIL_COLUMNS, 1):
        text(ws, 1, j, h, font=BOLD, fill=HEAD_FILL, border=BOX, alignment=WRAP)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.column_dimensions["A"].hidden = True
    status_dv = DataValidation(type="list", formula1='"' + ",".join(LINE_STATUSES) + '"', allow_blank=True,
                               showErrorMessage=True, errorTitle="状況", error="一覧から選んでください")
    ws.add_data_validation(status_dv)
    r = 2
    for p in bd["programs"]:
        plan = case.plans.get(p["id"])
        if plan is None:
            continue
        by_index = {ln["index"]: ln for ln in p["lines"]}
        for line in plan.lines:
            res = by_index[line.index]
            text(ws, r, COL["ID"], f"{p['id']}#{line.index}")
            text(ws, r, COL["補助制度"], rules.program(p["id"]).short_name, border=BOX)
            text(ws, r, COL["項目"], rules.items[line.item]["label"], border=BOX)
            text(ws, r, COL["内訳（品名・型番）"], line.description, border=BOX, fill=INPUT_FILL)
            text(ws, r, COL["数量"], line.quantity, border=BOX, fill=INPUT_FILL)
            text(ws, r, COL["単価（税込）"], line.unit_price, border=BOX, fill=INPUT_FILL, number_format=YEN)
            q, u = get_column_letter(COL["数量"]), get_column_letter(COL["単価（税込）"])
            formula(ws, r, COL["金額"], f"={q}{r}*{u}{r}", border=BOX, number_format=YEN)
            text(ws, r, COL["①補助対象金額"], res["eligible"], border=BOX, number_format=YEN)
            a, e = get_column_letter(COL["金額"]), get_column_letter(COL["①補助対象金額"])
            formula(ws, r, COL["②補助対象外金額"], f"={a}{r}-{e}{r}", border=BOX, number_format=YEN)
            text(ws, r, COL["購入先・ベンダー"], line.vendor, border=BOX, fill=INPUT_FILL)
            for key, label in TRACKING_DATES.items():
                text(ws, r, COL[label], line.tracking.get(key), border=BOX, fill=INPUT_FILL, number_format=DATE_SHORT)
            text(ws, r, COL["状況"], line.status or "検討中", border=BOX, fill=INPUT_FILL)
            status_dv.add(ws.cell(row=r, column=COL["状況"]))
            text(ws, r, COL["備考"], line.note, border=BOX, fill=INPUT_FILL, alignment=WRAP)
            text(ws, r, COL["見積りの理由（ohshi-desk）"], " / ".join(res["reasons"]) or "補助対象", border=BOX,
                 alignment=WRAP)
            r += 1
    last = max(r - 1, 1)
    text(ws, r + 1, COL["単価（税込）"], "合計", font=BOLD)
    for name in ("金額", "①補助対象金額", "②補助対象外金額"):
        c = get_column_letter(COL[name])
        formula(ws, r + 1, COL[name], f"=SUM({c}2:{c}{max(last, 2)})" if last >= 2 else "=0", font=BOLD,
                number_format=YEN, border=BOX)
    fit_rows(ws, 1, last)
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_COLUMNS))}{max(last, 2)}"
    _print_setup(ws, landscape=True, title_rows="1:1")


# ------------------------------------------------------------------------------------- 領収書内訳書（様式2）

def _form2(wb, case: Case, p: dict, rules) -> None:
    plan = case.plans.get(p["id"])
    lines = list(p["lines"]) if plan else []
    pages = [lines[i:i + FORM_LINES] for i in range(0, len(lines), FORM_LINES)] or [[]]
    base = f"様式2_{rules.program(p['id']).short_name}"
    sheets = []
    for n, chunk in enumerate(pages):
        title = base if n == 0 else f"{base}_続{n}"
        ws = wb.create_sheet(title[:31])
        sheets.append(ws)
        _form2_sheet(ws, case, p, chunk, n, len(pages), rules)
    # 総額 on every page: the sum of all pages' 小計
    subtotal_refs = [f"'{ws.title}'!$D$29+'{ws.title}'!$E$29" for ws in sheets]
    for ws in sheets:
        formula(ws, 7, 4, "=" + "+".join(subtotal_refs), number_format=YEN, font=Font(bold=True, size=12),
                border=BOX)


def _form2_sheet(ws, case: Case, p: dict, chunk: list[dict], page: int, pages: int, rules) -> None:
    fac = case.facility
    text(ws, 1, 5, "（別紙様式2）", alignment=Alignment(horizontal="right"))
    text(ws, 2, 1, "領収書内訳書" + (f"（続紙 {page}）" if page else ""), font=Font(bold=True, size=16))
    ws.merge_cells("A2:E2")
    ws["A2"].alignment = Alignment(horizontal="center")
    text(ws, 3, 1, f"補助制度: {p['name']}", font=Font(size=9))
    ws.merge_cells("A3:E3")
    header = [
        (4, "日付（西暦）", None, DATE_PLAIN),
        (5, "都道府県コード", rules.prefecture_code(fac.prefecture) or "", None),
        (6, "点数表コード", rules.kinds[fac.kind].get("score_table_code", ""), None),
    ]
    for r, label, value, fmt in header:
        text(ws, r, 1, label, font=BOLD, border=BOX, fill=HEAD_FILL)
        c = text(ws, r, 2, value, border=BOX, fill=INPUT_FILL)
        if fmt:
            c.number_format = fmt
    text(ws, 4, 3, "保険医療機関等コード", font=BOLD, border=BOX, fill=HEAD_FILL)
    text(ws, 4, 4, fac.institution_code, border=BOX, fill=INPUT_FILL)
    text(ws, 5, 3, "保険医療機関等名称", font=BOLD, border=BOX, fill=HEAD_FILL)
    text(ws, 5, 4, fac.name, border=BOX, fill=INPUT_FILL)
    ws.merge_cells("D5:E5")
    text(ws, 7, 3, "総額（①＋②）", font=BOLD, border=BOX, fill=HEAD_FILL)
    vendors = sorted({ln["vendor"] for ln in chunk if ln["vendor"]})
    for r, label, value in ((9, "開発事業者等名称", vendors[0] if len(vendors) == 1 else ""), (10, "所在地", ""),
                            (11, "電話番号", "")):
        text(ws, r, 1, label, font=BOLD, border=BOX, fill=HEAD_FILL)
        text(ws, r, 2, value, border=BOX, fill=INPUT_FILL)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=5)
    text(ws, 12, 1, "（開発事業者等が記入してください）", font=Font(size=9, color="555555"))
    head = 13
    for j, h in enumerate(("No", "項目", "内訳", "①補助対象金額", "②補助対象外金額"), 1):
        text(ws, head, j, h, font=BOLD, fill=HEAD_FILL, border=BOX, alignment=Alignment(horizontal="center"))
    for i in range(FORM_LINES):
        r = head + 1 + i
        text(ws, r, 1, page * FORM_LINES + i + 1, border=BOX, alignment=Alignment(horizontal="center"))
        ln = chunk[i] if i < len(chunk) else None
        text(ws, r, 2, ln["item_label"] if ln else None, border=BOX, alignment=WRAP)
        detail = None
        if ln:
            detail = (ln["description"] or ln["item_label"]) + f"　{ln['quantity']}点 × {ln['unit_price']:,}円"
        text(ws, r, 3, detail, border=BOX, alignment=WRAP)
        text(ws, r, 4, ln["eligible"] if ln else None, border=BOX, number_format=YEN)
        text(ws, r, 5, ln["ineligible"] if ln else None, border=BOX, number_format=YEN)
    sub = head + FORM_LINES + 1  # row 29
    text(ws, sub, 1, "小計", font=BOLD, border=BOX, fill=HEAD_FILL)
    ws.merge_cells(start_row=sub, start_column=1, end_row=sub, end_column=3)
    formula(ws, sub, 4, f"=SUM(D{head + 1}:D{sub - 1})", number_format=YEN, font=BOLD, border=BOX)
    formula(ws, sub, 5, f"=SUM(E{head + 1}:E{sub - 1})", number_format=YEN, font=BOLD, border=BOX)
    notes = ["記入上の注意",
             "・金額はすべて税込で記入してください。",
             "・内訳書の総額（①＋②）は、領収書の総額と一致させてください。",
             "・領収書のすべての明細を記入し、補助対象外の金額や上限を超える部分は②に記入してください。",
             "・型番・数量は内訳欄に記入してください。15行を超える場合は続紙に記入してください。"
             + (f"（全{pages}枚）" if pages > 1 else "")]
    for i, n in enumerate(notes):
        text(ws, sub + 2 + i, 1, n, font=Font(size=9, bold=(i == 0)))
        ws.merge_cells(start_row=sub + 2 + i, start_column=1, end_row=sub + 2 + i, end_column=5)
    for col, width in zip("ABCDE", (16, 20, 38, 16, 16), strict=True):
        ws.column_dimensions[col].width = width
    for r in range(head + 1, sub):
        ws.row_dimensions[r].height = 24
    fit_rows(ws, head + 1, sub - 1, line_height=13)
    _print_setup(ws, landscape=False, one_page=True)


# ------------------------------------------------------------------------------------------------ 必要書類

def _checklist(wb, bd: dict) -> None:
    ws = wb.create_sheet("必要書類")
    headers = ("補助制度", "状況・締切", "書類", "用意する人", "進み具合", "受領日", "備考")
    for j, h in enumerate(headers, 1):
        text(ws, 1, j, h, font=BOLD, fill=HEAD_FILL, border=BOX)
    dv = DataValidation(type="list", formula1='"' + ",".join(CHECK_STATUSES) + '"', allow_blank=True)
    ws.add_data_validation(dv)
    r = 2
    for p in bd["programs"]:
        needed = p["status"] not in ("not_applicable", "not_needed", "closed")
        for d in p["documents"] or [{"id": "", "label": "（書類なし）"}]:
            text(ws, r, 1, p["name"], border=BOX, alignment=WRAP)
            text(ws, r, 2, status_text(p), border=BOX, alignment=WRAP)
            text(ws, r, 3, d.get("text") or d["label"], border=BOX, alignment=WRAP)
            text(ws, r, 4, d.get("who", ""), border=BOX)
            text(ws, r, 5, "未着手" if needed else "不要", border=BOX, fill=INPUT_FILL)
            dv.add(ws.cell(row=r, column=5))
            text(ws, r, 6, None, border=BOX, fill=INPUT_FILL, number_format=DATE_WAREKI)
            text(ws, r, 7, "" if needed else p["status_label"], border=BOX, fill=INPUT_FILL)
            r += 1
    for col, width in zip("ABCDEFG", (34, 26, 30, 14, 10, 14, 24), strict=True):
        ws.column_dimensions[col].width = width
    fit_rows(ws, 1, r - 1)
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=True, title_rows="1:1")


# ------------------------------------------------------------------------------------------- the case

def _data_sheet(wb, case: Case) -> None:
    ws = wb.create_sheet(DATA_SHEET)
    ws.sheet_state = "hidden"
    payload = json.dumps(case.raw, ensure_ascii=False)
    text(ws, 1, 1, WORKBOOK_FORMAT)
    text(ws, 1, 2, "このシートは ohshi-desk が開き直すためのものです。変更しないでください。")
    for i in range(0, max(len(payload), 1), CHUNK):
        text(ws, 2 + i // CHUNK, 1, payload[i:i + CHUNK])


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


def write_workbook(wb: Workbook, path: str | os.PathLike) -> None:
    """Save atomically. Raises :class:`ExportError` (Japanese, with another name to try) when it cannot."""
    from .atomic import ReplaceError, TempFileError, atomic_write

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"「{path.name}」: Excel ファイルの名前は .xlsx で終わるようにしてください", path.with_suffix(".xlsx"))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        atomic_write(path, wb.save, suffix=".xlsx.tmp")
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
