"""The main window: map in the middle, layers and rain gauges on the left, the points table under
the map, details on the right. It assembles widgets, routes signals and offers features the Shell
interface (hazardmap.qt.shell); every edit runs through its one OperationRunner and undo stack, and
every view refreshes from the core's Changes records."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QInputDialog, QLabel, QMainWindow, QMenu, QSplitter,
                               QTabWidget, QToolBar)

from hazardmap import __version__
from hazardmap.domain.changes import Changes
from hazardmap.mapping.options import BASEMAPS, LAYERS, MapOptions
from hazardmap.mapping.page import build_map_page
from hazardmap.qt import (about, fund_window, key_list_import, layer_export_dialog, layer_import_dialog, patrol,
                          plan_tab, point_register, printing, rain_panel, server)
from hazardmap.qt.bus_adapter import QtChangeBus
from hazardmap.qt.buttons import menu_action
from hazardmap.qt.buttons import for_editors
from hazardmap.qt.details_panel import DetailsPanel
from hazardmap.qt.layers_panel import LayersPanel
from hazardmap.qt.location_dialog import LocationDialog
from hazardmap.qt.monitor_dialog import MonitorDialog
from hazardmap.qt.operations import OperationRunner
from hazardmap.qt.shell import MapClickTool, MenuId, Section, SectionedMenus, ShellPlumbing
from hazardmap.qt.store_warnings import warning_banner
from hazardmap.qt.map_filter import MapFilter
from hazardmap.qt.map_view import MapView
from hazardmap.qt.points_table import PointsTable
from hazardmap.qt.rain_gauge_panel import RainGaugePanel
from hazardmap.qt.view_chooser import ViewChooser
from hazardmap.domain.key_lists import View
from hazardmap.services import map_window, patrol_status, reference_layers, views
from hazardmap.services.store import Store

SETTINGS_FILE = "ui.ini"  # UI preferences live beside the user's database (per data folder)
SCREEN_SHARE = 0.9        # first start: this much of the screen's free area (later: as the user left it)


class MainWindow(ShellPlumbing, QMainWindow):
    sig_point_selected = Signal(int)  # seq of the selected point, 0 when none
    sig_view_changed = Signal(str)    # the points shown changed (View.key() of the new choice)
    sig_point_menu = Signal(QMenu, int)  # the points table's context menu, for features to fill
    sig_reopen = Signal()             # a switch of server: open the window again on the data chosen now

    # Attached features, by name: what each feature's attach(shell) returned (tests reach them here).
    features: dict[str, Any]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"衡南县地质灾害隐患点监测 hazardmap {__version__}")
        self.settings = QSettings(str(store.home / SETTINGS_FILE), QSettings.Format.IniFormat)
        self.runner = OperationRunner(store, self)
        self._selected: int | None = None
        self._location_dialog: LocationDialog | None = None
        self._map_tool: MapClickTool | None = None  # the dialog's tool while it waits for a map click

        hidden = set(self.settings.value("map/hidden_layers", [], type=list) or [])
        basemap = str(self.settings.value("map/basemap", "offline"))
        if basemap not in BASEMAPS:
            basemap = "offline"
        visible = frozenset(k for k in LAYERS if k not in hidden)

        # Which points the table, map, overview and printing show (a year's key list by default).
        self.view_chooser = ViewChooser(store, self.settings, self)
        self.map_view = MapView(store, self._map_options(basemap, visible), self)
        # First: the web engine loads the page while the rest of the window is built (its signals reach
        # the window only from the event loop, after the connections below); it also decides whether the
        # register is large (the table follows it).
        self.map_view.load_map()
        self.points_table = PointsTable(self)
        self.points_table.editable = not store.read_only
        self.details = DetailsPanel(self.run_operation, self)
        self.details_tabs: QTabWidget = self.details.details_tabs
        self.layers_panel = LayersPanel(set(visible), basemap, self)
        self.rain_gauge_panel = RainGaugePanel(self, self)
        self.left_tabs = QTabWidget(self)
        self.left_tabs.addTab(self.layers_panel, "图层")
        self.left_tabs.addTab(self.rain_gauge_panel, "雨量计")

        centre = self.centre_splitter = QSplitter(Qt.Orientation.Vertical, self)
        centre.addWidget(self.map_view)
        centre.addWidget(self.points_table)
        centre.setStretchFactor(0, 3)
        centre.setStretchFactor(1, 1)
        centre.setSizes([620, 300])
        main = self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        main.addWidget(self.left_tabs)
        main.addWidget(centre)
        main.addWidget(self.details)
        main.setStretchFactor(0, 0)
        main.setStretchFactor(1, 1)
        main.setStretchFactor(2, 0)
        # Explicit minimums: feature tabs in the details panel must not widen it at the map's expense.
        self.details.setMinimumWidth(260)
        self.left_tabs.setMinimumWidth(180)
        self.map_view.setMinimumSize(400, 300)
        self.setCentralWidget(main)

        self.cursor_label = QLabel("经度 —　纬度 —（CGCS2000）", self)
        self.statusBar().addPermanentWidget(self.cursor_label)
        self.map_status = QLabel("地图加载中…", self)
        self.statusBar().addWidget(self.map_status)
        # e.g. a database on a network share: said in the status bar for as long as the window is open
        self.store_warning = warning_banner(store, self)
        if self.store_warning is not None:
            self.statusBar().addWidget(self.store_warning, 1)

        view_bar = QToolBar("显示", self)
        view_bar.setObjectName("view_bar")  # saveState/restoreState find it by name
        view_bar.setMovable(False)
        view_bar.addWidget(QLabel("显示：", self))
        view_bar.addWidget(self.view_chooser)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, view_bar)
        self.view_chooser.sig_view_chosen.connect(self._on_view_chosen)
        self.map_filter = MapFilter(store, lambda: self.view_chooser.view, self)
        view_bar.addWidget(self.map_filter)
        self.map_filter.sig_changed.connect(self.map_view.set_filter)

        self._menus = SectionedMenus(self.menuBar())
        self.menus: dict[str, QMenu] = self._menus.menus
        self._build_menus()

        # Wiring: selection both ways, edits, and the change bus.
        self.points_table.sig_row_selected.connect(self._on_row_selected)
        self.points_table.sig_locate_requested.connect(self.open_location_dialog)
        self.points_table.sig_context_menu.connect(self.sig_point_menu)
        self.details.details_tab.sig_locate_requested.connect(self.open_location_dialog)
        self.details.details_tab.sig_monitor_requested.connect(self.open_monitor_dialog)
        self.map_view.sig_point_clicked.connect(self._on_marker_clicked)
        self.map_view.sig_cursor_moved.connect(self._on_cursor_moved)
        self.map_view.sig_map_clicked.connect(self._on_map_clicked)
        self.map_view.sig_ready.connect(self._on_map_ready)
        self.map_view.sig_view_points.connect(self._on_view_points)
        self.layers_panel.sig_layer_toggled.connect(self._on_layer_toggled)
        self._refresh_reference_layers()
        self.layers_panel.sig_basemap_changed.connect(self.set_basemap)
        cancel_pick = QAction(self)
        cancel_pick.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        cancel_pick.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        cancel_pick.triggered.connect(self._cancel_map_click)
        self.addAction(cancel_pick)
        self.change_bus = QtChangeBus(store.bus, self)
        self.change_bus.sig_changed.connect(self._on_changes)
        # On the bureau's server: which one, read-only plainly, other desks' changes on the same road.
        self.server_status = server.ServerStatus(store, self)
        if server.status_text(store):
            self.statusBar().addPermanentWidget(self.server_status.label)
            if store.read_only:
                self.setWindowTitle(self.windowTitle() + "（只读）")

        self._laid_out = False
        self._reload_points()
        # Features, imported explicitly above; each attaches through the Shell interface.
        self.features = {"about": about.attach(self), "printing": printing.attach(self),
                         "patrol": patrol.attach(self), "plan": plan_tab.attach(self),
                         "register": point_register.attach(self), "key_lists": key_list_import.attach(self),
                         "fund": fund_window.attach(self),
                         "rain": rain_panel.attach(self),
                         "layer_import": layer_import_dialog.attach(self),
                         "layer_export": layer_export_dialog.attach(self), "server": server.attach(self)}
        tab = self.details.details_tab
        for_editors(store, tab.locate_button, tab.monitor_button, tab.undo_button)
        self._restore_layout()

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            if not self._splitters_restored:
                self._lay_out()

    def _lay_out(self) -> None:
        """Proportions once the window has its size and every feature has attached: the map gets what
        the side panels do not need; docks that features put at the bottom stay a strip."""
        width = max(self.width(), 1000)
        # Narrow sides: the points table under the map needs about 880 px to show every column whole.
        side, details = 200, min(340, max(280, width // 5))
        self.main_splitter.setSizes([side, width - side - details, details])
        bottom = [d for d in self.findChildren(QDockWidget)
                  if self.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea and d.isVisible()]
        if bottom:
            self.resizeDocks(bottom, [max(150, self.height() // 5)] * len(bottom), Qt.Orientation.Vertical)

    # --- remembered layout (ui.ini in the data folder) ------------------------------------------------
    def _restore_layout(self) -> None:
        """As the user left it; the first time, most of the screen (not Qt's small default size)."""
        geometry = self.settings.value("window/geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            screen = (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()
            self.resize(int(screen.width() * SCREEN_SHARE), int(screen.height() * SCREEN_SHARE))
            frame = self.frameGeometry()
            frame.moveCenter(screen.center())
            self.move(frame.topLeft())
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        restored = []
        for key, splitter in (("window/main_splitter", self.main_splitter),
                              ("window/centre_splitter", self.centre_splitter)):
            value = self.settings.value(key)
            restored.append(isinstance(value, QByteArray) and splitter.restoreState(value))
        self._splitters_restored = all(restored)
        self.points_table.restore_columns(self.settings.value("window/points_columns"))

    def _save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/main_splitter", self.main_splitter.saveState())
        self.settings.setValue("window/centre_splitter", self.centre_splitter.saveState())
        self.settings.setValue("window/points_columns", self.points_table.save_columns())
        box = self.map_view.shown_box()
        if box is not None:
            self.settings.setValue("map/last_box", [f"{x:.6f}" for x in box])
        self.settings.sync()

    def add_store_warning(self, text: str) -> None:
        """A warning that comes after the window is up (the start-up backup taken in a thread failed)."""
        self.store.warnings.append(text)
        if self.store_warning is not None:
            self.statusBar().removeWidget(self.store_warning)
            self.store_warning.deleteLater()
        self.store_warning = warning_banner(self.store, self)
        self.statusBar().addWidget(self.store_warning, 1)
        self.store_warning.show()

    # --- the Shell interface (hazardmap.qt.shell): what features may use --------------------------
    def current_point_seq(self) -> int | None:
        return self._selected

    def select_point(self, seq: int | None) -> None:
        self.points_table.select_seq(seq)

    def current_view(self) -> View:
        return self.view_chooser.view

    def set_view(self, view: View) -> None:
        self.view_chooser.set_view(view)

    def request_map_click(self, tool: MapClickTool) -> None:
        """Hand map clicks to the asking dialog's tool until it finishes or Esc cancels it."""
        if self._map_tool is not None:
            self._map_tool.cancel()
        self._map_tool = tool
        tool.active = True
        tool.sig_prompt_changed.connect(self._show_map_prompt)
        tool.sig_finished.connect(lambda t=tool: self._end_map_click(t))
        self.map_view.set_pick_mode(True)
        self._show_map_prompt(tool.prompt)

    # --- building ----------------------------------------------------------------------------
    def _map_options(self, basemap: str, visible: frozenset[str]) -> MapOptions:
        key = str(self.settings.value("map/tianditu_key", "") or "")
        # A large register opens where the user left the map (a small one always shows the whole county).
        box = self.settings.value("map/last_box", [], type=list) or []
        try:
            start = tuple(float(x) for x in box) if len(box) == 4 else None
        except (TypeError, ValueError):
            start = None
        return MapOptions(basemap=basemap, tianditu_key=key, qt_bridge=True, layer_control=False, visible=visible,
                          view=self.view_chooser.view, start_box=start)

    def _build_menus(self) -> None:
        undo, redo = self.runner.undo_actions(self)  # 撤销 <step> / 重做 <step>
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.undo_action, self.redo_action = undo, redo
        for action in (undo, redo):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.add_action(MenuId.EDIT, action, Section.UNDO)
            self.addAction(action)  # also while the menu bar is hidden behind a modal-less dialog
        export = menu_action(self, "导出离线地图网页…", self._on_export_page)
        self.add_action(MenuId.PRINT, export, Section.PAGE)
        self.quit_action = QAction("退出", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.add_action(MenuId.FILE, self.quit_action, Section.QUIT)

        reload_action = QAction("重新加载地图", self)
        reload_action.setShortcut(QKeySequence("F5"))
        reload_action.triggered.connect(lambda: self.map_view.load_map())
        self.add_action(MenuId.VIEW, reload_action, Section.MAP)
        basemap_menu = self.add_menu(MenuId.VIEW, "底图", Section.MAP)
        self.basemap_actions: dict[str, QAction] = {}
        for key, label in BASEMAPS.items():
            act = QAction(label, self, checkable=True)
            act.setChecked(key == self.map_view.options.basemap)
            act.triggered.connect(lambda _c=False, k=key: self.set_basemap(k))
            basemap_menu.addAction(act)
            self.basemap_actions[key] = act
        key_action = menu_action(self, "天地图密钥…", self._on_tianditu_key)
        self.add_action(MenuId.VIEW, key_action, Section.MAP)

    # --- refreshing from the core ----------------------------------------------------------------
    def _reload_points(self) -> None:
        if self.map_view.large:   # a province: the table lists what the map shows one by one
            self._on_view_points(self.map_view.view_seqs)
            return
        self.points_table.set_points(views.points_in_view(self.store, self.view_chooser.view),
                                     patrol_status.latest_judgements(self.store))

    def _on_view_points(self, _seqs: list) -> None:
        result = self.map_view.view_result
        self.points_table.set_points(result.points if result else [], result.latest if result else {})

    def _on_view_chosen(self, view: View) -> None:
        self.map_view.set_view(view)
        self.map_filter.view_changed()
        self._reload_points()
        total, located = map_window.count(self.store, view)
        self.map_status.setText(f"显示{views.view_title(self.store, view)}：{total} 处（图上 {located} 处）")
        if self._selected and not self.map_view.large and self._selected not in views.seqs_in_view(self.store, view):
            self.points_table.select_seq(None)
        self.sig_view_changed.emit(view.key())

    def _on_changes(self, changes: Changes) -> None:
        if changes.points:   # a list imported or a point retired: the choices and their counts change
            before = self.view_chooser.view
            self.view_chooser.refresh()
            if self.view_chooser.view != before:
                self._on_view_chosen(self.view_chooser.view)
                return
        if changes.points or changes.patrol_points:
            self._reload_points()
            if self._selected and self._selected in (changes.points | changes.patrol_points):
                self.details.details_tab.show_point(self.store, self._selected)
        if changes.reference_layers:   # a layer imported or removed: the list and the page's layers change
            self._refresh_reference_layers()
            self.map_view.load_map()
        if changes.rain_gauges:
            self.rain_gauge_panel.refresh()
        # fund: the works' status on the map
        if changes.points or changes.patrol_points or changes.rain_gauges or changes.rain or changes.fund:
            self.map_view.refresh_points()

    # --- selection ------------------------------------------------------------------------------
    def _on_row_selected(self, seq: int) -> None:
        self._selected = seq or None
        self.details.details_tab.show_point(self.store, self._selected)
        self.map_view.select_point(seq, pan=True)
        self.sig_point_selected.emit(seq or 0)

    def _on_marker_clicked(self, seq: int) -> None:
        self.points_table.select_seq(seq)

    def _on_map_ready(self, stats: dict) -> None:
        basemap = BASEMAPS[self.map_view.options.basemap]
        if stats.get("view_query"):   # a large register: the page shows one view at a time
            self.map_status.setText(f"地图就绪：范围内 {stats.get('in_view', 0)} 个隐患点（放大后逐点显示，"
                                    f"表格列出逐点显示的点），底图：{basemap}")
        else:
            self.map_status.setText(f"地图就绪：{stats.get('points', 0)} 个隐患点，底图：{basemap}")
        if self._selected:
            self.map_view.select_point(self._selected, pan=False)

    def _on_cursor_moved(self, lon: float, lat: float) -> None:
        self.cursor_label.setText(f"经度 {lon:.6f}　纬度 {lat:.6f}（CGCS2000）")

    # --- layers and basemaps -------------------------------------------------------------------
    def _refresh_reference_layers(self) -> None:
        self.layers_panel.set_reference([(f"ref{x.id}", x.name, x.visible)
                                         for x in reference_layers.list_layers(self.store)])

    def _on_layer_toggled(self, key: str, on: bool) -> None:
        self.map_view.set_layer_visible(key, on)
        if key.startswith("ref"):   # remembered with the layer: printed maps draw the shown ones
            name = self.layers_panel.items[key].text()
            reference_layers.set_visible(self.store, name, on)
            return
        self.settings.setValue("map/hidden_layers", sorted(set(LAYERS) - self.layers_panel.visible_layers()))

    def set_basemap(self, key: str) -> None:
        if key not in BASEMAPS:
            return
        if key == "tianditu" and not str(self.settings.value("map/tianditu_key", "") or "").strip():
            if not self._on_tianditu_key():
                key = self.map_view.options.basemap
        for k, act in self.basemap_actions.items():
            act.setChecked(k == key)
        self.layers_panel.set_basemap(key)
        if key == self.map_view.options.basemap:
            return
        self.settings.setValue("map/basemap", key)
        self.map_status.setText("地图加载中…")
        self.map_view.load_map(self._map_options(key, frozenset(self.layers_panel.visible_layers())))

    def _on_tianditu_key(self) -> bool:
        current = str(self.settings.value("map/tianditu_key", "") or "")
        key, ok = QInputDialog.getText(self, "天地图密钥", "天地图开发者密钥（tk），在 lbs.tianditu.gov.cn 申请：",
                                       text=current)
        if ok:
            self.settings.setValue("map/tianditu_key", key.strip())
            if self.map_view.options.basemap == "tianditu":
                self.map_view.load_map(self._map_options("tianditu", self.map_view.options.visible))
        return ok and bool(key.strip())

    def open_monitor_dialog(self, seq: int) -> MonitorDialog:
        dlg = MonitorDialog(self, seq, self)
        dlg.show()
        return dlg

    def open_location_dialog(self, seq: int) -> LocationDialog:
        if self._location_dialog is not None:
            self._location_dialog.close()
        dlg = LocationDialog(self, seq, self)
        self._location_dialog = dlg
        self.points_table.select_seq(seq)
        dlg.show()
        return dlg

    # --- map clicks for a dialog's MapClickTool --------------------------------------------------
    def _on_map_clicked(self, lon: float, lat: float) -> None:
        if self._map_tool is not None:
            self._map_tool.click(lon, lat)

    def _show_map_prompt(self, text: str) -> None:
        self.statusBar().showMessage(text, 0)

    def _end_map_click(self, tool: MapClickTool) -> None:
        if tool is self._map_tool:
            self._map_tool = None
            self.map_view.set_pick_mode(False)
            self.statusBar().clearMessage()

    def _cancel_map_click(self) -> None:
        if self._map_tool is not None:
            self._map_tool.cancel()  # the tool's dialog shows itself again

    # --- other actions ----------------------------------------------------------------------------
    def _on_export_page(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出离线地图网页", "衡南县隐患点地图.html", "网页 (*.html)")
        if path:
            from PySide6.QtWidgets import QMessageBox
            mask = QMessageBox.question(self, "导出离线地图网页", "这份网页要发到局外吗？\n选“是”将隐去电话号码中间四位。"
                                        ) == QMessageBox.StandardButton.Yes
            # The save dialog has already asked about replacing an existing file.
            build_map_page(self.store, path, MapOptions(visible=frozenset(self.layers_panel.visible_layers()),
                                                        mask_phones=mask, view=self.view_chooser.view), force=True)
            self.statusBar().showMessage(f"已导出 {path}（资源文件在同一文件夹的 hazardmap_assets 中）", 8000)

    def reopen(self) -> None:
        self.sig_reopen.emit()   # hazardmap.qt.entry.run_windows opens the next window, then closes this one

    def closeEvent(self, event) -> None:  # noqa: N802
        self._save_layout()
        self.change_bus.detach()
        self.map_view.stop()
        self.runner.close()
        super().closeEvent(event)
