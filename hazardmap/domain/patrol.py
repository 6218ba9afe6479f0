"""Patrol logs (巡查记录): what one visit to a hazard point records, and the rules on what users type.

Plain Python, no I/O. Every check speaks Chinese: `problems_of(draft)` lists every problem by field
(the entry dialog shows them as you type), `check_draft(draft)` raises the first as InvalidInput.
"""
from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple
from datetime import date, datetime

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.validation import check_visible, number_in_range
from hazardmap.domain.patrol_status import MACRO_SIGNS, Judgement
from hazardmap.domain.rain import BEIJING

AT_FORMAT = "%Y-%m-%d %H:%M"  # patrol time, local wall-clock time, minute precision
MAX_RAIN_MM = 1000.0
MAX_TEXT = 500

# Short names staff type for the two compound signs (e.g. "渗冒混水" for 渗冒混水/泉水变浑).
SIGN_ALIASES: dict[str, str] = {
    "建筑变形": "建筑变形/房屋开裂",
    "房屋开裂": "建筑变形/房屋开裂",
    "建筑变形(房屋开裂)": "建筑变形/房屋开裂",
    "建筑变形（房屋开裂）": "建筑变形/房屋开裂",
    "渗冒混水": "渗冒混水/泉水变浑",
    "泉水变浑": "渗冒混水/泉水变浑",
}

# Usual 处置措施 offered in the dialog (free text is allowed too).
COMMON_ACTIONS: tuple[str, ...] = ("继续观测", "加密巡查", "上报", "设置警示标志", "组织撤离")


class MeasureKind(str, enum.Enum):
    CRACK_GAUGE = "crack_gauge"  # 裂缝计 / 简易裂缝报警器 reading
    STAKE = "stake"              # 埋桩 distance
    PATCH = "patch"              # 贴片 across a crack: intact or broken (a reading is optional)

    @property
    def label(self) -> str:
        return {"crack_gauge": "裂缝计", "stake": "埋桩", "patch": "贴片"}[self.value]

    @classmethod
    def parse(cls, text: str) -> "MeasureKind":
        t = text.strip()
        for k in cls:
            if t in (k.value, k.label):
                return k
        raise InvalidInput(f"未知的测量方式“{text}”：只能是 裂缝计、埋桩 或 贴片")


@dataclass(frozen=True)
class SignObservation:
    """One macro sign seen on this patrol, with where (部位) and what it looked like (特征)."""
    sign: str
    location: str = ""
    feature: str = ""


@dataclass(frozen=True)
class Measurement:
    kind: MeasureKind
    label: str = ""                      # which gauge / stake / patch, e.g. "1号桩" ("" = the only one)
    reading_mm: float | None = None
    patch_intact: bool | None = None     # 贴片 only
    change_mm: float | None = None       # computed on reading: this reading minus the previous one

    @property
    def key(self) -> tuple[str, str]:
        return self.kind.value, self.label

    def describe(self) -> str:
        name = self.kind.label + (f" {self.label}" if self.label else "")
        parts = []
        if self.reading_mm is not None:
            parts.append(f"{self.reading_mm:g} mm")
        if self.patch_intact is not None:
            parts.append("完好" if self.patch_intact else "破坏")
        return f"{name}：{'，'.join(parts)}"


def main_crack(measurements: Iterable[Measurement]) -> Measurement | None:
    """The crack gauge whose reading is an entry's 裂缝读数, the one number staff quote on the phone:
    the unlabelled gauge, else the first crack gauge entered. The patrol tab, the Excel 台账, the CLI
    and the printed 巡查记录表 all show this one."""
    gauges = [m for m in measurements if m.kind is MeasureKind.CRACK_GAUGE and m.reading_mm is not None]
    return next((m for m in gauges if m.label == ""), gauges[0] if gauges else None)


def other_measurements(measurements: Iterable[Measurement]) -> tuple[Measurement, ...]:
    """What the 其他测量 column lists beside 裂缝读数. Only a lone unlabelled gauge is left out (the
    裂缝读数 column says all of it); a labelled or second gauge stays listed, so a 台账 read back gives
    the same gauges (see merge_crack_column)."""
    ms = tuple(measurements)
    gauges = [m for m in ms if m.kind is MeasureKind.CRACK_GAUGE]
    main = main_crack(ms)
    if main is not None and main.label == "" and len(gauges) == 1:
        return tuple(m for m in ms if m is not main)
    return ms


def merge_crack_column(measurements: Iterable[Measurement], reading: float | None) -> tuple[Measurement, ...]:
    """A 台账 row's gauges from its 其他测量 cell plus its 裂缝读数 column: the column is the main gauge's
    reading when a gauge listed there already gives it, else an unlabelled gauge of its own."""
    ms = tuple(measurements)
    if reading is None:
        return ms
    main = main_crack(ms)
    if main is not None and (main.label == "" or main.reading_mm == reading):
        if main.reading_mm != reading:
            raise InvalidInput(f"裂缝读数 {reading:g} mm 与其他测量中的“{main.describe()}”不一致")
        return ms
    return (Measurement(MeasureKind.CRACK_GAUGE, "", reading),) + ms


def set_main_crack(measurements: Iterable[Measurement], reading: float | None) -> tuple[Measurement, ...]:
    """The measurements with a new 裂缝读数: the main gauge keeps its label and place and takes the
    reading (an unlabelled gauge is added when there is none); None removes the main gauge."""
    ms = tuple(measurements)
    main = main_crack(ms)
    if reading is None:
        return tuple(m for m in ms if m is not main)
    if main is None:
        return (Measurement(MeasureKind.CRACK_GAUGE, "", reading),) + ms
    return tuple(replace(m, reading_mm=reading, change_mm=None) if m is main else m for m in ms)


@dataclass(frozen=True)
class PatrolDraft:
    """What a user enters for one patrol (before it has an id)."""
    point_seq: int
    at: str                                   # "YYYY-MM-DD HH:MM"
    by: str                                   # the patroller (defaults to the point's monitor)
    judgement: Judgement | None
    weather: str = ""
    rain_mm: float | None = None
    signs: tuple[SignObservation, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    action: str = ""
    note: str = ""

    @property
    def crack_mm(self) -> float | None:
        """The 裂缝读数: the reading of the main crack gauge (see main_crack)."""
        main = main_crack(self.measurements)
        return main.reading_mm if main else None

    def content(self) -> tuple:
        """What makes two entries the same visit record (duplicates on import, no-op edits)."""
        return (self.point_seq, self.at, self.by, self.judgement, self.weather, self.rain_mm,
                tuple(sorted(self.signs, key=lambda s: s.sign)),
                tuple(sorted((replace(m, change_mm=None) for m in self.measurements), key=lambda m: m.key)),
                self.action, self.note)


@dataclass(frozen=True)
class PatrolEntry(PatrolDraft):
    id: int = 0
    recorded_by: str = ""
    recorded_at: str = ""                     # ISO 8601 with offset
    deleted_at: str | None = None             # set while in the 回收站
    deleted_by: str | None = None
    photos: tuple[str, ...] = field(default_factory=tuple)  # paths relative to the data folder
    version: int = field(default=1, compare=False)  # grows with every edit, bin and restore (migration 8)

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def draft(self) -> PatrolDraft:
        return PatrolDraft(self.point_seq, self.at, self.by, self.judgement, self.weather, self.rain_mm,
                           self.signs, tuple(replace(m, change_mm=None) for m in self.measurements),
                           self.action, self.note)


class AuditAction(str, enum.Enum):
    """What one row of the patrol audit trail records."""
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"    # moved to the 回收站
    RESTORE = "restore"  # taken out of the 回收站
    IMPORT = "import"


@dataclass(frozen=True)
class AuditRow:
    id: int
    entry_id: int
    point_seq: int
    action: AuditAction
    before: dict | None
    after: dict | None
    changed_by: str
    changed_at: str

    @property
    def action_label(self) -> str:
        return AUDIT_ACTION_LABELS.get(self.action, self.action)


AUDIT_ACTION_LABELS = {"create": "新增", "edit": "修改", "delete": "删除（移入回收站）", "restore": "从回收站恢复",
                       "import": "导入"}

# Field names as the audit trail and error messages show them.
FIELD_LABELS = {
    "point_seq": "隐患点", "at": "巡查时间", "by": "巡查人", "judgement": "判定", "weather": "天气",
    "rain_mm": "降雨量", "signs": "宏观迹象", "measurements": "测量", "action": "处置措施", "note": "备注",
    "photos": "照片",
}


# ---- parsing what users type ------------------------------------------------------------------

def parse_at(text: str, *, now: datetime | None = None) -> str:
    """'YYYY-MM-DD HH:MM' (also accepts '/' and a 'T'); never in the future."""
    t = (text or "").strip().replace("/", "-").replace("T", " ")
    if not t:
        raise InvalidInput("请填写巡查时间（格式：2026-05-03 08:30）")
    dt = None
    for fmt in (AT_FORMAT, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            dt = datetime.strptime(t, fmt)
            break
        except ValueError:
            continue
    if dt is None:
        raise InvalidInput(f"巡查时间“{text}”格式不对：应为 年-月-日 时:分，例如 2026-05-03 08:30")
    now = now or datetime.now()
    if dt.replace(second=0) > now.replace(second=0, microsecond=0):
        raise InvalidInput(f"巡查时间 {dt.strftime(AT_FORMAT)} 晚于现在：不能记录将来的巡查")
    if dt.year < 1990:
        raise InvalidInput(f"巡查时间 {dt.strftime(AT_FORMAT)} 太早，请检查年份")
    return dt.strftime(AT_FORMAT)


def parse_judgement(text: str | Judgement | None) -> Judgement:
    if isinstance(text, Judgement):
        return text
    t = (text or "").strip()
    if not t:
        raise InvalidInput("请选择判定结果：正常、异常或危险")
    for j in Judgement:
        if t in (j.value, j.name.lower()):
            return j
    raise InvalidInput(f"判定“{text}”无效：只能是 正常、异常 或 危险")


def _number(text: str | float | None, what: str) -> float | None:
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    try:
        value = float(str(text).strip().lower().removesuffix("mm").strip())
    except ValueError:
        raise InvalidInput(f"{what}“{text}”不是数字") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{what}“{text}”不是有效的数字")
    return value


def parse_rain_mm(text: str | float | None) -> float | None:
    value = _number(text, "降雨量")
    if value is not None and not 0.0 <= value <= MAX_RAIN_MM:
        raise InvalidInput(f"降雨量 {value:g} mm 超出范围：应在 0～{MAX_RAIN_MM:g} mm 之间")
    return value


def parse_reading_mm(text: str | float | None, what: str = "读数") -> float | None:
    value = _number(text, what)
    if value is not None and value < 0:
        raise InvalidInput(f"{what} {value:g} mm 不能为负数")
    return value


def normalise_sign(text: str) -> str:
    t = text.strip()
    t = SIGN_ALIASES.get(t, t)
    if t not in MACRO_SIGNS:
        raise InvalidInput(f"宏观迹象“{text}”不在标准列表中：可选 {'、'.join(MACRO_SIGNS)}")
    return t


def parse_signs(text: str | None) -> tuple[SignObservation, ...]:
    """'拉张裂缝,渗冒混水' (comma, 、, ， or ; separated) -> observations without 部位/特征."""
    if not text or not text.strip():
        return ()
    names = [n for n in re.split(r"[,，、;；\s]+", text) if n]
    seen: dict[str, SignObservation] = {}
    for n in names:
        s = normalise_sign(n)
        seen.setdefault(s, SignObservation(s))
    return tuple(seen.values())


def check_text(value: str, what: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    v = check_visible(value or "", what).strip()
    if required and not v:
        raise InvalidInput(f"请填写{what}")
    if len(v) > limit:
        raise InvalidInput(f"{what}过长（最多 {limit} 个字）")
    return v


# ---- whole-entry validation --------------------------------------------------------------------

def problems_of(draft: PatrolDraft, *, now: datetime | None = None) -> dict[str, str]:
    """Field name -> Chinese reason, for every rule the draft breaks (empty when it can be saved)."""
    problems: dict[str, str] = {}

    def check(name: str, fn) -> None:
        try:
            fn()
        except InvalidInput as exc:
            problems.setdefault(name, str(exc))

    check("at", lambda: parse_at(draft.at, now=now))
    check("by", lambda: check_text(draft.by, "巡查人", required=True, limit=40))
    check("judgement", lambda: parse_judgement(draft.judgement))
    check("weather", lambda: check_text(draft.weather, "天气", limit=40))
    check("rain_mm", lambda: parse_rain_mm(draft.rain_mm))
    check("action", lambda: check_text(draft.action, "处置措施"))
    check("note", lambda: check_text(draft.note, "备注", limit=2000))
    seen_signs = set()
    for s in draft.signs:
        def one_sign(s=s):
            name = normalise_sign(s.sign)
            if name in seen_signs:
                raise InvalidInput(f"宏观迹象“{name}”重复了")
            seen_signs.add(name)
            check_text(s.location, f"{name}的部位")
            check_text(s.feature, f"{name}的特征")
        check("signs", one_sign)
    seen_keys = set()
    for m in draft.measurements:
        def one_measure(m=m):
            name = m.kind.label + (f" {m.label}" if m.label else "")
            if m.key in seen_keys:
                raise InvalidInput(f"测量“{name}”重复了")
            seen_keys.add(m.key)
            check_text(m.label, "测量位置编号", limit=40)
            parse_reading_mm(m.reading_mm, f"{name}读数")
            if m.kind is not MeasureKind.PATCH and m.reading_mm is None:
                raise InvalidInput(f"{name}：请填写读数（mm）")
            if m.kind is not MeasureKind.PATCH and m.patch_intact is not None:
                raise InvalidInput(f"{name}：只有贴片才有“完好/破坏”")
            if m.kind is MeasureKind.PATCH and m.reading_mm is None and m.patch_intact is None:
                raise InvalidInput(f"{name}：请填写贴片完好或破坏")
        check("measurements", one_measure)
    return problems


def check_draft(draft: PatrolDraft, *, now: datetime | None = None) -> PatrolDraft:
    """The draft with its text trimmed and names normalised; raises InvalidInput on the first problem."""
    problems = problems_of(draft, now=now)
    if problems:
        raise InvalidInput(next(iter(problems.values())))
    return PatrolDraft(
        point_seq=draft.point_seq, at=parse_at(draft.at, now=now), by=draft.by.strip(),
        judgement=parse_judgement(draft.judgement), weather=draft.weather.strip(),
        rain_mm=parse_rain_mm(draft.rain_mm),
        signs=tuple(SignObservation(normalise_sign(s.sign), s.location.strip(), s.feature.strip())
                    for s in draft.signs),
        measurements=tuple(Measurement(m.kind, m.label.strip(), parse_reading_mm(m.reading_mm), m.patch_intact)
                           for m in draft.measurements),
        action=draft.action.strip(), note=draft.note.strip(),
    )


# ---- patrol intervals (汛期 vs the rest of the year) ----------------------------------------------

FLOOD_SEASON_MONTHS = range(4, 10)  # Hunan's flood season: April to September (docs/DOMAIN.md)


def in_flood_season(day: date) -> bool:
    return day.month in FLOOD_SEASON_MONTHS


@dataclass(frozen=True)
class PatrolIntervals:
    flood_days: int
    other_days: int
    flood_is_default: bool = True
    other_is_default: bool = True

    def for_day(self, day: date) -> int:
        return self.flood_days if in_flood_season(day) else self.other_days


def today_in_beijing() -> date:
    """The bureau's today: Beijing's date whatever zone the PC's clock is set to (the rain panel's too)."""
    return datetime.now(BEIJING).date()


def check_interval_days(value: int | str, what: str) -> int:
    return int(number_in_range(value, what, 1, 365, unit="天", whole=True, hint="天数"))


class PointPatrolStatus(NamedTuple):
    """One row of the 巡查情况 overview (a NamedTuple: a province's 290,000 rows are made in a third of
    the time a frozen dataclass takes)."""
    point_seq: int
    name: str
    monitor: str
    last_at: str | None
    last_judgement: Judgement | None
    days_since: int | None
    interval_days: int
    entries: int

    @property
    def overdue(self) -> bool:
        return self.days_since is None or self.days_since > self.interval_days

    @property
    def overdue_days(self) -> int | None:
        return None if self.days_since is None else max(0, self.days_since - self.interval_days)


# Shipped defaults for the overdue rule. No Hengnan or Hunan rule for these intervals was found in
# public sources: they are placeholders for the bureau to set, and the UI labels them as defaults.
SETTING_FLOOD_DAYS = "patrol_interval_flood_days"
SETTING_OTHER_DAYS = "patrol_interval_other_days"
DEFAULT_SETTINGS: dict[str, tuple[str, str]] = {
    SETTING_FLOOD_DAYS: ("7", "汛期（4～9月）巡查间隔天数；出厂默认值，非本局规定，请按要求修改"),
    SETTING_OTHER_DAYS: ("30", "非汛期巡查间隔天数；出厂默认值，非本局规定，请按要求修改"),
}
