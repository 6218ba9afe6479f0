"""The county map and the township atlas (one page per township with key points)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from reportlab.lib.colors import HexColor, white

from hazardmap.domain.patrol_status import STATUS_COLOURS, UNPATROLLED, Judgement
from hazardmap.domain.points import HazardPoint, Precision, mask_phone
from hazardmap.reports.data import ATTRIBUTION, ISSUING_UNIT, ReportData
from hazardmap.reports.layout import new_canvas, page_size
from hazardmap.reports.mapdraw import (COUNTY_FILL, COUNTY_LINE, CRS_NOTE, FADED_FILL, FADED_LINE, GREY, INK, MM,
                                       MapFrame, clip_to, draw_hazard_marker, draw_lines, draw_neatline_and_ticks,
                                       draw_north_arrow, draw_polygon, draw_rain_gauge, draw_scale_bar, draw_text,
                                       draw_township_seat, draw_village, project, project_geometry,
                                       projected_county, projected_neighbours, text_width)

MUTED = HexColor("#555555")


class LabelPlacer:
    """Greedy label placement: a label goes to the first free spot around its anchor, or is dropped.
    Labels keep `gap` from each other, so two names never read as one (泉溪镇洪山镇)."""

    def __init__(self, c, gap: float = 1.0 * MM) -> None:
        self.c = c
        self.gap = gap
        self.taken: list[tuple[float, float, float, float]] = []    # symbols and labels
        self.labels: list[tuple[float, float, float, float]] = []   # labels only

    def block(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.taken.append((x0, y0, x1, y1))

    @staticmethod
    def _apart(r, t, g: float = 0.0) -> bool:
        return r[2] + g <= t[0] or r[0] - g >= t[2] or r[3] + g <= t[1] or r[1] - g >= t[3]

    def clear_of_labels(self, r) -> bool:
        return all(self._apart(r, t, self.gap) for t in self.labels)

    def free(self, r) -> bool:
        return all(self._apart(r, t) for t in self.taken) and self.clear_of_labels(r)

    @staticmethod
    def _overlap(a, b) -> float:
        return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))

    def place(self, frame: MapFrame, x: float, y: float, text: str, size: float, gap: float, *,
              force: bool = False, colour=INK, rivals: list[tuple[float, float]] = ()) -> bool:
        """rivals: other anchors of the same kind; a spot nearer to one of them would name the wrong one."""
        w = text_width(self.c, text, size)
        h = size
        options = [(x + gap, y - h * 0.35), (x - gap - w, y - h * 0.35), (x - w / 2, y + gap),
                   (x - w / 2, y - gap - h), (x + gap * 0.7, y + gap * 0.7), (x - gap * 0.7 - w, y - gap * 0.7 - h)]
        if force:  # further out, in eight directions, before giving up on a clean spot
            for k in (2, 3, 4):
                g = gap * k
                options += [(x + g, y - h * 0.35), (x - g - w, y - h * 0.35), (x - w / 2, y + g), (x - w / 2, y - g - h),
                            (x + g * 0.7, y + g * 0.7), (x - g * 0.7 - w, y + g * 0.7),
                            (x + g * 0.7, y - g * 0.7 - h), (x - g * 0.7 - w, y - g * 0.7 - h)]
        rects = [(lx, ly, (lx - 0.5, ly - h * 0.2, lx + w + 0.5, ly + h * 0.95)) for lx, ly in options]
        rects = [t for t in rects if frame.contains(t[2][0], t[2][1]) and frame.contains(t[2][2], t[2][3])]
        if rivals:
            def own(r) -> bool:
                # Nearest point of the label box to each anchor: its own must be the closest.
                def dist(ax, ay):
                    dx = max(r[0] - ax, 0, ax - r[2])
                    dy = max(r[1] - ay, 0, ay - r[3])
                    return math.hypot(dx, dy)
                mine = dist(x, y)
                return all(dist(ax, ay) > mine + 0.5 for ax, ay in rivals if (ax, ay) != (x, y))
            rects = [t for t in rects if own(t[2])] or rects
        choice = next((t for t in rects if self.free(t[2])), None)
        if choice is None and force:
            # A seat name matters more than a clean look: over a lesser symbol if it must, but never
            # against another name.
            apart = [t for t in rects if self.clear_of_labels(t[2])]
            if apart:
                choice = min(apart, key=lambda t: sum(self._overlap(t[2], o) for o in self.taken))
        if choice is not None:
            lx, ly, r = choice
            self.taken.append(r)
            self.labels.append(r)
            draw_text(self.c, lx, ly, text, size, colour=colour, halo=size * 0.28)
            return True
        return False


@dataclass
class MapStyle:
    u: float = 1.0                      # size unit: 1 on A4, 1.41 on A3
    label_villages: bool = False
    focus_township: str | None = None   # its villages are labelled and drawn darker
    marker_r: float = 2.6 * MM
    village_names: set[str] = field(default_factory=set)
    mask_phones: bool = False           # copies meant for outside the bureau (个人信息保护法)


def status_colour(data: ReportData, seq: int) -> str:
    return STATUS_COLOURS.get(data.status(seq), STATUS_COLOURS[UNPATROLLED])


def draw_map_body(c, frame: MapFrame, data: ReportData, style: MapStyle,
                  highlight: int | None = None) -> None:
    """Everything inside the neatline: neighbours, county, villages, seats, rain gauges, points."""
    u = style.u
    c.saveState()
    clip_to(c, frame)
    c.setFillColor(white)
    c.rect(frame.x, frame.y, frame.w, frame.h, stroke=0, fill=1)
    placer = LabelPlacer(c, gap=1.0 * MM * u)
    neighbours = projected_neighbours(data.bundled)
    for _, geom in neighbours:
        draw_polygon(c, frame, geom, fill=FADED_FILL, stroke=FADED_LINE, width=0.5)
    county = projected_county(data.bundled)
    draw_polygon(c, frame, county, fill=COUNTY_FILL)
    draw_polygon(c, frame, county, stroke=COUNTY_LINE, width=1.6 * u, dash=(6 * u, 2 * u, 1.2 * u, 2 * u))
    _draw_reference(c, frame, data, u)

    # Marker positions first, so labels of lesser features keep off them.
    markers = _marker_layout(frame, data, style)
    for _, (mx, my), (tx, ty), _grp in markers:
        r = style.marker_r * 1.8
        placer.block(mx - r, my - r, mx + r, my + r)

    villages = [v for v in data.villages if v.located]
    for v in villages:
        x, y = frame.lonlat_to_page(v.lon, v.lat)
        if not frame.contains(x, y):
            continue
        focus = style.focus_township is None or v.township == style.focus_township
        draw_village(c, x, y, r=0.55 * MM * u, colour=GREY if focus else HexColor("#c4c4c4"))
        placer.block(x - 0.6 * MM, y - 0.6 * MM, x + 0.6 * MM, y + 0.6 * MM)
    seats = [t for t in data.townships if t.lon is not None]
    seat_xy = []
    for t in seats:
        x, y = frame.lonlat_to_page(t.lon, t.lat)
        if frame.contains(x, y):
            draw_township_seat(c, x, y, r=1.5 * MM * u)
            seat_xy.append((t, x, y))
            placer.block(x - 1.6 * MM * u, y - 1.6 * MM * u, x + 1.6 * MM * u, y + 1.6 * MM * u)
    for s in data.sites:
        if s.active and s.lon is not None:
            x, y = frame.lonlat_to_page(s.lon, s.lat)
            if frame.contains(x, y):
                draw_rain_gauge(c, x, y, size=2.4 * MM * u)
                placer.block(x - 1.3 * MM * u, y - 1.0 * MM * u, x + 1.3 * MM * u, y + 1.5 * MM * u)

    # Neighbour names where their area shows in the frame.
    for name, geom in neighbours:
        p = geom.representative_point()
        x, y = frame.to_page(p.x, p.y)
        if frame.contains(x, y, inset=8 * MM):
            placer.place(frame, x, y, name, 9 * u, 0, colour=HexColor("#9a9a9a"))

    seat_points = [(x, y) for _, x, y in seat_xy]
    for t, x, y in seat_xy:
        placer.place(frame, x, y, t.name, 8.5 * u, 2.2 * MM * u, force=True, rivals=seat_points)
    for s in data.sites:
        if s.active and s.lon is not None:
            x, y = frame.lonlat_to_page(s.lon, s.lat)
            if frame.contains(x, y):
                placer.place(frame, x, y, f"雨{s.slot}" + (f" {s.village}" if style.label_villages else ""),
                             6.5 * u, 1.8 * MM * u, colour=HexColor("#1f5fbf"))
    if style.label_villages:
        for v in villages:
            if style.focus_township and v.township != style.focus_township and v.name not in style.village_names:
                continue
            x, y = frame.lonlat_to_page(v.lon, v.lat)
            if frame.contains(x, y):
                strong = v.name in style.village_names
                # A point's own village sits under its marker: put that name clear of the disc.
                gap = style.marker_r * 1.9 if strong else 1.2 * MM * u
                placer.place(frame, x, y, v.name, (7.5 if strong else 6.5) * u, gap,
                             colour=INK if strong else MUTED, force=strong)
    _draw_markers(c, frame, data, style, markers, highlight)  # last: nothing may hide a hazard point
    c.restoreState()


def _draw_reference(c, frame: MapFrame, data: ReportData, u: float) -> None:
    """The bureau's reference layers (services/reference_layers.py) under everything else: township
    boundaries grey-blue dashed, other lines and outlines blue."""
    for ls in data.reference:
        township, colour = _reference_style(ls.layer)
        for _, geom in ls.shapes:
            g = project_geometry(geom)
            if ls.layer.kind == "polygon":
                draw_polygon(c, frame, g, stroke=colour, width=(0.6 if township else 0.8) * u,
                             dash=(3 * u, 2 * u) if township else None)
            else:
                draw_lines(c, frame, g, colour=colour, width=0.8 * u)


def _reference_style(layer) -> tuple[bool, object]:
    """(township boundaries?, colour): one look on the map and in the legend."""
    township = layer.role.value == "township"
    return township, HexColor("#5b6f94" if township else "#1f4e9c")


def _reference_symbol(c, x, y, w, r, u, layer) -> None:
    """A reference layer in the legend: a box outline for polygons (dashed for township boundaries), a
    line for lines, as _draw_reference draws them."""
    township, colour = _reference_style(layer)
    c.saveState()
    c.setStrokeColor(colour)
    c.setLineWidth((0.6 if township else 0.8) * u)
    if township:
        c.setDash([3 * u, 2 * u])
    if layer.kind == "polygon":
        c.rect(x, y - r * 0.8, w, r * 1.6, stroke=1, fill=0)
    else:
        c.line(x, y, x + w, y)
    c.restoreState()


def _draw_township_areas(c, frame: MapFrame, data: ReportData, style: MapStyle, markers) -> None:
    """A township-precision point lies somewhere in its township: with the township's boundary
    imported, that polygon is outlined in the point's colour instead of the ring round its marker."""
    for p, *_ in markers:
        area = data.township_areas.get(p.township) if p.precision is Precision.TOWNSHIP else None
        if area is not None:
            draw_polygon(c, frame, project_geometry(area), stroke=HexColor(status_colour(data, p.seq)),
                         width=1.0 * style.u, dash=(2.2 * style.u, 1.6 * style.u))


def _marker_layout(frame: MapFrame, data: ReportData, style: MapStyle):
    """Markers of points that share a spot (e.g. two at one township centre) fan out with leaders."""
    located = [p for p in data.points if p.located]
    spots: list[tuple[float, float, list[HazardPoint]]] = []
    for p in located:
        x, y = frame.lonlat_to_page(p.lon, p.lat)
        if not frame.contains(x, y):
            continue
        for sx, sy, grp in spots:
            if math.hypot(sx - x, sy - y) < style.marker_r * 1.6:
                grp.append(p)
                break
        else:
            spots.append((x, y, [p]))
    out = []
    for sx, sy, grp in spots:
        if len(grp) == 1:
            out.append((grp[0], (sx, sy), (sx, sy), 1))
            continue
        dist = style.marker_r * 2.6
        for i, p in enumerate(grp):
            ang = math.pi / 2 + (i - (len(grp) - 1) / 2) * 0.9
            true_xy = frame.lonlat_to_page(p.lon, p.lat)  # each leader ends at the point's own position
            out.append((p, (sx + dist * math.cos(ang), sy + dist * math.sin(ang)), true_xy, len(grp)))
    return out


def _draw_markers(c, frame, data, style, markers, highlight) -> None:
    for p, (mx, my), (tx, ty), n in markers:
        if n > 1:
            c.saveState()
            c.setStrokeColor(INK)
            c.setLineWidth(0.6)
            c.line(tx, ty, mx, my)
            c.setFillColor(INK)
            c.circle(tx, ty, 0.7 * MM, stroke=0, fill=1)
            c.restoreState()
    _draw_township_areas(c, frame, data, style, markers)
    for p, (mx, my), _, _ in markers:
        r = style.marker_r * (1.25 if highlight == p.seq else 1)
        ring = not (p.precision is Precision.TOWNSHIP and p.township in data.township_areas)
        draw_hazard_marker(c, mx, my, str(p.seq), status_colour(data, p.seq), p.precision, r=r, ring=ring)


# --- the legend and the side panel ----------------------------------------------------------------

REFERENCE_LINES = 2   # legend lines for reference layers: what the panel under a portrait map has room for


def draw_legend(c, x: float, y: float, width: float, u: float, data: ReportData) -> float:
    """Returns the height used (drawn downwards from y). Every symbol is centred in a column of its
    own (as wide as the widest symbol); its label starts a gap to the right of that column."""
    fs = 7.5 * u
    line = 5.2 * MM * u
    yy = y
    draw_text(c, x, yy - fs, "图　例", fs * 1.25, bold=True)
    yy -= fs * 1.25 + 2.5 * MM * u
    r = 2.0 * MM * u
    sym_w = 3.6 * r          # the dashed ring of a township point (0.8 r × 1.75 each side) and its stroke
    gap = 1.5 * MM * u
    col_w = width / 2

    def row(cx: float, draw, text: str) -> None:
        draw(cx + sym_w / 2, yy - r * 0.3)
        draw_text(c, cx + sym_w + gap, yy - fs * 0.65, text, fs)

    statuses = [Judgement.NORMAL.value, Judgement.ABNORMAL.value, Judgement.DANGER.value, UNPATROLLED]
    draw_text(c, x, yy - fs, "隐患点最近巡查判断（颜色）", fs, colour=MUTED)
    yy -= line
    for i, s in enumerate(statuses):
        if i % 2 == 0 and i:
            yy -= line
        row(x + (i % 2) * col_w,
            lambda cx, cy, s=s: draw_hazard_marker(c, cx, cy, "", STATUS_COLOURS[s], Precision.VILLAGE, r=r), s)
    yy -= line * 1.1
    draw_text(c, x, yy - fs, "点位精度（符号）", fs, colour=MUTED)
    yy -= line
    grey = STATUS_COLOURS[UNPATROLLED]
    for prec, text in ((Precision.SURVEYED, "实测坐标"), (Precision.VILLAGE, "村庄中心，非实测"),
                       (Precision.TOWNSHIP, "乡镇驻地，非实测，误差可达数公里")):
        row(x, lambda cx, cy, prec=prec: draw_hazard_marker(c, cx, cy, "", grey, prec, r=r * 0.8), text)
        yy -= line
    yy -= line * 0.1
    draw_text(c, x, yy - fs, "其他", fs, colour=MUTED)
    yy -= line
    bar = 3.0 * r
    items = [
        (lambda cx, cy: draw_township_seat(c, cx, cy, r=1.4 * MM * u), "乡镇（街道）驻地"),
        (lambda cx, cy: draw_village(c, cx, cy, r=0.6 * MM * u), "村（社区）中心点"),
        (lambda cx, cy: draw_rain_gauge(c, cx, cy, size=2.6 * MM * u), "雨量计站点"),
        (lambda cx, cy: _county_line_symbol(c, cx - bar / 2, cy, bar, u), "县界"),
        (lambda cx, cy: _faded_symbol(c, cx - bar / 2, cy, bar, r), "相邻县（市、区）"),
    ]
    per_row = 2 if width >= 62 * MM * u else 1  # narrow legends (portrait pages) list one per line
    # The reference layers drawn on the page (the ones shown in the window's 图层 panel), by their names;
    # as many lines as the panel under a portrait map has room for, then a count.
    room = REFERENCE_LINES * per_row
    shown = data.reference if len(data.reference) <= room else data.reference[:room - 1]
    items += [(lambda cx, cy, layer=ls.layer: _reference_symbol(c, cx - bar / 2, cy, bar, r, u, layer),
               ls.layer.name) for ls in shown]
    if len(shown) < len(data.reference):
        items.append((lambda cx, cy: None, f"等共 {len(data.reference)} 个参考图层"))
    for i, (draw, text) in enumerate(items):
        if i % per_row == 0 and i:
            yy -= line
        row(x + (i % per_row) * col_w, draw, text)
    yy -= line
    return y - yy


def _county_line_symbol(c, x, y, w, u) -> None:
    c.saveState()
    c.setStrokeColor(COUNTY_LINE)
    c.setLineWidth(1.6 * u)
    c.setDash([6 * u, 2 * u, 1.2 * u, 2 * u])
    c.line(x, y, x + w, y)
    c.restoreState()


def _faded_symbol(c, x, y, w, r) -> None:
    c.saveState()
    c.setFillColor(FADED_FILL)
    c.setStrokeColor(FADED_LINE)
    c.rect(x, y - r * 0.8, w, r * 1.6, stroke=1, fill=1)
    c.restoreState()


def draw_point_list(c, x: float, y: float, width: float, u: float, points: list[HazardPoint],
                    title: str, mask_phones: bool = False) -> float:
    fs = 6.3 * u
    step = fs * 1.5
    yy = y
    draw_text(c, x, yy - fs * 1.2, title, fs * 1.2, bold=True)
    yy -= fs * 1.2 + 2 * MM * u
    for p in points:
        where = f"{p.township}{p.village_group}"
        note = "" if p.located else "（未定位）"
        text = f"{p.seq:>2}  {where}{note}"
        who = f"{p.monitor} {mask_phone(p.phone) if mask_phones else p.phone}"
        draw_text(c, x, yy - fs, text, fs, colour=INK if p.located else HexColor("#c62828"))
        if text_width(c, text, fs) + text_width(c, who, fs) + 3 * MM < width:
            draw_text(c, x + width, yy - fs, who, fs, colour=MUTED, anchor="right")
        else:
            yy -= step
            draw_text(c, x + width, yy - fs, who, fs, colour=MUTED, anchor="right")
        yy -= step
    if any(not p.located for p in points):
        draw_text(c, x, yy - fs, "未定位的隐患点图上不标绘，待实地测定坐标后录入。", fs, colour=HexColor("#c62828"))
        yy -= step
    return y - yy


def draw_furniture_block(c, frame: MapFrame, x: float, y: float, width: float, u: float) -> float:
    """North arrow and scale bar side by side; returns height used."""
    arrow = 12 * MM * u
    draw_north_arrow(c, frame, x + arrow * 0.4, y - arrow * 0.95, size=arrow)
    sx = x + arrow * 1.1
    draw_scale_bar(c, frame, sx, y - arrow * 0.95, width - arrow * 1.1 - 10 * MM * u, size=6.5 * u)
    return arrow * 1.5


def draw_rain_summary(c, x: float, y: float, width: float, u: float, data: ReportData) -> float:
    fs = 6.8 * u
    kept = [s for s in data.sites if not s.retired]   # a removed gauge is neither drawn nor counted as one
    total = len(kept)
    done = sum(1 for s in kept if s.assigned)
    drawn = sum(1 for s in kept if s.assigned and s.lon is not None)
    text = f"雨量计站点：共 {total} 处，已指定 {done} 处，图上标绘 {drawn} 处"
    if done < total:
        text += f"；尚有 {total - done} 处村部未指定"
    if len(kept) < len(data.sites):
        text += f"；另有 {len(data.sites) - len(kept)} 处已撤除"
    lines = _wrap(c, text, fs, width)
    yy = y
    for line in lines:
        draw_text(c, x, yy - fs, line, fs)
        yy -= fs * 1.5
    return y - yy


def _wrap(c, text, fs, width):
    from hazardmap.reports.layout import wrap
    return wrap(c, text, fs, width)


def draw_footer(c, page_w: float, margin: float, u: float, data: ReportData, extra: str = "") -> None:
    fs = 6.2 * u
    draw_text(c, margin, margin * 0.5 + fs * 1.5, CRS_NOTE + "。" + extra, fs, colour=MUTED)
    draw_text(c, margin, margin * 0.5, f"数据来源：{ATTRIBUTION}", fs, colour=MUTED)
    draw_text(c, page_w - margin, margin * 0.5 + fs * 1.5, f"制图单位：{ISSUING_UNIT}", fs, colour=MUTED,
              anchor="right")
    d = data.printed_on
    draw_text(c, page_w - margin, margin * 0.5, f"制图日期：{d.year}年{d.month}月{d.day}日", fs, colour=MUTED,
              anchor="right")


# --- pages ------------------------------------------------------------------------------------------

def _draw_map_page(c, data: ReportData, size, title: str, subtitle: str, bounds, style: MapStyle,
                   list_points: list[HazardPoint], list_title: str, min_span_m: float = 0.0,
                   inset: bool = False, pad: float = 0.03) -> MapFrame:
    w, h = size
    u = min(w, h) / 595.28
    style.u = u
    style.marker_r = 2.6 * MM * u
    margin = 10 * MM * u
    title_h = 17 * MM * u
    footer_h = 9 * MM * u
    tick_pad = 5 * MM * u
    landscape = w > h
    draw_text(c, w / 2, h - margin - 8 * MM * u, title, 17 * u, anchor="centre", bold=True)
    draw_text(c, w / 2, h - margin - 13.5 * MM * u, subtitle, 8.5 * u, anchor="centre", colour=MUTED)
    if landscape:
        panel_w = 66 * MM * u
        fx = margin + tick_pad
        fy = margin + footer_h + tick_pad
        fw = w - 2 * margin - panel_w - 2 * tick_pad - 4 * MM * u
        fh = h - margin - title_h - fy - tick_pad
        frame = MapFrame.fit(fx, fy, fw, fh, bounds, pad=pad, min_span_m=min_span_m)
        draw_map_body(c, frame, data, style)
        draw_neatline_and_ticks(c, frame, size=6 * u)
        px = fx + fw + tick_pad + 5 * MM * u
        py = fy + fh
        used = draw_legend(c, px, py, panel_w, u, data)
        py -= used + 3 * MM * u
        used = draw_point_list(c, px, py, panel_w, u, list_points, list_title, style.mask_phones)
        py -= used + 2 * MM * u
        draw_rain_summary(c, px, py, panel_w, u, data)
        if inset:
            _draw_inset(c, data, frame, px, fy + 27 * MM * u, 34 * MM * u, u)
        draw_furniture_block(c, frame, px, fy + 19 * MM * u, panel_w, u)
    else:
        panel_h = 78 * MM * u
        fx = margin + tick_pad
        fy = margin + footer_h + panel_h + tick_pad
        fw = w - 2 * margin - 2 * tick_pad
        fh = h - margin - title_h - fy - tick_pad
        frame = MapFrame.fit(fx, fy, fw, fh, bounds, pad=pad, min_span_m=min_span_m)
        draw_map_body(c, frame, data, style)
        draw_neatline_and_ticks(c, frame, size=6 * u)
        top = fy - tick_pad - 3 * MM * u
        gap = 5 * MM * u
        c1, c2 = fw * 0.29, fw * 0.43
        c3 = fw - c1 - c2 - 2 * gap
        draw_legend(c, fx, top, c1, u, data)
        draw_point_list(c, fx + c1 + gap, top, c2, u, list_points, list_title, style.mask_phones)
        x3 = fx + c1 + c2 + 2 * gap
        used = draw_rain_summary(c, x3, top, c3, u, data)
        if inset:
            _draw_inset(c, data, frame, x3, top - used - 30 * MM * u, 30 * MM * u, u)
        draw_furniture_block(c, frame, x3, margin + footer_h + 20 * MM * u, c3, u)
    draw_footer(c, w, margin, u, data, "电话号码已隐去中间四位。" if style.mask_phones else "")
    return frame


def _draw_inset(c, data: ReportData, main: MapFrame, x: float, y: float, size: float, u: float) -> None:
    """A small county overview with the page's extent outlined (atlas pages)."""
    county = projected_county(data.bundled)
    frame = MapFrame.fit(x, y, size, size * 0.8, county.bounds, pad=0.05)
    c.saveState()
    c.setStrokeColor(GREY)
    c.setLineWidth(0.4)
    c.rect(x, y, size, size * 0.8, stroke=1, fill=0)
    draw_polygon(c, frame, county, fill=COUNTY_FILL, stroke=COUNTY_LINE, width=0.6)
    x0, y0 = main.page_to_plane(main.x, main.y)
    x1, y1 = main.page_to_plane(main.x + main.w, main.y + main.h)
    a = frame.to_page(x0, y0)
    b = frame.to_page(x1, y1)
    clip_to(c, frame)
    c.setStrokeColor(HexColor("#c62828"))
    c.setLineWidth(0.9)
    c.rect(a[0], a[1], b[0] - a[0], b[1] - a[1], stroke=1, fill=0)
    c.restoreState()
    draw_text(c, x, y - 7 * u - 1, "位置示意（全县）", 6 * u, colour=MUTED)


def county_bounds(data: ReportData):
    return projected_county(data.bundled).bounds


def county_map_pdf(data: ReportData, paper: str = "A4", orientation: str = "landscape", *,
                   mask_phones: bool = False) -> bytes:
    size = page_size(paper, orientation)
    title = "衡南县重点地质灾害隐患点分布图"
    c, buf = new_canvas(title, size)
    located = sum(1 for p in data.points if p.located)
    monitors = len({(p.monitor, p.phone) for p in data.points if p.monitor})
    subtitle = (f"{data.view_title or '重点监测隐患点'} {len(data.points)} 处（图上标绘 {located} 处）· 群测群防员 {monitors} 名"
                f" · 打印纸张 {paper.upper()}，按 100% 实际大小打印时比例尺准确")
    _draw_map_page(c, data, size, title, subtitle, county_bounds(data), MapStyle(mask_phones=mask_phones),
                   data.points, "重点隐患点一览")
    c.showPage()
    c.save()
    return buf.getvalue()


def township_bounds(data: ReportData, township: str):
    xs, ys = [], []
    names = set()
    for p in data.points:
        if p.township == township and p.located:
            x, y = project(p.lon, p.lat)
            xs.append(x)
            ys.append(y)
            names.add(p.village)
    # Only village points that passed QA steer the zoom (doubtful ones are still drawn).
    villages = [v for v in data.villages if v.township == township and v.located]
    trusted = [v for v in villages if v.qa == "ok"] or villages
    for v in trusted:
        x, y = project(v.lon, v.lat)
        xs.append(x)
        ys.append(y)
    t = data.township(township)
    if t.lon is not None:
        x, y = project(t.lon, t.lat)
        xs.append(x)
        ys.append(y)
    if not xs:  # nothing in this township has a position: show the whole county
        return county_bounds(data), names
    return (min(xs), min(ys), max(xs), max(ys)), names


def atlas_pdf(data: ReportData, townships: list[str] | None = None, paper: str = "A4",
              orientation: str = "landscape", *, mask_phones: bool = False) -> bytes:
    size = page_size(paper, orientation)
    if townships is None:
        townships = data.townships_with_points()
    else:
        for name in townships:
            data.township(name)  # NotFound with a Chinese message
        have = set(data.townships_with_points())
        missing = [n for n in townships if n not in have]
        if missing:
            from hazardmap.domain.errors import NotFound
            raise NotFound(f"{'、'.join(missing)}没有重点监测隐患点；有隐患点的乡镇（街道）："
                           f"{'、'.join(data.townships_with_points())}")
    c, buf = new_canvas("衡南县乡镇（街道）地质灾害隐患点图集", size)
    for i, name in enumerate(townships, 1):
        pts = [p for p in data.points if p.township == name]
        bounds, village_names = township_bounds(data, name)
        located = sum(1 for p in pts if p.located)
        title = f"衡南县{name}重点地质灾害隐患点图"
        subtitle = (f"图集第 {i}/{len(townships)} 页 · 本乡镇（街道）重点监测隐患点 {len(pts)} 处（图上标绘 {located} 处）"
                    f" · 按 100% 实际大小打印时比例尺准确")
        style = MapStyle(label_villages=True, focus_township=name, mask_phones=mask_phones,
                         village_names={p.village for p in pts})
        _draw_map_page(c, data, size, title, subtitle, bounds, style, pts, f"{name}重点隐患点",
                       min_span_m=6000, inset=True, pad=0.1)
        c.showPage()
    c.save()
    return buf.getvalue()
