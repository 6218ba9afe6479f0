"""SQLite: the rain-gauge programme's slots (api.RainGaugeRepository)."""
from __future__ import annotations

import sqlite3
from typing import Sequence

from hazardmap.domain.rain_gauges import RainGaugeSite


def _site(r: sqlite3.Row) -> RainGaugeSite:
    return RainGaugeSite(r["slot"], r["village_code"], r["village"], r["township"], r["lon"], r["lat"],
                         r["assigned_by"], r["assigned_at"])


class SqliteRainGauges:
    def all(self, conn: sqlite3.Connection) -> list[RainGaugeSite]:
        return [_site(r) for r in conn.execute("SELECT * FROM rain_gauge_site ORDER BY slot")]

    def get(self, conn: sqlite3.Connection, slot: int) -> RainGaugeSite | None:
        row = conn.execute("SELECT * FROM rain_gauge_site WHERE slot = ?", (slot,)).fetchone()
        return None if row is None else _site(row)

    def counts(self, conn: sqlite3.Connection) -> tuple[int, int]:
        return tuple(conn.execute("SELECT COUNT(village_code), COUNT(*) FROM rain_gauge_site").fetchone())

    def slot_of_village(self, conn: sqlite3.Connection, village_code: str) -> int | None:
        row = conn.execute("SELECT slot FROM rain_gauge_site WHERE village_code = ?", (village_code,)).fetchone()
        return None if row is None else row[0]

    def put(self, conn: sqlite3.Connection, sites: Sequence[RainGaugeSite]) -> None:
        # Empty them first: village_code is UNIQUE, and a swap between two slots would trip it midway.
        conn.executemany("UPDATE rain_gauge_site SET village_code = NULL WHERE slot = ?", [(s.slot,) for s in sites])
        conn.executemany("UPDATE rain_gauge_site SET village_code = ?, village = ?, township = ?, lon = ?, lat = ?,"
                         " assigned_by = ?, assigned_at = ? WHERE slot = ?",
                         [(s.village_code, s.village, s.township, s.lon, s.lat, s.assigned_by, s.assigned_at, s.slot)
                          for s in sites])
