"""In the window the save dialog itself asks before replacing a file, so what the user confirmed there
is written (force) instead of being refused by the atomic writer; the window's own map page is
rebuilt over the previous one on every start."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QFileDialog, QMainWindow, QWidget  # noqa: E402


def test_patrol_export_replaces_the_file_the_save_dialog_confirmed(qtbot, store, tmp_path, monkeypatch):
    import hazardmap.qt.patrol as patrol_qt
    from PySide6.QtWidgets import QMessageBox

    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args: warnings.append(args[-1])))
    parent = QWidget()
    qtbot.addWidget(parent)
    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"the file the user chose to replace")
    message = patrol_qt.export_dialog(parent, store, path=str(out), mask=False)
    assert warnings == [] and message and "已导出" in message
    assert out.read_bytes().startswith(b"PK")


def test_pdf_save_replaces_the_file_the_save_dialog_confirmed(qtbot, store, tmp_path, monkeypatch):
    from hazardmap.qt import printing

    class StandIn(QMainWindow):
        def __init__(self):
            super().__init__()
            self.store = store
            self.menus = {key: self.menuBar().addMenu(title) for key, title in
                          (("file", "文件"), ("view", "视图"), ("print", "打印/导出"), ("help", "帮助"))}

        def current_point_seq(self):
            return 4

    window = StandIn()
    qtbot.addWidget(window)
    controller = printing.attach(window)
    target = tmp_path / "县域图.pdf"
    target.write_bytes(b"old")
    errors = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr(printing.QDesktopServices, "openUrl", staticmethod(lambda url: True))
    monkeypatch.setattr(controller, "_error", errors.append)
    product = next(p for p in printing.PRODUCTS if p.key == "county-a4")
    controller.save_pdf(product)
    assert errors == [] and target.read_bytes().startswith(b"%PDF")


def test_the_windows_own_map_page_is_rebuilt_over_the_last_one(qtbot, store):
    from hazardmap.qt.map_view import MapView

    view = MapView(store)
    qtbot.addWidget(view)
    view.load_map()
    view.load_map()  # the next start: the page is there already
    pages = list(store.home.rglob("map.html"))
    assert len(pages) == 1 and pages[0].stat().st_size > 1000


def test_the_pdf_being_printed_waits_in_the_data_folder_not_the_system_temp(qtbot, store, home, tmp_path,
                                                                             monkeypatch):
    import tempfile

    from hazardmap.qt.printing import PdfPages
    from hazardmap.reports.data import collect
    from hazardmap.reports.sheets import work_card_pdf

    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    pages = PdfPages(work_card_pdf(collect(store), 5))
    try:
        assert pages.page_count == 1
        assert list(system_temp.iterdir()) == []
        waiting = list((home / "print").iterdir())
        assert len(waiting) == 1 and waiting[0].stat().st_mode & 0o077 == 0
    finally:
        pages.close()
    assert list((home / "print").iterdir()) == []
