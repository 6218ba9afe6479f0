"""Window commands: gui (and later screenshot, selftest)."""
from __future__ import annotations

import argparse
import sys

from hazardmap.qt.env import prepare_qt_environment


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
    store = open_store(backup_on_open=args.command == "gui")  # the start-up backup (issue 4)
    window = MainWindow(store)
    if args.command == "screenshot":
        window.resize(args.width, args.height)
        window.show()
        app.processEvents()
        ok = window.grab().save(args.out)
        window.close()
        store.close()
        return 0 if ok else 1
    window.show()
    code = app.exec()
    store.close()
    return code
