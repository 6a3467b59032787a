"""Reading a tracking workbook back: each 様式2's vendor block (日付, 名称, 所在地, 電話番号, kept per receipt) and
必要書類's progress (進み具合, 受領日, 備考 per document). See ``xlsx_read.py`` for the whole."""

from __future__ import annotations

import functools

from ohshi_desk.core.base.guard import shown
from ohshi_desk.core.base.inputs import InputError, parse_date, parse_yen
from ohshi_desk.core.compute.breakdown import STATUS_LABELS
from ohshi_desk.core.workbook.layout import (
    CHECK_HEADERS,
    CHECK_READ,
    CHECKLIST,
    DATA_SHEET,
    FORM_BLOCK,
    FORM_HEAD,
    FORM_LINE_COLUMNS,
    FORM_LINES,
    FORM_PREFIX,
    FORM_TEXT_LIMIT,
    cell_digest,
    cell_ref,
)
from ohshi_desk.core.workbook.read_cells import (
    Notice,
    _date_text,
    _header_map,
    _is_formula,
    _norm,
    _num,
    _rows,
    rows_and_outside,
)

BLOCK_TEXTS = ("name", "address", "phone")  # merged B:E; unmerged, C–E are read as the text's continuation


SHEET_ROWS, SHEET_WIDTH = 300, 40  # how much of a sheet other than 明細 is read (a 様式2 page is 35 × 8)
SHEET_SCAN = 10_000  # how far below row 300 a sheet is looked at for cells typed outside what is read


def sheet_rows(wb, title: str, cache: dict) -> list[tuple]:
    """A sheet's rows, read once for the 様式2 reader and the cell comparison: rows 1–300, columns A–AN. The same
    pass counts what is typed outside them, down to row 300 + 10,000 (``_outside_notice``)."""
    if title not in cache:
        rows, count, first = rows_and_outside(wb[title], SHEET_ROWS, SHEET_WIDTH, SHEET_SCAN)
        cache[title] = rows
        cache[(title, "outside")] = (count, first)
    return cache[title]


def _outside_notice(wb, title: str, notices: list[Notice], cache: dict) -> None:
    """What is typed below row 300 or right of column AN of the sheet, named (it is not read)."""
    sheet_rows(wb, title, cache)
    count, first = cache[(title, "outside")]
    if count:
        r, c, v = first
        notices.append(Notice(title, r, None, f"ohshi-desk が読む範囲（{SHEET_ROWS}行目・AN列まで）の外に {count}個の"
                              f"セルの記入があります（最初は {cell_ref(r, c)}「{shown(v, 60)}」）",
                              "読みませんでした。残したいことは 明細 の 備考 に書いてください"))


def _apply_forms(data: dict, snapshot: dict, wb, notices: list[Notice], cache: dict | None = None
                 ) -> tuple[dict, dict]:
    """Reads each 様式2's vendor block into ``data``. Returns the forms ({title now: key}) and the renamed ones
    ({title now: title written})."""
    cache = {} if cache is None else cache
    forms = dict(snapshot.get("forms", {}))
    renamed = _renamed_forms(forms, snapshot, wb, notices, cache)
    for title in wb.sheetnames:
        if title.startswith("様式2") and title not in forms and snapshot.get("eligible"):  # (older books: no list)
            notices.append(Notice(title, None, None, "ohshi-desk が作っていない様式2 シートです",
                                  "読みませんでした（次の書き出しには入りません）"))
    for title, key in forms.items():
        if title not in wb.sheetnames or not (isinstance(key, list) and len(key) in (2, 3)):
            continue
        pid, receipt, vendor = (*key, key[1]) if len(key) == 2 else key
        plan = data.get("plans", {}).get(pid)
        if not isinstance(plan, dict):
            continue
        rows = sheet_rows(wb, title, cache)

        def cell(r, c, rows=rows):
            return rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else None

        fixed = snapshot.get("facility_cells") if isinstance(snapshot.get("facility_cells"), dict) else {}
        for ref, entry in fixed.items():
            if not (isinstance(entry, list) and len(entry) == 2 and len(ref) == 2):
                continue
            r, c = int(ref[1]), ord(ref[0]) - 64
            value = cell(r, c)
            if _norm(_num(value)) != _norm(entry[1]):
                notices.append(Notice(title, r, entry[0], f"「{value if value is not None else ''}」に変わっています"
                                      f"（書き出したときは「{entry[1]}」）",
                                      "読みませんでした。施設の情報は ohshi-desk の画面で直してください（次の書き出しで元に戻ります）"))
        block = {}
        for field_, (r, label) in FORM_BLOCK.items():
            value = cell(r, 2)
            freed = [str(_num(v)).strip() for c in (3, 4, 5) if (v := cell(r, c)) not in (None, "")] \
                if field_ in BLOCK_TEXTS else []
            if value in (None, "") and not freed:
                continue
            if field_ == "date":
                iso = _date_text(value)
                if iso is None:
                    try:
                        iso = parse_date(_num(value) if not isinstance(value, (int, float)) else str(value),
                                         label).isoformat()
                    except InputError as exc:
                        notices.append(Notice(title, r, label, exc.problem, "日付なしとして読みました"))
                        continue
                block["date"] = iso
            elif field_ == "amount":  # the receipt's amount: integer yen, read like any yen field (「85万」, ¥, 円)
                try:
                    block["amount"] = parse_yen(_num(value), label)
                except InputError as exc:
                    notices.append(Notice(title, r, label, exc.problem, "金額なしとして読みました"))
            else:
                value = str(_num(value)).strip() if value not in (None, "") else ""
                if freed:  # the block unmerged and its second half typed beside it: read as one text
                    value = "　".join(v for v in [value, *freed] if v)
                    notices.append(Notice(title, r, label, f"結合が解除され、{label}が C〜E 列にも書かれています",
                                          f"B〜E 列を続けて「{shown(value, 60)}」として読みました"))
                if len(value) > FORM_TEXT_LIMIT:
                    notices.append(Notice(title, r, label, f"{FORM_TEXT_LIMIT}文字を超えています（{len(value)}文字）",
                                          "全部読みました（長いと印刷で小さくなることがあります。短くできるか確かめてください）"))
                block[field_] = value
        if block.get("name") == vendor:
            block.pop("name")
        if block:
            receipts = plan.setdefault("receipts", {})
            if isinstance(receipts, dict):
                receipts.setdefault(receipt, {}).update(block)
        for r in range(14, 14 + FORM_LINES):
            for c, label in ((2, "項目"), (3, "内訳"), (4, "①補助対象金額"), (5, "②補助対象外金額")):
                value = cell(r, c)
                if value not in (None, "") and not _is_formula(value):
                    notices.append(Notice(title, r, label, f"様式2 に直接書かれた「{value}」は読めません",
                                          "読みませんでした。明細 シートに行を足してください（様式2 は明細から作られます）"))
    return forms, renamed


def carry_blocks(data: dict, estimate: dict, origins: dict, notices: list[Notice], sheet: str = "明細") -> None:
    """A receipt whose key changed on 明細 (C社 written out as 株式会社シー・システム in 購入先, or 領収書No 1 split into 1
    and 2): its 様式2 vendor block (日付, 名称, 所在地 …) goes with its lines to the receipt(s) they are on now, said.
    ``origins``: {(program, line index now): (program, line index in the estimate)}."""
    from ohshi_desk.core.case.model import fold, receipt_key

    def lines_of(d, pid):
        plan = (d.get("plans") or {}).get(pid)
        lines = plan.get("lines") if isinstance(plan, dict) else None
        return lines if isinstance(lines, list) else []

    def key_of(line):
        return receipt_key(str(line.get("vendor") or ""), str(line.get("receipt") or ""))

    moved: dict[tuple[str, str], dict[str, str]] = {}  # (program, old key) -> {folded new key: new key}
    for (pid, idx), (opid, oidx) in origins.items():
        now, before = lines_of(data, pid), lines_of(estimate, opid)
        if idx >= len(now) or oidx >= len(before) or not isinstance(before[oidx], dict):
            continue
        old, new = key_of(before[oidx]), key_of(now[idx])
        if fold(old) != fold(new) and pid == opid:
            moved.setdefault((pid, old), {}).setdefault(fold(new), new)
    for (pid, old), targets in moved.items():
        plan = data["plans"][pid]
        receipts = plan.get("receipts")
        if not isinstance(receipts, dict):
            continue
        block = next((b for k, b in receipts.items() if fold(k) == fold(old) and isinstance(b, dict) and b), None)
        still = {fold(key_of(ln)) for ln in lines_of(data, pid) if isinstance(ln, dict)}
        if block is None:
            continue  # nothing was written on the old form
        kept = fold(old) in still  # some lines stay on the old receipt: it keeps its block, the new one gets a copy

        def said(key):
            return key.replace("#", " No ")
        carried = False
        for folded, new in targets.items():
            if any(fold(k) == folded and b for k, b in receipts.items()):
                notices.append(Notice(sheet, None, "購入先・ベンダー", f"領収書「{said(old)}」の行が「{said(new)}」に移っています",
                                      f"「{said(new)}」の様式2 の記入を使いました（「{said(old)}」の様式2 の記入は残しています）"))
                continue
            receipts[new] = dict(block)
            carried = True
            what = "・".join(label for f, (_r, label) in FORM_BLOCK.items() if f in block)
            notices.append(Notice(sheet, None, "購入先・ベンダー",
                                  f"領収書「{said(old)}」の行の購入先・領収書No が「{said(new)}」に変わっています",
                                  f"「{said(old)}」の様式2 の記入（{what}）を「{said(new)}」の様式2 に"
                                  + ("も写しました（日付などが違えば直してください）" if kept else "移しました")))
        if carried and not kept:  # (the block now lives on the receipt(s) its lines are on)
            for k in [k for k in receipts if fold(k) == fold(old)]:
                receipts.pop(k)


def _renamed_forms(forms: dict, snapshot: dict, wb, notices: list[Notice], cache: dict) -> dict[str, str]:
    """A 様式2 whose sheet was renamed is found by its marker (the hidden F1 formula its first page was written
    with) and read under its new title, said once."""
    markers = snapshot.get("markers") if isinstance(snapshot.get("markers"), dict) else {}
    missing = {marker: title for title, marker in markers.items() if title in forms and title not in wb.sheetnames
               and isinstance(marker, str)}
    renamed: dict[str, str] = {}
    if not missing:
        return renamed
    for name in wb.sheetnames:
        if name in forms or name in ("概要", "明細", "必要書類"):
            continue
        rows = sheet_rows(wb, name, cache)
        marker = rows[0][5] if rows and len(rows[0]) > 5 else None
        old = missing.pop(marker, None) if isinstance(marker, str) else None
        if old is None:
            continue
        forms[name] = forms.pop(old)
        renamed[name] = old
        notices.append(Notice(name, None, None, f"様式2 シートの名前が「{old}」から「{name}」に変わっています",
                              f"「{old}」として読みました"))
    return renamed


def _apply_checklist(data: dict, wb, notices: list[Notice], title: str = CHECKLIST) -> None:
    if title not in wb.sheetnames:
        return
    rows = _rows(wb[title], limit=500, width=12)
    if not rows:
        return
    header = _header_map(rows[0])
    if "ID" not in header:
        return
    docs = data.setdefault("documents", {})
    if not isinstance(docs, dict):
        return
    for i, row in enumerate(rows[1:]):
        r = i + 2

        def get(name, row=row):
            j = header.get(name)
            return row[j] if j is not None and j < len(row) else None

        ident = get("ID")
        if not (isinstance(ident, str) and "#" in ident):
            if any(v not in (None, "") for v in row):
                notices.append(Notice(title, r, None, "ohshi-desk が書き出した書類の行ではありません（足された行）",
                                      "読みませんでした。書類の進み具合は ohshi-desk が書き出した行に書いてください"))
            continue
        pid, _, doc = ident.partition("#")
        entry = {}
        progress = get("進み具合")
        if progress not in (None, ""):
            entry["progress"] = str(progress).strip()[:40]
        received = get("受領日")
        if received not in (None, ""):
            iso = _date_text(received)
            if iso is None:
                try:
                    iso = parse_date(str(received), "受領日").isoformat()
                except InputError as exc:
                    notices.append(Notice(title, r, "受領日", exc.problem, "空として読みました"))
            if iso:
                entry["received_date"] = iso
        note = get("備考")
        if note not in (None, "") and str(note).strip() not in STATUS_LABELS.values():
            entry["note"] = str(note).strip()[:1000]
        if entry.get("progress") in ("未着手", "不要") and len(entry) == 1:
            entry = {}  # what the export writes by itself: nothing the clinic or vendor entered
        if entry:
            docs.setdefault(pid, {})[doc] = entry
        elif isinstance(docs.get(pid), dict):
            docs[pid].pop(doc, None)
    if not docs:
        data.pop("documents", None)


# ------------------------------------------------------------------------------- every other cell of the book

MAX_CELL_NOTICES = 20  # a sheet's differing cells named one by one; beyond these, counted


def renamed_sheets(wb, record: dict, taken: set, notices: list[Notice], cache: dict) -> dict[str, str]:
    """Sheets written by ohshi-desk (概要, 必要書類 …) found under another title by what they hold (most of the cells
    as written): {title now: title written}, said once each."""
    missing = [t for t in record if t not in wb.sheetnames and not t.startswith(FORM_PREFIX)]
    out: dict[str, str] = {}
    if not missing:
        return out
    for name in wb.sheetnames:
        if name in record or name in taken or name == DATA_SHEET:
            continue
        rows = sheet_rows(wb, name, cache)
        held = {cell_ref(r, c): cell_digest(v) for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1)
                if v is not None}
        for old in missing:
            cells = record[old]
            same = sum(held.get(k) == v for k, v in cells.items())
            if cells and same >= 0.6 * len(cells):
                out[name] = old
                missing.remove(old)
                notices.append(Notice(name, None, None, f"{old} シートの名前が「{name}」に変わっています",
                                      f"「{old}」として読みました"))
                break
    return out


def _read_cells(title: str, written: str, forms: dict, rows: list) -> set[tuple[int, int]]:
    """The cells of a sheet that its own reader reads (or names): not compared with the record again."""
    if title in forms:
        out = {(r, c) for f, (r, _label) in FORM_BLOCK.items() for c in ((2, 3, 4, 5) if f in BLOCK_TEXTS else (2,))}
        out |= {(r, c) for r in range(FORM_HEAD + 1, FORM_HEAD + 1 + FORM_LINES) for c, _l in FORM_LINE_COLUMNS}
        out |= {(4, 4), (5, 2), (6, 2), (5, 4)}  # the clinic's cells, compared with what was written (above)
        return out
    if written == CHECKLIST and rows:
        header = {v: j + 1 for j, v in enumerate(rows[0]) if isinstance(v, str)}
        ident = header.get(CHECK_HEADERS[-1])
        cols = {header[h] for h in CHECK_READ if h in header}
        out = set()
        for r, row in enumerate(rows[1:], 2):
            has_id = ident is not None and ident - 1 < len(row) and isinstance(row[ident - 1], str)
            out |= {(r, c) for c in (cols if has_id else range(1, len(row) + 1))}  # a row without an ID: said
        return out
    return set()


def _apply_cells(wb, record: dict, renamed: dict, forms: dict, skip: set, notices: list[Notice],
                 cache: dict | None = None) -> None:
    """Every cell of every sheet ohshi-desk wrote (明細 apart, read column by column) compared with the hidden
    sheet's record of it: a cell typed into after unprotecting, one freed by unmerging, or one cleared, is named
    with its sheet, cell and value. A sheet ohshi-desk did not write is named if anything is written on it."""
    cache = {} if cache is None else cache
    for title in wb.sheetnames:
        if title in skip or title == DATA_SHEET:
            continue
        written = renamed.get(title, title)
        cells = record.get(written)
        rows = sheet_rows(wb, title, cache)
        _outside_notice(wb, title, notices, cache)
        if cells is None:
            if title.startswith(FORM_PREFIX) or title in forms:
                continue  # (said by the 様式2 reader)
            filled = [(r, c, v) for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v not in (None, "")]
            if filled:
                r, c, v = filled[0]
                notices.append(Notice(title, None, None, f"ohshi-desk が作っていないシートです（{len(filled)}個のセルに記入あり、"
                                      f"最初は {cell_ref(r, c)}「{shown(v)}」）", "読みませんでした（次の書き出しには入りません）"))
            continue
        read = _read_cells(title, written, forms, rows)
        expected = {_ref_tuple(ref): digest for ref, digest in cells.items()}
        found = []
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row, 1):
                if v is None or v == "":
                    continue
                digest = cell_digest(v)
                if digest != expected.pop((r, c), "") and (r, c) not in read:
                    found.append((r, c, v))
        found += [(r, c, None) for (r, c), digest in expected.items() if digest and (r, c) not in read
                  and r <= SHEET_ROWS and c <= SHEET_WIDTH]  # written, and now empty
        found.sort(key=lambda f: (f[0], f[1]))
        for r, c, v in found[:MAX_CELL_NOTICES]:
            ref = cell_ref(r, c)
            if v is None:
                problem = f"{ref} が空になっています（ohshi-desk が書いたところです）"
            elif hasattr(v, "isoformat"):
                problem = f"{ref} に「{v.isoformat()[:10]}」と書かれています（ohshi-desk が書いたところです）"
            else:
                problem = f"{ref} に「{shown(v, 60)}」と書かれています（ohshi-desk が書いたところです）"
            notices.append(Notice(title, r, None, problem,
                                  "読みませんでした（次の書き出しで元に戻ります）。残したいことは 明細 の 備考 に書いてください"))
        if len(found) > MAX_CELL_NOTICES:
            notices.append(Notice(title, None, None, f"ほかに {len(found) - MAX_CELL_NOTICES}個のセルが書き出したときと違います",
                                  "読みませんでした（次の書き出しで元に戻ります）"))


@functools.lru_cache(maxsize=4096)  # (the same cells on every 様式2 page)
def _ref_tuple(ref: str) -> tuple[int, int]:
    """"C10" → (10, 3)."""
    i = next((k for k, ch in enumerate(ref) if ch.isdigit()), len(ref))
    col = 0
    for ch in ref[:i]:
        col = col * 26 + ord(ch) - 64
    return int(ref[i:] or 0), col
