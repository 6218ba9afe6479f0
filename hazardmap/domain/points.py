"""Hazard points, their monitors and their positions."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from hazardmap.domain.validation import Datum


class Precision(str, enum.Enum):
    SURVEYED = "surveyed"   # measured on site (GPS) and entered by staff
    VILLAGE = "village"     # village centre point, not the group (组) itself
    TOWNSHIP = "township"   # township centre only: uncertain by kilometres
    NONE = "none"           # no position known

    @property
    def label(self) -> str:
        return PRECISION_LABELS[self]

    @property
    def print_note(self) -> str:
        return PRECISION_NOTES[self]


PRECISION_LABELS = {
    Precision.SURVEYED: "实测",
    Precision.VILLAGE: "村庄中心",
    Precision.TOWNSHIP: "乡镇中心",
    Precision.NONE: "未定位",
}

PRECISION_NOTES = {
    Precision.SURVEYED: "位置为实测坐标",
    Precision.VILLAGE: "位置为村庄中心，非实测",
    Precision.TOWNSHIP: "位置为乡镇驻地，非实测，误差可达数公里",
    Precision.NONE: "位置未知，待实地测定",
}


class LocationChangeKind(str, enum.Enum):
    CORRECTION = "correction"  # a position typed or picked by staff
    UNDO = "undo"              # puts back the position from before an earlier change


@dataclass(frozen=True)
class Position:
    """Where a point is and how well that is known (the four fields a location change replaces)."""
    lon: float | None  # CGCS2000
    lat: float | None
    precision: Precision
    source: str


@dataclass(frozen=True)
class HazardPoint:
    seq: int
    township: str
    village_group: str
    village_code: str
    threatened: str
    hazard_type: str  # "" where no source states it
    monitor: str
    phone: str
    lon: float | None  # CGCS2000
    lat: float | None
    precision: Precision
    source: str

    @property
    def located(self) -> bool:
        return self.lon is not None and self.lat is not None

    @property
    def position(self) -> Position:
        return Position(self.lon, self.lat, self.precision, self.source)

    @property
    def village(self) -> str:
        """The administrative village (村/社区/居委会) part of village_group."""
        for marker in ("居委会", "社区", "村"):
            i = self.village_group.find(marker)
            if i >= 0:
                return self.village_group[: i + len(marker)]
        return self.village_group

    @property
    def name(self) -> str:
        return f"{self.township}{self.village_group}"


@dataclass(frozen=True)
class LocationChange:
    """One row of a point's position history: a correction typed or picked by staff, or the undo
    of the change before it (which restores the old position, possibly "none")."""
    id: int
    point_seq: int
    kind: LocationChangeKind
    old_lon: float | None
    old_lat: float | None
    old_precision: Precision
    old_source: str
    new_lon: float | None
    new_lat: float | None
    new_precision: Precision
    new_source: str
    datum_entered: Datum | None  # None for an undo: nothing was typed
    entered_lon: float | None
    entered_lat: float | None
    source: str
    changed_by: str
    changed_at: str  # ISO 8601 local time

    @property
    def is_undo(self) -> bool:
        return self.kind is LocationChangeKind.UNDO


@dataclass(frozen=True)
class MonitorChange:
    id: int
    point_seq: int
    old_name: str
    old_phone: str
    new_name: str
    new_phone: str
    changed_by: str
    changed_at: str


def mask_phone(phone: str) -> str:
    """138****2467: keeps the first 3 and last 4 digits (exports meant for outside the bureau)."""
    digits = phone.strip()
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)
