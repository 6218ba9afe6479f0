"""Hazard points, their monitors and their positions."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

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


class HazardKind(str, enum.Enum):
    """灾害类型: the six kinds of the county register."""
    LANDSLIDE = "滑坡"
    ROCKFALL = "崩塌"
    DEBRIS_FLOW = "泥石流"
    COLLAPSE = "地面塌陷"
    GROUND_FISSURE = "地裂缝"
    UNSTABLE_SLOPE = "不稳定斜坡"

    @classmethod
    def parse(cls, text: str) -> "HazardKind | None":
        """The kind named by text, None for empty text; InvalidInput for anything else."""
        from hazardmap.domain.errors import FieldInvalid

        text = text.strip()
        if not text:
            return None
        for kind in cls:
            if kind.value == text:
                return kind
        raise FieldInvalid("kind", f"灾害类型“{text}”不在六类之中：只能是{'、'.join(k.value for k in cls)}")


class PointStatus(str, enum.Enum):
    ACTIVE = "active"    # 在册
    RETIRED = "retired"  # 已核销 (销号) after remediation: kept, hidden by default

    @property
    def label(self) -> str:
        return "在册" if self is PointStatus.ACTIVE else "已核销"


class PointView(str, enum.Enum):
    """Which points a list, the table or the map shows (services.register.points_in_view)."""
    ACTIVE = "active"    # 全部在册
    RETIRED = "retired"  # 已核销
    ALL = "all"          # both

    @property
    def label(self) -> str:
        return {"active": "全部在册", "retired": "已核销", "all": "全部（含已核销）"}[self.value]


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
    # The register's fields (migration 5). Empty/None where the county's data says nothing.
    unified_code: str = ""          # 统一编号, unique when given
    field_code: str = ""            # 野外编号
    given_name: str = ""            # 名称 as staff typed it; "" -> township + village_group
    kind: HazardKind | None = None  # 灾害类型
    volume_m3: float | None = None  # 体积 (m³)
    place: str = ""                 # 组/地点 text under the village
    households: int | None = None   # 威胁户数
    people: int | None = None       # 威胁人数
    property_wan: float | None = None  # 威胁财产 (万元)
    status: PointStatus = PointStatus.ACTIVE
    retired_on: str = ""            # 核销日期 YYYY-MM-DD
    retire_reason: str = ""         # 核销原因
    retire_doc: str = ""            # 核销文号
    # Grows with every change to the point's row (migration 8): an edit made from an older version is
    # refused (EditConflict). Not part of equality: two reads of the same content are the same point.
    version: int = field(default=1, compare=False)

    @property
    def retired(self) -> bool:
        return self.status is PointStatus.RETIRED

    @property
    def scale_grade(self):
        from hazardmap.domain.grading import scale_grade

        return scale_grade(self.kind, self.volume_m3)

    @property
    def danger_grade(self):
        from hazardmap.domain.grading import danger_grade

        return danger_grade(self.people, self.property_wan)

    def field_values(self) -> dict[str, object]:
        """The editable fields as stored (enum values as their text), e.g. for the audit trail."""
        return {k: _plain(getattr(self, k)) for k in POINT_FIELDS}

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
        return self.given_name or f"{self.township}{self.village_group}"


# The fields add_point/edit_point take (HazardPoint attribute names) and their Chinese labels.
POINT_FIELDS: dict[str, str] = {
    "unified_code": "统一编号", "field_code": "野外编号", "given_name": "名称", "kind": "灾害类型",
    "volume_m3": "体积（m³）", "township": "乡镇", "village_code": "村", "place": "组/地点",
    "village_group": "村组", "threatened": "威胁对象", "households": "威胁户数", "people": "威胁人数",
    "property_wan": "威胁财产（万元）", "monitor": "监测人", "phone": "联系电话",
}
# Status fields are changed by retire/restore only.
STATUS_FIELDS: dict[str, str] = {"status": "状态", "retired_on": "核销日期", "retire_reason": "核销原因",
                                 "retire_doc": "核销文号"}


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def _text(raw: object, label: str, limit: int) -> str:
    from hazardmap.domain.errors import FieldInvalid
    from hazardmap.domain.validation import invisible_character

    text = "" if raw is None else str(raw)
    bad = invisible_character(text)
    if bad:
        raise FieldInvalid(_KEY_OF[label], f"{label}含有看不见的字符（{bad}），请删去后再保存")
    text = text.strip()
    if len(text) > limit:
        raise FieldInvalid(_KEY_OF[label], f"{label}过长（最多{limit}个字）")
    return text


def _number(raw: object, key: str, *, integer: bool) -> float | int | None:
    """Empty -> None; otherwise a non-negative number (full-width digits and 千位 commas accepted)."""
    import math
    import unicodedata

    from hazardmap.domain.errors import FieldInvalid

    label = POINT_FIELDS[key]
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise FieldInvalid(key, f"{label}必须是数字")
    if isinstance(raw, (int, float)):
        value = raw
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise FieldInvalid(key, f"{label}“{raw}”不是数字") from None
    if not math.isfinite(value) or value < 0:
        raise FieldInvalid(key, f"{label}必须是不小于 0 的数字")
    if integer:
        if value != int(value):
            raise FieldInvalid(key, f"{label}必须是整数")
        return int(value)
    return float(value)


_KEY_OF = {v: k for k, v in POINT_FIELDS.items()}
_TEXT_LIMITS = {"unified_code": 40, "field_code": 40, "given_name": 80, "township": 20, "village_code": 20,
                "place": 80, "village_group": 120, "threatened": 200}


def check_point_fields(raw: dict[str, object]) -> dict[str, object]:
    """Normalise what a user typed for add/edit (only the keys given): text trimmed and free of
    invisible characters, numbers non-negative, type one of the six, phone well formed. Raises
    FieldInvalid (or BadPhone) naming the field. Township and village are checked against the
    gazetteer by the service (it holds the data)."""
    from hazardmap.domain.errors import FieldInvalid
    from hazardmap.domain.validation import check_name, check_phone

    out: dict[str, object] = {}
    for key, value in raw.items():
        if key not in POINT_FIELDS:
            raise FieldInvalid(key, f"隐患点没有“{key}”这一项")
        if key in ("volume_m3", "property_wan"):
            out[key] = _number(value, key, integer=False)
        elif key in ("households", "people"):
            out[key] = _number(value, key, integer=True)
        elif key == "kind":
            out[key] = value if isinstance(value, HazardKind) or value is None else HazardKind.parse(str(value))
        elif key == "monitor":
            text = "" if value is None else str(value)
            out[key] = check_name(text) if text.strip() else ""
        elif key == "phone":
            text = "" if value is None else str(value)
            out[key] = check_phone(text) if text.strip() else ""
        else:
            out[key] = _text(value, POINT_FIELDS[key], _TEXT_LIMITS[key])
    return out


def check_retire_date(text: str) -> str:
    """核销日期 as YYYY-MM-DD (also accepts 2024/5/3 and 2024年5月3日)."""
    import re
    from datetime import date

    from hazardmap.domain.errors import FieldInvalid

    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", text or "")
    try:
        if not m:
            raise ValueError
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise FieldInvalid("retired_on", f"核销日期“{text}”不是有效日期：请写成 2024-05-03") from None


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


class PointAction(str, enum.Enum):
    ADD = "add"
    EDIT = "edit"
    RETIRE = "retire"
    RESTORE = "restore"
    REMOVE = "remove"  # the undo of an add

    @property
    def label(self) -> str:
        return {"add": "新增", "edit": "编辑", "retire": "核销", "restore": "恢复", "remove": "撤销新增"}[self.value]


@dataclass(frozen=True)
class PointChange:
    """One row of a point's audit trail: who, when, and each field's old and new value."""
    id: int
    point_seq: int
    action: PointAction
    fields: dict[str, list]  # {"field": [old, new]}
    changed_by: str
    changed_at: str


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
