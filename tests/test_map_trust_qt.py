"""The real map page in the window (QtWebEngine, headless): payloads typed into every field that
reaches the map, and the 天地图 key, show as text and run nothing, and the window still starts."""
from __future__ import annotations

import dataclasses
from urllib.parse import quote

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWebEngineCore import QWebEngineProfile  # noqa: E402

from hazardmap.services import points as point_service  # noqa: E402
from hazardmap.services.store import open_store  # noqa: E402
from tests.test_map_trust import EXPR, MARKUP, NOQUOTE_EXEC, SCRIPT, SHORT_EXEC, SPLIT_EXEC, STMT, long_exec  # noqa: E402
from hazardmap.qt.offline_guard import RequestRecorder  # noqa: E402
from tests.test_shell_window import js, wait_until  # noqa: E402

KEY = "{{7*7}}</script><script>alert(1)</script>&x={x}"


def plan(tmp) -> dict[int, dict[str, str]]:
    """Which text goes into which field of which point (monitor names go through the service)."""
    return {
        1: {"monitor": EXPR, "threatened": STMT},
        2: {"monitor": STMT, "hazard_type": SCRIPT},
        3: {"monitor": SCRIPT, "village_group": MARKUP},       # no position: listed in the legend
        4: {"monitor": SCRIPT, "threatened": MARKUP},
        5: {"monitor": MARKUP, "village_group": NOQUOTE_EXEC},
        6: {"monitor": SHORT_EXEC, "threatened": long_exec(tmp / "PWNED")},
        7: {"monitor": SPLIT_EXEC[0], "township": EXPR},
        8: {"monitor": SPLIT_EXEC[1], "hazard_type": NOQUOTE_EXEC},
        9: {"threatened": SPLIT_EXEC[0], "township": STMT},
        10: {"threatened": SPLIT_EXEC[1], "source": NOQUOTE_EXEC},
    }


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    from hazardmap.qt.entry import close_window
    from hazardmap.qt.main_window import SETTINGS_FILE, MainWindow

    tmp = tmp_path_factory.mktemp("trust")
    mp = pytest.MonkeyPatch()
    mp.chdir(tmp)  # where the relative payloads would write
    store = open_store(tmp / "home")
    fields = plan(tmp)
    for seq, f in fields.items():
        if "monitor" in f:
            point_service.set_monitor(store, seq, name=f["monitor"])
    others = {seq: {k: v for k, v in f.items() if k != "monitor"} for seq, f in fields.items()}
    from hazardmap.services import register

    real = register.points_in_view  # what the table and the map show
    mp.setattr(register, "points_in_view",
               lambda s, *view: [dataclasses.replace(p, **others.get(p.seq, {})) for p in real(s, *view)])
    settings = QSettings(str(store.home / SETTINGS_FILE), QSettings.Format.IniFormat)
    settings.setValue("map/basemap", "tianditu")
    settings.setValue("map/tianditu_key", KEY)
    settings.sync()
    interceptor = RequestRecorder()
    profile = QWebEngineProfile.defaultProfile()
    profile.setUrlRequestInterceptor(interceptor)
    w = MainWindow(store)   # builds and loads the page with all of the above: the window must start
    w.resize(1400, 900)
    w.show()
    wait_until(lambda: w.map_view.ready)
    w.interceptor, w.tmp, w.fields = interceptor, tmp, fields
    yield w
    profile.setUrlRequestInterceptor(None)
    close_window(qapp, w)
    store.close()
    mp.undo()


def test_window_starts_and_nothing_ran(window):
    stats = js(window, "hazardmap.statsJson()")
    assert stats["ready"] and stats["points"] == 15
    assert not (window.tmp / "P").exists() and not (window.tmp / "PWNED").exists()
    page = js(window, "JSON.stringify({imgs: document.querySelectorAll('img[src=\"x\"]').length,"
                      "scripts: Array.from(document.scripts).filter(s => s.type !== 'application/json'"
                      " && s.textContent.indexOf('alert(1)') >= 0).length,"
                      "text: document.body.innerText})")
    assert page["imgs"] == 0 and page["scripts"] == 0
    assert "李49" not in page["text"]
    assert "3号 车江街道" + MARKUP in page["text"]   # the unlocated point, in the legend, as text


def test_every_payload_shows_as_typed_in_popup_and_tooltip(window):
    js(window, "(function(){window.__alerted=0; window.alert=function(){window.__alerted=1}; return '1';})()")
    tried = 0
    for seq, fields in window.fields.items():
        if seq == 3:
            continue  # no marker
        info = js(window, f"(function(){{var mk=hazardmap.markers[{seq}]; mk.openTooltip(); mk.openPopup();"
                          f"return hazardmap.markerInfo({seq});}})()")
        shown = js(window, f"JSON.stringify(hazardmap.markers[{seq}].getPopup().getElement().textContent)")
        for field, text in fields.items():
            if field == "source":
                continue  # not shown on the map
            assert text in shown, (seq, field)
            tried += 1
        if "monitor" in fields:
            assert fields["monitor"] in info["tooltip"]
    assert tried >= 15
    result = js(window, "JSON.stringify({imgs: document.querySelectorAll('img[src=\"x\"]').length,"
                        "alerted: window.__alerted})")
    assert result == {"imgs": 0, "alerted": 0}
    js(window, "(function(){hazardmap.map.closePopup(); return '1';})()")


def test_tianditu_key_is_one_encoded_query_value(window):
    tiles = [u for u in window.interceptor.remote() if "tianditu.gov.cn" in u]
    assert tiles, "no tile was asked for: the key never reached a URL"
    encoded = quote(KEY, safe="")
    assert all(u.endswith("&tk=" + encoded) for u in tiles), tiles[:2]
    assert {u.split("/")[2].split(".", 1)[1] for u in window.interceptor.remote()} == {"tianditu.gov.cn"}


@pytest.mark.parametrize("outside", [True, False])
def test_exported_page_masks_phones_when_it_leaves_the_bureau(window, tmp_path, monkeypatch, outside):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    out = tmp_path / "地图.html"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or (
        QMessageBox.StandardButton.Yes if outside else QMessageBox.StandardButton.No))
    window._on_export_page()
    assert asked and "局外" in asked[0]
    html = out.read_text(encoding="utf-8")
    phone = point_service.get_point(window.store, 1).phone
    assert (phone in html) is not outside
    assert (phone[:3] + "****" + phone[-4:] in html) is outside
