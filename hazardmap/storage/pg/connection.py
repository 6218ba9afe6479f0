"""A psycopg 3 connection that speaks to the repositories the way sqlite3 does, so one set of
repository classes (storage/*_repo.py) serves both backends: `execute(sql, params)` with `?`
placeholders returns a cursor whose rows are read by position or by column name (like sqlite3.Row).
The SQL the repositories write is kept to what both dialects accept (RETURNING, ON CONFLICT); the few
statements that cannot be shared live in the PostgreSQL repositories (storage/pg/repos.py)."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Sequence

import psycopg
import psycopg.types.numeric


class _SqliteNumeric(psycopg.types.numeric.NumericLoader):
    """numeric (what SUM() of integers gives on PostgreSQL) read as SQLite gives it: int when whole."""

    def load(self, data):
        value = super().load(data)
        return int(value) if value == value.to_integral_value() else float(value)


def configure(raw: psycopg.Connection) -> psycopg.Connection:
    """A connection made to read back values as sqlite3 does."""
    raw.adapters.register_loader("numeric", _SqliteNumeric)
    return raw


@lru_cache(maxsize=2048)
def to_pg(sql: str) -> str:
    """sqlite3's qmark style -> psycopg's format style ('%' doubled). The repositories never put a '?'
    inside a string literal."""
    return sql.replace("%", "%%").replace("?", "%s")


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type:
    index = {n: i for i, n in enumerate(names)}

    class Row(tuple):
        __slots__ = ()

        def __getitem__(self, key):  # type: ignore[override]
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


def _named_rows(cursor: psycopg.Cursor):
    desc = cursor.description
    if desc is None:
        return tuple
    return _row_class(tuple(c.name for c in desc))


class Cursor:
    """Enough of sqlite3.Cursor: execute, fetchone/fetchall, iteration, description, row_factory=None."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._cur = conn.cursor()
        self.row_factory = True  # the repositories set None for plain tuples (faster)
        self._inserted = False

    def execute(self, sql: str, params: Sequence = ()) -> "Cursor":
        self._cur.execute(to_pg(sql), tuple(params) if params else None)
        self._inserted = sql.lstrip()[:6].upper() == "INSERT"
        return self

    @property
    def lastrowid(self) -> int | None:
        """sqlite3's lastrowid after an INSERT into a table with an identity id: the value the insert
        drew from its sequence (lastval()). New repository code should write INSERT … RETURNING id."""
        if not self._inserted:
            return None
        try:
            with self._conn.transaction():  # a savepoint: a failure here must not spoil the caller's transaction
                return self._conn.execute("SELECT lastval()").fetchone()[0]
        except psycopg.errors.ObjectNotInPrerequisiteState:
            return None

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> "Cursor":
        rows = [tuple(r) for r in rows]
        if rows:
            self._cur.executemany(to_pg(sql), rows)
        return self

    @property
    def description(self):
        return self._cur.description

    def _wrap(self, rows: list) -> list:
        if self.row_factory is None or not rows:
            return rows
        cls = _named_rows(self._cur)
        return [cls(r) for r in rows]

    def fetchone(self):
        row = self._cur.fetchone()
        return None if row is None else self._wrap([row])[0]

    def fetchall(self) -> list:
        return self._wrap(self._cur.fetchall())

    def __iter__(self):
        return iter(self.fetchall())


class Connection:
    """What the repositories are handed as their session on PostgreSQL."""

    def __init__(self, raw: psycopg.Connection) -> None:
        self.raw = raw

    def cursor(self) -> Cursor:
        return Cursor(self.raw)

    def execute(self, sql: str, params: Sequence = ()) -> Cursor:
        return Cursor(self.raw).execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence]) -> Cursor:
        return Cursor(self.raw).executemany(sql, rows)

    def table_exists(self, name: str) -> bool:
        """storage/sql.py table_exists, from PostgreSQL's catalogue."""
        return self.execute("SELECT to_regclass(?)", (name,)).fetchone()[0] is not None
