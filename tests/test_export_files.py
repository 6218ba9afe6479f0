"""Every export path: an existing file is kept unless --force; a failed write leaves nothing, neither
beside the destination nor in the system temp folder; read-only folders and full disks end in one
Chinese line. Also `export sheets --mask-phones`."""
from __future__ import annotations

import os
import tempfile
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.name.endswith(".part"))


# (name, file name, extra arguments, how the new file starts)
EXPORTS = [
    ("export logs xlsx", "台账.xlsx", ["export", "logs"], b"PK"),
    ("export logs csv", "台账.csv", ["export", "logs"], "\ufeff记录编号".encode("utf-8")),
    ("export map", "县域图.pdf", ["export", "map"], b"%PDF"),
    ("export atlas", "图集.pdf", ["export", "atlas", "--township", "宝盖镇"], b"%PDF"),
    ("map-html", "地图.html", ["map-html"], b"<!DOCTYPE html>"),
]


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize("name,filename,argv,magic", EXPORTS, ids=[e[0] for e in EXPORTS])
def test_an_existing_file_is_kept_without_force_and_replaced_with_it(cli, out, name, filename, argv, magic):
    target = out / filename
    target.write_bytes(b"the user's own file")
    code, stdout, err = cli(*argv, "--out", str(target))
    assert code == 2 and stdout == ""
    assert err == f"错误：“{filename}”已存在，未做任何改动；如要覆盖请加 --force\n"
    assert target.read_bytes() == b"the user's own file"
    code, _, err = cli(*argv, "--out", str(target), "--force")
    assert code == 0, err
    assert target.read_bytes().lstrip().startswith(magic)
    assert leftovers(out) == []


def test_export_sheets_refuses_existing_cards_and_replaces_them_with_force(cli, out):
    card = out / "01_宝盖镇高山村20组_防灾工作明白卡.pdf"
    card.write_bytes(b"old")
    code, _, err = cli("export", "sheets", "--out", str(out), "--point", "1", "--kind", "work-card")
    assert code == 2 and "已存在" in err and "--force" in err and card.read_bytes() == b"old"
    code, _, err = cli("export", "sheets", "--out", str(out), "--point", "1", "--kind", "work-card", "--force")
    assert code == 0, err
    assert card.read_bytes().startswith(b"%PDF") and leftovers(out) == []


def _run(home, *argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HAZARDMAP_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "hazardmap", *argv], capture_output=True, env=env, timeout=180)


def test_screenshot_refuses_an_existing_file_and_replaces_it_with_force(home, out):
    target = out / "窗口.png"
    target.write_bytes(b"old")
    run = _run(home, "screenshot", "--out", str(target))
    assert run.returncode == 2 and target.read_bytes() == b"old"
    assert run.stderr.decode("utf-8") == "错误：“窗口.png”已存在，未做任何改动；如要覆盖请加 --force\n"
    run = _run(home, "screenshot", "--out", str(target), "--force", "--width", "900", "--height", "640")
    assert run.returncode == 0, run.stderr.decode("utf-8", "replace")[-2000:]
    assert target.read_bytes().startswith(b"\x89PNG") and leftovers(out) == []


# ---- failures mid-write ------------------------------------------------------------------------

def _some_entries(store, n=30):
    from hazardmap.domain.patrol import PatrolDraft
    from hazardmap.services import patrol

    for i in range(n):
        patrol.record(store, PatrolDraft(1 + i % 16, f"2026-04-{1 + i % 28:02d} 08:00", "测试员", "正常",
                                         note=f"合成备注 {i}"))


def test_xlsx_scratch_files_never_touch_the_system_temp_even_when_the_export_dies(store, out, system_temp,
                                                                                  monkeypatch):
    """openpyxl streams each sheet through a scratch file; a killed export left one (names, phones)
    in the system temp folder. Now they live in the export's own work folder and go with it."""
    from openpyxl.writer.excel import ExcelWriter

    from hazardmap.services import patrol_excel

    _some_entries(store)
    seen = []
    original = ExcelWriter.write_worksheet

    def dies_after_the_first_sheet(self, ws):
        # Here a kill would leave whatever exists now: nothing in the system temp, the rest beside the export.
        seen.append((sorted(os.listdir(system_temp)),
                     sorted(n for d in out.iterdir() if d.is_dir() for n in os.listdir(d))))
        if len(seen) == 2:
            raise RuntimeError("killed")
        return original(self, ws)

    monkeypatch.setattr(ExcelWriter, "write_worksheet", dies_after_the_first_sheet)
    with pytest.raises(RuntimeError):
        patrol_excel.export_logs(store, out / "台账.xlsx", mask_phones=False)
    assert seen[0][0] == [] and seen[1][0] == []
    assert any(n.startswith("openpyxl.") for n in seen[0][1])  # the scratch files were beside the export
    assert list(out.iterdir()) == [] and list(system_temp.iterdir()) == []


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_ctrl_c_during_export_logs_leaves_nothing(cli, out, system_temp, monkeypatch, suffix):
    from hazardmap.services import patrol_excel

    writer = "_write_xlsx" if suffix == ".xlsx" else "_write_csv"
    original = getattr(patrol_excel, writer)

    def interrupted(path, *args, **kwargs):
        original(path, *args, **kwargs)  # the whole file is written, then Ctrl+C before the rename
        raise KeyboardInterrupt

    monkeypatch.setattr(patrol_excel, writer, interrupted)
    code, _, err = cli("export", "logs", "--out", str(out / f"台账{suffix}"))
    assert code == 130 and err == "已中断\n"
    assert list(out.iterdir()) == [] and list(system_temp.iterdir()) == []


def test_a_failed_map_page_leaves_nothing(cli, out, system_temp, monkeypatch):
    import errno

    from hazardmap import files

    def disk_full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_fsync_file", disk_full)
    code, _, err = cli("map-html", "--out", str(out / "地图.html"))
    assert code == 2 and err.startswith(f"错误：无法写入“{out}") and err.endswith("”：磁盘空间不足\n")
    assert not (out / "地图.html").exists() and leftovers(out) == [] and list(system_temp.iterdir()) == []
    assert leftovers(out / "hazardmap_assets") == []


def test_read_only_output_folder_simulated(cli, out, monkeypatch):
    """Simulated with a monkeypatch (root ignores chmod): the work folder cannot be created."""
    import errno

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    code, out_text, err = cli("export", "logs", "--out", str(out / "台账.xlsx"))
    assert code == 2 and out_text == ""
    assert err == f"错误：无法写入“{out / '台账.xlsx'}”：磁盘或文件夹是只读的\n"


# ---- real read-only and full file systems (a tmpfs mount; root only) ----------------------------

@pytest.fixture
def tmpfs(tmp_path):
    mounted = []

    def mount(name: str, options: str):
        if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a tmpfs needs root")
        point = tmp_path / name
        point.mkdir()
        run = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if run.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {run.stderr.decode(errors='replace').strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(point)], capture_output=True)  # busy: detach it anyway


@pytest.mark.parametrize("argv,filename", [(["export", "logs"], "台账.xlsx"), (["export", "map"], "县域图.pdf"),
                                           (["map-html"], "地图.html")])
def test_read_only_mount(cli, tmpfs, argv, filename):
    folder = tmpfs("ro", "ro,size=1m")
    code, _, err = cli(*argv, "--out", str(folder / filename))
    assert code == 2 and err.startswith("错误：") and "磁盘或文件夹是只读的" in err and err.count("\n") == 1, err


@pytest.mark.parametrize("argv,filename", [(["export", "logs"], "台账.xlsx"), (["export", "map"], "县域图.pdf"),
                                           (["export", "atlas"], "图集.pdf")])
def test_full_disk(home, tmpfs, argv, filename, store):
    """In a real process: the whole stderr (also what the interpreter prints at exit) is one Chinese line."""
    _some_entries(store, 300)
    folder = tmpfs("full", "size=16k")
    run = _run(home, *argv, "--out", str(folder / filename))
    err = run.stderr.decode("utf-8")
    assert run.returncode == 2 and err == f"错误：无法写入“{folder / filename}”：磁盘空间不足\n", err
    assert list(folder.iterdir()) == []


# ---- export sheets --mask-phones --------------------------------------------------------------

@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_export_sheets_masks_phones(cli, out):
    from hazardmap.domain.points import mask_phone

    code, stdout, err = cli("export", "sheets", "--out", str(out), "--point", "1", "--mask-phones")
    assert code == 0, err
    assert "电话已隐去中间四位" in stdout
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "13875622467" not in text and mask_phone("13875622467") in text, pdf.name
        assert "罗金春" in text
