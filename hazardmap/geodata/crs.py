"""The coordinate systems the bureau meets, and converting them to the stored CGCS2000 lon/lat.

PROJ (pyproj) does every projection and datum; GCJ-02 and BD-09 are not in PROJ and go through
geodata/gcj02.py. WGS-84 is taken as equal to CGCS2000 (they differ by centimetres; docs/DOMAIN.md).
Xian 1980 and Beijing 1954 need local transformation parameters that PROJ does not ship for China, so
converting them is good to about 100 m only: the choice carries a plain warning saying so.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from hazardmap.domain.errors import InvalidInput
from hazardmap.geodata import gcj02

CGCS2000_EPSG = 4490
HENGNAN_ZONE = 38            # CGCS2000 3° Gauss–Krüger zone of Hengnan (CM 114°E); west of 112.5°E is zone 37
CGCS2000_GK_PREFIXED = range(4513, 4534)     # zones 25–45, zone number in front of the easting
CGCS2000_GK_PLAIN = range(4534, 4555)        # CM 75°E–135°E, no zone number
ROUGH_DATUMS = {"Xian 1980": "西安80", "Beijing 1954": "北京54"}
ROUGH_WARNING = ("{name}坐标系转换到国家2000需要本地转换参数（七参数），程序没有这些参数，"
                 "转换后的位置误差可能达 100 米左右；如有实测的国家2000坐标请优先使用")

KEYWORDS = {
    "wgs84": "WGS-84（GPS、奥维、KML）", "cgcs2000": "CGCS2000（国家2000经纬度）",
    "gcj02": "GCJ-02（高德/腾讯地图）", "bd09": "BD-09（百度地图）",
}


@dataclass(frozen=True)
class CrsChoice:
    """A coordinate system as the user or the file names it."""
    key: str                  # "wgs84", "cgcs2000", "gcj02", "bd09" or "EPSG:N" (or "WKT" for an unnamed one)
    label: str                # Chinese, for messages and the dialog
    wkt: str = ""             # for "EPSG:N"/"WKT": what PROJ reads
    projected: bool = False
    warning: str = ""         # non-empty for Xian 1980 / Beijing 1954

    @property
    def epsg(self) -> int | None:
        return int(self.key[5:]) if self.key.startswith("EPSG:") else None

    @property
    def is_offset_datum(self) -> bool:
        return self.key in ("gcj02", "bd09")


def _pyproj_crs(text: str):
    import pyproj

    try:
        return pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError:
        return None


def parse_crs(text: str) -> CrsChoice:
    """wgs84 | cgcs2000 | gcj02 | bd09 | EPSG:N | N (an EPSG code). InvalidInput (Chinese) otherwise."""
    raw = (text or "").strip()
    key = raw.lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"wgs84": "wgs84", "gps": "wgs84", "epsg4326": "wgs84", "4326": "wgs84",
               "cgcs2000": "cgcs2000", "epsg4490": "cgcs2000", "4490": "cgcs2000",
               "gcj02": "gcj02", "amap": "gcj02", "bd09": "bd09", "baidu": "bd09"}
    if key in aliases:
        return CrsChoice(aliases[key], KEYWORDS[aliases[key]])
    code = key[4:] if key.startswith("epsg") else key
    code = code.lstrip(":")
    if code.isdigit():
        crs = _pyproj_crs(f"EPSG:{code}")
        if crs is not None:
            return from_pyproj(crs)
    raise InvalidInput(f"不认识的坐标系“{raw}”：可选 wgs84、cgcs2000、gcj02、bd09，或 EPSG 代码"
                       f"（如 EPSG:4526 = 国家2000 3度带第38带带号，EPSG:4547 = 国家2000 3度带中央经线114°不带带号）")


def from_file(text: str | None) -> CrsChoice | None:
    """The coordinate system a file declares (.prj, a GeoPackage's srs, KML/GeoJSON: WGS-84), or None."""
    if not text:
        return None
    crs = _pyproj_crs(text)
    return None if crs is None else from_pyproj(crs)


def from_pyproj(crs) -> CrsChoice:
    epsg = crs.to_epsg(min_confidence=70)
    if epsg in (4326, 4490) and not crs.is_projected:
        key = "wgs84" if epsg == 4326 else "cgcs2000"
        return CrsChoice(key, KEYWORDS[key])
    datum = crs.datum.name if crs.datum is not None else ""
    warning = ""
    for name, chinese in ROUGH_DATUMS.items():
        if name.lower() in datum.lower() or name.lower() in crs.name.lower():
            warning = ROUGH_WARNING.format(name=chinese)
    key = f"EPSG:{epsg}" if epsg else "WKT"
    label = f"{crs.name}（EPSG:{epsg}）" if epsg else crs.name
    return CrsChoice(key, label, wkt=crs.to_wkt(), projected=crs.is_projected, warning=warning)


@lru_cache(maxsize=32)
def _transformer(wkt: str, inverse: bool):
    import pyproj

    src, dst = pyproj.CRS.from_wkt(wkt), pyproj.CRS.from_epsg(CGCS2000_EPSG)
    if inverse:
        src, dst = dst, src
    return pyproj.Transformer.from_crs(src, dst, always_xy=True)


def _convert(choice: CrsChoice, xs, ys, *, inverse: bool) -> tuple[np.ndarray, np.ndarray]:
    """File coordinates <-> CGCS2000 lon/lat (inverse: from CGCS2000 to the file's system); NaN stays NaN."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if choice.key in ("wgs84", "cgcs2000"):
        return xs.copy(), ys.copy()
    if choice.is_offset_datum:
        if inverse:
            step = gcj02.wgs84_to_gcj02 if choice.key == "gcj02" else gcj02.wgs84_to_bd09
        else:
            step = gcj02.gcj02_to_wgs84 if choice.key == "gcj02" else gcj02.bd09_to_wgs84
        out = [step(x, y) if np.isfinite(x) and np.isfinite(y) else (np.nan, np.nan) for x, y in zip(xs, ys)]
        arr = np.array(out, dtype=float).reshape(-1, 2)
        return arr[:, 0], arr[:, 1]
    x, y = _transformer(choice.wkt, inverse).transform(xs, ys)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_cgcs2000(choice: CrsChoice, xs, ys) -> tuple[np.ndarray, np.ndarray]:
    """File coordinates (x = easting/lon, y = northing/lat) -> CGCS2000 lon/lat arrays."""
    return _convert(choice, xs, ys, inverse=False)


def from_cgcs2000(choice: CrsChoice, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return _convert(choice, lon, lat, inverse=True)


# ---- Gauss–Krüger: zone numbers in front of the easting ------------------------------------------------

@dataclass(frozen=True)
class GaussKruger:
    central_meridian: float
    false_easting: float

    @property
    def zone_prefix(self) -> int | None:
        """The zone number written in front of the easting (38 for 38 500 000), None when there is none."""
        return int(self.false_easting // 1_000_000) if self.false_easting >= 1_000_000 else None


def gauss_kruger(choice: CrsChoice) -> GaussKruger | None:
    """The projection's central meridian and false easting when it is a transverse Mercator, else None."""
    if not choice.projected or not choice.wkt:
        return None
    import pyproj

    op = pyproj.CRS.from_wkt(choice.wkt).coordinate_operation
    if op is None or "transverse mercator" not in op.method_name.lower():
        return None
    params = {p.name.lower(): p.value for p in op.params}
    cm = next((v for k, v in params.items() if "longitude of natural origin" in k or "central meridian" in k), None)
    fe = next((v for k, v in params.items() if "false easting" in k), None)
    if cm is None or fe is None:
        return None
    return GaussKruger(float(cm), float(fe))


def cgcs2000_gk(zone: int, *, prefixed: bool) -> str:
    """EPSG code of the CGCS2000 3° zone (zone 38 = CM 114°E): 4513–4533 with the zone number in the
    easting, 4534–4554 without."""
    return f"EPSG:{(4513 if prefixed else 4534) + zone - 25}"


def zone_of_easting(easting: float) -> int | None:
    """The zone number in front of an 8-digit easting (38 512 345.6 -> 38), None for a 6-digit one."""
    if 13_000_000 <= easting < 46_000_000:
        return int(easting // 1_000_000)
    return None


# ---- the choices a dialog offers by name ------------------------------------------------------------------

def named_choices() -> list[tuple[str, str]]:
    """(label, key for parse_crs) of the systems the bureau meets, Hengnan's zones first: the
    lon/lat datums, the CGCS2000 3° zones with and without the zone number, and the Xian 1980 /
    Beijing 1954 zones 37–38 (good to about 100 m only; parse_crs gives their warning)."""
    out = [(label, key) for key, label in KEYWORDS.items()]
    zones = [HENGNAN_ZONE, HENGNAN_ZONE - 1] + [z for z in range(25, 46) if z not in (HENGNAN_ZONE, HENGNAN_ZONE - 1)]
    for zone in zones:
        for prefixed in (True, False):
            key = cgcs2000_gk(zone, prefixed=prefixed)
            how = f"带号 {zone}，东坐标 8 位" if prefixed else f"中央经线 {zone * 3}°E，不带带号"
            out.append((f"CGCS2000 3° 带 {zone}（{how}）{key}", key))
    # EPSG codes of the older datums' 3° zones 38 and 37 (CM 114°E and 111°E), with and without the zone number.
    for chinese, codes in (("西安80", (2362, 2383, 2361, 2382)), ("北京54", (2414, 2435, 2413, 2434))):
        for code, (zone, prefixed) in zip(codes, ((38, True), (38, False), (37, True), (37, False))):
            how = f"带号 {zone}" if prefixed else f"中央经线 {zone * 3}°E，不带带号"
            out.append((f"{chinese} 3° 带 {zone}（{how}，精度约 100 米）EPSG:{code}", f"EPSG:{code}"))
    return out
