"""The map page as a file (no Qt): offline assets, no network URL, escaping, layers, datums."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from hazardmap.domain.points import Precision
from hazardmap.mapping.assets import ASSET_DIR
from hazardmap.mapping.options import MapOptions, page_to_cgcs2000
from hazardmap.mapping.page import build_map_page, collect_payload, township_uncertainty_m
from hazardmap.services import points as point_service
from tests.conftest import ROOT

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

XSS = "<img src=x onerror=alert(1)>"
URL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s\"'<>)]*")


def page_payload(html: str) -> dict:
    """The JSON the page draws from (its data block, read by hazardmap.init)."""
    m = re.search(r'<script type="application/json" id="hazardmap-data">(.*?)</script>', html, re.S)
    assert m, "no data block in the page"
    assert "hazardmap.init(map_" in html and 'hazardmap.readData("hazardmap-data")' in html
    return json.loads(m.group(1))


@pytest.fixture
def page(store, tmp_path):
    path = build_map_page(store, tmp_path / "out" / "map.html")
    return path, path.read_text(encoding="utf-8")


def test_page_loads_only_files_beside_it(page):
    path, html = page
    srcs = re.findall(r'<script src="([^"]+)"', html) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert srcs and all(s.startswith(ASSET_DIR + "/") for s in srcs), srcs
    for s in srcs:
        assert (path.parent / s).stat().st_size > 500, s
    assert (path.parent / ASSET_DIR / "images" / "layers.png").exists()  # leaflet.css refers to it


def test_default_page_names_no_network_url(page):
    _, html = page
    assert URL.findall(html) == []
    assert "qrc:" not in html  # the browser copy has no Qt bridge to load


def test_online_basemap_is_the_only_url_when_chosen(store, tmp_path):
    html = build_map_page(store, tmp_path / "osm.html", MapOptions(basemap="osm")).read_text(encoding="utf-8")
    assert {u.split("/")[2] for u in URL.findall(html)} == {"tile.openstreetmap.org"}


def test_payload_points_precision_and_unlocated(store):
    data = collect_payload(store, MapOptions())
    points = {p["seq"]: p for p in data["points"]}
    assert len(points) == 15 and 3 not in points and [u["seq"] for u in data["unlocated"]] == [3]
    located = [p for p in point_service.list_points(store) if p.located]
    for p in located:
        assert points[p.seq]["precision"] == p.precision.value
        assert (points[p.seq]["lon"], points[p.seq]["lat"]) == pytest.approx((p.lon, p.lat), abs=1e-6)
    assert sum(1 for p in located if p.precision is Precision.TOWNSHIP) == 5
    assert {p["status"] for p in points.values()} == {"未巡查"}


def test_township_seats_are_only_those_with_a_centre(store):
    seats = collect_payload(store, MapOptions())["static"]["townships"]
    labels = {s["label"] for s in seats}
    assert len(seats) == 20
    assert not labels & {"云集街道", "车江街道", "向阳桥街道"}


def test_township_ring_radius_is_kilometres(store):
    # An average township of a ~2,600 km² county with 23 units: a few kilometres, never metres.
    assert 3_000 <= township_uncertainty_m(store.bundled) <= 9_000


def test_user_text_is_escaped_in_the_page(store, tmp_path):
    point_service.set_monitor(store, 5, name=XSS)
    html = build_map_page(store, tmp_path / "x.html").read_text(encoding="utf-8")
    assert "<img" not in html and "onerror=alert(1)>" not in html
    # The payload carries the text as typed; the page's script escapes it where it builds HTML.
    p5 = next(p for p in page_payload(html)["points"] if p["seq"] == 5)
    assert any(XSS in line for line in p5["tooltip"]) and any(XSS in line for line in p5["popup"])


def test_gcj02_basemap_shifts_every_layer_and_reads_back(store):
    plain = collect_payload(store, MapOptions())
    amap = collect_payload(store, MapOptions(basemap="amap"))
    assert amap["datum"] == "gcj02"
    a, b = plain["points"][0], amap["points"][0]
    from hazardmap.domain.coordinates import distance_m

    assert 300 < distance_m(a["lon"], a["lat"], b["lon"], b["lat"]) < 1000  # ~660 m near Hengnan
    back = page_to_cgcs2000(b["lon"], b["lat"], MapOptions(basemap="amap"))
    assert back == pytest.approx((a["lon"], a["lat"]), abs=1e-6)
    assert plain["static"]["county"] != amap["static"]["county"]


def test_rain_gauge_sites_appear_once_assigned(store):
    assert collect_payload(store, MapOptions())["rain_gauges"] == []
    village = next(v for v in store.bundled.villages if v.located)
    from hazardmap.services import rain_gauges

    rain_gauges.assign(store, 1, village.code)
    sites = collect_payload(store, MapOptions())["rain_gauges"]
    assert [s["slot"] for s in sites] == [1]
    assert (sites[0]["lon"], sites[0]["lat"]) == (village.lon, village.lat)


def test_map_html_command(cli, tmp_path):
    out = tmp_path / "page" / "衡南.html"
    code, stdout, err = cli("map-html", "--out", str(out))
    assert code == 0, err
    assert "已写出" in stdout and out.exists() and (out.parent / ASSET_DIR / "leaflet.js").exists()
    code, _, err = cli("map-html", "--out", str(tmp_path / "a.png"))
    assert code == 2 and err.startswith("错误：")
    code, _, err = cli("map-html", "--out", str(tmp_path / "t.html"), "--basemap", "tianditu")
    assert code == 2 and "密钥" in err


def test_cli_and_mapping_stay_free_of_qt_and_folium_for_other_commands():
    code = ("import sys; import hazardmap.cli, hazardmap.mapping.page; hazardmap.cli.build_parser();"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    code = "import sys, hazardmap.cli; hazardmap.cli.build_parser(); assert 'folium' not in sys.modules"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr


def test_large_datasets_drop_popups_and_cluster(store):
    from dataclasses import replace

    from hazardmap.mapping.page import CLUSTER_ABOVE, points_payload

    base = next(p for p in point_service.list_points(store) if p.located)
    many = [replace(base, seq=i) for i in range(1, CLUSTER_ABOVE + 2)]
    out = points_payload(many, {}, MapOptions())
    assert len(out) == CLUSTER_ABOVE + 1 and all("popup" not in f and f["tooltip"] for f in out)
    assert all("popup" in f for f in points_payload(many[:3], {}, MapOptions()))
    assert collect_payload(store, MapOptions())["cluster_above"] == CLUSTER_ABOVE
