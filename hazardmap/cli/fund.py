"""hazardmap fund | works | checks | subsidies: the year's programme (资金使用方案) from the command line."""
from __future__ import annotations

from hazardmap.cli.output import FORMATS, emit
from hazardmap.cli.parser import add_command, operator_option, output_options, whole_number
from hazardmap.domain.fund import SpendDraft, yuan, yuan_whole
from hazardmap.services import checks as checks_service
from hazardmap.services import fund as svc
from hazardmap.services import subsidies as subsidy_service
from hazardmap.services import works as works_service
from hazardmap.services.store import Store


def _year(args, store: Store) -> int:
    if getattr(args, "year", None):
        return svc.get_year(store, args.year).year
    years = svc.list_years(store)
    if not years:
        from hazardmap.domain.errors import InvalidInput

        raise InvalidInput("还没有任何年度的资金使用方案")
    return years[-1].year


# ---- fund -----------------------------------------------------------------------------------------

LINE_HEADERS = {"code": "序号", "title": "项目", "budget": "预算（元）", "spent": "已支出（元）", "balance": "余额（元）",
                "count": "笔数"}
SPEND_HEADERS = {"id": "编号", "line": "项目", "date": "日期", "amount": "金额（元）", "payee": "收款单位（人）",
                 "voucher": "凭证号", "note": "备注", "over_reason": "超支原因"}


def cmd_show(args, store: Store) -> int:
    ov = svc.overview(store, _year(args, store))
    fy, t = ov.year, ov.totals
    if args.spending:
        codes = {b.line.id: b.line.code for b in ov.balances}
        emit([{"id": s.id, "line": codes.get(s.line_id, ""), "date": s.spent_on + ("（跨年）" if s.cross_year else ""),
               "amount": yuan(s.amount_fen),
               "payee": s.payee, "voucher": s.voucher, "note": s.note, "over_reason": s.over_reason}
              for s in svc.spendings(store, fy.year, args.line)], args.format, SPEND_HEADERS)
        return 0
    rows = [{"code": b.line.code, "title": b.line.title, "budget": yuan(b.line.budget_fen), "spent": yuan(b.spent_fen),
             "balance": ("超支 " if b.over else "") + yuan(b.balance_fen), "count": b.count} for b in ov.balances]
    if args.format != "table":
        emit(rows, args.format, LINE_HEADERS)
        return 0
    print(f"{fy.title}（{fy.doc_no}）" + ("　【已结账】" if fy.closed else ""))
    rows.append({"code": "合计", "title": "", "budget": yuan(t.lines_fen), "spent": yuan(t.spent_fen),
                 "balance": yuan(t.balance_fen), "count": sum(b.count for b in ov.balances)})
    emit(rows, "table", LINE_HEADERS)
    print(f"文件总额：{fy.headline_text}；{svc_difference(ov)}")
    return 0


def svc_difference(ov) -> str:
    from hazardmap.domain.fund import difference_text

    return difference_text(ov.totals, ov.year.headline_text)


def cmd_spend(args, store: Store) -> int:
    year = _year(args, store)
    ch = svc.spend(store, year, SpendDraft(args.line, args.date, args.amount, args.payee, args.voucher or "",
                                           args.note or "", args.over_reason or "", args.work, args.belongs_to_year),
                   by=args.by)
    sp = next(s for s in svc.spendings(store, year) if s.id == ch.record_id)
    b = next(b for b in svc.overview(store, year).balances if b.line.id == sp.line_id)
    print(f"已登记支出 {sp.id}：{yuan(sp.amount_fen)} 元 → {b.line.label}；该项余额 {yuan(b.balance_fen)} 元"
          + ("（超支）" if b.over else ""))
    return 0


def cmd_report(args, store: Store) -> int:
    from hazardmap.reports.fund_report import write_report

    out = write_report(store, _year(args, store), args.out, force=args.force)
    print(f"已生成执行情况报告：{out}")
    return 0


def cmd_close(args, store: Store) -> int:
    year = _year(args, store)
    svc.close_year(store, year, on=args.date, by=args.by)
    print(f"{year} 年度已结账：此后不能再登记支出和记录（hazardmap fund reopen --year {year} 可重新打开）")
    return 0


def cmd_reopen(args, store: Store) -> int:
    year = _year(args, store)
    svc.reopen_year(store, year, by=args.by)
    print(f"{year} 年度已重新打开")
    return 0


def _print_plan(store: Store, year: int) -> None:
    from hazardmap.domain.fund import LineKind

    ov = svc.overview(store, year)
    linked = {LineKind.CHECKS: "三查", LineKind.SUBSIDIES: "补助", LineKind.WORKS: "排危除险"}
    for b in ov.balances:
        tag = f"（对应{linked[b.line.kind]}）" if b.line.kind in linked else ""
        print(f"  {b.line.code}\t{b.line.title}\t{yuan(b.line.budget_fen)}{tag}")
    print(f"三查经费 {yuan_whole(ov.year.township_rate_fen)} 元/乡镇，群测群防员补助 {yuan_whole(ov.year.monitor_rate_fen)} 元/处·年")
    print(svc_difference(ov))


def cmd_new_year(args, store: Store) -> int:
    from pathlib import Path

    from hazardmap.domain.fund import YearDraft
    from hazardmap.services import fund_years

    draft = YearDraft(args.year, args.title or "", args.doc_no or "", args.issued_on or "", args.headline or "",
                      args.headline_text or "", args.township_rate or "", args.monitor_rate or "")
    lines = fund_years.read_plan_lines(args.from_xlsx) if args.from_xlsx else None
    ch = fund_years.new_year(store, draft, lines, copy_from=args.copy_lines_from,
                             source=Path(args.from_xlsx).name if args.from_xlsx else "", by=args.by)
    print(f"已{ch.label}")
    _print_plan(store, int(args.year))
    return 0


def cmd_import_lines(args, store: Store) -> int:
    from hazardmap.services import fund_years

    year = _year(args, store)
    ch = fund_years.import_lines(store, year, args.file, by=args.by)
    print(f"已{ch.label}")
    _print_plan(store, year)
    return 0


def cmd_headline(args, store: Store) -> int:
    from hazardmap.services import fund_years

    year = _year(args, store)
    fund_years.set_headline(store, year, args.amount, args.text or "", by=args.by)
    print(svc_difference(svc.overview(store, year)))
    return 0


# ---- works ----------------------------------------------------------------------------------------

WORK_HEADERS = {"id": "编号", "seq": "序号", "site": "隐患点（工程地点）", "township": "乡镇", "budget": "预算（元）",
                "status": "进度", "contractor": "施工单位", "points": "治理的隐患点", "docs": "附件"}


def cmd_works_list(args, store: Store) -> int:
    ws = works_service.list_works(store, args.year, args.point)
    emit([{"id": w.id, "seq": f"{w.year}-{w.seq}", "site": w.site, "township": w.township,
           "budget": yuan_whole(w.budget_fen), "status": works_service.status_text(w), "contractor": w.contractor,
           "points": "、".join(map(str, w.points)), "docs": len(w.docs)} for w in ws], args.format, WORK_HEADERS)
    if args.format == "table":
        print(f"共 {len(ws)} 项，预算合计 {yuan_whole(works_service.works_total(ws))} 元")
    return 0


def _work_fields(args) -> dict[str, object]:
    out = {}
    for key in ("site", "township", "budget", "contractor", "note", "points"):
        v = getattr(args, key, None)
        if v is not None:
            out[key] = v
    return out


def cmd_works_add(args, store: Store) -> int:
    ch = works_service.add_work(store, _year(args, store), _work_fields(args), by=args.by)
    w = works_service.get_work(store, ch.record_id)
    print(f"已新增排危除险工程 {w.id}（{w.year}年第 {w.seq} 项）：{w.site}")
    return 0


def cmd_works_edit(args, store: Store) -> int:
    ch = works_service.edit_work(store, args.id, _work_fields(args), by=args.by)
    print(f"已修改：{ch.label}" if ch.label else "没有改动")
    return 0


def cmd_works_status(args, store: Store) -> int:
    from hazardmap.domain.fund import WorkStatus, parse_status

    new = parse_status(args.status)
    offer = works_service.points_to_retire(store, args.id) if new is WorkStatus.ACCEPTED else []
    ch = works_service.set_status(store, args.id, new, on=args.date, retire_points=args.retire_points and bool(offer),
                                  retire_doc=args.doc or "", by=args.by)
    print(f"已更新：{ch.label}")
    if offer and args.retire_points:
        print("已核销：" + "、".join(f"第 {p.seq} 号 {p.name}" for p in offer))
    elif offer:
        print("此工程治理的隐患点仍在册：" + "、".join(f"第 {p.seq} 号 {p.name}" for p in offer)
              + f"。如确认隐患已消除，可核销：hazardmap works retire-points {args.id}")
    return 0


def cmd_works_retire(args, store: Store) -> int:
    offer = works_service.points_to_retire(store, args.id)
    works_service.retire_treated(store, args.id, retire_doc=args.doc or "", by=args.by)
    print("已核销：" + "、".join(f"第 {p.seq} 号 {p.name}" for p in offer))
    return 0


def cmd_works_attach(args, store: Store) -> int:
    ch = works_service.attach(store, args.id, args.file, by=args.by)
    print(f"已{ch.label}（已复制到数据文件夹）")
    return 0


# ---- checks ---------------------------------------------------------------------------------------

def cmd_checks(args, store: Store) -> int:
    from hazardmap.domain.fund import Phase, deadlines_note

    ov = checks_service.overview(store, _year(args, store))
    rows = [{"township": t.township, **{p.value: (t.records[p].done_on if p in t.records else "未登记") for p in Phase},
             "late": "、".join(p.value for p in t.late), "allowance": yuan_whole(t.allowance_fen)} for t in ov.townships]
    emit(rows, args.format, {"township": "乡镇（街道）", **{p.value: p.value for p in Phase}, "late": "逾期",
                             "allowance": "应拨经费（元）"})
    if args.format == "table":
        print(f"{ov.year}年：{ov.complete}/{len(ov.townships)} 个乡镇三查齐全，应拨 {yuan_whole(ov.allowance_due_fen)} 元；"
              f"有逾期的乡镇 {len(ov.late)} 个。{deadlines_note(ov.deadlines)}")
    return 0


def cmd_checks_record(args, store: Store) -> int:
    ch = checks_service.record(store, _year(args, store), args.township, args.phase, done_on=args.date,
                               done_by=args.by_name, points_checked=args.points, problems=args.problems,
                               note=args.note or "")
    print(f"已{ch.label}")
    return 0


def cmd_checks_deadlines(args, store: Store) -> int:
    from hazardmap.domain.fund import deadlines_note

    year = _year(args, store)
    if args.phase:
        if not args.default and not args.date:
            from hazardmap.domain.errors import InvalidInput

            raise InvalidInput("请给出新的期限（--date 月-日），或加 --default 恢复默认")
        ch = checks_service.set_deadline(store, year, args.phase, args.date, default=args.default, by=args.by)
        print(f"已{ch.label}")
    print(f"{year}年三查{deadlines_note(checks_service.deadlines(store, year))}")
    return 0


# ---- subsidies ------------------------------------------------------------------------------------

SUBSIDY_HEADERS = {"row_no": "序号", "township": "乡镇", "place": "村组", "monitor": "群测群防员", "phone": "联系电话",
                   "period": "在岗期间", "days": "天数", "months": "月数", "patrols": "巡查记录", "amount": "应发（元）"}


def cmd_subsidies(args, store: Store) -> int:
    from hazardmap.domain.fund import PRO_RATA_RULE
    from hazardmap.domain.points import mask_phone

    year = _year(args, store)
    if args.out:
        out = subsidy_service.export_xlsx(store, year, args.out, mask_phones=args.mask_phones, force=args.force)
        print(f"已导出 {year} 年群测群防员补助表：{out}" + ("（电话已脱敏）" if args.mask_phones else "（含电话，请勿外传）"))
        return 0
    sl = subsidy_service.subsidy_list(store, year)
    emit([{"row_no": s.row_no, "township": s.township, "place": s.place, "monitor": s.monitor,
           "phone": mask_phone(s.phone) if args.mask_phones and s.phone else s.phone, "period": f"{s.start}～{s.end}",
           "days": s.days, "months": f"{s.months:.1f}", "patrols": s.patrols, "amount": yuan_whole(s.amount_fen)}
          for s in sl.shares], args.format, SUBSIDY_HEADERS)
    if args.format == "table":
        print(f"{year}年：{sl.points} 处重点隐患点，{len(sl.shares)} 人，应发合计 {yuan_whole(sl.total_fen)} 元。{PRO_RATA_RULE}")
    return 0


def cmd_subsidies_replace(args, store: Store) -> int:
    ch = subsidy_service.replace_monitor(store, _year(args, store), args.point, on=args.date, monitor=args.name,
                                         phone=args.phone or "", note=args.note or "")
    print(f"已{ch.label}")
    return 0


def year_option(parser, help: str = "年度，默认最新一年") -> None:
    parser.add_argument("--year", metavar="年度", help=help)


def work_id(parser) -> None:
    parser.add_argument("id", type=whole_number, help="工程编号（works list 第一列）")


def work_options(parser, required: bool) -> None:
    parser.add_argument("--site", required=required, metavar="地点", help="隐患点（工程地点）")
    parser.add_argument("--township", required=required, help="所在乡镇（街道）全称")
    parser.add_argument("--budget", required=required, metavar="元", help="工程预算（元）")
    parser.add_argument("--points", metavar="序号", help="治理的隐患点编号，多个用逗号分隔，如 3,5")
    parser.add_argument("--contractor", metavar="单位", help="施工单位")
    parser.add_argument("--note", help="备注")
    operator_option(parser)


def register(sub) -> None:
    f = sub.add_parser("fund", help="年度资金使用方案：各项预算、支出登记、余额、执行情况报告")
    fsub = f.add_subparsers(dest="fund_command", required=True)
    s = add_command(fsub, "show", "各项预算、已支出和余额；加 --spending 列出支出明细", cmd_show, year_option)
    s.add_argument("--spending", action="store_true", help="列出支出明细")
    s.add_argument("--line", metavar="项目", help="只列这一项的支出（如 七、四-1）")
    s.add_argument("--format", choices=FORMATS, default="table")
    sp = add_command(fsub, "spend", "登记一笔支出", cmd_spend, year_option, operator_option)
    sp.add_argument("--line", required=True, metavar="项目", help="方案中的项目序号：一～九，第四项分 四-1（培训）、四-2（奖牌证书）")
    sp.add_argument("--date", required=True, metavar="日期", help="支出日期，如 2023-06-01")
    sp.add_argument("--amount", required=True, metavar="元", help="金额（元），最多两位小数")
    sp.add_argument("--payee", required=True, metavar="收款方", help="收款单位或个人")
    sp.add_argument("--voucher", metavar="凭证号", help="记账凭证号")
    sp.add_argument("--note", help="备注")
    sp.add_argument("--over-reason", metavar="原因", help="超出该项余额时必须写明原因")
    sp.add_argument("--work", type=whole_number, metavar="工程编号", help="这笔支出所属的排危除险工程")
    sp.add_argument("--belongs-to-year", action="store_true",
                    help="支出日期在年度之后（跨年支付）时，确认这笔钱属于 --year 年度资金")
    r = add_command(fsub, "report", "年度执行情况报告（.pdf 打印，或 .xlsx）", cmd_report, year_option)
    output_options(r, "输出文件（.pdf 或 .xlsx）", mask_phones=None)
    n = add_command(fsub, "new-year", "新建一个年度的资金使用方案：项目从 .xlsx 读入（序号、项目、预算）或从以前年度复制",
                    cmd_new_year, operator_option)
    n.add_argument("--year", required=True, metavar="年度")
    src = n.add_mutually_exclusive_group()
    src.add_argument("--from-xlsx", metavar="文件", help="项目表（.xlsx 或 .csv），表头：序号、项目、预算（元）")
    src.add_argument("--copy-lines-from", metavar="年度", help="复制该年度的项目和预算（之后可再修改）")
    n.add_argument("--headline", metavar="元", help="文件标题或正文写明的资金总额（元），与各项合计分开记录")
    n.add_argument("--headline-text", metavar="文字", help="文件对总额的原文写法，如“155 万元”")
    n.add_argument("--title", metavar="名称", help="方案名称（默认：衡南县Y年地质灾害防治专项资金使用方案）")
    n.add_argument("--doc-no", metavar="文号", help="文号")
    n.add_argument("--issued-on", metavar="日期", help="印发日期")
    n.add_argument("--township-rate", metavar="元", help="三查经费每个乡镇（默认沿用上一年度）")
    n.add_argument("--monitor-rate", metavar="元", help="群测群防员补助每处每年（默认沿用上一年度）")
    il = add_command(fsub, "import-lines", "从 .xlsx 读入某年度的全部项目（替换原有项目；已有支出时不能替换）",
                     cmd_import_lines, year_option, operator_option)
    il.add_argument("file", help="项目表（.xlsx 或 .csv），表头：序号、项目、预算（元）")
    h = add_command(fsub, "headline", "记录文件写明的资金总额（与各项合计分开显示，并显示差额）", cmd_headline,
                    year_option, operator_option)
    h.add_argument("--amount", required=True, metavar="元", help="总额（元）；写空字符串表示文件未写总额")
    h.add_argument("--text", metavar="文字", help="文件的原文写法，如“155 万元”")
    c = add_command(fsub, "close", "年度结账：此后不能再登记支出和记录", cmd_close, operator_option)
    c.add_argument("--year", required=True, metavar="年度")
    c.add_argument("--date", metavar="日期", help="结账日期，默认今天")
    o = add_command(fsub, "reopen", "重新打开已结账的年度", cmd_reopen, operator_option)
    o.add_argument("--year", required=True, metavar="年度")

    w = sub.add_parser("works", help="排危除险工程：列表、新增、修改、进度、附件")
    wsub = w.add_subparsers(dest="works_command", required=True)
    ls = add_command(wsub, "list", "列出工程", cmd_works_list,
                     lambda p: year_option(p, "只列这一年的工程"))
    ls.add_argument("--point", type=whole_number, help="只列治理这个隐患点的工程")
    ls.add_argument("--format", choices=FORMATS, default="table")
    work_options(add_command(wsub, "add", "新增一项工程（状态：计划）", cmd_works_add, year_option), True)
    work_options(add_command(wsub, "edit", "修改一项工程", cmd_works_edit, work_id), False)
    st = add_command(wsub, "status", "推进工程进度：计划 → 实施中 → 完工 → 验收", cmd_works_status, work_id,
                     operator_option)
    st.add_argument("status", choices=["实施中", "完工", "验收"], help="新的进度")
    st.add_argument("--date", metavar="日期", help="开工/完工/验收日期，默认今天")
    st.add_argument("--retire-points", action="store_true",
                    help="验收时同时核销此工程治理的隐患点（以本工程为核销原因）；不加则只列出，不核销")
    st.add_argument("--doc", metavar="文号", help="核销文号")
    rp = add_command(wsub, "retire-points", "核销已验收工程治理的隐患点（以本工程为核销原因，日期为验收日期）",
                     cmd_works_retire, work_id, operator_option)
    rp.add_argument("--doc", metavar="文号", help="核销文号")
    at = add_command(wsub, "attach", "给工程附上文件（合同、验收报告、照片），复制到数据文件夹", cmd_works_attach,
                     work_id, operator_option)
    at.add_argument("file", nargs="+", help="要附上的文件")

    k = add_command(sub, "checks", "汛前排查、汛中巡查、汛后核查（三查）：各乡镇完成情况；record 登记", cmd_checks,
                    year_option)
    k.add_argument("--format", choices=FORMATS, default="table")
    ksub = k.add_subparsers(dest="checks_command", required=False)
    kr = add_command(ksub, "record", "登记一个乡镇的一次检查", cmd_checks_record, year_option)
    kr.add_argument("--township", required=True, help="乡镇（街道）全称，如 茅市镇")
    kr.add_argument("--phase", required=True, choices=["汛前排查", "汛中巡查", "汛后核查"], help="阶段")
    kr.add_argument("--date", required=True, metavar="日期", help="完成日期")
    kr.add_argument("--by", dest="by_name", required=True, metavar="姓名", help="检查人")
    kr.add_argument("--points", metavar="处数", help="检查的隐患点数")
    kr.add_argument("--problems", metavar="处数", help="发现的问题数")
    kr.add_argument("--note", help="备注")

    kd = add_command(ksub, "deadlines", "三查各阶段的期限（每年可设）：不带 --phase 则列出", cmd_checks_deadlines,
                     year_option, operator_option)
    kd.add_argument("--phase", choices=["汛前排查", "汛中巡查", "汛后核查"], help="阶段")
    kd.add_argument("--date", metavar="月-日", help="新的期限，如 04-15")
    kd.add_argument("--default", action="store_true", help="恢复本软件的默认期限")

    b = add_command(sub, "subsidies", "群测群防员补助：按年度名单和在岗天数计算，可导出 .xlsx", cmd_subsidies,
                    year_option)
    b.add_argument("--out", help="导出为 .xlsx（供乡镇一卡通发放）")
    b.add_argument("--mask-phones", action="store_true", help="电话隐去中间四位（发往局外的副本）")
    b.add_argument("--force", action="store_true", help="覆盖已存在的同名文件")
    b.add_argument("--format", choices=FORMATS, default="table")
    bsub = b.add_subparsers(dest="subsidies_command", required=False)
    br = add_command(bsub, "replace", "登记年中换人：某日起由新的群测群防员监测，补助按天数分摊",
                     cmd_subsidies_replace, year_option)
    br.add_argument("--point", required=True, type=whole_number, help="隐患点编号")
    br.add_argument("--date", required=True, metavar="日期", help="新监测员开始的日期")
    br.add_argument("--name", required=True, metavar="姓名", help="新监测员姓名")
    br.add_argument("--phone", help="新监测员电话")
    br.add_argument("--note", help="备注")
