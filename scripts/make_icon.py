"""Draws the app icon (resources/hazardmap.png and .ico). Run once; the files are committed.
A slope with a sliding mass and a map pin: hazard monitoring at a glance, legible at 16 px."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen, QPolygonF  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "resources"


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format_ARGB32)
    img.fill(Qt.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.Antialiasing)
    s = size / 64.0
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("#1f4e79"))
    p.drawRoundedRect(QRectF(2 * s, 2 * s, 60 * s, 60 * s), 12 * s, 12 * s)
    p.setBrush(QColor("#8fbc5a"))  # the slope
    p.drawPolygon(QPolygonF([QPointF(6 * s, 54 * s), QPointF(40 * s, 18 * s), QPointF(58 * s, 54 * s)]))
    p.setBrush(QColor("#a0522d"))  # the sliding mass
    p.drawPolygon(QPolygonF([QPointF(14 * s, 54 * s), QPointF(28 * s, 38 * s), QPointF(34 * s, 46 * s),
                             QPointF(30 * s, 54 * s)]))
    pin = QPainterPath()  # map pin: a teardrop (circle joined to a point below it)
    pin.moveTo(46 * s, 38 * s)
    pin.lineTo(37.5 * s, 22 * s)
    pin.arcTo(QRectF(36 * s, 6 * s, 20 * s, 20 * s), 208, -236)
    pin.closeSubpath()
    p.setBrush(QColor("#e53935"))
    p.setPen(QPen(QColor("white"), 1.5 * s))
    p.drawPath(pin)
    p.setBrush(QBrush(QColor("white")))
    p.setPen(Qt.NoPen)
    p.drawEllipse(QRectF(42 * s, 12 * s, 8 * s, 8 * s))
    p.end()
    return img


def main() -> None:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841
    draw(256).save(str(OUT / "hazardmap.png"))
    # .ico for Windows with the sizes Explorer and the taskbar pick from (Pillow writes multi-size icons).
    from PIL import Image

    Image.open(OUT / "hazardmap.png").save(OUT / "hazardmap.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (256, 256)])
    draw(48).save(str(OUT / "hazardmap-48.png"))
    print("icon written to", OUT)


if __name__ == "__main__":
    main()
