"""The map: the page built by hazardmap.mapping, shown from a file in a QWebEngineView, with the
narrow bridge for clicks, cursor and readiness. Positions leave this class in CGCS2000."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, QTimer, QUrl, Signal
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

from hazardmap.mapping.options import MapOptions, page_to_cgcs2000
from hazardmap.mapping.page import (build_map_page, points_update, rain_rings, shown_payload, view_payload,
                                    view_query_mode)
from hazardmap.qt.bridge import MapBridge
from hazardmap.services import map_window
from hazardmap.services.store import Store, open_store

PAGE_DIR = "map_page"  # inside the user's data folder: rebuilt at every start, safe to delete


class _GridLoader(QObject):
    """Reads a large register's positions for the window's grid (services/map_window.py) in a thread with
    its own connection, so the window stays usable the second or so it takes for a province."""
    done = Signal(object)

    def __init__(self, store: Store, view, generation: int) -> None:
        super().__init__()
        self.home, self.bundled, self.view, self.generation = store.home, store.bundled, view, generation

    def run(self) -> None:
        grid = None
        try:
            store = open_store(self.home, self.bundled, check=False)
            try:
                grid = map_window.Grid.load(store, self.view)
            finally:
                store.close()
        except Exception:  # noqa: BLE001 (no grid: the database counts every view instead, more slowly)
            grid = None
        self.moveToThread(QCoreApplication.instance().thread())
        self.done.emit((self.generation, grid))


class MapView(QWebEngineView):
    sig_ready = Signal(dict)
    sig_view_points = Signal(list)           # a large register: the seqs drawn one by one in the view now
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
        signals.sig_view_changed.connect(self._on_view_changed)
        self.large = False            # a large register: the page asks for each view (services/map_window.py)
        self.grid: map_window.Grid | None = None
        self._generation = 0          # grows with each change to the points: a grid read before is dropped
        self._loader: tuple[QThread, _GridLoader] | None = None
        self.last_view: dict | None = None
        self.view_seqs: list[int] = []
        self.view_result: map_window.BoxResult | None = None
        self._rain_rings: dict[int, dict] | None = None   # a large register: point -> its rain ring, read once a change
        self._pending_select = 0
        self._stale = False  # data changed while the page was loading: send it again once ready
        self.page_path: Path | None = None

    # --- building and loading -------------------------------------------------------------
    def load_map(self, options: MapOptions | None = None) -> None:
        if options is not None:
            self.options = options
        path = self.store.home / PAGE_DIR / "map.html"
        self.large = view_query_mode(self.store, self.options)
        self._drop_grid()
        build_map_page(self.store, path, self.options, force=True, large=self.large,  # rebuilt each time
                       shell_cache=path.parent)
        self._refresh_known_seqs()
        self.load_page(path)
        # The grid (a second or so for a province, in a thread) is read once the map is ready: read while
        # the page loads it held the interpreter the first view's answer needed. Until then the database
        # answers each view.

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

        if self.large:   # the points drawn one by one in the current view, set as each view is sent
            self.bridge.known_seqs = set(self.view_seqs)
            return
        self.bridge.known_seqs = {p.seq for p in views.points_in_view(self.store, self.options.view) if p.located}

    # --- a large register: one view at a time --------------------------------------------------
    def _drop_grid(self) -> None:
        self._generation += 1
        self.grid = None
        self._rain_rings = None   # the rain or the points changed: read again at the next view

    def _load_grid(self) -> None:
        if not self.large or self.grid is not None or self._loader is not None:
            return
        thread, loader = QThread(), _GridLoader(self.store, self.options.view, self._generation)
        loader.moveToThread(thread)
        loader.done.connect(self._on_grid, Qt.ConnectionType.QueuedConnection)
        thread.started.connect(loader.run)
        self._loader = (thread, loader)
        thread.start()

    def _on_grid(self, result) -> None:
        generation, grid = result
        thread, _loader = self._loader
        thread.quit()
        thread.wait()
        self._loader = None
        if generation == self._generation:
            self.grid = grid
        else:                      # the points changed meanwhile: read them again
            self._load_grid()

    def stop(self) -> None:
        """Before the view goes: wait for a grid being read (a thread must not outlive its objects)."""
        if self._loader is not None:
            thread, loader = self._loader
            loader.done.disconnect()
            thread.quit()
            thread.wait()
            self._loader = None

    def wait_for_grid(self, timeout_ms: int = 30000) -> bool:
        """Tests and the bench: until the grid is read (True) or there is none coming."""
        from PySide6.QtCore import QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(timeout_ms)
        while (self._loader is not None or (self.large and not self.ready)) and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return self.grid is not None

    def _on_view_changed(self, view: dict) -> None:
        if not self.large:
            return
        self.last_view = view
        self.send_view()

    def send_view(self) -> None:
        """The current view's points or clusters to the page (after a move, a filter or a change)."""
        if self.last_view is None:
            return
        if self._rain_rings is None:
            self._rain_rings = rain_rings(self.store, self.options)
        payload, self.view_result = view_payload(self.store, self.options, self.last_view, grid=self.grid,
                                                 rings=self._rain_rings)
        self.view_seqs = [p["seq"] for p in payload["points"]]
        self.bridge.known_seqs = set(self.view_seqs)
        self.run_js(f"hazardmap.setView({json.dumps(payload, ensure_ascii=False)})")
        self.sig_view_points.emit(self.view_seqs)

    def _send_shown(self) -> None:
        if self.ready and self.large:
            shown = json.dumps(shown_payload(self.store, [], self.options, large=True, grid=self.grid),
                               ensure_ascii=False)
            self.run_js(f"hazardmap.setShown({shown})")

    def shown_box(self) -> tuple[float, float, float, float] | None:
        """The box the map shows now (CGCS2000 W, S, E, N) in a large register, to open there next time."""
        v = self.last_view
        if not self.large or v is None:
            return None
        # The page asks for its box padded by a tenth on every side (hazardmap.js VIEW_PAD).
        dx, dy = (v["east"] - v["west"]) / 1.2 * 0.1, (v["north"] - v["south"]) / 1.2 * 0.1
        w, s = page_to_cgcs2000(v["west"] + dx, v["south"] + dy, self.options)
        e, n = page_to_cgcs2000(v["east"] - dx, v["north"] - dy, self.options)
        return (w, s, e, n)

    def set_filter(self, township: str | None, hazard_type: str | None) -> None:
        """Only one township's and/or one hazard type's points (None: all)."""
        self.options = dataclasses.replace(self.options, township=township or None, hazard_type=hazard_type or None)
        if self.large:
            self.send_view()
            # The legend's count line after the map is drawn: counting a filter in the database takes longer.
            QTimer.singleShot(0, self._send_shown)
        else:
            self.refresh_points()

    def _on_ready(self, stats: dict) -> None:
        self.ready = True
        self.stats = stats
        self._load_grid()
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
        if self.large:
            self._drop_grid()
            self._load_grid()
        self._refresh_known_seqs()
        if not self.ready:
            self._stale = True
            return
        self._stale = False
        update = json.dumps(points_update(self.store, self.options, self.large), ensure_ascii=False)
        self.run_js(f"hazardmap.setPoints({update})")

    def set_view(self, view) -> None:
        """Show another choice of points (services/views.py): sent to the loaded page, no reload (unless
        the new choice is large and the old was not, or the other way round)."""
        self.options = dataclasses.replace(self.options, view=view)
        if view_query_mode(self.store, self.options) != self.large:
            self.load_map()
            return
        self.refresh_points()

    def set_layer_visible(self, key: str, on: bool) -> None:
        visible = (self.options.visible | {key}) if on else (self.options.visible - {key})
        self.options = dataclasses.replace(self.options, visible=frozenset(visible))
        if self.ready:
            self.run_js(f"hazardmap.setLayerVisible({json.dumps(key)}, {'true' if on else 'false'})")

    def set_pick_mode(self, on: bool) -> None:
        if self.ready:
            self.run_js(f"hazardmap.setPickMode({'true' if on else 'false'})")

