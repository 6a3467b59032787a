"""申請の準備 (issue 29), core only: the receipt amount of a 様式2 read back, and the verdict per program with every
reason, the figure to type and the papers (openpyxl only, fast)."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from ohshi_desk.core.case.model import CaseError, parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.papers.prepare import prepare
from ohshi_desk.core.workbook.form2 import FORM_BLOCK
from ohshi_desk.core.workbook.read import read_any
from ohshi_desk.core.workbook.write import export_case
from tests.prepare_cases import CASE, DAY, ready_case

AMOUNT_ROW, AMOUNT_LABEL = FORM_BLOCK["amount"]


@pytest.fixture
def rules(fixture_rules_plus):
    """These tests' rules: the fixture rules with テスト5 (tests/prepare_cases.py), not the real ones."""
    return fixture_rules_plus


def _prep(data, rules, scans=None):
    case = parse_case(data, rules)
    return {p.program_id: p for p in prepare(case, rules, compute(case, rules, DAY), scans)}


@pytest.fixture
def book(tmp_path, rules):
    path = tmp_path / "book.xlsx"
    export_case(parse_case(CASE, rules), rules, path)
    return path


def _fill(book, values: dict, out):
    wb = load_workbook(book)
    for title in wb.sheetnames:
        for vendor, cells in values.items():
            if title.startswith("様式2") and title.endswith(vendor):
                for ref, v in cells.items():
                    wb[title][ref] = v
    wb.save(out)
    return out


def test_the_receipt_amount_cell_is_written_empty_open_and_read_as_yen(book, rules, tmp_path):
    wb = load_workbook(book)
    forms = [wb[t] for t in wb.sheetnames if t.startswith("様式2")]
    assert len(forms) == 2
    for ws in forms:
        assert ws.cell(AMOUNT_ROW, 1).value == "領収書の金額（税込）"
        cell = ws.cell(AMOUNT_ROW, 2)
        assert cell.value is None and cell.protection.locked is False  # the vendor's to fill under protection
    ref = f"B{AMOUNT_ROW}"
    for typed, expected in (("８５万", 850000), ("¥160,000", 160000), ("160000円", 160000), (80000.0, 80000),
                            ("１６００００", 160000)):
        case = read_any(_fill(book, {"A社": {ref: typed}}, tmp_path / "f.xlsx"), rules)
        assert case.plans["fx_capped"].receipts["A社"]["amount"] == expected, typed
        assert case.raw["plans"]["fx_capped"]["receipts"]["A社"]["amount"] == expected
        assert not case.notices
    # written back on the next export, as the vendor wrote it
    case = read_any(_fill(book, {"A社": {ref: "16万"}}, tmp_path / "g.xlsx"), rules)
    again = tmp_path / "again.xlsx"
    export_case(case, rules, again)
    ws = next(load_workbook(again)[t] for t in load_workbook(again).sheetnames if t.endswith("A社"))
    assert ws[ref].value == 160000


def test_a_receipt_amount_that_is_no_amount_is_said_with_its_place_and_left_out(book, rules, tmp_path):
    case = read_any(_fill(book, {"A社": {f"B{AMOUNT_ROW}": "きゅうまん"}}, tmp_path / "f.xlsx"), rules)
    assert "amount" not in (case.plans["fx_capped"].receipts.get("A社") or {}) or \
        case.plans["fx_capped"].receipts["A社"]["amount"] is None
    [notice] = case.notices
    text = str(notice)
    assert "様式2_テスト1・訪問診療等_A社" in text and f"{AMOUNT_ROW}行目" in text and AMOUNT_LABEL in text
    assert "金額なしとして読みました" in text


def test_a_receipt_amount_in_a_case_file_is_checked_like_any_yen(rules):
    data = ready_case(**{"plans.fx_capped.receipts.A社.amount": "-5"})
    with pytest.raises(CaseError) as err:
        parse_case(data, rules)
    assert "plans.fx_capped.receipts.A社.amount" in str(err.value)
    assert parse_case(ready_case(**{"plans.fx_capped.receipts.A社.amount": "１６万円"}),
                      rules).plans["fx_capped"].receipts["A社"]["amount"] == 160000


def test_everything_in_order_is_ready_with_the_figures_to_type(rules):
    preps = _prep(ready_case(), rules)
    hv, aid = preps["fx_capped"], preps["fx_aid_card"]
    assert hv.ready and aid.ready, (hv.reasons, aid.reasons)
    assert (hv.total, hv.subsidy) == (160000, 120000)  # ① 40,000 + 120,000; 160,000 × 3/4
    assert (aid.total, aid.subsidy) == (73000, 54000)  # 80,000 capped at 73,000; × 3/4 = 54,750 → 54,000
    assert hv.total_label == "総事業費" and hv.subsidy_label == "補助金申請額"
    assert "120,000円" in hv.if_other and "160,000円" in hv.if_other
    assert [p.doc_id for p in hv.papers] == ["receipt", "receipt_breakdown"]
    assert [p.doc_id for p in aid.papers] == ["receipt", "receipt_breakdown", "system_checksheet"]
    assert all(p.state == "received" for p in hv.papers + aid.papers)
    assert hv.papers[0].state_text == "受領済（令和7年10月25日）"


def test_a_receipt_amount_differing_from_the_total_says_the_difference_in_yen(rules):
    hv = _prep(ready_case(**{"plans.fx_capped.receipts.A社.amount": 165000}), rules)["fx_capped"]
    assert not hv.ready
    assert hv.reasons == ["A社の領収書の金額 165,000円 と内訳書の総額（①＋②） 160,000円 が 5,000円 違います。"
                          "領収書のすべての明細を内訳書に書き、総額を一致させてください"]


def test_each_reason_is_said(rules):
    data = ready_case()
    del data["plans"]["fx_capped"]["receipts"]["A社"]["amount"]
    del data["plans"]["fx_capped"]["receipts"]["A社"]["date"]
    data["documents"]["fx_capped"]["receipt"] = {"progress": "依頼済"}
    del data["documents"]["fx_aid_card"]["system_checksheet"]
    aid_line = data["plans"]["fx_aid_card"]["lines"][0]
    aid_line["vendor_eligible"] = 90000  # ① above 金額: ② −10,000
    aid_line["estimate_date"] = "2025-10-21"  # the receipt's date is the estimate's
    aid_line["delivery_date"] = "2026-02-01"  # after the deadline
    preps = _prep(data, rules, scans={"fx_capped": {"A社": ["a.pdf"]}})
    hv, aid = preps["fx_capped"], preps["fx_aid_card"]
    assert hv.reasons == [
        "領収書をA社に依頼中です（まだ届いていません）",
        "A社の領収書内訳書（様式2）の日付が書かれていません（内訳書がまだ届いていないか、記入の途中です）",
        "A社の「領収書の金額（税込）」が様式2に書かれていません（領収書の総額と内訳書の総額を比べられません）"]
    assert aid.reasons == [
        "システム改修に係るチェックシートがまだ届いていません（B社から受け取ります）",
        "B社の領収書のスキャン（PDF・JPEG・PNG）がまだ選ばれていません",
        "B社の「レセコン改修等」の②補助対象外金額が -10,000円 です（①が金額を超えています）。①を金額以下に直してください",
        "B社の「レセコン改修等」の納品日（令和8年2月1日）が、この補助の対象の期間（令和6年4月1日〜令和8年1月15日）の外です",
        "B社の領収書の日付（令和7年10月21日）が見積日（令和7年10月21日）と同じ日です。見積書の日付ではありませんか"
        "（見積書は領収書の代わりになりません）"]
    assert [p.state for p in aid.papers] == ["received", "received", "missing"]


def test_tracking_dates_on_every_line_count_as_received_and_name_who_is_awaited(rules):
    data = ready_case()
    del data["documents"]
    lines = data["plans"]["fx_capped"]["lines"]
    lines[0]["receipt_date"] = lines[1]["receipt_date"] = "2025-10-20"
    lines[0]["breakdown_received_date"] = "2025-10-22"
    hv = _prep(data, rules)["fx_capped"]
    assert [(p.doc_id, p.state) for p in hv.papers] == [("receipt", "received"), ("receipt_breakdown", "missing")]
    assert hv.papers[0].date == dt.date(2025, 10, 20) and hv.papers[1].awaited_from == "A社"


def test_a_program_not_open_is_not_ready_and_a_coupon_program_needs_no_upload(rules):
    data = ready_case()
    data["plans"]["fx_coupons"] = {"lines": [{"item": "generic_reader", "unit_price": 4980}]}
    data["facility"]["fx_visits"] = 1  # テスト2 usable (closed on that day, as テスト1)
    case = parse_case(data, rules)
    preps = {p.program_id: p for p in prepare(case, rules, compute(case, rules, dt.date(2026, 3, 1)))}
    assert preps["fx_capped"].reasons[0] == "いまは申請できません（受付終了）"
    sp = preps["fx_coupons"]
    assert not sp.applies and not sp.ready and "書類をアップロードする申請ではありません" in sp.note


@pytest.mark.parametrize(("old", "new", "said"), [
    ("{receipt}の領収書の金額 {receipt_amount}", "{receipt}の領収書の金額 {amount}", "「{amount}」は埋められません"),
    ("cite: secondary_portal_guide", "cite: nowhere", "出典「nowhere」が meta.yaml の sources にありません"),
    ("no_scan: '{receipt}の", "no_scan: '{receipt の", "{ } の対応が正しくありません"),
    ("        no_scan: ", "        no_scans: ", "no_scan"),
])
def test_the_application_texts_are_checked_when_the_rules_load(tmp_path, old, new, said):
    from ohshi_desk.core.rules.build import RulesError, load_rules
    from tests.rules_edit import copy_rules, edit

    folder = copy_rules(tmp_path / "rules")
    edit(folder, "portals.yaml", old, new, exactly_once=True)
    with pytest.raises(RulesError) as err:
        load_rules(folder, cache_dir=False)
    assert "portals.yaml" in str(err.value) and said in str(err.value)
