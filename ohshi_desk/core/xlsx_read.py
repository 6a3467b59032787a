"""Opening a tracking workbook again, after a vendor has filled it in (in Excel or LibreOffice).

The case travels inside the workbook in a hidden sheet (``_ohshi``); the 明細 sheet is the truth for the purchase
lines: each row carries the line's id in the hidden column A, and what was typed in 内訳, 数量, 単価, 購入先, the
tracking dates, 状況 and 備考 replaces what the case held. A row deleted from 明細 is a line removed; a row added
with a known 補助制度 and 項目 is a new line. Every failure is a CaseError naming the sheet, row and column.
"""

from __future__ import annotations

import copy
import datetime as _dt
import zipfile
from pathlib import Path

from .case import TRACKING_DATES, Case, CaseError, parse_case, read_case_file
from .inputs import InputError, parse_count, parse_date, parse_yen

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024


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


def read_any(path, rules) -> Case:
    """A case file or a workbook written by ohshi-desk (CaseError on anything else). openpyxl is loaded only
    for a workbook."""
    return read_workbook(path, rules) if is_workbook(path) else read_case_file(path, rules)


def read_workbook(path, rules) -> Case:
    from openpyxl import load_workbook

    from .guard import LimitError, is_regular_file, shown
    from .xlsx_write import DATA_SHEET, WORKBOOK_FORMAT

    path = Path(path)
    try:
        if path.exists() and not is_regular_file(path):
            raise CaseError("", f"「{shown(path.name)}」は通常のファイルではありません")
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            raise CaseError("", "ファイルが大きすぎます。ohshi-desk で作った Excel ファイルか確認してください")
        from .guard import check_zip

        check_zip(path)  # a zip bomb is refused before anything is unpacked
        wb = load_workbook(path, data_only=True)
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
    if DATA_SHEET not in wb.sheetnames:
        raise CaseError("", f"「{path.name}」は ohshi-desk で書き出した Excel ファイルではありません（{DATA_SHEET} シートがありません）")
    ws = wb[DATA_SHEET]
    marker = ws.cell(row=1, column=1).value
    if marker != WORKBOOK_FORMAT:
        if isinstance(marker, str) and marker.startswith("ohshi-desk-workbook/"):
            raise CaseError("", f"「{marker}」は新しいバージョンのアプリで作られた形式です。アプリを更新してから開いてください")
        raise CaseError("", f"{DATA_SHEET} シートが壊れています")
    chunks = []
    row = 2
    while True:
        value = ws.cell(row=row, column=1).value
        if value is None:
            break
        chunks.append(str(value))
        row += 1
    from .guard import strict_json_loads

    try:
        data = strict_json_loads("".join(chunks))
    except (ValueError, RecursionError):  # LimitError and DuplicateKey are ValueErrors
        raise CaseError("", f"{DATA_SHEET} シートのケースの情報が壊れています") from None
    if not isinstance(data, dict):
        raise CaseError("", f"{DATA_SHEET} シートのケースの情報が壊れています")
    if "明細" in wb.sheetnames:
        try:
            data = _apply_details(data, wb["明細"], rules)
        except CaseError:
            raise
        except (AttributeError, TypeError, KeyError, ValueError, IndexError):  # the hidden sheet was edited
            raise CaseError("", f"{DATA_SHEET} シートのケースの情報が壊れています（非表示のシートは変更しないでください）") from None
    return parse_case(data, rules)


MAX_DETAIL_ROWS = 5000


def _used_rows(ws) -> list[int]:
    """The rows of a sheet that hold a cell, in order: a stray cell at row 1,048,576 gives one more row, not a
    million empty ones (``max_row`` is the declared size, and ``ws.cell`` would create every cell it visits)."""
    cells = getattr(ws, "_cells", None)
    if isinstance(cells, dict):
        return sorted({r for (r, _c), cell in cells.items() if cell.value not in (None, "")})
    return list(range(1, min(ws.max_row, MAX_DETAIL_ROWS) + 1))


def _cell_error(row: int, column: str, problem: str) -> CaseError:
    return CaseError(f"明細 シート {row}行目「{column}」", problem)


def _apply_details(data: dict, ws, rules) -> dict:
    from .guard import bad_char
    from .xlsx_write import COL

    data = copy.deepcopy(data)
    if data.get("plans") is None:
        data["plans"] = {}
    plans = data["plans"]
    for pid in list(plans):
        if plans[pid] is None:  # a plan written as null: an empty plan, as parse_case takes it
            plans[pid] = {}
    short = {rules.program(pid).short_name: pid for pid in rules.program_ids}
    item_by_label = {v["label"]: k for k, v in rules.items.items()}
    seen: dict[str, list] = {pid: [] for pid in plans}
    header = [ws.cell(row=1, column=c).value for c in range(1, len(COL) + 1)]
    if header[COL["補助制度"] - 1] != "補助制度" or header[COL["単価（税込）"] - 1] != "単価（税込）":
        raise CaseError("明細 シート 1行目", "見出しの並びが変わっています。列の移動や削除はしないでください")
    rows = [r for r in _used_rows(ws) if r >= 2]
    if len(rows) > MAX_DETAIL_ROWS:
        raise CaseError("明細 シート", f"行が多すぎます（{len(rows):,}行、{MAX_DETAIL_ROWS:,}行まで）")
    for r in rows:
        values = {name: ws.cell(row=r, column=c).value for name, c in COL.items()}
        for name, value in values.items():
            problem = bad_char(value) if isinstance(value, str) else None
            if problem:
                raise _cell_error(r, name, problem)
        get = values.get
        ident, program_label = get("ID"), get("補助制度")
        if ident in (None, "") and program_label in (None, ""):
            continue
        if program_label in (None, "") and get("項目") in (None, ""):
            continue
        line: dict | None = None
        pid = None
        if isinstance(ident, str) and "#" in ident:
            pid, _, idx = ident.partition("#")
            plan = plans.get(pid)
            if plan is None or not idx.isdigit() or int(idx) >= len(plan.get("lines", [])):
                raise _cell_error(r, "ID", "この行の番号が元のケースと合いません（列Aを変更しないでください）")
            line = copy.deepcopy(plan["lines"][int(idx)])
        else:
            pid = short.get(str(program_label).strip())
            if pid is None:
                if str(program_label).strip() in ("合計",):
                    continue
                raise _cell_error(r, "補助制度", f"「{program_label}」は補助制度の名前ではありません（{'・'.join(short)} のどれか）")
            item = item_by_label.get(str(get("項目") or "").strip())
            if item is None:
                raise _cell_error(r, "項目", f"「{get('項目')}」は品目の一覧にありません")
            line = {"item": item}
            plans.setdefault(pid, {"lines": []})
            seen.setdefault(pid, [])
        try:
            line["quantity"] = parse_count(get("数量"), "数量")
            price = get("単価（税込）")
            line["unit_price"] = parse_yen(int(price) if isinstance(price, float) and price.is_integer() else price,
                                           "単価（税込）")
        except InputError as exc:
            raise _cell_error(r, exc.field, exc.problem) from None
        for key, column in (("description", "内訳（品名・型番）"), ("vendor", "購入先・ベンダー"), ("status", "状況"),
                            ("note", "備考")):
            value = get(column)
            if value in (None, ""):
                line.pop(key, None)
            else:
                line[key] = str(value).strip()
        for key, column in TRACKING_DATES.items():
            value = get(column)
            if value in (None, ""):
                line.pop(key, None)
                continue
            try:
                if isinstance(value, _dt.datetime):
                    value = value.date()
                line[key] = parse_date(value, column).isoformat()
            except InputError as exc:
                raise _cell_error(r, column, exc.problem) from None
        seen[pid].append(line)
    for pid, lines in seen.items():
        plans[pid]["lines"] = lines
    return data
