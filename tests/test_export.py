"""The tracking workbook: key cells against the engine (openpyxl), formulas recalculated by LibreOffice, PDF pages,
and a round trip through an edit saved by LibreOffice."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.workbook.form2 import FORM_LINES
from ohshi_desk.core.workbook.layout import COL, DATA_SHEET, DETAIL_FIRST
from ohshi_desk.core.workbook.read import read_workbook
from ohshi_desk.core.workbook.write import ExportError, export_case

from .libreoffice import soffice

AS_OF = dt.date(2025, 11, 1)
INJECTIONS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "=HYPERLINK(\"http://x\")"]


def make_cases(rules, n=22) -> list[dict]:
    rnd = random.Random(20261122)
    kinds = list(rules.kinds)
    pids = [p.id for p in rules.programs if p.purchases]
    cases = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        plans = {}
        for pid in rnd.sample(pids, rnd.randint(1, 4)):
            program = rules.program(pid)
            items = list(program.suggested_items) + ["desktop_pc", "other"]
            count = rnd.choice([0, 1, 2, 3, 5])
            lines = []
            for _j in range(count):
                line = {"item": rnd.choice(items), "quantity": rnd.randint(1, 3),
                        "unit_price": rnd.choice([980, 4980, 30000, 41000, 130000, 800000])}
                if rnd.random() < 0.5:
                    line["description"] = rnd.choice(INJECTIONS + ["型番 ABC-123", "レセコン改修一式"])
                if rnd.random() < 0.3:
                    line["vendor"] = rnd.choice(INJECTIONS + ["〇〇システム株式会社"])
                if rnd.random() < 0.3:
                    line["order_date"] = "2025-10-01"
                lines.append(line)
            plans[pid] = {"lines": lines}
            if pid == "medical_aid_card":
                plans[pid]["option"] = rnd.choice(["certificate", "both", "card"])
        data = {"format": "ohshi-desk-case/1",
                "facility": {"kind": kind, "name": INJECTIONS[i % len(INJECTIONS)] if i % 4 == 0 else f"医院{i}",
                             "prefecture": "大分県", "institution_code": "1234567",
                             "obligation_exempt": i % 3 == 0, "checkup_provider": i % 2 == 0},
                "face_reader": {"maker": rnd.choice(list(rules.makers)), "free_units": 1},
                "plans": plans}
        if i % 5 == 0:
            data["usage"] = {"oct2023_receipts": 1000, "oct2023_rate_percent": 4, "oct2023_users": 40,
                             "best_month_users_2024": 200, "peak_monthly_uses": 800}
        cases.append(data)
    # one with more than 15 lines (continuation sheets), one with no lines at all
    cases.append({"format": "ohshi-desk-case/1", "facility": {"kind": "hospital", "name": "長い病院"},
                  "plans": {"home_visit": {"lines": [{"item": "mobile_terminal", "unit_price": 10000 + k,
                                                      "description": f"端末{k}"} for k in range(37)]}}})
    cases.append({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic", "name": "空の医院"},
                  "plans": {"online_care": {"lines": []}, "medical_aid_card": {"lines": []}}})
    return cases


@pytest.fixture(scope="module")
def exported(tmp_path_factory, rules):
    folder = tmp_path_factory.mktemp("books")
    out = []
    for i, data in enumerate(make_cases(rules)):
        case = parse_case(data, rules)
        path = folder / f"case{i:02d}.xlsx"
        bd = export_case(case, rules, path, AS_OF)
        out.append((path, case, bd))
    return out


@pytest.fixture(scope="module")
def recalculated(exported, tmp_path_factory):
    """The same workbooks opened, recalculated and saved again by LibreOffice (one soffice run for all)."""
    folder = tmp_path_factory.mktemp("recalc")
    paths = [str(p) for p, _c, _b in exported]
    soffice("--calc", "--convert-to", "xlsx", "--outdir", str(folder), *paths, timeout=600)
    return {Path(p).name: folder / Path(p).name for p in paths}


def _programs_with_form(bd):
    return [p for p in bd["programs"] if any(d["id"] == "receipt_breakdown" for d in p["documents"])
            and p["status"] not in ("not_applicable", "not_needed")]


def test_sheets_and_key_cells_match_the_engine(exported, rules):
    for path, case, bd in exported:
        wb = load_workbook(path)
        values = load_workbook(path, data_only=True)
        names = wb.sheetnames
        assert names[:2] == ["概要", "明細"] and "必要書類" in names and DATA_SHEET in names
        assert wb[DATA_SHEET].sheet_state == "veryHidden"  # not in Excel's 再表示 list
        ws = wb["概要"]
        rows = {ws.cell(r, 1).value: r for r in range(12, 12 + len(bd["programs"]))}
        for p in bd["programs"]:
            r = rows[p["name"]]
            assert ws.cell(r, 2).value == p["status_label"]
            assert ws.cell(r, 4).value == p["eligible_cost"]
            assert ws.cell(r, 7).value == p["subsidy"]
        assert "SubsidyTotal" in wb.defined_names and "SubsidyTotalOpen" in wb.defined_names
        detail = wb["明細"]
        lines = [(p["id"], ln) for p in bd["programs"] for ln in p["lines"]]
        rows = {f"{pid}#{ln['index']}": k for k, (pid, ln) in enumerate(lines, start=DETAIL_FIRST)}
        for k, (pid, ln) in enumerate(lines, start=DETAIL_FIRST):
            assert detail.cell(k, COL["ID"]).value == f"{pid}#{ln['index']}"
            assert detail.cell(k, COL["単価（税込）"]).value == ln["unit_price"]
            # ① is a formula of its line (all of 金額, a capped part, or 0), its value written beside it
            assert values["明細"].cell(k, COL["①補助対象金額"]).value == ln["eligible"]
            assert detail.cell(k, COL["①補助対象金額"]).value in (f"=G{k}", f"=MIN(G{k},{ln['eligible']})", "=0")
            assert detail.cell(k, COL["金額"]).data_type == "f"
            desc = detail.cell(k, COL["内訳（品名・型番）"])
            assert desc.value == (ln["description"] or None)
            if desc.value:
                assert desc.data_type == "s"
        for p in _programs_with_form(bd):
            for titles, chunks in _form_sheets(wb, p, rules):
                form = wb[titles[0]]
                assert (form["B5"].value or "") == rules.prefecture_code(case.facility.prefecture)
                assert (form["B6"].value or "") == rules.kinds[case.facility.kind]["score_table_code"]
                assert (form["D4"].value or "") == case.facility.institution_code
                if case.facility.prefecture == "大分県":
                    assert form["B5"].value == "44"
                for n, (title, chunk) in enumerate(zip(titles, chunks, strict=True)):
                    sheet = wb[title]
                    for i in range(FORM_LINES):
                        ln = chunk[i] if i < len(chunk) else None
                        assert sheet.cell(14 + i, 1).value == n * FORM_LINES + i + 1
                        row = rows[f"{p['id']}#{ln['index']}"] if ln else None
                        # each line finds its 明細 row by the receipt's key (F, hidden), never a fixed row: the
                        # form follows 明細 through sorts and added or deleted rows
                        assert values[title].cell(14 + i, 6).value == (row if ln else None)
                        assert sheet.cell(14 + i, 4).value == f"=IF(F{14 + i}=\"\",\"\",N(INDEX(m_f,F{14 + i})))"
                        assert "'明細'!$H$" not in str(sheet.cell(14 + i, 3).value)
                        assert values[title].cell(14 + i, 4).value == (ln["eligible"] if ln else None)
                        # No, 項目, 内訳 and the amounts of a line all start at the top of its (wrapped, taller) row
                        assert [sheet.cell(14 + i, c).alignment.vertical for c in range(1, 6)] == ["top"] * 5


def _form_sheets(wb, p, rules):
    """[(sheet titles of one receipt, [lines on each page])] for a program: one receipt per vendor, in 明細's order."""
    from ohshi_desk.core.workbook.form2 import NO_VENDOR

    vendors: dict[str, list] = {}
    for ln in p["lines"]:
        vendors.setdefault(ln["vendor"], []).append(ln)
    out = []
    short = rules.program(p["id"]).short_name
    for vendor, lines in (vendors.items() or [("", [])]):
        pages = [lines[i:i + FORM_LINES] for i in range(0, len(lines), FORM_LINES)] or [[]]
        first = next(t for t in wb.sheetnames if t.startswith(f"様式2_{short}_")
                     and wb[t]["A3"].value.endswith(f"購入先: {vendor or NO_VENDOR}") and "_続" not in t)
        out.append(([first] + [f"{first}_続{n}" for n in range(1, len(pages))], pages))
    return out


def test_no_formula_injection(exported):
    found = 0
    for path, _case, _bd in exported:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value in INJECTIONS:
                        assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                        found += 1
    assert found >= 10


ERRORS = ("#VALUE!", "#REF!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!", "Err:")


@pytest.mark.slow
def test_libreoffice_recalculation_equals_the_engine(exported, recalculated, rules):
    assert len(exported) >= 20
    for path, _case, bd in exported:
        wb = load_workbook(recalculated[path.name], data_only=True)
        # the values ohshi-desk wrote beside its formulas (for viewers that do not calculate) are LibreOffice's
        ours, formulas = load_workbook(path, data_only=True), load_workbook(path)
        cached = 0
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        value = ours[ws.title][cell.coordinate].value
                        lo_value = wb[ws.title][cell.coordinate].value
                        if value is None:  # an empty text ("": a form line with no 明細 row, a key of an empty row)
                            assert lo_value in (None, ""), (path.name, ws.title, cell.coordinate, lo_value)
                            continue
                        assert value == lo_value, (path.name, ws.title, cell.coordinate)
                        cached += 1
        assert cached > 0
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(ERRORS), (path.name, ws.title, cell.coordinate, cell.value)
        # defined names point at the totals, which LibreOffice computed
        for name, key in (("SubsidyTotal", "total_subsidy"), ("SubsidyTotalOpen", "total_subsidy_open"),
                          ("SubsidyTotalClosed", "total_subsidy_closed")):
            dest = next(iter(wb.defined_names[name].destinations))
            assert wb[dest[0]][dest[1].replace("$", "")].value == bd[key], (path.name, name)
        detail = wb["明細"]
        lines = [ln for p in bd["programs"] for ln in p["lines"]]
        for k, ln in enumerate(lines, start=DETAIL_FIRST):
            assert detail.cell(k, COL["金額"]).value == ln["amount"]
            assert detail.cell(k, COL["②補助対象外金額"]).value == ln["ineligible"]
            for col in ("内訳（品名・型番）", "購入先・ベンダー"):
                value = detail.cell(k, COL[col]).value
                expected = ln["description"] if col.startswith("内訳") else ln["vendor"]
                assert (value or "") == expected  # injected text stays text after LibreOffice
        total_row = 1  # the totals sit above the headers (out of a sort's way) and count every row below
        assert detail.cell(total_row, COL["金額"]).value == sum(ln["amount"] for ln in lines)
        assert detail.cell(total_row, COL["①補助対象金額"]).value == sum(ln["eligible"] for ln in lines)
        for p in _programs_with_form(bd):
            for titles, chunks in _form_sheets(wb, p, rules):
                for title, chunk in zip(titles, chunks, strict=True):
                    sheet = wb[title]
                    assert sheet["D29"].value == sum(ln["eligible"] for ln in chunk)
                    assert sheet["E29"].value == sum(ln["ineligible"] for ln in chunk)
                    # 総額 = this receipt's total (one vendor's lines of one program)
                    assert sheet["D7"].value == sum(ln["amount"] for c in chunks for ln in c)


@pytest.mark.slow
def test_pdf_of_each_sheet_fits_its_page(exported, tmp_path):
    assert shutil.which("pdfinfo"), "poppler-utils (pdfinfo) is needed"
    long_case = next(item for item in exported if item[1].facility.name == "長い病院")
    path, _case, bd = long_case
    soffice("--convert-to", "pdf", "--outdir", str(tmp_path), str(path))
    pdf = tmp_path / (path.stem + ".pdf")
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    texts = [subprocess.run(["pdftotext", "-layout", "-f", str(i), "-l", str(i), str(pdf), "-"], capture_output=True,
                            text=True).stdout for i in range(1, pages + 1)]
    forms = [t for t in texts if "記入上の注意" in t]
    assert len(forms) == 3  # 37 lines: 15 + 15 + 7, each sheet on one page with its 小計 and notes
    for t in forms:
        assert "小計" in t and "領収書内訳書" in t and "総額" in t and "No" in t
    # 明細 prints in three parts (lines, tracking dates, 状況/備考/reasons), each with 補助制度/項目/内訳 repeated
    # (found by their column headers: 概要's notes also speak of 単価)
    parts = [[t for t in texts if key in t and "領収書内訳書" not in t]
             for key in ("単価（税込）", "入金日", "見積りの理由（ohshi-desk）")]
    details = [t for part in parts for t in part]
    assert all(parts) and all("補助制度" in t and "内訳（品名・型番）" in t for t in details)
    assert all("端末36" in "".join(part) for part in parts)  # the last line is printed in every part
    assert sum("いま申請できる見積額の合計" in t for t in texts) == 1  # 概要 on one page
    assert pages == 1 + len(details) + 3 + 1, info
    sizes = [line for line in info.splitlines() if line.startswith("Page") and "size:" in line]
    for line in sizes:  # A4 portrait (595 × 842 pt) or landscape
        w, h = (float(x) for x in line.split("size:")[1].split("pts")[0].split("x"))
        assert {round(w), round(h)} == {595, 842}, line


@pytest.mark.slow
def test_round_trip_after_an_edit_saved_by_libreoffice(tmp_path, rules):
    data = {"format": "ohshi-desk-case/1", "as_of": "2025-11-01",
            "facility": {"kind": "clinic", "name": "やまだ内科", "x_custom": "残す"},
            "plans": {"home_visit": {"lines": [{"item": "mobile_terminal", "unit_price": 40000},
                                               {"item": "receipt_system_change", "unit_price": 120000}]},
                      "medical_aid_card": {"option": "both",
                                           "lines": [{"item": "receipt_system_change", "unit_price": 50000}]}}}
    case = parse_case(data, rules)
    book = tmp_path / "book.xlsx"
    export_case(case, rules, book)
    # the vendor fills in model, price and dates (openpyxl here), then LibreOffice opens and saves the file
    wb = load_workbook(book)
    ws = wb["明細"]
    ws.cell(4, COL["内訳（品名・型番）"]).value = "レセコン改修 XYZ-9"
    ws.cell(4, COL["単価（税込）"]).value = "150,000円"
    ws.cell(4, COL["納品日"]).value = dt.date(2025, 12, 10)
    ws.cell(4, COL["領収書受領日"]).value = "令和7年12月15日"
    ws.cell(4, COL["状況"]).value = "納品済"
    ws.cell(5, COL["単価（税込）"]).value = 73000
    wb.save(book)
    resaved = tmp_path / "lo"
    soffice("--calc", "--convert-to", "xlsx", "--outdir", str(resaved), str(book))
    again = read_workbook(resaved / "book.xlsx", rules)
    lines = again.plans["home_visit"].lines
    assert [ln.unit_price for ln in lines] == [40000, 150000]
    assert lines[1].description == "レセコン改修 XYZ-9"
    assert lines[1].tracking == {"delivery_date": dt.date(2025, 12, 10), "receipt_date": dt.date(2025, 12, 15)}
    assert lines[1].status == "納品済"
    assert again.plans["medical_aid_card"].lines[0].unit_price == 73000
    assert again.raw["facility"]["x_custom"] == "残す"
    bd = {p["id"]: p for p in compute(again, rules, AS_OF)["programs"]}
    assert bd["home_visit"]["subsidy"] == 127000  # 40,000 + 130,000 (cap) = 170,000 × 3/4 = 127,500 → 127,000
    assert bd["medical_aid_card"]["subsidy"] == 54000
    # and the command line reads the workbook too
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "compute", str(resaved / "book.xlsx")], capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    assert "\"subsidy\": 127000" in proc.stdout


def test_a_bad_value_typed_in_the_sheet_names_row_and_column(tmp_path, rules):
    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"},
                       "plans": {"home_visit": {"lines": [{"item": "tablet", "unit_price": 1000}]}}}, rules)
    book = tmp_path / "b.xlsx"
    export_case(case, rules, book)
    wb = load_workbook(book)
    wb["明細"].cell(DETAIL_FIRST, COL["単価（税込）"]).value = "-300"
    wb.save(book)
    again = read_workbook(book, rules)  # one bad cell does not refuse the whole workbook: it is said, and kept
    assert [str(n) for n in again.notices] == [
        f"明細 シート {DETAIL_FIRST}行目「単価（税込）」: マイナスの金額は入力できません（値引きは値引き後の金額で入力してください） → 元の 1,000円のまま読みました"]
    assert again.plans["home_visit"].lines[0].unit_price == 1000


def test_not_a_workbook_of_ours_or_truncated(tmp_path, rules):
    from openpyxl import Workbook

    from ohshi_desk.core.case.model import CaseError

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    with pytest.raises(CaseError, match="ohshi-desk で書き出した"):
        read_workbook(other, rules)
    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}}, rules)
    book = tmp_path / "b.xlsx"
    export_case(case, rules, book)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(book.read_bytes()[: book.stat().st_size // 2])
    with pytest.raises(CaseError, match="読めません"):
        read_workbook(cut, rules)


def test_export_to_a_read_only_folder_or_a_locked_file(tmp_path, rules, monkeypatch):
    import os

    case = parse_case({"format": "ohshi-desk-case/1", "facility": {"kind": "clinic"}}, rules)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):  # root ignores the mode: simulate the refusal the OS would give
            monkeypatch.setattr("tempfile.mkstemp", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "x")))
        with pytest.raises(ExportError) as err:
            export_case(case, rules, ro / "out.xlsx")
        assert "書き込めません" in str(err.value) and err.value.suggestion is not None
    finally:
        ro.chmod(0o700)
    monkeypatch.undo()
    target = tmp_path / "open_in_excel.xlsx"
    target.write_bytes(b"previous content")
    real_replace = os.replace

    def locked(src, dst):  # what Windows does while Excel holds the file open
        if str(dst) == str(target):
            raise PermissionError(13, "The process cannot access the file")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(ExportError) as err:
        export_case(case, rules, target)
    assert "開いたまま" in str(err.value) and err.value.suggestion.name == "open_in_excel (2).xlsx"
    assert target.read_bytes() == b"previous content"  # nothing lost
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cli_export_and_bad_target(tmp_path):
    root = Path(__file__).resolve().parents[1]
    example = root / "resources" / "examples" / "yamada_clinic.ohshi.json"
    out = tmp_path / "o.xlsx"
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "export", str(example), "-o", str(out)], capture_output=True,
                          text=True, cwd=root)
    assert proc.returncode == 0 and out.exists()
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "export", str(example), "-o", str(tmp_path / "no" / "o.xlsx")],
                          capture_output=True, text=True, cwd=root)
    assert proc.returncode == 2 and "フォルダ" in proc.stderr and "Traceback" not in proc.stderr
