"""Importing points from GIS files and spreadsheets (services/layer_read.py, services/layer_import.py,
`hazardmap import layer`). The files are written in the test by GDAL's own ogr2ogr, as the bureau's
ArcGIS/MapGIS/QGIS would write them; the points are synthetic (inside the county, near township seats)."""
from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest

from hazardmap.domain.errors import CrsNeeded, ImportRefused, InvalidInput, LayerUnreadable
from hazardmap.domain.coordinates import distance_m
from hazardmap.geodata.gcj02 import wgs84_to_gcj02
from hazardmap.services import layer_import, layer_read
from hazardmap.services.register import points_in_view

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

needs_gdal = pytest.mark.skipif(shutil.which("ogr2ogr") is None,
                                reason="GDAL 命令行工具（ogr2ogr）未安装：apt-get install gdal-bin")

# Synthetic points inside Hengnan (near the 茶市镇 and 冠市镇 seats), east of 112.5°E: zone 38.
ROWS = [("430422110001", "茶市滑坡一", "茶市镇", "张三", "13800001111", 112.7512, 26.7655),
        ("430422110002", "冠市崩塌二", "冠市镇", "李四", "13800002222", 112.8890, 26.7120)]
HEADER = "统一编号,名称,乡镇,监测人,电话,lon,lat"


def _csv(path, rows=ROWS, header=HEADER, encoding="utf-8"):
    lines = [header] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def ogr2ogr(*args: str) -> None:
    subprocess.run(["ogr2ogr", *args], check=True, capture_output=True)


def _from_csv(tmp_path, out: str, *extra: str, rows=ROWS) -> None:
    src = _csv(tmp_path / "src.csv", rows)
    ogr2ogr(*extra, str(tmp_path / out), str(src), "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
            "-oo", "AUTODETECT_TYPE=NO")


def _count(store) -> int:
    return len(points_in_view(store))


def _check_imported(store, before: int) -> None:
    points = points_in_view(store)
    assert len(points) == before + len(ROWS)
    got = {p.unified_code: p for p in points}
    for code, name, town, monitor, phone, lon, lat in ROWS:
        p = got[code]
        assert (p.given_name, p.township, p.monitor, p.phone) == (name, town, monitor, phone)
        assert distance_m(p.lon, p.lat, lon, lat) < 1.0
        assert p.precision.value == "surveyed"


@needs_gdal
def test_gbk_shapefile_without_cpg(store, tmp_path):
    _from_csv(tmp_path, "gbk.shp", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4490", "-lco", "ENCODING=GBK")
    (tmp_path / "gbk.cpg").unlink()
    data = layer_read.read_layer(tmp_path / "gbk.shp")
    assert "GBK" in data.encoding_note
    before = _count(store)
    preview = layer_import.preview_points(store, data)
    assert not preview.bad and len(preview.rows) == 2
    layer_import.import_points(store, preview)
    _check_imported(store, before)


@needs_gdal
def test_utf8_override_shows_the_choice(store, tmp_path):
    _from_csv(tmp_path, "gbk.shp", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4490", "-lco", "ENCODING=GBK")
    (tmp_path / "gbk.cpg").unlink()
    with pytest.raises(LayerUnreadable, match="编码"):
        layer_read.read_layer(tmp_path / "gbk.shp", encoding="UTF-8")


@needs_gdal
def test_zone38_gauss_kruger_with_zone_prefix(store, tmp_path):
    _from_csv(tmp_path, "gk.shp", "-f", "ESRI Shapefile", "-s_srs", "EPSG:4490", "-t_srs", "EPSG:4526",
              "-lco", "ENCODING=GBK")
    data = layer_read.read_layer(tmp_path / "gk.shp")
    assert data.file_crs.key == "EPSG:4526"
    assert 38_000_000 < data.xs[0] < 39_000_000
    before = _count(store)
    layer_import.import_points(store, layer_import.preview_points(store, data))
    _check_imported(store, before)


@needs_gdal
def test_zone_prefix_missing_or_file_without_prj(store, tmp_path):
    _from_csv(tmp_path, "gk.shp", "-f", "ESRI Shapefile", "-s_srs", "EPSG:4490", "-t_srs", "EPSG:4526",
              "-lco", "ENCODING=GBK")
    (tmp_path / "gk.prj").unlink()
    data = layer_read.read_layer(tmp_path / "gk.shp")
    with pytest.raises(CrsNeeded) as exc:
        layer_import.preview_points(store, data)
    assert exc.value.suggestion == "EPSG:4526" and "坐标系" in str(exc.value)
    with pytest.raises(InvalidInput, match="带号.*应选 EPSG:4526"):
        layer_import.preview_points(store, data, crs="EPSG:4547")   # no zone number expected: wrong choice
    assert len(layer_import.preview_points(store, data, crs="EPSG:4526").rows) == 2


@needs_gdal
def test_kml_written_by_ogr2ogr(store, tmp_path):
    src = _csv(tmp_path / "src.csv", header="code,Name,乡镇,监测人,电话,lon,lat")
    ogr2ogr("-f", "KML", str(tmp_path / "pts.kml"), str(src), "-oo", "X_POSSIBLE_NAMES=lon",
            "-oo", "Y_POSSIBLE_NAMES=lat", "-a_srs", "EPSG:4326", "-dsco", "NameField=Name")
    data = layer_read.read_layer(tmp_path / "pts.kml")
    assert data.file_crs.key == "wgs84"
    mapping = {**layer_import.guess_mapping(data.columns), "unified_code": "code"}
    before = _count(store)
    layer_import.import_points(store, layer_import.preview_points(store, data, mapping=mapping))
    _check_imported(store, before)


@needs_gdal
def test_round_trip_geojson_and_gpkg_with_chinese(store, tmp_path):
    for name, driver in (("a.geojson", "GeoJSON"), ("a.gpkg", "GPKG")):
        _from_csv(tmp_path, name, "-f", driver, "-a_srs", "EPSG:4490")
        data = layer_read.read_layer(tmp_path / name)
        preview = layer_import.preview_points(store, data)
        assert [c.name for c in preview.rows] == ["茶市滑坡一", "冠市崩塌二"], name


def test_csv_lon_lat_needs_a_crs_then_gcj02_is_converted(store, tmp_path):
    gcj = [(*r[:5], *wgs84_to_gcj02(r[5], r[6])) for r in ROWS]
    path = _csv(tmp_path / "gcj.csv", [(*r[:5], f"{r[5]:.7f}", f"{r[6]:.7f}") for r in gcj])
    data = layer_read.read_layer(path)
    with pytest.raises(CrsNeeded, match="没有说明坐标系"):
        layer_import.preview_points(store, data)
    before = _count(store)
    layer_import.import_points(store, layer_import.preview_points(store, data, crs="gcj02"))
    _check_imported(store, before)


def test_xlsx_with_dms_and_chinese_x_north(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "乡镇", "经度", "纬度"])
    ws.append(["度分秒点", "茶市镇", "112°45'04.3\"", "26°45'55.8\""])
    wb.save(tmp_path / "dms.xlsx")
    preview = layer_import.preview_points(store, layer_read.read_layer(tmp_path / "dms.xlsx"), crs="cgcs2000")
    (c,) = preview.rows
    assert abs(c.lon - (112 + 45 / 60 + 4.3 / 3600)) < 1e-9 and abs(c.lat - (26 + 45 / 60 + 55.8 / 3600)) < 1e-9
    # Surveyors' X is the northing: read the right way round and said so.
    from hazardmap.geodata import crs

    e, n = crs.from_cgcs2000(crs.parse_crs("EPSG:4526"), [ROWS[0][5]], [ROWS[0][6]])
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "乡镇", "X", "Y"])
    ws.append(["平面点", "茶市镇", float(n[0]), float(e[0])])
    wb.save(tmp_path / "xy.xlsx")
    preview = layer_import.preview_points(store, layer_read.read_layer(tmp_path / "xy.xlsx"), crs="EPSG:4526")
    (c,) = preview.rows
    assert distance_m(c.lon, c.lat, ROWS[0][5], ROWS[0][6]) < 1.0
    assert any("北坐标" in w for w in preview.warnings)


def test_all_or_nothing_skip_bad_and_one_undo(store, tmp_path):
    rows = [*ROWS, ("430422110003", "海上点", "茶市镇", "王五", "13800003333", 123.5, 25.0)]
    data = layer_read.read_layer(_csv(tmp_path / "sea.csv", rows))
    preview = layer_import.preview_points(store, data, crs="wgs84")
    (bad,) = preview.bad
    assert bad.line == 4 and "不在中国境内" in bad.reason or "县以外" in bad.reason
    before = _count(store)
    with pytest.raises(ImportRefused, match="第 4 行"):
        layer_import.import_points(store, preview)
    assert _count(store) == before
    changes = layer_import.import_points(store, preview, skip_bad=True)
    assert _count(store) == before + 2
    redo = changes.undo()
    assert _count(store) == before
    redo.undo()
    assert _count(store) == before + 2


def test_undo_of_an_import_refused_once_a_point_was_edited(store, tmp_path):
    from hazardmap.domain.errors import StaleEdit
    from hazardmap.services import points

    preview = layer_import.preview_points(store, layer_read.read_layer(_csv(tmp_path / "a.csv")), crs="wgs84")
    changes = layer_import.import_points(store, preview)
    before = _count(store)
    redo = changes.undo()
    redo.undo()
    points.set_monitor(store, min(changes.points), name="新测试员")
    with pytest.raises(StaleEdit, match="导入后已改动"):
        changes.undo()
    assert _count(store) == before   # none taken out, not even the unedited one


def test_duplicates_by_code_or_name_within_30m(store, tmp_path):
    path = _csv(tmp_path / "a.csv")
    layer_import.import_points(store, layer_import.preview_points(store, layer_read.read_layer(path), crs="wgs84"))
    again = layer_import.preview_points(store, layer_read.read_layer(path), crs="wgs84")
    assert [d.line for d in again.duplicates] == [2, 3] and not again.rows
    assert "统一编号" in again.duplicates[0].reason
    moved = [("", r[1], r[2], r[3], r[4], r[5] + 0.0001, r[6]) for r in ROWS]   # about 10 m east, no code
    near = layer_import.preview_points(store, layer_read.read_layer(_csv(tmp_path / "b.csv", moved)), crs="wgs84")
    assert len(near.duplicates) == 2 and "同名且相距" in near.duplicates[0].reason
    far = [("", r[1], r[2], r[3], r[4], r[5] + 0.001, r[6]) for r in ROWS]     # about 100 m: another point
    assert len(layer_import.preview_points(store, layer_read.read_layer(_csv(tmp_path / "c.csv", far)),
                                          crs="wgs84").rows) == 2


def test_mapping_guessed_then_remembered_per_layout(store, tmp_path):
    path = _csv(tmp_path / "m.csv", header="统一编号,点名,所在乡镇,群测群防员,手机,lon,lat")
    data = layer_read.read_layer(path)
    guess = layer_import.mapping_for(store, data)
    assert guess == {"unified_code": "统一编号", "given_name": "点名", "township": "所在乡镇", "monitor": "群测群防员",
                     "phone": "手机"}
    chosen = {**guess, "monitor": ""}   # the user maps the monitor to nothing
    layer_import.import_points(store, layer_import.preview_points(store, data, crs="wgs84", mapping=chosen))
    assert layer_import.mapping_for(store, layer_read.read_layer(path)) == {k: v for k, v in chosen.items() if v}
    assert all(not p.monitor for p in points_in_view(store) if p.unified_code.startswith("43042211"))


# ---- bad input: a clear Chinese message, nothing changed -------------------------------------------------

@needs_gdal
def test_shp_without_dbf(store, tmp_path):
    _from_csv(tmp_path, "x.shp", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4490")
    (tmp_path / "x.dbf").unlink()
    with pytest.raises(LayerUnreadable, match="缺少同名的 .dbf"):
        layer_read.read_layer(tmp_path / "x.shp")


def test_kmz_that_is_not_a_zip(tmp_path):
    (tmp_path / "x.kmz").write_text("<kml>not zipped</kml>", encoding="utf-8")
    with pytest.raises(LayerUnreadable, match="不是有效的 KMZ"):
        layer_read.read_layer(tmp_path / "x.kmz")


def test_xlsx_without_coordinate_columns(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["名称", "乡镇"])
    wb.active.append(["某点", "茶市镇"])
    wb.save(tmp_path / "none.xlsx")
    with pytest.raises(InvalidInput, match="找不到坐标列"):
        layer_read.read_layer(tmp_path / "none.xlsx")


def test_sea_coordinates_refused_through_the_cli(cli, tmp_path):
    rows = [("", "海上点", "茶市镇", "王五", "13800003333", 123.5, 25.0)]
    path = _csv(tmp_path / "sea.csv", rows)
    code, out, err = cli("import", "layer", str(path), "--crs", "wgs84")
    assert code == 2 and "第 2 行" in err and "海上" in err and "未做任何改动" in err
    code, out, err = cli("points", "--format", "csv")
    assert "海上点" not in out


def test_cli_unknown_crs_then_check_then_import(cli, tmp_path):
    path = _csv(tmp_path / "a.csv")
    code, out, err = cli("import", "layer", str(path))
    assert code == 2 and "没有说明坐标系" in err and "--crs" in err
    code, out, err = cli("import", "layer", str(path), "--crs", "wgs84", "--check")
    assert code == 0 and "【可导入】2 处" in out and "只检查" in out
    code, out, err = cli("import", "layer", str(path), "--crs", "wgs84", "--map", "监测人=")
    assert code == 0 and "已导入 2 个隐患点" in out
    code, out, err = cli("import", "layer", str(path), "--crs", "nonsense")
    assert code == 2 and "不认识的坐标系" in err


def test_kmz_zip_reads(store, tmp_path):
    """A KMZ is a zip with a KML inside (as 奥维 and Google Earth write them)."""
    kml = ("<?xml version='1.0' encoding='UTF-8'?><kml xmlns='http://www.opengis.net/kml/2.2'><Document>"
           "<Placemark><name>茶市滑坡一</name><ExtendedData><Data name='乡镇'><value>茶市镇</value></Data>"
           "</ExtendedData><Point><coordinates>112.7512,26.7655,0</coordinates></Point></Placemark>"
           "</Document></kml>")
    with zipfile.ZipFile(tmp_path / "a.kmz", "w") as z:
        z.writestr("doc.kml", kml)
    data = layer_read.read_layer(tmp_path / "a.kmz")
    preview = layer_import.preview_points(store, data)
    assert [c.name for c in preview.rows] == ["茶市滑坡一"]


def test_a_build_without_gdal_says_so(tmp_path, monkeypatch):
    """build.spec may leave GDAL out of a frozen build: reading a GIS file then says so in Chinese."""
    import sys

    (tmp_path / "a.geojson").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    monkeypatch.setitem(sys.modules, "pyogrio", None)
    with pytest.raises(InvalidInput, match="GDAL"):
        layer_read.read_layer(tmp_path / "a.geojson")
