"""Correct a point's location: type coordinates (choosing the datum) or pick on the map, confirm,
and the same service the CLI uses (services.points.correct_location) records it with history."""
from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QVBoxLayout)

from hazardmap.domain.coordinates import EXAMPLES, Axis, parse_coordinate
from hazardmap.domain.errors import HazardmapError, OutsideCounty
from hazardmap.domain.validation import Datum
from hazardmap.qt.buttons import ok_cancel
from hazardmap.services import points as point_service
from hazardmap.services.store import Store


class LocationDialog(QDialog):
    sig_pick_requested = Signal(int)  # seq: hide me, let the user click on the map
    sig_saved = Signal(int)

    def __init__(self, store: Store, seq: int, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.seq = seq
        point = point_service.get_point(store, seq)
        self.setWindowTitle(f"修正位置：{seq}号 {point.name}")
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
        self.error = QLabel(self)
        self.error.setStyleSheet("color:#c62828")
        self.error.setWordWrap(True)
        pick = QPushButton("在地图上点选…", self)
        pick.clicked.connect(self._on_pick)
        form = QFormLayout()
        form.addRow("隐患点", QLabel(f"<b>{seq}号 {escape(point.name)}</b>", self))
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
        self.hide()
        self.sig_pick_requested.emit(self.seq)

    def accept(self) -> None:
        try:
            lon = parse_coordinate(self.lon.text(), Axis.LON)  # the same reading as `hazardmap locate`
            lat = parse_coordinate(self.lat.text(), Axis.LAT)
            kwargs = dict(lon=lon, lat=lat, datum=Datum(self.datum.currentData()), source=self.source.text())
            try:
                point_service.correct_location(self.store, self.seq, **kwargs)
            except OutsideCounty as exc:
                if not self.confirm_outside(str(exc)):
                    self.error.setText(str(exc))
                    return
                point_service.correct_location(self.store, self.seq, force=True, **kwargs)
        except HazardmapError as exc:
            self.error.setText(str(exc))
            return
        self.sig_saved.emit(self.seq)
        super().accept()
