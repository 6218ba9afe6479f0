"""The map page: folium builds the Leaflet shell, our own script (static/hazardmap.js) draws the
layers from one JSON payload.

No text from data or a user ever passes through a template: folium/branca render their Jinja
templates twice (an element's output becomes a new template), so a monitor named `李{{7*7}}` would
show as 李49 and `{{ … }}` could run code. The shell is rendered with constants only; the payload
is put into the finished HTML afterwards as a JSON data block (escaped for a <script> element) that
the page's script parses. The payload carries plain text; the script escapes it where it builds HTML."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterable
from urllib.parse import quote

from hazardmap.domain.fund import WORK_STATUS_COLOURS, yuan_whole
from hazardmap.domain.patrol_status import STATUS_COLOURS, LatestPatrol, status_label
from hazardmap.domain.points import HazardPoint, Precision, mask_phone
from hazardmap.files import write_text
from hazardmap.geodata.bundled import BundledData
from hazardmap.mapping.assets import copy_assets
from hazardmap.mapping.shell import page_shell
from hazardmap.mapping.options import BASEMAPS, LAYERS, MapOptions, page_datum, page_to_cgcs2000, to_page_fn
from hazardmap.services import map_window, patrol_status, rain_gauges, views, works

__all__ = ["BASEMAPS", "LAYERS", "MapOptions", "build_map_page", "collect_payload", "page_to_cgcs2000",
           "points_update", "view_payload", "view_query_mode"]

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


def point_feature(p: HazardPoint, latest: LatestPatrol | None, to_page, mask_phones: bool = False) -> dict | None:
    """One hazard point as the page draws it; None when it has no position (listed as 未定位).
    tooltip and popup are lists of plain-text lines (the first one bold); the page escapes them."""
    if not p.located:
        return None
    lon, lat = to_page(p.lon, p.lat)
    status = status_label(latest)
    when = f"（{latest.at}）" if latest else ""
    phone = mask_phone(p.phone) if mask_phones and p.phone else p.phone
    title = f"{p.seq}号 {p.name}"
    tooltip = [title, f"群测群防员：{p.monitor} {phone}", f"巡查：{status}{when}"]
    popup = [title, f"威胁对象：{p.threatened}"]
    if p.hazard_type:
        popup.append(f"灾害类型：{p.hazard_type}")
    popup += [f"群测群防员：{p.monitor}，电话 {phone}", f"位置：{p.lon:.6f}, {p.lat:.6f}（CGCS2000）",
              f"精度：{p.precision.label}——{p.precision.print_note}", f"最近巡查：{status}{when}"]
    return {"seq": p.seq, "lon": round(lon, 7), "lat": round(lat, 7), "precision": p.precision.value,
            "township": p.township,
            "status": status, "colour": STATUS_COLOURS.get(status, STATUS_COLOURS["未巡查"]),
            "tooltip": tooltip, "popup": popup}


# Above this many points the page clusters them (a provincial-scale dataset) and shows tooltips
# only: 20,000 popups would double the page for text nobody opens at that scale.
CLUSTER_ABOVE = 500


def _filtered(points: Iterable[HazardPoint], options: MapOptions) -> Iterable[HazardPoint]:
    """The window's township / hazard-type filter (None: all)."""
    return (p for p in points if (options.township is None or p.township == options.township)
            and (options.hazard_type is None or p.hazard_type == options.hazard_type))


def points_payload(points: Iterable[HazardPoint], latest: dict[int, LatestPatrol], options: MapOptions) -> list[dict]:
    to_page = to_page_fn(options)
    out = []
    for p in _filtered(points, options):
        f = point_feature(p, latest.get(p.seq), to_page, options.mask_phones)
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
        feats.append({"type": "Feature", "properties": {"name": str(name)},
                      "geometry": {"type": g["type"], "coordinates": tx(g["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats}


def reference_payload(store, options: MapOptions) -> tuple[list[dict], dict]:
    """The reference layers (services/reference_layers.py) as GeoJSON in the page's datum, and the
    township boundaries by name (drawn instead of the ring around a township-precision point)."""
    from shapely.geometry import mapping

    from hazardmap.services import reference_layers

    to_page = to_page_fn(options)
    layers, areas = [], {}
    for ls in reference_layers.shapes(store, visible_only=False):
        gj = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"name": label}, "geometry": mapping(geom)} for label, geom in ls.shapes]}
        gj = _transform_geojson(gj, to_page)
        layers.append({"key": f"ref{ls.layer.id}", "label": ls.layer.name, "kind": ls.layer.kind,
                       "role": ls.layer.role.value, "visible": ls.layer.visible, "geojson": gj})
        if ls.layer.role.value == "township" and ls.layer.visible:
            for f in gj["features"]:
                areas.setdefault(f["properties"]["name"], f["geometry"])
    return layers, areas


def static_layers(bundled: BundledData, options: MapOptions) -> dict:
    """The read-only layers: county, neighbours, township seats, villages."""
    to_page = to_page_fn(options)
    seats = []
    for t in bundled.townships:
        if t.lon is None:  # the 3 streets: no centre in any source, none invented
            continue
        lon, lat = to_page(t.lon, t.lat)
        seats.append({"lon": lon, "lat": lat, "label": t.name})
    villages = []
    for v in bundled.villages:
        if v.lon is None:
            continue
        lon, lat = to_page(v.lon, v.lat)
        villages.append({"lon": lon, "lat": lat, "label": v.name, "tooltip": [f"{v.township} {v.name}"]})
    return {"county": _transform_geojson(bundled.county_geojson, to_page),
            "neighbours": _transform_geojson(bundled.neighbours_geojson(), to_page),
            "townships": seats, "villages": villages}


def works_payload(store, options: MapOptions) -> dict:
    """The 排危除险 works from the database, one marker per known place (services/works.py work_places),
    coloured by status; tooltip and popup are plain-text lines. `unlocated`: works with no known place."""
    to_page = to_page_fn(options)
    out, unlocated = [], 0
    for w, places, treated in works.work_places(store):
        if not places:
            unlocated += 1
            continue
        title = f"{w.year}年排危除险第 {w.seq} 项"
        status = works.status_text(w)
        points = "、".join(f"第 {p.seq} 号 {p.name}" + ("（已核销）" if p.retired else "") for p in treated) or "未登记"
        for place in places:
            lon, lat = to_page(place.lon, place.lat)
            out.append({"id": w.id, "year": w.year, "seq": w.seq, "lon": round(lon, 7), "lat": round(lat, 7),
                        "status": w.status.value, "colour": WORK_STATUS_COLOURS[w.status],
                        "tooltip": [title, f"进度：{status}", f"预算：{yuan_whole(w.budget_fen)} 元"],
                        "popup": [title, f"地点：{w.site}", f"预算：{yuan_whole(w.budget_fen)} 元", f"进度：{status}",
                                  f"治理的隐患点：{points}", f"图上位置：{place.note}"]})
    return {"works": out, "unlocated": unlocated}


def rain_gauge_payload(sites, options: MapOptions, warn: dict[int, dict] | None = None) -> list[dict]:
    to_page = to_page_fn(options)
    out = []
    for s in sites:
        if not s.active or s.lon is None:   # no village yet, or the gauge was removed
            continue
        lon, lat = to_page(s.lon, s.lat)
        first = f"第 {s.slot} 号雨量计（{s.batch_label}）" + (f"，站码 {s.station_code}" if s.station_code else "")
        item = {"slot": s.slot, "lon": lon, "lat": lat, "tooltip": [first, f"{s.township}{s.village}（位置为村庄中心）"]}
        w = (warn or {}).get(s.slot)
        if w:
            item["colour"] = w["colour"]
            item["tooltip"].append(w["line"])
        out.append(item)
    return out


def rain_overlay(store, options: MapOptions) -> tuple[dict[int, dict], dict[int, dict]]:
    """The rain warnings at options.rain_at: site -> {colour, line} (every site in use, by its level: grey
    no readings, green none), and point -> {colour, line} for the points a site in warning covers."""
    from hazardmap.domain.errors import HazardmapError
    from hazardmap.domain.rain import NO_DATA_COLOUR, NO_WARNING_COLOUR
    from hazardmap.services import rain

    try:
        rows = rain.status(store, options.rain_at)
    except HazardmapError:   # a database without the rain settings: no overlay
        return {}, {}
    sites, points = {}, {}
    for r in sorted(rows, key=lambda r: int(r.status.level or 0)):
        st = r.status
        if st.level is None:
            sites[r.site.slot] = {"colour": NO_WARNING_COLOUR if st.has_data else NO_DATA_COLOUR,
                                  "line": "雨量：无预警" if st.has_data else "雨量：无读数"}
            continue
        line = f"{st.level.colour_name}预警：{st.triggers[0].text}"
        sites[r.site.slot] = {"colour": st.level.colour, "line": line}
        for c in r.covered:
            points[c.point] = {"colour": st.level.colour, "line": f"雨情：{r.name} {line}"}
    return sites, points


def _with_rain(points: list[dict], rings: dict[int, dict]) -> list[dict]:
    for f in points:
        ring = rings.get(f["seq"])
        if ring:
            f["rain"] = ring["colour"]
            f["tooltip"] = [*f["tooltip"], ring["line"]]
    return points


def legend_payload(bundled: BundledData) -> dict:
    km = township_uncertainty_m(bundled) / 1000
    return {
        "statuses": [{"label": k, "colour": v} for k, v in STATUS_COLOURS.items()],
        "works": [{"label": s.value, "colour": c} for s, c in WORK_STATUS_COLOURS.items()],
        "precision": [
            {"cls": "village", "label": Precision.VILLAGE.label + "（实线）"},
            {"cls": "township", "label": Precision.TOWNSHIP.label + f"（虚线圈：约 {km:g} km 内）"},
            {"cls": "surveyed", "label": Precision.SURVEYED.label + "（双圈）"},
        ],
        "ring_m": township_uncertainty_m(bundled),
        "rain": _rain_legend(),
    }


def _rain_legend() -> dict:
    """The gauges' colours by their level now, and the ring on the points a warning covers (rain_overlay)."""
    from hazardmap.domain.rain import NO_DATA_COLOUR, NO_WARNING_COLOUR, Level

    return {"states": [{"label": "无读数", "colour": NO_DATA_COLOUR}, {"label": "无预警", "colour": NO_WARNING_COLOUR}],
            "levels": [{"label": lv.label, "colour": lv.colour} for lv in Level],
            "ring": Level.ORANGE.colour}


def to_json_for_script(data: object) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' can close it or open a comment, and
    no raw U+2028/U+2029 (line breaks to older JavaScript parsers)."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_page(payload: dict, options: MapOptions, shell_cache: Path | None = None) -> str:
    """The page's HTML: the folium shell (constants only, mapping/shell.py) with the payload placed after."""
    head, tail = page_shell(options.qt_bridge, shell_cache)
    return head + to_json_for_script(payload) + tail


def build_page(payload: dict, out_path: Path, options: MapOptions, *, force: bool = False,
               shell_cache: Path | None = None) -> Path:
    """Write the page (and its assets beside it) and return its path; an existing page is replaced only
    with force (FileExists otherwise). shell_cache: a folder of the program's own where the shell is kept."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    copy_assets(out_path.parent)
    return write_text(out_path, render_page(payload, options, shell_cache), force=force)


def tile_url(template: str, key: str) -> str:
    """A 天地图 tile URL with the key as one URL-encoded query value: nothing in it can end the
    value, add a parameter or look like one of Leaflet's {placeholders}."""
    return template.replace("{key}", quote(key.strip(), safe=""))


def view_query_mode(store, options: MapOptions) -> bool:
    """Whether the page asks the window for each view (a large register: services/map_window.py) rather
    than carrying every point. Only the window's page can ask; an exported page always carries them."""
    return options.qt_bridge and map_window.located_count(store, options.view) > map_window.VIEW_QUERY_ABOVE


def _start_box(options: MapOptions):
    """The first view asked for (CGCS2000 W,S,E,N, from the window's settings), if a real box."""
    if options.start_box is None:
        return None
    w, s, e, n = options.start_box
    if not (all(math.isfinite(v) for v in options.start_box) and -180 <= w < e <= 180 and -90 <= s < n <= 90):
        return None
    to_page = to_page_fn(options)
    w, s, e, n = options.start_box
    (x0, y0), (x1, y1) = to_page(w, s), to_page(e, n)
    return [x0, y0, x1, y1]


def collect_payload(store, options: MapOptions, large: bool | None = None) -> dict:
    """Everything the page draws, read through the services (the same facts the CLI prints). For a large
    register (view_query_mode; given when the caller knows it) no points: the page asks for each view
    (view_payload)."""
    large = view_query_mode(store, options) if large is None else large
    pts = [] if large else views.points_in_view(store, options.view)
    tiles = None
    if options.basemap != "offline":
        t = dict(_TILES[options.basemap])
        if options.basemap == "tianditu":
            t["url"] = tile_url(t["url"], options.tianditu_key)
            t["label_url"] = tile_url(t["label_url"], options.tianditu_key)
        tiles = t
    warn, rings = rain_overlay(store, options) if not large else (rain_site_states(store, options), {})
    reference, areas = reference_payload(store, options)
    latest = patrol_status.latest_judgements(store) if not large else {}
    return {
        "reference": reference,
        "township_areas": areas,
        "points": _with_rain(points_payload(pts, latest, options), rings),
        "unlocated": [{"seq": p.seq, "name": p.name} for p in pts if not p.located],
        "shown": shown_payload(store, pts, options, large),
        "rain_gauges": rain_gauge_payload(rain_gauges.list_sites(store), options, warn),
        "works": works_payload(store, options),
        "static": static_layers(store.bundled, options),
        "legend": legend_payload(store.bundled),
        "layers": [{"key": k, "label": v, "visible": k in options.visible} for k, v in LAYERS.items()]
        + [{"key": r["key"], "label": r["label"], "visible": r["visible"]} for r in reference],
        "tiles": tiles,
        "layer_control": options.layer_control,
        "datum": page_datum(options),
        "cluster_above": CLUSTER_ABOVE,
        "view_query": large,
        "start_box": _start_box(options),
    }


def build_map_page(store, out_path: Path, options: MapOptions | None = None, *, force: bool = False,
                   large: bool | None = None, shell_cache: Path | None = None) -> Path:
    options = options or MapOptions()
    return build_page(collect_payload(store, options, large), out_path, options, force=force, shell_cache=shell_cache)


def points_update(store, options: MapOptions, large: bool = False) -> dict:
    """What the window sends to a loaded page after a Changes record: points, rain gauges and works. For a
    large register no points: the page then asks for its view again."""
    pts = [] if large else views.points_in_view(store, options.view)
    warn, rings = rain_overlay(store, options) if not large else (rain_site_states(store, options), {})
    latest = patrol_status.latest_judgements(store) if not large else {}
    return {"points": _with_rain(points_payload(pts, latest, options), rings),
            "unlocated": [{"seq": p.seq, "name": p.name} for p in pts if not p.located],
            "shown": shown_payload(store, pts, options, large),
            "rain_gauges": rain_gauge_payload(rain_gauges.list_sites(store), options, warn),
            "works": works_payload(store, options)}


def shown_payload(store, pts: list[HazardPoint], options: MapOptions, large: bool = False, grid=None) -> dict:
    """The legend's first line: the view's name and how many of its points there are and are drawn
    (with a filter: how many pass it). A large register under a filter states only the located ones
    (count None), counted by the window's grid when it has one: counting the rest would read the table."""
    title = views.view_title(store, options.view)
    filtered = bool(options.township or options.hazard_type)
    if filtered:
        title += "（" + "，".join(x for x in (options.township, options.hazard_type) if x) + "）"
    if large and not filtered:
        total, located = map_window.count(store, options.view)
        return {"title": title, "count": total, "drawn": located}
    if large:
        return {"title": title, "count": None,
                "drawn": map_window.located_in(store, options.view, options.township, options.hazard_type, grid)}
    pts = list(_filtered(pts, options))
    return {"title": title, "count": len(pts), "drawn": sum(1 for p in pts if p.located)}


def rain_rings(store, options: MapOptions) -> dict[int, dict]:
    """point -> the ring of the rain warning that covers it (rain_overlay), for a large register's views."""
    return rain_overlay(store, options)[1]


def rain_site_states(store, options: MapOptions) -> dict[int, dict]:
    """The rain gauges' colours by their level, without the rings on covered points (a large register:
    the points are not in the page)."""
    return rain_overlay(store, options)[0]


# How far beyond the page's box the database is asked: a GCJ-02 page (高德) is up to ~700 m off CGCS2000.
_BOX_PAD_DEG = 0.01


def view_payload(store, options: MapOptions, bounds: dict, grid=None,
                 rings: dict[int, dict] | None = None) -> tuple[dict, "map_window.BoxResult"]:
    """One view of a large register for the page: `bounds` as the page sent it (page datum: west, south,
    east, north, zoom, id). The points one by one with their latest patrol (and the ring of a rain warning
    covering them: rings from rain_rings) when few, else clusters with their counts; positions in the
    page's datum. Returned with the query's result (the window's table)."""
    from hazardmap.domain.map_query import Box

    back = lambda lon, lat: page_to_cgcs2000(lon, lat, options)  # noqa: E731
    corners = [back(bounds["west"], bounds["south"]), back(bounds["east"], bounds["north"])]
    box = Box(min(c[0] for c in corners), min(c[1] for c in corners), max(c[0] for c in corners),
              max(c[1] for c in corners)).padded(_BOX_PAD_DEG)
    result = map_window.query(store, options.view, box, bounds["zoom"], township=options.township,
                              hazard_type=options.hazard_type, grid=grid)
    to_page = to_page_fn(options)
    points = []
    for p in result.points:
        f = point_feature(p, result.latest.get(p.seq), to_page, options.mask_phones)
        if f:
            del f["popup"]   # as the clustered page: tooltips only
            points.append(f)
    clusters = []
    for c in result.cells:
        lon, lat = to_page(c.lon, c.lat)
        clusters.append({"lon": round(lon, 6), "lat": round(lat, 6), "count": c.count, "danger": c.danger,
                         "abnormal": c.abnormal})
    return {"id": bounds.get("id", 0), "total": result.total, "points": _with_rain(points, rings or {}),
            "clusters": clusters}, result
