"""Correct a point's location: type coordinates (choosing the datum) or pick on the map, confirm,
and the same service the CLI uses (services.points.correct_location) records it with history, as
one step of the window's undo road. The dialog owns its map click (a MapClickTool)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout

from hazardmap.domain.coordinates import EXAMPLES, Axis, parse_coordinate
from hazardmap.domain.errors import HazardmapError, OutsideCounty
from hazardmap.domain.validation import Datum
from hazardmap.qt.buttons import error_label, ok_cancel, push_button
from hazardmap.qt.point_dialog import PointDialog
from hazardmap.qt.shell import PicksOnMap, Shell
from hazardmap.services import points as point_service


class LocationDialog(PicksOnMap, PointDialog):
    sig_saved = Signal(int)

    def __init__(self, shell: Shell, seq: int, parent=None) -> None:
        super().__init__(shell, seq, "修正位置", parent)
        point = self.point
        self.version = point.version  # the save is refused if another desk changed the point since
        now = (f"经度 {point.lon:.6f}，纬度 {point.lat:.6f}（{point.precision.label}）" if point.located
               else "未定位")
        self.lon = QLineEdit(self)
        self.lat = QLineEdit(self)
        self.lon.setPlaceholderText(f"如 {EXAMPLES[Axis.LON]}")
        self.lat.setPlaceholderText(f"如 {EXAMPLES[Axis.LAT]}")
        self.datum = QComboBox(self)
        for d in (Datum.WGS84, Datum.CGCS2000, Datum.GCJ02):
            self.datum.addItem(d.label, d.value)
        self.source = QLineEdit(self)
        self.source.setPlaceholderText("例如：GPS 2026-05-03 王某实测")
        self.error = error_label(self)
        pick = push_button(self, "在地图上点选…", self._on_pick)
        form = QFormLayout()
        form.addRow("隐患点", self.point_label())
        form.addRow("当前位置", QLabel(now, self))
        form.addRow("经度", self.lon)
        form.addRow("纬度", self.lat)
        form.addRow("坐标系", self.datum)
        form.addRow("来源", self.source)
        buttons = ok_cancel(self, "保存")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(pick)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)
        # Replaced in tests; asks before saving a position outside the county outline.
        self.confirm_outside = lambda message: QMessageBox.question(
            self, "位置在县界以外", f"{message}\n\n仍然保存？") == QMessageBox.StandardButton.Yes

    def set_picked(self, lon: float, lat: float) -> None:
        """A click on the map (already CGCS2000)."""
        self.lon.setText(f"{lon:.6f}")
        self.lat.setText(f"{lat:.6f}")
        self.datum.setCurrentIndex(self.datum.findData(Datum.CGCS2000.value))
        if not self.source.text().strip():
            self.source.setText(f"地图点选 {date.today().isoformat()}")

    def _on_pick(self) -> None:
        """Hide, and let the user click on the map; Esc brings the dialog back unchanged."""
        self.ask_map_click(self.shell, f"请在地图上点击 {self.seq} 号隐患点的位置（Esc 取消）")

    def _on_map_clicked(self, lon: float, lat: float) -> None:
        self.set_picked(lon, lat)
        self.finish_pick()

    def accept(self) -> None:
        try:
            lon = parse_coordinate(self.lon.text(), Axis.LON)  # the same reading as `hazardmap locate`
            lat = parse_coordinate(self.lat.text(), Axis.LAT)
        except HazardmapError as exc:
            self.error.setText(str(exc))
            return
        kwargs = dict(lon=lon, lat=lat, datum=Datum(self.datum.currentData()), source=self.source.text())
        if self._save(kwargs, force=False):
            self.sig_saved.emit(self.seq)
            super().accept()

    def _save(self, kwargs: dict, *, force: bool) -> bool:
        refused: list[HazardmapError] = []
        seq = self.seq

        def correct_from(version: int):
            return lambda store: point_service.correct_location(store, seq, force=force, base_version=version,
                                                                **kwargs)
        done = self.shell.run_operation(correct_from(self.version), title="修正位置", parent=self,
                                        on_refused=refused.append, from_version=correct_from)
        if refused:
            exc = refused[0]
            if isinstance(exc, OutsideCounty) and not force and self.confirm_outside(str(exc)):
                return self._save(kwargs, force=True)
            self.error.setText(str(exc))
            return False
        return done is not None
