"""Import the bureau's list of rain-gauge villages from an Excel sheet (.xlsx) or a .csv file.

The whole file is checked first; by default nothing is applied unless every row is good (one
transaction). Every village is resolved against the gazetteer (services.rain_gauges.find_village):
nothing is guessed. A name that exists in two townships is reported with its candidates, so a
front end can ask which township and run the import again with the answer in `choices`."""
from __future__ import annotations

import dataclasses

import re
from dataclasses import dataclass, field
from pathlib import Path

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import Ambiguous, HazardmapError, InvalidInput
from hazardmap.domain.rain_gauges import PROGRAMME_2023
from hazardmap.geodata.bundled import Village
from hazardmap.services import rain_gauges as svc
from hazardmap.services.spreadsheet import BadRow, read_table, short, whole_number
from hazardmap.services.store import Store, current_user, now_iso

# Whole header names (after _norm), not substrings: a title row "2023年雨量计安装村名单" or a data cell
# "檀市村" must not be taken for the header. Not 村民小组 (a group inside a village).
_VILLAGE_HEADER = re.compile(r"^(所在|安装|行政|所属)?(村|社区)(\(社区\)|\(居\)|庄|部|委会|\(居\)委会|民委员会)?"
                             r"(名|名称|代码|编码|区划代码)?$")
_TOWNSHIP_HEADER = re.compile(r"^(所在|所属)?(乡镇|乡|镇|街道|乡镇街道|乡镇\(街道\)|乡\(镇\)|镇\(街道\))(名|名称)?$")
_SLOT_HEADERS = ("站点编号", "站号", "站点序号", "雨量计编号", "站点号")
# Only when no column above is there: in a list that has both, 序号 is a row counter.
_WEAK_SLOT_HEADERS = {"编号": "slot", "序号": "slot"}


def _norm(text) -> str:
    """Header / cell text without spaces, full-width brackets made half-width."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)   # Excel keeps a 12-digit code or a slot number as a float
    s = str(text).strip().replace("\u3000", "").replace(" ", "")
    return s.replace("（", "(").replace("）", ")")


def _column_kind(header) -> str | None:
    h = _norm(header)
    if h in _SLOT_HEADERS:
        return "slot"
    if _TOWNSHIP_HEADER.match(h):
        return "township"
    if _VILLAGE_HEADER.match(h):
        return "village"
    return None


@dataclass(frozen=True)
class SheetRow:
    line: int            # the row number the user sees in Excel / the line in the csv file
    village: str         # a name or a 12-digit code, as written
    township: str | None
    slot: object         # as written (text, or a number from an Excel cell); checked later so a bad value
                         # becomes a bad row


@dataclass(frozen=True)
class Assignment:
    line: int
    slot: int
    village: Village
    unchanged: bool = False   # the slot already holds this village


@dataclass
class ImportReport:
    rows: int                                   # non-empty rows read
    assignments: list[Assignment] = field(default_factory=list)   # good rows (applied unless nothing was)
    bad: list[BadRow] = field(default_factory=list)
    applied: bool = False
    changes: Changes = field(default_factory=Changes)

    @property
    def ambiguous(self) -> list[BadRow]:
        return [b for b in self.bad if b.ambiguous]

    @property
    def new_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if not a.unchanged]


# ---------------------------------------------------------------------------------------------- reading

def read_sheet(path: str | Path) -> tuple[list[SheetRow], list[BadRow]]:
    """The rows under the header of the first visible sheet (xlsx) or of the csv file, and the rows
    refused while reading (hidden, invisible characters, formulas without a result …)."""
    path = Path(path)
    table = read_table(path, _column_kind, anchor="village", fallback=_WEAK_SLOT_HEADERS,
                       no_header="表中找不到村名列：表头应有“村”“村名”“村（社区）”“村委会”等列名",
                       describe=lambda values: _norm(values.get("township")) + _norm(values.get("village")))
    rows = []
    for r in table.rows:
        village = _norm(r.values.get("village"))
        if not village:   # blank lines, or a numbered template row not filled in yet
            continue
        slot = r.values.get("slot")
        rows.append(SheetRow(r.line, village, _norm(r.values.get("township")) or None,
                             None if slot is None or str(slot).strip() == "" else slot))
    return rows, table.bad


# ---------------------------------------------------------------------------------------------- checking

def _check(store: Store, rows: list[SheetRow], choices: dict[int, str],
           unreadable: list[BadRow]) -> tuple[list[Assignment], list[BadRow]]:
    """Resolve and check every row against the gazetteer and the current slots; the rows refused
    while reading are added to the bad ones."""
    every = svc.list_sites(store)
    # The list fills the 2023 programme's slots; a village whose gauge is in use elsewhere is taken.
    sites = {s.slot: s for s in every if s.batch == PROGRAMME_2023}
    total = len(sites)
    slot_of_village = {s.village_code: s.slot for s in every if s.village_code and not s.retired}
    bad: list[BadRow] = list(unreadable)
    resolved: list[tuple[SheetRow, Village, int | None]] = []
    seen_village: dict[str, int] = {}
    seen_slot: dict[int, int] = {}

    for row in rows:
        shown = short(f"{row.township}{row.village}" if row.township else row.village)
        township = row.township or choices.get(row.line)
        try:
            v = svc.find_village(store, row.village, township)
        except Ambiguous as exc:
            cands = tuple(exc.candidates)
            listing = "、".join(f"{c.township}{c.name}" for c in cands)
            bad.append(BadRow(row.line, f"重名：{listing}，请注明乡镇", shown, cands))
            continue
        except HazardmapError as exc:
            bad.append(BadRow(row.line, str(exc), shown))
            continue
        if township and v.township != township:   # a code given with a township that does not hold it
            bad.append(BadRow(row.line, f"代码 {v.code} 是{v.township}{v.name}，不在{township}", shown))
            continue
        slot = None
        if row.slot is not None:
            try:
                slot = whole_number(row.slot, "站点编号")
            except InvalidInput as exc:
                bad.append(BadRow(row.line, str(exc), shown))
                continue
            if slot not in sites:
                bad.append(BadRow(row.line, f"站点编号 {slot} 超出范围（共 {total} 个，编号 1～{total}）", shown))
                continue
        if v.code in seen_village:
            bad.append(BadRow(row.line, f"与第 {seen_village[v.code]} 行重复（{v.township}{v.name}）", shown))
            continue
        if slot is not None and slot in seen_slot:
            bad.append(BadRow(row.line, f"第 {slot} 号站点在第 {seen_slot[slot]} 行已出现", shown))
            continue
        current = slot_of_village.get(v.code)
        if current is not None and slot is not None and current != slot:
            bad.append(BadRow(row.line, f"{v.township}{v.name} 已是第 {current} 号站点；一个村只装一台", shown))
            continue
        if slot is not None and sites[slot].village_code not in (None, v.code):
            s = sites[slot]
            bad.append(BadRow(row.line, f"第 {slot} 号站点已指定为{s.township}{s.village}；如要更换请先清空该站点",
                              shown))
            continue
        seen_village[v.code] = row.line
        if slot is not None:
            seen_slot[slot] = row.line
        resolved.append((row, v, slot))

    # Rows without a slot fill the unassigned slots in order (skipping those the file names).
    # A village already on the list keeps its slot: importing the same list twice changes nothing.
    free = [n for n, s in sorted(sites.items()) if not s.assigned and n not in seen_slot]
    assignments: list[Assignment] = []
    for row, v, slot in resolved:
        current = slot_of_village.get(v.code)
        if slot is None and current is not None:
            assignments.append(Assignment(row.line, current, v, unchanged=True))
        elif slot is None:
            if not free:
                shown = short(f"{row.township}{row.village}" if row.township else row.village)
                left = sum(1 for s in sites.values() if not s.assigned)
                bad.append(BadRow(row.line, f"空余站点不足：只剩 {left} 个未落实站点，表中多出此行", shown))
                continue
            assignments.append(Assignment(row.line, free.pop(0), v))
        else:
            assignments.append(Assignment(row.line, slot, v, unchanged=current == slot))
    bad.sort(key=lambda b: b.line)
    return assignments, bad


def import_villages(store: Store, path: str | Path, *, skip_bad: bool = False, dry_run: bool = False,
                    choices: dict[int, str] | None = None, by: str | None = None) -> ImportReport:
    """Check the file and (unless dry_run) apply it in one transaction.

    choices: {row number: township} for rows whose village name exists in several townships.
    Without skip_bad nothing is applied when any row is bad."""
    rows, unreadable = read_sheet(path)
    if not rows and not unreadable:
        raise InvalidInput("表中没有村名：表头下面是空的")
    choices = choices or {}
    if dry_run:
        assignments, bad = _check(store, rows, choices, unreadable)
        return ImportReport(len(rows) + len(unreadable), assignments, bad)
    who, when = by or current_user(), now_iso()
    with store.db.write() as tx:
        # Checked inside the write transaction: no other window or command can take a slot meanwhile.
        assignments, bad = _check(store, rows, choices, unreadable)
        report = ImportReport(len(rows) + len(unreadable), assignments, bad)
        if bad and not skip_bad:
            return report
        sites = {s.slot: s for s in store.db.rain_gauges.all(tx)}
        before = [sites[a.slot] for a in report.new_assignments]
        after = [dataclasses.replace(sites[a.slot], village_code=a.village.code, village=a.village.name,
                                     township=a.village.township, lon=a.village.lon, lat=a.village.lat,
                                     assigned_by=who, assigned_at=when) for a in report.new_assignments]
        store.db.rain_gauges.put(tx, after)
    report.applied = bool(report.new_assignments)
    if report.applied:
        label = f"导入雨量计站点（{Path(path).name}，{len(after)} 个）"
        report.changes = Changes(
            rain_gauges=True, label=label,
            undo=lambda: svc.put_sites(store, before, expect=after, label=label))
    return report


def clear_slots(store: Store, slots: list[int]) -> Changes:
    """Empty several slots in one transaction (undoing an import)."""
    if not slots:
        return Changes()
    with store.db.write() as tx:
        store.db.rain_gauges.put(tx, [svc.emptied(svc.get_slot(store, tx, s)) for s in slots])
    return Changes(rain_gauges=True)
