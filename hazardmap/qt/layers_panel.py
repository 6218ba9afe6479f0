"""Layer switches and the basemap choice (online basemaps are off unless the user turns one on)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from hazardmap.mapping.options import BASEMAPS, LAYERS


class LayersPanel(QWidget):
    sig_layer_toggled = Signal(str, bool)
    sig_basemap_changed = Signal(str)

    def __init__(self, visible: set[str], basemap: str, parent=None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.items: dict[str, QListWidgetItem] = {}
        for key, label in LAYERS.items():
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if key in visible else Qt.CheckState.Unchecked)
            self.items[key] = item
        self.list.itemChanged.connect(self._on_item_changed)
        self.basemap = QComboBox(self)
        for key, label in BASEMAPS.items():
            self.basemap.addItem(label, key)
        self.basemap.setCurrentIndex(max(0, self.basemap.findData(basemap)))
        self.basemap.currentIndexChanged.connect(lambda _i: self.sig_basemap_changed.emit(self.basemap.currentData()))
        note = QLabel("在线底图需要联网，默认关闭；离线时只显示矢量图层。", self)
        note.setWordWrap(True)
        note.setStyleSheet("color:#666")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(QLabel("<b>图层</b>", self))
        layout.addWidget(self.list, 1)
        layout.addWidget(QLabel("<b>底图</b>", self))
        layout.addWidget(self.basemap)
        layout.addWidget(note)

    def set_reference(self, layers: list[tuple[str, str, bool]]) -> None:
        """The imported reference layers (key "ref<id>", name, shown) after the built-in layers."""
        self.list.blockSignals(True)
        for key in [k for k in self.items if k.startswith("ref")]:
            self.list.takeItem(self.list.row(self.items.pop(key)))
        for key, label, visible in layers:
            item = QListWidgetItem(label, self.list)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip("导入的参考图层")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if visible else Qt.CheckState.Unchecked)
            self.items[key] = item
        self.list.blockSignals(False)

    def visible_layers(self) -> set[str]:
        return {k for k, it in self.items.items() if it.checkState() == Qt.CheckState.Checked}

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        self.sig_layer_toggled.emit(item.data(Qt.ItemDataRole.UserRole), item.checkState() == Qt.CheckState.Checked)

    def set_basemap(self, key: str) -> None:
        self.basemap.blockSignals(True)
        self.basemap.setCurrentIndex(max(0, self.basemap.findData(key)))
        self.basemap.blockSignals(False)
