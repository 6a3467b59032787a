"""The tracking workbook's layout, declared once: its sheets, 明細's columns (header, width, the line's key, who
fills it, how it is read), the fixed cells of 様式2, and the hidden sheet's format. The writer (``write.py``,
``form2.py``, ``cells.py``) and the reader (``read*.py``) both import this module, never each other.

A new 明細 column for a line's text or date is one declaration, the field's in core/case/fields.py with its
``column`` width: the column follows 備考, the writer writes the line's value under it, the reader reads it back into
the line and never calls it an unknown column. A column read by code of its own is a :class:`Column` here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ohshi_desk.core.case.fields import BY_KEY, FIELDS, withheld_sections
from ohshi_desk.core.case.model import TRACKING_DATES

# ------------------------------------------------------------------------------------------------- sheets

SUMMARY = "概要"
DETAIL = "明細"
CHECKLIST = "必要書類"
FORM_PREFIX = "様式2"
# The hidden sheet (very hidden): A1 WORKBOOK_FORMAT, B1 a word to the vendor, C1 payload_hash(); from row 2, column
# A the case as exported (JSON, without WITHHELD, in CHUNK-character pieces) and column B the snapshot (JSON) of what
# was written: "eligible" {line id: ① as written}, "lines" {line id: the row's content}, "forms" {様式2 title:
# [program, receipt key, vendor]}, "markers" {様式2 title: its F1 formula}, "facility_cells" {cell: [label, value]},
# "withheld" [keys], and (since issue 26) "reasons" [見積りの理由 texts] and "cells" (pack_record: every cell of
# every sheet but 明細). A key a reader does not know is ignored; a key an older workbook lacks is not compared.
DATA_SHEET = "_ohshi"
WORKBOOK_FORMAT = "ohshi-desk-workbook/1"
WITHHELD = withheld_sections()  # case keys that do not travel to vendors (core/case/fields.py says which)
CHUNK = 30000  # a cell holds at most 32,767 characters


def payload_hash(case_json: str, snapshot_json: str) -> str:
    """The hidden sheet's C1: the hash of its case and snapshot texts (a hand edit of either is said)."""
    return hashlib.sha256((case_json + "\n" + snapshot_json).encode("utf-8")).hexdigest()


# ----------------------------------------------------------------------------------------- 明細's columns

@dataclass(frozen=True)
class Column:
    """A 明細 column. ``field``: the line's key in the case (None: not a line value); ``who``: "vendor",
    "institution" (the clinic or hospital: coloured apart) or "ohshi" (written by ohshi-desk); ``kind``: how the
    reader reads it — "text" (up to the field's ``max_len`` characters, declared once in core/case/fields.py),
    "date", "own" (read by its own code in read_lines.py), "computed" (never read: a formula or ohshi-desk's words),
    "id"."""

    header: str
    width: float
    field: str | None = None
    who: str = "vendor"
    kind: str = "text"

    @property
    def limit(self) -> int:
        """How many characters the reader takes (a text column): the line field's ``max_len``, declared once."""
        return (BY_KEY[self.field].max_len or 0) if self.field in BY_KEY else 0


DETAIL_COLUMNS: list[Column] = [
    Column("ID", 4, kind="id", who="ohshi"),
    Column("補助制度", 17, kind="own"),
    Column("項目", 13, "item", kind="own"),
    Column("内訳（品名・型番）", 20, "description"),
    Column("数量", 5, "quantity", kind="own"),
    Column("単価（税込）", 11, "unit_price", kind="own"),
    Column("金額", 11, "amount", kind="own"),
    Column("①補助対象金額", 11, "vendor_eligible", kind="own"),
    Column("②補助対象外金額", 11, kind="computed"),
    Column("購入先・ベンダー", 14, "vendor"),
    Column("領収書No", 6, "receipt"),
    *[Column(label, 8.5, key, kind="date",
             who="institution" if key in ("receipt_date", "breakdown_received_date", "checksheet_received_date",
                                     "application_date", "decision_date", "payment_date") else "vendor")
      for key, label in TRACKING_DATES.items()],
    Column("状況", 11, "status"),
    Column("備考", 20, "note"),
    # a line field declared with a column of its own (core/case/fields.py ``column``): nothing to add here
    *[Column(f.label, f.column, f.key, kind=f.type) for f in FIELDS if f.column and f.section == "line"],
    Column("見積りの理由（ohshi-desk）", 36, kind="computed", who="ohshi"),
    Column("様式2キー（ohshi-desk）", 4, kind="computed", who="ohshi"),
]
COL = {c.header: i + 1 for i, c in enumerate(DETAIL_COLUMNS)}
BY_HEADER = {c.header: c for c in DETAIL_COLUMNS}
CLINIC_COLUMNS = tuple(c.header for c in DETAIL_COLUMNS if c.who == "institution")
TEXT_COLUMNS = {c.field: (c.header, c.limit) for c in DETAIL_COLUMNS if c.kind == "text"}  # field: (header, limit)
DATE_COLUMNS = {c.field: c.header for c in DETAIL_COLUMNS if c.kind == "date"}
COMPUTED = {c.header for c in DETAIL_COLUMNS if c.kind == "computed"}  # computed by the workbook or ohshi-desk
REQUIRED = ("補助制度", "項目", "数量", "単価（税込）")
KEY_HEADER = "様式2キー（ohshi-desk）"  # hidden: each row's receipt, which the 様式2 sheets look up (never a fixed row)
REASON_HEADER = "見積りの理由（ohshi-desk）"
TOTAL_ROW = 1  # the totals (they count every row below, added ones included), above the headers: a sort from the
HEAD_ROW = 2  # filter buttons on the headers never takes them in (they were under the headers before; still read)
DETAIL_FIRST = 3
LIST_ROWS = 2000  # drop-downs reach this far, for rows a vendor adds at the end
SPARE_ROWS = 100  # rows below the lines that get the key formula, for lines a vendor adds at the end
FORM_LOOKUP_ROWS = 10000  # how far down 明細 a 様式2 looks for its lines
MAX_ROWS = 5000  # 明細 rows read

# --------------------------------------------------------------------------------------------- 様式2

FORM_LINES = 15  # lines a page
FORM_HEAD = 13  # the lines' header row; the lines are rows 14–28
FORM_SUBTOTAL = FORM_HEAD + FORM_LINES + 1  # row 29: 小計 in D and E
FORM_TOTAL = "D7"  # 総額（①＋②）
FORM_MARKER = (1, 6)  # F1 (hidden): the receipt's key, by which a renamed 様式2 is found
# the vendor block: field -> (row of column B, label)
FORM_BLOCK = {"date": (4, "日付（西暦）"), "name": (9, "開発事業者等名称"), "address": (10, "所在地"),
              "phone": (11, "電話番号"), "amount": (7, "領収書の金額（税込）")}
FORM_TEXT_LIMIT = 200  # 名称, 所在地, 電話番号 of a 様式2 vendor block
FORM_LINE_COLUMNS = ((2, "項目"), (3, "内訳"), (4, "①補助対象金額"), (5, "②補助対象外金額"))

# ------------------------------------------------------------------------------------------- 必要書類

CHECK_HEADERS = ("補助制度", "状況・締切", "書類", "用意する人", "進み具合", "受領日", "備考", "ID")
CHECK_READ = ("進み具合", "受領日", "備考")  # the columns read back

# ------------------------------------------------------------------------ the hidden sheet's record of cells


def cell_digest(value) -> str:
    """What a cell held, as the hidden sheet's record keeps it: "=" for a formula, "" for nothing, else 8 hex digits
    of its text (a number as written: 3 and 3.0 are one; a date at midnight is its day)."""
    import datetime as _dt
    import zlib

    if isinstance(value, str) and value.startswith("="):
        return "="
    if isinstance(value, bool):
        value = str(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, _dt.datetime) and value.time() == _dt.time():
        value = value.date()
    text = "" if value is None else str(value).strip()
    return f"{zlib.crc32(text.encode('utf-8')):08x}" if text else ""


def cell_ref(row: int, col: int) -> str:
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


RECORD_DIFF = 40  # a sheet that differs from the shape before it in fewer cells is stored as that shape + a diff


def pack_record(sheets: dict[str, dict[str, str]]) -> dict:
    """The hidden sheet's record of what every visible sheet held ("cells": a sheet's {A1 ref: cell_digest}), kept
    small: a sheet much like one before it (the pages of a 様式2) is that sheet's shape and the cells that differ."""
    shapes: list[dict[str, str]] = []
    out: dict[str, list] = {}
    for title, cells in sheets.items():
        best = None
        for i in range(len(shapes) - 1, max(len(shapes) - 4, -1), -1):  # the last few shapes only: O(n)
            shape = shapes[i]
            diff = {k: v for k, v in cells.items() if shape.get(k) != v}
            gone = [k for k in shape if k not in cells]
            if len(diff) + len(gone) < RECORD_DIFF and (best is None or len(diff) + len(gone) < best[0]):
                best = (len(diff) + len(gone), i, diff, gone)
        if best is None:
            shapes.append(cells)
            out[title] = [len(shapes) - 1, {}, []]
        else:
            out[title] = [best[1], best[2], best[3]]
    return {"shapes": shapes, "sheets": out}


def unpack_record(record) -> dict[str, dict[str, str]]:
    """{sheet title: {ref: digest}} from :func:`pack_record`'s form ({} for a workbook without one, or a broken one)."""
    if not isinstance(record, dict) or not isinstance(record.get("shapes"), list):
        return {}
    shapes = record["shapes"]
    out = {}
    for title, entry in (record.get("sheets") or {}).items():
        try:
            i, diff, gone = entry
            cells = {**shapes[i], **diff}
            for k in gone:
                cells.pop(k, None)
        except (ValueError, TypeError, IndexError, KeyError):
            continue
        out[title] = {k: v for k, v in cells.items() if isinstance(k, str) and isinstance(v, str)}
    return out
