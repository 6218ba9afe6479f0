"""Patrol logs in the window: the 巡查记录 tab in the details panel, the 巡查情况 overview (a dock),
and file-menu actions for Excel export/import and backups. `attach(window)` is called by the shell
for every module in FEATURE_MODULES; the window provides details_tabs, sig_point_selected,
current_point_seq(), menus and store."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox, QWidget

from hazardmap.domain.errors import HazardmapError
from hazardmap.services import patrol_excel
from hazardmap.services.store import Store


def attach(window) -> None:
    from hazardmap.qt.patrol.overview import PatrolOverview
    from hazardmap.qt.patrol.patrol_tab import PatrolTab

    store: Store = window.store
    stack = QUndoStack(window)
    tab = PatrolTab(store, stack, window)
    window.details_tabs.addTab(tab, "巡查记录")
    window.sig_point_selected.connect(tab.set_point)
    seq = window.current_point_seq()
    if seq is not None:
        tab.set_point(seq)

    overview = PatrolOverview(store, window)
    dock = QDockWidget("巡查情况", window)
    dock.setObjectName("patrol_overview_dock")
    dock.setWidget(overview)
    window.addDockWidget(Qt.BottomDockWidgetArea, dock)
    overview.sig_point_activated.connect(lambda s: _select_point(window, tab, s))

    menus = getattr(window, "menus", {})
    if "view" in menus:
        menus["view"].addAction(dock.toggleViewAction())
    if "file" in menus:
        file_menu = menus["file"]
        for text, slot in (("导出巡查记录（Excel）…", lambda: export_dialog(window, store)),
                           ("导入巡查记录（Excel/CSV）…", lambda: import_dialog(window, store)),
                           ("备份与恢复…", lambda: backup_dialog(window, store, stack))):
            action = QAction(text, window)
            action.triggered.connect(slot)
            file_menu.addAction(action)
    window.patrol_tab, window.patrol_overview, window.patrol_undo_stack = tab, overview, stack


def _select_point(window, tab, seq: int) -> None:
    select = getattr(window, "select_point", None)
    if callable(select):  # the shell's window selects on the map too and emits sig_point_selected
        select(seq)
    else:
        window.sig_point_selected.emit(seq)
    i = window.details_tabs.indexOf(tab)
    if i >= 0:
        window.details_tabs.setCurrentIndex(i)


def export_dialog(parent: QWidget, store: Store, *, path: str | None = None, mask: bool | None = None) -> str | None:
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, "导出巡查记录", "巡查记录台账.xlsx",
                                              "Excel 工作簿 (*.xlsx);;CSV (*.csv)")
        if not path:
            return None
    if mask is None:
        mask = QMessageBox.question(parent, "导出巡查记录", "这份导出要发到局外吗？\n选“是”将隐去电话号码中间四位。"
                                    ) == QMessageBox.Yes
    from hazardmap.qt.patrol.background import run_in_background

    try:
        result = run_in_background(parent, store, "正在导出巡查记录…",
                                   # The save dialog has already asked about replacing an existing file.
                                   lambda own: patrol_excel.export_logs(own, path, mask_phones=mask, force=True))
    except HazardmapError as exc:
        QMessageBox.warning(parent, "导出巡查记录", str(exc))
        return None
    message = f"已导出 {result.entries} 条巡查记录到\n{result.path}" + ("\n（电话已脱敏）" if mask else "")
    if parent.isVisible():
        QMessageBox.information(parent, "导出巡查记录", message)
    return message


def import_dialog(parent: QWidget, store: Store, *, path: str | None = None, skip_bad: bool | None = None
                  ) -> str | None:
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "导入巡查记录", "", "Excel 或 CSV (*.xlsx *.csv)")
        if not path:
            return None
    from hazardmap.qt.patrol.background import run_in_background

    try:
        result = run_in_background(parent, store, "正在导入巡查记录…",
                                   lambda own: patrol_excel.import_logs(own, path, skip_bad=bool(skip_bad)))
    except patrol_excel.ImportRejected as exc:
        listing = "\n".join(str(b) for b in exc.bad[:30]) + ("\n……" if len(exc.bad) > 30 else "")
        if skip_bad is None:
            answer = QMessageBox.question(parent, "导入巡查记录",
                                          f"{exc}：\n\n{listing}\n\n跳过这些行，只导入其余的记录吗？")
            if answer == QMessageBox.Yes:
                return import_dialog(parent, store, path=path, skip_bad=True)
        return f"{exc}\n{listing}"
    except HazardmapError as exc:
        QMessageBox.warning(parent, "导入巡查记录", str(exc))
        return None
    store.announce(result.changes)  # the worker's store had its own bus: tell this window's widgets
    message = f"导入 {len(result.added)} 条巡查记录；重复未导入 {len(result.duplicates)} 条" + (
        f"；跳过有误的 {len(result.bad)} 行" if result.bad else "")
    if parent.isVisible():
        QMessageBox.information(parent, "导入巡查记录", message)
    return message


def backup_dialog(parent: QWidget, store: Store, stack: QUndoStack) -> None:
    from hazardmap.qt.patrol.dialogs import BackupDialog

    BackupDialog(store, stack, parent).exec()
