"""Per-point field sheets (A4): 防灾工作明白卡, 防灾避险明白卡 (three copies per household), 巡查记录表, and
the third paper of 两卡一表, the 隐患点防灾预案表 (two pages: the hazard and its sketch map; monitoring,
alarm and evacuation).

Every field of the cards (docs/DOMAIN.md) is printed; what the database knows is filled in, everything else is
a blank ruled cell to write on by hand - never placeholder text."""
from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol_status import MACRO_SIGNS, STATUS_COLOURS, Judgement, PatrolSummary
from hazardmap.domain.patrol_text import judgement_text, mm, sign_names
from hazardmap.domain.plan import PLAN_FIELDS
from hazardmap.domain.points import HazardPoint, Precision
from hazardmap.reports.data import ISSUING_UNIT, ReportData
from hazardmap.reports.layout import (LABEL_FILL, Cell, blank, draw_row, draw_section, draw_title, label,
                                      new_canvas, value, wrap)
from hazardmap.reports.mapdraw import (GREY, INK, MM, MapFrame, draw_north_arrow, draw_scale_bar, draw_text,
                                       project, text_width)
from hazardmap.reports.maps import MapStyle, draw_map_body
from hazardmap.reports.output import check_not_existing, ensure_writable_folder, safe_filename, write_atomic

MUTED = HexColor("#555555")
WARN = HexColor("#b23b00")
MARGIN = 14 * MM
ROW = 8.0  # mm


@dataclass(frozen=True)
class SheetKind:
    key: str
    title: str


WORK_CARD = SheetKind("work-card", "防灾工作明白卡")
HOUSEHOLD_CARD = SheetKind("household-card", "防灾避险明白卡")
PATROL_FORM = SheetKind("patrol-form", "巡查记录表")
PLAN_TABLE = SheetKind("plan-table", "防灾预案表")
SHEET_KINDS = {k.key: k for k in (WORK_CARD, HOUSEHOLD_CARD, PATROL_FORM, PLAN_TABLE)}
HOUSEHOLD_COPIES = ("第一联　住户留存", "第二联　村委会留存", "第三联　发放单位留存")
MAX_COPIES = 200


def _printed(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _point_ref(p: HazardPoint) -> str:
    return f"衡南县2023年重点监测地质灾害隐患点第 {p.seq} 号"


def _coords(p: HazardPoint) -> str:
    if not p.located:
        return ""
    return f"经度 {p.lon:.6f}°，纬度 {p.lat:.6f}°（CGCS2000）"


def _header(c, page_w: float, page_h: float, title: str, left: str, right: str, *, tag: str = "") -> float:
    """Title and the line under it; returns the y where the form starts."""
    y = page_h - MARGIN - 7 * MM
    draw_title(c, page_w, y, title, 20)
    if tag:
        draw_text(c, page_w - MARGIN, y + 1 * MM, tag, 9, colour=MUTED, anchor="right")
    y -= 8 * MM
    draw_text(c, MARGIN, y, left, 8.5, colour=MUTED)
    draw_text(c, page_w - MARGIN, y, right, 8.5, colour=MUTED, anchor="right")
    return y - 3 * MM


def _footer(c, page_w: float, text: str) -> None:
    draw_text(c, MARGIN, MARGIN * 0.5, text, 7, colour=MUTED)
    draw_text(c, page_w - MARGIN, MARGIN * 0.5, f"{ISSUING_UNIT} 印制", 7, colour=MUTED, anchor="right")


# --- the location map on the work card -------------------------------------------------------------

def _location_bounds(data: ReportData, p: HazardPoint):
    px, py = project(p.lon, p.lat)
    pts = [(px, py)]
    own = data.bundled.village_by_code(p.village_code)
    if own and own.located:
        pts.append(project(own.lon, own.lat))
    near = []
    for v in data.villages:
        if v.located and v.code != p.village_code:
            x, y = project(v.lon, v.lat)
            near.append((math.hypot(x - px, y - py), x, y))
    near.sort()
    pts += [(x, y) for dist, x, y in near[:5] if dist < 6000]  # the neighbouring villages
    seat = data.bundled.township(p.township)
    if seat and seat.lon is not None:
        sx, sy = project(seat.lon, seat.lat)
        if math.hypot(sx - px, sy - py) < 12000:  # show the seat when it is near enough to orient by
            pts.append((sx, sy))
    xs = [q[0] for q in pts]
    ys = [q[1] for q in pts]
    return (min(xs), min(ys), max(xs), max(ys))


def draw_location_map(c, data: ReportData, p: HazardPoint, x: float, y: float, w: float, h: float) -> None:
    """Map (left) and its key (right): coordinates, precision line, source, scale bar, north arrow."""
    map_w = w * 0.62
    side_x = x + map_w + 4 * MM
    side_w = w - map_w - 4 * MM
    if not p.located:
        c.saveState()
        c.setStrokeColor(GREY)
        c.setDash([3, 2])
        c.rect(x, y, map_w, h, stroke=1, fill=0)
        c.restoreState()
        draw_text(c, x + map_w / 2, y + h / 2 + 4, p.precision.print_note, 12, colour=WARN, anchor="centre",
                  bold=True)
        draw_text(c, x + map_w / 2, y + h / 2 - 12, "测得坐标后在 hazardmap 中修正位置，再重新打印本卡", 8,
                  colour=MUTED, anchor="centre")
        ty = y + h - 10
        for line in wrap(c, f"定位精度：{p.precision.label}", 8.5, side_w):
            draw_text(c, side_x, ty, line, 8.5)
            ty -= 12
        for line in wrap(c, f"说明：{p.source}", 7, side_w):
            draw_text(c, side_x, ty, line, 7, colour=MUTED)
            ty -= 9.5
        return
    frame = MapFrame.fit(x, y, map_w, h, _location_bounds(data, p), pad=0.12, min_span_m=2500)
    own = data.bundled.village_by_code(p.village_code)
    style = MapStyle(u=0.9, label_villages=True, village_names={own.name} if own else set())
    draw_map_body(c, frame, data, style, highlight=p.seq)
    c.saveState()
    c.setStrokeColor(INK)
    c.setLineWidth(0.8)
    c.rect(frame.x, frame.y, frame.w, frame.h, stroke=1, fill=0)
    c.restoreState()
    ty = y + h - 9
    note_fs = 9.5
    while text_width(c, p.precision.print_note, note_fs) > side_w and note_fs > 7:  # one line, read at a glance
        note_fs -= 0.25
    for line in wrap(c, p.precision.print_note, note_fs, side_w):
        draw_text(c, side_x, ty, line, note_fs, colour=WARN if p.precision is not Precision.SURVEYED else INK,
                  bold=True)
        ty -= 13
    for line in (f"经度 {p.lon:.6f}°", f"纬度 {p.lat:.6f}°", "坐标系 CGCS2000"):
        draw_text(c, side_x, ty, line, 8.5)
        ty -= 11.5
    for line in wrap(c, f"坐标来源：{p.source}", 6.5, side_w)[:6]:
        draw_text(c, side_x, ty, line, 6.5, colour=MUTED)
        ty -= 8.5
    ty -= 2
    draw_text(c, side_x, ty, "图中：◎ 乡镇驻地　· 村中心点　编号圆点为隐患点", 6.5, colour=MUTED)
    arrow = 10 * MM
    draw_north_arrow(c, frame, side_x + arrow * 0.35, y + arrow * 0.55, size=arrow)
    draw_scale_bar(c, frame, side_x + arrow * 1.0, y + 6 * MM, side_w - arrow * 1.0 - 8 * MM, size=6)


def draw_map_section(c, data: ReportData, p: HazardPoint, x: float, y: float, map_h: float, caption: str) -> float:
    """The location map as its own section: a caption column and the map; returns its height."""
    c.saveState()
    c.setFillColor(LABEL_FILL)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.rect(x, y - map_h, 9 * MM, map_h, stroke=1, fill=1)
    c.rect(x + 9 * MM, y - map_h, 173 * MM, map_h, stroke=1, fill=0)
    c.restoreState()
    ty = y - (map_h - len(caption) * 11.9) / 2 - 9.5
    for ch in caption:
        draw_text(c, x + 4.5 * MM, ty, ch, 9.5, anchor="centre", bold=True)
        ty -= 11.9
    draw_location_map(c, data, p, x + 11 * MM, y - map_h + 2 * MM, 169 * MM, map_h - 4 * MM)
    return map_h


# --- 防灾工作明白卡 ---------------------------------------------------------------------------------------

def draw_work_card(c, data: ReportData, p: HazardPoint) -> None:
    page_w, page_h = A4
    top = _header(c, page_w, page_h, "地质灾害防灾工作明白卡", _point_ref(p), f"打印日期：{_printed(data.printed_on)}")
    x = MARGIN
    L = 27.0  # label column, mm: the longest one-line caption (7 characters) fits
    V = 182 - 9 - L  # value span, mm (173 - label)
    half = (V - L) / 2
    kind_cells = ([label("类型及规模", L), value(p.hazard_type, 30), blank(V - 30)] if p.hazard_type
                  else [label("类型及规模", L), blank(V)])
    basic = [
        ([label("名称", L), value(f"衡南县{p.township}{p.village_group}地质灾害隐患点", V)], ROW),
        ([label("野外编号", L), blank(half), label("统一编号", L), blank(half)], ROW),
        ([label("灾害位置", L), value(f"衡南县{p.township}{p.village_group}", V)], ROW),
        (kind_cells, ROW),
        ([label("诱发因素", L), blank(V)], ROW),
        ([label("威胁对象", L), value(p.threatened, V)], ROW),
    ]
    y = top
    y -= draw_section(c, x, y, "基本情况", basic)
    y -= draw_map_section(c, data, p, x, y, 62 * MM, "位置示意图")
    monitoring = [
        ([label("监测负责人", L), value(p.monitor, half), label("电话", L), value(p.phone, half)], ROW),
        ([label("监测的主要迹象", L), blank(V)], 16),
        ([label("监测的主要\n手段和方法", L), blank(V)], 11),
        ([label("临灾预报的判据", L), blank(V)], 16),
    ]
    y -= draw_section(c, x, y, "监测预报", monitoring)
    evacuation = [
        ([label("预定避灾地点", L), blank(V)], ROW),
        ([label("预定疏散路线", L), blank(V)], 16),
        ([label("预定报警信号", L), blank(V)], ROW),
        ([label("疏散命令发布人", L), blank(half), label("值班电话", L), blank(half)], ROW),
    ]
    y -= draw_section(c, x, y, "应急避险", evacuation)
    unit_w, person_w = 62.0, 38.0
    phone_w = V - unit_w - person_w
    rescue = [([label("项目", L), label("单位", unit_w), label("负责人", person_w), label("值班电话", phone_w)], 7)]
    rescue += [([label(item, L), blank(unit_w), blank(person_w), blank(phone_w)], ROW)
               for item in ("抢排险", "治安保卫", "医疗救护")]
    y -= draw_section(c, x, y, "抢险救护", rescue)
    issue = [
        ([label("本卡发放单位", L), Cell(f"{ISSUING_UNIT}（盖章）", 55), label("电话", 16), blank(36),
          label("发放日期", 20), blank(V - 55 - 16 - 36 - 20)], 9),
        ([label("持卡单位或个人", L), blank(55), label("电话", 16), blank(36), label("持卡日期", 20),
          blank(V - 55 - 16 - 36 - 20)], 9),
    ]
    draw_section(c, x, y, "发放", issue)
    _footer(c, page_w, f"{_point_ref(p)} · 本卡由监测负责人（群测群防员）持有，随身携带，妥善保管")


# --- 防灾避险明白卡 ---------------------------------------------------------------------------------------

def draw_household_card(c, data: ReportData, p: HazardPoint, copy_label: str, household: int, households: int) -> None:
    page_w, page_h = A4
    top = _header(c, page_w, page_h, "地质灾害防灾避险明白卡", _point_ref(p), f"打印日期：{_printed(data.printed_on)}",
                  tag=copy_label)
    x = MARGIN
    L = 27.0
    ROW = 9.5  # roomier than the work card: this card has fewer fields and is filled in by hand
    V = 182 - 9 - L
    half = (V - L) / 2
    y = top
    # The card number is written by the issuing unit: a ruled line, not a made-up number.
    draw_text(c, x, y - 5 * MM, "编号：", 10)
    c.saveState()
    c.setStrokeColor(INK)
    c.setLineWidth(0.5)
    c.line(x + 11 * MM, y - 5.6 * MM, x + 60 * MM, y - 5.6 * MM)
    c.restoreState()
    y -= 8 * MM
    family = [
        ([label("户主姓名", L), blank(45), label("家庭人数", 20), blank(22), label("房屋类别", 20),
          blank(V - 45 - 20 - 22 - 20)], ROW),
        ([label("家庭住址", L), blank(V)], ROW),
    ]
    y -= draw_section(c, x, y, "家庭情况", family)
    col = 173 / 2
    members = [([label("姓名", col - 40), label("性别", 15), label("年龄", 25)] * 2, 7.5)]
    members += [([blank(col - 40), blank(15), blank(25)] * 2, 9) for _ in range(4)]
    y -= draw_section(c, x, y, "家庭成员", members)
    hazard_cells = ([label("灾害类型", L), value(p.hazard_type, half), label("灾害规模", L), blank(half)])
    hazard = [
        ([label("隐患点", L), value(f"{p.township}{p.village_group}（第 {p.seq} 号重点监测点）", V)], ROW),
        (hazard_cells, ROW),
        ([label("灾害体与本住户\n的位置关系", L), blank(V)], 16),
        ([label("诱发因素", L), blank(V)], ROW),
        ([label("本住户注意事项", L), blank(V)], 24),
    ]
    y -= draw_section(c, x, y, "灾害基本情况", hazard)
    warning = [
        ([label("监测人", L), value(p.monitor, half), label("联系电话", L), value(p.phone, half)], ROW),
        ([label("预警信号", L), blank(V)], ROW),
        ([label("预警信号发布人", L), blank(half), label("联系电话", L), blank(half)], ROW),
    ]
    y -= draw_section(c, x, y, "监测与预警", warning)
    rest = V - 50 - 16 - 34 - 18
    evac = [
        ([label("撤离路线", L), blank(V)], 16),
        ([label("安置单位", L), blank(50), label("负责人", 16), blank(34), label("联系电话", 18), blank(rest)], ROW),
        ([label("救护单位", L), blank(50), label("负责人", 16), blank(34), label("联系电话", 18), blank(rest)], ROW),
    ]
    y -= draw_section(c, x, y, "撤离避险", evac)
    issue = [
        ([label("发放单位\n（盖章）", L), Cell(ISSUING_UNIT, 50), label("负责人", 16), blank(34), label("联系电话", 18),
          blank(rest)], 11),
        ([label("户主签名", L), blank(84), label("日期", 18), blank(V - 84 - 18)], 11),
    ]
    draw_section(c, x, y, "发放", issue)
    _footer(c, page_w, f"本卡一式三份：住户、村委会、发放单位各执一份 · 本批第 {household} 户，共 {households} 户")


# --- 隐患点防灾预案表 ------------------------------------------------------------------------------------

def _scale_text(p: HazardPoint) -> str:
    """规模: the volume and the grade it gives (domain.grading); blank when the register has no volume."""
    if p.volume_m3 is None:
        return ""
    grade = p.scale_grade
    return f"{p.volume_m3:g} m³" + (f"（{grade.value}）" if grade else "")


def _grade_text(p: HazardPoint) -> str:
    """险情等级 from the national grading (people threatened or potential loss); blank when unknown."""
    grade = p.danger_grade
    return grade.value if grade else ""


def draw_plan_table(c, data: ReportData, p: HazardPoint) -> None:
    """Two A4 pages. What staff wrote in the 预案 tab is printed; every field they have not written,
    and everything the database does not hold, is a ruled blank to fill in by hand."""
    plan = data.plan(p.seq)
    page_w, page_h = A4
    x = MARGIN
    L = 27.0
    V = 182 - 9 - L
    third = (V - 2 * L) / 3
    title = "地质灾害隐患点防灾预案表"
    right = f"打印日期：{_printed(data.printed_on)}"

    def text(key: str, width: float) -> Cell:
        return value(plan.get(key), width)

    y = _header(c, page_w, page_h, title, _point_ref(p), right, tag="第 1 页 / 共 2 页")
    where = f"衡南县{p.township}{p.village_group}"
    basic = [
        ([label("隐患点名称", L), value(f"{where}地质灾害隐患点", V)], ROW),
        ([label("位置及坐标", L), value(where + (f"\n{_coords(p)}；{p.precision.print_note}" if p.located else ""), V)],
         12 if p.located else ROW),
        ([label("类型", L), value(p.hazard_type, third), label("规模", L), value(_scale_text(p), third),
          label("险情等级", L), value(_grade_text(p), third)], ROW),
        ([label("威胁人数\n及财产", L), value(p.threatened, V)], 12),
    ]
    y -= draw_section(c, x, y, "基本情况", basic)
    keys = ("past_events", "geology", "deformation", "stability", "triggers", "potential_harm", "forecast")
    features = [([label(_PLAN_LABELS[k], L), text(k, V)], 16) for k in keys]
    y -= draw_section(c, x, y, "灾害特征", features)
    y -= draw_map_section(c, data, p, x, y, y - MARGIN - 6 * MM, "示意图")
    _footer(c, page_w, f"{_point_ref(p)} · 两卡一表之防灾预案表 · 示意图为隐患点位置图")
    c.showPage()

    y = _header(c, page_w, page_h, title, _point_ref(p), right, tag="第 2 页 / 共 2 页")
    half = (V - L) / 2
    monitoring = [
        ([label("监测方法", L), text("monitoring_method", half), label("监测周期", L), text("monitoring_cycle", half)],
         12),
        ([label("县级责任人", L), text("responsible_county", third), label("乡镇责任人", L),
          text("responsible_township", third), label("村级责任人", L), text("responsible_village", third)], 12),
        ([label("监测人", L), value(p.monitor, half), label("联系电话", L), value(p.phone, half)], 12),
    ]
    y -= draw_section(c, x, y, "监测", monitoring)
    alarm = [
        ([label("报警方法", L), text("alarm_method", V)], 12),
        ([label("报警信号", L), text("alarm_signal", V)], 12),
        ([label("报警人", L), text("alarm_by", half), label("联系电话", L), blank(half)], 12),
    ]
    y -= draw_section(c, x, y, "报警", alarm)
    evacuation = [
        ([label("预定避灾地点", L), text("refuge", V)], 16),
        ([label("预定疏散路线", L), text("evacuation_route", V)], 44),
    ]
    y -= draw_section(c, x, y, "避险", evacuation)
    y -= draw_section(c, x, y, "防治建议", [([label("防治建议", L), text("advice", V)], 56)])
    sign_w = (V - 2 * L) / 2
    signing = [
        ([label("编制单位\n（盖章）", L), blank(V)], 14),
        ([label("编制人", L), blank(sign_w), label("审核人", L), blank(sign_w), label("日期", L - 10), blank(10)], 12),
    ]
    draw_section(c, x, y, "编制", signing)
    written = (f"预案内容最后由 {plan.changed_by} 于 {plan.changed_at[:10]} 录入" if plan.changed_by
               else "本表空白栏目请按实际情况手工填写")
    _footer(c, page_w, f"{_point_ref(p)} · {written}")


_PLAN_LABELS = {f.key: f.label for f in PLAN_FIELDS}


# --- 巡查记录表 ------------------------------------------------------------------------------------------

PATROL_COLUMNS = [("巡查人", 16), ("天气", 12), ("雨量\n(mm)", 12)]
SIGN_W = 8.5
JUDGE = (Judgement.NORMAL.value, Judgement.ABNORMAL.value, Judgement.DANGER.value)


def _patrol_header(c, data: ReportData, p: HazardPoint, month: tuple[int, int], page: int, pages: int) -> float:
    page_w, page_h = landscape(A4)
    m = 10 * MM
    y = page_h - m - 6 * MM
    draw_title(c, page_w, y, "地质灾害隐患点巡查记录表", 17)
    draw_text(c, page_w - m, y, f"{month[0]} 年 {month[1]} 月　第 {page} 页 / 共 {pages} 页", 9, anchor="right")
    draw_text(c, m, y, _point_ref(p), 8, colour=MUTED)
    y -= 5 * MM
    W = 277
    pos = (f"{_coords(p)}；{p.precision.print_note}" if p.located else p.precision.print_note)
    rows = [
        [label("隐患点", 18), value(f"{p.township}{p.village_group}", 88), label("灾害类型", 18),
         value(p.hazard_type, 30), label("威胁对象", 18), value(p.threatened, W - 18 - 88 - 18 - 30 - 18)],
        [label("群测群防员", 18), value(p.monitor, 30), label("电话", 14), value(p.phone, 44), label("位置", 18),
         value(pos, W - 18 - 30 - 14 - 44 - 18)],
    ]
    for cells in rows:
        y -= draw_row(c, m, y, cells, 7, size=8.5)
    return y - 3 * MM


def _vertical(c, cx: float, y_top: float, h: float, text: str, size: float) -> None:
    """Stacked characters; 'a/b' becomes two stacked columns side by side."""
    parts = text.split("/")
    n = len(parts)
    for i, part in enumerate(parts):
        colx = cx + (i - (n - 1) / 2) * (size * 1.05)
        fs = size if n == 1 else size * 0.92
        block = len(part) * fs * 1.08
        ty = y_top - (h - block) / 2 - fs * 0.9
        for ch in part:
            draw_text(c, colx, ty, ch, fs, anchor="centre")
            ty -= fs * 1.08


def _grid_columns() -> list[tuple[str, float, str]]:
    cols = [("日期", 14, "time"), ("时间", 12, "time")]
    cols += [(name, w, "plain") for name, w in PATROL_COLUMNS]
    cols += [(s, SIGN_W, "sign") for s in MACRO_SIGNS]
    cols += [("读数\n(mm)", 13, "measure"), ("变化\n(mm)", 13, "measure")]
    cols += [(j, 8, "judge") for j in JUDGE]
    used = sum(w for _, w, _ in cols)
    rest = 277 - used
    cols += [("处置措施", round(rest * 0.45, 1), "plain"), ("备注（迹象部位、特征）", rest - round(rest * 0.45, 1), "plain")]
    return cols


def _draw_grid(c, x: float, y: float, rows: int, row_h: float) -> float:
    cols = _grid_columns()
    top_h, sub_h = 6 * MM, 21 * MM
    c.saveState()
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    groups = {"time": "巡查时间", "sign": "宏观迹象（发现打“√”）", "measure": "简易测量", "judge": "判断（打“√”）"}
    cx = x
    i = 0
    while i < len(cols):
        name, w, kind = cols[i]
        if kind in groups:
            j = i
            span = 0.0
            while j < len(cols) and cols[j][2] == kind:
                span += cols[j][1]
                j += 1
            c.setFillColor(LABEL_FILL)
            c.rect(cx, y - top_h, span * MM, top_h, stroke=1, fill=1)
            gs = 8.0
            while text_width(c, groups[kind], gs) > span * MM - 3 and gs > 5.5:
                gs -= 0.5
            draw_text(c, cx + span * MM / 2, y - top_h + 1.7 * MM, groups[kind], gs, anchor="centre")
            sx = cx
            for k in range(i, j):
                n2, w2, _ = cols[k]
                c.setFillColor(LABEL_FILL)
                c.rect(sx, y - top_h - sub_h, w2 * MM, sub_h, stroke=1, fill=1)
                if kind == "sign":
                    _vertical(c, sx + w2 * MM / 2, y - top_h, sub_h, n2, 7)
                else:
                    _centred_lines(c, sx + w2 * MM / 2, y - top_h, sub_h, n2, 7.5)
                sx += w2 * MM
            cx = sx
            i = j
        else:
            c.setFillColor(LABEL_FILL)
            c.rect(cx, y - top_h - sub_h, w * MM, top_h + sub_h, stroke=1, fill=1)
            _centred_lines(c, cx + w * MM / 2, y, top_h + sub_h, name, 8)
            cx += w * MM
            i += 1
    yy = y - top_h - sub_h
    total_w = sum(w for _, w, _ in cols) * MM
    for r in range(rows):
        cx = x
        for name, w, kind in cols:
            c.rect(cx, yy - row_h, w * MM, row_h, stroke=1, fill=0)
            cx += w * MM
        yy -= row_h
    c.setLineWidth(1.0)
    c.rect(x, yy, total_w, y - yy, stroke=1, fill=0)
    c.restoreState()
    return y - yy


def _centred_lines(c, cx: float, y_top: float, h: float, text: str, size: float) -> None:
    lines = text.split("\n")
    block = len(lines) * size * 1.25
    ty = y_top - (h - block) / 2 - size
    for line in lines:
        draw_text(c, cx, ty, line, size, anchor="centre")
        ty -= size * 1.25


def _patrol_footer(c) -> None:
    page_w, _ = landscape(A4)
    m = 10 * MM
    draw_text(c, m, m * 0.55, "填写说明：每次巡查填一行；发现宏观迹象在对应栏打“√”，并在备注中写明部位和特征（如裂缝长度、宽度）；"
              "判断为异常或危险的，立即向村委会和乡镇（街道）报告。", 7, colour=MUTED)
    draw_text(c, page_w - m, m * 0.55, "巡查人签名：＿＿＿＿＿＿", 8, anchor="right")


HISTORY_COLUMNS = [("巡查时间", 30), ("巡查人", 20), ("天气", 16), ("雨量(mm)", 15), ("宏观迹象", 66), ("裂缝读数(mm)", 20),
                   ("判断", 14), ("处置措施", 44), ("备注", 52)]


def _history_rows(entries: list[PatrolSummary]) -> list[list[str]]:
    # Cell text from domain.patrol_text, as on screen; "未见" because a blank on paper reads as not checked.
    return [[e.at, e.by, e.weather, mm(e.rain_mm), sign_names(e.signs) or "未见", mm(e.crack_mm),
             "　" + judgement_text(e.judgement), e.action, e.note] for e in entries]


def _draw_history(c, x: float, y: float, entries: list[PatrolSummary]) -> float:
    title = (f"系统中的近期巡查记录（最近 {len(entries)} 条，最新在前；打印时的数据库内容）" if entries
             else "系统中的近期巡查记录")
    draw_text(c, x, y - 9, title, 9.5, bold=True)
    y -= 5 * MM
    header = [label(name, w) for name, w in HISTORY_COLUMNS]
    y0 = y
    y -= draw_row(c, x, y, header, 7, size=8)
    if not entries:
        y -= draw_row(c, x, y, [Cell("系统中暂无该点的巡查记录", 277, "value", "centre")], 8, size=8.5)
        return y0 - y
    for entry, row in zip(entries, _history_rows(entries)):
        cells = [Cell(text, w, "value") if text else Cell("", w, "value") for text, (_, w) in zip(row, HISTORY_COLUMNS)]
        h = 7.5
        y -= draw_row(c, x, y, cells, h, size=7.5)
        # The judgement in its colour, as on the map.
        colour = STATUS_COLOURS.get(row[6].strip("　"))  # the full-width space leaves room for the dot
        if colour:
            jx = x + sum(w for _, w in HISTORY_COLUMNS[:6]) * MM
            c.saveState()
            c.setFillColor(HexColor(colour))
            c.circle(jx + 2.2 * MM, y + h * MM / 2, 1.1 * MM, stroke=0, fill=1)
            c.restoreState()
    return y0 - y


def patrol_pages(rows_in_month: int, with_history: bool) -> int:
    first, rest = 16, 16
    grid_pages = 1 + max(0, math.ceil((rows_in_month - first) / rest))
    return grid_pages + (1 if with_history else 0)


def draw_patrol_form(c, data: ReportData, p: HazardPoint, month: tuple[int, int], with_history: bool) -> None:
    """One row per day of the month (a patrol a day at most in the dry months; extra patrols in rain use
    the next free row), split over two pages; the history page first when asked for."""
    days = calendar.monthrange(*month)[1]
    pages = patrol_pages(days, with_history)
    page = 1
    m = 10 * MM
    if with_history:
        entries = data.history.get(p.seq, [])
        y = _patrol_header(c, data, p, month, page, pages)
        _draw_history(c, m, y, entries[:18])
        _patrol_footer(c)
        c.showPage()
        page += 1
    remaining = days
    while remaining > 0:
        rows = min(16, remaining)
        y = _patrol_header(c, data, p, month, page, pages)
        _draw_grid(c, m, y, rows, (y - 27 * MM - 16 * MM) / 16)  # 16 rows fill the page above the notes
        _patrol_footer(c)
        remaining -= rows
        c.showPage()
        page += 1


# --- documents and export ---------------------------------------------------------------------------------

def _a4_pdf(title: str, draw) -> bytes:
    """An A4 document holding what draw(canvas) puts on its pages (the last one is closed here)."""
    c, buf = new_canvas(title, A4)
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def work_card_pdf(data: ReportData, seq: int) -> bytes:
    p = data.point(seq)
    return _a4_pdf(f"防灾工作明白卡 第{seq}号 {p.township}{p.village_group}", lambda c: draw_work_card(c, data, p))


def household_card_pdf(data: ReportData, seq: int, copies: int = 1) -> bytes:
    check_copies(copies)
    p = data.point(seq)
    c, buf = new_canvas(f"防灾避险明白卡 第{seq}号 {p.township}{p.village_group}", A4)
    for household in range(1, copies + 1):
        for copy_label in HOUSEHOLD_COPIES:
            draw_household_card(c, data, p, copy_label, household, copies)
            c.showPage()
    c.save()
    return buf.getvalue()


def patrol_form_pdf(data: ReportData, seq: int, month: tuple[int, int] | None = None,
                    with_history: bool = False) -> bytes:
    p = data.point(seq)
    month = month or (data.printed_on.year, data.printed_on.month)
    c, buf = new_canvas(f"巡查记录表 第{seq}号 {p.township}{p.village_group} {month[0]}年{month[1]}月",
                        landscape(A4))
    draw_patrol_form(c, data, p, month, with_history)
    c.save()
    return buf.getvalue()


def plan_table_pdf(data: ReportData, seq: int) -> bytes:
    p = data.point(seq)
    return _a4_pdf(f"防灾预案表 第{seq}号 {p.township}{p.village_group}", lambda c: draw_plan_table(c, data, p))


def check_copies(copies: int) -> int:
    if not isinstance(copies, int) or copies < 1 or copies > MAX_COPIES:
        raise InvalidInput(f"份数（--copies）应为 1～{MAX_COPIES} 的整数（每户一份，每份三联），现为“{copies}”")
    return copies


def parse_month(text: str | None, today: date) -> tuple[int, int]:
    if not text:
        return today.year, today.month
    try:
        y, m = text.strip().split("-")
        y, m = int(y), int(m)
        if not 1 <= m <= 12 or not 2000 <= y <= 2100:
            raise ValueError
        return y, m
    except ValueError:
        raise InvalidInput(f"月份“{text}”格式不对：请写成 2026-05 这样的年-月") from None


def parse_kinds(kind: str) -> list[SheetKind]:
    if kind == "all":
        return list(SHEET_KINDS.values())
    if kind not in SHEET_KINDS:
        raise InvalidInput(f"表格类型“{kind}”不存在：可选 work-card（防灾工作明白卡）、household-card（防灾避险明白卡）、"
                           "patrol-form（巡查记录表）、plan-table（防灾预案表）或 all")
    return [SHEET_KINDS[kind]]


def sheet_filename(p: HazardPoint, kind: SheetKind) -> str:
    return safe_filename(f"{p.seq:02d}_{p.township}{p.village_group}_{kind.title}.pdf")


def render_sheet(data: ReportData, seq: int, kind: SheetKind, *, copies: int = 1,
                 month: tuple[int, int] | None = None, with_history: bool = False) -> bytes:
    if kind is WORK_CARD:
        return work_card_pdf(data, seq)
    if kind is HOUSEHOLD_CARD:
        return household_card_pdf(data, seq, copies)
    if kind is PLAN_TABLE:
        return plan_table_pdf(data, seq)
    return patrol_form_pdf(data, seq, month, with_history)


class Cancelled(Exception):
    """The user stopped a batch export; files already written stay (each one is complete)."""


def plan_sheets(data: ReportData, out_dir: Path, seqs: list[int] | None, kinds: list[SheetKind]):
    seqs = seqs or [p.seq for p in data.points]
    return [(seq, kind, Path(out_dir) / sheet_filename(data.point(seq), kind)) for seq in seqs for kind in kinds]


def export_sheets(data: ReportData, out_dir: Path, *, seqs: list[int] | None = None,
                  kinds: list[SheetKind] | None = None, copies: int = 1, month: tuple[int, int] | None = None,
                  with_history: bool = False, force: bool = False, mask_phones: bool = False,
                  progress: Callable[[int, int, Path], None] | None = None,
                  should_stop: Callable[[], bool] | None = None) -> list[Path]:
    """Check everything first (folder, points, existing files), then write file by file atomically."""
    check_copies(copies)
    if mask_phones:
        data = data.with_masked_phones()
    kinds = kinds or list(SHEET_KINDS.values())
    folder = ensure_writable_folder(Path(out_dir))
    plan = plan_sheets(data, folder, seqs, kinds)
    check_not_existing([path for _, _, path in plan], force=force)
    written: list[Path] = []
    for i, (seq, kind, path) in enumerate(plan):
        if should_stop and should_stop():
            raise Cancelled(f"已取消：写出 {len(written)} 个文件后停止")
        pdf = render_sheet(data, seq, kind, copies=copies, month=month, with_history=with_history)
        written.append(write_atomic(path, pdf, force=force))
        if progress:
            progress(i + 1, len(plan), path)
    return written
