"""The register of hazard points: add, edit, retire (核销) and restore, each audited field by field
(who, when, old, new) and each returning Changes with its undo.

Every step reads the point inside its write transaction (no lost update); an undo refuses with
StaleEdit when the point has changed since the step it takes back."""
from __future__ import annotations

from typing import Mapping

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import DuplicateCode, FieldInvalid, RetireWithoutReason, StaleEdit, UnknownTownship, \
    VillageNotInTownship, WrongStatus
from hazardmap.domain.points import POINT_FIELDS, HazardPoint, PointAction, PointChange, PointStatus, PointView, \
    Precision, check_point_fields, check_retire_date
from hazardmap.domain.validation import check_visible
from hazardmap.services.points import _get, check_version
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.storage.api import Session

NEW_POINT_SOURCE_VILLAGE = "村庄中心点（data/villages.csv，高德 2016 快照，Vonng/adcode），非实测"
NEW_POINT_SOURCE_TOWNSHIP = "乡镇驻地（data/townships.csv），非实测"


def points_in_view(store: Store, view: PointView = PointView.ACTIVE, seqs=None) -> list[HazardPoint]:
    """The points a list, the table or the map shows for a view, by seq (在册 by default).
    The one place the choice of points is made; other views (a year's key list) extend it here.
    seqs: only those of these points (a key list's, read alone: a province's register is not read whole
    for a list of a few hundred)."""
    with store.db.read() as s:
        if seqs is None:
            return store.db.points.in_view(s, view)
        found = store.db.map_points.get_many(s, list(seqs))
    return [p for p in found if view is PointView.ALL or p.status.value == view.value]


def status_counts(store: Store) -> dict[PointStatus, int]:
    with store.db.read() as s:
        return store.db.points.counts(s)


def point_changes(store: Store, seq: int) -> list[PointChange]:
    with store.db.read() as s:
        return store.db.points.point_changes(s, seq)


def seq_with_code(store: Store, unified_code: str) -> int | None:
    """The point already carrying a 统一编号 (for checking as the user types)."""
    code = unified_code.strip()
    if not code:
        return None
    with store.db.read() as s:
        return store.db.points.seq_with_code(s, code)


def changed_fields(point: HazardPoint, values: Mapping[str, object]) -> dict[str, object]:
    """Of checked values (check_point_fields), those that differ from the point: what an edit
    dialog sends, so an edit touches only what the user changed."""
    now = point.field_values()
    return {k: v for k, v in values.items() if now.get(k) != (v.value if hasattr(v, "value") else v)}


def township_names(store: Store) -> list[str]:
    return [t.name for t in store.bundled.townships]


def villages_of(store: Store, township: str) -> list[tuple[str, str]]:
    """(code, name) of the gazetteer's villages in a township, in gazetteer order."""
    return [(v.code, v.name) for v in store.bundled.villages if v.township == township]


def resolve_village(store: Store, township: str, text: str) -> str:
    """A village given by its 12-digit code or by its name within the township -> its code ("" for none)."""
    text = text.strip()
    if not text:
        return ""
    if text.isdigit():
        return text
    found = store.bundled.villages_named(text, township)
    if len(found) == 1:
        return found[0].code
    elsewhere = store.bundled.villages_named(text)
    raise VillageNotInTownship(text, township, elsewhere[0].township if elsewhere else None)


def _check_place(store: Store, township: str, village_code: str) -> None:
    if store.bundled.township(township) is None:
        raise UnknownTownship(township)
    if village_code:
        village = store.bundled.village_by_code(village_code)
        if village is None or village.township != township:
            raise VillageNotInTownship(village.name if village else village_code, township,
                                       village.township if village else None)


def _village_name(store: Store, code: str) -> str:
    village = store.bundled.village_by_code(code) if code else None
    return village.name if village else ""


def _check_code(store: Store, s: Session, code: str, seq: int | None) -> None:
    if code:
        other = store.db.points.seq_with_code(s, code)
        if other is not None and other != seq:
            raise DuplicateCode(code, other)


def _first_position(store: Store, township: str, village_code: str) -> tuple[float | None, float | None,
                                                                              Precision, str]:
    """Where a new point is drawn until staff enter a GPS reading: its village's centre point, else its
    township's centre, else nowhere, with the precision saying which (as for the 2023 points)."""
    village = store.bundled.village_by_code(village_code) if village_code else None
    if village is not None and village.located:
        return village.lon, village.lat, Precision.VILLAGE, NEW_POINT_SOURCE_VILLAGE
    town = store.bundled.township(township)
    if town is not None and town.lon is not None and town.lat is not None:
        return town.lon, town.lat, Precision.TOWNSHIP, NEW_POINT_SOURCE_TOWNSHIP
    return None, None, Precision.NONE, "无：未实测，所在村和乡镇均无坐标"


def add_point(store: Store, fields: Mapping[str, object], *, by: str | None = None) -> Changes:
    """A new point on the register (在册); its seq is the one in the returned Changes.points.
    fields: POINT_FIELDS keys; 乡镇 is required, and a 村, 组/地点 or 名称 to tell it apart."""
    values = check_point_fields(dict(fields))
    township = str(values.get("township") or "")
    if not township:
        raise FieldInvalid("township", "请选择隐患点所在的乡镇（街道）")
    village_code = str(values.get("village_code") or "")
    _check_place(store, township, village_code)
    place = str(values.get("place") or "")
    village_group = str(values.get("village_group") or "") or _village_name(store, village_code) + place
    if not village_group and not values.get("given_name"):
        raise FieldInvalid("village_code", "请至少填写村、组/地点或名称中的一项，以便认出这个隐患点")
    kind = values.get("kind")
    lon, lat, precision, source = _first_position(store, township, village_code)
    with store.db.write() as tx:
        _check_code(store, tx, str(values.get("unified_code") or ""), None)
        seq = store.db.points.next_seq(tx)
        point = HazardPoint(
            seq=seq, township=township, village_group=village_group, village_code=village_code,
            threatened=str(values.get("threatened") or ""), hazard_type=kind.value if kind else "",
            monitor=str(values.get("monitor") or ""), phone=str(values.get("phone") or ""),
            lon=lon, lat=lat, precision=precision, source=source,
            unified_code=str(values.get("unified_code") or ""), field_code=str(values.get("field_code") or ""),
            given_name=str(values.get("given_name") or ""), kind=kind, volume_m3=values.get("volume_m3"),
            place=place, households=values.get("households"), people=values.get("people"),
            property_wan=values.get("property_wan"),
        )
        _insert(store, tx, point, PointAction.ADD, by)
    return _added(store, point, by)


def _insert(store: Store, tx: Session, point: HazardPoint, action: PointAction, by: str | None) -> None:
    store.db.points.insert(tx, point)
    after = {**point.field_values(), "status": point.status.value}
    store.db.points.add_point_change(tx, point.seq, action, {k: [None, v] for k, v in after.items()
                                                             if v not in (None, "")},
                                     by=by or current_user(), at=now_iso())


def _added(store: Store, point: HazardPoint, by: str | None) -> Changes:
    label = f"新增第 {point.seq} 号隐患点"
    return Changes(points=frozenset({point.seq}), label=label, undo=lambda: _remove(store, point, by, label))


def _remove(store: Store, expected: HazardPoint, by: str | None, label: str) -> Changes:
    """The undo of an add: the point goes if it is exactly as added and nothing was recorded on it."""
    seq = expected.seq
    with store.db.write() as tx:
        point = store.db.points.get(tx, seq)
        if point != expected or store.db.points.has_history(tx, seq):
            raise StaleEdit(f"第 {seq} 号隐患点")
        store.db.points.delete(tx, seq)
        before = {**point.field_values(), "status": point.status.value}
        store.db.points.add_point_change(tx, seq, PointAction.REMOVE,
                                         {k: [v, None] for k, v in before.items() if v not in (None, "")},
                                         by=by or current_user(), at=now_iso())
    return Changes(points=frozenset({seq}), label=label, undo=lambda: _readd(store, expected, by, label))


def _readd(store: Store, point: HazardPoint, by: str | None, label: str) -> Changes:
    """The redo of an add: the same point under the same seq, unless that seq or code is taken since."""
    with store.db.write() as tx:
        if store.db.points.get(tx, point.seq) is not None:
            raise StaleEdit(f"第 {point.seq} 号隐患点")
        _check_code(store, tx, point.unified_code, None)
        _insert(store, tx, point, PointAction.ADD, by)
    return Changes(points=frozenset({point.seq}), label=label, undo=lambda: _remove(store, point, by, label))


def edit_point(store: Store, seq: int, fields: Mapping[str, object], *, by: str | None = None,
               base_version: int | None = None) -> Changes:
    """Change the given fields of a point (others untouched). Changing its 村 or 组/地点 rewrites its
    村组 text unless that is given too. A monitor change is also kept in the monitor history.
    base_version: the point's version the edit was made from (an edit dialog's); if another desk has
    changed the point since, EditConflict and nothing is written (services/points.py check_version)."""
    return _edit(store, seq, check_point_fields(dict(fields)), by=by, expect=None, base_version=base_version)


def _edit(store: Store, seq: int, values: dict[str, object], *, by: str | None,
          expect: dict[str, object] | None, label: str | None = None,
          base_version: int | None = None) -> Changes:
    repo = store.db.points
    with store.db.write() as tx:
        point = _get(store, tx, seq)
        check_version(store, tx, point, base_version, f"第 {seq} 号隐患点",
                      {POINT_FIELDS.get(k, k): (v.value if hasattr(v, "value") else v) for k, v in values.items()}, by,
                      {POINT_FIELDS.get(k, k): v for k, v in point.field_values().items() if k in values})
        before = point.field_values()
        if expect is not None and any(before[k] != v for k, v in expect.items()):
            raise StaleEdit(f"第 {seq} 号隐患点")
        after = {**before, **{k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}}
        _check_place(store, str(after["township"]), str(after["village_code"] or ""))
        if "village_group" not in values and (after["village_code"] != before["village_code"]
                                              or after["place"] != before["place"]):
            after["village_group"] = _village_name(store, str(after["village_code"])) + str(after["place"])
        diff = {k: [before[k], after[k]] for k in POINT_FIELDS if after[k] != before[k]}
        if not diff:
            return Changes()
        if "unified_code" in diff:
            _check_code(store, tx, str(after["unified_code"] or ""), seq)
        update = {k: new for k, (_, new) in diff.items()}
        if "kind" in diff:
            update["hazard_type"] = after["kind"] or ""  # the old column the cards and popups read
        repo.update_fields(tx, seq, update)
        by_, at = by or current_user(), now_iso()
        if "monitor" in diff or "phone" in diff:
            repo.add_monitor_change(tx, seq, old_name=point.monitor, old_phone=point.phone,
                                    new_name=str(after["monitor"]), new_phone=str(after["phone"]), by=by_, at=at)
        repo.add_point_change(tx, seq, PointAction.EDIT, diff, by=by_, at=at)
    label = label or f"编辑第 {seq} 号隐患点（{'、'.join(POINT_FIELDS[k] for k in diff)}）"
    inverse = {k: old for k, (old, _) in diff.items()}
    now = {k: new for k, (_, new) in diff.items()}
    return Changes(points=frozenset({seq}), label=label,
                   undo=lambda: _edit(store, seq, inverse, by=by, expect=now, label=label))


def retire_point(store: Store, seq: int, *, date: str, reason: str, doc_no: str = "",
                 by: str | None = None) -> Changes:
    """核销: the point leaves the register (kept, with its history; hidden by default). A reason is
    required; the date is YYYY-MM-DD; the document number (文号) may be empty."""
    return _set_status(store, seq, retire_values(date, reason, doc_no), by=by, expect=None)


def restore_point(store: Store, seq: int, *, by: str | None = None) -> Changes:
    """Back on the register (在册); the retirement stays in the audit trail."""
    return _set_status(store, seq, {"status": PointStatus.ACTIVE.value, "retired_on": "", "retire_reason": "",
                                    "retire_doc": ""}, by=by, expect=None)


def _status_values(point: HazardPoint) -> dict[str, object]:
    return {"status": point.status.value, "retired_on": point.retired_on, "retire_reason": point.retire_reason,
            "retire_doc": point.retire_doc}


def set_status_in(store: Store, tx: Session, seq: int, values: dict[str, object], *, by: str | None,
                  expect: dict[str, object] | None) -> dict[str, object]:
    """Retire or restore inside the caller's transaction (a work's acceptance retires its points in the
    same step); returns the status values before, for the undo."""
    retiring = values["status"] == PointStatus.RETIRED.value
    point = _get(store, tx, seq)
    before = _status_values(point)
    if expect is not None and before != expect:
        raise StaleEdit(f"第 {seq} 号隐患点的状态")
    if before["status"] == values["status"]:
        raise WrongStatus(seq, point.status.label, "核销" if retiring else "恢复")
    diff = {k: [before[k], values[k]] for k in values if before[k] != values[k]}
    store.db.points.update_fields(tx, seq, dict(values))
    store.db.points.add_point_change(tx, seq, PointAction.RETIRE if retiring else PointAction.RESTORE, diff,
                                     by=by or current_user(), at=now_iso())
    return before


def retire_values(date: str, reason: str, doc_no: str = "") -> dict[str, object]:
    """The status fields of a 核销, checked (reason required, date YYYY-MM-DD)."""
    reason = check_visible(reason or "", "核销原因").strip()
    if not reason:
        raise RetireWithoutReason()
    return {"status": PointStatus.RETIRED.value, "retired_on": check_retire_date(date), "retire_reason": reason,
            "retire_doc": check_visible(doc_no or "", "核销文号").strip()}


def _set_status(store: Store, seq: int, values: dict[str, object], *, by: str | None,
                expect: dict[str, object] | None) -> Changes:
    retiring = values["status"] == PointStatus.RETIRED.value
    with store.db.write() as tx:
        before = set_status_in(store, tx, seq, values, by=by, expect=expect)
    label = f"{'核销' if retiring else '恢复'}第 {seq} 号隐患点"
    return Changes(points=frozenset({seq}), label=label,
                   undo=lambda: _set_status(store, seq, before, by=by, expect=values))
