"""Minimal main window (the shell issue replaces it with map, layers and details)."""
from __future__ import annotations

import importlib

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QTableWidget, QTableWidgetItem, QTabWidget

from hazardmap import __version__
from hazardmap.services import points as point_service
from hazardmap.services.store import Store

# Feature modules whose attach(window) adds their parts to the window.
FEATURE_MODULES = [
    "hazardmap.qt.printing",
    "hazardmap.qt.patrol",
]


class MainWindow(QMainWindow):
    sig_point_selected = Signal(int)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"衡南县地质灾害隐患点监测 hazardmap {__version__}")
        headers = ["序号", "乡镇（街道）", "村组", "威胁对象", "群测群防员", "电话", "定位精度"]
        points = point_service.list_points(store)
        table = QTableWidget(len(points), len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        for row, p in enumerate(points):
            for col, value in enumerate([p.seq, p.township, p.village_group, p.threatened, p.monitor, p.phone,
                                         p.precision.label]):
                table.setItem(row, col, QTableWidgetItem(str(value)))
        table.resizeColumnsToContents()
        self.setCentralWidget(table)
        self.points_table, self._points = table, points
        table.currentCellChanged.connect(lambda row, *_: row >= 0 and self.sig_point_selected.emit(points[row].seq))
        # The seams features attach to (the shell's window provides the same names).
        self.menus = {key: self.menuBar().addMenu(title) for key, title in
                      (("file", "文件(&F)"), ("view", "视图(&V)"), ("print", "打印(&P)"), ("help", "帮助(&H)"))}
        self.details_tabs = QTabWidget(self)
        details = QDockWidget("详细信息", self)
        details.setObjectName("details_dock")
        details.setWidget(self.details_tabs)
        self.addDockWidget(Qt.RightDockWidgetArea, details)
        for name in FEATURE_MODULES:
            importlib.import_module(name).attach(self)

    def current_point_seq(self) -> int | None:
        row = self.points_table.currentRow()
        return self._points[row].seq if row >= 0 else None

    def select_point(self, seq: int) -> None:
        for row, p in enumerate(self._points):
            if p.seq == seq:
                self.points_table.selectRow(row)
                self.points_table.setCurrentCell(row, 0)
