"""Printed maps, measured on the PDFs themselves (poppler): names on the map never run together, and
every legend symbol sits beside its label with clear paper between them."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from hazardmap.reports import maps
from hazardmap.reports.data import collect

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                reason="poppler-utils not installed")

MM = 72 / 25.4
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
LEGEND_LABELS = ("正常", "异常", "危险", "未巡查", "实测坐标", "村庄中心，非实测", "乡镇驻地，非实测，误差可达数公里",
                 "乡镇（街道）驻地", "村（社区）中心点", "雨量计站点", "县界", "相邻县（市、区）")


def pages(path: Path):
    """[(page height, [(x0, y0, x1, y1, text)])] in points, y downwards (pdftotext's frame)."""
    out = subprocess.run(["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [(float(h), [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in WORD.findall(body)])
            for _, h, body in PAGE.findall(out)]


@pytest.fixture
def printed(store, tmp_path, monkeypatch):
    """Writes the map PDFs a user prints; returns {name: (path, [map frame of each page])}."""
    return print_all(store, tmp_path, monkeypatch)


def print_all(store, tmp_path, monkeypatch):
    frames: list = []
    real = maps.draw_map_body

    def recording(c, frame, *args, **kwargs):
        frames.append(frame)
        return real(c, frame, *args, **kwargs)

    monkeypatch.setattr(maps, "draw_map_body", recording)
    data = collect(store)
    out = {}
    for name, make in (("A3", lambda: maps.county_map_pdf(data, "A3", "landscape")),
                       ("A4", lambda: maps.county_map_pdf(data, "A4", "landscape")),
                       ("A4 portrait", lambda: maps.county_map_pdf(data, "A4", "portrait")),
                       ("atlas", lambda: maps.atlas_pdf(data)),
                       ("atlas A3 portrait", lambda: maps.atlas_pdf(data, paper="A3", orientation="portrait"))):
        frames.clear()
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(make())
        out[name] = (path, list(frames))
    return out


def test_names_on_the_map_never_run_together(printed, store):
    seats = {t.name for t in store.bundled.townships if t.lon is not None}
    checked = 0
    for name, (path, frames) in printed.items():
        for (page_h, words), f in zip(pages(path), frames, strict=True):
            top = page_h - (f.y + f.h)
            inside = [w for w in words if f.x < (w[0] + w[2]) / 2 < f.x + f.w and top < (w[1] + w[3]) / 2 < top + f.h]
            if name in ("A3", "A4", "A4 portrait"):
                assert seats <= {w[4] for w in inside}, (name, seats - {w[4] for w in inside})
            for i, a in enumerate(inside):
                for b in inside[i + 1:]:
                    if a[4].isdigit() and b[4].isdigit():
                        continue  # two point numbers: each inside its own disc (fanned out when close)
                    gap = max(b[0] - a[2], a[0] - b[2], b[1] - a[3], a[1] - b[3])
                    assert gap >= 0.5 * MM, f"{name}: “{a[4]}” and “{b[4]}” {gap / MM:.2f} mm apart"
                    checked += 1
    assert checked > 1000


def gray_page(path: Path, page: int, dpi: int, tmp: Path) -> np.ndarray:
    prefix = tmp / f"{path.stem}-{page}"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                    str(path), str(prefix)], check=True)
    raw = prefix.with_suffix(".pgm").read_bytes()
    magic, w, h, maxval, rest = raw.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    return np.frombuffer(rest[: int(w) * int(h)], dtype=np.uint8).reshape(int(h), int(w))


def test_legend_symbols_sit_beside_their_labels(printed, tmp_path):
    check_legend(printed, LEGEND_LABELS, tmp_path)


def test_legend_lists_the_reference_layers_shown(store, tmp_path, monkeypatch):
    import json

    from hazardmap.services import layer_read, reference_layers

    shapes = {"测试道路": {"type": "LineString", "coordinates": [[112.45, 26.70], [112.85, 26.80]]},
              "测试区划": {"type": "Polygon", "coordinates": [[[112.6, 26.7], [112.7, 26.7], [112.7, 26.8],
                                                              [112.6, 26.7]]]},
              "隐藏图层": {"type": "LineString", "coordinates": [[112.5, 26.6], [112.8, 26.9]]}}
    for name, geometry in shapes.items():
        path = tmp_path / f"{name}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"名称": name}, "geometry": geometry}]}, ensure_ascii=False), "utf-8")
        reference_layers.import_reference(store, layer_read.read_layer(path), name=name)
    reference_layers.set_visible(store, "隐藏图层", False)
    printed = print_all(store, tmp_path, monkeypatch)
    check_legend(printed, LEGEND_LABELS + ("测试道路", "测试区划"), tmp_path)
    for name, (path, _frames) in printed.items():
        assert "隐藏图层" not in {w[4] for w in pages(path)[0][1]}, name


def check_legend(printed, labels, tmp_path):
    dpi = 200
    k = dpi / 72
    checked = 0
    for name, (path, frames) in printed.items():
        page_h, words = pages(path)[0]
        img = gray_page(path, 1, dpi, tmp_path)
        f = frames[0]
        legend = [w for w in words if w[4] in labels
                  and not (f.x < w[0] < f.x + f.w and page_h - f.y - f.h < w[1] < page_h - f.y)]
        assert {w[4] for w in legend} == set(labels), name
        for x0, y0, x1, y1, text in legend:
            rows = slice(int((y0 + 1) * k), int((y1 - 1) * k))
            # 0.8 mm of blank paper just left of the label, and the symbol's ink left of that.
            clear = img[rows, int((x0 - 0.8 * MM) * k): int((x0 - 0.3) * k)]
            symbol = img[rows, int((x0 - 12 * MM) * k): int((x0 - 0.8 * MM) * k)]
            assert clear.min() > 235, f"{name}: the symbol of “{text}” reaches its label"
            assert symbol.min() < 215, f"{name}: no symbol left of “{text}”"
            checked += 1
    assert checked == len(labels) * len(printed)
