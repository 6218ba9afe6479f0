"""文件 → 导入年度重点隐患点名单…: choose the county's table, see what it would change (新增 / 有变化 /
无变化 / 不在新名单, and rows to confirm or correct), answer near matches, then 确认导入. Nothing is
written before that button; the import is one step on the window's undo stack."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.key_lists import CHANGE_FIELDS, DROPPED_TITLE, GROUP_TITLES, ListPreview, RowOutcome, View, \
    ViewKind
from hazardmap.qt.buttons import for_editors, push_button
from hazardmap.qt.shell import DialogFeature, Shell, ShellDialog
from hazardmap.services import key_lists as svc
from hazardmap.services.points import list_points

COLUMNS = ["行", "序号", "乡镇", "村组/地点", "监测人", "联系电话", "说明"]
BAD_TITLE = "有误（须改正后再导入）"
ERROR_COLOUR = "#c0392b"


def _default_name(year: int) -> str:
    return f"{year}年度重点地质灾害隐患点"


class KeyListImportDialog(ShellDialog):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(shell, "导入年度重点隐患点名单", (900, 600), parent)
        self.list_file: svc.ListFile | None = None
        self.preview: ListPreview | None = None
        self.choices: dict[int, int] = {}
        self.imported = False

        form = QFormLayout()
        file_row = QHBoxLayout()
        self.path_edit = QLineEdit(self)
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("县里下发的名单表（.xlsx 或 .csv）")
        choose = push_button(self, "选择文件…", self._choose_file)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(choose)
        form.addRow("名单文件：", file_row)
        newest = svc.newest_list(self.store)
        self.year = QSpinBox(self)
        self.year.setRange(svc.YEAR_MIN, svc.YEAR_MAX)
        self.year.setValue(newest.year + 1 if newest else date.today().year)
        self.name = QLineEdit(_default_name(self.year.value()), self)
        self.doc = QLineEdit(self)
        self.doc.setPlaceholderText("例如 清政办函〔2025〕1号 附件1（可不填）")
        self.year.valueChanged.connect(self._year_changed)
        form.addRow("年度：", self.year)
        form.addRow("名单名称：", self.name)
        form.addRow("文号：", self.doc)

        self.summary = QLabel("请选择名单文件。", self)
        self.summary.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)

        buttons = QHBoxLayout()
        self.preview_button = push_button(self, "重新预览", self.refresh_preview)
        self.confirm_button = QPushButton("确认导入", self)
        self.confirm_button.setEnabled(False)
        self.confirm_button.clicked.connect(self.confirm)
        cancel = push_button(self, "取消", self.reject)
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.error_label)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

    # --- input -----------------------------------------------------------------------------------
    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择名单文件", str(Path.home()), "表格 (*.xlsx *.csv)")
        if path:
            self.load(path)

    def _year_changed(self, year: int) -> None:
        if self.name.text().strip() in ("", _default_name(year - 1), _default_name(year + 1)):
            self.name.setText(_default_name(year))
        self.refresh_preview()

    def load(self, path: str | Path) -> None:
        """Read the file (nothing is written) and show its preview, or why it cannot be read."""
        self.path_edit.setText(str(path))
        self.choices = {}
        try:
            self.list_file = svc.read_list(path)
        except HazardmapError as exc:
            self.list_file = None
            self._show_error(str(exc))
            return
        self.refresh_preview()

    def refresh_preview(self) -> None:
        if self.list_file is None:
            return
        try:
            self.preview = svc.preview_list(self.store, self.list_file, year=self.year.value(),
                                            name=self.name.text(), doc_no=self.doc.text(), choices=self.choices)
        except HazardmapError as exc:
            self._show_error(str(exc))
            return
        self.error_label.clear()
        self._fill(self.preview)

    def _show_error(self, text: str) -> None:
        self.preview = None
        self.tree.clear()
        self.error_label.setText(text)
        self.summary.setText("未导入任何内容。")
        self.confirm_button.setEnabled(False)

    # --- the preview -------------------------------------------------------------------------------
    def _fill(self, p: ListPreview) -> None:
        names = {pt.seq: pt.name for pt in list_points(self.store)}
        self.tree.clear()
        self.groups: dict[str, QTreeWidgetItem] = {}
        for outcome in (RowOutcome.NEAR, RowOutcome.NEW, RowOutcome.CHANGED, RowOutcome.UNCHANGED):
            group = p.group(outcome)
            if not group and outcome is RowOutcome.NEAR:
                continue
            top = self._group(GROUP_TITLES[outcome], len(group), "处" if outcome is not RowOutcome.NEAR else "行")
            for m in group:
                r = m.row
                if outcome is RowOutcome.NEW:
                    note = "新增到台账（在册）"
                elif outcome is RowOutcome.NEAR:
                    note = "与已有隐患点相近，请选择："
                else:
                    note = f"第 {m.point_seq} 号" + ("：" + "；".join(
                        f"{CHANGE_FIELDS[f]} {old or '（空）'} → {new or '（空）'}" for f, old, new in m.changes)
                        if m.changes else "")
                item = QTreeWidgetItem(top, [str(r.line), "" if r.row_no is None else str(r.row_no), r.township,
                                             r.place, r.monitor, r.phone, note])
                if outcome is RowOutcome.NEAR:
                    self.tree.setItemWidget(item, len(COLUMNS) - 1, self._near_choice(m, names))
        dropped = self._group(DROPPED_TITLE, len(p.dropped), "处")
        for seq in p.dropped:
            QTreeWidgetItem(dropped, ["", "", "", names.get(seq, ""), "", "", f"第 {seq} 号：仍在册，只是不在本年名单"])
        if p.bad:
            bad = self._group(BAD_TITLE, len(p.bad), "行")
            for b in p.bad:
                item = QTreeWidgetItem(bad, [str(b.line), "", "", b.text, "", "", b.reason])
                item.setForeground(len(COLUMNS) - 1, QBrush(QColor(ERROR_COLOUR)))
        self.tree.expandAll()
        for outcome in (RowOutcome.UNCHANGED,):
            top = self.groups.get(GROUP_TITLES[outcome])
            if top is not None:
                top.setExpanded(False)   # usually most rows: folded, its count is in the title
        note = "" if p.becomes_current else f"（{p.year}年早于已有的最新名单：只记录名单，不改动各点现在的监测人）"
        self.summary.setText(p.summary() + note)
        self.confirm_button.setEnabled(p.ready)

    def _group(self, title: str, n: int, unit: str) -> QTreeWidgetItem:
        top = QTreeWidgetItem(self.tree, [f"{title}（{n} {unit}）"])
        top.setFirstColumnSpanned(True)
        self.groups[title] = top
        return top

    def _near_choice(self, m, names: dict[int, str]) -> QComboBox:
        box = QComboBox(self.tree)
        box.addItem("请选择…", None)
        for seq in m.candidates:
            box.addItem(f"是第 {seq} 号 {names.get(seq, '')}", seq)
        box.addItem("不是，作为新增", svc.NEW)
        box.activated.connect(lambda i, line=m.row.line, b=box: self.choose(line, b.itemData(i)))
        return box

    def choose(self, line: int, seq: int | None) -> None:
        """Answer a near match: the row is point `seq`, or a new point (svc.NEW)."""
        if seq is None:
            self.choices.pop(line, None)
        else:
            self.choices[line] = seq
        self.refresh_preview()

    # --- confirming --------------------------------------------------------------------------------
    def confirm(self) -> bool:
        p, lf = self.preview, self.list_file
        if p is None or lf is None or not p.ready:
            return False
        year, name, doc, choices = self.year.value(), self.name.text(), self.doc.text(), dict(self.choices)
        result = self.shell.run_operation(
            lambda store: svc.import_list(store, lf, year=year, name=name, doc_no=doc, choices=choices,
                                          expect=p)[1],
            title="导入年度重点隐患点名单", parent=self, on_refused=lambda exc: self._show_error(str(exc)))
        if result is None:
            return False
        self.imported = True
        if p.becomes_current:
            self.shell.set_view(View(ViewKind.KEY_LIST, year))
        self.accept()
        return True


def attach(shell: Shell) -> DialogFeature:
    feature = DialogFeature(shell, KeyListImportDialog, "导入年度重点隐患点名单…")
    for_editors(shell.store, feature.action)
    return feature
