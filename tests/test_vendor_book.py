"""The workbook as a vendor receives it (openpyxl only, fast): what guides the vendor, what travels, how it prints,
and what ohshi-desk says about a workbook it cannot read as it stands."""

from __future__ import annotations

import os

import pytest
from openpyxl import load_workbook

from ohshi_desk.core.case.model import CaseError, parse_case
from ohshi_desk.core.workbook.cells import MAX_ROW_HEIGHT
from ohshi_desk.core.workbook.layout import COL, DATA_SHEET, DETAIL_FIRST, HEAD_ROW, LIST_ROWS
from ohshi_desk.core.workbook.read import read_any, read_workbook
from ohshi_desk.core.workbook.write import export_case


@pytest.fixture(scope="module")
def rules(fixture_rules):
    """The workbook needs some program, not the real ones: the fixture rules (tests/fixtures/README.md)."""
    return fixture_rules


CASE = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "name": "やまだ内科"},
        "plans": {"fx_capped": {"lines": [
            {"item": "mobile_terminal", "unit_price": 40000, "vendor": "A社", "note": "長い備考。" * 200},
            {"item": "tablet", "unit_price": 30000, "vendor": "B社", "description": "=HYPERLINK(\"x\")"}]}}}


@pytest.fixture
def book(tmp_path, rules):
    path = tmp_path / "book.xlsx"
    export_case(parse_case(CASE, rules), rules, path)
    return path


def test_what_guides_the_vendor_and_how_it_prints(book, rules):
    wb = load_workbook(book)
    ws = wb["明細"]
    # drop-downs for 補助制度 / 項目 / 状況 reach rows added at the end
    ranges = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    letter = {name: ws.cell(1, c).column_letter for name, c in COL.items()}
    for name in ("補助制度", "項目", "状況"):
        ref = f"{letter[name]}{DETAIL_FIRST}:{letter[name]}{LIST_ROWS}"
        assert ref in ranges, (name, ranges)
    assert "テスト1・訪問診療等" in ranges[f"{letter['補助制度']}{DETAIL_FIRST}:{letter['補助制度']}{LIST_ROWS}"]
    assert rules.items["receipt_system_change"]["label"] in ranges[f"{letter['項目']}{DETAIL_FIRST}:{letter['項目']}{LIST_ROWS}"]
    # text beginning with = stays text, and F2 + Enter cannot make it a formula
    cell = ws.cell(DETAIL_FIRST + 1, COL["内訳（品名・型番）"])
    assert cell.data_type == "s" and cell.quotePrefix
    assert not ws.cell(DETAIL_FIRST, COL["内訳（品名・型番）"]).quotePrefix
    # a 1,000-character note cannot make a row taller than a page; 明細 prints at 80 % in three parts
    assert all((d.height or 0) <= MAX_ROW_HEIGHT for d in ws.row_dimensions.values())
    assert ws.row_dimensions[DETAIL_FIRST].height == MAX_ROW_HEIGHT
    assert ws.page_setup.scale == 80 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert [b.id for b in ws.col_breaks.brk] == [COL["領収書No"], COL["入金日"]]
    assert ws.print_title_cols == "$B:$D"
    # protected without a password: formulas and labels locked, what a vendor fills open (also below the lines)
    for sheet in ("概要", "明細", "様式2_テスト1・訪問診療等_A社", "必要書類"):
        assert wb[sheet].protection.sheet and not wb[sheet].protection.password, sheet
    assert not ws.protection.insertRows and not ws.protection.insertColumns  # rows and columns may still be added
    r = DETAIL_FIRST
    for name in ("内訳（品名・型番）", "数量", "単価（税込）", "金額", "①補助対象金額", "購入先・ベンダー", "状況", "項目"):
        assert not ws.cell(r, COL[name]).protection.locked, name
    assert ws.cell(r, COL["②補助対象外金額"]).protection.locked and ws.cell(2, COL["金額"]).protection.locked
    assert not ws.column_dimensions["B"].protection.locked
    form = wb["様式2_テスト1・訪問診療等_A社"]
    assert not form["B9"].protection.locked and not form["B4"].protection.locked
    assert form["D14"].protection.locked and form["D4"].protection.locked  # lines follow 明細; codes are the clinic's
    # only what a vendor needs travels, and it is out of the 再表示 list
    assert wb[DATA_SHEET].sheet_state == "veryHidden"
    # one 様式2 per receipt
    assert [t for t in wb.sheetnames if t.startswith("様式2")] == ["様式2_テスト1・訪問診療等_A社", "様式2_テスト1・訪問診療等_B社"]


def test_the_file_gets_normal_permissions(book):
    mask = os.umask(0o022)
    os.umask(mask)
    assert book.stat().st_mode & 0o777 == 0o666 & ~mask


def test_xls_and_ods_are_told_to_save_as_xlsx(tmp_path, rules):
    for name, head in (("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100), ("calc.ods", b"PK\x03\x04")):
        path = tmp_path / name
        path.write_bytes(head)
        with pytest.raises(CaseError) as err:
            read_any(path, rules)
        assert "「Excel ブック (.xlsx)」を選んで保存" in str(err.value) and name in str(err.value)
    # an .ods renamed .xlsx: a zip whose first member says it is an OpenDocument spreadsheet
    import zipfile

    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(renamed, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>", compress_type=zipfile.ZIP_DEFLATED)
    with pytest.raises(CaseError) as err:
        read_any(renamed, rules)
    assert str(err.value).startswith("「renamed.xlsx」は .xlsx 形式ではありません") and "を選んで保存" in str(err.value)


def test_a_workbook_message_names_the_file_not_a_case_file(tmp_path, rules):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\0" * 50)
    with pytest.raises(CaseError) as err:
        read_any(broken, rules)
    assert str(err.value) == "「broken.xlsx」は Excel ファイルとして読めません（途中で切れているか、壊れています）"


def test_an_edited_hidden_sheet_is_reported(book, rules):
    wb = load_workbook(book)
    ws = wb[DATA_SHEET]
    ws["A2"].value = ws["A2"].value.replace("やまだ内科", "やまだ外科")
    wb.save(book)
    case = read_workbook(book, rules)
    assert case.facility.name == "やまだ外科"
    assert [str(n) for n in case.notices] == [
        f"{DATA_SHEET} シート: ohshi-desk の隠しシートが書き換えられています → 書き換えられた内容のまま読みました。見積りの元の値と違うかもしれません"]


def test_sheets_copied_into_another_book_are_still_read(book, rules, tmp_path):
    wb = load_workbook(book)
    del wb[DATA_SHEET]
    wb["明細"].title = "明細のコピー"
    wb.save(book)
    case = read_workbook(book, rules)
    assert case.facility.kind == "clinic" and case.facility.name == "やまだ内科"
    assert [ln.unit_price for ln in case.plans["fx_capped"].lines] == [40000, 30000]
    texts = [str(n) for n in case.notices]
    assert any("隠しシート（_ohshi）がありません" in t for t in texts), texts
    assert any(t.startswith("明細のコピー シート: 明細 シートの名前が変わっています") for t in texts), texts


def test_a_workbook_without_the_line_headers_is_refused_with_the_sheet_named(book, rules):
    wb = load_workbook(book)
    wb["明細"].cell(HEAD_ROW, COL["単価（税込）"]).value = "値段"
    wb.save(book)
    with pytest.raises(CaseError, match="明細 シート: 見出し（補助制度・項目・数量・単価（税込））の行が見つかりません"):
        read_workbook(book, rules)


def test_usage_figures_do_not_travel_to_the_vendor(tmp_path, rules):
    data = {**CASE, "usage": {"oct2023_receipts": 1234, "oct2023_rate_percent": 4}}
    path = tmp_path / "book.xlsx"
    export_case(parse_case(data, rules), rules, path)
    hidden = "".join(str(c.value) for row in load_workbook(path)[DATA_SHEET].iter_rows() for c in row if c.value)
    assert "oct2023_receipts" not in hidden and "1234" not in hidden
    case = read_workbook(path, rules)
    assert case.usage is None and case.withheld == ["usage"]
    assert any("利用実績（レセプト件数・利用率など）は業者に渡すファイルには入れていません" in str(n) for n in case.notices)


def test_a_workbook_of_the_previous_version_opens_without_false_notices(tmp_path, rules):
    """Written as the previous version did: no snapshot, lines from row 2, the totals row at the bottom."""
    import json

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "明細"
    headers = ["ID", "補助制度", "項目", "内訳（品名・型番）", "数量", "単価（税込）", "金額", "①補助対象金額", "②補助対象外金額"]
    ws.append(headers)
    ws.append(["fx_capped#0", "テスト1・訪問診療等", "モバイル端末等", None, 1, 40000, "=E2*F2", 40000, "=G2-H2"])
    ws.append([])
    ws.append([None, None, None, None, None, "合計", "=SUM(G2:G2)", "=SUM(H2:H2)", "=SUM(I2:I2)"])
    wb.create_sheet("様式2_テスト1・訪問診療等")
    data = wb.create_sheet(DATA_SHEET)
    data["A1"] = "ohshi-desk-workbook/1"
    one = {**CASE, "plans": {"fx_capped": {"lines": CASE["plans"]["fx_capped"]["lines"][:1]}}}
    data["A2"] = json.dumps(one, ensure_ascii=False)
    path = tmp_path / "old.xlsx"
    wb.save(path)
    case = read_workbook(path, rules)
    assert case.notices == []
    assert [ln.unit_price for ln in case.plans["fx_capped"].lines] == [40000]


def test_a_vendor_with_two_receipts_gets_two_forms(book, rules, tmp_path):
    wb = load_workbook(book)
    ws = wb["明細"]
    ws.cell(DETAIL_FIRST + 1, COL["購入先・ベンダー"]).value = "A社"  # both lines from A社, on two receipts
    ws.cell(DETAIL_FIRST, COL["領収書No"]).value = "1"
    ws.cell(DETAIL_FIRST + 1, COL["領収書No"]).value = 2
    wb.save(book)
    case = read_workbook(book, rules)
    assert [ln.receipt for ln in case.plans["fx_capped"].lines] == ["1", "2"] and case.notices == []
    again = tmp_path / "again.xlsx"
    export_case(case, rules, again)
    wb = load_workbook(again)
    assert [t for t in wb.sheetnames if t.startswith("様式2")] == ["様式2_テスト1・訪問診療等_A社_1", "様式2_テスト1・訪問診療等_A社_2"]
    wb["様式2_テスト1・訪問診療等_A社_2"]["B10"].value = "大分市"
    wb.save(again)
    case = read_workbook(again, rules)
    assert case.raw["plans"]["fx_capped"]["receipts"] == {"A社#2": {"address": "大分市"}}
    third = tmp_path / "third.xlsx"
    export_case(case, rules, third)
    wb = load_workbook(third)
    assert wb["様式2_テスト1・訪問診療等_A社_2"]["B10"].value == "大分市" and wb["様式2_テスト1・訪問診療等_A社_1"]["B10"].value is None


def test_a_row_added_to_the_checklist_is_reported(book, rules):
    wb = load_workbook(book)
    ws = wb["必要書類"]
    r = ws.max_row + 1
    ws.cell(r, 3).value = "見積書の写し"
    ws.cell(r, 5).value = "受領済"
    wb.save(book)
    texts = [str(n) for n in read_workbook(book, rules).notices]
    assert texts == [f"必要書類 シート {r}行目: ohshi-desk が書き出した書類の行ではありません（足された行） → "
                     "読みませんでした。書類の進み具合は ohshi-desk が書き出した行に書いてください"]


def test_a_number_typed_over_the_second_column_is_reported(book, rules):
    wb = load_workbook(book)
    wb["明細"].cell(DETAIL_FIRST, COL["②補助対象外金額"]).value = 40000
    wb.save(book)
    texts = [str(n) for n in read_workbook(book, rules).notices]
    assert texts == [f"明細 シート {DETAIL_FIRST}行目「②補助対象外金額」: ②に 40,000円 が書かれています（②は 金額−① で決まります） → "
                     "読みませんでした。②に回す分は ①補助対象金額 を減らして書いてください"]


def test_anything_typed_anywhere_is_read_or_reported_never_a_traceback(book, rules, tmp_path):
    import datetime as dt
    import random

    rnd = random.Random(15)
    junk = [None, "", "abc", "=1/0", "-5", 1.5, 10**12, True, dt.datetime(2025, 1, 2), "１２３", "令和8年13月1日",
            "テスト1・訪問診療等", "タブレット", "fx_capped#0", "fx_capped#9", "#", "合計", "x" * 2000, 0, -1]
    for i in range(25):
        wb = load_workbook(book)
        for name in ("明細", "様式2_テスト1・訪問診療等_A社", "必要書類"):
            ws = wb[name]
            for _ in range(12):
                cell = ws.cell(rnd.randint(1, 12), rnd.randint(1, 24))
                if cell.__class__.__name__ != "MergedCell":  # a merged range's hidden cells take no value
                    cell.value = rnd.choice(junk)
        path = tmp_path / f"j{i}.xlsx"
        wb.save(path)
        try:
            case = read_workbook(path, rules)
        except CaseError as exc:
            assert "Traceback" not in str(exc) and "plans." not in str(exc)
        else:
            assert all(n.sheet and n.problem and n.action for n in case.notices)


def _rewrite_sheet(path, out, sheet: str, edit) -> None:
    """A copy of the workbook with one sheet's XML changed by ``edit`` (as another program saves it)."""
    import zipfile

    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == f"xl/worksheets/{sheet}.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)


def test_a_dimension_to_the_last_row_or_a_stale_one_reads_every_line_and_no_more(book, rules, tmp_path):
    import re

    # LibreOffice after a row deletion: <dimension ref="A1:X1048576"/> and an empty row 1,048,576
    huge = tmp_path / "huge.xlsx"
    _rewrite_sheet(book, huge, "sheet2", lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:X1048576"/>',
                                                           x).replace("</sheetData>", '<row r="1048576"/></sheetData>'))
    case = read_workbook(huge, rules)
    assert [str(n) for n in case.notices] == []
    assert len(case.plans["fx_capped"].lines) == 2
    # a stale dimension that ends above the last line: the line below it is read all the same
    stale = tmp_path / "stale.xlsx"
    _rewrite_sheet(book, stale, "sheet2", lambda x: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:X3"/>', x))
    case = read_workbook(stale, rules)
    assert [ln.unit_price for ln in case.plans["fx_capped"].lines] == [40000, 30000] and case.notices == []


def test_more_than_5000_lines_are_still_said(book, rules, tmp_path):
    from ohshi_desk.core.workbook.read_cells import MAX_ROWS

    wb = load_workbook(book)
    ws = wb["明細"]
    for r in range(DETAIL_FIRST + 2, DETAIL_FIRST + MAX_ROWS + 1):  # (a case holds 500 lines: a column beside)
        ws.cell(r, len(COL) + 2).value = "メモ"
    wb.save(tmp_path / "big.xlsx")
    texts = [str(n) for n in read_workbook(tmp_path / "big.xlsx", rules).notices]
    assert f"明細 シート {HEAD_ROW + MAX_ROWS + 1}行目: {MAX_ROWS}行を超えています → それより下の行は読みませんでした" in texts


def test_first_follows_its_line_and_a_first_above_the_amount_is_flagged_in_the_sheet_and_on_reading(book, rules,
                                                                                                    tmp_path):
    wb = load_workbook(book)
    ws = wb["明細"]
    letter = {name: ws.cell(1, c).column_letter for name, c in COL.items()}
    e, a, i = letter["①補助対象金額"], letter["金額"], letter["②補助対象外金額"]
    assert ws[f"{e}{DETAIL_FIRST}"].value == f"={a}{DETAIL_FIRST}"  # all of 金額 (a formula of the line)
    rules_by_range = {str(rng.sqref): [r.formula[0] for r in rng.rules] for rng in ws.conditional_formatting}
    assert rules_by_range[f"{e}{DETAIL_FIRST}:{e}{LIST_ROWS}"] == [
        f"AND(ISNUMBER({e}{DETAIL_FIRST}),ISNUMBER({a}{DETAIL_FIRST}),{e}{DETAIL_FIRST}>{a}{DETAIL_FIRST})"]
    assert rules_by_range[f"{i}{DETAIL_FIRST}:{i}{LIST_ROWS}"] == [f"AND(ISNUMBER({i}{DETAIL_FIRST}),{i}{DETAIL_FIRST}<0)"]
    prompts = {str(dv.sqref): dv.prompt for dv in ws.data_validations.dataValidation if dv.showInputMessage}
    assert "金額より大きくはできません" in prompts[f"{e}{DETAIL_FIRST}:{e}{LIST_ROWS}"]
    ws[f"{e}{DETAIL_FIRST}"] = 50000  # typed over the formula, above 金額 (40,000)
    wb.save(tmp_path / "typed.xlsx")
    case = read_workbook(tmp_path / "typed.xlsx", rules)
    assert case.plans["fx_capped"].lines[0].vendor_eligible == 50000
    assert any(f"{DETAIL_FIRST}行目「①補助対象金額」: ①（50,000円）が金額（40,000円）より大きくなっています" in str(n)
               for n in case.notices), case.notices
    # ① pasted as a value (the estimate's) and then 単価 lowered: ② is below 0 on the sheet; said, the estimate's ① read
    wb = load_workbook(book)
    wb["明細"][f"{e}{DETAIL_FIRST}"] = 40000
    wb["明細"][f"{letter['単価（税込）']}{DETAIL_FIRST}"] = 30000
    wb.save(tmp_path / "pasted.xlsx")
    case = read_workbook(tmp_path / "pasted.xlsx", rules)
    assert case.plans["fx_capped"].lines[0].vendor_eligible is None
    assert [n.action for n in case.notices if n.column == "①補助対象金額"] == ["見積りの計算で読みました（①は金額までです）"]


def _with_shared_strings(book, out, count: int) -> None:
    """The workbook with a shared-strings table of ``count`` more texts (as a hostile or a broken file has), after
    the texts the workbook's own cells use."""
    import re
    import zipfile

    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        own = ""
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/sharedStrings.xml":
                own = re.search(r"<sst[^>]*>(.*)</sst>", data.decode("utf-8"), re.S).group(1)
                continue
            if item.filename == "[Content_Types].xml" and b"sharedStrings" not in data:
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                                 b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                                                 b"</Types>")
            dst.writestr(item, data)
        body = own + "".join(f"<si><t>{i:x}</t></si>" for i in range(count))
        dst.writestr("xl/sharedStrings.xml", '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                                             f' count="1" uniqueCount="1">{body}</sst>')


def test_a_workbook_of_millions_of_strings_is_refused_before_it_is_loaded(book, rules, tmp_path):
    big = tmp_path / "strings.xlsx"
    _with_shared_strings(book, big, 400_000)  # its count attribute says 1: the texts are counted
    with pytest.raises(CaseError) as err:
        read_workbook(big, rules)
    assert str(err.value) == ("「strings.xlsx」は読みません: 文字列が多すぎます（300,000個を超えています）。"
                              "ohshi-desk で作った Excel ファイルか確認してください")
    small = tmp_path / "fine.xlsx"
    _with_shared_strings(book, small, 1000)
    assert [ln.unit_price for ln in read_workbook(small, rules).plans["fx_capped"].lines] == [40000, 30000]


def test_a_sort_of_the_visible_columns_only_is_matched_by_content_and_said_once(tmp_path, rules):
    import re

    from ohshi_desk.core.compute.changes import changes_since_estimate

    case = {"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "name": "やまだ内科"},
            "plans": {"fx_capped": {"lines": [
                {"item": "mobile_terminal", "unit_price": 40000, "vendor": "A社"},
                {"item": "receipt_system_change", "unit_price": 120000, "vendor": "A社"},
                {"item": "tablet", "unit_price": 30000, "vendor": "B社"}]}}}
    path = tmp_path / "book.xlsx"
    export_case(parse_case(case, rules), rules, path)
    wb = load_workbook(path)
    ws = wb["明細"]
    rows = [DETAIL_FIRST + k for k in range(3)]
    visible = range(COL["補助制度"], COL["見積りの理由（ohshi-desk）"] + 1)
    held = {r: [ws.cell(r, c).value for c in visible] for r in rows}
    for r, src in zip(rows, reversed(rows), strict=True):  # B:W reversed, the hidden IDs (A) left where they were
        for c, v in zip(visible, held[src], strict=True):  # (a formula moves as a sort moves it: to its new row)
            ws.cell(r, c).value = re.sub(rf"(?<=[A-Z]){src}\b", str(r), v) if isinstance(v, str) and v[:1] == "=" else v
    ws.cell(rows[0], COL["単価（税込）"]).value = 32000  # and the tablet's price changed as well
    wb.save(path)
    read = read_workbook(path, rules)
    texts = [str(n) for n in read.notices]
    assert texts == ["明細 シート「ID」: 並べ替えで、隠れた ID の列と行の中身がずれています（2行） → "
                     "行の中身で見積りの行と結び付けて読みました（並べ替えるときは表全体を選んでください）"]
    assert [(ln.item, ln.unit_price) for ln in read.plans["fx_capped"].lines] == [
        ("tablet", 32000), ("receipt_system_change", 120000), ("mobile_terminal", 40000)]
    found = changes_since_estimate(read, rules)
    assert [c["text"] for c in found[0]["changes"] if c["kind"] != "eligible"] == ["1点 × 30,000円 → 1点 × 32,000円"]


def test_the_writer_makes_a_table_input_messages_and_the_clinics_own_colour(book):
    """明細 is an Excel Table (its calculated columns give a row added in Excel 金額, ② and the key); every column
    the vendor or the clinic fills has an input message; the clinic's date columns are coloured apart; a 様式2 is
    one page wide but never shrunk to one page high; every formula carries its value."""
    from ohshi_desk.core.workbook.layout import CLINIC_COLUMNS
    from ohshi_desk.core.workbook.write import PROMPTS

    wb = load_workbook(book)
    ws = wb["明細"]
    (name, ref), = ws.tables.items()
    table = ws.tables[name]
    assert ref.startswith(f"A{HEAD_ROW}:")
    formulas = {c.name: c.calculatedColumnFormula.attr_text if c.calculatedColumnFormula else None
                for c in table.tableColumns}
    assert "数量" in formulas["金額"] and "単価（税込）" in formulas["金額"] and formulas["①補助対象金額"] is None
    letter = {n: ws.cell(1, c).column_letter for n, c in COL.items()}
    prompts = {str(dv.sqref): dv.prompt for dv in ws.data_validations.dataValidation if dv.showInputMessage}
    for column in [*PROMPTS, *CLINIC_COLUMNS]:
        assert prompts.get(f"{letter[column]}{DETAIL_FIRST}:{letter[column]}{LIST_ROWS}"), column
    fill = {n: ws.cell(DETAIL_FIRST, COL[n]).fill.fgColor.rgb for n in ("数量", "納品日", "申請日", "入金日")}
    assert fill["数量"] == fill["納品日"] != fill["申請日"] == fill["入金日"]
    assert ws.cell(HEAD_ROW, COL["申請日"]).fill.fgColor.rgb != ws.cell(HEAD_ROW, COL["数量"]).fill.fgColor.rgb
    form = wb["様式2_テスト1・訪問診療等_A社"]
    assert form.sheet_properties.pageSetUpPr.fitToPage and form.page_setup.fitToWidth in (None, 1)  # 1 by default
    assert form.page_setup.fitToHeight == 0
    values = load_workbook(book, data_only=True)  # the lines' formulas carry their values (an empty one reads None)
    for r in (DETAIL_FIRST, DETAIL_FIRST + 1):
        for c in range(1, len(COL) + 1):
            if ws.cell(r, c).data_type == "f":
                assert values["明細"].cell(r, c).value not in (None, ""), (r, c)
    assert [values["様式2_テスト1・訪問診療等_A社"].cell(14, c).value for c in (4, 5)] == [40000, 0]


def test_a_renamed_form_is_found_by_its_marker_and_read(book, rules, tmp_path):
    """A 様式2 renamed (its title gone) is still read — found by the hidden marker its first page was written with."""
    wb = load_workbook(book)
    form = wb["様式2_テスト1・訪問診療等_A社"]
    form.title = "A社の内訳書"
    form["B4"] = "2025/12/15"
    form["B10"] = "大分市府内町1-1"
    wb.save(tmp_path / "renamed.xlsx")
    case = read_workbook(tmp_path / "renamed.xlsx", rules)
    assert case.raw["plans"]["fx_capped"]["receipts"]["A社"] == {"date": "2025-12-15", "address": "大分市府内町1-1"}
    assert any("「様式2_テスト1・訪問診療等_A社」から「A社の内訳書」に変わっています" in str(n) for n in case.notices), case.notices
