"""Small patrol windows: the 回收站, the audit trail, the patrol-interval settings, backups."""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView,
                               QLabel, QMessageBox, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hazardmap.domain.changes import Changes
from hazardmap.qt.buttons import for_editors, push_button
from hazardmap.qt.shell import Shell
from hazardmap.services import backup as backup_service
from hazardmap.services import patrol as svc
from hazardmap.services.store import Store


def _table(parent: QWidget, headers) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectRows)
    t.setSelectionMode(QAbstractItemView.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows, key_of=None) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            item = QTableWidgetItem("" if v is None else str(v))
            if key_of:
                item.setData(Qt.UserRole, key_of(r))
            table.setItem(r, c, item)


class RecycleBinDialog(QDialog):
    """Deleted entries of all points; 恢复 puts one back (undoable like any other edit)."""

    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shell, self.store = shell, shell.store
        self.setWindowTitle("回收站（已删除的巡查记录）")
        self.resize(820, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("删除的巡查记录保存在这里，不会丢失；选中后点“恢复”。", self))
        self.table = _table(self, ("编号", "隐患点", "巡查时间", "巡查人", "判定", "删除人", "删除时间"))
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.restore_button = push_button(self, "恢复(&R)", self.restore_selected)
        row.addWidget(self.restore_button)
        for_editors(self.shell.store, self.restore_button)
        row.addStretch(1)
        close = push_button(self, "关闭", self.accept)
        row.addWidget(close)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.entries = svc.list_entries(self.store, binned=True)
        _fill(self.table, [(e.id, e.point_seq, e.at, e.by, e.judgement.value, e.deleted_by,
                            (e.deleted_at or "").replace("T", " ")[:19])
                           for e in self.entries], key_of=lambda r: self.entries[r].id)
        self.restore_button.setEnabled(bool(self.entries))
        if self.entries:
            self.table.selectRow(0)

    def restore_selected(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        entry_id = self.entries[row].id
        self.shell.run_operation(lambda store: svc.restore(store, entry_id), title="恢复巡查记录", parent=self)
        self.refresh()


class AuditDialog(QDialog):
    """修改记录: who changed what and when (oldest first)."""

    def __init__(self, store: Store, *, entry_id: int | None = None, point: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        scope = f"巡查记录 {entry_id}" if entry_id else (f"第 {point} 号隐患点" if point else "全部巡查记录")
        self.setWindowTitle(f"修改记录 — {scope}")
        self.resize(900, 420)
        layout = QVBoxLayout(self)
        self.table = _table(self, ("操作时间", "操作人", "记录编号", "操作", "内容"))
        self.rows = svc.audit_trail(store, entry_id, point=point)
        _fill(self.table, [(r.changed_at.replace("T", " ")[:19], r.changed_by, r.entry_id, r.action_label,
                            svc.describe_audit(r)) for r in self.rows])
        layout.addWidget(self.table)
        close = QDialogButtonBox(QDialogButtonBox.Close, self)
        close.button(QDialogButtonBox.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout.addWidget(close)


class IntervalsDialog(QDialog):
    """Patrol intervals for the overdue rule; says plainly which values are still shipped defaults."""

    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shell = shell
        self.store = store = shell.store
        self.setWindowTitle("巡查间隔设置")
        layout = QVBoxLayout(self)
        iv = svc.get_intervals(store)
        form = QFormLayout()
        self.flood_spin, self.other_spin = QSpinBox(self), QSpinBox(self)
        for spin, value in ((self.flood_spin, iv.flood_days), (self.other_spin, iv.other_days)):
            spin.setRange(1, 365)
            spin.setSuffix(" 天")
            spin.setValue(value)
        self.flood_note, self.other_note = QLabel(self), QLabel(self)
        for note, is_default in ((self.flood_note, iv.flood_is_default), (self.other_note, iv.other_is_default)):
            note.setText("出厂默认值，非本局规定" if is_default else "本局设定")
            note.setStyleSheet("color: #b26a00;" if is_default else "color: #2e7d32;")
        r1, r2 = QHBoxLayout(), QHBoxLayout()
        r1.addWidget(self.flood_spin)
        r1.addWidget(self.flood_note)
        r2.addWidget(self.other_spin)
        r2.addWidget(self.other_note)
        form.addRow("汛期（4～9月）", r1)
        form.addRow("其他月份", r2)
        layout.addLayout(form)
        hint = QLabel("超过间隔未巡查的隐患点在“巡查情况”中标为超期。出厂默认值未见衡南县或湖南省的公开规定，"
                      "请按本局要求设定。", self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel | QDialogButtonBox.RestoreDefaults,
                                   self)
        buttons.button(QDialogButtonBox.Save).setText("保存")
        buttons.button(QDialogButtonBox.Cancel).setText("取消")
        buttons.button(QDialogButtonBox.RestoreDefaults).setText("恢复出厂默认值")
        buttons.button(QDialogButtonBox.RestoreDefaults).clicked.connect(self.restore_defaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        iv = svc.get_intervals(self.store)
        flood, other = self.flood_spin.value(), self.other_spin.value()
        # Only values the user changed stop being defaults.
        flood_days = flood if flood != iv.flood_days or not iv.flood_is_default else None
        other_days = other if other != iv.other_days or not iv.other_is_default else None
        if self.shell.run_operation(lambda store: svc.set_intervals(store, flood_days=flood_days,
                                                                    other_days=other_days),
                                    title="巡查间隔设置", parent=self) is not None:
            super().accept()

    def restore_defaults(self) -> None:
        if self.shell.run_operation(svc.reset_intervals, title="巡查间隔设置", parent=self) is not None:
            super().accept()


class BackupDialog(QDialog):
    """备份与恢复: the automatic start-up backups and restoring one (the current data is kept first)."""

    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shell, self.store = shell, shell.store
        store = shell.store
        self.setWindowTitle("备份与恢复")
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"备份文件夹：{backup_service.backup_dir(store.home)}\n"
                                f"每次打开程序自动备份，保留最近 {backup_service.KEEP_AUTOMATIC} 份。", self))
        self.table = _table(self, ("备份名", "类型", "时间", "大小"))
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.backup_button = push_button(self, "立即备份", self.backup_now)
        self.restore_button = push_button(self, "从所选备份恢复…", self.restore_selected)
        row.addWidget(self.backup_button)
        row.addWidget(self.restore_button)
        for_editors(self.shell.store, self.backup_button, self.restore_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        self.backups = backup_service.list_backups(self.store.home)
        _fill(self.table, [(b.name, b.kind, b.created.strftime("%Y-%m-%d %H:%M:%S"), b.size_label) for b in self.backups])
        self.restore_button.setEnabled(bool(self.backups))

    def backup_now(self) -> None:
        self.shell.run_operation(backup_service.make_backup, title="立即备份", slow="正在备份…", parent=self)
        self.refresh()

    def restore_selected(self, *, confirm: bool = True) -> None:
        row = self.table.currentRow()
        if row < 0:
            return
        name = self.backups[row].name
        if confirm and QMessageBox.question(
                self, "从备份恢复", f"用备份 {name} 替换当前数据？\n当前数据会先另存为一份“恢复前”备份。") != QMessageBox.Yes:
            return
        # Every step on the undo stack names data the restore replaces: the stack is emptied.
        restored = self.shell.run_operation(lambda store: _Restored(*backup_service.restore_backup(store, name)),
                                            title="从备份恢复", slow="正在从备份恢复…", parent=self,
                                            resets_undo=True)
        self.refresh()
        if restored is not None and confirm:
            QMessageBox.information(self, "从备份恢复", f"已恢复。恢复前的数据已另存为 {restored.kept.name}")


class _Restored(NamedTuple):
    kept: Path
    changes: Changes
