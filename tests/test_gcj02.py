"""The project's GCJ-02 conversion against independently derived values (tests/fixtures/county)."""
from __future__ import annotations

import csv

from hazardmap.domain.coordinates import distance_m
from hazardmap.geodata.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from tests.conftest import COUNTY


def pairs():
    with open(COUNTY / "gcj02_derived_pairs.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            yield tuple(float(r[c]) for c in ("lon_gcj02", "lat_gcj02", "lon_wgs84_derived", "lat_wgs84_derived"))


def test_inverse_agrees_with_independently_derived_values_within_1m():
    checked = 0
    for glon, glat, wlon, wlat in pairs():
        lon, lat = gcj02_to_wgs84(glon, glat)
        assert distance_m(lon, lat, wlon, wlat) < 1.0
        checked += 1
    assert checked > 300


def test_inverse_undoes_forward_to_a_centimetre():
    for lon, lat in [(112.6779, 26.7382), (113.1, 26.5), (112.15, 26.95)]:
        glon, glat = wgs84_to_gcj02(lon, lat)
        assert 500 < distance_m(lon, lat, glon, glat) < 800  # ~660 m offset near Hengnan
        back = gcj02_to_wgs84(glon, glat)
        assert distance_m(lon, lat, *back) < 0.01


def test_outside_china_is_identity():
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_bd09_round_trip_and_offset_near_hengnan():
    """BD-09 sits on GCJ-02 (about 1.2 km from WGS-84 here); its inverse by iteration returns within 1 cm."""
    from hazardmap.geodata.gcj02 import bd09_to_wgs84, wgs84_to_bd09

    for lon, lat in [(112.6, 26.7), (113.0, 27.1), (112.85, 26.95)]:
        blon, blat = wgs84_to_bd09(lon, lat)
        assert 1000 < distance_m(lon, lat, blon, blat) < 1500
        assert distance_m(lon, lat, *bd09_to_wgs84(blon, blat)) < 0.01
