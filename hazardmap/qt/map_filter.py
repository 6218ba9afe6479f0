"""The map's filter: only one township's and/or one hazard type's points (乡镇 / 类型 in the toolbar).
Applied through the same query as every view of the map (services/map_window.py for a large register).
The township list is read when first opened (a province has thousands; the window's start need not wait)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from hazardmap.domain.points import HazardKind
from hazardmap.services import map_window

ALL = "全部"


class _LazyCombo(QComboBox):
    def __init__(self, fill, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fill = fill
        self.filled = False
        self.addItem(ALL, None)

    def refill(self) -> None:
        keep = self.currentData()
        self.blockSignals(True)
        self.clear()
        self.addItem(ALL, None)
        for value in self._fill():
            self.addItem(value, value)
        index = self.findData(keep)
        self.setCurrentIndex(max(0, index))
        self.blockSignals(False)
        self.filled = True

    def showPopup(self) -> None:  # noqa: N802
        if not self.filled:
            self.refill()
        super().showPopup()


class MapFilter(QWidget):
    sig_changed = Signal(object, object)   # township or None, hazard type or None

    def __init__(self, store, view_of, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self._view_of = store, view_of
        self.township = _LazyCombo(lambda: map_window.filter_choices(self.store, self._view_of())[0], self)
        self.township.setMinimumContentsLength(8)
        self.hazard_type = _LazyCombo(lambda: [k.value for k in HazardKind], self)
        self.township.setToolTip("地图只显示这个乡镇（街道）的隐患点")
        self.hazard_type.setToolTip("地图只显示这一类灾害的隐患点")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        layout.addWidget(QLabel("乡镇：", self))
        layout.addWidget(self.township)
        layout.addWidget(QLabel("类型：", self))
        layout.addWidget(self.hazard_type)
        self.township.currentIndexChanged.connect(self._changed)
        self.hazard_type.currentIndexChanged.connect(self._changed)

    def view_changed(self) -> None:
        """Another choice of points: its townships are read again when the list is next opened."""
        self.township.filled = False

    def choose(self, township: str | None, hazard_type: str | None) -> None:
        """As if picked from the lists (tests, the bench)."""
        for combo, value in ((self.township, township), (self.hazard_type, hazard_type)):
            if value is not None and combo.findData(value) < 0:
                combo.refill()
                if combo.findData(value) < 0:
                    combo.addItem(value, value)
        self.township.blockSignals(True)
        self.township.setCurrentIndex(max(0, self.township.findData(township)))
        self.township.blockSignals(False)
        self.hazard_type.setCurrentIndex(max(0, self.hazard_type.findData(hazard_type)))
        self._changed()

    def _changed(self, *_args) -> None:
        self.sig_changed.emit(self.township.currentData(), self.hazard_type.currentData())
