"""Upgrade: a database written by an earlier release opens in this one with every edit kept."""
from __future__ import annotations

import shutil

import pytest

from hazardmap.services import key_lists, points, rain_gauges, register
from hazardmap.services.store import db_path, open_store
from hazardmap.storage.schema import SCHEMA_VERSION
from tests.conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "hazardmap-0.1.0-schema2.sqlite3"


@pytest.fixture
def upgraded(home):
    """A copy of a user's 0.1.0 database (FIXTURE), opened (so migrated) as the app opens it."""
    home.mkdir(parents=True)
    shutil.copyfile(FIXTURE, db_path(home))
    store = open_store(home)
    yield store
    store.close()


def test_database_from_0_1_0_is_migrated_and_keeps_edits(upgraded):
    store = upgraded
    assert store.db.version == SCHEMA_VERSION
    assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    p3 = points.get_point(store, 3)
    assert (round(p3.lon, 6), round(p3.lat, 6), p3.precision.value) == (112.615, 26.753, "surveyed")
    history = points.location_history(store, 3)
    assert [(h.changed_by, h.source) for h in history] == [("王某", "GPS 2024-05-03 王某实测")]
    assert points.get_point(store, 5).phone == "0734-1234567"
    assert [m.changed_by for m in points.monitor_history(store, 5)] == ["李四"]
    assert rain_gauges.assigned_count(store) == (1, 15)
    assert rain_gauges.list_sites(store)[0].village == "檀市村"
    assert len(points.list_points(store)) == 16  # no re-seeding on top of the user's data
    # migration 5: the register's fields, derived only from the points' own text; audit works
    p5 = points.get_point(store, 5)
    assert (p5.kind, p5.households, p5.status.value, p5.unified_code) == ("滑坡", 27, "active", "")
    assert p5.monitor == "邓石生" and p5.phone == "0734-1234567"  # the 0.1.0 user's edit is kept
    register.retire_point(store, 5, date="2024-05-03", reason="已治理", by="测试")
    assert [c.action.value for c in register.point_changes(store, 5)] == ["retire"]
    assert [m.changed_by for m in points.monitor_history(store, 5)] == ["李四"]
    # migration 6: the 2023 key list as the county's table gives it; the point keeps the user's edit
    (kl2023,) = key_lists.list_lists(store)
    assert (kl2023.year, kl2023.doc_no, kl2023.count) == (2023, "清政办函〔2024〕2号 附件1", 16)
    entry5 = key_lists.list_entries(store, 2023)[4]
    assert (entry5.point_seq, entry5.monitor, entry5.phone) == (5, "邓石生", "14789361105")
    # the migrated correction row can be undone: point 3 goes back to having no position
    assert history[0].kind == "correction" and history[0].new_precision.value == "surveyed"
    points.undo_last_location_change(store, 3, by="测试")
    p3 = points.get_point(store, 3)
    assert (p3.lon, p3.lat, p3.precision.value) == (None, None, "none")


def test_fixture_itself_is_untouched_by_the_test():
    import sqlite3

    conn = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    finally:
        conn.close()


def test_database_of_schema_4_keeps_patrols_audit_corrections_and_assignments_in_migration_5(home):
    """The version before the register: every kind of record a user made survives migration 5."""
    from hazardmap.geodata.bundled import BundledData
    from hazardmap.services import patrol
    from hazardmap.storage.db import Database

    from hazardmap.services.store import Store

    bundled = BundledData()
    # Work at version 4 through the services, as the release before the register did.
    store = Store(home=home, db=Database.open(db_path(home), bundled, target_version=4), bundled=bundled)
    try:
        assert store.db.version == 4
        points.set_monitor(store, 5, name="新监测人", phone="0734-7654321", by="甲")
        points.correct_location(store, 3, lon=112.615, lat=26.753, datum="wgs84", source="GPS 实测", by="乙")
        patrol.record(store, patrol.draft_from_dict({"point": 5, "at": "2025-06-01 08:00", "by": "丙",
                                                     "judgement": "异常"}))
        site = next(v for v in store.bundled.villages if v.located)
        # The rain-gauge table is rebuilt by migration 7, so today's service cannot write the version-4
        # table: the assignment is written as version 4 stored it.
        store.db.conn.execute("UPDATE rain_gauge_site SET village_code = ?, village = ?, township = ?, lon = ?,"
                              " lat = ?, assigned_by = '丁', assigned_at = '2025-06-01T08:00:00+08:00'"
                              " WHERE slot = 1", (site.code, site.name, site.township, site.lon, site.lat))
        counts = {t: store.db.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("patrol_log", "patrol_audit", "location_change", "monitor_change")}
    finally:
        store.close()
    store = open_store(home)
    try:
        assert store.db.version == SCHEMA_VERSION
        assert store.db.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert counts == {t: store.db.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in counts}
        p5 = points.get_point(store, 5)
        assert (p5.monitor, p5.phone, p5.kind.value, p5.households) == ("新监测人", "0734-7654321", "滑坡", 27)
        assert points.get_point(store, 3).precision.value == "surveyed"
        assert [e.by for e in patrol.list_entries(store, point=5)] == ["丙"]
        assert rain_gauges.list_sites(store)[0].village_code == site.code
        assert len(register.points_in_view(store)) == 16
    finally:
        store.close()


def test_upgrade_seeds_the_2023_fund_plan_and_works(upgraded):
    """The year's programme migration on a 0.1.0 database: the 2023 plan and its seven works, linked to the
    user's points 3 and 5, and nothing else changed."""
    from hazardmap.services import fund, works

    store = upgraded
    ov = fund.overview(store, 2023)
    assert ov.totals.lines_fen == 155_878_300 and ov.totals.spent_fen == 0
    ws = works.list_works(store, 2023)
    assert works.works_total(ws) == 99_000_000 and [w.points for w in ws if w.points] == [(3,), (5,)]
    assert points.get_point(store, 5).phone == "0734-1234567"


def test_spending_recorded_before_the_cross_year_column_is_kept(home, tmp_path):
    """The migration that records a confirmed cross-year payment, on a database with spending in it: the
    database is made at the version just before that migration (found by its text, since migrations get
    reordered when branches merge), a spending row is put in with the columns it had then, and opening
    it runs that migration and every later one."""
    import sqlite3

    from hazardmap.domain.fund import SpendDraft
    from hazardmap.geodata.bundled import BundledData
    from hazardmap.services import fund
    from hazardmap.storage.db import Database
    from hazardmap.storage.schema import MIGRATIONS

    before = next(i for i, m in enumerate(MIGRATIONS) if "ADD COLUMN cross_year" in m)
    current = open_store(tmp_path / "current")  # the same spending recorded by today's code, as a model row
    fund.spend(current, 2023, SpendDraft("七", "2023-06-01", "1234.5", "某劳保用品店", "记-1"))
    current.db.conn.row_factory = sqlite3.Row
    model = dict(current.db.conn.execute("SELECT * FROM fund_spending").fetchone())
    current.close()
    home.mkdir(parents=True)
    Database.open(db_path(home), BundledData(), target_version=before).conn.close()
    conn = sqlite3.connect(db_path(home))
    columns = [r[1] for r in conn.execute("PRAGMA table_info(fund_spending)")]
    assert "cross_year" not in columns and conn.execute("PRAGMA user_version").fetchone()[0] == before
    conn.execute(f"INSERT INTO fund_spending ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                 [model[c] for c in columns])
    conn.commit()
    conn.close()
    store = open_store(home)
    try:
        (sp,) = fund.spendings(store, 2023)
        assert (sp.amount_fen, sp.voucher, sp.cross_year) == (123450, "记-1", False)
        assert store.db.version == SCHEMA_VERSION
    finally:
        store.close()


def test_reference_layer_tables_added_to_an_old_database(upgraded, home):
    """The reference-layer migration on a 0.1.0 database: empty tables, a layer can be added and read."""
    import json

    from hazardmap.services import layer_read, reference_layers

    store = upgraded
    assert store.db.version == SCHEMA_VERSION
    assert reference_layers.list_layers(store) == []
    gj = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"名称": "测试河"},
          "geometry": {"type": "LineString", "coordinates": [[112.70, 26.70], [112.80, 26.75]]}}]}
    path = home / "river.geojson"
    path.write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
    reference_layers.import_reference(store, layer_read.read_layer(path), name="河流")
    assert [(x.name, x.count) for x in reference_layers.list_layers(store)] == [("河流", 1)]


def test_map_box_indexes_added_to_an_old_database(upgraded):
    """The migration that lets the map ask for a box (storage/map_repo.py), on a 0.1.0 database: the
    indexes exist afterwards, the box query uses one, and it answers from the upgraded data."""
    from hazardmap.domain.map_query import Box, Which

    store = upgraded
    conn = store.db.conn
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"hazard_point_place", "hazard_point_township"} <= names
    plan = " ".join(str(r[-1]) for r in conn.execute(
        "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM hazard_point WHERE status = 'active' AND lat BETWEEN 26 AND 27.5"
        " AND lon BETWEEN 112 AND 113.5"))
    assert "hazard_point_place" in plan
    with store.db.read() as s:
        n = store.db.map_points.count(s, Which(), Box(112.0, 26.0, 113.5, 27.5))
    assert n == sum(1 for p in register.points_in_view(store) if p.located)


def test_patrol_latest_is_filled_from_the_entries_of_an_older_database(home):
    """The migration adding patrol_latest (each point's newest live patrol and count) fills it from the
    entries already there, leaving entries in the 回收站 out."""
    from hazardmap.geodata.bundled import BundledData
    from hazardmap.services import patrol
    from hazardmap.services.store import Store
    from hazardmap.storage.db import Database
    from hazardmap.storage.schema import MIGRATIONS

    before = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE patrol_latest" in m)
    bundled = BundledData()
    store = Store(home=home, db=Database.open(db_path(home), bundled, target_version=before), bundled=bundled)
    try:
        for at, seq, judgement in (("2025-06-01 08:00", 5, "异常"), ("2025-06-03 08:00", 5, "正常"),
                                   ("2025-06-02 08:00", 7, "危险")):
            patrol.record(store, patrol.draft_from_dict({"point": seq, "at": at, "by": "丙", "judgement": judgement}))
        patrol.delete(store, patrol.list_entries(store, point=5)[0].id)  # the newest of point 5, binned
    finally:
        store.close()
    store = open_store(home)
    try:
        assert store.db.version == SCHEMA_VERSION
        rows = store.db.conn.execute("SELECT point_seq, patrolled_at, judgement, live_count FROM patrol_latest"
                                     " ORDER BY point_seq").fetchall()
        assert [tuple(r) for r in rows] == [(5, "2025-06-01 08:00", "异常", 1), (7, "2025-06-02 08:00", "危险", 1)]
    finally:
        store.close()
