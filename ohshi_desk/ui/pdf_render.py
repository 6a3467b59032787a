"""Drawing 申請の準備's pages with Qt (the renderer ``core/prepare_files`` asks for): HTML to A4 PDF through
QTextDocument and QPdfWriter — the print path's own document, fonts embedded so the Japanese shows and can be
copied out — and a scanned image as one A4 page. The command line uses it with Qt's offscreen platform."""

from __future__ import annotations

import os
from pathlib import Path

from . import qt

MARGIN_MM = 12
IMAGE_DPI = 200  # a scan is drawn on the page at no more than A4 at this resolution (a photo is scaled down)
# Latin and digits from a Latin font before Noto Sans CJK: Qt's PDF writes no text map for the digits of a Latin
# run in Noto Sans CJK (「型番 X1」 came out of pdftotext as 「型番 X」); Japanese falls through to the CJK fonts.
FONTS = ["Yu Gothic", "Meiryo", "Hiragino Sans", "DejaVu Sans", "Noto Sans CJK JP", "MS Gothic", "IPAGothic"]


def ensure_gui() -> None:
    """A Qt application for drawing, when none runs (the command line): offscreen, no window, no display."""
    if qt.QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        ensure_gui.app = qt.QGuiApplication(["ohshi-desk"])  # kept alive for the process


class QtRenderer:
    """``html_pdf(html) -> bytes`` and ``image_pdf(path) -> bytes``, each a PDF of A4 pages."""

    def __init__(self):
        ensure_gui()

    @staticmethod
    def _writer(buffer):
        writer = qt.QPdfWriter(buffer)
        writer.setPageSize(qt.QPageSize(qt.QPageSize.PageSizeId.A4))
        writer.setPageMargins(qt.QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                              qt.QPageLayout.Unit.Millimeter)
        writer.setCreator("ohshi-desk")
        return writer

    def html_pdf(self, html: str) -> bytes:
        data = qt.QByteArray()
        buffer = qt.QBuffer(data)
        buffer.open(qt.QIODevice.OpenModeFlag.WriteOnly)
        writer = self._writer(buffer)
        doc = qt.QTextDocument()
        font = qt.QFont()
        font.setFamilies(FONTS)
        font.setPointSizeF(10)
        doc.setDefaultFont(font)
        doc.setHtml(html)  # the app's own HTML: every outside text in it is escaped (core/prepare_sheet)
        # paginated by the page itself (in the screen's logical pixels, as print_ expects): no page numbers of
        # its own, which would restart on every part of the merged file
        dpi = qt.QGuiApplication.primaryScreen().logicalDotsPerInch() if qt.QGuiApplication.primaryScreen() else 96
        rect = writer.pageLayout().paintRect(qt.QPageLayout.Unit.Point)
        doc.setPageSize(qt.QSizeF(rect.width() * dpi / 72, rect.height() * dpi / 72))
        doc.setDocumentMargin(0)
        doc.print_(writer)
        del writer
        buffer.close()
        return bytes(data)

    def image_pdf(self, path) -> bytes:
        from ohshi_desk.core.papers.prepare_files import ScanError

        path = Path(path)
        reader = qt.QImageReader(str(path))
        reader.setAutoTransform(True)  # a phone photo's EXIF rotation
        size = reader.size()
        limit_w, limit_h = int(210 / 25.4 * IMAGE_DPI), int(297 / 25.4 * IMAGE_DPI)
        if size.isValid() and (size.width() > limit_w or size.height() > limit_h):
            scaled = size.scaled(limit_w, limit_h, qt.Qt.AspectRatioMode.KeepAspectRatio)
            reader.setScaledSize(scaled)
        image = reader.read()
        if image.isNull():
            from ohshi_desk.core.base.guard import shown

            raise ScanError(f"「{shown(path.name, 80)}」は画像として読めません（壊れているか、途中で切れています）")
        data = qt.QByteArray()
        buffer = qt.QBuffer(data)
        buffer.open(qt.QIODevice.OpenModeFlag.WriteOnly)
        writer = self._writer(buffer)
        writer.setResolution(IMAGE_DPI)
        painter = qt.QPainter(writer)
        page = painter.viewport()
        w, h = image.width(), image.height()
        scale = min(page.width() / w, page.height() / h)
        tw, th = w * scale, h * scale
        painter.drawImage(qt.QRectF((page.width() - tw) / 2, 0, tw, th), image)
        painter.end()
        del writer
        buffer.close()
        return bytes(data)
