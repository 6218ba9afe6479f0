"""hazardmap rain-gauges [assign|clear|import|add|retire|restore]."""
from __future__ import annotations

import sys

from hazardmap.cli.output import FORMATS, emit
from hazardmap.cli.parser import add_command, operator_option
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.rain_gauges import PROGRAMME_2023
from hazardmap.services import rain_gauge_import
from hazardmap.services import rain_gauges as svc
from hazardmap.services.store import Store

HEADERS = {"slot": "编号", "batch": "批次", "village": "村（社区）", "township": "乡镇（街道）", "station_code": "站码",
           "install_year": "安装年份", "status": "状态", "lon": "经度", "lat": "纬度"}


def _slot(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"站点编号“{text}”不是数字") from None


def cmd_list(args, store: Store) -> int:
    sites = svc.list_sites(store)
    records = [{"slot": s.slot, "batch": s.batch_label, "village": s.village, "township": s.township,
                "station_code": s.station_code, "install_year": s.install_year, "status": s.status_label,
                "lon": s.lon, "lat": s.lat} for s in sites]
    if args.format == "table":
        for r in records:
            r["village"] = r["village"] or "（未落实）"
    emit(records, args.format, HEADERS)
    if args.format == "table":
        print(_summary(store, sites))
    return 0


def _summary(store: Store, sites=None) -> str:
    """The counts, from the data: the programme's counter, then sites added, in use and retired."""
    sites = svc.list_sites(store) if sites is None else sites
    done, total = svc.assigned_count(store)
    added = sum(1 for s in sites if not s.batch)
    retired = sum(1 for s in sites if s.retired)
    return (f"{PROGRAMME_2023}：已落实 {done}/{total}；单独新增 {added} 处；"
            f"在用 {sum(1 for s in sites if s.active)} 处；已撤除 {retired} 处")


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


def cmd_add(args, store: Store) -> int:
    slot, _changes = svc.add_site(store, args.village, township=args.township, station_code=args.station_code,
                                  install_year=args.year, by=args.by)
    site = next(s for s in svc.list_sites(store) if s.slot == slot)
    where = "（该村在名录中无坐标，地图上暂不显示）" if site.lon is None else f"，经度 {site.lon:.6f}，纬度 {site.lat:.6f}"
    print(f"新增第 {slot} 号雨量计站点：{site.township}{site.village}{where}。{_summary(store)}")
    return 0


def cmd_retire(args, store: Store) -> int:
    slot = _slot(args.slot)
    svc.retire(store, slot, reason=args.reason or "", on=args.date, by=args.by)
    print(f"第 {slot} 号雨量计站点已撤除（记录保留，可恢复）。{_summary(store)}")
    return 0


def cmd_restore(args, store: Store) -> int:
    slot = _slot(args.slot)
    svc.restore(store, slot)
    print(f"第 {slot} 号雨量计站点已恢复在用。{_summary(store)}")
    return 0


def _choices(items: list[str] | None) -> dict[int, str]:
    out = {}
    for item in items or []:
        line, sep, township = item.partition("=")
        if not sep or not line.strip().isdigit() or not township.strip():
            raise InvalidInput(f"--choose 应写成 行号=乡镇，例如 5=江口镇；“{item}”不是")
        out[int(line)] = township.strip()
    return out


def cmd_import(args, store: Store) -> int:
    report = rain_gauge_import.import_villages(store, args.file, skip_bad=args.skip_bad, dry_run=args.check,
                                               choices=_choices(args.choose), by=args.by)
    verb = "已指定" if report.applied else "可指定"
    for a in report.assignments:
        v = a.village
        where = "（名录中无坐标，地图上暂不显示）" if v.lon is None else ""
        state = "原已指定，未变" if a.unchanged else verb
        print(f"第 {a.line} 行：第 {a.slot} 号站点 {state} {v.township}{v.name}{where}")
    for b in report.bad:
        print(f"错误：{b}", file=sys.stderr)
    if report.ambiguous:
        print("重名的村可在表中加“乡镇”列，或用 --choose 行号=乡镇 指定", file=sys.stderr)
    done, total = svc.assigned_count(store)
    if args.check:
        print(f"检查完毕：{len(report.assignments)} 行可导入，{len(report.bad)} 行有误（未写入）。已落实 {done}/{total}")
        return 2 if report.bad else 0
    if report.bad and not args.skip_bad:
        print(f"有 {len(report.bad)} 行有误，未导入任何一行（改正后重试，或加 --skip-bad 只导入正确的行）。"
              f"已落实 {done}/{total}")
        return 2
    skipped = f"，跳过 {len(report.bad)} 行有误的" if report.bad else ""
    print(f"导入 {len(report.new_assignments)} 个站点{skipped}。已落实 {done}/{total}")
    return 0


def slot_option(parser) -> None:
    parser.add_argument("--slot", required=True, metavar="号", help="站点编号（rain-gauges 列出的“编号”）")


def village_options(parser) -> None:
    parser.add_argument("--village", required=True, help="村名或12位区划代码")
    parser.add_argument("--township", help="乡镇（街道）名，村名重复时用")


def register(sub) -> None:
    p = sub.add_parser("rain-gauges", help="雨量计站点：2023年村部雨量计批次和此后新增的站点（列出批次、状态）")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=cmd_list)
    rsub = p.add_subparsers(dest="rain_command")
    n = add_command(rsub, "add", "新增一个雨量计站点（2023年批次以外）", cmd_add, village_options, operator_option)
    n.add_argument("--station-code", metavar="站码", help="水文/气象部门的站码（可不填）")
    n.add_argument("--year", metavar="年份", help="安装年份（可不填）")
    r = add_command(rsub, "retire", "撤除某号站点（雨量计已拆除；记录保留，可恢复）", cmd_retire,
                    slot_option, operator_option)
    r.add_argument("--reason", required=True, help="撤除原因")
    r.add_argument("--date", metavar="年-月-日", help="撤除日期，默认今天")
    add_command(rsub, "restore", "恢复已撤除的站点", cmd_restore, slot_option)
    add_command(rsub, "assign", "指定某号站点所在的村", cmd_assign, slot_option, village_options, operator_option)
    add_command(rsub, "clear", "清空某号站点", cmd_clear, slot_option)
    i = rsub.add_parser("import", help="从 Excel（.xlsx）或 CSV 名单导入站点所在的村")
    i.add_argument("file", help="表头有“村”或“村名”列；可有“乡镇”列和“编号”列")
    i.add_argument("--skip-bad", action="store_true", help="有误的行跳过，只导入正确的行")
    i.add_argument("--check", action="store_true", help="只检查，不写入")
    i.add_argument("--choose", action="append", metavar="行号=乡镇", help="重名的村：指定第几行是哪个乡镇的")
    operator_option(i)
    i.set_defaults(handler=cmd_import)
