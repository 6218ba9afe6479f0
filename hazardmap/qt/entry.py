"""Window commands: gui, and screenshot (render the main window headless once the map is ready)."""
from __future__ import annotations

import argparse
import sys

from hazardmap.qt.env import prepare_qt_environment

MAP_READY_TIMEOUT_MS = 30_000


def run_window_command(args: argparse.Namespace) -> int:
    if args.command == "screenshot":
        from hazardmap.files import check_target

        check_target(args.out, force=args.force)  # an existing file: refused before Qt even loads
    try:
        prepare_qt_environment()
        from PySide6.QtWidgets import QApplication
    except Exception as exc:  # Qt itself did not load: nothing to draw a box with
        _last_resort_message(f"hazardmap 无法启动：界面组件加载失败（{type(exc).__name__}）")
        raise
    if args.command == "selftest":
        from hazardmap.qt.selftest import run_selftest

        return run_selftest(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("hazardmap")
    if args.command == "screenshot":
        return _run_screenshot(app, args)
    # The windowed build has no console: every start-up failure is said in a message box.
    from hazardmap.qt import startup

    status = _run_window(app, startup, backup_in_thread=True)
    if status is _AGAIN:   # the start-up backup found damage the quick check did not: said as at any start
        status = _run_window(app, startup, backup_in_thread=False)
    return status


_AGAIN = object()


def _run_window(app, startup, *, backup_in_thread: bool):
    from hazardmap.domain.errors import DatabaseDamaged
    from hazardmap.services import backup
    from hazardmap.services.store import is_server

    store = window = start_backup = None
    try:
        from hazardmap.qt.main_window import MainWindow

        # With the start-up backup (services/backup.py): in a thread while the window starts (writes wait
        # for it), or before the window when it is asked again after finding damage.
        store = startup.open_store_for_window(backup_on_open=not backup_in_thread)
        if store is None:
            return 2
        if backup_in_thread and not is_server(store):
            start_backup = backup.StartBackup(store)
        window = MainWindow(store)
    except Exception as exc:
        startup.show_unexpected(exc)
        if start_backup is not None:
            start_backup.finish()
        if store is not None:
            store.close()
        return 1
    try:
        if start_backup is not None:
            startup.watch_start_backup(window, start_backup)
        window.show()
        _quit_on_ctrl_c(app)
        status = app.exec()
    finally:
        # Web views go before the application does, or Qt warns of an undeleted page.
        close_window(app, window)
        if start_backup is not None:
            start_backup.finish()
        store.close()
    if start_backup is not None and isinstance(start_backup.error, DatabaseDamaged):
        return _AGAIN
    return status


def _run_screenshot(app, args) -> int:
    """Headless: problems go to the console in Chinese, never to a box nobody can click."""
    from hazardmap.domain.errors import HazardmapError
    from hazardmap.qt.main_window import MainWindow
    from hazardmap.services.store import open_store

    try:
        store = open_store()
    except HazardmapError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    window = MainWindow(store)
    try:
        return _screenshot(app, window, args)
    finally:
        close_window(app, window)
        store.close()


def _last_resort_message(text: str) -> None:
    """Without Qt: the console, and on Windows the system's own message box."""
    print(text, file=sys.stderr)
    if sys.platform == "win32":
        try:
            import ctypes

            ctypes.windll.user32.MessageBoxW(None, text, "hazardmap", 0x10)
        except Exception:
            pass


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
    from hazardmap.domain.errors import WriteFailed
    from hazardmap.files import atomic_write

    with atomic_write(args.out, force=args.force) as tmp:
        if not window.grab().save(str(tmp)):
            raise WriteFailed(args.out, "无法保存为图片（文件名请以 .png 结尾）")
    return 0
