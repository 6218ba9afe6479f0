"""The window's size and layout: most of the screen the first time, then as the user left it
(geometry, splitters, the points table's columns, in ui.ini of the data folder); no column cuts its text."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from hazardmap.domain.patrol import PatrolDraft  # noqa: E402
from hazardmap.domain.patrol_status import Judgement  # noqa: E402
from hazardmap.services import patrol  # noqa: E402
from tests.conftest import ROOT  # noqa: E402


@pytest.fixture
def open_window(qapp, store):
    from hazardmap.qt.entry import close_window, wait_for_map
    from hazardmap.qt.main_window import MainWindow

    opened = []

    def open_():
        window = MainWindow(store)
        opened.append(window)
        window.show()
        assert wait_for_map(qapp, window)   # never tear the web view down mid-load
        return window

    yield open_
    for window in opened:
        close_window(qapp, window)


def probe(home, *args) -> dict:
    """Open and close the window in its own process (a restart), on a 1600×1000 screen."""
    env = dict(os.environ, HAZARDMAP_HOME=str(home), PYTHONPATH=str(ROOT),
               QT_QPA_PLATFORM=f"offscreen:configfile={ROOT / 'tests' / 'fixtures' / 'office_screen.json'}")
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "window_probe.py"), *args], env=env,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_first_start_fills_most_of_the_available_screen_then_the_layout_is_remembered(home):
    first = probe(home, "--rearrange")
    assert first["ready"] and first["screen"] == [0, 0, 1600, 1000]
    width, height = first["size"]
    assert width > 0.75 * 1600 and height > 0.75 * 1000           # not Qt's small default (936×666)
    x, y, fw, fh = first["frame"]
    assert x >= 0 and y >= 0 and x + fw <= 1600 and y + fh <= 1000  # all of it on the screen
    arranged = first["arranged"]
    assert arranged["size"] == [1200, 760] and arranged["columns"][3] == 333

    again = probe(home)                                            # the next start, same data folder
    assert again["size"] == arranged["size"]
    assert again["main"] == arranged["main"] and again["centre"] == arranged["centre"]
    assert again["columns"] == arranged["columns"]

    other = probe(home.parent / "another_home")                    # another data folder: its own layout
    assert other["size"] == first["size"]


def test_points_table_columns_show_their_whole_text(open_window, store):
    from hazardmap.qt.points_table import COLUMNS

    patrol.record(store, PatrolDraft(1, "2026-05-03 08:30", "测试员", Judgement.NORMAL))
    window = open_window()
    table = window.points_table.view
    header = table.horizontalHeader()
    for col in range(len(COLUMNS)):
        needed = max(table.sizeHintForColumn(col), header.sectionSizeHint(col))
        assert table.columnWidth(col) >= needed, COLUMNS[col]
    row = window.points_table.model.row_of(1)
    assert window.points_table.model.index(row, 7).data() == "正常 2026-05-03 08:30"
