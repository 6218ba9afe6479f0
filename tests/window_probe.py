"""Helper process for the window layout tests (not a test): opens the main window on HAZARDMAP_HOME
on a 1600×1000 offscreen screen (tests/fixtures/office_screen.json), optionally rearranges it as a
user would, closes it (which saves the layout) and prints what it looked like as JSON."""
from __future__ import annotations

import json
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    from PySide6.QtWidgets import QApplication

    from hazardmap.qt.entry import close_window, wait_for_map
    from hazardmap.qt.main_window import MainWindow
    from hazardmap.services.store import open_store

    app = QApplication(sys.argv[:1])
    store = open_store()
    window = MainWindow(store)
    window.show()
    ready = wait_for_map(app, window)
    app.processEvents()
    seen = {"ready": ready, "screen": list(window.screen().availableGeometry().getRect()),
            "size": [window.width(), window.height()], "frame": list(window.frameGeometry().getRect()),
            "main": window.main_splitter.sizes(), "centre": window.centre_splitter.sizes(),
            "columns": [window.points_table.view.columnWidth(c) for c in range(8)]}
    if "--rearrange" in sys.argv:  # as a user would: a smaller window, wider table column, moved splitters
        window.resize(1200, 760)
        app.processEvents()
        window.main_splitter.setSizes([300, 600, 290])
        window.centre_splitter.setSizes([380, 300])
        window.points_table.view.setColumnWidth(3, 333)
        app.processEvents()
        seen["arranged"] = {"size": [window.width(), window.height()], "main": window.main_splitter.sizes(),
                            "centre": window.centre_splitter.sizes(),
                            "columns": [window.points_table.view.columnWidth(c) for c in range(8)]}
    close_window(app, window)
    store.close()
    print(json.dumps(seen))
