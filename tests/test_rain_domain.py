"""Rain thresholds and warnings as pure functions: the Jianghua table at its boundaries, effective rainfall
against hand-computed values, time zones, a synthetic storm (blue -> red -> ends). Synthetic series only."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.rain import (BEIJING, COUNTY, JIANGHUA, JIANGHUA_SOURCE, CoverPoint, CoverSite, EffectiveParams,
                                   Episode, Level, Report, Series, Threshold, Trigger, Window, coverage,
                                   effective_rainfall, episodes, evaluate, fill_template, fmt_time, judge,
                                   parse_level, parse_offset, parse_time, score, table_for)

T0 = int(datetime(2024, 6, 1, 0, 0, tzinfo=BEIJING).timestamp())
H = 3600
COUNTY_TABLE = table_for(1, [Threshold(COUNTY, lv, w, mm, JIANGHUA_SOURCE) for lv, row in JIANGHUA.items()
                             for w, mm in row.items()])
NO_EFF = EffectiveParams(0.79, 3)


def test_jianghua_table_is_the_published_one():
    assert {lv.label: [JIANGHUA[lv][w] for w in (Window.H1, Window.H3, Window.H6, Window.H24)] for lv in Level} == {
        "蓝": [35, 55, 70, 100], "黄": [45, 75, 95, 130], "橙": [60, 100, 120, 160], "红": [80, 120, 150, 200]}


@pytest.mark.parametrize("window", [Window.H1, Window.H3, Window.H6, Window.H24])
@pytest.mark.parametrize("level", list(Level))
def test_each_threshold_fires_at_its_value_and_not_just_below(level, window):
    mm = JIANGHUA[level][window]
    at, below = judge({window: mm}, COUNTY_TABLE), judge({window: mm - 0.1}, COUNTY_TABLE)
    assert at[0] == level
    assert at[1][0] == Trigger(level, window, mm, mm)
    assert below[0] == (None if level is Level.BLUE else Level(level - 1))


def test_reason_names_window_value_and_level():
    level, triggers = judge({Window.H24: 142.0, Window.H1: 3.0}, COUNTY_TABLE)
    assert level is Level.YELLOW
    assert triggers[0].text == "24 小时累计 142 mm ≥ 黄色 130 mm"


def test_site_override_replaces_only_its_cell():
    ths = [Threshold(COUNTY, lv, w, mm) for lv, row in JIANGHUA.items() for w, mm in row.items()]
    ths.append(Threshold(7, Level.YELLOW, Window.H24, 120, "本局设定"))
    assert judge({Window.H24: 125}, table_for(7, ths))[0] is Level.YELLOW
    assert judge({Window.H24: 125}, table_for(8, ths))[0] is Level.BLUE


def test_effective_rainfall_by_hand():
    # today 20 + 0.79*30 + 0.79^2*10 + 0.79^3*5 = 20 + 23.7 + 6.241 + 2.465195
    assert effective_rainfall(20, [30, 10, 5], EffectiveParams(0.79, 3)) == pytest.approx(52.406195)
    # only the configured days count
    assert effective_rainfall(20, [30, 10, 5], EffectiveParams(0.5, 1)) == pytest.approx(35.0)


def test_effective_rainfall_from_a_series_uses_calendar_days_in_beijing_time():
    day = 86400
    # yesterday 30 mm (one reading at 12:00), the day before 10 mm; today 08:00 and 09:00 5 mm each
    s = Series(1, [(T0 - day + 12 * H, 30.0, 60), (T0 - 2 * day + 12 * H, 10.0, 60), (T0 + 8 * H, 5.0, 60),
                   (T0 + 9 * H, 5.0, 60)])
    assert s.effective(T0 + 9 * H, EffectiveParams(0.79, 3)) == pytest.approx(10 + 0.79 * 30 + 0.79 ** 2 * 10)
    # a reading ending at 24:00 belongs to the day it ends
    s2 = Series(1, [(T0, 40.0, 60)])
    assert s2.effective(T0 + H, EffectiveParams(0.5, 1)) == pytest.approx(20.0)


def test_effective_threshold_fires_when_set():
    ths = [Threshold(COUNTY, Level.BLUE, Window.EFFECTIVE, 50)]
    s = Series(1, [(T0 - 86400 + 12 * H, 60.0, 60), (T0 + 8 * H, 5.0, 60)])
    st = evaluate(s, table_for(1, ths), T0 + 8 * H, EffectiveParams(0.79, 3))
    assert st.level is Level.BLUE and st.triggers[0].window is Window.EFFECTIVE
    assert st.reason == "有效降雨量 52.4 mm ≥ 蓝色 50 mm"


def test_daily_total_never_counts_in_hour_windows():
    s = Series(1, [(T0 + 86400, 90.0, 1440)])
    values = s.values(T0 + 86400, NO_EFF)
    assert values[Window.H1] == 0 and values[Window.H24] == 90


def test_time_zones():
    assert parse_time("2024-06-01 08:00")[0] == T0 + 8 * H
    assert parse_time("2024-06-01 00:00", timezone.utc)[0] == T0 + 8 * H
    assert parse_time("2024-06-01T00:00:00Z")[0] == T0 + 8 * H
    assert parse_time("2024-06-01 08:00+08:00", timezone.utc)[0] == T0 + 8 * H
    assert parse_time("2024年6月1日 8时")[0] == T0 + 8 * H
    assert parse_time("2024/6/1")== (T0 + 24 * H, True)           # a day's total ends at 24:00
    assert parse_time(datetime(2024, 6, 1, 8))[0] == T0 + 8 * H     # an Excel cell, Beijing time
    assert parse_offset("UTC") is timezone.utc and parse_offset("北京时间") is BEIJING
    assert parse_offset("+09:00").utcoffset(None) == timedelta(hours=9)
    assert fmt_time(T0 + 8 * H) == "2024-06-01 08:00"
    with pytest.raises(InvalidInput):
        parse_time("2024-02-30 08:00")
    with pytest.raises(InvalidInput):
        parse_offset("火星时间")


def _storm() -> Series:
    """Synthetic: 10 mm/h for 6 h, then 40 mm/h for 3 h, then 85 mm in one hour, then dry."""
    rows = [(T0 + i * H, 10.0, 60) for i in range(1, 7)]
    rows += [(T0 + (6 + i) * H, 40.0, 60) for i in range(1, 4)]
    rows += [(T0 + 10 * H, 85.0, 60)]
    rows += [(T0 + (10 + i) * H, 0.0, 60) for i in range(1, 30)]
    return Series(1, rows)


def test_synthetic_storm_goes_blue_to_red_and_ends():
    s = _storm()
    levels = [evaluate(s, COUNTY_TABLE, T0 + i * H, NO_EFF).level for i in range(0, 40)]
    assert levels[6] is None                            # 60 mm in 6 h, 10 in the hour
    assert levels[7] is Level.BLUE                      # 6 h: 20+40+... = 90 ≥ 70
    assert Level.RED in levels
    (ep,) = episodes(s, COUNTY_TABLE, NO_EFF, T0, T0 + 40 * H)
    # by hand: 07:00 6 h = 90 ≥ 70 (blue); 08:00 6 h = 120 ≥ 120 (orange); 09:00 3 h = 120 ≥ 120 (red);
    # the 24 h sum then falls as the storm hours leave it: 165 (orange), 125 (blue), 85 (none)
    assert ep.steps == ((T0 + 7 * H, Level.BLUE), (T0 + 8 * H, Level.ORANGE), (T0 + 9 * H, Level.RED),
                        (T0 + 31 * H, Level.ORANGE), (T0 + 32 * H, Level.BLUE))
    assert (ep.start, ep.end, ep.peak) == (T0 + 7 * H, T0 + 33 * H, Level.RED)
    assert ep.peak_trigger.text == "3 小时累计 120 mm ≥ 红色 120 mm"
    assert ep.first_trigger.text == "1 小时累计 40 mm ≥ 蓝色 35 mm"
    assert evaluate(s, COUNTY_TABLE, ep.end - 1, NO_EFF).level is Level.BLUE
    assert evaluate(s, COUNTY_TABLE, ep.end, NO_EFF).level is None


def test_coverage_by_distance_township_and_edits():
    site = CoverSite(1, "花桥镇", 112.70, 26.80)
    pts = [CoverPoint(1, "花桥镇", None, None), CoverPoint(2, "茶市镇", 112.72, 26.80),
           CoverPoint(3, "茶市镇", 113.2, 26.8), CoverPoint(4, "茶市镇", 113.3, 26.8)]
    got = {c.point: c.why for c in coverage(site, pts, 5.0, {4: True, 1: False})}
    assert set(got) == {2, 4} and got[2].startswith("距离 2.0") and got[4] == "人工添加"
    nowhere = coverage(CoverSite(9, None, None, None), pts, 5.0, {})
    assert nowhere == []


def test_backtest_counts_hits_misses_false_alarms():
    ep = Episode(1, T0, T0 + 10 * H, Level.ORANGE, Trigger(Level.ORANGE, Window.H1, 60, 60),
                 Trigger(Level.BLUE, Window.H1, 35, 35), ((T0, Level.BLUE), (T0 + 2 * H, Level.ORANGE)))
    covered = {1: [1, 2]}
    reports = [Report(1, T0 + 5 * H), Report(2, T0 + 100 * H), Report(9, T0)]
    sc = score(Level.BLUE, [ep], covered, reports, after_s=24 * H)
    assert (sc.warnings, sc.points_covered, sc.hits, sc.false_alarms, sc.misses, sc.uncovered_reports) == (1, 2, 1, 1, 1, 1)
    assert sc.pod == pytest.approx(0.5) and sc.far == pytest.approx(0.5)
    assert score(Level.RED, [ep], covered, reports, 24 * H).warnings == 0


def test_levels_and_templates():
    assert parse_level("橙") is Level.ORANGE and parse_level("红色") is Level.RED and parse_level(2) is Level.YELLOW
    with pytest.raises(InvalidInput):
        parse_level("紫")
    assert fill_template("{a}+{b}", {"a": "1", "b": "2"}) == "1+2"
    with pytest.raises(InvalidInput, match="不认识"):
        fill_template("{站名}", {"站点": "x"})
