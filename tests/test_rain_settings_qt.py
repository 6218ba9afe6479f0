"""预警阈值与覆盖范围 dialog: the shipped values are labelled as 江华县's, a site's cells follow the county's
until typed, each save is one undo step through the same services as the CLI (recorded with who/when),
and ticking a point edits the site's coverage."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from hazardmap.domain.rain import JIANGHUA_SOURCE, Level, Window
from hazardmap.services import rain, rain_gauges


@pytest.fixture
def dialog(qtbot, store, double):
    from hazardmap.qt.rain_settings import RainSettingsDialog

    rain_gauges.assign(store, 1, "430422107253", by="测试")
    d = RainSettingsDialog(double)
    qtbot.addWidget(d)
    return d


def _cell(d, lv: Level, w: Window):
    return d.table.item(list(Level).index(lv), list(Window).index(w))


def test_county_table_labelled_and_saved_as_one_step(dialog, double, store):
    assert _cell(dialog, Level.YELLOW, Window.H24).text() == "130"
    assert "16 项是江华县公布的数值（他县数值，非衡南县标准）" in dialog.source.text()
    assert not dialog.save_table.isEnabled()                     # nothing edited yet
    _cell(dialog, Level.BLUE, Window.H1).setText("50")
    _cell(dialog, Level.YELLOW, Window.H1).setText("55")
    _cell(dialog, Level.ORANGE, Window.EFFECTIVE).setText("abc")
    assert not dialog.save_table.isEnabled() and "橙色有效降雨量" in dialog.error.text()
    _cell(dialog, Level.ORANGE, Window.EFFECTIVE).setText("")
    assert dialog.save_table.isEnabled()
    assert dialog.save_thresholds() and double.undo_stack.count() == 1
    county = {(t.level, t.window): t for t in rain.thresholds(store) if t.site == 0}
    assert (county[(Level.BLUE, Window.H1)].mm, county[(Level.YELLOW, Window.H1)].mm) == (50, 55)
    assert dialog.history.rowCount() == 2 and "14 项是江华县" in dialog.source.text()   # reloaded from the bus
    assert len(dialog.history.item(0, 0).text()) == len("2024-06-01 08:00")          # Beijing time, to the minute
    double.undo()
    assert _cell(dialog, Level.BLUE, Window.H1).text() == "35"
    assert {t.source for t in rain.thresholds(store)} == {JIANGHUA_SOURCE}


def test_site_override_and_back_to_county(dialog, double, store):
    dialog.site_box.setCurrentIndex(dialog.site_box.findData(1))
    cell = _cell(dialog, Level.RED, Window.H24)
    assert cell.text() == "200" and cell.font().italic()          # follows the county table
    cell.setText("180")
    assert dialog.save_thresholds()
    assert [(t.site, t.mm) for t in rain.thresholds(store) if t.site == 1] == [(1, 180)]
    cell = _cell(dialog, Level.RED, Window.H24)
    assert not cell.font().italic() and "本局设定" in cell.toolTip()
    cell.setText("")                                              # emptied: the county's again
    assert dialog.save_thresholds()
    assert [t for t in rain.thresholds(store) if t.site == 1] == []
    assert double.undo_stack.count() == 2


def test_k_days_radius_and_a_refused_value(dialog, double, store):
    assert "出厂默认值" in dialog.eff_note.text()
    dialog.k_edit.setText("0.85")
    dialog.days_edit.setText("40")
    dialog.days_edit.textEdited.emit("40")
    assert not dialog.save_eff.isEnabled() and "前期天数" in dialog.error.text()
    dialog.days_edit.setText("5")
    dialog.days_edit.textEdited.emit("5")
    assert dialog.save_effective()
    cfg = rain.get_settings(store)
    assert (cfg.effective.k, cfg.effective.days) == (0.85, 5) and dialog.eff_note.text() == ""
    dialog.radius_edit.setText("3")
    assert dialog.save_radius_km() and rain.get_settings(store).radius_km == 3
    assert double.undo_stack.count() == 2


def test_ticking_points_edits_the_coverage(dialog, double, store):
    t = dialog.cover_table
    rows = {int(t.item(r, 0).data(Qt.ItemDataRole.UserRole)): r for r in range(t.rowCount())}
    assert t.item(rows[4], 0).checkState() == Qt.CheckState.Checked
    t.item(rows[16], 0).setCheckState(Qt.CheckState.Checked)          # the user ticks point 16
    assert 16 in {c.point for c in rain.coverage_map(store)[1]}
    rows = {int(t.item(r, 0).data(Qt.ItemDataRole.UserRole)): r for r in range(t.rowCount())}
    assert t.item(rows[16], 3).text() == "人工添加"
    t.item(rows[4], 0).setCheckState(Qt.CheckState.Unchecked)
    assert 4 not in {c.point for c in rain.coverage_map(store)[1]}
    assert double.undo_stack.count() == 2
    double.undo()
    assert 4 in {c.point for c in rain.coverage_map(store)[1]}


def test_opened_from_the_edit_menu_and_the_dock(qtbot, store, double):
    from hazardmap.qt import rain_panel

    panel = rain_panel.attach(double)
    from PySide6.QtGui import QAction

    (action,) = [a for a in double.findChildren(QAction) if a.text() == "雨量预警阈值与覆盖范围…"]
    action.trigger()
    assert panel.settings.dialog.isVisible() and panel.settings.dialog.windowTitle() == "预警阈值与覆盖范围"
    assert panel.open_settings() is panel.settings.dialog
