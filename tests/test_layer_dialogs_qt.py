"""文件 → 导入图层… and 导出图层… (qt/layer_import_dialog.py, qt/layer_export_dialog.py) on the Shell
double: what a person sees before anything is written (rows with 新增 / 重复 / 错误, the points on the
small map, the detected encoding, the coordinate system), the import as one undo step, a bad file
refused in Chinese with nothing written, and exports read back.

Screenshots go to $HAZARDMAP_SHOTS when set (else the test's temp folder): look at them."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from hazardmap.services import layer_import, layer_read
from hazardmap.services.register import points_in_view
from tests.test_layer_import import ROWS, _csv, _from_csv

needs_gdal = pytest.mark.skipif(shutil.which("ogr2ogr") is None,
                                reason="GDAL 命令行工具（ogr2ogr）未安装：apt-get install gdal-bin")


def shot(widget, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("HAZARDMAP_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    widget.grab().save(str(path))
    return path


def _shown(qtbot, dlg):
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


@pytest.fixture
def importer(qtbot, double):
    from hazardmap.qt.layer_import_dialog import LayerImportDialog

    return _shown(qtbot, LayerImportDialog(double))


def _statuses(dlg) -> list[tuple[int, str]]:
    return [(r.line, r.status) for r in dlg.model.rows]


@needs_gdal
def test_gbk_shapefile_previewed_then_imported_and_undone(importer, double, store, tmp_path):
    _from_csv(tmp_path, "gbk.shp", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4490", "-lco", "ENCODING=GBK")
    (tmp_path / "gbk.cpg").unlink()
    before = len(points_in_view(store))
    importer.load(tmp_path / "gbk.shp")
    # The encoding is offered (no .cpg) with the detected GBK chosen; the system is the file's own.
    assert importer._encoding_shown and importer.encoding_box.currentData() == "GBK"
    assert "GBK" in importer.encoding_note.text()
    assert importer.crs_box.currentText().startswith("按文件所写")
    assert importer.mapping()["township"] == "乡镇" and importer.mapping()["phone"] == "电话"
    assert _statuses(importer) == [(1, "新增"), (2, "新增")]
    assert [r.name for r in importer.model.rows] == [ROWS[0][1], ROWS[1][1]]
    assert importer.model.data(importer.model.index(0, 2)) == "茶市滑坡一"
    new = importer.map.groups[0]
    assert new.label == "新增" and np.allclose(new.lon, [ROWS[0][5], ROWS[1][5]], atol=1e-6)
    assert len(points_in_view(store)) == before          # a preview writes nothing
    importer.table.selectRow(1)
    shot(importer, tmp_path, "layer_import_preview.png")

    assert importer.confirm()
    points = points_in_view(store)
    assert len(points) == before + 2
    assert {p.unified_code: p.given_name for p in points}[ROWS[0][0]] == "茶市滑坡一"
    assert double.undo_stack.count() == 1 and "导入 2 个隐患点" in double.undo_stack.undoText()
    double.undo()
    assert len(points_in_view(store)) == before


@needs_gdal
def test_encoding_override_reads_again(importer, tmp_path):
    _from_csv(tmp_path, "gbk.shp", "-f", "ESRI Shapefile", "-a_srs", "EPSG:4490", "-lco", "ENCODING=GBK")
    (tmp_path / "gbk.cpg").unlink()
    importer.load(tmp_path / "gbk.shp")
    importer.encoding_box.setCurrentIndex(importer.encoding_box.findData("UTF-8"))
    importer._reread()
    assert "编码" in importer.error.text() and not importer.import_button.isEnabled()


def test_duplicates_and_errors_then_only_the_good_rows(importer, double, store, tmp_path):
    first = _csv(tmp_path / "first.csv", ROWS[:1])
    layer_import.import_points(store, layer_import.preview_points(store, layer_read.read_layer(first), crs="wgs84"))
    seq = points_in_view(store)[-1].seq
    rows = [*ROWS, ("430422110009", "不存在乡", "无此乡", "王五", "13800003333", 112.80, 26.75)]
    importer.load(_csv(tmp_path / "mixed.csv", rows))
    # A CSV says nothing of its datum: the numbers look like lon/lat, CGCS2000 is preselected.
    assert "按坐标数值推测" in importer.crs_box.currentText() and importer.chosen_crs() == "cgcs2000"
    assert _statuses(importer) == [(2, "重复"), (3, "新增"), (4, "错误")]
    dup, _new, bad = importer.model.rows
    assert f"第 {seq} 号" in dup.note and "无此乡" in bad.note
    assert not importer.import_button.isEnabled() and importer.good_button.isEnabled()
    assert "错误 1 行" in importer.summary.text()
    shot(importer, tmp_path, "layer_import_duplicates_errors.png")
    before = len(points_in_view(store))
    assert importer.confirm(skip_bad=True)
    assert len(points_in_view(store)) == before + 1
    double.undo()
    assert len(points_in_view(store)) == before


def test_far_points_warned_and_crs_changed_by_the_user(importer, store, tmp_path):
    importer.load(_csv(tmp_path / "p.csv"))
    importer.select_crs("gcj02")
    assert importer.preview.crs.key == "gcj02" and _statuses(importer) == [(2, "新增"), (3, "新增")]
    importer.select_crs("EPSG:4526")   # lon/lat read as zone-38 metres: nowhere near the county
    assert "带号" in importer.error.text() and not importer.import_button.isEnabled()


def test_surveyors_x_north_in_zone_38_warned_and_guessed(importer, tmp_path):
    import pyproj

    to_gk = pyproj.Transformer.from_crs(4490, 4526, always_xy=True)
    lines = ["统一编号,名称,乡镇,X,Y"]
    for code, name, town, _m, _p, lon, lat in ROWS:
        east, north = to_gk.transform(lon, lat)
        lines.append(f"{code},{name},{town},{north:.2f},{east:.2f}")   # X = northing, as surveyors write it
    path = tmp_path / "xy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    importer.load(path)
    assert importer.chosen_crs() == "EPSG:4526" and "CGCS2000 3° 带 38" in importer.crs_box.currentText()
    assert "北坐标" in importer.warnings.text()
    assert _statuses(importer) == [(2, "新增"), (3, "新增")]
    assert np.allclose([r.lon for r in importer.model.rows], [ROWS[0][5], ROWS[1][5]], atol=1e-5)
    importer.select_crs("EPSG:4547")   # the same zone without the zone number: the eastings say otherwise
    assert "带号" in importer.error.text()


def test_bad_files_say_why_in_chinese_and_write_nothing(importer, store, tmp_path):
    before = len(points_in_view(store))
    (tmp_path / "x.kmz").write_text("<kml>not zipped</kml>", encoding="utf-8")
    importer.load(tmp_path / "x.kmz")
    assert "不是有效的 KMZ 文件" in importer.error.text()
    assert importer.model.rowCount() == 0 and not importer.import_button.isEnabled()
    shot(importer, tmp_path, "layer_import_bad_file.png")
    (tmp_path / "x.shp").write_bytes(b"\0" * 100)
    (tmp_path / "x.shx").write_bytes(b"\0" * 100)
    importer.load(tmp_path / "x.shp")
    assert "缺少同名的 .dbf" in importer.error.text()
    assert not importer.confirm() and len(points_in_view(store)) == before


def test_lines_offered_as_a_reference_layer(importer, double, store, tmp_path):
    import json

    from hazardmap.services import reference_layers

    gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"道路名称": "测试路"},
          "geometry": {"type": "LineString", "coordinates": [[112.45, 26.70], [112.85, 26.80]]}}]}
    path = tmp_path / "roads.geojson"
    path.write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
    importer.load(path)
    assert importer._reference and importer.import_button.text() == "作为参考图层导入"
    assert importer.reference_name.text() == "roads" and len(importer.map.shapes) == 1
    importer.reference_name.setText("测试道路")
    importer.label_box.setCurrentIndex(importer.label_box.findData("道路名称"))
    assert importer.confirm()
    assert [x.name for x in reference_layers.list_layers(store)] == ["测试道路"]
    double.undo()
    assert reference_layers.list_layers(store) == []


@pytest.fixture
def exporter(qtbot, double):
    from hazardmap.qt.layer_export_dialog import LayerExportDialog

    return _shown(qtbot, LayerExportDialog(double))


def test_export_kml_masked_by_default_and_read_back(exporter, double, store, tmp_path):
    from hazardmap.services import views

    exporter.choose("points", "kml")
    assert exporter.mask.isChecked() and exporter.gcj02.isEnabled()
    shot(exporter, tmp_path, "layer_export_dialog.png")
    out = tmp_path / "points.kml"
    assert exporter.export_to(out) == [out]
    data = layer_read.read_layer(out)
    phones = [r["联系电话"] for r in data.rows if r.get("联系电话")]
    assert phones and all("****" in p for p in phones)
    shown = views.points_in_view(store, double.current_view())   # the points of the window's view
    assert len(data.rows) == len(shown) and "已导出" in exporter.status.text()


def test_export_gbk_shapefile_and_no_replacing_unasked(exporter, store, tmp_path):
    exporter.choose("points", "shp")
    assert not exporter.mask.isChecked() and not exporter.gcj02.isEnabled()
    exporter.encoding.setCurrentIndex(exporter.encoding.findData("GBK"))
    out = tmp_path / "points.shp"
    written = exporter.export_to(out)
    assert out in written and (tmp_path / "points.cpg").exists()
    data = layer_read.read_layer(out)
    names = {r["名称"] for r in data.rows}
    assert {p.name for p in points_in_view(store) if p.located} <= names
    assert exporter.export_to(out) == [] and "已存在" in exporter.error.text()


def test_export_gauges_has_no_phones_to_mask(exporter, tmp_path):
    exporter.choose("gauges", "geojson")
    assert not exporter.mask.isEnabled()
    out = tmp_path / "gauges.geojson"
    assert exporter.export_to(out) == [out]
    assert layer_read.read_layer(out).geometry_type in ("point", "none")


def test_menu_entries_attach_through_the_shell(double):
    from hazardmap.qt import layer_export_dialog, layer_import_dialog
    from hazardmap.qt.shell import MenuId

    layer_import_dialog.attach(double)
    layer_export_dialog.attach(double)
    texts = [a.text() for a in double.menus[MenuId.FILE].actions()]
    assert "导入图层…" in texts and "导出图层…" in texts
