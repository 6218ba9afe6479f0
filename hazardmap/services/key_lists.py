"""Yearly key lists: list them, read a county list file, preview what importing it would change, apply
it in one transaction with one undo step.

How a point's current values relate to the lists (see domain/key_lists.py): the point holds the
current monitor, phone and threatened text; each list entry keeps that year's. Importing a list for
the newest year (or a newer one) updates the points' current values, recorded in the monitor history
like any monitor change; an older year's list is only recorded.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, KeyListNotFound, StaleEdit
from hazardmap.domain.key_lists import CHANGE_FIELDS, KeyList, KeyListEntry, ListPreview, ListRow, RowMatch, \
    RowOutcome, norm_place, village_part
from hazardmap.domain.points import HazardPoint, PointAction
from hazardmap.domain.validation import YEAR_MAX, YEAR_MIN, check_phone, check_visible, check_year
from hazardmap.geodata.bundled import BundledData
from hazardmap.services.register import _first_position, _insert
from hazardmap.services.spreadsheet import BadRow, read_table, short, whole_number
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.storage.api import Session

NEW = 0   # a choice meaning "this row is a new point"


# ---- reading ---------------------------------------------------------------------------------------------

def _norm_header(text: str) -> str:
    return text.replace(" ", "").replace("\u3000", "").replace("（", "(").replace("）", ")")


# Header words as county annex tables write them (matched whole, after removing spaces).
_HEADERS = {
    "row_no": ("序号",),
    "code": ("统一编号", "统一编码", "灾害点编号", "隐患点编号", "野外编号及统一编号"),
    "township": ("乡镇", "乡镇(街道)", "乡镇街道", "乡(镇)", "镇(街道)", "乡镇(办事处)", "所在乡镇", "乡镇名称",
                 "乡(镇、街道)", "乡镇(场)"),
    "place": ("村组", "村(组)", "村、组", "村(居)组", "村(社区)组", "地点", "位置", "隐患点位置", "地理位置", "具体位置",
              "隐患点名称", "灾害点名称", "村组名称", "所在村组"),
    "threatened": ("威胁对象", "威胁对象及人数", "威胁对象(户、人)", "威胁对象(户/人)", "威胁户数及人数", "威胁范围"),
    "monitor": ("监测人", "群测群防员", "群测群防监测员", "监测员", "监测人员", "群测群防员姓名", "监测人姓名", "姓名"),
    "phone": ("联系电话", "电话", "手机", "手机号码", "联系方式", "电话号码", "监测人电话", "群测群防员电话"),
}
_BY_HEADER = {_norm_header(h): k for k, hs in _HEADERS.items() for h in hs}
REQUIRED = {"township": "乡镇", "place": "村组（或地点）", "monitor": "监测人（或群测群防员）", "phone": "联系电话"}


def _column_kind(header: str) -> str | None:
    return _BY_HEADER.get(_norm_header(header))


def _text(value: Any) -> str:
    """A cell as text: Excel keeps a phone number or a 序号 as a float (13875622467.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_list_file(path: str | Path) -> tuple[list[ListRow], list[BadRow]]:
    """The rows of a county key-list table (.xlsx or .csv; title rows above the header and a second
    header row under merged cells are fine) and the rows that cannot be read. Raises InvalidInput
    (Chinese) for a file that is not such a table: not a spreadsheet, no header, a required column
    missing, nothing under the header."""
    path = Path(path)
    table = read_table(path, _column_kind, anchor="place", subheader=True,
                       no_header="表中找不到“村组”或“地点”列：县里名单的表头应有 序号、乡镇、村组（或地点）、"
                                 "威胁对象、监测人（或群测群防员）、联系电话",
                       describe=lambda v: _text(v.get("township")) + _text(v.get("place")))
    missing = [word for key, word in REQUIRED.items() if key not in table.headers]
    if missing:
        raise InvalidInput(f"“{path.name}”的表头缺少必需的列：{'、'.join(missing)}（现有列："
                           f"{'、'.join(table.headers.values())}）")
    rows: list[ListRow] = []
    bad: list[BadRow] = list(table.bad)
    for r in table.rows:
        v = {k: _text(r.values.get(k)) for k in _HEADERS}
        shown = short(v["township"] + v["place"])
        if not v["place"] and not v["township"]:
            continue   # a note or total line under the table (e.g. 合计)
        try:
            rows.append(_list_row(r.line, v))
        except InvalidInput as exc:
            bad.append(BadRow(r.line, str(exc), shown))
    if not rows and not bad:
        raise InvalidInput(f"“{path.name}”的表头下面没有隐患点")
    return rows, bad


def _list_row(line: int, v: dict[str, str]) -> ListRow:
    for key in ("township", "place", "monitor"):
        if not v[key]:
            raise InvalidInput(f"{REQUIRED[key]}为空")
        check_visible(v[key], REQUIRED[key])
    row_no = whole_number(v["row_no"], "序号") if v["row_no"] else None
    return ListRow(line=line, row_no=row_no, code=v["code"], township=v["township"], place=v["place"],
                   threatened=v["threatened"], monitor=v["monitor"], phone=check_phone(v["phone"]))


# ---- matching ----------------------------------------------------------------------------------------------

def _code(p: HazardPoint) -> str:
    return p.unified_code


def _is_retired(p: HazardPoint) -> bool:
    return p.retired


@dataclass
class _Index:
    by_code: dict[str, HazardPoint]
    by_place: dict[tuple[str, str], list[HazardPoint]]
    by_village: dict[tuple[str, str], list[HazardPoint]]
    by_bare_place: dict[str, list[HazardPoint]]
    seqs: dict[int, HazardPoint]

    @classmethod
    def of(cls, points: Iterable[HazardPoint]) -> "_Index":
        idx = cls({}, {}, {}, {}, {})
        for p in points:
            idx.seqs[p.seq] = p
            if _code(p):
                idx.by_code[_code(p)] = p
            place = norm_place(p.village_group)
            idx.by_place.setdefault((norm_place(p.township), place), []).append(p)
            idx.by_village.setdefault((norm_place(p.township), _village_key(place)), []).append(p)
            idx.by_bare_place.setdefault(place, []).append(p)
        return idx


def _near(idx: _Index, row: ListRow) -> list[HazardPoint]:
    """Points the row may mean though the text differs: the same village (社区 / 居委会 alike) in the
    same township with a group written differently (石塘组 / 石塘, one character off), or the same 村组
    text under another township (a renamed or merged township)."""
    township, place = norm_place(row.township), norm_place(row.place)
    out = [p for p in idx.by_bare_place.get(place, []) if norm_place(p.township) != township]
    group = place[len(village_part(place)):]
    for p in idx.by_village.get((township, _village_key(place)), []):
        other = norm_place(p.village_group)
        if _similar_group(other[len(village_part(other)):], group):
            out.append(p)
    return out


def _village_key(place: str) -> str:
    v = village_part(place)
    for marker in ("居委会", "社区"):
        if v.endswith(marker):
            return v[: -len(marker)] + "社区"
    return v


def _similar_group(a: str, b: str) -> bool:
    a, b = a.removesuffix("组"), b.removesuffix("组")
    if a == b:
        return True
    if not a or not b or a.isdigit() or b.isdigit():   # 2组 and 20组 are two groups
        return False
    if a in b or b in a:
        return True
    return len(a) == len(b) >= 2 and sum(x != y for x, y in zip(a, b)) <= 1


def _compare(p: HazardPoint, row: ListRow, has_threatened: bool) -> tuple[tuple[str, str, str], ...]:
    diffs = []
    for f in CHANGE_FIELDS:
        if f == "threatened" and not has_threatened:
            continue
        old, new = getattr(p, f), getattr(row, f)
        if old != new:
            diffs.append((f, old, new))
    return tuple(diffs)


def match_rows(points: list[HazardPoint], rows: list[ListRow], choices: dict[int, int],
               bad: list[BadRow], *, has_threatened: bool = True) -> list[RowMatch]:
    """Each row as new / changed / unchanged / near (asking). choices: {row line: point seq, or NEW}.
    Rows that cannot be used (a choice naming no point, two rows naming one point) go to bad."""
    idx = _Index.of(points)
    matches: list[RowMatch] = []
    taken: dict[int, int] = {}   # point seq -> the line that took it
    for row in rows:
        shown = short(row.township + row.place)
        point: HazardPoint | None = None
        candidates: list[HazardPoint] = []
        if row.line in choices:
            chosen = choices[row.line]
            if chosen != NEW:
                point = idx.seqs.get(chosen)
                if point is None:
                    bad.append(BadRow(row.line, f"指定的第 {chosen} 号隐患点不存在", shown))
                    continue
        elif row.code and row.code in idx.by_code:
            point = idx.by_code[row.code]
        else:   # a 统一编号 the register does not know yet is matched by place
            exact = [p for p in idx.by_place.get((norm_place(row.township), norm_place(row.place)), [])
                     if not _is_retired(p)]
            if len(exact) == 1:
                point = exact[0]
            else:
                candidates = exact or [p for p in _near(idx, row) if not _is_retired(p)]
        if point is not None and _is_retired(point) and row.line not in choices:
            candidates, point = [point], None
        if point is None and candidates:
            matches.append(RowMatch(row, RowOutcome.NEAR,
                                    candidates=tuple(sorted({p.seq for p in candidates}))))
            continue
        if point is None:
            matches.append(RowMatch(row, RowOutcome.NEW))
            continue
        if point.seq in taken:
            bad.append(BadRow(row.line, f"与第 {taken[point.seq]} 行是同一处隐患点（第 {point.seq} 号，"
                                        f"{point.township}{point.village_group}）", shown))
            continue
        taken[point.seq] = row.line
        diffs = _compare(point, row, has_threatened)
        matches.append(RowMatch(row, RowOutcome.CHANGED if diffs else RowOutcome.UNCHANGED, point.seq, diffs))
    return matches


def check_new_rows(bundled: BundledData, matches: list[RowMatch], bad: list[BadRow]) -> list[RowMatch]:
    """A new point needs a township of the county and a village of the gazetteer in it (its code and
    centre come from there); a 统一编号 given twice is refused. Rows that fail go to bad."""
    out: list[RowMatch] = []
    codes: dict[str, int] = {}
    for m in matches:
        if m.outcome is not RowOutcome.NEW:
            out.append(m)
            continue
        r, shown = m.row, short(m.row.township + m.row.place)
        if bundled.township(r.township) is None:
            bad.append(BadRow(r.line, f"衡南县没有名为“{short(r.township)}”的乡镇（街道）", shown))
            continue
        villages = bundled.villages_named(village_part(norm_place(r.place)), r.township)
        if len(villages) != 1:
            bad.append(BadRow(r.line, f"{r.township}的村庄名录中没有“{short(village_part(norm_place(r.place)))}”"
                                      "：新增的隐患点须写明所在的村（社区）", shown))
            continue
        if r.code and r.code in codes:
            bad.append(BadRow(r.line, f"统一编号 {r.code} 与第 {codes[r.code]} 行重复", shown))
            continue
        if r.code:
            codes[r.code] = r.line
        out.append(RowMatch(r, RowOutcome.NEW, village_code=villages[0].code))
    return out


# ---- the service -------------------------------------------------------------------------------------------

def list_lists(store: Store) -> list[KeyList]:
    with store.db.read() as s:
        return store.db.key_lists.all(s)


def newest_list(store: Store) -> KeyList | None:
    with store.db.read() as s:
        return store.db.key_lists.newest(s)


def get_list(store: Store, year: int) -> KeyList:
    with store.db.read() as s:
        return list_of_year(store, s, year)


def list_of_year(store: Store, s: Session, year: int, purpose: str = "") -> KeyList:
    """The year's list, read in s; KeyListNotFound naming the years there are."""
    kl = store.db.key_lists.by_year(s, year)
    if kl is None:
        raise KeyListNotFound(year, [k.year for k in store.db.key_lists.all(s)], purpose=purpose)
    return kl


def list_entries(store: Store, year: int) -> list[KeyListEntry]:
    kl = get_list(store, year)
    with store.db.read() as s:
        return store.db.key_lists.entries(s, kl.id)


@dataclass(frozen=True)
class ListFile:
    """A county list as read: its rows and unreadable rows, and whether it has a 威胁对象 column."""
    name: str
    rows: tuple[ListRow, ...]
    bad: tuple[BadRow, ...]
    has_threatened: bool = True


def read_list(path: str | Path) -> ListFile:
    rows, bad = read_list_file(path)
    # A table without 威胁对象 leaves the points' threatened text as it is.
    has_threatened = any(r.threatened for r in rows)
    return ListFile(Path(path).name, tuple(rows), tuple(bad), has_threatened)


def _preview(store: Store, s, lf: ListFile, year: int, name: str, doc_no: str,
             choices: dict[int, int]) -> ListPreview:
    if store.db.key_lists.by_year(s, year) is not None:
        raise InvalidInput(f"{year}年的重点隐患点名单已经导入过了：同一年只有一份名单")
    newest = store.db.key_lists.newest(s)
    bad = list(lf.bad)
    matches = match_rows(store.db.points.all(s), list(lf.rows), choices, bad, has_threatened=lf.has_threatened)
    matches = check_new_rows(store.bundled, matches, bad)
    # A point a near row may turn out to be is not called dropped while the row waits for an answer.
    on_new = {m.point_seq for m in matches if m.point_seq is not None} | {
        c for m in matches if m.outcome is RowOutcome.NEAR for c in m.candidates}
    dropped = [seq for seq in store.db.key_lists.seqs(s, newest.id) if seq not in on_new] if newest else []
    bad.sort(key=lambda b: b.line)
    return ListPreview(year, name, doc_no, matches, dropped, bad,
                       becomes_current=newest is None or year >= newest.year)


def preview_list(store: Store, lf: ListFile, *, year: int, name: str, doc_no: str = "",
                 choices: dict[int, int] | None = None) -> ListPreview:
    """What importing would do; writes nothing."""
    year, name, doc_no = _check_header_fields(year, name, doc_no)
    with store.db.read() as s:
        return _preview(store, s, lf, year, name, doc_no, choices or {})


def _check_header_fields(year, name: str, doc_no: str) -> tuple[int, str, str]:
    year = check_year(year)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请给出名单名称，例如“2024年度重点地质灾害隐患点”")
    check_visible(name, "名单名称")
    doc_no = (doc_no or "").strip()
    if doc_no:
        check_visible(doc_no, "文号")
    return year, name, doc_no


def _outline(p: ListPreview) -> tuple:
    """What the user confirmed: each row's outcome and point, the dropped points."""
    return tuple((m.row.line, m.outcome, m.point_seq, m.changes) for m in p.rows), tuple(p.dropped)


def import_list(store: Store, lf: ListFile, *, year: int, name: str, doc_no: str = "",
                choices: dict[int, int] | None = None, expect: ListPreview | None = None,
                by: str | None = None) -> tuple[ListPreview, Changes]:
    """Apply the list in one transaction: new points added, the points' current monitor, phone and
    threatened text updated (when this is the newest year), the list and its entries recorded.
    Refused (nothing written) while any row is unreadable or waits for a choice. expect: the
    preview the user confirmed; if the data changed since, StaleEdit and nothing is written."""
    year, name, doc_no = _check_header_fields(year, name, doc_no)
    choices = dict(choices or {})
    who, at = by or current_user(), now_iso()
    with store.db.write() as tx:
        preview = _preview(store, tx, lf, year, name, doc_no, choices)
        if expect is not None and _outline(expect) != _outline(preview):
            raise StaleEdit(f"{year}年名单的预览")
        if not preview.ready:
            return preview, Changes()
        done = _apply(store, tx, preview, who, at)
    touched = frozenset(done.added) | frozenset(done.before)
    label = f"导入{year}年重点隐患点名单（{len(preview.rows)} 处）"

    def undo() -> Changes:
        return _undo(store, done, year, label, redo=lambda: import_list(
            store, lf, year=year, name=name, doc_no=doc_no, choices=choices, by=by)[1])
    return preview, Changes(points=touched | frozenset(m.point_seq for m in preview.rows if m.point_seq),
                            label=label, undo=undo)


@dataclass(frozen=True)
class _Applied:
    list_id: int
    added: tuple[int, ...]                                  # seqs of the points this import created
    before: dict[int, tuple[str, str, str]]                 # seq -> (monitor, phone, threatened) before
    after: dict[int, tuple[str, str, str]]


def _apply(store: Store, tx, preview: ListPreview, who: str, at: str) -> _Applied:
    points = store.db.points
    added: list[int] = []
    before: dict[int, tuple[str, str, str]] = {}
    after: dict[int, tuple[str, str, str]] = {}
    entries: list[KeyListEntry] = []
    for m in preview.rows:
        r = m.row
        seq = m.point_seq
        if m.outcome is RowOutcome.NEW:
            point = _new_point(store, points.next_seq(tx), m, preview.year)
            _insert(store, tx, point, PointAction.ADD, who)
            seq = point.seq
            added.append(seq)
        elif m.outcome is RowOutcome.CHANGED and preview.becomes_current:
            p = points.get(tx, seq)
            new = {f: value for f, _, value in m.changes}
            values = (new.get("monitor", p.monitor), new.get("phone", p.phone), new.get("threatened", p.threatened))
            before[seq], after[seq] = (p.monitor, p.phone, p.threatened), values
            _set_current(store, tx, p, values, who, at)
        threatened = r.threatened if r.threatened else points.get(tx, seq).threatened
        entries.append(KeyListEntry(0, seq, r.row_no, r.township, r.place, threatened, r.monitor, r.phone))
    list_id = store.db.key_lists.add(tx, year=preview.year, name=preview.name, doc_no=preview.doc_no, by=who,
                                     at=at, entries=entries)
    return _Applied(list_id, tuple(added), before, after)


def _new_point(store: Store, seq: int, m: RowMatch, year: int) -> HazardPoint:
    """A register point for a new row: township and 村组 as the list writes them, drawn where the
    register draws any new point (its village's centre, else its township's: services/register.py)."""
    r = m.row
    village = store.bundled.village_by_code(m.village_code)
    lon, lat, precision, source = _first_position(store, r.township, m.village_code)
    place = norm_place(r.place)
    group = place[len(village.name):] if village is not None and place.startswith(village.name) else ""
    return HazardPoint(seq=seq, township=r.township, village_group=r.place, village_code=m.village_code,
                       threatened=r.threatened, hazard_type="", monitor=r.monitor, phone=r.phone, lon=lon, lat=lat,
                       precision=precision, source=f"{source}（{year}年重点隐患点名单导入）",
                       unified_code=r.code, place=group)


def _set_current(store: Store, tx, p: HazardPoint, values: tuple[str, str, str], who: str, at: str) -> None:
    monitor, phone, threatened = values
    if (monitor, phone) != (p.monitor, p.phone):
        store.db.points.set_monitor(tx, p.seq, monitor, phone)
        store.db.points.add_monitor_change(tx, p.seq, old_name=p.monitor, old_phone=p.phone, new_name=monitor,
                                           new_phone=phone, by=who, at=at)
    if threatened != p.threatened:
        store.db.points.update_fields(tx, p.seq, {"threatened": threatened})
        store.db.points.add_point_change(tx, p.seq, PointAction.EDIT, {"threatened": [p.threatened, threatened]},
                                         by=who, at=at)


def _undo(store: Store, done: _Applied, year: int, label: str, redo) -> Changes:
    """Take the import back in one transaction: refused (StaleEdit) if a point it touched was edited
    since, or a point it added has been used since (a patrol log, a correction)."""
    who, at = current_user(), now_iso()
    points = store.db.points
    with store.db.write() as tx:
        kl = store.db.key_lists.by_year(tx, year)
        if kl is None or kl.id != done.list_id:
            raise StaleEdit(f"{year}年重点隐患点名单")
        for seq, values in done.after.items():
            p = points.get(tx, seq)
            if p is None or (p.monitor, p.phone, p.threatened) != values:
                raise StaleEdit(f"第 {seq} 号隐患点的监测人或威胁对象")
        store.db.key_lists.delete(tx, done.list_id)
        for seq in done.added:
            if points.has_history(tx, seq):
                raise StaleEdit(f"新增的第 {seq} 号隐患点（之后已有巡查、位置或其他记录）")
        for seq, values in done.before.items():
            _set_current(store, tx, points.get(tx, seq), values, who, at)
        for seq in done.added:
            gone = {**points.get(tx, seq).field_values(), "status": points.get(tx, seq).status.value}
            points.delete(tx, seq)
            points.add_point_change(tx, seq, PointAction.REMOVE,
                                    {k: [v, None] for k, v in gone.items() if v not in (None, "")}, by=who, at=at)
    return Changes(points=frozenset(done.added) | frozenset(done.before), label=label, undo=redo)


def parse_choices(items: Iterable[str]) -> dict[int, int]:
    """ROW=POINT (or ROW=新 / ROW=new for a new point) -> {row: seq or NEW}."""
    out: dict[int, int] = {}
    for item in items:
        line, sep, point = str(item).partition("=")
        point = point.strip()
        if not sep or not line.strip().isdigit():
            raise InvalidInput(f"应写成 行号=隐患点编号（或 行号=新），例如 5=12；“{item}”不是")
        if point in ("新", "新增", "new"):
            out[int(line)] = NEW
        elif point.isdigit():
            out[int(line)] = int(point)
        else:
            raise InvalidInput(f"应写成 行号=隐患点编号（或 行号=新），例如 5=12；“{item}”不是")
    return out


__all__ = ["ListFile", "NEW", "YEAR_MAX", "YEAR_MIN", "check_year", "get_list", "import_list", "list_entries", "list_lists",
           "newest_list", "parse_choices", "preview_list", "read_list", "read_list_file"]
