"""Copying all data between the two backends (a desk's SQLite file <-> the bureau's server): every
shared table, row for row, in one write transaction on the destination, verified before it commits
(row counts and a checksum per table), so a copy is whole or not made at all."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from hazardmap.storage.db import Database


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int
    checksum: str  # sha256 of the table's rows (sorted, canonical JSON), the same on both sides


def _sqlite_side(a, b) -> Database:
    return a if isinstance(a, Database) else b


def tables_in_order(lite: Database) -> list[str]:
    """The shared tables, each after the tables its foreign keys point to (for inserting)."""
    conn = lite.conn
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                        " AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
    refs = {t: {r[2] for r in conn.execute("SELECT * FROM pragma_foreign_key_list(?)", (t,))} - {t} for t in names}
    out: list[str] = []
    while len(out) < len(names):
        ready = [t for t in names if t not in out and refs[t] <= set(out)]
        if not ready:  # a cycle (none today): keep creation order
            ready = [t for t in names if t not in out][:1]
        out.extend(ready)
    return out


def columns(lite: Database, table: str) -> list[str]:
    return [r[1] for r in lite.conn.execute(f'SELECT * FROM pragma_table_info("{table}")')]


def _rows(db, table: str, cols: list[str]) -> list[tuple]:
    with db.read() as s:
        return [tuple(r) for r in s.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()]


def checksum(rows: list[tuple]) -> str:
    h = hashlib.sha256()
    for line in sorted(json.dumps(list(r), ensure_ascii=False) for r in rows):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def point_count(db) -> int:
    """How many points a database holds (0: just created before any seed, or emptied)."""
    with db.read() as s:
        return s.execute("SELECT COUNT(*) FROM hazard_point").fetchone()[0]


def copy_all(src, dst, *, clear: bool) -> list[TableCopy]:
    """Every shared table of src into dst (both open at the same schema version). clear: dst's rows are
    removed first, in the same transaction. Raises CopyMismatch (and commits nothing) if what dst would
    hold differs from src."""
    from hazardmap.domain.errors import CopyMismatch

    lite = _sqlite_side(src, dst)
    order = tables_in_order(lite)
    report = []
    with dst.write() as tx:
        if clear:
            if getattr(dst, "dialect", "sqlite") == "postgresql":
                tx.execute(f"TRUNCATE {', '.join(order)}")
            else:
                for table in reversed(order):
                    tx.execute(f"DELETE FROM {table}")
        for table in order:
            cols = columns(lite, table)
            rows = _rows(src, table, cols)
            if rows:
                tx.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                               rows)
            copied = [tuple(r) for r in tx.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()]
            want, got = checksum(rows), checksum(copied)
            if len(copied) != len(rows) or want != got:
                raise CopyMismatch(table, len(rows), len(copied))
            report.append(TableCopy(table, len(rows), want))
        if getattr(dst, "dialect", "sqlite") == "postgresql":
            from hazardmap.storage.pg.schema import SYNC_IDENTITIES

            for table, column in tx.execute(SYNC_IDENTITIES).fetchall():
                tx.raw.execute(f'SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX("{column}"), 0) + 1,'
                               f' false) FROM "{table}"', (table, column))
    return report
