"""Use cases on the key points: list, change monitor, correct location, history."""
from __future__ import annotations

import sqlite3
from typing import NamedTuple

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, NotFound, OutsideCounty, StaleEdit
from hazardmap.domain.points import HazardPoint, LocationChange, MonitorChange, Precision
from hazardmap.domain.validation import Datum, check_lon_lat, check_name, check_phone
from hazardmap.geodata.bundled import EmergencyWork
from hazardmap.geodata.gcj02 import gcj02_to_wgs84
from hazardmap.services.store import Store, current_user, now_iso


def _point(row: sqlite3.Row) -> HazardPoint:
    return HazardPoint(
        seq=row["seq"], township=row["township"], village_group=row["village_group"],
        village_code=row["village_code"], threatened=row["threatened"], hazard_type=row["hazard_type"],
        monitor=row["monitor"], phone=row["phone"], lon=row["lon"], lat=row["lat"],
        precision=Precision(row["precision"]), source=row["source"],
    )


def list_points(store: Store) -> list[HazardPoint]:
    return [_point(r) for r in store.db.conn.execute("SELECT * FROM hazard_point ORDER BY seq")]


def parse_point_ref(text: str | int) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise InvalidInput(f"隐患点编号“{text}”不是数字：请填写序号 1～16") from None


def get_point(store: Store, seq: int) -> HazardPoint:
    row = store.db.conn.execute("SELECT * FROM hazard_point WHERE seq = ?", (seq,)).fetchone()
    if row is None:
        count, lo, hi = store.db.conn.execute("SELECT COUNT(*), MIN(seq), MAX(seq) FROM hazard_point").fetchone()
        raise NotFound(f"没有第 {seq} 号隐患点（现有 {count} 处，编号 {lo}～{hi}）")
    return _point(row)


def set_monitor(store: Store, seq: int, *, name: str | None = None, phone: str | None = None,
                by: str | None = None) -> Changes:
    """Change the monitor's name and/or phone. Read and written in one write transaction, so two
    edits of different fields at the same moment are both kept."""
    return _set_monitor(store, seq, name=name, phone=phone, by=by)


def _set_monitor(store: Store, seq: int, *, name: str | None = None, phone: str | None = None,
                 by: str | None = None, expect: dict[str, str] | None = None) -> Changes:
    """expect: {"monitor"|"phone": value} the point must still have (an undo refuses to overwrite a
    change made since by someone else)."""
    if name is None and phone is None:
        raise InvalidInput("请至少给出新的姓名（--name）或电话（--phone）")
    name = check_name(name) if name is not None else None
    phone = check_phone(phone) if phone is not None else None
    with store.db.write() as conn:
        point = get_point(store, seq)
        if expect and any(getattr(point, k) != v for k, v in expect.items()):
            raise StaleEdit(f"第 {seq} 号隐患点的群测群防员")
        new_name = name if name is not None else point.monitor
        new_phone = phone if phone is not None else point.phone
        if (new_name, new_phone) == (point.monitor, point.phone):
            return Changes()
        conn.execute("UPDATE hazard_point SET monitor = ?, phone = ? WHERE seq = ?", (new_name, new_phone, seq))
        conn.execute(
            "INSERT INTO monitor_change (point_seq, old_name, old_phone, new_name, new_phone, changed_by, changed_at)"
            " VALUES (?,?,?,?,?,?,?)",
            (seq, point.monitor, point.phone, new_name, new_phone, by or current_user(), now_iso()))
    # The inverse puts back only the fields this step changed.
    inverse, after = {}, {}
    if new_name != point.monitor:
        inverse["name"], after["monitor"] = point.monitor, new_name
    if new_phone != point.phone:
        inverse["phone"], after["phone"] = point.phone, new_phone
    return store.announce(Changes(
        points=frozenset({seq}), label=f"修改第 {seq} 号点群测群防员",
        undo=lambda: _set_monitor(store, seq, by=by, expect=after, **inverse)))


def to_cgcs2000(lon: float, lat: float, datum: Datum) -> tuple[float, float]:
    """CGCS2000 equals WGS-84 at map scale (PROJ treats 4326 -> 4490 as identity); GCJ-02 is undone."""
    if datum is Datum.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return lon, lat


def check_location(store: Store, lon: float, lat: float, datum: Datum, *, force: bool = False) -> tuple[float, float]:
    """Validate an entered position; returns it in CGCS2000. Raises with a Chinese reason."""
    check_lon_lat(lon, lat)
    new_lon, new_lat = to_cgcs2000(lon, lat, datum)
    if not force and not store.bundled.inside_county(new_lon, new_lat):
        raise OutsideCounty(
            f"位置（经度 {new_lon:.6f}，纬度 {new_lat:.6f}）在衡南县界以外；如确认无误，请用 --force（界面中为“仍然保存”）")
    return new_lon, new_lat


class _Place(NamedTuple):
    lon: float | None
    lat: float | None
    precision: Precision
    source: str


def _place(p: HazardPoint) -> _Place:
    return _Place(p.lon, p.lat, p.precision, p.source)


def _write_place(conn, seq: int, old: _Place, new: _Place, *, kind: str, source: str, by: str, at: str,
                 datum: Datum | None = None, entered: tuple[float, float] | None = None) -> None:
    conn.execute("UPDATE hazard_point SET lon = ?, lat = ?, precision = ?, source = ? WHERE seq = ?",
                 (new.lon, new.lat, new.precision.value, new.source, seq))
    conn.execute(
        "INSERT INTO location_change (point_seq, kind, old_lon, old_lat, old_precision, old_source, new_lon,"
        " new_lat, new_precision, new_source, datum_entered, entered_lon, entered_lat, source, changed_by,"
        " changed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (seq, kind, old.lon, old.lat, old.precision.value, old.source, new.lon, new.lat, new.precision.value,
         new.source, datum.value if datum else None, entered[0] if entered else None,
         entered[1] if entered else None, source, by, at))


def _place_undo(store: Store, seq: int, *, back_to: _Place, now_at: _Place, step_at: str, by: str | None,
                label: str):
    return lambda: _restore_place(store, seq, to=back_to, expect=now_at, note=f"撤销 {step_at} 的位置修改",
                                  by=by, label=label)


def _restore_place(store: Store, seq: int, *, to: _Place, expect: _Place, note: str, by: str | None,
                   label: str) -> Changes:
    """Put the point exactly where `to` says (position, precision, source), recorded as an 'undo' row;
    refused if the point has moved since `expect` (someone else's change would be overwritten)."""
    at = now_iso()
    with store.db.write() as conn:
        point = get_point(store, seq)
        if _place(point) != expect:
            raise StaleEdit(f"第 {seq} 号隐患点的位置")
        _write_place(conn, seq, expect, to, kind="undo", source=note, by=by or current_user(), at=at)
    return store.announce(Changes(points=frozenset({seq}), label=label,
                                  undo=_place_undo(store, seq, back_to=expect, now_at=to, step_at=at, by=by,
                                                   label=label)))


def correct_location(store: Store, seq: int, *, lon: float, lat: float, datum: Datum | str, source: str,
                     by: str | None = None, force: bool = False) -> Changes:
    datum = datum if isinstance(datum, Datum) else Datum.parse(datum)
    source = source.strip()
    if not source:
        raise InvalidInput("请说明坐标来源（例如“GPS 2026-05-03 王某实测”）")
    get_point(store, seq)
    new_lon, new_lat = check_location(store, lon, lat, datum, force=force)
    new = _Place(new_lon, new_lat, Precision.SURVEYED, source)
    at = now_iso()
    with store.db.write() as conn:
        old = _place(get_point(store, seq))
        _write_place(conn, seq, old, new, kind="correction", source=source, by=by or current_user(), at=at,
                     datum=datum, entered=(lon, lat))
    label = f"修改第 {seq} 号点位置"
    return store.announce(Changes(points=frozenset({seq}), label=label,
                                  undo=_place_undo(store, seq, back_to=old, now_at=new, step_at=at, by=by,
                                                   label=label)))


def undo_last_location_change(store: Store, seq: int, *, by: str | None = None) -> Changes:
    """Put the point back where it was before its latest position change. The undo is itself a
    history row (old and new position, who, when), so nothing is ever erased; undoing again
    re-applies the change."""
    at = now_iso()
    with store.db.write() as conn:
        point = get_point(store, seq)
        history = location_history(store, seq)
        if not history:
            raise InvalidInput(f"第 {seq} 号隐患点没有位置修改记录，无可撤销")
        last = history[-1]
        old = _place(point)
        new = _Place(last.old_lon, last.old_lat, last.old_precision, last.old_source)
        _write_place(conn, seq, old, new, kind="undo", source=f"撤销 {last.changed_at} 的位置修改",
                     by=by or current_user(), at=at)
    label = f"撤销第 {seq} 号点最近一次位置修改"
    return store.announce(Changes(points=frozenset({seq}), label=label,
                                  undo=_place_undo(store, seq, back_to=old, now_at=new, step_at=at, by=by,
                                                   label=label)))


def undo_last_monitor_change(store: Store, seq: int, *, by: str | None = None) -> Changes:
    """Restore the monitor and phone from before the latest change (recorded as a change too)."""
    history = monitor_history(store, seq)
    if not history:
        raise InvalidInput(f"第 {seq} 号隐患点没有群测群防员变更记录，无可撤销")
    last = history[-1]
    return set_monitor(store, seq, name=last.old_name, phone=last.old_phone, by=by)


def location_history(store: Store, seq: int) -> list[LocationChange]:
    get_point(store, seq)
    rows = store.db.conn.execute("SELECT * FROM location_change WHERE point_seq = ? ORDER BY id", (seq,))
    return [LocationChange(
        id=r["id"], point_seq=r["point_seq"], kind=r["kind"], old_lon=r["old_lon"], old_lat=r["old_lat"],
        old_precision=Precision(r["old_precision"]), old_source=r["old_source"], new_lon=r["new_lon"],
        new_lat=r["new_lat"], new_precision=Precision(r["new_precision"]), new_source=r["new_source"],
        datum_entered=r["datum_entered"], entered_lon=r["entered_lon"],
        entered_lat=r["entered_lat"], source=r["source"], changed_by=r["changed_by"], changed_at=r["changed_at"],
    ) for r in rows]


def monitor_history(store: Store, seq: int) -> list[MonitorChange]:
    get_point(store, seq)
    rows = store.db.conn.execute("SELECT * FROM monitor_change WHERE point_seq = ? ORDER BY id", (seq,))
    return [MonitorChange(r["id"], r["point_seq"], r["old_name"], r["old_phone"], r["new_name"], r["new_phone"],
                          r["changed_by"], r["changed_at"]) for r in rows]


def linked_emergency_works(store: Store, seq: int) -> list[EmergencyWork]:
    return [w for w in store.bundled.emergency_works if w.key_point_seq == seq]
