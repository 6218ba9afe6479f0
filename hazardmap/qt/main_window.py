"""The main window: map in the middle, layers and rain gauges on the left, the points table under
the map, details on the right. It only assembles widgets and routes signals; the work is done by
the services, and every view refreshes from the core's Changes records."""
from __future__ import annotations

import importlib

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QInputDialog, QLabel, QMainWindow, QMenu, QSplitter,
                               QTabWidget)

from hazardmap import __version__
from hazardmap.domain.changes import Changes
from hazardmap.mapping.hit import PICK_RADIUS_M, nearest_village
from hazardmap.mapping.options import BASEMAPS, LAYERS, MapOptions
from hazardmap.mapping.page import build_map_page
from hazardmap.qt.bus_adapter import QtChangeBus
from hazardmap.qt.details_panel import DetailsPanel
from hazardmap.qt.layers_panel import LayersPanel
from hazardmap.qt.location_dialog import LocationDialog
from hazardmap.qt.monitor_dialog import MonitorDialog
from hazardmap.qt.store_warnings import warning_banner
from hazardmap.qt.map_view import MapView
from hazardmap.qt.points_table import PointsTable
from hazardmap.qt.rain_gauge_panel import RainGaugePanel
from hazardmap.services import patrol_status, points as point_service
from hazardmap.services.store import Store

# Other features attach themselves after the window is built: importlib.import_module(name).attach(window).
FEATURE_MODULES: list[str] = ["hazardmap.qt.about", "hazardmap.qt.printing", "hazardmap.qt.patrol"]

SETTINGS_FILE = "ui.ini"  # UI preferences live beside the user's database (per data folder)


class MainWindow(QMainWindow):
    sig_point_selected = Signal(int)  # seq of the selected point, 0 when none

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"衡南县地质灾害隐患点监测 hazardmap {__version__}")
        self.settings = QSettings(str(store.home / SETTINGS_FILE), QSettings.Format.IniFormat)
        self._selected: int | None = None
        self._location_dialog: LocationDialog | None = None
        self._pick_handler = None  # what a click on the map means while picking (None: nothing)
        self._pick_dialog = None   # the dialog hidden while the user clicks on the map

        hidden = set(self.settings.value("map/hidden_layers", [], type=list) or [])
        basemap = str(self.settings.value("map/basemap", "offline"))
        if basemap not in BASEMAPS:
            basemap = "offline"
        visible = frozenset(k for k in LAYERS if k not in hidden)

        self.map_view = MapView(store, self._map_options(basemap, visible), self)
        self.points_table = PointsTable(self)
        self.details = DetailsPanel(self)
        self.details_tabs: QTabWidget = self.details.details_tabs
        self.layers_panel = LayersPanel(set(visible), basemap, self)
        self.rain_gauge_panel = RainGaugePanel(store, self)
        self.left_tabs = QTabWidget(self)
        self.left_tabs.addTab(self.layers_panel, "图层")
        self.left_tabs.addTab(self.rain_gauge_panel, "雨量计")

        centre = QSplitter(Qt.Orientation.Vertical, self)
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

        self.menus: dict[str, QMenu] = {}
        self._build_menus()

        # Wiring: selection both ways, edits, and the change bus.
        self.points_table.sig_row_selected.connect(self._on_row_selected)
        self.points_table.sig_locate_requested.connect(self.open_location_dialog)
        self.details.details_tab.sig_locate_requested.connect(self.open_location_dialog)
        self.details.details_tab.sig_monitor_requested.connect(self.open_monitor_dialog)
        self.map_view.sig_point_clicked.connect(self._on_marker_clicked)
        self.map_view.sig_cursor_moved.connect(self._on_cursor_moved)
        self.map_view.sig_map_clicked.connect(self._on_map_clicked)
        self.map_view.sig_ready.connect(self._on_map_ready)
        self.layers_panel.sig_layer_toggled.connect(self._on_layer_toggled)
        self.layers_panel.sig_basemap_changed.connect(self.set_basemap)
        self.rain_gauge_panel.sig_pick_requested.connect(self._on_rain_gauge_pick_requested)
        cancel_pick = QAction(self)
        cancel_pick.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        cancel_pick.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        cancel_pick.triggered.connect(self._cancel_pick)
        self.addAction(cancel_pick)
        self.change_bus = QtChangeBus(store.bus, self)
        self.change_bus.sig_changed.connect(self._on_changes)

        self._laid_out = False
        self._reload_points()
        self.map_view.load_map()
        for name in FEATURE_MODULES:
            importlib.import_module(name).attach(self)
        self.menus["file"].addSeparator()
        self.menus["file"].addAction(self.quit_action)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._laid_out:
            self._laid_out = True
            self._lay_out()

    def _lay_out(self) -> None:
        """Proportions once the window has its size and every feature has attached: the map gets what
        the side panels do not need; docks that features put at the bottom stay a strip."""
        width = max(self.width(), 1000)
        side, details = 210, min(360, max(280, width // 4))
        self.main_splitter.setSizes([side, width - side - details, details])
        bottom = [d for d in self.findChildren(QDockWidget)
                  if self.dockWidgetArea(d) == Qt.DockWidgetArea.BottomDockWidgetArea and d.isVisible()]
        if bottom:
            self.resizeDocks(bottom, [max(150, self.height() // 5)] * len(bottom), Qt.Orientation.Vertical)

    # --- public, for features and tests ----------------------------------------------------
    def current_point_seq(self) -> int | None:
        return self._selected

    def select_point(self, seq: int | None) -> None:
        self.points_table.select_seq(seq)

    # --- building ----------------------------------------------------------------------------
    def _map_options(self, basemap: str, visible: frozenset[str]) -> MapOptions:
        key = str(self.settings.value("map/tianditu_key", "") or "")
        return MapOptions(basemap=basemap, tianditu_key=key, qt_bridge=True, layer_control=False, visible=visible)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for key, title in (("file", "文件(&F)"), ("view", "视图(&V)"), ("print", "打印/导出(&P)"), ("help", "帮助(&H)")):
            self.menus[key] = bar.addMenu(title)
        export = QAction("导出离线地图网页…", self)
        export.triggered.connect(self._on_export_page)
        self.menus["print"].addAction(export)
        self.quit_action = QAction("退出", self)  # added last, after the features' file actions
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)

        reload_action = QAction("重新加载地图", self)
        reload_action.setShortcut(QKeySequence("F5"))
        reload_action.triggered.connect(lambda: self.map_view.load_map())
        self.menus["view"].addAction(reload_action)
        basemap_menu = self.menus["view"].addMenu("底图")
        self.basemap_actions: dict[str, QAction] = {}
        for key, label in BASEMAPS.items():
            act = QAction(label, self, checkable=True)
            act.setChecked(key == self.map_view.options.basemap)
            act.triggered.connect(lambda _c=False, k=key: self.set_basemap(k))
            basemap_menu.addAction(act)
            self.basemap_actions[key] = act
        key_action = QAction("天地图密钥…", self)
        key_action.triggered.connect(self._on_tianditu_key)
        self.menus["view"].addAction(key_action)

    # --- refreshing from the core ----------------------------------------------------------------
    def _reload_points(self) -> None:
        self.points_table.set_points(point_service.list_points(self.store),
                                     patrol_status.latest_judgements(self.store))

    def _on_changes(self, changes: Changes) -> None:
        if changes.points or changes.patrol_points:
            self._reload_points()
            if self._selected and self._selected in (changes.points | changes.patrol_points):
                self.details.details_tab.show_point(self.store, self._selected)
        if changes.rain_gauges:
            self.rain_gauge_panel.refresh()
        if changes.points or changes.patrol_points or changes.rain_gauges:
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
        self.map_status.setText(f"地图就绪：{stats.get('points', 0)} 个隐患点，底图：{basemap}")
        if self._selected:
            self.map_view.select_point(self._selected, pan=False)

    def _on_cursor_moved(self, lon: float, lat: float) -> None:
        self.cursor_label.setText(f"经度 {lon:.6f}　纬度 {lat:.6f}（CGCS2000）")

    # --- layers and basemaps -------------------------------------------------------------------
    def _on_layer_toggled(self, key: str, on: bool) -> None:
        self.map_view.set_layer_visible(key, on)
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
        dlg = MonitorDialog(self.store, seq, self)
        dlg.show()
        return dlg

    # --- location correction ------------------------------------------------------------------
    def open_location_dialog(self, seq: int) -> LocationDialog:
        if self._location_dialog is not None:
            self._location_dialog.close()
        dlg = LocationDialog(self.store, seq, self)
        dlg.sig_pick_requested.connect(self._on_pick_requested)
        dlg.finished.connect(lambda _r: self._end_pick())
        self._location_dialog = dlg
        self.points_table.select_seq(seq)
        dlg.show()
        return dlg

    def _on_pick_requested(self, seq: int) -> None:
        self._start_pick(f"请在地图上点击 {seq} 号隐患点的位置（Esc 取消）", self._on_location_picked,
                         self._location_dialog)

    def _on_location_picked(self, lon: float, lat: float) -> bool:
        if self._location_dialog is None:
            return True
        self._location_dialog.set_picked(lon, lat)
        self._location_dialog.show()
        self._location_dialog.raise_()
        return True

    def _on_rain_gauge_pick_requested(self, slot: int) -> None:
        self.left_tabs.setCurrentWidget(self.rain_gauge_panel)
        self._start_pick(f"请在地图上点击第 {slot} 号雨量计所在的村（Esc 取消）", self._on_rain_gauge_picked,
                         self.rain_gauge_panel.assign_dialog)

    def _on_rain_gauge_picked(self, lon: float, lat: float) -> bool:
        dlg = self.rain_gauge_panel.assign_dialog
        if dlg is None:
            return True
        hit = nearest_village(self.store.bundled, lon, lat)
        if hit is None:
            self.statusBar().showMessage(
                f"点击处 {PICK_RADIUS_M / 1000:g} 公里内没有名录中的村庄，请点在村庄圆点上（Esc 取消）", 0)
            return False  # keep picking
        dlg.select_village(hit[0].code)
        dlg.show()
        dlg.raise_()
        return True

    def _start_pick(self, message: str, handler, dialog) -> None:
        self._pick_handler = handler
        self._pick_dialog = dialog
        self.map_view.set_pick_mode(True)
        self.statusBar().showMessage(message, 0)

    def _on_map_clicked(self, lon: float, lat: float) -> None:
        if self._pick_handler is not None and self._pick_handler(lon, lat):
            self._end_pick()

    def _end_pick(self) -> None:
        if self._pick_handler is not None:
            self._pick_handler = None
            self._pick_dialog = None
            self.map_view.set_pick_mode(False)
            self.statusBar().clearMessage()

    def _cancel_pick(self) -> None:
        """Esc while picking: stop, and bring back the dialog that asked for the click."""
        if self._pick_handler is None:
            return
        dialog = self._pick_dialog
        self._end_pick()
        if dialog is not None:
            dialog.show()

    # --- other actions ----------------------------------------------------------------------------
    def _on_export_page(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出离线地图网页", "衡南县隐患点地图.html", "网页 (*.html)")
        if path:
            from PySide6.QtWidgets import QMessageBox
            mask = QMessageBox.question(self, "导出离线地图网页", "这份网页要发到局外吗？\n选“是”将隐去电话号码中间四位。"
                                        ) == QMessageBox.StandardButton.Yes
            # The save dialog has already asked about replacing an existing file.
            build_map_page(self.store, path, MapOptions(visible=frozenset(self.layers_panel.visible_layers()),
                                                        mask_phones=mask), force=True)
            self.statusBar().showMessage(f"已导出 {path}（资源文件在同一文件夹的 hazardmap_assets 中）", 8000)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.change_bus.detach()
        super().closeEvent(event)
