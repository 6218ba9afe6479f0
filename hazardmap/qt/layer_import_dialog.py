"""文件 → 导入图层…: a GIS file or a table with coordinates into the register (services/layer_import.py),
or a line/polygon layer as a reference layer (services/reference_layers.py).

The user chooses the file (and the layer of a GeoPackage), the encoding of a Shapefile without .cpg
(the detected one preselected), the coordinate system when the file does not say, which column is
which register field (guessed, or as last time for the same columns); the preview shows every row
as 新增 / 重复 / 错误 in a table and on a small map, with the warnings. Nothing is written before
导入 (all rows or refused) or 只导入正确的行; the import is one step on the window's undo stack.
Reading and previewing run in a worker (run_in_worker: progress and 取消) so a big file does not
freeze the window."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QLineEdit, QSplitter, QTableView, QVBoxLayout,
                               QWidget)

from hazardmap.domain.errors import HazardmapError
from hazardmap.geodata import crs as crsmod
from hazardmap.qt.buttons import error_label, for_editors, push_button
from hazardmap.qt.mini_map import DotGroup, MiniMap
from hazardmap.qt.operations import INTERNAL_ERROR, Cancelled, run_in_worker
from hazardmap.qt.shell import DialogFeature, Shell, ShellDialog
from hazardmap.services import layer_import, layer_read, reference_layers
from hazardmap.services.register import points_in_view

log = logging.getLogger(__name__)

FILE_FILTER = ("GIS 文件和表格 (*.gpkg *.shp *.kml *.kmz *.geojson *.json *.csv *.xlsx);;GeoPackage (*.gpkg);;"
               "Shapefile (*.shp);;KML/KMZ (*.kml *.kmz);;GeoJSON (*.geojson *.json);;表格 (*.xlsx *.csv)")
NEW, DUPLICATE, BAD = "新增", "重复", "错误"
STATUS_COLOURS = {NEW: "#2e7d32", DUPLICATE: "#ef6c00", BAD: "#c62828"}
COLUMNS = ["行", "状态", "名称", "乡镇", "经度", "纬度", "说明"]
NOT_MAPPED = "（不导入）"
OTHER_EPSG = "__other__"
SLOW_ROWS = 2000          # more rows than this: the write runs in a worker too
WARNINGS_SHOWN = 8


@dataclass(frozen=True)
class PreviewRow:
    line: int
    status: str
    name: str
    township: str
    lon: float
    lat: float
    note: str


class PreviewModel(QAbstractTableModel):
    """The preview's rows (tens of thousands for a big file: a model, not a widget per cell)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[PreviewRow] = []

    def set_rows(self, rows: list[PreviewRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col in (4, 5):
                v = r.lon if col == 4 else r.lat
                return "" if not np.isfinite(v) else f"{v:.6f}"
            return (str(r.line), r.status, r.name, r.township, "", "", r.note)[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 6 and r.note:
            return r.note   # a long reason is cut in the cell: whole on hover
        if role == Qt.ItemDataRole.ForegroundRole and col in (1, 6):
            return QColor(STATUS_COLOURS.get(r.status, "#222222"))
        return None


class LayerImportDialog(ShellDialog):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(shell, "导入图层", (1180, 820), parent)
        self.path: Path | None = None
        self.data: layer_read.LayerData | None = None
        self.preview: layer_import.PointPreview | None = None
        self.imported = False
        self._filling = False
        self._reference = False        # a line/polygon layer: imported as a reference layer
        self._encoding_shown = False   # a Shapefile without .cpg: the user may override the encoding

        form = QFormLayout()
        file_row = QHBoxLayout()
        self.path_edit = QLineEdit(self)
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("GeoPackage、Shapefile、KML/KMZ、GeoJSON，或带经纬度/X、Y 列的 Excel、CSV")
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(push_button(self, "选择文件…", self._choose_file))
        form.addRow("文件：", file_row)
        self.layer_box = QComboBox(self)
        self.layer_box.activated.connect(lambda _i: self._reread())
        form.addRow("图层：", self.layer_box)
        enc_row = QHBoxLayout()
        self.encoding_box = QComboBox(self)
        for enc in layer_read.ENCODINGS:
            self.encoding_box.addItem(enc, enc)
        self.encoding_box.activated.connect(lambda _i: self._reread())
        self.encoding_note = QLabel(self)
        self.encoding_note.setStyleSheet("color:#666")
        enc_row.addWidget(self.encoding_box)
        enc_row.addWidget(self.encoding_note, 1)
        self.encoding_label = QLabel("文字编码：", self)
        form.addRow(self.encoding_label, enc_row)
        self.crs_box = QComboBox(self)
        self.crs_box.activated.connect(self._crs_chosen)
        form.addRow("坐标系：", self.crs_box)

        self.mapping_group = QGroupBox("字段对应（文件中的哪一列是台账的哪一项；同样列名的文件下次自动沿用）", self)
        grid = QGridLayout(self.mapping_group)
        self.mapping_boxes: dict[str, QComboBox] = {}
        for i, (key, title) in enumerate(layer_import.TARGETS.items()):
            box = QComboBox(self.mapping_group)
            box.activated.connect(lambda _i: self._refresh_preview())
            self.mapping_boxes[key] = box
            grid.addWidget(QLabel(title + "：", self.mapping_group), i // 3, (i % 3) * 2)
            grid.addWidget(box, i // 3, (i % 3) * 2 + 1)

        self.reference_group = QGroupBox("作为参考图层导入（线、面：乡镇界、道路、河流……）", self)
        ref_form = QFormLayout(self.reference_group)
        self.reference_name = QLineEdit(self.reference_group)
        self.label_box = QComboBox(self.reference_group)
        self.label_box.activated.connect(lambda _i: self._refresh_preview())
        ref_form.addRow("图层名称：", self.reference_name)
        ref_form.addRow("名称列：", self.label_box)
        self.reference_group.hide()

        self.warnings = QLabel(self)
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color:#a15c00")
        self.error = error_label(self)
        self.summary = QLabel("请选择要导入的文件。", self)
        self.summary.setWordWrap(True)

        self.model = PreviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((48, 44, 150, 70, 90, 84)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_selected)
        self.map = MiniMap(self.store.bundled.county_outline, self)
        located = [p for p in points_in_view(self.store) if p.located]
        self.map.set_register([p.lon for p in located], [p.lat for p in located])
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.table)
        split.addWidget(self.map)
        split.setSizes([700, 460])

        buttons = QHBoxLayout()
        self.import_button = push_button(self, "导入", lambda: self.confirm(skip_bad=False))
        self.import_button.setToolTip("全部行都正确时导入；有错误的行则一行也不导入")
        self.good_button = push_button(self, "只导入正确的行", lambda: self.confirm(skip_bad=True))
        self.import_button.setEnabled(False)
        self.good_button.setEnabled(False)
        buttons.addStretch(1)
        buttons.addWidget(self.good_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(push_button(self, "取消", self.reject))

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.mapping_group)
        layout.addWidget(self.reference_group)
        layout.addWidget(self.error)
        layout.addWidget(self.warnings)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self._show_file_rows(False)

    # --- the file --------------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择要导入的图层", str(Path.home()), FILE_FILTER)
        if path:
            self.load(path)

    def load(self, path: str | Path) -> None:
        """Read the file (layer, encoding detected) and preview it; nothing is written."""
        self.path = Path(path)
        self.path_edit.setText(str(self.path))
        self.reference_name.setText(self.path.stem)
        self._read(layer=None, encoding=None)

    def _reread(self) -> None:
        if self.path is None or self._filling:
            return
        encoding = self.encoding_box.currentData() if self._encoding_shown else None
        self._read(layer=self.layer_box.currentData() or None, encoding=encoding)

    def _read(self, *, layer: str | None, encoding: str | None) -> None:
        path = self.path

        def job(_store, _feedback):
            try:
                return layer_read.read_layer(path, layer=layer, encoding=encoding)
            except HazardmapError:
                names = [n for n in layer_read.list_layers(path) if n and n != "layer_styles"] \
                    if layer is None and path.suffix.lower() in layer_read.VECTOR_SUFFIXES else []
                if len(names) < 2:
                    raise
                return layer_read.read_layer(path, layer=names[0], encoding=encoding)   # several layers: the first

        data = self._in_worker(f"正在读取“{path.name}”…", job)
        self.data = data
        if data is None:
            return
        self._fill_choices(data, encoding)
        self._refresh_preview()

    def _fill_choices(self, data: layer_read.LayerData, encoding: str | None) -> None:
        self._filling = True
        try:
            self.layer_box.clear()
            for name in data.layers:
                if name != "layer_styles":
                    self.layer_box.addItem(name or "（表格）", name)
            self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(data.layer)))
            self.layer_box.setEnabled(self.layer_box.count() > 1)
            undeclared = data.path.suffix.lower() == ".shp" and (encoding or data.encoding_note.startswith("没有 .cpg"))
            if undeclared:
                chosen = (encoding or data.encoding or "GBK").upper().replace("UTF8", "UTF-8")
                self.encoding_box.setCurrentIndex(max(0, self.encoding_box.findData(chosen)))
            self.encoding_note.setText(data.encoding_note)
            self._show_file_rows(True, encoding=bool(undeclared))
            self._fill_crs(data)
            points = data.geometry_type == "point" or (data.geometry_type == "none" and data.coordinate_columns)
            self.mapping_group.setVisible(bool(points))
            self._reference = data.geometry_type in ("line", "polygon")
            self.reference_group.setVisible(self._reference)
            mapping = layer_import.mapping_for(self.store, data)
            for key, box in self.mapping_boxes.items():
                box.clear()
                box.addItem(NOT_MAPPED, "")
                for col in data.columns:
                    box.addItem(col, col)
                box.setCurrentIndex(max(0, box.findData(mapping.get(key, ""))))
            self.label_box.clear()
            self.label_box.addItem("自动判断（乡镇名称列使其成为乡镇界）", "")
            for col in data.columns:
                self.label_box.addItem(col, col)
            self.import_button.setText("作为参考图层导入" if self._reference else "导入")
            self.good_button.setVisible(not self._reference)
        finally:
            self._filling = False

    def _show_file_rows(self, shown: bool, *, encoding: bool = False) -> None:
        self._encoding_shown = encoding
        self.encoding_label.setVisible(encoding)
        self.encoding_box.setVisible(encoding)
        self.encoding_note.setVisible(encoding)
        if not shown:
            self.mapping_group.hide()

    def _fill_crs(self, data: layer_read.LayerData) -> None:
        self.crs_box.clear()
        if data.file_crs is not None:
            self.crs_box.addItem(f"按文件所写：{data.file_crs.label}", "")
        else:
            self.crs_box.addItem("请选择坐标系（文件没有说明）", None)
        for label, key in crsmod.named_choices():
            self.crs_box.addItem(label, key)
        self.crs_box.addItem("其他（输入 EPSG 代码）…", OTHER_EPSG)
        if data.file_crs is None:
            suggested = layer_import.suggested_crs(data)
            at = self.crs_box.findData(suggested) if suggested else -1
            if at > 0:
                self.crs_box.setCurrentIndex(at)
                self.crs_box.setItemText(at, self.crs_box.itemText(at) + "  ← 按坐标数值推测")

    def _crs_chosen(self, index: int) -> None:
        if self.crs_box.itemData(index) == OTHER_EPSG:
            text, ok = QInputDialog.getText(self, "坐标系", "EPSG 代码（如 4526）：")
            if not ok or not text.strip():
                self.crs_box.setCurrentIndex(0)
                return
            try:
                choice = crsmod.parse_crs(text)
            except HazardmapError as exc:
                self.error.setText(str(exc))
                return
            self.crs_box.insertItem(index, choice.label, choice.key)
            self.crs_box.setCurrentIndex(index)
        self._refresh_preview()

    def select_crs(self, key: str) -> None:
        """Choose a system by its parse_crs key (as the user would in the list)."""
        at = self.crs_box.findData(key)
        if at < 0:
            raise KeyError(key)
        self.crs_box.setCurrentIndex(at)
        self._refresh_preview()

    def chosen_crs(self) -> str | None:
        key = self.crs_box.currentData()
        return None if key in (None, OTHER_EPSG) else (key or None)

    def mapping(self) -> dict[str, str]:
        return {k: box.currentData() for k, box in self.mapping_boxes.items() if box.currentData()}

    def set_mapping(self, key: str, column: str) -> None:
        box = self.mapping_boxes[key]
        box.setCurrentIndex(max(0, box.findData(column)))
        self._refresh_preview()

    # --- the preview --------------------------------------------------------------------------------
    def _refresh_preview(self) -> None:
        data = self.data
        if data is None or self._filling:
            return
        self.preview = None
        if self.crs_box.currentData() is None:   # the file does not say and nothing is chosen yet
            self._show_error(str(_crs_needed(data)))
            return
        if self._reference:
            self._preview_reference(data)
            return
        crs, mapping = self.chosen_crs(), self.mapping()
        preview = self._in_worker("正在检查各行…", lambda st, _fb: layer_import.preview_points(
            st, data, crs=crs, mapping=mapping))
        if preview is None:
            return
        self.preview = preview
        self._fill_points(preview)

    def _fill_points(self, p: layer_import.PointPreview) -> None:
        data = p.data
        index = {line: i for i, line in enumerate(data.lines)}
        try:
            lons, lats = crsmod.to_cgcs2000(p.crs, data.xs, data.ys)
        except Exception:   # numbers PROJ cannot take: the rows say why, the map shows none of them
            lons = lats = np.full(len(data.xs), np.nan)
        town_col = p.mapping.get("township")

        def where(line: int) -> tuple[float, float, str]:
            i = index.get(line)
            if i is None:
                return np.nan, np.nan, ""
            return float(lons[i]), float(lats[i]), str(data.rows[i].get(town_col) or "") if town_col else ""

        rows = [PreviewRow(c.line, NEW, c.name, str(c.values.get("township") or ""), c.lon, c.lat, "")
                for c in p.rows]
        rows += [PreviewRow(d.line, DUPLICATE, d.name, where(d.line)[2], *where(d.line)[:2], d.reason)
                 for d in p.duplicates]
        rows += [PreviewRow(b.line, BAD, b.text, where(b.line)[2], *where(b.line)[:2], b.reason) for b in p.bad]
        rows.sort(key=lambda r: r.line)
        self.model.set_rows(rows)
        groups = []
        for status in (NEW, DUPLICATE, BAD):
            mine = [r for r in rows if r.status == status]
            groups.append(DotGroup(status, STATUS_COLOURS[status], np.array([r.lon for r in mine], dtype=float),
                                   np.array([r.lat for r in mine], dtype=float)))
        self.map.set_groups(groups)
        self.error.clear()
        # The encoding note already stands beside the encoding choice.
        self._show_warnings([w for w in p.warnings if not (self._encoding_shown and w == data.encoding_note)])
        self.summary.setText(
            f"共 {p.total} 行（坐标系：{p.crs.label}）：新增 {len(p.rows)} 处，已在册（重复，不导入）{len(p.duplicates)} 处，"
            f"错误 {len(p.bad)} 行。" + ("有错误的行时，“导入”一行也不写入；可改正文件后重选，或只导入正确的行。"
                                        if p.bad else "核对无误后按“导入”。"))
        self.import_button.setEnabled(bool(p.rows) and not p.bad)
        self.good_button.setEnabled(bool(p.rows) and bool(p.bad))

    def _preview_reference(self, data: layer_read.LayerData) -> None:
        import shapely

        try:
            choice = layer_import.resolve_crs(data, self.chosen_crs())
            geoms = [None if g is None else shapely.transform(g, lambda c: np.column_stack(
                crsmod.to_cgcs2000(choice, c[:, 0], c[:, 1]))) for g in (data.geometries or [])]
        except HazardmapError as exc:
            self._show_error(str(exc))
            return
        label_col = self.label_box.currentData() or next(
            (c for c in data.columns if layer_read.norm_header(c) in ("名称", "乡镇", "name", "xzmc")), "")
        kind = "面" if data.geometry_type == "polygon" else "线"
        rows = []
        for line, rec, g in zip(data.lines, data.rows, geoms):
            c = g.centroid if g is not None and not g.is_empty else None
            rows.append(PreviewRow(line, NEW, str(rec.get(label_col) or "") if label_col else "", "",
                                   c.x if c else np.nan, c.y if c else np.nan, kind))
        self.model.set_rows(rows)
        self.map.set_shapes(geoms)
        self.error.clear()
        self._show_warnings([choice.warning] if choice.warning else [])
        self.summary.setText(f"{len(rows)} 个{kind}要素（坐标系：{choice.label}），将作为参考图层显示在地图和打印图上。")
        self.import_button.setEnabled(bool(rows))

    def _show_warnings(self, warnings: list[str]) -> None:
        shown = warnings[:WARNINGS_SHOWN]
        more = len(warnings) - len(shown)
        self.warnings.setText("\n".join(f"注意：{w}" for w in shown) + (f"\n……另有 {more} 条注意事项" if more else ""))

    def _show_error(self, text: str) -> None:
        self.preview = None
        self.model.set_rows([])
        self.map.set_groups([])
        self.warnings.clear()
        self.error.setText(text)
        self.summary.setText("未导入任何内容。")
        self.import_button.setEnabled(False)
        self.good_button.setEnabled(False)

    def _row_selected(self, current: QModelIndex, _previous=None) -> None:
        if current.isValid() and current.row() < len(self.model.rows):
            r = self.model.rows[current.row()]
            self.map.set_highlight(r.lon, r.lat)

    def _in_worker(self, label: str, fn):
        """fn(worker_store, feedback) in a worker with progress and 取消; its refusal shown here."""
        try:
            return run_in_worker(self, self.store, label, fn)
        except Cancelled:
            self._show_error("已取消。")
        except HazardmapError as exc:
            self._show_error(str(exc))
        except Exception:
            log.exception("reading %s failed", self.path)
            self._show_error(INTERNAL_ERROR)
        return None

    # --- importing ------------------------------------------------------------------------------------
    def confirm(self, *, skip_bad: bool = False) -> bool:
        if self._reference:
            return self._confirm_reference()
        p = self.preview
        if p is None or not p.rows:
            return False
        result = self.shell.run_operation(
            lambda store: layer_import.import_points(store, p, skip_bad=skip_bad),
            title="导入图层", slow="正在导入隐患点…" if len(p.rows) > SLOW_ROWS else None, parent=self,
            on_refused=lambda exc: self._show_error(str(exc)))
        return self._done(result)

    def _confirm_reference(self) -> bool:
        data, name, crs = self.data, self.reference_name.text(), self.chosen_crs()
        label = self.label_box.currentData() or None
        if data is None:
            return False
        result = self.shell.run_operation(
            lambda store: reference_layers.import_reference(store, data, name=name, crs=crs, label_column=label),
            title="导入参考图层", parent=self, on_refused=lambda exc: self.error.setText(str(exc)))
        return self._done(result)

    def _done(self, result) -> bool:
        if result is None:
            return False
        self.imported = True
        self.summary.setText(f"已{result.label}。可用 编辑 → 撤销 一步撤回。")
        self.accept()
        return True


def _crs_needed(data: layer_read.LayerData):
    try:
        layer_import.resolve_crs(data, None)
    except HazardmapError as exc:
        return exc
    return ""


def attach(shell: Shell) -> DialogFeature:
    feature = DialogFeature(shell, LayerImportDialog, "导入图层…",
                            tip="从 GeoPackage、Shapefile、KML/KMZ、GeoJSON 或带坐标的 Excel/CSV 导入隐患点或参考图层")
    for_editors(shell.store, feature.action)
    return feature
