"""The repositories on PostgreSQL: the SQLite classes (storage/*_repo.py), whose SQL both dialects
accept, with the few statements that read SQLite's catalogue replaced by PostgreSQL's (which tables
exist: storage/sql.py table_exists, answered by storage/pg/connection.py)."""
from __future__ import annotations

from hazardmap.storage.map_repo import SqliteMapPoints
from hazardmap.storage.points_repo import SqlitePoints

# Every (table, column) with a foreign key to hazard_point.seq.
_REFERENCES = """
SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
WHERE c.contype = 'f' AND c.confrelid = 'hazard_point'::regclass
"""


class PgPoints(SqlitePoints):
    def has_history(self, s, seq: int) -> bool:
        for table, column in s.execute(_REFERENCES).fetchall():
            if s.execute(f'SELECT 1 FROM "{table}" WHERE "{column}" = ? LIMIT 1', (seq,)).fetchone():
                return True
        return False


class PgMapPoints(SqliteMapPoints):
    """The box through the GiST index on geom (storage/pg/schema.py); floor() because PostgreSQL's
    cast of a double to an integer rounds."""
    CELL = "floor((({col}) - ?) / ?)"

    def box_condition(self, box, which):
        from hazardmap.storage.pg.schema import SRID

        if which.township is not None:   # one township: its btree index (status, township, lat, lon) is the way in
            return super().box_condition(box, which)
        return f"geom && ST_MakeEnvelope(?, ?, ?, ?, {SRID})", [box.west, box.south, box.east, box.north]
