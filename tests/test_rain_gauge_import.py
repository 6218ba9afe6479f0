"""Importing the rain-gauge village list (.xlsx / .csv). The files are test inputs made here with real
gazetteer names from data/villages.csv: 檀市村 (栗江镇), 胜利村 (车江街道 and 江口镇), 和平村 (松江镇)."""
from __future__ import annotations

import csv

import openpyxl
import pytest

from hazardmap.domain.errors import InvalidInput
from hazardmap.services import rain_gauges
from hazardmap.services.rain_gauge_import import clear_slots, import_villages, read_sheet

pytestmark = pytest.mark.both_backends  # tests with the store or cli fixture run on SQLite and PostgreSQL

TANSHI = "430422118215"      # 栗江镇 檀市村
SHENGLI_JK = "430422105226"  # 江口镇 胜利村
SHENGLI_CJ = "430422002279"  # 车江街道 胜利村
HEPING = "430422122245"      # 松江镇 和平村


def xlsx(path, rows, title=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    for r in rows:
        ws.append(r)
    wb.create_sheet("说明").append(["村名"])   # only the first sheet is read
    wb.save(path)
    return path


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def codes(store):
    return {s.slot: s.village_code for s in rain_gauges.list_sites(store)}


def test_xlsx_with_title_row_township_and_code_fills_free_slots_in_order(store, tmp_path):
    rain_gauges.assign(store, 1, HEPING)
    seen = []
    store.bus.subscribe(seen.append)
    f = xlsx(tmp_path / "名单.xlsx", [[" 乡镇（街道）", "村 （社区）"], ["栗江镇", "檀市村"],
                                     ["江口镇", "胜利村"], [None, int(SHENGLI_CJ)], [None, None]],
             title="2023年雨量计安装村名单")
    report = import_villages(store, f, by="测试")
    assert report.applied and not report.bad and report.rows == 3
    assert [(a.line, a.slot, a.village.code) for a in report.assignments] == [
        (3, 2, TANSHI), (4, 3, SHENGLI_JK), (5, 4, SHENGLI_CJ)]   # row numbers as Excel shows them
    assert codes(store)[2] == TANSHI and codes(store)[4] == SHENGLI_CJ
    assert rain_gauges.assigned_count(store) == (4, 15)
    assert report.changes.rain_gauges and not seen   # published by whoever ran it (the window's runner)
    assert next(s for s in rain_gauges.list_sites(store) if s.slot == 2).assigned_by == "测试"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(store, tmp_path, encoding):
    f = write_csv(tmp_path / "a.csv", [["编号", "村名", "乡镇"], ["7", "檀市村", ""], ["9号", "胜利村", "车江街道"]],
                  encoding)
    report = import_villages(store, f)
    assert not report.bad
    assert codes(store)[7] == TANSHI and codes(store)[9] == SHENGLI_CJ
    assert rain_gauges.assigned_count(store)[0] == 2


def test_one_bad_row_applies_nothing_and_names_every_bad_row(store, tmp_path):
    f = write_csv(tmp_path / "a.csv", [["村"], ["檀市村"], ["胜利村"], ["衡南不存在村"], ["430422999999"]])
    seen = []
    store.bus.subscribe(seen.append)
    report = import_villages(store, f)
    assert not report.applied and not seen
    assert rain_gauges.assigned_count(store)[0] == 0
    assert [b.line for b in report.bad] == [3, 4, 5]
    ambiguous = report.bad[0]
    assert {c.township for c in ambiguous.candidates} == {"车江街道", "江口镇"}
    assert "重名" in ambiguous.reason and "第 3 行" in str(ambiguous)
    assert "没有“衡南不存在村”" in report.bad[1].reason
    assert "430422999999" in report.bad[2].reason


def test_skip_bad_applies_the_good_rows(store, tmp_path):
    f = write_csv(tmp_path / "a.csv", [["村名"], ["胜利村"], ["檀市村"], ["衡南不存在村"]])
    report = import_villages(store, f, skip_bad=True)
    assert report.applied and [b.line for b in report.bad] == [2, 4]
    assert codes(store)[1] == TANSHI   # the bad rows take no slot
    assert rain_gauges.assigned_count(store)[0] == 1


def test_ambiguous_row_resolved_by_choice(store, tmp_path):
    f = write_csv(tmp_path / "a.csv", [["村名"], ["胜利村"], ["檀市村"]])
    first = import_villages(store, f, dry_run=True)
    assert [b.line for b in first.ambiguous] == [2] and rain_gauges.assigned_count(store)[0] == 0
    report = import_villages(store, f, choices={2: "江口镇"})
    assert report.applied and codes(store)[1] == SHENGLI_JK and codes(store)[2] == TANSHI


def test_duplicates_in_the_file(store, tmp_path):
    f = write_csv(tmp_path / "a.csv", [["编号", "村名", "乡镇"], ["1", "檀市村", ""], ["2", TANSHI, ""],
                                       ["3", "胜利村", "江口镇"], ["3", "和平村", ""]])
    report = import_villages(store, f)
    assert [b.line for b in report.bad] == [3, 5]
    assert "与第 2 行重复" in report.bad[0].reason and "第 3 号站点在第 4 行已出现" in report.bad[1].reason
    assert rain_gauges.assigned_count(store)[0] == 0


def test_village_already_on_another_slot_or_slot_taken(store, tmp_path):
    rain_gauges.assign(store, 4, TANSHI)
    rain_gauges.assign(store, 5, HEPING)
    f = write_csv(tmp_path / "a.csv", [["站点编号", "村名", "乡镇"], ["1", "檀市村", ""], ["5", "胜利村", "江口镇"],
                                       ["6", "胜利村", "车江街道"]])
    report = import_villages(store, f)
    assert [b.line for b in report.bad] == [2, 3]
    assert "已是第 4 号站点" in report.bad[0].reason
    assert "第 5 号站点已指定为松江镇和平村" in report.bad[1].reason
    assert codes(store)[5] == HEPING and codes(store)[6] is None   # nothing lost, nothing applied


def test_same_list_twice_changes_nothing(store, tmp_path):
    f = write_csv(tmp_path / "a.csv", [["村名"], ["檀市村"], ["和平村"]])
    import_villages(store, f)
    seen = []
    store.bus.subscribe(seen.append)
    again = import_villages(store, f)
    assert not again.bad and not again.applied and not seen
    assert all(a.unchanged for a in again.assignments) and rain_gauges.assigned_count(store)[0] == 2


def test_slot_out_of_range_and_not_a_number(store, tmp_path):
    f = write_csv(tmp_path / "a.csv", [["编号", "村名"], ["16", "檀市村"], ["0", "和平村"], ["一", TANSHI]])
    report = import_villages(store, f)
    assert [b.line for b in report.bad] == [2, 3, 4]
    assert "超出范围" in report.bad[0].reason and "不是数字" in report.bad[2].reason


def test_more_rows_than_free_slots(store, tmp_path):
    named = [v for v in store.bundled.villages if len(store.bundled.villages_named(v.name)) == 1][:14]
    for slot, v in enumerate(named[:13], start=1):
        rain_gauges.assign(store, slot, v.code)
    f = write_csv(tmp_path / "a.csv", [["村名"]] + [[v.name] for v in named[13:]] + [["檀市村"], ["和平村"]])
    report = import_villages(store, f)
    assert [b.line for b in report.bad] == [4] and "只剩 2 个" in report.bad[0].reason
    assert rain_gauges.assigned_count(store)[0] == 13
    report = import_villages(store, f, skip_bad=True)
    assert rain_gauges.assigned_count(store) == (15, 15)


def test_unreadable_inputs_are_refused_in_chinese(store, tmp_path):
    with pytest.raises(InvalidInput, match="村名列"):
        import_villages(store, write_csv(tmp_path / "a.csv", [["名称", "备注"], ["檀市村", ""]]))
    with pytest.raises(InvalidInput, match="xls"):
        (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
        import_villages(store, tmp_path / "old.xls")
    with pytest.raises(InvalidInput, match="Excel"):
        (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
        import_villages(store, tmp_path / "bad.xlsx")
    with pytest.raises(InvalidInput, match="空"):
        import_villages(store, write_csv(tmp_path / "b.csv", [["村名"], [""]]))


def test_read_sheet_skips_blank_village_rows_and_ignores_group_columns(tmp_path):
    f = write_csv(tmp_path / "a.csv", [["序号", "村民小组", "村委会", "镇"], ["1", "三组", "檀市村", "栗江镇"],
                                       ["2", "", "", ""]])
    assert [(r.line, r.village, r.township, r.slot) for r in read_sheet(f)[0]] == [(2, "檀市村", "栗江镇", "1")]


def test_clear_slots_undoes_an_import(store, tmp_path):
    report = import_villages(store, write_csv(tmp_path / "a.csv", [["村名"], ["檀市村"], ["和平村"]]))
    changes = clear_slots(store, [a.slot for a in report.new_assignments])
    assert changes.rain_gauges and rain_gauges.assigned_count(store)[0] == 0


def test_cli_import_round_trip(cli, tmp_path):
    f = write_csv(tmp_path / "a.csv", [["村名"], ["檀市村"], ["胜利村"]], "gbk")
    code, out, err = cli("rain-gauges", "import", str(f))
    assert code == 2 and "第 3 行（胜利村）：重名" in err and "未导入任何一行" in out and "已落实 0/15" in out
    code, out, err = cli("rain-gauges", "import", str(f), "--check", "--choose", "3=江口镇")
    assert code == 0 and "已落实 0/15" in out
    code, out, err = cli("rain-gauges", "import", str(f), "--choose", "3=江口镇")
    assert code == 0 and "第 2 号站点 已指定 江口镇胜利村" in out and "已落实 2/15" in out
    code, out, _ = cli("rain-gauges", "--format", "csv")
    assert "檀市村" in out and "胜利村" in out


def test_cli_import_skip_bad_and_bad_choose(cli, tmp_path):
    f = xlsx(tmp_path / "a.xlsx", [["村名"], ["檀市村"], ["衡南不存在村"]])
    code, out, err = cli("rain-gauges", "import", str(f), "--skip-bad")
    assert code == 0 and "跳过 1 行" in out and "已落实 1/15" in out and "第 3 行" in err
    code, _, err = cli("rain-gauges", "import", str(f), "--choose", "江口镇")
    assert code == 2 and err.startswith("错误：") and "行号=乡镇" in err
