"""What the map asks the database for when a register is too large to send whole (a province): the
points of one view inside a box, one by one when few, else counted in grid cells."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hazardmap.domain.points import PointStatus


@dataclass(frozen=True)
class Box:
    """A rectangle in CGCS2000 degrees."""
    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        values = (self.west, self.south, self.east, self.north)
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
            raise ValueError("box bounds must be finite numbers")
        if self.west > self.east or self.south > self.north:
            raise ValueError("box west/south must not exceed east/north")

    def padded(self, degrees: float) -> "Box":
        return Box(self.west - degrees, self.south - degrees, self.east + degrees, self.north + degrees)


@dataclass(frozen=True)
class Which:
    """Which points: on the register with this status, optionally only one key list's (by its id), one
    township's, one hazard type's (the hazard_type text)."""
    status: PointStatus = PointStatus.ACTIVE
    key_list: int | None = None
    township: str | None = None
    hazard_type: str | None = None


@dataclass(frozen=True)
class Cell:
    """A grid cell's points: how many, where on average (CGCS2000), and how many of them were last
    patrolled 危险 / 异常 (a province's cluster shows where to look)."""
    count: int
    lon: float
    lat: float
    danger: int = 0
    abnormal: int = 0


def cell_origin(value: float, size: float) -> float:
    """The grid line at or below value: cells keep their place while the map is panned."""
    return math.floor(value / size) * size
