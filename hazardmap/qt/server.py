"""The bureau's server in the window: 文件 → 连接服务器… (address, account, password kept in the OS
keyring or asked each time), a plain line in the status bar saying which server the window works on
and, for a viewer account, that it is read-only; and following other desks' changes (LISTEN/NOTIFY,
storage/pg/listen.py) through the window's change road, with the connection's state shown."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, \
    QSpinBox, QVBoxLayout, QWidget

from hazardmap.domain.errors import HazardmapError
from hazardmap.qt.shell import MenuId, Section, Shell
from hazardmap.services import credentials
from hazardmap.services.store import Store, choose_server, is_server, open_server_store, server_url

READ_ONLY_STYLE = "background: #f8d7da; color: #842029; padding: 3px 8px; border: 1px solid #e0a0a6; font-weight: bold;"
SERVER_STYLE = "background: #e7f1ff; color: #084298; padding: 3px 8px; border: 1px solid #a6c5f7;"
DOWN_STYLE = "background: #fff3cd; color: #7a4f00; padding: 3px 8px; border: 1px solid #e0c36a;"


def status_text(store: Store) -> tuple[str, str] | None:
    """(text, style) for the status bar; None on this PC's own file."""
    if not is_server(store):
        return None
    where = store.db.where
    if store.db.read_only:
        return f"只读模式：以只读账号连接服务器 {where}，可以查看，不能修改", READ_ONLY_STYLE
    return f"服务器：{where}（多台电脑共用，他人的修改会自动显示）", SERVER_STYLE


class ServerStatus(QObject):
    """The status-bar label, kept up to date as the listener connects and loses the server."""
    sig_connection = Signal(bool)
    sig_other_desk = Signal(object)   # a Changes record from the listener's thread, published on the GUI thread

    def __init__(self, store: Store, parent: QWidget) -> None:
        super().__init__(parent)
        self.store = store
        shown = status_text(store)
        self.label = QLabel(shown[0] if shown else "", parent)
        if shown:
            self.label.setStyleSheet(shown[1])
        self.sig_connection.connect(self._on_connection)  # queued: the listener calls from its thread
        self.sig_other_desk.connect(self._publish)        # queued too: widgets are touched on their own thread only
        self.listener = (store.follow_other_desks(on_state=self.sig_connection.emit, publish=self.sig_other_desk.emit)
                         if shown else None)

    def _publish(self, changes) -> None:
        self.store.announce(changes)

    def _on_connection(self, up: bool) -> None:
        shown = status_text(self.store) if up else None
        if up and shown:
            self.label.setText(shown[0])
            self.label.setStyleSheet(shown[1])
        elif not up:
            self.label.setText(f"与服务器 {self.store.db.where} 的连接已断开，正在重连…（断开期间的修改不会保存）")
            self.label.setStyleSheet(DOWN_STYLE)


class ConnectDialog(QDialog):
    """Which server to work on: address, port, database, account and password. 连接 tries it first; the
    password goes to the OS keyring only when 保存密码 is ticked (else it is asked each time)."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("连接服务器")
        self.store = store
        self.host = QLineEdit(self)
        self.host.setPlaceholderText("如 192.168.1.10 或 gis-server")
        self.port = QSpinBox(self)
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.dbname = QLineEdit("hazardmap", self)
        self.user = QLineEdit(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("在本机的系统钥匙串中保存密码（不保存则每次询问）", self)
        self.error = QLabel("", self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("服务器地址：", self.host)
        form.addRow("端口：", self.port)
        form.addRow("数据库：", self.dbname)
        form.addRow("用户名：", self.user)
        form.addRow("密码：", self.password)
        form.addRow("", self.remember)
        buttons = QDialogButtonBox(self)
        self.connect_button = buttons.addButton("连接", QDialogButtonBox.ButtonRole.AcceptRole)
        self.local_button = buttons.addButton("改用本机数据", QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.connect_button.clicked.connect(self._on_connect)
        self.local_button.clicked.connect(self._on_local)
        buttons.rejected.connect(self.reject)
        note = QLabel("单位的服务器上的数据由多台电脑共用；切换后重新启动 hazardmap 生效。"
                      "本机数据可用命令 hazardmap db copy 复制到服务器。", self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.chosen: str | None = None
        current = server_url(store.home)
        if current:
            from hazardmap.storage.pg.db import url_parts

            parts = url_parts(current)
            self.host.setText(parts.get("host", ""))
            self.port.setValue(int(parts.get("port") or 5432))
            self.dbname.setText(parts.get("dbname", ""))
            self.user.setText(parts.get("user", ""))

    def url(self) -> str:
        from hazardmap.storage.pg.db import make_url

        return make_url(self.host.text().strip(), self.port.value(), self.dbname.text().strip(),
                        self.user.text().strip())

    def _on_connect(self) -> None:
        if not self.host.text().strip() or not self.user.text().strip() or not self.dbname.text().strip():
            self.error.setText("请填写服务器地址、数据库和用户名")
            return
        url, password = self.url(), self.password.text() or None
        try:
            trial = open_server_store(url, self.store.home, self.store.bundled, password=password)
        except HazardmapError as exc:
            self.error.setText(str(exc))
            return
        read_only = trial.db.read_only
        trial.close()
        try:
            choose_server(url, self.store.home)
        except HazardmapError as exc:
            self.error.setText(str(exc))
            return
        if password and self.remember.isChecked() and not credentials.save_password(url, password):
            self.error.setText("本机没有可用的系统钥匙串，密码未保存：每次启动时会询问")
        self.chosen = url
        self.read_only = read_only
        self.accept()

    def _on_local(self) -> None:
        choose_server(None, self.store.home)
        self.chosen = None
        self.accept()


def attach(shell: Shell) -> "ServerFeature":
    return ServerFeature(shell)


class ServerFeature:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        action = QAction("连接服务器…", shell)
        action.triggered.connect(self.open_dialog)
        shell.add_action(MenuId.FILE, action, Section.SERVER)
        self.action = action
        self.dialog: ConnectDialog | None = None

    def open_dialog(self) -> None:
        self.dialog = ConnectDialog(self.shell.store, self.shell)
        if self.dialog.exec() == QDialog.DialogCode.Accepted:
            where = "本机数据" if self.dialog.chosen is None else self.dialog.url()
            if self.switch_now(where):
                self.shell.reopen()

    def switch_now(self, where: str) -> bool:
        """Switch at once (the window reopens on the new data) or at the next start."""
        answer = QMessageBox.question(
            self.shell.widget(), "连接服务器",
            f"已选择：{where}。\n\n现在切换吗？窗口将关闭并在新的数据上重新打开（撤销记录随之清空）。\n"
            "选“否”则下次启动 hazardmap 时生效。")
        return answer == QMessageBox.StandardButton.Yes
