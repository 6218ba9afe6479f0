"""hazardmap patrol add|list|edit|delete|restore|bin|audit|overview|intervals, export logs, import logs
(backup commands: hazardmap/cli/backup.py)."""
from __future__ import annotations

import sys

from hazardmap.cli import command_group
from hazardmap.cli.output import FORMATS, emit
from hazardmap.cli.parser import output_options
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol import (
    PatrolDraft, main_crack, parse_judgement, parse_rain_mm, parse_reading_mm, parse_signs, set_main_crack,
)
from hazardmap.domain.patrol_text import entry_text
from hazardmap.services import patrol as svc
from hazardmap.services import patrol_excel
from hazardmap.services.points import parse_point_ref
from hazardmap.services.store import Store

LIST_HEADERS = {
    "id": "编号", "point": "隐患点", "at": "巡查时间", "by": "巡查人", "weather": "天气", "rain_mm": "降雨量(mm)",
    "signs": "宏观迹象", "crack_mm": "裂缝读数(mm)", "crack_change": "较上次(mm)", "judgement": "判定",
    "action": "处置措施", "note": "备注",
}


def entry_record(e) -> dict:
    """One entry for csv/json: numbers stay numbers."""
    main = main_crack(e.measurements)
    return {
        "id": e.id, "point": e.point_seq, "at": e.at, "by": e.by, "weather": e.weather, "rain_mm": e.rain_mm,
        "signs": [s.sign for s in e.signs], "crack_mm": main.reading_mm if main else None,
        "crack_change": main.change_mm if main else None, "judgement": e.judgement.value,
        "action": e.action, "note": e.note,
    }


def entry_row(e) -> dict:
    """One entry for the table: the same text as the patrol tab and the printed form."""
    t = entry_text(e)
    return {"id": t.id, "point": t.point, "at": t.at, "by": t.by, "weather": t.weather, "rain_mm": t.rain,
            "signs": t.signs, "crack_mm": t.crack, "crack_change": t.crack_change, "judgement": t.judgement,
            "action": t.action, "note": t.note_line()}


def cmd_add(args, store: Store) -> int:
    seq = parse_point_ref(args.point)
    crack = parse_reading_mm(args.crack_mm, "裂缝读数")
    draft = PatrolDraft(
        point_seq=seq, at=args.at, by=args.by or "", judgement=parse_judgement(args.judgement),
        weather=args.weather or "", rain_mm=parse_rain_mm(args.rain_mm), signs=parse_signs(args.signs),
        measurements=set_main_crack((), crack),
        action=args.action or "", note=args.note or "")
    changes = svc.record(store, draft, photos=args.photo or ())
    print(changes.entry_ids[0])
    return 0


def cmd_list(args, store: Store) -> int:
    point = parse_point_ref(args.point) if args.point is not None else None
    entries = svc.list_entries(store, point=point, since=args.since, until=args.until, binned=args.bin)
    records = [entry_row(e) if args.format == "table" else entry_record(e) for e in entries]
    emit(records, args.format, LIST_HEADERS)
    return 0


def cmd_edit(args, store: Store) -> int:
    entry_id = svc.parse_entry_ref(args.id)
    fields: dict = {}
    if args.point is not None:
        fields["point_seq"] = parse_point_ref(args.point)
    if args.at is not None:
        fields["at"] = args.at
    if args.by is not None:
        fields["by"] = args.by
    if args.judgement is not None:
        fields["judgement"] = parse_judgement(args.judgement)
    if args.weather is not None:
        fields["weather"] = args.weather
    if args.rain_mm is not None:
        fields["rain_mm"] = parse_rain_mm(args.rain_mm)
    if args.signs is not None:
        fields["signs"] = parse_signs(args.signs)
    if args.crack_mm is not None:
        fields["crack_mm"] = parse_reading_mm(args.crack_mm, "裂缝读数")
    if args.action is not None:
        fields["action"] = args.action
    if args.note is not None:
        fields["note"] = args.note
    if not fields:
        raise InvalidInput("没有要修改的内容：请给出至少一个选项，例如 --judgement 异常")
    changes = svc.edit_fields(store, entry_id, by=args.operator, **fields)
    print(f"巡查记录 {entry_id} 已修改" if changes else f"巡查记录 {entry_id} 未变化")
    return 0


def _bin_command(move, done: str):
    """delete (into the 回收站) and restore: the same steps, another service call and message."""
    def run(args, store: Store) -> int:
        entry_id = svc.parse_entry_ref(args.id)
        move(store, entry_id, by=args.operator)
        print(done.format(id=entry_id))
        return 0
    return run


cmd_delete = _bin_command(svc.delete, "巡查记录 {id} 已移入回收站（可用 hazardmap patrol restore {id} 恢复）")
cmd_restore = _bin_command(svc.restore, "巡查记录 {id} 已从回收站恢复")


def cmd_audit(args, store: Store) -> int:
    entry_id = svc.parse_entry_ref(args.id) if args.id else None
    point = parse_point_ref(args.point) if args.point is not None else None
    rows = svc.audit_trail(store, entry_id, point=point)
    records = [{"id": r.id, "entry": r.entry_id, "point": r.point_seq, "action": r.action_label,
                "what": svc.describe_audit(r), "by": r.changed_by, "at": r.changed_at} for r in rows]
    emit(records, args.format, {"entry": "记录编号", "point": "隐患点", "action": "操作", "what": "内容",
                                "by": "操作人", "at": "操作时间"})
    return 0


def cmd_overview(args, store: Store) -> int:
    intervals = svc.get_intervals(store)
    rows = svc.overview(store)
    records = [{"point": r.point_seq, "name": r.name, "monitor": r.monitor, "last_at": r.last_at or "未巡查",
                "judgement": r.last_judgement.value if r.last_judgement else "",
                "days_since": r.days_since, "interval_days": r.interval_days,
                "overdue": r.overdue} for r in rows]
    if args.format == "table":
        for r in records:
            r["overdue"] = "超期" if r["overdue"] else ""
            r["days_since"] = "" if r["days_since"] is None else r["days_since"]
    emit(records, args.format, {"point": "序号", "name": "隐患点", "monitor": "群测群防员", "last_at": "最近巡查",
                                "judgement": "判定", "days_since": "距今天数", "interval_days": "间隔(天)",
                                "overdue": "是否超期"})
    if args.format == "table":
        print(_intervals_line(intervals))
    return 0


def _intervals_line(iv) -> str:
    def tag(is_default):
        return "（出厂默认值，非本局规定）" if is_default else "（本局设定）"
    return f"巡查间隔：汛期（4～9月）{iv.flood_days} 天{tag(iv.flood_is_default)}；其他月份 {iv.other_days} 天{tag(iv.other_is_default)}"


def cmd_intervals(args, store: Store) -> int:
    if args.reset:
        svc.reset_intervals(store, by=args.operator)
    elif args.flood_days is not None or args.other_days is not None:
        svc.set_intervals(store, flood_days=args.flood_days, other_days=args.other_days, by=args.operator)
    print(_intervals_line(svc.get_intervals(store)))
    return 0


def cmd_export_logs(args, store: Store) -> int:
    point = parse_point_ref(args.point) if args.point is not None else None
    result = patrol_excel.export_logs(store, args.out, point=point, since=args.since, until=args.until,
                                      mask_phones=args.mask_phones, force=args.force)
    print(f"已导出 {result.entries} 条巡查记录（{result.points} 处隐患点）到 {result.path}"
          + ("，电话已脱敏" if args.mask_phones else ""))
    return 0


def cmd_import_logs(args, store: Store) -> int:
    try:
        result = patrol_excel.import_logs(store, args.file, skip_bad=args.skip_bad)
    except patrol_excel.ImportRejected as exc:
        for bad in exc.bad:
            print(bad, file=sys.stderr)
        raise
    for bad in result.bad:
        print(f"已跳过 {bad}", file=sys.stderr)
    print(f"导入 {len(result.added)} 条巡查记录；重复未导入 {len(result.duplicates)} 条"
          + (f"；有误跳过 {len(result.bad)} 行" if result.bad else ""))
    return 0


def _entry_options(p, *, adding: bool) -> None:
    p.add_argument("--point", required=adding, help="隐患点序号")
    p.add_argument("--at", required=adding, help="巡查时间，如 \"2026-05-03 08:30\"")
    p.add_argument("--by", help="巡查人（默认为该点的群测群防员）")
    p.add_argument("--judgement", required=adding, help="正常 | 异常 | 危险")
    p.add_argument("--weather", help="天气")
    p.add_argument("--rain-mm", help="降雨量（mm，0～1000）")
    p.add_argument("--signs", help="宏观迹象，逗号分隔，如 拉张裂缝,渗冒混水")
    p.add_argument("--crack-mm", help="裂缝计读数（mm）")
    p.add_argument("--action", help="处置措施，如 加密巡查")
    p.add_argument("--note", help="备注")


def register(sub) -> None:
    pt = sub.add_parser("patrol", help="巡查记录")
    ps = pt.add_subparsers(dest="patrol_command", required=True)

    a = ps.add_parser("add", help="新增一条巡查记录（输出新记录的编号）")
    _entry_options(a, adding=True)
    a.add_argument("--photo", action="append", help="照片文件（可重复），复制到数据文件夹")
    a.set_defaults(handler=cmd_add)

    ls = ps.add_parser("list", help="列出巡查记录（新的在前）")
    ls.add_argument("--point")
    ls.add_argument("--since", help="起始日期 YYYY-MM-DD")
    ls.add_argument("--until", help="截止日期 YYYY-MM-DD（含当天）")
    ls.add_argument("--bin", action="store_true", help="列出回收站中的记录")
    ls.add_argument("--format", choices=FORMATS, default="table")
    ls.set_defaults(handler=cmd_list)

    e = ps.add_parser("edit", help="修改巡查记录（原内容留在修改记录中）")
    e.add_argument("id")
    _entry_options(e, adding=False)
    e.add_argument("--operator", help="操作人（默认为当前系统用户）")
    e.set_defaults(handler=cmd_edit)

    for name, handler, text in (("delete", cmd_delete, "删除（移入回收站）"), ("restore", cmd_restore, "从回收站恢复")):
        d = ps.add_parser(name, help=text)
        d.add_argument("id")
        d.add_argument("--operator", help="操作人（默认为当前系统用户）")
        d.set_defaults(handler=handler)

    au = ps.add_parser("audit", help="修改记录（谁在何时改了什么）")
    au.add_argument("id", nargs="?")
    au.add_argument("--point")
    au.add_argument("--format", choices=FORMATS, default="table")
    au.set_defaults(handler=cmd_audit)

    ov = ps.add_parser("overview", help="巡查情况：各隐患点最近巡查与是否超期")
    ov.add_argument("--format", choices=FORMATS, default="table")
    ov.set_defaults(handler=cmd_overview)

    iv = ps.add_parser("intervals", help="查看或设置巡查间隔（汛期 / 其他月份）")
    iv.add_argument("--flood-days", help="汛期（4～9月）间隔天数")
    iv.add_argument("--other-days", help="其他月份间隔天数")
    iv.add_argument("--reset", action="store_true", help="恢复出厂默认值")
    iv.add_argument("--operator")
    iv.set_defaults(handler=cmd_intervals)

    ex = command_group(sub, "export", "导出")
    el = ex.add_parser("logs", help="巡查记录导出为 Excel（.xlsx）或 CSV")
    output_options(el, "文件名 .xlsx 或 .csv", mask_phones="发往局外的副本")
    el.add_argument("--point", help="只导出该隐患点（序号）")
    el.add_argument("--since", help="起始日期 YYYY-MM-DD")
    el.add_argument("--until", help="截止日期 YYYY-MM-DD（含当天）")
    el.set_defaults(handler=cmd_export_logs)

    im = command_group(sub, "import", "导入")
    il = im.add_parser("logs", help="从 Excel（.xlsx）或 CSV 导入巡查记录")
    il.add_argument("file", help="Excel（.xlsx）或 CSV 文件")
    il.add_argument("--skip-bad", action="store_true", help="跳过有误的行，导入其余（默认有误则全部不导入）")
    il.set_defaults(handler=cmd_import_logs)
