"""The done-when of issue 29, end to end: a clinic case with two vendors → export → the vendors' session through
LibreOffice (様式2 blocks, the receipt amounts, tracking dates typed as a vendor types them) → opened again →
申請の準備 ready for one program and not ready for the other with the exact reason → one PDF per program whose
text (pdftotext) holds every line and total of the workbook and whose pages render (pdftoppm); the command line
gives the same verdicts."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.papers.prepare import first_of, prepare
from ohshi_desk.core.papers.prepare_files import check_scan, make_program_file, write_files
from ohshi_desk.core.papers.prepare_sheet import verdict_text
from ohshi_desk.core.workbook.form2 import FORM_BLOCK, line_text
from ohshi_desk.core.workbook.read import read_workbook
from ohshi_desk.core.workbook.write import export_case
from tests.prepare_cases import DAY, FLOW_CASE
from tests.scans import pdf, png
from tests.vendor_session_helpers import layout, lo

ROOT = Path(__file__).resolve().parents[1]
CASE = FLOW_CASE
AMOUNT_CELL = f"B{FORM_BLOCK['amount'][0]}"
NOT_READY = ("B社の領収書の金額 85,000円 と内訳書の総額（①＋②） 80,000円 が 5,000円 違います。"
             "領収書のすべての明細を内訳書に書き、総額を一致させてください")


def _vendor_edits(lay: dict) -> list[dict]:
    c, rows = lay["cols"], lay["rows"]
    a_form = next(t for head, t in lay["forms"].items() if "訪問診療" in head and "A社" in head)
    b_form = next(t for head, t in lay["forms"].items() if "一体化" in head and "B社" in head)

    def typ(cell, value, sheet="明細"):
        return {"op": "type", "sheet": sheet, "cell": cell, "value": value}
    edits = [typ("B4", "2025/10/20", a_form), typ(AMOUNT_CELL, "21万円", a_form),  # = 60,000 + 150,000
             typ("B9", "株式会社A社システム", a_form), typ("B10", "大分県大分市府内町1-1", a_form),
             typ("B11", "097-000-0000", a_form),
             typ("B4", "2025/10/21", b_form), typ(AMOUNT_CELL, 85000, b_form),  # 5,000円 more than its 内訳書
             typ("B9", "B社ソフト", b_form)]
    for rid in ("home_visit#0", "home_visit#1", "medical_aid_card#0"):
        r = rows[rid]
        edits += [typ(f"{c['領収書受領日']}{r}", "2025/10/25"), typ(f"{c['内訳書受領日']}{r}", "R7.10.25")]
    edits.append(typ(f"{c['チェックシート受領日']}{rows['medical_aid_card#0']}", "2025年10月26日"))
    return edits


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def returned(tmp_path_factory, rules):
    tmp = tmp_path_factory.mktemp("flow")
    book = tmp / "見積り.xlsx"
    export_case(parse_case(CASE, rules), rules, book, DAY)
    lay = layout(book)
    back = tmp / "戻り.xlsx"
    lo([{"in": str(book), "out": str(back), "edits": _vendor_edits(lay)}], tmp)
    scans = tmp / "scans"
    scans.mkdir()
    pdf(scans / "A社_領収書.pdf")
    png(scans / "B社 領収書.png", 420, 600)
    return {"tmp": tmp, "back": back, "scans": scans}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None, reason="poppler-utils")
def test_from_the_vendors_workbook_to_one_pdf_per_program(returned, rules, qapp):
    from ohshi_desk.ui.pdf_render import QtRenderer

    case = read_workbook(returned["back"], rules)
    assert [str(n) for n in case.notices] == []
    assert case.plans["home_visit"].receipts["A社"]["amount"] == 210000
    breakdown = compute(case, rules, DAY)
    files = {p.name: p for p in returned["scans"].iterdir()}
    scans = {"home_visit": {"A社": [files["A社_領収書.pdf"]]}, "medical_aid_card": {"B社": [files["B社 領収書.png"]]}}
    preps = {p.program_id: p for p in prepare(case, rules, breakdown, scans)}
    hv, aid = preps["home_visit"], preps["medical_aid_card"]
    assert hv.ready, hv.reasons
    assert [(p.doc_id, p.state) for p in hv.papers] == [("receipt", "received"), ("receipt_breakdown", "received")]
    assert (hv.total, hv.subsidy) == (171000, 128000)  # ① 41,000 (mobile cap) + 130,000 (receipt cap)
    assert not aid.ready and aid.reasons == [NOT_READY]
    out = returned["tmp"] / "out"
    out.mkdir()
    renderer = QtRenderer()
    made = [make_program_file(out, p, case, rules, {k: [check_scan(f) for f in v] for k, v in scans[p.program_id].items()},
                              renderer, DAY) for p in (hv, aid)]
    write_files(made)
    assert [f.path.name for f in made] == ["やまだ内科クリニック_訪問診療等_申請書類.pdf",
                                           "やまだ内科クリニック_受給者証等一体化_申請書類（準備中）.pdf"]
    for prep, f in zip((hv, aid), made, strict=True):
        text = _flat(subprocess.run(["pdftotext", str(f.path), "-"], capture_output=True, text=True,
                                    check=True).stdout)
        for r in prep.receipts:  # every line and total of the workbook's 様式2
            for res, line in r.lines:
                first = first_of(res, line)
                for expected in (res["item_label"], line_text(res, line), f"{first:,}円", f"{line.amount - first:,}円"):
                    assert _flat(expected) in text, (f.path.name, expected)
            for expected in (f"{r.total:,}円", f"{r.first:,}円", f"{r.second:,}円", r.block.get("name") or r.vendor,
                             "2025年10月2"):
                assert _flat(expected) in text, (f.path.name, expected)
        assert _flat(f"{prep.total:,}円") in text and _flat(f"{prep.subsidy:,}円") in text
        assert _flat(verdict_text(prep)) in text
        for reason in prep.reasons:
            assert _flat(reason) in text
        shots = returned["tmp"] / f"pages_{prep.short_name}"
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(f.path), str(shots)], check=True)
        pages = sorted(returned["tmp"].glob(f"pages_{prep.short_name}-*.png"))
        assert len(pages) == f.pages == 3 and all(p.stat().st_size > 2000 for p in pages[:2])  # cover, 内訳書
    assert "大分県大分市府内町1-1" in _flat(subprocess.run(["pdftotext", str(made[0].path), "-"], capture_output=True,
                                                       text=True, check=True).stdout)

    # the command line: the same verdicts, exit 4 (one program not ready), the same files
    cli_out = returned["tmp"] / "cli"
    cli_out.mkdir()
    proc = subprocess.run([sys.executable, "-m", "ohshi_desk", "prepare", str(returned["back"]), "--scans",
                           str(returned["scans"]), "-o", str(cli_out), "--as-of", DAY.isoformat()],
                          capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert proc.returncode == 4, proc.stderr
    lines = proc.stdout.splitlines()
    assert "訪問診療等: 申請の準備ができています" in lines and "受給者証等一体化: まだ申請できません" in lines
    assert f"  ・{NOT_READY}" in lines
    assert "  総事業費に 171,000円 と入力 → 補助金申請額 128,000円 と表示されるはずです" in lines
    assert sorted(p.name for p in cli_out.iterdir()) == sorted(f.path.name for f in made)
