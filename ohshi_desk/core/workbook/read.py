"""Opening a tracking workbook again, after a vendor has filled it in (in Excel or LibreOffice).

The case as exported travels inside the workbook in a very hidden sheet (``_ohshi``: the case, and a snapshot of
what was written — the ① of each 明細 row, which 様式2 sheet is which receipt — with a hash of both). The visible
sheets are the truth for what a vendor may fill:

- 明細: every line (columns are found by their header text, not their place). A row carries its line's id in the
  hidden ID column; a row without one (added at the end) is a new line; a row whose id was already seen (a copied
  row) is a new line too, and said so. What was typed in 補助制度/項目 wins over the id. A sort of the visible
  columns only (the ids left behind) is matched back by content (the snapshot keeps what each id's row held), said
  once. A 金額 typed over the formula is kept (a discount, or more: said either way); a ① that is still a formula
  of its own row follows the estimate; a ① that differs from what was written is the vendor's split.
- 様式2: the vendor block (日付, 名称, 所在地, 電話番号), kept per receipt (program × vendor).
- 必要書類: 進み具合, 受領日, 備考 per document.

Nothing is dropped in silence: whatever cannot be read is a :class:`Notice` (sheet, row, column, what was done) on
``case.notices``. Only a workbook that cannot be read at all raises :class:`CaseError`.
"""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

from ohshi_desk.core.case.model import Case, CaseError, WorkbookError, parse_case, read_case_file
from ohshi_desk.core.workbook.layout import CHECKLIST, unpack_record
from ohshi_desk.core.workbook.read_cells import Notice, _rows
from ohshi_desk.core.workbook.read_forms import (
    _apply_cells,
    _apply_checklist,
    _apply_forms,
    carry_blocks,
    renamed_sheets,
)
from ohshi_desk.core.workbook.read_lines import _apply_details, _detail_sheet

MAX_WORKBOOK_BYTES = 50 * 1024 * 1024


def is_workbook(path) -> bool:
    """A regular file that starts like a zip. Never opens anything else (a FIFO would block the open)."""
    from ohshi_desk.core.base.guard import is_regular_file

    if not is_regular_file(path):
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _other_spreadsheet(path: Path) -> str | None:
    from ohshi_desk.core.base.guard import is_regular_file

    suffix = path.suffix.lower()
    if not is_regular_file(path):  # never open a FIFO or a device to look at it
        return None
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError:
        return None
    # an .xls (OLE) or an .ods (a zip whose first member says so) renamed .xlsx gets the same hint
    opendocument = head.startswith(b"PK\x03\x04") and b"mimetypeapplication/vnd.oasis.opendocument" in head
    if suffix in (".xls", ".ods", ".xlsm", ".xlsb", ".numbers") or head.startswith(b"\xd0\xcf\x11\xe0") or opendocument:
        return (f"「{path.name}」は .xlsx 形式ではありません。Excel や LibreOffice で開き、「名前を付けて保存」で"
                f"「Excel ブック (.xlsx)」を選んで保存してから、その .xlsx を開いてください")
    return None


def read_any(path, rules) -> Case:
    """A case file or a workbook written by ohshi-desk (CaseError on anything else). openpyxl is loaded only
    for a workbook."""
    other = _other_spreadsheet(Path(path))
    if other:
        raise WorkbookError(other)
    return read_workbook(path, rules) if is_workbook(path) else read_case_file(path, rules)


MAX_SHARED_STRINGS = 300_000  # a full 明細 (5,000 rows) and its forms hold well under 100,000 texts
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024  # 5,000 rows of 1,000-character notes in UTF-8 are about 15 MB


def _check_shared_strings(path: Path) -> None:
    """Refuse a workbook whose shared-strings table is larger than any ohshi-desk workbook a vendor edited (its
    texts are counted as they stream, so a false count attribute does not matter). LimitError names the limit."""
    import re
    import xml.etree.ElementTree as ET

    from ohshi_desk.core.base.guard import LimitError

    with zipfile.ZipFile(path) as z:
        try:
            types = ET.fromstring(z.read("[Content_Types].xml"))  # (its size is bounded by check_zip)
        except (KeyError, ET.ParseError):
            return  # openpyxl says what is wrong with the package
        parts = [o.get("PartName", "") for o in types if o.get("ContentType", "").endswith("sharedStrings+xml")]
        for part in parts:
            try:
                info = z.getinfo(part.lstrip("/"))
            except KeyError:
                continue
            if info.file_size > MAX_SHARED_STRINGS_BYTES:
                raise LimitError(f"文字列の表が大きすぎます（{info.file_size:,}バイト、上限 {MAX_SHARED_STRINGS_BYTES:,}バイト）")
            opening = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
            count, tail = 0, b""
            with z.open(info) as fh:
                while chunk := fh.read(1 << 20):
                    data = tail + chunk
                    count += len(opening.findall(data, 0, max(len(data) - 64, 0)))
                    tail = data[max(len(data) - 64, 0):]
                    if count > MAX_SHARED_STRINGS:
                        raise LimitError(f"文字列が多すぎます（{MAX_SHARED_STRINGS:,}個を超えています）")


def _load(path: Path):
    from openpyxl import load_workbook

    from ohshi_desk.core.base.guard import LimitError, check_zip, is_regular_file, shown

    try:
        if path.exists() and not is_regular_file(path):
            raise WorkbookError(f"「{shown(path.name)}」は通常のファイルではありません")
        if path.stat().st_size > MAX_WORKBOOK_BYTES:
            raise WorkbookError("ファイルが大きすぎます。ohshi-desk で作った Excel ファイルか確認してください")
        check_zip(path)  # a zip bomb is refused before anything is unpacked
        _check_shared_strings(path)  # and millions of strings before openpyxl holds them all in memory
        return load_workbook(path, read_only=True, data_only=False)
    except CaseError:
        raise
    except LimitError as exc:
        raise WorkbookError(f"「{shown(path.name)}」は読みません: {exc}。ohshi-desk で作った Excel ファイルか確認してください") from None
    except FileNotFoundError:
        raise WorkbookError(f"ファイル「{path}」が見つかりません") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, TypeError):
        raise WorkbookError(f"「{path.name}」は Excel ファイルとして読めません（途中で切れているか、壊れています）") from None
    except Exception:  # openpyxl raises many kinds on a damaged file; none may escape as a traceback
        raise WorkbookError(f"「{path.name}」は Excel ファイルとして読めません（壊れているか、別の形式です）") from None




def read_workbook(path, rules) -> Case:
    """The case a workbook holds (see the module's text). The cyclic garbage collector waits while it is read: the
    tens of thousands of cells read make it run again and again over objects that are all still in use; it runs as
    usual afterwards, whether the reading failed or not."""
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        return _read_workbook(path, rules)
    finally:
        if was_on:
            gc.enable()


def _read_workbook(path, rules) -> Case:
    from ohshi_desk.core.workbook.layout import DATA_SHEET, WORKBOOK_FORMAT, payload_hash

    path = Path(path)
    other = _other_spreadsheet(path)
    if other:
        raise WorkbookError(other)
    wb = _load(path)
    try:
        notices: list[Notice] = []
        if DATA_SHEET in wb.sheetnames:
            data, snapshot = _data(wb[DATA_SHEET], WORKBOOK_FORMAT, payload_hash, notices)
        else:
            data, snapshot = _from_summary(wb, rules, path, notices)
        estimate_raw = json.loads(json.dumps(data))  # (data came from JSON: a copy ~5× faster than deepcopy)
        sheet = _detail_sheet(wb, notices)
        origins: dict = {}
        if sheet is not None:
            data, origins = _apply_details(data, snapshot, sheet, rules, notices, path)
        record = unpack_record(snapshot.get("cells"))
        detail_title = sheet.title if sheet is not None else None
        cache: dict = {}  # the rows of each sheet but 明細, read once
        renamed = renamed_sheets(wb, record, {detail_title}, notices, cache)
        forms, form_renames = _apply_forms(data, snapshot, wb, notices, cache)
        carry_blocks(data, estimate_raw, origins, notices, detail_title or "明細")
        checklist = next((new for new, old in renamed.items() if old == CHECKLIST), CHECKLIST)
        _apply_checklist(data, wb, notices, checklist)
        if record:  # (a workbook of an earlier version has no record: its other cells are not compared)
            _apply_cells(wb, record, {**renamed, **form_renames}, forms, {detail_title}, notices, cache)
    except CaseError:
        raise
    except Exception:  # a workbook shaped in a way no check foresaw: still one message, never a traceback
        raise WorkbookError(f"「{path.name}」の中身を読めませんでした（ohshi-desk で書き出した形のまま保存されているか確認してください）") from None
    finally:
        wb.close()
    try:
        case = parse_case(data, rules)
    except CaseError as exc:
        raise WorkbookError(f"明細 シートの内容を読めません（{exc.problem}）") from None
    if data == estimate_raw:  # nothing read differs from the estimate: the same case, parsed once (parse_case's
        # objects are not changed after it), with a raw of its own
        case.estimate = dataclasses.replace(case, raw=estimate_raw, notices=[], estimate=None, origins={}, withheld=[])
    else:
        try:
            case.estimate = parse_case(estimate_raw, rules)
        except CaseError:
            case.estimate = None
    withheld = snapshot.get("withheld") if isinstance(snapshot.get("withheld"), list) else []
    if "usage" in withheld:
        notices.append(Notice("（ブック全体）", None, None,
                              "利用実績（レセプト件数・利用率など）は業者に渡すファイルには入れていません",
                              USAGE_NOT_CARRIED))
    case.notices = notices
    case.origins = origins
    case.withheld = withheld
    return case


USAGE_NOT_CARRIED = "利用実績を使う補助は、ケースファイルの利用実績で計算してください"


def with_usage_on_screen(case: Case, on_screen: dict) -> dict:
    """The data to show for a workbook read back (``case``), given the case on screen (``on_screen``, raw). A
    workbook for vendors holds no 利用実績 (usage): the clinic's own figures on screen are kept — but only when the
    workbook is the same clinic's. Another clinic's workbook never takes the first one's usage (issue 23: 243,240円
    shown instead of 123,240円); a notice says it was not carried over."""
    data = case.raw
    usage = on_screen.get("usage") if isinstance(on_screen, dict) else None
    if "usage" not in case.withheld or not usage:
        return data
    if same_facility(data.get("facility"), on_screen.get("facility")):
        for n in case.notices:  # what was done, said as it was done (not 「引き継ぎます」 before knowing)
            if n.action == USAGE_NOT_CARRIED:
                n.action = "画面で開いていた同じ施設のケースの利用実績を引き継いで計算します"
        return {**data, "usage": usage}
    from ohshi_desk.core.base.guard import shown

    other = shown((on_screen.get("facility") or {}).get("name") or "前に開いていた施設", 40)
    case.notices.append(Notice("（ブック全体）", None, None,
                               f"画面の利用実績は{other}のものです。このファイルは別の施設のものです",
                               "利用実績は引き継いでいません。この施設の利用実績を入力してください"))
    return data


def same_facility(a, b) -> bool:
    """Whether two cases' facilities are the same clinic: the same 保険医療機関等コード when both have one, else the
    same name (neither empty)."""
    import unicodedata

    a, b = (x if isinstance(x, dict) else {} for x in (a, b))

    def norm(v):
        return unicodedata.normalize("NFKC", str(v or "")).strip()

    if norm(a.get("institution_code")) and norm(b.get("institution_code")):
        return norm(a.get("institution_code")) == norm(b.get("institution_code"))
    return bool(norm(a.get("name"))) and norm(a.get("name")) == norm(b.get("name"))


# ------------------------------------------------------------------------------------------- the case

def _data(ws, marker_expected, payload_hash, notices) -> tuple[dict, dict]:
    from ohshi_desk.core.workbook.layout import DATA_SHEET

    rows = _rows(ws, limit=2000, width=3)
    marker = rows[0][0] if rows and rows[0] else None
    if marker != marker_expected:
        if isinstance(marker, str) and marker.startswith("ohshi-desk-workbook/"):
            raise WorkbookError(f"「{marker}」は新しいバージョンのアプリで作られた形式です。アプリを更新してから開いてください")
        raise WorkbookError(f"{DATA_SHEET} シートが壊れています")
    case_chunks, snap_chunks = [], []
    for row in rows[1:]:
        a = row[0] if len(row) > 0 else None
        b = row[1] if len(row) > 1 else None
        if a is not None:
            case_chunks.append(str(a))
        if b is not None:
            snap_chunks.append(str(b))
    case_json, snap_json = "".join(case_chunks), "".join(snap_chunks)
    from ohshi_desk.core.base.guard import strict_json_loads

    try:
        data = strict_json_loads(case_json)
    except (ValueError, RecursionError):  # LimitError and DuplicateKey are ValueErrors
        raise WorkbookError(f"{DATA_SHEET} シートのケースの情報が壊れています") from None
    if not isinstance(data, dict):
        raise WorkbookError(f"{DATA_SHEET} シートのケースの情報が壊れています")
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
    from ohshi_desk.core.workbook.layout import DATA_SHEET

    if "概要" not in wb.sheetnames or _detail_sheet(wb, []) is None:
        raise WorkbookError(f"「{path.name}」は ohshi-desk で書き出した Excel ファイルではありません（{DATA_SHEET} シートがありません）")
    facts = {}
    for row in _rows(wb["概要"], limit=12, width=2):
        if row and isinstance(row[0], str):
            facts[row[0].strip()] = row[1] if len(row) > 1 else None
    kind = next((k for k, v in rules.kinds.items() if v["label"] == facts.get("施設の種類")), None)
    if kind is None:
        raise WorkbookError(f"「{path.name}」には ohshi-desk の隠しシートがなく、概要 シートの「施設の種類」も読めません。"
                            "ohshi-desk で書き出したままのファイルを開いてください")
    facility = {"kind": kind, "name": str(facts.get("施設名") or "")}
    code = facts.get("保険医療機関等コード")
    if isinstance(code, (str, int)) and str(code).isdigit() and len(str(code)) == 7:
        facility["institution_code"] = str(code)
    notices.append(Notice("（ブック全体）", None, None,
                          f"ohshi-desk の隠しシート（{DATA_SHEET}）がありません（シートを別のブックに写したようです）",
                          "概要 と 明細 だけから読みました。カードリーダーや利用実績などの回答はもう一度入力してください"))
    return {"format": "ohshi-desk-case/1", "facility": facility, "plans": {}}, {"eligible": {}, "forms": {}}
