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
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path
from typing import Any

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.rain import BEIJING, fmt_mm, fmt_time, parse_offset, parse_time
from hazardmap.domain.rain_gauges import RainGaugeSite
from hazardmap.services import rain
from hazardmap.services.spreadsheet import BadRow, read_table
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


@dataclass(frozen=True)
class PlannedReading:
    line: int
    site: int
    ts: int
    mm: float
    minutes: int


@dataclass
class RainImportPlan:
    path: Path
    zone: str                                   # how times were read, in words
    interval: str                               # what the amounts are, in words
    readings: list[PlannedReading] = field(default_factory=list)    # new, good
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


def check_file(store: Store, path: str | Path, *, tz: str | None = None, interval: int | None = None) -> RainImportPlan:
    """Read and check a file; nothing is written."""
    path = Path(path)
    headers: dict[str, str] = {}

    def columns(text: str) -> str | None:
        key = _column(text)
        if key:
            headers[key] = text
        return key

    table = read_table(path, columns, anchor="time", max_rows=MAX_ROWS,
                       no_header=f"“{path.name}”中找不到“时间”列：雨量表应有 站码（或站名/村名）、时间、雨量 三列",
                       describe=lambda v: " ".join(str(v.get(k) or "") for k in ("code", "name", "time")).strip())
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
    by_key: dict[str, RainGaugeSite | str] = {}

    def site_of(values: dict[str, Any]) -> RainGaugeSite:
        code = values.get("code")
        text = str(code if code not in (None, "") else values.get("name") or "").strip()
        if isinstance(code, float) and code.is_integer():
            text = str(int(code))
        if text not in by_key:
            try:
                by_key[text] = rain.find_site(store, text, sites)
            except InvalidInput as exc:
                by_key[text] = str(exc)
            except Exception as exc:  # NotFound
                by_key[text] = str(exc)
        found = by_key[text]
        if isinstance(found, str):
            raise InvalidInput(found)
        return found

    # 1. each row on its own: site, time, number
    parsed: list[tuple[int, int, int, float, bool]] = []     # line, site, ts, value, date_only
    # The same times (one per site) and amounts (0, 0.5 …) come back on many rows: each is read once.
    times: dict[Any, tuple[int, bool] | str] = {}
    numbers: dict[Any, float | None | str] = {}

    def cached(cache: dict, key: Any, fn):
        found = cache.get(key, cache)
        if found is cache:
            try:
                found = fn(key)
            except InvalidInput as exc:
                found = str(exc)
            cache[key] = found
        if isinstance(found, str):
            raise InvalidInput(found)
        return found

    for row in table.rows:
        v = row.values
        try:
            site = site_of(v)
            if site.retired:
                raise InvalidInput(f"{site.slot}号站已撤除，不能再导入读数")
            ts, date_only = cached(times, v.get("time"), lambda t: parse_time(t, zone))
            value = cached(numbers, v.get(amount_key), _number)
        except InvalidInput as exc:
            plan.bad.append(BadRow(row.line, str(exc), _describe(v)))
            continue
        if value is None:
            plan.bad.append(BadRow(row.line, "雨量为空（无雨请写 0）", _describe(v)))
            continue
        if value < 0:
            plan.bad.append(BadRow(row.line, f"雨量为负数（{fmt_mm(value)} mm）", _describe(v)))
            continue
        parsed.append((row.line, site.slot, ts, value, date_only))

    # 2. per site, in time order: interval, duplicates, counters, gaps, the 200 mm/h check
    by_site: dict[int, list[tuple[int, int, int, float, bool]]] = {}
    for p in parsed:
        by_site.setdefault(p[1], []).append(p)
    described = []
    for slot, rows in by_site.items():
        rows.sort(key=lambda r: (r[2], r[0]))
        kept: list[tuple[int, int, int, float, bool]] = []
        seen: dict[int, tuple[int, float]] = {}
        for r in rows:
            if r[2] in seen:
                first_line, first_value = seen[r[2]]
                same = "相同" if abs(first_value - r[3]) < 1e-9 else f"不同（{fmt_mm(first_value)} 与 {fmt_mm(r[3])} mm）"
                plan.bad.append(BadRow(r[0], f"与第 {first_line} 行是同一站点同一时间，重复；雨量{same}",
                                       f"{slot}号站 {fmt_time(r[2])}"))
                continue
            seen[r[2]] = (r[0], r[3])
            kept.append(r)
        steps = Counter(b[2] - a[2] for a, b in zip(kept, kept[1:]))
        step_min = given or (1440 if kept and kept[0][4] else (steps.most_common(1)[0][0] // 60 if steps else 60))
        if not 1 <= step_min <= 1440:
            step_min = 60
        described.append(step_min)
        amounts: list[tuple[int, int, float, int]] = []   # line, ts, mm, minutes
        previous = None
        for r in kept:
            line, _slot, ts, value, date_only = r
            minutes = 1440 if date_only else step_min
            if cumulative:
                if previous is None:
                    plan.notices.append(f"{slot}号站：第 {line} 行是累计雨量的起点（{fmt_mm(value)} mm），本身不计为雨量")
                    previous = r
                    continue
                diff = value - previous[3]
                if diff < -1e-9:
                    plan.bad.append(BadRow(line, f"累计雨量比上一行（第 {previous[0]} 行，{fmt_mm(previous[3])} mm）小："
                                           "计数器可能被清零，请拆分文件或改为时段雨量", f"{slot}号站 {fmt_time(ts)}"))
                    previous = r
                    continue
                minutes = max(1, min(1440, (ts - previous[2]) // 60))
                value = max(0.0, diff)
                previous = r
            amounts.append((line, ts, round(value, 3), minutes))
        # gaps
        for (l1, t1, _m1, _n1), (l2, t2, _m2, n2) in zip(amounts, amounts[1:]):
            if t2 - t1 > n2 * 60 and not cumulative:
                missing = (t2 - t1) // (n2 * 60) - 1
                plan.notices.append(f"{slot}号站：第 {l1} 行与第 {l2} 行之间缺测 {missing} 个时段"
                                    f"（{fmt_time(t1)} 至 {fmt_time(t2)}）")
        # more than 200 mm in any hour: one reading, or the sub-hour readings of a rolling hour
        window: deque[tuple[int, float]] = deque()
        total = 0.0
        for line, ts, mm, minutes in amounts:
            if mm > rain.MAX_MM_PER_HOUR * max(minutes, 60) / 60 + 1e-9:
                plan.bad.append(BadRow(line, f"雨量 {fmt_mm(mm)} mm（{_interval_words(minutes)}）超过每小时 "
                                       f"{int(rain.MAX_MM_PER_HOUR)} mm，不像是真实读数", f"{slot}号站 {fmt_time(ts)}"))
                continue
            if minutes < 60:
                window.append((ts, mm))
                total += mm
                while window and window[0][0] <= ts - 3600:
                    total -= window.popleft()[1]
                if total > rain.MAX_MM_PER_HOUR + 1e-9:
                    plan.bad.append(BadRow(line, f"到此行为止的 1 小时内雨量共 {fmt_mm(total)} mm，超过 "
                                           f"{int(rain.MAX_MM_PER_HOUR)} mm，不像是真实读数", f"{slot}号站 {fmt_time(ts)}"))
                    continue
            plan.readings.append(PlannedReading(line, slot, ts, mm, minutes))
    plan.interval = ("累计雨量（换算为各时段雨量）" if cumulative else
                     "、".join(sorted({_interval_words(m) for m in described})) + "雨量") if described else "—"

    # 3. against what is stored
    with store.db.read() as s:
        stored = store.db.rain.existing(s, [(r.site, r.ts) for r in plan.readings])
    fresh = []
    for r in plan.readings:
        old = stored.get((r.site, r.ts))
        if old is None:
            fresh.append(r)
        elif abs(old[0] - r.mm) < 1e-9 and old[1] == r.minutes:
            plan.unchanged += 1
        else:
            plan.bad.append(BadRow(r.line, f"已有读数 {fmt_mm(old[0])} mm，与本行 {fmt_mm(r.mm)} mm 不同（如需更正，请先撤销"
                                   "原来的导入）", f"{r.site}号站 {fmt_time(r.ts)}"))
    plan.readings = fresh
    plan.sites = {r.site for r in fresh}
    plan.bad.sort(key=lambda b: b.line)
    return plan


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
    rows = [(r.site, r.ts, r.mm, r.minutes) for r in plan.readings]
    if not rows:
        return Changes()
    return rain.add_readings(store, rows, source=plan.path.name, by=by,
                             label=f"导入雨量“{plan.path.name}”（{len(rows)} 条）")


def import_file(store: Store, path: str | Path, *, tz: str | None = None, interval: int | None = None,
                skip_bad: bool = False, by: str | None = None) -> tuple[RainImportPlan, Changes]:
    plan = check_file(store, path, tz=tz, interval=interval)
    return plan, apply(store, plan, skip_bad=skip_bad, by=by)
