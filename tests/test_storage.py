"""The database: first-run seeding, schema version, forward migration, safety pragmas."""
from __future__ import annotations

import sqlite3

import pytest

from hazardmap.domain.errors import HazardmapError
from hazardmap.geodata.bundled import BundledData
from hazardmap.services import points, rain_gauges
from hazardmap.services.store import db_path, open_store
from hazardmap.storage.db import Database
from hazardmap.storage.schema import SCHEMA_VERSION
from tests.schema1_edit import correct_point_3


def test_first_run_creates_and_seeds(home):
    assert not db_path(home).exists()
    store = open_store(home)
    try:
        assert db_path(home).exists()
        assert store.db.version == SCHEMA_VERSION
        assert len(points.list_points(store)) == 16
        assert rain_gauges.assigned_count(store) == (0, 15)
        conn = store.db.conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        store.close()


def test_second_open_does_not_reseed_or_lose_edits(home):
    store = open_store(home)
    points.set_monitor(store, 2, phone="13900000000", by="测试")
    store.close()
    store = open_store(home)
    try:
        assert points.get_point(store, 2).phone == "13900000000"
        assert len(points.list_points(store)) == 16
    finally:
        store.close()


def test_migration_from_schema_1_keeps_the_users_edits(home):
    bundled = BundledData()
    old = Database.open(db_path(home), bundled, target_version=1)
    assert old.version == 1
    with old.write() as conn:
        correct_point_3(conn)
    assert "rain_gauge_site" not in {r[0] for r in old.conn.execute("SELECT name FROM sqlite_master")}
    old.close()

    store = open_store(home, bundled)
    try:
        assert store.db.version == SCHEMA_VERSION
        p3 = points.get_point(store, 3)
        assert (p3.lon, p3.lat, p3.precision.value) == (112.61, 26.75, "surveyed")
        assert [c.changed_by for c in points.location_history(store, 3)] == ["王某"]
        assert rain_gauges.assigned_count(store) == (0, 15)  # the new tables are seeded
    finally:
        store.close()


def test_a_newer_database_is_refused(home):
    store = open_store(home)
    store.db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store.close()
    with pytest.raises(HazardmapError, match="新版"):
        open_store(home)


def test_a_failed_write_leaves_nothing_behind(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.db.write() as conn:
            conn.execute("UPDATE hazard_point SET monitor='半截' WHERE seq=1")
            conn.execute("INSERT INTO location_change (point_seq) VALUES (1)")  # NOT NULL violations
    assert points.get_point(store, 1).monitor == "罗金春"
