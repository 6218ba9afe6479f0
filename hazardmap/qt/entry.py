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

    _quit_on_ctrl_c(app)
    # The start-up backup (services/backup.py) is taken in a thread while the window starts.
    return run_windows(app, lambda: startup.open_store_for_window(backup_on_open=False), backup_in_thread=True)


def run_windows(app, open_window_store, *, backup_in_thread: bool = False) -> int:
    """The main window on the store open_window_store() gives (None: the person chose to quit), until it is
    closed. A switch of server from the window (its sig_reopen) opens a window on the data chosen now and
    then closes the old one with its store; if the new data cannot be opened the old window stays. One
    event loop throughout: QtWebEngine cannot start again once the application has quit.
    backup_in_thread: open_window_store gives a file's store without its start-up backup, taken then in a
    thread while the window starts (services/backup.py StartBackup; the database's writes wait for it). If
    its check finds damage the quick check at open did not, the window goes and the start asks again as it
    does before a window: the damaged-database box (qt/startup.py)."""
    from PySide6.QtCore import QTimer

    from hazardmap.qt import startup

    alive: list = []   # (window, store)
    backups: dict = {}   # id(window) -> its start-up backup in its thread

    def start(opener=open_window_store, in_thread: bool = backup_in_thread) -> int | None:
        """Opens a window; None when it is showing, else the exit code (already told why)."""
        store = job = None
        try:
            from hazardmap.qt.main_window import MainWindow

            store = opener()
            if store is None:
                return 2
            if in_thread:
                job = startup.start_backup(store)   # None on a server (backed up there)
            window = MainWindow(store)
        except Exception as exc:
            startup.show_unexpected(exc)
            if job is not None:
                job.finish()
            if store is not None:
                store.close()
            return 1
        pair = (window, store)
        # Queued: the old window goes once the call that asked for the switch has returned.
        window.sig_reopen.connect(lambda: QTimer.singleShot(0, lambda: switch(pair)))
        alive.append(pair)
        if job is not None:
            backups[id(window)] = job
            startup.watch_start_backup(window, job, on_damage=lambda: QTimer.singleShot(0, lambda: damaged(pair)))
        window.show()
        return None

    def damaged(pair) -> None:
        if pair not in alive:
            return
        alive.remove(pair)
        quits = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)   # the loop goes on to the box (and a window on a restored backup)
        try:
            close(*pair)
            code = start(lambda: startup.open_store_for_window(backup_on_open=True), False)
        finally:
            app.setQuitOnLastWindowClosed(quits)
        if code is not None:
            app.exit(code)

    def switch(old) -> None:
        if start() is None:
            alive.remove(old)
            close(*old)

    def close(window, store) -> None:
        # Web views go before the application does, or Qt warns of an undeleted page.
        job = backups.pop(id(window), None)
        close_window(app, window)
        if job is not None:
            job.finish()   # the copy completed, never left half-written
        store.close()

    code = start()
    if code is not None:
        return code
    try:
        return app.exec()
    finally:
        for pair in alive:
            close(*pair)


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
