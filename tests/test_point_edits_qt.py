"""Editing a point from the window: change the monitor (checked as you type) and undo point edits."""
from __future__ import annotations

import pytest

from hazardmap.services import points


@pytest.fixture
def tab(qtbot, store, double):
    from hazardmap.qt.details_panel import PointDetailsTab

    t = PointDetailsTab(double.run_operation)
    qtbot.addWidget(t)
    store.bus.subscribe(lambda _changes: t.show_point(store, t.seq))  # what the window's refresh does
    return t


def test_monitor_dialog_checks_as_you_type_and_saves_through_the_service(qtbot, store, double):
    from hazardmap.qt.monitor_dialog import MonitorDialog

    dlg = MonitorDialog(double, 5)
    qtbot.addWidget(dlg)
    assert dlg.name.text() == "邓石生" and dlg.save_button.isEnabled()
    dlg.phone.setText("1478936")
    assert not dlg.save_button.isEnabled() and "格式不对" in dlg.error.text()
    dlg.name.setText("  ")
    assert "姓名不能为空" in dlg.error.text()
    dlg.name.setText("邓新")
    dlg.phone.setText("0734-1234567")
    assert dlg.save_button.isEnabled() and dlg.error.text() == ""
    dlg.save_button.click()
    p5 = points.get_point(store, 5)
    assert (p5.monitor, p5.phone) == ("邓新", "0734-1234567")
    assert [m.old_name for m in points.monitor_history(store, 5)] == ["邓石生"]


def test_undo_actions_follow_the_history_and_restore(tab, store, double):
    tab.show_point(store, 3)
    assert tab.monitor_button.isEnabled()
    assert not tab.undo_button.isEnabled()  # nothing to undo yet
    double.run_operation(lambda s: points.correct_location(s, 3, lon=112.6, lat=26.76, datum="wgs84",
                                                           source="GPS 测试"), title="修正位置")
    assert tab.undo_location_action.isEnabled() and not tab.undo_monitor_action.isEnabled()
    asked = []
    tab.confirm = lambda question: asked.append(question) or False
    tab.undo_location_action.trigger()
    assert points.get_point(store, 3).located  # declined: nothing changed
    tab.confirm = lambda question: asked.append(question) or True
    tab.undo_location_action.trigger()
    assert "未定位" in asked[-1]
    p3 = points.get_point(store, 3)
    assert not p3.located and p3.precision.value == "none"
    assert "撤销" in tab.browser.toPlainText()  # the history shows the undo


def test_undo_monitor_from_the_tab(tab, store):
    points.set_monitor(store, 2, name="新人", phone="13900000000")
    tab.show_point(store, 2)
    tab.confirm = lambda question: True
    tab.undo_monitor_action.trigger()
    p2 = points.get_point(store, 2)
    assert (p2.monitor, p2.phone) == ("李新菊", "13875790008")


def test_store_warnings_are_shown_in_the_main_windows_status_bar(qapp, store):
    from hazardmap.qt.entry import close_window, wait_for_map
    from hazardmap.qt.main_window import MainWindow

    store.warnings.append("数据库位于网络共享上（测试）")
    window = MainWindow(store)
    try:
        # let the web view finish loading first: tearing QtWebEngine down mid-load can crash it
        assert wait_for_map(qapp, window)
        assert window.store_warning is not None
        assert "网络共享" in window.store_warning.text()
        assert window.store_warning.parent() is window.statusBar() or window.statusBar().isAncestorOf(
            window.store_warning)
    finally:
        close_window(qapp, window)


def test_no_banner_without_warnings(qtbot, store):
    from PySide6.QtWidgets import QWidget

    from hazardmap.qt.store_warnings import warning_banner

    parent = QWidget()
    qtbot.addWidget(parent)
    assert warning_banner(store, parent) is None
