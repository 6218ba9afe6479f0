"""Page sizes, the PDF canvas, and form-table drawing shared by the cards and the patrol form."""
from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A3, A4, landscape, portrait
from reportlab.pdfgen import canvas

from hazardmap.domain.errors import InvalidInput
from hazardmap.reports.fonts import ensure_font
from hazardmap.reports.mapdraw import INK, MM, draw_text

PAPERS = {"A4": A4, "A3": A3}
ORIENTATIONS = ("landscape", "portrait")
LABEL_FILL = HexColor("#f0f0f0")
RULE = HexColor("#b0b0b0")


def page_size(paper: str = "A4", orientation: str = "portrait") -> tuple[float, float]:
    key = paper.upper()
    if key not in PAPERS:
        raise InvalidInput(f"纸张“{paper}”不支持：请用 A4 或 A3")
    if orientation not in ORIENTATIONS:
        raise InvalidInput(f"方向“{orientation}”不支持：请用 landscape（横向）或 portrait（纵向）")
    return landscape(PAPERS[key]) if orientation == "landscape" else portrait(PAPERS[key])


def new_canvas(title: str, size: tuple[float, float]) -> tuple[canvas.Canvas, io.BytesIO]:
    buf = io.BytesIO()
    font = ensure_font()
    c = canvas.Canvas(buf, pagesize=size, initialFontName=font, initialFontSize=10, pageCompression=1)
    c.setTitle(title)
    c.setAuthor("衡南县自然资源局 hazardmap")
    c.setCreator("hazardmap")
    c.setSubject(title)
    return c, buf


def wrap(c, text: str, size: float, width: float) -> list[str]:
    """Break CJK text by width (any character may end a line); keeps explicit newlines."""
    font = ensure_font()
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for ch in para:
            if line and c.stringWidth(line + ch, font, size) > width:
                lines.append(line)
                line = ""
            line += ch
        lines.append(line)
    return lines


@dataclass
class Cell:
    """One cell of a form row. kind: 'label' (shaded caption), 'value' (known data), 'blank' (to write)."""
    text: str
    width: float  # mm
    kind: str = "value"
    align: str = "left"


def label(text: str, width: float) -> Cell:
    return Cell(text, width, "label", "centre")


def value(text: str | None, width: float) -> Cell:
    # Data the database does not hold prints as a blank cell with ruled lines, never as placeholder text.
    return Cell(text, width, "value") if text else Cell("", width, "blank")


def blank(width: float) -> Cell:
    return Cell("", width, "blank")


def draw_row(c, x: float, y_top: float, cells: list[Cell], height_mm: float, *, size: float = 9.5) -> float:
    """Draw one form row (cells left to right) with its top at y_top; returns the row height in points."""
    h = height_mm * MM
    cx = x
    for cell in cells:
        w = cell.width * MM
        c.saveState()
        c.setStrokeColor(INK)
        c.setLineWidth(0.6)
        if cell.kind == "label":
            c.setFillColor(LABEL_FILL)
            c.rect(cx, y_top - h, w, h, stroke=1, fill=1)
        else:
            c.rect(cx, y_top - h, w, h, stroke=1, fill=0)
        c.restoreState()
        if cell.kind == "blank":
            _ruled_lines(c, cx, y_top, w, h)
        elif cell.text:
            pad = 1.6 * MM
            fs = size - 0.5 if cell.kind == "label" else size
            lines = wrap(c, cell.text, fs, w - 2 * pad)
            while len(lines) * fs * 1.3 > h - 1.5 and fs > 6:  # shrink rather than overflow the cell
                fs -= 0.5
                lines = wrap(c, cell.text, fs, w - 2 * pad)
            block = len(lines) * fs * 1.3
            ty = y_top - (h - block) / 2 - fs * 1.0
            for line in lines:
                if cell.align == "centre":
                    draw_text(c, cx + w / 2, ty, line, fs, anchor="centre")
                elif cell.align == "right":  # amounts line up on their last digit
                    draw_text(c, cx + w - pad, ty, line, fs, anchor="right")
                else:
                    draw_text(c, cx + pad, ty, line, fs)
                ty -= fs * 1.3
        cx += w
    return h


def _ruled_lines(c, x: float, y_top: float, w: float, h: float) -> None:
    """Writing lines in a blank cell: one per 8 mm of height (a single-line cell is its own box)."""
    n = int(h / (8 * MM))
    if n < 2:
        return
    c.saveState()
    c.setStrokeColor(RULE)
    c.setLineWidth(0.35)
    c.setDash(1, 1.5)
    step = h / n
    for i in range(1, n):
        yy = y_top - i * step
        c.line(x + 1.5 * MM, yy, x + w - 1.5 * MM, yy)
    c.restoreState()


def draw_section(c, x: float, y_top: float, name: str, rows: list[tuple[list[Cell], float]],
                 *, name_width: float = 9.0, size: float = 9.5) -> float:
    """A group of rows with its name written vertically in a left column; returns total height (pt)."""
    total = sum(h for _, h in rows) * MM
    w = name_width * MM
    c.saveState()
    c.setFillColor(LABEL_FILL)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    c.rect(x, y_top - total, w, total, stroke=1, fill=1)
    c.restoreState()
    fs = size
    step = fs * 1.25
    while len(name) * step > total - 2 and fs > 6:
        fs -= 0.5
        step = fs * 1.25
    ty = y_top - (total - len(name) * step) / 2 - fs
    for ch in name:
        draw_text(c, x + w / 2, ty, ch, fs, anchor="centre", bold=True)
        ty -= step
    yy = y_top
    for cells, h in rows:
        yy -= draw_row(c, x + w, yy, cells, h, size=size)
    return total


def draw_title(c, page_w: float, y: float, text: str, size: float = 20) -> None:
    draw_text(c, page_w / 2, y, text, size, anchor="centre", bold=True)


def draw_page_footer(c, page_w: float, margin: float, text_left: str, text_right: str, size: float = 7) -> None:
    draw_text(c, margin, margin * 0.55, text_left, size, colour=HexColor("#555555"))
    draw_text(c, page_w - margin, margin * 0.55, text_right, size, colour=HexColor("#555555"), anchor="right")


__all__ = ["Cell", "label", "value", "blank", "draw_row", "draw_section", "draw_title", "wrap", "page_size",
           "new_canvas", "white"]
