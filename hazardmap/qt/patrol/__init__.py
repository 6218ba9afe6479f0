"""Patrol logs in the window: the 巡查记录 tab in the details panel, the 巡查情况 overview (a dock),
and 文件 menu actions for Excel export/import and backups. `attach(shell)` wires them through the
Shell interface (hazardmap.qt.shell) and returns the PatrolFeature the window keeps."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMessageBox

from hazardmap.domain.errors import HazardmapError
from hazardmap.qt.buttons import for_editors, menu_action
from hazardmap.qt.patrol.overview import PatrolOverview
from hazardmap.qt.patrol.patrol_tab import PatrolTab
from hazardmap.qt.shell import MenuId, Section, Shell
from hazardmap.services import patrol_excel


@dataclass
class PatrolFeature:
    tab: PatrolTab
    overview: PatrolOverview
    dock: QDockWidget


def attach(shell: Shell) -> PatrolFeature:
    window = shell.widget()
    tab = PatrolTab(shell, window)
    shell.add_details_tab(tab, "巡查记录")
    shell.sig_point_selected.connect(tab.set_point)
    seq = shell.current_point_seq()
    if seq is not None:
        tab.set_point(seq)

    overview = PatrolOverview(shell, window)
    dock = QDockWidget("巡查情况", window)
    dock.setObjectName("patrol_overview_dock")  # named: the window remembers where the user put it
    dock.setWidget(overview)
    shell.add_dock(dock, Qt.DockWidgetArea.BottomDockWidgetArea)

    def show_point(seq: int) -> None:
        shell.select_point(seq)  # selects on the map and table too, and emits sig_point_selected
        shell.show_details_tab(tab)

    overview.sig_point_activated.connect(show_point)
    for text, section, slot in (("导出巡查记录（Excel）…", Section.DATA, lambda: export_dialog(shell)),
                                ("导入巡查记录（Excel/CSV）…", Section.DATA, lambda: import_dialog(shell)),
                                ("备份与恢复…", Section.BACKUP, lambda: backup_dialog(shell))):
        action = menu_action(window, text, slot)
        shell.add_action(MenuId.FILE, action, section)
        if text.startswith("导入"):
            for_editors(shell.store, action)
    return PatrolFeature(tab, overview, dock)


def export_dialog(shell: Shell, *, path: str | None = None, mask: bool | None = None) -> str | None:
    parent = shell.widget()
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, "导出巡查记录", "巡查记录台账.xlsx",
                                              "Excel 工作簿 (*.xlsx);;CSV (*.csv)")
        if not path:
            return None
    if mask is None:
        mask = QMessageBox.question(parent, "导出巡查记录", "这份导出要发到局外吗？\n选“是”将隐去电话号码中间四位。"
                                    ) == QMessageBox.Yes
    # Reads only (no Changes): the road runs it in its worker and shows errors, but records no undo step.
    # The save dialog has already asked about replacing an existing file (force).
    result = shell.run_operation(lambda store: patrol_excel.export_logs(store, path, mask_phones=mask, force=True),
                                 title="导出巡查记录", slow="正在导出巡查记录…")
    if result is None:
        return None
    message = f"已导出 {result.entries} 条巡查记录到\n{result.path}" + ("\n（电话已脱敏）" if mask else "")
    if parent.isVisible():
        QMessageBox.information(parent, "导出巡查记录", message)
    return message


def import_dialog(shell: Shell, *, path: str | None = None, skip_bad: bool | None = None) -> str | None:
    parent = shell.widget()
    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "导入巡查记录", "", "Excel 或 CSV (*.xlsx *.csv)")
        if not path:
            return None
    refused: list[HazardmapError] = []
    result = shell.run_operation(
        lambda store: patrol_excel.import_logs(store, path, skip_bad=bool(skip_bad)),
        title="导入巡查记录", slow="正在导入巡查记录…", on_refused=refused.append)
    if refused:
        exc = refused[0]
        if not isinstance(exc, patrol_excel.ImportRejected):
            QMessageBox.warning(parent, "导入巡查记录", str(exc))
            return None
        listing = "\n".join(str(b) for b in exc.bad[:30]) + ("\n……" if len(exc.bad) > 30 else "")
        if skip_bad is None:
            answer = QMessageBox.question(parent, "导入巡查记录",
                                          f"{exc}：\n\n{listing}\n\n跳过这些行，只导入其余的记录吗？")
            if answer == QMessageBox.Yes:
                return import_dialog(shell, path=path, skip_bad=True)
        return f"{exc}\n{listing}"
    if result is None:
        return None
    message = f"导入 {len(result.added)} 条巡查记录；重复未导入 {len(result.duplicates)} 条" + (
        f"；跳过有误的 {len(result.bad)} 行" if result.bad else "")
    if parent.isVisible():
        QMessageBox.information(parent, "导入巡查记录", message)
    return message


def backup_dialog(shell: Shell) -> None:
    from hazardmap.qt.patrol.dialogs import BackupDialog

    BackupDialog(shell, shell.widget()).exec()
