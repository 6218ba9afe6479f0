"""SQLite: the map's questions about a large register (api.MapPointRepository): how many points of a
view lie in a box, those points when few, else their count per grid cell, and the latest patrol of only
the points sent; and the 巡查情况 table's, a page at a time (counts in SQL, from patrol_latest). The index hazard_point_place (status, lat, lon) serves the box; PostgreSQL uses its
GiST index on geom instead (storage/pg/repos.py)."""
from __future__ import annotations

import sqlite3
from typing import Sequence

from hazardmap.domain.map_query import Box, Cell, Which, cell_origin
from hazardmap.domain.patrol_status import Judgement
from hazardmap.domain.points import HazardPoint
from hazardmap.storage.points_repo import _points

_CHUNK = 900  # below SQLite's host-parameter limit

_LATEST = ("SELECT h.seq, (SELECT patrolled_at || '#' || id || '#' || judgement FROM patrol_log l"
           " WHERE l.point_seq = h.seq AND l.deleted_at IS NULL ORDER BY patrolled_at DESC, id DESC LIMIT 1)"
           " FROM hazard_point h WHERE h.seq IN ({marks})")


def _plain(conn, sql: str, params: Sequence = ()) -> list[tuple]:
    cur = conn.cursor()
    cur.row_factory = None
    return cur.execute(sql, params).fetchall()


class SqliteMapPoints:
    # How a value becomes its grid cell number (values are >= the aligned origin: truncation is floor).
    CELL = "CAST((({col}) - ?) / ? AS INTEGER)"
    # A view's points with each one's newest live patrol (patrol_latest, kept by the patrol repository).
    _PATROL_FROM = " FROM hazard_point h LEFT JOIN patrol_latest l ON l.point_seq = h.seq"

    def box_condition(self, box: Box, which: Which) -> tuple[str, list]:
        return "lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?", [box.south, box.north, box.west, box.east]

    def _where(self, which: Which, box: Box | None, located: bool = True) -> tuple[str, list]:
        parts = ["status = ?", "lon IS NOT NULL", "lat IS NOT NULL"] if located else ["status = ?"]
        params: list = [which.status.value]
        if which.key_list is not None:
            parts.append("seq IN (SELECT point_seq FROM key_list_entry WHERE list_id = ?)")
            params.append(which.key_list)
        if which.township is not None:
            parts.append("township = ?")
            params.append(which.township)
        if which.hazard_type is not None:
            parts.append("hazard_type = ?")
            params.append(which.hazard_type)
        if box is not None:
            sql, p = self.box_condition(box, which)
            parts.append(sql)
            params += p
        return " AND ".join(parts), params

    def count(self, s, which: Which, box: Box | None = None, located: bool = True) -> int:
        """Points in the box (None: anywhere); located False: with those that have no position too."""
        where, params = self._where(which, box, located)
        return _plain(s, f"SELECT COUNT(*) FROM hazard_point WHERE {where}", params)[0][0]

    def in_box(self, s, which: Which, box: Box | None, limit: int, located: bool = True) -> list[HazardPoint]:
        """The points by seq, at most limit of them; located False (box None): those with no position too."""
        where, params = self._where(which, box, located)
        return _points(s.execute(f"SELECT * FROM hazard_point WHERE {where} ORDER BY seq LIMIT ?", [*params, limit]))

    def cells(self, s, which: Which, box: Box, size: float) -> list[Cell]:
        """The points in the box counted per grid cell of `size` degrees (cells aligned on multiples of
        size), each with its points' mean position; by cell, west to east, south to north."""
        where, params = self._where(which, box)
        x0, y0 = cell_origin(box.west, size), cell_origin(box.south, size)
        cx, cy = self.CELL.format(col="lon"), self.CELL.format(col="lat")
        sql = (f"SELECT COUNT(*), AVG(lon), AVG(lat), {cx} AS cx, {cy} AS cy,"
               " COALESCE(SUM(CASE WHEN l.judgement = ? THEN 1 ELSE 0 END), 0),"
               " COALESCE(SUM(CASE WHEN l.judgement = ? THEN 1 ELSE 0 END), 0)"
               f"{self._PATROL_FROM} WHERE {where} GROUP BY cx, cy ORDER BY cx, cy")
        rows = _plain(s, sql, [x0, size, y0, size, Judgement.DANGER.value, Judgement.ABNORMAL.value, *params])
        return [Cell(n, lon, lat, int(danger), int(abnormal)) for n, lon, lat, _x, _y, danger, abnormal in rows]

    def located(self, s, which: Which, types: Sequence[str]) -> list[tuple[int, float, float, int, int]]:
        """(seq, lon, lat, type, last patrol) of every located point for the window's grid: type is the
        position of its hazard_type in `types`, -1 when not there; last patrol 2 危险, 1 异常, else 0.
        Numbers only: reading a text per point took 3x longer."""
        where, params = self._where(which, None)
        code = "CASE hazard_type " + " ".join("WHEN ? THEN ?" for _ in types) + " ELSE -1 END" if types else "-1"
        codes = [v for i, t in enumerate(types) for v in (t, i)]
        return _plain(s, f"SELECT seq, lon, lat, {code}, CASE l.judgement WHEN ? THEN 2 WHEN ? THEN 1 ELSE 0 END"
                         f"{self._PATROL_FROM} WHERE {where}",
                      [*codes, Judgement.DANGER.value, Judgement.ABNORMAL.value, *params])

    def get_many(self, s, seqs: Sequence[int]) -> list[HazardPoint]:
        """These points (those that exist), by seq."""
        out: list[HazardPoint] = []
        seqs = sorted(seqs)
        for i in range(0, len(seqs), _CHUNK):
            chunk = seqs[i:i + _CHUNK]
            out += _points(s.execute(f"SELECT * FROM hazard_point WHERE seq IN ({','.join('?' * len(chunk))})"
                                     " ORDER BY seq", chunk))
        return out

    def townships(self, s, which: Which) -> list[str]:
        where, params = self._where(which, None)
        return [r[0] for r in _plain(s, f"SELECT DISTINCT township FROM hazard_point WHERE {where} ORDER BY township",
                                     params)]

    def hazard_types(self, s, which: Which) -> list[str]:
        where, params = self._where(which, None)
        return [r[0] for r in _plain(s, f"SELECT DISTINCT hazard_type FROM hazard_point WHERE {where}"
                                        " AND hazard_type <> '' ORDER BY hazard_type", params)]

    def latest(self, s, seqs: Sequence[int]) -> dict[int, tuple[str, int, Judgement]]:
        """The newest live patrol of each of these points (those never patrolled are absent)."""
        out = {}
        seqs = list(seqs)
        for i in range(0, len(seqs), _CHUNK):
            chunk = seqs[i:i + _CHUNK]
            for seq, key in _plain(s, _LATEST.format(marks=",".join("?" * len(chunk))), chunk):
                if key is not None:
                    at, log_id, judgement = key.split("#")
                    out[seq] = (at, int(log_id), Judgement(judgement))
        return out

    # ---- the 巡查情况 table of a view: counted here, its rows a page at a time -------------------------
    _OVERDUE = "(l.patrolled_at IS NULL OR l.patrolled_at < ?)"  # 'YYYY-MM-DD HH:MM' < 'YYYY-MM-DD': an earlier day

    def patrol_counts(self, s, which: Which, due_before: str) -> tuple[int, int]:
        """(points of the view, located or not; those never patrolled or last patrolled before the day
        due_before, 'YYYY-MM-DD')."""
        where, params = self._where(which, None, located=False)
        total, overdue = _plain(s, f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {self._OVERDUE} THEN 1 ELSE 0 END), 0)"
                                   f"{self._PATROL_FROM} WHERE {where}", [due_before, *params])[0]
        return int(total), int(overdue)

    def patrol_rows(self, s, which: Which, due_before: str, *, after_seq: int, limit: int,
                    overdue_only: bool = False) -> list[tuple[int, str, str, str | None, str | None, int]]:
        """(seq, place, monitor, last patrolled_at, its judgement, live entries) of the view's points by seq,
        the first `limit` after after_seq (a page: the next one starts after the last seq)."""
        where, params = self._where(which, None, located=False)
        if overdue_only:
            where, params = f"{where} AND {self._OVERDUE}", [*params, due_before]
        return _plain(s, "SELECT h.seq, h.township || h.village_group, h.monitor, l.patrolled_at, l.judgement,"
                         f" COALESCE(l.live_count, 0){self._PATROL_FROM} WHERE {where} AND h.seq > ?"
                         " ORDER BY h.seq LIMIT ?", [*params, after_seq, limit])

    def count_among(self, s, which: Which, seqs: Sequence[int]) -> int:
        """How many of these points are in the view (located or not)."""
        where, params = self._where(which, None, located=False)
        seqs = sorted(set(seqs))
        return sum(_plain(s, f"SELECT COUNT(*) FROM hazard_point WHERE {where} AND seq IN ({','.join('?' * len(chunk))})",
                          [*params, *chunk])[0][0]
                   for chunk in (seqs[i:i + _CHUNK] for i in range(0, len(seqs), _CHUNK)))
