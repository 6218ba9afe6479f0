"""The 雨情预警 dock: during a synthetic storm a clerk sees which points must be patrolled and why; readings
typed or pasted into the grid are one undo step; the 巡查情况 overview names the rain patrols due."""
from __future__ import annotations

import pytest

from hazardmap.domain.rain import fmt_time
from hazardmap.services import rain, rain_gauges

STORM = [(1, 10), (2, 10), (3, 10), (4, 10), (5, 10), (6, 10), (7, 40), (8, 40), (9, 40), (10, 85)]


@pytest.fixture
def rain_panel(qtbot, store, double):
    from hazardmap.qt import rain_panel

    rain_gauges.assign(store, 1, "430422107253", by="测试")
    p = rain_panel.attach(double)
    return p


def _storm_text():
    return "\n".join(f"1\t2024-06-01 {h:02d}:00\t{mm}" for h, mm in STORM)


def test_storm_shows_points_to_patrol_and_why(rain_panel, double, store):
    rain_panel.set_time("2024-06-01 10:30")
    rain_panel.fill_grid(_storm_text())
    changes = rain_panel.save_grid()
    assert changes is not None and double.undo_stack.count() == 1
    rain_panel.set_time("2024-06-01 10:30")
    assert "1 个站点预警（最高红色），2 处隐患点应巡查" in rain_panel.summary.text()
    t = rain_panel.due_table
    rows = [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]
    assert [r[0] for r in rows] == ["4 花桥镇金石村石塘组", "5 花桥镇欧东村门冲组"]
    assert rows[1][1] == "加密巡查" and rows[1][4] == "1号站 花桥镇欧东村 红色预警：1 小时累计 85 mm ≥ 红色 80 mm"
    s = rain_panel.status_table
    assert s.item(0, 1).text() == "红色" and s.item(0, 2).text().startswith("1 小时累计 85 mm ≥ 红色 80 mm；3 小时累计 165 mm ≥ 红色 120 mm")
    assert "未落实村庄" in s.item(1, 0).text()
    assert "江华县公布的数值（他县数值，非衡南县标准）" in rain_panel.note.text()
    assert "1号站" in rain_panel.chart.title()
    bars = rain_panel.chart.series()[0].barSets()[0]
    assert max(bars.at(i) for i in range(bars.count())) == 85
    (x_axis,) = [a for a in rain_panel.chart.axes() if a.orientation().name == "Horizontal"]
    assert x_axis.count() == bars.count() == 48        # one category per hour: equal labels would merge bars
    double.undo()
    assert rain.series(store, 1)[1] == []
    assert "无雨量预警" in rain_panel.summary.text()


def test_bad_grid_row_is_named_and_nothing_saved(rain_panel, store, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    rain_panel.fill_grid("1\t2024-06-01 01:00\t5\n1\t2024-06-01 02:00\t-4")
    assert rain_panel.save_grid() is None
    assert shown and shown[0].startswith("第 2 行：") and "负数" in shown[0]
    assert rain.series(store, 1)[1] == []


def test_overview_names_rain_patrols_due_now(qtbot, store, double):
    from hazardmap.qt.patrol.overview import PatrolOverview

    rain_gauges.assign(store, 1, "430422107253", by="测试")
    now = rain.now_ts() // 3600 * 3600
    rain.add_readings(store, [(1, now - (9 - i) * 3600, float(mm), 60) for i, (_h, mm) in enumerate(STORM)],
                      source="测试", label="测试")
    ov = PatrolOverview(double)
    qtbot.addWidget(ov)
    model = ov.table.model()
    col = model.columnCount() - 1
    texts = {model.index(r, 1).data(): model.index(r, col).data() for r in range(model.rowCount())}
    assert texts["花桥镇欧东村门冲组"] == "加密巡查（1号站 花桥镇欧东村 红色）"
    assert texts["宝盖镇高山村20组"] == ""
    assert "雨情应巡查 2 处" in ov.summary.text()
    assert fmt_time(now)   # the storm ends at the current hour


def test_export_sheets_of_warned_points_from_the_dock(rain_panel, tmp_path):
    """按预警导出 from the dock: the worker writes the cards and patrol forms of points 4 and 5 (covered by
    the red warning at 10:30); at 07:30 (blue) nothing is at 橙 or above, so nothing is written."""
    rain_panel.printer.open_folder_when_done = False
    rain_panel.fill_grid(_storm_text())
    rain_panel.save_grid()
    rain_panel.set_time("2024-06-01 10:30")
    paths = rain_panel.export_sheets(tmp_path, "橙", mask_phones=True)
    assert sorted(p.name[:3] for p in paths) == ["04_"] * 3 + ["05_"] * 3
    assert "已导出 6 个 PDF（2024-06-01 10:30 橙色及以上预警覆盖的隐患点）" == rain_panel.last_message
    rain_panel.set_time("2024-06-01 07:30")
    assert rain_panel.export_sheets(tmp_path / "无", "橙") is None
    assert "没有2024-06-01 07:30 橙色及以上预警覆盖的隐患点" in rain_panel.last_message
    assert not (tmp_path / "无").exists()
