"""Draw the app icon (resources/icon.png and resources/icon.ico) with Qt. Run once; the files are committed.

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py
"""

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter

OUT = Path(__file__).resolve().parents[1] / "resources"


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#1565c0"))
    p.setPen(Qt.PenStyle.NoPen)
    m = size * 0.04
    p.drawRoundedRect(QRectF(m, m, size - 2 * m, size - 2 * m), size * 0.18, size * 0.18)
    p.setPen(QColor("white"))
    font = QFont(["Noto Sans CJK JP", "Yu Gothic UI", "Meiryo"])
    font.setPixelSize(int(size * 0.62))
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(0, -size * 0.03, size, size), Qt.AlignmentFlag.AlignCenter, "補")
    p.end()
    return img


if __name__ == "__main__":
    app = QGuiApplication([])
    draw(256).save(str(OUT / "icon.png"))
    draw(256).save(str(OUT / "icon.ico"))
    print("written", OUT / "icon.png", OUT / "icon.ico")
