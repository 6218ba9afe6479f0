"""Reference layers (services/reference_layers.py): polygons and lines from GIS files, stored in the
database, on the map page and on the printed maps; township boundaries replace the ring of
township-precision points. The boundaries here are synthetic boxes round two township seats, written
by ogr2ogr in the test (no real boundary is public, docs/DOMAIN.md)."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from hazardmap.domain.errors import InvalidInput
from hazardmap.mapping.options import MapOptions
from hazardmap.mapping.page import collect_payload
from hazardmap.services import layer_export, layer_read, reference_layers

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

needs_gdal = pytest.mark.skipif(shutil.which("ogr2ogr") is None,
                                reason="GDAL 命令行工具（ogr2ogr）未安装：apt-get install gdal-bin")
SEATS = {"江口镇": (112.868567, 26.669461), "泉溪镇": (112.741424, 26.874072)}


def _box(lon, lat, d=0.04):
    return f"POLYGON(({lon - d} {lat - d},{lon + d} {lat - d},{lon + d} {lat + d},{lon - d} {lat + d},{lon - d} {lat - d}))"


def _townships_shp(tmp_path):
    src = tmp_path / "towns.csv"
    rows = ["wkt,乡镇名称"] + [f'"{_box(*xy)}",{name}' for name, xy in SEATS.items()]
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "towns.shp"
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", str(out), str(src), "-oo", "GEOM_POSSIBLE_NAMES=wkt",
                    "-oo", "KEEP_GEOM_COLUMNS=NO", "-s_srs", "EPSG:4490", "-t_srs", "EPSG:4526",
                    "-lco", "ENCODING=GBK", "-nlt", "POLYGON"], check=True, capture_output=True)
    (tmp_path / "towns.cpg").unlink()
    return out


def _roads_geojson(tmp_path):
    gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"道路名称": "测试路"},
          "geometry": {"type": "LineString", "coordinates": [[112.70, 26.70], [112.80, 26.75]]}}]}
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
    return path


@needs_gdal
def test_township_boundaries_from_a_zone38_gbk_shapefile(store, tmp_path):
    data = layer_read.read_layer(_townships_shp(tmp_path))
    changes = reference_layers.import_reference(store, data, name="乡镇界")
    assert changes.reference_layers
    (layer,) = reference_layers.list_layers(store)
    assert (layer.name, layer.kind, layer.role.value, layer.count) == ("乡镇界", "polygon", "township", 2)
    areas = reference_layers.township_areas(store)
    assert set(areas) == set(SEATS)
    for name, (lon, lat) in SEATS.items():
        c = areas[name].centroid
        assert abs(c.x - lon) < 1e-5 and abs(c.y - lat) < 1e-5   # back in CGCS2000 lon/lat, well within 1 m
    undone = changes.undo()
    assert reference_layers.list_layers(store) == []
    undone.undo()
    assert [x.name for x in reference_layers.list_layers(store)] == ["乡镇界"]


@needs_gdal
def test_map_page_draws_layers_and_areas_instead_of_rings(store, tmp_path):
    reference_layers.import_reference(store, layer_read.read_layer(_townships_shp(tmp_path)), name="乡镇界")
    reference_layers.import_reference(store, layer_read.read_layer(_roads_geojson(tmp_path)), name="道路")
    payload = collect_payload(store, MapOptions())
    assert [r["label"] for r in payload["reference"]] == ["乡镇界", "道路"]
    assert {"乡镇界", "道路"} <= {x["label"] for x in payload["layers"]}
    assert set(payload["township_areas"]) == set(SEATS)
    township_points = [p for p in payload["points"] if p["precision"] == "township"]
    assert any(p["township"] in SEATS for p in township_points)
    reference_layers.set_visible(store, "乡镇界", False)
    assert collect_payload(store, MapOptions())["township_areas"] == {}


@needs_gdal
def test_printed_county_map_outlines_the_township_instead_of_the_ring(store, tmp_path, monkeypatch):
    from hazardmap.reports import maps
    from hazardmap.reports.data import collect

    reference_layers.import_reference(store, layer_read.read_layer(_townships_shp(tmp_path)), name="乡镇界")
    reference_layers.import_reference(store, layer_read.read_layer(_roads_geojson(tmp_path)), name="道路")
    rings = {}
    real = maps.draw_hazard_marker

    def spy(c, x, y, label, colour, precision, r=1.0, ring=True):
        if label.isdigit():
            rings[int(label)] = ring
        return real(c, x, y, label, colour, precision, r=r, ring=ring)

    monkeypatch.setattr(maps, "draw_hazard_marker", spy)
    data = collect(store)
    pdf = maps.county_map_pdf(data)
    assert pdf.startswith(b"%PDF")
    by_seq = {p.seq: p for p in data.points}
    for seq, ring in rings.items():
        p = by_seq[seq]
        if p.precision.value == "township":
            assert ring == (p.township not in SEATS), (seq, p.township)
    assert rings[7] is False and rings[11] is True    # 江口镇 has a boundary, 松江镇 keeps its ring
    assert maps.atlas_pdf(data, ["江口镇"]).startswith(b"%PDF")


def test_points_are_not_a_reference_layer_and_names_are_unique(store, tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("名称,lon,lat\n点,112.75,26.76\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="只能是线或面"):
        reference_layers.import_reference(store, layer_read.read_layer(csv), name="x", crs="wgs84")
    roads = layer_read.read_layer(_roads_geojson(tmp_path))
    reference_layers.import_reference(store, roads, name="道路")
    with pytest.raises(InvalidInput, match="已有名为“道路”"):
        reference_layers.import_reference(store, roads, name="道路")


def test_layer_far_away_refused(store, tmp_path):
    gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
          "geometry": {"type": "LineString", "coordinates": [[120.0, 30.0], [120.1, 30.1]]}}]}
    path = tmp_path / "far.geojson"
    path.write_text(json.dumps(gj), encoding="utf-8")
    with pytest.raises(InvalidInput, match="坐标系选错"):
        reference_layers.import_reference(store, layer_read.read_layer(path), name="远处")
    assert reference_layers.list_layers(store) == []


def test_reference_layer_exported_and_cli(cli, tmp_path):
    roads = _roads_geojson(tmp_path)
    code, out, err = cli("import", "layer", str(roads))
    assert code == 2 and "--reference" in err
    code, out, err = cli("import", "layer", str(roads), "--reference", "道路")
    assert code == 0 and "已导入参考图层“道路”" in out
    for fmt in ("gpkg", "kml", "shp"):
        target = tmp_path / f"r.{fmt}"
        code, out, err = cli("export", "layer", "--what", "道路", "--out", str(target))
        assert code == 0, err
        back = layer_read.read_layer(target)
        assert back.geometry_type == "line" and back.rows[0]["名称"] == "测试路"
    code, out, err = cli("export", "layer", "--what", "河流", "--out", str(tmp_path / "x.gpkg"))
    assert code == 2 and "没有名为“河流”的参考图层" in err


def test_export_layer_of_has_polygon_style(store, tmp_path):
    reference_layers.import_reference(store, layer_read.read_layer(_roads_geojson(tmp_path)), name="道路")
    layer = layer_export.reference_export(store, "道路")
    assert layer.geometry_kind == "line" and layer.rows == [{"label": "测试路"}]
