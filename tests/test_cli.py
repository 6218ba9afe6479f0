"""CLI round trips and bad input: each bad call exits non-zero with one Chinese line and changes nothing."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys

import pytest

from hazardmap.services.store import db_path
from tests.conftest import COUNTY, ROOT


def dump(home) -> list:
    conn = sqlite3.connect(db_path(home))
    try:
        return [row for table in ("hazard_point", "location_change", "monitor_change", "rain_gauge_site")
                for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
    finally:
        conn.close()


def test_version_from_pyproject(cli):
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"hazardmap {version}"


def test_points_json_and_csv(cli):
    code, out, _ = cli("points", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data) == 16
    assert set(data[0]) == {"seq", "township", "village", "threatened", "monitor", "phone", "lon", "lat",
                            "precision", "source", "unified_code", "field_code", "name", "type", "volume_m3",
                            "scale_grade", "households", "people", "property_wan", "danger_grade", "status",
                            "retired_on", "retire_reason", "retire_doc"}
    by_seq = {d["seq"]: d for d in data}
    assert by_seq[3]["lon"] is None and by_seq[3]["lat"] is None and by_seq[3]["precision"] == "none"
    with open(COUNTY / "key_points_2023.csv", encoding="utf-8") as fh:
        for s in csv.DictReader(fh):
            d = by_seq[int(s["seq"])]
            assert (d["monitor"], d["phone"]) == (s["monitor"], s["monitor_phone"])
    code, out, _ = cli("points", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and len(rows) == 17 and rows[0][0] == "序号"
    code, out, _ = cli("points")
    assert code == 0 and "罗金春" in out and "未定位" in out


def test_monitor_set_round_trip(cli, home):
    code, out, _ = cli("monitor", "set", "--point", "5", "--name", "邓新", "--phone", "0734-1234567", "--by", "张三")
    assert code == 0, out
    _, out, _ = cli("points", "--format", "json")
    p5 = json.loads(out)[4]
    assert (p5["monitor"], p5["phone"]) == ("邓新", "0734-1234567")
    _, out, _ = cli("history", "--point", "5")
    assert "邓石生" in out and "邓新" in out and "张三" in out


def test_locate_round_trip_with_history(cli):
    code, out, err = cli("locate", "--point", "3", "--lon", "112.62", "--lat", "26.75", "--datum", "gcj02",
                         "--source", "GPS 2026-05-03 王某", "--by", "王某")
    assert code == 0, err
    _, out, _ = cli("points", "--format", "json")
    p3 = json.loads(out)[2]
    assert p3["precision"] == "surveyed" and p3["source"] == "GPS 2026-05-03 王某"
    # stored in CGCS2000: the GCJ-02 offset (~660 m) was removed
    assert abs(p3["lon"] - 112.62) > 0.003 and abs(p3["lat"] - 26.75) > 0.002
    code, out, _ = cli("locate", "--point", "3", "--lon", "112.6", "--lat", "26.76", "--datum", "wgs84",
                       "--source", "复测")
    assert code == 0
    _, out, _ = cli("history", "--point", "3")
    lines = [line for line in out.splitlines() if "位置" in line]
    assert len(lines) == 2 and "未定位" in lines[0] and "王某" in lines[0] and "复测" in lines[1]


def test_locate_outside_county_needs_force(cli, home):
    cli("points")
    before = dump(home)
    code, _, err = cli("locate", "--point", "1", "--lon", "111.5", "--lat", "26.5", "--datum", "wgs84", "--source", "x")
    assert code != 0 and "县界" in err and "--force" in err
    assert dump(home) == before
    code, _, _ = cli("locate", "--point", "1", "--lon", "111.5", "--lat", "26.5", "--datum", "wgs84", "--source", "x",
                     "--force")
    assert code == 0


def test_rain_gauges_round_trip(cli):
    code, out, _ = cli("rain-gauges", "assign", "--slot", "4", "--village", "胜利村", "--township", "江口镇")
    assert code == 0 and "1/15" in out
    code, out, _ = cli("rain-gauges", "assign", "--slot", "5", "--village", "430422118215")
    assert code == 0 and "檀市村" in out
    _, out, _ = cli("rain-gauges", "--format", "json")
    data = {d["slot"]: d for d in json.loads(out)}
    assert len(data) == 15 and set(data[1]) == {"slot", "batch", "village", "township", "station_code",
                                                     "install_year", "status", "lon", "lat"}
    assert data[4]["village"] == "胜利村" and data[4]["township"] == "江口镇"
    assert data[5]["lon"] == pytest.approx(112.541982, abs=1e-6)
    assert data[1]["village"] is None and data[1]["lon"] is None
    code, out, _ = cli("rain-gauges", "clear", "--slot", "4")
    assert code == 0 and "1/15" in out


BAD_CALLS = [
    (("monitor", "set", "--point", "17", "--name", "某"), "没有第 17 号"),
    (("locate", "--point", "99", "--lon", "112.6", "--lat", "26.7", "--datum", "wgs84", "--source", "x"), "没有第 99 号"),
    (("locate", "--point", "abc", "--lon", "112.6", "--lat", "26.7", "--datum", "wgs84", "--source", "x"), "不是数字"),
    (("locate", "--point", "1", "--lon", "200", "--lat", "26.7", "--datum", "wgs84", "--source", "x"), "经度 200"),
    (("locate", "--point", "1", "--lon", "26.7", "--lat", "112.6", "--datum", "wgs84", "--source", "x"), "填反"),
    (("locate", "--point", "1", "--lon", "112.6", "--lat", "26.7", "--datum", "bj54", "--source", "x"), "未知的坐标系"),
    (("locate", "--point", "1", "--lon", "112.6", "--lat", "26.7", "--datum", "wgs84", "--source", " "), "来源"),
    (("monitor", "set", "--point", "1", "--phone", "1387562246"), "格式不对"),
    (("monitor", "set", "--point", "1", "--phone", "abc"), "格式不对"),
    (("rain-gauges", "assign", "--slot", "1", "--village", "胜利村"), "有 2 个“胜利村”"),
    (("rain-gauges", "assign", "--slot", "1", "--village", "不存在村"), "没有“不存在村”"),
    (("rain-gauges", "assign", "--slot", "16", "--village", "檀市村"), "没有第 16 号"),
    (("rain-gauges", "assign", "--slot", "1", "--village", "胜利村", "--township", "某某镇"), "没有名为“某某镇”"),
]


@pytest.mark.parametrize("argv,reason", BAD_CALLS, ids=[" ".join(a) for a, _ in BAD_CALLS])
def test_bad_input_is_refused_and_changes_nothing(cli, home, argv, reason):
    cli("points")  # make sure the database exists
    before = dump(home)
    code, out, err = cli(*argv)
    assert code != 0
    assert reason in err
    assert len(err.strip().splitlines()) == 1
    assert dump(home) == before


def test_ambiguous_village_lists_the_candidates(cli):
    code, _, err = cli("rain-gauges", "assign", "--slot", "1", "--village", "胜利村")
    assert code != 0 and "车江街道" in err and "江口镇" in err and "430422002279" in err


def test_same_village_twice_is_refused(cli):
    assert cli("rain-gauges", "assign", "--slot", "1", "--village", "檀市村")[0] == 0
    code, _, err = cli("rain-gauges", "assign", "--slot", "2", "--village", "檀市村")
    assert code != 0 and "第 1 号" in err


def test_console_entry_point_runs_as_a_process(home):
    env = {**__import__("os").environ, "HAZARDMAP_HOME": str(home)}
    res = subprocess.run([sys.executable, "-m", "hazardmap", "locate", "--point", "1", "--lon", "200", "--lat", "26",
                          "--datum", "wgs84", "--source", "x"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert res.returncode == 2 and res.stderr.startswith("错误：")
    res = subprocess.run([sys.executable, "-m", "hazardmap", "points", "--format", "json"], capture_output=True,
                         text=True, env=env, cwd=ROOT)
    assert res.returncode == 0 and len(json.loads(res.stdout)) == 16


def test_locate_undo_restores_the_previous_position_and_keeps_history(cli):
    _, out, _ = cli("points", "--format", "json")
    original = json.loads(out)[2]
    assert cli("locate", "--point", "3", "--lon", "112.6", "--lat", "26.76", "--datum", "wgs84",
               "--source", "GPS 测试", "--by", "王某")[0] == 0
    code, out, err = cli("locate-undo", "--point", "3", "--by", "李四")
    assert code == 0, err
    assert "无位置" in out and "未定位" in out
    _, out, _ = cli("points", "--format", "json")
    p3 = json.loads(out)[2]
    assert (p3["lon"], p3["lat"], p3["precision"], p3["source"]) == (None, None, "none", original["source"])
    _, out, _ = cli("history", "--point", "3")
    lines = [line for line in out.splitlines() if "位置" in line]
    assert len(lines) == 2 and "撤销" in lines[1] and "李四" in lines[1]
    # undoing the undo puts the correction back
    assert cli("locate-undo", "--point", "3")[0] == 0
    _, out, _ = cli("points", "--format", "json")
    p3 = json.loads(out)[2]
    assert (p3["lon"], p3["lat"], p3["precision"], p3["source"]) == (112.6, 26.76, "surveyed", "GPS 测试")


def test_monitor_undo_restores_name_and_phone(cli):
    assert cli("monitor", "set", "--point", "2", "--name", "新人", "--phone", "13900000000")[0] == 0
    code, out, _ = cli("monitor", "undo", "--point", "2", "--by", "李四")
    assert code == 0 and "李新菊 13875790008" in out
    _, out, _ = cli("history", "--point", "2")
    assert out.count("监测人") == 2


@pytest.mark.parametrize("argv", [("locate-undo", "--point", "4"), ("monitor", "undo", "--point", "4")])
def test_undo_without_history_is_refused_and_changes_nothing(cli, home, argv):
    cli("points")
    before = dump(home)
    code, _, err = cli(*argv)
    assert code != 0 and "无可撤销" in err
    assert dump(home) == before
