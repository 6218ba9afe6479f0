"""按预警导出: the cards and patrol forms of the points covered by rainfall warnings at a level or above
(services/rain.py decides which), for the window's rain dock and `hazardmap rain export-sheets`."""
from __future__ import annotations

from dataclasses import dataclass

from hazardmap.domain.key_lists import View, ViewKind
from hazardmap.domain.rain import Level, fmt_time, parse_level, parse_time
from hazardmap.reports.data import ReportData, collect
from hazardmap.reports.sheets import HOUSEHOLD_CARD, PATROL_FORM, WORK_CARD
from hazardmap.services import rain
from hazardmap.services.store import Store

# What a warning asks to carry into the villages: the two cards and the patrol form (with recent entries).
KINDS = [WORK_CARD, HOUSEHOLD_CARD, PATROL_FORM]


@dataclass(frozen=True)
class WarnedBatch:
    data: ReportData
    seqs: list[int]         # the points covered by a site in warning at `level` or above, by number
    level: Level
    at: int

    @property
    def describe(self) -> str:
        return f"{fmt_time(self.at)} {self.level.colour_name}及以上预警覆盖的隐患点"


def collect_warned(store: Store, level: str | Level, at: str | int | None = None) -> WarnedBatch:
    """Read on the thread that owns the store. Every 在册 point can be covered (coverage is computed over
    the register, not a year's list), so the data holds them all."""
    lv = parse_level(level)
    t = rain.now_ts() if at is None else at if isinstance(at, int) else parse_time(at)[0]
    seqs = rain.warned_points(store, lv, t)
    data = collect(store, with_history=True, view=View(ViewKind.REGISTERED))
    return WarnedBatch(data, seqs, lv, t)
