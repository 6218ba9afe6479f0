"""SQLite: the key points, their monitor history and their location history (api.PointRepository)."""
from __future__ import annotations

import json
import sqlite3

from hazardmap.domain.points import HazardKind, HazardPoint, LocationChange, LocationChangeKind, MonitorChange, \
    PointAction, PointChange, PointStatus, PointView, Position, Precision
from hazardmap.domain.validation import Datum

# HazardPoint attribute -> column, where they differ.
_COLUMN = {"given_name": "name"}
_REGISTER_COLUMNS = ("unified_code", "field_code", "name", "kind", "volume_m3", "place", "households", "people",
                     "property_wan", "status", "retired_on", "retire_reason", "retire_doc")


# Enum members by stored value: a dict lookup per row instead of Enum.__call__ (the register can hold
# tens of thousands of points, read whole for an export).
_PRECISION = {p.value: p for p in Precision}
_KIND = {k.value: k for k in HazardKind}
_STATUS = {s.value: s for s in PointStatus}


def _point(r: sqlite3.Row, register: bool = True, versioned: bool = True) -> HazardPoint:
    """register False: a database opened below version 5 (upgrade tests) has none of its columns."""
    base = (r["seq"], r["township"], r["village_group"], r["village_code"], r["threatened"], r["hazard_type"],
            r["monitor"], r["phone"], r["lon"], r["lat"], _PRECISION[r["precision"]], r["source"])
    if not register:
        return HazardPoint(*base)
    kind = r["kind"]
    return HazardPoint(
        *base, unified_code=r["unified_code"] or "", field_code=r["field_code"], given_name=r["name"],
        kind=_KIND[kind] if kind else None, volume_m3=r["volume_m3"], place=r["place"],
        households=r["households"], people=r["people"], property_wan=r["property_wan"],
        status=_STATUS[r["status"]], retired_on=r["retired_on"], retire_reason=r["retire_reason"],
        retire_doc=r["retire_doc"], **({"version": r["version"]} if versioned else {}),
    )


def _value(key: str, value: object) -> object:
    if key == "unified_code":
        return value or None  # NULL when not given: the unique index ignores it
    return value.value if isinstance(value, (HazardKind, PointStatus, Precision)) else value


def _points(cursor: sqlite3.Cursor) -> list[HazardPoint]:
    names = {d[0] for d in cursor.description}  # once per query, not per row
    register, versioned = "status" in names, "version" in names
    return [_point(r, register, versioned) for r in cursor]


class SqlitePoints:
    # False on a database opened below the migration that added versions (upgrade tests): set by the
    # database object after migrating (storage/db.py, Database.note_versions).
    versioned = True

    @property
    def _bump(self) -> str:
        return ", version = version + 1" if self.versioned else ""

    def all(self, conn: sqlite3.Connection) -> list[HazardPoint]:
        return _points(conn.execute("SELECT * FROM hazard_point ORDER BY seq"))

    def in_view(self, conn: sqlite3.Connection, view: PointView) -> list[HazardPoint]:
        if view is PointView.ALL:
            return self.all(conn)
        return _points(conn.execute("SELECT * FROM hazard_point WHERE status = ? ORDER BY seq", (view.value,)))

    def counts(self, conn: sqlite3.Connection) -> dict[PointStatus, int]:
        out = {s: 0 for s in PointStatus}
        for status, n in conn.execute("SELECT status, COUNT(*) FROM hazard_point GROUP BY status"):
            out[PointStatus(status)] = n
        return out

    def next_seq(self, conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM hazard_point").fetchone()[0]

    def seq_with_code(self, conn: sqlite3.Connection, unified_code: str) -> int | None:
        row = conn.execute("SELECT seq FROM hazard_point WHERE unified_code = ?", (unified_code,)).fetchone()
        return None if row is None else row[0]

    def codes(self, conn: sqlite3.Connection) -> dict[str, int]:
        return dict(conn.execute("SELECT unified_code, seq FROM hazard_point WHERE unified_code IS NOT NULL"))

    def insert(self, conn: sqlite3.Connection, p: HazardPoint) -> None:
        self.insert_many(conn, [p])

    def insert_many(self, conn: sqlite3.Connection, points: list[HazardPoint]) -> None:
        """Several new points in one statement (an import of thousands)."""
        rows = [self._row(p) for p in points]
        if rows:
            cols = list(rows[0])
            conn.executemany(f"INSERT INTO hazard_point ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             [tuple(r.values()) for r in rows])

    @staticmethod
    def _row(p: HazardPoint) -> dict:
        return {
            "seq": p.seq, "township": p.township, "village_group": p.village_group, "village_code": p.village_code,
            "threatened": p.threatened, "hazard_type": p.hazard_type, "monitor": p.monitor, "phone": p.phone,
            "lon": p.lon, "lat": p.lat, "precision": p.precision.value, "source": p.source,
            **{c: _value(c, getattr(p, "given_name" if c == "name" else c)) for c in _REGISTER_COLUMNS},
        }

    def update_fields(self, conn: sqlite3.Connection, seq: int, fields: dict[str, object]) -> None:
        """fields: HazardPoint attribute names (the register's and status fields) -> new values."""
        if not fields:
            return
        cols = [_COLUMN.get(k, k) for k in fields]
        allowed = {"township", "village_group", "village_code", "threatened", "hazard_type", "monitor", "phone",
                   *_REGISTER_COLUMNS}
        if not set(cols) <= allowed:
            raise ValueError(f"not a point column: {sorted(set(cols) - allowed)}")
        conn.execute(f"UPDATE hazard_point SET {', '.join(c + ' = ?' for c in cols)}{self._bump}"
                     " WHERE seq = ?",
                     (*(_value(k, v) for k, v in fields.items()), seq))

    def has_history(self, conn: sqlite3.Connection, seq: int) -> bool:
        """Anything recorded against the point besides its own audit trail (patrols, corrections,
        monitor changes, and any table a later migration adds with a foreign key to it)."""
        tables = [r[0] for r in conn.execute(
            "SELECT m.name FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f"
            " WHERE m.type = 'table' AND f.\"table\" = 'hazard_point'")]
        for table in tables:
            cols = [r[3] for r in conn.execute(
                "SELECT * FROM pragma_foreign_key_list(?) WHERE \"table\" = 'hazard_point'", (table,))]
            for col in cols:
                if conn.execute(f'SELECT 1 FROM "{table}" WHERE "{col}" = ? LIMIT 1', (seq,)).fetchone():
                    return True
        return False

    def delete(self, conn: sqlite3.Connection, seq: int) -> None:
        conn.execute("DELETE FROM hazard_point WHERE seq = ?", (seq,))

    def add_point_change(self, conn: sqlite3.Connection, seq: int, action: PointAction,
                         fields: dict[str, list], *, by: str, at: str) -> None:
        conn.execute("INSERT INTO point_change (point_seq, action, fields_json, changed_by, changed_at)"
                     " VALUES (?,?,?,?,?)", (seq, action.value, json.dumps(fields, ensure_ascii=False), by, at))

    def add_point_changes(self, conn: sqlite3.Connection, rows: list[tuple[int, PointAction, dict[str, list]]], *,
                          by: str, at: str) -> None:
        """Audit rows of many points at once (seq, action, fields), all by one person at one time."""
        conn.executemany("INSERT INTO point_change (point_seq, action, fields_json, changed_by, changed_at)"
                         " VALUES (?,?,?,?,?)",
                         [(seq, action.value, json.dumps(fields, ensure_ascii=False), by, at)
                          for seq, action, fields in rows])

    def point_changes(self, conn: sqlite3.Connection, seq: int) -> list[PointChange]:
        rows = conn.execute("SELECT * FROM point_change WHERE point_seq = ? ORDER BY id", (seq,))
        return [PointChange(r["id"], r["point_seq"], PointAction(r["action"]), json.loads(r["fields_json"]),
                            r["changed_by"], r["changed_at"]) for r in rows]

    def last_edit(self, conn: sqlite3.Connection, seq: int) -> tuple[str, str] | None:
        """(who, when) of the newest change recorded on the point: its audit trail, monitor or position."""
        rows = [conn.execute(f"SELECT changed_by, changed_at FROM {t} WHERE point_seq = ? ORDER BY id DESC LIMIT 1",
                             (seq,)).fetchone() for t in ("point_change", "monitor_change", "location_change")]
        found = [tuple(r) for r in rows if r is not None]
        return max(found, key=lambda r: r[1]) if found else None

    def get(self, conn: sqlite3.Connection, seq: int) -> HazardPoint | None:
        found = _points(conn.execute("SELECT * FROM hazard_point WHERE seq = ?", (seq,)))
        return found[0] if found else None

    def seqs(self, conn: sqlite3.Connection) -> list[int]:
        return [r[0] for r in conn.execute("SELECT seq FROM hazard_point ORDER BY seq")]

    def span(self, conn: sqlite3.Connection) -> tuple[int, int | None, int | None]:
        return tuple(conn.execute("SELECT COUNT(*), MIN(seq), MAX(seq) FROM hazard_point").fetchone())

    def set_monitor(self, conn: sqlite3.Connection, seq: int, name: str, phone: str) -> None:
        conn.execute(f"UPDATE hazard_point SET monitor = ?, phone = ?{self._bump} WHERE seq = ?", (name, phone, seq))

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
        conn.execute(f"UPDATE hazard_point SET lon = ?, lat = ?, precision = ?, source = ?{self._bump}"
                     " WHERE seq = ?",
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
