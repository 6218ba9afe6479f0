"""The one spreadsheet reader behind every import (patrol logs, the rain-gauge list), and the rules for
writing cells so that a spreadsheet program shows them as the text that was typed.

Reading takes what a person sees when the file is opened in Excel, and refuses the rest with a Chinese
message instead of guessing:
- .xlsx: the first visible sheet (or the visible sheet of a given name); rows are read as a stream and
  the sheet's declared size (<dimension>) is never trusted; hidden rows, hidden columns, formulas whose
  result is not stored in the file and error values (#N/A …) are refused, naming the row.
- .csv: UTF-8 with or without BOM, GBK/GB18030 (Chinese Excel's "CSV"), UTF-16 with BOM (Excel's
  "Unicode text", tab separated); bytes that fit none of these are reported with their line.
- Both: limits on file size, unpacked size and row count stop a file before memory is spent; headers
  are matched whole (a row counter 序号 is not a point number); a header used twice is refused;
  control characters and invisible characters (zero-width spaces, BOMs, fillers) are refused with the
  row named; text longer than an Excel cell can hold is refused.

Writing: csv fields that start like a formula are neutralised as OWASP's "CSV Injection" page advises
(a leading single quote) and `unneutralise` undoes exactly that on import; xlsx text cells are forced to
be strings (openpyxl would otherwise turn "=1+1" into a formula and "#N/A" into an error value).
No Qt and no SQL here.
"""
from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from hazardmap.domain.errors import InvalidInput, NotFound
from hazardmap.domain.validation import invisible_character

MAX_FILE_BYTES = 64 * 1024 * 1024        # the file on disk (a 100,000-entry 台账 export is about 8 MB)
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024  # all parts of an .xlsx, as its zip directory declares them
MAX_PART_BYTES = 64 * 1024 * 1024        # parts openpyxl reads whole (shared strings, styles, workbook)
MAX_ROWS = 200_000                       # rows of a sheet or records of a csv, empty ones included
MAX_COLUMNS = 16_384                     # Excel's own limit (column XFD)
MAX_CELL_CHARS = 32_767                  # Excel's own limit for the text of one cell
HEADER_SEARCH_ROWS = 10                  # sheets often start with a title row above the header
_XML_GAP_BYTES = 4 * 1024 * 1024         # no cell is this long: a single text node this size is a bomb

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")   # OWASP: a cell starting with these may run as a formula


# ---- bad rows -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported, as the user finds it in Excel (the header is usually row 1)."""
    line: int
    reason: str                            # Chinese, one line
    text: str = ""                         # what the row says (e.g. the village as written), to show the user
    candidates: tuple[Any, ...] = ()       # set when a name fits several places (a front end can ask)

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates)

    def __str__(self) -> str:
        return f"第 {self.line} 行" + (f"（{self.text}）" if self.text else "") + f"：{self.reason}"


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]      # column key -> cell value (str, int, float, datetime; None when empty)


@dataclass
class Table:
    name: str                                                     # the file name, for messages
    headers: dict[str, str]                                       # column key -> header as written
    rows: list[Row] = field(default_factory=list)                 # non-empty rows that passed the checks
    bad: list[BadRow] = field(default_factory=list)               # non-empty rows refused here


# ---- characters a person cannot see ----------------------------------------------------------------------

def short(text: str, limit: int = 30) -> str:
    """text for a message: characters a person cannot see shown as �, at most `limit` characters."""
    text = text if len(text) <= limit else text[:limit] + "…"
    return "".join("\ufffd" if invisible_character(ch) else ch for ch in text)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} 字节"


def check_text(text: str, what: str) -> None:
    """Refuse text with invisible or control characters, or longer than an Excel cell."""
    if len(text) > MAX_CELL_CHARS:
        raise InvalidInput(f"“{what}”有 {len(text):,} 个字，超过一格最多 {MAX_CELL_CHARS:,} 个字的上限")
    bad = invisible_character(text)
    if bad:
        raise InvalidInput(f"“{what}”含有看不见的字符（{bad}），请删去后再导入")


# ---- numbers ----------------------------------------------------------------------------------------------

_WHOLE = re.compile(r"^([0-9]+)(?:\.0+)?号?$")   # 3, 3号, and 3.00 (Excel's csv of a "0.00" format)


def whole_number(value: Any, what: str) -> int:
    """A whole number as a person wrote it. A numeric Excel cell 3.0 is 3; text like 3.7, 1e1, inf,
    nan, -2 or 三 is refused (never rounded)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"{what}为空")
    if isinstance(value, bool):
        raise InvalidInput(f"{what}“{value}”不是数字")
    if isinstance(value, int):
        if value < 0:
            raise InvalidInput(f"{what}“{value}”应为正整数")
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and value >= 0:
            return int(value)
        raise InvalidInput(f"{what}“{value:g}”不是整数")
    text = unicodedata.normalize("NFKC", str(value)).strip()   # full-width ３ -> 3
    m = _WHOLE.match(text)
    if m:
        return int(m.group(1))
    try:
        number = float(text)
    except ValueError:
        raise InvalidInput(f"{what}“{short(text)}”不是数字") from None
    if not math.isfinite(number):
        raise InvalidInput(f"{what}“{text}”不是有效的数字")
    if not number.is_integer():
        raise InvalidInput(f"{what}“{short(text)}”不是整数")
    if number < 0:
        raise InvalidInput(f"{what}“{short(text)}”应为正整数")
    raise InvalidInput(f"{what}“{short(text)}”应直接写成整数，如 {int(number)}")


# ---- writing ----------------------------------------------------------------------------------------------

def neutralise(text: str) -> str:
    """A csv field a spreadsheet program shows as the text itself, never runs: a leading ' before a
    field that starts with = + - @ tab or CR (OWASP), and before one that starts with ' so that
    `unneutralise` gives back exactly what was typed."""
    if text and (text[0] in CSV_TRIGGERS or text[0] == "'"):
        return "'" + text
    return text


def unneutralise(text: str) -> str:
    """The inverse of `neutralise` (csv import): "'=1+1" -> "=1+1", "''x" -> "'x"; other text unchanged."""
    if len(text) >= 2 and text[0] == "'" and (text[1] in CSV_TRIGGERS or text[1] == "'"):
        return text[1:]
    return text


_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # what an .xlsx cannot hold (openpyxl refuses it)


def xlsx_cell(ws, value: Any, **style):
    """value for openpyxl's write-only sheet `ws` so that text stays text: openpyxl stores a str
    starting with "=" as a formula and "#N/A" etc. as an error value unless told it is a string.
    Control characters an .xlsx cannot hold (stored before imports refused them) are written as �
    rather than failing the whole export. style: attributes to set on the cell (font, alignment)."""
    if isinstance(value, str) and _XLSX_ILLEGAL.search(value):
        value = _XLSX_ILLEGAL.sub("\ufffd", value)
    if not style and not (isinstance(value, str) and _needs_string_type(value)):
        return value   # a plain value: openpyxl makes the cell itself (cheaper for 100,000 rows)
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"
    for name, v in style.items():
        setattr(c, name, v)
    return c


_ERROR_CODES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))  # openpyxl's


def _needs_string_type(text: str) -> bool:
    return text.startswith("=") or text in _ERROR_CODES


# ---- reading ----------------------------------------------------------------------------------------------

@dataclass
class _RawRow:
    line: int
    cells: list[Any]
    hidden: bool = False
    problems: dict[int, str] = field(default_factory=dict)   # column index -> why the cell cannot be read
    hidden_columns: frozenset[int] = frozenset()


def read_table(path: str | Path, columns: Callable[[str], str | None], *, anchor: str, no_header: str,
               fallback: Mapping[str, str] | None = None, sheet: str | None = None,
               describe: Callable[[dict[str, Any]], str] | None = None, subheader: bool = False,
               max_rows: int | None = None) -> Table:
    """The rows under the header of a .xlsx or .csv file.

    columns: header text (trimmed, invisible characters removed) -> column key, or None to ignore it.
    anchor: the key whose column marks the header row (searched in the first HEADER_SEARCH_ROWS rows);
        no_header is the message when no row has it.
    fallback: header text -> key, used only when no column has that key (a weak name such as 序号).
    sheet: the sheet to read when the workbook has a visible one of that name.
    describe: row values -> short text naming the row in BadRow.text.
    subheader: the row under the header may be a second header row, as under merged header cells
        (“群测群防员” over “姓名 | 联系电话”): when every filled cell of it is a header word, its
        columns are added to the header and it is not read as data.
    max_rows: the row limit instead of MAX_ROWS (a year of hourly rain readings is far above the usual one).
    Rows whose read columns are all empty are skipped. Raises InvalidInput (Chinese) for a file that
    cannot be read as a whole; rows that cannot be read are returned in Table.bad."""
    path = Path(path)
    if not path.is_file():
        raise NotFound(f"找不到文件“{path}”")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise InvalidInput("不支持旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 或 CSV 后再导入")
    if suffix not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise InvalidInput(f"只能导入 .xlsx 或 .csv 文件，“{path.name}”不是")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InvalidInput(f"“{path.name}”有 {_size(size)}，超过导入上限 {_size(MAX_FILE_BYTES)}：请分成几个文件导入")
    is_csv = suffix in (".csv", ".txt")
    raw = _csv_rows(path) if is_csv else _xlsx_rows(path, sheet)
    try:
        return _table(path.name, raw, columns, anchor=anchor, no_header=no_header, fallback=fallback or {},
                      from_csv=is_csv, describe=describe, subheader=subheader, max_rows=max_rows)
    finally:
        raw.close()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "".join(ch for ch in str(cell) if not invisible_character(ch)).strip()


def _table(name: str, raw: _Rows, columns, *, anchor, no_header, fallback, from_csv, describe,
           subheader=False, max_rows=None) -> Table:
    max_rows = max_rows or MAX_ROWS
    count = 0
    keys: dict[int, str] = {}
    header: _RawRow | None = None
    second = False   # the row under the header has not been looked at yet
    for row in raw:
        count += 1
        if count > max_rows:
            raise InvalidInput(f"“{name}”超过 {max_rows:,} 行，超出导入上限：请分成几个文件导入")
        if header is None:
            if row.line > HEADER_SEARCH_ROWS:
                break
            found = _header_keys(row, columns, fallback)
            if anchor in found.values():
                header, keys = row, found
                _check_header(name, header, keys)
                table = Table(name, {k: _header_text(header.cells[j]) for j, k in keys.items()})
                second = subheader
            continue
        if second:
            second = False
            more = _subheader_keys(row, keys, columns)
            if more is not None:
                # Each column named by its lower header where it has one (the cell under a merged one).
                width = max(len(row.cells), len(header.cells))
                cells = [row.cells[j] if j < len(row.cells) and _header_text(row.cells[j])
                         else header.cells[j] if j < len(header.cells) else None for j in range(width)]
                both = _RawRow(row.line, cells, hidden_columns=row.hidden_columns | header.hidden_columns)
                keys = more
                _check_header(name, both, keys)
                table.headers = {k: _header_text(cells[j]) for j, k in keys.items()}
                continue
        _data_row(table, row, keys, from_csv, describe)
    if header is None:
        hidden = "、".join(f"“{t}”" for t in raw.hidden_sheets)
        raise InvalidInput(no_header + (f"（隐藏的工作表{hidden}不读取）" if hidden else ""))
    return table


def _header_keys(row: _RawRow, columns, fallback) -> dict[int, str]:
    found: dict[int, str] = {}
    weak: dict[int, str] = {}
    for j, cell in enumerate(row.cells):
        text = _header_text(cell)
        if not text:
            continue
        key = columns(text)
        if key:
            found[j] = key
        elif text in fallback:
            weak[j] = fallback[text]
    taken = set(found.values())
    found.update({j: k for j, k in weak.items() if k not in taken})
    return found


def _subheader_keys(row: _RawRow, keys: dict[int, str], columns) -> dict[int, str] | None:
    """The header's columns with those a second header row names, or None when some filled cell of
    the row is not a header word (then it is data)."""
    filled = [j for j, cell in enumerate(row.cells) if _header_text(cell)]
    if not filled or row.hidden:
        return None
    found = {j: columns(_header_text(row.cells[j])) for j in filled}
    if not all(found.values()):
        return None
    merged = dict(keys)
    merged.update(found)
    return merged


def _check_header(name: str, header: _RawRow, keys: dict[int, str]) -> None:
    if header.hidden:
        raise InvalidInput(f"“{name}”的表头（第 {header.line} 行）在 Excel 中被隐藏了：请取消隐藏后再导入")
    by_key: dict[str, list[int]] = {}
    for j, k in keys.items():
        by_key.setdefault(k, []).append(j)
    for cols in by_key.values():
        if len(cols) > 1:
            where = "、".join(f"第 {_column_letter(j)} 列“{_header_text(header.cells[j])}”" for j in cols)
            raise InvalidInput(f"“{name}”的表头有 {len(cols)} 列是同一项：{where}。"
                               "不知道该读哪一列，请删去或改名多余的列后再导入")
    hidden = [j for j in keys if j in header.hidden_columns]
    if hidden:
        j = hidden[0]
        raise InvalidInput(f"“{name}”的第 {_column_letter(j)} 列“{_header_text(header.cells[j])}”在 Excel 中"
                           "被隐藏了：看不见的列不导入，请取消隐藏或删去该列后再导入")


def _data_row(table: Table, row: _RawRow, keys: dict[int, str], from_csv: bool, describe) -> None:
    values: dict[str, Any] = {}
    for j, k in keys.items():
        v = row.cells[j] if j < len(row.cells) else None
        if from_csv and isinstance(v, str):
            v = unneutralise(v)
        values[k] = v
    problem_cols = [j for j in keys if j in row.problems]
    if not problem_cols and all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
        return   # a blank line, or a template row not filled in
    reason = None
    if row.hidden:
        reason = "该行在 Excel 中被隐藏（或被筛选隐藏）：看不见的行不导入，请取消隐藏或删去该行"
    elif problem_cols:
        j = problem_cols[0]
        reason = f"“{table.headers[keys[j]]}”列（第 {_column_letter(j)} 列）{row.problems[j]}"
    else:
        for j, k in keys.items():
            v = values[k]
            if isinstance(v, str):
                try:
                    check_text(v, table.headers[k])
                except InvalidInput as exc:
                    reason = str(exc)
                    break
    if reason:
        table.bad.append(BadRow(row.line, reason, short(describe(values)) if describe else ""))
    else:
        table.rows.append(Row(row.line, values))


# ---- csv ----------------------------------------------------------------------------------------------------

class _Rows:
    """An iterator of _RawRow that can be closed early."""

    def __init__(self, gen: Iterator[_RawRow], hidden_sheets: tuple[str, ...] = (), on_close=None) -> None:
        self._gen = gen
        self.hidden_sheets = hidden_sheets   # named when no header is found: the user may look there
        self._on_close = on_close

    def __iter__(self):
        return self._gen

    def close(self) -> None:
        self._gen.close()
        if self._on_close:   # a generator closed before its first row never runs its own finally
            self._on_close()


def _decode_csv(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        tries = ("utf-16",)
    elif raw.startswith(b"\xef\xbb\xbf"):
        tries = ("utf-8-sig",)
    elif raw[:4096].count(b"\x00") * 10 > len(raw[:4096]):   # UTF-16 text is about half NUL bytes
        raise InvalidInput(f"“{name}”像是没有 BOM 的 UTF-16 文件或二进制文件，无法识别文字编码：请在 Excel 中"
                           "“另存为”“CSV UTF-8（逗号分隔）”后再导入")
    else:
        tries = ("utf-8", "gb18030")   # gb18030 is a superset of GBK (Chinese Excel's "CSV")
    failures = []
    for encoding in tries:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append(exc)
    worst = max(failures, key=lambda e: e.start)   # the encoding that got furthest is most likely meant
    line = raw.count(b"\n", 0, worst.start) + 1
    byte = raw[worst.start]
    raise InvalidInput(f"“{name}”第 {line} 行有无法识别的字节 0x{byte:02X}：文件可能已损坏，或不是 UTF-8、GBK、"
                       "UTF-16 编码。请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后再导入")


def _csv_rows(path: Path) -> _Rows:
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):
        raise InvalidInput(f"“{path.name}”是 Excel 文件而不是 CSV：请把扩展名改为 .xlsx 后再导入")
    text = _decode_csv(raw, path.name)
    del raw
    first = text[:text.find("\n")] if "\n" in text else text
    delimiter = "\t" if "\t" in first and "," not in first else ","   # Excel's "Unicode text" uses tabs

    def gen() -> Iterator[_RawRow]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        line = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                where = f"第 {line + 1} 行" + (f"（文件第 {reader.line_num} 行）" if reader.line_num != line + 1 else "")
                if "field larger than field limit" in str(exc):
                    raise InvalidInput(f"“{path.name}”{where}有一格超过 {csv.field_size_limit():,} 个字，"
                                       "不像是表格内容：请检查该行（可能少了一个引号）") from None
                raise InvalidInput(f"“{path.name}”{where}的格式有误（引号不成对？），无法读取") from None
            line += 1
            yield _RawRow(line, cells)

    return _Rows(gen())


# ---- xlsx ---------------------------------------------------------------------------------------------------

_NOT_XLSX = "不是有效的 Excel 文件（.xlsx）：文件可能已损坏，或是改了扩展名的其他文件。请在 Excel 中打开并“另存为” .xlsx 后再导入"


@dataclass(frozen=True)
class _Book:
    archive: zipfile.ZipFile
    shared_strings: list
    epoch: Any
    date_formats: set
    timedelta_formats: set
    sheets: list[tuple[str, str, str]]   # (name, state, part) of each worksheet, in workbook order


def _open_book(path: Path) -> _Book:
    """What the cells need from the workbook (shared strings, date styles) and its sheets, from openpyxl's
    own reader, without load_workbook: that would parse each sheet whole once just to find its size."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(str(path), read_only=True, data_only=True)
    try:
        with warnings.catch_warnings():   # openpyxl's English notes on styles it skips mean nothing to a user
            warnings.simplefilter("ignore")
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
        sheets = [(sheet.name, sheet.state or "visible", rel.target) for sheet, rel in reader.parser.find_sheets()
                  if "chartsheet" not in rel.Type and rel.target in reader.valid_files]
    except BaseException:
        reader.archive.close()
        raise
    wb = reader.wb
    return _Book(reader.archive, reader.shared_strings, wb.epoch, wb._date_formats, wb._timedelta_formats, sheets)


def _xlsx_rows(path: Path, sheet: str | None) -> _Rows:
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InvalidInput(f"“{path.name}”{_NOT_XLSX}") from None
    unpacked = sum(p.file_size for p in parts)   # zipfile never unpacks more than a part declares
    if unpacked > MAX_UNPACKED_BYTES:
        raise InvalidInput(f"“{path.name}”解压后有 {_size(unpacked)}，超过导入上限 {_size(MAX_UNPACKED_BYTES)}："
                           "请分成几个文件导入")
    for p in parts:
        if not p.filename.startswith("xl/worksheets/") and p.file_size > MAX_PART_BYTES:
            raise InvalidInput(f"“{path.name}”中有一部分解压后有 {_size(p.file_size)}，超过导入上限 "
                               f"{_size(MAX_PART_BYTES)}：请分成几个文件导入")
    try:
        book = _open_book(path)
    except Exception:   # openpyxl raises many kinds (KeyError, ValueError, expat errors) for a bad file
        raise InvalidInput(f"“{path.name}”{_NOT_XLSX}") from None
    try:
        part = _visible_sheet(book, path.name, sheet)
        source = book.archive.open(part)
    except BaseException:
        book.archive.close()
        raise

    def close() -> None:
        source.close()
        book.archive.close()   # at once: Windows keeps a file locked while it is open

    def gen() -> Iterator[_RawRow]:
        try:
            yield from _stream_sheet(source, book, path.name)
        finally:
            close()

    return _Rows(gen(), tuple(n for n, state, _ in book.sheets if state != "visible"), close)


def _visible_sheet(book: _Book, name: str, wanted: str | None) -> str:
    for title, state, part in book.sheets:
        if title == wanted:
            if state != "visible":
                raise InvalidInput(f"“{name}”中的工作表“{wanted}”被隐藏了：请在 Excel 中取消隐藏后再导入")
            return part
    for title, state, part in book.sheets:
        if state == "visible":
            return part
    raise InvalidInput(f"“{name}”中没有可见的工作表")


class _GuardedSource(io.RawIOBase):
    """The sheet XML, refusing a stretch of _XML_GAP_BYTES with no element in it (one giant text node
    would otherwise be held whole in memory before any check could see it)."""

    def __init__(self, source, name: str) -> None:
        self._source = source
        self._name = name
        self.read_bytes = 0
        self.mark = 0          # read_bytes at the last parser event

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.read_bytes - self.mark > _XML_GAP_BYTES:
            raise InvalidInput(f"“{self._name}”中有一格的内容超过 {_XML_GAP_BYTES // 1024 // 1024} MB，"
                               "不像是表格内容，无法导入")
        data = self._source.read(min(len(buffer), 64 * 1024))
        buffer[:len(data)] = data
        self.read_bytes += len(data)
        return len(data)


def _stream_sheet(source, book: _Book, name: str) -> Iterator[_RawRow]:
    """The rows of a sheet as they come in its XML, in constant memory: each element is dropped once
    read. The <dimension> a file declares is ignored (a stale one hid rows; a huge one padded every row
    to 16,384 columns). Cell values are decoded by openpyxl's own cell parser (shared strings, dates)."""
    from xml.etree.ElementTree import ParseError, iterparse

    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.worksheet._reader import CELL_TAG, COL_TAG, FORMULA_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS

    text_tag, run_tag = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"
    cells_parser = WorkSheetParser(None, book.shared_strings, data_only=True, epoch=book.epoch,
                                   date_formats=book.date_formats, timedelta_formats=book.timedelta_formats)

    def parse_cell(el) -> dict:
        if el.get("t") != "inlineStr":
            return cells_parser.parse_cell(el)
        # Inline text (what openpyxl writes) read here: openpyxl's rich-text objects cost a third of the time.
        r = el.get("r")
        cells_parser.col_counter = coordinate_to_tuple(r)[1] if r else cells_parser.col_counter + 1
        pieces = []
        for box in el:            # <is>: a plain <t>, or runs <r><t>; phonetic guides (<rPh>) are not shown
            for part in box:
                if part.tag == text_tag:
                    pieces.append(part.text or "")
                elif part.tag == run_tag:
                    pieces.extend(t.text or "" for t in part if t.tag == text_tag)
        return {"column": cells_parser.col_counter, "value": "".join(pieces) or None, "data_type": "s"}

    guarded = _GuardedSource(source, name)
    stream = io.BufferedReader(guarded, buffer_size=64 * 1024)
    hidden_columns: frozenset[int] = frozenset()   # 0-based; <cols> comes before the rows
    open_elements: list = []
    in_cell = 0
    row: _RawRow | None = None
    values: dict[int, Any] = {}
    try:
        for event, el in iterparse(stream, events=("start", "end")):
            guarded.mark = guarded.read_bytes
            if event == "start":
                open_elements.append(el)
                if el.tag == ROW_TAG:
                    line = _row_number(el.get("r"), cells_parser.row_counter)
                    cells_parser.row_counter, cells_parser.col_counter = line, 0
                    row = _RawRow(line, [], hidden=el.get("hidden") in ("1", "true"))
                    values = {}
                elif el.tag == CELL_TAG:
                    in_cell += 1
                    if cells_parser.col_counter >= MAX_COLUMNS:
                        raise InvalidInput(f"“{name}”第 {cells_parser.row_counter} 行超过 {MAX_COLUMNS:,} 列，"
                                           "不像是表格内容，无法导入")
                continue
            open_elements.pop()
            if el.tag == CELL_TAG:
                in_cell -= 1
                cell = parse_cell(el)
                j = cell["column"] - 1
                if not 0 <= j < MAX_COLUMNS:
                    raise InvalidInput(f"“{name}”第 {cells_parser.row_counter} 行超过 {MAX_COLUMNS:,} 列，"
                                       "不像是表格内容，无法导入")
                if row is not None:
                    values[j] = cell["value"]
                    if cell["value"] is None and el.find(FORMULA_TAG) is not None:
                        row.problems[j] = "是公式，但文件中没有它的计算结果：请在 Excel 中打开、保存后再导入，或把公式改成数值"
                    elif cell["data_type"] == "e":
                        row.problems[j] = f"是错误值 {cell['value']}：请改正后再导入"
            elif el.tag == ROW_TAG and row is not None:
                if values:
                    row.cells = [None] * (max(values) + 1)
                    for j, v in values.items():
                        row.cells[j] = v
                row.hidden_columns = hidden_columns
                yield row
                row = None
            elif el.tag == COL_TAG and el.get("hidden") in ("1", "true"):
                try:
                    first, last = int(el.get("min")), int(el.get("max"))
                except (TypeError, ValueError):
                    raise InvalidInput(f"“{name}”{_NOT_XLSX}") from None
                hidden_columns = hidden_columns | set(range(max(first, 1) - 1, min(last, MAX_COLUMNS)))
            if in_cell == 0 and open_elements:
                open_elements[-1].remove(el)   # drop what has been read: memory stays flat
    except ParseError:
        raise InvalidInput(f"“{name}”{_NOT_XLSX}") from None
    except zipfile.BadZipFile:   # a CRC error or a part cut short
        raise InvalidInput(f"“{name}”{_NOT_XLSX}") from None


def _row_number(r: str | None, previous: int) -> int:
    if r is None:
        return previous + 1
    try:
        n = int(r)
    except ValueError:
        raise InvalidInput(f"行号“{r}”无效：{_NOT_XLSX}") from None
    if n < 1:
        raise InvalidInput(f"行号“{r}”无效：{_NOT_XLSX}")
    return n
