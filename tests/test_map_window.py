"""The map of a large register asks for what its view shows: the points of a view in a box, counted per
grid cell when many (by the database, or by the window's in-memory grid: both must agree), filtered by
township and hazard type, with the latest patrol of only the points sent. Synthetic points, made up here."""
from __future__ import annotations

import pytest

from hazardmap.domain.key_lists import View, ViewKind
from hazardmap.domain.map_query import Box, Cell, Which
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.domain.patrol_status import Judgement
from hazardmap.domain.points import HazardPoint, PointStatus, Precision
from hazardmap.services import map_window, views

pytestmark = pytest.mark.both_backends

# Far from the county (whose seeded points lie near 112.6 E, 26.8 N): the boxes below hold only these.
SYNTHETIC = [  # seq, township, hazard type, lon, lat
    (9001, "测甲镇", "滑坡", 110.10, 28.10),
    (9002, "测甲镇", "崩塌", 110.20, 28.20),
    (9003, "测乙镇", "滑坡", 110.30, 28.30),
    (9004, "测乙镇", "滑坡", 110.60, 28.60),
    (9005, "测甲镇", "泥石流", 110.70, 28.70),
    (9006, "测甲镇", "滑坡", 111.00, 29.00),   # on the box's north-east corner: inside (edges count)
    (9007, "测甲镇", "滑坡", 111.20, 28.20),   # outside the box
]
BOX = Box(110.0, 28.0, 111.0, 29.0)
ACTIVE = Which(PointStatus.ACTIVE)


@pytest.fixture
def province(store):
    pts = [HazardPoint(seq=seq, township=t, village_group="测试组", village_code="", threatened="", hazard_type=k,
                       monitor="测试员", phone="", lon=lon, lat=lat, precision=Precision.VILLAGE, source="test")
           for seq, t, k, lon, lat in SYNTHETIC]
    with store.db.write() as s:
        store.db.points.insert_many(s, pts)
    return store


def repo_call(store, name, *args, **kwargs):
    with store.db.read() as s:
        return getattr(store.db.map_points, name)(s, *args, **kwargs)


def test_count_and_points_in_a_box_edges_included(province):
    assert repo_call(province, "count", ACTIVE, BOX) == 6
    assert [p.seq for p in repo_call(province, "in_box", ACTIVE, BOX, 100)] == [9001, 9002, 9003, 9004, 9005, 9006]
    assert [p.seq for p in repo_call(province, "in_box", ACTIVE, BOX, 2)] == [9001, 9002]   # the limit holds
    assert repo_call(province, "count", ACTIVE, Box(110.65, 28.65, 110.69, 28.69)) == 0


def test_cells_count_every_point_in_the_box_once(province):
    cells = repo_call(province, "cells", ACTIVE, BOX, 0.5)
    # Cells aligned on multiples of 0.5 degrees: [110, 110.5) x [28, 28.5) has three points, the next two,
    # and the corner point opens a cell of its own.
    assert [c.count for c in cells] == [3, 2, 1]
    assert sum(c.count for c in cells) == repo_call(province, "count", ACTIVE, BOX)
    assert cells[0].lon == pytest.approx(110.2) and cells[0].lat == pytest.approx(28.2)
    assert cells[1].lon == pytest.approx(110.65) and cells[1].lat == pytest.approx(28.65)
    # A grid finer than the points' spacing: one point per cell.
    assert [c.count for c in repo_call(province, "cells", ACTIVE, BOX, 0.05)] == [1] * 6


def test_filters_by_township_and_hazard_type(province):
    assert repo_call(province, "count", Which(township="测乙镇"), BOX) == 2
    assert repo_call(province, "count", Which(hazard_type="滑坡"), BOX) == 4
    assert repo_call(province, "count", Which(township="测甲镇", hazard_type="滑坡"), BOX) == 2
    assert sum(c.count for c in repo_call(province, "cells", Which(hazard_type="滑坡"), BOX, 0.5)) == 4
    assert "测乙镇" in repo_call(province, "townships", ACTIVE)
    assert "泥石流" in repo_call(province, "hazard_types", ACTIVE)


def test_views_a_key_list_and_retired_points(province):
    from hazardmap.services import register

    register.retire_point(province, 9003, date="2026-01-02", reason="测试核销")
    assert repo_call(province, "count", ACTIVE, BOX) == 5
    assert repo_call(province, "count", Which(PointStatus.RETIRED), BOX) == 1
    # The newest key list: exactly the located points views.points_in_view gives (none of the synthetic).
    w = map_window.which(province, None)
    assert w.key_list is not None
    located = [p.seq for p in views.points_in_view(province, None) if p.located]
    assert repo_call(province, "count", w) == len(located) and located
    assert [p.seq for p in repo_call(province, "in_box", w, None, 10_000)] == sorted(located)
    assert repo_call(province, "count", w, BOX) == 0
    assert map_window.count(province, View(ViewKind.REGISTERED))[1] == \
        len([p for p in views.points_in_view(province, View(ViewKind.REGISTERED)) if p.located])


def test_latest_patrol_only_for_the_points_asked(province):
    with province.db.write() as s:
        for seq, at, j in ((9001, "2026-03-01 09:00", Judgement.NORMAL), (9001, "2026-05-01 09:00", Judgement.DANGER),
                           (9002, "2026-04-01 09:00", Judgement.ABNORMAL)):
            province.db.patrol.insert(s, PatrolDraft(point_seq=seq, at=at, by="测试员", judgement=j),
                                      by="测试", at="2026-05-02T00:00:00+08:00")
    latest = repo_call(province, "latest", [9001, 9003])
    assert set(latest) == {9001}   # 9002 was patrolled but not asked; 9003 never patrolled
    assert latest[9001][0] == "2026-05-01 09:00" and latest[9001][2] is Judgement.DANGER


@pytest.mark.parametrize("box,zoom", [(BOX, 8), (BOX, 10), (Box(110.0, 28.0, 110.5, 28.5), 12), (Box(100, 20, 120, 35), 6)])
def test_the_window_grid_agrees_with_the_database(province, box, zoom, monkeypatch):
    monkeypatch.setattr(map_window, "POINTS_AT_MOST", 1)   # force cells for more than one point
    with province.db.write() as s:   # last patrols: 9002 危险 (after a 正常), 9003 and 9004 异常, 9005 正常
        for seq, at, j in ((9002, "2026-03-01 09:00", Judgement.NORMAL), (9002, "2026-05-01 09:00", Judgement.DANGER),
                           (9003, "2026-04-01 09:00", Judgement.ABNORMAL), (9004, "2026-04-02 09:00", Judgement.ABNORMAL),
                           (9005, "2026-04-03 09:00", Judgement.NORMAL)):
            province.db.patrol.insert(s, PatrolDraft(point_seq=seq, at=at, by="测试员", judgement=j),
                                      by="测试", at="2026-05-02T00:00:00+08:00")
    view = View(ViewKind.REGISTERED)
    grid = map_window.Grid.load(province, view)
    for kind in (None, "滑坡", "泥石流"):
        by_grid = map_window.query(province, view, box, zoom, hazard_type=kind, grid=grid)
        by_db = map_window.query(province, view, box, zoom, hazard_type=kind)
        assert by_grid.total == by_db.total
        assert [(c.count, c.danger, c.abnormal) for c in by_grid.cells] == \
            [(c.count, c.danger, c.abnormal) for c in by_db.cells]
        assert [(round(c.lon, 9), round(c.lat, 9)) for c in by_grid.cells] == \
            [(round(c.lon, 9), round(c.lat, 9)) for c in by_db.cells]
        assert sum(c.count for c in by_db.cells) == by_db.total or by_db.total <= 1


def test_query_sends_points_when_few_cells_when_many(province, monkeypatch):
    view = View(ViewKind.REGISTERED)
    grid = map_window.Grid.load(province, view)
    few = map_window.query(province, view, BOX, 9, grid=grid)
    assert few.total == 6 and [p.seq for p in few.points] == [9001, 9002, 9003, 9004, 9005, 9006] and not few.cells
    monkeypatch.setattr(map_window, "POINTS_AT_MOST", 5)
    many = map_window.query(province, view, BOX, 9, grid=grid)
    assert many.total == 6 and not many.points and sum(c.count for c in many.cells) == 6
    # A township filter goes to the database (the grid holds no townships) and gives the same answer.
    one = map_window.query(province, view, BOX, 9, township="测乙镇", grid=grid)
    assert [p.seq for p in one.points] == [9003, 9004]


def test_cell_size_halves_with_each_zoom_step():
    assert map_window.cell_size(9) == pytest.approx(map_window.cell_size(8) / 2)
    assert Cell(1, 0.0, 0.0).count == 1
    with pytest.raises(ValueError):
        Box(1.0, 0.0, 0.0, 1.0)


def test_a_cluster_says_how_many_inside_were_last_patrolled_danger_or_abnormal(province):
    with province.db.write() as s:
        for seq, at, j in ((9001, "2026-03-01 09:00", Judgement.DANGER), (9001, "2026-05-01 09:00", Judgement.NORMAL),
                           (9002, "2026-05-01 09:00", Judgement.DANGER), (9003, "2026-04-01 09:00", Judgement.ABNORMAL)):
            province.db.patrol.insert(s, PatrolDraft(point_seq=seq, at=at, by="测试员", judgement=j),
                                      by="测试", at="2026-05-02T00:00:00+08:00")
    cells = repo_call(province, "cells", ACTIVE, BOX, 0.5)
    # 9001's 危险 was followed by a 正常: only the last patrol counts
    assert [(c.count, c.danger, c.abnormal) for c in cells] == [(3, 1, 1), (2, 0, 0), (1, 0, 0)]
    grid = map_window.Grid.load(province, View(ViewKind.REGISTERED))
    assert [(c.count, c.danger, c.abnormal) for c in grid.cells(grid.select(BOX), BOX, 0.5)] == [(3, 1, 1), (2, 0, 0), (1, 0, 0)]
