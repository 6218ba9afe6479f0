"""The register in the window: 新增隐患点… / 编辑… / 核销… / 恢复 in the 编辑 menu and the points
table's context menu. The point dialog checks as the user types (the rules of domain.points and the
gazetteer the service checks against) and shows the grades the numbers give; the retire dialog asks
for date, reason and 文号. Each save is one step of the window's undo road (shell.run_operation)."""
from __future__ import annotations

from html import escape

from PySide6.QtCore import QDate, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QFormLayout, QGridLayout, QGroupBox, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QMenu, QVBoxLayout, QWidget)

from hazardmap.domain.errors import DuplicateCode, EditConflict, FieldInvalid, HazardmapError
from hazardmap.domain.grading import danger_grade, scale_grade, scale_note
from hazardmap.domain.points import HazardKind, HazardPoint, PointView, check_point_fields
from hazardmap.qt.buttons import error_label, for_editors, ok_button, ok_cancel
from hazardmap.qt.shell import MenuId, Section, Shell
from hazardmap.services import points as point_service
from hazardmap.services import register

ERROR_STYLE = "border: 1px solid #c62828;"


class PointDialog(QDialog):
    """Add a point (seq None) or edit one. `values()` is what the user typed, keyed like POINT_FIELDS;
    `problem()` the first thing wrong with it in Chinese ('' when it can be saved)."""

    def __init__(self, shell: Shell, seq: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shell, self.seq = shell, seq
        store = shell.store
        self.point: HazardPoint | None = point_service.get_point(store, seq) if seq else None
        p = self.point
        self.setWindowTitle(f"编辑隐患点：{seq}号 {p.name}" if p else "新增隐患点")

        def line(text: str = "", placeholder: str = "") -> QLineEdit:
            w = QLineEdit(text, self)
            w.setPlaceholderText(placeholder)
            w.textChanged.connect(self._on_edited)
            return w

        def number(value) -> str:
            return "" if value is None else f"{value:g}"

        self.unified_code = line(p.unified_code if p else "", "可不填，不可重复")
        self.field_code = line(p.field_code if p else "")
        self.given_name = line(p.given_name if p else "", "不填则为乡镇+村组")
        self.kind = QComboBox(self)
        self.kind.addItem("（未填）", None)
        for k in HazardKind:
            self.kind.addItem(k.value, k.value)
        if p and p.kind:
            self.kind.setCurrentIndex(self.kind.findData(p.kind.value))
        self.volume_m3 = line(number(p.volume_m3) if p else "", "立方米")
        self.scale_label = QLabel(self)
        self.township = QComboBox(self)
        self.township.addItem("（请选择）", "")
        for name in register.township_names(store):
            self.township.addItem(name, name)
        self.village_code = QComboBox(self)
        self.place = line(p.place if p else "", "如“新屋组”")
        self.village_group = QLabel(self)  # the 村组 text the point gets, as it will be saved
        self.village_group.setStyleSheet("color:#555")
        self.threatened = line(p.threatened if p else "", "原文，如“胡九斤等4户”")
        self.households = line(number(p.households) if p else "", "户")
        self.people = line(number(p.people) if p else "", "人")
        self.property_wan = line(number(p.property_wan) if p else "", "万元")
        self.danger_label = QLabel(self)
        self.monitor = line(p.monitor if p else "")
        self.phone = line(p.phone if p else "", "11位手机号，或 0734-1234567")
        self.error = error_label(self)

        if p:
            self.township.setCurrentIndex(max(0, self.township.findData(p.township)))
        self._fill_villages(p.village_code if p else "")
        self.township.currentIndexChanged.connect(lambda _i: (self._fill_villages(""), self._on_edited()))
        self.village_code.currentIndexChanged.connect(self._on_edited)
        self.kind.currentIndexChanged.connect(self._on_edited)

        self.widgets: dict[str, QWidget] = {
            "unified_code": self.unified_code, "field_code": self.field_code, "given_name": self.given_name,
            "kind": self.kind, "volume_m3": self.volume_m3, "township": self.township,
            "village_code": self.village_code, "place": self.place, "threatened": self.threatened,
            "households": self.households, "people": self.people, "property_wan": self.property_wan,
            "monitor": self.monitor, "phone": self.phone,
        }

        where = QGroupBox("位置与名称", self)
        f1 = QFormLayout(where)
        f1.addRow("乡镇（街道）(&T)", self.township)
        f1.addRow("村(&V)", self.village_code)
        f1.addRow("组/地点(&G)", self.place)
        f1.addRow("村组", self.village_group)
        f1.addRow("名称", self.given_name)
        codes = QHBoxLayout()
        codes.addWidget(self.unified_code, 1)
        codes.addWidget(QLabel("野外编号", self))
        codes.addWidget(self.field_code, 1)
        f1.addRow("统一编号", codes)
        hazard = QGroupBox("灾害与威胁", self)
        g = QGridLayout(hazard)
        # Each row: (label, field, columns the field spans); text fields span the width.
        rows = [[("灾害类型", self.kind, 1), ("体积（m³）", self.volume_m3, 1)],
                [("规模等级", self.scale_label, 3)],
                [("威胁对象", self.threatened, 3)],
                [("威胁户数", self.households, 1), ("威胁人数", self.people, 1)],
                [("威胁财产（万元）", self.property_wan, 1)],
                [("险情等级", self.danger_label, 3)]]
        for r, cells in enumerate(rows):
            for c, (label, field, span) in enumerate(cells):
                g.addWidget(QLabel(label, self), r, 2 * c)
                g.addWidget(field, r, 2 * c + 1, 1, span)
        watch = QGroupBox("监测人", self)
        f3 = QFormLayout(watch)
        f3.addRow("姓名", self.monitor)
        f3.addRow("电话", self.phone)

        self.buttons = ok_cancel(self, "保存" if p else "新增", on_ok=self._on_save)
        self.save_button = ok_button(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(where)
        layout.addWidget(hazard)
        layout.addWidget(watch)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        (self.township if p is None else self.given_name).setFocus()
        self._on_edited()

    def _fill_villages(self, code: str) -> None:
        self.village_code.blockSignals(True)
        self.village_code.clear()
        self.village_code.addItem("（不选）", "")
        for vcode, name in register.villages_of(self.shell.store, self.township.currentData() or ""):
            self.village_code.addItem(name, vcode)
        self.village_code.setCurrentIndex(max(0, self.village_code.findData(code)))
        self.village_code.blockSignals(False)

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {k: w.text() for k, w in self.widgets.items() if isinstance(w, QLineEdit)}
        out["kind"] = self.kind.currentData() or ""
        out["township"] = self.township.currentData() or ""
        out["village_code"] = self.village_code.currentData() or ""
        return out

    def _checked(self) -> dict[str, object]:
        """values() through the domain's checks; raises the first FieldInvalid."""
        checked = check_point_fields(self.values())
        if not checked["township"]:
            raise FieldInvalid("township", "请选择隐患点所在的乡镇（街道）")
        owner = register.seq_with_code(self.shell.store, str(checked["unified_code"]))
        if owner is not None and owner != self.seq:
            raise DuplicateCode(str(checked["unified_code"]), owner)
        if not (checked["village_code"] or checked["place"] or checked["given_name"]):
            raise FieldInvalid("village_code", "请至少填写村、组/地点或名称中的一项，以便认出这个隐患点")
        return checked

    def problem(self) -> str:
        try:
            self._checked()
        except HazardmapError as exc:
            return str(exc)
        return ""

    def _on_edited(self, *args) -> None:
        for w in self.widgets.values():
            w.setStyleSheet("")
        try:
            checked = self._checked()
            problem, bad = "", None
        except FieldInvalid as exc:
            checked, problem, bad = None, str(exc), exc.field
        except HazardmapError as exc:
            checked, problem, bad = None, str(exc), None
        if bad in self.widgets:
            self.widgets[bad].setStyleSheet(ERROR_STYLE)
        self.error.setText(problem)
        self.save_button.setEnabled(not problem and (self.point is None or bool(self._edits(checked))))
        self._show_grades()
        self.village_group.setText(self._village_group())

    def _village_group(self) -> str:
        """The 村组 text the point will have (as services.register composes it)."""
        code, place, p = self.village_code.currentData() or "", self.place.text().strip(), self.point
        if p and code == p.village_code and place == p.place:
            return p.village_group  # untouched: the county's wording stays
        return (self.village_code.currentText() if code else "") + place

    def _show_grades(self) -> None:
        def num(w: QLineEdit):
            try:
                return float(w.text().strip().replace(",", "")) if w.text().strip() else None
            except ValueError:
                return None

        kind = HazardKind(self.kind.currentData()) if self.kind.currentData() else None
        volume = num(self.volume_m3)
        grade = scale_grade(kind, volume)
        self.scale_label.setText(f"<b>{grade.value}</b>" if grade else
                                 f"<span style='color:#888'>—（{escape(scale_note(kind, volume))}）</span>")
        people, loss = num(self.people), num(self.property_wan)
        danger = danger_grade(int(people) if people is not None else None, loss)
        basis = "、".join(x for x in (f"{people:g} 人" if people is not None else "",
                                      f"{loss:g} 万元" if loss is not None else "") if x)
        self.danger_label.setText(f"<b>{danger.value}</b>（按 {escape(basis)}，国家分级标准）" if danger else
                                  "<span style='color:#888'>—（填威胁人数或财产后自动分级）</span>")

    def _edits(self, checked: dict[str, object] | None) -> dict[str, object]:
        if checked is None:
            return {}
        if self.point is None:
            return checked
        return register.changed_fields(self.point, checked)

    def _on_refused(self, exc: HazardmapError) -> None:
        self.error.setText(str(exc))
        field = getattr(exc, "field", None)
        if field in self.widgets:
            self.widgets[field].setStyleSheet(ERROR_STYLE)

    def _on_save(self) -> None:
        try:
            edits = self._edits(self._checked())
        except HazardmapError as exc:
            self._on_refused(exc)
            return
        seq = self.seq

        def refused(exc: HazardmapError) -> None:
            if isinstance(exc, EditConflict):
                self.reject()  # the user kept theirs: nothing of this dialog's is saved
            else:
                self._on_refused(exc)
        if seq is None:
            changes = self.shell.run_operation(lambda store: register.add_point(store, edits), title="无法保存",
                                               parent=self, on_refused=refused)
        else:
            # Made from the version this dialog showed: a save from another desk since is a conflict.
            def edit_from(version: int):
                return lambda store: register.edit_point(store, seq, edits, base_version=version)
            changes = self.shell.run_operation(edit_from(self.point.version), title="无法保存", parent=self,
                                               on_refused=refused, from_version=edit_from)
        if changes is not None:
            self.saved = changes
            self.accept()
            if seq is None and changes.points:
                self.shell.select_point(next(iter(changes.points)))


class RetireDialog(QDialog):
    """核销: date (today by default), reason (required), document number."""

    def __init__(self, shell: Shell, seq: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shell, self.seq = shell, seq
        p = point_service.get_point(shell.store, seq)
        self.setWindowTitle(f"核销隐患点：{seq}号 {p.name}")
        self.date = QDateEdit(QDate.currentDate(), self)
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("必填，如“已完成工程治理，隐患消除”")
        self.doc_no = QLineEdit(self)
        self.doc_no.setPlaceholderText("如“衡南自然资〔2024〕8号”")
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow("隐患点", QLabel(f"<b>{seq}号 {escape(p.name)}</b>", self))
        form.addRow("核销日期(&D)", self.date)
        form.addRow("核销原因(&R)", self.reason)
        form.addRow("核销文号(&N)", self.doc_no)
        note = QLabel("核销后该点保留全部记录，默认不再显示在表格和地图上，可随时恢复。", self)
        note.setStyleSheet("color:#555")
        note.setWordWrap(True)
        self.buttons = ok_cancel(self, "核销", on_ok=self._on_save)
        self.save_button = ok_button(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(self._on_edited)
        self.setMinimumWidth(460)
        self.reason.setFocus()
        self._on_edited()

    def _on_edited(self, *args) -> None:
        missing = not self.reason.text().strip()
        self.error.setText("请写明核销原因" if missing else "")
        self.save_button.setEnabled(not missing)

    def _on_save(self) -> None:
        seq, date = self.seq, self.date.date().toString("yyyy-MM-dd")
        reason, doc_no = self.reason.text(), self.doc_no.text()
        changes = self.shell.run_operation(
            lambda store: register.retire_point(store, seq, date=date, reason=reason, doc_no=doc_no),
            title="无法核销", parent=self, on_refused=lambda exc: self.error.setText(str(exc)))
        if changes is not None:
            self.accept()


class RegisterFeature(QObject):
    def __init__(self, shell: Shell) -> None:
        QObject.__init__(self, shell.widget())
        self.shell = shell
        window = shell.widget()
        self.add_action = QAction("新增隐患点…", window)
        self.edit_action = QAction("编辑隐患点…", window)
        self.retire_action = QAction("核销隐患点…", window)
        self.restore_action = QAction("恢复已核销的隐患点…", window)
        self.add_action.triggered.connect(lambda: self.open_add())
        self.edit_action.triggered.connect(lambda: self._with_point(self.open_edit))
        self.retire_action.triggered.connect(lambda: self._with_point(self.open_retire))
        self.restore_action.triggered.connect(lambda: self.choose_restore())
        for action in (self.add_action, self.edit_action, self.retire_action, self.restore_action):
            shell.add_action(MenuId.EDIT, action, Section.POINTS)
        for_editors(shell.store, self.add_action, self.edit_action, self.retire_action, self.restore_action)
        shell.sig_point_selected.connect(self._on_selected)
        shell.sig_point_menu.connect(self.fill_menu)
        self.dialog: QDialog | None = None
        self._on_selected(shell.current_point_seq() or 0)

    def _on_selected(self, seq: int) -> None:
        self.edit_action.setEnabled(bool(seq))
        self.retire_action.setEnabled(bool(seq))

    def _with_point(self, open_dialog) -> None:
        seq = self.shell.current_point_seq()
        if seq:
            open_dialog(seq)

    def fill_menu(self, menu: QMenu, seq: int) -> None:
        """The points table's context menu: add always; edit and retire (or restore) for a row."""
        if self.shell.store.read_only:
            return
        menu.addAction("新增隐患点…").triggered.connect(lambda: self.open_add())
        if not seq:
            return
        menu.addAction("编辑…").triggered.connect(lambda: self.open_edit(seq))
        if point_service.get_point(self.shell.store, seq).retired:
            menu.addAction("恢复").triggered.connect(lambda: self.restore(seq))
        else:
            menu.addAction("核销…").triggered.connect(lambda: self.open_retire(seq))

    def _show(self, dialog: QDialog) -> QDialog:
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = dialog
        dialog.show()
        return dialog

    def open_add(self) -> PointDialog:
        return self._show(PointDialog(self.shell, None, self.shell.widget()))

    def open_edit(self, seq: int) -> PointDialog:
        return self._show(PointDialog(self.shell, seq, self.shell.widget()))

    def open_retire(self, seq: int) -> RetireDialog:
        return self._show(RetireDialog(self.shell, seq, self.shell.widget()))

    def restore(self, seq: int):
        return self.shell.run_operation(lambda store: register.restore_point(store, seq), title="无法恢复")

    def choose_restore(self) -> None:
        retired = register.points_in_view(self.shell.store, PointView.RETIRED)
        if not retired:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(self.shell.widget(), "恢复隐患点", "没有已核销的隐患点。")
            return
        items = [f"{p.seq}号 {p.name}（{p.retired_on} 核销：{p.retire_reason}）" for p in retired]
        chosen, ok = QInputDialog.getItem(self.shell.widget(), "恢复隐患点", "恢复为在册：", items, 0, False)
        if ok and chosen:
            seq = retired[items.index(chosen)].seq
            if self.restore(seq) is not None:
                self.shell.select_point(seq)


def attach(shell: Shell) -> RegisterFeature:
    return RegisterFeature(shell)


__all__ = ["PointDialog", "RegisterFeature", "RetireDialog", "attach"]
