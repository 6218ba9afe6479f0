"""The map shows what matters first (the real page in the window, headless): markers stacked by
severity (危险 over 异常 over the rest, hazard points over rain gauges over works), no symbol hidden
under another at any zoom, and the start view fitted to the county."""
from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from hazardmap.domain.patrol import PatrolDraft  # noqa: E402
from hazardmap.domain.patrol_status import Judgement  # noqa: E402
from hazardmap.services import patrol, points as point_service, rain_gauges  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402
from tests.test_shell_window import js, settled_marker, window_on  # noqa: E402


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("stacking"))
    # Point 4 危险, point 5 异常, and rain gauge 1 on point 4's own village centre.
    patrol.record(store, PatrolDraft(point_seq=4, at="2026-05-03 08:00", by="", judgement=Judgement.DANGER,
                                     action="撤离"))
    patrol.record(store, PatrolDraft(point_seq=5, at="2026-05-03 08:00", by="", judgement=Judgement.ABNORMAL))
    rain_gauges.assign(store, 1, point_service.get_point(store, 4).village_code)
    with window_on(qapp, store) as w:
        yield w


def close_all(window) -> None:
    js(window, "(function(){hazardmap.map.closePopup(); Object.keys(hazardmap.markers).forEach(function(k){"
               "hazardmap.markers[k].closeTooltip();}); return '1';})()")


def test_severity_draws_danger_over_abnormal_over_the_rest_and_points_over_gauges(window):
    z = js(window, "JSON.stringify((function(){"
                   "var zi = function(el){return [Number(getComputedStyle(el.parentElement).zIndex),"
                   " Number(el.style.zIndex)];};"
                   "var gauge = document.querySelector('.hm-rg').closest('.leaflet-marker-icon');"
                   "var work = document.querySelector('.hm-ew').closest('.leaflet-marker-icon');"
                   "return {danger: zi(hazardmap.markers[4].getElement()), abnormal: zi(hazardmap.markers[5].getElement()),"
                   " normal: zi(hazardmap.markers[1].getElement()), gauge: zi(gauge), work: zi(work)};})())")
    # [pane z-index, marker z-index inside the pane]: compared as pairs, pane first
    assert z["danger"] > z["abnormal"] > z["normal"] > z["gauge"] > z["work"], z
    assert z["danger"][0] == z["normal"][0]  # one pane for points: severity orders inside it


def test_a_gauge_on_a_danger_point_is_moved_beside_it_not_hidden(window):
    # Gauge 1 stands on point 4's village centre: both must be the topmost element at their centres.
    close_all(window)
    info = settled_marker(window, 4)
    hit = js(window, "JSON.stringify((function(){"
                     "var centre = function(el){var b = el.getBoundingClientRect(); return [b.left + b.width / 2, b.top + b.height / 2];};"
                     "var pt = hazardmap.markers[4].getElement().querySelector('.hm-pt');"
                     "var rg = document.querySelector('.hm-rg');"
                     "var a = centre(pt), b = centre(rg);"
                     "return {pt: document.elementFromPoint(a[0], a[1]) === pt,"
                     " rg: !!document.elementFromPoint(b[0], b[1]).closest('.hm-rg-wrap'), at: document.elementFromPoint(b[0], b[1]).outerHTML.slice(0, 200), b: b, a: a,"
                     " apart: Math.hypot(a[0] - b[0], a[1] - b[1])};})())")
    assert hit["pt"] and hit["rg"] and hit["apart"] >= 20, hit
    assert info["dx"] == 0 and info["dy"] == 0  # the 危险 point keeps its true place; the gauge moves


@pytest.mark.parametrize("zoom", [8, 9, 10, 11, 12])
def test_no_marker_covers_another_at_any_zoom(window, zoom):
    js(window, f"(function(){{hazardmap.map.setZoom({zoom}, {{animate: false}}); return '1';}})()")
    boxes = js(window, "JSON.stringify(Array.from(document.querySelectorAll('.hm-pt, .hm-rg-wrap, .hm-ew'))"
                       ".map(function(e){var b = e.getBoundingClientRect();"
                       " return [b.left, b.top, b.right, b.bottom, e.textContent];}))")
    assert len(boxes) >= 16
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
            assert min(overlap) <= 1, (zoom, a, b)  # touching is fine, covering is not


def test_points_1_and_2_are_both_visible_at_the_start_view(window):
    js(window, "(function(){hazardmap.userMoved = false; hazardmap.map.fire('resize'); return '1';})()")
    p1, p2 = settled_marker(window, 1), settled_marker(window, 2)
    assert abs(p1["x"] - p2["x"]) >= 26 or abs(p1["y"] - p2["y"]) >= 26, (p1, p2)


def test_start_view_shows_the_whole_county(window):
    js(window, "(function(){hazardmap.userMoved = false; hazardmap.map.fire('resize'); return '1';})()")
    fit = js(window, "JSON.stringify((function(){var m = hazardmap.map, b = hazardmap.countyOutline.getBounds();"
                     "var nw = m.latLngToContainerPoint(b.getNorthWest()), se = m.latLngToContainerPoint(b.getSouthEast());"
                     "var s = m.getSize(); return {x0: nw.x, y0: nw.y, x1: se.x, y1: se.y, w: s.x, h: s.y};})())")
    assert 0 <= fit["x0"] < fit["x1"] <= fit["w"] and 0 <= fit["y0"] < fit["y1"] <= fit["h"]
    # Snug: the county fills most of the width or the height left beside the legend.
    assert (fit["x1"] - fit["x0"]) / fit["w"] > 0.5 or (fit["y1"] - fit["y0"]) / fit["h"] > 0.7, fit


@pytest.mark.parametrize("zoom", [9, 10, 11])
def test_seat_names_are_clear_of_symbols_and_of_each_other(window, zoom):
    js(window, f"(function(){{hazardmap.map.setZoom({zoom}, {{animate: false}}); return '1';}})()")
    found = js(window, "JSON.stringify((function(){var r = function(e){var b = e.getBoundingClientRect();"
                       "return [b.left, b.top, b.right, b.bottom, e.textContent];};"
                       "return {labels: Array.from(document.querySelectorAll('.hm-seat-label'))"
                       ".filter(e => getComputedStyle(e).display !== 'none').map(r),"
                       "symbols: Array.from(document.querySelectorAll('.hm-pt, .hm-rg-wrap, .hm-ew, .hm-seat')).map(r)};})())")
    labels = found["labels"]
    if zoom >= 10:
        assert len(labels) == 20   # close enough for every name
    for i, a in enumerate(labels):
        for b in found["symbols"] + labels[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
            assert min(overlap) <= 0, (zoom, a, b)


def test_legend_explains_the_gauge_colours_and_the_ring_on_covered_points(window):
    """The rain section: gauges grey (no readings), green (no warning), 蓝/黄/橙/红, and the ring a covered
    point gets, each symbol in the colour the map draws it in."""
    from hazardmap.domain.rain import NO_DATA_COLOUR, NO_WARNING_COLOUR, Level

    info = js(window, "JSON.stringify((function(){var l = document.querySelector('.hm-legend');"
                      " var rows = Array.from(l.querySelectorAll('.hm-rain-row .hm-rg'));"
                      " return {text: l.textContent, colours: rows.map(function(e){return e.style.background;}),"
                      " ring: l.querySelector('.hm-ring-sample').style.outlineColor};})())")
    assert "雨量计站点（当前预警等级）无读数 无预警 预警 蓝 黄 橙 红 预警覆盖的隐患点（外圈为预警色，应巡查）" in info["text"]

    def rgb(hex_colour: str) -> str:
        return "rgb(" + ", ".join(str(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5)) + ")"
    assert info["colours"] == [rgb(c) for c in (NO_DATA_COLOUR, NO_WARNING_COLOUR, *(lv.colour for lv in Level))]
    assert info["ring"] == rgb(Level.ORANGE.colour)
