"""The 領収書内訳書（別紙様式2）sheets of the tracking workbook: one receipt (program × vendor × 領収書No) a sheet,
15 lines a page, its lines and totals formulas on 明細, the vendor block stored per receipt. Used by
``xlsx_write.py``; ``xlsx_read.py`` reads the vendor block back with FORM_BLOCK."""

from __future__ import annotations

import math

from ohshi_desk.core.case.model import Case, fold, receipt_key
from ohshi_desk.core.workbook.cells import (
    BOLD,
    BOX,
    CENTER,
    DATE_PLAIN,
    HEAD_FILL,
    INPUT_FILL,
    RIGHT,
    SMALL_BOLD,
    SMALL_FONT,
    TOP,
    TOTAL_FONT,
    WRAP,
    WRAP_ONLY,
    YEN,
    _merge,
    _print_setup,
    _text_width,
    detail_rows,
    formula,
    get_column_letter,
    protect,
    quoted,
    sheet_key,
    sheet_key_value,
    text,
)
from ohshi_desk.core.workbook.layout import (  # noqa: F401 - FORM_BLOCK, FORM_LINES: also named from here
    COL,
    FORM_BLOCK,
    FORM_LINES,
    FORM_LOOKUP_ROWS,
    FORM_TEXT_LIMIT,
    KEY_HEADER,
    TOTAL_ROW,
)

BLOCK_WIDTH = 86  # characters (half-width) of the merged B:E cell of the vendor block, a little under its width


NO_VENDOR = "購入先未記入"
TITLE_FONT = {"bold": True, "font_size": 16}
HINT_FONT = {"font_size": 9, "font_color": "#555555"}
WARN_FONT = {"font_size": 10, "bold": True, "font_color": "#C00000"}
_BAD_TITLE = str.maketrans({ch: "＿" for ch in "[]:*?/\\'"})


def receipts(case: Case, bd: dict, rules) -> list[tuple[str, str, str, list[tuple[dict, object]]]]:
    """One receipt per program × vendor (× 領収書No when a vendor issues more than one):
    (program id, vendor, receipt no, [(breakdown line, case line)]), in 明細's order."""
    groups: dict[tuple[str, str, str], list] = {}
    shown: dict[tuple[str, str, str], tuple[str, str]] = {}
    for pid, res, line in detail_rows(case, bd):
        key = (pid, fold(line.vendor), fold(line.receipt))  # Ａ社 and A社 are one receipt
        shown.setdefault(key, (line.vendor, line.receipt))
        groups.setdefault(key, []).append((res, line))
    return [(key[0], *shown[key], lines) for key, lines in groups.items()]


# 明細's columns as the 様式2 formulas name them (defined names: they follow the columns wherever a vendor inserts,
# deletes or moves one, as a reference does; short, as the formulas are: XlsxWriter prepares each formula it writes
# at ~8 µs + ~0.65 µs a character, and 1,000 lines make ~7,500 of them on the forms)
COLUMN_NAMES = {"項目": "m_i", "内訳（品名・型番）": "m_d", "数量": "m_q", "単価（税込）": "m_p",
                "金額": "m_a", "①補助対象金額": "m_f", "②補助対象外金額": "m_s",
                KEY_HEADER: "m_k"}


def column_names() -> dict[str, str]:
    """The defined names of the 明細 columns a 様式2 reads: {name: "='明細'!$G:$G"}."""
    out = {}
    for header, name in COLUMN_NAMES.items():
        letter = get_column_letter(COL[header])
        out[name] = f"='明細'!${letter}:${letter}"
    return out


def _form2(wb, case: Case, p: dict, rules, rows: dict, snapshot: dict, used: set) -> None:
    wb.names.update(column_names())
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
            ws = wb.add(title if n == 0 else f"{title}_続{n}")
            sheets.append(ws)
            snapshot["forms"][ws.title] = [p["id"], key, vendor]
            if n == 0:  # the first page's marker (its hidden F1): a renamed 様式2 is found by it, not by its title
                snapshot.setdefault("markers", {})[ws.title] = form_marker(short, vendor, no)
                wb.receipts.append((short, form_marker(short, vendor, no), sheet_key_value(short, vendor, no)))
            snapshot["facility_cells"] = facility_cells(case, rules)
            block = stored.get(key) if isinstance(stored.get(key), dict) else {}
            _form2_sheet(ws, case, p, vendor, no, block, chunk, rows, n, len(pages), rules,
                         (sheets[-2].title, rows[f"{p['id']}#{pages[n - 1][-1][1].index}"]) if n else None)
        subtotal_refs = [f"'{ws.title}'!$D$29+'{ws.title}'!$E$29" for ws in sheets]
        for ws in sheets:
            formula(ws, 7, 4, "=" + "+".join(subtotal_refs), number_format=YEN, font=TOTAL_FONT,
                    border=BOX, cached=sum(line.amount for _res, line in lines))


def form_marker(short: str, vendor: str, no: str) -> str:
    """The hidden F1 of a receipt's first 様式2 page: the receipt's key as a formula (what the page's lines look up)."""
    return "=" + sheet_key(quoted(short), quoted(vendor), quoted(no))


def facility_cells(case: Case, rules) -> dict[str, str]:
    """The cells of every 様式2 filled from the clinic's answers: {cell: (label, value)}."""
    fac = case.facility
    return {"B5": ["都道府県コード", rules.prefecture_code(fac.prefecture) or ""],
            "B6": ["点数表コード", rules.kinds[fac.kind].get("score_table_code", "")],
            "D4": ["保険医療機関等コード", fac.institution_code], "D5": ["保険医療機関等名称", fac.name]}


def line_text(res: dict, line) -> str:
    """内訳 of a line on 様式2: 品名, 数量 × 単価, and 金額 when it is not 数量 × 単価 (a discount, or more)."""
    shown = f"{line.description or res['item_label']}　{line.quantity}点 × {line.unit_price:,}円"
    full = line.quantity * line.unit_price
    if line.amount < full:
        shown += f"（値引き後 {line.amount:,}円）"
    elif line.amount > full:
        shown += f"（金額 {line.amount:,}円）"
    return shown


def _form2_sheet(ws, case: Case, p: dict, vendor: str, no: str, block: dict, chunk: list, rows: dict, page: int,
                 pages: int, rules, previous: tuple[str, int] | None = None) -> None:
    fac = case.facility
    short = rules.program(p["id"]).short_name
    lines_at = [rows[f"{p['id']}#{line.index}"] for _res, line in chunk]  # the rows as written (cached values)
    text(ws, 1, 5, "（別紙様式2）", alignment=RIGHT)
    text(ws, 2, 1, "領収書内訳書" + (f"（続紙 {page}）" if page else ""), font=TITLE_FONT, alignment=CENTER)
    _merge(ws, "A2:E2")
    text(ws, 3, 1, f"補助制度: {p['name']}　／　購入先: {vendor or NO_VENDOR}" + (f"　／　領収書No: {no}" if no else ""),
         font=SMALL_FONT)
    _merge(ws, "A3:E3")
    # the date as the case read it (any typed form; an impossible one never gets this far: issue 25 point 4)
    kept = (plan.receipts.get(receipt_key(vendor, no)) or {}) if (plan := case.plans.get(p["id"])) else {}
    header = [
        (4, "日付（西暦）", kept.get("date"), DATE_PLAIN),
        (*FORM_BLOCK["amount"], kept.get("amount"), YEN),  # the vendor's, as on the 領収書 (ohshi-desk extension)
        (5, "都道府県コード", rules.prefecture_code(fac.prefecture) or "", None),
        (6, "点数表コード", rules.kinds[fac.kind].get("score_table_code", ""), None),
    ]
    for r, label, value, fmt in header:  # 日付 is the vendor's; the codes come from the clinic's answers (locked)
        text(ws, r, 1, label, font=BOLD, border=BOX, fill=HEAD_FILL)
        if fmt:
            text(ws, r, 2, value, border=BOX, fill=INPUT_FILL, number_format=fmt)
        else:
            text(ws, r, 2, value, border=BOX)
    text(ws, 4, 3, "保険医療機関等コード", font=BOLD, border=BOX, fill=HEAD_FILL)
    text(ws, 4, 4, fac.institution_code, border=BOX)
    text(ws, 5, 3, "保険医療機関等名称", font=BOLD, border=BOX, fill=HEAD_FILL)
    text(ws, 5, 4, fac.name, border=BOX)
    _merge(ws, "D5:E5")
    text(ws, 7, 3, "総額（①＋②）", font=BOLD, border=BOX, fill=HEAD_FILL)
    for key in ("name", "address", "phone"):
        r, label = FORM_BLOCK[key]
        value = block.get(key) if isinstance(block.get(key), str) else ""
        if key == "name" and not value:
            value = vendor
        text(ws, r, 1, label, font=BOLD, border=BOX, fill=HEAD_FILL)
        text(ws, r, 2, value, border=BOX, fill=INPUT_FILL, alignment=WRAP)
        _merge(ws, start_row=r, start_column=2, end_row=r, end_column=5)
        lines = math.ceil(_text_width(value) / BLOCK_WIDTH) if value else 1
        if key == "address":  # room for 200 full-width characters even when empty (the vendor's own copy: a merged
            lines = max(lines, math.ceil(2 * FORM_TEXT_LIMIT / BLOCK_WIDTH))  # cell does not grow as they type)
        if lines > 1:  # a long 所在地 wraps in its row; the page is not shrunk (it runs on to a second page)
            ws.heights[r] = 15 * lines + 2
    text(ws, 12, 1, "（開発事業者等が記入してください。明細の行は「明細」シートに書いてください）",
         font=HINT_FONT)
    head = 13
    for j, h in enumerate(("No", "項目", "内訳", "①補助対象金額", "②補助対象外金額"), 1):
        text(ws, head, j, h, font=BOLD, fill=HEAD_FILL, border=BOX, alignment=CENTER)
    col = {name: get_column_letter(c) for name, c in COL.items()}
    keys = COLUMN_NAMES[KEY_HEADER]
    # F (hidden): the 明細 row of each line, found by the receipt's key below the line above it (a chain of MATCHes:
    # no fixed row, so a sort, a deleted or an added 明細 row moves the form's lines with it)
    formula(ws, 1, 6, form_marker(short, vendor, no),
            cached=sheet_key_value(short, vendor, no))
    if previous is None:
        text(ws, head, 6, 0)
    else:
        formula(ws, head, 6, f"='{previous[0]}'!$F${head + FORM_LINES}", cached=previous[1])
    ws.hidden_cols.update((6, 7, 8))
    firsts: list[int] = []
    seconds: list[int] = []
    for i in range(FORM_LINES):
        r = head + 1 + i
        text(ws, r, 1, page * FORM_LINES + i + 1, border=BOX, alignment={**CENTER, **TOP})
        ws.heights[r] = 24
        at = f"F{r}"  # (relative references: the form's cells are never sorted or copied; one character less each)

        def ref(name, at=at):
            return f"INDEX({COLUMN_NAMES[name]},{at})"

        def shown_if(expr, at=at):
            return f'=IF({at}="","",{expr})'
        found = i < len(chunk)
        res, line = chunk[i] if found else (None, None)
        formula(ws, r, 6, f'=IFERROR(MATCH($F$1,INDEX({keys},F{r - 1}+1):INDEX({keys},{FORM_LOOKUP_ROWS}),0)'
                          f'+F{r - 1},"")', cached=lines_at[i] if found else "")
        price, qty = ref("単価（税込）"), ref("数量")
        # G, H (hidden): the line's 金額 and 数量 × 単価; a line typed below the lines has no 金額 or ② formula of
        # its own: 数量 × 単価 and 金額 − ① stand in (the formulas name the form's own cells where they can)
        full = line.quantity * line.unit_price if found else ""
        formula(ws, r, 7, shown_if(f'IF(ISNUMBER({ref("金額")}),{ref("金額")},H{r})'),
                cached=line.amount if found else "")
        formula(ws, r, 8, shown_if(f"N({qty})*N({price})"), cached=full)
        formula(ws, r, 2, shown_if(ref("項目")), border=BOX, alignment=WRAP, cached=res["item_label"] if found else "")
        desc = ref("内訳（品名・型番）")
        formula(ws, r, 3, shown_if(f'IF({desc}="",B{r},{desc})&"　"&{qty}&"点 × "&TEXT({price},"#,##0")&"円"'
                                   f'&IF(G{r}=H{r},"",IF(G{r}<H{r},"（値引き後 ","（金額 ")&TEXT(G{r},"#,##0")&"円）")'),
                border=BOX, alignment=WRAP, cached=line_text(res, line) if found else "")
        first = (line.vendor_eligible if line.vendor_eligible is not None else res["eligible"]) if found else None
        formula(ws, r, 4, shown_if(f'N({ref("①補助対象金額")})'), border=BOX, number_format=YEN, alignment=TOP,
                cached=first if found else "")  # (at the top of the row, beside the line's first text line)
        second = ref("②補助対象外金額")
        formula(ws, r, 5, shown_if(f'IF(ISNUMBER({second}),{second},G{r}-D{r})'), border=BOX, number_format=YEN,
                alignment=TOP, cached=line.amount - first if found else "")
        if not found:
            continue
        firsts.append(first)
        seconds.append(line.amount - first)
        lines_needed = max(math.ceil(_text_width(res["item_label"]) / 19),
                           math.ceil(_text_width(line_text(res, line)) / 37), 1)
        ws.heights[r] = max(24, 13 * lines_needed + 4)
    sub = head + FORM_LINES + 1  # row 29
    text(ws, sub, 1, "小計", font=BOLD, border=BOX, fill=HEAD_FILL)
    _merge(ws, start_row=sub, start_column=1, end_row=sub, end_column=3)
    formula(ws, sub, 4, f"=SUM(D{head + 1}:D{sub - 1})", number_format=YEN, font=BOLD, border=BOX, cached=sum(firsts))
    formula(ws, sub, 5, f"=SUM(E{head + 1}:E{sub - 1})", number_format=YEN, font=BOLD, border=BOX,
            cached=sum(seconds))
    # 「記入上の注意」: the form's own rules from rules/documents.yaml (form_notes), then how this workbook works
    form = next(d for d in rules.documents.values() if d.get("workbook_sheet") == "receipt_breakdown_form")
    said = [f"・{n}" for n in form["form_notes"]["lines"]]
    said[min(1, len(said) - 1)] += "この用紙は領収書1枚（補助制度×購入先）ごとです。"
    notes = ["記入上の注意", *said,
             "・品名・数量・金額・①②は「明細」シートで直してください（この用紙に自動で反映されます）。"
             + (f"（全{pages}枚）" if pages > 1 else "")]
    # said on the form itself: lines of this receipt beyond the last page, and 明細 rows no form can find (a row
    # inserted between the lines has no key formula of its own; a 購入先 or 領収書No changed makes a receipt that has no
    # 様式2 until the next export)
    last_at = f"F{head + FORM_LINES}"
    unkeyed = f"'明細'!${col[KEY_HEADER]}${TOTAL_ROW}>0"  # counted once, on 明細 (xlsx_write.unformed_rows)
    overflow = (f'IF({last_at}="",FALSE,ISNUMBER(MATCH($F$1,INDEX({keys},{last_at}+1):'
                f'INDEX({keys},{FORM_LOOKUP_ROWS}),0)))') if page == pages - 1 else "FALSE"
    formula(ws, sub + 1, 1, f'=IF({overflow},"この領収書の行が用紙に入りきりません。ohshi-desk で開き直して書き出すと'
                            f'続紙が増えます",IF({unkeyed},"明細に、まだ様式2 に載らない行があります（途中に挿入した行、購入先・領収書No を'
                            f'変えた行など）。'
                            f'ohshi-desk で開き直して書き出すと載ります",""))',
            font=WARN_FONT, cached="")
    for i, n in enumerate(notes):
        text(ws, sub + 2 + i, 1, n, font=SMALL_BOLD if i == 0 else SMALL_FONT, alignment=WRAP_ONLY)
        _merge(ws, start_row=sub + 2 + i, start_column=1, end_row=sub + 2 + i, end_column=5)
    for col_n, width in enumerate((16, 20, 38, 16, 16), 1):
        ws.widths[col_n] = width
    ws.conditions.append((head + 1, 4, head + FORM_LINES, 5,  # a ② below 0 (① above 金額)
                          f"=AND(ISNUMBER($E{head + 1}),$E{head + 1}<0)", {"bg_color": "#FFC7CE"}))
    # one page wide; a long vendor block runs on to a second page rather than shrinking the whole form
    _print_setup(ws, landscape=False)
    protect(ws)


