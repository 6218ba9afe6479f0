"""CLI round trips for patrol logs, exports/imports and backups; bad input exits 2 in Chinese, changing nothing."""
from __future__ import annotations

import json
import sqlite3

import pytest

from hazardmap.services.store import db_path


def patrol_rows(home):
    conn = sqlite3.connect(db_path(home))
    try:
        return conn.execute("SELECT * FROM patrol_log ORDER BY id").fetchall()
    finally:
        conn.close()


def add(cli, *extra):
    code, out, err = cli("patrol", "add", "--point", "3", "--at", "2026-05-02 08:00", "--judgement", "异常", *extra)
    assert code == 0, err
    return int(out.strip())


def test_add_list_json_round_trip(cli):
    entry_id = add(cli, "--by", "张三", "--weather", "中雨", "--rain-mm", "35.5", "--signs", "拉张裂缝,渗冒混水",
                   "--crack-mm", "12.5", "--action", "加密巡查", "--note", "后缘裂缝加宽")
    code, out, _ = cli("patrol", "list", "--point", "3", "--format", "json")
    assert code == 0
    (rec,) = json.loads(out)
    assert {"id", "point", "at", "by", "judgement", "rain_mm", "signs", "crack_mm", "action", "note"} <= set(rec)
    assert rec == rec | {"id": entry_id, "point": 3, "at": "2026-05-02 08:00", "by": "张三", "judgement": "异常",
                         "rain_mm": 35.5, "signs": ["拉张裂缝", "渗冒混水/泉水变浑"], "crack_mm": 12.5,
                         "action": "加密巡查", "note": "后缘裂缝加宽", "weather": "中雨"}
    code, out, _ = cli("patrol", "list", "--format", "csv")
    assert out.splitlines()[0].startswith("编号,隐患点,巡查时间") and "张三" in out
    code, out, _ = cli("patrol", "list", "--since", "2026-05-03", "--format", "json")
    assert json.loads(out) == []


@pytest.mark.parametrize("args, words", [
    (["--at", "2099-01-01 08:00"], "将来"),
    (["--at", "昨天"], "格式不对"),
    (["--judgement", "良好"], "只能是"),
    (["--rain-mm", "1001"], "0～1000"),
    (["--rain-mm", "abc"], "不是数字"),
    (["--crack-mm", "-3"], "负数"),
    (["--crack-mm", "x"], "不是数字"),
    (["--signs", "滑坡"], "不在标准列表"),
    (["--point", "17"], "没有第 17 号"),
])
def test_bad_add_exits_2_in_chinese_and_saves_nothing(cli, home, args, words):
    base = {"--point": "3", "--at": "2026-05-02 08:00", "--judgement": "正常"}
    base.update(dict(zip(args[::2], args[1::2])))
    code, out, err = cli("patrol", "add", *[x for kv in base.items() for x in kv])
    assert code == 2 and err.startswith("错误：") and words in err and out == ""
    assert patrol_rows(home) == []


def test_judgement_is_required(cli):
    code, _, err = cli("patrol", "add", "--point", "3", "--at", "2026-05-02 08:00")
    assert code == 2 and "参数有误" in err


def test_edit_delete_restore_audit(cli, home):
    entry_id = add(cli, "--crack-mm", "5")
    assert cli("patrol", "edit", str(entry_id), "--judgement", "危险", "--crack-mm", "7")[0] == 0
    code, out, _ = cli("patrol", "list", "--format", "json")
    assert json.loads(out)[0]["judgement"] == "危险" and json.loads(out)[0]["crack_mm"] == 7
    code, out, err = cli("patrol", "edit", str(entry_id), "--rain-mm", "-1")
    assert code == 2 and "超出范围" in err
    assert cli("patrol", "delete", str(entry_id))[0] == 0
    assert json.loads(cli("patrol", "list", "--format", "json")[1]) == []
    assert [r["id"] for r in json.loads(cli("patrol", "list", "--bin", "--format", "json")[1])] == [entry_id]
    code, _, err = cli("patrol", "delete", str(entry_id))
    assert code == 2 and "回收站" in err
    assert cli("patrol", "restore", str(entry_id))[0] == 0
    code, out, _ = cli("patrol", "audit", str(entry_id), "--format", "json")
    assert [r["action"] for r in json.loads(out)] == ["新增", "修改", "删除（移入回收站）", "从回收站恢复"]
    code, _, err = cli("patrol", "edit", "999", "--note", "x")
    assert code == 2 and "没有编号为 999" in err


def test_overview_and_intervals(cli):
    add(cli)
    code, out, _ = cli("patrol", "overview")
    assert code == 0 and "出厂默认值" in out and "超期" in out
    code, out, _ = cli("patrol", "intervals", "--flood-days", "3", "--other-days", "14")
    assert "汛期（4～9月）3 天（本局设定）" in out and "14 天（本局设定）" in out
    code, out, _ = cli("patrol", "overview", "--format", "json")
    rows = json.loads(out)
    assert len(rows) == 16 and rows[2]["last_at"] == "2026-05-02 08:00" and rows[0]["overdue"] is True
    code, _, err = cli("patrol", "intervals", "--flood-days", "0")
    assert code == 2 and "1～365" in err


def test_export_import_cli_round_trip(cli, home, tmp_path):
    add(cli, "--crack-mm", "3")
    out_file = tmp_path / "台账.xlsx"
    code, out, _ = cli("export", "logs", "--out", str(out_file), "--mask-phones")
    assert code == 0 and "已导出 1 条" in out and out_file.is_file()
    code, out, _ = cli("import", "logs", str(out_file))
    assert code == 0 and "导入 0 条" in out and "重复未导入 1 条" in out
    code, _, err = cli("export", "logs", "--out", str(tmp_path / "x.pdf"))
    assert code == 2 and ".xlsx 或 .csv" in err


def test_backup_list_and_restore(cli, home):
    from hazardmap.services.backup import backup_on_start
    from hazardmap.services.store import open_store

    add(cli)
    s = open_store(home)
    backup_on_start(s)
    s.close()
    code, out, _ = cli("backup", "list", "--format", "json")
    (b,) = json.loads(out)
    assert b["kind"] == "自动"
    add(cli)  # a second entry after the backup
    code, out, _ = cli("backup", "restore", b["name"])
    assert code == 0 and "before-restore-" in out
    assert len(patrol_rows(home)) == 1
    code, _, err = cli("backup", "restore", "nope")
    assert code == 2 and "没有名为" in err


def test_import_with_bad_rows_lists_them_and_imports_nothing_unless_skip_bad(cli, home, tmp_path):
    path = tmp_path / "台账.csv"
    path.write_text("隐患点序号,巡查时间,巡查人,判定,降雨量(mm)\n"
                    "1,2026-05-01 08:00,罗金春,正常,12\n"
                    "2,2026-05-01 08:00,李新菊,不知道,\n"
                    "3,2026-05-01 08:00,杨磊,异常,-5\n", encoding="utf-8-sig")
    code, out, err = cli("import", "logs", str(path))
    assert code == 2 and "第 3 行：判定“不知道”无效" in err and "第 4 行：降雨量" in err
    assert err.strip().splitlines()[-1].startswith("错误：") and "未导入任何记录" in err
    assert patrol_rows(home) == []
    code, out, err = cli("import", "logs", str(path), "--skip-bad")
    assert code == 0 and "导入 1 条" in out and "有误跳过 2 行" in out and "已跳过 第 3 行" in err
    assert len(patrol_rows(home)) == 1
