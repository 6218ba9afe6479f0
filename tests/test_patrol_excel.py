"""Excel/CSV: export then import gives the same entries; bad rows are listed and nothing is imported."""
from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook, load_workbook

from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft, SignObservation
from hazardmap.services import patrol as svc
from hazardmap.services import patrol_excel as xl

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

ENTRIES = [
    PatrolDraft(3, "2026-05-01 08:00", "杨磊", "正常", weather="晴",
                measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", 10.0),)),
    PatrolDraft(3, "2026-05-02 07:30", "张三", "异常", weather="大雨", rain_mm=56.5,
                signs=(SignObservation("拉张裂缝", "后缘", "宽约2厘米，长5米"), SignObservation("渗冒混水/泉水变浑")),
                measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", 12.5),
                              Measurement(MeasureKind.STAKE, "1号桩", 30.0),
                              Measurement(MeasureKind.PATCH, "A", None, False)),
                action="加密巡查、上报", note="多行\n备注"),
    PatrolDraft(5, "2026-05-03 18:05", "邓石生", "危险", signs=(SignObservation("坡体鼓胀", "", "前缘鼓出"),),
                action="组织撤离"),
]


def fill(store):
    return [svc.record(store, d).entry_ids[0] for d in ENTRIES]


def contents(store):
    return sorted(e.draft().content() for e in svc.list_entries(store))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_gives_the_same_entries(request, backend, store, tmp_path, suffix):
    from hazardmap.services.store import open_server_store, open_store

    fill(store)
    before = contents(store)
    out = tmp_path / f"logs{suffix}"
    result = xl.export_logs(store, out)
    assert result.entries == 3 and result.points == 2
    # a second office's empty database, on the same kind of backend
    other = (open_server_store(request.getfixturevalue("empty_pg_url"), tmp_path / "other-home")
             if backend == "postgresql" else open_store(tmp_path / "other-home"))
    try:
        imported = xl.import_logs(other, out)
        assert len(imported.added) == 3 and not imported.bad and not imported.duplicates
        assert contents(other) == before
        assert {r.action for r in svc.audit_trail(other)} == {"import"}
        again = xl.import_logs(other, out)  # duplicates recognised, not doubled
        assert again.added == [] and len(again.duplicates) == 3
        assert contents(other) == before
    finally:
        other.close()


def test_xlsx_has_chinese_headers_summary_and_masked_phones(store, tmp_path):
    fill(store)
    out = tmp_path / "masked.xlsx"
    xl.export_logs(store, out, mask_phones=True)
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "巡查记录", "说明"]
    entries = list(wb["巡查记录"].iter_rows(values_only=True))
    assert list(entries[0]) == list(xl.ENTRY_COLUMNS.values())
    assert len(entries) == 4 and entries[1][4] == "2026-05-01 08:00"
    assert entries[2][8] == "拉张裂缝（部位：后缘；特征：宽约2厘米，长5米）\n渗冒混水/泉水变浑"
    assert entries[2][9] == 12.5 and entries[2][10] == 2.5 and entries[2][11] == "埋桩 1号桩：30 mm\n贴片 A：破坏"
    phone_col = list(xl.ENTRY_COLUMNS).index("phone")
    phones = {r[phone_col] for r in entries[1:]}
    assert all("****" in p for p in phones)
    summary = list(wb["汇总"].iter_rows(values_only=True))
    assert summary[0][:6] == ("序号", "乡镇（街道）", "村组", "群测群防员", "联系电话", "巡查次数")
    assert len(summary) == 17 and summary[3][5] == 2 and summary[3][7] == "异常" and "****" in summary[3][4]
    assert summary[1][6] == "未巡查"
    # Unmasked export keeps the real number (for use inside the bureau).
    xl.export_logs(store, tmp_path / "full.xlsx")
    full = list(load_workbook(tmp_path / "full.xlsx")["巡查记录"].iter_rows(values_only=True))
    assert "****" not in full[1][phone_col]


def _sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.title = "巡查记录"
    ws.append(["隐患点序号", "巡查时间", "巡查人", "判定", "降雨量(mm)", "宏观迹象（部位、特征）", "裂缝读数(mm)"])
    for r in rows:
        ws.append(r)
    wb.save(path)


def test_bad_rows_reported_with_row_and_reason_and_nothing_imported(store, tmp_path):
    path = tmp_path / "bad.xlsx"
    _sheet(path, [
        [1, "2026-05-01 08:00", "罗金春", "正常", 10, "拉张裂缝", 3],      # row 2: good
        [2, "2099-05-01 08:00", "李新菊", "正常", None, None, None],       # row 3: future
        [99, "2026-05-01 08:00", "某人", "正常", None, None, None],        # row 4: no such point
        [1, "2026-05-02 08:00", "罗金春", "", None, None, None],           # row 5: no judgement
        [1, "2026-05-03 08:00", "罗金春", "正常", 2000, None, None],       # row 6: rain out of range
        [1, "2026-05-04 08:00", "罗金春", "正常", None, "滑坡", None],     # row 7: unknown sign
        [1, "2026-05-05 08:00", "罗金春", "正常", None, None, "-2"],       # row 8: negative reading
        [None, None, None, None, None, None, None],                        # blank row: ignored
    ])
    with pytest.raises(xl.ImportRejected) as exc:
        xl.import_logs(store, path)
    bad = {b.line: b.reason for b in exc.value.bad}
    assert set(bad) == {3, 4, 5, 6, 7, 8}
    assert "将来" in bad[3] and "没有第 99 号" in bad[4] and "判定" in bad[5] and "降雨量" in bad[6]
    assert "不在标准列表" in bad[7] and "负数" in bad[8]
    assert str(exc.value.bad[0]).startswith("第 3 行：")
    assert svc.list_entries(store) == []  # all or nothing
    result = xl.import_logs(store, path, skip_bad=True)
    assert len(result.added) == 1 and len(result.bad) == 6
    assert svc.list_entries(store)[0].crack_mm == 3


def test_same_visit_with_different_content_is_not_silently_doubled(store, tmp_path):
    fill(store)
    path = tmp_path / "changed.xlsx"
    _sheet(path, [[3, "2026-05-01 08:00", "杨磊", "危险", None, None, 10]])
    with pytest.raises(xl.ImportRejected, match="1 行有误") as exc:
        xl.import_logs(store, path)
    assert "内容不同" in exc.value.bad[0].reason


def test_gbk_csv_from_chinese_excel_and_datetime_cells(store, tmp_path):
    path = tmp_path / "gbk.csv"
    with open(path, "w", encoding="gbk", newline="") as f:
        w = csv.writer(f)
        w.writerow(["隐患点序号", "巡查时间", "巡查人", "判定", "宏观迹象"])
        w.writerow(["4", "2026/5/6 9:05", "胡桂初", "异常", "剪切裂缝、树木歪斜"])
    result = xl.import_logs(store, path)
    (e,) = svc.list_entries(store)
    assert len(result.added) == 1 and e.at == "2026-05-06 09:05" and [s.sign for s in e.signs] == ["剪切裂缝", "树木歪斜"]


def test_unreadable_files_are_refused_in_chinese(store, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(xl.InvalidInput, match="不是有效的 Excel 文件") as exc:
        xl.import_logs(store, junk)
    assert "zip" not in str(exc.value).lower()  # was "File is not a zip file"
    headerless = tmp_path / "h.csv"
    headerless.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(xl.InvalidInput, match="找不到表头"):
        xl.import_logs(store, headerless)
