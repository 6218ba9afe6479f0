"""Build data/ from ../shared/seed and ../shared/geodata.

Run from the repository root: python scripts/build_data.py [--shared ../shared]
GCJ-02 source coordinates are converted to CGCS2000/WGS-84 here, with the project's own
converter (hazardmap.geodata.gcj02); the original GCJ-02 values are kept beside them.
Nothing is added that the sources do not say.
"""
from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from hazardmap.geodata.gcj02 import gcj02_to_wgs84  # noqa: E402

DATA = ROOT / "data"
VONNG = "Vonng/adcode data/adcode/430422.csv @b755d6e4"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def to_wgs(lon: str, lat: str) -> tuple[str, str]:
    if not lon or not lat:
        return "", ""
    wlon, wlat = gcj02_to_wgs84(float(lon), float(lat))
    return f"{wlon:.6f}", f"{wlat:.6f}"


def build_key_points(shared: Path) -> None:
    seed = read_csv(shared / "seed" / "key_points_2023.csv")
    detail = {r["seq"]: r for r in read_csv(shared / "geodata" / "key_points_detail.csv")}
    located = {r["seq"]: r for r in read_csv(shared / "geodata" / "key_points_located.csv")}
    # Hazard type is stated only where the 2023 emergency-works list names the point (annex 2).
    hazard_type = {"3": "滑坡", "5": "滑坡"}
    rows = []
    for s in seed:
        d, loc = detail[s["seq"]], located[s["seq"]]
        lon, lat = to_wgs(loc["lon"], loc["lat"])
        precision = loc["precision"]
        if precision == "none":
            source = "无：任何公开来源均无该村或该街道的坐标（见 data/SOURCES.md）"
        else:
            source = loc["source"]
        rows.append({
            "seq": s["seq"], "township": s["township"], "village_group": s["village_group"],
            "village_code_2023": d["village_code_2023"], "threatened": s["threatened"],
            "hazard_type": hazard_type.get(s["seq"], ""),
            "monitor": s["monitor"], "phone": s["monitor_phone"],
            "lon": lon, "lat": lat, "precision": precision, "source": source,
            "lon_gcj02": loc["lon"], "lat_gcj02": loc["lat"], "note": d["note"],
        })
    write_csv(DATA / "key_points.csv", list(rows[0].keys()), rows)


def build_townships(shared: Path) -> None:
    rows = []
    for r in read_csv(shared / "geodata" / "hengnan_townships_2023.csv"):
        if r["type"] == "other":  # 衡州监狱: a statistical unit, not a township
            continue
        lon, lat = to_wgs(r["centre_lon_gcj02"], r["centre_lat_gcj02"])
        rows.append({
            "code": r["code"], "name": r["name"], "type": r["type"],
            "predecessors_2016": r["predecessors_2016_by_village_count"],
            "centre_lon": lon, "centre_lat": lat,
            "centre_lon_gcj02": r["centre_lon_gcj02"], "centre_lat_gcj02": r["centre_lat_gcj02"],
            "centre_note": r["centre_note"],
        })
    assert len(rows) == 23, len(rows)
    write_csv(DATA / "townships.csv", list(rows[0].keys()), rows)


def build_villages(shared: Path) -> None:
    rows = []
    for r in read_csv(shared / "geodata" / "hengnan_villages_2023.csv"):
        usable = r["qa"] in ("ok", "check_far_from_own_town_centre")
        lon, lat = to_wgs(r["lon_gcj02"], r["lat_gcj02"]) if usable else ("", "")
        rows.append({
            "code": r["code_2023"], "name": r["name"], "town_code": r["town_code_2023"],
            "township": r["town_2023"], "lon": lon, "lat": lat,
            "lon_gcj02": r["lon_gcj02"] if usable else "", "lat_gcj02": r["lat_gcj02"] if usable else "",
            # rejected points are dropped; the village itself stays in the gazetteer
            "qa": r["qa"] if usable or r["qa"] == "no_coordinate_in_source" else "rejected_point_dropped",
        })
    assert len(rows) == 446, len(rows)
    write_csv(DATA / "villages.csv", list(rows[0].keys()), rows)


def build_emergency_works(shared: Path) -> None:
    works = read_csv(shared / "seed" / "emergency_works_2023.csv")
    linked = {"2": "3", "5": "5"}  # the list names 车江街道胜利村姚家组 (point 3) and 花桥镇欧东村门冲组 (point 5)
    write_csv(DATA / "emergency_works_2023.csv", ["seq", "site", "amount_yuan", "key_point_seq"],
              [{**w, "key_point_seq": linked.get(w["seq"], "")} for w in works])
    # Villages the works name, with the village point where one is usable.
    work_of_village = {"檀市村": "1", "岐山村": "3", "豪富村": "4", "竹塘村": "4", "上古村": "5",
                       "伞峰村": "5", "九龙村": "6", "龙村": "7", "六合村": "7"}
    sites = []
    for r in read_csv(shared / "geodata" / "emergency_works_2023_villages_located.csv"):
        if r["village"] not in work_of_village:
            continue  # 上塘村 belongs to a separate 应急处置方案 item, not the works list
        usable = r["precision"] == "village"
        lon, lat = to_wgs(r["lon_gcj02"], r["lat_gcj02"]) if usable else ("", "")
        sites.append({"work_seq": work_of_village[r["village"]], "township": r["township"],
                      "village": r["village"], "village_code": r["village_code_2023"],
                      "lon": lon, "lat": lat, "note": r["note"] if not usable else ""})
    write_csv(DATA / "emergency_work_sites_2023.csv",
              ["work_seq", "township", "village", "village_code", "lon", "lat", "note"], sites)


def build_rain_gauges() -> None:
    (DATA / "rain_gauges_2023.json").write_text(json.dumps({
        "programme": "2023 年 15 个村部安装雨量计",
        "slots": 15,
        "budget_yuan": 195000,
        "source": "清政办函〔2024〕2号《衡南县2023年地质灾害防治专项资金使用方案》三(五)",
        "villages": None,
        "note": "文件未列出 15 个村部的名称，也未找到公开名单；由用户在软件中逐一指定。",
    }, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def copy_outlines(shared: Path) -> None:
    shutil.copyfile(shared / "geodata" / "hengnan_county_cgcs2000.geojson", DATA / "county_cgcs2000.geojson")
    shutil.copyfile(shared / "geodata" / "hengyang_counties_cgcs2000.geojson",
                    DATA / "hengyang_counties_cgcs2000.geojson")


# Every source file the build reads: all are checked before data/ is touched.
SOURCES = ["seed/key_points_2023.csv", "seed/emergency_works_2023.csv", "geodata/key_points_detail.csv",
           "geodata/key_points_located.csv", "geodata/hengnan_townships_2023.csv",
           "geodata/hengnan_villages_2023.csv", "geodata/emergency_works_2023_villages_located.csv",
           "geodata/hengnan_county_cgcs2000.geojson", "geodata/hengyang_counties_cgcs2000.geojson"]


def missing_sources(shared: Path) -> list[str]:
    return [name for name in SOURCES if not (shared / name).is_file()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="从 shared 文件夹（seed/ 与 geodata/）重建 data/")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared",
                    help="源数据文件夹，默认为仓库旁的 ../shared")
    args = ap.parse_args(argv)
    missing = missing_sources(args.shared)
    if missing:
        # A clone needs no rebuild (data/ is committed); this script is for whoever holds the sources.
        print(f"错误：源数据文件夹“{args.shared}”中缺少 {len(missing)} 个文件（如 {missing[0]}），data/ 未做任何改动。"
              "data/ 已随仓库提供，无需重建；如确需重建，请用 --shared 指向含 seed/ 与 geodata/ 的文件夹。",
              file=sys.stderr)
        return 2
    DATA.mkdir(exist_ok=True)
    build_key_points(args.shared)
    build_townships(args.shared)
    build_villages(args.shared)
    build_emergency_works(args.shared)
    build_rain_gauges()
    copy_outlines(args.shared)
    print("data/ rebuilt from", args.shared)
    return 0


if __name__ == "__main__":
    sys.exit(main())
