"""Read-only layers shipped in data/: county outline, neighbours, townships, village gazetteer,
emergency works. Plain csv/json + shapely so the CLI starts fast; geopandas frames on request."""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from hazardmap.paths import bundled_data_dir

COUNTY_NAME = "衡南县"
COUNTY_ADCODE = "430422"


def _float(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    kind: str  # 街道 / 镇 / 乡
    lon: float | None
    lat: float | None
    centre_note: str


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    town_code: str
    township: str
    lon: float | None
    lat: float | None
    qa: str

    @property
    def located(self) -> bool:
        return self.lon is not None


@dataclass(frozen=True)
class EmergencyWork:
    seq: int
    site: str
    amount_yuan: int
    key_point_seq: int | None


@dataclass(frozen=True)
class EmergencyWorkSite:
    work_seq: int
    township: str
    village: str
    village_code: str
    lon: float | None
    lat: float | None
    note: str


def _json_file(name: str) -> cached_property:
    """A BundledData attribute: the bundled JSON file, read on first use."""
    return cached_property(lambda self: self.read_json(name))


class BundledData:
    """All of data/, loaded lazily and cached. Never written to."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or bundled_data_dir()

    def path(self, name: str) -> Path:
        return self.root / name

    def read_json(self, name: str) -> dict:
        return json.loads(self.path(name).read_text(encoding="utf-8"))

    @cached_property
    def key_point_rows(self) -> list[dict[str, str]]:
        return read_csv(self.path("key_points.csv"))

    county_geojson = _json_file("county_cgcs2000.geojson")
    hengyang_geojson = _json_file("hengyang_counties_cgcs2000.geojson")

    @cached_property
    def county_outline(self) -> BaseGeometry:
        return shape(self.county_geojson["features"][0]["geometry"])

    @cached_property
    def _county_prepared(self):
        return prep(self.county_outline)

    def inside_county(self, lon: float, lat: float) -> bool:
        return self._county_prepared.contains(Point(lon, lat))

    def neighbours_geojson(self) -> dict:
        """Counties of 衡阳市 other than 衡南县 (context, drawn faded)."""
        feats = [f for f in self.hengyang_geojson["features"]
                 if f["properties"].get("level") == "county" and f["properties"].get("adcode") != COUNTY_ADCODE]
        return {"type": "FeatureCollection", "features": feats}

    @cached_property
    def townships(self) -> list[Township]:
        return [Township(r["code"], r["name"], r["type"], _float(r["centre_lon"]), _float(r["centre_lat"]),
                         r["centre_note"]) for r in read_csv(self.path("townships.csv"))]

    def township(self, name: str) -> Township | None:
        return next((t for t in self.townships if t.name == name), None)

    @cached_property
    def villages(self) -> list[Village]:
        return [Village(r["code"], r["name"], r["town_code"], r["township"], _float(r["lon"]), _float(r["lat"]),
                        r["qa"]) for r in read_csv(self.path("villages.csv"))]

    @cached_property
    def _village_by_code(self) -> dict[str, Village]:
        return {v.code: v for v in self.villages}

    def village_by_code(self, code: str) -> Village | None:
        return self._village_by_code.get(code)

    def villages_named(self, name: str, township: str | None = None) -> list[Village]:
        out = [v for v in self.villages if v.name == name]
        if township:
            out = [v for v in out if v.township == township]
        return out

    @cached_property
    def emergency_works(self) -> list[EmergencyWork]:
        return [EmergencyWork(int(r["seq"]), r["site"], int(r["amount_yuan"]),
                              int(r["key_point_seq"]) if r["key_point_seq"] else None)
                for r in read_csv(self.path("emergency_works_2023.csv"))]

    @cached_property
    def emergency_work_sites(self) -> list[EmergencyWorkSite]:
        return [EmergencyWorkSite(int(r["work_seq"]), r["township"], r["village"], r["village_code"],
                                  _float(r["lon"]), _float(r["lat"]), r["note"])
                for r in read_csv(self.path("emergency_work_sites_2023.csv"))]

    # the 2023 plan's lines and amounts exactly as 清政办函〔2024〕2号 gives them (data/SOURCES.md)
    fund_plan_2023 = _json_file("fund_plan_2023.json")
    rain_gauge_programme = _json_file("rain_gauges_2023.json")
