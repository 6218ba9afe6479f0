"""Schema as forward migrations. MIGRATIONS[i] takes a database from version i to i + 1
(PRAGMA user_version). Never edit a released migration: add a new one."""
from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the key points and the history of location corrections
    """
    CREATE TABLE hazard_point (
        seq            INTEGER PRIMARY KEY,
        township       TEXT NOT NULL,
        village_group  TEXT NOT NULL,
        village_code   TEXT NOT NULL DEFAULT '',
        threatened     TEXT NOT NULL DEFAULT '',
        hazard_type    TEXT NOT NULL DEFAULT '',
        monitor        TEXT NOT NULL DEFAULT '',
        phone          TEXT NOT NULL DEFAULT '',
        lon            REAL,
        lat            REAL,
        precision      TEXT NOT NULL CHECK (precision IN ('surveyed','village','township','none')),
        source         TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE location_change (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq      INTEGER NOT NULL REFERENCES hazard_point(seq),
        old_lon        REAL,
        old_lat        REAL,
        old_precision  TEXT NOT NULL,
        old_source     TEXT NOT NULL,
        new_lon        REAL NOT NULL,
        new_lat        REAL NOT NULL,
        datum_entered  TEXT NOT NULL,
        entered_lon    REAL NOT NULL,
        entered_lat    REAL NOT NULL,
        source         TEXT NOT NULL,
        changed_by     TEXT NOT NULL,
        changed_at     TEXT NOT NULL
    );
    CREATE INDEX location_change_point ON location_change(point_seq, id);
    """,
    # 2: monitor history and the rain-gauge programme's site assignments
    """
    CREATE TABLE monitor_change (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        point_seq   INTEGER NOT NULL REFERENCES hazard_point(seq),
        old_name    TEXT NOT NULL,
        old_phone   TEXT NOT NULL,
        new_name    TEXT NOT NULL,
        new_phone   TEXT NOT NULL,
        changed_by  TEXT NOT NULL,
        changed_at  TEXT NOT NULL
    );
    CREATE INDEX monitor_change_point ON monitor_change(point_seq, id);
    CREATE TABLE rain_gauge_site (
        slot          INTEGER PRIMARY KEY CHECK (slot >= 1),
        village_code  TEXT UNIQUE,
        village       TEXT,
        township      TEXT,
        lon           REAL,
        lat           REAL,
        assigned_by   TEXT,
        assigned_at   TEXT
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
