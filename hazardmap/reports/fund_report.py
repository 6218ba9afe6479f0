"""The year's execution report (资金执行情况): each plan line's budget, spent and balance; the 排危除险 works
and their status; 三查 completion by township; the monitors' subsidies. A printable A4 PDF and an xlsx built
from the same numbers (ExecutionReport), so the two always agree and the totals tie out."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.lib.colors import HexColor

from hazardmap.domain.errors import InvalidInput, NotFound
from hazardmap.domain.fund import FEN, PRO_RATA_RULE, LineKind, Phase, SubsidyList, Work, deadlines_note, difference_text, \
    yuan, yuan_whole
from hazardmap.files import atomic_write, check_target
from hazardmap.reports.data import ISSUING_UNIT
from hazardmap.reports.layout import Cell, draw_page_footer, draw_row, draw_title, label
from hazardmap.reports.mapdraw import MM, draw_text
from hazardmap.reports.output import write_atomic
from hazardmap.reports.sheets import MARGIN, MUTED, _a4_pdf
from hazardmap.services import checks as checks_service
from hazardmap.services import fund as fund_service
from hazardmap.services import subsidies as subsidy_service
from hazardmap.services import works as works_service
from hazardmap.services.checks import ChecksOverview
from hazardmap.services.fund import PlanOverview
from hazardmap.services.spreadsheet import xlsx_cell
from hazardmap.services.store import Store
from hazardmap.services.xlsx_scratch import scratch_in, write_only_workbook

WARN = HexColor("#b23b00")


@dataclass(frozen=True)
class ExecutionReport:
    plan: PlanOverview
    works: list[Work]
    checks: ChecksOverview
    subsidies: SubsidyList | None      # None when the year has no key list
    printed_on: date

    @property
    def year(self) -> int:
        return self.plan.year.year

    def line_of(self, kind: LineKind):
        return next((b for b in self.plan.balances if b.line.kind is kind), None)

    @property
    def works_total_fen(self) -> int:
        return works_service.works_total(self.works)


def build(store: Store, year: object, *, today: date | None = None) -> ExecutionReport:
    today = today or date.today()
    plan = fund_service.overview(store, year)
    try:
        subs = subsidy_service.subsidy_list(store, plan.year.year)
    except NotFound:
        subs = None
    return ExecutionReport(plan, works_service.list_works(store, plan.year.year),
                           checks_service.overview(store, plan.year.year, today=today), subs, today)


def _rate(spent: int, budget: int) -> str:
    return f"{spent * 100 / budget:.1f}%" if budget else ""


# ---- rows shared by the PDF and the xlsx --------------------------------------------------------------

def line_rows(r: ExecutionReport) -> list[list]:
    """序号, 项目, 预算, 已支出, 余额, 执行率 (fen for money)."""
    return [[b.line.numeral + (f"({b.line.part})" if b.line.part else ""), b.line.title, b.line.budget_fen, b.spent_fen,
             b.balance_fen, _rate(b.spent_fen, b.line.budget_fen)] for b in r.plan.balances]


def work_rows(r: ExecutionReport) -> list[list]:
    return [[w.seq, w.site, w.township, w.budget_fen, works_service.status_text(w), w.contractor,
             "、".join(f"第{p}号" for p in w.points)] for w in r.works]


def check_cell(rec) -> str:
    return rec.done_on if rec else "未登记"


def check_rows(r: ExecutionReport) -> list[list]:
    return [[t.township, *(check_cell(t.records.get(p)) for p in Phase),
             _late_text(t.late), t.allowance_fen] for t in r.checks.townships]


def _late_text(late) -> str:
    return "三项均逾期" if len(late) == len(Phase) else "、".join(p.value for p in late) + ("逾期" if late else "")


# ---- PDF ----------------------------------------------------------------------------------------------

PAGE_W, PAGE_H = 210 * MM, 297 * MM
BOTTOM = MARGIN + 8 * MM


class _Pdf:
    def __init__(self, c, r: ExecutionReport, pages: int | None = None) -> None:
        self.c, self.r = c, r
        self.pages = pages   # the total, known on the second drawing (report_pdf)
        self.page = 1
        self.y = 0.0
        self.x = MARGIN

    def title(self) -> None:
        r = self.r
        y = PAGE_H - MARGIN - 6 * MM
        draw_title(self.c, PAGE_W, y, f"衡南县{r.year}年地质灾害防治专项资金执行情况表", 16)
        y -= 7 * MM
        draw_text(self.c, PAGE_W / 2, y, f"依据：{r.plan.year.title}（{r.plan.year.doc_no}）", 9, colour=MUTED,
                  anchor="centre")
        y -= 6 * MM
        draw_text(self.c, MARGIN, y, f"编制单位：{ISSUING_UNIT}", 9)
        draw_text(self.c, PAGE_W - MARGIN, y, f"截至 {r.printed_on.isoformat()}　单位：元", 9, anchor="right")
        self.y = y - 3 * MM

    def footer(self) -> None:
        state = "已结账" if self.r.plan.year.closed else "未结账"
        draw_page_footer(self.c, PAGE_W, MARGIN, f"{self.r.year}年度（{state}）　hazardmap 生成",
                         f"第 {self.page} 页" + (f" 共 {self.pages} 页" if self.pages else ""))

    def need(self, h_mm: float) -> None:
        if self.y - h_mm * MM < BOTTOM:
            self.footer()
            self.c.showPage()
            self.page += 1
            self.y = PAGE_H - MARGIN
            draw_text(self.c, MARGIN, self.y - 4 * MM, f"衡南县{self.r.year}年地质灾害防治专项资金执行情况表（续）", 9,
                      colour=MUTED)
            self.y -= 7 * MM

    def heading(self, text: str) -> None:
        self.need(34)  # a heading never ends a page: it keeps its table's header and first rows
        self.y -= 4 * MM
        draw_text(self.c, self.x, self.y - 4 * MM, text, 11.5, bold=True)
        self.y -= 7 * MM

    def note(self, text: str, colour=MUTED, size: float = 8.5) -> None:
        from hazardmap.reports.layout import wrap

        for line in wrap(self.c, text, size, PAGE_W - 2 * MARGIN):
            self.need(5)
            draw_text(self.c, self.x, self.y - 3.8 * MM, line, size, colour=colour)
            self.y -= 4.6 * MM

    def row(self, cells: list[Cell], h: float = 7.0, size: float = 9.0) -> None:
        self.need(h)
        self.y -= draw_row(self.c, self.x, self.y, cells, h, size=size)


def _num(fen: int, w: float, bold: bool = False) -> Cell:
    return Cell(yuan(fen), w, "label" if bold else "value", "right")


def _text(text: str, w: float, align: str = "left") -> Cell:
    return Cell(text, w, "value", align)


def draw_report(c, r: ExecutionReport, pages: int | None = None) -> int:
    """Draws the report; returns how many pages it took (pages: the total for the footers)."""
    p = _Pdf(c, r, pages)
    p.title()
    t = r.plan.totals
    # 一、资金计划执行
    p.heading("一、资金计划执行情况")
    widths = (13, 73, 27, 27, 27, 15)
    p.row([label(h, w) for h, w in zip(("序号", "项目", "预算", "已支出", "余额", "执行率"), widths)])
    for row in line_rows(r):
        over = row[4] < 0
        p.row([_text(row[0], widths[0], "centre"), _text(row[1], widths[1]), _num(row[2], widths[2]),
               _num(row[3], widths[3]), Cell(("超支 " if over else "") + yuan(row[4]), widths[4], "value", "right"),
               _text(row[5], widths[5], "right")], h=7.5 if len(row[1]) < 24 else 10)
    p.row([label("合计", widths[0] + widths[1]), _num(t.lines_fen, widths[2], True), _num(t.spent_fen, widths[3], True),
           _num(t.balance_fen, widths[4], True), label(_rate(t.spent_fen, t.lines_fen), widths[5])])
    p.y -= 1.5 * MM
    p.note((f"文件总额：{r.plan.year.headline_text}（{yuan_whole(t.headline_fen)} 元）。" if t.headline_fen is not None
            else "") + difference_text(t, r.plan.year.headline_text) + "。")
    overs = [b for b in r.plan.balances if b.over]
    if overs:
        p.note("超支项目：" + "；".join(f"{b.line.label} 超支 {yuan(-b.balance_fen)} 元" for b in overs)
               + "（原因见支出明细）", colour=WARN)

    # 二、排危除险工程
    p.heading("二、地质灾害排危除险和应急处置工程")
    widths = (10, 78, 20, 24, 26, 24)
    p.row([label(h, w) for h, w in zip(("序号", "隐患点（工程地点）", "乡镇", "预算", "进度", "治理的隐患点"), widths)])
    for row, w in zip(work_rows(r), r.works):
        progress = row[4].replace("（", "\n").replace("）", "")
        h = 7.5 if len(row[1]) <= 24 else 11 if len(row[1]) <= 48 else 15
        p.row([_text(str(row[0]), widths[0], "centre"), _text(row[1], widths[1]), _text(row[2], widths[2], "centre"),
               _num(row[3], widths[3]), _text(progress, widths[4], "centre"), _text(row[6], widths[5], "centre")],
              h=max(h, 10) if "\n" in progress else h)
    p.row([label("合计", widths[0] + widths[1] + widths[2]), _num(r.works_total_fen, widths[3], True),
           label("　".join(f"{s.value} {n} 项" for s, n in works_service.status_counts(r.works).items() if n),
                 widths[4] + widths[5])])
    works_line = r.line_of(LineKind.WORKS)
    if works_line is not None:
        diff = works_line.line.budget_fen - r.works_total_fen
        p.note(f"工程预算合计 {yuan(r.works_total_fen)} 元，第{works_line.line.numeral}项预算 {yuan(works_line.line.budget_fen)} 元，"
               + ("两者一致。" if diff == 0 else f"相差 {yuan(diff)} 元。"))

    # 三、三查
    ck = r.checks
    p.heading("三、汛前排查、汛中巡查、汛后核查（按乡镇）")
    widths = (30, 27, 27, 27, 45, 24)
    p.row([label(h, w) for h, w in zip(("乡镇（街道）", "汛前排查", "汛中巡查", "汛后核查", "逾期", "应拨经费"), widths)])
    for row in check_rows(r):
        p.row([_text(row[0], widths[0], "centre"), *(_text(v, w, "centre") for v, w in zip(row[1:4], widths[1:4])),
               Cell(row[4], widths[4], "value", "centre"), _num(row[5], widths[5])], h=6.2, size=8.5)
    p.row([label(f"合计：{ck.complete}/{len(ck.townships)} 个乡镇三查齐全，已登记 {ck.recorded} 次", sum(widths[:5])),
           _num(ck.allowance_due_fen, widths[5], True)], h=6.5, size=8.5)
    checks_line = r.line_of(LineKind.CHECKS)
    if checks_line is not None:
        p.note(f"三查齐全的乡镇按每个 {yuan_whole(ck.rate_fen)} 元拨付；应拨 {yuan(ck.allowance_due_fen)} 元，"
               f"第{checks_line.line.numeral}项预算 {yuan(checks_line.line.budget_fen)} 元，已支出 {yuan(checks_line.spent_fen)} 元。"
               + deadlines_note(r.checks.deadlines) + "。")

    # 四、群测群防员补助
    p.heading("四、群测群防员补助")
    sl = r.subsidies
    if sl is None:
        p.note(f"没有{r.year}年的重点隐患点名单，无法计算补助。", colour=WARN)
    else:
        widths = (10, 22, 40, 20, 38, 18, 34)
        p.row([label(h, w) for h, w in zip(("序号", "乡镇", "村组", "群测群防员", "在岗期间", "天数", "应发补助"), widths)])
        for sh in sl.shares:
            p.row([_text(str(sh.row_no or ""), widths[0], "centre"), _text(sh.township, widths[1], "centre"),
                   _text(sh.place, widths[2]), _text(sh.monitor, widths[3], "centre"),
                   _text(f"{sh.start[5:]}～{sh.end[5:]}", widths[4], "centre"), _text(str(sh.days), widths[5], "centre"),
                   _num(sh.amount_fen, widths[6])], h=6.2, size=8.5)
        p.row([label(f"合计：{sl.points} 处重点隐患点，{len(sl.shares)} 人", sum(widths[:6])),
               _num(sl.total_fen, widths[6], True)], h=6.5, size=8.5)
        sub_line = r.line_of(LineKind.SUBSIDIES)
        if sub_line is not None:
            p.note(f"标准每处 {yuan_whole(sl.rate_fen)} 元/年；应发 {yuan(sl.total_fen)} 元，第{sub_line.line.numeral}项预算 "
                   f"{yuan(sub_line.line.budget_fen)} 元，已支出 {yuan(sub_line.spent_fen)} 元。{PRO_RATA_RULE}")

    # signatures
    p.need(24)
    p.y -= 8 * MM
    col = (PAGE_W - 2 * MARGIN) / 4
    for i, word in enumerate(("编制人：", "审核人：", "单位负责人：", "日期：")):
        x = MARGIN + i * col
        draw_text(c, x, p.y, word, 10)
        c.saveState()
        c.setLineWidth(0.5)
        c.line(x + (len(word) * 10 + 2), p.y - 1.2 * MM, x + col - 4 * MM, p.y - 1.2 * MM)
        c.restoreState()
    p.y -= 10 * MM
    draw_text(c, MARGIN, p.y, "（单位盖章）", 10)
    p.footer()
    return p.page


def report_pdf(r: ExecutionReport) -> bytes:
    """Drawn twice: the first drawing counts the pages, the second writes 第 N 页 共 M 页 on each."""
    from hazardmap.reports.layout import new_canvas

    scratch, _ = new_canvas("", (PAGE_W, PAGE_H))
    pages = draw_report(scratch, r)
    return _a4_pdf(f"衡南县{r.year}年地质灾害防治专项资金执行情况表", lambda c: draw_report(c, r, pages))


# ---- xlsx ---------------------------------------------------------------------------------------------

def _y(fen: int) -> float:
    return round(fen / FEN, 2)


def _write_xlsx(path: Path, r: ExecutionReport) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    wb = write_only_workbook()

    def sheet(name: str, widths: tuple[int, ...], title: str, headers: tuple[str, ...]):
        ws = wb.create_sheet(name)
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.append([xlsx_cell(ws, title, font=Font(bold=True, size=13))])
        ws.append([xlsx_cell(ws, h, font=bold) for h in headers])
        return ws

    t = r.plan.totals
    ws = sheet("资金执行", (8, 50, 14, 14, 14, 9), f"衡南县{r.year}年地质灾害防治专项资金执行情况（单位：元）",
               ("序号", "项目", "预算", "已支出", "余额", "执行率"))
    for row in line_rows(r):
        ws.append([xlsx_cell(ws, row[0]), xlsx_cell(ws, row[1]), _y(row[2]), _y(row[3]), _y(row[4]), row[5]])
    ws.append([xlsx_cell(ws, "合计", font=bold), None, _y(t.lines_fen), _y(t.spent_fen), _y(t.balance_fen),
               _rate(t.spent_fen, t.lines_fen)])
    ws.append([])
    if t.headline_fen is None:
        ws.append([xlsx_cell(ws, "文件总额"), xlsx_cell(ws, "文件未写总额")])
    else:
        ws.append([xlsx_cell(ws, "文件总额"), xlsx_cell(ws, r.plan.year.headline_text), _y(t.headline_fen)])
        ws.append([xlsx_cell(ws, "差额"), xlsx_cell(ws, "分项合计减文件总额（按文件原文记录，未作更正）"),
                   _y(t.difference_fen)])
    ws.append([xlsx_cell(ws, "依据"), xlsx_cell(ws, f"{r.plan.year.title}（{r.plan.year.doc_no}）")])

    ws = sheet("排危除险工程", (6, 60, 12, 14, 18, 20, 16), "地质灾害排危除险和应急处置工程",
               ("序号", "隐患点（工程地点）", "乡镇", "预算（元）", "进度", "施工单位", "治理的隐患点"))
    for row in work_rows(r):
        ws.append([row[0], xlsx_cell(ws, row[1]), xlsx_cell(ws, row[2]), _y(row[3]), xlsx_cell(ws, row[4]),
                   xlsx_cell(ws, row[5]), xlsx_cell(ws, row[6])])
    ws.append([xlsx_cell(ws, "合计", font=bold), None, None, _y(r.works_total_fen)])

    ws = sheet("三查", (14, 13, 13, 13, 26, 14), "汛前排查、汛中巡查、汛后核查（按乡镇）",
               ("乡镇（街道）", *(p.value for p in Phase), "逾期", "应拨经费（元）"))
    for row in check_rows(r):
        ws.append([xlsx_cell(ws, v) for v in row[:5]] + [_y(row[5])])
    ck = r.checks
    ws.append([xlsx_cell(ws, "合计", font=bold), xlsx_cell(ws, f"{ck.complete}/{len(ck.townships)} 个乡镇齐全"), None, None,
               None, _y(ck.allowance_due_fen)])
    ws.append([xlsx_cell(ws, deadlines_note(r.checks.deadlines))])

    ws = sheet("群测群防员补助", (6, 12, 22, 12, 12, 12, 9, 9, 12, 13), "群测群防员补助（不含电话和银行账号）",
               ("序号", "乡镇", "村组", "群测群防员", "在岗起", "在岗止", "天数", "月数", "巡查记录（条）", "应发补助（元）"))
    sl = r.subsidies
    if sl is not None:
        for sh in sl.shares:
            ws.append([sh.row_no, xlsx_cell(ws, sh.township), xlsx_cell(ws, sh.place), xlsx_cell(ws, sh.monitor), sh.start,
                       sh.end, sh.days, sh.months, sh.patrols, _y(sh.amount_fen)])
        ws.append([xlsx_cell(ws, "合计", font=bold), None, None, f"{len(sl.shares)} 人", None, None,
                   sum(s.days for s in sl.shares), None, sum(s.patrols for s in sl.shares), _y(sl.total_fen)])
        ws.append([xlsx_cell(ws, "分摊规则：" + PRO_RATA_RULE)])
    else:
        ws.append([xlsx_cell(ws, f"没有{r.year}年的重点隐患点名单")])
    wb.save(path)


# ---- writing ------------------------------------------------------------------------------------------

def write_report(store: Store, year: object, out: str | Path, *, force: bool = False,
                 today: date | None = None) -> Path:
    """The report as .pdf or .xlsx (by the file's extension), written whole or not at all."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise InvalidInput(f"报告文件“{out.name}”的扩展名应为 .pdf 或 .xlsx")
    check_target(out, force=force)
    r = build(store, year, today=today)
    if suffix == ".pdf":
        return write_atomic(out, report_pdf(r), force=force)
    with atomic_write(out, force=force) as partial:
        with scratch_in(partial.parent):
            _write_xlsx(partial, r)
    return out
