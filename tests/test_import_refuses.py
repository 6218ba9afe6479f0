"""Both imports (patrol logs, the rain-gauge list) read what a person sees in Excel and refuse the rest:
every file in tests/bad_sheets.py (made here, never stored) is refused with a Chinese message and
nothing is imported; the good ones (stale or huge <dimension>, UTF-16, …) import all their rows."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import bad_sheets
from hazardmap.domain.errors import InvalidInput
from hazardmap.services import patrol, patrol_excel, rain_gauges, spreadsheet
from hazardmap.services.rain_gauge_import import import_villages, read_sheet

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

ROOT = Path(__file__).resolve().parent.parent
# Words a message may hold in Latin letters: format and character names.
_ALLOWED_WORDS = {"excel", "xlsx", "csv", "utf", "gbk", "unicode", "nul", "bom", "xls", "kb", "mb", "gb"}


def assert_chinese(message: str, path: Path) -> None:
    # Left out: the file name, code points named (U+200B, 0xFF), and text quoted from the file (“inf”).
    text = re.sub(r"U\+[0-9A-F]{4,}|0x[0-9A-F]{2}|“[^”]*”", "", message.replace(path.name, ""))
    assert re.search(r"[\u4e00-\u9fff]", text), message
    english = [w for w in re.findall(r"[A-Za-z]{2,}", text) if w.lower() not in _ALLOWED_WORDS]
    assert not english, f"English in the message: {english}: {message}"
    assert "Traceback" not in text and "Error" not in text


def patrol_refusal(store, path: Path) -> str:
    with pytest.raises(InvalidInput) as exc:
        patrol_excel.import_logs(store, path)
    assert patrol.list_entries(store) == []
    bad = getattr(exc.value, "bad", [])
    return "\n".join([str(exc.value)] + [str(b) for b in bad])


def rain_refusal(store, path: Path) -> str:
    try:
        report = import_villages(store, path)
    except InvalidInput as exc:
        message = str(exc)
    else:
        assert report.bad and not report.applied
        message = "\n".join(str(b) for b in report.bad)
    assert rain_gauges.assigned_count(store)[0] == 0
    return message


# What each refusal must say (a fragment), for the two importers alike.
EXPECTED = {
    "hidden_sheet": "工作表“巡查记录”被隐藏了|隐藏的工作表“巡查记录”不读取",
    "hidden_row": "第 3 行.*被隐藏",
    "hidden_column": "被隐藏",
    "duplicate_header": "同一项",
    "duplicate_alias": "同一项",
    "formula_without_value": "第 3 行.*公式.*没有它的计算结果",
    "error_value": "第 3 行.*错误值 #N/A",
    "invisible_only": "第 3 行.*看不见",
    "filler_only": "第 3 行.*看不见",
    "number_cell_3.7": "第 3 行.*3.7.*不是整数",
    "number_cell_-2": "第 3 行.*-2.*正整数",
    "number_text_xlsx_1e1": "第 3 行.*1e1.*应直接写成整数，如 10",
    "number_text_csv_3.7": "第 3 行.*3.7.*整数",
    "number_text_csv_1e1": "第 3 行.*1e1.*应直接写成整数",
    "number_text_csv_inf": "第 3 行.*inf.*不是有效的数字",
    "number_text_csv_nan": "第 3 行.*nan.*不是有效的数字",
    "number_text_csv_三": "第 3 行.*不是数字",
    "row_bomb": "超过 200,000 行",
    "column_bomb": "第 9 行超过 16,384 列",
    "giant_cell": "超过 4 MB",
    "long_cell": "第 3 行.*40,000 个字",
    "not_zip": "不是有效的 Excel 文件",
    "truncated": "不是有效的 Excel 文件",
    "zip_not_excel": "不是有效的 Excel 文件",
    "empty_xlsx": "不是有效的 Excel 文件",
    "old_xls": "旧版 .xls",
    "xlsx_named_csv": "是 Excel 文件而不是 CSV",
    "csv_utf16_no_bom": "UTF-16",
    "csv_stray_ff": "第 3 行.*0xFF",
    "csv_huge_field": "第 3 行有一格超过 131,072",
    "csv_long_field": "第 3 行.*40,000 个字",
    "csv_nul": "第 3 行.*NUL",
    "csv_bel": "第 3 行.*控制字符 U\\+0007",
    "csv_rlo": "第 3 行.*U\\+202E",
    "csv_zero_width": "第 3 行.*U\\+200B",
    "csv_empty": "找不到",
    "csv_bom_only": "找不到",
    **{f"zero_width_{ord(ch):04X}": f"第 3 行.*U\\+{ord(ch):04X}" for ch in bad_sheets.ZERO_WIDTH},
}


def test_every_bad_case_has_an_expectation():
    assert set(EXPECTED) == set(bad_sheets.CASES)


@pytest.mark.parametrize("case", list(bad_sheets.CASES))
@pytest.mark.parametrize("importer", ["patrol", "rain"])
def test_import_refuses(store, tmp_path, case, importer):
    layout, refusal = {"patrol": (bad_sheets.PATROL, patrol_refusal), "rain": (bad_sheets.RAIN, rain_refusal)}[importer]
    path = bad_sheets.build(case, layout, tmp_path)
    message = refusal(store, path)
    assert_chinese(message, path)
    assert re.search(EXPECTED[case], message), message


@pytest.mark.parametrize("case", list(bad_sheets.GOOD))
def test_good_files_import_every_row(store, tmp_path, case):
    path = bad_sheets.build(case, bad_sheets.PATROL, tmp_path / "patrol")
    result = patrol_excel.import_logs(store, path)
    assert len(result.added) == 3 and not result.bad
    assert sorted((e.point_seq, e.by) for e in patrol.list_entries(store)) == [
        (1, "罗金春"), (2, "李新菊"), (3, "杨磊")]
    report = import_villages(store, bad_sheets.build(case, bad_sheets.RAIN, tmp_path / "rain"))
    assert report.applied and not report.bad
    assert [(a.line, a.slot, a.village.name) for a in report.assignments] == [
        (2, 1, "檀市村"), (3, 2, "和平村"), (4, 3, "胜利村")]


@pytest.mark.parametrize("case", ["huge_dimension", "far_cell"])
def test_a_huge_declared_dimension_costs_no_memory(tmp_path, case):
    """A 5 KB file declaring A1:XFD1048576 once drove memory to 3.7 GB; the rows are streamed now."""
    path = bad_sheets.build(case, bad_sheets.RAIN, tmp_path)
    assert path.stat().st_size < 10_000
    tracemalloc.start()
    try:
        rows, bad = read_sheet(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(rows) == 3 and not bad
    assert peak < 20 * 1024 * 1024


@pytest.mark.parametrize("limit, value, expected", [
    ("MAX_FILE_BYTES", 1000, "超过导入上限"),
    ("MAX_UNPACKED_BYTES", 1000, "解压后.*超过导入上限"),
    ("MAX_PART_BYTES", 100, "解压后.*超过导入上限"),
    ("MAX_ROWS", 3, "超过 3 行"),
])
def test_limits_stop_before_reading(store, tmp_path, monkeypatch, limit, value, expected):
    monkeypatch.setattr(spreadsheet, limit, value)
    path = bad_sheets.build("stale_dimension", bad_sheets.PATROL, tmp_path)   # a good file, 4 rows
    message = patrol_refusal(store, path)
    assert re.search(expected, message), message
    assert_chinese(message, path)


def test_a_csv_row_limit_too(store, tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    path = bad_sheets.build("csv_gbk", bad_sheets.RAIN, tmp_path)
    assert "超过 3 行" in rain_refusal(store, path)


def test_hidden_sheet_named_like_the_export_is_named(store, tmp_path):
    path = bad_sheets.build("hidden_sheet", bad_sheets.PATROL, tmp_path)
    assert "工作表“巡查记录”被隐藏了" in patrol_refusal(store, path)


def test_a_row_counter_is_never_the_point(store, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "巡查时间", "巡查人", "判定"])       # no point column: 序号 counts rows
    ws.append([1, "2025-05-01 08:00", "罗金春", "正常"])
    wb.save(tmp_path / "a.xlsx")
    assert "缺少必填列：隐患点序号" in patrol_refusal(store, tmp_path / "a.xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "隐患点编号", "巡查时间", "巡查人", "判定"])
    ws.append([1, 5, "2025-05-01 08:00", "罗金春", "正常"])
    wb.save(tmp_path / "b.xlsx")
    patrol_excel.import_logs(store, tmp_path / "b.xlsx")
    assert [e.point_seq for e in patrol.list_entries(store)] == [5]


def test_rain_gauge_row_counter_gives_way_to_the_slot_column(store, tmp_path):
    path = bad_sheets._csv(tmp_path / "a.csv", [["序号", "村名", "站点编号"], ["1", "檀市村", "7"]])
    report = import_villages(store, path)
    assert [(a.slot, a.village.name) for a in report.assignments] == [(7, "檀市村")]


def test_skip_bad_imports_only_the_rows_a_person_sees(store, tmp_path):
    path = bad_sheets.build("hidden_row", bad_sheets.PATROL, tmp_path)
    result = patrol_excel.import_logs(store, path, skip_bad=True)
    assert [b.line for b in result.bad] == [3]
    assert sorted(e.point_seq for e in patrol.list_entries(store)) == [1, 3]


def test_whole_number():
    wn = spreadsheet.whole_number
    assert [wn(v, "x") for v in (3, 3.0, "3", " 3 ", "3号", "３", "3.00")] == [3] * 7
    for v in ("3.7", "1e1", "inf", "nan", "-1", "3 4", "", None, True, float("inf"), float("nan"), 2.5, "三"):
        with pytest.raises(InvalidInput):
            wn(v, "隐患点序号")


def test_one_bad_row_class():
    from hazardmap.services import rain_gauge_import

    assert patrol_excel.BadRow is rain_gauge_import.BadRow is spreadsheet.BadRow


def _run_cli(home: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HAZARDMAP_HOME=str(home), PYTHONPATH=str(ROOT), PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "hazardmap", *argv], capture_output=True, text=True,
                          encoding="utf-8", env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("argv, layout", [(("import", "logs"), bad_sheets.PATROL),
                                          (("rain-gauges", "import"), bad_sheets.RAIN)])
def test_cli_refuses_in_chinese_without_traceback(tmp_path, argv, layout):
    home = tmp_path / "home"
    for case in ("csv_stray_ff", "hidden_row", "not_zip"):
        path = bad_sheets.build(case, layout, tmp_path / case)
        done = _run_cli(home, *argv, str(path))
        assert done.returncode == 2, done
        assert "Traceback" not in done.stderr and re.search(EXPECTED[case], done.stderr), done.stderr
    if argv[0] == "rain-gauges":
        listing = _run_cli(home, "rain-gauges", "--format", "json")
        assert listing.returncode == 0, listing
        assert [r["village"] for r in json.loads(listing.stdout)] == [None] * 15   # nothing imported
    else:
        listing = _run_cli(home, "patrol", "list", "--format", "json")
        assert listing.returncode == 0, listing
        assert json.loads(listing.stdout) == []
