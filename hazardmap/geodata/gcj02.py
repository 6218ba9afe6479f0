"""GCJ-02 ("Mars" datum of Chinese web maps) <-> WGS-84/CGCS2000.

GCJ-02 is not in PROJ. The forward transform is the published closed-form formula (Krasovsky
1940 ellipsoid constants); the inverse has no closed form, so it is solved by fixed-point
iteration to well under a centimetre. Valid inside China only: outside, GCJ-02 = WGS-84.
"""
from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as used by the published formula
_EE = 0.00669342162296594323  # its first eccentricity squared


def out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Forward: WGS-84/CGCS2000 lon/lat -> GCJ-02 lon/lat."""
    if out_of_china(lon, lat):
        return lon, lat
    dlat = _transform_lat(lon - 105.0, lat - 35.0)
    dlon = _transform_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def _invert(forward, lon: float, lat: float, start: tuple[float, float], tolerance_deg: float,
            max_iter: int) -> tuple[float, float]:
    """Fixed-point inverse of a small offset: the point whose forward image is (lon, lat)."""
    x, y = start
    for _ in range(max_iter):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if abs(dx) < tolerance_deg and abs(dy) < tolerance_deg:
            break
    return x, y


def gcj02_to_wgs84(lon: float, lat: float, *, tolerance_deg: float = 1e-9, max_iter: int = 30) -> tuple[float, float]:
    """Inverse by iteration: find the WGS-84 point whose forward image is the given GCJ-02 point."""
    if out_of_china(lon, lat):
        return lon, lat
    return _invert(wgs84_to_gcj02, lon, lat, (lon, lat), tolerance_deg, max_iter)


# ---- BD-09 (Baidu maps): a further published offset on top of GCJ-02, also outside PROJ -------------

_X_PI = math.pi * 3000.0 / 180.0  # the constant of the published Baidu formula


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lon: float, lat: float, *, tolerance_deg: float = 1e-10, max_iter: int = 30
                  ) -> tuple[float, float]:
    """Inverse of gcj02_to_bd09 by iteration (the usual closed form is only good to about a metre)."""
    return _invert(gcj02_to_bd09, lon, lat, (lon - 0.0065, lat - 0.006), tolerance_deg, max_iter)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
