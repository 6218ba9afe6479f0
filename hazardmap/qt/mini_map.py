"""A small drawn map for a dialog's preview: the county outline, the register's points in grey, and
the rows about to be imported coloured by what would happen to them (or the lines and polygons of a
reference layer). Drawn with QPainter from CGCS2000 lon/lat: no web page, nothing written."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

MARGIN = 0.08          # of the county's extent, around it
REGISTER_COLOUR = "#9e9e9e"
SHAPE_COLOUR = "#1f4e9c"


@dataclass
class DotGroup:
    label: str             # legend text, e.g. 新增
    colour: str
    lon: np.ndarray
    lat: np.ndarray


def _rings(geom) -> list[np.ndarray]:
    """Every line of a geometry as an (n, 2) array: polygons' rings, lines, parts of multi-geometries."""
    import shapely

    out = []
    for part in shapely.get_parts(geom):
        kind = shapely.get_type_id(part)
        if kind == 3:   # polygon
            out.append(shapely.get_coordinates(shapely.get_exterior_ring(part)))
            out.extend(shapely.get_coordinates(shapely.get_interior_ring(part, i))
                       for i in range(shapely.get_num_interior_rings(part)))
        elif kind in (1, 2):
            out.append(shapely.get_coordinates(part))
        elif kind == 7:
            out.extend(_rings(part))
    return out


class MiniMap(QWidget):
    def __init__(self, county, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 280)
        self._county = _rings(county)
        minx, miny, maxx, maxy = county.bounds
        dx, dy = (maxx - minx) * MARGIN, (maxy - miny) * MARGIN
        self.extent = (minx - dx, miny - dy, maxx + dx, maxy + dy)
        self._register = (np.array([]), np.array([]))
        self.groups: list[DotGroup] = []
        self.shapes: list[np.ndarray] = []
        self.highlight: tuple[float, float] | None = None

    # --- what to draw ---------------------------------------------------------------------------
    def set_register(self, lon, lat) -> None:
        self._register = (np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        self.update()

    def set_groups(self, groups: list[DotGroup]) -> None:
        self.groups, self.shapes, self.highlight = groups, [], None
        self.update()

    def set_shapes(self, geoms: list) -> None:
        self.groups, self.highlight = [], None
        self.shapes = [ring for g in geoms if g is not None for ring in _rings(g)]
        self.update()

    def set_highlight(self, lon: float | None, lat: float | None) -> None:
        ok = lon is not None and lat is not None and math.isfinite(lon) and math.isfinite(lat)
        self.highlight = (lon, lat) if ok else None
        self.update()

    def outside(self) -> int:
        """Dots of the groups that fall outside the drawn extent (far from the county)."""
        x0, y0, x1, y1 = self.extent
        return sum(int(np.sum(~((g.lon >= x0) & (g.lon <= x1) & (g.lat >= y0) & (g.lat <= y1))
                               & np.isfinite(g.lon))) for g in self.groups)

    # --- drawing ----------------------------------------------------------------------------------
    def _transform(self):
        x0, y0, x1, y1 = self.extent
        k = math.cos(math.radians((y0 + y1) / 2))   # a degree of longitude is shorter than one of latitude
        w, h = max(self.width() - 8, 1), max(self.height() - 8, 1)
        scale = min(w / ((x1 - x0) * k), h / (y1 - y0))
        ox = 4 + (w - (x1 - x0) * k * scale) / 2
        oy = 4 + (h - (y1 - y0) * scale) / 2

        def to_px(lon, lat):
            return ox + (np.asarray(lon) - x0) * k * scale, oy + (y1 - np.asarray(lat)) * scale
        return to_px

    def _poly(self, to_px, ring: np.ndarray) -> QPolygonF:
        xs, ys = to_px(ring[:, 0], ring[:, 1])
        return QPolygonF([QPointF(float(x), float(y)) for x, y in zip(xs, ys)])

    def _dots(self, p: QPainter, to_px, lon, lat, colour: str, size: float) -> None:
        ok = np.isfinite(lon) & np.isfinite(lat)
        xs, ys = to_px(lon[ok], lat[ok])
        p.setPen(QPen(QColor(colour), size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawPoints(QPolygonF([QPointF(float(x), float(y)) for x, y in zip(xs, ys)]))

    def paintEvent(self, _event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#fbfbf8"))
        to_px = self._transform()
        county = QPainterPath()
        for ring in self._county:
            county.addPolygon(self._poly(to_px, ring))
            county.closeSubpath()
        p.setPen(QPen(QColor("#6d6d6d"), 1.2))
        p.setBrush(QColor("#eef3e8"))
        p.drawPath(county)
        p.setBrush(Qt.BrushStyle.NoBrush)
        self._dots(p, to_px, *self._register, REGISTER_COLOUR, 3)
        p.setPen(QPen(QColor(SHAPE_COLOUR), 1.4))
        for ring in self.shapes:
            p.drawPolyline(self._poly(to_px, ring))
        for g in self.groups:
            self._dots(p, to_px, g.lon, g.lat, g.colour, 6)
        if self.highlight is not None:
            x, y = to_px(*self.highlight)
            p.setPen(QPen(QColor("#000000"), 2))
            p.drawEllipse(QPointF(float(x), float(y)), 8, 8)
        self._legend(p)
        p.end()

    def _legend(self, p: QPainter) -> None:
        lines = [("在册隐患点", REGISTER_COLOUR)] + [(f"{g.label} {int(np.sum(np.isfinite(g.lon)))}", g.colour)
                                                 for g in self.groups]
        out = self.outside()
        y = 8.0
        for text, colour in lines + ([(f"另有 {out} 个点在图幅以外", "#c62828")] if out else []):
            p.setPen(QPen(QColor(colour), 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawPoint(QPointF(12, y + 7))
            p.setPen(QColor("#222222"))
            p.drawText(QRectF(22, y, self.width() - 30, 16), Qt.AlignmentFlag.AlignVCenter, text)
            y += 18
