"""Use cases on the key points: list, change monitor, correct location, history.

Every change reads the point inside its write transaction (no lost update when two windows or PCs
edit the same point) and returns Changes carrying its undo (see domain.changes)."""
from __future__ import annotations

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import EditConflict, InvalidInput, NothingToUndo, OutsideCounty, PointNotFound, \
    StaleEdit
from hazardmap.domain.points import HazardPoint, LocationChange, LocationChangeKind, MonitorChange, Position, \
    Precision
from hazardmap.domain.validation import Datum, check_lon_lat, check_name, check_phone
from hazardmap.geodata.bundled import EmergencyWork
from hazardmap.geodata.gcj02 import gcj02_to_wgs84
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.storage.api import Session


def list_points(store: Store) -> list[HazardPoint]:
    with store.db.read() as s:
        return store.db.points.all(s)


def parse_point_ref(text: str | int) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        raise InvalidInput(f"隐患点编号“{text}”不是数字：请填写隐患点的序号") from None


def _get(store: Store, s: Session, seq: int) -> HazardPoint:
    point = store.db.points.get(s, seq)
    if point is None:
        raise PointNotFound(seq, *store.db.points.span(s))
    return point


def check_version(store: Store, s: Session, point: HazardPoint, base_version: int | None, what: str,
                  mine: dict[str, object], by: str | None, theirs_now: dict[str, object]) -> None:
    """No lost update: an edit made from version base_version (what the user saw when they began) is
    refused if the point has changed since, naming theirs (who, when) and mine. None: the edit was not
    made from a copy shown earlier (a CLI command reading and writing in one go). mine and theirs_now:
    the fields the edit sets, by their Chinese names: its values and the point's now."""
    if base_version is not None and point.version != base_version:
        raise EditConflict(what, base_version=base_version, current_version=point.version,
                           theirs=store.db.points.last_edit(s, point.seq), mine=mine, mine_by=by or current_user(),
                           theirs_now=theirs_now)


def get_point(store: Store, seq: int) -> HazardPoint:
    with store.db.read() as s:
        return _get(store, s, seq)


def set_monitor(store: Store, seq: int, *, name: str | None = None, phone: str | None = None,
                by: str | None = None, base_version: int | None = None) -> Changes:
    """Change the monitor's name and/or phone. Read and written in one write transaction, so two
    edits of different fields at the same moment are both kept; base_version: see check_version."""
    return _set_monitor(store, seq, name=name, phone=phone, by=by, base_version=base_version)


def _set_monitor(store: Store, seq: int, *, name: str | None = None, phone: str | None = None,
                 by: str | None = None, expect: dict[str, str] | None = None,
                 base_version: int | None = None) -> Changes:
    """expect: {"monitor"|"phone": value} the point must still have (an undo refuses to overwrite a
    change made since by someone else)."""
    if name is None and phone is None:
        raise InvalidInput("请至少给出新的姓名或电话")
    name = check_name(name) if name is not None else None
    phone = check_phone(phone) if phone is not None else None
    repo = store.db.points
    with store.db.write() as tx:
        point = _get(store, tx, seq)
        check_version(store, tx, point, base_version, f"第 {seq} 号隐患点",
                      {k: v for k, v in (("群测群防员", name), ("电话", phone)) if v is not None}, by,
                      {"群测群防员": point.monitor, "电话": point.phone})
        if expect and any(getattr(point, k) != v for k, v in expect.items()):
            raise StaleEdit(f"第 {seq} 号隐患点的群测群防员")
        new_name = name if name is not None else point.monitor
        new_phone = phone if phone is not None else point.phone
        if (new_name, new_phone) == (point.monitor, point.phone):
            return Changes()
        repo.set_monitor(tx, seq, new_name, new_phone)
        repo.add_monitor_change(tx, seq, old_name=point.monitor, old_phone=point.phone, new_name=new_name,
                                new_phone=new_phone, by=by or current_user(), at=now_iso())
    # The inverse puts back only the fields this step changed.
    inverse, after = {}, {}
    if new_name != point.monitor:
        inverse["name"], after["monitor"] = point.monitor, new_name
    if new_phone != point.phone:
        inverse["phone"], after["phone"] = point.phone, new_phone
    return Changes(
        points=frozenset({seq}), label=f"修改第 {seq} 号点群测群防员",
        undo=lambda: _set_monitor(store, seq, by=by, expect=after, **inverse))


def to_cgcs2000(lon: float, lat: float, datum: Datum) -> tuple[float, float]:
    """CGCS2000 equals WGS-84 at map scale (PROJ treats 4326 -> 4490 as identity); GCJ-02 is undone."""
    if datum is Datum.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    return lon, lat


def check_location(store: Store, lon: float, lat: float, datum: Datum, *, force: bool = False) -> tuple[float, float]:
    """Validate an entered position; returns it in CGCS2000. Raises with a Chinese reason
    (OutsideCounty when outside the county and not forced)."""
    check_lon_lat(lon, lat)
    new_lon, new_lat = to_cgcs2000(lon, lat, datum)
    if not force and not store.bundled.inside_county(new_lon, new_lat):
        raise OutsideCounty(new_lon, new_lat)
    return new_lon, new_lat


def _place_undo(store: Store, seq: int, *, back_to: Position, now_at: Position, step_at: str, by: str | None,
                label: str):
    return lambda: _restore_position(store, seq, to=back_to, expect=now_at, note=f"撤销 {step_at} 的位置修改",
                                     by=by, label=label)


def _restore_position(store: Store, seq: int, *, to: Position, expect: Position, note: str, by: str | None,
                      label: str) -> Changes:
    """Put the point exactly at `to` (position, precision, source), recorded as an 'undo' row;
    refused if the point has moved since `expect` (someone else's change would be overwritten)."""
    at = now_iso()
    with store.db.write() as tx:
        if _get(store, tx, seq).position != expect:
            raise StaleEdit(f"第 {seq} 号隐患点的位置")
        store.db.points.set_position(tx, seq, to)
        store.db.points.add_location_change(tx, seq, LocationChangeKind.UNDO, expect, to, source=note,
                                            by=by or current_user(), at=at)
    return Changes(points=frozenset({seq}), label=label,
                   undo=_place_undo(store, seq, back_to=expect, now_at=to, step_at=at, by=by,
                                    label=label))


def correct_location(store: Store, seq: int, *, lon: float, lat: float, datum: Datum | str, source: str,
                     by: str | None = None, force: bool = False, base_version: int | None = None) -> Changes:
    datum = datum if isinstance(datum, Datum) else Datum.parse(datum)
    source = source.strip()
    if not source:
        raise InvalidInput("请说明坐标来源（例如“GPS 2026-05-03 王某实测”）")
    get_point(store, seq)
    new_lon, new_lat = check_location(store, lon, lat, datum, force=force)
    new = Position(new_lon, new_lat, Precision.SURVEYED, source)
    at = now_iso()
    with store.db.write() as tx:
        point = _get(store, tx, seq)
        check_version(store, tx, point, base_version, f"第 {seq} 号隐患点",
                      {"位置": f"{new_lon:.6f}, {new_lat:.6f}"}, by,
                      {"位置": f"{point.lon:.6f}, {point.lat:.6f}" if point.located else "（无坐标）"})
        old = point.position
        store.db.points.set_position(tx, seq, new)
        store.db.points.add_location_change(tx, seq, LocationChangeKind.CORRECTION, old, new, source=source,
                                            by=by or current_user(), at=at, datum=datum, entered=(lon, lat))
    label = f"修改第 {seq} 号点位置"
    return Changes(points=frozenset({seq}), label=label,
                   undo=_place_undo(store, seq, back_to=old, now_at=new, step_at=at, by=by,
                                    label=label))


def undo_last_location_change(store: Store, seq: int, *, by: str | None = None) -> Changes:
    """Put the point back where it was before its latest position change. The undo is itself a
    history row (old and new position, who, when), so nothing is ever erased; undoing again
    re-applies the change."""
    at = now_iso()
    repo = store.db.points
    with store.db.write() as tx:
        old = _get(store, tx, seq).position
        history = repo.location_history(tx, seq)
        if not history:
            raise NothingToUndo(seq, "位置修改")
        last = history[-1]
        new = Position(last.old_lon, last.old_lat, last.old_precision, last.old_source)
        repo.set_position(tx, seq, new)
        repo.add_location_change(tx, seq, LocationChangeKind.UNDO, old, new,
                                 source=f"撤销 {last.changed_at} 的位置修改", by=by or current_user(), at=at)
    label = f"撤销第 {seq} 号点最近一次位置修改"
    return Changes(points=frozenset({seq}), label=label,
                   undo=_place_undo(store, seq, back_to=old, now_at=new, step_at=at, by=by,
                                    label=label))


def undo_last_monitor_change(store: Store, seq: int, *, by: str | None = None) -> Changes:
    """Restore the monitor and phone from before the latest change (recorded as a change too)."""
    history = monitor_history(store, seq)
    if not history:
        raise NothingToUndo(seq, "群测群防员变更")
    last = history[-1]
    return _set_monitor(store, seq, name=last.old_name, phone=last.old_phone, by=by,
                        expect={"monitor": last.new_name, "phone": last.new_phone})


def location_history(store: Store, seq: int) -> list[LocationChange]:
    with store.db.read() as s:
        _get(store, s, seq)
        return store.db.points.location_history(s, seq)


def monitor_history(store: Store, seq: int) -> list[MonitorChange]:
    with store.db.read() as s:
        _get(store, s, seq)
        return store.db.points.monitor_history(s, seq)


def linked_emergency_works(store: Store, seq: int) -> list[EmergencyWork]:
    return [w for w in store.bundled.emergency_works if w.key_point_seq == seq]
