"""What a start leaves for later still arrives: the 雨情预警 dock says 加载中… until it is filled once the
window is up, a large register's grid is read once the map is ready; and what a start never loads (folium,
pandas, reportlab) stays out until something needs it. No timings here: bench/bench_startup.py measures."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import QSettings  # noqa: E402

from hazardmap.services import map_window  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402
from tests.test_shell_window import wait_until  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_the_rain_dock_fills_after_the_window_is_shown(qapp, store):
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import MainWindow

    window = MainWindow(store)
    try:
        rain = window.features["rain"]
        assert rain.summary.text() == "加载中…"          # built, not yet filled: said so, not left blank
        window.resize(1400, 900)
        window.show()
        wait_until(lambda: window.map_view.ready)
        wait_until(lambda: rain.summary.text() != "加载中…")
        assert "无雨量预警" in rain.summary.text()
        assert rain.note.text().startswith("阈值：")
    finally:
        close_window(qapp, window)


def test_a_refresh_asked_before_the_first_fill_is_not_undone(qtbot, store, double):
    from hazardmap.qt import rain_panel

    panel = rain_panel.attach(double)
    panel.set_time("2024-06-01 10:30")             # fills now
    text = panel.summary.text()
    assert "2024-06-01 10:30" in text
    qtbot.wait(50)                                  # the deferred first fill has had its turn
    assert panel.summary.text() == text


def test_a_large_registers_grid_is_read_once_the_map_is_ready(qapp, tmp_path, monkeypatch):
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import SETTINGS_FILE, MainWindow

    monkeypatch.setattr(map_window, "VIEW_QUERY_ABOVE", 3)   # the county's points count as a large register
    store = open_store(tmp_path / "home")
    settings = QSettings(str(store.home / SETTINGS_FILE), QSettings.Format.IniFormat)
    settings.setValue("view/points", "在册")
    settings.sync()
    window = MainWindow(store)
    try:
        assert window.map_view.large and window.map_view.grid is None
        window.resize(1400, 900)
        window.show()
        assert window.map_view.wait_for_grid(20_000)   # waits through the page's load, then the read
        assert window.map_view.ready
    finally:
        close_window(qapp, window)
        store.close()


def test_the_window_starts_without_folium_pandas_or_reportlab():
    code = ("import sys\nimport hazardmap.qt.main_window, hazardmap.qt.entry, hazardmap.services.store\n"
            "print(json.dumps(sorted(m for m in ('folium', 'branca', 'pandas', 'reportlab', 'pyproj', 'openpyxl',"
            " 'geopandas', 'matplotlib', 'pyogrio') if m in sys.modules)))")
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_damage_the_threaded_backup_finds_closes_the_window_and_is_said_as_at_any_start(home, qapp, monkeypatch):
    """The start-up backup is taken while the window starts; when SQLite's full check of the copy finds the
    database damaged (the quick check at open did not), the window goes and the start asks again: the
    damaged-database box, as when the backup was taken before the window; 退出 ends the program."""
    from PySide6.QtWidgets import QApplication
    from shiboken6 import isValid

    from hazardmap.qt import entry, main_window, startup
    from hazardmap.storage import backups as files
    from hazardmap.storage.db import Database

    open_store(home).close()
    monkeypatch.setattr(files, "check_file", lambda *a, **k: files.FileCheck(False, "测试：副本检查未通过"))
    monkeypatch.setattr(Database, "integrity", lambda self: "*** in database main ***\nPage 7: 测试损坏")
    windows, boxes = [], []
    real_show = main_window.MainWindow.show

    def show(window):
        real_show(window)
        windows.append(window)

    def box(b):
        boxes.append((b.windowTitle(), b.text(), [isValid(w) and w.isVisible() for w in windows]))
        return next(x for x in b.buttons() if x.objectName() == "quit")

    exits = []

    def exec_(*_):   # the event loop, without ending it for real: QtWebEngine ends with the first real end
        wait_until(lambda: exits)
        return exits[-1]

    monkeypatch.setattr(main_window.MainWindow, "show", show)
    monkeypatch.setattr(startup, "show_box", box)
    monkeypatch.setattr(QApplication, "exec", exec_)
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    assert entry.run_windows(qapp, lambda: startup.open_store_for_window(backup_on_open=False),
                             backup_in_thread=True) == 2
    assert len(windows) == 1                              # the window was up, then went before the box
    assert [(t, shown) for t, _, shown in boxes] == [("数据库已损坏", [False])]
    assert "没有对它做任何写入" in boxes[0][1]
