"""Read-only patrol facts for the map, the points table and printed forms.

Patrol logs are stored by the patrol-log feature (services.patrol); this module is the narrow
seam the other features read through. A database without the patrol tables yet simply has no
patrols: every point is 未巡查.
"""
from __future__ import annotations

from typing import Iterable

from hazardmap.domain.patrol_status import LatestPatrol, PatrolSummary
from hazardmap.services.store import Store


def _has_patrol_table(store: Store) -> bool:
    with store.db.read() as s:
        return store.db.patrol.has_tables(s)


def latest_judgements(store: Store, seqs: Iterable[int] | None = None) -> dict[int, LatestPatrol]:
    """Point seq -> its latest patrol; points never patrolled are absent. seqs: only these points (what a
    map view or one point's details needs; the whole province is 290,000 points)."""
    if not _has_patrol_table(store):
        return {}
    from hazardmap.services.patrol import latest_per_point

    return {seq: LatestPatrol(seq, judgement, at)
            for seq, (at, _id, judgement) in latest_per_point(store, seqs).items()}


def latest_of(store: Store, seq: int) -> LatestPatrol | None:
    """One point's latest patrol (the details panel), read for that point alone: a province's register
    has hundreds of thousands of points and millions of entries."""
    with store.db.read() as s:
        if not store.db.patrol.has_tables(s):
            return None
        found = store.db.map_points.latest(s, [seq]).get(seq)
    return LatestPatrol(seq, found[2], found[0]) if found else None


def recent_patrols(store: Store, point_seq: int, limit: int = 10) -> list[PatrolSummary]:
    """The point's latest entries, newest first (for forms printed --with-history)."""
    if not _has_patrol_table(store):
        return []
    from hazardmap.services.patrol import list_entries

    return [PatrolSummary(point_seq=e.point_seq, at=e.at, by=e.by, weather=e.weather, rain_mm=e.rain_mm,
                          signs=tuple(s.sign for s in e.signs), crack_mm=e.crack_mm, judgement=e.judgement,
                          action=e.action, note=e.note)
            for e in list_entries(store, point=point_seq, limit=limit)]
