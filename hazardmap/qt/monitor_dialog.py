"""Change a point's community monitor (群测群防员) and phone. Checks as you type with the same rules
the CLI uses (domain.validation); saving goes through services.points.set_monitor, which keeps history,
as one step of the window's undo road."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout

from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.validation import check_name, check_phone
from hazardmap.qt.buttons import error_label, ok_button, ok_cancel
from hazardmap.qt.point_dialog import PointDialog
from hazardmap.qt.shell import Shell
from hazardmap.services import points as point_service


class MonitorDialog(PointDialog):
    def __init__(self, shell: Shell, seq: int, parent=None) -> None:
        super().__init__(shell, seq, "更换群测群防员", parent)
        point = self.point
        self.version = point.version  # the save is refused if another desk changed the point since
        self.name = QLineEdit(point.monitor, self)
        self.phone = QLineEdit(point.phone, self)
        self.phone.setPlaceholderText("11位手机号，或 0734-1234567")
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow("隐患点", self.point_label())
        form.addRow("现任", QLabel(f"{escape(point.monitor)}　{escape(point.phone)}", self))
        form.addRow("姓名(&N)", self.name)
        form.addRow("电话(&P)", self.phone)
        self.buttons = ok_cancel(self, "保存", on_ok=self._on_save)
        self.save_button = ok_button(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._on_edited)
        self.phone.textChanged.connect(self._on_edited)
        self._on_edited()

    def problem(self) -> str:
        """The first thing wrong with what is typed, in Chinese; '' when it can be saved."""
        try:
            check_name(self.name.text())
            check_phone(self.phone.text())
        except HazardmapError as exc:
            return str(exc)
        return ""

    def _on_edited(self) -> None:
        problem = self.problem()
        self.error.setText(problem)
        self.save_button.setEnabled(not problem)

    def _on_save(self) -> None:
        seq, name, phone = self.seq, self.name.text(), self.phone.text()

        def set_from(version: int):
            return lambda store: point_service.set_monitor(store, seq, name=name, phone=phone, base_version=version)
        if self.shell.run_operation(set_from(self.version), title="无法保存", parent=self,
                                    from_version=set_from) is not None:
            self.accept()
