"""The 15 rain-gauge slots of the 2023 programme: 已落实 N/15, assign (township, then a village
list that filters as you type) and clear, through services.rain_gauges like the CLI."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QMessageBox, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hazardmap.domain.errors import HazardmapError
from hazardmap.services import rain_gauges as svc
from hazardmap.services.store import Store

ALL_TOWNSHIPS = "（全部乡镇）"


class AssignDialog(QDialog):
    """Pick a village for one slot: township first (optional), then the filtered village list,
    or a click on the map near the village."""

    sig_pick_requested = Signal(int)  # slot: hide me, let the user click on the map
    sig_assigned = Signal(int, object)  # slot, the village code it had before (None if none): for undo

    def __init__(self, store: Store, slot: int, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.slot = slot
        self.setWindowTitle(f"指定第 {slot} 号雨量计站点所在的村")
        self.township = QComboBox(self)
        self.township.addItem(ALL_TOWNSHIPS, "")
        for t in store.bundled.townships:
            self.township.addItem(t.name, t.name)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("输入村名或代码筛选")
        self.villages = QListWidget(self)
        self.error = QLabel(self)
        self.error.setStyleSheet("color:#c62828")
        self.error.setWordWrap(True)
        self.township.currentIndexChanged.connect(self._refill)
        self.filter.textChanged.connect(self._refill)
        self.villages.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("指定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("乡镇（街道）", self))
        layout.addWidget(self.township)
        layout.addWidget(QLabel("村（社区）", self))
        layout.addWidget(self.filter)
        layout.addWidget(self.villages, 1)
        pick = QPushButton("在地图上点选村庄…", self)
        pick.clicked.connect(self._on_pick)
        layout.addWidget(pick)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(360, 480)
        self._refill()

    def _refill(self, *args) -> None:
        self.villages.clear()
        for v in svc.villages_matching(self.store, self.filter.text(), self.township.currentData() or None):
            text = f"{v.name}（{v.township}）" + ("" if v.located else "　名录中无坐标")
            item = QListWidgetItem(text, self.villages)
            item.setData(Qt.ItemDataRole.UserRole, v.code)
        if self.villages.count():
            self.villages.setCurrentRow(0)

    def _on_pick(self) -> None:
        self.hide()
        self.sig_pick_requested.emit(self.slot)

    def select_village(self, code: str) -> bool:
        """Show and select one village (after a click on the map)."""
        village = self.store.bundled.village_by_code(code)
        if village is None:
            return False
        self.township.setCurrentIndex(max(0, self.township.findData(village.township)))
        self.filter.setText(village.name)
        for i in range(self.villages.count()):
            if self.villages.item(i).data(Qt.ItemDataRole.UserRole) == code:
                self.villages.setCurrentRow(i)
                return True
        return False

    def accept(self) -> None:
        item = self.villages.currentItem()
        if item is None:
            self.error.setText("请先在列表中选一个村")
            return
        before = next((s.village_code for s in svc.list_sites(self.store) if s.slot == self.slot), None)
        try:
            # By code: a village name that exists twice in the county is already resolved by the pick.
            svc.assign(self.store, self.slot, item.data(Qt.ItemDataRole.UserRole))
        except HazardmapError as exc:
            self.error.setText(str(exc))
            return
        self.sig_assigned.emit(self.slot, before)
        super().accept()


class RainGaugePanel(QWidget):
    sig_pick_requested = Signal(int)  # the open assign dialog wants a click on the map

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.assign_dialog: AssignDialog | None = None
        # Undo: (slot, village code before the edit or None), newest last. Undo goes through the
        # same service calls as the edit itself.
        self.undo_stack: list[tuple[int, str | None]] = []
        self.counter = QLabel(self)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["编号", "乡镇（街道）", "村（社区）"])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self._on_assign())
        self.assign_button = QPushButton("指定村…", self)
        self.clear_button = QPushButton("清空", self)
        self.undo_button = QPushButton("撤销", self)
        self.undo_button.setToolTip("撤销上一次指定或清空")
        self.undo_button.setEnabled(False)
        self.assign_button.clicked.connect(self._on_assign)
        self.clear_button.clicked.connect(self._on_clear)
        self.undo_button.clicked.connect(self.undo)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        note = QLabel("2023 年 15 个村部安装雨量计；文件未列出村名，请按局里的名单逐一指定。", self)
        note.setWordWrap(True)
        note.setStyleSheet("color:#666")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.counter)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        done, total = svc.assigned_count(self.store)
        colour = "#2e7d32" if done == total else "#c62828"
        self.counter.setText(f"<b style='font-size:14px;color:{colour}'>已落实 {done}/{total}</b>")
        self.counter.setProperty("counts", (done, total))
        sites = svc.list_sites(self.store)
        keep = self.current_slot()
        self.table.setRowCount(len(sites))
        for row, s in enumerate(sites):
            village = s.village or "（未落实）"
            if s.assigned and s.lon is None:
                village += "　名录中无坐标，地图上不显示"
            for col, text in enumerate([str(s.slot), s.township or "", village]):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.slot)
                if not s.assigned:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        if keep:
            self.table.selectRow(keep - 1)

    def current_slot(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def _on_assign(self) -> None:
        slot = self.current_slot()
        if slot is None:
            slot = next((s.slot for s in svc.list_sites(self.store) if not s.assigned), None)
            if slot is None:
                QMessageBox.information(self, "雨量计站点", "请先在列表中选中要修改的站点")
                return
        self.open_assign_dialog(slot)

    def open_assign_dialog(self, slot: int) -> AssignDialog:
        if self.assign_dialog is not None:
            self.assign_dialog.close()
        dlg = AssignDialog(self.store, slot, self)
        dlg.sig_pick_requested.connect(self.sig_pick_requested)
        dlg.sig_assigned.connect(self._remember)
        self.assign_dialog = dlg
        dlg.show()
        return dlg

    def _remember(self, slot: int, before: str | None) -> None:
        self.undo_stack.append((slot, before))
        self.undo_button.setEnabled(True)

    def _on_clear(self) -> None:
        slot = self.current_slot()
        if slot is None:
            return
        if QMessageBox.question(self, "清空站点", f"清空第 {slot} 号雨量计站点？") == QMessageBox.StandardButton.Yes:
            self.clear_slot(slot)

    def clear_slot(self, slot: int) -> None:
        before = next((s.village_code for s in svc.list_sites(self.store) if s.slot == slot), None)
        try:
            if svc.clear(self.store, slot):
                self._remember(slot, before)
        except HazardmapError as exc:
            QMessageBox.warning(self, "雨量计站点", str(exc))

    def undo(self) -> None:
        """Put the last edited slot back as it was, through the same services."""
        if not self.undo_stack:
            return
        slot, before = self.undo_stack.pop()
        try:
            if before is None:
                svc.clear(self.store, slot)
            else:
                svc.assign(self.store, slot, before)
        except HazardmapError as exc:
            QMessageBox.warning(self, "撤销", str(exc))
        self.undo_button.setEnabled(bool(self.undo_stack))
