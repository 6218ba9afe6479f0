"""A large register's map in the window (the real page, headless): the page holds no points, asks for its
view through the bridge after each move, and draws the answer (clusters with counts, or the points one by
one); the township filter goes through the same query; the table lists what the map shows one by one.
The county's own points stand in for a province: the thresholds are lowered for the test."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import QSettings  # noqa: E402

from hazardmap.domain.key_lists import View, ViewKind  # noqa: E402
from hazardmap.services import map_window, register  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402
from tests.test_shell_window import js, wait_until, window_on  # noqa: E402


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    from hazardmap.qt.main_window import SETTINGS_FILE

    mp = pytest.MonkeyPatch()
    mp.setattr(map_window, "VIEW_QUERY_ABOVE", 3)   # the county's points count as a large register
    mp.setattr(map_window, "POINTS_AT_MOST", 4)     # more than 4 in the box: clusters
    store = open_store(tmp_path_factory.mktemp("province"))
    settings = QSettings(str(store.home / SETTINGS_FILE), QSettings.Format.IniFormat)
    settings.setValue("view/points", "在册")
    settings.sync()
    with window_on(qapp, store) as w:
        yield w
    mp.undo()


def drawn(window) -> int:
    return js(window, "hazardmap.viewsDrawn || 0")


def after_drawing(window, action) -> dict:
    before = drawn(window)
    action()
    wait_until(lambda: drawn(window) > before)
    return js(window, "hazardmap.statsJson()")


def cluster_counts(window) -> list[int]:
    return js(window, "JSON.stringify(Array.prototype.map.call(document.querySelectorAll('.hm-cl'),"
                      " function(e){return Number(e.textContent);}))")


def located(store) -> list:
    return [p for p in register.points_in_view(store) if p.located]


def test_the_page_carries_no_points_and_asks_for_its_view(window):
    view = window.map_view
    assert view.large and view.stats["view_query"] is True
    data = js(window, "JSON.stringify({points: hazardmap.data.points.length, asked: hazardmap.viewAsked})")
    assert data["points"] == 0 and data["asked"] >= 1          # nothing in the page; it asked
    assert set(view.last_view) == {"id", "west", "south", "east", "north", "zoom"}   # through the bridge
    # The whole county in view: clusters whose counts add up to every located point.
    counts = cluster_counts(window)
    assert counts and sum(counts) == len(located(window.store))
    assert view.stats["in_view"] == len(located(window.store)) and view.stats["points"] == 0


def test_zooming_in_draws_the_points_one_by_one_and_they_answer_clicks(window):
    p = located(window.store)[0]
    stats = after_drawing(window, lambda: js(window, f"hazardmap.map.setView([{p.lat}, {p.lon}], 17,"
                                                     " {animate: false}) && 1"))
    assert 1 <= stats["points"] <= 4 and stats["clusters"] == 0
    assert js(window, f"hazardmap.markerInfo({p.seq})") is not None
    assert p.seq in window.map_view.bridge.known_seqs            # a click on it is accepted...
    got = []
    window.map_view.sig_point_clicked.connect(got.append)
    js(window, f"hazardmap.bridge.pointClicked({p.seq}), 1")
    wait_until(lambda: got)
    assert got == [p.seq]
    # ...and the table lists exactly the points the map draws one by one.
    assert sorted(window.points_table.model.points[i].seq for i in range(len(window.points_table.model.points))) \
        == sorted(window.map_view.view_seqs)


def test_township_filter_goes_through_the_same_query(window):
    js(window, "hazardmap.map.setZoom(9, {animate: false}) && 1")
    wait_until(lambda: window.map_view.last_view and window.map_view.last_view["zoom"] == 9)
    township = located(window.store)[0].township
    expected = [p.seq for p in located(window.store) if p.township == township]
    stats = after_drawing(window, lambda: window.map_filter.choose(township, None))
    assert stats["in_view"] == len(expected)
    if stats["points"]:
        assert sorted(window.map_view.view_seqs) == sorted(expected)
    else:
        assert sum(cluster_counts(window)) == len(expected)
    legend = "JSON.stringify(document.querySelector('.hm-shown').textContent)"
    wait_until(lambda: township in js(window, legend) and f"图上 {len(expected)} 处" in js(window, legend))
    stats = after_drawing(window, lambda: window.map_filter.choose(None, None))
    assert stats["in_view"] == len(located(window.store))


def test_a_change_to_the_points_is_asked_for_again(window):
    from hazardmap.services import points as point_service

    p = located(window.store)[1]
    stats = after_drawing(window, lambda: window.store.announce(
        point_service.set_monitor(window.store, p.seq, name="测试新监测员")))
    assert stats["in_view"] == len(located(window.store))


def test_a_cluster_with_a_danger_patrol_inside_is_rimmed_red(window):
    from hazardmap.domain.patrol import PatrolDraft
    from hazardmap.services import patrol

    js(window, "hazardmap.map.setZoom(9, {animate: false}) && 1")
    wait_until(lambda: window.map_view.last_view and window.map_view.last_view["zoom"] == 9 and cluster_counts(window))
    marked = "JSON.stringify(document.querySelectorAll('.hm-cl.hm-cl-danger').length)"
    assert js(window, marked) == 0
    p = located(window.store)[2]
    after_drawing(window, lambda: window.store.announce(
        patrol.record(window.store, PatrolDraft(p.seq, "2026-05-01 08:00", "测试员", "危险"))))
    wait_until(lambda: js(window, marked) == 1)   # the grid is read again in a thread: the next draw has it
    tip = js(window, "JSON.stringify(Object.values(hazardmap.layers.points._layers).map(function (m) {"
                     " return m.getTooltip && m.getTooltip() ? m.getTooltip().getContent() : ''; }).join('|'))")
    assert "最近巡查危险 1 处" in tip


def test_a_point_a_rain_warning_covers_has_its_ring_in_the_view(window):
    """As on the county's page: the point drawn one by one carries the warning's ring and tooltip line."""
    from hazardmap.services import rain, rain_gauges

    store = window.store
    rain_gauges.assign(store, 1, "430422107253", by="测试")   # 花桥镇欧东村: covers points 4 and 5
    now = rain.now_ts() // 3600 * 3600
    store.announce(rain.add_readings(store, [(1, now - (9 - i) * 3600, float(mm), 60) for i, mm in
                                             enumerate((10, 10, 10, 10, 10, 10, 40, 40, 40, 85))],
                                     source="测试", label="测试"))
    p = next(x for x in located(store) if x.seq == 5)
    stats = after_drawing(window, lambda: js(window, f"hazardmap.map.setView([{p.lat}, {p.lon}], 16,"
                                                     " {animate: false}) && 1"))
    assert 5 in window.map_view.view_seqs and stats["rings"] >= 1
    tip = js(window, "JSON.stringify(hazardmap.markers[5].getTooltip().getContent())")
    assert "雨情：1号站" in tip and "红色预警" in tip


def test_view_choice_count_and_exported_page_still_carry_points(window, tmp_path):
    from hazardmap.mapping.options import MapOptions
    from hazardmap.mapping.page import build_map_page

    assert map_window.count(window.store, View(ViewKind.REGISTERED))[1] == len(located(window.store))
    # The exported page (no bridge) never asks: it carries every point as before.
    path = build_map_page(window.store, tmp_path / "map.html", MapOptions(view=View(ViewKind.REGISTERED)))
    html = path.read_text(encoding="utf-8")
    start = html.index('id="hazardmap-data">') + len('id="hazardmap-data">')
    data = json.loads(html[start:html.index("</script>", start)])
    assert data["view_query"] is False and len(data["points"]) == len(located(window.store))


@pytest.mark.parametrize("message", [
    "", "not json", "[]", "null", '{"id": 1}',
    '{"id": 1, "west": 112, "south": 26, "east": 113, "north": 27}',                      # no zoom
    '{"id": 1, "west": 112, "south": 26, "east": 113, "north": 27, "zoom": 9, "x": 1}',   # one key too many
    '{"id": 1, "west": 113, "south": 26, "east": 112, "north": 27, "zoom": 9}',           # west east of east
    '{"id": 1, "west": 112, "south": 28, "east": 113, "north": 27, "zoom": 9}',
    '{"id": 1, "west": 112, "south": 26, "east": 113, "north": 27, "zoom": 40}',
    '{"id": 1, "west": -200, "south": 26, "east": 113, "north": 27, "zoom": 9}',
    '{"id": 1, "west": 112, "south": 26, "east": 113, "north": 97, "zoom": 9}',
    '{"id": 1.5, "west": 112, "south": 26, "east": 113, "north": 27, "zoom": 9}',
    '{"id": -1, "west": 112, "south": 26, "east": 113, "north": 27, "zoom": 9}',
    '{"id": 1, "west": "112", "south": 26, "east": 113, "north": 27, "zoom": 9}',
    '{"id": 1, "west": true, "south": 26, "east": 113, "north": 27, "zoom": 9}',
    '{"id": 1, "west": NaN, "south": 26, "east": 113, "north": 27, "zoom": 9}',
    '{"id": 1, "west": 112, "south": 26, "east": 113, "north": 27, "zoom": 9' + " " * 2000 + "}",
])
def test_bridge_refuses_any_other_view_message(qapp, message):
    from hazardmap.qt.bridge import MapBridge

    bridge = MapBridge()
    got = []
    bridge.signals.sig_view_changed.connect(got.append)
    bridge.viewChanged(message)
    assert got == [] and bridge.rejected == 1


def test_bridge_passes_a_good_view_message(qapp):
    from hazardmap.qt.bridge import MapBridge

    bridge = MapBridge()
    got = []
    bridge.signals.sig_view_changed.connect(got.append)
    bridge.viewChanged('{"id": 3, "west": 112.1, "south": 26.2, "east": 113, "north": 27.5, "zoom": 9.25}')
    assert got == [{"id": 3, "west": 112.1, "south": 26.2, "east": 113, "north": 27.5, "zoom": 9.25}]
    assert bridge.rejected == 0
