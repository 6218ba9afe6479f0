"""The conflict dialog in the window: the point, monitor, location, patrol-entry and 预案 forms save from
the version they showed; when another desk saved in between, the user sees theirs (who, when, the value
now) beside mine and keeps theirs or applies mine (the operation runner's from_version)."""
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


def _answer(double, seen: dict, apply: bool):
    def act():
        c = double.runner.conflict_dialog
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
    _answer(double, seen, apply)
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


def _another_desk(home, edit) -> None:
    other = open_store(home)
    try:
        edit(other)
    finally:
        other.close()


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
    seen: dict = {}
    _answer(double, seen, apply=False)
    monitor.save_button.click()
    assert seen["rows"][0] == ["群测群防员", "邓石生", "邓新"] and "王五" in seen["header"]
    assert "王五" in double.runner.last_error and points.get_point(store, 5).monitor == "邓石生"
    _answer(double, seen, apply=False)
    assert location._save(dict(lon=112.7, lat=26.75, datum="cgcs2000", source="GPS 测试"), force=True) is False
    assert seen["rows"][0][0] == "位置" and seen["rows"][0][2] == "112.700000, 26.750000"
    assert "王五" in location.error.text() and points.get_point(store, 5).precision.value != "surveyed"
    _answer(double, seen, apply=True)  # applying mine: the same correction from the version now stored
    assert location._save(dict(lon=112.7, lat=26.75, datum="cgcs2000", source="GPS 测试"), force=True) is True
    assert points.get_point(store, 5).precision.value == "surveyed"


@pytest.mark.parametrize("apply", [False, True])
def test_a_patrol_entry_edited_at_another_desk_meanwhile(qtbot, double, store, home, apply):
    from hazardmap.domain.patrol import PatrolDraft
    from hazardmap.qt.patrol.patrol_tab import PatrolTab
    from hazardmap.services import patrol

    tab = PatrolTab(double, double)
    entry_id = patrol.record(store, PatrolDraft(3, "2026-05-01 08:00", "甲", "正常")).entry_ids[0]
    before = patrol.get_entry(store, entry_id)
    _another_desk(home, lambda other: patrol.edit_fields(other, entry_id, note="对方的备注", by="王五"))
    seen: dict = {}
    _answer(double, seen, apply)
    mine = PatrolDraft(3, "2026-05-01 08:00", "甲", "异常", note="对方的备注")
    tab.save_edit(entry_id, mine, expect=before.draft(), base_version=before.version)
    assert seen["rows"] == [["判断", "正常", "异常"]] and "王五" in seen["header"]
    after = patrol.get_entry(store, entry_id)
    assert after.note == "对方的备注"
    assert after.judgement.value == ("异常" if apply else "正常")
    assert double.undo_stack.count() == (1 if apply else 0)


@pytest.mark.parametrize("apply", [False, True])
def test_a_plan_saved_at_another_desk_meanwhile(qtbot, double, store, home, apply):
    from hazardmap.qt import plan_tab
    from hazardmap.services import plan

    tab = plan_tab.attach(double)
    tab.set_point(5)
    _another_desk(home, lambda other: plan.save_plan(other, 5, {"geology": "对方写的地质条件"}, by="王五"))
    tab.editors["geology"].setPlainText("我写的地质条件")
    seen: dict = {}
    _answer(double, seen, apply)
    saved = tab.save()
    assert seen["rows"] == [["地质环境条件", "对方写的地质条件", "我写的地质条件"]]
    assert saved is apply
    assert plan.get_plan(store, 5).values["geology"] == ("我写的地质条件" if apply else "对方写的地质条件")
    if not apply:
        assert "王五" in tab.error.text()
