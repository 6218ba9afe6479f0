"""文件 → 导出图层…: the points the window shows, the rain-gauge sites, 巡查情况 or a reference layer, to
GeoPackage, Shapefile, KML/KMZ, GeoJSON, CSV or .xlsx (services/layer_export.py).

Phones are masked by default for the formats one sends to others (KML/KMZ for phones, CSV/Excel);
a Shapefile is written in GBK or UTF-8; KML/KMZ, GeoJSON and tables can carry GCJ-02 for Chinese phone
maps. The save dialog asks before replacing a file; the write runs in a worker with progress."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QLabel, QVBoxLayout,
                               QWidget)

from hazardmap.domain.errors import HazardmapError
from hazardmap.qt.buttons import error_label, ok_button, ok_cancel
from hazardmap.qt.operations import INTERNAL_ERROR, Cancelled, run_in_worker
from hazardmap.qt.shell import DialogFeature, Shell, ShellDialog
from hazardmap.services import layer_export, reference_layers
from hazardmap.services.views import view_title

log = logging.getLogger(__name__)

MASKED_BY_DEFAULT = ("kml", "kmz", "csv", "xlsx")   # usually sent out of the bureau (phones, WeChat)
SHP_ENCODINGS = {"UTF-8": "UTF-8（ArcGIS 10.2 以后、QGIS）", "GBK": "GBK（旧版 ArcGIS、MapGIS）"}


class LayerExportDialog(ShellDialog):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(shell, "导出图层", (560, 300), parent)
        self.written: list[Path] = []

        self.what = QComboBox(self)
        view = shell.current_view()
        self.what.addItem(f"隐患点：当前显示的{view_title(self.store, view)}", "points")
        self.what.addItem("雨量站点", "gauges")
        self.what.addItem("巡查情况（各点最近巡查、是否逾期）", "patrol")
        for layer in reference_layers.list_layers(self.store):
            self.what.addItem(f"参考图层：{layer.name}", "ref:" + layer.name)
        self.format = QComboBox(self)
        for key, label in layer_export.FORMAT_LABELS.items():
            self.format.addItem(label, key)
        self.mask = QCheckBox("电话脱敏（隐去中间四位；发到局外的文件请勾选）", self)
        self.encoding = QComboBox(self)
        for key, label in SHP_ENCODINGS.items():
            self.encoding.addItem(label, key)
        self.encoding_label = QLabel("Shapefile 编码：", self)
        self.gcj02 = QCheckBox("坐标转为 GCJ-02（高德、腾讯等手机地图用）", self)
        self.gcj02.setToolTip("GCJ-02 没有 EPSG 代码，GIS 软件会把它当作 WGS-84：只用于给手机地图的 KML/KMZ、GeoJSON、表格")
        self.format.currentIndexChanged.connect(self._format_changed)
        self.what.currentIndexChanged.connect(self._what_changed)

        form = QFormLayout()
        form.addRow("导出内容：", self.what)
        form.addRow("格式：", self.format)
        form.addRow("", self.mask)
        form.addRow(self.encoding_label, self.encoding)
        form.addRow("", self.gcj02)
        self.error = error_label(self)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.buttons = ok_cancel(self, "导出…", "关闭", on_ok=self.ask_and_export)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._format_changed()
        self._what_changed()

    def fmt(self) -> str:
        return self.format.currentData()

    def choose(self, what: str, fmt: str) -> None:
        """Pick the content and the format as the user would in the lists."""
        self.what.setCurrentIndex(self.what.findData(what))
        self.format.setCurrentIndex(self.format.findData(fmt))

    def _format_changed(self, *_args) -> None:
        fmt = self.fmt()
        self.mask.setChecked(fmt in MASKED_BY_DEFAULT)
        shp = fmt == "shp"
        self.encoding_label.setVisible(shp)
        self.encoding.setVisible(shp)
        offset_ok = fmt in layer_export.OFFSET_FORMATS
        self.gcj02.setEnabled(offset_ok)
        if not offset_ok:
            self.gcj02.setChecked(False)

    def _what_changed(self, *_args) -> None:
        # Only the points carry phones; the other layers have none to mask.
        self.mask.setEnabled(self.what.currentData() == "points")

    def _layer_maker(self):
        """What the worker calls to build the layer: the choices are read here, in the UI thread."""
        what, view = self.what.currentData(), self.shell.current_view()
        mask = self.mask.isChecked() and self.mask.isEnabled()
        if what == "points":
            return lambda store: layer_export.points_layer(store, view, mask_phones=mask)
        if what == "gauges":
            return layer_export.gauges_layer
        if what == "patrol":
            return layer_export.patrol_layer
        return lambda store: layer_export.reference_export(store, what[4:])

    def ask_and_export(self) -> None:
        suffix = layer_export.FORMATS[self.fmt()][1]
        name = self.what.currentText().split("：")[-1].split("（")[0]
        path, _ = QFileDialog.getSaveFileName(self, "导出图层", str(Path.home() / f"{name}{suffix}"),
                                              f"{layer_export.FORMAT_LABELS[self.fmt()]} (*{suffix})")
        if path:   # the save dialog has already asked about replacing an existing file
            self.export_to(path, force=True)

    def export_to(self, path: str | Path, *, force: bool = False) -> list[Path]:
        """Write the chosen layer in a worker; returns the files written ([] when refused, shown here)."""
        fmt, gcj02, encoding = self.fmt(), self.gcj02.isChecked(), self.encoding.currentData()
        notes: list[str] = []
        make = self._layer_maker()

        def job(store, _feedback):
            layer = make(store)
            notes.extend(layer.notes)
            notes.append(f"“{layer.name}”{len(layer.rows)} 个要素")
            return layer_export.export_layer(layer, path, fmt=fmt, gcj02=gcj02, encoding=encoding, force=force)

        self.error.clear()
        try:
            written = run_in_worker(self, self.store, "正在导出图层…", job)
        except Cancelled:
            self.error.setText("已取消，未写入文件。")
            return []
        except HazardmapError as exc:
            self.error.setText(str(exc))
            return []
        except Exception:
            log.exception("export to %s failed", path)
            self.error.setText(INTERNAL_ERROR)
            return []
        self.written = written
        extra = ("，电话已脱敏" if self.mask.isChecked() and self.mask.isEnabled() else "") + \
                ("，GCJ-02 坐标" if gcj02 else "")
        self.status.setText(f"已导出{notes[-1]}{extra}：\n" + "\n".join(str(p) for p in written))
        ok_button(self.buttons).setText("再导出…")
        return written


def attach(shell: Shell) -> DialogFeature:
    return DialogFeature(shell, LayerExportDialog, "导出图层…",
                         tip="把隐患点、雨量站点、巡查情况或参考图层导出为 GeoPackage、Shapefile、KML/KMZ、GeoJSON、CSV、Excel")
