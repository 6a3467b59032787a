"""申請の準備's file to upload (issue 29): scans checked and matched by name, bad input refused with a Japanese line
naming the file and nothing written, the PDF put together (Qt draws the pages, offscreen) and its text readable by
pdftotext, the ZIP where a scan cannot go into a PDF, and the command line ``prepare``."""

from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ohshi_desk.core.case.model import parse_case
from ohshi_desk.core.compute.engine import compute
from ohshi_desk.core.papers.prepare import prepare
from ohshi_desk.core.papers.prepare_files import (
    ExistsError,
    ScanError,
    check_scan,
    make_program_file,
    match_scans,
    write_files,
)
from tests.prepare_cases import DAY, ready_case
from tests.scans import pdf, png

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rules(fixture_rules_plus):
    """These tests' rules: the fixture rules with テスト5 (tests/prepare_cases.py), not the real ones."""
    return fixture_rules_plus


def _preps(rules, data=None, scans=None):
    case = parse_case(data or ready_case(), rules)
    return case, prepare(case, rules, compute(case, rules, DAY), scans)


# ------------------------------------------------------------------------------------------------ bad input
def test_a_file_that_is_no_image_or_pdf_is_named(tmp_path):
    path = tmp_path / "A社_領収書.pdf"
    path.write_text("領収書です", encoding="utf-8")
    with pytest.raises(ScanError) as err:
        check_scan(path)
    assert str(err.value).startswith("「A社_領収書.pdf」はPDF・JPEG・PNGのどれでもありません")


def test_a_broken_pdf_is_named(tmp_path):
    path = tmp_path / "A社.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer << /Root 1 0 R >>\n")
    with pytest.raises(ScanError) as err:
        check_scan(path)
    assert "「A社.pdf」はPDFとして読めません" in str(err.value)
    half = tmp_path / "B社.pdf"
    half.write_bytes(pdf(tmp_path / "whole.pdf").read_bytes()[:200])  # cut off in the middle
    with pytest.raises(ScanError) as err:
        check_scan(half)
    assert "「B社.pdf」" in str(err.value)


def test_a_password_pdf_travels_only_in_a_zip_and_an_owner_only_one_is_merged(tmp_path):
    locked = check_scan(pdf(tmp_path / "A社.pdf", password="secret"))
    assert locked.zip_only == "パスワードで保護されたPDF"
    opened = check_scan(pdf(tmp_path / "B社.pdf", password="secret", owner_only=True))
    assert opened.zip_only == "" and opened.pages == 1


def test_an_aes_pdf_pypdf_cannot_open_travels_in_a_zip_not_as_a_traceback(tmp_path, monkeypatch):
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    def needs_cryptography(self, password):
        raise DependencyError("cryptography is required for AES algorithm")

    path = pdf(tmp_path / "A社.pdf", password="secret", owner_only=True)
    monkeypatch.setattr(PdfReader, "decrypt", needs_cryptography)
    assert check_scan(path).zip_only == "暗号化されたPDF"


def test_a_40_mb_photo_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "A社 写真.jpg"
    with path.open("wb") as f:
        f.write(b"\xff\xd8\xff\xe0")
        f.truncate(40 * 1024 * 1024)
    with pytest.raises(ScanError) as err:
        check_scan(path)
    assert str(err.value).startswith("「A社 写真.jpg」は大きすぎます（40.0MB。1ファイル20MBまで）")


def test_an_image_of_too_many_pixels_is_refused_from_its_header(tmp_path):
    with pytest.raises(ScanError) as err:
        check_scan(png(tmp_path / "A社.png", 20000, 20000, header_only=True))
    assert "「A社.png」は画素数が多すぎます（20000×20000）" in str(err.value)


def test_a_scan_name_matching_no_receipt_or_two_is_named(tmp_path, rules):
    _case, preps = _preps(rules)
    with pytest.raises(ScanError) as err:
        match_scans([tmp_path / "C社.pdf"], preps)
    assert str(err.value).startswith("「C社.pdf」の名前がどの領収書にも当たりません") and "A社、B社" in str(err.value)
    data = ready_case()
    data["plans"]["fx_aid_card"]["lines"][0]["vendor"] = "A社"
    data["plans"]["fx_aid_card"]["receipts"] = {"A社": {"date": "2025-10-21", "amount": 80000}}
    _case, preps = _preps(rules, data)
    with pytest.raises(ScanError) as err:
        match_scans([tmp_path / "Ａ社 領収書.jpg"], preps)
    assert "2つ以上の領収書に当たります" in str(err.value) and "テスト1・訪問診療等" in str(err.value)
    matched = match_scans([tmp_path / "Ａ社_テスト5・受給者証等.jpg", tmp_path / "a社 テスト1・訪問診療等 2.pdf",
                           tmp_path / "a社 テスト1・訪問診療等 10.pdf", tmp_path / "Thumbs.db"], preps)
    assert matched.scans == {"fx_aid_card": {"A社": [tmp_path / "Ａ社_テスト5・受給者証等.jpg"]},
                             "fx_capped": {"A社": [tmp_path / "a社 テスト1・訪問診療等 2.pdf",
                                                    tmp_path / "a社 テスト1・訪問診療等 10.pdf"]}}
    assert matched.skipped == [tmp_path / "Thumbs.db"]


# ------------------------------------------------------------------------------------------------ the file
@pytest.fixture
def renderer(qapp):
    from ohshi_desk.ui.pdf_render import QtRenderer

    return QtRenderer()


def _text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, without any spacing (columns and wrapped cells come out spaced)."""
    import re

    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_the_pdf_holds_cover_form_and_scans_in_order_and_its_text_reads(tmp_path, rules, renderer):
    scans = {"fx_capped": {"A社": [pdf(tmp_path / "A社 1.pdf"), png(tmp_path / "A社 2.png")]}}
    case, preps = _preps(rules, scans=scans)
    hv = next(p for p in preps if p.program_id == "fx_capped")
    assert hv.ready
    checked = {k: [check_scan(s) for s in v] for k, v in scans["fx_capped"].items()}
    made = make_program_file(tmp_path, hv, case, rules, checked, renderer, dt.date(2025, 11, 2))
    assert not made.path.exists()  # made in memory; nothing written yet
    write_files([made])
    assert made.path.name == "やまだ内科クリニック_テスト1・訪問診療等_申請書類.pdf" and made.pages == 4
    text = _text(made.path)
    for expected in map(lambda t: t.replace(" ", "").replace("　", ""), ("領収書（写）・領収書内訳書（写）", "申請の準備ができています", "総事業費（入力する額）", "160,000円",
                     "補助金申請額（表示されるはずの額）", "120,000円", "領収書内訳書", "日付（西暦）", "2025年10月20日",
                     "保険医療機関等名称", "やまだ内科クリニック", "タブレット X1　1点 × 40,000円",
                     "レセコン改修等　1点 × 120,000円", "40,000円", "小計", "領収書（写）A社 1.pdf", "領収書（写）A社 2.png")):
        assert expected in text, expected
    assert "⼊" not in text and "⾦" not in text  # 康熙部首 where the ideographs are
    from pypdf import PdfReader

    pages = PdfReader(made.path).pages  # cover, the 内訳書, the PDF scan (blank), the PNG drawn as a page
    assert "このファイルの中身" in "".join(pages[0].extract_text().split()) and "小計" in pages[1].extract_text()
    assert "\t" not in pages[0].extract_text()  # a space is a space, not the tab its glyph shares
    assert pages[2].extract_text() == "" and "/XObject" in pages[3]["/Resources"]
    # not over an existing file without asking
    with pytest.raises(ExistsError):
        write_files([made])
    write_files([made], overwrite=True)


def test_a_password_pdf_gives_a_zip_of_the_same_files_said(tmp_path, rules, renderer):
    scans = {"fx_capped": {"A社": [pdf(tmp_path / "A社.pdf", password="secret")]}}
    case, preps = _preps(rules, scans=scans)
    hv = next(p for p in preps if p.program_id == "fx_capped")
    made = make_program_file(tmp_path, hv, case, rules, {"A社": [check_scan(tmp_path / "A社.pdf")]}, renderer,
                             DAY)
    assert made.kind == "zip" and made.path.suffix == ".zip"
    assert made.why_zip.startswith("「A社.pdf」はパスワードで保護されたPDFのため1つのPDFにまとめられません")
    write_files([made])
    with zipfile.ZipFile(made.path) as z:
        names = z.namelist()
        assert names == ["00_やまだ内科クリニック_テスト1・訪問診療等_申請書類_表紙・内訳書.pdf", "01_A社.pdf"]
        assert z.read("01_A社.pdf") == (tmp_path / "A社.pdf").read_bytes()


def test_a_jpeg_photo_is_read_from_its_header_and_drawn_as_one_a4_page(tmp_path, renderer):
    from pypdf import PdfReader
    from PySide6.QtGui import QColor, QImage

    image = QImage(3000, 2000, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    path = tmp_path / "A社 写真.jpg"
    assert image.save(str(path), "JPEG")
    scan = check_scan(path)
    assert scan.kind == "jpeg"
    from ohshi_desk.core.papers.prepare_files import image_size

    assert image_size(path.read_bytes(), "jpeg") == (3000, 2000)
    [page] = PdfReader(io.BytesIO(renderer.image_pdf(path))).pages
    assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]  # A4, the photo fitted on it


def test_an_image_that_does_not_decode_is_named(tmp_path, renderer):
    path = tmp_path / "A社.png"
    path.write_bytes(png(tmp_path / "x.png").read_bytes()[:40])  # header and a cut IDAT
    check_scan(path)  # its header is whole
    with pytest.raises(ScanError) as err:
        renderer.image_pdf(path)
    assert str(err.value).startswith("「A社.png」は画像として読めません")


# ------------------------------------------------------------------------------------------------ the CLI
def run(rules, *args):
    """``ohshi-desk prepare`` on the folder of ``rules`` (OHSHI_RULES_DIR)."""
    import os

    return subprocess.run([sys.executable, "-m", "ohshi_desk", "prepare", *map(str, args)], capture_output=True,
                          text=True, timeout=180, cwd=ROOT, env={**os.environ, "OHSHI_RULES_DIR": str(rules.folder)})


def _case_file(tmp_path, data) -> Path:
    import json

    path = tmp_path / "case.ohshi.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_ready_is_exit_0_not_ready_4_and_bad_scans_2_with_nothing_written(tmp_path, rules):
    scans, out = tmp_path / "scans", tmp_path / "out"
    scans.mkdir()
    out.mkdir()
    pdf(scans / "A社.pdf")
    png(scans / "B社.png")
    ready = _case_file(tmp_path, ready_case())
    proc = run(rules, ready, "--scans", scans, "-o", out, "--as-of", "2025-11-01")
    assert proc.returncode == 0, proc.stderr
    assert "テスト1・訪問診療等: 申請の準備ができています" in proc.stdout
    assert "テスト5・受給者証等: 申請の準備ができています" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == ["やまだ内科クリニック_テスト1・訪問診療等_申請書類.pdf",
                                                     "やまだ内科クリニック_テスト5・受給者証等_申請書類.pdf"]
    again = run(rules, ready, "--scans", scans, "-o", out, "--as-of", "2025-11-01")
    assert again.returncode == 2 and "は既にあります。上書きするときは --overwrite" in again.stderr
    data = copy.deepcopy(ready_case(**{"plans.fx_capped.receipts.A社.amount": 150000}))
    proc = run(rules, _case_file(tmp_path, data), "--scans", scans, "--as-of", "2025-11-01")
    assert proc.returncode == 4
    assert "・A社の領収書の金額 150,000円 と内訳書の総額（①＋②） 160,000円 が 10,000円 違います" in proc.stdout
    for bad, content in (("C社.pdf", None), ("B社 2.jpg", b"not a photo")):
        (scans / bad).write_bytes(content or pdf(tmp_path / "x.pdf").read_bytes())
        empty = tmp_path / f"out_{bad}"
        empty.mkdir()
        proc = run(rules, ready, "--scans", scans, "-o", empty, "--as-of", "2025-11-01")
        assert proc.returncode == 2 and f"「{bad}」" in proc.stderr and "何も書き出していません" in proc.stderr
        assert "Traceback" not in proc.stderr and list(empty.iterdir()) == []
        (scans / bad).unlink()
