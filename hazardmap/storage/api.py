"""The storage seam: what the services need from a database, as Protocols.

The SQLite classes in this package implement them (storage.db.Database and the *_repo modules); a
PostgreSQL/PostGIS backend implements the same. Services see only these types and domain objects:
no SQL, no driver types.

Transactions belong to the database object: `with db.write() as tx:` is one all-or-nothing write,
which serialises with every other writer (two copies of the app, two PCs) before anything is read,
so a read-modify-write inside it never works from a stale state. `with db.read() as s:` is for
reads outside a write; inside an open write it yields that same transaction. Every repository
method takes that session first and returns domain objects.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Iterable, Protocol, Sequence

from hazardmap.domain.key_lists import KeyList, KeyListEntry
from hazardmap.domain.patrol import AuditAction, AuditRow, PatrolDraft, PatrolEntry
from hazardmap.domain.patrol_status import Judgement
from hazardmap.domain.points import HazardPoint, LocationChange, LocationChangeKind, MonitorChange, PointAction, \
    PointChange, PointStatus, PointView, Position
from hazardmap.domain.plan import PlanChange, PointPlan
from hazardmap.domain.rain_gauges import RainGaugeSite
from hazardmap.domain.settings import Setting
from hazardmap.domain.validation import Datum


class Session(Protocol):
    """Opaque to services: a read session or a write transaction, handed back to repositories."""


# (latest patrolled_at, its entry id, its judgement): a point's newest live patrol.
Latest = tuple[str, int, Judgement]


class PointRepository(Protocol):
    def all(self, s: Session) -> list[HazardPoint]: ...
    def in_view(self, s: Session, view: PointView) -> list[HazardPoint]:
        """By seq: the points on the register (在册), the retired ones, or all."""
    def counts(self, s: Session) -> dict[PointStatus, int]: ...
    def get(self, s: Session, seq: int) -> HazardPoint | None: ...
    def next_seq(self, s: Session) -> int: ...
    def seq_with_code(self, s: Session, unified_code: str) -> int | None: ...
    def insert(self, s: Session, point: HazardPoint) -> None: ...
    def update_fields(self, s: Session, seq: int, fields: dict[str, object]) -> None:
        """HazardPoint attribute names -> new values (register and status fields)."""
    def has_history(self, s: Session, seq: int) -> bool:
        """Anything recorded against the point besides its audit trail (patrols, corrections...)."""
    def delete(self, s: Session, seq: int) -> None:
        """Only the undo of an add, on a point with no history."""
    def add_point_change(self, s: Session, seq: int, action: PointAction, fields: dict[str, list], *, by: str,
                         at: str) -> None: ...
    def point_changes(self, s: Session, seq: int) -> list[PointChange]: ...
    def last_edit(self, s: Session, seq: int) -> tuple[str, str] | None:
        """(who, when) of the newest change recorded on the point (for a conflict's "theirs")."""
    def seqs(self, s: Session) -> list[int]: ...
    def span(self, s: Session) -> tuple[int, int | None, int | None]:
        """(count, lowest seq, highest seq), for "no such point" messages."""
    def set_monitor(self, s: Session, seq: int, name: str, phone: str) -> None: ...
    def add_monitor_change(self, s: Session, seq: int, *, old_name: str, old_phone: str, new_name: str,
                           new_phone: str, by: str, at: str) -> None: ...
    def monitor_history(self, s: Session, seq: int) -> list[MonitorChange]: ...
    def set_position(self, s: Session, seq: int, position: Position) -> None: ...
    def add_location_change(self, s: Session, seq: int, kind: LocationChangeKind, old: Position, new: Position, *,
                            source: str, by: str, at: str, datum: Datum | None = None,
                            entered: tuple[float, float] | None = None) -> None: ...
    def location_history(self, s: Session, seq: int) -> list[LocationChange]: ...


class RainGaugeRepository(Protocol):
    def all(self, s: Session) -> list[RainGaugeSite]: ...
    def get(self, s: Session, slot: int) -> RainGaugeSite | None: ...
    def counts(self, s: Session, batch: str | None = None) -> tuple[int, int]:
        """(sites with a village, all sites), of one batch or of every site."""
    def slot_of_village(self, s: Session, village_code: str) -> int | None:
        """The site in use (not retired) in that village."""
    def slot_of_station(self, s: Session, station_code: str) -> int | None:
        """The site (in use or retired) with that 站码."""
    def next_slot(self, s: Session) -> int: ...
    def put(self, s: Session, sites: Sequence[RainGaugeSite]) -> None:
        """Write the slots' villages as given (all of them together: a swap must not trip one-village-one-slot)."""
    def insert(self, s: Session, site: RainGaugeSite) -> None: ...
    def delete(self, s: Session, slot: int) -> None:
        """Only to undo an addition."""
    def set_retired(self, s: Session, slot: int, on: str | None, reason: str | None, by: str | None,
                    at: str | None) -> None:
        """Retire (date, reason, who, when) or restore (all None)."""


class PlanRepository(Protocol):
    """Each point's 防灾预案表: what staff wrote (a point without one reads as all empty)."""
    def get(self, s: Session, seq: int) -> PointPlan: ...
    def all(self, s: Session) -> dict[int, PointPlan]: ...
    def put(self, s: Session, plan: PointPlan) -> None:
        """As given; a plan with no author (changed_by None) removes the row."""
    def add_change(self, s: Session, seq: int, before: dict[str, str], after: dict[str, str], *, by: str,
                   at: str) -> None: ...
    def history(self, s: Session, seq: int) -> list[PlanChange]:
        """Oldest first."""


class PatrolRepository(Protocol):
    def has_tables(self, s: Session) -> bool:
        """False on a database from before patrol logs existed (every point is then 未巡查)."""
    def get(self, s: Session, entry_id: int, *, with_change: bool = True) -> PatrolEntry | None: ...
    def entries(self, s: Session, *, point: int | None = None, since: str | None = None,
                before: str | None = None, binned: bool = False, limit: int | None = None,
                with_change: bool = True) -> list[PatrolEntry]:
        """Newest first; since inclusive, before exclusive (patrolled_at text bounds)."""
    def count(self, s: Session, *, point: int | None = None, binned: bool = False) -> int: ...
    def insert(self, s: Session, draft: PatrolDraft, *, by: str, at: str,
               photos: Sequence[tuple[str, str]] = ()) -> int:
        """A new entry with its signs, measurements and photos ((relative path, original name)); its id."""
    def update(self, s: Session, entry_id: int, draft: PatrolDraft) -> None: ...
    def set_deleted(self, s: Session, entry_id: int, at: str | None, by: str | None) -> None:
        """Into the 回收站 (at, by) or out of it (None, None)."""
    def add_photos(self, s: Session, entry_id: int, photos: Sequence[tuple[str, str]], *, by: str,
                   at: str) -> None: ...
    def add_audit(self, s: Session, entry_id: int, action: AuditAction, before: dict | None, after: dict | None,
                  *, by: str, at: str) -> None: ...
    def audit(self, s: Session, *, entry_id: int | None = None, point: int | None = None) -> list[AuditRow]: ...
    def last_change(self, s: Session) -> int:
        """Grows with every change to any entry (each writes an audit row): "has anything changed since"."""
    def latest_per_point(self, s: Session) -> dict[int, Latest]: ...
    def overview_rows(self, s: Session) -> list[tuple[int, str, str, Latest | None, int]]:
        """Every point by seq: (seq, name, monitor, its newest live patrol, its count of live entries)."""


class SettingRepository(Protocol):
    def get(self, s: Session, keys: Iterable[str]) -> dict[str, Setting]: ...
    def put(self, s: Session, settings: Iterable[Setting]) -> None: ...
    def delete(self, s: Session, keys: Iterable[str]) -> None: ...


class KeyListRepository(Protocol):
    def has_tables(self, s: Session) -> bool: ...
    def all(self, s: Session) -> list[KeyList]:
        """Oldest year first, each with its count of points."""
    def by_year(self, s: Session, year: int) -> KeyList | None: ...
    def newest(self, s: Session) -> KeyList | None: ...
    def entries(self, s: Session, list_id: int) -> list[KeyListEntry]:
        """By 序号, then point."""
    def seqs(self, s: Session, list_id: int) -> list[int]: ...
    def years_of_point(self, s: Session, seq: int) -> list[int]: ...
    def add(self, s: Session, *, year: int, name: str, doc_no: str, by: str, at: str,
            entries: Sequence[KeyListEntry]) -> int: ...
    def delete(self, s: Session, list_id: int) -> None:
        """Only the undo of an import."""


class Backend(Protocol):
    """An open database: its transactions and its repositories."""
    points: PointRepository
    rain_gauges: RainGaugeRepository
    plans: PlanRepository
    patrol: PatrolRepository
    settings: SettingRepository
    key_lists: KeyListRepository

    def read(self) -> AbstractContextManager[Session]: ...
    def write(self) -> AbstractContextManager[Session]: ...
    def close(self) -> None: ...
