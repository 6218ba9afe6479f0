"""Qt adapter onto the core's plain-Python ChangeBus: re-emits each Changes record as a signal
(queued onto the GUI thread), so views refresh from what the record names."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from hazardmap.domain.changes import ChangeBus, Changes


class QtChangeBus(QObject):
    sig_changed = Signal(object)  # a Changes record

    def __init__(self, bus: ChangeBus, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bus = bus
        bus.subscribe(self._on_changes)

    def _on_changes(self, changes: Changes) -> None:
        self.sig_changed.emit(changes)

    def detach(self) -> None:
        self._bus.unsubscribe(self._on_changes)
