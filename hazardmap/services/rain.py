"""Use cases on rainfall: readings by hand, the threshold table (county + per-site overrides, every change
kept), the rain settings, each site's status at a time, the warnings of a period, which points each site
covers, the patrols a warning makes due, the SMS list and the back-test. The rules themselves are in
domain/rain.py; this module reads and writes through store.db.rain and returns Changes with their undo."""
from __future__ import annotations

import csv
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Mapping, Sequence

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, NotFound, StaleEdit
from hazardmap.domain.points import HazardPoint, mask_phone
from hazardmap.domain.rain import (BEIJING, BUREAU_SOURCE, COUNTY, DAY, HOUR, Coverage, CoverPoint, CoverSite,
                                   EffectiveParams, Episode, Level, LevelScore, Report, Series, SiteStatus, Threshold,
                                   ThresholdChange, ThresholdTable, Window, check_effective, check_radius,
                                   check_table_order, check_threshold_mm, coverage, episodes, evaluate,
                                   SMS_FIELDS, fill_template, fmt_mm, fmt_time, parse_level, parse_time, patrol_kind, score,
                                   table_for)
from hazardmap.domain.rain_gauges import RainGaugeSite
from hazardmap.domain.settings import Setting
from hazardmap.domain.validation import number_in_range
from hazardmap.files import atomic_write, check_target
from hazardmap.services.spreadsheet import neutralise, xlsx_cell
from hazardmap.services.store import Store, current_user, now_iso

# ---- settings ------------------------------------------------------------------------------------------------

K_EFF_K, K_EFF_DAYS, K_COVER_KM = "rain_eff_k", "rain_eff_days", "rain_cover_km"
K_PATROL_LEVEL, K_AFTER_HOURS, K_SMS = "rain_patrol_level", "rain_after_hours", "rain_sms_template"
SETTING_KEYS = (K_EFF_K, K_EFF_DAYS, K_COVER_KM, K_PATROL_LEVEL, K_AFTER_HOURS, K_SMS)
SETTING_NAMES = {K_EFF_K: "衰减系数 k", K_EFF_DAYS: "前期天数", K_COVER_KM: "覆盖半径(km)",
                 K_PATROL_LEVEL: "应巡查等级", K_AFTER_HOURS: "命中宽限(小时)", K_SMS: "短信模板"}


@dataclass(frozen=True)
class RainSettings:
    effective: EffectiveParams
    radius_km: float
    patrol_level: Level
    after_hours: int
    sms_template: str
    defaults: frozenset[str]          # keys still at the shipped default


def get_settings(store: Store) -> RainSettings:
    with store.db.read() as s:
        rows = store.db.settings.get(s, SETTING_KEYS)
    missing = [k for k in SETTING_KEYS if k not in rows]
    if missing:
        raise InvalidInput("数据库缺少降雨预警设置（" + "、".join(missing) + "）：请用新版 hazardmap 打开以升级数据库")
    v = {k: rows[k].value for k in SETTING_KEYS}
    return RainSettings(check_effective(v[K_EFF_K], v[K_EFF_DAYS]), check_radius(v[K_COVER_KM]),
                        parse_level(v[K_PATROL_LEVEL]), int(v[K_AFTER_HOURS]), v[K_SMS],
                        frozenset(k for k in SETTING_KEYS if rows[k].is_default))


def _check_setting(key: str, value: str) -> str:
    """The value as stored, or InvalidInput (Chinese) naming what is wrong."""
    if key not in SETTING_KEYS:
        raise InvalidInput(f"没有名为“{key}”的降雨设置：可设 " + "、".join(SETTING_KEYS))
    value = str(value).strip()
    if key == K_EFF_K:
        value = str(check_effective(value, 1).k)
    elif key == K_EFF_DAYS:
        value = str(check_effective(0.5, value).days)
    elif key == K_COVER_KM:
        value = fmt_mm(check_radius(value))
    elif key == K_PATROL_LEVEL:
        value = str(int(parse_level(value)))
    elif key == K_AFTER_HOURS:
        value = str(number_in_range(value, "命中宽限", 0, 240, unit="小时", whole=True))
    elif key == K_SMS:
        fill_template(value, {k: "" for k in SMS_FIELDS})
        if not value:
            raise InvalidInput("短信模板不能为空")
    return value


def set_setting(store: Store, key: str, value: str, *, by: str | None = None) -> Changes:
    """One rain setting, checked; it stops being labelled as the shipped default."""
    return set_settings(store, {key: value}, by=by)


def set_settings(store: Store, values: Mapping[str, str], *, by: str | None = None) -> Changes:
    """Several rain settings (e.g. k and the days of the effective rainfall) as one step, all checked
    first; those whose value does not change are left alone."""
    checked = {key: _check_setting(key, value) for key, value in values.items()}
    by, at = by or current_user(), now_iso()
    repo = store.db.settings
    with store.db.write() as tx:
        before = repo.get(tx, list(checked))
        changed = [k for k, v in checked.items() if not (before[k].value == v and not before[k].is_default)]
        if not changed:
            return Changes()
        old = [before[k] for k in changed]
        new = [Setting(k, checked[k], False, before[k].note, changed_by=by, changed_at=at) for k in changed]
        repo.put(tx, new)
    label = "修改降雨设置" + "、".join(f"“{SETTING_NAMES[k]}”" for k in changed)
    return Changes(rain=True, label=label, undo=lambda: _put_settings(store, old, expect=new, label=label))


def _put_settings(store: Store, to: list[Setting], *, expect: list[Setting], label: str) -> Changes:
    repo = store.db.settings
    with store.db.write() as tx:
        now = repo.get(tx, [x.key for x in to])
        if [now.get(x.key) for x in expect] != expect:
            raise StaleEdit("降雨设置")
        repo.put(tx, to)
    return Changes(rain=True, label=label, undo=lambda: _put_settings(store, expect, expect=to, label=label))


# ---- sites -------------------------------------------------------------------------------------------------

def site_name(site: RainGaugeSite) -> str:
    """How a site is named everywhere: its village when known; else plainly that it has none."""
    where = f"{site.township}{site.village}" if site.village else "（未落实村庄）"
    return f"{site.slot}号站 {where}" + (f"（站码 {site.station_code}）" if site.station_code else "")


def find_site(store: Store, text: str | int, sites: Sequence[RainGaugeSite] | None = None) -> RainGaugeSite:
    """A site by number (12 / 12号), 站码, or village name (unique among the sites)."""
    if sites is None:
        with store.db.read() as s:
            sites = store.db.rain_gauges.all(s)
    t = str(text).strip()
    if not t:
        raise InvalidInput("站点为空：请写站点编号、站码或村名")
    by_code = [s for s in sites if s.station_code and s.station_code == t]
    if by_code:
        return by_code[0]
    number = t.removesuffix("号站").removesuffix("号")
    if number.isdigit():
        for s in sites:
            if s.slot == int(number):
                return s
    named = [s for s in sites if s.village and (t == s.village or t == f"{s.township}{s.village}")]
    named_live = [s for s in named if not s.retired] or named
    if len(named_live) == 1:
        return named_live[0]
    if len(named_live) > 1:
        raise InvalidInput(f"有 {len(named_live)} 个站点在“{t}”：请写站点编号或站码")
    raise NotFound(f"没有站点“{t}”：站点可写编号（如 3）、站码或已落实的村名", what="雨量站", key=t)


# ---- readings ------------------------------------------------------------------------------------------------

MANUAL_SOURCE = "手工录入"


def add_readings(store: Store, rows: Sequence[tuple[int, int, float, int]], *, source: str,
                 label: str, by: str | None = None) -> Changes:
    """New readings (site, ts, mm, minutes) as one step. A reading already stored with the same value is
    left as it is (the same file twice changes nothing); a different stored value is refused."""
    by, at = by or current_user(), now_iso()
    repo = store.db.rain
    with store.db.write() as tx:
        stored = repo.existing(tx, rows if isinstance(rows, list) else list(rows))
        new = [] if stored else list(rows)
        for site, ts, mm, minutes in rows if stored else ():
            old = stored.get((site, ts))
            if old is None:
                new.append((site, ts, mm, minutes))
            elif abs(old[0] - mm) > 1e-9 or old[1] != minutes:
                raise InvalidInput(f"{site}号站 {fmt_time(ts)} 已有读数 {fmt_mm(old[0])} mm，与新值 {fmt_mm(mm)} mm 不同："
                                   "未导入。如需更正，请先撤销原来的导入")
        if not new:
            return Changes()
        import_id = repo.add_import(tx, source, new, by=by, at=at)
    return Changes(rain=True, label=label, undo=lambda: _remove_import(store, import_id, new, source, label))


def _remove_import(store: Store, import_id: int, rows: list, source: str, label: str) -> Changes:
    repo = store.db.rain
    with store.db.write() as tx:
        if repo.import_rows(tx, import_id) != sorted(rows):
            raise StaleEdit("雨量读数")
        repo.delete_import(tx, import_id)
    return Changes(rain=True, label=label, undo=lambda: add_readings(store, rows, source=source, label=label))


def add_reading(store: Store, site: str | int, at: str, mm: float | str, *, minutes: int = 60,
                by: str | None = None) -> Changes:
    """One reading typed by hand: the rain of the `minutes` before `at` (Beijing time unless it says)."""
    s = find_site(store, site)
    ts, date_only = parse_time(at)
    if date_only:
        minutes = 1440
    value = check_mm(mm, minutes)
    return add_readings(store, [(s.slot, ts, value, minutes)], source=MANUAL_SOURCE,
                        label=f"录入{s.slot}号站 {fmt_time(ts)} 雨量 {fmt_mm(value)} mm", by=by)


MAX_MM_PER_HOUR = 200.0


def check_mm(value: float | str, minutes: int) -> float:
    import math

    try:
        mm = float(str(value).strip().removesuffix("mm").strip())
    except ValueError:
        raise InvalidInput(f"雨量“{value}”不是数字") from None
    if not math.isfinite(mm):
        raise InvalidInput(f"雨量“{value}”不是有效的数字")
    if mm < 0:
        raise InvalidInput(f"雨量 {fmt_mm(mm)} mm 为负数")
    if mm / max(minutes, 60) * 60 > MAX_MM_PER_HOUR:
        raise InvalidInput(f"雨量 {fmt_mm(mm)} mm 超过每小时 {int(MAX_MM_PER_HOUR)} mm，不像是真实读数")
    return mm


def series(store: Store, site: str | int, *, since: str | None = None, until: str | None = None
           ) -> tuple[RainGaugeSite, list[tuple[int, float, int]]]:
    """A site's readings (ts, mm, minutes) oldest first, within [since, until] (Beijing time)."""
    s = find_site(store, site)
    lo = parse_time(since)[0] - (DAY if parse_time(since)[1] else 0) if since else None
    hi = parse_time(until)[0] if until else None
    with store.db.read() as r:
        rows = store.db.rain.readings(r, sites=[s.slot], since=lo, until=hi)
    return s, [(ts, mm, minutes) for _site, ts, mm, minutes in rows]


# ---- thresholds --------------------------------------------------------------------------------------------

def thresholds(store: Store) -> list[Threshold]:
    with store.db.read() as s:
        return store.db.rain.thresholds(s)


def threshold_changes(store: Store) -> list[ThresholdChange]:
    with store.db.read() as s:
        return store.db.rain.threshold_changes(s)


Cell = tuple[Level, Window]


def set_threshold(store: Store, level: str | Level, window: str | Window, mm: float | str | None, *,
                  site: str | int | None = None, by: str | None = None) -> Changes:
    """One cell of the county table (site None) or a site's override; mm None removes it (a site then
    follows the county table again). Kept in the change history: who, when, old, new."""
    from hazardmap.domain.rain import parse_window

    return set_thresholds(store, {(parse_level(level), parse_window(window)): mm}, site=site, by=by)


def set_thresholds(store: Store, cells: Mapping[Cell, float | str | None], *, site: str | int | None = None,
                   by: str | None = None) -> Changes:
    """Several cells of one table (the county's, or a site's overrides) as one step: all written, then the
    order of the levels checked once (raising 蓝 above 黄 needs both in one step), each change recorded."""
    slot = COUNTY if site is None else find_site(store, site).slot
    wanted = {cell: None if mm is None or str(mm).strip() in ("", "-", "—", "无") else check_threshold_mm(mm)
              for cell, mm in cells.items()}
    by, at = by or current_user(), now_iso()
    with store.db.write() as tx:
        current = _cells(store, tx, slot)
        before = {cell: current.get(cell) for cell, mm in wanted.items()
                  if (current[cell].mm if cell in current else None) != mm}
        if not before:
            return Changes()
        after = {cell: None if wanted[cell] is None else Threshold(slot, *cell, wanted[cell], BUREAU_SOURCE, changed_by=by, changed_at=at)
                 for cell in before}
        _write_thresholds(store, tx, slot, before, after, by, at)
    where = "全县" if slot == COUNTY else f"{slot}号站"
    if len(before) == 1:
        ((lv, w), old), = before.items()
        label = f"{where}{lv.colour_name}{w.label}阈值 {_mm_text(old.mm if old else None)} → {_mm_text(wanted[(lv, w)])}"
    else:
        label = f"{where}阈值（{len(before)} 项）"
    return Changes(rain=True, label=label,
                   undo=lambda: _put_thresholds(store, slot, before, expect=after, label=label))


def _cells(store: Store, tx, slot: int) -> dict[Cell, Threshold]:
    return {(t.level, t.window): t for t in store.db.rain.thresholds(tx) if t.site == slot}


def _mm_text(mm: float | None) -> str:
    return "未设" if mm is None else f"{fmt_mm(mm)} mm"


def _write_thresholds(store, tx, slot, before: Mapping[Cell, Threshold | None], after: Mapping[Cell, Threshold | None],
                      by, at) -> None:
    for (lv, w), t in after.items():
        store.db.rain.put_threshold(tx, slot, lv, w, t)
    everything = store.db.rain.thresholds(tx)
    check_table_order(table_for(slot, everything) if slot != COUNTY else
                      ThresholdTable({(t.level, t.window): t for t in everything if t.site == COUNTY}))
    for (lv, w), t in after.items():
        old = before[(lv, w)]
        store.db.rain.add_threshold_change(tx, ThresholdChange(slot, lv, w, old.mm if old else None,
                                                               t.mm if t else None,
                                                               changed_by=by, changed_at=at))


def _put_thresholds(store: Store, slot: int, to: Mapping[Cell, Threshold | None], *,
                    expect: Mapping[Cell, Threshold | None], label: str) -> Changes:
    by, at = current_user(), now_iso()
    with store.db.write() as tx:
        now = _cells(store, tx, slot)
        if any(now.get(cell) != t for cell, t in expect.items()):
            raise StaleEdit("雨量阈值")
        _write_thresholds(store, tx, slot, expect, to, by, at)
    return Changes(rain=True, label=label, undo=lambda: _put_thresholds(store, slot, expect, expect=to, label=label))


# ---- status and warnings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SiteRow:
    site: RainGaugeSite
    status: SiteStatus
    covered: tuple[Coverage, ...]

    @property
    def name(self) -> str:
        return site_name(self.site)


def _load(store: Store, *, since: int | None, until: int | None, sites: Sequence[int] | None = None):
    with store.db.read() as s:
        all_sites = [x for x in store.db.rain_gauges.all(s) if not x.retired]
        # Naming the sites lets SQLite seek (site, ts) on the primary key instead of scanning every reading.
        rows = store.db.rain.readings(s, sites=sites if sites is not None else [x.slot for x in all_sites],
                                      since=since, until=until)
        ths = store.db.rain.thresholds(s)
    # Rows come by site then time: each site's slice becomes its columns in C (itemgetter), no tuple each.
    slots = list(map(itemgetter(0), rows))
    series = {}
    for x in all_sites:
        lo, hi = bisect_left(slots, x.slot), bisect_right(slots, x.slot)
        part = rows[lo:hi]
        series[x.slot] = Series(x.slot, columns=(list(map(itemgetter(1), part)), list(map(itemgetter(2), part)),
                                                 list(map(itemgetter(3), part))))
    return all_sites, series, ths


def now_ts() -> int:
    return int(datetime.now(BEIJING).timestamp())


def status(store: Store, at: str | int | None = None) -> list[SiteRow]:
    """Every site in use at time `at` (default now): level, the windows that fired, the coverage."""
    t = now_ts() if at is None else at if isinstance(at, int) else parse_time(at)[0]
    cfg = get_settings(store)
    look_back = max(24 * HOUR, (cfg.effective.days + 1) * DAY) + DAY
    sites, by_site, ths = _load(store, since=t - look_back, until=t)
    cover = coverage_map(store, settings=cfg, sites=sites)
    return [SiteRow(x, evaluate(by_site[x.slot], table_for(x.slot, ths), t, cfg.effective),
                    tuple(cover.get(x.slot, ()))) for x in sites]


def warnings(store: Store, *, since: str | int | None = None, until: str | int | None = None,
             lowest: Level = Level.BLUE) -> list[Episode]:
    """The warnings (episodes) of every site between since and until (default: all stored readings)."""
    cfg = get_settings(store)
    with store.db.read() as s:
        first, last = store.db.rain.span(s)
    if first is None:
        return []
    lo = first if since is None else since if isinstance(since, int) else parse_time(since)[0] - (
        DAY if parse_time(since)[1] else 0)
    hi = last + 24 * HOUR if until is None else until if isinstance(until, int) else parse_time(until)[0]
    look_back = max(24 * HOUR, (cfg.effective.days + 1) * DAY) + DAY
    sites, by_site, ths = _load(store, since=lo - look_back, until=hi)
    out = []
    for x in sites:
        out.extend(episodes(by_site[x.slot], table_for(x.slot, ths), cfg.effective, lo, hi, lowest))
    out.sort(key=lambda e: (e.start, e.site))
    return out


def describe_episode(e: Episode, names: dict[int, str]) -> str:
    end = "仍在持续" if e.end is None else f"至 {fmt_time(e.end)} 结束"
    return (f"{names.get(e.site, f'{e.site}号站')}：{e.peak.colour_name}预警，{fmt_time(e.start)} 开始，{end}；"
            f"最高时 {e.peak_trigger.text}")


def warned_points(store: Store, level: str | Level, at: str | int | None = None) -> list[int]:
    """The points covered by a site whose warning at `at` (default now) is `level` or above, by number."""
    lv = parse_level(level)
    return sorted({c.point for r in status(store, at) if r.status.level is not None and r.status.level >= lv
                   for c in r.covered})


# ---- coverage --------------------------------------------------------------------------------------------

def coverage_map(store: Store, *, settings: RainSettings | None = None,
                 sites: Sequence[RainGaugeSite] | None = None) -> dict[int, list[Coverage]]:
    """site -> the points (在册) it covers, by distance or township, with the bureau's edits."""
    from hazardmap.domain.map_query import Which
    from hazardmap.domain.points import PointStatus, PointView
    from hazardmap.services import register

    cfg = settings or get_settings(store)
    with store.db.read() as s:
        sites = sites if sites is not None else [x for x in store.db.rain_gauges.all(s) if not x.retired]
        edits = store.db.rain.coverage_edits(s)
    with store.db.read() as s:
        large = store.db.map_points.count(s, Which(PointStatus.ACTIVE), located=False) > COVERAGE_READ_ALL_UP_TO
    if not large:   # one read of every point: fewer round trips than asking per site
        everyone = [CoverPoint(p.seq, p.township, p.lon, p.lat)
                    for p in register.points_in_view(store, PointView.ACTIVE)]
    out = {}
    for x in sites:
        edit = edits.get(x.slot, {})
        pts = everyone if not large else [CoverPoint(p.seq, p.township, p.lon, p.lat)
                                          for p in _coverage_candidates(store, x, cfg.radius_km, edit)]
        out[x.slot] = coverage(CoverSite(x.slot, x.township, x.lon, x.lat), pts, cfg.radius_km, edit)
    return out


# Above this many points (a province's register) coverage asks the database per site for the points
# that could be covered, instead of reading every point.
COVERAGE_READ_ALL_UP_TO = 5000


def _coverage_candidates(store: Store, site, radius_km: float, edits) -> list:
    """The 在册 points a site could cover, by seq: those in a box a little larger than its radius, those of
    its township and those edited by hand. Asked of the database per site, so a province's register is
    never read whole for a rain warning."""
    import math

    from hazardmap.domain.map_query import Box, Which
    from hazardmap.domain.points import PointStatus

    which = Which(PointStatus.ACTIVE)
    repo = store.db.map_points
    found = {}
    with store.db.read() as s:
        if site.lon is not None and site.lat is not None:
            dlat = radius_km / 110.0 * 1.2 + 0.01   # a degree of latitude is at least 110 km
            dlon = dlat / max(0.05, math.cos(math.radians(min(89.0, abs(site.lat) + dlat))))
            box = Box(site.lon - dlon, site.lat - dlat, site.lon + dlon, site.lat + dlat)
            found.update((p.seq, p) for p in repo.in_box(s, which, box, 10 ** 9))
        if site.township:
            found.update((p.seq, p) for p in repo.in_box(s, Which(PointStatus.ACTIVE, township=site.township), None,
                                                          10 ** 9, located=False))
        if edits:
            found.update((p.seq, p) for p in repo.get_many(s, list(edits)) if p.status is PointStatus.ACTIVE)
    return [found[seq] for seq in sorted(found)]


def set_coverage(store: Store, site: str | int, point: int, included: bool | None, *,
                 by: str | None = None) -> Changes:
    """The bureau's edit: the point is (True) or is not (False) covered by the site; None: back to the rule."""
    x = find_site(store, site)
    by, at = by or current_user(), now_iso()
    with store.db.write() as tx:
        if store.db.points.get(tx, point) is None:
            raise NotFound(f"没有第 {point} 号隐患点", what="隐患点", key=point)
        before = store.db.rain.coverage_edits(tx).get(x.slot, {}).get(point)
        if before == included:
            return Changes()
        store.db.rain.put_coverage_edit(tx, x.slot, point, included, by=by, at=at)
    verb = {True: "加入", False: "移出", None: "按规则计算"}[included]
    label = f"{x.slot}号站覆盖范围：{point} 号隐患点{verb}"
    return Changes(rain=True, label=label, undo=lambda: set_coverage(store, x.slot, point, before, by=by))


@dataclass(frozen=True)
class CoverageRow:
    point: int
    name: str
    township: str
    covered: bool
    why: str                 # 距离 3.2 km / 同一乡镇 / 人工添加 / 人工移出 / ""
    by_rule: bool            # what the rule (radius or township) alone says


def coverage_rows(store: Store, site: str | int) -> list[CoverageRow]:
    """Every 在册 point for one site: covered or not, and why (the rule, or the bureau's edit)."""
    from hazardmap.domain.points import PointView
    from hazardmap.services import register

    x = find_site(store, site)
    cfg = get_settings(store)
    with store.db.read() as s:
        edits = store.db.rain.coverage_edits(s).get(x.slot, {})
    points = register.points_in_view(store, PointView.ACTIVE)
    cover_site = CoverSite(x.slot, x.township, x.lon, x.lat)
    cps = [CoverPoint(p.seq, p.township, p.lon, p.lat) for p in points]
    rule = {c.point: c.why for c in coverage(cover_site, cps, cfg.radius_km, {})}
    now = {c.point: c.why for c in coverage(cover_site, cps, cfg.radius_km, edits)}
    return [CoverageRow(p.seq, p.name, p.township, p.seq in now,
                        now.get(p.seq) or ("人工移出" if edits.get(p.seq) is False else ""), p.seq in rule)
            for p in points]


def set_covered(store: Store, site: str | int, point: int, covered: bool, *, by: str | None = None) -> Changes:
    """The bureau says the site does (or does not) speak for the point: an edit where the rule says
    otherwise, and back to the rule where it agrees."""
    row = next((r for r in coverage_rows(store, site) if r.point == point), None)
    if row is None:
        raise NotFound(f"没有在册的第 {point} 号隐患点", what="隐患点", key=point)
    return set_coverage(store, site, point, None if row.by_rule == covered else covered, by=by)


# ---- due patrols -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DuePatrol:
    point: int
    name: str
    monitor: str
    phone: str
    site: int
    site_name: str
    level: Level
    kind: str               # 雨中巡查 / 加密巡查
    since: int              # when the site reached the patrol level
    reason: str             # every window that fired at that level
    patrolled_at: str | None   # a patrol recorded since then (then it is no longer due)
    first: str = ""         # the first window that fired, for messages ("24 小时累计 142 mm ≥ 黄色 130 mm")
    window: str = ""        # its name ("24 小时累计")

    @property
    def due(self) -> bool:
        return self.patrolled_at is None


def due_patrols(store: Store, at: str | int | None = None, *, level: Level | None = None,
                include_done: bool = False) -> list[DuePatrol]:
    """Points covered by a site whose current warning is at `level` (default: the setting) or above, until a
    patrol entry is recorded after the warning reached that level. One row per point (its highest warning)."""
    from hazardmap.services.points import list_points

    cfg = get_settings(store)
    t = now_ts() if at is None else at if isinstance(at, int) else parse_time(at)[0]
    level = level or cfg.patrol_level
    rows = [r for r in status(store, t) if r.status.level is not None and r.status.level >= level]
    if not rows:
        return []
    # When did each warning reach the level: replay the last days of those sites.
    eps = warnings(store, since=t - 3 * DAY, until=t, lowest=level)
    started = {}
    for e in eps:
        if e.covers(t) or (e.end is not None and e.end > t):
            started[e.site] = e.reached(level) or e.start
    points = {p.seq: p for p in list_points(store)}
    best: dict[int, DuePatrol] = {}
    with store.db.read() as s:
        for r in sorted(rows, key=lambda r: -int(r.status.level)):
            since = started.get(r.site.slot, r.status.at)
            done = store.db.rain.patrolled_since(s, _patrol_time(since))
            for c in r.covered:
                p = points.get(c.point)
                if p is None or c.point in best:
                    continue
                best[c.point] = DuePatrol(c.point, p.name, p.monitor, p.phone, r.site.slot, r.name, r.status.level,
                                          patrol_kind(r.status.level), since, r.status.reason, done.get(c.point),
                                          r.status.triggers[0].text, r.status.triggers[0].window.label)
    out = sorted(best.values(), key=lambda d: (-int(d.level), d.point))
    return out if include_done else [d for d in out if d.due]


def _patrol_time(ts: int) -> str:
    return datetime.fromtimestamp(ts, BEIJING).strftime("%Y-%m-%d %H:%M")


# ---- SMS list ------------------------------------------------------------------------------------------------

SMS_COLUMNS = ("监测员", "手机号", "隐患点", "雨量站", "预警等级", "短信内容")


def sms_rows(store: Store, *, level: Level, at: str | int | None = None, mask_phones: bool = False
             ) -> list[list[str]]:
    """One row per covered point of a warning at `level` or above: monitor, phone, point, site, level,
    the message from the template. hazardmap sends nothing itself."""
    cfg = get_settings(store)
    out = []
    for d in due_patrols(store, at, level=level, include_done=True):
        text = fill_template(cfg.sms_template, {
            "站点": d.site_name, "等级": d.level.colour_name, "时段": d.window, "原因": d.first,
            "监测员": d.monitor or "监测员", "隐患点": d.name, "巡查": d.kind, "开始时间": _patrol_time(d.since)})
        phone = mask_phone(d.phone) if mask_phones and d.phone else d.phone
        out.append([d.monitor, phone, f"{d.point} {d.name}", d.site_name, d.level.colour_name, text])
    return out


def export_sms(store: Store, out: str | Path, *, level: str | Level, at: str | int | None = None,
               mask_phones: bool = False, force: bool = False) -> int:
    """The SMS list as .csv (UTF-8 with BOM, for Excel) or .xlsx; the number of rows."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InvalidInput(f"导出文件“{out.name}”的扩展名应为 .xlsx 或 .csv")
    check_target(out, force=force)
    rows = sms_rows(store, level=parse_level(level), at=at, mask_phones=mask_phones)
    with atomic_write(out, force=force) as partial:
        if suffix == ".csv":
            with open(partial, "w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(SMS_COLUMNS)
                for r in rows:
                    w.writerow([neutralise(v) for v in r])
        else:
            from hazardmap.services.xlsx_scratch import scratch_in, write_only_workbook

            with scratch_in(partial.parent):
                wb = write_only_workbook()
                ws = wb.create_sheet("预警短信")
                ws.append(list(SMS_COLUMNS))
                for r in rows:
                    ws.append([xlsx_cell(ws, v) for v in r])
                wb.save(partial)
    return len(rows)


# ---- back-test ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Backtest:
    since: int
    until: int
    scores: tuple[LevelScore, ...]
    reports: int
    after_hours: int
    sites_with_data: int


def backtest(store: Store, since: str, until: str) -> Backtest:
    """Replay [since, until]: per level, warnings fired and points covered, and against the 异常/危险 patrol
    reports of the period, hits, misses, false alarms, POD and FAR."""
    lo, lo_date = parse_time(since)
    lo -= DAY if lo_date else 0
    hi = parse_time(until)[0]
    if hi <= lo:
        raise InvalidInput("回溯检验的结束时间应晚于开始时间")
    cfg = get_settings(store)
    eps = warnings(store, since=lo, until=hi)
    cover = {k: [c.point for c in v] for k, v in coverage_map(store, settings=cfg).items()}
    with store.db.read() as s:
        raw = store.db.rain.reports(s, _patrol_time(lo), _patrol_time(hi))
    reports = [Report(p, parse_time(at)[0]) for p, at, _j in raw]
    scores = tuple(score(lv, eps, cover, reports, cfg.after_hours * HOUR) for lv in Level)
    return Backtest(lo, hi, scores, len(reports), cfg.after_hours, len({e.site for e in eps}))


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def points_by_seq(store: Store) -> dict[int, HazardPoint]:
    from hazardmap.services.points import list_points

    return {p.seq: p for p in list_points(store)}

