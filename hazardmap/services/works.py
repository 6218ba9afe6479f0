"""排危除险 works: the annex-2 items of a year's plan and those added later, with the register points each
treats, budget, status (计划 → 实施中 → 完工 → 验收), dates, contractor and documents.

Accepting a work can retire (核销) the points it treated, with the work as the reason, in the same step
and the same undo: only when the caller asks for it (retire_points=True), after the user confirmed."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Mapping, Sequence

from hazardmap.domain.errors import FieldInvalid, InvalidInput, PointNotFound, StaleEdit, UnknownTownship, WorkNotFound
from hazardmap.domain.fund import WORK_FIELDS, WORK_STATUS_DATE_FIELDS, Work, WorkStatus, check_date, \
    check_status_step, check_text, parse_amount, parse_status, yuan_whole
from hazardmap.domain.points import HazardPoint
from hazardmap.files import copy_in
from hazardmap.services.fund import FundChanges, _changes, not_in_future, open_year, year_of
from hazardmap.services.register import retire_values, set_status_in
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.storage.api import Session

DOC_DIR = "works"
DOC_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".zip", ".rar",
                ".txt", ".tif", ".tiff", ".heic", ".bmp"}


def list_works(store: Store, year: object = None, point: int | None = None) -> list[Work]:
    with store.db.read() as s:
        y = year_of(store, s, year).year if year not in (None, "") else None
        return store.db.fund.works(s, y, point)


def works_of_point(store: Store, seq: int) -> list[Work]:
    """A point's works, every year (the details panel's list)."""
    with store.db.read() as s:
        return store.db.fund.works(s, None, seq)


def _get(store: Store, s: Session, work_id: int) -> Work:
    w = store.db.fund.work(s, int(work_id))
    if w is None:
        raise WorkNotFound(int(work_id))
    return w


def get_work(store: Store, work_id: int) -> Work:
    with store.db.read() as s:
        return _get(store, s, work_id)


def work_label(w: Work) -> str:
    return f"{w.year}年第 {w.seq} 项工程"


def _check_points(store: Store, s: Session, points: Sequence[object]) -> list[int]:
    out = []
    for p in points:
        try:
            seq = int(str(p).strip())
        except ValueError:
            raise FieldInvalid("points", f"隐患点编号“{p}”不是整数") from None
        if store.db.points.get(s, seq) is None:
            raise PointNotFound(seq, *store.db.points.span(s))
        out.append(seq)
    return sorted(set(out))


def parse_points(text: str | Sequence[object] | None) -> list[str]:
    """'3,5' / '3、5' / '3 5' -> ['3', '5']."""
    if text is None:
        return []
    if not isinstance(text, str):
        return [str(x) for x in text]
    for sep in "、，, ;；":
        text = text.replace(sep, " ")
    return text.split()


def _check_fields(store: Store, fields: Mapping[str, object]) -> dict[str, object]:
    """Typed values -> Work.values() keys, checked (points are checked inside the transaction)."""
    out: dict[str, object] = {}
    for key, value in fields.items():
        if key == "site":
            out["site"] = check_text(value, "隐患点（工程地点）", required=True, max_len=300, field_key="site")
        elif key == "township":
            name = check_text(value, "乡镇", required=True, field_key="township")
            if store.bundled.township(name) is None:
                raise UnknownTownship(name)
            out["township"] = name
        elif key in ("budget", "budget_fen"):
            out["budget_fen"] = parse_amount(value, "工程预算", field_key="budget", allow_zero=True) \
                if key == "budget" else int(value)  # type: ignore[arg-type]
        elif key in ("contractor", "note"):
            out[key] = check_text(value, WORK_FIELDS[key], max_len=200 if key == "contractor" else 1000, field_key=key)
        elif key in ("started_on", "finished_on", "accepted_on"):
            out[key] = not_in_future(check_date(value, WORK_FIELDS[key], key), WORK_FIELDS[key], key) if value else ""
        elif key == "points":
            out["points"] = parse_points(value)  # type: ignore[arg-type]
        else:
            raise InvalidInput(f"工程没有“{key}”这一项")
    return out


def add_work(store: Store, year: object, fields: Mapping[str, object], *, by: str | None = None) -> FundChanges:
    """A new work (计划) under the year's plan; site, township and budget are required."""
    values = _check_fields(store, fields)
    for key, word in (("site", "隐患点（工程地点）"), ("township", "乡镇"), ("budget_fen", "工程预算")):
        if key not in values:
            raise FieldInvalid(key if key != "budget_fen" else "budget", f"请填写{word}")
    with store.db.write() as tx:
        fy = open_year(store, tx, year)
        points = _check_points(store, tx, values.get("points", []))  # type: ignore[arg-type]
        w = Work(0, fy.year, store.db.fund.next_work_seq(tx, fy.year), str(values["site"]), str(values["township"]),
                 int(values["budget_fen"]), contractor=str(values.get("contractor", "")),  # type: ignore[arg-type]
                 note=str(values.get("note", "")), points=tuple(points))
        w = replace(w, id=store.db.fund.insert_work(tx, w))
        store.db.fund.add_work_change(tx, w.id, None, w.values(), by=by or current_user(), at=now_iso())
    label = f"新增排危除险工程（{w.year}年第 {w.seq} 项）"
    return _changes(label, lambda: _remove(store, w, label, by), w.id, frozenset(points))


def _remove(store: Store, w: Work, label: str, by: str | None) -> FundChanges:
    with store.db.write() as tx:
        open_year(store, tx, w.year)
        now = store.db.fund.work(tx, w.id)
        if now != w or store.db.fund.work_has_records(tx, w.id):
            raise StaleEdit(work_label(w))
        store.db.fund.delete_work(tx, w.id)
        store.db.fund.add_work_change(tx, w.id, w.values(), None, by=by or current_user(), at=now_iso())
    return _changes(label, lambda: _readd(store, w, label, by), w.id, frozenset(w.points))


def _readd(store: Store, w: Work, label: str, by: str | None) -> FundChanges:
    with store.db.write() as tx:
        open_year(store, tx, w.year)
        if store.db.fund.work(tx, w.id) is not None:
            raise StaleEdit(work_label(w))
        store.db.fund.insert_work(tx, w)
        store.db.fund.add_work_change(tx, w.id, None, w.values(), by=by or current_user(), at=now_iso())
    return _changes(label, lambda: _remove(store, w, label, by), w.id, frozenset(w.points))


def edit_work(store: Store, work_id: int, fields: Mapping[str, object], *, by: str | None = None) -> FundChanges:
    """Change the given fields (site, township, budget, contractor, note, points, the status dates)."""
    values = _check_fields(store, fields)
    with store.db.write() as tx:
        w = _get(store, tx, work_id)
        open_year(store, tx, w.year)
        if "points" in values:
            values["points"] = _check_points(store, tx, values["points"])  # type: ignore[arg-type]
        before = w.values()
        diff = {k: v for k, v in values.items() if before[k] != v}
    if not diff:
        return FundChanges()
    label = f"编辑{work_label(w)}（{'、'.join(WORK_FIELDS[k] for k in diff)}）"
    return _apply(store, w.id, diff, {k: before[k] for k in diff}, [], label, by)


def points_to_retire(store: Store, work_id: int) -> list[HazardPoint]:
    """The points the work treats that are still on the register: what accepting it offers to retire."""
    with store.db.read() as s:
        w = _get(store, s, work_id)
        return [p for p in (store.db.points.get(s, seq) for seq in w.points) if p is not None and not p.retired]


def retire_reason(w: Work) -> str:
    return f"经{w.year}年排危除险工程（第 {w.seq} 项：{w.site}）治理，已验收"


def set_status(store: Store, work_id: int, status: str | WorkStatus, *, on: str | None = None,
               retire_points: bool = False, retire_doc: str = "", by: str | None = None) -> FundChanges:
    """Move a work forward (计划 → 实施中 → 完工 → 验收), dated (today when not given). On 验收 with
    retire_points (after the user confirmed), the points it treated that are still on the register are
    retired (核销) in the same step, the work named as the reason; one undo takes back both."""
    new = status if isinstance(status, WorkStatus) else parse_status(status)
    day = not_in_future(check_date(on, "日期") if on else date.today().isoformat(), "日期")
    if retire_points and new is not WorkStatus.ACCEPTED:
        raise InvalidInput("只有验收时才能同时核销治理的隐患点")
    with store.db.write() as tx:
        w = _get(store, tx, work_id)
        open_year(store, tx, w.year)
        check_status_step(w.status, new, work_label(w))
        before = w.values()
        after = {"status": new.value, WORK_STATUS_DATE_FIELDS[new]: day}
        retire = []
        if retire_points:
            values = retire_values(day, retire_reason(w), retire_doc)
            retire = [(p.seq, values) for p in (store.db.points.get(tx, seq) for seq in w.points)
                      if p is not None and not p.retired]
    label = f"{work_label(w)}：{w.status.value} → {new.value}" + ("，核销治理的隐患点" if retire else "")
    return _apply(store, w.id, after, {k: before[k] for k in after}, retire, label, by)


def retire_treated(store: Store, work_id: int, *, retire_doc: str = "", by: str | None = None) -> FundChanges:
    """The offer taken later: retire the points an accepted work treated (still on the register), dated
    its acceptance, the work named as the reason; one undo step."""
    with store.db.read() as s:
        w = _get(store, s, work_id)
    if w.status is not WorkStatus.ACCEPTED:
        raise InvalidInput(f"{work_label(w)}尚未验收（现为“{w.status.value}”），不能据此核销隐患点")
    offer = points_to_retire(store, work_id)
    if not offer:
        raise InvalidInput(f"{work_label(w)}治理的隐患点都已核销（或没有登记治理的隐患点）")
    values = retire_values(w.accepted_on, retire_reason(w), retire_doc)
    label = f"核销{work_label(w)}治理的隐患点"
    return _apply(store, w.id, {}, {}, [(p.seq, values) for p in offer], label, by)


def _apply(store: Store, work_id: int, values: dict[str, object], expect: dict[str, object],
           statuses: list[tuple[int, dict[str, object]]], label: str, by: str | None) -> FundChanges:
    """Set the work's fields (if they are still `expect`) and the points' status fields, in one
    transaction; the undo does the inverse the same way."""
    inverse_statuses = []
    with store.db.write() as tx:
        w = _get(store, tx, work_id)
        open_year(store, tx, w.year)
        now = w.values()
        if any(now[k] != v for k, v in expect.items()):
            raise StaleEdit(work_label(w))
        store.db.fund.update_work(tx, work_id, values)
        for seq, status_values in statuses:
            point = store.db.points.get(tx, seq)
            expect_status = None if point is None else {"status": point.status.value, "retired_on": point.retired_on,
                                                         "retire_reason": point.retire_reason,
                                                         "retire_doc": point.retire_doc}
            before = set_status_in(store, tx, seq, status_values, by=by, expect=expect_status)
            inverse_statuses.append((seq, before))
        store.db.fund.add_work_change(tx, work_id, expect, values, by=by or current_user(), at=now_iso())
    touched = frozenset(seq for seq, _ in statuses) | frozenset(w.points)
    return _changes(label, lambda: _apply(store, work_id, expect, values, inverse_statuses, label, by), work_id, touched)


# ---- documents ---------------------------------------------------------------------------------------

def attach(store: Store, work_id: int, paths: Sequence[str | Path], *, by: str | None = None) -> FundChanges:
    """Copy files (contracts, acceptance reports, photos) into the data folder and list them on the work."""
    if not paths:
        raise InvalidInput("请选择要附上的文件")
    with store.db.read() as s:
        w = _get(store, s, work_id)
        open_year(store, s, w.year)
    copied = _copy_docs(store, w.year, paths)
    try:
        with store.db.write() as tx:
            _get(store, tx, work_id)
            open_year(store, tx, w.year)
            ids = store.db.fund.add_work_docs(tx, work_id, [(rel, name) for rel, name, _ in copied],
                                              by=by or current_user(), at=now_iso())
            docs = [d for d in _get(store, tx, work_id).docs if d.id in ids]
    except BaseException:
        for _, _, dest in copied:
            dest.unlink(missing_ok=True)
        raise
    label = f"{work_label(w)}附上 {len(docs)} 个文件"
    return _changes(label, lambda: _detach(store, w.year, docs, label), work_id)


def _detach(store: Store, year: int, docs, label: str) -> FundChanges:
    """The undo of attaching: the rows go; the copied files stay in the data folder for the redo."""
    with store.db.write() as tx:
        open_year(store, tx, year)
        store.db.fund.delete_work_docs(tx, [d.id for d in docs])
    return _changes(label, lambda: _reattach(store, year, docs, label), docs[0].work_id)


def _reattach(store: Store, year: int, docs, label: str) -> FundChanges:
    with store.db.write() as tx:
        open_year(store, tx, year)
        store.db.fund.restore_work_docs(tx, docs)
    return _changes(label, lambda: _detach(store, year, docs, label), docs[0].work_id)


def _copy_docs(store: Store, year: int, paths: Sequence[str | Path]) -> list[tuple[str, str, Path]]:
    return copy_in(paths, store.home, Path(DOC_DIR) / str(year), DOC_SUFFIXES, noun="文件", kind="可附上的文件类型")


def doc_path(store: Store, rel: str) -> Path:
    return store.home / rel


# ---- sums ---------------------------------------------------------------------------------------------

def works_total(works: Sequence[Work]) -> int:
    return sum(w.budget_fen for w in works)


def status_counts(works: Sequence[Work]) -> dict[WorkStatus, int]:
    return {s: sum(1 for w in works if w.status is s) for s in WorkStatus}


def status_text(w: Work) -> str:
    dated = {WorkStatus.UNDERWAY: w.started_on, WorkStatus.FINISHED: w.finished_on, WorkStatus.ACCEPTED: w.accepted_on}
    day = dated.get(w.status, "")
    return f"{w.status.value}（{day}）" if day else w.status.value


def budget_text(w: Work) -> str:
    return yuan_whole(w.budget_fen)



@dataclass(frozen=True)
class WorkPlace:
    """Where a work is drawn: a register point it treats (its recorded position) or, for the 2023 items,
    a village the county's annex names (data/emergency_work_sites_2023.csv, at the village's centre)."""
    lon: float
    lat: float
    note: str


def work_places(store: Store) -> list[tuple[Work, list[WorkPlace], list[HazardPoint]]]:
    """Every work (all years) with the places known for it and the register points it treats. A work
    with no known place is listed with none (the map counts it as 无坐标); nothing is guessed."""
    with store.db.read() as s:
        ws = store.db.fund.works(s)
        # Only the treated points: a province's register is not read whole for a few hundred works.
        points = {p.seq: p for p in store.db.map_points.get_many(s, sorted({q for w in ws for q in w.points}))}
    sites: dict[int, list] = {}
    for site in store.bundled.emergency_work_sites:
        sites.setdefault(site.work_seq, []).append(site)
    out = []
    for w in ws:
        treated = [points[q] for q in w.points if q in points]
        places = [WorkPlace(p.lon, p.lat, f"第 {p.seq} 号隐患点的位置") for p in treated if p.located]
        if w.year == 2023:
            places += [WorkPlace(x.lon, x.lat, f"{x.township}{x.village}村庄中心") for x in sites.get(w.seq, [])
                       if x.lon is not None]
        out.append((w, places, treated))
    return out
