"""hazardmap plan list | plan import: the yearly key lists (年度重点隐患点名单)."""
from __future__ import annotations

import sys

from hazardmap.cli.output import FORMATS, emit
from hazardmap.domain.key_lists import CHANGE_FIELDS, DROPPED_TITLE, GROUP_TITLES, ListPreview, RowOutcome
from hazardmap.services import key_lists as svc
from hazardmap.services.store import Store

LIST_HEADERS = {"year": "年度", "name": "名单名称", "doc_no": "文号", "count": "隐患点数"}
ENTRY_HEADERS = {"row_no": "序号", "seq": "隐患点编号", "township": "乡镇", "place": "村组", "threatened": "威胁对象",
                 "monitor": "监测人", "phone": "联系电话"}


def cmd_list(args, store: Store) -> int:
    if args.year is not None:
        entries = svc.list_entries(store, svc.check_year(args.year))
        emit([{"row_no": e.row_no, "seq": e.point_seq, "township": e.township, "place": e.place,
               "threatened": e.threatened, "monitor": e.monitor, "phone": e.phone} for e in entries],
             args.format, ENTRY_HEADERS)
        if args.format == "table":
            kl = svc.get_list(store, svc.check_year(args.year))
            print(f"{kl.title}：共 {kl.count} 处")
        return 0
    lists = svc.list_lists(store)
    emit([{"year": k.year, "name": k.name, "doc_no": k.doc_no, "count": k.count} for k in lists], args.format,
         LIST_HEADERS)
    if args.format == "table":
        print(f"共 {len(lists)} 份名单")
    return 0


def print_preview(p: ListPreview, points_named: dict[int, str], out=None) -> None:
    out = out or sys.stdout
    for outcome in (RowOutcome.NEW, RowOutcome.CHANGED, RowOutcome.UNCHANGED, RowOutcome.NEAR):
        group = p.group(outcome)
        if not group:
            continue
        print(f"【{GROUP_TITLES[outcome]}】{len(group)} {'行' if outcome is RowOutcome.NEAR else '处'}", file=out)
        for m in group:
            head = f"  第 {m.row.line} 行" + (f"（序号 {m.row.row_no}）" if m.row.row_no is not None else "")
            if outcome is RowOutcome.NEW:
                print(f"{head} {m.label}：监测人 {m.row.monitor} {m.row.phone}", file=out)
            elif outcome is RowOutcome.NEAR:
                cands = "；".join(f"第 {s} 号 {points_named.get(s, '')}" for s in m.candidates)
                print(f"{head} {m.label}：与已有隐患点相近（{cands}），请用 --choose {m.row.line}=编号 指明是哪一处，"
                      f"或 --choose {m.row.line}=新 作为新增", file=out)
            else:
                detail = "；".join(f"{CHANGE_FIELDS[f]} {old or '（空）'} → {new or '（空）'}" for f, old, new in m.changes)
                print(f"{head} {m.label} = 第 {m.point_seq} 号" + (f"：{detail}" if detail else ""), file=out)
    if p.dropped:
        print(f"【{DROPPED_TITLE}】{len(p.dropped)} 处", file=out)
        for seq in p.dropped:
            print(f"  第 {seq} 号 {points_named.get(seq, '')}", file=out)
    for b in p.bad:
        print(f"错误：{b}", file=sys.stderr)
    if not p.becomes_current:
        print(f"注：{p.year}年早于已有的最新名单，只记录名单，不改动各点现在的监测人", file=out)
    print(p.summary(), file=out)


def cmd_import(args, store: Store) -> int:
    lf = svc.read_list(args.file)
    choices = svc.parse_choices(args.choose or [])
    kwargs = dict(year=args.year, name=args.name, doc_no=args.doc or "", choices=choices)
    named = {p.seq: p.name for p in _points(store)}
    if args.check:
        preview = svc.preview_list(store, lf, **kwargs)
        print_preview(preview, named)
        print("只检查，未写入")
        return 0 if preview.ready else 2
    preview, changes = svc.import_list(store, lf, by=args.by, **kwargs)
    print_preview(preview, {**named, **{p.seq: p.name for p in _points(store)}})
    if not preview.ready:
        print("有待确认或有误的行，未导入任何一行（改正或用 --choose 指明后重试）", file=sys.stderr)
        return 2
    kl = svc.get_list(store, preview.year)
    print(f"已导入“{kl.title}”，共 {kl.count} 处")
    return 0


def _points(store: Store):
    from hazardmap.services.points import list_points

    return list_points(store)


def register(sub) -> None:
    p = sub.add_parser("plan", help="年度重点隐患点名单：查看、导入")
    psub = p.add_subparsers(dest="plan_command", required=True)
    ls = psub.add_parser("list", help="列出已有的年度名单；加 --year 列出该年名单上的隐患点")
    ls.add_argument("--year", metavar="年度", help="年度，例如 2023")
    ls.add_argument("--format", choices=FORMATS, default="table")
    ls.set_defaults(handler=cmd_list)
    i = psub.add_parser("import", help="从县里的名单表（.xlsx 或 .csv）导入一年的重点隐患点名单")
    i.add_argument("file", help="表头有 序号、乡镇、村组（或地点）、威胁对象、监测人（或群测群防员）、联系电话")
    i.add_argument("--year", required=True, metavar="年度", help="名单年度，例如 2024")
    i.add_argument("--name", required=True, help="名单名称，例如“2024年度重点地质灾害隐患点”")
    i.add_argument("--doc", metavar="文号", help="文号，例如“清政办函〔2025〕1号 附件1”")
    i.add_argument("--check", action="store_true", help="只预览，不写入")
    i.add_argument("--choose", action="append", metavar="行号=编号",
                   help="与已有隐患点相近的行：指明是第几号隐患点，或写 行号=新 作为新增")
    i.add_argument("--by", help="操作人（默认当前登录用户）")
    i.set_defaults(handler=cmd_import)
