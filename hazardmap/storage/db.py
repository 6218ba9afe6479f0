"""Opening, migrating and seeding the database.

One file, WAL journal, foreign keys on, synchronous=FULL (a committed patrol log must survive a power
cut), and every write in one BEGIN IMMEDIATE transaction so two copies of the app serialise cleanly.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from hazardmap.geodata.bundled import BundledData
from hazardmap.storage.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_S = 15.0


def split_statements(script: str) -> list[str]:
    """Split a migration script into statements (executescript would commit mid-migration)."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def _seed_points(conn: sqlite3.Connection, bundled: BundledData) -> None:
    if conn.execute("SELECT COUNT(*) FROM hazard_point").fetchone()[0]:
        return
    conn.executemany(
        "INSERT INTO hazard_point (seq, township, village_group, village_code, threatened, hazard_type,"
        " monitor, phone, lon, lat, precision, source) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(int(r["seq"]), r["township"], r["village_group"], r["village_code_2023"], r["threatened"],
          r["hazard_type"], r["monitor"], r["phone"], float(r["lon"]) if r["lon"] else None,
          float(r["lat"]) if r["lat"] else None, r["precision"], r["source"])
         for r in bundled.key_point_rows],
    )


def _seed_rain_gauge_slots(conn: sqlite3.Connection, bundled: BundledData) -> None:
    slots = int(bundled.rain_gauge_programme["slots"])
    conn.executemany("INSERT OR IGNORE INTO rain_gauge_site (slot) VALUES (?)", [(i,) for i in range(1, slots + 1)])


def _seed_settings(conn: sqlite3.Connection, bundled: BundledData) -> None:
    from hazardmap.domain.patrol import DEFAULT_SETTINGS

    conn.executemany("INSERT OR IGNORE INTO setting (key, value, is_default, note) VALUES (?,?,1,?)",
                     [(k, v, note) for k, (v, note) in DEFAULT_SETTINGS.items()])


# Data that a migration's new tables start with, run in the same transaction as the migration.
SEEDS: dict[int, Callable[[sqlite3.Connection, BundledData], None]] = {
    1: _seed_points,
    2: _seed_rain_gauge_slots,
    3: _seed_settings,
}


class Database:
    """The SQLite backend (storage.api.Backend): one connection, its transactions, its repositories."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        from hazardmap.storage.patrol_repo import SqlitePatrol
        from hazardmap.storage.points_repo import SqlitePoints
        from hazardmap.storage.rain_gauges_repo import SqliteRainGauges
        from hazardmap.storage.settings_repo import SqliteSettings

        self.path = path
        self.conn = conn
        self.points = SqlitePoints()
        self.rain_gauges = SqliteRainGauges()
        self.patrol = SqlitePatrol()
        self.settings = SqliteSettings()

    @classmethod
    def open(cls, path: Path, bundled: BundledData, *, target_version: int = SCHEMA_VERSION) -> "Database":
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        db = cls(path, conn)
        db.migrate(bundled, target_version)
        return db

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, bundled: BundledData, target_version: int = SCHEMA_VERSION) -> None:
        if self.version > SCHEMA_VERSION:
            from hazardmap.domain.errors import HazardmapError

            raise HazardmapError(f"数据库版本（{self.version}）比本软件（{SCHEMA_VERSION}）新，请安装新版 hazardmap")
        while self.version < target_version:
            with self.write() as conn:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current >= target_version:  # another process migrated while we waited
                    break
                for statement in split_statements(MIGRATIONS[current]):
                    conn.execute(statement)
                seed = SEEDS.get(current + 1)
                if seed:
                    seed(conn, bundled)
                conn.execute(f"PRAGMA user_version = {current + 1}")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Reads outside a write (each statement sees committed data); inside an open write() this is
        that same transaction, since there is one connection."""
        yield self.conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it commits, or none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def integrity(self) -> str:
        """SQLite's own check of the whole file: 'ok', or what is damaged."""
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0]

    def close(self) -> None:
        self.conn.close()
