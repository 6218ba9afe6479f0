"""What a map page shows and in which datum: light (no folium), so the CLI parser stays fast."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from hazardmap.domain.key_lists import View
from hazardmap.geodata.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02

# Layer keys (used by the page, the layer panel and the tests) and their Chinese names.
LAYERS: dict[str, str] = {
    "county": "县界",
    "townships": "乡镇街道驻地",
    "villages": "村庄",
    "points": "重点隐患点",
    "rain_gauges": "雨量计站点",
    "emergency_works": "排危除险工程",
}

# Optional online basemaps; "offline" (vector layers only) is the default and makes no request.
BASEMAPS: dict[str, str] = {
    "offline": "无底图（离线）",
    "osm": "OpenStreetMap",
    "tianditu": "天地图（需密钥）",
    "amap": "高德地图（GCJ-02）",
}


@dataclass(frozen=True)
class MapOptions:
    basemap: str = "offline"
    tianditu_key: str = ""
    qt_bridge: bool = False        # load qwebchannel.js and talk to the window
    layer_control: bool = True     # Leaflet's own layer switch (the window has its own panel)
    mask_phones: bool = False      # phones as 138****2467 (copies of the page leaving the bureau)
    visible: frozenset[str] = field(default_factory=lambda: frozenset(LAYERS))
    view: View | None = None       # which points (services/views.py); None = the newest key list
    rain_at: int | None = None     # the time whose rain warnings colour the gauges (Unix s); None = now
    township: str | None = None    # only this township's points (the window's filter); None = all
    hazard_type: str | None = None  # only points of this hazard type; None = all
    start_box: tuple[float, float, float, float] | None = None  # CGCS2000 W,S,E,N to show first; None = county

    def __post_init__(self) -> None:
        if self.basemap not in BASEMAPS:
            raise ValueError(f"unknown basemap {self.basemap!r}")


def page_datum(options: MapOptions) -> str:
    return "gcj02" if options.basemap == "amap" else "cgcs2000"


def to_page_fn(options: MapOptions) -> Callable[[float, float], tuple[float, float]]:
    if page_datum(options) == "gcj02":
        return wgs84_to_gcj02
    return lambda lon, lat: (lon, lat)


def page_to_cgcs2000(lon: float, lat: float, options: MapOptions) -> tuple[float, float]:
    """A position read off the page (cursor, click) back in CGCS2000."""
    if page_datum(options) == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    return lon, lat


