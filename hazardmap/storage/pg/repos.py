"""The repositories on PostgreSQL: the SQLite classes (storage/*_repo.py), whose SQL both dialects
accept, with the few statements that read SQLite's catalogue replaced by PostgreSQL's (which tables
exist: storage/sql.py table_exists, answered by storage/pg/connection.py)."""
from __future__ import annotations

from hazardmap.storage.map_repo import SqliteMapPoints
from hazardmap.storage.patrol_repo import _SUMMARY_ADD, _SUMMARY_COLUMNS, SqlitePatrol, _summary_rows
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


class PgPatrol(SqlitePatrol):
    """The bulk path's PostgreSQL side: ids as one block of the identity sequence, rows by COPY."""

    def _reserve_ids(self, s, table: str, n: int) -> int:
        """A block of n ids from the identity sequence (writers hold the write lock, so no nextval between)."""
        last = s.execute("SELECT setval(pg_get_serial_sequence(?, 'id'), nextval(pg_get_serial_sequence(?, 'id'))"
                         " + ? - 1)", (table, table, n)).fetchone()[0]
        return last - n + 1

    copy_summary_from = 100  # points; fewer are upserted one statement each

    def _summary_add(self, s, entries) -> None:
        """Many points at once (the bulk path): COPY into a scratch table, then one upsert from it."""
        rows = _summary_rows(entries)
        if len(rows) < self.copy_summary_from or not self.summarised:
            super()._summary_add(s, entries)
            return
        s.execute("CREATE TEMP TABLE IF NOT EXISTS patrol_latest_new (point_seq BIGINT, patrolled_at TEXT,"
                  " log_id BIGINT, judgement TEXT, live_count BIGINT) ON COMMIT DELETE ROWS")
        self._bulk(s, "patrol_latest_new", _SUMMARY_COLUMNS, rows)
        s.execute(_SUMMARY_ADD.format(source=f"SELECT {', '.join(_SUMMARY_COLUMNS)} FROM patrol_latest_new"))
        s.execute("DELETE FROM patrol_latest_new")

    def _bulk(self, s, table: str, columns, rows: list[tuple]) -> None:
        """COPY: the bulk path's rows in one stream (executemany would send them one statement each)."""
        with s.raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
