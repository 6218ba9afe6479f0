"""In the window the save dialog itself asks before replacing a file, so what the user confirmed there
is written (force) instead of being refused by the atomic writer; the window's own map page is
rebuilt over the previous one on every start."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QFileDialog  # noqa: E402


@pytest.fixture
def double(double):
    double.select_point(4)
    return double


def test_patrol_export_replaces_the_file_the_save_dialog_confirmed(double, tmp_path):
    import hazardmap.qt.patrol as patrol_qt

    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"the file the user chose to replace")
    message = patrol_qt.export_dialog(double, path=str(out), mask=False)
    assert double.runner.last_error == "" and message and "已导出" in message
    assert out.read_bytes().startswith(b"PK")


def test_pdf_save_replaces_the_file_the_save_dialog_confirmed(double, tmp_path, monkeypatch):
    from hazardmap.qt import printing

    controller = printing.attach(double)
    target = tmp_path / "县域图.pdf"
    target.write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr(printing.QDesktopServices, "openUrl", staticmethod(lambda url: True))
    product = next(p for p in printing.PRODUCTS if p.key == "county-a4")
    controller.save_pdf(product)
    assert controller.last_error == "" and target.read_bytes().startswith(b"%PDF")


def test_the_windows_own_map_page_is_rebuilt_over_the_last_one(qtbot, store):
    from hazardmap.qt.map_view import MapView

    from PySide6.QtCore import QCoreApplication, QEvent

    view = MapView(store)
    try:
        view.load_map()
        view.load_map()  # the next start: the page is there already
    finally:  # a web view is deleted before the application ends, or Qt warns of an undeleted page
        view.close()
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
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
