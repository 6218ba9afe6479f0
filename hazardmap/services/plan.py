"""Use cases on the 隐患点防灾预案表: read a point's plan, save what staff typed (one undoable step)."""
from __future__ import annotations

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import EditConflict, PointNotFound, StaleEdit
from hazardmap.domain.plan import PlanChange, PointPlan, changed_fields, check_plan
from hazardmap.services.store import Store, current_user, now_iso


def _check_point(store: Store, s, seq: int) -> None:
    if store.db.points.get(s, seq) is None:
        raise PointNotFound(seq, *store.db.points.span(s))


def get_plan(store: Store, seq: int) -> PointPlan:
    with store.db.read() as s:
        _check_point(store, s, seq)
        return store.db.plans.get(s, seq)


def all_plans(store: Store) -> dict[int, PointPlan]:
    with store.db.read() as s:
        return store.db.plans.all(s)


def save_plan(store: Store, seq: int, values: dict[str, str], *, by: str | None = None,
              base_version: int | None = None) -> Changes:
    """Set the given fields (the others stay). Read and written in one transaction; nothing changed is
    no step at all. base_version: the plan's version the form was filled from (0: it had none); a save
    made since at another desk refuses this one with EditConflict."""
    checked = check_plan(values)
    with store.db.write() as tx:
        _check_point(store, tx, seq)
        before = store.db.plans.get(tx, seq)
        if base_version is not None and before.version != base_version:
            from hazardmap.domain.plan import PLAN_FIELDS

            labels = {f.key: f.label for f in PLAN_FIELDS}
            raise EditConflict(f"第 {seq} 号隐患点的防灾预案表", base_version=base_version,
                               current_version=before.version,
                               theirs=(before.changed_by, before.changed_at) if before.changed_by else None,
                               mine={labels.get(k, k): v for k, v in checked.items()},
                               mine_by=by or current_user(),
                               theirs_now={labels.get(k, k): before.values.get(k) for k in checked})
        merged = {**before.values, **checked}
        if merged == before.values:
            return Changes()
        after = PointPlan(seq, merged, by or current_user(), now_iso())
        store.db.plans.put(tx, after)
        old, new = changed_fields(before.values, merged)
        store.db.plans.add_change(tx, seq, old, new, by=after.changed_by, at=after.changed_at)
    label = f"修改第 {seq} 号点防灾预案表"
    return Changes(points=frozenset({seq}), label=label,
                   undo=lambda: _put_back(store, before, expect=after, label=label))


def _put_back(store: Store, plan: PointPlan, *, expect: PointPlan, label: str) -> Changes:
    """Undo/redo: the plan exactly as `plan`, if it is still as `expect` (nobody saved it since)."""
    with store.db.write() as tx:
        now = store.db.plans.get(tx, plan.seq)
        if now != expect:
            raise StaleEdit(f"第 {plan.seq} 号隐患点的防灾预案表")
        store.db.plans.put(tx, plan)
        old, new = changed_fields(now.values, plan.values)
        store.db.plans.add_change(tx, plan.seq, old, new, by=current_user(), at=now_iso())
    return Changes(points=frozenset({plan.seq}), label=label,
                   undo=lambda: _put_back(store, expect, expect=plan, label=label))


def plan_history(store: Store, seq: int) -> list[PlanChange]:
    """Every save, undo and redo of the point's plan, oldest first (nothing is overwritten unrecorded)."""
    with store.db.read() as s:
        _check_point(store, s, seq)
        return store.db.plans.history(s, seq)
