"""hazardmap rain …: the commands a clerk types, in Chinese, on a synthetic storm written by the test."""
from __future__ import annotations

import csv
import json
import pytest

pytestmark = pytest.mark.both_backends  # the commands on SQLite and on a real PostgreSQL server


def _storm_csv(path):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["站码", "时间（北京时间）", "雨量(mm)"])
        for h, mm in [(1, 10), (2, 10), (3, 10), (4, 10), (5, 10), (6, 10), (7, 40), (8, 40), (9, 40), (10, 85)]:
            w.writerow(["1", f"2024-06-01 {h:02d}:00", mm])
    return path


def test_import_status_warnings_sms_backtest(cli, tmp_path):
    assert cli("rain-gauges", "assign", "--slot", "1", "--village", "430422107253")[0] == 0
    f = _storm_csv(tmp_path / "暴雨.csv")
    code, out, _ = cli("rain", "import", str(f), "--check")
    assert code == 0 and "10 条可导入" in out and "北京时间" in out
    assert cli("rain", "import", str(f))[1].strip().endswith("导入 10 条读数（1 个站点）")
    assert "10 条与已有读数相同" in cli("rain", "import", str(f))[1]
    code, out, _ = cli("rain", "status", "--at", "2024-06-01 10:30")
    assert code == 0 and "1 小时累计 85 mm ≥ 红色 80 mm" in out and "应巡查的隐患点（2 处" in out
    assert "2号站 （未落实村庄）" in out
    code, out, _ = cli("rain", "status", "--at", "2024-06-01 07:30", "--format", "json")
    first = json.loads(out)[0]
    assert first["level"] == "蓝色" and first["reason"].startswith("1 小时累计 40 mm ≥ 蓝色 35 mm")
    code, out, _ = cli("rain", "warnings", "--since", "2024-06-01")
    assert "红色预警，2024-06-01 07:00 开始，至 2024-06-02 09:00 结束" in out
    out_file = tmp_path / "短信.csv"
    code, out, _ = cli("rain", "sms", "--level", "橙", "--at", "2024-06-01 10:30", "--out", str(out_file),
                       "--mask-phones")
    assert code == 0 and "已导出 2 条" in out and "147****1105" in out_file.read_text(encoding="utf-8-sig")
    code, _out, err = cli("rain", "sms", "--level", "橙", "--at", "2024-06-01 10:30", "--out", str(out_file))
    assert code == 2 and "--force" in err
    code, out, _ = cli("rain", "backtest", "--from", "2024-05-01", "--to", "2024-09-30")
    assert code == 0 and "红色及以上" in out and "空报率FAR" in out
    code, out, _ = cli("rain", "series", "--site", "欧东村", "--format", "csv")
    assert out.splitlines()[1] == "2024-06-01 01:00,10.000000,60"


def test_bad_file_exits_2_naming_rows(cli, tmp_path):
    f = tmp_path / "坏.csv"
    f.write_text("站码,时间,雨量\n1,2024-06-01 01:00,-1\n1,2024-06-01 02:00,300\n", encoding="utf-8")
    code, out, err = cli("rain", "import", str(f))
    assert code == 2 and "第 2 行" in err and "第 3 行" in err and "未导入任何读数" in out


def test_thresholds_show_set_history(cli):
    code, out, _ = cli("rain", "thresholds")
    assert code == 0 and "江华县公布值（他县数值，非衡南县标准）" in out and "不是衡南县的标准" in out
    code, out, _ = cli("rain", "thresholds", "set", "--level", "黄", "--window", "24h", "--mm", "125", "--by", "李四")
    assert code == 0 and "130 mm → 125 mm" in out
    code, out, _ = cli("rain", "thresholds", "history")
    assert "李四  全县 黄色24 小时累计：130 → 125" in out
    code, _out, err = cli("rain", "thresholds", "set", "--level", "紫", "--window", "24h", "--mm", "1")
    assert code == 2 and err.startswith("错误：")


def test_export_sheets_of_the_warned_points(cli, tmp_path):
    """按预警导出: the cards and patrol forms of the points covered at 黄 or above, checked in the PDFs' text."""
    import subprocess

    assert cli("rain-gauges", "assign", "--slot", "1", "--village", "430422107253")[0] == 0
    assert cli("rain", "import", str(_storm_csv(tmp_path / "暴雨.csv")))[0] == 0
    out_dir = tmp_path / "预警"
    code, out, err = cli("rain", "export-sheets", "--level", "黄", "--at", "2024-06-01 10:30", "--out", str(out_dir),
                         "--mask-phones")
    assert code == 0, err
    assert "黄色及以上预警覆盖的隐患点：4、5（2 处）；已写出 6 个 PDF" in out
    names = sorted(p.name for p in out_dir.glob("*.pdf"))
    assert [n[:3] for n in names] == ["04_"] * 3 + ["05_"] * 3
    assert not any("预案" in n for n in names)
    card = next(p for p in out_dir.glob("05_*") if "工作明白卡" in p.name)
    text = subprocess.run(["pdftotext", "-layout", str(card), "-"], capture_output=True, text=True, check=True).stdout
    assert "门冲组" in text and "邓石生" in text and "147****1105" in text and "14700001105" not in text
    form = next(p for p in out_dir.glob("04_*") if "巡查记录表" in p.name)
    text = subprocess.run(["pdftotext", "-layout", str(form), "-"], capture_output=True, text=True, check=True).stdout
    assert "巡查记录表" in text and "石塘组" in text
    code, _out, err = cli("rain", "export-sheets", "--level", "黄", "--at", "2024-06-01 10:30", "--out", str(out_dir))
    assert code == 2 and "--force" in err
    code, out, _ = cli("rain", "export-sheets", "--level", "红", "--at", "2024-06-01 07:30", "--out", str(tmp_path / "无"))
    assert code == 0 and "没有2024-06-01 07:30 红色及以上预警覆盖的隐患点，未导出" in out
    assert not (tmp_path / "无").exists()
