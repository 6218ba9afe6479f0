"""The 巡查记录 tab of the details panel: the selected point's entries, newest first; add, edit,
delete (to the 回收站), undo/redo, the 回收站 and the audit trail. Every action is a service call run
through the shell's operation road (one step of the window's undo); the table refreshes from the
change bus."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QMessageBox, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from hazardmap.domain.changes import Changes
from hazardmap.domain.patrol_text import entry_text, sign_tooltip
from hazardmap.domain.patrol_status import STATUS_COLOURS
from hazardmap.qt.buttons import for_editors, push_button
from hazardmap.qt.operations import undo_button
from hazardmap.qt.patrol.dialogs import AuditDialog, RecycleBinDialog
from hazardmap.qt.patrol.entry_dialog import PatrolEntryDialog
from hazardmap.qt.point_dialog import PointTab
from hazardmap.qt.shell import Shell
from hazardmap.qt.store_warnings import warning_banner
from hazardmap.services import patrol as svc
from hazardmap.services.points import get_point

PAGE = 500  # newest entries shown at once; a decade of daily patrols is 3,650 (bench: ~90 ms to list all)

COLUMNS = ("巡查时间", "判定", "巡查人", "天气", "降雨量(mm)", "宏观迹象", "裂缝读数(mm)", "较上次(mm)", "处置措施",
           "其他测量", "备注", "编号")


class PatrolTab(PointTab):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(shell, parent)
        store = self.store
        self.show_all = False
        layout = QVBoxLayout(self)
        banner = warning_banner(store, self)
        if banner:
            layout.addWidget(banner)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title, 1)
        self.more_button = QPushButton("显示全部", self)
        self.more_button.setVisible(False)
        self.more_button.clicked.connect(self._on_show_all)
        title_row.addWidget(self.more_button)
        layout.addLayout(title_row)

        bar = QHBoxLayout()
        self.add_button = QPushButton("新增(&N)", self)
        self.add_button.setShortcut(QKeySequence.New)
        self.edit_button = QPushButton("修改(&E)", self)
        self.delete_button = QPushButton("删除(&D)", self)
        self.add_button.clicked.connect(self.add_entry)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.undo_button = undo_button(shell, self)
        self.redo_button = undo_button(shell, self, redo=True)
        self.photo_button = push_button(self, "添加照片…", self.add_photos_to_selected)
        self.bin_button = push_button(self, "回收站…", self.open_recycle_bin)
        self.audit_button = push_button(self, "修改记录…", self.open_audit)
        self.refresh_button = QPushButton("刷新", self)
        self.refresh_button.setToolTip("重新读取数据库（另一台电脑或另一个窗口录入的记录）")
        self.refresh_button.clicked.connect(self.refresh)
        for w in (self.add_button, self.edit_button, self.delete_button, self.undo_button, self.redo_button,
                  self.photo_button):
            bar.addWidget(w)
        for_editors(shell.store, self.add_button, self.edit_button, self.delete_button, self.undo_button,
                    self.redo_button, self.photo_button)
        bar.addStretch(1)
        for w in (self.bin_button, self.audit_button, self.refresh_button):
            bar.addWidget(w)
        layout.addLayout(bar)

        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        layout.addWidget(self.table)
        store.bus.subscribe(self._on_changes)
        self.destroyed.connect(lambda *_: store.bus.unsubscribe(self._on_changes))
        self._update_buttons()

    # ---- showing -------------------------------------------------------------------------------
    def set_point(self, seq: int | None) -> None:
        self.point_seq = seq or None  # the shell's sig_point_selected sends 0 for "no point selected"
        self.show_all = False
        self.refresh()

    def _on_show_all(self) -> None:
        self.show_all = True
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if self.point_seq is not None and (self.point_seq in changes.patrol_points or self.point_seq in changes.points):
            self.refresh()

    def refresh(self) -> None:
        self.table.setRowCount(0)
        if self.point_seq is None:
            self._update_buttons()
            return
        p = get_point(self.store, self.point_seq)
        total = svc.count_entries(self.store, point=self.point_seq)
        self.entries = svc.list_entries(self.store, point=self.point_seq, limit=None if self.show_all else PAGE)
        shown = "" if len(self.entries) == total else f"，显示最近 {len(self.entries)} 条"
        self.title.setText(f"第 {p.seq} 号　{p.name}　群测群防员：{p.monitor}　共 {total} 条巡查记录{shown}")
        self.more_button.setVisible(len(self.entries) < total)
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            t = entry_text(e)  # the same text as the Excel 台账, the CLI and the printed form
            values = (t.at, t.judgement, t.by, t.weather, t.rain, t.signs, t.crack, t.crack_change, t.action,
                      t.others_line(), t.note_line(), t.id)
            for col, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.UserRole, e.id)
                if col == COLUMNS.index("判定"):
                    item.setForeground(QBrush(QColor(STATUS_COLOURS[e.judgement.value])))
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                if col == COLUMNS.index("宏观迹象") and e.signs:
                    item.setToolTip(sign_tooltip(e.signs))
                self.table.setItem(row, col, item)
        if self.entries:
            self.table.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has_point = self.point_seq is not None
        has_row = has_point and self.table.rowCount() > 0
        self.add_button.setEnabled(has_point)
        self.edit_button.setEnabled(has_row)
        self.delete_button.setEnabled(has_row)
        self.photo_button.setEnabled(has_row)

    def selected_entry_id(self) -> int | None:
        row = self.table.currentRow()
        if row < 0:
            return None
        return self.table.item(row, 0).data(Qt.UserRole)

    # ---- actions (each one a service call through the operation road, undoable) --------------
    def _run(self, op, title: str = "巡查记录"):
        return self.shell.run_operation(op, title=title, parent=self)

    def make_entry_dialog(self, entry=None) -> PatrolEntryDialog:
        p = get_point(self.store, self.point_seq)
        return PatrolEntryDialog(p.seq, p.name, p.monitor, entry=entry, parent=self)

    def add_entry(self) -> None:
        if self.point_seq is None:
            return
        dialog = self.make_entry_dialog()
        if dialog.exec():
            self.save_new(dialog.draft(), dialog.photos)

    def save_new(self, draft, photos=()) -> int | None:
        photos = tuple(photos)
        changes = self._run(lambda store: svc.record(store, draft, photos=photos), "新增巡查记录")
        return changes.entry_ids[0] if changes is not None else None

    def edit_selected(self) -> None:
        entry_id = self.selected_entry_id()
        if entry_id is None:
            return
        entry = svc.get_entry(self.store, entry_id)
        dialog = self.make_entry_dialog(entry)
        if dialog.exec():
            self.save_edit(entry_id, dialog.draft(), expect=entry.draft(), base_version=entry.version)

    def save_edit(self, entry_id: int, draft, *, expect=None, base_version: int | None = None) -> None:
        """expect: the content the dialog started from, base_version its version: if someone changed it
        meanwhile, the conflict dialog (theirs, mine; applying mine edits from the version now stored)."""
        def edit_from(version: int):
            return lambda store: svc.edit(store, entry_id, draft, base_version=version)
        self.shell.run_operation(
            lambda store: svc.edit(store, entry_id, draft, expect=expect, base_version=base_version),
            title="修改巡查记录", parent=self, from_version=edit_from if base_version is not None else None)

    def delete_selected(self, *, confirm: bool = True) -> None:
        entry_id = self.selected_entry_id()
        if entry_id is None:
            return
        if confirm and QMessageBox.question(
                self, "删除巡查记录", f"把巡查记录 {entry_id} 移入回收站？\n（可在回收站恢复，也可撤销）") != QMessageBox.Yes:
            return
        self._run(lambda store: svc.delete(store, entry_id), "删除巡查记录")

    def add_photos_to_selected(self, paths=None) -> None:
        entry_id = self.selected_entry_id()
        if entry_id is None:
            return
        if paths is None:
            from PySide6.QtWidgets import QFileDialog

            paths, _ = QFileDialog.getOpenFileNames(self, "选择照片", "", "照片 (*.jpg *.jpeg *.png *.heic *.bmp *.tif *.tiff)")
        if paths:
            paths = list(paths)
            self._run(lambda store: svc.add_photos(store, entry_id, paths), "添加照片")

    def open_recycle_bin(self) -> None:
        RecycleBinDialog(self.shell, self).exec()

    def open_audit(self) -> None:
        AuditDialog(self.store, point=self.point_seq, parent=self).exec()
