"""Use cases on patrol logs (巡查记录): record, edit, delete to the 回收站, restore, list, overview, audit.

Every save is one transaction (db.write) that also writes its audit row, so a crash loses at most
the entry being typed. Nothing is ever removed: delete sets deleted_at (the 回收站), edits keep the
before/after state in patrol_audit. Every mutating call returns a Changes record and announces it.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, NotFound, StaleEdit
from hazardmap.domain.patrol import (
    AT_FORMAT, DEFAULT_SETTINGS, SETTING_FLOOD_DAYS, SETTING_OTHER_DAYS, AuditRow, Measurement, MeasureKind,
    PatrolDraft, PatrolEntry, PatrolIntervals, PointPatrolStatus, SignObservation, check_draft,
    check_interval_days,
)
from hazardmap.domain.patrol_status import Judgement
from hazardmap.services.points import get_point, list_points
from hazardmap.services.store import Store, current_user, now_iso

PHOTO_DIR = "photos"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
_CHUNK = 900  # stay below SQLite's host-parameter limit


@dataclass(frozen=True)
class PatrolChanges(Changes):
    """Changes that also name the entries touched (the CLI prints the new id)."""
    entry_ids: tuple[int, ...] = ()


def _changes(point_seqs: Iterable[int], entry_ids: Iterable[int], *, label: str = "",
             undo: Callable[[], Changes] | None = None) -> PatrolChanges:
    return PatrolChanges(patrol_points=frozenset(point_seqs), entry_ids=tuple(entry_ids), label=label, undo=undo)


# ---- (de)serialising ---------------------------------------------------------------------------

def entry_to_dict(e: PatrolDraft) -> dict:
    """The state the audit trail keeps (and the JSON the CLI shows)."""
    d = {
        "point": e.point_seq, "at": e.at, "by": e.by,
        "judgement": e.judgement.value if e.judgement else None, "weather": e.weather, "rain_mm": e.rain_mm,
        "signs": [[s.sign, s.location, s.feature] for s in e.signs],
        "measurements": [[m.kind.value, m.label, m.reading_mm, m.patch_intact] for m in e.measurements],
        "action": e.action, "note": e.note,
    }
    if isinstance(e, PatrolEntry):
        d["photos"] = list(e.photos)
    return d


def draft_from_dict(d: dict) -> PatrolDraft:
    return PatrolDraft(
        point_seq=int(d["point"]), at=d["at"], by=d["by"],
        judgement=Judgement(d["judgement"]) if d.get("judgement") else None,
        weather=d.get("weather", ""), rain_mm=d.get("rain_mm"),
        signs=tuple(SignObservation(*s) for s in d.get("signs", [])),
        measurements=tuple(Measurement(MeasureKind(k), label, reading, intact)
                           for k, label, reading, intact in d.get("measurements", [])),
        action=d.get("action", ""), note=d.get("note", ""),
    )


# patrol_log columns in the order _rows_to_entries reads them (plain tuples: sqlite3.Row lookups by
# name cost more than the query when a point has thousands of entries).
_COLUMNS = ("id, point_seq, patrolled_at, patroller, weather, rain_mm, judgement, action, note, recorded_by,"
            " recorded_at, deleted_at, deleted_by")
_SELECT = f"SELECT {_COLUMNS} FROM patrol_log"
_ID, _POINT, _DELETED_AT = 0, 1, 11


def _fetch(conn: sqlite3.Connection, sql: str, params: Sequence = ()) -> list[tuple]:
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, params).fetchall()


def _rows_to_entries(conn: sqlite3.Connection, rows: Sequence[tuple], *, with_change: bool = True
                     ) -> list[PatrolEntry]:
    if not rows:
        return []
    ids = [r[_ID] for r in rows]
    signs: dict[int, list[SignObservation]] = {}
    measures: dict[int, list[tuple]] = {}
    photos: dict[int, list[str]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for log_id, sign, location, feature in _fetch(
                conn, f"SELECT log_id, sign, location, feature FROM patrol_sign WHERE log_id IN ({marks})"
                " ORDER BY log_id, position", chunk):
            signs.setdefault(log_id, []).append(SignObservation(sign, location, feature))
        for r in _fetch(conn, "SELECT log_id, kind, label, reading_mm, patch_intact FROM patrol_measurement"
                              f" WHERE log_id IN ({marks}) ORDER BY log_id, position", chunk):
            measures.setdefault(r[0], []).append(r)
        for log_id, path in _fetch(conn, f"SELECT log_id, path FROM patrol_photo WHERE log_id IN ({marks}) ORDER BY id",
                                   chunk):
            photos.setdefault(log_id, []).append(path)
    changes = _reading_changes(conn, {r[_POINT] for r in rows}) if with_change and measures else {}
    kinds = {k.value: k for k in MeasureKind}
    judgements = {j.value: j for j in Judgement}
    out = []
    for (log_id, seq, at, by, weather, rain, judgement, action, note, rec_by, rec_at, del_at, del_by) in rows:
        ms = tuple(Measurement(kinds[kind], label, reading, None if intact is None else bool(intact),
                               changes.get((log_id, kind, label)))
                   for _, kind, label, reading, intact in measures.get(log_id, ()))
        out.append(PatrolEntry(
            point_seq=seq, at=at, by=by, judgement=judgements[judgement], weather=weather, rain_mm=rain,
            signs=tuple(signs.get(log_id, ())), measurements=ms, action=action, note=note, id=log_id,
            recorded_by=rec_by, recorded_at=rec_at, deleted_at=del_at, deleted_by=del_by,
            photos=tuple(photos.get(log_id, ())),
        ))
    return out


def _reading_changes(conn: sqlite3.Connection, point_seqs: set[int]) -> dict[tuple, float]:
    """(log id, kind, label) -> this reading minus the previous live reading of the same gauge at the point.
    Computed when read, so an edit or a deletion of an earlier entry never leaves a stale difference."""
    sql = ("SELECT l.point_seq, l.id, m.kind, m.label, m.reading_mm FROM patrol_measurement m"
           " JOIN patrol_log l ON l.id = m.log_id WHERE l.deleted_at IS NULL AND m.reading_mm IS NOT NULL")
    if len(point_seqs) <= _CHUNK:
        sql += f" AND l.point_seq IN ({','.join('?' * len(point_seqs))})"
        params: list = sorted(point_seqs)
    else:
        params = []
    sql += " ORDER BY l.point_seq, l.patrolled_at, l.id"
    last: dict[tuple, float] = {}
    out: dict[tuple, float] = {}
    for seq, log_id, kind, label, reading in conn.execute(sql, params):
        key = (seq, kind, label)
        if key in last:
            out[(log_id, kind, label)] = round(reading - last[key], 3)
        last[key] = reading
    return out


def get_entry(store: Store, entry_id: int) -> PatrolEntry:
    rows = _fetch(store.db.conn, f"{_SELECT} WHERE id = ?", (entry_id,))
    if not rows:
        raise NotFound(f"没有编号为 {entry_id} 的巡查记录")
    return _rows_to_entries(store.db.conn, rows)[0]


def parse_entry_ref(text: str | int) -> int:
    try:
        return int(str(text).strip().lstrip("#"))
    except ValueError:
        raise InvalidInput(f"巡查记录编号“{text}”不是数字") from None


def list_entries(store: Store, *, point: int | None = None, since: str | None = None, until: str | None = None,
                 binned: bool = False, limit: int | None = None) -> list[PatrolEntry]:
    """Entries newest first. binned=True lists the 回收站 instead of the live entries."""
    where, params = ["deleted_at IS NOT NULL" if binned else "deleted_at IS NULL"], []
    if point is not None:
        get_point(store, point)
        where.append("point_seq = ?")
        params.append(point)
    if since:
        where.append("patrolled_at >= ?")
        params.append(_date_bound(since, "起始日期"))
    if until:
        where.append("patrolled_at < ?")
        params.append(_date_bound(until, "截止日期") + "~")  # whole day inclusive: '~' sorts after digits
    sql = f"{_SELECT} WHERE {' AND '.join(where)} ORDER BY patrolled_at DESC, id DESC"
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = _fetch(store.db.conn, sql, params)
    return _rows_to_entries(store.db.conn, rows, with_change=not binned)


def _date_bound(text: str, what: str) -> str:
    t = text.strip().replace("/", "-")
    for fmt in ("%Y-%m-%d", AT_FORMAT):
        try:
            return datetime.strptime(t, fmt).strftime(fmt)
        except ValueError:
            continue
    raise InvalidInput(f"{what}“{text}”格式不对：应为 年-月-日，例如 2026-04-01")


def count_entries(store: Store, *, point: int | None = None, binned: bool = False) -> int:
    sql = f"SELECT COUNT(*) FROM patrol_log WHERE deleted_at IS {'NOT ' if binned else ''}NULL"
    if point is None:
        return store.db.conn.execute(sql).fetchone()[0]
    return store.db.conn.execute(sql + " AND point_seq = ?", (point,)).fetchone()[0]


def default_patroller(store: Store, seq: int) -> str:
    """The point's community monitor (群测群防员) patrols it unless someone else is named."""
    return get_point(store, seq).monitor


# ---- writing -------------------------------------------------------------------------------------

def _insert_children(conn: sqlite3.Connection, log_id: int, d: PatrolDraft) -> None:
    conn.executemany("INSERT INTO patrol_sign (log_id, position, sign, location, feature) VALUES (?,?,?,?,?)",
                     [(log_id, i, s.sign, s.location, s.feature) for i, s in enumerate(d.signs)])
    conn.executemany(
        "INSERT INTO patrol_measurement (log_id, position, kind, label, reading_mm, patch_intact) VALUES (?,?,?,?,?,?)",
        [(log_id, i, m.kind.value, m.label, m.reading_mm, None if m.patch_intact is None else int(m.patch_intact))
         for i, m in enumerate(d.measurements)])


def _audit(conn: sqlite3.Connection, log_id: int, action: str, before: dict | None, after: dict | None,
           by: str, at: str) -> None:
    conn.execute("INSERT INTO patrol_audit (log_id, action, before_json, after_json, changed_by, changed_at)"
                 " VALUES (?,?,?,?,?,?)",
                 (log_id, action, None if before is None else json.dumps(before, ensure_ascii=False),
                  None if after is None else json.dumps(after, ensure_ascii=False), by, at))


def insert_checked(conn: sqlite3.Connection, d: PatrolDraft, *, by: str, at: str, action: str = "create",
                   photos: Sequence[tuple[str, str]] = ()) -> int:
    """Inside an open transaction: one checked draft, its children and its audit row. Returns the id."""
    cur = conn.execute(
        "INSERT INTO patrol_log (point_seq, patrolled_at, patroller, weather, rain_mm, judgement, action, note,"
        " recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (d.point_seq, d.at, d.by, d.weather, d.rain_mm, d.judgement.value, d.action, d.note, by, at))
    log_id = cur.lastrowid
    _insert_children(conn, log_id, d)
    conn.executemany("INSERT INTO patrol_photo (log_id, path, original_name, added_by, added_at) VALUES (?,?,?,?,?)",
                     [(log_id, rel, original, by, at) for rel, original in photos])
    after = entry_to_dict(d) | {"photos": [rel for rel, _ in photos]}
    _audit(conn, log_id, action, None, after, by, at)
    return log_id


def _copy_photos(store: Store, paths: Sequence[str | Path]) -> list[tuple[str, str, Path]]:
    """Copy photos into the data folder first; the caller removes them if the save then fails."""
    copied = []
    try:
        for p in paths:
            src = Path(p)
            if not src.is_file():
                raise InvalidInput(f"照片文件“{src}”不存在")
            if src.suffix.lower() not in PHOTO_SUFFIXES:
                raise InvalidInput(f"“{src.name}”不是照片文件（支持 {'、'.join(sorted(PHOTO_SUFFIXES))}）")
            rel = Path(PHOTO_DIR) / datetime.now().strftime("%Y") / f"{uuid.uuid4().hex[:12]}{src.suffix.lower()}"
            dest = store.home / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            copied.append((rel.as_posix(), src.name, dest))
    except BaseException:
        _remove_files(c[2] for c in copied)
        raise
    return copied


def _remove_files(paths: Iterable[Path]) -> None:
    for p in paths:
        try:
            p.unlink()
        except OSError:
            pass


def record(store: Store, draft: PatrolDraft, *, recorded_by: str | None = None,
           photos: Sequence[str | Path] = (), now: datetime | None = None) -> PatrolChanges:
    """Save one patrol entry (one transaction with its audit row). The new id is in entry_ids;
    the undo moves it to the 回收站."""
    get_point(store, draft.point_seq)
    if not draft.by.strip():
        draft = replace(draft, by=default_patroller(store, draft.point_seq))
    d = check_draft(draft, now=now)
    copied = _copy_photos(store, photos)
    try:
        with store.db.write() as conn:
            log_id = insert_checked(conn, d, by=recorded_by or current_user(), at=now_iso(),
                                    photos=[(rel, orig) for rel, orig, _ in copied])
    except BaseException:
        _remove_files(c[2] for c in copied)
        raise
    label = f"新增巡查记录（第 {d.point_seq} 号点 {d.at}）"
    return store.announce(_changes({d.point_seq}, [log_id], label=label,
                                   undo=lambda: delete(store, log_id, by=recorded_by, _label=label)))


def edit(store: Store, entry_id: int, draft: PatrolDraft, *, by: str | None = None,
         now: datetime | None = None, expect: PatrolDraft | None = None) -> PatrolChanges:
    """Replace an entry's content; the previous state is kept in the audit trail. No-op edits write nothing.
    expect: the content the edit was made from (a dialog's starting point, an undo's target); when the
    entry no longer has it, someone else changed it meanwhile and the edit is refused (StaleEdit)."""
    return _edit(store, entry_id, lambda _current: draft, by=by, now=now, expect=expect)


def _edit(store: Store, entry_id: int, make: Callable[[PatrolDraft], PatrolDraft], *, by: str | None,
          now: datetime | None, expect: PatrolDraft | None, label: str | None = None) -> PatrolChanges:
    """Read, change and write in one write transaction: a concurrent edit of another field is kept."""
    with store.db.write() as conn:
        before = _live_entry(conn, entry_id, "修改")
        current = before.draft()
        if expect is not None and current.content() != expect.content():
            raise StaleEdit(f"巡查记录 {entry_id} ")
        draft = make(current)
        get_point(store, draft.point_seq)
        d = check_draft(draft, now=now)
        if current.content() == d.content():
            return PatrolChanges()
        conn.execute(
            "UPDATE patrol_log SET point_seq=?, patrolled_at=?, patroller=?, weather=?, rain_mm=?, judgement=?,"
            " action=?, note=? WHERE id=?",
            (d.point_seq, d.at, d.by, d.weather, d.rain_mm, d.judgement.value, d.action, d.note, entry_id))
        conn.execute("DELETE FROM patrol_sign WHERE log_id = ?", (entry_id,))
        conn.execute("DELETE FROM patrol_measurement WHERE log_id = ?", (entry_id,))
        _insert_children(conn, entry_id, d)
        _audit(conn, entry_id, "edit", entry_to_dict(current), entry_to_dict(d), by or current_user(),
               now_iso())
    label = label or f"修改巡查记录 {entry_id}"
    return store.announce(_changes(
        {before.point_seq, d.point_seq}, [entry_id], label=label,
        undo=lambda: _edit(store, entry_id, lambda _c: current, by=by, now=None, expect=d, label=label)))


_UNSET = object()


def edit_fields(store: Store, entry_id: int, *, by: str | None = None, **fields) -> PatrolChanges:
    """Edit only the named fields (the CLI's `patrol edit ID --judgement 异常`). crack_mm sets the
    unlabelled crack-gauge reading (None removes it). The other fields keep their values as stored
    at the moment of writing, so two such edits at once are both kept."""
    crack = fields.pop("crack_mm", _UNSET)
    unknown = set(fields) - set(PatrolDraft.__dataclass_fields__)
    if unknown:
        raise InvalidInput(f"不能修改的字段：{'、'.join(sorted(unknown))}")

    def change(current: PatrolDraft) -> PatrolDraft:
        d = replace(current, **fields)
        if crack is not _UNSET:
            others = tuple(m for m in d.measurements if m.key != (MeasureKind.CRACK_GAUGE.value, ""))
            gauge = () if crack is None else (Measurement(MeasureKind.CRACK_GAUGE, "", crack),)
            d = replace(d, measurements=gauge + others)
        return d
    return _edit(store, entry_id, change, by=by, now=None, expect=None)


def _live_entry(conn: sqlite3.Connection, entry_id: int, verb: str) -> PatrolEntry:
    rows = _fetch(conn, f"{_SELECT} WHERE id = ?", (entry_id,))
    if not rows:
        raise NotFound(f"没有编号为 {entry_id} 的巡查记录")
    row = rows[0]
    if row[_DELETED_AT] is not None:
        raise InvalidInput(f"巡查记录 {entry_id} 在回收站中，不能{verb}；请先恢复（patrol restore {entry_id}）")
    return _rows_to_entries(conn, [row], with_change=False)[0]


def delete(store: Store, entry_id: int, *, by: str | None = None, _label: str | None = None) -> PatrolChanges:
    """Move to the 回收站 (recoverable with restore, which is also its undo)."""
    who = by or current_user()
    with store.db.write() as conn:
        entry = _live_entry(conn, entry_id, "删除")
        at = now_iso()
        conn.execute("UPDATE patrol_log SET deleted_at = ?, deleted_by = ? WHERE id = ?", (at, who, entry_id))
        _audit(conn, entry_id, "delete", entry_to_dict(entry), None, who, at)
    label = _label or f"删除巡查记录 {entry_id}"
    return store.announce(_changes({entry.point_seq}, [entry_id], label=label,
                                   undo=lambda: restore(store, entry_id, by=by, _label=label)))


def restore(store: Store, entry_id: int, *, by: str | None = None, _label: str | None = None) -> PatrolChanges:
    """Take an entry out of the 回收站 (its undo deletes it again)."""
    who = by or current_user()
    with store.db.write() as conn:
        rows = _fetch(conn, f"{_SELECT} WHERE id = ?", (entry_id,))
        if not rows:
            raise NotFound(f"没有编号为 {entry_id} 的巡查记录")
        row = rows[0]
        if row[_DELETED_AT] is None:
            raise InvalidInput(f"巡查记录 {entry_id} 不在回收站中，无需恢复")
        conn.execute("UPDATE patrol_log SET deleted_at = NULL, deleted_by = NULL WHERE id = ?", (entry_id,))
        entry = _rows_to_entries(conn, [row], with_change=False)[0]
        _audit(conn, entry_id, "restore", None, entry_to_dict(entry), who, now_iso())
    label = _label or f"恢复巡查记录 {entry_id}"
    return store.announce(_changes({row[_POINT]}, [entry_id], label=label,
                                   undo=lambda: delete(store, entry_id, by=by, _label=label)))


def add_photos(store: Store, entry_id: int, paths: Sequence[str | Path], *, by: str | None = None) -> PatrolChanges:
    by = by or current_user()
    copied = _copy_photos(store, paths)
    try:
        with store.db.write() as conn:
            entry = _live_entry(conn, entry_id, "添加照片")
            at = now_iso()
            conn.executemany(
                "INSERT INTO patrol_photo (log_id, path, original_name, added_by, added_at) VALUES (?,?,?,?,?)",
                [(entry_id, rel, orig, by, at) for rel, orig, _ in copied])
            after = entry_to_dict(entry) | {"photos": list(entry.photos) + [c[0] for c in copied]}
            _audit(conn, entry_id, "edit", entry_to_dict(entry), after, by, at)
    except BaseException:
        _remove_files(c[2] for c in copied)
        raise
    return store.announce(_changes({entry.point_seq}, [entry_id]))


# ---- audit -----------------------------------------------------------------------------------------

def audit_trail(store: Store, entry_id: int | None = None, *, point: int | None = None) -> list[AuditRow]:
    """Every change, oldest first."""
    sql = ("SELECT a.*, l.point_seq FROM patrol_audit a JOIN patrol_log l ON l.id = a.log_id")
    where, params = [], []
    if entry_id is not None:
        where.append("a.log_id = ?")
        params.append(entry_id)
    if point is not None:
        where.append("l.point_seq = ?")
        params.append(point)
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id"
    return [AuditRow(r["id"], r["log_id"], r["point_seq"], r["action"],
                     json.loads(r["before_json"]) if r["before_json"] else None,
                     json.loads(r["after_json"]) if r["after_json"] else None, r["changed_by"], r["changed_at"])
            for r in store.db.conn.execute(sql, params)]


def describe_audit(row: AuditRow) -> str:
    """One line in Chinese: what changed (field: old → new)."""
    from hazardmap.domain.patrol import FIELD_LABELS

    if row.action == "edit" and row.before and row.after:
        parts = []
        for key, label in FIELD_LABELS.items():
            k = "point" if key == "point_seq" else key
            old, new = row.before.get(k), row.after.get(k)
            if old != new and not (key == "photos" and new is None):
                parts.append(f"{label}：{_fmt(k, old)} → {_fmt(k, new)}")
        return "；".join(parts) or "无变化"
    state = row.after or row.before or {}
    return f"{state.get('at', '')} {state.get('by', '')} {state.get('judgement', '')}".strip()


def _fmt(key: str, value) -> str:
    if value in (None, "", []):
        return "（空）"
    if key == "measurements":
        return "、".join(Measurement(MeasureKind(k), lab, r, i).describe() for k, lab, r, i in value)
    if key == "signs":
        return "、".join(s[0] + (f"（{s[1]} {s[2]}）".replace("（ ", "（").replace(" ）", "）") if s[1] or s[2] else "")
                        for s in value)
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


# ---- settings and the overview -------------------------------------------------------------------

def get_intervals(store: Store) -> PatrolIntervals:
    rows = {r["key"]: r for r in store.db.conn.execute(
        "SELECT key, value, is_default FROM setting WHERE key IN (?, ?)", (SETTING_FLOOD_DAYS, SETTING_OTHER_DAYS))}

    def value(key: str) -> tuple[int, bool]:
        r = rows.get(key)
        return (int(r["value"]), bool(r["is_default"])) if r else (int(DEFAULT_SETTINGS[key][0]), True)

    flood, flood_default = value(SETTING_FLOOD_DAYS)
    other, other_default = value(SETTING_OTHER_DAYS)
    return PatrolIntervals(flood, other, flood_default, other_default)


def set_intervals(store: Store, *, flood_days: int | str | None = None, other_days: int | str | None = None,
                  by: str | None = None) -> Changes:
    """Set the bureau's own intervals (they stop being labelled as defaults)."""
    values = {}
    if flood_days is not None:
        values[SETTING_FLOOD_DAYS] = check_interval_days(flood_days, "汛期巡查间隔")
    if other_days is not None:
        values[SETTING_OTHER_DAYS] = check_interval_days(other_days, "非汛期巡查间隔")
    if not values:
        return Changes()
    by, at = by or current_user(), now_iso()
    with store.db.write() as conn:
        before = _setting_rows(conn)
        for key, days in values.items():
            conn.execute(
                "INSERT INTO setting (key, value, is_default, note, changed_by, changed_at) VALUES (?,?,0,?,?,?)"
                " ON CONFLICT(key) DO UPDATE SET value=excluded.value, is_default=0, changed_by=excluded.changed_by,"
                " changed_at=excluded.changed_at", (key, str(days), DEFAULT_SETTINGS[key][1], by, at))
        after = _setting_rows(conn)
    return _intervals_changed(store, before, after, "修改巡查间隔")


def reset_intervals(store: Store, *, by: str | None = None) -> Changes:
    with store.db.write() as conn:
        before = _setting_rows(conn)
        for key, (value, note) in DEFAULT_SETTINGS.items():
            conn.execute("INSERT OR REPLACE INTO setting (key, value, is_default, note, changed_by, changed_at)"
                         " VALUES (?,?,1,?,?,?)", (key, value, note, by or current_user(), now_iso()))
        after = _setting_rows(conn)
    return _intervals_changed(store, before, after, "恢复默认巡查间隔")


def _setting_rows(conn: sqlite3.Connection) -> dict[str, tuple]:
    keys = tuple(DEFAULT_SETTINGS)
    return {r[0]: tuple(r) for r in conn.execute(
        "SELECT key, value, is_default, note, changed_by, changed_at FROM setting"
        f" WHERE key IN ({','.join('?' * len(keys))})", keys)}


def _intervals_changed(store: Store, before: dict[str, tuple], after: dict[str, tuple], label: str) -> Changes:
    return store.announce(Changes(patrol_points=frozenset(p.seq for p in list_points(store)), label=label,
                                  undo=lambda: _put_settings(store, before, expect=after, label=label)))


def _put_settings(store: Store, rows: dict[str, tuple], *, expect: dict[str, tuple], label: str) -> Changes:
    """Put the interval settings back exactly (undo/redo); refused if they changed meanwhile."""
    with store.db.write() as conn:
        before = _setting_rows(conn)
        if before != expect:
            raise StaleEdit("巡查间隔设置")
        conn.executemany("DELETE FROM setting WHERE key = ?", [(k,) for k in before if k not in rows])
        conn.executemany("INSERT OR REPLACE INTO setting (key, value, is_default, note, changed_by, changed_at)"
                         " VALUES (?,?,?,?,?,?)", list(rows.values()))
    return _intervals_changed(store, before, rows, label)


# Per point: its newest live entry by (patrolled_at, id), found by one seek on the partial index
# patrol_log_live (a GROUP BY over every entry was ~4x slower at 100,000 entries).
_LATEST = ("(SELECT patrolled_at || '#' || id || '#' || judgement FROM patrol_log l"
           " WHERE l.point_seq = h.seq AND l.deleted_at IS NULL ORDER BY patrolled_at DESC, id DESC LIMIT 1)")
_COUNT = "(SELECT COUNT(*) FROM patrol_log l WHERE l.point_seq = h.seq AND l.deleted_at IS NULL)"


def _plain_cursor(store: Store) -> sqlite3.Cursor:
    cur = store.db.conn.cursor()
    cur.row_factory = None  # plain tuples: sqlite3.Row costs more than the query on 20,000 rows
    return cur


def _split_latest(key: str) -> tuple[str, int, Judgement]:
    at, log_id, judgement = key.split("#")
    return at, int(log_id), Judgement(judgement)


def latest_per_point(store: Store) -> dict[int, tuple[str, int, Judgement]]:
    """seq -> (latest patrolled_at, its id, its judgement) for points with a live entry."""
    out = {}
    for seq, key in _plain_cursor(store).execute(f"SELECT h.seq, {_LATEST} FROM hazard_point h"):
        if key is not None:
            out[seq] = _split_latest(key)
    return out


def overview(store: Store, *, today: date | None = None) -> list[PointPatrolStatus]:
    """巡查情况: every point with its last patrol, days since, and the interval in force today."""
    today = today or date.today()
    interval = get_intervals(store).for_day(today)
    rows = []
    for seq, township, village_group, monitor, key, count in _plain_cursor(store).execute(
            f"SELECT h.seq, h.township, h.village_group, h.monitor, {_LATEST}, {_COUNT} FROM hazard_point h"
            " ORDER BY h.seq"):
        if key is None:
            rows.append(PointPatrolStatus(seq, township + village_group, monitor, None, None, None, interval, 0))
            continue
        at, _id, judgement = _split_latest(key)
        days = (today - date.fromisoformat(at[:10])).days
        rows.append(PointPatrolStatus(seq, township + village_group, monitor, at, judgement, days, interval, count))
    return rows
