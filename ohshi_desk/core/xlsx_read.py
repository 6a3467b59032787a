"""Opening a tracking workbook again, after a vendor has filled it in (in Excel or LibreOffice).

The case as exported travels inside the workbook in a very hidden sheet (``_ohshi``: the case, and a snapshot of
what was written — the ① of each 明細 row, which 様式2 sheet is which receipt — with a hash of both). The visible
sheets are the truth for what a vendor may fill:

- 明細: every line (columns are found by their header text, not their place). A row carries its line's id in the
  hidden ID column; a row without one (added at the end) is a new line; a row whose id was already seen (a copied
  row) is a new line too, and said so. What was typed in 補助制度/項目 wins over the id. A 金額 typed over the
  formula is kept (a discount); a ① that differs from what was written is the vendor's split.
- 様式2: the vendor block (日付, 名称, 所在地, 電話番号), kept per receipt (program × vendor).
- 必要書類: 進み具合, 受領日, 備考 per document.

Nothing is dropped in silence: whatever cannot be read is a :class:`Notice` (sheet, row, column, what was done) on
``case.notices``. Only a workbook that cannot be read at all raises :class:`CaseError`.
"""

from __future__ import annotations

import copy
import datetime as _dt
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .breakdown import STATUS_LABELS
from .case import LINE_STATUSES, TRACKING_DATES, Case, CaseError, parse_case, read_case_file
from .inputs import InputError, parse_count, parse_date, parse_yen

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024
MAX_ROWS = 5000
TEXT_LIMITS = {"description": ("内訳（品名・型番）", 200), "vendor": ("購入先・ベンダー", 100), "status": ("状況", 40),
               "note": ("備考", 1000), "receipt": ("領収書No", 20)}
REQUIRED = ("補助制度", "項目", "数量", "単価（税込）")
IGNORED = {"②補助対象外金額", "見積りの理由（ohshi-desk）"}  # computed by the workbook or by ohshi-desk


@dataclass
class Notice:
    """Something in a workbook that was not read as it stands, and what was done instead."""

    sheet: str
    row: int | None
    column: str | None
    problem: str
    action: str

    def place(self) -> str:
        out = f"{self.sheet} シート"
        if self.row:
            out += f" {self.row}行目"
        if self.column:
            out += f"「{self.column}」"
        return out

    def __str__(self) -> str:
        return f"{self.place()}: {self.problem} → {self.action}"


def is_workbook(path) -> bool:
    """A regular file that starts like a zip. Never opens anything else (a FIFO would block the open)."""
    from .guard import is_regular_file

    if not is_regular_file(path):
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _other_spreadsheet(path: Path) -> str | None:
    from .guard import is_regular_file

    suffix = path.suffix.lower()
    if not is_regular_file(path):  # never open a FIFO or a device to look at it
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return None
    if suffix in (".xls", ".ods", ".xlsm", ".xlsb", ".numbers") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return (f"「{path.name}」は .xlsx 形式ではありません。Excel や LibreOffice で開き、「名前を付けて保存」で"
                f"「Excel ブック (.xlsx)」を選んで保存してから、その .xlsx を開いてください")
    return None


def read_any(path, rules) -> Case:
    """A case file or a workbook written by ohshi-desk (CaseError on anything else). openpyxl is loaded only
    for a workbook."""
    other = _other_spreadsheet(Path(path))
    if other:
        raise CaseError("", other)
    return read_workbook(path, rules) if is_workbook(path) else read_case_file(path, rules)


def _load(path: Path):
    from openpyxl import load_workbook

    from .guard import LimitError, check_zip, is_regular_file, shown

    try:
        if path.exists() and not is_regular_file(path):
            raise CaseError("", f"「{shown(path.name)}」は通常のファイルではありません")
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            raise CaseError("", "ファイルが大きすぎます。ohshi-desk で作った Excel ファイルか確認してください")
        check_zip(path)  # a zip bomb is refused before anything is unpacked
        return load_workbook(path, read_only=True, data_only=False)
    except CaseError:
        raise
    except LimitError as exc:
        raise CaseError("", f"「{shown(path.name)}」は読みません: {exc}。ohshi-desk で作った Excel ファイルか確認してください") from None
    except FileNotFoundError:
        raise CaseError("", f"ファイル「{path}」が見つかりません") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, TypeError):
        raise CaseError("", f"「{path.name}」は Excel ファイルとして読めません（途中で切れているか、壊れています）") from None
    except Exception:  # openpyxl raises many kinds on a damaged file; none may escape as a traceback
        raise CaseError("", f"「{path.name}」は Excel ファイルとして読めません（壊れているか、別の形式です）") from None


def _rows(ws, limit: int = MAX_ROWS + 10, width: int = 60) -> list[tuple]:
    out = []
    for i, row in enumerate(ws.iter_rows(max_col=width, values_only=True)):
        if i >= limit:
            break
        out.append(row)
    return out


def read_workbook(path, rules) -> Case:
    from .xlsx_write import DATA_SHEET, WORKBOOK_FORMAT, payload_hash

    path = Path(path)
    other = _other_spreadsheet(path)
    if other:
        raise CaseError("", other)
    wb = _load(path)
    try:
        notices: list[Notice] = []
        if DATA_SHEET in wb.sheetnames:
            data, snapshot = _data(wb[DATA_SHEET], WORKBOOK_FORMAT, payload_hash, notices)
        else:
            data, snapshot = _from_summary(wb, rules, path, notices)
        estimate_raw = copy.deepcopy(data)
        sheet = _detail_sheet(wb, notices)
        origins: dict = {}
        if sheet is not None:
            data, origins = _apply_details(data, snapshot, sheet, rules, notices)
        _apply_forms(data, snapshot, wb, notices)
        _apply_checklist(data, wb, notices)
    except CaseError:
        raise
    except Exception:  # a workbook shaped in a way no check foresaw: still one message, never a traceback
        raise CaseError("", f"「{path.name}」の中身を読めませんでした（ohshi-desk で書き出した形のまま保存されているか確認してください）") from None
    finally:
        wb.close()
    try:
        case = parse_case(data, rules)
    except CaseError as exc:
        raise CaseError("", f"明細 シートの内容を読めません（{exc.problem}）") from None
    try:
        case.estimate = parse_case(estimate_raw, rules)
    except CaseError:
        case.estimate = None
    withheld = snapshot.get("withheld") if isinstance(snapshot.get("withheld"), list) else []
    if "usage" in withheld:
        notices.append(Notice("（ブック全体）", None, None,
                              "利用実績（レセプト件数・利用率など）は業者に渡すファイルには入れていません",
                              "利用実績を使う補助は、ケースファイルの利用実績で計算してください（画面では開いていたケースの利用実績を引き継ぎます）"))
    case.notices = notices
    case.origins = origins
    case.withheld = withheld
    return case


# ------------------------------------------------------------------------------------------- the case

def _data(ws, marker_expected, payload_hash, notices) -> tuple[dict, dict]:
    from .xlsx_write import DATA_SHEET

    rows = _rows(ws, limit=2000, width=3)
    marker = rows[0][0] if rows and rows[0] else None
    if marker != marker_expected:
        if isinstance(marker, str) and marker.startswith("ohshi-desk-workbook/"):
            raise CaseError("", f"「{marker}」は新しいバージョンのアプリで作られた形式です。アプリを更新してから開いてください")
        raise CaseError("", f"{DATA_SHEET} シートが壊れています")
    case_chunks, snap_chunks = [], []
    for row in rows[1:]:
        a = row[0] if len(row) > 0 else None
        b = row[1] if len(row) > 1 else None
        if a is not None:
            case_chunks.append(str(a))
        if b is not None:
            snap_chunks.append(str(b))
    case_json, snap_json = "".join(case_chunks), "".join(snap_chunks)
    from .guard import strict_json_loads

    try:
        data = strict_json_loads(case_json)
    except (ValueError, RecursionError):  # LimitError and DuplicateKey are ValueErrors
        raise CaseError("", f"{DATA_SHEET} シートのケースの情報が壊れています") from None
    if not isinstance(data, dict):
        raise CaseError("", f"{DATA_SHEET} シートのケースの情報が壊れています")
    snapshot: dict = {}
    if snap_json:
        try:
            snapshot = json.loads(snap_json)
        except ValueError:
            snapshot = {}
        if not isinstance(snapshot, dict):
            snapshot = {}
    stored_hash = rows[0][2] if len(rows[0]) > 2 else None
    if stored_hash and stored_hash != payload_hash(case_json, snap_json):
        notices.append(Notice(DATA_SHEET, None, None, "ohshi-desk の隠しシートが書き換えられています",
                              "書き換えられた内容のまま読みました。見積りの元の値と違うかもしれません"))
    for key in ("eligible", "forms"):
        if not isinstance(snapshot.get(key), dict):
            snapshot[key] = {}
    return data, snapshot


def _from_summary(wb, rules, path: Path, notices) -> tuple[dict, dict]:
    """No hidden sheet (sheets copied into another book): the facility from 概要, the lines from 明細."""
    from .xlsx_write import DATA_SHEET

    if "概要" not in wb.sheetnames or _detail_sheet(wb, []) is None:
        raise CaseError("", f"「{path.name}」は ohshi-desk で書き出した Excel ファイルではありません（{DATA_SHEET} シートがありません）")
    facts = {}
    for row in _rows(wb["概要"], limit=12, width=2):
        if row and isinstance(row[0], str):
            facts[row[0].strip()] = row[1] if len(row) > 1 else None
    kind = next((k for k, v in rules.kinds.items() if v["label"] == facts.get("施設の種類")), None)
    if kind is None:
        raise CaseError("", f"「{path.name}」には ohshi-desk の隠しシートがなく、概要 シートの「施設の種類」も読めません。"
                            "ohshi-desk で書き出したままのファイルを開いてください")
    facility = {"kind": kind, "name": str(facts.get("施設名") or "")}
    code = facts.get("保険医療機関等コード")
    if isinstance(code, (str, int)) and str(code).isdigit() and len(str(code)) == 7:
        facility["institution_code"] = str(code)
    notices.append(Notice("（ブック全体）", None, None,
                          f"ohshi-desk の隠しシート（{DATA_SHEET}）がありません（シートを別のブックに写したようです）",
                          "概要 と 明細 だけから読みました。カードリーダーや利用実績などの回答はもう一度入力してください"))
    return {"format": "ohshi-desk-case/1", "facility": facility, "plans": {}}, {"eligible": {}, "forms": {}}


# ------------------------------------------------------------------------------------------------- 明細

def _norm(value) -> str:
    return "".join(str(value).split()) if value is not None else ""


def _header_map(row) -> dict[str, int]:
    return {_norm(v): j for j, v in enumerate(row) if _norm(v)}


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


def _num(value):
    """An integral float (as LibreOffice stores numbers) as int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _apply_details(data: dict, snapshot: dict, ws, rules, notices: list[Notice]) -> tuple[dict, dict]:
    from openpyxl.utils import get_column_letter

    from .guard import bad_char

    sheet = ws.title
    data = copy.deepcopy(data)
    if data.get("plans") is None:
        data["plans"] = {}
    plans = data["plans"]
    for pid in list(plans) if isinstance(plans, dict) else []:
        if plans[pid] is None:  # a plan written as null: an empty plan, as parse_case takes it
            plans[pid] = {}
    if not isinstance(plans, dict):
        raise CaseError("", "隠しシートのケースの情報が壊れています")
    short = {rules.program(pid).short_name: pid for pid in rules.program_ids}
    long = {rules.program(pid).name: pid for pid in rules.program_ids}
    item_by_label = {v["label"]: k for k, v in rules.items.items()}
    rows = _rows(ws)
    head_at = next((i for i, r in enumerate(rows[:5]) if all(h in _header_map(r) for h in REQUIRED)), None)
    if head_at is None:
        missing = "・".join(REQUIRED)
        raise CaseError("", f"{sheet} シート: 見出し（{missing}）の行が見つかりません。見出しの文字は変えないでください")
    header = _header_map(rows[head_at])
    known = {"ID", *REQUIRED, "内訳（品名・型番）", "金額", "①補助対象金額", "購入先・ベンダー", "領収書No", "状況", "備考",
             *TRACKING_DATES.values(), *IGNORED}
    if len(rows) > MAX_ROWS + head_at + 1:
        notices.append(Notice(sheet, MAX_ROWS + head_at + 2, None, f"{MAX_ROWS}行を超えています", "それより下の行は読みませんでした"))
    extra_cols = {j: name for name, j in header.items() if name not in known}
    for j in range(max((len(r) for r in rows), default=0)):
        if j not in header.values() and any(j < len(r) and r[j] not in (None, "") for r in rows[head_at + 1:]):
            extra_cols[j] = ""
    originals = {pid: list((p or {}).get("lines") or []) for pid, p in plans.items() if isinstance(p, dict)}
    written = snapshot.get("eligible", {})
    new_lines: dict[str, list] = {pid: [] for pid in plans}
    origins: dict = {}
    seen: dict[str, int] = {}

    def note(r, column, problem, action):
        notices.append(Notice(sheet, r, column, problem, action))

    for j, name in sorted(extra_cols.items()):
        filled = [head_at + 2 + i for i, r in enumerate(rows[head_at + 1:]) if j < len(r) and r[j] not in (None, "")]
        if filled:
            label = name or f"{get_column_letter(j + 1)}列（見出しなし）"
            note(None, label, f"ohshi-desk の列ではありません（{len(filled)}行に記入あり、最初は{filled[0]}行目）",
                 "読みませんでした。書いた内容は 備考 に移してください")

    def ident_of(row):
        j = header.get("ID")
        return row[j] if j is not None and j < len(row) else None

    for i, row in enumerate(rows[head_at + 1:head_at + 1 + MAX_ROWS]):
        r = head_at + 2 + i

        def get(name, row=row):
            j = header.get(name)
            return row[j] if j is not None and j < len(row) else None

        program_label, item_label = get("補助制度"), get("項目")
        if _norm(program_label) == "合計" or (not ident_of(row) and "合計" in (_norm(get("単価（税込）")),
                                                                           _norm(get("内訳（品名・型番）")))):
            continue  # the totals row (under the headers now; at the bottom in workbooks of earlier versions)
        inputs = ("内訳（品名・型番）", "数量", "単価（税込）", "金額", "①補助対象金額", "購入先・ベンダー", "領収書No", "状況", "備考",
                  *TRACKING_DATES.values())
        ident = get("ID")
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
                    base = copy.deepcopy(originals[id_pid][int(idx)])
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
                if value != full:
                    line["amount"] = value
                    if value > full:
                        note(r, "金額", f"金額 {value:,}円 が 数量×単価（{full:,}円）より大きくなっています",
                             "書かれた金額で読みました。確かめてください")
        # ①: the vendor's split when it differs from what was written
        split = _num(get("①補助対象金額"))
        key = f"{origin[0]}#{origin[1]}" if origin else None
        before = written.get(key) if key else None
        if split in (None, ""):
            if base is not None and before not in (None, 0):
                line["vendor_eligible"] = 0
                note(r, "①補助対象金額", "①が空になっています", "0円（全額を②）として計算しました")
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
                if line.get("vendor_eligible") == value and value > amount_now:
                    note(r, "①補助対象金額", f"①（{value:,}円）が金額（{amount_now:,}円）より大きくなっています",
                         "金額までを①として計算しました")
        second = _num(get("②補助対象外金額"))
        if isinstance(second, int) and not isinstance(second, bool):  # a number typed over ②'s formula
            amount_now = line.get("amount", line["quantity"] * line["unit_price"])
            first_now = line.get("vendor_eligible", before)
            if first_now is None or second != amount_now - first_now:
                note(r, "②補助対象外金額", f"②に {second:,}円 が書かれています（②は 金額−① で決まります）",
                     "読みませんでした。②に回す分は ①補助対象金額 を減らして書いてください")
        # texts
        for key_, (column, limit) in TEXT_LIMITS.items():
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
        for key_, column in TRACKING_DATES.items():
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
    kept = set(origins.values())
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


# ------------------------------------------------------------------------------------- 様式2 and 必要書類

def _date_text(value) -> str | None:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return None


def _apply_forms(data: dict, snapshot: dict, wb, notices: list[Notice]) -> None:
    from .xlsx_form2 import FORM_BLOCK, FORM_LINES

    forms = snapshot.get("forms", {})
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
            else:
                block[field_] = str(_num(value)).strip()[:200]
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
