"""The main window, headless, with a real map page: one window shared by the module (a WebEngine
start costs seconds). Order matters little: each test names the state it needs."""
from __future__ import annotations

import json
from contextlib import contextmanager

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import QEvent, QPoint, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWebEngineCore import QWebEngineProfile  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from hazardmap.domain.points import Precision  # noqa: E402
from hazardmap.qt.offline_guard import RequestRecorder  # noqa: E402
from hazardmap.services import points as point_service, rain_gauges  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402

XSS = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 20_000


def wait_until(predicate, timeout_ms: int = TIMEOUT_MS) -> None:
    waited = 0
    while not predicate():
        if waited >= timeout_ms:
            raise AssertionError("timed out waiting")
        QTest.qWait(20)
        waited += 20


def js(window, expression: str):
    """Evaluate in the page; expression must produce a JSON string."""
    box = []
    window.map_view.page().runJavaScript(expression, 0, box.append)
    wait_until(lambda: box, 5000)
    return json.loads(box[0]) if isinstance(box[0], str) and box[0] else box[0]


@contextmanager
def window_on(qapp, store):
    """The main window on store, shown at 1400×900 with its map ready; closed afterwards, store too."""
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import MainWindow

    window = MainWindow(store)
    window.resize(1400, 900)
    window.show()
    wait_until(lambda: window.map_view.ready)
    try:
        yield window
    finally:
        close_window(qapp, window)
        store.close()


def settled_marker(window, seq: int) -> dict:
    """The marker's place once the page has finished refitting to the window's layout."""
    last = None
    for _ in range(50):
        info = js(window, f"hazardmap.markerInfo({seq})")
        if last and (info["x"], info["y"]) == (last["x"], last["y"]):
            return info
        last = info
        QTest.qWait(100)
    raise AssertionError("marker never settled")


@pytest.fixture(scope="module")
def shell(qapp, tmp_path_factory):
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import MainWindow

    store = open_store(tmp_path_factory.mktemp("shell_home"))
    # A monitor whose name is markup: it must show as text everywhere and run nothing.
    point_service.set_monitor(store, 5, name=XSS)
    interceptor = RequestRecorder()  # tests never reach the internet, even with an online basemap on
    profile = QWebEngineProfile.defaultProfile()
    profile.setUrlRequestInterceptor(interceptor)
    window = MainWindow(store)
    window.resize(1400, 900)
    window.show()
    wait_until(lambda: window.map_view.ready)
    window.interceptor = interceptor
    yield window
    profile.setUrlRequestInterceptor(None)
    close_window(qapp, window)
    store.close()


def test_window_parts_and_seams(shell):
    from hazardmap.qt.shell import Shell

    assert shell.windowTitle().startswith("衡南县地质灾害隐患点监测")
    assert list(shell.menus) == ["file", "edit", "view", "print", "help"]
    titles = [a.text() for a in shell.menuBar().actions()]
    assert [t.split("(")[0] for t in titles] == ["文件", "编辑", "视图", "打印/导出", "帮助"]
    assert shell.details_tabs.tabText(0) == "详情"
    assert shell.menus["file"].actions()[-1] is shell.quit_action   # 退出 stays last after features attach
    assert shell.store is not None
    assert isinstance(shell, Shell)
    assert set(shell.features) == {"about", "printing", "patrol", "plan", "register", "key_lists", "fund",
                                   "rain", "layer_import", "layer_export", "server"}
    assert shell.details_tabs.tabText(1) == "巡查记录"
    assert shell.details_tabs.tabText(2) == "预案"


def test_table_has_16_rows_and_unlocated_point_has_a_locate_action(shell):
    assert shell.points_table.proxy.rowCount() == 16
    seqs_unlocated = [p.seq for p in point_service.list_points(shell.store) if not p.located]
    assert list(shell.points_table.locate_buttons) == seqs_unlocated == [3]
    QTest.mouseClick(shell.points_table.locate_buttons[3], Qt.MouseButton.LeftButton)
    dlg = shell._location_dialog
    assert dlg is not None and dlg.seq == 3 and dlg.isVisible()
    assert shell.points_table.selected_seq() == 3
    dlg.reject()


def test_map_ready_with_15_markers_and_no_network_request(shell):
    stats = js(shell, "hazardmap.statsJson()")
    assert stats["ready"] and stats["points"] == 15
    assert stats["rings"] == sum(1 for p in point_service.list_points(shell.store)
                                 if p.precision is Precision.TOWNSHIP)
    assert stats["townships"] == 20
    # the works from the database: the 2023 annex's village sites plus the located points they treat (point 5)
    assert stats["emergency_works"] == sum(1 for s in shell.store.bundled.emergency_work_sites if s.lon is not None) + 1
    assert stats["villages"] == sum(1 for v in shell.store.bundled.villages if v.located)
    assert "3号 车江街道胜利村姚家组" in js(shell, "JSON.stringify(document.querySelector('.hm-unlocated').textContent)")
    assert shell.interceptor.urls, "interceptor saw nothing: the test would prove nothing"
    assert shell.interceptor.remote() == []


def test_click_on_marker_selects_row_and_shows_details(shell):
    shell.points_table.select_seq(None)
    info = settled_marker(shell, 9)
    target = shell.map_view.focusProxy() or shell.map_view
    QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(int(info["x"]), int(info["y"])))
    wait_until(lambda: shell.current_point_seq() == 9)
    assert shell.points_table.selected_seq() == 9
    assert "长康村祁阳皂组" in shell.details.details_tab.browser.toPlainText()


def test_points_sharing_a_position_are_both_clickable(shell):
    # 11 and 12 are both known only by the 松江镇 seat: same stored position, icons side by side
    p11, p12 = settled_marker(shell, 11), settled_marker(shell, 12)
    assert (p11["lat"], p11["lon"]) == (p12["lat"], p12["lon"])
    # side by side, or one above the other when the spot beside lies under the legend (the window's
    # layout decides where the pair is when the page declutters): never one on top of the other
    assert max(abs(p11["x"] - p12["x"]), abs(p11["y"] - p12["y"])) >= 24
    target = shell.map_view.focusProxy() or shell.map_view
    for seq in (11, 12):
        shell.points_table.select_seq(None)
        # centre the pair so neither the legend nor an earlier popup covers them
        js(shell, f"hazardmap.map.closePopup(); hazardmap.map.panTo([{p11['lat']}, {p11['lon']}], {{animate: false}}); '1'")
        info = settled_marker(shell, seq)
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(int(info["x"]), int(info["y"])))
        wait_until(lambda: shell.current_point_seq() == seq)
        assert shell.points_table.selected_seq() == seq


def test_seat_labels_move_left_of_points_sitting_on_the_seat(shell):
    # points 7, 10, 11 and 12 are known only by their township seat: the label must not sit under them
    assert js(shell, "hazardmap.seatLabelsAtPoints()") == {"江口镇": 1, "泉溪镇": 1, "松江镇": 2}
    # No seat name lies under a numbered disc or runs into another seat's name; a name with no free
    # place at this zoom waits for a closer one (and no name is left under a disc to get there).
    boxes = js(shell, "JSON.stringify((function(){var r = function(e){var b = e.getBoundingClientRect();"
                      "return [b.left, b.top, b.right, b.bottom, e.textContent];};"
                      "return {labels: Array.from(document.querySelectorAll('.hm-seat-label'))"
                      ".filter(e => getComputedStyle(e).display !== 'none').map(r),"
                      "discs: Array.from(document.querySelectorAll('.hm-pt')).map(r)};})())")

    def meet(a, b):
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    labels = boxes["labels"]
    assert len(labels) >= 15 and len(boxes["discs"]) >= 15
    for i, label in enumerate(labels):
        assert not any(meet(label, d) for d in boxes["discs"]), label
        assert not any(meet(label, other) for other in labels[i + 1:]), label


def test_selecting_a_row_highlights_the_marker(shell):
    seen = []
    shell.sig_point_selected.connect(seen.append)
    shell.points_table.select_seq(7)
    wait_until(lambda: js(shell, "hazardmap.markerInfo(7)")["selected"])
    assert js(shell, "hazardmap.markerInfo(9)")["selected"] is False
    assert seen[-1] == 7 and shell.current_point_seq() == 7
    shell.sig_point_selected.disconnect(seen.append)


def test_search_filters_as_you_type(shell):
    table = shell.points_table
    for ch in "宝盖":  # typed one character at a time (QTest.keyClicks is ASCII only)
        QApplication.sendEvent(table.search, QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, ch))
    assert table.search.text() == "宝盖"
    assert table.visible_seqs() == [1, 2]
    table.search.setText("13875632658")   # a phone
    assert table.visible_seqs() == [12]
    table.search.setText("胡书林")          # a monitor
    assert table.visible_seqs() == [8]
    table.search.setText("不存在的村")
    assert table.visible_seqs() == []
    table.search.clear()
    assert len(table.visible_seqs()) == 16


def test_markup_in_a_monitor_name_shows_as_text_and_runs_nothing(shell):
    js(shell, "(function(){window.__alerted=0; window.alert=function(){window.__alerted=1};"
              "var mk=hazardmap.markers[5]; mk.openTooltip(); mk.openPopup(); return '1';})()")
    QTest.qWait(300)
    result = js(shell, "JSON.stringify({imgs: document.querySelectorAll('img[src=\"x\"]').length,"
                       "alerted: window.__alerted, text: document.querySelector('.leaflet-popup-content').textContent})")
    assert result["imgs"] == 0 and result["alerted"] == 0
    assert XSS in result["text"]
    shell.points_table.select_seq(5)
    assert XSS in shell.details.details_tab.browser.toPlainText()


def move_through_dialog(shell, seq: int, source: str):
    """Type a CGCS2000 position inside the county into the point's location dialog and save it."""
    spot = shell.store.bundled.county_outline.representative_point()  # any position inside the county
    dlg = shell.open_location_dialog(seq)
    dlg.lon.setText(f"{spot.x:.6f}")
    dlg.lat.setText(f"{spot.y:.6f}")
    dlg.datum.setCurrentIndex(dlg.datum.findData("cgcs2000"))
    dlg.source.setText(source)
    dlg.accept()
    return dlg, spot


def test_location_correction_through_the_dialog_moves_the_marker(shell):
    dlg, spot = move_through_dialog(shell, 3, "GPS 测试")
    assert dlg.error.text() == "" and not dlg.isVisible()
    wait_until(lambda: js(shell, "hazardmap.statsJson()")["points"] == 16)
    info = js(shell, "hazardmap.markerInfo(3)")
    assert (info["lon"], info["lat"]) == pytest.approx((spot.x, spot.y), abs=1e-6)
    assert 3 not in shell.points_table.locate_buttons
    assert js(shell, "JSON.stringify(document.querySelector('.hm-unlocated').textContent)") == ""
    assert point_service.get_point(shell.store, 3).precision is Precision.SURVEYED
    shell.points_table.select_seq(3)
    assert "GPS 测试" in shell.details.details_tab.browser.toPlainText()


def test_bad_coordinates_are_refused_in_chinese_and_change_nothing(shell):
    before = point_service.get_point(shell.store, 1)
    dlg = shell.open_location_dialog(1)
    dlg.lon.setText("26.7")   # swapped
    dlg.lat.setText("112.6")
    dlg.source.setText("GPS")
    dlg.accept()
    assert "填反" in dlg.error.text() and dlg.isVisible()
    dlg.lon.setText("abc")
    dlg.accept()
    assert "不是数字" in dlg.error.text()
    dlg.reject()
    assert point_service.get_point(shell.store, 1) == before


def test_map_click_in_pick_mode_fills_the_dialog(shell):
    dlg = shell.open_location_dialog(2)
    dlg._on_pick()
    assert not dlg.isVisible()
    shell.map_view.bridge.mapClicked(112.6, 26.75)
    assert dlg.isVisible() and dlg.lon.text() == "112.600000" and dlg.lat.text() == "26.750000"
    dlg.reject()


def test_bridge_refuses_unknown_points_and_bad_numbers(shell):
    rejected = shell.map_view.bridge.rejected
    shell.points_table.select_seq(1)
    shell.map_view.bridge.pointClicked(999)
    shell.map_view.bridge.cursorMoved(float("nan"), 26.0)
    shell.map_view.bridge.mapReady("not json")
    assert shell.map_view.bridge.rejected == rejected + 3
    assert shell.current_point_seq() == 1


def test_page_sees_only_the_bridge_methods_and_cannot_delete_it(shell):
    from hazardmap.qt.bridge import PAGE_METHODS

    keys = js(shell, "JSON.stringify(Object.keys(hazardmap.bridge).filter(function(k){"
                     "return k.indexOf('(') < 0 && k.indexOf('__') !== 0 && typeof hazardmap.bridge[k] === 'function'"
                     " && !/^(unwrap|propertyUpdate|signalEmitted)/.test(k);}))")
    assert set(keys) == set(PAGE_METHODS) | {"deleteLater"}   # deleteLater comes with QObject: refused below
    signals = js(shell, "JSON.stringify(Object.keys(hazardmap.bridge).filter(function(k){return k.indexOf('sig_')===0;}))")
    assert signals == []
    js(shell, "(function(){hazardmap.bridge.deleteLater(); return '1';})()")
    QTest.qWait(200)
    shell.points_table.select_seq(None)
    js(shell, "(function(){hazardmap.bridge.pointClicked(4); return '1';})()")
    wait_until(lambda: shell.current_point_seq() == 4, 5000)


def test_rain_gauge_assignment_updates_counter_and_map(shell):
    panel = shell.rain_gauge_panel
    assert "已落实 0/15" in panel.counter.text()
    village = next(v for v in shell.store.bundled.villages if v.located)
    # another feature edits through the shell's operation road: the published Changes refresh the panel
    shell.run_operation(lambda store: rain_gauges.assign(store, 2, village.code), title="指定")
    assert "已落实 1/15" in panel.counter.text()
    wait_until(lambda: js(shell, "hazardmap.statsJson()")["rain_gauges"] == 1)


def test_layer_switch_hides_a_layer(shell):
    item = shell.layers_panel.items["villages"]
    item.setCheckState(Qt.CheckState.Unchecked)
    wait_until(lambda: js(shell, "hazardmap.statsJson()")["visible"]["villages"] is False)
    assert shell.settings.value("map/hidden_layers") in (["villages"], "villages")  # remembered
    item.setCheckState(Qt.CheckState.Checked)
    wait_until(lambda: js(shell, "hazardmap.statsJson()")["visible"]["villages"] is True)


def test_status_bar_shows_cursor_position(shell):
    target = shell.map_view.focusProxy() or shell.map_view
    centre = QPoint(shell.map_view.width() // 2, shell.map_view.height() // 2)
    QTest.mouseMove(target, centre)
    QTest.mouseMove(target, centre + QPoint(5, 5))
    wait_until(lambda: "经度 112." in shell.cursor_label.text() or "经度 113." in shell.cursor_label.text(), 5000)
    assert "CGCS2000" in shell.cursor_label.text()


def test_rain_gauge_dialog_filters_assigns_by_map_click_and_undoes(shell):
    panel = shell.rain_gauge_panel
    start = rain_gauges.assigned_count(shell.store)[0]
    village = next(v for v in shell.store.bundled.villages if v.located and v.township == "花桥镇")
    dlg = panel.open_assign_dialog(5)
    dlg.township.setCurrentIndex(dlg.township.findData("花桥镇"))
    names = [dlg.villages.item(i).text() for i in range(dlg.villages.count())]
    assert names and all("花桥镇" in n for n in names)
    dlg.filter.setText(village.name)
    assert dlg.villages.count() >= 1
    dlg._on_pick()                                         # "在地图上点选村庄…"
    assert not dlg.isVisible()
    shell.map_view.bridge.mapClicked(village.lon + 0.002, village.lat)   # ~200 m east of its point
    assert dlg.isVisible()
    assert dlg.villages.currentItem().data(Qt.ItemDataRole.UserRole) == village.code
    dlg.accept()
    site = next(s for s in rain_gauges.list_sites(shell.store) if s.slot == 5)
    assert site.village_code == village.code
    assert f"已落实 {start + 1}/15" in panel.counter.text()
    assert shell.undo_stack.undoText() == f"第 5 号雨量计站点设为花桥镇{village.name}"
    assert panel.undo_button.toolTip() == "撤销：" + shell.undo_stack.undoText()
    panel.undo_button.click()
    assert next(s for s in rain_gauges.list_sites(shell.store) if s.slot == 5).village_code is None
    assert f"已落实 {start}/15" in panel.counter.text() and shell.undo_stack.canRedo()


def test_map_click_far_from_any_village_keeps_picking(shell):
    dlg = shell.rain_gauge_panel.open_assign_dialog(6)
    dlg._on_pick()
    shell.map_view.bridge.mapClicked(111.0, 28.0)   # outside the county: no village within 1 km
    assert not dlg.isVisible() and "没有名录中的村庄" in shell.statusBar().currentMessage()
    # Esc (typed in the window) cancels the pick and brings the dialog back
    QTest.keyClick(focus(shell, shell.points_table.view), Qt.Key.Key_Escape)
    assert dlg.isVisible() and shell.statusBar().currentMessage() == ""
    dlg.reject()


def test_gcj02_basemap_shifts_markers_and_reads_positions_back(shell):
    from hazardmap.geodata.gcj02 import wgs84_to_gcj02

    before = len(shell.interceptor.remote())
    p1 = point_service.get_point(shell.store, 1)
    shell.set_basemap("amap")
    wait_until(lambda: shell.map_view.ready and shell.map_view.options.basemap == "amap")
    assert js(shell, "hazardmap.statsJson()")["datum"] == "gcj02"
    info = js(shell, "hazardmap.markerInfo(1)")
    assert (info["lon"], info["lat"]) == pytest.approx(wgs84_to_gcj02(p1.lon, p1.lat), abs=1e-6)
    glon, glat = wgs84_to_gcj02(p1.lon, p1.lat)
    shell.map_view.bridge.cursorMoved(glon, glat)   # the page speaks GCJ-02; the status bar CGCS2000
    assert f"经度 {p1.lon:.6f}" in shell.cursor_label.text()
    tiles = shell.interceptor.remote()[before:]
    assert tiles and all("autonavi.com" in u for u in tiles)   # only the chosen basemap was asked for
    shell.set_basemap("offline")
    wait_until(lambda: shell.map_view.ready and shell.map_view.options.basemap == "offline")
    n = len(shell.interceptor.remote())
    info = js(shell, "hazardmap.markerInfo(1)")
    assert (info["lon"], info["lat"]) == pytest.approx((p1.lon, p1.lat), abs=1e-6)
    QTest.qWait(300)
    assert len(shell.interceptor.remote()) == n
    assert shell.settings.value("map/basemap") == "offline"


def test_village_names_appear_only_at_closer_zoom(shell):
    def label_display():
        return js(shell, "JSON.stringify(getComputedStyle(document.querySelector('.hm-village-label')).display)")

    js(shell, "(function(){hazardmap.map.setZoom(10, {animate:false}); return '1';})()")
    assert label_display() == "none"
    js(shell, "(function(){hazardmap.map.setZoom(12, {animate:false}); return '1';})()")
    wait_until(lambda: label_display() == "block", 5000)


def test_a_patrol_judgement_recolours_the_point_at_once(shell, monkeypatch):
    from hazardmap.domain.changes import Changes
    from hazardmap.domain.patrol_status import STATUS_COLOURS, Judgement, LatestPatrol
    from hazardmap.services import patrol_status

    # The patrol feature owns the judgements; here its read seam answers as it will once logs exist.
    latest = {5: LatestPatrol(5, Judgement.ABNORMAL, "2026-05-03 08:00")}
    monkeypatch.setattr(patrol_status, "latest_judgements", lambda store: latest)
    shell.store.announce(Changes(patrol_points=frozenset({5})))
    wait_until(lambda: js(shell, "hazardmap.markerInfo(5)")["status"] == "异常")
    r, g, b = (int(STATUS_COLOURS["异常"][i:i + 2], 16) for i in (1, 3, 5))
    assert js(shell, "hazardmap.markerInfo(5)")["colour"] == f"rgb({r}, {g}, {b})"
    row = shell.points_table.model.row_of(5)
    assert shell.points_table.model.index(row, 7).data() == "异常 2026-05-03 08:00"
    monkeypatch.undo()
    shell.store.announce(Changes(patrol_points=frozenset({5})))
    wait_until(lambda: js(shell, "hazardmap.markerInfo(5)")["status"] == "未巡查")


def test_table_sorts_numbers_as_numbers_and_keeps_the_selection(shell):
    table = shell.points_table
    table.select_seq(10)
    table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert table.visible_seqs()[:3] == [16, 15, 14]   # not "9, 8, 7" as text would sort
    assert table.selected_seq() == 10
    table.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    townships = [table.proxy.index(r, 1).data() for r in range(table.proxy.rowCount())]
    assert townships == sorted(townships)
    table.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert table.visible_seqs() == list(range(1, 17))


def test_imported_rain_gauge_list_refreshes_counter_and_map_then_undoes(shell, tmp_path):
    # A list with a code and a name unique in the county (gazetteer names: test inputs, not data).
    panel = shell.rain_gauge_panel
    start = rain_gauges.assigned_count(shell.store)[0]
    (tmp_path / "名单.csv").write_text("村名,乡镇\n檀市村,栗江镇\n430422122245,\n", encoding="utf-8-sig")
    report = panel.import_file(str(tmp_path / "名单.csv"))
    assert len(report.new_assignments) == 2 and not report.bad
    assert f"已落实 {start + 2}/15" in panel.counter.text()   # refreshed through the change bus
    wait_until(lambda: js(shell, "hazardmap.statsJson()")["rain_gauges"] == start + 2)
    panel.result_dialog.close()
    assert shell.undo_stack.undoText().startswith("导入")
    shell.undo()
    assert f"已落实 {start}/15" in panel.counter.text()
    wait_until(lambda: js(shell, "hazardmap.statsJson()")["rain_gauges"] == start)


def key(widget, letter: str) -> None:
    """Ctrl+<letter> as a person types it, to whichever widget has the focus."""
    QTest.keyClick(widget, getattr(Qt.Key, f"Key_{letter}"), Qt.KeyboardModifier.ControlModifier)


def focus(shell, widget):
    shell.activateWindow()
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    wait_until(lambda: QApplication.focusWidget() is widget, 5000)
    return widget


def test_ctrl_z_undoes_a_patrol_add_a_rain_gauge_and_a_point_move_in_reverse_then_ctrl_y_redoes(shell):
    from hazardmap.domain.patrol import PatrolDraft
    from hazardmap.domain.patrol_status import Judgement
    from hazardmap.services import patrol

    store, stack = shell.store, shell.undo_stack
    shell.undo_stack.clear()
    tab = shell.features["patrol"].tab
    village = next(v for v in store.bundled.villages if v.located and v.township == "栗江镇")
    spot = store.bundled.county_outline.representative_point()
    before_p8 = point_service.get_point(store, 8)

    def slot9():
        return next(s for s in rain_gauges.list_sites(store) if s.slot == 9).village_code

    def p8():
        return point_service.get_point(store, 8)

    def entries():
        return [e.id for e in patrol.list_entries(store, point=8)]

    # 1. a patrol log for point 8, saved from its tab
    shell.select_point(8)
    entry_id = tab.save_new(PatrolDraft(8, "2026-05-03 08:30", "测试员", Judgement.ABNORMAL))
    assert entries() == [entry_id] and tab.table.rowCount() == 1
    # 2. rain gauge 9 put in a village through its dialog
    dlg = shell.rain_gauge_panel.open_assign_dialog(9)
    dlg.filter.setText(village.name)
    dlg.select_village(village.code)
    dlg.accept()
    assert slot9() == village.code
    # 3. point 8 moved through the location dialog
    move_through_dialog(shell, 8, "GPS 撤销测试")
    assert (p8().lon, p8().lat) == pytest.approx((spot.x, spot.y), abs=1e-6)
    assert stack.count() == 3
    assert shell.undo_action.text() == "撤销 修改第 8 号点位置"   # 编辑 > 撤销 names the step
    assert shell.undo_action in shell.menus["edit"].actions() and shell.redo_action in shell.menus["edit"].actions()

    # Ctrl+Z from the points table: the move goes back
    key(focus(shell, shell.points_table.view), "Z")
    assert (p8().lon, p8().lat, p8().precision) == (before_p8.lon, before_p8.lat, before_p8.precision)
    assert slot9() == village.code and entries() == [entry_id]
    # Ctrl+Z from the map: the rain gauge is cleared
    web = shell.map_view.focusProxy()
    key(focus(shell, web), "Z")
    assert slot9() is None and entries() == [entry_id]
    # Ctrl+Z from the patrol tab's table: the patrol log goes to the 回收站
    key(focus(shell, tab.table), "Z")
    assert entries() == [] and [e.id for e in patrol.list_entries(store, binned=True)] == [entry_id]
    assert tab.table.rowCount() == 0 and not stack.canUndo()
    assert shell.redo_action.text().startswith("重做 新增巡查记录")

    # Ctrl+Y three times, from the map: the same three steps again, in order
    focus(shell, web)
    key(web, "Y")
    assert entries() == [entry_id] and slot9() is None
    key(web, "Y")
    assert slot9() == village.code
    key(web, "Y")
    assert (p8().lon, p8().lat) == pytest.approx((spot.x, spot.y), abs=1e-6)
    assert stack.index() == 3 and not stack.canRedo()


def test_backup_restore_empties_the_whole_undo_stack(shell):
    from hazardmap.qt.patrol.dialogs import BackupDialog
    from hazardmap.services import backup

    backup.make_backup(shell.store)
    shell.run_operation(lambda store: point_service.set_monitor(store, 4, name="恢复前", phone="13900000000"),
                        title="更换")
    assert shell.undo_stack.count() >= 1 and point_service.get_point(shell.store, 4).monitor == "恢复前"
    dialog = BackupDialog(shell, shell)
    newest = max(range(len(dialog.backups)), key=lambda i: dialog.backups[i].created)
    dialog.table.selectRow(newest)
    dialog.restore_selected(confirm=False)
    dialog.close()
    assert point_service.get_point(shell.store, 4).monitor != "恢复前"
    assert shell.undo_stack.count() == 0 and not shell.undo_action.isEnabled()
    wait_until(lambda: shell.points_table.model.index(shell.points_table.model.row_of(4), 4).data() != "恢复前")


def test_works_on_the_map_by_status_follow_a_fund_change(shell, tmp_path):
    from hazardmap.services import works

    def drawn():
        return js(shell, "hazardmap.worksInfo()")

    w5 = next(w for w in works.list_works(shell.store, 2023) if w.seq == 5)
    at5 = [i for i in drawn() if i["seq"] == 5]
    assert len(at5) == 2 and {i["status"] for i in at5} == {"计划"}
    assert at5[0]["colour"] in ("rgb(117, 117, 117)", "#757575")
    popup = next(i["popup"] for i in at5 if "第 5 号隐患点的位置" in i["popup"])
    for words in ("2023年排危除险第 5 项", "地点：花桥镇欧东村门冲组滑坡", "预算：61,000 元", "进度：计划",
                  "治理的隐患点：第 5 号"):
        assert words in popup, words
    assert any("图上位置：花桥镇伞峰村村庄中心" in i["popup"] for i in at5)
    legend = js(shell, "JSON.stringify(document.querySelector('.hm-legend').textContent)")
    assert "排危除险工程（另 2 项无坐标）" in legend  # item 2 (its point 3 has no position) and item 6 and all(s in legend for s in ("计划", "实施中", "完工", "验收"))
    ch = shell.run_operation(lambda st: works.set_status(st, w5.id, "实施中", on="2023-07-01"), title="t")
    wait_until(lambda: {i["status"] for i in drawn() if i["seq"] == 5} == {"实施中"})
    assert all("进度：实施中（2023-07-01）" in i["popup"] for i in drawn() if i["seq"] == 5)
    assert {i["status"] for i in drawn() if i["seq"] != 5} == {"计划"}
    js(shell, "(function(){var w = hazardmap.works.filter(function(w){return w.seq === 5;})[0];"
              " hazardmap.map.setView(w.marker.getLatLng(), 11, {animate: false});"
              " hazardmap.map.panBy([150, -120], {animate: false}); w.marker.openPopup(); return '1';})()")
    QTest.qWait(300)
    shell.grab().save(str(tmp_path / "works_on_map.png"))
    js(shell, "(function(){hazardmap.map.closePopup(); return '1';})()")
    assert ch is not None
    shell.runner.undo_stack.undo()
    wait_until(lambda: {i["status"] for i in drawn() if i["seq"] == 5} == {"计划"})


def test_a_file_database_offers_every_edit(qtbot, store):
    """for_editors hides only on a viewer's server desk (tests/test_server_qt.py); a data file is never read-only."""
    from PySide6.QtWidgets import QPushButton, QWidget

    from hazardmap.qt.buttons import for_editors

    host = QWidget()
    qtbot.addWidget(host)
    button = QPushButton("保存", host)
    for_editors(store, button)
    host.show()
    assert store.read_only is False and button.isVisible()
