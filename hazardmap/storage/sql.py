"""Small pieces of SQL text the repositories build the same way."""
from __future__ import annotations

import sqlite3
from typing import Any


def table_exists(s, name: str) -> bool:
    """Whether this database has the table yet (a repository's tables may come with a later migration):
    SQLite's catalogue, or PostgreSQL's, which its session asks (storage/pg/connection.py)."""
    if isinstance(s, sqlite3.Connection):
        return s.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None
    return s.table_exists(name)


def conditions(*pairs: tuple[str, Any], always: tuple[str, ...] = ()) -> tuple[str, list[Any]]:
    """(" WHERE a AND b", [values]) from (condition with one ?, value) pairs, leaving out those whose value
    is None; `always` are conditions without a value. ("", []) when nothing is left."""
    where, args = list(always), []
    for condition, value in pairs:
        if value is not None:
            where.append(condition)
            args.append(value)
    return (" WHERE " + " AND ".join(where) if where else ""), args
