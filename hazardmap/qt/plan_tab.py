"""The 预案 tab of the details panel: the selected point's 隐患点防灾预案表 as a form. What the point
itself records (place, type, threatened objects, monitor) is shown read-only; the rest is typed here,
checked as it is typed (invisible characters, length, one line where the paper has one line), and saved
through the operation road as one undo step. Printing is the 打印/导出 menu's (防灾预案表)."""
from __future__ import annotations

from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QScrollArea,
                               QVBoxLayout, QWidget)

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.plan import PLAN_FIELDS, check_plan_field
from hazardmap.qt.buttons import error_label, for_editors, push_button
from hazardmap.qt.operations import undo_button
from hazardmap.qt.point_dialog import NO_POINT, PointTab
from hazardmap.qt.shell import Shell, run_in_form
from hazardmap.services import plan as svc
from hazardmap.services.points import get_point

BAD = "border:1px solid #c62828"


class PlanTab(PointTab):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(shell, parent)
        store = self.store
        self.saved: dict[str, str] = {}
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setStyleSheet("color:#444")
        self.editors: dict[str, QLineEdit | QPlainTextEdit] = {}
        form_host = QWidget(self)
        form = QFormLayout(form_host)
        for f in PLAN_FIELDS:
            if f.long:
                editor = QPlainTextEdit(form_host)
                editor.setFixedHeight(54)
                editor.textChanged.connect(self.check)
            else:
                editor = QLineEdit(form_host)
                editor.textEdited.connect(self.check)
            editor.setPlaceholderText("未填写：打印时留空行")
            editor.setObjectName(f.key)
            self.editors[f.key] = editor
            form.addRow(f.label, editor)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        self.error = error_label(self)
        self.save_button = push_button(self, "保存预案(&S)", self.save)
        self.revert_button = push_button(self, "放弃修改", self.load)
        for_editors(shell.store, self.save_button, self.revert_button)
        self.undo_button = undo_button(shell, self)
        bar = QHBoxLayout()
        for w in (self.save_button, self.revert_button, self.undo_button):
            bar.addWidget(w)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addLayout(bar)
        store.bus.subscribe(self._on_changes)
        self.destroyed.connect(lambda *_: store.bus.unsubscribe(self._on_changes))
        self.load()

    # ---- showing -------------------------------------------------------------------------------
    def set_point(self, seq: int | None) -> None:
        seq = seq or None   # the shell sends 0 for "no point selected"
        if seq == self.point_seq:
            return
        if self.dirty() and self.point_seq is not None:
            answer = QMessageBox.question(self, "防灾预案表", f"第 {self.point_seq} 号点的预案表有未保存的修改，保存吗？",
                                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard)
            if answer == QMessageBox.StandardButton.Save:
                self.save()
        self.point_seq = seq
        self.load()

    def _on_changes(self, changes: Changes) -> None:
        # Someone else's save (or an undo) reloads the form, but never over what is being typed.
        if self.point_seq in changes.points and not self.dirty():
            self.load()

    def load(self) -> None:
        seq = self.point_seq
        enabled = seq is not None
        for editor in self.editors.values():
            editor.setEnabled(enabled)
        if seq is None:
            self.title.setText(NO_POINT)
            self.facts.setText("")
            self.saved = {f.key: "" for f in PLAN_FIELDS}
            self.saved_version = None
        else:
            p = get_point(self.store, seq)
            plan = svc.get_plan(self.store, seq)
            self.saved = dict(plan.values)
            self.saved_version = plan.version  # a save from another desk since is refused (EditConflict)
            who = f"（最后由 {plan.changed_by} 于 {plan.changed_at[:10]} 修改）" if plan.changed_by else "（尚未填写）"
            self.title.setText(f"第 {seq} 号 {p.township}{p.village_group} 防灾预案表{who}")
            facts = [f"类型：{p.hazard_type or '未记载'}", f"威胁对象：{p.threatened or '未记载'}",
                     f"监测人：{p.monitor or '未记载'} {p.phone}".rstrip()]
            self.facts.setText("；".join(facts) + "。这些取自隐患点本身，在“详情”中修改。")
        for key, editor in self.editors.items():
            text = self.saved.get(key, "")
            if isinstance(editor, QPlainTextEdit):
                editor.blockSignals(True)
                editor.setPlainText(text)
                editor.blockSignals(False)
            else:
                editor.setText(text)
        self.check()

    # ---- editing -------------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        return {k: e.toPlainText() if isinstance(e, QPlainTextEdit) else e.text() for k, e in self.editors.items()}

    def dirty(self) -> bool:
        return any(v.strip() != self.saved.get(k, "") for k, v in self.values().items())

    def check(self, *_args) -> bool:
        """As the user types: each wrong field framed in red, the first reason shown, 保存 greyed."""
        problems = []
        for key, text in self.values().items():
            try:
                check_plan_field(key, text)
                self.editors[key].setStyleSheet("")
            except HazardmapError as exc:
                self.editors[key].setStyleSheet(BAD)
                problems.append(str(exc))
        self.error.setText(problems[0] if problems else "")
        ok = not problems
        self.save_button.setEnabled(ok and self.point_seq is not None and self.dirty())
        self.revert_button.setEnabled(self.point_seq is not None and self.dirty())
        return ok

    def save(self) -> bool:
        if self.point_seq is None or not self.check():
            return False
        # Only the fields typed here: a field another desk filled meanwhile is not set back by "apply mine".
        seq = self.point_seq
        values = {k: v for k, v in self.values().items() if v.strip() != self.saved.get(k, "")}

        def save_from(version: int):
            return lambda store: svc.save_plan(store, seq, values, base_version=version)
        if not run_in_form(self.shell, self, save_from(self.saved_version), "防灾预案表", from_version=save_from):
            return False
        self.load()
        return True


def attach(shell: Shell) -> PlanTab:
    tab = PlanTab(shell, shell.widget())
    shell.add_details_tab(tab, "预案")
    shell.sig_point_selected.connect(tab.set_point)
    seq = shell.current_point_seq()
    if seq is not None:
        tab.set_point(seq)
    return tab
