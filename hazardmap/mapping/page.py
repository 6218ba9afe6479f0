"""The map page: folium builds the Leaflet shell, our own script (static/hazardmap.js) draws the
layers from one JSON payload. Every piece of text that came from data or a user is HTML-escaped
here, in Python, before it reaches the page."""
from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Iterable

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from hazardmap.domain.patrol_status import STATUS_COLOURS, LatestPatrol, status_label
from hazardmap.domain.points import HazardPoint, Precision
from hazardmap.geodata.bundled import BundledData
from hazardmap.mapping.assets import ASSET_DIR, CSS, JS, copy_assets
from hazardmap.mapping.options import BASEMAPS, LAYERS, MapOptions, page_datum, page_to_cgcs2000, to_page_fn
from hazardmap.services import patrol_status, points as point_service, rain_gauges

__all__ = ["BASEMAPS", "LAYERS", "MapOptions", "build_map_page", "collect_payload", "page_to_cgcs2000",
           "points_update"]

_TILES = {
    "osm": dict(url="https://tile.openstreetmap.org/{z}/{x}/{y}.png", subdomains="abc", max_zoom=19,
                attribution="&copy; OpenStreetMap contributors"),
    # 天地图 web-mercator vector map plus its annotation layer; CGCS2000 = WGS-84 at map scale.
    "tianditu": dict(url="https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                         "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
                         "&TILECOL={x}&tk={key}",
                     label_url="https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                               "&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                               "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}",
                     subdomains="01234567", max_zoom=18, attribution="&copy; 天地图"),
    # AMap tiles are drawn in GCJ-02: every layer is shifted into GCJ-02 when this basemap is on.
    "amap": dict(url="https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
                     "&x={x}&y={y}&z={z}", subdomains="1234", max_zoom=18, attribution="&copy; 高德地图"),
}


def township_uncertainty_m(bundled: BundledData) -> float:
    """Radius of the dashed ring around a township-level point: the radius of a circle as large as an
    average township of this county (county area / number of townships). A point placed at its
    township seat may be anywhere in the township, so this says "somewhere around here, kilometres",
    honestly and from the data; it is an indication, not a bound."""
    geom = bundled.county_outline
    lat0 = geom.centroid.y
    # Degrees² to m² at the county's latitude: ample accuracy for a county 50 km across.
    m_per_deg = 111_320.0
    area_m2 = geom.area * m_per_deg * m_per_deg * math.cos(math.radians(lat0))
    per_township = area_m2 / max(1, len(bundled.townships))
    return round(math.sqrt(per_township / math.pi), -2)


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def point_feature(p: HazardPoint, latest: LatestPatrol | None, to_page) -> dict | None:
    """One hazard point as the page draws it; None when it has no position (listed as 未定位)."""
    if not p.located:
        return None
    lon, lat = to_page(p.lon, p.lat)
    status = status_label(latest)
    when = f"（{_e(latest.at)}）" if latest else ""
    tooltip = (f"<b>{p.seq}号 {_e(p.name)}</b><br>群测群防员：{_e(p.monitor)} {_e(p.phone)}"
               f"<br>巡查：{_e(status)}{when}")
    popup = (f"<div class='hm-popup'><b>{p.seq}号 {_e(p.name)}</b>"
             f"<br>威胁对象：{_e(p.threatened)}"
             + (f"<br>灾害类型：{_e(p.hazard_type)}" if p.hazard_type else "")
             + f"<br>群测群防员：{_e(p.monitor)}，电话 {_e(p.phone)}"
             f"<br>位置：{p.lon:.6f}, {p.lat:.6f}（CGCS2000）<br>精度：{_e(p.precision.label)}"
             f"——{_e(p.precision.print_note)}<br>最近巡查：{_e(status)}{when}</div>")
    return {"seq": p.seq, "lon": round(lon, 7), "lat": round(lat, 7), "precision": p.precision.value,
            "status": status, "colour": STATUS_COLOURS.get(status, STATUS_COLOURS["未巡查"]),
            "tooltip": tooltip, "popup": popup}


# Above this many points the page clusters them (a provincial-scale dataset) and shows tooltips
# only: 20,000 popups would double the page for text nobody opens at that scale.
CLUSTER_ABOVE = 500


def points_payload(points: Iterable[HazardPoint], latest: dict[int, LatestPatrol], options: MapOptions) -> list[dict]:
    to_page = to_page_fn(options)
    out = []
    for p in points:
        f = point_feature(p, latest.get(p.seq), to_page)
        if f:
            out.append(f)
    if len(out) > CLUSTER_ABOVE:
        for f in out:
            del f["popup"]
    return out


def _transform_geojson(gj: dict, to_page) -> dict:
    def tx(coords):
        if coords and isinstance(coords[0], (int, float)):
            x, y = to_page(coords[0], coords[1])
            return [round(x, 6), round(y, 6)]
        return [tx(c) for c in coords]

    feats = []
    for f in gj["features"]:
        g = f["geometry"]
        name = f.get("properties", {}).get("name", "")
        feats.append({"type": "Feature", "properties": {"name": _e(name)},
                      "geometry": {"type": g["type"], "coordinates": tx(g["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats}


def static_layers(bundled: BundledData, options: MapOptions) -> dict:
    """The read-only layers: county, neighbours, township seats, villages, emergency works."""
    to_page = to_page_fn(options)
    seats = []
    for t in bundled.townships:
        if t.lon is None:  # the 3 streets: no centre in any source, none invented
            continue
        lon, lat = to_page(t.lon, t.lat)
        seats.append({"lon": lon, "lat": lat, "label": _e(t.name)})
    villages = []
    for v in bundled.villages:
        if v.lon is None:
            continue
        lon, lat = to_page(v.lon, v.lat)
        villages.append({"lon": lon, "lat": lat, "label": _e(v.name), "tooltip": f"{_e(v.township)} {_e(v.name)}"})
    works_by_seq = {w.seq: w for w in bundled.emergency_works}
    works = []
    for s in bundled.emergency_work_sites:
        if s.lon is None:
            continue
        lon, lat = to_page(s.lon, s.lat)
        w = works_by_seq.get(s.work_seq)
        site = w.site if w else f"{s.township}{s.village}"
        amount = f"<br>资金 {w.amount_yuan / 10000:g} 万元" if w else ""
        works.append({"lon": lon, "lat": lat,
                      "tooltip": f"<b>2023 排危除险</b><br>{_e(site)}{amount}<br>（位置为{_e(s.village)}村庄中心）"})
    return {"county": _transform_geojson(bundled.county_geojson, to_page),
            "neighbours": _transform_geojson(bundled.neighbours_geojson(), to_page),
            "townships": seats, "villages": villages, "emergency_works": works,
            "emergency_works_unlocated": sum(1 for s in bundled.emergency_work_sites if s.lon is None)}


def rain_gauge_payload(sites, options: MapOptions) -> list[dict]:
    to_page = to_page_fn(options)
    out = []
    for s in sites:
        if not s.assigned or s.lon is None:
            continue
        lon, lat = to_page(s.lon, s.lat)
        out.append({"slot": s.slot, "lon": lon, "lat": lat,
                    "tooltip": f"<b>第 {s.slot} 号雨量计</b><br>{_e(s.township)}{_e(s.village)}（村部，位置为村庄中心）"})
    return out


def legend_payload(bundled: BundledData) -> dict:
    km = township_uncertainty_m(bundled) / 1000
    return {
        "statuses": [{"label": _e(k), "colour": v} for k, v in STATUS_COLOURS.items()],
        "precision": [
            {"cls": "village", "label": _e(Precision.VILLAGE.label) + "（实线）"},
            {"cls": "township", "label": _e(Precision.TOWNSHIP.label) + f"（虚线圈：约 {km:g} km 内）"},
            {"cls": "surveyed", "label": _e(Precision.SURVEYED.label) + "（双圈）"},
        ],
        "ring_m": township_uncertainty_m(bundled),
    }


def to_json_for_script(data: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can close it or open a comment."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class _Init(MacroElement):
    """Added to the map last, so the Leaflet map variable exists when our script starts."""
    _template = Template("""
        {% macro script(this, kwargs) %}
        hazardmap.init({{ this._parent.get_name() }}, {{ this.payload }});
        {% endmacro %}
    """)

    def __init__(self, payload_json: str) -> None:
        super().__init__()
        self._name = "HazardmapInit"
        self.payload = payload_json


def build_page(payload: dict, out_path: Path, options: MapOptions) -> Path:
    """Write the page (and its assets beside it) and return its path."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    copy_assets(out_path.parent)
    # The start view is refitted to the county outline by the script.
    m = folium.Map(location=[26.76, 112.64], zoom_start=10, tiles=None, control_scale=False,
                   zoom_control=True, prefer_canvas=False)
    # The Map's own asset lists: local files only; folium's defaults load from CDNs and show nothing offline.
    m.default_js = [(name, f"{ASSET_DIR}/{name}") for name in JS]
    if options.qt_bridge:
        m.default_js.insert(0, ("qwebchannel", "qrc:///qtwebchannel/qwebchannel.js"))
    m.default_css = [(name, f"{ASSET_DIR}/{name}") for name in CSS]
    root = m.get_root()
    root.header.add_child(Element("<title>衡南县地质灾害隐患点分布图</title>"), name="hm_title")
    _Init(to_json_for_script(payload)).add_to(m)
    m.save(str(out_path))
    return out_path


def collect_payload(store, options: MapOptions) -> dict:
    """Everything the page draws, read through the services (the same facts the CLI prints)."""
    pts = point_service.list_points(store)
    latest = patrol_status.latest_judgements(store)
    tiles = None
    if options.basemap != "offline":
        t = dict(_TILES[options.basemap])
        if options.basemap == "tianditu":
            key = options.tianditu_key.strip()
            t["url"] = t["url"].replace("{key}", key)
            t["label_url"] = t["label_url"].replace("{key}", key)
        tiles = t
    return {
        "points": points_payload(pts, latest, options),
        "unlocated": [{"seq": p.seq, "name": _e(p.name)} for p in pts if not p.located],
        "rain_gauges": rain_gauge_payload(rain_gauges.list_sites(store), options),
        "static": static_layers(store.bundled, options),
        "legend": legend_payload(store.bundled),
        "layers": [{"key": k, "label": v, "visible": k in options.visible} for k, v in LAYERS.items()],
        "tiles": tiles,
        "layer_control": options.layer_control,
        "datum": page_datum(options),
        "cluster_above": CLUSTER_ABOVE,
    }


def build_map_page(store, out_path: Path, options: MapOptions | None = None) -> Path:
    options = options or MapOptions()
    return build_page(collect_payload(store, options), out_path, options)


def points_update(store, options: MapOptions) -> dict:
    """What the window sends to a loaded page after a Changes record: points and rain gauges."""
    pts = point_service.list_points(store)
    return {"points": points_payload(pts, patrol_status.latest_judgements(store), options),
            "unlocated": [{"seq": p.seq, "name": _e(p.name)} for p in pts if not p.located],
            "rain_gauges": rain_gauge_payload(rain_gauges.list_sites(store), options)}
