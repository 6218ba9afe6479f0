"""The bureau's server in the window: 文件 → 连接服务器… remembers the address (never the password),
the status bar says plainly which server and read-only for a viewer account, and another desk's change
reaches the window's change road within 2 s."""
from __future__ import annotations

import json
import os
import threading

from PySide6.QtGui import QAction

from hazardmap.geodata.bundled import BundledData
from hazardmap.services import points, register
from hazardmap.services.store import SERVER_FILE, open_server_store, open_store
from hazardmap.storage.pg.db import PgDatabase

SHOTS = os.environ.get("HAZARDMAP_SHOTS")


def _dbname(url: str) -> str:
    return url.split("/")[3].split("?")[0]


def test_connect_dialog_remembers_the_server_without_its_password(qtbot, store, home, pg_server, pg_url):
    from hazardmap.qt.server import ConnectDialog

    dlg = ConnectDialog(store)
    qtbot.addWidget(dlg)
    dlg.connect_button.click()
    assert "请填写服务器地址" in dlg.error.text() and not (home / SERVER_FILE).exists()
    dlg.host.setText(str(pg_server.socket_dir))
    dlg.port.setValue(5439)
    dlg.dbname.setText(_dbname(pg_url))
    dlg.user.setText(pg_server.superuser)
    dlg.password.setText("不存")
    if SHOTS:
        dlg.grab().save(os.path.join(SHOTS, "connect_dialog.png"))
    dlg.connect_button.click()
    saved = json.loads((home / SERVER_FILE).read_text(encoding="utf-8"))
    assert saved["url"].startswith("postgresql://") and "不存" not in (home / SERVER_FILE).read_text(encoding="utf-8")
    again = open_store(home)  # the next start opens the server
    try:
        assert again.db.dialect == "postgresql" and len(points.list_points(again)) == 16
    finally:
        again.close()
    dlg2 = ConnectDialog(store)
    qtbot.addWidget(dlg2)
    assert dlg2.dbname.text() == _dbname(pg_url) and dlg2.port.value() == 5439 and dlg2.password.text() == ""
    dlg2.local_button.click()
    assert not (home / SERVER_FILE).exists()


def test_read_only_is_shown_plainly_and_other_desks_changes_arrive_on_the_window_road(
        qtbot, qapp, pg_server, pg_url, home):
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import MainWindow

    owner = PgDatabase.open(pg_url, BundledData())
    owner.setup_roles()
    owner.close()
    pg_server.sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wang') THEN"
                  " CREATE ROLE wang LOGIN; GRANT hazardmap_viewer TO wang; END IF; END $$")
    viewer = open_server_store(pg_server.url(_dbname(pg_url), user="wang"), home)
    editor = open_server_store(pg_url, home)
    window = MainWindow(viewer)
    window.resize(1300, 800)
    window.show()
    try:
        label = window.server_status.label
        assert window.windowTitle().endswith("（只读）")
        assert label.isVisible() and label.text().startswith("只读模式") and "不能修改" in label.text()
        # nothing that changes data is offered (and then refused) on a viewer's desk
        f = window.features
        edits = [f["register"].add_action, f["register"].edit_action, f["key_lists"].action,
                 f["layer_import"].action, f["patrol"].tab.add_button, f["patrol"].tab.delete_button,
                 f["patrol"].overview.settings_button, f["plan"].save_button, window.details.details_tab.locate_button,
                 window.details.details_tab.monitor_button]
        # hidden themselves, not merely on a tab not shown: a widget's isHidden(), an action's isVisible()
        assert [e for e in edits if (e.isVisible() if isinstance(e, QAction) else not e.isHidden())] == []
        assert f["layer_export"].action.isVisible() and not f["patrol"].tab.audit_button.isHidden()
        assert window.points_table.unlocated_bar.isVisible() and window.points_table.locate_buttons == {}
        if SHOTS:
            qtbot.wait(500)
            window.grab().save(os.path.join(SHOTS, "window_read_only.png"))
        qtbot.waitUntil(lambda: viewer.listener.connected.is_set(), timeout=5000)
        threads = []   # the panels subscribe to the plain bus: it must be published on the GUI thread
        viewer.bus.subscribe(lambda changes: threads.append(threading.current_thread()))
        with qtbot.waitSignal(window.change_bus.sig_changed, timeout=2000) as heard:
            register.edit_point(editor, 8, {"field_code": "编辑桌改的"}, by="李")
        assert 8 in heard.args[0].points
        assert threads and set(threads) == {threading.main_thread()}
        assert points.get_point(viewer, 8).field_code == "编辑桌改的"
    finally:
        close_window(qapp, window)
        viewer.close()
        editor.close()


def test_a_server_that_would_not_open_asks_for_the_password_and_opens(qtbot, pg_url, home):
    from hazardmap.domain.errors import ServerUnavailable
    from hazardmap.qt.startup import ask_server_password
    from hazardmap.services.store import choose_server

    choose_server(pg_url.split("?")[0] + "?" + pg_url.split("?")[1], home)
    asked: list[str] = []
    store = ask_server_password(home, ServerUnavailable("测试", "password authentication failed"),
                                ask=lambda text: (asked.append(text), ("口令", True))[1])
    try:
        assert store is not None and len(points.list_points(store)) == 16
        assert asked and "无法连接数据库服务器" in asked[0]
    finally:
        store.close()
    assert "口令" not in (home / SERVER_FILE).read_text(encoding="utf-8")


def test_switching_server_reopens_the_window_at_once_when_wanted(qtbot, double, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from hazardmap.qt import server

    feature = server.attach(double)
    # the person picks 改用本机数据 in the dialog, then answers whether to switch now
    monkeypatch.setattr(server.ConnectDialog, "exec", lambda self: (self._on_local(), QDialog.DialogCode.Accepted)[1])
    for now, reopened in ((False, 0), (True, 1)):
        monkeypatch.setattr(feature, "switch_now", lambda where, answer=now: answer)
        feature.open_dialog()
        assert double.reopened == reopened


def test_the_window_opens_again_on_the_newly_chosen_data(qapp, tmp_path, monkeypatch):
    """entry.run_windows: a switch opens a window on the store chosen now, then closes the old window and
    its store; closing the new one ends the loop. When the new data cannot be opened the old window stays."""
    from PySide6.QtCore import QTimer

    from hazardmap.qt import entry
    from hazardmap.qt.main_window import MainWindow

    monkeypatch.delenv("HAZARDMAP_DB", raising=False)
    homes = iter([tmp_path / "desk-file", None, tmp_path / "after-switch"])
    shown = []

    def next_step():
        (w,) = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        shown.append(w.store.home)
        w.reopen() if len(shown) < 3 else w.close()

    def open_window_store():
        home = next(homes)
        QTimer.singleShot(300, next_step)   # the next step once this window (or the old one) is up
        return None if home is None else open_store(home)

    assert entry.run_windows(qapp, open_window_store) == 0
    # the second choice could not be opened: the first window stayed and was asked again
    assert shown == [tmp_path / "desk-file", tmp_path / "desk-file", tmp_path / "after-switch"]
