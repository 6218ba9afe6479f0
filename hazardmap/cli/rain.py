"""hazardmap rain [import|add|series|thresholds|status|warnings|sms|backtest|coverage|settings]."""
from __future__ import annotations

import sys

from hazardmap.cli.output import FORMATS, emit
from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.rain import COUNTY, JIANGHUA_SOURCE, Level, Window, fmt_mm, fmt_time, parse_level
from hazardmap.services import rain as svc
from hazardmap.services import rain_import
from hazardmap.services.store import Store

NOTICE_LIMIT = 20


def cmd_import(args, store: Store) -> int:
    plan = rain_import.check_file(store, args.file, tz=args.tz, interval=args.interval)
    print(f"“{plan.path.name}”：时间按{plan.zone}读取；{plan.interval}")
    for n in plan.notices[:NOTICE_LIMIT]:
        print(f"提示：{n}")
    if len(plan.notices) > NOTICE_LIMIT:
        print(f"提示：……另有 {len(plan.notices) - NOTICE_LIMIT} 条")
    for b in plan.bad:
        print(f"错误：{b}", file=sys.stderr)
    same = f"，{plan.unchanged} 条与已有读数相同（不重复导入）" if plan.unchanged else ""
    if args.check:
        print(f"检查完毕：{len(plan.readings)} 条可导入{same}，{len(plan.bad)} 行有误（未写入）")
        return 2 if plan.bad else 0
    if plan.bad and not args.skip_bad:
        print(f"有 {len(plan.bad)} 行有误，未导入任何读数（改正后重试，或加 --skip-bad 只导入正确的行）")
        return 2
    rain_import.apply(store, plan, skip_bad=args.skip_bad, by=args.by)
    skipped = f"，跳过 {len(plan.bad)} 行有误的" if plan.bad else ""
    print(f"导入 {len(plan.readings)} 条读数（{len(plan.sites)} 个站点）{same}{skipped}")
    return 0


def cmd_add(args, store: Store) -> int:
    ch = svc.add_reading(store, args.site, args.at, args.mm, minutes=args.minutes, by=args.by)
    print(ch.label if ch else "该读数已存在，未变")
    _print_status(store, args.at, "table", only_site=svc.find_site(store, args.site).slot)
    return 0


def cmd_series(args, store: Store) -> int:
    site, rows = svc.series(store, args.site, since=args.since, until=args.until)
    records = [{"time": fmt_time(ts), "mm": fmt_mm(mm) if args.format == "table" else mm, "minutes": m}
               for ts, mm, m in rows]
    emit(records, args.format, {"time": "时间（北京时间，时段末）", "mm": "雨量(mm)", "minutes": "时段(分钟)"})
    if args.format == "table":
        print(f"{svc.site_name(site)}：{len(rows)} 条读数，合计 {fmt_mm(sum(r[1] for r in rows))} mm")
    return 0


def cmd_thresholds(args, store: Store) -> int:
    if args.action == "set":
        if args.level is None or args.window is None:
            raise InvalidInput("设阈值请给出 --level（蓝/黄/橙/红）和 --window（1h/3h/6h/24h/eff）")
        ch = svc.set_threshold(store, args.level, args.window, args.mm, site=args.site, by=args.by)
        print(ch.label if ch else "阈值未变")
        return 0
    if args.action == "history":
        for c in svc.threshold_changes(store):
            where = "全县" if c.site == COUNTY else f"{c.site}号站"
            print(f"{c.changed_at}  {c.changed_by}  {where} {c.level.colour_name}{c.window.label}："
                  f"{'未设' if c.old_mm is None else fmt_mm(c.old_mm)} → {'未设' if c.new_mm is None else fmt_mm(c.new_mm)}")
        return 0
    ths = svc.thresholds(store)
    for site in sorted({t.site for t in ths}):
        title = "全县阈值" if site == COUNTY else f"{site}号站单独设定的阈值（其余沿用全县）"
        print(f"{title}（mm）：")
        cells = {(t.level, t.window): t for t in ths if t.site == site}
        print("等级  " + "  ".join(f"{w.label:>10}" for w in Window))
        for lv in Level:
            print(f"{lv.colour_name}  " + "  ".join(
                f"{fmt_mm(cells[(lv, w)].mm) if (lv, w) in cells else '—':>13}" for w in Window))
        sources = sorted({t.source for t in cells.values()})
        print("来源：" + "；".join(sources))
    if any(t.source == JIANGHUA_SOURCE for t in ths):
        print("注意：标为“江华县公布值”的阈值是其他县公布的数值，不是衡南县的标准；请按本局要求用 rain thresholds set 修改。")
    cfg = svc.get_settings(store)
    print(f"有效降雨量 = 当日雨量 + Σ k^i × 前第 i 日雨量，k = {cfg.effective.k}，前期 {cfg.effective.days} 天"
          f"{'（出厂默认值，非本局规定）' if svc.K_EFF_K in cfg.defaults else ''}")
    return 0


HEADERS = {"site": "站点", "level": "预警", "reason": "原因", "last": "最新读数", "h1": "1h", "h3": "3h", "h6": "6h",
           "h24": "24h", "eff": "有效雨量", "points": "覆盖隐患点"}


def _print_status(store: Store, at, fmt: str, only_site: int | None = None) -> None:
    rows = svc.status(store, at)
    records = []
    for r in rows:
        if only_site is not None and r.site.slot != only_site:
            continue
        st = r.status
        v = st.values
        records.append({
            "site": r.name, "level": st.level.colour_name if st.level else ("无预警" if st.has_data else "无数据"),
            "reason": st.reason, "last": fmt_time(st.last_reading) if st.last_reading else "",
            "h1": fmt_mm(v[Window.H1]), "h3": fmt_mm(v[Window.H3]), "h6": fmt_mm(v[Window.H6]),
            "h24": fmt_mm(v[Window.H24]), "eff": fmt_mm(v[Window.EFFECTIVE]),
            "points": "、".join(str(c.point) for c in r.covered) or ("（未落实村庄，无法确定）" if not r.site.assigned else "无"),
        })
    emit(records, fmt, HEADERS)


def cmd_status(args, store: Store) -> int:
    at = args.at
    _print_status(store, at, args.format)
    if args.format == "table":
        due = svc.due_patrols(store, at)
        when = at or "现在"
        if due:
            print(f"\n{when}应巡查的隐患点（{len(due)} 处，达到{svc.get_settings(store).patrol_level.colour_name}及以上、"
                  "预警后尚无巡查记录）：")
            for d in due:
                print(f"  {d.point} {d.name}  {d.kind}  {d.monitor} {d.phone}  ←  {d.site_name} {d.level.colour_name}："
                      f"{d.reason}")
        else:
            print(f"\n{when}没有应巡查的隐患点")
    return 0


def cmd_warnings(args, store: Store) -> int:
    eps = svc.warnings(store, since=args.since, until=args.until)
    names = {r.site.slot: r.name for r in svc.status(store)}
    for e in eps:
        print(svc.describe_episode(e, names))
    print(f"共 {len(eps)} 次预警")
    return 0


def cmd_sms(args, store: Store) -> int:
    n = svc.export_sms(store, args.out, level=args.level, at=args.at, mask_phones=args.mask_phones, force=args.force)
    masked = "（手机号已脱敏）" if args.mask_phones else "（含完整手机号，属个人信息，请妥善保管）"
    print(f"已导出 {n} 条短信到“{args.out}”{masked}。hazardmap 不发送短信，请导入县短信平台发送")
    return 0


def cmd_backtest(args, store: Store) -> int:
    bt = svc.backtest(store, args.since, args.until)
    print(f"回溯检验 {fmt_time(bt.since)} 至 {fmt_time(bt.until)}：异常/危险报告 {bt.reports} 条；"
          f"预警结束后 {bt.after_hours} 小时内的报告算命中")
    emit([{"level": s.level.colour_name + "及以上", "warnings": s.warnings, "points": s.points_covered, "hits": s.hits,
           "misses": s.misses, "fa": s.false_alarms, "pod": svc.pct(s.pod), "far": svc.pct(s.far),
           "uncovered": s.uncovered_reports} for s in bt.scores], args.format,
         {"level": "等级", "warnings": "预警次数", "points": "覆盖隐患点", "hits": "命中", "misses": "漏报", "fa": "空报",
          "pod": "命中率POD", "far": "空报率FAR", "uncovered": "无站覆盖的报告"})
    return 0


def cmd_coverage(args, store: Store) -> int:
    if args.point is not None:
        included = {"add": True, "remove": False, "auto": None}[args.action]
        ch = svc.set_coverage(store, args.site, args.point, included, by=args.by)
        print(ch.label if ch else "覆盖范围未变")
        return 0
    cover = svc.coverage_map(store)
    cfg = svc.get_settings(store)
    print(f"覆盖规则：站点 {fmt_mm(cfg.radius_km)} km 内或同一乡镇的在册隐患点"
          f"{'（半径为出厂默认值，非本局规定）' if svc.K_COVER_KM in cfg.defaults else ''}")
    for r in svc.status(store):
        items = cover.get(r.site.slot, [])
        text = "、".join(f"{c.point}（{c.why}）" for c in items) or ("未落实村庄，无法确定" if not r.site.assigned else "无")
        print(f"{r.name}：{text}")
    return 0


def cmd_settings(args, store: Store) -> int:
    if args.key:
        if args.value is None:
            raise InvalidInput("请给出新的值")
        ch = svc.set_setting(store, args.key, args.value, by=args.by)
        print(ch.label if ch else "设置未变")
        return 0
    cfg = svc.get_settings(store)
    values = {svc.K_EFF_K: cfg.effective.k, svc.K_EFF_DAYS: cfg.effective.days, svc.K_COVER_KM: cfg.radius_km,
              svc.K_PATROL_LEVEL: cfg.patrol_level.colour_name, svc.K_AFTER_HOURS: cfg.after_hours,
              svc.K_SMS: cfg.sms_template}
    for k in svc.SETTING_KEYS:
        print(f"{k}  {svc.SETTING_NAMES[k]} = {values[k]}{'（出厂默认值）' if k in cfg.defaults else ''}")
    return 0


def _level(text: str) -> Level:
    return parse_level(text)


def register(sub) -> None:
    p = sub.add_parser("rain", help="雨量：读数、阈值、预警、应巡查的隐患点、预警短信名单、回溯检验")
    rsub = p.add_subparsers(dest="rain_cmd", required=True)
    i = rsub.add_parser("import", help="从 CSV/XLSX 导入雨量读数（站码或村名、时间、雨量或累计雨量）")
    i.add_argument("file", help="表头有 站码（或站名/村名）、时间、雨量（或累计雨量）列")
    i.add_argument("--check", action="store_true", help="只检查，不写入")
    i.add_argument("--skip-bad", action="store_true", help="有误的行跳过，只导入正确的行")
    i.add_argument("--tz", metavar="时区", help="文件的时区（表头未写明时）：北京时间（默认）、UTC、+08:00 等")
    i.add_argument("--interval", type=int, choices=(5, 60, 1440), metavar="分钟",
                   help="每条读数的时段：5、60 或 1440 分钟（默认按表头或时间间隔判断）")
    i.add_argument("--by")
    i.set_defaults(handler=cmd_import)
    a = rsub.add_parser("add", help="手工录入一条读数")
    a.add_argument("--site", required=True, metavar="站点", help="站点编号、站码或村名")
    a.add_argument("--at", required=True, help="时段结束时间（北京时间），如 2024-06-01 08:00")
    a.add_argument("--mm", required=True, metavar="毫米", help="该时段雨量（mm）")
    a.add_argument("--minutes", type=int, default=60, choices=(5, 60, 1440), metavar="分钟", help="时段长度，默认 60")
    a.add_argument("--by")
    a.set_defaults(handler=cmd_add)
    s = rsub.add_parser("series", help="某站点的雨量序列")
    s.add_argument("--site", required=True, metavar="站点")
    s.add_argument("--from", dest="since", help="开始（北京时间）")
    s.add_argument("--to", dest="until", help="结束（北京时间）")
    s.add_argument("--format", choices=FORMATS, default="table")
    s.set_defaults(handler=cmd_series)
    t = rsub.add_parser("thresholds", help="预警阈值：show 查看（默认）、set 修改、history 修改记录")
    t.add_argument("action", nargs="?", choices=("show", "set", "history"), default="show")
    t.add_argument("--level", metavar="等级", help="蓝/黄/橙/红")
    t.add_argument("--window", metavar="时段", help="1h/3h/6h/24h/eff（有效降雨量）")
    t.add_argument("--mm", metavar="毫米", help="阈值（mm）；写“无”取消该格")
    t.add_argument("--site", metavar="站点", help="只改某站点（单独设定）；不写则改全县阈值")
    t.add_argument("--by")
    t.set_defaults(handler=cmd_thresholds)
    st = rsub.add_parser("status", help="各站点在某时刻的预警（哪个时段、多少雨量触发）和应巡查的隐患点")
    st.add_argument("--at", help="时刻（北京时间），默认现在")
    st.add_argument("--format", choices=FORMATS, default="table")
    st.set_defaults(handler=cmd_status)
    w = rsub.add_parser("warnings", help="预警记录：站点、等级、开始和结束时间、触发的时段和雨量")
    w.add_argument("--since", help="从此日期起")
    w.add_argument("--until", help="到此时间止")
    w.set_defaults(handler=cmd_warnings)
    m = rsub.add_parser("sms", help="导出预警短信名单（CSV/XLSX，供县短信平台；本软件不发送）")
    m.add_argument("--level", required=True, metavar="等级", help="此等级及以上的预警")
    m.add_argument("--out", required=True)
    m.add_argument("--at", help="时刻（北京时间），默认现在")
    m.add_argument("--mask-phones", action="store_true", help="手机号脱敏（138****2467）")
    m.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    m.set_defaults(handler=cmd_sms)
    b = rsub.add_parser("backtest", help="回溯检验：按等级统计预警、命中、漏报、空报（对照异常/危险巡查记录）")
    b.add_argument("--from", dest="since", required=True, help="开始日期")
    b.add_argument("--to", dest="until", required=True, help="结束日期或时间")
    b.add_argument("--format", choices=FORMATS, default="table")
    b.set_defaults(handler=cmd_backtest)
    c = rsub.add_parser("coverage", help="各站点覆盖的隐患点；add/remove/auto 修改")
    c.add_argument("action", nargs="?", choices=("show", "add", "remove", "auto"), default="show")
    c.add_argument("--site", metavar="站点")
    c.add_argument("--point", type=int, metavar="序号")
    c.add_argument("--by")
    c.set_defaults(handler=cmd_coverage)
    g = rsub.add_parser("settings", help="降雨设置：有效降雨量 k 与天数、覆盖半径、应巡查等级、短信模板")
    g.add_argument("key", nargs="?", choices=svc.SETTING_KEYS)
    g.add_argument("value", nargs="?")
    g.add_argument("--by")
    g.set_defaults(handler=cmd_settings)
