"""Exporting layers (services/layer_export.py, `hazardmap export layer`): each format read back by
hazardmap's own reader and by GDAL's ogrinfo, with the Chinese text and positions intact."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from hazardmap.domain.errors import FileExists, InvalidInput
from hazardmap.domain.coordinates import distance_m
from hazardmap.geodata.gcj02 import wgs84_to_gcj02
from hazardmap.services import layer_export, layer_import, layer_read
from hazardmap.services.register import points_in_view

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

needs_gdal = pytest.mark.skipif(shutil.which("ogrinfo") is None,
                                reason="GDAL 命令行工具（ogrinfo）未安装：apt-get install gdal-bin")
FORMATS = ["gpkg", "shp", "kml", "kmz", "geojson", "csv", "xlsx"]


def _columns(layer: layer_export.ExportLayer, fmt: str) -> dict[str, str]:
    return {c.key: (c.shp if fmt == "shp" else c.title) for c in layer.columns}


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_with_chinese(store, tmp_path, fmt):
    layer = layer_export.points_layer(store)
    out = tmp_path / f"points.{fmt}"
    written = layer_export.export_layer(layer, out, encoding="GBK" if fmt == "shp" else "UTF-8")
    assert out in written
    crs = "cgcs2000" if fmt in ("csv", "xlsx") else None
    data = layer_read.read_layer(out)
    names = _columns(layer, fmt)
    located = {p.seq: p for p in points_in_view(store) if p.located}
    got = {}
    for rec, x, y in zip(data.rows, data.xs, data.ys):
        got[int(rec[names["seq"]])] = (rec[names["name"]], rec[names["monitor"]], x, y)
    for seq, p in located.items():
        name, monitor, x, y = got[seq]
        assert (name, monitor) == (p.name, p.monitor)
        assert distance_m(x, y, p.lon, p.lat) < 1.0
    # Read back into the same register: every located point is found to be there already.
    mapping = {"given_name": names["name"], "township": names["township"], "unified_code": names["unified_code"]}
    preview = layer_import.preview_points(store, data, crs=crs, mapping=mapping)
    assert {d.line for d in preview.duplicates} and not preview.rows
    assert len(preview.duplicates) == len(located)


@needs_gdal
@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_read_back_by_ogrinfo(store, tmp_path, fmt):
    out = tmp_path / f"p.{fmt}"
    layer_export.export_layer(layer_export.points_layer(store), out)
    info = subprocess.run(["ogrinfo", "-ro", "-al", str(out)], capture_output=True, text=True, check=True).stdout
    assert "Feature Count: 16" in info or info.count("OGRFeature") >= 16
    assert "宝盖镇" in info


@needs_gdal
def test_gpkg_has_qgis_styles(store, tmp_path):
    out = tmp_path / "p.gpkg"
    layer_export.export_layer(layer_export.points_layer(store), out)
    info = subprocess.run(["ogrinfo", "-ro", str(out), "-sql", "SELECT f_table_name, f_geometry_column, useAsDefault,"
                           " styleQML FROM layer_styles"], capture_output=True, text=True, check=True).stdout
    assert "f_table_name (String) = 隐患点" in info and "useAsDefault (Integer(Boolean)) = 1" in info
    assert 'attr="巡查判定"' in info and "categorizedSymbol" in info
    # The geometry column QGIS matches the style by is the one GDAL wrote.
    cols = subprocess.run(["ogrinfo", "-ro", "-so", str(out), "隐患点"], capture_output=True, text=True).stdout
    assert "Geometry Column = geom" in cols


def test_qgis_opens_the_styled_gpkg(store, tmp_path):
    try:
        from qgis.core import QgsApplication, QgsVectorLayer   # noqa: F401
    except ImportError:
        pytest.skip("QGIS（qgis Python 模块）未安装：无法检查 QGIS 打开 GeoPackage 时的样式")
    out = tmp_path / "p.gpkg"
    layer_export.export_layer(layer_export.points_layer(store), out)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        vl = QgsVectorLayer(f"{out}|layername=隐患点", "隐患点", "ogr")
        assert vl.isValid()
        message, ok = vl.loadDefaultStyle()
        assert ok, message
        assert vl.renderer().type() == "categorizedSymbol"
    finally:
        app.exitQgis()


def test_mask_phones_on_every_format(store, tmp_path):
    phones = [p.phone for p in points_in_view(store) if p.phone]
    assert phones
    for fmt in FORMATS:
        out = tmp_path / f"m.{fmt}"
        layer_export.export_layer(layer_export.points_layer(store, mask_phones=True), out)
        data = layer_read.read_layer(out)
        text = repr(data.rows)
        assert not any(ph in text for ph in phones), fmt
        assert "****" in text, fmt


def test_never_overwrites_without_force(store, tmp_path):
    out = tmp_path / "p.shp"
    layer_export.export_layer(layer_export.points_layer(store), out)
    (tmp_path / "p.shp").unlink()        # only the .dbf and the others left: still refused
    with pytest.raises(FileExists):
        layer_export.export_layer(layer_export.points_layer(store), out)
    layer_export.export_layer(layer_export.points_layer(store), out, force=True)
    assert sorted(p.suffix for p in tmp_path.glob("p.*")) == [".cpg", ".dbf", ".prj", ".shp", ".shx"]
    assert not list(tmp_path.glob(".*"))   # no work folder left


def test_shapefile_encoding_and_cpg(store, tmp_path):
    for enc in ("GBK", "UTF-8"):
        out = tmp_path / enc / "p.shp"
        out.parent.mkdir()
        layer_export.export_layer(layer_export.points_layer(store), out, encoding=enc)
        assert out.with_suffix(".cpg").read_text() == enc
        raw = out.with_suffix(".dbf").read_bytes()
        assert "宝盖镇".encode("gbk" if enc == "GBK" else "utf-8") in raw


def test_gcj02_option_only_where_it_makes_sense(store, tmp_path):
    p = next(p for p in points_in_view(store) if p.located)
    out = tmp_path / "g.kml"
    layer_export.export_layer(layer_export.points_layer(store), out, gcj02=True)
    data = layer_read.read_layer(out)
    i = next(i for i, r in enumerate(data.rows) if r["序号"] in (p.seq, str(p.seq)))
    gx, gy = wgs84_to_gcj02(p.lon, p.lat)
    assert distance_m(data.xs[i], data.ys[i], gx, gy) < 1.0
    assert distance_m(data.xs[i], data.ys[i], p.lon, p.lat) > 300
    with pytest.raises(InvalidInput, match="GCJ-02"):
        layer_export.export_layer(layer_export.points_layer(store), tmp_path / "g.gpkg", gcj02=True)


def test_kml_icons_coloured_and_described(store, tmp_path):
    out = tmp_path / "p.kml"
    layer_export.export_layer(layer_export.points_layer(store, mask_phones=True), out)
    text = out.read_text(encoding="utf-8")
    assert "<IconStyle>" in text and "<color>ff8d8c7f</color>" in text   # 未巡查 grey #7f8c8d as aabbggrr
    assert "监测人：" in text and "****" in text


def test_gauges_and_patrol_layers(store, tmp_path):
    from hazardmap.services import rain_gauges

    from hazardmap.geodata.bundled import BundledData

    village = next(v for v in BundledData().villages if v.located)
    rain_gauges.assign(store, 1, village.code)
    gauges = layer_export.gauges_layer(store)
    assert [r["village"] for r in gauges.rows] == [village.name] and gauges.geometries[0] is not None
    for layer in (layer_export.gauges_layer(store), layer_export.patrol_layer(store)):
        out = tmp_path / f"{layer.name}.gpkg"
        layer_export.export_layer(layer, out)
        assert out.exists()
    patrol = layer_export.patrol_layer(store)
    assert len(patrol.rows) == 16 and {r["judgement"] for r in patrol.rows} == {"未巡查"}


def test_cli_export_layer(cli, tmp_path):
    out = tmp_path / "p.geojson"
    code, stdout, err = cli("export", "layer", "--out", str(out), "--mask-phones")
    assert code == 0 and "已导出“隐患点”16 个要素" in stdout and "电话已打码" in stdout
    code, stdout, err = cli("export", "layer", "--out", str(out))
    assert code == 2 and "--force" in err
    code, stdout, err = cli("export", "layer", "--out", str(tmp_path / "x.txt"))
    assert code == 2 and "格式" in err
