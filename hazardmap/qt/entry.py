"""Window commands: gui, and screenshot (render the main window headless once the map is ready)."""
from __future__ import annotations

import argparse
import sys

from hazardmap.qt.env import prepare_qt_environment

MAP_READY_TIMEOUT_MS = 30_000


def run_window_command(args: argparse.Namespace) -> int:
    prepare_qt_environment()
    from PySide6.QtWidgets import QApplication

    from hazardmap.qt.main_window import MainWindow
    from hazardmap.services.store import open_store

    if args.command == "selftest":
        from hazardmap.qt.selftest import run_selftest

        return run_selftest(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("hazardmap")
    store = open_store(backup_on_open=args.command == "gui")  # the start-up backup (services/backup.py)
    window = MainWindow(store)
    try:
        if args.command == "screenshot":
            return _screenshot(app, window, args)
        window.show()
        _quit_on_ctrl_c(app)
        return app.exec()
    finally:
        # Web views go before the application does, or Qt warns of an undeleted page.
        close_window(app, window)
        store.close()


def _quit_on_ctrl_c(app) -> None:
    """Ctrl+C in a terminal closes the window cleanly (Python handles signals only between Qt events,
    so an idle timer gives it the chance)."""
    import signal

    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(300)


def close_window(app, window) -> None:
    """Close and delete the window now, its web view first (no page may be left when the application quits)."""
    from PySide6.QtCore import QEvent

    window.close()
    window.map_view.deleteLater()
    window.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


def wait_for_map(app, window, timeout_ms: int = MAP_READY_TIMEOUT_MS) -> bool:
    from PySide6.QtCore import QEventLoop, QTimer

    if window.map_view.ready:
        return True
    loop = QEventLoop()
    window.map_view.sig_ready.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    return window.map_view.ready


def _screenshot(app, window, args) -> int:
    from PySide6.QtCore import QEventLoop, QTimer

    window.resize(args.width, args.height)
    window.show()
    if not wait_for_map(app, window):
        print("错误：地图在限定时间内未就绪，未保存截图", file=sys.stderr)
        return 1
    # Let the web view paint its last frame (tiles of DOM markers) before grabbing.
    loop = QEventLoop()
    QTimer.singleShot(400, loop.quit)
    loop.exec()
    ok = window.grab().save(args.out)
    if not ok:
        print(f"错误：无法保存截图到 {args.out}", file=sys.stderr)
    return 0 if ok else 1
