"""Spreadsheets that must not be imported as they are, made on the spot (no file is stored): one
builder per problem, written for either importer from a small good table.

Each importer is described by a Layout: its header, three good rows, the column of a text field that
is read (巡查人 / 村名), the column of a whole number (隐患点序号 / 站点编号), and a second header name
that means the same as one of the columns. `build(case, layout, folder)` writes the file and returns its path."""
from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Layout:
    header: list
    rows: list[list]
    text_col: int
    number_col: int
    alias_col: int
    alias: str          # another header name for the same column (a duplicate column)


PATROL = Layout(["隐患点序号", "巡查时间", "巡查人", "判定", "备注"],
                [[1, "2025-05-01 08:00", "罗金春", "正常", "无"],
                 [2, "2025-05-02 08:00", "李新菊", "正常", "坡脚有少量落石"],
                 [3, "2025-05-03 08:00", "杨磊", "异常", "继续观测"]],
                text_col=2, number_col=0, alias_col=0, alias="隐患点编号")
# Gazetteer villages (data/villages.csv): 檀市村 in 栗江镇, 和平村 in 松江镇, 胜利村 in 江口镇.
RAIN = Layout(["乡镇", "村名", "站点编号"],
              [["栗江镇", "檀市村", 1], ["松江镇", "和平村", 2], ["江口镇", "胜利村", 3]],
              text_col=1, number_col=2, alias_col=1, alias="村委会")

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def _table(layout: Layout, row: int | None = None, col: int | None = None, value=None):
    rows = [list(r) for r in layout.rows]
    if row is not None:
        rows[row][col] = value
    return [list(layout.header)] + rows


def _xlsx(path: Path, table, *, title="巡查记录", edit=None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in table:
        ws.append(r)
    if edit:
        edit(wb, ws)
    wb.save(path)
    return path


def _csv(path: Path, table, encoding="utf-8", delimiter=",") -> Path:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter).writerows(table)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def rewrite_part(path: Path, fn, part="xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one part of an .xlsx (text -> text), keeping the others."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in items:
            z.writestr(name, fn(data.decode("utf-8")).encode("utf-8") if name == part else data)
    return path


def set_dimension(path: Path, ref: str) -> Path:
    return rewrite_part(path, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', xml))


def formula_cells(path: Path) -> int:
    """How many cells of all sheets of an .xlsx hold a formula (<f> elements in the saved XML)."""
    with zipfile.ZipFile(path) as z:
        return sum(len(re.findall(r"<f[ >/]", z.read(n).decode("utf-8")))
                   for n in z.namelist() if n.startswith("xl/worksheets/"))


# ---- the cases ------------------------------------------------------------------------------------------
# name -> builder(layout, folder) -> path. Positive cases (the file is fine and must import whole) are
# listed in GOOD; every other case must be refused with a Chinese message and nothing imported.

def _hidden_sheet(lo, d):
    def edit(wb, ws):
        ws.sheet_state = "hidden"
        wb.create_sheet("说明").append(["本表说明：名单在隐藏的工作表里"])
    return _xlsx(d / "隐藏工作表.xlsx", _table(lo), edit=edit)


def _hidden_row(lo, d):
    return _xlsx(d / "隐藏行.xlsx", _table(lo), edit=lambda wb, ws: setattr(ws.row_dimensions[3], "hidden", True))


def _hidden_column(lo, d):
    letter = get_column_letter(lo.text_col + 1)
    return _xlsx(d / "隐藏列.xlsx", _table(lo),
                 edit=lambda wb, ws: setattr(ws.column_dimensions[letter], "hidden", True))


def _duplicate_header(lo, d):
    t = _table(lo)
    t[0].append(lo.header[lo.text_col])
    for r in t[1:]:
        r.append(r[lo.text_col])
    return _xlsx(d / "两列同名.xlsx", t)


def _duplicate_alias(lo, d):
    t = _table(lo)
    t[0].append(lo.alias)
    for r in t[1:]:
        r.append(r[lo.alias_col])
    return _xlsx(d / "两列同义.xlsx", t)


def _formula_without_value(lo, d):
    return _xlsx(d / "公式无值.xlsx", _table(lo, 1, lo.text_col, '="罗"&"金春"'))


def _error_value(lo, d):
    return _xlsx(d / "错误值.xlsx", _table(lo, 1, lo.text_col, "#N/A"))


def _zero_width(ch):
    def build(lo, d):
        name = lo.rows[1][lo.text_col]
        return _xlsx(d / f"零宽{ord(ch):04X}.xlsx", _table(lo, 1, lo.text_col, name[0] + ch + name[1:]))
    return build


def _invisible_only(lo, d):
    return _xlsx(d / "全是零宽.xlsx", _table(lo, 1, lo.text_col, "\u200b\u200b\u200b"))


def _filler_only(lo, d):
    return _xlsx(d / "填充字符.xlsx", _table(lo, 1, lo.text_col, "\u3164\u3164"))


def _number_cell(value, label):
    def build(lo, d):
        return _xlsx(d / f"数字格{label}.xlsx", _table(lo, 1, lo.number_col, value))
    return build


def _number_text_csv(text):
    def build(lo, d):
        return _csv(d / f"文字数{text}.csv", _table(lo, 1, lo.number_col, text))
    return build


def _stale_dimension(lo, d):
    return set_dimension(_xlsx(d / "过期尺寸.xlsx", _table(lo)), f"A1:{get_column_letter(len(lo.header))}2")


def _huge_dimension(lo, d):
    return set_dimension(_xlsx(d / "巨大尺寸.xlsx", _table(lo)), "A1:XFD1048576")


def _far_cell(lo, d):
    """A stray mark in the sheet's last cell (XFD1048576) and a dimension to match: a reader that pads
    every row up to the dimension builds 1,048,576 rows of 16,384 cells (gigabytes) from a 5 KB file."""
    path = set_dimension(_xlsx(d / "远处一格.xlsx", _table(lo)), "A1:XFD1048576")
    return rewrite_part(path, lambda xml: xml.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'))


def _row_bomb(lo, d):
    rows = "".join(f'<row r="{n}"/>' for n in range(10, 210_011))
    return rewrite_part(_xlsx(d / "行炸弹.xlsx", _table(lo)), lambda xml: xml.replace("</sheetData>", rows + "</sheetData>"))


def _column_bomb(lo, d):
    cells = "<c><v>1</v></c>" * 20_000   # no coordinates: each cell is the next column
    return rewrite_part(_xlsx(d / "列炸弹.xlsx", _table(lo)),
                        lambda xml: xml.replace("</sheetData>", f'<row r="9">{cells}</row></sheetData>'))


def _giant_cell(lo, d):
    giant = "啊" * (5 * 1024 * 1024)
    return rewrite_part(_xlsx(d / "超大格.xlsx", _table(lo)),
                        lambda xml: xml.replace("</sheetData>", f'<row r="9"><c r="A9" t="inlineStr"><is><t>{giant}'
                                                                 "</t></is></c></row></sheetData>"))


def _long_cell(lo, d):
    """40,000 characters in one cell: more than Excel holds (openpyxl would cut it to 32,767 when writing)."""
    path = _xlsx(d / "长文本.xlsx", _table(lo, 1, lo.text_col, "LONGCELL"))
    return rewrite_part(path, lambda xml: xml.replace(">LONGCELL<", ">" + "长" * 40_000 + "<"))


def _not_zip(lo, d):
    p = d / "不是压缩包.xlsx"
    p.write_bytes(b"not a zip, just text")
    return p


def _truncated(lo, d):
    good = _xlsx(d / "完整.xlsx", _table(lo))
    p = d / "截断.xlsx"
    p.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return p


def _zip_not_excel(lo, d):
    p = d / "普通压缩包.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    return p


def _raw(name: str, data: bytes):
    """A file of the given bytes, whatever the layout (empty files, an old .xls header, a lone BOM)."""
    def build(lo, d):
        p = d / name
        p.write_bytes(data)
        return p
    return build


def _xlsx_named_csv(lo, d):
    p = d / "其实是表格.csv"
    p.write_bytes(_xlsx(d / "原表.xlsx", _table(lo)).read_bytes())
    return p


def _csv_utf16_bom_tab(lo, d):
    return _csv(d / "unicode文本.csv", _table(lo), encoding="utf-16", delimiter="\t")


def _csv_utf16_bom_comma(lo, d):
    return _csv(d / "utf16逗号.csv", _table(lo), encoding="utf-16")


def _csv_utf16_no_bom(lo, d):
    return _csv(d / "utf16无bom.csv", _table(lo), encoding="utf-16-le")


def _csv_utf8_bom(lo, d):
    return _csv(d / "utf8bom.csv", _table(lo), encoding="utf-8-sig")


def _csv_gbk(lo, d):
    return _csv(d / "gbk.csv", _table(lo), encoding="gbk")


def _csv_stray_ff(lo, d):
    p = _csv(d / "坏字节.csv", _table(lo))
    lines = p.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b",", b",\xff", 1)   # the third line: the second data row
    p.write_bytes(b"\n".join(lines))
    return p


def _csv_huge_field(lo, d):
    return _csv(d / "超长字段.csv", _table(lo, 1, lo.text_col, "长" * 140_000))


def _csv_long_field(lo, d):
    return _csv(d / "长字段.csv", _table(lo, 1, lo.text_col, "长" * 40_000))


def _csv_char(ch, label):
    def build(lo, d):
        name = lo.rows[1][lo.text_col]
        return _csv(d / f"控制字符{label}.csv", _table(lo, 1, lo.text_col, name[0] + ch + name[1:]))
    return build




CASES = {
    "hidden_sheet": _hidden_sheet,
    "hidden_row": _hidden_row,
    "hidden_column": _hidden_column,
    "duplicate_header": _duplicate_header,
    "duplicate_alias": _duplicate_alias,
    "formula_without_value": _formula_without_value,
    "error_value": _error_value,
    **{f"zero_width_{ord(ch):04X}": _zero_width(ch) for ch in ZERO_WIDTH},
    "invisible_only": _invisible_only,
    "filler_only": _filler_only,
    "number_cell_3.7": _number_cell(3.7, "3.7"),
    "number_cell_-2": _number_cell(-2, "-2"),
    "number_text_xlsx_1e1": _number_cell("1e1", "1e1"),
    "number_text_csv_3.7": _number_text_csv("3.7"),
    "number_text_csv_1e1": _number_text_csv("1e1"),
    "number_text_csv_inf": _number_text_csv("inf"),
    "number_text_csv_nan": _number_text_csv("nan"),
    "number_text_csv_三": _number_text_csv("三"),
    "row_bomb": _row_bomb,
    "column_bomb": _column_bomb,
    "giant_cell": _giant_cell,
    "long_cell": _long_cell,
    "not_zip": _not_zip,
    "truncated": _truncated,
    "zip_not_excel": _zip_not_excel,
    "empty_xlsx": _raw("空文件.xlsx", b""),
    "old_xls": _raw("旧格式.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
    "xlsx_named_csv": _xlsx_named_csv,
    "csv_utf16_no_bom": _csv_utf16_no_bom,
    "csv_stray_ff": _csv_stray_ff,
    "csv_huge_field": _csv_huge_field,
    "csv_long_field": _csv_long_field,
    "csv_nul": _csv_char("\x00", "NUL"),
    "csv_bel": _csv_char("\x07", "BEL"),
    "csv_rlo": _csv_char("\u202e", "RLO"),
    "csv_zero_width": _csv_char("\u200b", "ZWSP"),
    "csv_empty": _raw("空.csv", b""),
    "csv_bom_only": _raw("只有bom.csv", codecs.BOM_UTF8),
}

# Files that are fine: the importer must take all three rows.
GOOD = {
    "stale_dimension": _stale_dimension,
    "huge_dimension": _huge_dimension,
    "far_cell": _far_cell,
    "number_cell_2.0": _number_cell(2.0, "2.0"),   # a numeric Excel cell 2.0 is the whole number 2
    "csv_utf16_bom_tab": _csv_utf16_bom_tab,
    "csv_utf16_bom_comma": _csv_utf16_bom_comma,
    "csv_utf8_bom": _csv_utf8_bom,
    "csv_gbk": _csv_gbk,
}


def build(name: str, layout: Layout, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return (CASES.get(name) or GOOD[name])(layout, folder)


# ---- a workbook as Excel itself writes it -----------------------------------------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def excel_style_xlsx(path: Path, strings: list[str], sheet_data: str) -> Path:
    """An .xlsx built by hand the way Excel writes one (openpyxl writes text inline instead): text in a
    shared-strings table, a date style (numFmt 22), and no <dimension>. sheet_data: the <row> elements."""
    parts = {
        "[Content_Types].xml":
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>',
        "_rels/.rels":
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml":
            f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
            '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
            '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22" applyNumberFormat="1"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
        "xl/sharedStrings.xml":
            f'<sst xmlns="{_MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_MAIN}"><sheetData>{sheet_data}</sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + text)
    return path
