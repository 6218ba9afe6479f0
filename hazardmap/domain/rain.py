"""Rainfall at the gauge sites and the threshold warnings it raises: plain Python, no Qt, no I/O.

- A reading is the rain (mm) that fell in the interval ending at `ts` (Unix seconds); intervals are
  5 minutes, an hour or a day as the source gives them. Times are shown in Beijing time (UTC+8, no
  daylight saving), the time of every Chinese gauge export.
- Windows: the rain of the last 1, 3, 6 and 24 hours, (T - w, T], and the effective rainfall of the
  day: the rain of T's calendar day so far plus k^i times the rain of the i-th earlier day, for i = 1..n
  (the antecedent-rain form of the published models; k and n are settings). A reading longer than a
  window (a day's total) never counts in that window: it cannot say how the rain fell inside it.
- A level fires when any window reaches its threshold (≥); the warning is the highest level that fires,
  and it says which windows fired and by how much ("24 小时累计 142 mm ≥ 黄色 130 mm").
"""
from __future__ import annotations

import enum
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from itertools import accumulate
from typing import Iterable, Mapping, Sequence

from hazardmap.domain.coordinates import distance_m
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.validation import number_in_range
from hazardmap.domain.settings import Stamped

BEIJING = timezone(timedelta(hours=8), "北京时间")
HOUR = 3600
DAY = 86400


class Level(enum.IntEnum):
    BLUE = 1
    YELLOW = 2
    ORANGE = 3
    RED = 4

    @property
    def label(self) -> str:          # 蓝 / 黄 / 橙 / 红
        return _LEVEL_TEXT[self]

    @property
    def colour_name(self) -> str:    # 蓝色 …, as the warnings are called
        return _LEVEL_TEXT[self] + "色"

    @property
    def colour(self) -> str:         # on screen and on paper
        return _LEVEL_COLOUR[self]


_LEVEL_TEXT = {Level.BLUE: "蓝", Level.YELLOW: "黄", Level.ORANGE: "橙", Level.RED: "红"}
_LEVEL_COLOUR = {Level.BLUE: "#1f6fd1", Level.YELLOW: "#e6b800", Level.ORANGE: "#f07c00", Level.RED: "#d7191c"}
NO_WARNING_COLOUR = "#3a9a3a"
NO_DATA_COLOUR = "#9e9e9e"


def parse_level(text: str | int | Level) -> Level:
    if isinstance(text, Level):
        return text
    t = str(text).strip().removesuffix("色").removesuffix("预警")
    for level, name in _LEVEL_TEXT.items():
        if t in (name, level.name.lower(), str(int(level))):
            return level
    raise InvalidInput(f"预警等级“{text}”不对：应为 蓝、黄、橙 或 红")


class Window(str, enum.Enum):
    H1 = "1h"
    H3 = "3h"
    H6 = "6h"
    H24 = "24h"
    EFFECTIVE = "eff"

    @property
    def hours(self) -> int | None:
        return _WINDOW_HOURS.get(self)

    @property
    def label(self) -> str:
        return _WINDOW_LABEL[self]


_WINDOW_HOURS = {Window.H1: 1, Window.H3: 3, Window.H6: 6, Window.H24: 24}
_WINDOW_LABEL = {Window.H1: "1 小时累计", Window.H3: "3 小时累计", Window.H6: "6 小时累计", Window.H24: "24 小时累计",
                 Window.EFFECTIVE: "有效降雨量"}
SUM_WINDOWS = (Window.H1, Window.H3, Window.H6, Window.H24)


def parse_window(text: str | Window) -> Window:
    if isinstance(text, Window):
        return text
    t = str(text).strip().lower().replace(" ", "").replace("小时", "h").removesuffix("累计")
    for w in Window:
        if t in (w.value, w.label.replace(" ", "")) or (w is Window.EFFECTIVE and t in ("有效", "有效雨量", "有效降雨")):
            return w
    raise InvalidInput(f"时段“{text}”不对：应为 1h、3h、6h、24h 或 eff（有效降雨量）")


# The shipped county table: rain-gauge thresholds (mm) published by 江华瑶族自治县, Hunan (another county),
# any one window triggers. Not Hengnan's standard; the bureau replaces them with its own. No published
# effective-rainfall threshold came with it, so that window starts unset.
JIANGHUA_SOURCE = "江华县公布值（他县数值，非衡南县标准）"
BUREAU_SOURCE = "本局设定"
JIANGHUA: dict[Level, dict[Window, float]] = {
    Level.BLUE: {Window.H1: 35, Window.H3: 55, Window.H6: 70, Window.H24: 100},
    Level.YELLOW: {Window.H1: 45, Window.H3: 75, Window.H6: 95, Window.H24: 130},
    Level.ORANGE: {Window.H1: 60, Window.H3: 100, Window.H6: 120, Window.H24: 160},
    Level.RED: {Window.H1: 80, Window.H3: 120, Window.H6: 150, Window.H24: 200},
}
COUNTY = 0   # the site number of the county-wide table


@dataclass(frozen=True)
class Threshold(Stamped):
    site: int          # COUNTY or a site's number (override)
    level: Level
    window: Window
    mm: float
    source: str = ""


@dataclass(frozen=True)
class ThresholdChange(Stamped):
    site: int
    level: Level
    window: Window
    old_mm: float | None
    new_mm: float | None


@dataclass(frozen=True)
class ThresholdTable:
    """The thresholds in force for one site: the county table with that site's overrides on top."""
    values: Mapping[tuple[Level, Window], Threshold]

    def get(self, level: Level, window: Window) -> Threshold | None:
        return self.values.get((level, window))

    def lowest(self, window: Window) -> float | None:
        found = [t.mm for (lv, w), t in self.values.items() if w is window]
        return min(found) if found else None


def table_for(site: int, thresholds: Iterable[Threshold]) -> ThresholdTable:
    county = {(t.level, t.window): t for t in thresholds if t.site == COUNTY}
    county.update({(t.level, t.window): t for t in thresholds if t.site == site and site != COUNTY})
    return ThresholdTable(county)


def check_threshold_mm(value: float | str) -> float:
    try:
        mm = float(str(value).strip().removesuffix("mm").strip())
    except ValueError:
        raise InvalidInput(f"阈值“{value}”不是数字（单位 mm）") from None
    if not math.isfinite(mm) or not 0 < mm <= 2000:
        raise InvalidInput(f"阈值 {value} mm 不合理：应大于 0、不超过 2000 mm")
    return mm


def check_table_order(table: ThresholdTable) -> None:
    """Each window's thresholds must rise with the level (蓝 < 黄 < 橙 < 红) where set."""
    for w in Window:
        previous: Threshold | None = None
        for lv in Level:
            t = table.get(lv, w)
            if t is None:
                continue
            if previous is not None and t.mm <= previous.mm:
                raise InvalidInput(f"{w.label}的阈值应随等级升高：{lv.colour_name} {fmt_mm(t.mm)} mm 不高于"
                                   f"{previous.level.colour_name} {fmt_mm(previous.mm)} mm")
            previous = t


# ---- effective rainfall -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class EffectiveParams:
    k: float = 0.79          # decay per earlier day
    days: int = 3            # earlier days counted

    def weights(self) -> list[float]:
        return [self.k ** i for i in range(1, self.days + 1)]


def check_effective(k: float | str, days: int | str) -> EffectiveParams:
    try:
        kk = float(str(k).strip())
    except ValueError:
        raise InvalidInput(f"衰减系数 k“{k}”不是数字") from None
    if not math.isfinite(kk) or not 0 < kk < 1:
        raise InvalidInput(f"衰减系数 k = {k} 不合理：应在 0 与 1 之间（不含）")
    return EffectiveParams(kk, number_in_range(days, "前期天数", 0, 30, unit="天", whole=True))


def effective_rainfall(today_mm: float, earlier_days_mm: Sequence[float], params: EffectiveParams) -> float:
    """today + Σ k^i × (rain of the i-th earlier day); earlier_days_mm[0] is yesterday."""
    return today_mm + sum(w * mm for w, mm in zip(params.weights(), earlier_days_mm))


# ---- time ------------------------------------------------------------------------------------------------

def to_beijing(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, BEIJING)


def fmt_time(ts: int) -> str:
    return to_beijing(ts).strftime("%Y-%m-%d %H:%M")


def beijing_ts(dt: datetime) -> int:
    """Unix seconds of a datetime; a naive one is Beijing time."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)
    return int(dt.timestamp())


def day_of(ts: int) -> date:
    """The Beijing calendar day an interval ending at ts belongs to (a day's total ends at 24:00)."""
    return to_beijing(ts - 1).date()


def day_start(d: date) -> int:
    return beijing_ts(datetime(d.year, d.month, d.day))


_OFFSET = 8 * HOUR


def day_number(ts: int) -> int:
    """day_of as a whole number of Beijing days since 1970-01-01 (cheap: no datetime per reading)."""
    return (ts - 1 + _OFFSET) // DAY


def day_number_start(n: int) -> int:
    return n * DAY - _OFFSET


def parse_offset(text: str | None) -> timezone:
    """A file's stated time zone: 北京时间 / +08:00 / UTC / UTC+8 …"""
    if text is None or not str(text).strip():
        return BEIJING
    t = str(text).strip().upper().replace("：", ":").replace(" ", "")
    if t in ("北京时间", "BJT", "CST", "ASIA/SHANGHAI", "东八区", "+8", "+08", "+08:00", "UTC+8", "UTC+08:00",
             "GMT+8"):
        return BEIJING
    if t in ("UTC", "GMT", "Z", "世界时", "协调世界时", "+0", "+00:00", "UTC+0"):
        return timezone.utc
    import re

    m = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", t)
    if m:
        hours, minutes = int(m[2]), int(m[3] or 0)
        if hours <= 14 and minutes < 60:
            sign = 1 if m[1] == "+" else -1
            return timezone(sign * timedelta(hours=hours, minutes=minutes))
    raise InvalidInput(f"时区“{text}”看不懂：请写 北京时间、UTC 或 +08:00 这样的时差")


def parse_time(value: object, tz: timezone = BEIJING) -> tuple[int, bool]:
    """A cell as a time: (Unix seconds, date_only). Text or a spreadsheet datetime; a time with its own
    offset ("…+08:00", "…Z") keeps it, otherwise `tz` (the file's stated zone) applies. A bare date is
    the end of that day (a day's total)."""
    import re

    if isinstance(value, datetime):
        dt = value
        date_only = False
    elif isinstance(value, date):
        dt, date_only = datetime(value.year, value.month, value.day), True
    else:
        text = str(value or "").strip()
        if not text:
            raise InvalidInput("时间为空")
        t = (text.replace("年", "-").replace("月", "-").replace("日", " ").replace("时", ":").replace("分", "")
             .replace("/", "-").replace("：", ":").strip())
        t = re.sub(r"\s+", " ", t)
        if t.endswith("Z"):
            t = t[:-1] + "+00:00"
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", t):
            y, mo, d = (int(x) for x in t.split("-"))
            try:
                dt, date_only = datetime(y, mo, d), True
            except ValueError:
                raise InvalidInput(f"日期“{text}”不存在") from None
        else:
            m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2})(?:\.\d+)?)?:?"
                             r"([+-]\d{2}:?\d{2})?", t)
            if not m:
                raise InvalidInput(f"时间“{text}”看不懂：请写成 2024-06-01 08:00 这样的年-月-日 时:分")
            y, mo, d, h, mi = (int(m[i] or 0) for i in range(1, 6))
            s = int(m[6] or 0)
            try:
                if h == 24 and mi == 0 and s == 0:     # 24:00 is the end of that day
                    dt = datetime(y, mo, d) + timedelta(days=1)
                else:
                    dt = datetime(y, mo, d, h, mi, s)
            except ValueError:
                raise InvalidInput(f"时间“{text}”不存在") from None
            if m[7]:
                off = m[7].replace(":", "")
                sign = 1 if off[0] == "+" else -1
                dt = dt.replace(tzinfo=timezone(sign * timedelta(hours=int(off[1:3]), minutes=int(off[3:5]))))
            date_only = False
    if date_only:
        dt = dt + timedelta(days=1)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return int(dt.timestamp()), date_only


def fmt_mm(mm: float) -> str:
    return f"{mm:.1f}".rstrip("0").rstrip(".") if abs(mm - round(mm)) > 1e-9 else str(int(round(mm)))


# ---- one site's series ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    site: int
    ts: int            # end of the interval, Unix seconds
    mm: float
    minutes: int = 60  # length of the interval
    source: str = ""


class Series:
    """One site's readings (sorted by ts) with what evaluation needs: for each sum window, prefix sums of
    the readings no longer than it; and day totals for the effective rainfall."""

    def __init__(self, site: int, readings: Iterable[tuple[int, float, int]] = (), *,
                 columns: tuple[list[int], list[float], list[int]] | None = None) -> None:
        """readings: (ts, mm, minutes) in any order; or columns: ts, mm, minutes already in time order
        (as the database gives them: no tuple per reading)."""
        self.site = site
        if columns is None:
            rows = sorted(readings)
            columns = ([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
        self.ts, self.mm, self.minutes = columns
        self.all_prefix = [0.0, *accumulate(self.mm)]
        longest = max(self.minutes, default=0)
        self.prefix: dict[Window, list[float]] = {}
        for w in SUM_WINDOWS:
            limit = w.hours * 60
            # Hourly series (the usual case): every reading counts in every window, one prefix serves all.
            self.prefix[w] = self.all_prefix if longest <= limit else \
                [0.0, *accumulate(mm if m <= limit else 0.0 for mm, m in zip(self.mm, self.minutes))]
        # Day totals from the prefix sums at each midnight (a search per day, not a step per reading).
        days: dict[int, float] = {}
        if self.ts:
            p, lo = self.all_prefix, 0
            for d in range(day_number(self.ts[0]), day_number(self.ts[-1]) + 1):
                hi = bisect_right(self.ts, day_number_start(d + 1), lo)
                if hi > lo:
                    days[d] = p[hi] - p[lo]
                lo = hi
        self.day_totals = days     # Beijing day number -> total of the readings that day

    def __len__(self) -> int:
        return len(self.ts)

    def window_sum(self, w: Window, at: int) -> float:
        hi = bisect_right(self.ts, at)
        lo = bisect_right(self.ts, at - w.hours * HOUR)
        p = self.prefix[w]
        return p[hi] - p[lo]

    def today_so_far(self, at: int) -> float:
        hi = bisect_right(self.ts, at)
        lo = bisect_right(self.ts, day_number_start(day_number(at)))
        return self.all_prefix[hi] - self.all_prefix[lo]

    def effective(self, at: int, params: EffectiveParams) -> float:
        today = day_number(at)
        earlier = [self.day_totals.get(today - i, 0.0) for i in range(1, params.days + 1)]
        return effective_rainfall(self.today_so_far(at), earlier, params)

    def values(self, at: int, params: EffectiveParams) -> dict[Window, float]:
        out = {w: self.window_sum(w, at) for w in SUM_WINDOWS}
        out[Window.EFFECTIVE] = self.effective(at, params)
        return out

    def last_ts(self) -> int | None:
        return self.ts[-1] if self.ts else None


# ---- evaluation ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Trigger:
    level: Level
    window: Window
    value: float
    threshold: float

    @property
    def text(self) -> str:
        return f"{self.window.label} {fmt_mm(self.value)} mm ≥ {self.level.colour_name} {fmt_mm(self.threshold)} mm"


@dataclass(frozen=True)
class SiteStatus:
    site: int
    at: int
    level: Level | None
    triggers: tuple[Trigger, ...]          # every window that fired at the warning's level
    values: Mapping[Window, float]
    last_reading: int | None = None        # ts of the newest reading at or before `at`

    @property
    def reason(self) -> str:
        return "；".join(t.text for t in self.triggers)

    @property
    def has_data(self) -> bool:
        return self.last_reading is not None


_LEVELS_DOWN = tuple(sorted(Level, reverse=True))
_WINDOWS = tuple(Window)


def judge(values: Mapping[Window, float], table: ThresholdTable) -> tuple[Level | None, tuple[Trigger, ...]]:
    """The highest level any window reaches (≥ its threshold), and the windows that reached it."""
    for lv in _LEVELS_DOWN:
        fired = []
        for w in _WINDOWS:
            t = table.get(lv, w)
            v = values.get(w)
            if t is not None and v is not None and v >= t.mm - 1e-9:
                fired.append(Trigger(lv, w, v, t.mm))
        if fired:
            return lv, tuple(fired)
    return None, ()


def evaluate(series: Series, table: ThresholdTable, at: int, params: EffectiveParams) -> SiteStatus:
    values = series.values(at, params)
    level, triggers = judge(values, table)
    i = bisect_right(series.ts, at)
    return SiteStatus(series.site, at, level, triggers, values, series.ts[i - 1] if i else None)


@dataclass(frozen=True)
class Episode:
    """One warning at a site: from the first time a level fired to the first time none did."""
    site: int
    start: int
    end: int | None               # None: still in force at the end of the replay
    peak: Level
    peak_trigger: Trigger         # the first window that reached the peak level
    first_trigger: Trigger
    steps: tuple[tuple[int, Level], ...] = field(default=())   # (time, level) at each change

    def covers(self, ts: int, after_s: int = 0) -> bool:
        return self.start <= ts and (self.end is None or ts < self.end + after_s)

    def reached(self, level: Level) -> int | None:
        """When the episode first reached `level` or above."""
        for t, lv in self.steps:
            if lv >= level:
                return t
        return None


def event_times(series: Series, params: EffectiveParams, start: int, end: int) -> list[int]:
    """Every time a window's sum can change in [start, end]: when a reading arrives, when it leaves each
    window, and as each day begins while the effective rainfall still remembers it."""
    times = set()
    lo = bisect_right(series.ts, start - max(24 * HOUR, (params.days + 1) * DAY) - 1)
    hi = bisect_right(series.ts, end)
    # A dry reading (0 mm) changes no sum: only wet ones make events (most hours of a year are dry).
    wet = [t for t, mm in zip(series.ts[lo:hi], series.mm[lo:hi]) if mm > 0]
    for t in wet:
        times.add(t)
        for w in SUM_WINDOWS:
            times.add(t + w.hours * HOUR)
    days = sorted({day_number(t) for t in wet})
    for d in days:
        for i in range(1, params.days + 2):
            # The day turns one second after midnight (a reading ending at 24:00 is still that day's):
            # from then on the wet day counts k^i times, and after `days` days not at all.
            times.add(day_number_start(d + i) + 1)
    return sorted(t for t in times if start <= t <= end)


def episodes(series: Series, table: ThresholdTable, params: EffectiveParams, start: int, end: int,
             lowest: Level = Level.BLUE) -> list[Episode]:
    """The warnings at one site between start and end (inclusive), at `lowest` or above."""
    out: list[Episode] = []
    # Per window, the smallest threshold of `lowest` or above (a window may be set only at a higher level).
    lowest_row = [(w, min(found)) for w in Window
                  if (found := [t.mm for lv in Level if lv >= lowest and (t := table.get(lv, w)) is not None])]
    floors = [mm for w, mm in lowest_row if w is not Window.EFFECTIVE]
    no_effective = all(w is not Window.EFFECTIVE for w, _mm in lowest_row)
    # Every sum window is at most the 24 h sum of all readings: below the smallest threshold, nothing fires.
    smallest = min(floors) - 1e-9 if floors else math.inf
    ts, prefix = series.ts, series.all_prefix
    # What series.values computes, inlined for the tens of thousands of events of a year: one search for
    # the end of every window, and no effective rainfall where no level has a threshold for it.
    sums = [(w, w.hours * HOUR, series.prefix[w]) for w in SUM_WINDOWS]
    any_effective = any(table.get(lv, Window.EFFECTIVE) is not None for lv in Level)
    ladder = [(lv, [(w, t.mm - 1e-9) for w in _WINDOWS if (t := table.get(lv, w)) is not None])
              for lv in _LEVELS_DOWN if lv >= lowest]
    current: dict | None = None
    for t in event_times(series, params, start, end):
        hi = bisect_right(ts, t)
        if no_effective and prefix[hi] - prefix[bisect_right(ts, t - 24 * HOUR, 0, hi)] < smallest:
            level, triggers = None, ()
        else:
            values = {w: p[hi] - p[bisect_right(ts, t - span, 0, hi)] for w, span, p in sums}
            values[Window.EFFECTIVE] = series.effective(t, params) if any_effective else None
            # The level alone (judge's rule, from `lowest` up); the windows that fired are named only
            # where an episode starts or reaches a new peak.
            level, triggers = next((lv for lv, cells in ladder if any(
                values[w] is not None and values[w] >= mm for w, mm in cells)), None), ()
            if level is not None and (current is None or level > current["peak"]):
                triggers = judge(values, table)[1]
        if current is None:
            if level is not None:
                current = {"start": t, "peak": level, "peak_trigger": triggers[0], "first": triggers[0],
                           "steps": [(t, level)]}
            continue
        if level is None:
            out.append(Episode(series.site, current["start"], t, current["peak"], current["peak_trigger"],
                               current["first"], tuple(current["steps"])))
            current = None
            continue
        if level != current["steps"][-1][1]:
            current["steps"].append((t, level))
        if level > current["peak"]:
            current["peak"], current["peak_trigger"] = level, triggers[0]
    if current is not None:
        out.append(Episode(series.site, current["start"], None, current["peak"], current["peak_trigger"],
                           current["first"], tuple(current["steps"])))
    return out


# ---- coverage --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CoverPoint:
    seq: int
    township: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class CoverSite:
    slot: int
    township: str | None
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class Coverage:
    site: int
    point: int
    why: str           # "距离 3.2 km" / "同一乡镇" / "人工添加"


def coverage(site: CoverSite, points: Sequence[CoverPoint], radius_km: float,
             edits: Mapping[int, bool]) -> list[Coverage]:
    """Which points a site speaks for: within radius_km of it, or in its township; the bureau's edits
    (point -> included) add or remove points. A site with no village (no position, no township) covers
    only what was added by hand."""
    out = []
    for p in points:
        edit = edits.get(p.seq)
        if edit is False:
            continue
        why = ""
        if None not in (site.lon, site.lat, p.lon, p.lat):
            d = distance_m(site.lon, site.lat, p.lon, p.lat) / 1000
            if d <= radius_km:
                why = f"距离 {d:.1f} km"
        if not why and site.township and p.township == site.township:
            why = "同一乡镇"
        if not why and edit is True:
            why = "人工添加"
        if why:
            out.append(Coverage(site.slot, p.seq, why))
    return out


def check_radius(value: float | str) -> float:
    return float(number_in_range(value, "覆盖半径", 0, 100, unit="km", hint="（单位 km）"))


# ---- back-test -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Report:
    """A patrol judgement 异常/危险 at a point (the event a warning should have come before)."""
    point: int
    ts: int


@dataclass(frozen=True)
class LevelScore:
    level: Level
    warnings: int           # episodes that reached this level
    points_covered: int     # distinct points those warnings covered
    hits: int               # (warning, point) pairs with a report during the warning or within `after` of its end
    false_alarms: int       # (warning, point) pairs with no report
    misses: int             # reports at covered points that no warning of this level was in force for
    uncovered_reports: int  # reports at points no site covers (no gauge could have warned)

    @property
    def pod(self) -> float | None:
        n = self.hits + self.misses
        return None if n == 0 else self.hits / n

    @property
    def far(self) -> float | None:
        n = self.hits + self.false_alarms
        return None if n == 0 else self.false_alarms / n


def score(level: Level, eps: Sequence[Episode], covered: Mapping[int, Sequence[int]], reports: Sequence[Report],
          after_s: int) -> LevelScore:
    """Hits, misses and false alarms of the warnings at `level` or above against the reports.
    covered: site -> its points. Units: a hit or false alarm is a (warning, covered point) pair; a miss
    is a report at a covered point outside every such pair's time."""
    mine = [e for e in eps if e.peak >= level]
    by_point: dict[int, list[tuple[int, int | None]]] = {}
    pairs = 0
    hits = 0
    points: set[int] = set()
    all_covered = {p for ps in covered.values() for p in ps}
    for e in mine:
        start = e.reached(level) or e.start
        for p in covered.get(e.site, ()):
            pairs += 1
            points.add(p)
            by_point.setdefault(p, []).append((start, e.end))
            if any(r.point == p and start <= r.ts and (e.end is None or r.ts < e.end + after_s) for r in reports):
                hits += 1
    misses = uncovered = 0
    for r in reports:
        if r.point not in all_covered:
            uncovered += 1
            continue
        if not any(s <= r.ts and (end is None or r.ts < end + after_s) for s, end in by_point.get(r.point, ())):
            misses += 1
    return LevelScore(level, len(mine), len(points), hits, pairs - hits, misses, uncovered)


# ---- the SMS list ----------------------------------------------------------------------------------------

# The fields an SMS template may use (the shipped template is seeded by the migration, as a setting).
SMS_FIELDS = ("站点", "等级", "时段", "原因", "监测员", "隐患点", "巡查", "开始时间")


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """{name} fields replaced by value; an unknown {name} is refused (a typo would reach every phone)."""
    import re

    def sub(m: "re.Match[str]") -> str:
        key = m[1]
        if key not in values:
            raise InvalidInput(f"短信模板中的“{{{key}}}”不认识：可用的有 " + "、".join(f"{{{k}}}" for k in values))
        return values[key]
    return re.sub(r"\{([^{}]*)\}", sub, template)


def patrol_kind(level: Level) -> str:
    """What a warning asks of the monitors: 加密巡查 from orange up (the provincial orange warning
    tells areas to 加密巡查), 雨中巡查 below."""
    return "加密巡查" if level >= Level.ORANGE else "雨中巡查"
