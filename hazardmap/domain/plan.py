"""The 隐患点防灾预案表 (the third paper of 两卡一表): per point, what staff write about the hazard, its
monitoring, the alarm and the evacuation. Location, type, threatened objects and the monitor come from
the point itself; everything here is typed by staff and starts empty (nothing is guessed)."""
from __future__ import annotations

from dataclasses import dataclass, field

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.validation import check_visible


@dataclass(frozen=True)
class PlanField:
    key: str          # the column in storage
    label: str        # as printed and shown in the 预案 tab
    long: bool        # several lines of free text
    max_len: int


def _f(key: str, label: str, long: bool = False) -> PlanField:
    return PlanField(key, label, long, 1000 if long else 100)


# In the order of the printed table.
PLAN_FIELDS: tuple[PlanField, ...] = (
    _f("past_events", "历史灾情", True),
    _f("geology", "地质环境条件", True),
    _f("deformation", "变形迹象", True),
    _f("stability", "稳定性分析", True),
    _f("triggers", "诱发因素", True),
    _f("potential_harm", "潜在危害", True),
    _f("forecast", "临灾状态预测", True),
    _f("monitoring_method", "监测方法"),
    _f("monitoring_cycle", "监测周期"),
    _f("responsible_county", "县级责任人"),
    _f("responsible_township", "乡镇责任人"),
    _f("responsible_village", "村级责任人"),
    _f("alarm_method", "报警方法"),
    _f("alarm_signal", "报警信号"),
    _f("alarm_by", "报警人"),
    _f("refuge", "预定避灾地点"),
    _f("evacuation_route", "预定疏散路线", True),
    _f("advice", "防治建议", True),
)
PLAN_KEYS = tuple(f.key for f in PLAN_FIELDS)
_BY_KEY = {f.key: f for f in PLAN_FIELDS}


@dataclass(frozen=True)
class PointPlan:
    seq: int
    values: dict[str, str] = field(default_factory=dict)   # every key of PLAN_FIELDS; '' when not written
    changed_by: str | None = None
    changed_at: str | None = None
    version: int = field(default=0, compare=False)  # 0: never saved; grows with every save (migration 8)

    def get(self, key: str) -> str:
        return self.values.get(key, "")

    @property
    def empty(self) -> bool:
        return not any(self.values.values())


@dataclass(frozen=True)
class PlanChange:
    """One save (or undo/redo) of a plan: the fields it changed, before and after."""
    seq: int
    before: dict[str, str]
    after: dict[str, str]
    changed_by: str
    changed_at: str


def changed_fields(before: dict[str, str], after: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    keys = [k for k in PLAN_KEYS if before.get(k, "") != after.get(k, "")]
    return {k: before.get(k, "") for k in keys}, {k: after.get(k, "") for k in keys}


def empty_values() -> dict[str, str]:
    return {k: "" for k in PLAN_KEYS}


def check_plan_field(key: str, text: str) -> str:
    """One field as typed: trimmed, no invisible characters, not too long."""
    f = _BY_KEY.get(key)
    if f is None:
        raise InvalidInput(f"预案表没有“{key}”这一栏")
    text = (text or "").strip().replace("\r\n", "\n")
    if not f.long and "\n" in text:
        raise InvalidInput(f"{f.label}只能写一行")
    for line in text.split("\n"):   # a line break is allowed in long fields; nothing else unseen is
        check_visible(line, f.label)
    if len(text) > f.max_len:
        raise InvalidInput(f"{f.label}过长（最多 {f.max_len} 个字，现有 {len(text)} 个）")
    return text


def check_plan(values: dict[str, str]) -> dict[str, str]:
    """A whole draft: every key checked; keys not given stay as they are (the caller merges)."""
    return {k: check_plan_field(k, v) for k, v in values.items()}
