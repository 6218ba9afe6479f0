"""关于 hazardmap: version, data sources and licences, and where the user's data lives."""
from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QLineEdit, QTextBrowser, QVBoxLayout,
                               QWidget)

from hazardmap import __version__
from hazardmap.paths import bundled_data_dir
from hazardmap.qt.buttons import menu_action, push_button
from hazardmap.qt.shell import MenuId, Section, Shell
from hazardmap.services.store import Store, db_path


class AboutDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("关于 hazardmap")
        self.resize(640, 520)
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>衡南县地质灾害隐患点监测 hazardmap</h2><p>版本 {__version__}</p>")
        layout.addWidget(title)

        self.licences = QTextBrowser(self)
        self.licences.setOpenExternalLinks(False)
        self.licences.setMarkdown((bundled_data_dir() / "LICENSES.md").read_text(encoding="utf-8"))
        layout.addWidget(QLabel("数据来源与许可（地图与名录数据遵循 CC BY 4.0 署名要求）："))
        layout.addWidget(self.licences, 1)

        layout.addWidget(QLabel("您的数据（数据库、备份、照片）保存在："))
        row = QHBoxLayout()
        self.data_folder = QLineEdit(str(store.home), self)
        self.data_folder.setReadOnly(True)
        row.addWidget(self.data_folder, 1)
        self.open_button = push_button(self, "打开数据文件夹", self._on_open_folder)
        row.addWidget(self.open_button)
        layout.addLayout(row)
        layout.addWidget(QLabel(f"数据库文件：{db_path(store.home).name}。卸载或升级软件不会删除这些数据。"))

        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.button(QDialogButtonBox.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._store = store

    def _on_open_folder(self) -> None:
        self._store.home.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._store.home)))


def attach(shell: Shell) -> QAction:
    """帮助 > 关于 hazardmap…; returns the action."""
    window = shell.widget()
    action = menu_action(window, "关于 hazardmap…", lambda: AboutDialog(shell.store, window).exec())
    shell.add_action(MenuId.HELP, action, Section.ABOUT)
    return action
