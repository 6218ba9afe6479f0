"""SQLite: the key points, their monitor history and their location history (api.PointRepository)."""
from __future__ import annotations

import sqlite3

from hazardmap.domain.points import HazardPoint, LocationChange, LocationChangeKind, MonitorChange, Position, Precision
from hazardmap.domain.validation import Datum


def _point(r: sqlite3.Row) -> HazardPoint:
    return HazardPoint(
        seq=r["seq"], township=r["township"], village_group=r["village_group"], village_code=r["village_code"],
        threatened=r["threatened"], hazard_type=r["hazard_type"], monitor=r["monitor"], phone=r["phone"],
        lon=r["lon"], lat=r["lat"], precision=Precision(r["precision"]), source=r["source"],
    )


class SqlitePoints:
    def all(self, conn: sqlite3.Connection) -> list[HazardPoint]:
        return [_point(r) for r in conn.execute("SELECT * FROM hazard_point ORDER BY seq")]

    def get(self, conn: sqlite3.Connection, seq: int) -> HazardPoint | None:
        row = conn.execute("SELECT * FROM hazard_point WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else _point(row)

    def seqs(self, conn: sqlite3.Connection) -> list[int]:
        return [r[0] for r in conn.execute("SELECT seq FROM hazard_point ORDER BY seq")]

    def span(self, conn: sqlite3.Connection) -> tuple[int, int | None, int | None]:
        return tuple(conn.execute("SELECT COUNT(*), MIN(seq), MAX(seq) FROM hazard_point").fetchone())

    def set_monitor(self, conn: sqlite3.Connection, seq: int, name: str, phone: str) -> None:
        conn.execute("UPDATE hazard_point SET monitor = ?, phone = ? WHERE seq = ?", (name, phone, seq))

    def add_monitor_change(self, conn: sqlite3.Connection, seq: int, *, old_name: str, old_phone: str, new_name: str,
                           new_phone: str, by: str, at: str) -> None:
        conn.execute(
            "INSERT INTO monitor_change (point_seq, old_name, old_phone, new_name, new_phone, changed_by, changed_at)"
            " VALUES (?,?,?,?,?,?,?)", (seq, old_name, old_phone, new_name, new_phone, by, at))

    def monitor_history(self, conn: sqlite3.Connection, seq: int) -> list[MonitorChange]:
        rows = conn.execute("SELECT * FROM monitor_change WHERE point_seq = ? ORDER BY id", (seq,))
        return [MonitorChange(r["id"], r["point_seq"], r["old_name"], r["old_phone"], r["new_name"], r["new_phone"],
                              r["changed_by"], r["changed_at"]) for r in rows]

    def set_position(self, conn: sqlite3.Connection, seq: int, p: Position) -> None:
        conn.execute("UPDATE hazard_point SET lon = ?, lat = ?, precision = ?, source = ? WHERE seq = ?",
                     (p.lon, p.lat, p.precision.value, p.source, seq))

    def add_location_change(self, conn: sqlite3.Connection, seq: int, kind: LocationChangeKind, old: Position,
                            new: Position, *, source: str, by: str, at: str, datum: Datum | None = None,
                            entered: tuple[float, float] | None = None) -> None:
        conn.execute(
            "INSERT INTO location_change (point_seq, kind, old_lon, old_lat, old_precision, old_source, new_lon,"
            " new_lat, new_precision, new_source, datum_entered, entered_lon, entered_lat, source, changed_by,"
            " changed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (seq, kind.value, old.lon, old.lat, old.precision.value, old.source, new.lon, new.lat,
             new.precision.value, new.source, datum.value if datum else None, entered[0] if entered else None,
             entered[1] if entered else None, source, by, at))

    def location_history(self, conn: sqlite3.Connection, seq: int) -> list[LocationChange]:
        rows = conn.execute("SELECT * FROM location_change WHERE point_seq = ? ORDER BY id", (seq,))
        return [LocationChange(
            id=r["id"], point_seq=r["point_seq"], kind=LocationChangeKind(r["kind"]), old_lon=r["old_lon"],
            old_lat=r["old_lat"], old_precision=Precision(r["old_precision"]), old_source=r["old_source"],
            new_lon=r["new_lon"], new_lat=r["new_lat"], new_precision=Precision(r["new_precision"]),
            new_source=r["new_source"],
            datum_entered=Datum(r["datum_entered"]) if r["datum_entered"] else None, entered_lon=r["entered_lon"],
            entered_lat=r["entered_lat"], source=r["source"], changed_by=r["changed_by"], changed_at=r["changed_at"],
        ) for r in rows]
