"""Importing rain readings from a gauge export (.csv / .xlsx, read by services/spreadsheet.py).

Columns: the site (站码, or 站名 / 村名 of a site's village, or the site number), the time, and either the
rain of the interval (雨量 / 时段雨量 / 降雨量, mm) or a cumulative counter (累计雨量, converted to amounts).
The file's time zone: a header that names it ("时间（北京时间）", "时间(UTC)") or what the importer states
(Beijing time unless told). The interval: a header that names it (5分钟 / 小时 / 日雨量), else the most common
step between one site's times in the file; a bare date is a day's total.

Reported by row (the row numbers a person sees in Excel): unknown sites, bad times and numbers, negative
amounts, more than 200 mm in an hour, duplicates, values that differ from stored readings; gaps between
a site's times are reported as notices. Nothing is imported while a row is bad unless skip_bad; readings
already stored with the same value are left alone, so the same file twice changes nothing. The whole
import is one step with one undo.
"""
from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any, NamedTuple, Sequence

import numpy as np

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, NotFound
from hazardmap.domain.rain import BEIJING, fmt_mm, fmt_time, parse_offset, parse_time
from hazardmap.domain.rain_gauges import RainGaugeSite
from hazardmap.services import rain
from hazardmap.services.spreadsheet import BadRow, read_columns
from hazardmap.services.store import Store

MAX_ROWS = 2_000_000      # a year of hourly readings for 100 gauges is 876,000 rows

_SITE_CODE = ("站码", "测站编码", "站点编码", "站号", "测站编号", "站点编号", "stcd")
_SITE_NAME = ("站名", "测站名称", "站点名称", "站点", "村名", "村", "村（社区）", "村(社区)", "雨量站", "测站")
_TIME = ("时间", "观测时间", "日期", "时段", "日期时间", "采集时间", "时间段", "tm")
_MM = ("雨量", "降雨量", "时段雨量", "降水量", "时段降水量", "雨量mm", "drp")
_CUM = ("累计雨量", "累计降雨量", "累积雨量", "累计降水量")
_INTERVALS = {"5分钟": 5, "五分钟": 5, "小时": 60, "1小时": 60, "逐时": 60, "日": 1440, "逐日": 1440}


def _norm(text: str) -> str:
    return re.sub(r"[\s()（）\[\]【】/:：_-]|mm|毫米", "", text.lower())


def _zone_of(header: str) -> timezone | None:
    m = re.search(r"[（(]([^（）()]*)[)）]", header)
    if not m:
        return None
    inner = m[1].strip()
    if "北京" in inner or "UTC+8" in inner.upper():
        return BEIJING
    try:
        return parse_offset(inner)
    except InvalidInput:
        return None


def _interval_of(header: str) -> int | None:
    h = header.replace(" ", "")
    for word, minutes in _INTERVALS.items():
        if h.startswith(word) or f"({word}" in h or f"（{word}" in h:
            return minutes
    return None


def _column(header: str) -> str | None:
    n = _norm(header)
    if any(n == _norm(c) for c in _CUM) or n.startswith("累计"):
        return "cum"
    if any(n == _norm(c) for c in _SITE_CODE):
        return "code"
    if any(n == _norm(c) for c in _SITE_NAME):
        return "name"
    base = re.sub(r"[（(].*?[)）]", "", header).strip()
    if any(_norm(base) == _norm(c) for c in _TIME) or n.startswith("时间"):
        return "time"
    if n.endswith("雨量") or n.endswith("降水量") or any(n == _norm(c) for c in _MM):
        return "mm"
    return None


class PlannedReading(NamedTuple):
    """A plain tuple (a year of hourly readings for 100 gauges is 876,000 of them)."""
    line: int
    site: int
    ts: int
    mm: float
    minutes: int


class PlannedReadings(Sequence[PlannedReading]):
    """The good readings of a file, kept as columns (by site, then time): a year of hourly readings for
    100 gauges is 876,000 of them, and a tuple object each is most of a second. Indexing gives a
    PlannedReading; rows() the (site, ts, mm, minutes) tuples rain.add_readings takes."""

    def __init__(self, lines=(), sites=(), ts=(), mm=(), minutes=()) -> None:
        self.lines, self.sites, self.ts, self.mm, self.minutes = (list(c) for c in (lines, sites, ts, mm, minutes))

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return PlannedReading(self.lines[i], self.sites[i], self.ts[i], self.mm[i], self.minutes[i])

    def __iter__(self):
        return map(PlannedReading, self.lines, self.sites, self.ts, self.mm, self.minutes)

    def keys(self) -> list[tuple[int, int]]:
        return list(zip(self.sites, self.ts))

    def rows(self) -> list[tuple[int, int, float, int]]:
        return list(zip(self.sites, self.ts, self.mm, self.minutes))

    def only(self, keep: list[bool]) -> "PlannedReadings":
        return PlannedReadings(*([v for v, k in zip(c, keep) if k] for c in
                                 (self.lines, self.sites, self.ts, self.mm, self.minutes)))


@dataclass
class RainImportPlan:
    path: Path
    zone: str                                   # how times were read, in words
    interval: str                               # what the amounts are, in words
    readings: PlannedReadings = field(default_factory=PlannedReadings)    # new, good; by site then time
    unchanged: int = 0                          # already stored with the same value
    bad: list[BadRow] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)   # gaps, baselines of counters
    sites: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.bad


def _zone_words(tz: timezone) -> str:
    if tz is BEIJING or tz.utcoffset(None).total_seconds() == 8 * 3600:
        return "北京时间（UTC+8）"
    return f"{tz.tzname(None)}（已换算为北京时间）"


def _codes(column: list[Any], read) -> tuple[list[int], list[Any]]:
    """Each distinct cell of a column read once: (per row, an index into the results; the results, where
    a result is the value or the InvalidInput it raised). Times repeat once per site, amounts (0, 0.5 …)
    on most rows: a year of hourly readings for 100 gauges has 8,760 distinct times in 876,000 rows."""
    distinct = list(dict.fromkeys(column))          # in C: no Python step per row
    index = {value: i for i, value in enumerate(distinct)}
    results: list[Any] = []
    for value in distinct:
        try:
            results.append(read(value))
        except InvalidInput as exc:
            results.append(exc)
    return list(map(index.__getitem__, column)), results


def check_file(store: Store, path: str | Path, *, tz: str | None = None, interval: int | None = None) -> RainImportPlan:
    """Read and check a file; nothing is written.

    The checks run on whole columns (numpy, which geopandas already brings) and once per distinct cell or
    per site, not once per row: a year of hourly readings for 100 gauges is checked in a few seconds. Only
    the rows found bad are then looked at one by one, to say why."""
    path = Path(path)

    table = read_columns(path, _column, anchor="time", max_rows=MAX_ROWS,
                         no_header=f"“{path.name}”中找不到“时间”列：雨量表应有 站码（或站名/村名）、时间、雨量 三列",
                         describe=_describe)
    keys = set(table.headers)
    if not keys & {"code", "name"}:
        raise InvalidInput(f"“{path.name}”中找不到站点列：请用“站码”或“站名”/“村名”列标明是哪个雨量站")
    if not keys & {"mm", "cum"}:
        raise InvalidInput(f"“{path.name}”中找不到雨量列：请用“雨量”（每时段毫米数）或“累计雨量”列")
    if {"mm", "cum"} <= keys:
        raise InvalidInput(f"“{path.name}”同时有“雨量”和“累计雨量”两列：请只保留一列后再导入")
    cumulative = "cum" in keys
    amount_key = "cum" if cumulative else "mm"
    time_header = table.headers["time"]
    zone = _zone_of(time_header)
    stated = parse_offset(tz) if tz else None
    if zone is not None and stated is not None and zone.utcoffset(None) != stated.utcoffset(None):
        raise InvalidInput(f"表头“{time_header}”写的时区与指定的时区 {tz} 不一致：请确认后再导入")
    zone = zone or stated or BEIJING
    given = interval or _interval_of(table.headers[amount_key])
    plan = RainImportPlan(path, _zone_words(zone), "")
    plan.bad.extend(table.bad)

    with store.db.read() as s:
        sites = store.db.rain_gauges.all(s)

    def site_of(key: Any) -> RainGaugeSite:
        text = str(int(key) if isinstance(key, float) and key.is_integer() else key or "").strip()
        try:
            found = rain.find_site(store, text, sites)
        except NotFound as exc:
            raise InvalidInput(str(exc)) from None
        if found.retired:
            raise InvalidInput(f"{found.slot}号站已撤除，不能再导入读数")
        return found

    n = len(table.lines)
    codes = table.values.get("code") or [None] * n
    names = table.values.get("name") or [None] * n
    site_keys = [c if c not in (None, "") else nm for c, nm in zip(codes, names)] if "name" in keys else codes

    # 1. each distinct site, time and amount once; the rows that fail, one by one with their reason
    site_i, site_r = _codes(site_keys, site_of)
    time_i, time_r = _codes(table.values["time"], lambda t: parse_time(t, zone))
    num_i, num_r = _codes(table.values[amount_key], _number)
    site_bad = np.array([isinstance(r, Exception) for r in site_r], bool)[site_i] if n else np.zeros(0, bool)
    time_bad = np.array([isinstance(r, Exception) for r in time_r], bool)[time_i] if n else np.zeros(0, bool)
    num_val = np.array([math.nan if r is None or isinstance(r, Exception) else r for r in num_r], float)
    num_err = np.array([isinstance(r, Exception) for r in num_r], bool)
    num_none = np.array([r is None for r in num_r], bool)
    num_i_a = np.asarray(num_i, dtype=np.intp)
    value = num_val[num_i_a] if n else np.zeros(0)
    with np.errstate(invalid="ignore"):
        negative = value < 0
    bad_rows = site_bad | time_bad | num_err[num_i_a] | num_none[num_i_a] | negative if n else np.zeros(0, bool)
    lines = table.lines
    columns = table.values
    for i in np.flatnonzero(bad_rows).tolist():
        v = {k: columns[k][i] for k in columns}
        if site_bad[i]:
            reason = str(site_r[site_i[i]])
        elif time_bad[i]:
            reason = str(time_r[time_i[i]])
        elif num_err[num_i[i]]:
            reason = str(num_r[num_i[i]])
        elif num_none[num_i[i]]:
            reason = "雨量为空（无雨请写 0）"
        else:
            reason = f"雨量为负数（{fmt_mm(float(value[i]))} mm）"
        plan.bad.append(BadRow(lines[i], reason, _describe(v)))

    good = np.flatnonzero(~bad_rows)
    slot_of = np.array([0 if isinstance(r, Exception) else r.slot for r in site_r], np.int64)
    ts_of = np.array([0 if isinstance(r, Exception) else r[0] for r in time_r], np.int64)
    day_of_ = np.array([False if isinstance(r, Exception) else r[1] for r in time_r], bool)
    line_a = np.asarray(lines, np.int64)[good]
    slot_a = slot_of[np.asarray(site_i, np.intp)[good]] if n else np.zeros(0, np.int64)
    time_ix = np.asarray(time_i, np.intp)[good]
    ts_a, date_a = ts_of[time_ix], day_of_[time_ix]
    val_a = value[good]
    order = np.lexsort((line_a, ts_a, slot_a))
    line_a, slot_a, ts_a, date_a, val_a = line_a[order], slot_a[order], ts_a[order], date_a[order], val_a[order]

    # 2. per site, in time order: duplicates, interval, counters, gaps, the 200 mm/h check
    same = np.zeros(len(order), bool)
    same[1:] = (slot_a[1:] == slot_a[:-1]) & (ts_a[1:] == ts_a[:-1])
    for i in np.flatnonzero(same).tolist():
        first = i
        while same[first]:
            first -= 1
        a, b = float(val_a[first]), float(val_a[i])
        how = "相同" if abs(a - b) < 1e-9 else f"不同（{fmt_mm(a)} 与 {fmt_mm(b)} mm）"
        plan.bad.append(BadRow(int(line_a[i]), f"与第 {int(line_a[first])} 行是同一站点同一时间，重复；雨量{how}",
                               f"{int(slot_a[i])}号站 {fmt_time(int(ts_a[i]))}"))
    keep = ~same
    line_a, slot_a, ts_a, date_a, val_a = line_a[keep], slot_a[keep], ts_a[keep], date_a[keep], val_a[keep]
    bounds = np.flatnonzero(np.diff(slot_a)) + 1
    segments = list(zip([0, *bounds.tolist()], [*bounds.tolist(), len(slot_a)]))
    segments.sort(key=lambda se: int(line_a[se[0]:se[1]].min()))   # sites in the order the file names them
    described = []
    out: list[tuple[np.ndarray, ...]] = []
    for lo, hi in segments:
        slot = int(slot_a[lo])
        t, v, ln, d = ts_a[lo:hi], val_a[lo:hi], line_a[lo:hi], date_a[lo:hi]
        step_min = given or (1440 if d[0] else _most_common_step(t) // 60 if hi - lo > 1 else 60)
        if not 1 <= step_min <= 1440:
            step_min = 60
        described.append(step_min)
        minutes = np.where(d, 1440, step_min).astype(np.int64)
        if cumulative:
            plan.notices.append(f"{slot}号站：第 {int(ln[0])} 行是累计雨量的起点（{fmt_mm(float(v[0]))} mm），本身不计为雨量")
            diff = v[1:] - v[:-1]
            reset = diff < -1e-9
            for j in np.flatnonzero(reset).tolist():
                plan.bad.append(BadRow(int(ln[j + 1]), f"累计雨量比上一行（第 {int(ln[j])} 行，{fmt_mm(float(v[j]))} mm）小："
                                       "计数器可能被清零，请拆分文件或改为时段雨量", f"{slot}号站 {fmt_time(int(t[j + 1]))}"))
            minutes = np.clip((t[1:] - t[:-1]) // 60, 1, 1440)[~reset]
            v = np.maximum(diff, 0.0)[~reset]
            t, ln = t[1:][~reset], ln[1:][~reset]
        else:
            gaps = np.flatnonzero(t[1:] - t[:-1] > minutes[1:] * 60)
            for j in gaps.tolist():
                t1, t2, n2 = int(t[j]), int(t[j + 1]), int(minutes[j + 1])
                plan.notices.append(f"{slot}号站：第 {int(ln[j])} 行与第 {int(ln[j + 1])} 行之间缺测 "
                                    f"{(t2 - t1) // (n2 * 60) - 1} 个时段（{fmt_time(t1)} 至 {fmt_time(t2)}）")
        # Amounts to 0.001 mm as round() gives them; np.round alone may differ from it on a tie past the
        # third decimal, so only the readings it changes are rounded again one by one.
        mm = np.round(v, 3)
        for j in np.flatnonzero(mm != v).tolist():
            mm[j] = round(float(v[j]), 3)
        # more than 200 mm in any hour: one reading, or the sub-hour readings of a rolling hour
        too_much = mm > rain.MAX_MM_PER_HOUR * np.maximum(minutes, 60) / 60 + 1e-9
        for j in np.flatnonzero(too_much).tolist():
            plan.bad.append(BadRow(int(ln[j]), f"雨量 {fmt_mm(float(mm[j]))} mm（{_interval_words(int(minutes[j]))}）超过"
                                   f"每小时 {int(rain.MAX_MM_PER_HOUR)} mm，不像是真实读数", f"{slot}号站 {fmt_time(int(t[j]))}"))
        ok = ~too_much
        short = np.flatnonzero(ok & (minutes < 60))
        if len(short):
            window: deque[tuple[int, float]] = deque()
            total = 0.0
            for j in short.tolist():
                ts, x = int(t[j]), float(mm[j])
                window.append((ts, x))
                total += x
                while window and window[0][0] <= ts - 3600:
                    total -= window.popleft()[1]
                if total > rain.MAX_MM_PER_HOUR + 1e-9:
                    ok[j] = False
                    plan.bad.append(BadRow(int(ln[j]), f"到此行为止的 1 小时内雨量共 {fmt_mm(total)} mm，超过 "
                                           f"{int(rain.MAX_MM_PER_HOUR)} mm，不像是真实读数", f"{slot}号站 {fmt_time(ts)}"))
        out.append((ln[ok], np.full(int(ok.sum()), slot), t[ok], mm[ok], minutes[ok]))
    plan.interval = ("累计雨量（换算为各时段雨量）" if cumulative else
                     "、".join(sorted({_interval_words(m) for m in described})) + "雨量") if described else "—"
    out.sort(key=lambda o: int(o[1][0]) if len(o[1]) else 0)
    columns_out = [np.concatenate(c).tolist() for c in zip(*out)] if out else [[]] * 5
    readings = PlannedReadings(*columns_out)

    # 3. against what is stored
    with store.db.read() as s:
        stored = store.db.rain.existing(s, readings.keys())
    fresh = readings
    if stored:
        # A file imported again: most rows are stored already; compared as columns, the differing ones named.
        olds = list(map(stored.get, readings.keys()))
        keep = [old is None for old in olds]
        again = [i for i, old in enumerate(olds) if old is not None]
        old_mm = np.array([olds[i][0] for i in again], float)
        old_minutes = np.array([olds[i][1] for i in again], np.int64)
        new_mm = np.asarray(readings.mm, float)[again]
        same = (np.abs(old_mm - new_mm) < 1e-9) & (old_minutes == np.asarray(readings.minutes, np.int64)[again])
        plan.unchanged = int(same.sum())
        for j in np.flatnonzero(~same).tolist():
            r = readings[again[j]]
            plan.bad.append(BadRow(r.line, f"已有读数 {fmt_mm(olds[again[j]][0])} mm，与本行 {fmt_mm(r.mm)} mm 不同（如需更正，"
                                   "请先撤销原来的导入）", f"{r.site}号站 {fmt_time(r.ts)}"))
        fresh = readings.only(keep)
    plan.readings = fresh
    plan.sites = set(fresh.sites)
    plan.bad.sort(key=lambda b: b.line)
    return plan


def _most_common_step(t: np.ndarray) -> int:
    """The most common step between consecutive times (seconds); on a tie, the one met first."""
    steps, first, counts = np.unique(np.diff(t), return_index=True, return_counts=True)
    tied = np.flatnonzero(counts == counts.max())
    return int(steps[tied[np.argmin(first[tied])]])


def _interval_words(minutes: int) -> str:
    return {5: "每 5 分钟", 60: "每小时", 1440: "每日"}.get(minutes, f"每 {minutes} 分钟")


def _describe(v: dict[str, Any]) -> str:
    return " ".join(str(v.get(k) or "") for k in ("code", "name", "time")).strip()


def _number(value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"雨量“{value}”不是数字")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace("，", "").removesuffix("mm").strip())
        except ValueError:
            raise InvalidInput(f"雨量“{str(value)[:20]}”不是数字") from None
    if not math.isfinite(number):
        raise InvalidInput(f"雨量“{value}”不是有效的数字")
    return number


def apply(store: Store, plan: RainImportPlan, *, skip_bad: bool = False, by: str | None = None) -> Changes:
    """Write the plan's new readings as one step (all of them: refused while rows are bad unless skip_bad)."""
    if plan.bad and not skip_bad:
        raise InvalidInput(f"“{plan.path.name}”有 {len(plan.bad)} 行有问题，未导入任何读数："
                           + "；".join(str(b) for b in plan.bad[:5]) + ("……" if len(plan.bad) > 5 else ""))
    rows = plan.readings.rows()
    if not rows:
        return Changes()
    return rain.add_readings(store, rows, source=plan.path.name, by=by,
                             label=f"导入雨量“{plan.path.name}”（{len(rows)} 条）")


def import_file(store: Store, path: str | Path, *, tz: str | None = None, interval: int | None = None,
                skip_bad: bool = False, by: str | None = None) -> tuple[RainImportPlan, Changes]:
    plan = check_file(store, path, tz=tz, interval=interval)
    return plan, apply(store, plan, skip_bad=skip_bad, by=by)
