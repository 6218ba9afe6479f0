"""hazardmap export sheets | map | atlas: happy paths and the bad inputs (message, exit code, no half file)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils not installed")


def pages(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def leftovers(folder):
    return [p.name for p in folder.iterdir() if p.name.endswith(".part") or p.name.startswith(".")]


def test_export_sheets_one_point_all_kinds(cli, tmp_path):
    out = tmp_path / "new" / "folder"  # created when missing
    code, stdout, err = cli("export", "sheets", "--out", str(out), "--point", "5", "--copies", "2")
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == ["05_花桥镇欧东村门冲组_巡查记录表.pdf", "05_花桥镇欧东村门冲组_防灾工作明白卡.pdf",
                     "05_花桥镇欧东村门冲组_防灾避险明白卡.pdf", "05_花桥镇欧东村门冲组_防灾预案表.pdf"]
    assert pages(out / "05_花桥镇欧东村门冲组_防灾避险明白卡.pdf") == 6
    assert "已写出 4 个 PDF" in stdout


def test_export_sheets_by_township_and_kind(cli, tmp_path):
    tmp_path = tmp_path / "out"  # tmp_path itself holds the test's data folder
    code, _, err = cli("export", "sheets", "--out", str(tmp_path), "--township", "岐山镇", "--kind", "patrol-form",
                       "--with-history", "--month", "2026-02")
    assert code == 0, err
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["08_岐山镇石堰村西状组和石堰组交汇处_巡查记录表.pdf", "09_岐山镇长康村祁阳皂组_巡查记录表.pdf"]
    assert pages(tmp_path / names[0]) == 3


def test_existing_file_is_kept_without_force_and_replaced_with_it(cli, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "01_宝盖镇高山村20组_防灾工作明白卡.pdf"
    target.write_bytes(b"old")
    code, _, err = cli("export", "sheets", "--out", str(tmp_path), "--point", "1,2", "--kind", "work-card")
    assert code == 2
    assert err.startswith("错误：") and "已存在" in err and "--force" in err
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # point 2 not written either
    code, _, err = cli("export", "sheets", "--out", str(tmp_path), "--point", "1,2", "--kind", "work-card", "--force")
    assert code == 0, err
    assert target.read_bytes().startswith(b"%PDF")
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("argv,message", [
    (["--point", "17"], "没有第 17 号隐患点"),
    (["--point", "abc"], "不是数字"),
    (["--township", "火星镇"], "没有名为“火星镇”"),
    (["--township", "茶市镇"], "茶市镇没有重点监测隐患点"),
    (["--copies", "0"], "份数"),
    (["--month", "2026-13"], "月份"),
])
def test_export_sheets_bad_input(cli, tmp_path, argv, message):
    out = tmp_path / "out"
    code, stdout, err = cli("export", "sheets", "--out", str(out), *argv)
    assert code == 2
    assert message in err and err.startswith("错误：")
    assert not out.exists() or not list(out.iterdir())


def test_unwritable_folder(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = cli("export", "sheets", "--out", str(blocker / "sub"), "--point", "1")
    assert code == 2 and "无法创建文件夹" in err
    code, _, err = cli("export", "map", "--out", str(blocker / "map.pdf"))
    assert code == 2 and "错误：" in err
    if os.geteuid() != 0:  # root writes anywhere; a read-only folder only stops a normal user
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        try:
            code, _, err = cli("export", "sheets", "--out", str(ro), "--point", "1")
            assert code == 2 and "不可写入" in err
        finally:
            ro.chmod(0o700)


def test_failed_write_leaves_no_half_file(cli, tmp_path, monkeypatch):
    import errno

    from hazardmap import files

    def disk_full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_fsync_file", disk_full)  # the bytes are written, the flush to disk fails
    target = tmp_path / "county.pdf"
    code, _, err = cli("export", "map", "--out", str(target))
    assert code == 2 and err == f"错误：无法写入“{target}”：磁盘空间不足\n"
    assert not target.exists()
    assert not leftovers(tmp_path)


def test_export_map_papers(cli, tmp_path):
    target = tmp_path / "a3.pdf"
    code, stdout, err = cli("export", "map", "--out", str(target), "--paper", "A3", "--orientation", "portrait")
    assert code == 0, err
    out = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    assert "841.89 x 1190.55 pts (A3)" in out
    code, _, err = cli("export", "map", "--out", str(target))
    assert code == 2 and "已存在" in err
    code, _, err = cli("export", "map", "--out", str(tmp_path / "map.png"))
    assert code == 2 and ".pdf" in err
    code, _, err = cli("export", "map", "--out", str(tmp_path / "b.pdf"), "--paper", "A5")
    assert code == 2 and "参数有误" in err


def test_export_atlas(cli, tmp_path):
    target = tmp_path / "atlas.pdf"
    code, stdout, err = cli("export", "atlas", "--out", str(target))
    assert code == 0, err
    assert pages(target) == 10
    one = tmp_path / "one.pdf"
    code, _, err = cli("export", "atlas", "--out", str(one), "--township", "向阳桥街道")
    assert code == 0, err
    assert pages(one) == 1
    code, _, err = cli("export", "atlas", "--out", str(tmp_path / "x.pdf"), "--township", "不存在镇")
    assert code == 2 and "没有名为“不存在镇”" in err
    assert not (tmp_path / "x.pdf").exists()


def test_maps_for_outside_the_bureau_mask_phones(cli, tmp_path):
    from hazardmap.domain.points import mask_phone

    target = tmp_path / "masked.pdf"
    code, _, err = cli("export", "map", "--out", str(target), "--mask-phones")
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
    assert "13875622467" not in text and mask_phone("13875622467") in text
    assert "罗金春" in text and "隐去中间四位" in text
    atlas = tmp_path / "atlas.pdf"
    code, _, err = cli("export", "atlas", "--out", str(atlas), "--township", "宝盖镇", "--mask-phones")
    assert code == 0, err
    text = subprocess.run(["pdftotext", str(atlas), "-"], capture_output=True, text=True).stdout
    assert "13875622467" not in text and mask_phone("13875622467") in text
