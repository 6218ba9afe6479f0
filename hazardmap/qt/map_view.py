"""The map: the page built by hazardmap.mapping, shown from a file in a QWebEngineView, with the
narrow bridge for clicks, cursor and readiness. Positions leave this class in CGCS2000."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from hazardmap.mapping.options import MapOptions, page_to_cgcs2000
from hazardmap.mapping.page import build_map_page, points_update
from hazardmap.qt.bridge import MapBridge
from hazardmap.services.store import Store

PAGE_DIR = "map_page"  # inside the user's data folder: rebuilt at every start, safe to delete


class MapView(QWebEngineView):
    sig_ready = Signal(dict)
    sig_point_clicked = Signal(int)
    sig_map_clicked = Signal(float, float)   # CGCS2000 lon, lat
    sig_cursor_moved = Signal(float, float)  # CGCS2000 lon, lat

    def __init__(self, store: Store, options: MapOptions | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.options = options or MapOptions(qt_bridge=True, layer_control=False)
        self.ready = False
        self.stats: dict = {}
        self.bridge = MapBridge(self)
        self._channel = QWebChannel(self)
        self._channel.registerObject("mapBridge", self.bridge)
        self.page().setWebChannel(self._channel)
        signals = self.bridge.signals
        signals.sig_ready.connect(self._on_ready)
        signals.sig_point_clicked.connect(self.sig_point_clicked)
        signals.sig_map_clicked.connect(self._on_map_clicked)
        signals.sig_cursor_moved.connect(self._on_cursor_moved)
        self._pending_select = 0
        self._stale = False  # data changed while the page was loading: send it again once ready
        self.page_path: Path | None = None

    # --- building and loading -------------------------------------------------------------
    def load_map(self, options: MapOptions | None = None) -> None:
        if options is not None:
            self.options = options
        path = self.store.home / PAGE_DIR / "map.html"
        build_map_page(self.store, path, self.options, force=True)  # the window's own page, rebuilt each time
        self._refresh_known_seqs()
        self.load_page(path)

    def load_page(self, path: Path) -> None:
        """Show a page already built with these options (the benchmark builds its own)."""
        self.ready = False
        self._stale = False
        self.page_path = path
        # A file page reaches tile servers only with LocalContentCanAccessRemoteUrls, and with that on
        # (Qt 6.12) its own script files load only if LocalContentCanAccessFileUrls is set explicitly too.
        attrs = QWebEngineSettings.WebAttribute
        self.settings().setAttribute(attrs.LocalContentCanAccessFileUrls, True)
        self.settings().setAttribute(attrs.LocalContentCanAccessRemoteUrls, self.options.basemap != "offline")
        self.load(QUrl.fromLocalFile(str(path)))

    def _refresh_known_seqs(self) -> None:
        from hazardmap.services import views

        self.bridge.known_seqs = {p.seq for p in views.points_in_view(self.store, self.options.view) if p.located}

    def _on_ready(self, stats: dict) -> None:
        self.ready = True
        self.stats = stats
        if self._stale:
            self.refresh_points()
        if self._pending_select:
            self.select_point(self._pending_select)
        self.sig_ready.emit(stats)

    # --- positions from the page ------------------------------------------------------------
    def _on_map_clicked(self, lon: float, lat: float) -> None:
        self.sig_map_clicked.emit(*page_to_cgcs2000(lon, lat, self.options))

    def _on_cursor_moved(self, lon: float, lat: float) -> None:
        self.sig_cursor_moved.emit(*page_to_cgcs2000(lon, lat, self.options))

    # --- commands to the page ---------------------------------------------------------------
    def run_js(self, script: str, callback=None) -> None:
        if callback is None:
            self.page().runJavaScript(script)
        else:
            self.page().runJavaScript(script, 0, callback)

    def select_point(self, seq: int | None, pan: bool = True) -> None:
        seq = int(seq or 0)
        if not self.ready:
            self._pending_select = seq
            return
        self.run_js(f"hazardmap.selectPoint({seq}, {'true' if pan else 'false'})")

    def refresh_points(self) -> None:
        """After a Changes record: send the points and rain gauges again, without reloading."""
        self._refresh_known_seqs()
        if not self.ready:
            self._stale = True
            return
        self._stale = False
        update = json.dumps(points_update(self.store, self.options), ensure_ascii=False)
        self.run_js(f"hazardmap.setPoints({update})")

    def set_view(self, view) -> None:
        """Show another choice of points (services/views.py): sent to the loaded page, no reload."""
        self.options = dataclasses.replace(self.options, view=view)
        self.refresh_points()

    def set_layer_visible(self, key: str, on: bool) -> None:
        visible = (self.options.visible | {key}) if on else (self.options.visible - {key})
        self.options = dataclasses.replace(self.options, visible=frozenset(visible))
        if self.ready:
            self.run_js(f"hazardmap.setLayerVisible({json.dumps(key)}, {'true' if on else 'false'})")

    def set_pick_mode(self, on: bool) -> None:
        if self.ready:
            self.run_js(f"hazardmap.setPickMode({'true' if on else 'false'})")

