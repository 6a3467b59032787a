"""The tracking workbook the clinic sends to its vendors (written with XlsxWriter through ``xlsx_book.py``).

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

from ohshi_desk.core.base.clock import now, today
from ohshi_desk.core.base.formatting import wareki
from ohshi_desk.core.case.model import LINE_STATUSES, TRACKING_DATES, Case
from ohshi_desk.core.compute.breakdown import NO_SUBSIDY, confidence_label, documents_text, status_text, window_date
from ohshi_desk.core.workbook.book import Book
from ohshi_desk.core.workbook.cells import (
    BOLD,
    BOX,
    CLINIC_FILL,
    DATE_SHORT,
    DATE_WAREKI,
    HEAD_FILL,
    INPUT_FILL,
    LEFT,
    RIGHT,
    SMALL_FONT,
    TOTAL_FONT,
    UNLOCKED,
    WRAP,
    YEN,
    _print_setup,
    detail_rows,
    fit_rows,
    formula,
    get_column_letter,
    protect,
    sheet_key,
    sheet_key_value,
    text,
)
from ohshi_desk.core.workbook.form2 import _form2
from ohshi_desk.core.workbook.layout import (
    CHECK_HEADERS,
    CHUNK,
    CLINIC_COLUMNS,
    COL,
    DATA_SHEET,
    DETAIL_COLUMNS,
    DETAIL_FIRST,
    FORM_LOOKUP_ROWS,
    HEAD_ROW,
    KEY_HEADER,
    LIST_ROWS,
    SPARE_ROWS,
    TOTAL_ROW,
    WITHHELD,
    WORKBOOK_FORMAT,
    cell_digest,
    cell_ref,
    pack_record,
    payload_hash,
)

CHECK_STATUSES = ("未着手", "依頼済", "受領済", "提出済", "不要")


class ExportError(Exception):
    """The workbook could not be written. ``str()`` is a Japanese message; ``suggestion`` another file name."""

    def __init__(self, message: str, suggestion: Path | None = None):
        super().__init__(message)
        self.suggestion = suggestion


def build_workbook(case: Case, breakdown: dict, rules, banners=()) -> Book:
    """``banners``: lines said in a coloured row at the top of 概要 (a day that is not today is always said)."""
    wb = Book()
    summary = wb.add("概要")
    _summary(wb, summary, case, breakdown, rules, banners)
    snapshot: dict = {"eligible": {}, "forms": {}, "lines": {}}
    rows = _details(wb, case, breakdown, rules, snapshot)
    used: set[str] = set()
    for p in breakdown["programs"]:
        if p["status"] not in NO_SUBSIDY and any(
                rules.documents[d["id"]].get("workbook_sheet") == "receipt_breakdown_form" for d in p["documents"]):
            _form2(wb, case, p, rules, rows, snapshot, used)
    _checklist(wb, case, breakdown)
    _data_sheet(wb, case, snapshot, before=True)
    unformed_rows(wb)
    snapshot["cells"] = _cell_record(wb)
    _data_sheet(wb, case, snapshot)
    return wb


def unformed_rows(wb: Book) -> None:
    """明細's hidden key column, in the totals row: how many lines of a program that has 様式2 sheets are on none of
    them (a row inserted between the lines, with no key; a 購入先 or 領収書No changed to a receipt with no form yet).
    Every 様式2 says so while it is above 0. The forms' keys and programs are in the hidden sheet (D and E)."""
    if not wb.receipts:
        return
    ws = wb["明細"]
    b, x = (get_column_letter(COL[n]) for n in ("補助制度", KEY_HEADER))
    prog, key = (f"${c}${DETAIL_FIRST}:${c}${FORM_LOOKUP_ROWS}" for c in (b, x))
    formula(ws, TOTAL_ROW, COL[KEY_HEADER], f"=SUMPRODUCT(ISNUMBER(MATCH({prog},m_form_programs,0))*"
                                            f"(({key}=\"\")+ISNA(MATCH({key},m_forms,0))>0))", cached=0)


def _cell_record(wb: Book) -> dict:
    """What every sheet but 明細 (read column by column) holds, cell by cell, for the reader to compare: a cell typed
    into after unprotecting, or freed by unmerging, is then read or named (xlsx_layout.pack_record)."""
    out = {}
    for ws in wb.sheets:
        if ws.title in ("明細", DATA_SHEET):
            continue
        cells = {}
        for (r, c), (kind, value, _style, _cached) in ws.cells.items():
            digest = "=" if kind == "f" else cell_digest(value)
            if digest:
                cells[cell_ref(r, c)] = digest
        out[ws.title] = cells
    return pack_record(out)


# ------------------------------------------------------------------------------------------------- 概要

BANNER_FILL = {"pattern": 1, "bg_color": "#FFE0B2"}
BANNER_FONT = {"bold": True, "font_size": 12, "font_color": "#BF360C"}
CLOSED_FILL = {"pattern": 1, "bg_color": "#EEEEEE"}


def _summary(wb, ws, case: Case, bd: dict, rules, banners=()) -> None:
    from ohshi_desk.core.compute.presenting import closed_mark, other_day_banner

    fac = case.facility
    text(ws, 1, 1, "オンライン資格確認 補助金の見積りと進み具合", font={"bold": True, "font_size": 14})
    said = [b for b in dict.fromkeys([other_day_banner(_dt.date.fromisoformat(bd["as_of"])), *banners]) if b]
    if said:  # row 2, over the whole width: a day that is not today, an estimate made on another day
        text(ws, 2, 1, "⚠ " + "　".join(said), font=BANNER_FONT, fill=BANNER_FILL, alignment=WRAP)
        ws.merge(2, 1, 2, 11)
        ws.heights[2] = 36 if len(said) > 1 or len(said[0]) > 60 else 20
    rows = [
        ("施設名", fac.name), ("施設の種類", rules.kinds[fac.kind]["label"]),
        ("保険医療機関等コード", fac.institution_code), ("所在地", f"{fac.prefecture}{fac.municipality}"),
        ("計算の基準日", _dt.date.fromisoformat(bd["as_of"])),
        ("ルール版", f"{bd['rules_version']}（{wareki(rules.last_checked)}確認）"),
        ("作成", f"{wareki(today())}（ohshi-desk）"),
    ]
    from ohshi_desk.core.rules.source import source_note

    if source_note(bd):  # figures from an override: said where the rules version is
        rows.insert(rows.index(next(r for r in rows if r[0] == "ルール版")) + 1, ("ルールの出所", source_note(bd)))
    for i, (k, v) in enumerate(rows, start=3):
        text(ws, i, 1, k, font=BOLD)
        text(ws, i, 2, v, alignment=LEFT, number_format=DATE_WAREKI if isinstance(v, _dt.date) else None)
        ws.merge(i, 2, i, 5)
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
            number = (YEN if not closed else f'#,##0"円{closed_mark(p)}"') if j in (4, 6, 7) else \
                DATE_WAREKI if j == 8 else None
            text(ws, r, j, v, border=BOX, alignment=WRAP, number_format=number,
                 **({"fill": CLOSED_FILL} if closed else {}))
    last = first + len(bd["programs"]) - 1
    total_row = last + 2
    est = f"$G${first}:$G${max(last, first)}"
    status = f"$B${first}:$B${max(last, first)}"
    # the headline is what can still be applied for; programs whose window closed are reference lines apart
    # (their figure was paid or never will be)
    text(ws, total_row, 1, "いま申請できる見積額の合計", font=TOTAL_FONT, alignment=RIGHT)
    ws.merge(total_row, 1, total_row, 6)
    formula(ws, total_row, 7, f'=SUMIF({status},"受付中",{est})' if bd["programs"] else "=0",
            cached=bd["total_subsidy_open"],
            number_format=YEN, font=TOTAL_FONT, border=BOX)
    text(ws, total_row + 1, 1, "（参考）受付が終わった制度も含めた合計", font=SMALL_FONT, alignment=RIGHT)
    ws.merge(total_row + 1, 1, total_row + 1, 6)
    formula(ws, total_row + 1, 7, f"=SUM({est})" if bd["programs"] else "=0", number_format=YEN, border=BOX,
            cached=bd["total_subsidy"])
    closed_labels = sorted({p["status_label"] for p in bd["programs"] if p["status"] == "closed"})
    text(ws, total_row + 2, 1, "うち終了した制度（参考計算）", font=SMALL_FONT, alignment=RIGHT)
    ws.merge(total_row + 2, 1, total_row + 2, 6)
    formula(ws, total_row + 2, 7, "=" + "+".join(f'SUMIF({status},"{lab}",{est})' for lab in closed_labels)
            if closed_labels and bd["programs"] else "=0", number_format=YEN, border=BOX,
            cached=sum(p["subsidy"] for p in bd["programs"] if p["status"] == "closed"))
    wb.names["SubsidyTotalOpen"] = f"='概要'!$G${total_row}"
    wb.names["SubsidyTotal"] = f"='概要'!$G${total_row + 1}"
    wb.names["SubsidyTotalClosed"] = f"='概要'!$G${total_row + 2}"

    r = total_row + 4
    text(ws, r, 1, "ご注意", font=BOLD)
    caveats = [rules.disclaimer,  # the one disclaimer (rules/meta.yaml)
               "下の各行の［ ］は、その値の根拠の種類です。",
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
    for col, width in enumerate((30, 10, 30, wide, 8, wide, wide, 16, 26, 30, 14), 1):
        ws.widths[col] = width
    fit_rows(ws, first, last)
    ws.freeze = (first, 2)
    _print_setup(ws, landscape=True, title_rows=(head, head))
    protect(ws)


# ------------------------------------------------------------------------------------------------- 明細

PROMPTS = {  # (title ≤ 32 characters, message ≤ 255): shown when a cell of the column is selected
    "補助制度": "一覧から選んでください。行の補助制度です",
    "項目": "一覧から選んでください。品目が一覧にないときは近いものを選び、内訳に書いてください",
    "内訳（品名・型番）": "品名と型番を書いてください（様式2 の内訳になります）",
    "数量": "数量を数字で書いてください。買わなくなった行は 0 にします",
    "単価（税込）": "税込の単価を円で書いてください（数字だけ）",
    "金額": "数量×単価 が自動で入ります。値引きがあるときだけ、値引き後の金額を書いてください",
    "①補助対象金額": "金額のうち補助の対象になる額です（ふつうは自動で入ります）。金額より大きくはできません。"
                "上限を超える分や対象外の分は②に回ります",
    "購入先・ベンダー": "領収書の発行元を1行ずつ書いてください（セルの結合はしないでください）。同じ購入先の行が同じ様式2に載ります",
    "領収書No": "1つの購入先が領収書を分けるときだけ、1・2 のように書いてください",
    "見積日": "見積書の日付（例: 2025/10/1）", "発注日": "発注した日（例: 2025/10/1）", "納品日": "納品した日（例: 2025/10/1）",
    "状況": "一覧から選んでください",
    "備考": "自由に書いてください",
}
CLINIC_PROMPT = "医療機関が記入する欄です（例: 2025/10/1）"
TABLE = "明細表"


def _details(wb, case: Case, bd: dict, rules, snapshot: dict) -> dict:
    ws = wb.add("明細")
    letter = {name: get_column_letter(c) for name, c in COL.items()}
    for j, column in enumerate(DETAIL_COLUMNS, 1):
        h, width = column.header, column.width
        text(ws, HEAD_ROW, j, h, font=BOLD, fill=CLINIC_FILL if h in CLINIC_COLUMNS else HEAD_FILL, border=BOX,
             alignment=WRAP, protection={"locked": True})
        ws.widths[j] = width
    ws.hidden_cols.add(COL["ID"])
    lists = {"状況": list(LINE_STATUSES),
             "補助制度": [rules.program(pid).short_name for pid in rules.program_ids if rules.program(pid).purchases],
             "項目": [v["label"] for v in rules.items.values()]}
    for j, column in enumerate(DETAIL_COLUMNS, 1):  # an input message on every column the vendor or clinic fills
        h = column.header
        prompt = CLINIC_PROMPT if h in CLINIC_COLUMNS else PROMPTS.get(h) or (
            f"{h}を書いてください" if column.kind in ("text", "date") else None)
        if prompt is None:
            continue
        dv = {"validate": "any value", "input_title": h[:32], "input_message": prompt[:255]}
        labels = lists.get(h)
        if labels and len(",".join(labels)) <= 250 and not any("," in x or '"' in x for x in labels):  # Excel's limit
            dv = {**dv, "validate": "list", "source": labels, "error_title": h, "error_message": "一覧から選んでください"}
        ws.validations.append((DETAIL_FIRST, j, LIST_ROWS, j, dv))  # rows added at the end too
    q, u, a, e = letter["数量"], letter["単価（税込）"], letter["金額"], letter["①補助対象金額"]
    text(ws, TOTAL_ROW, COL["補助制度"], "合計", font=BOLD, border=BOX)
    listed = detail_rows(case, bd)
    status_of = {p["id"]: p["status"] for p in bd["programs"]}
    from ohshi_desk.core.compute.presenting import CLOSED_MARK
    firsts = [ln.vendor_eligible if ln.vendor_eligible is not None else res["eligible"] for _p, res, ln in listed]
    amounts = [ln.amount for _p, _r, ln in listed]
    for name, total in (("金額", sum(amounts)), ("①補助対象金額", sum(firsts)),
                        ("②補助対象外金額", sum(amounts) - sum(firsts))):
        c = letter[name]
        formula(ws, TOTAL_ROW, COL[name], f"=SUM({c}{DETAIL_FIRST}:{c}1048576)", font=BOLD, number_format=YEN,
                border=BOX, cached=total)
    rows: dict[str, int] = {}
    said: set[str] = set()  # the reasons written (a text typed over one is named on reading)
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
        raw_line = _raw_line(case, pid, line.index)
        for c in DETAIL_COLUMNS:  # the columns read and written as they stand (texts, dates): one declaration each
            if c.kind == "text":
                value = _line_value(line, raw_line, c.field)
                if c.field == "status":
                    value = value or "検討中"
                text(ws, r, COL[c.header], value, border=BOX, fill=INPUT_FILL,
                     alignment=WRAP if c.limit >= 200 else None)
            elif c.kind == "date":
                text(ws, r, COL[c.header], _line_value(line, raw_line, c.field), border=BOX,
                     fill=CLINIC_FILL if c.who == "institution" else INPUT_FILL, number_format=DATE_SHORT)
        reasons = " / ".join(res["reasons"]) or "補助対象"
        if status_of.get(pid) == "closed":  # the line's ① is a cost, never an amount on offer: said on the line
            reasons = f"{CLOSED_MARK}受付が終わった制度の参考計算です / {reasons}"
        text(ws, r, COL["見積りの理由（ohshi-desk）"], reasons, border=BOX,
             alignment=WRAP)
        said.add(reasons)
        snapshot["lines"][ident] = [rules.program(pid).short_name, rules.items[line.item]["label"], line.description,
                                    line.quantity, line.unit_price, line.vendor, line.receipt]
        r += 1
    snapshot["reasons"] = sorted(said)
    last = max(r - 1, DETAIL_FIRST)
    spare_to = last + SPARE_ROWS
    for r2 in range(r, spare_to + 1):  # rows for lines the vendor adds: 金額 and ② follow them
        formula(ws, r2, COL["金額"], f'=IF(AND({q}{r2}="",{u}{r2}=""),"",N({q}{r2})*N({u}{r2}))', border=BOX,
                number_format=YEN, protection=UNLOCKED, cached="")
        formula(ws, r2, COL["②補助対象外金額"], f'=IF({a}{r2}="","",N({a}{r2})-N({e}{r2}))', border=BOX,
                number_format=YEN, protection=UNLOCKED, cached="")
    _receipt_keys(ws, letter, listed, rules, spare_to)
    # LibreOffice saves a drop-down only to 1,000 rows below the last cell that holds something: an empty formula
    # at LIST_ROWS keeps them (and the red flags) reaching that far after every save (in a visible column: one in
    # a hidden column is dropped); ohshi-desk's own reasons column, which the reader does not read
    formula(ws, LIST_ROWS, COL["見積りの理由（ohshi-desk）"], '=""', cached="", protection=UNLOCKED)
    _line_checks(ws, letter)
    fit_rows(ws, 1, last)
    ws.freeze = (DETAIL_FIRST, 4)
    # 明細 is an Excel Table from its headers to the spare rows (its filter buttons sort only the lines, never the
    # totals above them); a row typed below it in Excel joins it and gets its formulas
    def at(name):
        return f"{TABLE}[@[{name}]]"
    column_formulas = {
        "金額": f"=N({at('数量')})*N({at('単価（税込）')})",
        "②補助対象外金額": f"=N({at('金額')})-N({at('①補助対象金額')})",
    }  # (the key column's own formula is on every row to the spare rows' end: XlsxWriter writes a column formula
    # into each row of the table, which for the key's long formula would double the export's time)
    ws.table = (HEAD_ROW, 1, spare_to, len(DETAIL_COLUMNS), {
        "name": TABLE, "style": None, "autofilter": True,
        "columns": [{"header": h, **({"formula": column_formulas[h]} if h in column_formulas else {})}
                    for h in (c.header for c in DETAIL_COLUMNS)]})
    # Printed in three parts, each at a readable size (80 % of 11 pt): the lines (to 購入先), the tracking dates,
    # then 状況, 備考 and the reasons; 補助制度/項目/内訳 repeat on every part.
    ws.page.update(landscape=True, scale=80, title_rows=(HEAD_ROW, HEAD_ROW),
                   title_cols=(COL["補助制度"], COL["内訳（品名・型番）"]),
                   col_breaks=[COL["領収書No"], COL[list(TRACKING_DATES.values())[-1]]],
                   # the lines, not the spare rows' empty formulas (a line added there prints after the next export)
                   area=(1, 1, last, len(DETAIL_COLUMNS)))
    # below the lines every column is open: rows are added, or copied whole, at the end; and ten columns right of
    # them, for notes beside the table (the reader names whatever is written there)
    ws.unlocked_cols += [(1, len(COL)), (len(COL) + 1, len(COL) + 10)]
    ws.open_rows = (last + 1, LIST_ROWS)  # and whole rows below them (a row copied whole is pasted there)
    protect(ws)
    return rows


def _raw_line(case: Case, pid: str, index: int) -> dict:
    lines = ((case.raw.get("plans") or {}).get(pid) or {}).get("lines") or []
    return lines[index] if index < len(lines) and isinstance(lines[index], dict) else {}


def _line_value(line, raw_line: dict, key: str):
    """A line's value under a declared 明細 column: the checked line's (its texts and dates), else the case's own."""
    if key in TRACKING_DATES:
        return line.tracking.get(key)
    if key in ("description", "vendor", "receipt", "status", "note"):
        return getattr(line, key)
    value = raw_line.get(key)
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


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

    col = COL[KEY_HEADER]
    ws.hidden_cols.add(col)
    b, j, k = (letter[n] for n in ("補助制度", "購入先・ベンダー", "領収書No"))
    for i, r in enumerate(range(DETAIL_FIRST, to_row + 1)):  # (short: XlsxWriter prepares a formula at ~0.65 µs a
        # character; the totals are above the headers, never in these rows)
        expr = f'=IF({b}{r}="","",' + sheet_key(f"{b}{r}", f"{j}{r}", f"{k}{r}") + ")"
        if i < len(listed):
            pid, _res, line = listed[i]
            cached = sheet_key_value(rules.program(pid).short_name, line.vendor, line.receipt)
        else:
            cached = ""
        # a spare row's cells stay open: a line copied or pasted whole into it is not refused by the protection
        formula(ws, r, col, expr, cached=cached, **({} if i < len(listed) else {"protection": UNLOCKED}))


def _line_checks(ws, letter: dict) -> None:
    """In the sheet itself: a ① above 金額 or a ② below 0 turns red (the input messages say what ① is for)."""
    a, e, i = letter["金額"], letter["①補助対象金額"], letter["②補助対象外金額"]
    red = {"bg_color": "#FFC7CE"}
    first, last = DETAIL_FIRST, LIST_ROWS
    ws.conditions.append((first, COL["①補助対象金額"], last, COL["①補助対象金額"],
                          f"=AND(ISNUMBER({e}{first}),ISNUMBER({a}{first}),{e}{first}>{a}{first})", red))
    ws.conditions.append((first, COL["②補助対象外金額"], last, COL["②補助対象外金額"],
                          f"=AND(ISNUMBER({i}{first}),{i}{first}<0)", red))


# ------------------------------------------------------------------------------------------------ 必要書類



def _checklist(wb, case: Case, bd: dict) -> None:
    ws = wb.add("必要書類")
    for j, h in enumerate(CHECK_HEADERS, 1):
        text(ws, 1, j, h, font=BOLD, fill=HEAD_FILL, border=BOX)
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
    if r > 2:
        ws.validations.append((2, 5, r - 1, 5, {"validate": "list", "source": list(CHECK_STATUSES),
                                                "input_title": "進み具合", "input_message": "一覧から選んでください"}))
        ws.validations.append((2, 6, r - 1, 6, {"validate": "any value", "input_title": "受領日",
                                                "input_message": "書類を受け取った日（例: 2025/10/1）"}))
    for col, width in enumerate((34, 26, 30, 14, 10, 14, 24, 4), 1):
        ws.widths[col] = width
    ws.hidden_cols.add(8)
    fit_rows(ws, 1, r - 1)
    ws.freeze = (2, 1)
    _print_setup(ws, landscape=True, title_rows=(1, 1))
    protect(ws)


# ------------------------------------------------------------------------------------------- the case

def _data_sheet(wb, case: Case, snapshot: dict, before: bool = False) -> None:
    if before:  # D and E: each 様式2's key (its marker's formula) and the programs that have one, for 明細's count
        ws = wb.add(DATA_SHEET)
        ws.very_hidden = True
        for i, (_short, marker, value) in enumerate(wb.receipts, 1):
            formula(ws, i, 4, marker, cached=value)
        programs = list(dict.fromkeys(short for short, _m, _v in wb.receipts))
        for i, short in enumerate(programs, 1):
            text(ws, i, 5, short)
        if wb.receipts:
            wb.names["m_forms"] = f"='{DATA_SHEET}'!$D$1:$D${len(wb.receipts)}"
            wb.names["m_form_programs"] = f"='{DATA_SHEET}'!$E$1:$E${len(programs)}"
        return
    ws = wb[DATA_SHEET]
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


def write_workbook(wb: Book, path: str | os.PathLike) -> None:
    """Save atomically. Raises :class:`ExportError` (Japanese, with another name to try) when it cannot."""
    from ohshi_desk.core.base.atomic import ReplaceError, TempFileError, atomic_write

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ExportError(f"「{path.name}」: Excel ファイルの名前は .xlsx で終わるようにしてください", path.with_suffix(".xlsx"))
    folder = path.parent if str(path.parent) else Path(".")
    _refuse_to_replace(path)
    data = wb.to_bytes()
    try:
        atomic_write(path, lambda fh: fh.write(data), suffix=".xlsx.tmp")
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
        from ohshi_desk.core.base.atomic import write_problem

        raise ExportError(f"「{path.name}」を保存できません。{write_problem(exc.original)}",
                          suggest_other_name(path)) from None
    except OSError as exc:  # while writing: a full disk, a USB stick pulled out, a quota; the old file is untouched
        from ohshi_desk.core.base.atomic import write_problem

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
    from ohshi_desk.core.compute.engine import compute

    breakdown = compute(case, rules, as_of)
    for p in breakdown["programs"]:  # who prepares each document, for the checklist
        for d in p["documents"]:
            d["who"] = rules.documents[d["id"]]["who"]
    write_workbook(build_workbook(case, breakdown, rules, banners), path)
    return breakdown
