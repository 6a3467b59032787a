"""申請の準備's one file to upload per program (issue 29): the clinic's scanned 領収書 checked and matched to their
receipts, and the PDF — a cover page, the 内訳書 pages, then the scans in receipt order — put together and written
atomically; a ZIP of the same files where a scan cannot be put into a PDF (a password-protected PDF), said.

Qt-free: drawing a page (the cover and 内訳書 from ``prepare_sheet``'s HTML, an image as a page) is the caller's
``renderer`` (the window's, or the command line's with Qt offscreen), with two methods: ``html_pdf(html) -> bytes``
and ``image_pdf(path) -> bytes`` (an A4 page, raising :class:`ScanError` when the image does not decode). Merging
is pypdf's. Every message is Japanese and names the file; nothing is written until every part is made.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_SCAN_BYTES = 20 * 1024 * 1024  # a scan above this is a photo taken at full size, not a scan for a portal
MAX_SCAN_PIXELS = 40_000_000  # an image larger than this (width × height) is refused before it is decoded
MAX_SCAN_PAGES = 50
SKIPPED_NAMES = {"thumbs.db", "desktop.ini"}  # what a folder holds by itself: skipped, said
KINDS = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}


class ScanError(ValueError):
    """A scan that cannot go into the file: one Japanese line naming the file. ``zip_ok``: the file is whole and
    can travel as it is in a ZIP (a password-protected PDF), though not be merged into the PDF."""

    def __init__(self, message: str, *, zip_ok: bool = False):
        super().__init__(message)
        self.zip_ok = zip_ok


@dataclass
class Scan:
    path: Path
    kind: str  # pdf · jpeg · png
    pages: int = 1
    zip_only: str = ""  # why it can travel only in a ZIP


def _name(path: Path) -> str:
    from ohshi_desk.core.base.guard import shown

    return shown(path.name, 80)


def kind_of(head: bytes) -> str | None:
    """What a file is by its first bytes (never by its name)."""
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def image_size(data: bytes, kind: str) -> tuple[int, int] | None:
    """Width and height from a JPEG's or PNG's header, without decoding it; None if the header is not found."""
    if kind == "png":
        if len(data) >= 24 and data[12:16] == b"IHDR":
            return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        i += 2 + length
    return None


def check_scan(path: str | Path) -> Scan:
    """A scan the app can put into the file, or :class:`ScanError` saying why not, naming the file."""
    from ohshi_desk.core.base.atomic import read_problem
    from ohshi_desk.core.base.guard import LimitError, read_regular_file

    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SCAN_BYTES:
            raise ScanError(f"「{_name(path)}」は大きすぎます（{size / 1024 / 1024:.1f}MB。1ファイル"
                            f"{MAX_SCAN_BYTES // 1024 // 1024}MBまで）。スキャナーで200〜300dpi程度で読み取り直すか、"
                            "写真を小さくしてから選んでください")
        data = read_regular_file(path, MAX_SCAN_BYTES)
    except LimitError as exc:
        raise ScanError(f"「{_name(path)}」を読めません（{exc}）") from None
    except OSError as exc:
        raise ScanError(f"「{_name(path)}」を読めません（{read_problem(exc)}）") from None
    kind = kind_of(data[:2048])
    if kind is None:
        raise ScanError(f"「{_name(path)}」はPDF・JPEG・PNGのどれでもありません。領収書をスキャンしたPDFか写真"
                        "（JPEG・PNG）を選んでください")
    if kind == "pdf":
        return Scan(path, kind, *_check_pdf(path, data))
    size = image_size(data, kind)
    if size is None or 0 in size:
        raise ScanError(f"「{_name(path)}」は{KINDS[kind]}の画像として読めません（壊れているか、途中で切れています）")
    if size[0] * size[1] > MAX_SCAN_PIXELS:
        raise ScanError(f"「{_name(path)}」は画素数が多すぎます（{size[0]}×{size[1]}）。写真を小さくするか、スキャナーで"
                        "200〜300dpi程度で読み取り直してください")
    return Scan(path, kind)


def _check_pdf(path: Path, data: bytes) -> tuple[int, str]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its English warnings are not the clinic's to read
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    return 1, "パスワードで保護されたPDF"
            except DependencyError:  # AES: pypdf needs a cryptography library the bundle does not carry
                return 1, "暗号化されたPDF"
        pages = len(reader.pages)
        if pages:
            reader.pages[0].mediabox  # noqa: B018 — the first page must be readable
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise ScanError(f"「{_name(path)}」はPDFとして読めません（壊れているか、途中で切れています）。"
                        "スキャンし直すか、元のファイルを選んでください") from None
    if not pages:
        raise ScanError(f"「{_name(path)}」はページのないPDFです")
    if pages > MAX_SCAN_PAGES:
        raise ScanError(f"「{_name(path)}」はページが多すぎます（{pages}ページ。{MAX_SCAN_PAGES}ページまで）")
    return pages, ""


# ------------------------------------------------------------------------------------------------ matching
def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _natural(path: Path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", _fold(path.name))]


@dataclass
class Matched:
    scans: dict = field(default_factory=dict)  # {program id: {receipt key: [Path]}}
    skipped: list = field(default_factory=list)  # Paths skipped (what a folder holds by itself)


def match_scans(files: list[Path], preps) -> Matched:
    """Each scan file to its receipt, by its name: it holds the receipt's 領収書No (when the receipt has one) or its
    購入先 (NFKC, spaces and case ignored); a name that fits the receipts of more than one program must also hold
    the program's short name. A file that fits no receipt, or more than one, is a :class:`ScanError` naming it."""
    out = Matched()
    receipts = [(p, r) for p in preps if p.applies for r in p.receipts]
    for path in sorted(files, key=_natural):
        if path.name.startswith(".") or path.name.lower() in SKIPPED_NAMES:
            out.skipped.append(path)
            continue
        name = _fold(path.stem)
        fits = [(p, r) for p, r in receipts if _fold(r.no or r.vendor) and _fold(r.no or r.vendor) in name]
        if len({p.program_id for p, _r in fits}) > 1:
            named = [(p, r) for p, r in fits if _fold(p.short_name) in name or _fold(p.program_id) in name]
            fits = named or fits
        if len(fits) > 1:  # a receipt No inside another's (1 in 12): the longest mark wins when it is one
            longest = max(len(_fold(r.no or r.vendor)) for _p, r in fits)
            fits = [(p, r) for p, r in fits if len(_fold(r.no or r.vendor)) == longest]
        if not fits:
            marks = "、".join(dict.fromkeys(r.no or r.vendor for _p, r in receipts)) or "（領収書がありません）"
            raise ScanError(f"「{_name(path)}」の名前がどの領収書にも当たりません。ファイル名に購入先か領収書Noを入れて"
                            f"ください（{marks}）")
        if len(fits) > 1:
            shown = "、".join(f"{p.short_name}の{r.shown}" for p, r in fits)
            raise ScanError(f"「{_name(path)}」の名前が2つ以上の領収書に当たります（{shown}）。ファイル名に補助制度の名前"
                            "（例: " + fits[0][0].short_name + "）も入れてください")
        p, r = fits[0]
        out.scans.setdefault(p.program_id, {}).setdefault(r.key, []).append(path)
    return out


# ------------------------------------------------------------------------------------------------ the file
def file_stem(facility: str, short_name: str, ready: bool) -> str:
    """「やまだ内科クリニック_訪問診療等_申請書類」 (「…（準備中）」 when not ready): safe on Windows and macOS."""
    bad = str.maketrans({ch: "＿" for ch in '<>:"/\\|?*'})
    name = unicodedata.normalize("NFC", facility or "施設名未入力").translate(bad)
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")[:60] or "施設名未入力"
    return f"{name}_{short_name.translate(bad)}_申請書類" + ("" if ready else "（準備中）")


@dataclass
class Written:
    path: Path
    kind: str  # pdf · zip
    pages: int = 0
    why_zip: str = ""
    data: bytes = field(default=b"", repr=False)


class ExistsError(FileExistsError):
    def __init__(self, path: Path):
        super().__init__(f"「{path.name}」は既にあります")
        self.path = path


def _pdf_pages(data: bytes) -> list:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        reader.decrypt("")
    return list(reader.pages)


def _drawn(renderer, html: str) -> bytes:
    return fix_text_map(renderer.html_pdf(html))


def _parts(prep, case, rules, scans: dict, renderer, made_on) -> tuple[bytes, list[bytes]]:
    """The cover with the true page numbers (the 内訳書 of each receipt drawn first to count its pages, the cover
    drawn again when it takes more than one page) and the 内訳書 PDFs, in receipt order."""
    from ohshi_desk.core.papers.prepare_sheet import cover_html, form_html

    forms = [_drawn(renderer, form_html(prep, case, rules, only=r.key)) for r in prep.receipts]
    form_pages = {r.key: len(_pdf_pages(f)) for r, f in zip(prep.receipts, forms, strict=True)}
    listed = {key: [(s.path.name, s.pages) for s in shown] for key, shown in scans.items()}
    cover_pages, cover = 1, b""
    for _ in range(3):
        cover = _drawn(renderer, cover_html(prep, case, made_on=made_on, scans=listed, cover_pages=cover_pages,
                                            form_pages=form_pages))
        pages = len(_pdf_pages(cover))
        if pages == cover_pages:
            break
        cover_pages = pages
    return cover, forms


def build_pdf(prep, case, rules, scans: dict, renderer, made_on) -> tuple[bytes, int]:
    """The PDF in memory: cover, 内訳書 pages, then each receipt's scans in receipt order. (bytes, page count)."""
    from pypdf import PdfWriter

    cover, forms = _parts(prep, case, rules, scans, renderer, made_on)
    writer = PdfWriter()
    parts = [cover, *forms]
    for r in prep.receipts:
        for scan in scans.get(r.key, []):
            parts.append(scan.path.read_bytes() if scan.kind == "pdf" else renderer.image_pdf(scan.path))
    for part in parts:
        for page in _pdf_pages(part):
            writer.add_page(page)
    writer.add_metadata({"/Title": f"領収書（写）・領収書内訳書（写） {prep.name}", "/Producer": "ohshi-desk"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue(), len(writer.pages)


def build_zip(prep, case, rules, scans: dict, renderer, made_on, stem: str) -> bytes:
    """The same files in a ZIP: the cover and 内訳書 as one PDF, then each scan as it is, numbered in order."""
    from pypdf import PdfWriter

    cover, forms = _parts(prep, case, rules, scans, renderer, made_on)
    writer = PdfWriter()
    for part in (cover, *forms):
        for page in _pdf_pages(part):
            writer.add_page(page)
    head = io.BytesIO()
    writer.write(head)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"00_{stem}_表紙・内訳書.pdf", head.getvalue())
        i = 0
        for r in prep.receipts:
            for scan in scans.get(r.key, []):
                i += 1
                z.writestr(f"{i:02d}_{scan.path.name}", scan.path.read_bytes())
    return buf.getvalue()


def target_of(out_dir: Path, prep, case, scans: dict) -> Path:
    """Where the program's file goes: a PDF, or a ZIP when a scan can travel only as it is."""
    zipped = any(s.zip_only for shown in scans.values() for s in shown)
    return Path(out_dir) / f"{file_stem(case.facility.name, prep.short_name, prep.ready)}.{'zip' if zipped else 'pdf'}"


def make_program_file(out_dir: Path, prep, case, rules, scans: dict, renderer, made_on) -> Written:
    """The program's file made in memory (nothing written yet). ``scans``: {receipt key: [Scan]}."""
    target = target_of(out_dir, prep, case, scans)
    if target.suffix == ".pdf":
        data, pages = build_pdf(prep, case, rules, scans, renderer, made_on)
        return Written(target, "pdf", pages, data=data)
    data = build_zip(prep, case, rules, scans, renderer, made_on, target.stem)
    zip_only = [s for shown in scans.values() for s in shown if s.zip_only]
    why = "、".join(f"「{_name(s.path)}」は{s.zip_only}" for s in zip_only)
    return Written(target, "zip", 0, f"{why}のため1つのPDFにまとめられません。同じファイルをZIPにまとめました"
                                     "（パスワードを外して保存し直したPDFを選ぶと1つのPDFにできます）", data=data)


def existing(targets: list[Path]) -> list[Path]:
    return [t for t in targets if t.exists()]


def write_files(files: list[Written], *, overwrite: bool = False) -> None:
    """Write every file made, each atomically; none when one of them is there already and ``overwrite`` is not
    given (:class:`ExistsError`) — asked before, never replaced in silence."""
    from ohshi_desk.core.base.atomic import atomic_write_bytes

    if not overwrite:
        there = existing([f.path for f in files])
        if there:
            raise ExistsError(there[0])
    for f in files:
        atomic_write_bytes(f.path, f.data)


# Glyphs a CJK font shares between a 康熙部首 (U+2F00…) and the ideograph (入 and ⼊ are one glyph in Noto Sans
# CJK): Qt's PDF maps such a glyph back to the first code point, so pdftotext and copy-paste gave 「⼊⼒」 for 入力.
# The text map of the pages the app draws is put right: a radical or compatibility ideograph → its NFKC ideograph,
# a tab (never drawn; its glyph is the space's) → a space, the hyphenation point → the katakana middle dot (・), the division slash → ／, and the 部首補助 Noto shares.
_TO_UNICODE_FIX = {0x0009: 0x0020, 0x2027: 0x30FB, 0x2215: 0xFF0F, 0x2EC4: 0x897F, 0x2ED1: 0x9577, 0x2EDD: 0x98DF, 0x2EE3: 0x9AA8,
                   0x2E8C: 0x5C0F, 0x2E8E: 0x5140, 0x2EA9: 0x738B, 0x2EAA: 0x758B, 0x2EBC: 0x8089, 0x2ECA: 0x8DB3,
                   0x2ED6: 0x961C, 0x2EE4: 0x9B3C}
_ARRAY = re.compile(rb"\[([0-9A-Fa-f<>\s]*)\]")
_HEX = re.compile(rb"<([0-9A-Fa-f]{4})>")


def _right(cp: int) -> int:
    if cp in _TO_UNICODE_FIX:
        return _TO_UNICODE_FIX[cp]
    if 0x2E80 <= cp <= 0x2FDF or 0xF900 <= cp <= 0xFAFF:
        norm = unicodedata.normalize("NFKC", chr(cp))
        if len(norm) == 1 and ord(norm) <= 0xFFFF:
            return ord(norm)
    return cp


def _fix_cmap(data: bytes) -> bytes:
    def fix_hex(m):
        return b"<%04X>" % _right(int(m.group(1), 16))

    def fix_array(m):
        return b"[" + _HEX.sub(fix_hex, m.group(1)) + b"]"

    out = _ARRAY.sub(fix_array, data)

    def fix_bfchar(block):
        lines = []
        for line in block.group(2).split(b"\n"):
            parts = _HEX.findall(line)
            if len(parts) == 2:
                line = b"<%s> <%04X>" % (parts[0], _right(int(parts[1], 16)))
            lines.append(line)
        return block.group(1) + b"\n".join(lines) + block.group(3)

    return re.sub(rb"(beginbfchar)(.*?)(endbfchar)", fix_bfchar, out, flags=re.S)


def fix_text_map(pdf: bytes) -> bytes:
    """The PDF with every font's ToUnicode map put right (see above); the pages are untouched."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, StreamObject

    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    seen = set()
    for page in writer.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            tu = font.get("/ToUnicode")
            if tu is None or id(tu.get_object()) in seen:
                continue
            stream = tu.get_object()
            seen.add(id(stream))
            fixed = StreamObject()
            fixed.set_data(_fix_cmap(stream.get_data()))
            font[NameObject("/ToUnicode")] = writer._add_object(fixed)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()
