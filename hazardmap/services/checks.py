"""三查 by township: for each of the 23 townships (街道) and each phase (汛前排查、汛中巡查、汛后核查), whether
it was done, when, by whom, points checked, problems found. A township's 三查 allowance (line 二, 3,000
元 in 2023) is due once its three phases are recorded; the overview shows which townships are late."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hazardmap.domain.errors import PhaseRecorded, StaleEdit, UnknownTownship
from hazardmap.domain.fund import DEFAULT_DUE, CheckRecord, Deadline, Phase, TownshipChecks, check_count, check_date, \
    check_due, check_due_order, check_text, late_phases, parse_phase
from hazardmap.domain.settings import Setting
from hazardmap.domain.errors import FieldInvalid
from hazardmap.services.fund import FundChanges, _changes, not_in_future, open_year, year_of
from hazardmap.services.store import Store, current_user, now_iso


@dataclass(frozen=True)
class ChecksOverview:
    year: int
    rate_fen: int
    townships: list[TownshipChecks]
    deadlines: dict[Phase, Deadline]

    @property
    def complete(self) -> int:
        return sum(1 for t in self.townships if t.complete)

    @property
    def late(self) -> list[TownshipChecks]:
        return [t for t in self.townships if t.late]

    @property
    def allowance_due_fen(self) -> int:
        return sum(t.allowance_fen for t in self.townships)

    @property
    def recorded(self) -> int:
        return sum(len(t.records) for t in self.townships)


def overview(store: Store, year: object, *, today: date | None = None) -> ChecksOverview:
    """Every township in the county's order, with its records, late phases and allowance due."""
    today = today or date.today()
    with store.db.read() as s:
        fy = year_of(store, s, year)
        records = store.db.fund.checks(s, fy.year)
        due = _deadlines(store, s, fy.year)
    by_town: dict[str, dict[Phase, CheckRecord]] = {}
    for r in records:
        by_town.setdefault(r.township, {})[r.phase] = r
    rows = []
    for t in store.bundled.townships:
        recs = by_town.get(t.name, {})
        complete = all(p in recs for p in Phase)
        rows.append(TownshipChecks(t.name, recs, late_phases(fy.year, recs, today, {p: d.mmdd for p, d in due.items()}),
                                   fy.township_rate_fen if complete else 0))
    return ChecksOverview(fy.year, fy.township_rate_fen, rows, due)


def record(store: Store, year: object, township: str, phase: str | Phase, *, done_on: str, done_by: str,
           points_checked: object = None, problems: object = None, note: str = "",
           by: str | None = None) -> FundChanges:
    """One phase done by one township. A phase is recorded once (PhaseRecorded); an unknown township,
    a date outside the year or in the future, or a negative count is refused; nothing is written."""
    name = (township or "").strip()
    if store.bundled.township(name) is None:
        raise UnknownTownship(name)
    ph = phase if isinstance(phase, Phase) else parse_phase(phase)
    day = not_in_future(check_date(done_on, f"{ph.value}日期", "done_on"), f"{ph.value}日期", "done_on")
    who = check_text(done_by, "检查人", required=True, max_len=60, field_key="done_by")
    checked = check_count(points_checked, "检查点数", "points_checked")
    found = check_count(problems, "发现问题数", "problems")
    text = check_text(note, "备注", max_len=500, field_key="note")
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        if day[:4] != str(fy.year):
            raise FieldInvalid("done_on", f"{ph.value}日期 {day} 不在 {fy.year} 年内")
        existing = store.db.fund.check(tx, fy.year, name, ph)
        if existing is not None:
            raise PhaseRecorded(name, ph.value, fy.year, existing.done_on)
        rec = CheckRecord(fy.year, name, ph, day, who, checked, found, note=text, recorded_by=by or current_user(),
                          recorded_at=now_iso())
        store.db.fund.insert_check(tx, rec)
    label = f"登记{name}{ph.value}（{day}）"
    return _changes(label, lambda: _unrecord(store, rec, label))


def _unrecord(store: Store, rec: CheckRecord, label: str) -> FundChanges:
    with store.db.write() as tx:
        open_year(store, tx, rec.year)
        if store.db.fund.check(tx, rec.year, rec.township, rec.phase) != rec:
            raise StaleEdit(f"{rec.township}{rec.phase.value}记录")
        store.db.fund.delete_check(tx, rec.year, rec.township, rec.phase)
    return _changes(label, lambda: _rerecord(store, rec, label))


def _rerecord(store: Store, rec: CheckRecord, label: str) -> FundChanges:
    with store.db.write() as tx:
        open_year(store, tx, rec.year)
        if store.db.fund.check(tx, rec.year, rec.township, rec.phase) is not None:
            raise StaleEdit(f"{rec.township}{rec.phase.value}记录")
        store.db.fund.insert_check(tx, rec)
    return _changes(label, lambda: _unrecord(store, rec, label))


# ---- deadlines: a setting per year and phase ------------------------------------------------------------

def _key(year: int, phase: Phase) -> str:
    return f"checks_due.{year}.{phase.name.lower()}"


def _deadlines(store: Store, s, year: int) -> dict[Phase, Deadline]:
    rows = store.db.settings.get(s, [_key(year, p) for p in Phase])
    out = {}
    for p in Phase:
        r = rows.get(_key(year, p))
        out[p] = Deadline(p, r.value, r.is_default, r.changed_by, r.changed_at) if r else Deadline(p, DEFAULT_DUE[p])
    return out


def deadlines(store: Store, year: object) -> dict[Phase, Deadline]:
    """Each phase's deadline in the year: the bureau's setting, else the product's default (labelled)."""
    with store.db.read() as s:
        return _deadlines(store, s, year_of(store, s, year).year)


def set_deadline(store: Store, year: object, phase: str | Phase, due: object = None, *, default: bool = False,
                 by: str | None = None) -> FundChanges:
    """The bureau's deadline for one phase in a year (月-日); default=True goes back to the product's default."""
    ph = phase if isinstance(phase, Phase) else parse_phase(phase)
    return set_deadlines(store, year, {ph: None if default else due}, by=by)


def set_deadlines(store: Store, year: object, dues: dict[Phase, object], *, by: str | None = None) -> FundChanges:
    """Several phases' deadlines in one step (None: back to the default), recorded with who set them and
    when like every setting; phases whose deadline does not change are left as they are. One undo step."""
    who, at = by or current_user(), now_iso()
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        current = _deadlines(store, tx, fy.year)
        wanted = {p: DEFAULT_DUE[p] if v is None else check_due(v, fy.year, p) for p, v in dues.items()}
        check_due_order({p: wanted.get(p, d.mmdd) for p, d in current.items()})
        changed = [p for p, mmdd in wanted.items()
                   if mmdd != current[p].mmdd or current[p].is_default != (dues[p] is None)]
        if not changed:
            return FundChanges()
        keys = [_key(fy.year, p) for p in changed]
        before = store.db.settings.get(tx, keys)
        after = {_key(fy.year, p): Setting(_key(fy.year, p), wanted[p], dues[p] is None,
                                           f"{fy.year}年{p.value}期限（月-日）", changed_by=who, changed_at=at) for p in changed}
        store.db.settings.put(tx, after.values())
    label = f"设定{fy.year}年三查期限（" + "、".join(f"{p.value} {wanted[p]}" for p in changed) + "）"
    return _changes(label, lambda: _put_deadlines(store, fy.year, keys, before, after, label))


def _put_deadlines(store: Store, year: int, keys: list[str], put: dict[str, Setting], expect: dict[str, Setting],
                   label: str) -> FundChanges:
    with store.db.write() as tx:
        open_year(store, tx, year)
        if store.db.settings.get(tx, keys) != expect:
            raise StaleEdit(f"{year}年三查期限")
        store.db.settings.delete(tx, [k for k in keys if k not in put])
        store.db.settings.put(tx, put.values())
    return _changes(label, lambda: _put_deadlines(store, year, keys, expect, put, label))
