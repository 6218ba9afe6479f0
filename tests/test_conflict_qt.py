"""The conflict dialog in the window: the point dialog saves from the version it showed; when another
desk saved in between, the user sees theirs (who, when, the value now) beside mine and keeps theirs or
applies mine."""
from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QTimer

from hazardmap.services import points, register
from hazardmap.services.store import open_store

SHOTS = os.environ.get("HAZARDMAP_SHOTS")  # a folder to save what the user sees, when given


@pytest.fixture
def feature(double):
    from hazardmap.qt import point_register

    return point_register.attach(double)


def _answer(dlg, seen: dict, apply: bool):
    def act():
        c = dlg.conflict
        seen["header"] = c.header.text()
        seen["rows"] = [[c.table.item(r, k).text() for k in range(3)] for r in range(c.table.rowCount())]
        seen["columns"] = [c.table.horizontalHeaderItem(k).text() for k in range(3)]
        if SHOTS:
            c.grab().save(os.path.join(SHOTS, "conflict_dialog.png"))
        (c.apply if apply else c.keep).click()
    QTimer.singleShot(0, act)


@pytest.mark.parametrize("apply", [False, True])
def test_a_save_after_another_desk_saved_shows_theirs_and_mine(double, feature, store, home, apply):
    dlg = feature.open_edit(5)
    other = open_store(home)  # another desk saves the same point while the dialog is open
    try:
        register.edit_point(other, 5, {"people": 12}, by="王五")
    finally:
        other.close()
    dlg.people.setText("30")
    seen: dict = {}
    _answer(dlg, seen, apply)
    dlg.save_button.click()
    assert "王五" in seen["header"] and "第 2 版" in seen["header"]
    assert seen["rows"] == [["威胁人数", "12", "30"]]
    assert seen["columns"][1].startswith("对方（王五）") and seen["columns"][2].startswith("我的修改")
    p = points.get_point(store, 5)
    if apply:
        assert p.people == 30 and [c.changed_by for c in register.point_changes(store, 5)][0] == "王五"
        assert double.undo_stack.undoText().startswith("编辑第 5 号隐患点")
    else:
        assert p.people == 12 and not dlg.isVisible()
        assert double.undo_stack.count() == 0


def test_monitor_and_location_dialogs_save_from_the_version_they_showed(qtbot, double, store, home):
    from hazardmap.qt.location_dialog import LocationDialog
    from hazardmap.qt.monitor_dialog import MonitorDialog

    monitor = MonitorDialog(double, 5)
    location = LocationDialog(double, 5)
    qtbot.addWidget(monitor)
    qtbot.addWidget(location)
    other = open_store(home)
    try:
        register.edit_point(other, 5, {"given_name": "对方改名"}, by="王五")
    finally:
        other.close()
    monitor.name.setText("邓新")
    monitor.save_button.click()
    assert "王五" in double.runner.last_error and points.get_point(store, 5).monitor == "邓石生"
    assert location._save(dict(lon=112.7, lat=26.75, datum="cgcs2000", source="GPS 测试"), force=True) is False
    assert "王五" in location.error.text() and points.get_point(store, 5).precision.value != "surveyed"
