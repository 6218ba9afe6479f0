"""Vector map drawing on a reportlab canvas: projection, a map frame at a stated scale, layers,
symbols and map furniture (scale bar, north arrow, lon/lat ticks).

Projection: CGCS2000 3-degree Gauss-Kruger CM 114E (EPSG:4547) for the whole county. Hengnan
straddles 112.5E; 62 % of its area and its centroid (112.64E) lie east of it, and even the western
tip (112.11E) is only 1.9 degrees from 114E: scale error there is about 0.04 %, far below what paper
shows, so one zone serves every page and the stated scale holds."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer
from reportlab.lib.colors import Color, HexColor, black, white
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from hazardmap.domain.points import Precision
from hazardmap.reports.fonts import ensure_font

PROJECTED_EPSG = 4547
CRS_NOTE = ("坐标系：CGCS2000（EPSG:4490）；投影：高斯-克吕格 3 度带，中央经线 114°E（EPSG:4547）")

MM = 72 / 25.4  # points per millimetre
_TO_PLANE = Transformer.from_crs(4490, PROJECTED_EPSG, always_xy=True)
_TO_GEO = Transformer.from_crs(PROJECTED_EPSG, 4490, always_xy=True)

# Round scales a surveyor would state (1:1万, 1:2.5万, 1:5万, 1:10万, 1:25万 …).
NICE_SCALES = tuple(int(f * 10 ** e) for e in (3, 4, 5, 6) for f in (1, 1.25, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 7.5))

INK = HexColor("#222222")
GREY = HexColor("#8a8a8a")
FADED_FILL = HexColor("#f1f1f1")
FADED_LINE = HexColor("#b9b9b9")
COUNTY_FILL = HexColor("#fbf8ef")
COUNTY_LINE = HexColor("#7b4a2d")
RAIN_BLUE = HexColor("#1f5fbf")


def project(lon: float, lat: float) -> tuple[float, float]:
    return _TO_PLANE.transform(lon, lat)


def unproject(x: float, y: float) -> tuple[float, float]:
    return _TO_GEO.transform(x, y)


def project_geometry(geom: BaseGeometry) -> BaseGeometry:
    def tx(coords: np.ndarray) -> np.ndarray:
        x, y = _TO_PLANE.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])
    return shapely.transform(geom, tx)


@lru_cache(maxsize=4)
def projected_county(bundled) -> BaseGeometry:
    return project_geometry(bundled.county_outline)


@lru_cache(maxsize=4)
def projected_neighbours(bundled) -> tuple[tuple[str, BaseGeometry], ...]:
    return tuple((f["properties"].get("name", ""), project_geometry(shape(f["geometry"])))
                 for f in bundled.neighbours_geojson()["features"])


def nice_scale(required: float) -> int:
    for s in NICE_SCALES:
        if s >= required:
            return s
    return int(math.ceil(required / 100_000) * 100_000)


@dataclass(frozen=True)
class MapFrame:
    """A rectangle on the page (points) showing the plane around (cx, cy) at 1:scale."""
    x: float
    y: float
    w: float
    h: float
    cx: float
    cy: float
    scale: int

    @property
    def pt_per_m(self) -> float:
        return 72 / 0.0254 / self.scale

    def to_page(self, px: float, py: float) -> tuple[float, float]:
        k = self.pt_per_m
        return self.x + self.w / 2 + (px - self.cx) * k, self.y + self.h / 2 + (py - self.cy) * k

    def lonlat_to_page(self, lon: float, lat: float) -> tuple[float, float]:
        return self.to_page(*project(lon, lat))

    def page_to_plane(self, x: float, y: float) -> tuple[float, float]:
        k = self.pt_per_m
        return self.cx + (x - self.x - self.w / 2) / k, self.cy + (y - self.y - self.h / 2) / k

    def contains(self, x: float, y: float, inset: float = 0) -> bool:
        return self.x + inset <= x <= self.x + self.w - inset and self.y + inset <= y <= self.y + self.h - inset

    @classmethod
    def fit(cls, x: float, y: float, w: float, h: float, bounds: tuple[float, float, float, float],
            pad: float = 0.03, min_span_m: float = 0.0) -> "MapFrame":
        minx, miny, maxx, maxy = bounds
        span_x = max(maxx - minx, min_span_m) * (1 + 2 * pad)
        span_y = max(maxy - miny, min_span_m) * (1 + 2 * pad)
        required = max(span_x / (w / 72 * 0.0254), span_y / (h / 72 * 0.0254))
        return cls(x, y, w, h, (minx + maxx) / 2, (miny + maxy) / 2, nice_scale(required))


# --- drawing primitives -------------------------------------------------------------------------

def clip_to(c, frame: MapFrame) -> None:
    p = c.beginPath()
    p.rect(frame.x, frame.y, frame.w, frame.h)
    c.clipPath(p, stroke=0, fill=0)


def _add_ring(path, frame: MapFrame, coords) -> None:
    arr = np.asarray(coords)
    k = frame.pt_per_m
    xs = frame.x + frame.w / 2 + (arr[:, 0] - frame.cx) * k
    ys = frame.y + frame.h / 2 + (arr[:, 1] - frame.cy) * k
    path.moveTo(xs[0], ys[0])
    for px, py in zip(xs[1:].tolist(), ys[1:].tolist()):
        path.lineTo(px, py)
    path.close()


def draw_polygon(c, frame: MapFrame, geom: BaseGeometry, *, fill=None, stroke=None, width=0.5,
                 dash=None) -> None:
    polys = getattr(geom, "geoms", [geom])
    path = c.beginPath()
    for poly in polys:
        _add_ring(path, frame, poly.exterior.coords)
        for ring in poly.interiors:
            _add_ring(path, frame, ring.coords)
    c.saveState()
    if fill is not None:
        c.setFillColor(fill)
    if stroke is not None:
        c.setStrokeColor(stroke)
        c.setLineWidth(width)
        c.setLineJoin(1)
        if dash:
            c.setDash(list(dash))
    c.drawPath(path, stroke=1 if stroke is not None else 0, fill=1 if fill is not None else 0, fillMode=0)
    c.restoreState()


def draw_lines(c, frame: MapFrame, geom: BaseGeometry, *, colour, width=0.8) -> None:
    """A (multi)line in plane coordinates, e.g. a road or a river of a reference layer."""
    parts = getattr(geom, "geoms", [geom])
    c.saveState()
    c.setStrokeColor(colour)
    c.setLineWidth(width)
    c.setLineJoin(1)
    for part in parts:
        if part.geom_type not in ("LineString", "LinearRing"):
            continue
        pts = [frame.to_page(x, y) for x, y, *_ in part.coords]
        if len(pts) < 2:
            continue
        path = c.beginPath()
        path.moveTo(*pts[0])
        for pt in pts[1:]:
            path.lineTo(*pt)
        c.drawPath(path, stroke=1, fill=0)
    c.restoreState()


def text_width(c, text: str, size: float) -> float:
    return c.stringWidth(text, ensure_font(), size)


def draw_text(c, x: float, y: float, text: str, size: float, *, colour=INK, anchor: str = "left",
              halo: float = 0.0, bold: bool = False) -> None:
    """Text with an optional white halo (legible over lines) and a stroked 'bold' (the font has one weight)."""
    font = ensure_font()
    w = c.stringWidth(text, font, size)
    if anchor == "centre":
        x -= w / 2
    elif anchor == "right":
        x -= w
    if halo:  # in its own q/Q: the text render mode is graphics state and would outlive the text object
        c.saveState()
        t = c.beginText(x, y)
        t.setFont(font, size)
        t.setTextRenderMode(1)
        c.setStrokeColor(white)
        c.setLineWidth(halo)
        c.setLineJoin(1)
        t.textOut(text)
        c.drawText(t)
        c.restoreState()
    c.saveState()
    t = c.beginText(x, y)
    t.setFont(font, size)
    c.setFillColor(colour)
    if bold:
        c.setStrokeColor(colour)
        c.setLineWidth(size * 0.035)
        t.setTextRenderMode(2)
    t.textOut(text)
    c.drawText(t)
    c.restoreState()


def draw_hazard_marker(c, x: float, y: float, label: str, colour: str, precision: Precision,
                       r: float = 2.6 * MM, ring: bool = True) -> None:
    """A numbered disc in the status colour. Township-level positions get a dashed ring (uncertain by
    kilometres; ring=False where the township's own boundary is drawn instead); surveyed positions a
    solid outer ring; village centres the plain disc."""
    c.saveState()
    if precision is Precision.TOWNSHIP and ring:
        c.setStrokeColor(HexColor(colour))
        c.setLineWidth(0.9)
        c.setDash(2.2, 1.6)
        c.circle(x, y, r * 1.75, stroke=1, fill=0)
        c.setDash()
    elif precision is Precision.SURVEYED:
        c.setStrokeColor(INK)
        c.setLineWidth(0.8)
        c.circle(x, y, r * 1.45, stroke=1, fill=0)
    c.setFillColor(HexColor(colour))
    c.setStrokeColor(white)
    c.setLineWidth(0.8)
    c.circle(x, y, r, stroke=1, fill=1)
    c.restoreState()
    size = r * (1.15 if len(label) == 1 else 0.95)
    draw_text(c, x, y - size * 0.36, label, size, colour=white, anchor="centre")


def draw_township_seat(c, x: float, y: float, r: float = 1.5 * MM) -> None:
    c.saveState()
    c.setStrokeColor(INK)
    c.setFillColor(white)
    c.setLineWidth(0.7)
    c.circle(x, y, r, stroke=1, fill=1)
    c.setFillColor(INK)
    c.circle(x, y, r * 0.45, stroke=0, fill=1)
    c.restoreState()


def draw_village(c, x: float, y: float, r: float = 0.55 * MM, colour=GREY) -> None:
    c.saveState()
    c.setFillColor(colour)
    c.circle(x, y, r, stroke=0, fill=1)
    c.restoreState()


def draw_rain_gauge(c, x: float, y: float, size: float = 2.2 * MM) -> None:
    c.saveState()
    c.setFillColor(RAIN_BLUE)
    c.setStrokeColor(white)
    c.setLineWidth(0.5)
    p = c.beginPath()
    p.moveTo(x, y + size * 0.62)
    p.lineTo(x - size * 0.55, y - size * 0.38)
    p.lineTo(x + size * 0.55, y - size * 0.38)
    p.close()
    c.drawPath(p, stroke=1, fill=1)
    c.restoreState()


def draw_north_arrow(c, frame: MapFrame, x: float, y: float, size: float = 11 * MM) -> None:
    """Points to true north: grid north of the Gauss-Kruger plane differs by the meridian convergence."""
    lon, lat = unproject(*frame.page_to_plane(x, y))
    ax, ay = frame.to_page(*project(lon, lat + 0.01))
    ang = math.atan2(ax - x, ay - y)  # clockwise from page-up
    c.saveState()
    c.translate(x, y)
    c.rotate(-math.degrees(ang))
    h = size
    p = c.beginPath()
    p.moveTo(0, h * 0.5)
    p.lineTo(-h * 0.2, -h * 0.35)
    p.lineTo(0, -h * 0.2)
    p.close()
    c.setFillColor(INK)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.drawPath(p, stroke=1, fill=1)
    p = c.beginPath()
    p.moveTo(0, h * 0.5)
    p.lineTo(h * 0.2, -h * 0.35)
    p.lineTo(0, -h * 0.2)
    p.close()
    c.setFillColor(white)
    c.drawPath(p, stroke=1, fill=1)
    c.restoreState()
    draw_text(c, x, y + h * 0.58, "北", h * 0.3, anchor="centre", halo=1.5)


def _nice_length_m(target_m: float) -> float:
    exp = 10 ** math.floor(math.log10(target_m))
    for f in (5, 2, 1):
        if f * exp <= target_m:
            return f * exp
    return exp


def format_scale(scale: int) -> str:
    return f"1:{scale:,}".replace(",", " ")


def draw_scale_bar(c, frame: MapFrame, x: float, y: float, max_width: float, *, size: float = 6.5) -> float:
    """A segmented bar in km (or m) with the scale stated; returns the height used."""
    total_m = _nice_length_m(max_width / frame.pt_per_m)
    seg_m = total_m / 4 if total_m / 4 >= 1 else total_m
    n = round(total_m / seg_m)
    seg = seg_m * frame.pt_per_m
    bar_h = 1.4 * MM
    c.saveState()
    c.setStrokeColor(INK)
    c.setLineWidth(0.5)
    for i in range(n):
        c.setFillColor(INK if i % 2 == 0 else white)
        c.rect(x + i * seg, y, seg, bar_h, stroke=1, fill=1)
    c.restoreState()
    in_km = total_m >= 1000

    def fmt(m: float) -> str:
        v = m / 1000 if in_km else m
        return f"{v:g}"
    widest = max(text_width(c, fmt(i * seg_m), size) for i in range(n + 1))
    every = 1 if seg > widest + 3 else (2 if 2 * seg > widest + 3 else n)  # labels must not touch
    for i in range(0, n + 1, every):
        draw_text(c, x + i * seg, y + bar_h + 1.2, fmt(i * seg_m), size, anchor="centre")
    draw_text(c, x + n * seg + 2.2 * MM, y, "千米" if in_km else "米", size)
    draw_text(c, x, y - size - 2.5, f"比例尺 {format_scale(frame.scale)}", size + 0.5)
    return bar_h + 2 * size + 4


def _dms(value: float, hemi: str) -> str:
    total = round(abs(value) * 60)
    d, m = divmod(total, 60)
    return f"{d}°{m:02d}′{hemi}"


def _crossings(frame: MapFrame, edge: str, step_min: int, which: str):
    """Page positions along one edge of the frame where lon (or lat) is a multiple of step."""
    n = 200
    if edge in ("bottom", "top"):
        yy = frame.y if edge == "bottom" else frame.y + frame.h
        pts = [(frame.x + frame.w * i / n, yy) for i in range(n + 1)]
    else:
        xx = frame.x if edge == "left" else frame.x + frame.w
        pts = [(xx, frame.y + frame.h * i / n) for i in range(n + 1)]
    plane = [frame.page_to_plane(px, py) for px, py in pts]
    xs, ys = _TO_GEO.transform([p[0] for p in plane], [p[1] for p in plane])
    vals = [v * 60 for v in (xs if which == "lon" else ys)]
    out = []
    for i in range(n):
        a, b = vals[i], vals[i + 1]
        lo, hi = min(a, b), max(a, b)
        k = math.ceil(lo / step_min)
        while k * step_min <= hi:
            t = 0 if b == a else (k * step_min - a) / (b - a)
            if 0 <= t < 1 or (i == n - 1 and t == 1):
                px = pts[i][0] + (pts[i + 1][0] - pts[i][0]) * t
                py = pts[i][1] + (pts[i + 1][1] - pts[i][1]) * t
                out.append((px, py, k * step_min / 60))
            k += 1
    return out


def tick_step_minutes(frame: MapFrame) -> int:
    span_deg = frame.w / frame.pt_per_m / 100_000  # ~1 degree is 100 km here
    for step in (1, 2, 5, 10, 15, 20, 30, 60):
        if span_deg * 60 / step <= 7:
            return step
    return 60


def draw_neatline_and_ticks(c, frame: MapFrame, *, size: float = 6.0) -> None:
    """Frame, and CGCS2000 lon/lat ticks where meridians and parallels cross the frame edges."""
    c.saveState()
    c.setStrokeColor(INK)
    c.setLineWidth(0.9)
    c.rect(frame.x, frame.y, frame.w, frame.h, stroke=1, fill=0)
    c.setLineWidth(0.5)
    step = tick_step_minutes(frame)
    tick = 1.8 * MM
    for edge in ("bottom", "top", "left", "right"):
        which = "lon" if edge in ("bottom", "top") else "lat"
        for px, py, v in _crossings(frame, edge, step, which):
            if min(abs(px - frame.x), abs(px - frame.x - frame.w)) < 4 * MM and edge in ("bottom", "top"):
                continue  # a label at a corner would collide with the other edge's labels
            if min(abs(py - frame.y), abs(py - frame.y - frame.h)) < 4 * MM and edge in ("left", "right"):
                continue
            label = _dms(v, "E" if which == "lon" else "N")
            if edge == "bottom":
                c.line(px, py, px, py + tick)
                draw_text(c, px, py - size - 1.5, label, size, anchor="centre")
            elif edge == "top":
                c.line(px, py, px, py - tick)
                draw_text(c, px, py + 1.8, label, size, anchor="centre")
            elif edge == "left":
                c.line(px, py, px + tick, py)
                c.saveState()
                c.translate(px - 1.8, py)
                c.rotate(90)
                draw_text(c, 0, 0, label, size, anchor="centre")
                c.restoreState()
            else:
                c.line(px, py, px - tick, py)
                c.saveState()
                c.translate(px + 1.8 + size, py)
                c.rotate(90)
                draw_text(c, 0, 0, label, size, anchor="centre")
                c.restoreState()
    c.restoreState()


def hex_colour(text: str) -> Color:
    return HexColor(text)


__all__ = ["MapFrame", "project", "unproject", "draw_polygon", "draw_text", "draw_hazard_marker",
           "draw_township_seat", "draw_village", "draw_rain_gauge", "draw_north_arrow", "draw_scale_bar",
           "draw_neatline_and_ticks", "clip_to", "black", "white", "MM"]
