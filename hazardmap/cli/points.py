"""hazardmap points / monitor / locate / history."""
from __future__ import annotations

from hazardmap.cli.output import FORMATS, emit
from hazardmap.domain.coordinates import Axis, parse_coordinate
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.validation import Datum
from hazardmap.services import points as svc
from hazardmap.services.store import Store

POINT_HEADERS = {
    "seq": "序号", "township": "乡镇（街道）", "village": "村组", "threatened": "威胁对象", "monitor": "群测群防员",
    "phone": "电话", "lon": "经度", "lat": "纬度", "precision": "定位精度", "source": "坐标来源",
}


def point_record(p) -> dict:
    return {"seq": p.seq, "township": p.township, "village": p.village_group, "threatened": p.threatened,
            "monitor": p.monitor, "phone": p.phone, "lon": p.lon, "lat": p.lat, "precision": p.precision.value,
            "source": p.source}


def cmd_points(args, store: Store) -> int:
    records = [point_record(p) for p in svc.list_points(store)]
    if args.format == "table":
        for r in records:
            r["precision"] = svc.Precision(r["precision"]).label
        headers = {k: v for k, v in POINT_HEADERS.items() if k != "source"}
    else:
        headers = POINT_HEADERS
    emit(records, args.format, headers)
    return 0


def cmd_monitor_set(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    if args.name is None and args.phone is None:
        raise InvalidInput("请至少给出新的姓名（--name）或电话（--phone）")
    changed = svc.set_monitor(store, seq, name=args.name, phone=args.phone, by=args.by)
    p = svc.get_point(store, seq)
    print(f"第 {seq} 号隐患点的群测群防员：{p.monitor} {p.phone}" + ("" if changed else "（未变化）"))
    return 0


def cmd_locate(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    lon = parse_coordinate(args.lon, Axis.LON)  # the same reading as the location dialog
    lat = parse_coordinate(args.lat, Axis.LAT)
    svc.correct_location(store, seq, lon=lon, lat=lat, datum=args.datum, source=args.source,
                         by=args.by, force=args.force)
    p = svc.get_point(store, seq)
    print(f"第 {seq} 号隐患点已更新：经度 {p.lon:.6f}，纬度 {p.lat:.6f}（CGCS2000，{p.precision.label}；来源：{p.source}）")
    return 0


def cmd_history(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    locs = svc.location_history(store, seq)
    mons = svc.monitor_history(store, seq)
    if not locs and not mons:
        print(f"第 {seq} 号隐患点没有修改记录")
        return 0

    def fmt(lon, lat):
        return "无" if lon is None else f"{lon:.6f}, {lat:.6f}"

    def describe(c) -> str:
        moved = f"{fmt(c.old_lon, c.old_lat)}（{c.old_precision.label}）→ {fmt(c.new_lon, c.new_lat)}（{c.new_precision.label}）"
        if c.is_undo:
            return f"{c.changed_at}  位置（撤销）  {moved}  {c.source}  操作人：{c.changed_by}"
        return (f"{c.changed_at}  位置  {moved}（录入 {Datum(c.datum_entered).label}: {c.entered_lon}, {c.entered_lat}）"
                f"  来源：{c.source}  操作人：{c.changed_by}")

    events = [(c.changed_at, describe(c)) for c in locs]
    events += [(c.changed_at, f"{c.changed_at}  监测人  {c.old_name} {c.old_phone} → {c.new_name} {c.new_phone}"
                f"  操作人：{c.changed_by}") for c in mons]
    for _, text in sorted(events, key=lambda e: e[0]):  # stable: same-second changes keep their order
        print(text)
    return 0


def cmd_locate_undo(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    svc.undo_last_location_change(store, seq, by=args.by)
    p = svc.get_point(store, seq)
    where = f"经度 {p.lon:.6f}，纬度 {p.lat:.6f}" if p.located else "无位置"
    print(f"已撤销第 {seq} 号隐患点最近一次位置修改：现为 {where}（{p.precision.label}）")
    return 0


def cmd_monitor_undo(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    svc.undo_last_monitor_change(store, seq, by=args.by)
    p = svc.get_point(store, seq)
    print(f"已撤销第 {seq} 号隐患点最近一次群测群防员变更：现为 {p.monitor} {p.phone}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("points", help="列出16处重点隐患点")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_points)

    mon = sub.add_parser("monitor", help="群测群防员")
    mon_sub = mon.add_subparsers(dest="monitor_command", required=True)
    ms = mon_sub.add_parser("set", help="更换隐患点的群测群防员或电话")
    ms.add_argument("--point", required=True, help="隐患点序号 1～16")
    ms.add_argument("--name")
    ms.add_argument("--phone")
    ms.add_argument("--by", help="操作人（默认为当前系统用户）")
    ms.set_defaults(handler=cmd_monitor_set)
    mu = mon_sub.add_parser("undo", help="撤销最近一次群测群防员变更（记入修改记录）")
    mu.add_argument("--point", required=True)
    mu.add_argument("--by")
    mu.set_defaults(handler=cmd_monitor_undo)

    loc = sub.add_parser("locate", help="修正隐患点位置")
    loc.add_argument("--point", required=True)
    loc.add_argument("--lon", required=True, help="经度，如 112.612345、112°36'44\"、E112.61")
    loc.add_argument("--lat", required=True, help="纬度，如 26.751234、26°45'04\"N")
    loc.add_argument("--datum", required=True, help="wgs84 | cgcs2000 | gcj02")
    loc.add_argument("--source", required=True, help="坐标来源，例如“GPS 2026-05-03 王某实测”")
    loc.add_argument("--force", action="store_true", help="位置在县界以外时仍然保存")
    loc.add_argument("--by")
    loc.set_defaults(handler=cmd_locate)

    lu = sub.add_parser("locate-undo", help="撤销隐患点最近一次位置修改（记入修改记录，可再次撤销）")
    lu.add_argument("--point", required=True)
    lu.add_argument("--by")
    lu.set_defaults(handler=cmd_locate_undo)

    h = sub.add_parser("history", help="隐患点的修改记录")
    h.add_argument("--point", required=True)
    h.set_defaults(handler=cmd_history)
