"""Reading a tracking workbook back: each 様式2's vendor block (日付, 名称, 所在地, 電話番号, kept per receipt) and
必要書類's progress (進み具合, 受領日, 備考 per document). See ``xlsx_read.py`` for the whole."""

from __future__ import annotations

from .breakdown import STATUS_LABELS
from .inputs import InputError, parse_date, parse_yen
from .xlsx_layout import FORM_BLOCK, FORM_LINES, FORM_TEXT_LIMIT
from .xlsx_read_cells import Notice, _date_text, _header_map, _is_formula, _norm, _num, _rows


def _apply_forms(data: dict, snapshot: dict, wb, notices: list[Notice]) -> None:
    forms = dict(snapshot.get("forms", {}))
    _renamed_forms(forms, snapshot, wb, notices)
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
        rows = _rows(wb[title], limit=13 + FORM_LINES + 1, width=5)

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
            if value in (None, ""):
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
                value = str(_num(value)).strip()
                if len(value) > FORM_TEXT_LIMIT:
                    notices.append(Notice(title, r, label, f"{FORM_TEXT_LIMIT}文字を超えています（{len(value)}文字）",
                                          f"最初の{FORM_TEXT_LIMIT}文字だけ読みました"))
                block[field_] = value[:FORM_TEXT_LIMIT]
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


def _renamed_forms(forms: dict, snapshot: dict, wb, notices: list[Notice]) -> None:
    """A 様式2 whose sheet was renamed is found by its marker (the hidden F1 formula its first page was written
    with) and read under its new title, said once."""
    markers = snapshot.get("markers") if isinstance(snapshot.get("markers"), dict) else {}
    missing = {marker: title for title, marker in markers.items() if title in forms and title not in wb.sheetnames
               and isinstance(marker, str)}
    if not missing:
        return
    for name in wb.sheetnames:
        if name in forms or name in ("概要", "明細", "必要書類"):
            continue
        rows = _rows(wb[name], limit=1, width=6)
        marker = rows[0][5] if rows and len(rows[0]) > 5 else None
        old = missing.pop(marker, None) if isinstance(marker, str) else None
        if old is None:
            continue
        forms[name] = forms.pop(old)
        notices.append(Notice(name, None, None, f"様式2 シートの名前が「{old}」から「{name}」に変わっています",
                              f"「{old}」として読みました"))


def _apply_checklist(data: dict, wb, notices: list[Notice]) -> None:
    if "必要書類" not in wb.sheetnames:
        return
    rows = _rows(wb["必要書類"], limit=500, width=12)
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
                notices.append(Notice("必要書類", r, None, "ohshi-desk が書き出した書類の行ではありません（足された行）",
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
                    notices.append(Notice("必要書類", r, "受領日", exc.problem, "空として読みました"))
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
