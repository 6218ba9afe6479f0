"""SQLite: rain-gauge sites, the 2023 programme's slots and sites added since (api.RainGaugeRepository)."""
from __future__ import annotations

import sqlite3
from typing import Sequence

from hazardmap.domain.rain_gauges import RainGaugeSite

_COLUMNS = ("slot", "village_code", "village", "township", "lon", "lat", "assigned_by", "assigned_at", "batch",
            "station_code", "install_year", "retired_on", "retired_reason", "retired_by", "retired_at")


def _site(r: sqlite3.Row) -> RainGaugeSite:
    return RainGaugeSite(*(r[c] for c in _COLUMNS))


def _values(s: RainGaugeSite) -> tuple:
    return tuple(getattr(s, c) for c in _COLUMNS)


class SqliteRainGauges:
    versioned = True  # see SqlitePoints.versioned

    @property
    def _bump(self) -> str:
        return ", version = version + 1" if self.versioned else ""

    def all(self, conn: sqlite3.Connection) -> list[RainGaugeSite]:
        return [_site(r) for r in conn.execute("SELECT * FROM rain_gauge_site ORDER BY slot")]

    def get(self, conn: sqlite3.Connection, slot: int) -> RainGaugeSite | None:
        row = conn.execute("SELECT * FROM rain_gauge_site WHERE slot = ?", (slot,)).fetchone()
        return None if row is None else _site(row)

    def counts(self, conn: sqlite3.Connection, batch: str | None = None) -> tuple[int, int]:
        if batch is None:
            return tuple(conn.execute("SELECT COUNT(village_code), COUNT(*) FROM rain_gauge_site").fetchone())
        return tuple(conn.execute("SELECT COUNT(village_code), COUNT(*) FROM rain_gauge_site WHERE batch = ?",
                                  (batch,)).fetchone())

    def slot_of_village(self, conn: sqlite3.Connection, village_code: str) -> int | None:
        row = conn.execute("SELECT slot FROM rain_gauge_site WHERE village_code = ? AND retired_on IS NULL",
                           (village_code,)).fetchone()
        return None if row is None else row[0]

    def slot_of_station(self, conn: sqlite3.Connection, station_code: str) -> int | None:
        row = conn.execute("SELECT slot FROM rain_gauge_site WHERE station_code = ?", (station_code,)).fetchone()
        return None if row is None else row[0]

    def next_slot(self, conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT COALESCE(MAX(slot), 0) + 1 FROM rain_gauge_site").fetchone()[0]

    def put(self, conn: sqlite3.Connection, sites: Sequence[RainGaugeSite]) -> None:
        # Empty them first: one village per gauge in use is UNIQUE, and a swap between two slots would trip it.
        conn.executemany("UPDATE rain_gauge_site SET village_code = NULL WHERE slot = ?", [(s.slot,) for s in sites])
        conn.executemany("UPDATE rain_gauge_site SET village_code = ?, village = ?, township = ?, lon = ?, lat = ?,"
                         f" assigned_by = ?, assigned_at = ?{self._bump} WHERE slot = ?",
                         [(s.village_code, s.village, s.township, s.lon, s.lat, s.assigned_by, s.assigned_at, s.slot)
                          for s in sites])

    def insert(self, conn: sqlite3.Connection, site: RainGaugeSite) -> None:
        conn.execute(f"INSERT INTO rain_gauge_site ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                     _values(site))

    def delete(self, conn: sqlite3.Connection, slot: int) -> None:
        conn.execute("DELETE FROM rain_gauge_site WHERE slot = ?", (slot,))

    def set_retired(self, conn: sqlite3.Connection, slot: int, on: str | None, reason: str | None, by: str | None,
                    at: str | None) -> None:
        conn.execute("UPDATE rain_gauge_site SET retired_on = ?, retired_reason = ?, retired_by = ?, retired_at = ?"
                     f"{self._bump} WHERE slot = ?", (on, reason, by, at, slot))
