"""SQLite: patrol entries with their signs, measurements and photos, and the audit trail
(api.PatrolRepository). Reads use plain tuples, not sqlite3.Row: name lookups cost more than the
query when a point has thousands of entries."""
from __future__ import annotations

import json
import sqlite3
from typing import Sequence

from hazardmap.domain.patrol import AuditAction, AuditRow, Measurement, MeasureKind, PatrolDraft, PatrolEntry, \
    SignObservation
from hazardmap.domain.patrol_status import Judgement
from hazardmap.storage.sql import conditions, table_exists

_CHUNK = 900  # stay below SQLite's host-parameter limit

# patrol_log columns in the order _entries reads them.
_COLUMNS = ("id, point_seq, patrolled_at, patroller, weather, rain_mm, judgement, action, note, recorded_by,"
            " recorded_at, deleted_at, deleted_by")
_SELECT = f"SELECT {_COLUMNS}, version FROM patrol_log"
_SELECT_UNVERSIONED = f"SELECT {_COLUMNS}, 1 FROM patrol_log"  # below the migration that added versions
_ID, _POINT = 0, 1

# Per point: its newest live entry by (patrolled_at, id), found by one seek on the partial index
# patrol_log_live (a GROUP BY over every entry was ~4x slower at 100,000 entries).
_LATEST = ("(SELECT patrolled_at || '#' || id || '#' || judgement FROM patrol_log l"
           " WHERE l.point_seq = h.seq AND l.deleted_at IS NULL ORDER BY patrolled_at DESC, id DESC LIMIT 1)")
_COUNT = "(SELECT COUNT(*) FROM patrol_log l WHERE l.point_seq = h.seq AND l.deleted_at IS NULL)"

# patrol_latest (schema.py): per point its newest live entry and live count, kept by this repository.
# New entries only add (_SUMMARY_ADD: count grows, a newer (patrolled_at, id) replaces the latest); an
# edit or a move in or out of the 回收站 recomputes the points concerned from the index (_SUMMARY_REDO).
_SUMMARY_COLUMNS = ("point_seq", "patrolled_at", "log_id", "judgement", "live_count")
_NEWER = "(excluded.patrolled_at, excluded.log_id) > (patrol_latest.patrolled_at, patrol_latest.log_id)"
_SUMMARY_ADD = (
    f"INSERT INTO patrol_latest ({', '.join(_SUMMARY_COLUMNS)}) {{source}} ON CONFLICT (point_seq) DO UPDATE SET"
    " live_count = patrol_latest.live_count + excluded.live_count, "
    + ", ".join(f"{c} = CASE WHEN {_NEWER} THEN excluded.{c} ELSE patrol_latest.{c} END"
                for c in ("patrolled_at", "log_id", "judgement")))
_SUMMARY_REDO = (
    f"INSERT INTO patrol_latest ({', '.join(_SUMMARY_COLUMNS)})"
    " SELECT l.point_seq, l.patrolled_at, l.id, l.judgement,"
    " (SELECT COUNT(*) FROM patrol_log c WHERE c.point_seq = l.point_seq AND c.deleted_at IS NULL)"
    " FROM patrol_log l WHERE l.id = (SELECT x.id FROM patrol_log x WHERE x.point_seq = ? AND x.deleted_at IS NULL"
    " ORDER BY x.patrolled_at DESC, x.id DESC LIMIT 1)")


def _summary_rows(entries: Sequence[tuple[int, str, int, str]]) -> list[tuple]:
    """(point, patrolled_at, id, judgement) of new entries -> per point its newest of them and their number."""
    out: dict[int, list] = {}
    for seq, at, log_id, judgement in entries:
        row = out.get(seq)
        if row is None:
            out[seq] = [seq, at, log_id, judgement, 1]
        else:
            row[4] += 1
            if (at, log_id) > (row[1], row[2]):
                row[1:4] = at, log_id, judgement
    return [tuple(r) for r in out.values()]


def _fetch(conn: sqlite3.Connection, sql: str, params: Sequence = ()) -> list[tuple]:
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, params).fetchall()


def _split_latest(key: str) -> tuple[str, int, Judgement]:
    at, log_id, judgement = key.split("#")
    return at, int(log_id), Judgement(judgement)


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
    for seq, log_id, kind, label, reading in _fetch(conn, sql, params):
        key = (seq, kind, label)
        if key in last:
            out[(log_id, kind, label)] = round(reading - last[key], 3)
        last[key] = reading
    return out


def _entries(conn: sqlite3.Connection, rows: Sequence[tuple], *, with_change: bool = True) -> list[PatrolEntry]:
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
    for (log_id, seq, at, by, weather, rain, judgement, action, note, rec_by, rec_at, del_at, del_by, version) in rows:
        ms = tuple(Measurement(kinds[kind], label, reading, None if intact is None else bool(intact),
                               changes.get((log_id, kind, label)))
                   for _, kind, label, reading, intact in measures.get(log_id, ()))
        out.append(PatrolEntry(
            point_seq=seq, at=at, by=by, judgement=judgements[judgement], weather=weather, rain_mm=rain,
            signs=tuple(signs.get(log_id, ())), measurements=ms, action=action, note=note, id=log_id,
            recorded_by=rec_by, recorded_at=rec_at, deleted_at=del_at, deleted_by=del_by,
            photos=tuple(photos.get(log_id, ())), version=version,
        ))
    return out


# The rows an entry writes, built in one place for the one-by-one insert and the bulk one (insert_many).
_LOG_COLUMNS = ("point_seq", "patrolled_at", "patroller", "weather", "rain_mm", "judgement", "action", "note",
                "recorded_by", "recorded_at")
_SIGN_COLUMNS = ("log_id", "position", "sign", "location", "feature")
_MEASURE_COLUMNS = ("log_id", "position", "kind", "label", "reading_mm", "patch_intact")
_AUDIT_COLUMNS = ("log_id", "action", "before_json", "after_json", "changed_by", "changed_at")


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))})"


def _log_row(d: PatrolDraft, by: str, at: str) -> tuple:
    return (d.point_seq, d.at, d.by, d.weather, d.rain_mm, d.judgement.value, d.action, d.note, by, at)


def _sign_rows(log_id: int, d: PatrolDraft) -> list[tuple]:
    return [(log_id, i, s.sign, s.location, s.feature) for i, s in enumerate(d.signs)]


def _measure_rows(log_id: int, d: PatrolDraft) -> list[tuple]:
    return [(log_id, i, m.kind.value, m.label, m.reading_mm, None if m.patch_intact is None else int(m.patch_intact))
            for i, m in enumerate(d.measurements)]


def _audit_row(log_id: int, action: AuditAction, before: dict | None, after: dict | None, by: str, at: str) -> tuple:
    return (log_id, action.value, None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False), by, at)


def _insert_children(conn: sqlite3.Connection, log_id: int, d: PatrolDraft) -> None:
    conn.executemany(_insert_sql("patrol_sign", _SIGN_COLUMNS), _sign_rows(log_id, d))
    conn.executemany(_insert_sql("patrol_measurement", _MEASURE_COLUMNS), _measure_rows(log_id, d))


class SqlitePatrol:
    versioned = True  # see SqlitePoints.versioned
    summarised = True  # False below the migration that adds patrol_latest (storage/db.py note_versions)

    @property
    def _select(self) -> str:
        return _SELECT if self.versioned else _SELECT_UNVERSIONED

    @property
    def _bump(self) -> str:
        return ", version = version + 1" if self.versioned else ""

    def has_tables(self, conn: sqlite3.Connection) -> bool:
        return table_exists(conn, "patrol_log")

    def get(self, conn: sqlite3.Connection, entry_id: int, *, with_change: bool = True) -> PatrolEntry | None:
        rows = _fetch(conn, f"{self._select} WHERE id = ?", (entry_id,))
        return _entries(conn, rows, with_change=with_change)[0] if rows else None

    def entries(self, conn: sqlite3.Connection, *, point: int | None = None, since: str | None = None,
                before: str | None = None, binned: bool = False, limit: int | None = None,
                with_change: bool = True) -> list[PatrolEntry]:
        where, params = conditions(("point_seq = ?", point), ("patrolled_at >= ?", since or None),
                                   ("patrolled_at < ?", before or None),
                                   always=("deleted_at IS NOT NULL" if binned else "deleted_at IS NULL",))
        sql = f"{self._select}{where} ORDER BY patrolled_at DESC, id DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return _entries(conn, _fetch(conn, sql, params), with_change=with_change)

    def count(self, conn: sqlite3.Connection, *, point: int | None = None, binned: bool = False) -> int:
        sql = f"SELECT COUNT(*) FROM patrol_log WHERE deleted_at IS {'NOT ' if binned else ''}NULL"
        if point is None:
            return conn.execute(sql).fetchone()[0]
        return conn.execute(sql + " AND point_seq = ?", (point,)).fetchone()[0]

    def insert(self, conn: sqlite3.Connection, d: PatrolDraft, *, by: str, at: str,
               photos: Sequence[tuple[str, str]] = ()) -> int:
        log_id = conn.execute(_insert_sql("patrol_log", _LOG_COLUMNS) + " RETURNING id",
                              _log_row(d, by, at)).fetchone()[0]
        _insert_children(conn, log_id, d)
        self.add_photos(conn, log_id, photos, by=by, at=at)
        self._summary_add(conn, [(d.point_seq, d.at, log_id, d.judgement.value)])
        return log_id

    def insert_many(self, conn: sqlite3.Connection, items: Sequence[tuple[PatrolDraft, dict]], *, by: str, at: str,
                    action: AuditAction = AuditAction.CREATE) -> list[int]:
        """Many new entries (no photos) with their audit rows ((draft, the audit's after state)): the same
        rows as insert + add_audit one by one, written in bulk. Ids are a block taken inside the write."""
        if not items:
            return []
        first = self._reserve_ids(conn, "patrol_log", len(items))
        ids = list(range(first, first + len(items)))
        self._bulk(conn, "patrol_log", ("id",) + _LOG_COLUMNS,
                   [(log_id,) + _log_row(d, by, at) for log_id, (d, _after) in zip(ids, items)])
        self._bulk(conn, "patrol_sign", _SIGN_COLUMNS,
                   [r for log_id, (d, _after) in zip(ids, items) for r in _sign_rows(log_id, d)])
        self._bulk(conn, "patrol_measurement", _MEASURE_COLUMNS,
                   [r for log_id, (d, _after) in zip(ids, items) for r in _measure_rows(log_id, d)])
        self._bulk(conn, "patrol_audit", _AUDIT_COLUMNS,
                   [_audit_row(log_id, action, None, after, by, at) for log_id, (_d, after) in zip(ids, items)])
        self._summary_add(conn, [(d.point_seq, d.at, log_id, d.judgement.value)
                                 for log_id, (d, _after) in zip(ids, items)])
        return ids

    def _summary_add(self, conn: sqlite3.Connection, entries: Sequence[tuple[int, str, int, str]]) -> None:
        if self.summarised:
            conn.executemany(_SUMMARY_ADD.format(source=f"VALUES ({','.join('?' * len(_SUMMARY_COLUMNS))})"),
                             _summary_rows(entries))

    def _summary_redo(self, conn: sqlite3.Connection, seqs: set[int]) -> None:
        if self.summarised:
            for seq in sorted(seqs):
                conn.execute("DELETE FROM patrol_latest WHERE point_seq = ?", (seq,))
                conn.execute(_SUMMARY_REDO, (seq,))

    def _point_of(self, conn: sqlite3.Connection, entry_id: int) -> set[int]:
        return {r[0] for r in conn.execute("SELECT point_seq FROM patrol_log WHERE id = ?", (entry_id,)).fetchall()}

    def _reserve_ids(self, conn: sqlite3.Connection, table: str, n: int) -> int:
        """The first of n fresh ids (inside the write: no other writer meanwhile). An explicit id moves
        AUTOINCREMENT's counter past it."""
        used = conn.execute(f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),"
                            f" COALESCE((SELECT MAX(id) FROM {table}), 0))", (table,)).fetchone()[0]
        return used + 1

    def _bulk(self, conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: list[tuple]) -> None:
        conn.executemany(_insert_sql(table, columns), rows)

    def update(self, conn: sqlite3.Connection, entry_id: int, d: PatrolDraft) -> None:
        points = self._point_of(conn, entry_id) | {d.point_seq}
        conn.execute(
            "UPDATE patrol_log SET point_seq=?, patrolled_at=?, patroller=?, weather=?, rain_mm=?, judgement=?,"
            f" action=?, note=?{self._bump} WHERE id=?",
            (d.point_seq, d.at, d.by, d.weather, d.rain_mm, d.judgement.value, d.action, d.note, entry_id))
        conn.execute("DELETE FROM patrol_sign WHERE log_id = ?", (entry_id,))
        conn.execute("DELETE FROM patrol_measurement WHERE log_id = ?", (entry_id,))
        _insert_children(conn, entry_id, d)
        self._summary_redo(conn, points)

    def set_deleted(self, conn: sqlite3.Connection, entry_id: int, at: str | None, by: str | None) -> None:
        conn.execute(f"UPDATE patrol_log SET deleted_at = ?, deleted_by = ?{self._bump} WHERE id = ?", (at, by, entry_id))
        self._summary_redo(conn, self._point_of(conn, entry_id))

    def add_photos(self, conn: sqlite3.Connection, entry_id: int, photos: Sequence[tuple[str, str]], *, by: str,
                   at: str) -> None:
        conn.executemany("INSERT INTO patrol_photo (log_id, path, original_name, added_by, added_at) VALUES (?,?,?,?,?)",
                         [(entry_id, rel, original, by, at) for rel, original in photos])

    def add_audit(self, conn: sqlite3.Connection, entry_id: int, action: AuditAction, before: dict | None,
                  after: dict | None, *, by: str, at: str) -> None:
        conn.execute(_insert_sql("patrol_audit", _AUDIT_COLUMNS), _audit_row(entry_id, action, before, after, by, at))

    def audit(self, conn: sqlite3.Connection, *, entry_id: int | None = None,
              point: int | None = None) -> list[AuditRow]:
        sql = ("SELECT a.id, a.log_id, l.point_seq, a.action, a.before_json, a.after_json, a.changed_by,"
               " a.changed_at FROM patrol_audit a JOIN patrol_log l ON l.id = a.log_id")
        where, params = conditions(("a.log_id = ?", entry_id), ("l.point_seq = ?", point))
        sql += where
        sql += " ORDER BY a.id"
        return [AuditRow(i, log_id, seq, AuditAction(action), json.loads(before) if before else None,
                         json.loads(after) if after else None, by, at)
                for i, log_id, seq, action, before, after, by, at in _fetch(conn, sql, params)]

    def last_change(self, conn: sqlite3.Connection) -> int:
        return conn.execute("SELECT COALESCE(MAX(id), 0) FROM patrol_audit").fetchone()[0]

    def latest_per_point(self, conn: sqlite3.Connection,
                         seqs: Sequence[int] | None = None) -> dict[int, tuple[str, int, Judgement]]:
        if not self.summarised:
            sql = f"SELECT h.seq, {_LATEST} FROM hazard_point h"
            return {seq: _split_latest(key) for seq, key in _in_chunks(conn, sql, "h.seq", seqs) if key is not None}
        judgements = {j.value: j for j in Judgement}
        return {seq: (at, log_id, judgements[judgement]) for seq, at, log_id, judgement in _in_chunks(
            conn, "SELECT point_seq, patrolled_at, log_id, judgement FROM patrol_latest", "point_seq", seqs)}

    def overview_rows(self, conn: sqlite3.Connection) -> list[tuple[int, str, str, str | None, str | None, int]]:
        if not self.summarised:
            return [(seq, township + village_group, monitor) + ((None, None) if key is None else (
                        key.split("#")[0], key.split("#")[2])) + (count,)
                    for seq, township, village_group, monitor, key, count in _fetch(
                        conn, f"SELECT h.seq, h.township, h.village_group, h.monitor, {_LATEST}, {_COUNT}"
                        " FROM hazard_point h ORDER BY h.seq")]
        return _fetch(conn, "SELECT h.seq, h.township || h.village_group, h.monitor, s.patrolled_at, s.judgement,"
                            " COALESCE(s.live_count, 0) FROM hazard_point h LEFT JOIN patrol_latest s"
                            " ON s.point_seq = h.seq ORDER BY h.seq")


def _in_chunks(conn: sqlite3.Connection, sql: str, column: str, seqs: Sequence[int] | None) -> list[tuple]:
    """sql's rows, all of them or those whose column is one of seqs (in chunks below the parameter limit)."""
    if seqs is None:
        return _fetch(conn, sql)
    wanted = sorted(set(seqs))
    return [r for i in range(0, len(wanted), _CHUNK) for r in _fetch(
        conn, f"{sql} WHERE {column} IN ({','.join('?' * len(wanted[i:i + _CHUNK]))})", wanted[i:i + _CHUNK])]
