"""The national grading of geological-hazard points (national emergency plan for sudden geological
disasters), as docs/DOMAIN.md gives it:

- 险情 (danger) by people threatened or potential loss: 特大型 ≥1000 people or ≥1亿元; 大型 500–1000 or
  5000万–1亿; 中型 100–500 or 500万–5000万; 小型 <100 or <500万.
- Scale by volume, for landslides (滑坡): 小型 <10万 m³, 中型 10–100万, 大型 100–1000万, 巨型 >1000万.
  No volume thresholds for the other hazard types are in the product's sources, so they get no scale
  grade (None) rather than a borrowed one.

Lower bounds are inclusive ("500–1000" is 500 ≤ n < 1000); where both people and loss are known the
higher grade wins (the plan says "or"). Nothing known gives None: a grade is never guessed."""
from __future__ import annotations

import enum

from hazardmap.domain.points import HazardKind
from hazardmap.domain.ranked import Ranked


class DangerGrade(Ranked):
    SMALL = "小型"
    MEDIUM = "中型"
    LARGE = "大型"
    HUGE = "特大型"


class ScaleGrade(str, enum.Enum):
    SMALL = "小型"
    MEDIUM = "中型"
    LARGE = "大型"
    GIANT = "巨型"


# (lower bound, grade), highest first. People: persons; loss: 万元.
DANGER_BY_PEOPLE = ((1000, DangerGrade.HUGE), (500, DangerGrade.LARGE), (100, DangerGrade.MEDIUM),
                    (0, DangerGrade.SMALL))
DANGER_BY_LOSS_WAN = ((10000, DangerGrade.HUGE), (5000, DangerGrade.LARGE), (500, DangerGrade.MEDIUM),
                      (0, DangerGrade.SMALL))
# Landslide volume in m³: 巨型 is "> 1000万", so exactly 1000万 is still 大型.
LANDSLIDE_VOLUME_M3 = ((100_000, ScaleGrade.MEDIUM), (1_000_000, ScaleGrade.LARGE), (10_000_000, ScaleGrade.GIANT))
SCALE_RULES: dict[HazardKind, str] = {HazardKind.LANDSLIDE: "滑坡体积：小型<10万m³，中型10～100万，大型100～1000万，巨型>1000万"}


def _by_bounds(value: float, bounds) -> DangerGrade:
    for lower, grade in bounds:
        if value >= lower:
            return grade
    return bounds[-1][1]


def danger_grade(people: int | None, loss_wan: float | None) -> DangerGrade | None:
    """险情等级 from people threatened and/or potential loss (万元); None if neither is known."""
    grades = []
    if people is not None:
        grades.append(_by_bounds(people, DANGER_BY_PEOPLE))
    if loss_wan is not None:
        grades.append(_by_bounds(loss_wan, DANGER_BY_LOSS_WAN))
    return max(grades, key=lambda g: g.rank) if grades else None


def scale_grade(kind: HazardKind | None, volume_m3: float | None) -> ScaleGrade | None:
    """规模等级 from volume, for the hazard types whose thresholds the product holds (滑坡)."""
    if kind is not HazardKind.LANDSLIDE or volume_m3 is None:
        return None
    if volume_m3 > LANDSLIDE_VOLUME_M3[2][0]:
        return ScaleGrade.GIANT
    if volume_m3 >= LANDSLIDE_VOLUME_M3[1][0]:
        return ScaleGrade.LARGE
    if volume_m3 >= LANDSLIDE_VOLUME_M3[0][0]:
        return ScaleGrade.MEDIUM
    return ScaleGrade.SMALL


def scale_note(kind: HazardKind | None, volume_m3: float | None) -> str:
    """Why there is no scale grade, in Chinese ("" when there is one)."""
    if kind is None:
        return "未填灾害类型"
    if kind not in SCALE_RULES:
        return f"本软件未收录{kind.value}的规模分级标准"
    if volume_m3 is None:
        return "未填体积"
    return ""
