"""Use cases on patrol logs (巡查记录): record, edit, delete to the 回收站, restore, list, overview, audit.

Every save is one transaction (db.write) that also writes its audit row, so a crash loses at most
the entry being typed. Nothing is ever removed: delete sets deleted_at (the 回收站), edits keep the
before/after state in patrol_audit. Every mutating call returns a Changes record (its caller publishes it).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import EditConflict, EntryInBin, EntryNotFound, InvalidInput, NotInBin, StaleEdit
from hazardmap.domain.patrol import (
    AT_FORMAT, DEFAULT_SETTINGS, SETTING_FLOOD_DAYS, SETTING_OTHER_DAYS, AuditAction, AuditRow, Measurement,
    MeasureKind, PatrolDraft, PatrolEntry, PatrolIntervals, PointPatrolStatus, SignObservation, check_draft,
    check_interval_days, in_flood_season, set_main_crack, today_in_beijing,
)
from hazardmap.domain.key_lists import View
from hazardmap.domain.patrol_status import Judgement
from hazardmap.domain.settings import Setting
from hazardmap.files import copy_in
from hazardmap.services.points import get_point, list_points
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.services.views import which
from hazardmap.storage.api import Session

PHOTO_DIR = "photos"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".png", ".heic", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


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


def get_entry(store: Store, entry_id: int) -> PatrolEntry:
    with store.db.read() as s:
        entry = store.db.patrol.get(s, entry_id)
    if entry is None:
        raise EntryNotFound(entry_id)
    return entry


def parse_entry_ref(text: str | int) -> int:
    try:
        return int(str(text).strip().lstrip("#"))
    except ValueError:
        raise InvalidInput(f"巡查记录编号“{text}”不是数字") from None


def list_entries(store: Store, *, point: int | None = None, since: str | None = None, until: str | None = None,
                 binned: bool = False, limit: int | None = None) -> list[PatrolEntry]:
    """Entries newest first. binned=True lists the 回收站 instead of the live entries."""
    if point is not None:
        get_point(store, point)
    since_at = _date_bound(since, "起始日期") if since else None
    # whole day inclusive: '~' sorts after digits
    before_at = _date_bound(until, "截止日期") + "~" if until else None
    with store.db.read() as s:
        return store.db.patrol.entries(s, point=point, since=since_at, before=before_at, binned=binned, limit=limit,
                                       with_change=not binned)


def _date_bound(text: str, what: str) -> str:
    t = text.strip().replace("/", "-")
    for fmt in ("%Y-%m-%d", AT_FORMAT):
        try:
            return datetime.strptime(t, fmt).strftime(fmt)
        except ValueError:
            continue
    raise InvalidInput(f"{what}“{text}”格式不对：应为 年-月-日，例如 2026-04-01")


def count_entries(store: Store, *, point: int | None = None, binned: bool = False) -> int:
    with store.db.read() as s:
        return store.db.patrol.count(s, point=point, binned=binned)


def default_patroller(store: Store, seq: int) -> str:
    """The point's community monitor (群测群防员) patrols it unless someone else is named."""
    return get_point(store, seq).monitor


# ---- writing -------------------------------------------------------------------------------------

def insert_checked(store: Store, tx: Session, d: PatrolDraft, *, by: str, at: str,
                   action: AuditAction = AuditAction.CREATE, photos: Sequence[tuple[str, str]] = ()) -> int:
    """Inside an open write transaction: one checked draft, its children and its audit row. Returns the id."""
    log_id = store.db.patrol.insert(tx, d, by=by, at=at, photos=photos)
    store.db.patrol.add_audit(tx, log_id, action, None, _created_state(d, photos), by=by, at=at)
    return log_id


def _created_state(d: PatrolDraft, photos: Sequence[tuple[str, str]] = ()) -> dict:
    """What the audit trail keeps of a new entry."""
    return entry_to_dict(d) | {"photos": [rel for rel, _ in photos]}


def insert_many_checked(store: Store, tx: Session, drafts: Sequence[PatrolDraft], *, by: str, at: str,
                        action: AuditAction = AuditAction.CREATE) -> list[int]:
    """Inside an open write transaction: many checked drafts (no photos) written in bulk, the same rows
    insert_checked writes for each. Returns their ids in order."""
    return store.db.patrol.insert_many(tx, [(d, _created_state(d)) for d in drafts], by=by, at=at, action=action)


def _copy_photos(store: Store, paths: Sequence[str | Path]) -> list[tuple[str, str, Path]]:
    """Copy photos into the data folder first; the caller removes them if the save then fails."""
    folder = Path(PHOTO_DIR) / datetime.now().strftime("%Y")
    return copy_in(paths, store.home, folder, PHOTO_SUFFIXES, noun="照片文件", kind="照片文件")


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
        with store.db.write() as tx:
            log_id = insert_checked(store, tx, d, by=recorded_by or current_user(), at=now_iso(),
                                    photos=[(rel, orig) for rel, orig, _ in copied])
    except BaseException:
        _remove_files(c[2] for c in copied)
        raise
    label = f"新增巡查记录（第 {d.point_seq} 号点 {d.at}）"
    return _changes({d.point_seq}, [log_id], label=label,
                    undo=lambda: delete(store, log_id, by=recorded_by, _label=label))


_LABELS = {"point": "隐患点", "at": "巡查时间", "by": "巡查人", "judgement": "判断", "weather": "天气", "rain_mm": "雨量",
           "signs": "变形迹象", "measurements": "测量", "action": "措施", "note": "备注"}


def _changed_labels(old: PatrolDraft, new: PatrolDraft) -> tuple[dict[str, object], dict[str, object]]:
    """What an edit changes, by the fields' Chinese names: new values and old (a conflict's mine, theirs)."""
    a, b = entry_to_dict(old), entry_to_dict(new)
    changed = [k for k, v in b.items() if a.get(k) != v]
    return {_LABELS.get(k, k): b[k] for k in changed}, {_LABELS.get(k, k): a.get(k) for k in changed}


def edit(store: Store, entry_id: int, draft: PatrolDraft, *, by: str | None = None,
         now: datetime | None = None, expect: PatrolDraft | None = None,
         base_version: int | None = None) -> PatrolChanges:
    """Replace an entry's content; the previous state is kept in the audit trail. No-op edits write nothing.
    expect: the content the edit was made from (a dialog's starting point, an undo's target); when the
    entry no longer has it, someone else changed it meanwhile and the edit is refused (StaleEdit).
    base_version: the entry's version the edit was made from; any change since (even one that left the
    content as it was) refuses it with EditConflict naming who changed it and when."""
    return _edit(store, entry_id, lambda _current: draft, by=by, now=now, expect=expect, base_version=base_version)


def _edit(store: Store, entry_id: int, make: Callable[[PatrolDraft], PatrolDraft], *, by: str | None,
          now: datetime | None, expect: PatrolDraft | None, label: str | None = None,
          base_version: int | None = None) -> PatrolChanges:
    """Read, change and write in one write transaction: a concurrent edit of another field is kept."""
    with store.db.write() as tx:
        before = _live_entry(store, tx, entry_id, "修改")
        if base_version is not None and before.version != base_version:
            audit = store.db.patrol.audit(tx, entry_id=entry_id)
            mine, theirs_now = _changed_labels(before.draft(), check_draft(make(before.draft()), now=now))
            raise EditConflict(f"巡查记录 {entry_id} ", base_version=base_version, current_version=before.version,
                               theirs=(audit[-1].changed_by, audit[-1].changed_at) if audit else None,
                               mine=mine, mine_by=by or current_user(), theirs_now=theirs_now)
        current = before.draft()
        if expect is not None and current.content() != expect.content():
            raise StaleEdit(f"巡查记录 {entry_id} ")
        draft = make(current)
        get_point(store, draft.point_seq)
        d = check_draft(draft, now=now)
        if current.content() == d.content():
            return PatrolChanges()
        store.db.patrol.update(tx, entry_id, d)
        store.db.patrol.add_audit(tx, entry_id, AuditAction.EDIT, entry_to_dict(current), entry_to_dict(d),
                                  by=by or current_user(), at=now_iso())
    label = label or f"修改巡查记录 {entry_id}"
    return _changes(
        {before.point_seq, d.point_seq}, [entry_id], label=label,
        undo=lambda: _edit(store, entry_id, lambda _c: current, by=by, now=None, expect=d, label=label))


_UNSET = object()


def edit_fields(store: Store, entry_id: int, *, by: str | None = None, **fields) -> PatrolChanges:
    """Edit only the named fields (the CLI's `patrol edit ID --judgement 异常`). crack_mm sets the
    裂缝读数, the main crack gauge's reading (None removes that gauge). The other fields keep their
    values as stored at the moment of writing, so two such edits at once are both kept."""
    crack = fields.pop("crack_mm", _UNSET)
    unknown = set(fields) - set(PatrolDraft.__dataclass_fields__)
    if unknown:
        raise InvalidInput(f"不能修改的字段：{'、'.join(sorted(unknown))}")

    def change(current: PatrolDraft) -> PatrolDraft:
        d = replace(current, **fields)
        if crack is not _UNSET:
            d = replace(d, measurements=set_main_crack(d.measurements, crack))
        return d
    return _edit(store, entry_id, change, by=by, now=None, expect=None)


def _live_entry(store: Store, tx: Session, entry_id: int, verb: str) -> PatrolEntry:
    entry = store.db.patrol.get(tx, entry_id, with_change=False)
    if entry is None:
        raise EntryNotFound(entry_id)
    if entry.deleted:
        raise EntryInBin(entry_id, verb)
    return entry


def delete(store: Store, entry_id: int, *, by: str | None = None, _label: str | None = None) -> PatrolChanges:
    """Move to the 回收站 (recoverable with restore, which is also its undo)."""
    who = by or current_user()
    with store.db.write() as tx:
        entry = _live_entry(store, tx, entry_id, "删除")
        at = now_iso()
        store.db.patrol.set_deleted(tx, entry_id, at, who)
        store.db.patrol.add_audit(tx, entry_id, AuditAction.DELETE, entry_to_dict(entry), None, by=who, at=at)
    label = _label or f"删除巡查记录 {entry_id}"
    return _changes({entry.point_seq}, [entry_id], label=label,
                    undo=lambda: restore(store, entry_id, by=by, _label=label))


def restore(store: Store, entry_id: int, *, by: str | None = None, _label: str | None = None) -> PatrolChanges:
    """Take an entry out of the 回收站 (its undo deletes it again)."""
    who = by or current_user()
    with store.db.write() as tx:
        entry = store.db.patrol.get(tx, entry_id, with_change=False)
        if entry is None:
            raise EntryNotFound(entry_id)
        if not entry.deleted:
            raise NotInBin(entry_id)
        store.db.patrol.set_deleted(tx, entry_id, None, None)
        store.db.patrol.add_audit(tx, entry_id, AuditAction.RESTORE, None,
                                  entry_to_dict(replace(entry, deleted_at=None, deleted_by=None)), by=who,
                                  at=now_iso())
    label = _label or f"恢复巡查记录 {entry_id}"
    return _changes({entry.point_seq}, [entry_id], label=label,
                    undo=lambda: delete(store, entry_id, by=by, _label=label))


def move_to_bin(store: Store, entry_ids: Sequence[int], into: bool, *, by: str | None = None,
                label: str = "") -> PatrolChanges:
    """Several entries into the 回收站 (into=True) or out of it, in one transaction; the undo does the
    opposite (the undo of an import)."""
    who, at = by or current_user(), now_iso()
    repo = store.db.patrol
    with store.db.write() as tx:
        entries = []
        for entry_id in entry_ids:
            entry = repo.get(tx, entry_id, with_change=False)
            if entry is None:
                raise EntryNotFound(entry_id)
            if into and entry.deleted:
                raise StaleEdit(f"巡查记录 {entry_id} ")  # someone binned it meanwhile
            if not into and not entry.deleted:
                raise NotInBin(entry_id)
            repo.set_deleted(tx, entry_id, at if into else None, who if into else None)
            state = entry_to_dict(entry)
            repo.add_audit(tx, entry_id, AuditAction.DELETE if into else AuditAction.RESTORE,
                           state if into else None, None if into else state, by=who, at=at)
            entries.append(entry)
    return _changes({e.point_seq for e in entries}, entry_ids, label=label,
                    undo=lambda: move_to_bin(store, entry_ids, not into, by=by, label=label))


def add_photos(store: Store, entry_id: int, paths: Sequence[str | Path], *, by: str | None = None) -> PatrolChanges:
    by = by or current_user()
    copied = _copy_photos(store, paths)
    try:
        with store.db.write() as tx:
            entry = _live_entry(store, tx, entry_id, "添加照片")
            at = now_iso()
            store.db.patrol.add_photos(tx, entry_id, [(rel, orig) for rel, orig, _ in copied], by=by, at=at)
            after = entry_to_dict(entry) | {"photos": list(entry.photos) + [c[0] for c in copied]}
            store.db.patrol.add_audit(tx, entry_id, AuditAction.EDIT, entry_to_dict(entry), after, by=by, at=at)
    except BaseException:
        _remove_files(c[2] for c in copied)
        raise
    return _changes({entry.point_seq}, [entry_id])


# ---- audit -----------------------------------------------------------------------------------------

def audit_trail(store: Store, entry_id: int | None = None, *, point: int | None = None) -> list[AuditRow]:
    """Every change, oldest first."""
    with store.db.read() as s:
        return store.db.patrol.audit(s, entry_id=entry_id, point=point)


def describe_audit(row: AuditRow) -> str:
    """One line in Chinese: what changed (field: old → new)."""
    from hazardmap.domain.patrol import FIELD_LABELS

    if row.action is AuditAction.EDIT and row.before and row.after:
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
    with store.db.read() as s:
        rows = store.db.settings.get(s, (SETTING_FLOOD_DAYS, SETTING_OTHER_DAYS))

    def value(key: str) -> tuple[int, bool]:
        r = rows.get(key)
        return (int(r.value), r.is_default) if r else (int(DEFAULT_SETTINGS[key][0]), True)

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
    repo = store.db.settings
    with store.db.write() as tx:
        before = repo.get(tx, DEFAULT_SETTINGS)
        repo.put(tx, [Setting(key, str(days), False, before[key].note if key in before else DEFAULT_SETTINGS[key][1],
                              changed_by=by, changed_at=at) for key, days in values.items()])
        after = repo.get(tx, DEFAULT_SETTINGS)
    return _intervals_changed(store, before, after, "修改巡查间隔")


def reset_intervals(store: Store, *, by: str | None = None) -> Changes:
    by, at = by or current_user(), now_iso()
    repo = store.db.settings
    with store.db.write() as tx:
        before = repo.get(tx, DEFAULT_SETTINGS)
        repo.put(tx, [Setting(key, value, True, note, changed_by=by, changed_at=at) for key, (value, note) in DEFAULT_SETTINGS.items()])
        after = repo.get(tx, DEFAULT_SETTINGS)
    return _intervals_changed(store, before, after, "恢复默认巡查间隔")


def _intervals_changed(store: Store, before: dict[str, Setting], after: dict[str, Setting], label: str) -> Changes:
    return Changes(patrol_points=frozenset(p.seq for p in list_points(store)), label=label,
                   undo=lambda: _put_settings(store, before, expect=after, label=label))


def _put_settings(store: Store, settings: dict[str, Setting], *, expect: dict[str, Setting], label: str) -> Changes:
    """Put the interval settings back exactly (undo/redo); refused if they changed meanwhile."""
    repo = store.db.settings
    with store.db.write() as tx:
        before = repo.get(tx, DEFAULT_SETTINGS)
        if before != expect:
            raise StaleEdit("巡查间隔设置")
        repo.delete(tx, [k for k in before if k not in settings])
        repo.put(tx, settings.values())
    return _intervals_changed(store, before, settings, label)


def latest_per_point(store: Store, seqs: Iterable[int] | None = None) -> dict[int, tuple[str, int, Judgement]]:
    """seq -> (latest patrolled_at, its id, its judgement) for points with a live entry; only the points
    in seqs when given (a map view, the details of one point: no need to read the province)."""
    with store.db.read() as s:
        return store.db.patrol.latest_per_point(s, None if seqs is None else list(seqs))


def overview(store: Store, *, today: date | None = None) -> list[PointPatrolStatus]:
    """巡查情况 of every point (the CLI's listing): its last patrol, days since, the interval in force today."""
    today = today or today_in_beijing()
    interval = get_intervals(store).for_day(today)
    with store.db.read() as s:
        found = store.db.patrol.overview_rows(s)
    return _statuses(found, today, interval)


OVERVIEW_PAGE = 500   # rows the 巡查情况 table reads at a time


class OverviewCounts(NamedTuple):
    """What the 巡查情况 table says of a view before its rows: how many points, how many overdue or never
    patrolled, and the interval in force today."""
    total: int
    overdue: int
    intervals: PatrolIntervals
    today: date

    @property
    def flood_season(self) -> bool:
        return in_flood_season(self.today)

    @property
    def interval(self) -> int:
        return self.intervals.for_day(self.today)

    @property
    def interval_is_default(self) -> bool:
        return self.intervals.flood_is_default if self.flood_season else self.intervals.other_is_default


def _due_before(today: date, interval: int) -> str:
    """Overdue: last patrolled on a day before this one (days since > interval), or never."""
    return (today - timedelta(days=interval)).isoformat()


def overview_counts(store: Store, view: View | None, *, today: date | None = None) -> OverviewCounts:
    """巡查情况 of a view (services/views.py), counted by the database: a province's 290,000 points in
    about a tenth of a second, where listing them all took seconds."""
    today = today or today_in_beijing()
    intervals = get_intervals(store)
    w = which(store, view)
    with store.db.read() as s:
        total, overdue = store.db.map_points.patrol_counts(s, w, _due_before(today, intervals.for_day(today)))
    return OverviewCounts(total, overdue, intervals, today)


def overview_page(store: Store, view: View | None, *, today: date | None = None, after_seq: int = 0,
                  limit: int | None = None, overdue_only: bool = False) -> list[PointPatrolStatus]:
    """巡查情况 rows of a view by seq: the first `limit` after after_seq (the table asks for the next page
    as it is scrolled; default OVERVIEW_PAGE); overdue_only: the overdue and never patrolled only."""
    today, limit = today or today_in_beijing(), limit or OVERVIEW_PAGE
    interval = get_intervals(store).for_day(today)
    w = which(store, view)
    with store.db.read() as s:
        found = store.db.map_points.patrol_rows(s, w, _due_before(today, interval), after_seq=after_seq,
                                                limit=limit, overdue_only=overdue_only)
    return _statuses(found, today, interval)


def count_in_view(store: Store, view: View | None, seqs: Iterable[int]) -> int:
    """How many of these points (e.g. those a rain warning makes due) the view has."""
    seqs = list(seqs)
    if not seqs:
        return 0
    w = which(store, view)
    with store.db.read() as s:
        return store.db.map_points.count_among(s, w, seqs)


def _statuses(found: Iterable[tuple], today: date, interval: int) -> list[PointPatrolStatus]:
    judgements = {j.value: j for j in Judgement}
    days_since: dict[str, int] = {}  # by day: ten years of patrols are 3,650 days, a province 290,000 rows
    rows = []
    append = rows.append
    for seq, name, monitor, at, judgement, count in found:
        if at is None:
            append(PointPatrolStatus(seq, name, monitor, None, None, None, interval, 0))
            continue
        day = at[:10]
        days = days_since.get(day)
        if days is None:
            days = days_since[day] = (today - date.fromisoformat(day)).days
        append(PointPatrolStatus(seq, name, monitor, at, judgements[judgement], days, interval, count))
    return rows
