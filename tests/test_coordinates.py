"""Coordinate text: one parser (domain.coordinates) for the location dialog and `hazardmap locate`."""
from __future__ import annotations

import json

import pytest

from hazardmap.domain.coordinates import Axis, parse_coordinate
from hazardmap.domain.errors import InvalidInput
from tests.test_patrol_text import window_host

LON, LAT = Axis.LON, Axis.LAT
DMS = 112 + 36 / 60 + 36 / 3600  # 112°36'36" = 112.61

READS = [
    ("112.612345", LON, 112.612345),
    ("  112.61 ", LON, 112.61),
    ("+112.61", LON, 112.61),
    ("-112.5", LON, -112.5),
    ("112.61°", LON, 112.61),
    (".5", LAT, 0.5),
    ("112°36'36\"", LON, DMS),
    ("112°36′36″", LON, DMS),                 # prime and double prime
    ("112度36分36秒", LON, DMS),
    ("112° 36' 36\"", LON, DMS),
    ("112°36’36”", LON, DMS),                 # curly quotes from a word processor
    ("112°36'36''", LON, DMS),                # two apostrophes for seconds
    ("112 36 36", LON, DMS),
    ("112°36.6'", LON, DMS),
    ("112°36.6′", LON, DMS),
    ("112°36'", LON, 112.6),
    ("112º36'36\"", LON, DMS),                # the ordinal sign some keyboards give for °
    ("112°36'36.5\"", LON, 112 + 36 / 60 + 36.5 / 3600),
    ("26°45'N", LAT, 26.75),
    ("26°45'n", LAT, 26.75),
    ("N26°45'", LAT, 26.75),
    ("26°45'S", LAT, -26.75),
    ("112°36'36\"E", LON, DMS),
    ("E 112.61", LON, 112.61),
    ("112.61W", LON, -112.61),
    ("东经112°36'36\"", LON, DMS),
    ("北纬26.75", LAT, 26.75),
    ("南纬 26.75", LAT, -26.75),
    ("西经112.61", LON, -112.61),
    ("１１２．６１", LON, 112.61),              # full-width digits and point
    ("－１１２．５", LON, -112.5),              # full-width minus
    ("＋１１２．５", LON, 112.5),
    ("−112.5", LON, -112.5),                  # the minus sign U+2212
    ("１１２°３６′３６″", LON, DMS),
    ("１１２度３６分３６秒", LON, DMS),
    ("112.61，", LON, 112.61),                 # a separator left over from pasting "112.61，26.75"
    (112.61, LON, 112.61),
]


@pytest.mark.parametrize("text,axis,expected", READS, ids=[f"{t}-{a.name}" for t, a, _ in READS])
def test_reads(text, axis, expected):
    assert parse_coordinate(text, axis) == pytest.approx(expected, abs=1e-9)


REFUSED = [
    ("", LON, "请填写经度"),
    ("   ", LAT, "请填写纬度"),
    (None, LON, "请填写经度"),
    ("abc", LON, "不是数字或度分秒（看不懂“a”）"),
    ("112.6x", LON, "看不懂“x”"),
    ("nan", LAT, "看不懂“n”"),
    ("inf", LON, "看不懂“i”"),
    ("1e2", LON, "看不懂“e”"),
    ("112,61", LON, "看不懂“,”"),
    ("112..6", LON, "不是数字或度分秒"),
    ("112°60'", LON, "分是 60：分应小于 60"),
    ("112°36'60\"", LON, "秒是 60：秒应小于 60"),
    ("112度75分", LON, "分应小于 60"),
    ("112 36 61", LON, "秒应小于 60"),
    ("112.5°30'", LON, "度带小数时不能再写分秒"),
    ("112°30.5'10\"", LON, "分带小数时不能再写秒"),
    ("26°45'N", LON, "带的是纬度的方向（N）：是否填反了经度和纬度"),
    ("112.6E", LAT, "带的是经度的方向（E）"),
    ("北纬26.75", LON, "纬度的方向"),
    ("-112.6W", LON, "既有负号又有方向 W"),
    ("N", LAT, "不是数字或度分秒"),
    (float("nan"), LON, "有限的数字"),
]


@pytest.mark.parametrize("text,axis,reason", REFUSED, ids=[f"{t}-{a.name}" for t, a, _ in REFUSED])
def test_refused_in_chinese(text, axis, reason):
    with pytest.raises(InvalidInput, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse_coordinate(text, axis)


def test_cli_locate_reads_degrees_minutes_seconds(cli):
    code, _, err = cli("locate", "--point", "3", "--lon", "112°36′36″", "--lat", "26°45'N", "--datum", "cgcs2000",
                       "--source", "GPS 测试")
    assert code == 0, err
    p3 = json.loads(cli("points", "--format", "json")[1])[2]
    assert (p3["lon"], p3["lat"]) == pytest.approx((112.61, 26.75), abs=1e-6)
    code, _, err = cli("locate", "--point", "3", "--lon", "112°61'", "--lat", "26.75", "--datum", "cgcs2000",
                       "--source", "x")
    assert code != 0 and "分应小于 60" in err
    code, _, err = cli("locate", "--point", "3", "--lon", "１１２．６", "--lat", "２６．７６", "--datum", "cgcs2000",
                       "--source", "全角")
    assert code == 0, err
    assert json.loads(cli("points", "--format", "json")[1])[2]["lon"] == pytest.approx(112.6, abs=1e-6)


def test_location_dialog_reads_the_same_text(store, qtbot):
    pytest.importorskip("PySide6")
    from hazardmap.qt.location_dialog import LocationDialog
    from hazardmap.services import points as point_service

    dlg = LocationDialog(window_host(store, qtbot), 3)
    qtbot.addWidget(dlg)
    dlg.datum.setCurrentIndex(dlg.datum.findData("cgcs2000"))
    dlg.source.setText("GPS 测试")
    dlg.lon.setText("112°36'")
    dlg.lat.setText("26°45'60\"")
    dlg.accept()
    assert "秒应小于 60" in dlg.error.text()
    assert not point_service.get_point(store, 3).located
    dlg.lat.setText("北纬２６度４５分")
    dlg.accept()
    assert dlg.result() == dlg.DialogCode.Accepted
    p = point_service.get_point(store, 3)
    assert (p.lon, p.lat) == pytest.approx((112.6, 26.75), abs=1e-6)
