"""Reference layers in the window: an import through the operation runner adds the layer to the 图层
panel and to the map page; unticking hides it on the map and on printed maps; undo takes it away."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from hazardmap.services import layer_read, reference_layers  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402


def wait_until(predicate, timeout_ms: int = 20_000) -> None:
    waited = 0
    while not predicate():
        QTest.qWait(50)
        waited += 50
        if waited > timeout_ms:
            raise AssertionError("timed out")


def js(window, expression: str):
    box = []
    window.map_view.page().runJavaScript(expression, 0, box.append)
    wait_until(lambda: box, 5000)
    return json.loads(box[0]) if isinstance(box[0], str) and box[0] else box[0]


def test_reference_layer_in_panel_and_on_map(qapp, tmp_path):
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import MainWindow

    store = open_store(tmp_path / "home")
    window = MainWindow(store)
    try:
        window.resize(1400, 900)
        window.show()
        wait_until(lambda: window.map_view.ready)
        gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"道路名称": "测试路"},
              "geometry": {"type": "LineString", "coordinates": [[112.45, 26.70], [112.85, 26.80]]}}]}
        path = tmp_path / "roads.geojson"
        path.write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
        data = layer_read.read_layer(path)
        window.runner.run(lambda st: reference_layers.import_reference(st, data, name="测试道路"), title="导入参考图层")
        (layer,) = reference_layers.list_layers(store)
        key = f"ref{layer.id}"
        assert window.layers_panel.items[key].text() == "测试道路"
        wait_until(lambda: window.map_view.ready)
        wait_until(lambda: js(window, "hazardmap.statsJson()")["visible"].get(key) is True)
        window.grab().save(str(tmp_path / "window_reference_layer.png"))
        window.layers_panel.items[key].setCheckState(Qt.CheckState.Unchecked)
        wait_until(lambda: js(window, "hazardmap.statsJson()")["visible"].get(key) is False)
        assert reference_layers.list_layers(store)[0].visible is False
        window.runner.undo()
        assert reference_layers.list_layers(store) == []
        assert key not in window.layers_panel.items
    finally:
        close_window(qapp, window)
        store.close()
