"""The one object the map page can reach (QWebChannel name "mapBridge"). It accepts only five
kinds of message, checks each, and passes them on through a separate, unexposed signal object;
everything else is refused, including the page trying to delete it."""
from __future__ import annotations

import json
import math

from PySide6.QtCore import QEvent, QObject, Signal, Slot

# What the page may call, and nothing else (a test compares this with what the page sees).
PAGE_METHODS = ("pointClicked", "mapClicked", "cursorMoved", "mapReady", "viewChanged")


class MapBridgeSignals(QObject):
    """The Python side's signals, kept off the exposed object so the page cannot even see them."""
    sig_point_clicked = Signal(int)           # a known point's seq
    sig_map_clicked = Signal(float, float)    # page lon/lat (page datum; the view converts)
    sig_cursor_moved = Signal(float, float)
    sig_ready = Signal(dict)                  # the page's own counts once drawn and connected
    sig_view_changed = Signal(dict)           # a large register's page moved: id, west/south/east/north, zoom


class MapBridge(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signals = MapBridgeSignals()  # no parent: not a child the page could reach
        self.known_seqs: set[int] = set()
        self.rejected = 0  # messages refused (tests look at it)

    def event(self, e: QEvent) -> bool:
        # QWebChannel publishes QObject's deleteLater() slot; the page must not end the bridge.
        # The window deletes it through its parent, which does not go through this event.
        if e.type() == QEvent.Type.DeferredDelete:
            self.rejected += 1
            return True
        return super().event(e)

    @staticmethod
    def _plausible(lon: float, lat: float) -> bool:
        return (isinstance(lon, (int, float)) and isinstance(lat, (int, float)) and math.isfinite(lon)
                and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90)

    @Slot(int)
    def pointClicked(self, seq: int) -> None:  # noqa: N802 (name seen by JavaScript)
        if isinstance(seq, int) and seq in self.known_seqs:
            self.signals.sig_point_clicked.emit(seq)
        else:
            self.rejected += 1

    def _emit_position(self, signal, lon, lat) -> None:
        if self._plausible(lon, lat):
            signal.emit(float(lon), float(lat))
        else:
            self.rejected += 1

    @Slot(float, float)
    def mapClicked(self, lon: float, lat: float) -> None:  # noqa: N802
        self._emit_position(self.signals.sig_map_clicked, lon, lat)

    @Slot(float, float)
    def cursorMoved(self, lon: float, lat: float) -> None:  # noqa: N802
        self._emit_position(self.signals.sig_cursor_moved, lon, lat)

    @Slot(str)
    def mapReady(self, stats_json: str) -> None:  # noqa: N802
        try:
            stats = json.loads(stats_json) if len(stats_json) < 100_000 else None
        except (TypeError, ValueError):
            stats = None
        if isinstance(stats, dict):
            self.signals.sig_ready.emit(stats)
        else:
            self.rejected += 1

    @Slot(str)
    def viewChanged(self, view_json: str) -> None:  # noqa: N802
        """The page's box (page datum) and zoom after a move: exactly {id, west, south, east, north, zoom},
        numbers, a real box on the globe, zoom 0-22; anything else is refused."""
        view = None
        try:
            if isinstance(view_json, str) and len(view_json) < 1000:
                view = json.loads(view_json)
        except ValueError:
            view = None
        keys = {"id", "west", "south", "east", "north", "zoom"}
        ok = (isinstance(view, dict) and set(view) == keys
              and all(isinstance(view[k], (int, float)) and not isinstance(view[k], bool)
                      and math.isfinite(view[k]) for k in keys)
              and isinstance(view["id"], int) and view["id"] >= 0 and 0 <= view["zoom"] <= 22
              and self._plausible(view["west"], view["south"]) and self._plausible(view["east"], view["north"])
              and view["west"] <= view["east"] and view["south"] <= view["north"])
        if ok:
            self.signals.sig_view_changed.emit(view)
        else:
            self.rejected += 1
