"""Minimal main window (the shell issue replaces it with map, layers and details)."""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QTableWidget, QTableWidgetItem

from hazardmap import __version__
from hazardmap.services import points as point_service
from hazardmap.services.store import Store


class MainWindow(QMainWindow):
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

# Feature modules whose attach(window) the shell calls (the shell issue wires this up).
FEATURE_MODULES = ["hazardmap.qt.printing"]
