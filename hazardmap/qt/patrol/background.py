"""Run a slow service call (a big export or import) off the UI thread with a busy indicator.
The worker opens its own store on the same data folder: a SQLite connection is never shared
between threads, and workers never touch widgets (docs/ARCHITECTURE.md, Threads)."""
from __future__ import annotations

from typing import Callable, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from hazardmap.services.store import Store, open_store

T = TypeVar("T")


class _Worker(QObject):
    done = Signal(object)

    def __init__(self, store: Store, fn: Callable[[Store], T]) -> None:
        super().__init__()
        self.home, self.bundled, self.fn = store.home, store.bundled, fn

    def run(self) -> None:
        try:
            own = open_store(self.home, self.bundled)
            try:
                result = self.fn(own)
            finally:
                own.close()
        except BaseException as exc:  # handed back to the UI thread, which shows it
            result = exc
        self.done.emit(result)


def run_in_background(parent: QWidget | None, store: Store, label: str, fn: Callable[[Store], T]) -> T:
    """Blocks the caller (not the event loop) until fn(worker_store) returns; re-raises its error."""
    thread = QThread()
    worker = _Worker(store, fn)
    worker.moveToThread(thread)
    box: list = []
    loop = QEventLoop()
    worker.done.connect(lambda r: (box.append(r), loop.quit()), Qt.QueuedConnection)
    thread.started.connect(worker.run)
    progress = QProgressDialog(label, None, 0, 0, parent)
    progress.setWindowTitle("请稍候")
    progress.setWindowModality(Qt.WindowModal)
    progress.setMinimumDuration(400)  # quick jobs finish without a flash of a dialog
    progress.setValue(0)
    thread.start()
    if not box:
        loop.exec()
    thread.quit()
    thread.wait()
    progress.close()
    progress.deleteLater()
    result = box[0]
    if isinstance(result, BaseException):
        raise result
    return result
