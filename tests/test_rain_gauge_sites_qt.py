"""The rain-gauge panel's 新增站点… and 撤除…/恢复: dialogs that check as you type, run through the
operation road (one undo step each), and a table showing batch and status."""
from __future__ import annotations

from PySide6.QtCore import Qt

from hazardmap.services import rain_gauges as svc


def pick(dialog, code: str) -> None:
    assert dialog.select_village(code)


def test_add_site_dialog_checks_as_you_type_and_adds_one_undo_step(panel, double, store):
    dlg = panel.open_add_dialog()
    pick(dlg, "430422118215")
    dlg.station_code.setText("61 2")
    assert not dlg.ok.isEnabled() and "站码" in dlg.error.text()
    dlg.station_code.setText("61234567")
    dlg.year.setText("20x5")
    assert not dlg.ok.isEnabled() and "安装年份" in dlg.error.text()
    dlg.year.setText("2025")
    assert dlg.ok.isEnabled() and dlg.error.text() == ""
    dlg.accept()
    site = svc.list_sites(store)[-1]
    assert (site.slot, site.village, site.station_code, site.install_year) == (16, "檀市村", "61234567", 2025)
    assert panel.table.rowCount() == 16
    assert [panel.table.item(15, c).text() for c in (4, 2)] == ["单独新增", "在用"]
    assert "单独新增 1 处" in panel.tally.text() and "已落实 0/15" in panel.counter.text()
    assert double.undo_stack.count() == 1 and "新增第 16 号" in double.undo_stack.undoText()
    double.undo()
    assert panel.table.rowCount() == 15


def test_add_site_refused_keeps_the_dialog_open_with_the_reason(panel, store):
    svc.assign(store, 1, "430422118215")
    dlg = panel.open_add_dialog()
    pick(dlg, "430422118215")
    dlg.accept()
    assert dlg.isVisible() and "已是第 1 号雨量计站点" in dlg.error.text()
    assert len(svc.list_sites(store)) == 15


def test_retire_and_restore_from_the_panel(panel, double, store, monkeypatch):
    svc.assign(store, 2, "430422118215")
    panel.refresh()
    panel.select_slot(1)
    assert not panel.retire_button.isEnabled()          # no gauge in an empty slot
    panel.select_slot(2)
    assert panel.retire_button.isEnabled() and not panel.restore_button.isEnabled()
    dlg = panel.open_retire_dialog(2)
    assert not dlg.ok.isEnabled()                       # a reason is required
    dlg.reason.setText("坏\u200b了")
    assert not dlg.ok.isEnabled() and "看不见的字符" in dlg.error.text()
    dlg.reason.setText("设备损坏拆除")
    assert dlg.ok.isEnabled()
    dlg.accept()
    assert svc.list_sites(store)[1].retired
    assert panel.table.item(1, 2).text().startswith("已撤除") and "设备损坏拆除" in panel.table.item(1, 2).text()
    assert "已撤除 1 处" in panel.tally.text() and "已落实 1/15" in panel.counter.text()
    panel.select_slot(2)
    assert panel.restore_button.isEnabled() and not panel.retire_button.isEnabled()
    assert not panel.assign_button.isEnabled() and not panel.clear_button.isEnabled()
    panel.restore_slot(2)
    assert svc.list_sites(store)[1].active
    assert double.undo_stack.count() == 2
    double.undo()
    assert svc.list_sites(store)[1].retired


def test_add_site_dialog_picks_the_village_on_the_map(panel, double, store):
    dlg = panel.open_add_dialog()
    dlg._on_pick()
    assert not dlg.isVisible() and "新雨量计" in double.map_tool.prompt
    village = store.bundled.village_by_code("430422118215")
    double.click_map(village.lon + 0.0005, village.lat)
    assert dlg.isVisible() and dlg.villages.currentItem().data(Qt.ItemDataRole.UserRole) == "430422118215"
    dlg.accept()
    assert svc.list_sites(store)[-1].village == "檀市村"
