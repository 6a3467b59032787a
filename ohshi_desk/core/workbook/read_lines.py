"""Reading a tracking workbook back: 明細, every line (columns found by their header text; ids, copied rows, 金額
overrides, the vendor's ① split, tracking columns). See ``xlsx_read.py`` for the whole."""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import re

from ohshi_desk.core.base.guard import shown
from ohshi_desk.core.base.inputs import InputError, parse_count, parse_date, parse_yen
from ohshi_desk.core.case.model import LINE_STATUSES, WorkbookError, fold
from ohshi_desk.core.workbook.layout import (
    DATE_COLUMNS,
    DETAIL_COLUMNS,
    MAX_ROWS,
    REASON_HEADER,
    REQUIRED,
    TEXT_COLUMNS,
)
from ohshi_desk.core.workbook.read_cells import Notice, _header_map, _is_formula, _norm, _num, _rows, merged_ranges


def _detail_sheet(wb, notices):
    """明細, or a sheet that has its headers (a renamed 明細)."""
    if "明細" in wb.sheetnames:
        return wb["明細"]
    for name in wb.sheetnames:
        ws = wb[name]
        if getattr(ws, "sheet_state", "visible") != "visible":
            continue
        rows = _rows(ws, limit=5)
        if any(all(h in _header_map(r) for h in REQUIRED) for r in rows):
            notices.append(Notice(name, None, None, "明細 シートの名前が変わっています", f"「{name}」を明細として読みました"))
            return ws
    return None



# what a vendor fills on a line (besides 補助制度 and 項目)
INPUTS = tuple(c.header for c in DETAIL_COLUMNS if c.kind in ("text", "date", "own") and c.header not in REQUIRED[:2])
MERGE_SPREAD = ("購入先・ベンダー", "領収書No", "補助制度", "項目")  # a vertical merge of these applies to each row
# ① as ohshi-desk writes it: all of 金額 (=G5), its capped part (=MIN(G5,41000)) or nothing (=0), on its own row
_OWN_FIRST = re.compile(r"=(?:0|\$?[A-Z]{1,3}\$?(\d+)|MIN\(\$?[A-Z]{1,3}\$?(\d+),\d+\))")


def own_first_formula(value, row: int) -> bool:
    """Whether ① is the formula ohshi-desk writes (wherever a sort or an added row moved it): not the vendor's."""
    m = _OWN_FIRST.fullmatch(value.replace(" ", "")) if isinstance(value, str) else None
    return bool(m) and all(int(g) == row for g in m.groups() if g)


def _spread_merges(rows: list, header: dict, head_at: int, merged: list[str], note) -> None:
    """A range merged down one column of MERGE_SPREAD (J3:J4): its first cell's text is each row's."""
    from openpyxl.utils.cell import range_boundaries

    columns = {header[name]: name for name in MERGE_SPREAD if name in header}
    for ref in merged:
        try:
            c1, r1, c2, r2 = range_boundaries(ref)
        except ValueError:
            continue
        if c1 != c2 or r2 <= r1 or c1 - 1 not in columns or r1 <= head_at + 1 or r2 > len(rows):
            continue
        j = c1 - 1
        value = rows[r1 - 1][j] if j < len(rows[r1 - 1]) else None
        if value in (None, ""):
            continue
        for r in range(r1 + 1, r2 + 1):
            row = list(rows[r - 1]) + [None] * max(0, j + 1 - len(rows[r - 1]))
            row[j] = value
            rows[r - 1] = tuple(row)
        note(r1, columns[j], f"{ref} が結合されています",
             f"「{value}」を {r1}〜{r2}行目 それぞれの{columns[j]}として読みました（結合しないで各行に書くと確かです）")


def _saved_values(path, title: str) -> list[tuple]:
    """The rows of sheet ``title`` as the values saved beside its formulas (openpyxl's data_only)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # it opened once already; anything now is read as "no saved value"
        return []
    try:
        return _rows(wb[title]) if title in wb.sheetnames else []
    finally:
        wb.close()


def _fingerprint(get) -> tuple:
    """What identifies a line's row by its content (the snapshot's "lines" entry, in the same form)."""
    return (_norm(get("補助制度")), _norm(get("項目")), str(get("内訳（品名・型番）") or "").strip(), _num(get("数量")),
            _num(get("単価（税込）")), fold(get("購入先・ベンダー")), fold(_num(get("領収書No"))))


def _reattach_ids(rows, head_at: int, header: dict, snapshot: dict, note) -> dict[int, object]:
    """A sort of the visible columns only leaves the hidden IDs where they were: each row then carries another
    line's ID. Looked into when a row holds exactly what another ID's row held (the hidden sheet says what that
    was): the rows are then matched to the estimate's lines by their content, and if that moves any ID it is said
    once.
    Returns {row index: the ID to read it by} for the rows whose ID changes (None: a new line)."""
    lines = snapshot.get("lines")
    if not isinstance(lines, dict) or not lines:
        return {}
    prints: dict[tuple, list[str]] = {}
    for ident, entry in lines.items():
        if isinstance(entry, list) and len(entry) == 7:
            prints.setdefault((_norm(entry[0]), _norm(entry[1]), str(entry[2] or "").strip(), entry[3], entry[4],
                               fold(entry[5]), fold(entry[6])), []).append(ident)
    own: dict[str, tuple] = {i: fp for fp, ids in prints.items() for i in ids}
    data_rows = []
    for i, row in enumerate(rows[head_at + 1:head_at + 1 + MAX_ROWS]):
        def get(name, row=row):
            j = header.get(name)
            return row[j] if j is not None and j < len(row) else None
        ident = get("ID")
        data_rows.append((i, ident if isinstance(ident, str) else None, _fingerprint(get)))
    if not any(ident in own and own[ident] != fp and any(x != ident for x in prints.get(fp, ()))
               for _i, ident, fp in data_rows):
        return {}  # no row holds what another ID's row held
    used: set[str] = set()
    out: dict[int, object] = {}
    leftover = []
    for i, ident, fp in data_rows:  # exactly what an ID's row held: that ID (its own first)
        candidates = prints.get(fp, [])
        pick = ident if ident in candidates and ident not in used else next((x for x in candidates if x not in used),
                                                                            None)
        if pick is not None:
            used.add(pick)
            if pick != ident:
                out[i] = pick
        elif any(v not in (None, "") for v in fp):
            leftover.append((i, ident, fp))
    fuzzy = len(leftover) * (len(own) - len(used)) <= 250_000  # bounded: 500 edited rows × 500 lines at most
    for i, ident, fp in leftover:  # an edited row: the unused ID it resembles most (4 of 7), else its own if free
        best = max(((sum(a == b for a, b in zip(fp, own[x], strict=True)), x) for x in own if x not in used),
                   default=(0, None)) if fuzzy else (0, None)
        pick = best[1] if best[0] >= 4 else (ident if ident in own and ident not in used else None)
        if pick is not None:
            used.add(pick)
        if pick != ident:
            out[i] = pick
    if out:  # (a row edited to hold exactly what another line held keeps its own ID: nothing to say)
        note(None, "ID", f"並べ替えで、隠れた ID の列と行の中身がずれています（{len(out)}行）",
             "行の中身で見積りの行と結び付けて読みました（並べ替えるときは表全体を選んでください）")
    return out


def _apply_details(data: dict, snapshot: dict, ws, rules, notices: list[Notice],
                   path=None) -> tuple[dict, dict]:
    from openpyxl.utils import get_column_letter

    from ohshi_desk.core.base.guard import bad_char

    sheet = ws.title
    data = json.loads(json.dumps(data))  # a copy (data came from JSON)
    if data.get("plans") is None:
        data["plans"] = {}
    plans = data["plans"]
    for pid in list(plans) if isinstance(plans, dict) else []:
        if plans[pid] is None:  # a plan written as null: an empty plan, as parse_case takes it
            plans[pid] = {}
    if not isinstance(plans, dict):
        raise WorkbookError("隠しシートのケースの情報が壊れています")
    short = {rules.program(pid).short_name: pid for pid in rules.program_ids}
    long = {rules.program(pid).name: pid for pid in rules.program_ids}
    item_by_label = {v["label"]: k for k, v in rules.items.items()}
    rows = _rows(ws)
    head_at = next((i for i, r in enumerate(rows[:5]) if all(h in _header_map(r) for h in REQUIRED)), None)
    if head_at is None:
        missing = "・".join(REQUIRED)
        raise WorkbookError(f"{sheet} シート: 見出し（{missing}）の行が見つかりません。見出しの文字は変えないでください")
    header = _header_map(rows[head_at])

    def note(r, column, problem, action):
        notices.append(Notice(sheet, r, column, problem, action))

    if path is not None:
        _spread_merges(rows, header, head_at, merged_ranges(path, sheet), note)
    reattached = _reattach_ids(rows, head_at, header, snapshot, note) if "ID" in header else {}
    saved: list = []

    def cached(i, name):
        """The value the spreadsheet saved for a formula cell of data row ``i`` (the sheet read again, once)."""
        if not saved:
            saved.append(_saved_values(path, sheet) if path is not None else [])
        j = header.get(name)
        row = saved[0][head_at + 1 + i] if head_at + 1 + i < len(saved[0]) else ()
        return row[j] if j is not None and j < len(row) else None
    known = {c.header for c in DETAIL_COLUMNS}  # every declared column (xlsx_layout.py) is ohshi-desk's
    if len(rows) > MAX_ROWS + head_at + 1:  # (the empty rows at the end are not counted: _rows drops them)
        notices.append(Notice(sheet, MAX_ROWS + head_at + 2, None, f"{MAX_ROWS}行を超えています", "それより下の行は読みませんでした"))
    extra_cols = {j: name for name, j in header.items() if name not in known}
    headed = set(header.values())
    for j, column in enumerate(itertools.zip_longest(*rows[head_at + 1:])):  # (each column's values at once)
        if j not in headed and set(column) - {None, ""}:
            extra_cols[j] = ""
    originals = {pid: list((p or {}).get("lines") or []) for pid, p in plans.items() if isinstance(p, dict)}
    fresh = json.loads(json.dumps(originals))  # each line's copy to read a row into, made at once (an ID is read once)
    written = snapshot.get("eligible", {})
    new_lines: dict[str, list] = {pid: [] for pid in plans}
    origins: dict = {}
    seen: dict[str, int] = {}
    zeroed: set = set()  # lines whose 数量 is now 0 (said on their row)

    for j, name in sorted(extra_cols.items()):
        filled = [head_at + 2 + i for i, r in enumerate(rows[head_at + 1:]) if j < len(r) and r[j] not in (None, "")]
        if filled:
            label = name or f"{get_column_letter(j + 1)}列（見出しなし）"
            note(None, label, f"ohshi-desk の列ではありません（{len(filled)}行に記入あり、最初は{filled[0]}行目）",
                 "読みませんでした。書いた内容は 備考 に移してください")

    def ident_of(row):
        j = header.get("ID")
        return row[j] if j is not None and j < len(row) else None

    reasons = set(snapshot["reasons"]) if isinstance(snapshot.get("reasons"), list) else None  # (earlier books)
    for i, row in enumerate(rows[head_at + 1:head_at + 1 + MAX_ROWS]):
        r = head_at + 2 + i

        def get(name, row=row):
            j = header.get(name)
            return row[j] if j is not None and j < len(row) else None

        program_label, item_label = get("補助制度"), get("項目")
        reason = get(REASON_HEADER)
        if reason not in (None, "") and not _is_formula(reason) and reasons is not None and \
                str(reason).strip() not in reasons:  # typed over ohshi-desk's own words (after unprotecting)
            note(r, REASON_HEADER, f"「{shown(reason, 60)}」と書かれています（ohshi-desk が見積りの理由を書くところです）",
                 "読みませんでした（次の書き出しで元に戻ります）。書いた内容は 備考 に移してください")
        if _norm(program_label) == "合計" or (not ident_of(row) and "合計" in (_norm(get("単価（税込）")),
                                                                           _norm(get("内訳（品名・型番）")))):
            continue  # the totals row (under the headers now; at the bottom in workbooks of earlier versions)
        inputs = INPUTS
        ident = reattached[i] if i in reattached else get("ID")
        if all(get(n) in (None, "") or _is_formula(get(n)) for n in ("補助制度", "項目", *inputs)) and not ident:
            continue
        base: dict | None = None
        pid = None
        origin = None
        if isinstance(ident, str) and "#" in ident:
            id_pid, _, idx = ident.partition("#")
            if id_pid in originals and idx.isdigit() and int(idx) < len(originals[id_pid]):
                if ident in seen:
                    note(r, "ID", f"この行の ID は {seen[ident]}行目と同じです（行をコピーしたようです）", "新しい行として読みました")
                else:
                    seen[ident] = r
                    base = fresh[id_pid][int(idx)]
                    if not isinstance(base, dict):
                        base = None
                    else:
                        pid, origin = id_pid, (id_pid, int(idx))
            else:
                note(r, "ID", "この行の ID は見積りの行と合いません", "新しい行として読みました")
        elif ident not in (None, ""):
            note(r, "ID", "この行の ID は見積りの行と合いません", "新しい行として読みました")
        # 補助制度 / 項目: what is written wins over the id
        label_pid = short.get(_norm(program_label)) or long.get(_norm(program_label)) if program_label else None
        if program_label in (None, ""):
            if pid is None:
                if any(get(n) not in (None, "") and not _is_formula(get(n)) for n in inputs):
                    note(r, "補助制度", "補助制度と項目が空の行です", "計算に入れませんでした。補助制度と項目を一覧から選んでください")
                continue
            note(r, "補助制度", "補助制度が消されています", f"元の「{rules.program(pid).short_name}」の行として読みました")
        elif label_pid is None:
            if pid is None:
                note(r, "補助制度", f"「{program_label}」は補助制度の名前ではありません（{'・'.join(short)} のどれか）",
                     "この行は計算に入れませんでした")
                continue
            note(r, "補助制度", f"「{program_label}」は補助制度の名前ではありません",
                 f"元の「{rules.program(pid).short_name}」の行として読みました")
        elif pid is not None and label_pid != pid:
            note(r, "補助制度", f"補助制度が「{rules.program(pid).short_name}」から「{program_label}」に変わっています",
                 f"「{program_label}」の行として計算しました")
            pid = label_pid
        else:
            pid = label_pid
        line = base if base is not None else {}
        as_written = (line.get("amount"), line.get("quantity", 1), line.get("unit_price")) if base else None
        item = item_by_label.get(_norm(item_label)) if item_label else None
        if item is None:
            if "item" in line:
                if item_label in (None, ""):
                    note(r, "項目", "項目が消されています", f"元の「{rules.items[line['item']]['label']}」として読みました")
                else:
                    note(r, "項目", f"「{item_label}」は品目の一覧にありません",
                         f"元の「{rules.items[line['item']]['label']}」として読みました")
            else:
                problem = "項目が空です" if item_label in (None, "") else f"「{item_label}」は品目の一覧にありません"
                note(r, "項目", problem, "この行は計算に入れませんでした。項目を一覧から選んでください")
                continue
        else:
            if "item" in line and line["item"] != item:
                note(r, "項目", f"項目が「{rules.items[line['item']]['label']}」から「{item_label}」に変わっています",
                     f"「{item_label}」として計算しました")
            line["item"] = item
        # 数量 and 単価
        qty = _num(get("数量"))
        if _is_formula(qty) and isinstance(cached(i, "数量"), (int, float)):
            note(r, "数量", f"数量に式（{qty[:40]}）が入っています", "保存されていた式の値で読みました")
            qty = _num(cached(i, "数量"))
        if qty == 0 and not isinstance(qty, bool) or _norm(qty) in ("0", "０"):  # not bought after all: its ① and ② are 0
            note(r, "数量", "数量が 0 です", "この行は計算に入れませんでした（見積りからも外しました）")
            if origin:
                zeroed.add(origin)
            continue
        try:
            line["quantity"] = parse_count(qty, "数量")
        except InputError as exc:
            if "quantity" in line or base is not None:
                line.setdefault("quantity", 1)
                note(r, "数量", exc.problem, f"元の {line['quantity']} のまま読みました")
            else:
                line["quantity"] = 1
                note(r, "数量", exc.problem, "1 として読みました")
        price = _num(get("単価（税込）"))
        if _is_formula(price):  # =ROUND(5500*1.1,0): the value the spreadsheet saved beside it
            value = cached(i, "単価（税込）")
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                note(r, "単価（税込）", f"単価に式（{price[:40]}）が入っています",
                     f"保存されていた式の値 {_num(value):,}円 で読みました（次の書き出しでは数字になります）")
                price = _num(value)
        try:
            line["unit_price"] = parse_yen(price, "単価（税込）")
        except InputError as exc:
            if "unit_price" in line:
                note(r, "単価（税込）", exc.problem, f"元の {line['unit_price']:,}円のまま読みました")
            else:
                note(r, "単価（税込）", exc.problem, "この行は計算に入れませんでした")
                continue
        # 金額: a number typed over the formula is the vendor's amount (a discount)
        amount = _num(get("金額"))
        line.pop("amount", None)
        if amount not in (None, "") and not _is_formula(amount):
            try:
                value = parse_yen(amount, "金額")
            except InputError as exc:
                note(r, "金額", exc.problem, "数量×単価 で計算しました")
            else:
                full = line["quantity"] * line["unit_price"]
                known = as_written == (value, line["quantity"], line["unit_price"])  # the discount as exported
                if value != full:
                    line["amount"] = value
                    if value > full:
                        note(r, "金額", f"金額 {value:,}円 が 数量×単価（{full:,}円）より大きくなっています",
                             "書かれた金額で読みました。確かめてください")
                    elif not known:  # a discount typed, or a 金額 left as a number while 数量 or 単価 changed
                        note(r, "金額", f"金額 {value:,}円 が 数量×単価（{full:,}円）より小さくなっています（式ではなく数字です）",
                             "書かれた金額を値引き後の金額として読みました。値引きでなければ 金額 を 数量×単価 に直してください")
        # ①: the vendor's split when it differs from what was written
        split = _num(get("①補助対象金額"))
        key = f"{origin[0]}#{origin[1]}" if origin else None
        before = written.get(key) if key else None
        if split in (None, ""):
            if base is not None and before not in (None, 0):
                line["vendor_eligible"] = 0
                note(r, "①補助対象金額", "①が空になっています", "0円（全額を②）として計算しました")
        elif own_first_formula(split, r):
            line.pop("vendor_eligible", None)  # ① follows the line, as written: the estimate's split
        elif _is_formula(split):
            note(r, "①補助対象金額", "①に式が入っています（ohshi-desk は式を計算しません）",
                 "見積りの①のまま読みました" if base is not None else "①なしとして読みました")
        else:
            try:
                value = parse_yen(split, "①補助対象金額")
            except InputError as exc:
                note(r, "①補助対象金額", exc.problem, "見積りの①のまま読みました")
            else:
                amount_now = line.get("amount", line["quantity"] * line["unit_price"])
                if base is None or (before is not None and value != before):
                    line["vendor_eligible"] = value
                if value > amount_now:  # ② is below 0 on the vendor's sheet, split or not (a pasted value)
                    note(r, "①補助対象金額", f"①（{value:,}円）が金額（{amount_now:,}円）より大きくなっています（②がマイナス）",
                         "金額までを①として計算しました" if line.get("vendor_eligible") == value
                         else "見積りの計算で読みました（①は金額までです）")
        second = _num(get("②補助対象外金額"))
        if isinstance(second, int) and not isinstance(second, bool):  # a number typed over ②'s formula
            amount_now = line.get("amount", line["quantity"] * line["unit_price"])
            first_now = line.get("vendor_eligible", before)
            if first_now is None or second != amount_now - first_now:
                note(r, "②補助対象外金額", f"②に {second:,}円 が書かれています（②は 金額−① で決まります）",
                     "読みませんでした。②に回す分は ①補助対象金額 を減らして書いてください")
        # texts
        for key_, (column, limit) in TEXT_COLUMNS.items():
            value = get(column)
            if value in (None, ""):
                line.pop(key_, None)
                continue
            problem = bad_char(value) if isinstance(value, str) else None
            if problem:
                note(r, column, problem, "読みませんでした" + ("（元の値のまま）" if key_ in line else ""))
                continue
            value = str(_num(value)).strip() if not isinstance(value, _dt.datetime) else value.date().isoformat()
            if len(value) > limit:
                note(r, column, f"{limit}文字を超えています（{len(value)}文字）", f"最初の{limit}文字だけ読みました")
                value = value[:limit]
            if key_ == "status" and value == LINE_STATUSES[0] and "status" not in line:
                continue  # the export's own default, not an entry
            if key_ == "status" and value not in LINE_STATUSES:
                note(r, column, f"「{value}」は状況の一覧にありません", "書かれたまま読みました")
            line[key_] = value
        for key_, column in DATE_COLUMNS.items():
            value = get(column)
            if value in (None, ""):
                line.pop(key_, None)
                continue
            try:
                line[key_] = parse_date(_num(value) if not isinstance(value, (int, float)) else str(value),
                                        column).isoformat()
            except InputError as exc:
                note(r, column, exc.problem, "元の日付のまま読みました" if line.get(key_) else "空として読みました")
        new_lines.setdefault(pid, [])
        plans.setdefault(pid, {})
        if origin:
            origins[(pid, len(new_lines[pid]))] = origin
        new_lines[pid].append(line)
    _same_vendor_notes(new_lines, rules, note)
    kept = set(origins.values()) | zeroed
    for opid, lines in originals.items():
        for idx, ln in enumerate(lines):
            if (opid, idx) not in kept and isinstance(ln, dict):
                label = rules.items.get(ln.get("item"), {}).get("label", ln.get("item"))
                desc = f"「{ln.get('description')}」" if ln.get("description") else ""
                notices.append(Notice(sheet, None, None,
                                      f"見積りの行（{rules.program(opid).short_name}・{label}{desc}）が明細にありません",
                                      "行が削除されたものとして、見積りから外しました"))
    for pid, lines in new_lines.items():
        if isinstance(plans.get(pid), dict):
            plans[pid]["lines"] = lines
    return data, origins


def _same_vendor_notes(new_lines: dict, rules, note) -> None:
    """Two spellings of one 購入先 (Ａ社 and A社, 「B 社」 and 「B社」) make one receipt: said once per spelling."""
    for pid, lines in new_lines.items():
        first: dict[str, str] = {}
        said = set()
        for ln in lines:
            vendor = ln.get("vendor") or ""
            key = fold(vendor)
            shown = first.setdefault(key, vendor)
            if vendor != shown and vendor not in said:
                said.add(vendor)
                note(None, "購入先・ベンダー", f"「{vendor}」と「{shown}」は全角・半角や空白が違うだけです",
                     f"同じ購入先として、{rules.program(pid).short_name}の一つの様式2 にまとめました")


# ------------------------------------------------------------------------------------- 様式2 and 必要書類

