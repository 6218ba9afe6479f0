"""What the dialogs and details tabs about one point share: for a dialog, the shell, the point's number
and record, a title naming it ("修正位置：3号 …") and the bold line that names it in the form; for a tab
that follows the selected point, the shell, the point shown (none yet) and its bold title line."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QLabel, QWidget

from hazardmap.qt.shell import Shell
from hazardmap.services import points as point_service


class PointDialog(QDialog):
    def __init__(self, shell: Shell, seq: int, what: str, parent=None) -> None:
        super().__init__(parent)
        self.shell, self.seq = shell, seq
        self.point = point_service.get_point(shell.store, seq)
        self.setWindowTitle(f"{what}：{seq}号 {self.point.name}")

    def point_label(self) -> QLabel:
        return QLabel(f"<b>{self.seq}号 {escape(self.point.name)}</b>", self)


NO_POINT = "请在地图或列表中选择一个隐患点"


class PointTab(QWidget):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shell = shell
        self.store = shell.store
        self.point_seq: int | None = None
        self.title = QLabel(NO_POINT, self)
        self.title.setStyleSheet("font-weight: bold;")
