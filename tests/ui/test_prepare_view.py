"""申請の準備 in the wizard (issue 29): after a vendor's workbook is opened, the result page offers it; the window
says per program ready or not with the reasons, the figures to type and the papers; a bad scan is refused naming
the file; the PDFs are written; the print carries the section."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.workbook.write import export_case
from ohshi_desk.ui.pages import RESULT
from tests.prepare_cases import DAY, ready_case
from tests.scans import pdf, png


@pytest.fixture
def rules(fixture_rules_plus):
    """These tests' rules (and their wizard's): the fixture rules with テスト5 (tests/prepare_cases.py)."""
    return fixture_rules_plus


@pytest.fixture
def boxes(monkeypatch):
    seen = []

    def exec_(box):
        seen.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return seen


def _open_returned(wizard, tmp_path, rules, data):
    book = tmp_path / "戻り.xlsx"
    export_case(parse_case(data, rules), rules, book)
    assert wizard.open_path(book)
    if wizard.import_report is not None:
        wizard.import_report.close()
    while wizard.currentId() != RESULT:
        wizard.next()
        QApplication.processEvents()
    return book


def test_the_view_says_ready_and_not_ready_with_reasons_and_writes_the_pdfs(wizard, qtbot, tmp_path, rules, boxes,
                                                                           clock):
    clock(DAY)  # the programs' window is open
    data = copy.deepcopy(ready_case())
    data["plans"]["fx_aid_card"]["receipts"]["B社"]["amount"] = 85000
    _open_returned(wizard, tmp_path, rules, data)
    page = wizard.result_page
    assert page.prepare_button.isVisible()
    view = page.open_prepare()
    qtbot.waitUntil(view.isVisible)
    hv, aid = (next(p for p in view.preps if p.program_id == pid) for pid in ("fx_capped", "fx_aid_card"))
    # scans not picked yet: a reason of each
    assert hv.reasons == ["A社の領収書のスキャン（PDF・JPEG・PNG）がまだ選ばれていません"]
    assert view.set_scans("fx_capped", "A社", [pdf(tmp_path / "A社.pdf")])
    assert view.set_scans("fx_aid_card", "B社", [png(tmp_path / "B社.png")])
    hv, aid = (next(p for p in view.preps if p.program_id == pid) for pid in ("fx_capped", "fx_aid_card"))
    assert hv.ready and not aid.ready
    assert aid.reasons == ["B社の領収書の金額 85,000円 と内訳書の総額（①＋②） 80,000円 が 5,000円 違います。"
                           "領収書のすべての明細を内訳書に書き、総額を一致させてください"]
    box = view.boxes["fx_capped"]
    assert box.verdict.text() == "✔ 申請の準備ができています"
    assert view.boxes["fx_aid_card"].verdict.text() == "✖ まだ申請できません"
    assert view.boxes["fx_aid_card"].reasons.text() == "・" + aid.reasons[0]
    shown = [lab.text() for lab in box.findChildren(type(box.verdict))]
    assert "総事業費に 160,000円 と入力すると、補助金申請額は 120,000円 と表示されるはずです" in shown
    # a file that is no scan: said, naming it; what was picked stays
    bad = tmp_path / "B社2.jpg"
    bad.write_text("not a photo", encoding="utf-8")
    assert not view.set_scans("fx_aid_card", "B社", [bad])
    assert boxes and boxes[-1].startswith("「B社2.jpg」はPDF・JPEG・PNGのどれでもありません")
    assert [s.path.name for s in view.scans["fx_aid_card"]["B社"]] == ["B社.png"]
    out = tmp_path / "out"
    out.mkdir()
    made = view.write_to(out, ask=False)
    assert sorted(f.path.name for f in made) == ["やまだ内科クリニック_テスト1・訪問診療等_申請書類.pdf",
                                                 "やまだ内科クリニック_テスト5・受給者証等_申請書類（準備中）.pdf"]
    assert all(f.path.exists() for f in made) and "まだ申請に使わないでください" in view.told
    # asked before replacing: a no keeps the files as they are
    before = {f.path: f.path.stat().st_mtime_ns for f in made}
    boxes.clear()
    assert view.write_to(out) == []  # the box is answered with nothing (not はい)
    assert boxes[0].startswith("次のファイルは既にあります。上書きしますか。")
    assert {f.path: f.path.stat().st_mtime_ns for f in made} == before
    view.close()
    # the print says it too
    html = wizard.breakdown_html()
    assert "<h3>申請の準備</h3>" in html and "まだ申請できません" in html and "5,000円 違います" in html


def test_a_case_file_offers_prepare_only_when_it_holds_what_a_workbook_brought(wizard, tmp_path, rules):
    import json

    from tests.prepare_cases import CASE

    for data, offered in ((CASE, False), (ready_case(), True)):  # the estimate; the case saved after a workbook
        own = tmp_path / "case.ohshi.json"
        own.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        assert wizard.open_path(own)
        while wizard.currentId() != RESULT:
            wizard.next()
            QApplication.processEvents()
        assert wizard.result_page.prepare_button.isVisible() is offered
        assert ("<h3>申請の準備</h3>" in wizard.breakdown_html()) is offered
        wizard.restart()
        QApplication.processEvents()
