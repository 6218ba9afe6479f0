"""Reading a layer the bureau brings: GeoPackage, Shapefile (GBK or UTF-8), KML/KMZ, GeoJSON through
pyogrio (GDAL), and .csv/.xlsx with lon/lat or X/Y columns through services/spreadsheet.py.

Nothing here decides what the rows mean (services/layer_import.py does); this reads the attributes
as written, the geometry or the coordinate columns, and the coordinate system the file declares.
"""
from __future__ import annotations

import math
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hazardmap.domain.coordinates import Axis, parse_coordinate
from hazardmap.domain.errors import InvalidInput, LayerUnreadable, NotFound
from hazardmap.geodata.crs import CrsChoice, from_file
from hazardmap.services.spreadsheet import BadRow, read_table

VECTOR_SUFFIXES = (".gpkg", ".shp", ".kml", ".kmz", ".geojson", ".json")
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt")
SUFFIXES = VECTOR_SUFFIXES + TABLE_SUFFIXES
ENCODINGS = ("GBK", "UTF-8")
# Columns LIBKML adds to every KML placemark; not the user's attributes.
_KML_HOUSEKEEPING = {"id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility",
                     "drawOrder", "icon", "snippet"}
_SAMPLE = 2000   # features read to tell GBK from UTF-8


@dataclass
class LayerData:
    path: Path
    layer: str                        # the layer read ("" for a spreadsheet)
    layers: list[str]                 # every layer the file has
    columns: list[str]                # attribute columns as written
    rows: list[dict[str, Any]]        # attribute values of each feature / row
    lines: list[int]                  # the number a user finds each row by (feature number / Excel row)
    xs: np.ndarray                    # point x (easting or lon) in the file's coordinates; NaN where none
    ys: np.ndarray
    geometry_type: str                # "point", "line", "polygon", "mixed" or "none"
    file_crs: CrsChoice | None        # as the file declares it
    geometries: list | None = None    # shapely geometries (vector files), for reference layers
    encoding: str = ""                # what the text was read as
    encoding_note: str = ""           # how that was decided, in Chinese
    bad: list[BadRow] = field(default_factory=list)   # rows refused while reading (coordinates not numbers)
    coordinate_columns: tuple[str, str] | None = None  # tables: the (x, y) columns as written
    notes: list[str] = field(default_factory=list)     # Chinese, for the preview

    @property
    def name(self) -> str:
        return self.path.name


def require_gdal() -> None:
    """GDAL (pyogrio with geopandas) is what reads and writes GIS files; a build without it says so in
    Chinese instead of failing on an import (build.spec decides what a frozen build carries)."""
    try:
        import geopandas  # noqa: F401
        import pyogrio  # noqa: F401
    except ImportError as exc:  # the missing module named, for whoever builds the next version
        raise InvalidInput("这个安装版没有包含 GIS 文件读写组件（GDAL/pyogrio），不能导入或导出 GIS 图层；"
                           f"Excel/CSV 台账请用相应的导入功能（缺少 {exc.name or exc}）") from None


def list_layers(path: str | Path) -> list[str]:
    path = _check_path(Path(path))
    if path.suffix.lower() in TABLE_SUFFIXES:
        return [""]
    return [str(row[0]) for row in _gdal(path, lambda p: __import__("pyogrio").list_layers(p))]


def read_layer(path: str | Path, *, layer: str | None = None, encoding: str | None = None,
               columns: tuple[str, str] | None = None, max_rows: int | None = None) -> LayerData:
    """Read one layer. encoding: the user's choice for a Shapefile (GBK/UTF-8), else from .cpg or the
    content. columns: the (x, y) or (lon, lat) columns of a spreadsheet when the headers do not say.
    max_rows: read only the first rows (a quick look in the dialog)."""
    path = _check_path(Path(path))
    if path.suffix.lower() in TABLE_SUFFIXES:
        return _read_table(path, columns)
    require_gdal()
    return _read_vector(path, layer, encoding, max_rows)


def _check_path(path: Path) -> Path:
    if not path.exists():
        raise NotFound(f"找不到文件“{path}”")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"不支持“{path.name}”这种文件：可导入 GeoPackage（.gpkg）、Shapefile（.shp）、"
                           "KML/KMZ、GeoJSON、Excel（.xlsx）和 CSV")
    if suffix == ".shp":
        for ext in (".dbf", ".shx"):
            if not _sibling(path, ext):
                raise LayerUnreadable(path, f"缺少同名的 {ext} 文件。Shapefile 由 .shp、.shx、.dbf（及 .prj、.cpg）"
                                            "几个文件组成，请把它们放在同一个文件夹后再导入")
    if suffix == ".kmz" and not zipfile.is_zipfile(path):
        raise LayerUnreadable(path, "它不是有效的 KMZ 文件（KMZ 应是一个 zip 压缩包，文件可能已损坏或只是改了扩展名）")
    return path


def _sibling(path: Path, ext: str) -> Path | None:
    """The Shapefile part with that extension, in either case (.dbf or .DBF)."""
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    return None


def _gdal(path: Path, call):
    """Run a pyogrio call; GDAL's refusals become a Chinese message naming the file."""
    import pyogrio.errors

    try:
        return call(_source(path))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
            pyogrio.errors.CRSError, pyogrio.errors.GeometryError) as exc:
        raise LayerUnreadable(path, f"文件格式不对或已损坏（GDAL：{exc}）") from None
    except UnicodeDecodeError:
        raise LayerUnreadable(path, "文字编码与所选的不符（列名或内容是乱码）：请改选编码（GBK 或 UTF-8）") from None


def _source(path: Path) -> str:
    """What GDAL opens: a KMZ's KML inside the zip (LIBKML reading the .kmz itself drops the
    ExtendedData columns of a one-file KMZ)."""
    if path.suffix.lower() != ".kmz":
        return str(path)
    with zipfile.ZipFile(path) as z:
        kmls = [n for n in z.namelist() if n.lower().endswith(".kml")]
    if not kmls:
        raise LayerUnreadable(path, "压缩包里没有 .kml 文件")
    inner = "doc.kml" if "doc.kml" in kmls else kmls[0]
    return f"/vsizip/{{{path}}}/{inner}"


def _detect_encoding(path: Path, layer: str | None) -> tuple[str, str]:
    """(encoding, how decided) for a Shapefile: its .cpg, else the bytes of the text it holds."""
    import pyogrio

    cpg = _sibling(path, ".cpg")
    if cpg is not None:
        text = cpg.read_bytes().decode("ascii", "replace").strip()
        return "", f"按 .cpg 文件所写的编码（{text}）读取"
    declared = _gdal(path, lambda p: pyogrio.read_info(p, layer=layer)).get("encoding") or ""
    if declared.upper() not in ("", "ISO-8859-1", "LATIN1"):
        return "", f"按 .dbf 文件所写的编码（{declared}）读取"
    # GDAL reads undeclared text as Latin-1, byte for byte: the original bytes come back with encode.
    sample = _gdal(path, lambda p: pyogrio.read_dataframe(p, layer=layer, read_geometry=False,
                                                          max_features=_SAMPLE, encoding="latin1"))
    raw = [str(c).encode("latin1", "replace") for c in sample.columns]
    for col in sample.columns:
        if sample[col].dtype == object:
            raw.extend(v.encode("latin1", "replace") for v in sample[col] if isinstance(v, str))
    if all(b.isascii() for b in raw):
        return "UTF-8", "没有 .cpg 文件，文字全是英文字母和数字，按 UTF-8 读取"
    try:
        for b in raw:
            b.decode("utf-8")
        return "UTF-8", "没有 .cpg 文件，按内容判断为 UTF-8 编码"
    except UnicodeDecodeError:
        pass
    try:
        for b in raw:
            b.decode("gbk")
        return "GBK", "没有 .cpg 文件，按内容判断为 GBK 编码（中文 ArcGIS/MapGIS 常用）"
    except UnicodeDecodeError:
        return "GBK", "没有 .cpg 文件，编码无法判断，暂按 GBK 读取：如文字是乱码，请改选 UTF-8"


def _read_vector(path: Path, layer: str | None, encoding: str | None, max_rows: int | None) -> LayerData:
    import pyogrio
    import shapely

    if path.suffix.lower() in (".kml", ".kmz"):
        # LIBKML would turn Chinese <Data name="乡镇"> into "______"; the names are wanted as written.
        pyogrio.set_gdal_config_options({"LIBKML_LAUNDER_FIELD_NAMES": "NO"})
    listed = _gdal(path, pyogrio.list_layers)
    layers = [str(row[0]) for row in listed]
    # Tables without geometry (a GeoPackage's layer_styles) are never the layer meant.
    spatial = [str(row[0]) for row in listed if row[1] is not None] or layers
    if layer is None:
        if len(spatial) > 1:
            counts = {name: _gdal(path, lambda p, n=name: pyogrio.read_info(p, layer=n))["features"] for name in spatial}
            filled = [name for name in spatial if counts[name]]
            if len(filled) != 1:
                shown = "、".join(f"“{n}”" for n in layers[:10])
                raise InvalidInput(f"“{path.name}”有 {len(layers)} 个图层（{shown}）：请选择要导入的图层（--layer 图层名）")
            layer = filled[0]
        else:
            layer = spatial[0] if spatial else None
    elif layer not in layers:
        shown = "、".join(f"“{n}”" for n in layers[:10])
        raise InvalidInput(f"“{path.name}”中没有图层“{layer}”：有 {shown}")
    note = ""
    if path.suffix.lower() == ".shp":
        if encoding:
            if encoding.upper().replace("-", "") not in ("GBK", "UTF8", "GB18030", "CP936"):
                raise InvalidInput(f"不认识的编码“{encoding}”：可选 GBK 或 UTF-8")
            note = f"按所选编码 {encoding} 读取"
        else:
            encoding, note = _detect_encoding(path, layer)
    info = _gdal(path, lambda p: pyogrio.read_info(p, layer=layer))
    df = _gdal(path, lambda p: pyogrio.read_dataframe(p, layer=layer, encoding=encoding or None,
                                                      max_features=max_rows))
    kml = path.suffix.lower() in (".kml", ".kmz")
    columns = [c for c in df.columns if c != "geometry" and not (kml and c in _KML_HOUSEKEEPING)]
    geoms = np.asarray(df.geometry.values) if "geometry" in df else np.array([], dtype=object)
    kinds = set(shapely.get_type_id(geoms[~shapely.is_missing(geoms)]).tolist()) if len(geoms) else set()
    geometry_type = _geometry_type(kinds)
    n = len(df)
    xs, ys = np.full(n, np.nan), np.full(n, np.nan)
    if geometry_type == "point" and n:
        points = shapely.get_point(geoms, 0) if 4 in kinds else geoms   # a multipoint: its first point
        mask = ~shapely.is_missing(points) & ~shapely.is_empty(points)
        xs[mask] = shapely.get_x(points[mask])
        ys[mask] = shapely.get_y(points[mask])
    records = df[columns].to_dict("records") if columns else [{} for _ in range(n)]
    for rec in records:
        for k, v in rec.items():
            if isinstance(v, float) and math.isnan(v):
                rec[k] = None
    crs_text = info.get("crs")
    if crs_text is None and kml:
        crs_text = "EPSG:4326"   # KML is WGS-84 by its specification
    return LayerData(
        path=path, layer=layer or "", layers=layers, columns=columns, rows=records, lines=list(range(1, n + 1)),
        xs=xs, ys=ys, geometry_type=geometry_type, file_crs=from_file(crs_text), geometries=list(geoms),
        encoding=encoding or info.get("encoding") or "", encoding_note=note)


def _geometry_type(kinds: set[int]) -> str:
    # shapely type ids: 0 point, 1 linestring, 2 linearring, 3 polygon, 4 multipoint, 5 multilinestring,
    # 6 multipolygon, 7 collection
    if not kinds:
        return "none"
    groups = {"point" if k in (0, 4) else "line" if k in (1, 2, 5) else "polygon" if k in (3, 6) else "mixed"
              for k in kinds}
    return groups.pop() if len(groups) == 1 else "mixed"


# ---- spreadsheets ------------------------------------------------------------------------------------------

_LON = ("经度", "lon", "lng", "long", "longitude", "东经", "x经度")
_LAT = ("纬度", "lat", "latitude", "北纬", "y纬度")
_X = ("x", "x坐标", "坐标x", "横坐标", "东坐标", "e", "easting", "东坐标e", "y东")
_Y = ("y", "y坐标", "坐标y", "纵坐标", "北坐标", "n", "northing", "北坐标n", "x北")
_ROLE = "\x01"   # prefix of the keys given to the coordinate columns (no header starts with it)


def norm_header(text: str) -> str:
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    for sep in ("(", "["):
        if sep in t and t.index(sep) > 0:
            t = t[: t.index(sep)]
    return t.replace(" ", "").replace("_", "").replace("-", "")


def coordinate_role(header: str) -> str | None:
    t = norm_header(header)
    if t in _LON or "经度" in t:
        return "lon"
    if t in _LAT or "纬度" in t:
        return "lat"
    if t in _X:
        return "x"
    if t in _Y:
        return "y"
    return None


def _read_table(path: Path, chosen: tuple[str, str] | None) -> LayerData:
    def keys(header: str) -> str | None:
        if chosen and header in chosen:
            return _ROLE + ("x" if header == chosen[0] else "y")
        role = None if chosen else coordinate_role(header)
        return _ROLE + role if role else header

    no_header = (f"“{path.name}”中找不到坐标列：需要“经度”“纬度”两列（小数或度分秒），或“X”“Y”两列（平面坐标）；"
                 "列名不同时，请在导入时指定哪两列是坐标")
    table = None
    for anchor in ((_ROLE + "x",) if chosen else (_ROLE + "lon", _ROLE + "x", _ROLE + "y")):
        try:
            table = read_table(path, keys, anchor=anchor, no_header=no_header)
            break
        except InvalidInput as exc:
            if str(exc).startswith(no_header):
                continue
            raise
    if table is None:
        raise InvalidInput(no_header)
    roles = {k[1:]: h for k, h in table.headers.items() if k.startswith(_ROLE)}
    if chosen:
        pair = ("x", "y")
        geographic = None
    elif "lon" in roles and "lat" in roles:
        pair, geographic = ("lon", "lat"), True
    elif "x" in roles and "y" in roles:
        pair, geographic = ("x", "y"), False
    else:
        have = "、".join(f"“{h}”" for h in roles.values())
        raise InvalidInput(f"“{path.name}”只有坐标列 {have}，缺少与之配对的另一列：{no_header[len(path.name) + 2:]}")
    columns = [h for k, h in table.headers.items() if not k.startswith(_ROLE)]
    header_of = {k: h for k, h in table.headers.items()}
    rows, lines, xs, ys, bad = [], [], [], [], list(table.bad)
    kx, ky = _ROLE + pair[0], _ROLE + pair[1]
    if geographic is None:   # chosen columns: decimal numbers or 度分秒 either way
        samples = [r.values.get(kx) for r in table.rows[:50]]
        geographic = any(isinstance(v, str) and any(ch in v for ch in "°度'′\"″分秒") for v in samples) or all(
            _small(v) for v in samples if v is not None)
    for r in table.rows:
        try:
            x, y = _coordinate(r.values.get(kx), header_of[kx], geographic, Axis.LON), \
                _coordinate(r.values.get(ky), header_of[ky], geographic, Axis.LAT)
        except InvalidInput as exc:
            bad.append(BadRow(r.line, str(exc)))
            continue
        rows.append({h: r.values.get(k) for k, h in header_of.items() if not k.startswith(_ROLE)})
        lines.append(r.line)
        xs.append(x)
        ys.append(y)
    data = LayerData(path=path, layer="", layers=[""], columns=columns, rows=rows, lines=lines,
                     xs=np.array(xs, dtype=float), ys=np.array(ys, dtype=float), geometry_type="point",
                     file_crs=None, bad=bad, coordinate_columns=(header_of[kx], header_of[ky]))
    if not geographic:
        _orient_xy(data)
    return data


def _small(v: Any) -> bool:
    try:
        return abs(float(v)) <= 180
    except (TypeError, ValueError):
        return False


def _coordinate(value: Any, header: str, geographic: bool, axis: Axis) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"“{header}”为空")
    if geographic:
        return parse_coordinate(value if isinstance(value, (int, float)) else str(value), axis)
    try:
        number = float(unicodedata.normalize("NFKC", str(value)).strip().replace(",", ""))
    except ValueError:
        raise InvalidInput(f"“{header}”的“{value}”不是数字") from None
    if not math.isfinite(number):
        raise InvalidInput(f"“{header}”的“{value}”不是数字")
    return number


def _is_northing(v: float) -> bool:
    """A Gauss–Krüger northing in China (about 18°N–54°N)."""
    return 1_900_000 <= v <= 6_100_000


def _orient_xy(data: LayerData) -> None:
    """Chinese surveying writes X for the northing and Y for the easting; GIS the other way. The
    numbers tell which: a northing in China is 2–6 million metres, an easting 6 digits or 8 with the zone."""
    if not len(data.xs):
        return
    x_north = float(np.mean([_is_northing(v) for v in data.xs]))
    y_north = float(np.mean([_is_northing(v) for v in data.ys]))
    if x_north > 0.5 and y_north < 0.5:
        data.xs, data.ys = data.ys, data.xs
        x_col, y_col = data.coordinate_columns
        data.coordinate_columns = (y_col, x_col)
        data.notes.append(f"“{x_col}”列是北坐标、“{y_col}”列是东坐标（测量习惯 X 为北），已按此读取")
