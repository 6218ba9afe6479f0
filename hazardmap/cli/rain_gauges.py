"""hazardmap rain-gauges [assign|clear]."""
from __future__ import annotations

from hazardmap.cli.output import FORMATS, emit
from hazardmap.domain.errors import InvalidInput
from hazardmap.services import rain_gauges as svc
from hazardmap.services.store import Store

HEADERS = {"slot": "编号", "village": "村（社区）", "township": "乡镇（街道）", "lon": "经度", "lat": "纬度"}


def _slot(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"站点编号“{text}”不是数字") from None


def cmd_list(args, store: Store) -> int:
    sites = svc.list_sites(store)
    records = [{"slot": s.slot, "village": s.village, "township": s.township, "lon": s.lon, "lat": s.lat}
               for s in sites]
    if args.format == "table":
        for r in records:
            r["village"] = r["village"] or "（未落实）"
    emit(records, args.format, HEADERS)
    if args.format == "table":
        done, total = svc.assigned_count(store)
        print(f"已落实 {done}/{total}")
    return 0


def cmd_assign(args, store: Store) -> int:
    slot = _slot(args.slot)
    svc.assign(store, slot, args.village, township=args.township, by=args.by)
    site = next(s for s in svc.list_sites(store) if s.slot == slot)
    where = "（该村在名录中无坐标，地图上暂不显示）" if site.lon is None else f"，经度 {site.lon:.6f}，纬度 {site.lat:.6f}"
    done, total = svc.assigned_count(store)
    print(f"第 {slot} 号雨量计站点：{site.township}{site.village}{where}。已落实 {done}/{total}")
    return 0


def cmd_clear(args, store: Store) -> int:
    slot = _slot(args.slot)
    svc.clear(store, slot)
    done, total = svc.assigned_count(store)
    print(f"第 {slot} 号雨量计站点已清空。已落实 {done}/{total}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("rain-gauges", help="2023年15个村部雨量计站点")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_list)
    rsub = p.add_subparsers(dest="rain_command")
    a = rsub.add_parser("assign", help="指定某号站点所在的村")
    a.add_argument("--slot", required=True)
    a.add_argument("--village", required=True, help="村名或12位区划代码")
    a.add_argument("--township", help="乡镇（街道）名，村名重复时用")
    a.add_argument("--by")
    a.set_defaults(handler=cmd_assign)
    c = rsub.add_parser("clear", help="清空某号站点")
    c.add_argument("--slot", required=True)
    c.set_defaults(handler=cmd_clear)
