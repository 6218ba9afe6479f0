"""hazardmap export sheets | map | atlas: the printable PDFs (the same renderer as the window's print menu)."""
from __future__ import annotations

from pathlib import Path

from hazardmap.cli import command_group
from hazardmap.cli.parser import output_options, whole_number
from hazardmap.domain.errors import NotFound
from hazardmap.reports import maps, sheets
from hazardmap.reports.data import collect
from hazardmap.reports.layout import ORIENTATIONS, PAPERS, page_size
from hazardmap.reports.output import check_pdf_target, write_atomic
from hazardmap.services.points import parse_point_ref
from hazardmap.services.store import Store
from hazardmap.services.views import VIEW_HELP, parse_view


def _point_seqs(args, data) -> list[int] | None:
    seqs: list[int] = []
    for ref in args.point or []:
        for part in str(ref).replace("，", ",").split(","):
            if part.strip():
                seq = parse_point_ref(part)
                data.point(seq)  # unknown point: NotFound with the valid range
                seqs.append(seq)
    if args.township:
        data.township(args.township)
        in_town = data.seqs_in_townships([args.township])
        if not in_town:
            raise NotFound(f"{args.township}没有重点监测隐患点；有隐患点的乡镇（街道）：{'、'.join(data.townships_with_points())}")
        seqs += [s for s in in_town if s not in seqs]
    return sorted(set(seqs)) or None


def cmd_sheets(args, store: Store) -> int:
    kinds = sheets.parse_kinds(args.kind)
    sheets.check_copies(args.copies)
    data = collect(store, with_history=args.with_history, view=parse_view(store, args.view))
    month = sheets.parse_month(args.month, data.printed_on)
    seqs = _point_seqs(args, data)
    written = sheets.export_sheets(data, Path(args.out), seqs=seqs, kinds=kinds, copies=args.copies, month=month,
                                   with_history=args.with_history, force=args.force, mask_phones=args.mask_phones)
    print(f"已写出 {len(written)} 个 PDF 到 {Path(args.out).resolve()}" + ("（电话已隐去中间四位）" if args.mask_phones else "") + "：")
    for path in written:
        print(f"  {path.name}")
    return 0


def cmd_map(args, store: Store) -> int:
    page_size(args.paper, args.orientation)  # bad paper/orientation before any work
    target = check_pdf_target(Path(args.out), force=args.force)
    data = collect(store, view=parse_view(store, args.view))
    pdf = maps.county_map_pdf(data, args.paper, args.orientation, mask_phones=args.mask_phones)
    write_atomic(target, pdf, force=args.force)
    print(f"已写出县域图（{args.paper.upper()}，{'横向' if args.orientation == 'landscape' else '纵向'}）：{target.resolve()}")
    return 0


def cmd_atlas(args, store: Store) -> int:
    page_size(args.paper, args.orientation)
    data = collect(store, view=parse_view(store, args.view))
    townships = None
    if args.township:
        townships = [t.strip() for t in args.township.replace("，", ",").split(",") if t.strip()]
    # Validate the townships before touching the file system.
    if townships:
        for name in townships:
            data.township(name)
    target = check_pdf_target(Path(args.out), force=args.force)
    pdf = maps.atlas_pdf(data, townships, args.paper, args.orientation, mask_phones=args.mask_phones)
    write_atomic(target, pdf, force=args.force)
    pages = len(townships) if townships else len(data.townships_with_points())
    print(f"已写出乡镇图集（{pages} 页）：{target.resolve()}")
    return 0


def register(sub) -> None:
    export = command_group(sub, "export", "导出")

    s = export.add_parser("sheets", help="每个隐患点的防灾工作明白卡、防灾避险明白卡、巡查记录表、防灾预案表（A4 PDF）")
    output_options(s, "输出文件夹（不存在时新建）", mask_phones="送局外的卡片", out_metavar="文件夹")
    s.add_argument("--point", action="append", help="隐患点序号，可多次给出或用逗号分隔；默认 --view 所选的全部隐患点")
    s.add_argument("--township", help="只导出该乡镇（街道）的隐患点")
    s.add_argument("--kind", default="all", choices=[*sheets.SHEET_KINDS, "all"],
                   help="work-card 防灾工作明白卡 | household-card 防灾避险明白卡 | patrol-form 巡查记录表 | "
                        "plan-table 防灾预案表 | all")
    s.add_argument("--copies", type=whole_number, default=1, help="防灾避险明白卡的户数（每户一式三联），默认 1")
    s.add_argument("--with-history", action="store_true", help="巡查记录表前先印出系统中最近的巡查记录")
    s.add_argument("--month", help="巡查记录表的月份，如 2026-05；默认本月")
    s.add_argument("--view", metavar="范围", help=VIEW_HELP)
    s.set_defaults(handler=cmd_sheets)

    m = export.add_parser("map", help="县域隐患点分布图（PDF）")
    output_options(m, "输出 PDF 文件", mask_phones="送局外的图")
    m.add_argument("--paper", default="A4", type=str.upper, choices=list(PAPERS))
    m.add_argument("--orientation", default="landscape", choices=ORIENTATIONS)
    m.add_argument("--view", metavar="范围", help=VIEW_HELP)
    m.set_defaults(handler=cmd_map)

    a = export.add_parser("atlas", help="乡镇（街道）隐患点图集：每个有隐患点的乡镇一页（PDF）")
    output_options(a, "输出 PDF 文件", mask_phones="送局外的图")
    a.add_argument("--township", help="只出这些乡镇（街道），逗号分隔；默认全部有隐患点的")
    a.add_argument("--paper", default="A4", type=str.upper, choices=list(PAPERS))
    a.add_argument("--orientation", default="landscape", choices=ORIENTATIONS)
    a.add_argument("--view", metavar="范围", help=VIEW_HELP)
    a.set_defaults(handler=cmd_atlas)
