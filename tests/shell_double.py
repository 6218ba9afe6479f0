"""A stand-in for the window that implements hazardmap.qt.shell.Shell, for testing a feature alone:
the real operation runner and undo stack, real sectioned menus, a tab widget for details tabs, and
map clicks that the test makes by hand (click_map)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QTabWidget

from hazardmap.domain.key_lists import View
from hazardmap.qt.operations import OperationRunner
from hazardmap.qt.shell import MapClickTool, SectionedMenus, Shell, ShellPlumbing
from hazardmap.services import views
from hazardmap.services.store import Store


class ShellDouble(ShellPlumbing, QMainWindow):
    sig_point_selected = Signal(int)
    sig_view_changed = Signal(str)
    sig_point_menu = Signal(QMenu, int)

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store
        self.runner = OperationRunner(store, self)
        self.details_tabs = QTabWidget(self)
        self.setCentralWidget(self.details_tabs)
        self._menus = SectionedMenus(self.menuBar())
        self.menus: dict[str, QMenu] = self._menus.menus
        self.docks: list[QDockWidget] = []
        self.map_tool: MapClickTool | None = None
        self._seq: int | None = None
        self._view = View.newest()
        self.sig_point_selected.connect(self._on_selected)

    reopened = 0

    def reopen(self) -> None:
        self.reopened += 1

    def _on_selected(self, seq: int) -> None:
        self._seq = seq or None

    # --- Shell ---
    @property
    def store(self) -> Store:
        return self._store

    def add_dock(self, dock: QDockWidget, area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea) -> None:
        super().add_dock(dock, area)
        self.docks.append(dock)

    def select_point(self, seq: int | None) -> None:
        self.sig_point_selected.emit(seq or 0)

    def current_point_seq(self) -> int | None:
        return self._seq

    def request_map_click(self, tool: MapClickTool) -> None:
        self.map_tool = tool
        tool.active = True

    def current_view(self) -> View:
        return views.resolve(self._store, self._view)

    def set_view(self, view: View) -> None:
        self._view = view
        self.sig_view_changed.emit(view.key())

    # --- for tests ---
    def point_menu(self, seq: int) -> QMenu:
        """The points table's context menu as features fill it for a row (seq 0: off the rows)."""
        menu = QMenu(self)
        self.sig_point_menu.emit(menu, seq)
        return menu

    def click_map(self, lon: float, lat: float) -> None:
        assert self.map_tool is not None, "no dialog asked for a map click"
        self.map_tool.click(lon, lat)


def as_shell(double: ShellDouble) -> Shell:
    """Type-checks that the double offers what the Protocol declares."""
    return double
