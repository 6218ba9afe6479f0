"""Reference layers: the bureau's own polygons and lines (township boundaries, roads, rivers, zoning),
imported from GIS files, drawn on the map and on printed maps. Geometry is kept as WKB in CGCS2000
lon/lat; nothing here reads or writes files."""
from __future__ import annotations

import enum
from dataclasses import dataclass


class LayerRole(str, enum.Enum):
    TOWNSHIP = "township"   # township (乡镇/街道) boundaries: replace the ± ring of township-precision points
    OTHER = "other"

    @property
    def label(self) -> str:
        return "乡镇界" if self is LayerRole.TOWNSHIP else "参考图层"


@dataclass(frozen=True)
class ReferenceLayer:
    id: int
    name: str
    kind: str             # "line" or "polygon"
    role: LayerRole
    source: str           # the file it came from and its coordinate system
    visible: bool
    count: int
    created_by: str
    created_at: str


@dataclass(frozen=True)
class ReferenceFeature:
    label: str            # the name shown (township name for township boundaries)
    wkb: bytes            # CGCS2000 lon/lat
    attrs_json: str = "{}"


def check_layer_name(name: str) -> str:
    from hazardmap.domain.errors import InvalidInput
    from hazardmap.domain.validation import check_visible

    name = check_visible(name or "", "图层名称").strip()
    if not name:
        raise InvalidInput("请给参考图层起个名称（如“乡镇界”“主要道路”）")
    if len(name) > 40:
        raise InvalidInput("图层名称过长（最多40个字）")
    if name in ("points", "gauges", "patrol"):
        raise InvalidInput(f"“{name}”是保留的名称，请换一个")
    return name
