"""What the map, the tables and the printed forms need to know about patrols: the judgement scale,
its colours, and small read-only summaries. The patrol-log model itself lives in domain.patrol."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

# The standard macro signs of deformation (docs/DOMAIN.md), in the order forms print them.
MACRO_SIGNS: tuple[str, ...] = (
    "拉张裂缝", "剪切裂缝", "地面隆起", "地面沉降", "剥坠落", "树木歪斜", "建筑变形/房屋开裂", "渗冒混水/泉水变浑", "坡体鼓胀",
)


class Judgement(str, enum.Enum):
    NORMAL = "正常"
    ABNORMAL = "异常"
    DANGER = "危险"


UNPATROLLED = "未巡查"

# Colours a person reads at a glance on screen and on paper (green / amber / red / grey).
STATUS_COLOURS: dict[str, str] = {
    Judgement.NORMAL.value: "#2e7d32",
    Judgement.ABNORMAL.value: "#f39c12",
    Judgement.DANGER.value: "#c62828",
    UNPATROLLED: "#7f8c8d",
}


class LatestPatrol(NamedTuple):
    """The most recent patrol of a point: drives its colour on the map and its row state (a NamedTuple:
    a province asks for 290,000 of them at once)."""
    point_seq: int
    judgement: Judgement
    at: str  # "YYYY-MM-DD HH:MM" local time of the patrol


@dataclass(frozen=True)
class PatrolSummary:
    """One patrol entry as printed on a 巡查记录表 (with --with-history)."""
    point_seq: int
    at: str
    by: str
    weather: str = ""
    rain_mm: float | None = None
    signs: tuple[str, ...] = field(default_factory=tuple)
    crack_mm: float | None = None
    judgement: Judgement = Judgement.NORMAL
    action: str = ""
    note: str = ""


def status_label(latest: LatestPatrol | None) -> str:
    return latest.judgement.value if latest else UNPATROLLED
