"""Rain services on a real store: thresholds and their history, readings by hand and by file (the bad files
reported by row, all or nothing, the same file twice), status, coverage, due patrols, the SMS list and the
back-test. Synthetic readings only, written by the tests."""
from __future__ import annotations

import csv
from datetime import datetime

import openpyxl
import pytest

from hazardmap.domain.errors import FileExists, InvalidInput, NotFound, StaleEdit
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.domain.patrol_status import Judgement
from hazardmap.domain.rain import BEIJING, JIANGHUA_SOURCE, Level, Window
from hazardmap.services import patrol, rain, rain_gauges
from hazardmap.services import rain_import as imp
from hazardmap.storage.schema import SCHEMA_VERSION

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

OUDONG = "430422107253"   # 花桥镇欧东村: the village of point 5 (point 4 is in the same township)
GAOSHAN = "430422106226"  # 宝盖镇高山村: point 1's village


@pytest.fixture
def sites(store):
    rain_gauges.assign(store, 1, OUDONG, by="测试")
    rain_gauges.assign(store, 2, GAOSHAN, by="测试")
    return store


def _ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=BEIJING).timestamp())


def _write_csv(path, rows, header=("站点", "时间", "雨量(mm)")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_migration_seeds_the_jianghua_table_labelled_as_another_countys(store):
    assert store.db.version == SCHEMA_VERSION
    ths = rain.thresholds(store)
    assert len(ths) == 16 and {t.source for t in ths} == {JIANGHUA_SOURCE}
    assert "非衡南县标准" in JIANGHUA_SOURCE
    assert not any(t.window is Window.EFFECTIVE for t in ths)     # none published: none invented
    cfg = rain.get_settings(store)
    assert (cfg.effective.k, cfg.effective.days, cfg.patrol_level) == (0.79, 3, Level.YELLOW)
    assert cfg.defaults == frozenset(rain.SETTING_KEYS)


def test_threshold_change_is_kept_with_who_when_old_new_and_undoes(sites):
    ch = rain.set_threshold(sites, "黄", "24h", 120, by="张三")
    assert "130 mm → 120 mm" in ch.label
    (c,) = rain.threshold_changes(sites)
    assert (c.site, c.level, c.window, c.old_mm, c.new_mm, c.changed_by) == (0, Level.YELLOW, Window.H24, 130, 120, "张三")
    assert c.changed_at
    ch.undo()
    assert [t.mm for t in rain.thresholds(sites) if t.level is Level.YELLOW and t.window is Window.H24] == [130]
    assert [(c.old_mm, c.new_mm) for c in rain.threshold_changes(sites)] == [(130, 120), (120, 130)]
    # a site override, and the order of the levels is kept
    rain.set_threshold(sites, "蓝", "1h", 30, site=1, by="张三")
    with pytest.raises(InvalidInput, match="随等级升高"):
        rain.set_threshold(sites, "黄", "1h", 30)
    rain.set_threshold(sites, "蓝", "eff", 80)
    assert any(t.window is Window.EFFECTIVE for t in rain.thresholds(sites))


def test_several_thresholds_in_one_step_are_ordered_once_and_undone_together(sites):
    # Raising 蓝 1 h above the old 黄 needs 黄 raised in the same step; each cell apart would be refused.
    with pytest.raises(InvalidInput, match="随等级升高"):
        rain.set_threshold(sites, "蓝", "1h", 50)
    ch = rain.set_thresholds(sites, {(Level.BLUE, Window.H1): 50, (Level.YELLOW, Window.H1): 55,
                                     (Level.RED, Window.H1): "80"}, by="李四")      # red unchanged: not recorded
    assert ch.label == "全县阈值（2 项）"
    assert sorted((c.level, c.old_mm, c.new_mm, c.changed_by) for c in rain.threshold_changes(sites)) == [
        (Level.BLUE, 35, 50, "李四"), (Level.YELLOW, 45, 55, "李四")]
    ch.undo()
    now = {(t.level, t.window): t for t in rain.thresholds(sites) if t.site == 0}
    assert (now[(Level.BLUE, Window.H1)].mm, now[(Level.YELLOW, Window.H1)].mm) == (35, 45)
    assert now[(Level.BLUE, Window.H1)].source == JIANGHUA_SOURCE       # the shipped label comes back too
    assert len(rain.threshold_changes(sites)) == 4
    # a site's overrides, one added and then removed in one step each
    ch = rain.set_thresholds(sites, {(Level.RED, Window.H24): 180}, site=2)
    assert "2号站红色24 小时累计阈值 未设 → 180 mm" == ch.label
    assert rain.set_thresholds(sites, {(Level.RED, Window.H24): "无"}, site=2).label.endswith("180 mm → 未设")


def test_k_and_days_as_one_step(sites):
    ch = rain.set_settings(sites, {rain.K_EFF_K: "0.85", rain.K_EFF_DAYS: "5"}, by="李四")
    assert ch.label == "修改降雨设置“衰减系数 k”、“前期天数”"
    assert (rain.get_settings(sites).effective.k, rain.get_settings(sites).effective.days) == (0.85, 5)
    with pytest.raises(InvalidInput, match="前期天数"):
        rain.set_settings(sites, {rain.K_EFF_K: "0.5", rain.K_EFF_DAYS: "99"})
    assert rain.get_settings(sites).effective.k == 0.85        # nothing written when one value is refused
    ch.undo()
    cfg = rain.get_settings(sites)
    assert (cfg.effective.k, cfg.effective.days) == (0.79, 3) and {rain.K_EFF_K, rain.K_EFF_DAYS} <= cfg.defaults


def test_reading_by_hand_status_and_undo(sites):
    ch = rain.add_reading(sites, "欧东村", "2024-06-01 08:00", 85)
    rows = {r.site.slot: r for r in rain.status(sites, "2024-06-01 08:30")}
    assert rows[1].status.level is Level.RED and rows[1].status.reason.startswith("1 小时累计 85 mm ≥ 红色 80 mm")
    assert rows[2].status.level is None and not rows[2].status.has_data
    assert {c.point for c in rows[1].covered} >= {4, 5}
    # slots with no village are shown plainly
    assert "未落实村庄" in rows[3].name
    with pytest.raises(InvalidInput, match="已有读数"):
        rain.add_reading(sites, 1, "2024-06-01 08:00", 80)
    assert rain.add_reading(sites, 1, "2024-06-01 08:00", 85) == rain.Changes()   # same value: nothing
    ch.undo()
    assert rain.series(sites, 1)[1] == []
    with pytest.raises(NotFound):
        rain.add_reading(sites, "火星村", "2024-06-01 08:00", 1)
    with pytest.raises(InvalidInput, match="负数"):
        rain.add_reading(sites, 1, "2024-06-01 09:00", -1)


def test_import_csv_twice_changes_nothing_and_undo_takes_it_back(sites, tmp_path):
    rows = [("1", f"2024-06-01 {h:02d}:00", v) for h, v in [(1, 10), (2, 20), (3, 30)]]
    rows += [("高山村", "2024-06-01 01:00", 5)]
    f = _write_csv(tmp_path / "雨量.csv", rows)
    plan, ch = imp.import_file(sites, f)
    assert len(plan.readings) == 4 and plan.zone.startswith("北京时间") and plan.interval == "每小时雨量"
    assert rain.series(sites, 1)[1] == [(_ts("2024-06-01T01:00"), 10.0, 60), (_ts("2024-06-01T02:00"), 20.0, 60),
                                        (_ts("2024-06-01T03:00"), 30.0, 60)]
    plan2, ch2 = imp.import_file(sites, f)
    assert (len(plan2.readings), plan2.unchanged, bool(ch2)) == (0, 4, False)
    ch.undo()
    with sites.db.read() as s:
        assert sites.db.rain.count(s) == 0


def test_bad_rows_are_reported_by_row_and_nothing_is_imported(sites, tmp_path):
    f = _write_csv(tmp_path / "坏.csv", [
        ("1", "2024-06-01 01:00", 10),     # row 2: good
        ("1", "2024-06-01 02:00", -3),     # row 3: negative
        ("1", "2024-06-01 02:00", 4),      # row 4: good (the negative one is not a reading)
        ("1", "2024-06-01 02:00", 4),      # row 5: duplicate of row 4
        ("1", "2024-06-01 06:00", 250),    # row 6: > 200 mm in an hour; and a gap before it
        ("99", "2024-06-01 01:00", 1),     # row 7: no such site
        ("1", "2024-13-01 01:00", 1),      # row 8: no such date
        ("1", "2024-06-01 07:00", "大"),   # row 9: not a number
    ])
    plan = imp.check_file(sites, f)
    assert [b.line for b in plan.bad] == [3, 5, 6, 7, 8, 9]
    reasons = {b.line: b.reason for b in plan.bad}
    assert "负数" in reasons[3] and "与第 4 行" in reasons[5] and "200 mm" in reasons[6]
    assert "没有站点" in reasons[7] and "不存在" in reasons[8] and "不是数字" in reasons[9]
    assert any("缺测 3 个时段" in n for n in plan.notices)
    with pytest.raises(InvalidInput, match="6 行有问题"):
        imp.apply(sites, plan)
    with sites.db.read() as s:
        assert sites.db.rain.count(s) == 0
    imp.apply(sites, plan, skip_bad=True)
    assert [mm for _t, mm, _m in rain.series(sites, 1)[1]] == [10.0, 4.0]


def test_five_minute_readings_over_200_in_an_hour(sites, tmp_path):
    rows = [("1", f"2024-06-01 01:{m:02d}", 20) for m in range(0, 60, 5)]     # 12 x 20 = 240 mm in an hour
    plan = imp.check_file(sites, _write_csv(tmp_path / "5min.csv", rows, ("站码", "时间", "5分钟雨量")))
    assert plan.interval == "每 5 分钟雨量"
    assert [b.line for b in plan.bad] == [12, 13] and "1 小时内雨量共 220 mm" in plan.bad[0].reason


def test_utc_file_is_converted_and_a_conflicting_zone_refused(sites, tmp_path):
    f = _write_csv(tmp_path / "utc.csv", [("1", "2024-06-01 00:00", 7)], ("站码", "时间（UTC）", "雨量"))
    plan, _ = imp.import_file(sites, f)
    assert "已换算为北京时间" in plan.zone
    assert rain.series(sites, 1)[1] == [(_ts("2024-06-01T08:00"), 7.0, 60)]
    with pytest.raises(InvalidInput, match="不一致"):
        imp.check_file(sites, f, tz="北京时间")
    g = _write_csv(tmp_path / "plain.csv", [("2", "2024-06-01 00:00", 7)], ("站码", "时间", "雨量"))
    imp.import_file(sites, g, tz="UTC")
    assert rain.series(sites, 2)[1] == [(_ts("2024-06-01T08:00"), 7.0, 60)]


def test_cumulative_counter_becomes_amounts_and_a_reset_is_reported(sites, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["站码", "时间", "累计雨量"])
    for h, v in [(0, 100.0), (1, 103.5), (2, 110), (3, 2)]:
        ws.append(["1", datetime(2024, 6, 1, h), v])
    wb.save(tmp_path / "cum.xlsx")
    plan = imp.check_file(sites, tmp_path / "cum.xlsx")
    assert [(r.mm, r.minutes) for r in plan.readings] == [(3.5, 60), (6.5, 60)]
    assert [b.line for b in plan.bad] == [5] and "清零" in plan.bad[0].reason
    assert any("起点" in n for n in plan.notices)


def test_daily_totals(sites, tmp_path):
    plan = imp.check_file(sites, _write_csv(tmp_path / "日.csv", [("1", "2024-06-01", 90), ("1", "2024-06-02", 12)],
                                            ("站码", "日期", "日雨量")))
    assert [(r.minutes, r.ts) for r in plan.readings] == [(1440, _ts("2024-06-02T00:00")), (1440, _ts("2024-06-03T00:00"))]


def _storm(store, slot=1, day="2024-06-01"):
    rows = [(slot, _ts(f"{day}T{h:02d}:00"), mm, 60) for h, mm in [(1, 10), (2, 10), (3, 10), (4, 10), (5, 10),
                                                                 (6, 10), (7, 40), (8, 40), (9, 40), (10, 85)]]
    return rain.add_readings(store, rows, source="测试暴雨", label="测试暴雨")


def test_due_patrols_until_a_patrol_is_recorded(sites):
    _storm(sites)
    due = rain.due_patrols(sites, "2024-06-01 10:30")
    assert {d.point for d in due} >= {4, 5}
    d5 = next(d for d in due if d.point == 5)
    assert (d5.level, d5.kind) == (Level.RED, "加密巡查")
    assert d5.since == _ts("2024-06-01T08:00")          # yellow (the setting) was reached at 08:00
    assert "红色" in d5.reason
    patrol.record(sites, PatrolDraft(5, "2024-06-01 10:15", "邓石生", Judgement.ABNORMAL))
    assert 5 not in {d.point for d in rain.due_patrols(sites, "2024-06-01 10:30")}
    assert rain.due_patrols(sites, "2024-06-01 00:30") == []


def test_warnings_list_and_sms_export(sites, tmp_path):
    _storm(sites)
    (ep,) = rain.warnings(sites, since="2024-06-01")
    assert (ep.site, ep.peak, ep.start) == (1, Level.RED, _ts("2024-06-01T07:00"))
    names = {s.slot: rain.site_name(s) for s in rain_gauges.list_sites(sites)}
    assert "花桥镇欧东村" in rain.describe_episode(ep, names)
    out = tmp_path / "短信.csv"
    n = rain.export_sms(sites, out, level="橙", at="2024-06-01 10:30", mask_phones=True)
    with open(out, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(rain.SMS_COLUMNS) and len(rows) == n + 1 >= 3
    r5 = next(r for r in rows if r[2].startswith("5 "))
    assert r5[0] == "邓石生" and r5[1] == "147****1105" and "加密巡查" in r5[5] and "红色预警" in r5[5]
    with pytest.raises(FileExists):
        rain.export_sms(sites, out, level="橙", at="2024-06-01 10:30")
    n2 = rain.export_sms(sites, tmp_path / "短信.xlsx", level="红", at="2024-06-01 10:30")
    ws = openpyxl.load_workbook(tmp_path / "短信.xlsx").active
    assert ws.max_row == n2 + 1 and ws.cell(2, 2).value.isdigit()


def test_covering_a_point_edits_only_where_the_rule_disagrees(sites):
    rows = {r.point: r for r in rain.coverage_rows(sites, 1)}
    assert rows[4].covered and rows[4].by_rule and rows[4].why.startswith(("距离", "同一乡镇"))
    assert not rows[16].covered and not rows[16].by_rule
    rain.set_covered(sites, 1, 16, True)
    rain.set_covered(sites, 1, 4, False)
    rows = {r.point: r for r in rain.coverage_rows(sites, 1)}
    assert (rows[16].covered, rows[16].why, rows[4].covered, rows[4].why) == (True, "人工添加", False, "人工移出")
    with sites.db.read() as s:
        assert sites.db.rain.coverage_edits(s)[1] == {16: True, 4: False}
    rain.set_covered(sites, 1, 4, True)       # agrees with the rule again: the edit goes, nothing is stored
    with sites.db.read() as s:
        assert sites.db.rain.coverage_edits(s)[1] == {16: True}


def test_coverage_edit_and_undo(sites):
    base = {c.point for c in rain.coverage_map(sites)[1]}
    ch = rain.set_coverage(sites, 1, 16, True)
    assert 16 in {c.point for c in rain.coverage_map(sites)[1]}
    ch.undo()
    assert {c.point for c in rain.coverage_map(sites)[1]} == base
    rain.set_coverage(sites, 1, 4, False)
    assert 4 not in {c.point for c in rain.coverage_map(sites)[1]}


def test_backtest_hits_and_false_alarms(sites):
    _storm(sites)
    _storm(sites, slot=2, day="2024-07-01")
    patrol.record(sites, PatrolDraft(5, "2024-06-01 12:00", "邓石生", Judgement.DANGER))
    patrol.record(sites, PatrolDraft(5, "2024-08-20 12:00", "邓石生", Judgement.ABNORMAL))
    bt = rain.backtest(sites, "2024-05-01", "2024-09-30")
    red = next(s for s in bt.scores if s.level is Level.RED)
    cover1 = len(rain.coverage_map(sites)[1])
    cover2 = len(rain.coverage_map(sites)[2])
    assert red.warnings == 2 and red.hits == 1 and red.misses == 1
    assert red.false_alarms == cover1 + cover2 - 1
    assert red.pod == pytest.approx(0.5)
    with pytest.raises(InvalidInput):
        rain.backtest(sites, "2024-09-30", "2024-05-01")


def test_settings_are_checked_and_undone(sites):
    ch = rain.set_setting(sites, rain.K_EFF_K, "0.8")
    assert rain.get_settings(sites).effective.k == 0.8 and rain.K_EFF_K not in rain.get_settings(sites).defaults
    ch.undo()
    assert rain.get_settings(sites).effective.k == 0.79
    with pytest.raises(InvalidInput):
        rain.set_setting(sites, rain.K_EFF_K, "1.5")
    with pytest.raises(InvalidInput, match="不认识"):
        rain.set_setting(sites, rain.K_SMS, "{站名}请巡查")
    with pytest.raises(StaleEdit):
        ch2 = rain.set_setting(sites, rain.K_COVER_KM, "8")
        rain.set_setting(sites, rain.K_COVER_KM, "9")
        ch2.undo()


def test_upgrade_from_the_schema_before_rain_keeps_edits(home):
    from hazardmap.geodata.bundled import BundledData
    from hazardmap.services.store import db_path, open_store
    from hazardmap.storage.db import Database
    from hazardmap.storage.schema import MIGRATIONS

    before = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE rain_reading" in m)
    home.mkdir(parents=True, exist_ok=True)
    db = Database.open(db_path(home), BundledData(), target_version=before)
    db.conn.execute("UPDATE rain_gauge_site SET village_code = ?, village = '欧东村', township = '花桥镇'"
                    " WHERE slot = 1", (OUDONG,))
    assert not db.rain.has_tables(db.conn)
    db.close()
    store = open_store(home)
    try:
        assert store.db.version == SCHEMA_VERSION and store.db.rain.has_tables(store.db.conn)
        assert rain_gauges.list_sites(store)[0].village == "欧东村"
        assert len(rain.thresholds(store)) == 16
        rain.add_reading(store, "欧东村", "2024-06-01 08:00", 5)
    finally:
        store.close()


@pytest.mark.parametrize("radius", ["1", "8", "30"])
def test_coverage_asked_per_site_is_the_coverage_read_from_every_point(sites, monkeypatch, radius):
    """A province's register asks the database per site for the points it could cover: the same answer as
    reading every point (radius, township, edits by hand), here with the county's points."""
    rain.set_coverage(sites, 1, 16, True)    # far away, added by hand
    rain.set_coverage(sites, 2, 1, False)    # its own point, removed by hand
    rain.set_settings(sites, {rain.K_COVER_KM: radius}, by="测试")
    whole = rain.coverage_map(sites)
    monkeypatch.setattr(rain, "COVERAGE_READ_ALL_UP_TO", 0)
    per_site = rain.coverage_map(sites)
    assert per_site == whole and any(whole.values())
