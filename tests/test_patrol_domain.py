"""The patrol entry rules: each kind of bad input is refused with a Chinese reason."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol import (
    Measurement, MeasureKind, PatrolDraft, PatrolIntervals, PointPatrolStatus, SignObservation, check_draft,
    in_flood_season, parse_at, parse_rain_mm, parse_signs, problems_of,
)
from hazardmap.domain.patrol_status import MACRO_SIGNS, Judgement

NOW = datetime(2026, 5, 10, 12, 0)


def draft(**kw) -> PatrolDraft:
    base = dict(point_seq=1, at="2026-05-10 08:00", by="罗金春", judgement=Judgement.NORMAL)
    return PatrolDraft(**(base | kw))


def test_good_draft_has_no_problems_and_is_normalised():
    d = check_draft(draft(at="2026/05/10 08:00", by=" 罗金春 ", judgement="异常", rain_mm="12.5",
                          signs=(SignObservation("渗冒混水", " 坡脚 ", "水变浑"),)), now=NOW)
    assert d.at == "2026-05-10 08:00" and d.by == "罗金春" and d.judgement is Judgement.ABNORMAL
    assert d.rain_mm == 12.5 and d.signs == (SignObservation("渗冒混水/泉水变浑", "坡脚", "水变浑"),)


@pytest.mark.parametrize("field, value, words", [
    ("at", "2026-05-10 12:01", "将来"),               # one minute in the future
    ("at", "2026-13-01 08:00", "格式不对"),
    ("at", "", "请填写巡查时间"),
    ("judgement", None, "请选择判定"),
    ("judgement", "还行", "只能是"),
    ("rain_mm", -0.1, "超出范围"),
    ("rain_mm", 1000.5, "超出范围"),
    ("rain_mm", "很大", "不是数字"),
    ("by", "  ", "巡查人"),
])
def test_each_bad_field_is_named_in_chinese(field, value, words):
    problems = problems_of(draft(**{field: value}), now=NOW)
    assert field in problems and words in problems[field]
    with pytest.raises(InvalidInput, match=words):
        check_draft(draft(**{field: value}), now=NOW)


def test_rain_bounds_are_inclusive():
    assert parse_rain_mm("0") == 0.0 and parse_rain_mm(1000) == 1000.0 and parse_rain_mm("") is None


@pytest.mark.parametrize("m, words", [
    (Measurement(MeasureKind.CRACK_GAUGE, "", -1.0), "负数"),
    (Measurement(MeasureKind.STAKE, "1号桩", None), "请填写读数"),
    (Measurement(MeasureKind.PATCH, "A", None, None), "完好或破坏"),
    (Measurement(MeasureKind.STAKE, "", 3.0, True), "只有贴片"),
])
def test_bad_measurements(m, words):
    assert words in problems_of(draft(measurements=(m,)), now=NOW)["measurements"]


def test_non_numeric_reading_is_refused():
    assert "不是数字" in problems_of(draft(measurements=(Measurement(MeasureKind.STAKE, "", "abc"),)),
                                     now=NOW)["measurements"]


def test_signs_from_the_standard_list_only():
    assert [s.sign for s in parse_signs("拉张裂缝,渗冒混水、房屋开裂")] == ["拉张裂缝", "渗冒混水/泉水变浑", "建筑变形/房屋开裂"]
    with pytest.raises(InvalidInput, match="不在标准列表"):
        parse_signs("有裂缝")
    assert all(parse_signs(s)[0].sign == s for s in MACRO_SIGNS)
    assert "重复" in problems_of(draft(signs=(SignObservation("拉张裂缝"), SignObservation("拉张裂缝"))), now=NOW)["signs"]


def test_future_date_refused_today_accepted():
    assert parse_at("2026-05-10 12:00", now=NOW) == "2026-05-10 12:00"
    with pytest.raises(InvalidInput):
        parse_at("2026-05-11", now=NOW)


def test_flood_season_interval_and_overdue():
    iv = PatrolIntervals(flood_days=7, other_days=30)
    assert in_flood_season(date(2026, 4, 1)) and in_flood_season(date(2026, 9, 30))
    assert not in_flood_season(date(2026, 3, 31)) and not in_flood_season(date(2026, 10, 1))
    assert iv.for_day(date(2026, 6, 1)) == 7 and iv.for_day(date(2026, 12, 1)) == 30
    row = PointPatrolStatus(1, "x", "y", "2026-06-01 08:00", Judgement.NORMAL, 8, 7, 1)
    assert row.overdue and row.overdue_days == 1
    assert not PointPatrolStatus(1, "x", "y", "2026-06-01 08:00", Judgement.NORMAL, 7, 7, 1).overdue
    assert PointPatrolStatus(1, "x", "y", None, None, None, 7, 0).overdue  # never patrolled


def test_typed_text_with_invisible_characters_is_refused_like_imported_text():
    """A NUL typed into a note broke every later Excel export; a name of zero-width spaces looked
    empty. Typed entry refuses what the importers refuse."""
    import pytest

    from hazardmap.domain.errors import InvalidInput
    from hazardmap.domain.patrol import check_text
    from hazardmap.domain.validation import check_name

    for bad in ("a\x00b", "\u200b\u200b", "备\x07注", "\ufeff李"):
        with pytest.raises(InvalidInput, match="看不见的字符"):
            check_text(bad, "备注")
        with pytest.raises(InvalidInput, match="看不见的字符"):
            check_name(bad)
    assert check_text("第一行\n第二行\t完", "备注") == "第一行\n第二行\t完"
    assert check_name(" 邓石生 ") == "邓石生"
