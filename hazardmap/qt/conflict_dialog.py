"""The conflict dialog: another desk saved the record after this one opened it (EditConflict). It
shows theirs (who, when, what the record holds now) beside mine (what this desk tried to save) and
lets the user keep theirs (discard mine) or apply mine on top of theirs."""
from __future__ import annotations

from html import escape
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, \
    QWidget

from hazardmap.domain.errors import EditConflict, short_time

KEEP_THEIRS, APPLY_MINE = 0, 1


def _text(value: object) -> str:
    return "（空）" if value in (None, "") else str(value)


class ConflictDialog(QDialog):
    def __init__(self, exc: EditConflict, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("修改冲突")
        who = f"{exc.theirs[0]}（{short_time(exc.theirs[1])}）" if exc.theirs else "他人"
        self.header = QLabel(
            f"<b>{escape(exc.what.strip())}</b> 在您编辑期间已被 <b>{escape(who)}</b> 修改"
            f"（您打开时是第 {exc.base_version} 版，现在是第 {exc.current_version} 版）。<br>"
            "您的修改尚未保存。请比较后选择：", self)
        self.header.setWordWrap(True)
        self.table = QTableWidget(len(exc.mine), 3, self)
        self.table.setHorizontalHeaderLabels(["项目", f"对方（{exc.theirs[0] if exc.theirs else '他人'}）现在的值",
                                              f"我的修改（{exc.mine_by}）"])
        for row, (label, mine) in enumerate(exc.mine.items()):
            for col, text in enumerate((label, _text(exc.theirs_now.get(label)), _text(mine))):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QDialogButtonBox(self)
        self.keep = buttons.addButton("保留对方的", QDialogButtonBox.ButtonRole.RejectRole)
        self.apply = buttons.addButton("应用我的", QDialogButtonBox.ButtonRole.AcceptRole)
        self.keep.clicked.connect(lambda: self.done(KEEP_THEIRS))
        self.apply.clicked.connect(lambda: self.done(APPLY_MINE))
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(620, 160 + 30 * len(exc.mine))
