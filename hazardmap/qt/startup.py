"""What the window does when start-up goes wrong. The windowed Windows build has no console, so every
failure before the main window shows (a damaged database, an unusable data folder, an unexpected
exception) is said in a Chinese message box instead of vanishing; a damaged database offers to
restore the newest backup that passes SQLite's check."""
from __future__ import annotations

import os
import tempfile
import traceback
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QMessageBox

from hazardmap.domain.errors import DatabaseDamaged, HazardmapError, ServerUnavailable
from hazardmap.paths import PRIVATE_FILE_MODE, ensure_private_folder, user_home
from hazardmap.services import backup
from hazardmap.services.store import Store, open_store

ERROR_LOG = "hazardmap-error.log"
WIDE = "QLabel#qt_msgbox_label, QLabel#qt_msgbox_informativelabel { min-width: 520px; }"  # long paths and backup names stay on one line
MAX_RESTORES = 2  # a restored backup that still does not open is not tried again in a loop


def show_box(box: QMessageBox) -> QAbstractButton | None:
    """Shows a box modally and returns the button pressed (tests replace this so nothing blocks)."""
    box.exec()
    return box.clickedButton()


def choose(box: QMessageBox) -> str:
    """The object name of the button pressed ("" when the box was closed); the box stays alive here."""
    pressed = show_box(box)
    return pressed.objectName() if pressed is not None else ""


def damaged_box(exc: DatabaseDamaged) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, "数据库已损坏", "数据库文件已损坏。为保护数据，本程序没有对它做任何写入。")
    lines = [f"文件：{exc.path}", f"问题：{exc.detail}", ""]
    good = exc.newest_good_backup
    if good is not None:
        when = datetime.fromtimestamp(good.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        lines += [f"最新的完好备份：{good.name}（{when}）",
                  "恢复后，这个备份之后录入的内容不在其中；损坏的文件会先另存到备份文件夹，不会删除。"]
        restore = box.addButton("恢复此备份", QMessageBox.ButtonRole.AcceptRole)
        restore.setObjectName("restore")
        box.setDefaultButton(restore)
    else:
        lines += ["没有找到完好的备份。请不要删除这个文件，联系技术人员处理。",
                  f"备份文件夹：{backup.backup_dir(Path(exc.path).parent)}"]
    quit_button = box.addButton("退出", QMessageBox.ButtonRole.RejectRole)
    quit_button.setObjectName("quit")
    box.setEscapeButton(quit_button)
    if exc.technical:  # SQLite's English is for a technician, kept in the log, not shown
        log = write_log(f"数据库 {exc.path} 检查未通过：\n{exc.technical}")
        lines += ["", f"检查详情已记录在：{log}"]
    box.setInformativeText("\n".join(lines))
    box.setStyleSheet(WIDE)
    return box


def error_box(text: str, informative: str = "") -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, "hazardmap 无法启动", text)
    if informative:
        box.setInformativeText(informative)
    box.setStyleSheet(WIDE)
    box.addButton("退出", QMessageBox.ButtonRole.RejectRole).setObjectName("quit")
    return box


def show_error(exc: HazardmapError) -> None:
    choose(error_box(str(exc), "请按提示处理后再打开本程序。"))


def log_unexpected(exc: BaseException) -> Path:
    return write_log("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def write_log(message: str) -> Path:
    """Appended to the log in the data folder when it can be written, else in the system temp folder."""
    text = f"{datetime.now().isoformat(timespec='seconds')}\n{message}\n"
    for folder, ours in ((user_home(), True), (Path(tempfile.gettempdir()), False)):
        path = folder / ERROR_LOG
        try:
            if ours:  # the data folder may not exist yet; the temp folder is never re-moded
                ensure_private_folder(folder)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(text)
            return path
        except (OSError, HazardmapError):
            continue
    return Path(tempfile.gettempdir()) / ERROR_LOG


def show_unexpected(exc: BaseException) -> None:
    log = log_unexpected(exc)
    choose(error_box("启动时出现意外错误，程序无法继续。", f"错误详情已记录在：\n{log}\n请把这个文件发给技术人员。"))


def ask_server_password(home: Path, first: ServerUnavailable, ask=None) -> Store | None:
    """The chosen server could not be opened: ask for the password (never saved unasked) and try again,
    until it opens or the person cancels (then None, after saying why). ask: a stand-in for tests."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from hazardmap.services.store import open_server_store, server_url

    url = server_url(home)
    exc: HazardmapError = first
    while url:
        if ask is None:
            password, ok = QInputDialog.getText(None, "连接服务器", f"{exc}\n\n服务器 {first.where} 的密码（不保存）：",
                                                QLineEdit.EchoMode.Password)
        else:
            password, ok = ask(str(exc))
        if not ok:
            break
        try:
            return open_server_store(url, home, password=password)
        except ServerUnavailable as again:
            exc = again
    show_error(exc)
    return None


def open_store_for_window(*, backup_on_open: bool) -> Store | None:
    """The store for the window, or None when the person chose to quit (after being told why)."""
    home = user_home()
    notes: list[str] = []
    for _ in range(MAX_RESTORES + 1):
        try:
            store = open_store(home, backup_on_open=backup_on_open)
        except DatabaseDamaged as exc:
            if exc.newest_good_backup is None or len(notes) >= MAX_RESTORES:
                choose(damaged_box(exc.with_backup(None)))
                return None
            if choose(damaged_box(exc)) != "restore":
                return None
            try:
                done = backup.restore(home, str(exc.newest_good_backup))
            except HazardmapError as failed:
                show_error(failed)
                return None
            notes.append(f"已从备份 {done.source.name} 恢复"
                         + (f"；损坏的数据库已另存为 {done.kept.name}" if done.kept else ""))
            continue
        except ServerUnavailable as exc:  # the bureau's server: perhaps it wants a password not saved here
            store = ask_server_password(home, exc)
            if store is None:
                return None
        except HazardmapError as exc:  # an unusable data folder, a newer database, a full disk
            show_error(exc)
            return None
        store.warnings[:0] = notes
        return store
    return None


def start_backup(store: Store):
    """The start-up backup of a file's store, begun in its thread (services/backup.py StartBackup); None on
    the bureau's server, whose data the server backs up."""
    from hazardmap.services.store import is_server

    return None if is_server(store) else backup.StartBackup(store)


def watch_start_backup(window, start_backup, on_damage, interval_ms: int = 200) -> None:
    """When the start-up backup taken in its thread is done: a failure is said in the window's banner;
    damage its check found calls on_damage (qt/entry.py: the window goes, the damaged-database box)."""
    from PySide6.QtCore import QTimer

    timer = QTimer(window)
    timer.setInterval(interval_ms)

    def look() -> None:
        if not start_backup.done:
            return
        timer.stop()
        if isinstance(start_backup.error, DatabaseDamaged):
            on_damage()
        elif start_backup.warning:
            window.add_store_warning(start_backup.warning)

    timer.timeout.connect(look)
    timer.start()
