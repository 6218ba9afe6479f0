"""Patrol logs to and from the bureau's 台账: Excel (.xlsx: 汇总 + 巡查记录 + 说明 sheets) or CSV.

Export writes Chinese headers; --mask-phones masks monitors' phones for copies leaving the bureau.
Import takes the same layout back, read by services.spreadsheet as a person sees it in Excel: every
row is checked first, bad rows are reported with their row number and reason, and nothing is saved
if any row is bad (unless skip_bad). Rows equal to an entry already in the database (or the 回收站)
are recognised and not doubled.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol import (
    AT_FORMAT, AuditAction, Measurement, MeasureKind, PatrolDraft, PatrolEntry, SignObservation, check_draft,
    main_crack, merge_crack_column, normalise_sign, parse_judgement, parse_reading_mm,
)
from hazardmap.domain.patrol_text import entry_text
from hazardmap.domain.patrol_status import Judgement
from hazardmap.domain.points import mask_phone
from hazardmap.files import atomic_write, check_target
from hazardmap.services import patrol as patrol_service
from hazardmap.services.points import list_points
from hazardmap.services.spreadsheet import BadRow, Table, neutralise, read_table, whole_number, xlsx_cell
from hazardmap.services.store import Store, current_user, now_iso
from hazardmap.services.xlsx_scratch import scratch_in, write_only_workbook

ENTRY_SHEET = "巡查记录"
SUMMARY_SHEET = "汇总"
ABOUT_SHEET = "说明"

# JSON-ish key -> Chinese header, in column order.
ENTRY_COLUMNS: dict[str, str] = {
    "id": "记录编号", "point": "隐患点序号", "township": "乡镇（街道）", "village": "村组", "at": "巡查时间",
    "by": "巡查人", "weather": "天气", "rain_mm": "降雨量(mm)", "signs": "宏观迹象（部位、特征）",
    "crack_mm": "裂缝读数(mm)", "crack_change": "较上次变化(mm)", "other_measurements": "其他测量",
    "judgement": "判定", "action": "处置措施", "note": "备注", "photos": "照片",
    "monitor": "群测群防员", "phone": "联系电话", "recorded_by": "录入人", "recorded_at": "录入时间",
}
REQUIRED_ON_IMPORT = ("point", "at", "by", "judgement")
SUMMARY_COLUMNS = ("序号", "乡镇（街道）", "村组", "群测群防员", "联系电话", "巡查次数", "最近巡查时间", "最近判定",
                   "正常次数", "异常次数", "危险次数")
WIDTHS = {"id": 9, "point": 10, "township": 12, "village": 18, "at": 17, "by": 9, "weather": 8, "rain_mm": 10,
          "signs": 30, "crack_mm": 11, "crack_change": 12, "other_measurements": 24, "judgement": 6, "action": 16,
          "note": 24, "photos": 20, "monitor": 10, "phone": 14, "recorded_by": 9, "recorded_at": 22}


# ---- cell formats (export and import agree on these) --------------------------------------------

_SIGN_LINE = re.compile(r"^(?P<sign>[^（(]+?)\s*[（(]\s*部位[：:](?P<loc>.*?)[；;]\s*特征[：:](?P<feat>.*)[）)]\s*$")


def parse_signs_cell(text: str) -> tuple[SignObservation, ...]:
    out: dict[str, SignObservation] = {}
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = _SIGN_LINE.match(line)
        if m:
            s = normalise_sign(m["sign"])
            out.setdefault(s, SignObservation(s, m["loc"].strip(), m["feat"].strip()))
            continue
        for name in re.split(r"[,，、;；]+", line):
            if name.strip():
                s = normalise_sign(name)
                out.setdefault(s, SignObservation(s))
    return tuple(out.values())


_MEASURE_LINE = re.compile(r"^(?P<kind>裂缝计|埋桩|贴片)\s*(?P<label>[^：:]*?)\s*[：:]\s*(?P<value>.*)$")


def parse_measurements_cell(text: str) -> tuple[Measurement, ...]:
    out = []
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        m = _MEASURE_LINE.match(line)
        if not m:
            raise InvalidInput(f"其他测量“{line}”看不懂：应为如“埋桩 1号桩：12.5 mm”或“贴片 A：完好”")
        kind = MeasureKind.parse(m["kind"])
        reading, intact = None, None
        for part in re.split(r"[，,]", m["value"]):
            part = part.strip()
            if not part:
                continue
            if part in ("完好", "破坏"):
                intact = part == "完好"
            else:
                reading = parse_reading_mm(part, f"{kind.label}读数")
        out.append(Measurement(kind, m["label"].strip(), reading, intact))
    return tuple(out)


# ---- export --------------------------------------------------------------------------------------

def _entry_record(e: PatrolEntry, point, mask: bool) -> dict:
    main = main_crack(e.measurements)
    text = entry_text(e)  # the same text as the patrol tab, the CLI and the printed form
    phone = point.phone if point else ""
    return {
        "id": e.id, "point": e.point_seq, "township": point.township if point else "",
        "village": point.village_group if point else "", "at": e.at, "by": e.by, "weather": e.weather,
        "rain_mm": e.rain_mm, "signs": text.signs_detail,
        "crack_mm": main.reading_mm if main else None, "crack_change": main.change_mm if main else None,
        "other_measurements": "\n".join(text.other_measurements), "judgement": text.judgement,
        "action": e.action, "note": e.note, "photos": "\n".join(e.photos),
        "monitor": point.monitor if point else "", "phone": mask_phone(phone) if mask and phone else phone,
        "recorded_by": e.recorded_by, "recorded_at": e.recorded_at,
    }


@dataclass(frozen=True)
class ExportResult:
    path: Path
    entries: int
    points: int


def export_logs(store: Store, out: str | Path, *, point: int | None = None, since: str | None = None,
                until: str | None = None, mask_phones: bool = False, force: bool = False) -> ExportResult:
    """An existing file at out is kept (FileExists) unless force: the 台账 a user keeps is never replaced unasked."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InvalidInput(f"导出文件“{out.name}”的扩展名应为 .xlsx 或 .csv")
    check_target(out, force=force)  # before reading 100,000 entries
    entries = patrol_service.list_entries(store, point=point, since=since, until=until)
    entries.reverse()  # a 台账 reads oldest first
    points = {p.seq: p for p in list_points(store)}
    records = [_entry_record(e, points.get(e.point_seq), mask_phones) for e in entries]
    with atomic_write(out, force=force) as partial:
        if suffix == ".csv":
            _write_csv(partial, records)
        else:
            with scratch_in(partial.parent):  # openpyxl's scratch files: beside the export, not in the system temp
                _write_xlsx(partial, records, entries, points, point=point, since=since, until=until,
                            mask=mask_phones)
    return ExportResult(out, len(entries), len({e.point_seq for e in entries}))


def _write_csv(path: Path, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens it as UTF-8
        w = csv.writer(f)
        w.writerow(ENTRY_COLUMNS.values())
        for r in records:  # typed text never starts like a formula in Excel (OWASP's CSV injection)
            w.writerow(["" if r[k] is None else neutralise(r[k]) if isinstance(r[k], str) else r[k]
                        for k in ENTRY_COLUMNS])


def _summary_rows(entries, points, point: int | None, mask: bool) -> list[list]:
    by_point: dict[int, list[PatrolEntry]] = {}
    for e in entries:
        by_point.setdefault(e.point_seq, []).append(e)
    seqs = [point] if point is not None else sorted(points)
    rows = []
    for seq in seqs:
        p = points[seq]
        es = by_point.get(seq, [])
        counts = Counter(e.judgement for e in es)
        last = es[-1] if es else None  # entries are oldest first
        rows.append([seq, p.township, p.village_group, p.monitor, mask_phone(p.phone) if mask and p.phone else p.phone,
                     len(es), last.at if last else "未巡查", last.judgement.value if last else "",
                     counts[Judgement.NORMAL], counts[Judgement.ABNORMAL], counts[Judgement.DANGER]])
    return rows


def _write_xlsx(path: Path, records, entries, points, *, point, since, until, mask) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = write_only_workbook()  # streams rows: 100,000 entries without holding cell objects
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")

    def header(ws, titles):
        cells = []
        for t in titles:
            c = WriteOnlyCell(ws, value=t)
            c.font = bold
            cells.append(c)
        ws.append(cells)

    summary = wb.create_sheet(SUMMARY_SHEET)
    summary.freeze_panes = "A2"
    for i, w in enumerate((6, 12, 20, 10, 14, 9, 17, 9, 9, 9, 9), start=1):
        summary.column_dimensions[get_column_letter(i)].width = w
    header(summary, SUMMARY_COLUMNS)
    for row in _summary_rows(entries, points, point, mask):
        summary.append([xlsx_cell(summary, v) for v in row])  # a monitor named "=…" stays text

    ws = wb.create_sheet(ENTRY_SHEET)
    ws.freeze_panes = "A2"
    keys = list(ENTRY_COLUMNS)
    for i, k in enumerate(keys, start=1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[k]
    header(ws, ENTRY_COLUMNS.values())
    multiline = {keys.index(k) for k in ("signs", "other_measurements", "photos", "note")}
    for r in records:
        row = []
        for i, k in enumerate(keys):
            v = r[k]
            if v == "":
                v = None  # openpyxl skips empty cells: a third faster on 100,000 entries
            if i in multiline and v and ("\n" in v or len(v) > 20):
                row.append(xlsx_cell(ws, v, alignment=wrap))
            else:
                row.append(xlsx_cell(ws, v))  # typed text stays text: "=1+1" is no formula
        ws.append(row)

    about = wb.create_sheet(ABOUT_SHEET)
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 60
    scope = f"第 {point} 号隐患点" if point is not None else "全部隐患点"
    if since or until:
        scope += f"，{since or '最早'} 至 {until or '最近'}"
    for row in (("导出内容", "衡南县地质灾害隐患点巡查记录台账"), ("范围", scope), ("记录条数", len(records)),
                ("导出时间", now_iso()), ("导出人", current_user()),
                ("电话号码", "已脱敏（中间数字以*代替）" if mask else "未脱敏，含个人信息，请勿外传"),
                ("导入说明", "“巡查记录”表可用 hazardmap import logs 导回；必填列：隐患点序号、巡查时间、巡查人、判定。"
                           "宏观迹象每行一个，如“拉张裂缝（部位：后缘；特征：宽约2厘米）”；"
                           "其他测量每行一个，如“埋桩 1号桩：12.5 mm”“贴片 A：完好”。"
                           "记录编号、较上次变化、群测群防员、电话、录入人、录入时间仅供查看，导入时不读取。")):
        about.append([xlsx_cell(about, v) for v in row])
    wb.save(path)


# ---- import --------------------------------------------------------------------------------------

class ImportRejected(InvalidInput):
    """Some rows are bad and nothing was imported; .bad lists them."""

    def __init__(self, message: str, bad: list[BadRow]) -> None:
        super().__init__(message)
        self.bad = bad


@dataclass
class ImportResult:
    added: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, int | None]] = field(default_factory=list)  # (row, existing id or None)
    bad: list[BadRow] = field(default_factory=list)                        # skipped rows (skip_bad)
    changes: patrol_service.PatrolChanges = field(default_factory=patrol_service.PatrolChanges)


_HEADER_KEYS = {v: k for k, v in ENTRY_COLUMNS.items()}
# Headers staff may have typed by hand in their own sheets, matched whole. Not 序号: in a sheet of
# one's own that is usually a row counter (1, 2, 3 …), not the hazard point.
_HEADER_KEYS.update({"隐患点": "point", "隐患点编号": "point", "时间": "at", "巡查日期": "at",
                     "降雨量": "rain_mm", "雨量(mm)": "rain_mm", "宏观迹象": "signs", "裂缝读数": "crack_mm",
                     "判定结果": "judgement", "巡查结论": "judgement", "处置": "action"})


def _read_rows(path: Path) -> Table:
    """The rows a person sees under the header (of the 巡查记录 sheet, else the first visible sheet)."""
    table = read_table(path, _HEADER_KEYS.get, anchor="at", sheet=ENTRY_SHEET,
                       no_header=f"“{path.name}”中找不到表头（需要“巡查时间”等列）")
    missing = [ENTRY_COLUMNS[k] for k in REQUIRED_ON_IMPORT if k not in table.headers]
    if missing:
        raise InvalidInput(f"“{path.name}”缺少必填列：{'、'.join(missing)}")
    return table


def _text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _at_text(v) -> str:
    if isinstance(v, datetime):
        return v.strftime(AT_FORMAT)
    if isinstance(v, date):
        return v.strftime("%Y-%m-%d")
    return _text(v)


def _row_to_draft(values: dict, point_seqs: set[int]) -> PatrolDraft:
    seq = whole_number(values.get("point"), "隐患点序号")
    if seq not in point_seqs:
        raise InvalidInput(f"没有第 {seq} 号隐患点")
    measurements = merge_crack_column(parse_measurements_cell(_text(values.get("other_measurements"))),
                                      parse_reading_mm(_text(values.get("crack_mm")), "裂缝读数"))
    rain = _text(values.get("rain_mm"))
    draft = PatrolDraft(
        point_seq=seq, at=_at_text(values.get("at")), by=_text(values.get("by")),
        judgement=parse_judgement(_text(values.get("judgement"))), weather=_text(values.get("weather")),
        rain_mm=rain or None, signs=parse_signs_cell(_text(values.get("signs"))),
        measurements=tuple(measurements), action=_text(values.get("action")), note=_text(values.get("note")),
    )
    return check_draft(draft)


def import_logs(store: Store, path: str | Path, *, skip_bad: bool = False, by: str | None = None) -> ImportResult:
    """Add the file's new entries in one transaction (one undo moves them all to the 回收站)."""
    path = Path(path)
    table = _read_rows(path)
    with store.db.read() as s:
        seen = store.db.patrol.last_change(s)
    result, to_add = _classify(store, path, table, skip_bad)
    if to_add:
        by, at = by or current_user(), now_iso()
        with store.db.write() as tx:  # all rows or none
            if store.db.patrol.last_change(tx) != seen:  # entries changed meanwhile: check against them
                result, to_add = _classify(store, path, table, skip_bad)
            result.added = [patrol_service.insert_checked(store, tx, d, by=by, at=at, action=AuditAction.IMPORT)
                            for _, d in to_add]
        if result.added:
            label = f"导入巡查记录（{path.name}，{len(result.added)} 条）"
            result.changes = patrol_service.PatrolChanges(
                patrol_points=frozenset(d.point_seq for _, d in to_add), entry_ids=tuple(result.added), label=label,
                undo=lambda: patrol_service.move_to_bin(store, result.added, True, by=by, label=label))
    return result


def _classify(store: Store, path: Path, table: Table, skip_bad: bool
              ) -> tuple[ImportResult, list[tuple[int, PatrolDraft]]]:
    """Sort the rows into new, duplicates and bad, against the entries stored now."""
    with store.db.read() as s:
        point_seqs = set(store.db.points.seqs(s))
    # Existing entries (live and in the 回收站) by (point, time, patroller): the identity of a visit.
    existing: dict[tuple, list[PatrolEntry]] = {}
    for e in patrol_service.list_entries(store) + patrol_service.list_entries(store, binned=True):
        existing.setdefault((e.point_seq, e.at, e.by), []).append(e)
    result = ImportResult(bad=list(table.bad))
    to_add: list[tuple[int, PatrolDraft]] = []
    in_file: dict[tuple, tuple[int, PatrolDraft]] = {}
    for row_no, values in ((r.line, r.values) for r in table.rows):
        try:
            d = _row_to_draft(values, point_seqs)
        except InvalidInput as exc:
            result.bad.append(BadRow(row_no, str(exc)))
            continue
        key = (d.point_seq, d.at, d.by)
        same = [e for e in existing.get(key, []) if e.draft().content() == d.content()]
        if same:
            result.duplicates.append((row_no, same[0].id))
            continue
        if key in existing:
            ids = "、".join(str(e.id) for e in existing[key])
            result.bad.append(BadRow(row_no, f"与已有记录 {ids} 的隐患点、巡查时间、巡查人相同但内容不同"
                                             "（如需更改请在软件中修改该记录）"))
            continue
        if key in in_file:
            first_row, first = in_file[key]
            if first.content() == d.content():
                result.duplicates.append((row_no, None))
            else:
                result.bad.append(BadRow(row_no, f"与第 {first_row} 行的隐患点、巡查时间、巡查人相同但内容不同"))
            continue
        in_file[key] = (row_no, d)
        to_add.append((row_no, d))
    result.bad.sort(key=lambda b: b.line)
    if result.bad and not skip_bad:
        raise ImportRejected(f"“{path.name}”有 {len(result.bad)} 行有误，未导入任何记录", result.bad)
    return result, to_add
