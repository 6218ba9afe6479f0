"""The 打印/导出 menu against the test double of the Shell interface (tests/shell_double.py)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

pytest.importorskip("PySide6.QtPdf")
pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")


@pytest.fixture
def window(double):
    double.select_point(4)
    return double


@pytest.fixture
def controller(window):
    from hazardmap.qt import printing

    c = printing.attach(window)
    c.open_folder_when_done = False
    return c


def pdfinfo(path) -> str:
    return subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(path)], capture_output=True, text=True).stdout


def test_menu_offers_preview_print_and_pdf_for_each_product(window, controller):
    from hazardmap.qt.printing import PRODUCTS

    menu = window.menus["print"]
    subs = {a.text(): a.menu() for a in menu.actions() if a.menu()}
    assert list(subs) == [p.title for p in PRODUCTS]
    for sub in subs.values():
        assert [a.text() for a in sub.actions()] == ["打印预览…", "打印…", "导出 PDF…"]
    assert any(a.text().startswith("批量导出全部隐患点") for a in menu.actions())


@pytest.mark.parametrize("key,pages,size", [
    ("work-card", 1, "595 x 842"), ("household-card", 3, "595 x 842"),
    ("county-a3", 1, "1191 x 842")])  # Qt rounds to whole points
def test_printing_puts_every_pdf_page_on_the_printer(controller, tmp_path, key, pages, size):
    from PySide6.QtPrintSupport import QPrinter

    from hazardmap.qt.printing import PRODUCTS

    product = next(p for p in PRODUCTS if p.key == key)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setResolution(150)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    assert controller.print_to(printer, product) == pages
    info = pdfinfo(out)
    assert f"Pages:           {pages}" in info
    assert re.search(rf"Page\s+1 size:\s+{re.escape(size)}", info), info


def test_preview_paints_the_current_point(qtbot, window, controller, monkeypatch):
    from hazardmap.qt.printing import PRODUCTS, PdfPages

    painted = []
    real_paint = PdfPages.paint

    def recording_paint(self, printer):
        painted.append(real_paint(self, printer))
        return painted[-1]

    monkeypatch.setattr(PdfPages, "paint", recording_paint)
    dialog = controller.preview(PRODUCTS[0], exec_dialog=False)
    assert "防灾工作明白卡" in dialog.windowTitle()
    dialog.show()
    qtbot.waitUntil(lambda: bool(painted), timeout=10_000)
    assert painted[0] == 1
    assert controller.last_error == ""
    dialog.close()


def test_batch_export_writes_all_sheets_in_a_worker(qtbot, controller, tmp_path):
    paths = controller.start_batch_export(tmp_path)
    assert len(paths) == 64
    assert len(list(tmp_path.glob("*.pdf"))) == 64
    assert controller.last_error == ""


def test_batch_export_cancel_stops_and_leaves_only_whole_files(qtbot, controller, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    def press_cancel_once_a_file_is_written():
        dialogs = controller.window.findChildren(QProgressDialog)
        if dialogs and list(tmp_path.glob("*.pdf")):
            dialogs[0].findChild(QPushButton).click()  # the dialog's 取消 button, as a user would
        else:
            QTimer.singleShot(10, press_cancel_once_a_file_is_written)

    QTimer.singleShot(0, press_cancel_once_a_file_is_written)
    assert controller.start_batch_export(tmp_path) is None
    written = int(controller.last_error.split("已写出的 ")[1].split(" ")[0])
    assert 0 < written < 64
    assert len(list(tmp_path.glob("*.pdf"))) == written
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".part"]
    assert "已取消" in controller.last_error


def test_batch_export_refuses_existing_files_without_consent(qtbot, controller, tmp_path):
    (tmp_path / "01_宝盖镇高山村20组_防灾工作明白卡.pdf").write_bytes(b"old")
    assert controller.start_batch_export(tmp_path, force=False) is None
    assert "已存在" in controller.last_error
    assert (tmp_path / "01_宝盖镇高山村20组_防灾工作明白卡.pdf").read_bytes() == b"old"


def test_township_export_dialog_selects_the_warned_townships_points(qtbot, controller):
    from PySide6.QtCore import Qt

    from hazardmap.qt.printing import TownshipExportDialog

    data = controller.snapshot()
    dialog = TownshipExportDialog(data, controller.window)
    qtbot.addWidget(dialog)
    names = [dialog.townships.item(i).data(Qt.ItemDataRole.UserRole) for i in range(dialog.townships.count())]
    assert names == data.townships_with_points() and "松江镇" in names and "茶市镇" not in names
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing chosen yet
    for i, name in enumerate(names):
        if name in ("松江镇", "江口镇"):
            dialog.townships.item(i).setCheckState(Qt.CheckState.Checked)
    assert sorted(dialog.selected_seqs()) == [6, 7, 11, 12]
    dialog.kind_boxes["household-card"].setChecked(False)
    dialog.kind_boxes["plan-table"].setChecked(False)
    assert [k.key for k in dialog.selected_kinds()] == ["work-card", "patrol-form"]
    assert "4 处隐患点 × 2 种表格 = 8 个 PDF" in dialog.summary.text() and ok.isEnabled()


def test_batch_export_of_chosen_points_and_kinds_writes_only_those(qtbot, controller, tmp_path):
    from hazardmap.reports import sheets

    paths = controller.start_batch_export(tmp_path, seqs=[11, 12], kinds=[sheets.WORK_CARD, sheets.PATROL_FORM])
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert len(paths) == 4 and len(names) == 4
    assert all(n.startswith(("11_", "12_")) for n in names)
    assert not any("防灾避险明白卡" in n for n in names)
