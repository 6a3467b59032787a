"""Every cell of every sheet is compared with what was written (the hidden sheet's record): what a vendor typed
into a locked cell after unprotecting, into the freed cells of an unmerged vendor block, onto a renamed sheet or a
sheet of their own is read into the case or named with its sheet, cell and value (openpyxl edits: fast; the
LibreOffice session plays the same in test_vendor_behaviours_lo.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.workbook.layout import COL, DETAIL_FIRST, REASON_HEADER
from ohshi_desk.core.workbook.read import read_workbook
from ohshi_desk.core.workbook.write import export_case


@pytest.fixture(scope="module")
def rules(fixture_rules):
    """The workbook needs some program, not the real ones: the fixture rules (tests/fixtures/README.md)."""
    return fixture_rules


AS_OF = dt.date(2025, 11, 1)
CASE = {"format": "ohshi-desk-case/1", "as_of": "2025-11-01",
        "facility": {"kind": "clinic", "name": "やまだ内科", "prefecture": "大分県", "municipality": "大分市",
                     "institution_code": "1234567"},
        "plans": {"fx_capped": {"lines": [
            {"item": "mobile_terminal", "quantity": 2, "unit_price": 40000, "vendor": "A社"},
            {"item": "receipt_system_change", "unit_price": 120000, "vendor": "A社"},
            {"item": "tablet", "unit_price": 30000, "vendor": "B社"}]}}}


@pytest.fixture
def book(tmp_path, rules):
    path = tmp_path / "book.xlsx"
    export_case(parse_case(CASE, rules), rules, path, AS_OF)
    return path


def _form(wb, vendor):
    return next(wb[t] for t in wb.sheetnames if t.startswith("様式2") and t.endswith(vendor))


def test_a_book_saved_unchanged_names_nothing(book, rules, tmp_path):
    wb = load_workbook(book)
    wb.save(tmp_path / "same.xlsx")
    assert read_workbook(tmp_path / "same.xlsx", rules).notices == []


def test_locked_cells_typed_after_unprotecting_are_named_with_sheet_cell_and_value(book, rules, tmp_path):
    wb = load_workbook(book)
    reason = f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[COL[REASON_HEADER] - 1]}{DETAIL_FIRST}"
    wb["明細"][reason] = "理由はこちらで書き直しました"
    a = _form(wb, "A社")
    a["D7"] = 999999  # 総額 typed over its formula
    a["D29"] = 5  # 小計
    a["C40"] = "備考: 振込先は別紙"
    wb["概要"]["B6"] = "大分県別府市"  # 所在地
    wb["必要書類"]["C2"] = "別の書類名"
    wb["必要書類"]["A1"] = None  # a heading cleared
    wb.create_sheet("連絡").cell(3, 2, "納品は12月")
    wb.save(tmp_path / "typed.xlsx")
    case = read_workbook(tmp_path / "typed.xlsx", rules)
    texts = [str(n) for n in case.notices]
    expected = [f"明細 シート {DETAIL_FIRST}行目「{REASON_HEADER}」: 「理由はこちらで書き直しました」と書かれています",
                f"{a.title} シート 7行目: D7 に「999999」と書かれています", f"{a.title} シート 29行目: D29 に「5」",
                f"{a.title} シート 40行目: C40 に「備考: 振込先は別紙」", "概要 シート 6行目: B6 に「大分県別府市」",
                "必要書類 シート 2行目: C2 に「別の書類名」", "必要書類 シート 1行目: A1 が空になっています",
                "連絡 シート: ohshi-desk が作っていないシートです（1個のセルに記入あり、最初は B3「納品は12月」）"]
    for piece in expected:
        assert any(piece in t for t in texts), (piece, texts)
    assert all(n.unread for n in case.notices)


def test_an_unmerged_vendor_block_is_read_whole_and_other_freed_cells_named(book, rules, tmp_path):
    wb = load_workbook(book)
    a = _form(wb, "A社")
    a.unmerge_cells("B10:E10")
    a["B10"], a["D10"] = "大分県大分市府内町", "1丁目1番1号"
    a.unmerge_cells("B11:E11")
    a["E11"] = "代表者 山田太郎"
    wb.save(tmp_path / "unmerged.xlsx")
    case = read_workbook(tmp_path / "unmerged.xlsx", rules)
    block = case.raw["plans"]["fx_capped"]["receipts"]["A社"]
    assert block["address"] == "大分県大分市府内町　1丁目1番1号"
    assert block["phone"] == "代表者 山田太郎"  # (B11 empty: the freed cell is the row's only entry)
    texts = [str(n) for n in case.notices]
    assert any("10行目「所在地」: 結合が解除され" in t and "1丁目1番1号" in t for t in texts), texts


def test_renamed_and_reordered_sheets_are_read_under_their_new_names(book, rules, tmp_path):
    wb = load_workbook(book)
    wb["必要書類"].title = "書類チェック"
    wb["書類チェック"]["E2"] = "受領済"
    a = _form(wb, "A社")
    a.title = "A社の内訳書"
    a["B4"] = "2025/12/15"
    wb.move_sheet("書類チェック", offset=-3)
    wb.save(tmp_path / "renamed.xlsx")
    case = read_workbook(tmp_path / "renamed.xlsx", rules)
    texts = [str(n) for n in case.notices]
    assert next(iter(case.raw["documents"]["fx_capped"].values()))["progress"] == "受領済"
    assert case.raw["plans"]["fx_capped"]["receipts"]["A社"]["date"] == "2025-12-15"
    assert any("必要書類 シートの名前が「書類チェック」に変わっています" in t for t in texts), texts
    assert any("「A社の内訳書」に変わっています" in t for t in texts), texts
    assert not any("作っていない" in t or "と書かれています" in t for t in texts), texts


def _vendor_col(ws, name):
    from ohshi_desk.core.workbook.layout import HEAD_ROW

    return next(c for c in range(1, ws.max_column + 1) if ws.cell(HEAD_ROW, c).value == name)


@pytest.mark.parametrize("edit", ["renamed", "split"])
def test_a_renamed_vendor_or_a_split_receipt_carries_its_vendor_block_and_is_listed(book, rules, tmp_path, edit):
    from ohshi_desk.core.compute.changes import changes_since_estimate

    wb = load_workbook(book)
    a = _form(wb, "A社")
    a["B4"], a["B10"] = "2025/12/15", "大分県大分市府内町1-1"
    ws = wb["明細"]
    if edit == "renamed":
        for r in (DETAIL_FIRST, DETAIL_FIRST + 1):  # the full company name written on both of its lines
            ws.cell(r, _vendor_col(ws, "購入先・ベンダー"), "株式会社エー・システム")
        targets = ["株式会社エー・システム"]
    else:  # one receipt split in two: its two lines on 領収書No 1 and 2
        ws.cell(DETAIL_FIRST, _vendor_col(ws, "領収書No"), "1")
        ws.cell(DETAIL_FIRST + 1, _vendor_col(ws, "領収書No"), "2")
        targets = ["A社#1", "A社#2"]
    wb.save(tmp_path / "moved.xlsx")
    case = read_workbook(tmp_path / "moved.xlsx", rules)
    receipts = case.raw["plans"]["fx_capped"]["receipts"]
    for key in targets:
        assert receipts[key] == {"date": "2025-12-15", "address": "大分県大分市府内町1-1"}, receipts
    assert "A社" not in receipts
    texts = [str(n) for n in case.notices]
    assert any("の様式2 の記入（日付（西暦）・所在地）を「" in t for t in texts), texts
    changes = [c["text"] for p in changes_since_estimate(case, rules, AS_OF) for c in p["changes"]]
    assert any(t.startswith("購入先・領収書No: A社 → ") for t in changes), changes
    # the next export prints the block on the receipt it became
    again = tmp_path / "again.xlsx"
    export_case(case, rules, again, AS_OF)
    wb2 = load_workbook(again)
    for key in targets:
        vendor, _, no = key.partition("#")
        form = next(wb2[t] for t in wb2.sheetnames if t.startswith(f"様式2_テスト1・訪問診療等_{vendor}"[:27])
                    and (not no or t.endswith(no)))
        assert form["B10"].value == "大分県大分市府内町1-1" and form["B4"].value.date() == dt.date(2025, 12, 15)


def test_a_date_typed_on_a_form_alone_is_listed_as_a_change_and_a_200_character_address_has_room(book, rules,
                                                                                                    tmp_path):
    from ohshi_desk.core.compute.changes import changes_since_estimate

    wb = load_workbook(book)
    a = _form(wb, "A社")
    assert a.row_dimensions[10].height >= 15 * 5  # 200 full-width characters at ~43 a line, before any is typed
    a["B4"] = "2025/12/15"
    wb.save(tmp_path / "dated.xlsx")
    case = read_workbook(tmp_path / "dated.xlsx", rules)
    assert case.notices == []
    changes = [c["text"] for p in changes_since_estimate(case, rules, AS_OF) for c in p["changes"]]
    assert changes == ["様式2（A社）の記入: 日付"], changes  # 取り込み結果 opens on it


def test_a_receipt_split_off_a_receipt_that_keeps_lines_gets_a_copy_of_its_block(book, rules, tmp_path):
    wb = load_workbook(book)
    _form(wb, "A社")["B10"] = "大分県大分市府内町1-1"
    ws = wb["明細"]
    ws.cell(DETAIL_FIRST + 1, _vendor_col(ws, "領収書No"), "2")  # one of A社's two lines on a second receipt
    wb.save(tmp_path / "split.xlsx")
    case = read_workbook(tmp_path / "split.xlsx", rules)
    receipts = case.raw["plans"]["fx_capped"]["receipts"]
    assert receipts["A社"] == receipts["A社#2"] == {"address": "大分県大分市府内町1-1"}
    assert any("「A社 No 2」の様式2 にも写しました" in str(n) for n in case.notices), case.notices


def test_a_book_read_back_unchanged_parses_its_case_once(rules, monkeypatch, tmp_path):
    """Nothing differs from the estimate: the estimate is the same case, parsed once (issue 26: reading back
    ≤ 0.25 s), with a raw of its own."""
    import copy

    import ohshi_desk.core.workbook.read as read

    data = copy.deepcopy(CASE)
    for line in data["plans"]["fx_capped"]["lines"]:
        line.setdefault("quantity", 1)  # (as the book is read back: else the quantities read differ)
    path = tmp_path / "same.xlsx"
    export_case(parse_case(data, rules), rules, path, AS_OF)
    calls = []
    monkeypatch.setattr(read, "parse_case", lambda data, r: calls.append(data) or parse_case(data, r))
    case = read.read_workbook(path, rules)
    assert len(calls) == 1
    assert case.estimate is not case and case.estimate.raw == case.raw and case.estimate.raw is not case.raw
    assert case.estimate.notices == [] and case.estimate.estimate is None
    assert [ln.unit_price for ln in case.estimate.plans["fx_capped"].lines] == [40000, 120000, 30000]
    wb = load_workbook(path)  # a changed price: the estimate is parsed apart and keeps the price written
    wb["明細"].cell(DETAIL_FIRST, COL["単価（税込）"]).value = 45000
    wb.save(path)
    calls.clear()
    case = read.read_workbook(path, rules)
    assert len(calls) == 2
    assert case.plans["fx_capped"].lines[0].unit_price == 45000
    assert case.estimate.plans["fx_capped"].lines[0].unit_price == 40000


def test_the_garbage_collector_waits_while_a_book_is_read_and_runs_after(book, rules, monkeypatch):
    """Issue 26: the cyclic collector is paused for the read (the cells read make it run again and again over
    objects all still in use) and on again after it, even when the read fails."""
    import gc

    import ohshi_desk.core.workbook.read as read

    during = []
    real = read._read_workbook
    monkeypatch.setattr(read, "_read_workbook", lambda p, r: during.append(gc.isenabled()) or real(p, r))
    assert read.read_workbook(book, rules).plans["fx_capped"].lines
    with pytest.raises(read.WorkbookError):
        read.read_workbook(book.with_name("missing.xlsx"), rules)
    assert during == [False, False] and gc.isenabled()


def test_cells_typed_below_row_300_or_right_of_column_an_are_named_not_dropped(book, rules, tmp_path):
    """A sheet other than 明細 is read in rows 1–300 and columns A–AN: what a vendor types outside that is named
    with its sheet, how many cells and the first one, not left out in silence (issue 26)."""
    wb = load_workbook(book)
    a = _form(wb, "A社")
    a["C320"] = "追記: 納品は1月"
    a["AP5"] = "控え"
    wb["概要"]["B400"] = "別紙あり"
    wb.save(tmp_path / "outside.xlsx")
    texts = [str(n) for n in read_workbook(tmp_path / "outside.xlsx", rules).notices]
    for piece in [f"{a.title} シート 5行目: ohshi-desk が読む範囲（300行目・AN列まで）の外に 2個のセルの記入があります"
                  "（最初は AP5「控え」）",
                  "概要 シート 400行目: ohshi-desk が読む範囲（300行目・AN列まで）の外に 1個のセルの記入があります"
                  "（最初は B400「別紙あり」）"]:
        assert any(piece in t for t in texts), (piece, texts)
