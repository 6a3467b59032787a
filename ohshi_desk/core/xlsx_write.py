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
import errno
import json
import os
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .breakdown import NO_SUBSIDY, confidence_label, documents_text, status_text, window_date
from .case import LINE_STATUSES, TRACKING_DATES, Case
from .clock import now, today
from .formatting import wareki
from .xlsx_cells import (
    BOLD,
    BOX,
    COL,
    DATE_SHORT,
    DATE_WAREKI,
    DETAIL_COLUMNS,
    DETAIL_FIRST,
    HEAD_FILL,
    HEAD_ROW,
    INPUT_FILL,
    KEY_HEADER,
    LEFT,
    LIST_ROWS,
    RIGHT,
    SMALL_FONT,
    SPARE_ROWS,
    TOTAL_FONT,
    TOTAL_ROW,
    UNLOCKED,
    WRAP,
    YEN,
    _print_setup,
    detail_rows,
    fit_rows,
    formula,
    protect,
    sheet_key,
    text,
)
from .xlsx_form2 import _form2

WORKBOOK_FORMAT = "ohshi-desk-workbook/1"
DATA_SHEET = "_ohshi"
WITHHELD = ("usage",)  # case keys that do not travel to vendors
CHUNK = 30000  # a cell holds at most 32,767 characters
CHECK_STATUSES = ("未着手", "依頼済", "受領済", "提出済", "不要")


class ExportError(Exception):
    """The workbook could not be written. ``str()`` is a Japanese message; ``suggestion`` another file name."""

    def __init__(self, message: str, suggestion: Path | None = None):
        super().__init__(message)
        self.suggestion = suggestion


def build_workbook(case: Case, breakdown: dict, rules, banners=()) -> Workbook:
    """``banners``: lines said in a coloured row at the top of 概要 (a day that is not today is always said)."""
    wb = Workbook()
    summary = wb.active
    summary.title = "概要"
    _summary(wb, summary, case, breakdown, rules, banners)
    snapshot: dict = {"eligible": {}, "forms": {}, "lines": {}}
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

BANNER_FILL = PatternFill("solid", fgColor="FFE0B2")
BANNER_FONT = Font(bold=True, size=12, color="BF360C")
CLOSED_FILL = PatternFill("solid", fgColor="EEEEEE")


def _summary(wb, ws, case: Case, bd: dict, rules, banners=()) -> None:
    from .presenting import CLOSED_MARK, other_day_banner

    fac = case.facility
    text(ws, 1, 1, "オンライン資格確認 補助金の見積りと進み具合", font=Font(bold=True, size=14))
    said = [b for b in dict.fromkeys([other_day_banner(_dt.date.fromisoformat(bd["as_of"])), *banners]) if b]
    if said:  # row 2, over the whole width: a day that is not today, an estimate made on another day
        text(ws, 2, 1, "⚠ " + "　".join(said), font=BANNER_FONT, fill=BANNER_FILL, alignment=WRAP)
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=11)
        ws.row_dimensions[2].height = 36 if len(said) > 1 or len(said[0]) > 60 else 20
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
        c = text(ws, i, 2, v, alignment=LEFT)
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
        closed = p["status"] == "closed"  # reference only: greyed, and every amount says so
        for j, v in enumerate(values, 1):
            c = text(ws, r, j, v, border=BOX, alignment=WRAP, **({"fill": CLOSED_FILL} if closed else {}))
            if j in (4, 6, 7):
                c.number_format = YEN if not closed else f'#,##0"円{CLOSED_MARK}"'
            if j == 8:
                c.number_format = DATE_WAREKI
    last = first + len(bd["programs"]) - 1
    total_row = last + 2
    est = f"$G${first}:$G${max(last, first)}"
    status = f"$B${first}:$B${max(last, first)}"
    # the headline is what can still be applied for; programs whose window closed are reference lines apart
    # (their figure was paid or never will be)
    text(ws, total_row, 1, "いま申請できる見積額の合計", font=TOTAL_FONT, alignment=RIGHT)
    ws.merge_cells(start_row=total_row, start_column=1, end_row=total_row, end_column=6)
    formula(ws, total_row, 7, f'=SUMIF({status},"受付中",{est})' if bd["programs"] else "=0",
            cached=bd["total_subsidy_open"],
            number_format=YEN, font=TOTAL_FONT, border=BOX)
    text(ws, total_row + 1, 1, "（参考）受付が終わった制度も含めた合計", font=SMALL_FONT, alignment=RIGHT)
    ws.merge_cells(start_row=total_row + 1, start_column=1, end_row=total_row + 1, end_column=6)
    formula(ws, total_row + 1, 7, f"=SUM({est})" if bd["programs"] else "=0", number_format=YEN, border=BOX,
            cached=bd["total_subsidy"])
    closed_labels = sorted({p["status_label"] for p in bd["programs"] if p["status"] == "closed"})
    text(ws, total_row + 2, 1, "うち終了した制度（参考計算）", font=SMALL_FONT, alignment=RIGHT)
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
    wide = 24 if any(p["status"] == "closed" for p in bd["programs"]) else 12  # room for 「（受付終了・参考）」
    for col, width in zip("ABCDEFGHIJK", (30, 10, 30, wide, 8, wide, wide, 16, 26, 30, 14), strict=True):
        ws.column_dimensions[col].width = width
    fit_rows(ws, first, last)
    ws.freeze_panes = ws.cell(row=first, column=2)
    _print_setup(ws, landscape=True, title_rows=f"{head}:{head}")
    protect(ws)


# ------------------------------------------------------------------------------------------------- 明細

def _details(wb, case: Case, bd: dict, rules, snapshot: dict) -> dict:
    ws = wb.create_sheet("明細")
    for j, (h, width) in enumerate(DETAIL_COLUMNS, 1):
        text(ws, HEAD_ROW, j, h, font=BOLD, fill=HEAD_FILL, border=BOX, alignment=WRAP)
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
    text(ws, TOTAL_ROW, COL["補助制度"], "合計", font=BOLD, border=BOX)
    listed = detail_rows(case, bd)
    status_of = {p["id"]: p["status"] for p in bd["programs"]}
    from .presenting import CLOSED_MARK
    firsts = [ln.vendor_eligible if ln.vendor_eligible is not None else res["eligible"] for _p, res, ln in listed]
    amounts = [ln.amount for _p, _r, ln in listed]
    for name, total in (("金額", sum(amounts)), ("①補助対象金額", sum(firsts)),
                        ("②補助対象外金額", sum(amounts) - sum(firsts))):
        c = letter[name]
        formula(ws, TOTAL_ROW, COL[name], f"=SUM({c}{DETAIL_FIRST}:{c}1048576)", font=BOLD, number_format=YEN,
                border=BOX, cached=total)
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
        if line.vendor_eligible is not None:  # the vendor's own split stays as typed
            text(ws, r, COL["①補助対象金額"], shown, border=BOX, fill=INPUT_FILL, number_format=YEN)
        else:  # ① follows the line: all of 金額, its capped part, or nothing (until the vendor types over it)
            formula(ws, r, COL["①補助対象金額"], first_formula(a, r, shown, line.amount), border=BOX,
                    fill=INPUT_FILL, number_format=YEN, cached=shown)
        formula(ws, r, COL["②補助対象外金額"], f"={a}{r}-{e}{r}", border=BOX, number_format=YEN,
                cached=line.amount - shown)
        text(ws, r, COL["購入先・ベンダー"], line.vendor, border=BOX, fill=INPUT_FILL)
        text(ws, r, COL["領収書No"], line.receipt, border=BOX, fill=INPUT_FILL)
        for key, label in TRACKING_DATES.items():
            text(ws, r, COL[label], line.tracking.get(key), border=BOX, fill=INPUT_FILL, number_format=DATE_SHORT)
        text(ws, r, COL["状況"], line.status or "検討中", border=BOX, fill=INPUT_FILL)
        text(ws, r, COL["備考"], line.note, border=BOX, fill=INPUT_FILL, alignment=WRAP)
        reasons = " / ".join(res["reasons"]) or "補助対象"
        if status_of.get(pid) == "closed":  # the line's ① is a cost, never an amount on offer: said on the line
            reasons = f"{CLOSED_MARK}受付が終わった制度の参考計算です / {reasons}"
        text(ws, r, COL["見積りの理由（ohshi-desk）"], reasons, border=BOX,
             alignment=WRAP)
        snapshot["lines"][ident] = [rules.program(pid).short_name, rules.items[line.item]["label"], line.description,
                                    line.quantity, line.unit_price, line.vendor, line.receipt]
        r += 1
    last = max(r - 1, DETAIL_FIRST)
    _receipt_keys(ws, letter, listed, rules, last + SPARE_ROWS)
    _line_checks(ws, letter)
    fit_rows(ws, 1, last)
    ws.freeze_panes = f"D{DETAIL_FIRST}"
    # the filter (and a sort from its buttons) starts below the headers: the totals above them are never sorted in
    ws.auto_filter.ref = f"A{HEAD_ROW}:{get_column_letter(len(DETAIL_COLUMNS))}{last}"
    _print_setup(ws, landscape=True, title_rows=f"{HEAD_ROW}:{HEAD_ROW}")
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


def first_formula(amount_col: str, r: int, eligible: int, amount: int) -> str:
    """① of a 明細 row as a formula of its line: all of 金額, the part up to what is eligible, or nothing."""
    if eligible >= amount:
        return f"={amount_col}{r}"
    if eligible <= 0:
        return "=0"
    return f"=MIN({amount_col}{r},{eligible})"


def _receipt_keys(ws, letter: dict, listed: list, rules, to_row: int) -> None:
    """The hidden key column: each row's receipt (補助制度|購入先|領収書No, folded as fold() does), a formula of the
    row itself, so that a 様式2 finds its lines wherever a sort, a deleted or an added row put them."""
    from .xlsx_cells import fold

    col = COL[KEY_HEADER]
    ws.column_dimensions[get_column_letter(col)].hidden = True
    b, j, k = (f"${letter[n]}" for n in ("補助制度", "購入先・ベンダー", "領収書No"))
    for i, r in enumerate(range(DETAIL_FIRST, to_row + 1)):
        expr = (f'=IF(OR({b}{r}="",{b}{r}="合計"),"",'
                + sheet_key(f"{b}{r}", f"{j}{r}", f"{k}{r}") + ")")
        if i < len(listed):
            pid, _res, line = listed[i]
            cached = f"{rules.program(pid).short_name}|{fold(line.vendor)}|{fold(line.receipt)}"
        else:
            cached = ""
        formula(ws, r, col, expr, cached=cached)


def _line_checks(ws, letter: dict) -> None:
    """In the sheet itself: a ① above 金額 or a ② below 0 turns red, and ①/購入先 say what they are for."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    a, e, i = letter["金額"], letter["①補助対象金額"], letter["②補助対象外金額"]
    red = PatternFill("solid", fgColor="FFC7CE")
    first, last = DETAIL_FIRST, LIST_ROWS
    ws.conditional_formatting.add(f"{e}{first}:{e}{last}", FormulaRule(
        formula=[f'AND(ISNUMBER({e}{first}),ISNUMBER({a}{first}),{e}{first}>{a}{first})'], fill=red))
    ws.conditional_formatting.add(f"{i}{first}:{i}{last}", FormulaRule(
        formula=[f"AND(ISNUMBER({i}{first}),{i}{first}<0)"], fill=red))
    for column, title, prompt in (
            ("①補助対象金額", "①補助対象金額",
             "金額のうち補助の対象になる額です（ふつうは自動で入ります）。金額より大きくはできません。"
             "上限を超える分や対象外の分は②に回ります"),
            ("購入先・ベンダー", "購入先・ベンダー",
             "領収書の発行元を1行ずつ書いてください（セルの結合はしないでください）。同じ購入先の行が同じ様式2に載ります")):
        dv = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=title, prompt=prompt)
        dv.add(f"{letter[column]}{first}:{letter[column]}{last}")
        ws.add_data_validation(dv)


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


# ---------------------------------------------------------------------------------------------- writing

def suggest_other_name(path: Path) -> Path:
    for n in range(2, 100):
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        if not candidate.exists():
            return candidate
    return path.with_name(f"{path.stem}_{now():%Y%m%d%H%M%S}{path.suffix}")


# A formula cell as openpyxl writes it: `<v/>` or `<v />` (its own writer) or `<v></v>` (with lxml installed). A
# formula is XML-escaped, so it holds no "<": [^<]* cannot run past its cell (no backtracking across the sheet).
_FORMULA_CELL = r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>([^<]*)</f>(?:<v ?/>|<v></v>)</c>'


def fill_cached_values(xml: str, values: dict) -> str:
    """A sheet's XML with each formula's value ({cell: value}) written beside it."""
    import re
    from xml.sax.saxutils import escape

    def fill(m):
        value = values.get(m.group(1))
        if value is None:
            return m.group(0)
        if isinstance(value, str):
            return f'<c r="{m.group(1)}"{m.group(2)} t="str"><f>{m.group(3)}</f><v>{escape(value)}</v></c>'
        return f'<c r="{m.group(1)}"{m.group(2)}><f>{m.group(3)}</f><v>{value}</v></c>'

    return re.sub(_FORMULA_CELL, fill, xml)


def _with_cached_values(wb) -> bytes:
    """The saved file, with each formula's value written beside it (openpyxl writes formulas with an empty value)."""
    import io
    import zipfile

    buf = io.BytesIO()
    wb.save(buf)
    cached = wb.__dict__.get("_ohshi_cached") or {}
    if not cached:
        return buf.getvalue()
    parts = {f"xl/worksheets/sheet{i}.xml": cached.get(ws.title) for i, ws in enumerate(wb.worksheets, 1)}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            values = parts.get(item.filename)
            if values:
                data = fill_cached_values(data.decode("utf-8"), values).encode("utf-8")
            dst.writestr(item, data)
    return out.getvalue()


def write_workbook(wb: Workbook, path: str | os.PathLike) -> None:
    """Save atomically. Raises :class:`ExportError` (Japanese, with another name to try) when it cannot."""
    from .atomic import ReplaceError, TempFileError, atomic_write

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"「{path.name}」: Excel ファイルの名前は .xlsx で終わるようにしてください", path.with_suffix(".xlsx"))
    folder = path.parent if str(path.parent) else Path(".")
    _refuse_to_replace(path)
    try:
        atomic_write(path, lambda fh: fh.write(_with_cached_values(wb)), suffix=".xlsx.tmp")
    except TempFileError as exc:
        if exc.original.errno == errno.ENAMETOOLONG:
            raise ExportError(f"ファイルの名前が長すぎます（{len(path.name)}文字）。短い名前を選んでください",
                              path.with_name(_short_name(path))) from None
        if isinstance(exc.original, FileNotFoundError):
            raise ExportError(f"フォルダ「{folder}」がありません。別のフォルダを選んでください") from None
        raise ExportError(f"フォルダ「{folder}」に書き込めません（読み取り専用か、権限がありません）。別のフォルダを選んでください",
                          Path.home() / path.name) from None
    except ReplaceError as exc:
        if isinstance(exc.original, PermissionError):
            raise ExportError(f"「{path.name}」に書き込めません。Excel などで開いたままになっていませんか。閉じてからもう一度試すか、"
                              f"別の名前（例: {suggest_other_name(path).name}）で保存してください",
                              suggest_other_name(path)) from None
        from .atomic import write_problem

        raise ExportError(f"「{path.name}」を保存できません。{write_problem(exc.original)}",
                          suggest_other_name(path)) from None
    except OSError as exc:  # while writing: a full disk, a USB stick pulled out, a quota; the old file is untouched
        from .atomic import write_problem

        raise ExportError(f"「{path.name}」を保存できません。{write_problem(exc)}。元のファイルはそのままです",
                          suggest_other_name(path)) from None


def _refuse_to_replace(path: Path) -> None:
    """An existing workbook that is read-only, or that LibreOffice or Excel has open (its lock file beside it), is
    not replaced without a word (issue 23): the message says why and offers another name."""
    import stat

    try:
        st = path.stat()
    except OSError:
        return  # a new file
    other = suggest_other_name(path)
    if not st.st_mode & stat.S_IWUSR:
        raise ExportError(f"「{path.name}」は読み取り専用のファイルのため、上書きしません。"
                          f"別の名前（例: {other.name}）で保存してください", other)
    for lock, app in ((f".~lock.{path.name}#", "LibreOffice"), (f"~${path.name}", "Excel")):
        if (path.parent / lock).exists():
            raise ExportError(f"「{path.name}」は {app} で開かれています（{lock} があります）。閉じてからもう一度試すか、"
                              f"別の名前（例: {other.name}）で保存してください", other)


def _short_name(path: Path, limit: int = 80) -> str:
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return stem[:limit] + path.suffix


def export_case(case: Case, rules, path, as_of: _dt.date | None = None, banners=()) -> dict:
    from .engine import compute

    breakdown = compute(case, rules, as_of)
    for p in breakdown["programs"]:  # who prepares each document, for the checklist
        for d in p["documents"]:
            d["who"] = rules.documents[d["id"]]["who"]
    write_workbook(build_workbook(case, breakdown, rules, banners), path)
    return breakdown
