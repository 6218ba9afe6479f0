"""SQLite: rain readings, thresholds and their changes, coverage edits (api.RainRepository)."""
from __future__ import annotations

import sqlite3
from operator import itemgetter
from typing import Iterable, Sequence

from hazardmap.domain.rain import Level, Threshold, ThresholdChange, Window
from hazardmap.storage.sql import conditions, table_exists


class SqliteRain:
    def has_tables(self, conn: sqlite3.Connection) -> bool:
        return table_exists(conn, "rain_reading")

    # ---- readings
    def readings(self, conn: sqlite3.Connection, *, sites: Sequence[int] | None = None, since: int | None = None,
                 until: int | None = None) -> list[tuple[int, int, float, int]]:
        """(site, ts, mm, minutes), by site then time; since/until inclusive."""
        where, args = conditions(("ts >= ?", since), ("ts <= ?", until),
                                 always=() if sites is None else (f"site_slot IN ({','.join('?' * len(sites))})",))
        args = [*(sites or ()), *args]
        sql = "SELECT site_slot, ts, mm, minutes FROM rain_reading" + where
        cur = conn.cursor()
        cur.row_factory = None   # plain tuples: a year's 876,000 readings without a Row object each
        return cur.execute(sql + " ORDER BY site_slot, ts", args).fetchall()

    def existing(self, conn: sqlite3.Connection, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], tuple[float, int]]:
        """(site, ts) -> (mm, minutes) of the stored readings among keys: (site, ts) pairs, or rows that start
        with them (site, ts, mm, minutes)."""
        keys = keys if isinstance(keys, list) else list(keys)
        if not keys:
            return {}
        # One range query over the keys' sites and times, filtered here (map/itemgetter run in C: a new
        # year of readings is checked without a Python step per key).
        stamps = list(map(itemgetter(1), keys))
        lo, hi = min(stamps), max(stamps)
        cur = conn.cursor()
        cur.row_factory = None
        sites = sorted(set(map(itemgetter(0), keys)))
        rows = cur.execute(f"SELECT site_slot, ts, mm, minutes FROM rain_reading WHERE site_slot IN"
                           f" ({','.join('?' * len(sites))}) AND ts BETWEEN ? AND ?",
                           (*sites, lo, hi)).fetchall()
        if not rows:
            return {}
        wanted = set(zip(map(itemgetter(0), keys), stamps))
        return {(site, ts): (mm, minutes) for site, ts, mm, minutes in rows if (site, ts) in wanted}

    def add_import(self, conn: sqlite3.Connection, source: str, rows: Sequence[tuple[int, int, float, int]], *,
                   by: str, at: str) -> int:
        """New readings (site, ts, mm, minutes) as one import; its id."""
        import_id = conn.execute("INSERT INTO rain_import (source, rows, imported_by, imported_at) VALUES (?,?,?,?)"
                                 " RETURNING id", (source, len(rows), by, at)).fetchone()[0]
        # The id is an integer SQLite just gave: written into the statement, the rows go in as they are.
        conn.executemany(f"INSERT INTO rain_reading (site_slot, ts, mm, minutes, import_id) VALUES (?,?,?,?,{int(import_id)})",
                         rows)
        return import_id

    def import_rows(self, conn: sqlite3.Connection, import_id: int) -> list[tuple[int, int, float, int]]:
        return [tuple(r) for r in conn.execute("SELECT site_slot, ts, mm, minutes FROM rain_reading WHERE import_id = ?"
                                               " ORDER BY site_slot, ts", (import_id,))]

    def delete_import(self, conn: sqlite3.Connection, import_id: int) -> None:
        conn.execute("DELETE FROM rain_reading WHERE import_id = ?", (import_id,))
        conn.execute("DELETE FROM rain_import WHERE id = ?", (import_id,))

    def count(self, conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT COUNT(*) FROM rain_reading").fetchone()[0]

    def span(self, conn: sqlite3.Connection) -> tuple[int | None, int | None]:
        return tuple(conn.execute("SELECT MIN(ts), MAX(ts) FROM rain_reading").fetchone())

    # ---- thresholds
    def thresholds(self, conn: sqlite3.Connection) -> list[Threshold]:
        return [Threshold(r[0], Level(r[1]), Window(r[2]), r[3], r[4], changed_by=r[5], changed_at=r[6])
                for r in conn.execute(
            "SELECT site_slot, level, win, mm, source, changed_by, changed_at FROM rain_threshold"
            " ORDER BY site_slot, level, win")]

    def put_threshold(self, conn: sqlite3.Connection, site: int, level: Level, window: Window, t: Threshold | None
                      ) -> None:
        """Set (t) or remove (None) one cell."""
        if t is None:
            conn.execute("DELETE FROM rain_threshold WHERE site_slot = ? AND level = ? AND win = ?",
                         (site, int(level), window.value))
        else:
            conn.execute("INSERT INTO rain_threshold (site_slot, level, win, mm, source, changed_by,"
                         " changed_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT (site_slot, level, win) DO UPDATE SET"
                         " mm = excluded.mm, source = excluded.source, changed_by = excluded.changed_by,"
                         " changed_at = excluded.changed_at",
                         (site, int(level), window.value, t.mm, t.source, t.changed_by, t.changed_at))

    def add_threshold_change(self, conn: sqlite3.Connection, c: ThresholdChange) -> None:
        conn.execute("INSERT INTO rain_threshold_change (site_slot, level, win, old_mm, new_mm, changed_by,"
                     " changed_at) VALUES (?,?,?,?,?,?,?)",
                     (c.site, int(c.level), c.window.value, c.old_mm, c.new_mm, c.changed_by, c.changed_at))

    def threshold_changes(self, conn: sqlite3.Connection) -> list[ThresholdChange]:
        return [ThresholdChange(r[0], Level(r[1]), Window(r[2]), r[3], r[4], changed_by=r[5], changed_at=r[6]) for r in conn.execute(
            "SELECT site_slot, level, win, old_mm, new_mm, changed_by, changed_at FROM rain_threshold_change"
            " ORDER BY id")]

    # ---- coverage edits
    def coverage_edits(self, conn: sqlite3.Connection) -> dict[int, dict[int, bool]]:
        out: dict[int, dict[int, bool]] = {}
        for site, seq, inc in conn.execute("SELECT site_slot, point_seq, included FROM rain_coverage_edit"):
            out.setdefault(site, {})[seq] = bool(inc)
        return out

    def put_coverage_edit(self, conn: sqlite3.Connection, site: int, seq: int, included: bool | None, *, by: str,
                          at: str) -> None:
        if included is None:
            conn.execute("DELETE FROM rain_coverage_edit WHERE site_slot = ? AND point_seq = ?", (site, seq))
        else:
            conn.execute("INSERT INTO rain_coverage_edit (site_slot, point_seq, included, changed_by,"
                         " changed_at) VALUES (?,?,?,?,?) ON CONFLICT (site_slot, point_seq) DO UPDATE SET"
                         " included = excluded.included, changed_by = excluded.changed_by,"
                         " changed_at = excluded.changed_at", (site, seq, int(included), by, at))

    # ---- patrols after a time (due patrols, back-test)
    def reports(self, conn: sqlite3.Connection, since: str, until: str) -> list[tuple[int, str, str]]:
        """(point, patrolled_at, judgement) of live 异常/危险 entries in [since, until]."""
        return conn.execute("SELECT point_seq, patrolled_at, judgement FROM patrol_log WHERE deleted_at IS NULL"
                            " AND judgement IN ('异常','危险') AND patrolled_at BETWEEN ? AND ?"
                            " ORDER BY patrolled_at", (since, until)).fetchall()

    def patrolled_since(self, conn: sqlite3.Connection, since: str) -> dict[int, str]:
        """point -> its newest live patrol at or after `since`."""
        return {r[0]: r[1] for r in conn.execute(
            "SELECT point_seq, MAX(patrolled_at) FROM patrol_log WHERE deleted_at IS NULL AND patrolled_at >= ?"
            " GROUP BY point_seq", (since,))}
