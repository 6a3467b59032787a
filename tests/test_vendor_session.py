"""A vendor's session with the tracking workbook, played through LibreOffice itself (UNO: typing into cells,
inserting a column, copying a row, adding rows at the end, ① set to 0, a 金額 typed over its formula, 様式2's vendor
block) and through openpyxl; then the workbook is opened in ohshi-desk: every entry is read back or reported with
its sheet/row/column, every 様式2 equals its 明細 lines after LibreOffice recalculates, and a second export keeps
the vendor's entries."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.workbook.layout import HEAD_ROW
from ohshi_desk.core.workbook.read import read_workbook
from ohshi_desk.core.workbook.write import export_case
from tests.vendor_session_helpers import AS_OF, CASE, ROOT, layout, lo, vendor_edits


def _openpyxl_session(book: Path, out: Path, edits: list[dict]) -> None:
    wb = load_workbook(book)
    for e in edits:
        ws = wb[e["sheet"]]
        if e["op"] == "type":
            value = e["value"]
            if isinstance(value, str) and value[:1] == "=" and e["cell"][0] not in "FGH":
                ws[e["cell"]].value = value
                ws[e["cell"]].data_type = "s"
            else:
                ws[e["cell"]].value = value
        elif e["op"] == "copy_row":
            for cell in ws[e["from"]]:
                ws.cell(e["to"], cell.column).value = cell.value
    wb.save(out)


@pytest.fixture(scope="module")
def session(tmp_path_factory, rules):
    tmp = tmp_path_factory.mktemp("vendor")
    case = parse_case(CASE, rules)
    book = tmp / "book.xlsx"
    export_case(case, rules, book, AS_OF)
    lay = layout(book)
    _openpyxl_session(book, tmp / "by_openpyxl.xlsx", vendor_edits(lay, with_column=False))
    lo([{"in": str(book), "out": str(tmp / "by_lo.xlsx"), "edits": vendor_edits(lay, with_column=True)}], tmp)
    out = {}
    for name in ("by_openpyxl", "by_lo"):
        again = read_workbook(tmp / f"{name}.xlsx", rules)
        second = tmp / f"{name}_second.xlsx"
        export_case(again, rules, second, AS_OF)
        out[name] = (again, second)
    # one more LibreOffice run recalculates the second exports (one soffice for both)
    lo([{"in": str(out[n][1]), "out": str(tmp / f"{n}_recalc.xlsx"), "edits": []} for n in out], tmp)
    return {"tmp": tmp, "out": out, "lay": lay}


def _texts(case) -> list[str]:
    return [str(n) for n in case.notices]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["by_openpyxl", "by_lo"])
def test_every_vendor_entry_is_read_back_or_reported(session, rules, name):
    case, _second = session["out"][name]
    hv = case.plans["home_visit"].lines
    first = hv[0]
    assert (first.unit_price, first.quantity, first.description) == (38000, 2, "端末 X1")
    assert first.tracking == {"delivery_date": dt.date(2025, 12, 10)} and first.status == "納品済"
    assert first.note == "=2台のうち1台は予備"
    system = hv[1]
    assert system.item == "receipt_system_change" and system.amount == 110000 and system.unit_price == 120000
    tablet = hv[2]
    assert tablet.item == "mobile_terminal" and tablet.vendor == "B社"
    assert case.plans["medical_aid_card"].lines[0].vendor_eligible == 0
    copied, added = hv[3], hv[4]
    assert copied.description == "予備端末 X1" and copied.unit_price == 38000 and copied.vendor == "A社"
    assert (added.item, added.unit_price, added.quantity) == ("tablet", 5000, 1)
    assert len(hv) == 5 and len(case.plans["medical_aid_card"].lines) == 1
    receipt = case.raw["plans"]["home_visit"]["receipts"]["A社"]
    assert receipt == {"date": "2025-12-15", "name": "株式会社A社システム", "address": "大分県大分市府内町1-1",
                       "phone": "097-000-0000"}
    docs = case.raw["documents"]["home_visit"]
    assert next(iter(docs.values())) == {"progress": "受領済", "received_date": "2025-12-20", "note": "原本は院長室"}
    texts = _texts(case)
    rows = session["lay"]["rows"]
    end = session["lay"]["last"]
    expected = [
        f"明細 シート {rows['home_visit#2']}行目「項目」: 項目が「タブレット」から「モバイル端末等」に変わっています",
        f"明細 シート {end + 1}行目「ID」: この行の ID は {rows['home_visit#0']}行目と同じです（行をコピーしたようです） → 新しい行として読みました",
        f"明細 シート {end + 3}行目「補助制度」: 補助制度と項目が空の行です",
        "「追加の出張費」は読めません",
        "様式2_訪問診療等_A社 シート 4行目「保険医療機関等コード」: 「7654321」に変わっています（書き出したときは「1234567」）",
    ]
    for piece in expected:
        assert any(piece in t for t in texts), (piece, texts)
    if name == "by_lo":
        assert any("「社内メモ」: ohshi-desk の列ではありません（1行に記入あり" in t for t in texts), texts
    # the discount counts, and what the vendor moved to ② no longer does
    bd = {p["id"]: p for p in compute(case, rules, AS_OF)["programs"]}
    before = {p["id"]: p for p in compute(case.estimate, rules, AS_OF)["programs"]}
    assert before["home_visit"]["lines"][1]["eligible"] == 120000 and bd["home_visit"]["lines"][1]["eligible"] == 110000
    assert before["medical_aid_card"]["eligible_cost"] == 50000 and bd["medical_aid_card"]["eligible_cost"] == 0
    assert bd["medical_aid_card"]["subsidy"] == 0


@pytest.mark.slow
@pytest.mark.parametrize("name", ["by_openpyxl", "by_lo"])
def test_a_second_export_keeps_the_entries_and_each_form_equals_its_lines(session, rules, name):
    case, second = session["out"][name]
    again = read_workbook(second, rules)
    assert again.notices == []  # nothing new to report: the second export is clean
    assert again.raw["plans"] == case.raw["plans"] and again.raw["documents"] == case.raw["documents"]
    wb = load_workbook(session["tmp"] / f"{name}_recalc.xlsx", data_only=True)
    detail = wb["明細"]
    cols = {detail.cell(HEAD_ROW, c).value: c for c in range(1, detail.max_column + 1)}
    receipts: dict[tuple, list] = {}
    for r in range(3, detail.max_row + 1):
        if detail.cell(r, cols["ID"]).value:
            key = (detail.cell(r, cols["補助制度"]).value, detail.cell(r, cols["購入先・ベンダー"]).value or "購入先未記入")
            receipts.setdefault(key, []).append(r)
    checked = 0
    for title in wb.sheetnames:
        if not title.startswith("様式2") or "_続" in title:
            continue
        form = wb[title]
        head = form["A3"].value
        key = next(k for k in receipts if "補助制度: " in head and head.endswith(f"購入先: {k[1]}")
                   and rules.program(next(p for p in rules.program_ids if rules.program(p).short_name == k[0])).name
                   in head)
        lines = receipts[key]
        amounts = [detail.cell(r, cols["金額"]).value for r in lines]
        firsts = [detail.cell(r, cols["①補助対象金額"]).value for r in lines]
        assert form["D7"].value == sum(amounts), (title, form["D7"].value, amounts)
        assert form["D29"].value == sum(firsts) and form["E29"].value == sum(amounts) - sum(firsts)
        assert [form.cell(14 + i, 4).value for i in range(len(lines))] == firsts
        checked += 1
    # 訪問診療等 × A社 (with the copied row), × B社, × no vendor (the added row); 受給者証等一体化 × A社
    assert checked == len(receipts) == 4
    a_form = next(wb[t] for t in wb.sheetnames if t.startswith("様式2_訪問診療等_A社"))
    assert a_form["B9"].value == "株式会社A社システム" and a_form["B11"].value == "097-000-0000"
    assert a_form["B4"].value.date() == dt.date(2025, 12, 15)
    assert wb["必要書類"]["E2"].value == "受領済"


@pytest.mark.slow
def test_compute_lists_what_was_not_read_on_stderr_and_exits_0(session):
    book = session["tmp"] / "by_lo.xlsx"
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "compute", str(book)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert any(ln.startswith("注意: 明細 シート") and "コピーした" in ln for ln in lines), lines
    assert "Traceback" not in proc.stderr and "plans." not in proc.stderr  # no JSON paths for a workbook


@pytest.mark.slow
def test_what_changed_since_the_estimate(session, rules):
    from ohshi_desk.core.compute.changes import changes_since_estimate

    case, _second = session["out"]["by_lo"]
    found = {c["program_id"]: c for c in changes_since_estimate(case, rules, AS_OF)}
    aid = found["medical_aid_card"]
    assert aid["before"] > 0 and aid["after"] == 0
    assert [c["kind"] for c in aid["changes"]] == ["moved"]
    assert "①補助対象金額: 見積り 50,000円 → 業者の記入 0円（50,000円 を②へ）" in aid["changes"][0]["text"]
    kinds = [c["kind"] for c in found["home_visit"]["changes"]]
    assert kinds.count("added") == 2 and "price" in kinds and "amount" in kinds and "item" in kinds
    texts = [c["text"] for c in found["home_visit"]["changes"]]
    assert "2点 × 40,000円 → 2点 × 38,000円" in texts and "金額（値引きなど）: 120,000円 → 110,000円" in texts
    # nothing changed: nothing to show
    again = read_workbook(session["out"]["by_lo"][1], rules)
    assert changes_since_estimate(again, rules, AS_OF) == []


@pytest.mark.slow
def test_drop_downs_and_the_table_survive_libreoffice_saves(session):
    """Saved by LibreOffice (twice: the vendor's save, then the second export recalculated), 明細's drop-downs and
    input messages still reach LIST_ROWS (LibreOffice keeps them only 1,000 rows below the last filled cell) and 明細
    is still a table."""
    from ohshi_desk.core.workbook.layout import COL, DETAIL_FIRST, LIST_ROWS

    for name in ("by_lo", "by_lo_recalc"):
        ws = load_workbook(session["tmp"] / f"{name}.xlsx")["明細"]
        header = {ws.cell(HEAD_ROW, c).value: get_column_letter(c) for c in range(1, ws.max_column + 1)}
        reach = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                reach[get_column_letter(rng.min_col)] = (rng.min_row, rng.max_row, dv.type)
        for column in ("補助制度", "項目", "状況", "数量", "購入先・ベンダー", "申請日"):
            assert reach[header[column]][:2] == (DETAIL_FIRST, LIST_ROWS), (name, column, reach)
        assert reach[header["状況"]][2] == "list"
        assert ws.tables and len(COL) <= ws.max_column
