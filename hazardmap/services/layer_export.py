"""Layers out of hazardmap for other GIS programs: the points of a view, the rain-gauge sites, the
patrol summary and the reference layers, to GeoPackage (with a QGIS `layer_styles` table so QGIS
opens it symbolised), Shapefile with .cpg (GBK or UTF-8), KML/KMZ (names, descriptions, icons coloured
by the latest patrol judgement; optionally in GCJ-02 for Chinese phone maps), GeoJSON, CSV and .xlsx.

GDAL (pyogrio) writes every format; the only coordinates computed here are GCJ-02 (outside PROJ).
Every write goes through the atomic writer (files.py): whole or nothing, never over a file unasked.
Phones are masked on request (mask_phone) on every path.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from xml.etree import ElementTree as ET

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol_status import STATUS_COLOURS, UNPATROLLED
from hazardmap.domain.points import mask_phone
from hazardmap.files import atomic_write, check_not_existing
from hazardmap.geodata.gcj02 import wgs84_to_gcj02
from hazardmap.services.spreadsheet import neutralise
from hazardmap.services.store import Store

# format key -> (GDAL driver, suffix)
FORMATS: dict[str, tuple[str, str]] = {
    "gpkg": ("GPKG", ".gpkg"), "shp": ("ESRI Shapefile", ".shp"), "kml": ("LIBKML", ".kml"),
    "kmz": ("LIBKML", ".kmz"), "geojson": ("GeoJSON", ".geojson"), "csv": ("CSV", ".csv"), "xlsx": ("XLSX", ".xlsx"),
}
FORMAT_LABELS = {"gpkg": "GeoPackage（QGIS）", "shp": "Shapefile（ArcGIS/MapGIS）", "kml": "KML（奥维、谷歌地球）",
                 "kmz": "KMZ（奥维、谷歌地球）", "geojson": "GeoJSON", "csv": "CSV（经纬度列）", "xlsx": "Excel（经纬度列）"}
SHP_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
OFFSET_FORMATS = ("kml", "kmz", "geojson", "csv", "xlsx")   # GCJ-02 has no EPSG code: not for GPKG/SHP
REFERENCE_COLOUR = "#1f4e9c"
GAUGE_COLOUR = "#1565c0"


@dataclass
class Column:
    key: str
    title: str            # as written in GPKG/GeoJSON/KML/CSV/XLSX
    shp: str              # a Shapefile field name is at most 10 bytes: 3 Chinese characters in UTF-8


@dataclass
class ExportLayer:
    name: str                                     # the layer's name in the file
    columns: list[Column]
    rows: list[dict]                              # key -> value
    geometries: list                              # shapely, CGCS2000 lon/lat; None where unlocated
    label: Callable[[dict], str] = lambda r: ""   # KML placemark name
    describe: Callable[[dict], str] = lambda r: ""
    colour: Callable[[dict], str] = lambda r: REFERENCE_COLOUR
    style_column: str = ""                        # the column QGIS colours by (categories: STATUS_COLOURS)
    geometry_kind: str = "point"                  # point | line | polygon
    notes: list[str] = field(default_factory=list)


def _c(key: str, title: str, shp: str | None = None) -> Column:
    return Column(key, title, shp or title)


POINT_COLUMNS = [
    _c("seq", "序号"), _c("unified_code", "统一编号", "统一号"), _c("name", "名称"), _c("township", "乡镇"),
    _c("village_group", "村组"), _c("kind", "灾害类型", "类型"), _c("threatened", "威胁对象", "威胁"),
    _c("households", "威胁户数", "户数"), _c("people", "威胁人数", "人数"), _c("monitor", "监测人"),
    _c("phone", "联系电话", "电话"), _c("judgement", "巡查判定", "判定"), _c("last_patrol", "最近巡查", "巡查日"),
    _c("precision", "位置精度", "精度"), _c("source", "位置来源", "来源"), _c("status", "状态"),
    _c("lon", "经度"), _c("lat", "纬度"),
]


def points_layer(store: Store, view=None, *, mask_phones: bool = False) -> ExportLayer:
    """The points of a view (the window's 显示 choice; 全部在册 by default), with their latest patrol."""
    from hazardmap.services.patrol_status import latest_judgements
    from hazardmap.services.views import points_in_view, view_title

    points = points_in_view(store, view)
    latest = latest_judgements(store)
    rows = []
    for p in points:
        last = latest.get(p.seq)
        rows.append({
            "seq": p.seq, "unified_code": p.unified_code, "name": p.name, "township": p.township,
            "village_group": p.village_group, "kind": p.kind.value if p.kind else p.hazard_type,
            "threatened": p.threatened, "households": p.households, "people": p.people, "monitor": p.monitor,
            "phone": mask_phone(p.phone) if mask_phones and p.phone else p.phone,
            "judgement": last.judgement.value if last else UNPATROLLED, "last_patrol": last.at if last else "",
            "precision": p.precision.label, "source": p.source, "status": p.status.label,
            "lon": p.lon, "lat": p.lat})
    geoms = _points(rows)
    layer = ExportLayer("隐患点", POINT_COLUMNS, rows, geoms, label=lambda r: str(r["name"]),
                        describe=_point_description, colour=lambda r: STATUS_COLOURS[r["judgement"]],
                        style_column="judgement")
    layer.notes.append(f"范围：{view_title(store, view)}，{len(rows)} 个隐患点")
    return layer


def _points(rows: list[dict]) -> list:
    """Point geometries from the rows' lon/lat (None where a row has none), made in one go."""
    import numpy as np
    import shapely

    lon = np.array([np.nan if r["lon"] is None else r["lon"] for r in rows], dtype=float)
    lat = np.array([np.nan if r["lat"] is None else r["lat"] for r in rows], dtype=float)
    geoms = np.full(len(rows), None, dtype=object)
    ok = np.isfinite(lon) & np.isfinite(lat)
    geoms[ok] = shapely.points(lon[ok], lat[ok])
    return list(geoms)


def _point_description(r: dict) -> str:
    parts = [f"{r['township']}{r['village_group']}"]
    if r["kind"]:
        parts.append(f"类型：{r['kind']}")
    if r["threatened"]:
        parts.append(f"威胁对象：{r['threatened']}")
    if r["monitor"] or r["phone"]:
        parts.append(f"监测人：{r['monitor']} {r['phone']}".strip())
    parts.append(f"巡查：{r['judgement']}" + (f"（{r['last_patrol']}）" if r["last_patrol"] else ""))
    parts.append(f"位置：{r['precision']}")
    return "\n".join(parts)


GAUGE_COLUMNS = [_c("slot", "编号"), _c("township", "乡镇"), _c("village", "村"), _c("station_code", "站码"),
                 _c("install_year", "安装年份", "年份"), _c("batch", "批次"), _c("status", "状态"),
                 _c("lon", "经度"), _c("lat", "纬度")]


def gauges_layer(store: Store, *, mask_phones: bool = False) -> ExportLayer:
    """Rain-gauge sites with a village (the unassigned slots have no place). No personal data."""
    from hazardmap.services.rain_gauges import list_sites

    rows = []
    for s in list_sites(store):
        if not s.assigned:
            continue
        rows.append({"slot": s.slot, "township": s.township or "", "village": s.village or "",
                     "station_code": s.station_code or "", "install_year": s.install_year, "batch": s.batch,
                     "status": "已撤销" if s.retired else "在用", "lon": s.lon, "lat": s.lat})
    geoms = _points(rows)
    return ExportLayer("雨量站点", GAUGE_COLUMNS, rows, geoms,
                       label=lambda r: f"雨量站 {r['village']}",
                       describe=lambda r: f"{r['township']}{r['village']}（村部），{r['status']}",
                       colour=lambda r: GAUGE_COLOUR)


PATROL_COLUMNS = [_c("seq", "序号"), _c("name", "名称"), _c("monitor", "监测人"), _c("last_at", "最近巡查", "巡查日"),
                  _c("judgement", "巡查判定", "判定"), _c("days_since", "距今天数", "天数"),
                  _c("interval", "巡查间隔", "间隔"), _c("overdue", "是否逾期", "逾期"), _c("entries", "记录条数", "条数"),
                  _c("lon", "经度"), _c("lat", "纬度")]


def patrol_layer(store: Store, *, mask_phones: bool = False) -> ExportLayer:
    """巡查情况: each point with its last patrol, days since and whether it is overdue."""
    from hazardmap.services.patrol import overview
    from hazardmap.services.register import points_in_view

    where = {p.seq: p for p in points_in_view(store)}
    rows = []
    for r in overview(store):
        p = where.get(r.point_seq)
        if p is None:
            continue
        rows.append({"seq": r.point_seq, "name": r.name, "monitor": r.monitor, "last_at": r.last_at or "",
                     "judgement": r.last_judgement.value if r.last_judgement else UNPATROLLED,
                     "days_since": r.days_since, "interval": r.interval_days, "overdue": "是" if r.overdue else "否",
                     "entries": r.entries, "lon": p.lon, "lat": p.lat})
    geoms = _points(rows)
    return ExportLayer("巡查情况", PATROL_COLUMNS, rows, geoms, label=lambda r: str(r["name"]),
                       describe=lambda r: f"最近巡查：{r['last_at'] or '无'}，{r['judgement']}；逾期：{r['overdue']}",
                       colour=lambda r: STATUS_COLOURS[r["judgement"]], style_column="judgement")


# ---- writing ------------------------------------------------------------------------------------------------

def format_of(out: Path, fmt: str | None) -> str:
    if fmt:
        key = fmt.lower().lstrip(".")
        if key == "json":
            key = "geojson"
        if key not in FORMATS:
            raise InvalidInput(f"不支持的格式“{fmt}”：可选 {'、'.join(FORMATS)}")
        return key
    suffix = out.suffix.lower()
    for key, (_, ext) in FORMATS.items():
        if suffix == ext or (key == "geojson" and suffix == ".json"):
            return key
    raise InvalidInput(f"看不出“{out.name}”要导出成什么格式：请用扩展名 .gpkg、.shp、.kml、.kmz、.geojson、.csv、.xlsx，"
                       "或指定格式")


def export_layer(layer: ExportLayer, out: str | Path, *, fmt: str | None = None, gcj02: bool = False,
                 encoding: str = "UTF-8", force: bool = False) -> list[Path]:
    """Write the layer; returns the files written (a Shapefile is several). Refuses to replace existing
    files unless force (FileExists); nothing is left behind when a write fails."""
    out = Path(out)
    key = format_of(out, fmt)
    driver, suffix = FORMATS[key]
    if out.suffix.lower() != suffix and not (key == "geojson" and out.suffix.lower() == ".json"):
        out = out.with_suffix(suffix) if not out.suffix else out
    if gcj02 and key not in OFFSET_FORMATS:
        raise InvalidInput("GCJ-02 坐标没有 EPSG 代码，GIS 软件会把它当作 WGS-84：只用于 KML/KMZ、GeoJSON、CSV、Excel "
                           "（给手机地图用），GeoPackage 和 Shapefile 请用国家2000")
    enc = encoding.upper().replace("-", "")
    if key == "shp" and enc not in ("GBK", "UTF8"):
        raise InvalidInput(f"Shapefile 的编码只能是 GBK 或 UTF-8，“{encoding}”不行")
    from hazardmap.services.layer_read import require_gdal

    require_gdal()
    targets = [out.with_suffix(s) for s in SHP_PARTS] if key == "shp" else [out]
    check_not_existing(targets, force=force)
    frame = _frame(layer, key, gcj02)
    with atomic_write(out, force=force) as tmp:
        _write(frame, layer, key, driver, tmp, encoding="GBK" if enc == "GBK" else "UTF-8")
        if key == "shp":
            _publish_parts(tmp, out, force=force)
    return [t for t in targets if t.exists()]


def _frame(layer: ExportLayer, key: str, gcj02: bool):
    import geopandas as gpd
    import pandas as pd
    import shapely

    geoms = list(layer.geometries)
    rows = layer.rows
    if gcj02:
        rows = [dict(r) for r in rows]
        geoms = [None if g is None else shapely.transform(g, _gcj) for g in geoms]
        for r, g in zip(rows, geoms):
            if "lon" in r and g is not None and g.geom_type == "Point":
                r["lon"], r["lat"] = g.x, g.y
    names = [c.shp if key == "shp" else c.title for c in layer.columns]
    columns = _transpose(rows, [c.key for c in layer.columns])
    if key == "csv":
        columns = [[_cell(v, key) for v in values] for values in columns]
    data = {name: _column(values) for name, values in zip(names, columns)}
    if key in ("kml", "kmz"):
        data = {"Name": [layer.label(r) for r in layer.rows], "Description": [layer.describe(r) for r in rows],
                **data, "OGR_STYLE": [_kml_style(layer.colour(r), layer.geometry_kind) for r in layer.rows]}
    if key in ("csv", "xlsx"):
        return pd.DataFrame(data)
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=4326 if gcj02 or key in ("kml", "kmz",
                                                                                              "geojson") else 4490))


def _transpose(rows: list[dict], keys: list[str]) -> list[tuple]:
    """The rows' values column by column, in one pass at C speed (a register export has 50,000 rows)."""
    from operator import itemgetter

    if not rows:
        return [() for _ in keys]
    get = itemgetter(*keys)
    if len(keys) == 1:
        return [tuple(get(r) for r in rows)]
    return list(zip(*map(get, rows)))


def _column(values):
    """Whole numbers with gaps stay whole numbers (pandas would make them floats or text)."""
    import pandas as pd

    given = [v for v in values if v is not None]
    if given and all(isinstance(v, int) and not isinstance(v, bool) for v in given):
        return pd.array(values, dtype="Int64")
    return values


def _gcj(coords):
    import numpy as np

    return np.array([wgs84_to_gcj02(x, y) for x, y in coords], dtype=float).reshape(-1, 2)


def _cell(value, key: str):
    if value is None:
        return None
    if isinstance(value, str) and key == "csv":
        return neutralise(value)   # a cell that starts like a formula stays text in Excel
    return value


def _kml_style(colour: str, kind: str) -> str:
    rgba = colour.lstrip("#").upper() + "FF"
    if kind == "point":
        return f'SYMBOL(c:#{rgba},id:"http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png")'
    if kind == "polygon":
        return f"PEN(c:#{rgba},w:2px);BRUSH(fc:#{rgba[:6]}22)"
    return f"PEN(c:#{rgba},w:2px)"


def _write(frame, layer: ExportLayer, key: str, driver: str, tmp: Path, *, encoding: str) -> None:
    import pyogrio

    kwargs: dict = {"driver": driver}
    if key == "shp":
        kwargs["encoding"] = encoding
    elif key == "gpkg":
        kwargs.update(layer=layer.name, dataset_options={"VERSION": "1.2"})   # 1.2: read by older GDAL/QGIS too
    elif key in ("kml", "kmz"):
        kwargs["layer"] = layer.name
        if key == "kmz":
            # One doc.kml in the zip: LIBKML's own KMZ links layers/<name>.kml from doc.kml, which older
            # readers (GDAL 3.6, phone apps) do not follow when the name is Chinese.
            import zipfile

            kml = tmp.with_name("doc.kml")
            pyogrio.write_dataframe(frame, kml, **kwargs)
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(kml, "doc.kml")
            kml.unlink()
            return
    elif key == "csv":
        kwargs["layer_options"] = {"WRITE_BOM": "YES"}   # Chinese Excel reads UTF-8 CSV only with a BOM
    elif key == "xlsx":
        kwargs["layer"] = layer.name
    pyogrio.write_dataframe(frame, tmp, **kwargs)
    if key == "gpkg":
        _write_styles(layer, tmp)


def _publish_parts(tmp: Path, out: Path, *, force: bool) -> None:
    """A Shapefile's other parts, beside the .shp the atomic writer publishes."""
    for suffix in SHP_PARTS[1:]:
        part = tmp.with_suffix(suffix)
        if part.exists():
            dest = out.with_suffix(suffix)
            with open(part, "rb+") as fh:
                os.fsync(fh.fileno())
            if force or not dest.exists():
                os.replace(part, dest)
            else:
                from hazardmap.domain.errors import FileExists

                raise FileExists([dest])


# ---- QGIS styles in the GeoPackage ------------------------------------------------------------------------------

def _write_styles(layer: ExportLayer, path: Path) -> None:
    """QGIS's own `layer_styles` table: the layer opens coloured as in hazardmap (by patrol judgement)."""
    import pandas as pd
    import pyogrio

    categories = _categories(layer)
    styles = pd.DataFrame({
        "f_table_catalog": [""], "f_table_schema": [""], "f_table_name": [layer.name], "f_geometry_column": ["geom"],
        "styleName": [layer.name], "styleQML": [_qml(layer, categories)], "styleSLD": [_sld(layer, categories)],
        "useAsDefault": [True], "description": ["hazardmap 导出时的样式"], "owner": [""], "ui": [""],
        "update_time": [pd.Timestamp.now().strftime("%Y-%m-%dT%H:%M:%S")],
    })
    pyogrio.write_dataframe(styles, path, layer="layer_styles", driver="GPKG", append=True)


def _categories(layer: ExportLayer) -> list[tuple[str, str]]:
    """(value, colour) to colour by, or one ("", colour) for a single symbol."""
    if layer.style_column:
        return list(STATUS_COLOURS.items())
    return [("", layer.colour(layer.rows[0]) if layer.rows else REFERENCE_COLOUR)]


def _rgb(colour: str) -> str:
    c = colour.lstrip("#")
    return ",".join(str(int(c[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"


def _symbol(parent, name: str, kind: str, colour: str) -> None:
    sym = ET.SubElement(parent, "symbol", type={"point": "marker", "line": "line", "polygon": "fill"}[kind],
                        name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    cls = {"point": "SimpleMarker", "line": "SimpleLine", "polygon": "SimpleFill"}[kind]
    lay = ET.SubElement(sym, "layer", {"class": cls, "enabled": "1", "pass": "0", "locked": "0"})
    opts = ET.SubElement(lay, "Option", type="Map")
    values = {"point": {"name": "circle", "color": _rgb(colour), "size": "3.2", "outline_color": "255,255,255,255",
                        "outline_width": "0.4"},
              "line": {"line_color": _rgb(colour), "line_width": "0.6"},
              "polygon": {"color": _rgb(colour)[:-3] + "40", "outline_color": _rgb(colour), "outline_width": "0.6",
                          "style": "solid"}}[kind]
    for k, v in values.items():
        ET.SubElement(opts, "Option", name=k, type="QString", value=v)


def _qml(layer: ExportLayer, categories: list[tuple[str, str]]) -> str:
    root = ET.Element("qgis", version="3.28.0", styleCategories="Symbology")
    if layer.style_column:
        field = next(c.title for c in layer.columns if c.key == layer.style_column)
        renderer = ET.SubElement(root, "renderer-v2", type="categorizedSymbol", attr=field, symbollevels="0",
                                 enableorderby="0", forceraster="0")
        cats = ET.SubElement(renderer, "categories")
        symbols = ET.SubElement(renderer, "symbols")
        for i, (value, colour) in enumerate(categories):
            ET.SubElement(cats, "category", symbol=str(i), value=value, label=value, render="true")
            _symbol(symbols, str(i), layer.geometry_kind, colour)
    else:
        renderer = ET.SubElement(root, "renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0",
                                 forceraster="0")
        _symbol(ET.SubElement(renderer, "symbols"), "0", layer.geometry_kind, categories[0][1])
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def _sld(layer: ExportLayer, categories: list[tuple[str, str]]) -> str:
    ns = {"sld": "http://www.opengis.net/sld", "ogc": "http://www.opengis.net/ogc", "se": "http://www.opengis.net/se"}
    S = "{%s}" % ns["sld"]
    O = "{%s}" % ns["ogc"]
    for k, v in ns.items():
        ET.register_namespace(k, v)
    root = ET.Element(S + "StyledLayerDescriptor", version="1.0.0")
    named = ET.SubElement(root, S + "NamedLayer")
    ET.SubElement(named, S + "Name").text = layer.name
    fts = ET.SubElement(ET.SubElement(named, S + "UserStyle"), S + "FeatureTypeStyle")
    field = next((c.title for c in layer.columns if c.key == layer.style_column), "")
    for value, colour in categories:
        rule = ET.SubElement(fts, S + "Rule")
        ET.SubElement(rule, S + "Name").text = value or layer.name
        if value:
            eq = ET.SubElement(ET.SubElement(rule, O + "Filter"), O + "PropertyIsEqualTo")
            ET.SubElement(eq, O + "PropertyName").text = field
            ET.SubElement(eq, O + "Literal").text = value
        if layer.geometry_kind == "point":
            mark = ET.SubElement(ET.SubElement(ET.SubElement(rule, S + "PointSymbolizer"), S + "Graphic"), S + "Mark")
            ET.SubElement(mark, S + "WellKnownName").text = "circle"
            ET.SubElement(ET.SubElement(mark, S + "Fill"), S + "CssParameter", name="fill").text = colour
        else:
            sym = ET.SubElement(rule, S + ("PolygonSymbolizer" if layer.geometry_kind == "polygon" else "LineSymbolizer"))
            ET.SubElement(ET.SubElement(sym, S + "Stroke"), S + "CssParameter", name="stroke").text = colour
    return ET.tostring(root, encoding="unicode")


def reference_export(store: Store, name: str) -> ExportLayer:
    """A reference layer by its name (services/reference_layers.py)."""
    from hazardmap.services.reference_layers import export_layer_of

    return export_layer_of(store, name)
