"""Yearly key lists: the seeded 2023 list, importing a year's list (preview, --check, confirm, undo),
bad files, and the views the window chooses from.

The 2024 lists here are synthetic test inputs made from the 2023 table as the "next spring" story tells it:
two new points, one point dropped, a monitor replaced. The new points sit in real gazetteer villages
(data/villages.csv: 栗江镇 檀市村, 松江镇 和平村); their groups, monitors and phones are made up here."""
from __future__ import annotations

import csv
import re
import shutil
import sqlite3
import subprocess

import openpyxl
import pytest

from hazardmap.domain.errors import InvalidInput, StaleEdit
from hazardmap.domain.key_lists import RowOutcome, View, ViewKind
from hazardmap.services import key_lists as kl
from hazardmap.services import views
from hazardmap.services.points import list_points, set_monitor
from tests.conftest import COUNTY

HEADER = ["序号", "乡镇", "村组", "威胁对象", "监测人", "联系电话"]
DROPPED = 5                     # 花桥镇欧东村门冲组 leaves the list (synthetic: "remediated")
REPLACED = 2                    # 宝盖镇小泉村5组 gets a new monitor
NEW_MONITOR = ("测试新监测人", "13900000002")
NEW_ROWS = [["栗江镇", "檀市村测试组", "测试户等2户", "测试甲", "13900000011"],
            ["松江镇", "和平村测试组", "测试户等5户", "测试乙", "13900000012"]]

pytestmark = pytest.mark.both_backends  # tests with the store fixture run on SQLite and PostgreSQL


def county_rows() -> list[dict[str, str]]:
    with open(COUNTY / "key_points_2023.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def rows_2024() -> list[list]:
    out = []
    for r in county_rows():
        seq = int(r["seq"])
        if seq == DROPPED:
            continue
        monitor, phone = NEW_MONITOR if seq == REPLACED else (r["monitor"], r["monitor_phone"])
        out.append([r["township"], r["village_group"], r["threatened"], monitor, phone])
    out += NEW_ROWS
    return [[i + 1, *row] for i, row in enumerate(out)]


def write_xlsx(path, rows, *, header=HEADER, title="附件1  2024年度重点地质灾害隐患点名单"):
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.append([title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path, rows, header=HEADER, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def table_counts(store) -> dict[str, int]:
    """Counted on a connection of its own: what is committed."""
    if store.db.path is None:  # the PostgreSQL backend
        import psycopg

        con = psycopg.connect(store.db.url)
    else:
        con = sqlite3.connect(store.db.path)
    try:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("hazard_point", "key_list", "key_list_entry", "monitor_change", "point_change")}
    finally:
        con.close()


def snapshot(store):
    return [(p.seq, p.monitor, p.phone, p.threatened) for p in list_points(store)], table_counts(store)


# ---- the seeded list ---------------------------------------------------------------------------------

def test_seeded_2023_list_equals_the_county_table(store):
    lists = kl.list_lists(store)
    assert [(k.year, k.name, k.doc_no, k.count) for k in lists] == [
        (2023, "2023年度重点地质灾害隐患点", "清政办函〔2024〕2号 附件1", 16)]
    entries = kl.list_entries(store, 2023)
    assert [(e.row_no, e.point_seq, e.township, e.place, e.threatened, e.monitor, e.phone) for e in entries] == [
        (int(r["seq"]), int(r["seq"]), r["township"], r["village_group"], r["threatened"], r["monitor"],
         r["monitor_phone"]) for r in county_rows()]


def test_default_view_is_the_newest_list_and_counts_come_from_the_data(store):
    assert views.resolve(store, None) == View(ViewKind.KEY_LIST, 2023)
    assert len(views.points_in_view(store, None)) == 16
    labels = [c.label for c in views.view_choices(store)]
    assert labels == ["2023年度重点地质灾害隐患点（16 处）", "全部在册（16 处）", "已核销（0 处）"]


# ---- importing a year's list ---------------------------------------------------------------------------

def _import_2024(store, path, **kw):
    return kl.import_list(store, kl.read_list(path), year=2024, name="2024年度重点地质灾害隐患点",
                          doc_no="测试文号", **kw)


def test_preview_of_a_2024_list_groups_new_changed_unchanged_and_dropped(store, tmp_path):
    path = write_xlsx(tmp_path / "2024.xlsx", rows_2024())
    before = snapshot(store)
    p = kl.preview_list(store, kl.read_list(path), year=2024, name="2024年度重点地质灾害隐患点")
    assert snapshot(store) == before
    assert [m.label for m in p.group(RowOutcome.NEW)] == ["栗江镇檀市村测试组", "松江镇和平村测试组"]
    changed = p.group(RowOutcome.CHANGED)
    assert [(m.point_seq, m.changes) for m in changed] == [
        (REPLACED, (("monitor", "李新菊", NEW_MONITOR[0]), ("phone", "13875790008", NEW_MONITOR[1])))]
    assert len(p.group(RowOutcome.UNCHANGED)) == 14
    assert p.dropped == [DROPPED]
    assert p.ready and not p.bad
    assert p.summary() == "2024年名单共 17 处：新增 2 处，有变化 1 处，无变化 14 处，不在新名单（仍在册） 1 处"


def test_check_writes_nothing_confirm_applies_and_one_undo_takes_it_all_back(store, tmp_path, cli):
    path = write_xlsx(tmp_path / "2024.xlsx", rows_2024())
    before = snapshot(store)
    code, out, err = cli("plan", "import", str(path), "--year", "2024", "--name", "2024年度重点地质灾害隐患点",
                         "--check")
    assert code == 0, err
    assert "【新增】2 处" in out and "【不在新名单（仍在册）】1 处" in out and "只检查，未写入" in out
    assert snapshot(store) == before

    preview, changes = _import_2024(store, path)
    assert preview.ready and changes.label.startswith("导入2024年重点隐患点名单")
    points = {p.seq: p for p in list_points(store)}
    assert len(points) == 18
    assert (points[REPLACED].monitor, points[REPLACED].phone) == NEW_MONITOR
    new = [p for p in points.values() if p.seq > 16]
    assert [(p.township, p.village_group, p.monitor, p.phone) for p in new] == [
        (r[0], r[1], r[3], r[4]) for r in NEW_ROWS]
    assert all(p.village_code.startswith("430422") for p in new)
    assert not points[DROPPED].retired                       # dropped from the list, still on the register
    assert views.resolve(store, None) == View(ViewKind.KEY_LIST, 2024)
    assert [p.seq for p in views.points_in_view(store, None)] == [s for s in range(1, 19) if s != DROPPED]
    assert len(views.points_in_view(store, View(ViewKind.KEY_LIST, 2023))) == 16
    assert len(views.points_in_view(store, View(ViewKind.REGISTERED))) == 18
    # the 2023 entry keeps that year's monitor
    assert kl.list_entries(store, 2023)[REPLACED - 1].monitor == "李新菊"

    redo = changes.undo()
    assert snapshot(store)[0] == before[0]
    assert [k.year for k in kl.list_lists(store)] == [2023]
    assert table_counts(store)["key_list_entry"] == 16
    assert redo.undo is not None
    again = redo.undo()
    assert [k.year for k in kl.list_lists(store)] == [2023, 2024] and again.undo is not None


def test_cli_import_and_list(store, tmp_path, cli):
    path = write_csv(tmp_path / "2024.csv", rows_2024())
    code, out, err = cli("plan", "import", str(path), "--year", "2024", "--name", "2024年度重点地质灾害隐患点",
                         "--doc", "测试文号")
    assert code == 0, err
    assert "已导入“2024年度重点地质灾害隐患点（测试文号）”，共 17 处" in out
    code, out, err = cli("plan", "list")
    assert code == 0 and "2023年度重点地质灾害隐患点" in out and "2024年度重点地质灾害隐患点" in out
    assert "共 2 份名单" in out
    code, out, err = cli("plan", "list", "--year", "2024", "--format", "json")
    assert code == 0 and NEW_MONITOR[0] in out and "李新菊" not in out
    code, out, err = cli("plan", "import", str(path), "--year", "2024", "--name", "再来一次")
    assert code == 2 and "2024年的重点隐患点名单已经导入过了" in err


def test_an_older_year_is_recorded_without_touching_the_current_monitors(store, tmp_path):
    rows = rows_2024()
    path = write_xlsx(tmp_path / "2022.xlsx", [r for r in rows if r[1] != "栗江镇" and r[1] != "松江镇"
                                                or r[2] not in ("檀市村测试组", "和平村测试组")])
    before = snapshot(store)[0]
    preview, _ = kl.import_list(store, kl.read_list(path), year=2022, name="2022年度名单")
    assert not preview.becomes_current
    assert snapshot(store)[0] == before
    assert views.resolve(store, None) == View(ViewKind.KEY_LIST, 2023)


def test_a_near_match_is_asked_and_choose_answers_it(store, tmp_path, cli):
    rows = [[1, "花桥镇", "金石村石塘", "胡社初等居民及学校师生", "胡桂初", "13142383046"]]   # 组 missing
    path = write_csv(tmp_path / "near.csv", rows)
    before = snapshot(store)
    code, out, err = cli("plan", "import", str(path), "--year", "2024", "--name", "测试名单")
    assert code == 2 and "与已有隐患点相近（第 4 号" in out and "--choose 2=编号" in out
    assert snapshot(store) == before
    code, out, err = cli("plan", "import", str(path), "--year", "2024", "--name", "测试名单", "--choose", "2=4")
    assert code == 0, err
    assert [e.point_seq for e in kl.list_entries(store, 2024)] == [4]
    assert len(list_points(store)) == 16


def test_a_renamed_township_is_a_near_match(store, tmp_path):
    rows = [[1, "廖田镇", "桐梓山村潘家组", "潘枝顺等7户", "欧阳国", "13873421945"]]
    p = kl.preview_list(store, kl.read_list(write_csv(tmp_path / "t.csv", rows)), year=2024, name="x")
    assert [(m.outcome, m.candidates) for m in p.rows] == [(RowOutcome.NEAR, (15,))]


def test_undo_is_refused_when_a_touched_point_was_edited_since(store, tmp_path):
    _, changes = _import_2024(store, write_xlsx(tmp_path / "2024.xlsx", rows_2024()))
    set_monitor(store, REPLACED, name="又换了人")
    with pytest.raises(StaleEdit):
        changes.undo()
    assert [k.year for k in kl.list_lists(store)] == [2023, 2024]


def test_title_rows_and_a_merged_two_row_header_are_read(store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2024年度重点地质灾害隐患点名单"])
    ws.append(["序号", "乡镇(街道)", "村(组)", "威胁对象", "群测群防员", None])
    ws.append([None, None, None, None, "姓名", "联系电话"])
    ws.merge_cells("E2:F2")
    for r in rows_2024():
        ws.append(r)
    wb.save(tmp_path / "merged.xlsx")
    lf = kl.read_list(tmp_path / "merged.xlsx")
    assert not lf.bad and len(lf.rows) == 17
    assert (lf.rows[0].line, lf.rows[0].monitor, lf.rows[0].phone) == (4, "罗金春", "13875622467")


# ---- bad files -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("case, message", [
    ("missing", "表头缺少必需的列：联系电话"),
    ("empty", "表头下面没有隐患点"),
    ("no_header", "表中找不到“村组”或“地点”列"),
    ("not_sheet", "不是有效的 Excel 文件"),
    ("wrong_type", "只能导入 .xlsx 或 .csv 文件"),
])
def test_bad_files_give_a_chinese_message_and_change_nothing(store, tmp_path, cli, case, message):
    if case == "missing":
        path = write_csv(tmp_path / "m.csv", [r[:5] for r in rows_2024()], header=HEADER[:5])
    elif case == "empty":
        path = write_xlsx(tmp_path / "e.xlsx", [])
    elif case == "no_header":
        path = write_csv(tmp_path / "n.csv", [["a", "b"]], header=["甲", "乙"])
    elif case == "not_sheet":
        path = tmp_path / "photo.xlsx"
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    else:
        path = tmp_path / "list.pdf"
        path.write_bytes(b"%PDF-1.4")
    before = snapshot(store)
    code, out, err = cli("plan", "import", str(path), "--year", "2024", "--name", "测试名单")
    assert code == 2 and message in err, err
    assert "Traceback" not in err
    assert snapshot(store) == before


def test_bad_rows_are_listed_and_nothing_is_imported(store, tmp_path, cli):
    rows = rows_2024()
    rows[0][5] = "1387562246"            # ten digits
    rows[-1][1] = "不存在镇"              # a new point in no township of the county
    path = write_csv(tmp_path / "bad.csv", rows)
    before = snapshot(store)
    code, out, err = cli("plan", "import", str(path), "--year", "2024", "--name", "测试名单")
    assert code == 2
    assert "第 2 行" in err and "电话号码“1387562246”格式不对" in err
    assert "衡南县没有名为“不存在镇”的乡镇（街道）" in err
    assert snapshot(store) == before


def test_year_and_name_are_checked(store, tmp_path):
    lf = kl.read_list(write_csv(tmp_path / "x.csv", rows_2024()))
    with pytest.raises(InvalidInput, match="年份 1900 不合理"):
        kl.preview_list(store, lf, year=1900, name="x")
    with pytest.raises(InvalidInput, match="请给出名单名称"):
        kl.preview_list(store, lf, year=2024, name="  ")


def test_near_means_the_same_village_with_the_group_written_differently(store, tmp_path):
    rows = [[1, "泉溪镇", "剑山社区", "测试", "测试甲", "13900000021"],          # 剑山居委会 (10)
            [2, "宝盖镇", "高山村2组", "测试", "测试乙", "13900000022"],          # 20组 is another group
            [3, "宝盖镇", "小泉村5", "测试", "测试丙", "13900000023"]]            # 小泉村5组 (2)
    p = kl.preview_list(store, kl.read_list(write_csv(tmp_path / "n.csv", rows)), year=2024, name="x")
    assert [(m.outcome, m.candidates) for m in p.rows] == [
        (RowOutcome.NEAR, (10,)), (RowOutcome.NEW, ()), (RowOutcome.NEAR, (2,))]
    p = kl.preview_list(store, kl.read_list(tmp_path / "n.csv"), year=2024, name="x",
                        choices=kl.parse_choices(["2=新", "4=2"]))
    assert [(m.outcome, m.point_seq) for m in p.rows] == [   # csv line 2 is the first row
        (RowOutcome.NEW, None), (RowOutcome.NEW, None), (RowOutcome.CHANGED, 2)]
    with pytest.raises(InvalidInput, match="应写成 行号=隐患点编号"):
        kl.parse_choices(["第2行=3"])


def test_printouts_follow_the_view_and_state_counts_from_the_data(store, tmp_path, cli):
    from hazardmap.reports import maps
    from hazardmap.reports.data import collect
    from hazardmap.services import register

    register.retire_point(store, 16, date="2024-05-03", reason="测试：已治理", by="测试")
    assert len(collect(store).points) == 15            # the newest list (2023) without the retired point
    registered = collect(store, view=View(ViewKind.REGISTERED))
    assert [p.seq for p in registered.points] == list(range(1, 16))
    assert registered.view_title == "全部在册隐患点"
    (tmp_path / "r.pdf").write_bytes(maps.county_map_pdf(registered))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
        text = re.sub(r"\s+", "", text)
        assert "全部在册隐患点15处（图上标绘14处）" in text and "群测群防员15名" in text
    code, out, err = cli("export", "map", "--out", str(tmp_path / "m.pdf"), "--view", "已核销")
    assert code == 0, err
    code, out, err = cli("export", "map", "--out", str(tmp_path / "n.pdf"), "--view", "2019")
    assert code == 2 and "没有2019年的重点隐患点名单（现有：2023）" in err
    code, out, err = cli("export", "map", "--out", str(tmp_path / "n.pdf"), "--view", "全部")
    assert code == 2 and "“全部”不是可选的范围" in err
