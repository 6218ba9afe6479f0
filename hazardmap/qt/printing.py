"""The 打印/导出 menu: print preview and direct printing of every product, PDF export, and a batch export of
all points' sheets in a worker thread. Rendering is hazardmap.reports (the CLI's code); this module only
asks the user, shows progress (in the operation road's worker) and puts the PDF pages onto a QPrinter."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QMarginsF, QObject, QRectF, QSize, QSizeF, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QPageLayout, QPageSize, QPaintEngine, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (QCheckBox, QDialog, QFileDialog, QGroupBox, QInputDialog, QLabel,
                               QListWidget, QListWidgetItem, QMessageBox, QVBoxLayout)

from hazardmap.domain.errors import HazardmapError
from hazardmap.qt.buttons import menu_action, ok_button, ok_cancel
from hazardmap.qt.operations import Feedback, run_in_worker
from hazardmap.qt.shell import MenuId, Section, Shell
from hazardmap.reports.data import ReportData, collect
from hazardmap.reports.output import check_pdf_target, write_atomic



def _sheets():
    """reportlab and the map drawing (pyproj, shapely) load when something is printed, not at start."""
    from hazardmap.reports import sheets

    return sheets


def _maps():
    from hazardmap.reports import maps

    return maps


MAX_PRINT_DPI = 600  # a 1200 dpi A4 page would be a 550 MB image; 600 dpi prints sharp and fits in memory
PREVIEW_DPI = 150


@dataclass(frozen=True)
class Product:
    key: str
    title: str
    per_point: bool
    render: Callable[[ReportData, int | None], bytes]
    with_history: bool = False


PRODUCTS: list[Product] = [
    Product("work-card", "防灾工作明白卡", True, lambda d, seq: _sheets().work_card_pdf(d, seq)),
    Product("household-card", "防灾避险明白卡（一户三联）", True, lambda d, seq: _sheets().household_card_pdf(d, seq, 1)),
    Product("patrol-form", "巡查记录表（本月，含近期记录）", True,
            lambda d, seq: _sheets().patrol_form_pdf(d, seq, with_history=True), with_history=True),
    Product("plan-table", "隐患点防灾预案表", True, lambda d, seq: _sheets().plan_table_pdf(d, seq)),
    Product("county-a4", "县域隐患点分布图（A4 横向）", False, lambda d, _: _maps().county_map_pdf(d, "A4", "landscape")),
    Product("county-a3", "县域隐患点分布图（A3 横向）", False, lambda d, _: _maps().county_map_pdf(d, "A3", "landscape")),
    Product("atlas", "乡镇（街道）隐患点图集（A4 横向）", False, lambda d, _: _maps().atlas_pdf(d)),
]


def _print_folder() -> str | None:
    """The PDF being printed holds names and phones: it waits in the private data folder, not in the
    system temp folder where a crash would leave it for anyone (the system temp if that fails)."""
    from hazardmap.paths import PRIVATE_DIR_MODE, user_home

    folder = user_home() / "print"
    try:
        folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    except OSError:
        return None
    return str(folder)


class PdfPages:
    """A rendered PDF opened with QtPdf, for painting its pages onto any QPrinter."""

    def __init__(self, pdf: bytes) -> None:
        # QPdfDocument loads a file synchronously (a QIODevice loads asynchronously).
        self._tmp = tempfile.NamedTemporaryFile(prefix="hazardmap-print-", suffix=".pdf", delete=False,
                                                dir=_print_folder())
        self._tmp.write(pdf)
        self._tmp.close()
        self.doc = QPdfDocument()
        err = self.doc.load(self._tmp.name)
        if err != QPdfDocument.Error.None_:
            raise HazardmapError(f"无法打开生成的 PDF（{err}）")

    @property
    def page_count(self) -> int:
        return self.doc.pageCount()

    def page_size_pt(self, index: int) -> QSizeF:
        return self.doc.pagePointSize(index)

    def configure(self, printer: QPrinter) -> None:
        """Paper and orientation from the PDF itself; the PDF carries its own margins."""
        size = self.page_size_pt(0)
        w, h = size.width(), size.height()
        portrait = QSizeF(min(w, h), max(w, h))
        layout = QPageLayout(QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch),
                             QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait,
                             QMarginsF(0, 0, 0, 0))
        printer.setPageLayout(layout)
        printer.setFullPage(True)

    def paint(self, printer: QPrinter) -> int:
        """Render each page at the printer's resolution (capped) and draw it to fill the page. Returns pages."""
        painter = QPainter()
        if not painter.begin(printer):
            raise HazardmapError("打印机无法开始打印（请检查打印机设置）")
        try:
            dpi = min(printer.resolution(), MAX_PRINT_DPI)
            if painter.paintEngine().type() == QPaintEngine.Type.Picture:
                # The preview records every page image in memory: screen sharpness is enough there
                # (the dialog's own print button paints again, at the printer's resolution).
                dpi = min(dpi, PREVIEW_DPI)
            for i in range(self.page_count):
                if i:
                    printer.newPage()
                size = self.page_size_pt(i)
                px = QSize(max(1, round(size.width() / 72 * dpi)), max(1, round(size.height() / 72 * dpi)))
                image = self.doc.render(i, px)
                painter.drawImage(QRectF(painter.viewport()), image)  # full page: the viewport is the paper
        finally:
            painter.end()
        return self.page_count

    def close(self) -> None:
        self.doc.close()
        Path(self._tmp.name).unlink(missing_ok=True)


class PrintController(QObject):
    def __init__(self, shell: Shell) -> None:
        window = shell.widget()
        super().__init__(window)
        self.shell = shell
        self.window = window  # the parent of this feature's dialogs
        self.open_folder_when_done = True
        self.last_error = ""

    # --- data and choice of point ---
    def snapshot(self, with_history: bool = False) -> ReportData:
        # The points the window shows (its view chooser): batch printing and the atlas follow it.
        return collect(self.shell.store, with_history=with_history, view=self.shell.current_view())

    def choose_point(self) -> int | None:
        seq = self.shell.current_point_seq()
        if seq is not None:
            return seq
        points = [p.seq for p in self.snapshot().points]
        seq, ok = QInputDialog.getInt(self.window, "选择隐患点", "隐患点序号：", points[0], min(points), max(points))
        return seq if ok else None

    def render(self, product: Product, seq: int | None = None) -> bytes | None:
        if product.per_point and seq is None:
            seq = self.choose_point()
            if seq is None:
                return None
        try:
            return product.render(self.snapshot(product.with_history), seq)
        except HazardmapError as exc:
            self._error(str(exc))
            return None

    # --- preview, print, save ---
    def preview(self, product: Product, seq: int | None = None, *, exec_dialog: bool = True):
        pdf = self.render(product, seq)
        if pdf is None:
            return None
        pages = PdfPages(pdf)
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        pages.configure(printer)
        dialog = QPrintPreviewDialog(printer, self.window)
        # The dialog only points at the printer: keep it (and the pages) alive as long as the dialog.
        dialog.hazardmap_printer = printer
        dialog.hazardmap_pages = pages
        dialog.setWindowTitle(f"打印预览 - {product.title}")
        dialog.paintRequested.connect(lambda p: self._paint(pages, p))
        dialog.finished.connect(lambda *_: pages.close())
        if exec_dialog:
            dialog.exec()
        return dialog

    def print_direct(self, product: Product, seq: int | None = None) -> None:
        pdf = self.render(product, seq)
        if pdf is None:
            return
        pages = PdfPages(pdf)
        try:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            pages.configure(printer)
            dialog = QPrintDialog(printer, self.window)
            dialog.setWindowTitle(f"打印 - {product.title}")
            if dialog.exec() == QPrintDialog.DialogCode.Accepted:
                self._paint(pages, printer)
        finally:
            pages.close()

    def print_to(self, printer: QPrinter, product: Product, seq: int | None = None) -> int:
        """Paint a product onto a given printer (tests, and any caller with its own printer set up)."""
        pdf = self.render(product, seq)
        if pdf is None:
            return 0
        pages = PdfPages(pdf)
        try:
            pages.configure(printer)
            return pages.paint(printer)
        finally:
            pages.close()

    def _paint(self, pages: PdfPages, printer: QPrinter) -> None:
        try:
            pages.paint(printer)
        except HazardmapError as exc:
            self._error(str(exc))

    def save_pdf(self, product: Product) -> None:
        seq = self.choose_point() if product.per_point else None
        if product.per_point and seq is None:
            return
        name = f"{product.title}.pdf" if seq is None else f"{seq:02d}_{product.title}.pdf"
        path, _ = QFileDialog.getSaveFileName(self.window, f"导出 PDF - {product.title}", str(Path.home() / name),
                                              "PDF 文件 (*.pdf)")
        if not path:
            return
        try:
            # The save dialog has already asked about replacing an existing file.
            target = check_pdf_target(Path(path), force=True)
            pdf = self.render(product, seq)
            if pdf is not None:
                write_atomic(target, pdf, force=True)
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
        except HazardmapError as exc:
            self._error(str(exc))

    # --- batch export ---
    def ask_batch_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.window, "选择导出文件夹（全部隐患点的明白卡和巡查记录表）",
                                                  str(Path.home()))
        if folder:
            self.export_to(Path(folder), self.snapshot(with_history=True))

    def ask_township_export(self) -> None:
        """A rainfall warning for some townships: their points' sheets, printed within the hour."""
        data = self.snapshot(with_history=True)
        dialog = TownshipExportDialog(data, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        folder = QFileDialog.getExistingDirectory(self.window, "选择导出文件夹", str(Path.home()))
        if folder:
            self.export_to(Path(folder), data, dialog.selected_seqs(), dialog.selected_kinds())

    def export_to(self, folder: Path, data: ReportData, seqs: list[int] | None = None,
                  kinds: list | None = None, **options) -> list[Path] | None:
        """Ask before replacing files already in the folder, then export in the worker (options: those of
        start_batch_export, e.g. mask_phones, title)."""
        sheets = _sheets()
        plan = sheets.plan_sheets(data, folder, seqs, kinds or list(sheets.SHEET_KINDS.values()))
        existing = [p for _, _, p in plan if p.exists()]
        if existing:
            answer = QMessageBox.question(self.window, "文件已存在",
                                          f"该文件夹中已有 {len(existing)} 个同名文件，是否覆盖？")
            if answer != QMessageBox.StandardButton.Yes:
                return None
        return self.start_batch_export(folder, force=bool(existing), data=data, seqs=seqs, kinds=kinds, **options)

    def start_batch_export(self, folder: Path, *, force: bool = False, data: ReportData | None = None,
                           seqs: list[int] | None = None, kinds: list | None = None, mask_phones: bool = False,
                           title: str = "正在导出全部隐患点的表格…") -> list[Path] | None:
        """Write the sheets in the worker of the operation road (hazardmap.qt.operations), behind a
        progress dialog with 取消; returns the written paths, or None (refused or cancelled: last_error)."""
        data = data or self.snapshot(with_history=True)  # read on the UI thread: the DB connection lives here
        sheets = _sheets()
        self.last_error = ""
        written: list[Path] = []

        def progress(feedback: Feedback, done: int, total: int, path: Path) -> None:
            written.append(path)
            feedback.progress(done, total, f"已导出 {done}/{total}：{path.name}")

        def job(_store, feedback: Feedback) -> list[Path]:
            return sheets.export_sheets(data, folder, seqs=seqs, kinds=kinds, force=force, with_history=True,
                                        mask_phones=mask_phones, progress=lambda *args: progress(feedback, *args),
                                        should_stop=feedback.should_stop)

        try:
            paths = run_in_worker(self.window, self.shell.store, title, job)
        except sheets.Cancelled:
            self.last_error = f"已取消：已写出的 {len(written)} 个文件完整可用，其余未导出"
            return None
        except HazardmapError as exc:
            self._error(str(exc))
            return None
        if self.open_folder_when_done:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        return paths

    def _error(self, message: str) -> None:
        self.last_error = message
        if self.window.isVisible():
            QMessageBox.warning(self.window, "打印/导出", message)


class TownshipExportDialog(QDialog):
    """Choose townships (only those with key points) and which sheets to export for their points."""

    def __init__(self, data: ReportData, parent=None) -> None:
        super().__init__(parent)
        self.data = data
        self.setWindowTitle("按乡镇导出明白卡和巡查记录表")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("勾选乡镇（街道），如收到预警的区域：", self))
        self.townships = QListWidget(self)
        for name in data.townships_with_points():
            count = len(data.seqs_in_townships([name]))
            item = QListWidgetItem(f"{name}（{count} 处）", self.townships)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        layout.addWidget(self.townships, 1)
        box = QGroupBox("导出哪些表格", self)
        box_layout = QVBoxLayout(box)
        self.kind_boxes: dict[str, QCheckBox] = {}
        for key, kind in _sheets().SHEET_KINDS.items():
            check = QCheckBox(kind.title, box)
            check.setChecked(True)
            box_layout.addWidget(check)
            self.kind_boxes[key] = check
        layout.addWidget(box)
        self.summary = QLabel(self)
        layout.addWidget(self.summary)
        self.buttons = ok_cancel(self, "选择文件夹并导出…")
        layout.addWidget(self.buttons)
        self.townships.itemChanged.connect(self._update)
        for check in self.kind_boxes.values():
            check.toggled.connect(self._update)
        self._update()

    def selected_townships(self) -> list[str]:
        items = (self.townships.item(i) for i in range(self.townships.count()))
        return [it.data(Qt.ItemDataRole.UserRole) for it in items if it.checkState() == Qt.CheckState.Checked]

    def selected_seqs(self) -> list[int]:
        return self.data.seqs_in_townships(self.selected_townships())

    def selected_kinds(self) -> list:
        return [_sheets().SHEET_KINDS[key] for key, check in self.kind_boxes.items() if check.isChecked()]

    def _update(self) -> None:
        seqs, kinds = self.selected_seqs(), self.selected_kinds()
        self.summary.setText(f"将导出 {len(seqs)} 处隐患点 × {len(kinds)} 种表格 = {len(seqs) * len(kinds)} 个 PDF")
        ok_button(self.buttons).setEnabled(bool(seqs and kinds))


def attach(shell: Shell) -> PrintController:
    """Adds print preview, direct printing and PDF export of each product, and the batch exports, to
    the 打印/导出 menu; returns the controller."""
    controller = PrintController(shell)
    for product in PRODUCTS:
        sub = shell.add_menu(MenuId.PRINT, product.title, Section.PRODUCTS)
        for text, slot in (("打印预览…", controller.preview), ("打印…", controller.print_direct),
                           ("导出 PDF…", controller.save_pdf)):
            action = menu_action(sub, text, lambda _=False, s=slot, p=product: s(p))
            sub.addAction(action)
    batch = menu_action(controller, "批量导出全部隐患点的明白卡和巡查记录表…",
                        lambda _=False: controller.ask_batch_export())
    shell.add_action(MenuId.PRINT, batch, Section.BATCH)
    by_township = menu_action(controller, "按乡镇导出（如预警区域）…",
                              lambda _=False: controller.ask_township_export())
    shell.add_action(MenuId.PRINT, by_township, Section.BATCH)
    return controller
