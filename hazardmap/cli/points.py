"""hazardmap points / monitor / locate / history."""
from __future__ import annotations

from hazardmap.cli.output import FORMATS, emit
from hazardmap.cli.parser import add_command, operator_option, point_option
from hazardmap.domain.coordinates import Axis, parse_coordinate
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.validation import Datum
from hazardmap.domain.points import PointView
from hazardmap.services import points as svc
from hazardmap.services import register as reg
from hazardmap.services.store import Store

POINT_HEADERS = {
    "seq": "序号", "township": "乡镇（街道）", "village": "村组", "threatened": "威胁对象", "monitor": "群测群防员",
    "phone": "电话", "lon": "经度", "lat": "纬度", "precision": "定位精度", "source": "坐标来源",
    "unified_code": "统一编号", "field_code": "野外编号", "name": "名称", "type": "灾害类型", "volume_m3": "体积（m³）",
    "scale_grade": "规模等级", "households": "威胁户数", "people": "威胁人数", "property_wan": "威胁财产（万元）",
    "danger_grade": "险情等级", "status": "状态", "retired_on": "核销日期", "retire_reason": "核销原因",
    "retire_doc": "核销文号",
}
# The table keeps to what fits a terminal; csv/json carry every field.
TABLE_COLUMNS = ("seq", "township", "village", "type", "threatened", "danger_grade", "monitor", "phone",
                 "precision")


def point_record(p) -> dict:
    return {"seq": p.seq, "township": p.township, "village": p.village_group, "threatened": p.threatened,
            "monitor": p.monitor, "phone": p.phone, "lon": p.lon, "lat": p.lat, "precision": p.precision.value,
            "source": p.source, "unified_code": p.unified_code, "field_code": p.field_code, "name": p.name,
            "type": p.kind.value if p.kind else "", "volume_m3": p.volume_m3,
            "scale_grade": p.scale_grade.value if p.scale_grade else "", "households": p.households,
            "people": p.people, "property_wan": p.property_wan,
            "danger_grade": p.danger_grade.value if p.danger_grade else "", "status": p.status.value,
            "retired_on": p.retired_on, "retire_reason": p.retire_reason, "retire_doc": p.retire_doc}


def _view(args) -> PointView:
    return PointView.ALL if args.all else PointView.RETIRED if args.retired else PointView.ACTIVE


def cmd_points(args, store: Store) -> int:
    view = _view(args)
    pts = reg.points_in_view(store, view)
    records = [point_record(p) for p in pts]
    if args.format == "table":
        for r in records:
            r["precision"] = svc.Precision(r["precision"]).label
        columns = TABLE_COLUMNS + (("status",) if view is PointView.ALL else ()) + (
            ("retired_on", "retire_reason") if view is not PointView.ACTIVE else ())
        for r in records:
            r["status"] = "已核销" if r["status"] == "retired" else "在册"
        headers = {k: POINT_HEADERS[k] for k in columns}
        emit(records, args.format, headers)
        counts = reg.status_counts(store)
        print(f"{view.label}：共 {len(records)} 处（在册 {counts[reg.PointStatus.ACTIVE]} 处，"
              f"已核销 {counts[reg.PointStatus.RETIRED]} 处）")
        return 0
    emit(records, args.format, POINT_HEADERS)
    return 0


# CLI option -> service field (options are named after the fields; see register()).
FIELD_OPTIONS = {
    "unified_code": "--unified-code", "field_code": "--field-code", "given_name": "--name", "kind": "--type",
    "volume_m3": "--volume", "township": "--township", "village_code": "--village", "place": "--place",
    "threatened": "--threatened", "households": "--households", "people": "--people",
    "property_wan": "--property", "monitor": "--monitor", "phone": "--phone",
}


def _fields(args, store: Store, current=None) -> dict:
    fields = {k: getattr(args, k) for k in FIELD_OPTIONS if getattr(args, k) is not None}
    if "village_code" in fields:
        township = fields.get("township") or (current.township if current else "")
        fields["village_code"] = reg.resolve_village(store, township, str(fields["village_code"]))
    return fields


def _describe(p) -> str:
    grade = f"，险情等级 {p.danger_grade.value}" if p.danger_grade else ""
    scale = f"，规模 {p.scale_grade.value}" if p.scale_grade else ""
    return f"第 {p.seq} 号隐患点 {p.name}（{p.status.label}{scale}{grade}）"


def cmd_point_add(args, store: Store) -> int:
    changes = reg.add_point(store, _fields(args, store), by=args.by)
    (seq,) = changes.points
    p = svc.get_point(store, seq)
    print(f"已新增{_describe(p)}；位置：{p.precision.label}")
    return 0


def cmd_point_edit(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    fields = _fields(args, store, svc.get_point(store, seq))
    if not fields:
        raise InvalidInput("没有给出要修改的项目")
    changed = reg.edit_point(store, seq, fields, by=args.by, base_version=args.base_version)
    p = svc.get_point(store, seq)
    print(("已修改" if changed else "未变化：") + _describe(p) + f"；现为第 {p.version} 版")
    return 0


def cmd_point_retire(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    reg.retire_point(store, seq, date=args.date, reason=args.reason or "", doc_no=args.doc_no or "", by=args.by)
    p = svc.get_point(store, seq)
    print(f"已核销{_describe(p)}：{p.retired_on}，{p.retire_reason}" + (f"，{p.retire_doc}" if p.retire_doc else ""))
    return 0


def cmd_point_restore(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    reg.restore_point(store, seq, by=args.by)
    print(f"已恢复{_describe(svc.get_point(store, seq))}")
    return 0


def cmd_monitor_set(args, store: Store) -> int:
    seq = svc.parse_point_ref(args.point)
    if args.name is None and args.phone is None:
        raise InvalidInput("请至少给出新的姓名（--name）或电话（--phone）")
    changed = svc.set_monitor(store, seq, name=args.name, phone=args.phone, by=args.by,
                              base_version=args.base_version)
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
    print(f"第 {seq} 号隐患点现为第 {svc.get_point(store, seq).version} 版（编辑时可加 --base-version 防止覆盖他人的修改）")
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
    from hazardmap.cli.parser import ChineseArgumentParser

    p = sub.add_parser("points", help="列出在册隐患点（--all 含已核销）；新增、编辑、核销、恢复隐患点")
    p.add_argument("--format", choices=FORMATS, default="table", help="输出格式：表格、csv 或 json")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--all", action="store_true", help="列出全部隐患点（含已核销）")
    shown.add_argument("--retired", action="store_true", help="只列出已核销的隐患点")
    p.set_defaults(handler=cmd_points)
    ps = p.add_subparsers(dest="points_command", metavar="操作", parser_class=ChineseArgumentParser)

    def field_options(q, *, adding: bool) -> None:
        clear = "" if adding else "（写 \"\" 清空）"
        q.add_argument("--township", required=adding, help="乡镇（街道）全称，如“茅市镇”“云集街道”")
        q.add_argument("--village", dest="village_code", metavar="村", help="村（村庄名录中的村名或12位区划代码）" + clear)
        q.add_argument("--place", metavar="组或地点", help="组/地点，如“新屋组”" + clear)
        q.add_argument("--name", dest="given_name", metavar="名称", help="名称（默认为乡镇+村组）" + clear)
        q.add_argument("--unified-code", dest="unified_code", metavar="编号", help="统一编号（不可与其他点重复）" + clear)
        q.add_argument("--field-code", dest="field_code", metavar="编号", help="野外编号" + clear)
        q.add_argument("--type", dest="kind", metavar="类型", help="灾害类型：滑坡、崩塌、泥石流、地面塌陷、地裂缝、不稳定斜坡" + clear)
        q.add_argument("--volume", dest="volume_m3", metavar="立方米", help="体积（立方米），滑坡据此分规模等级" + clear)
        q.add_argument("--threatened", metavar="原文", help="威胁对象（原文，如“胡九斤等4户”）" + clear)
        q.add_argument("--households", metavar="户数", help="威胁户数" + clear)
        q.add_argument("--people", metavar="人数", help="威胁人数（据此及财产定险情等级）" + clear)
        q.add_argument("--property", dest="property_wan", metavar="万元", help="威胁财产（万元）" + clear)
        q.add_argument("--monitor", metavar="姓名", help="监测人（群测群防员）姓名" + clear)
        q.add_argument("--phone", help="监测人电话：11位手机号或 0734-1234567" + clear)
        operator_option(q)

    a = ps.add_parser("add", help="新增隐患点（列入在册）")
    field_options(a, adding=True)
    a.set_defaults(handler=cmd_point_add)
    e = add_command(ps, "edit", "修改隐患点的各项（只改给出的项，记入修改记录）", cmd_point_edit, point_option)
    field_options(e, adding=False)
    e.add_argument("--base-version", dest="base_version", type=int, metavar="版本",
                   help="您据以修改的版本（hazardmap points history 可查）；其间已被他人修改则拒绝，不覆盖")
    r = add_command(ps, "retire", "核销（销号）隐患点：保留记录，默认不再列出", cmd_point_retire,
                    point_option, operator_option)
    r.add_argument("--date", required=True, metavar="日期", help="核销日期，如 2024-05-03")
    r.add_argument("--reason", metavar="原因", help="核销原因（必填），如“已完成工程治理”")
    r.add_argument("--doc-no", dest="doc_no", metavar="文号", help="核销文号")
    add_command(ps, "restore", "恢复已核销的隐患点为在册", cmd_point_restore, point_option, operator_option)

    mon = sub.add_parser("monitor", help="群测群防员")
    mon_sub = mon.add_subparsers(dest="monitor_command", required=True)
    ms = add_command(mon_sub, "set", "更换隐患点的群测群防员或电话", cmd_monitor_set, point_option, operator_option)
    ms.add_argument("--name")
    ms.add_argument("--phone")
    ms.add_argument("--base-version", dest="base_version", type=int, metavar="版本",
                   help="您据以修改的版本（hazardmap points history 可查）；其间已被他人修改则拒绝，不覆盖")
    add_command(mon_sub, "undo", "撤销最近一次群测群防员变更（记入修改记录）", cmd_monitor_undo,
                point_option, operator_option)

    loc = add_command(sub, "locate", "修正隐患点位置", cmd_locate, point_option, operator_option)
    loc.add_argument("--lon", required=True, help="经度，如 112.612345、112°36'44\"、E112.61")
    loc.add_argument("--lat", required=True, help="纬度，如 26.751234、26°45'04\"N")
    loc.add_argument("--datum", required=True, help="wgs84 | cgcs2000 | gcj02")
    loc.add_argument("--source", required=True, help="坐标来源，例如“GPS 2026-05-03 王某实测”")
    loc.add_argument("--force", action="store_true", help="位置在县界以外时仍然保存")
    add_command(sub, "locate-undo", "撤销隐患点最近一次位置修改（记入修改记录，可再次撤销）", cmd_locate_undo,
                point_option, operator_option)
    add_command(sub, "history", "隐患点的修改记录", cmd_history, point_option)
