"""SQLite: the bureau's settings (api.SettingRepository)."""
from __future__ import annotations

import sqlite3
from typing import Iterable

from hazardmap.domain.settings import Setting


class SqliteSettings:
    def get(self, conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, Setting]:
        keys = tuple(keys)
        rows = conn.execute("SELECT key, value, is_default, note, changed_by, changed_at FROM setting"
                            f" WHERE key IN ({','.join('?' * len(keys))})", keys)
        return {r[0]: Setting(r[0], r[1], bool(r[2]), r[3], changed_by=r[4], changed_at=r[5]) for r in rows}

    def put(self, conn: sqlite3.Connection, settings: Iterable[Setting]) -> None:
        conn.executemany("INSERT INTO setting (key, value, is_default, note, changed_by, changed_at)"
                         " VALUES (?,?,?,?,?,?) ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                         " is_default = excluded.is_default, note = excluded.note, changed_by = excluded.changed_by,"
                         " changed_at = excluded.changed_at",
                         [(s.key, s.value, int(s.is_default), s.note, s.changed_by, s.changed_at) for s in settings])

    def delete(self, conn: sqlite3.Connection, keys: Iterable[str]) -> None:
        conn.executemany("DELETE FROM setting WHERE key = ?", [(k,) for k in keys])
