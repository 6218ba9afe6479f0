"""hazardmap.files, the one atomic writer: whole file or nothing, never over an existing file unasked,
no temp file left beside the destination or in the system temp folder, whatever goes wrong."""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest

from hazardmap.domain.errors import FileExists, InvalidInput, WriteFailed
from hazardmap import files
from hazardmap.files import atomic_write, check_not_existing, copy_file, write_bytes, write_text


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_writes_the_whole_file(out, system_temp):
    target = write_bytes(out / "a.pdf", b"%PDF-1.7 x")
    assert target.read_bytes() == b"%PDF-1.7 x"
    assert os.listdir(out) == ["a.pdf"] and os.listdir(system_temp) == []


def test_refuses_an_existing_file_without_force_and_replaces_it_with(out):
    target = out / "台账.xlsx"
    target.write_bytes(b"the user's own")
    with pytest.raises(FileExists) as info:
        write_bytes(target, b"new")
    assert info.value.paths == (target,) and "“台账.xlsx”已存在" in str(info.value)
    assert "--force" not in str(info.value)  # the core names no CLI flag; each face words the remedy
    assert target.read_bytes() == b"the user's own" and os.listdir(out) == ["台账.xlsx"]
    write_bytes(target, b"new", force=True)
    assert target.read_bytes() == b"new" and os.listdir(out) == ["台账.xlsx"]


def test_batch_check_names_the_existing_files(out):
    paths = [out / f"{i}.pdf" for i in range(5)]
    for p in paths[:4]:
        p.write_bytes(b"x")
    with pytest.raises(FileExists) as info:
        check_not_existing(paths, force=False)
    assert len(info.value.paths) == 4 and "等 4 个文件" in info.value.names
    check_not_existing(paths, force=True)


def test_a_file_appearing_during_the_write_is_not_replaced(out):
    target = out / "a.csv"
    with pytest.raises(FileExists):
        with atomic_write(target) as tmp:
            tmp.write_bytes(b"ours")
            target.write_bytes(b"someone else's")  # e.g. another export finished first
    assert target.read_bytes() == b"someone else's" and os.listdir(out) == ["a.csv"]


@pytest.mark.parametrize("failure", [RuntimeError("boom"), KeyboardInterrupt()])
def test_a_failure_mid_write_leaves_nothing_anywhere(out, system_temp, failure):
    target = out / "a.xlsx"
    with pytest.raises(type(failure)):
        with atomic_write(target) as tmp:
            tmp.write_bytes(b"half of it")
            (tmp.parent / "scratch.xml").write_bytes(b"a library's scratch file")
            raise failure
    assert os.listdir(out) == [] and os.listdir(system_temp) == []


def test_an_os_error_becomes_a_chinese_write_failed(out, system_temp, monkeypatch):
    def disk_full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_fsync_file", disk_full)
    with pytest.raises(WriteFailed) as info:
        write_text(out / "a.html", "<html>")
    assert str(info.value) == f"无法写入“{out / 'a.html'}”：磁盘空间不足" and info.value.errno == errno.ENOSPC
    assert os.listdir(out) == [] and os.listdir(system_temp) == []


def test_a_read_only_folder_becomes_a_chinese_write_failed(out, monkeypatch):
    # Simulated (the tests may run as root, whom chmod does not stop): the work folder cannot be made.
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    with pytest.raises(WriteFailed, match="磁盘或文件夹是只读的"):
        write_bytes(out / "a.pdf", b"x")


def test_bad_targets_are_refused_before_any_work(out):
    with pytest.raises(InvalidInput, match="是一个文件夹"):
        write_bytes(out, b"x")
    with pytest.raises(InvalidInput, match="不存在"):
        write_bytes(out / "missing" / "a.pdf", b"x")
    assert os.listdir(out) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_files_are_readable_by_their_owner_only(out):
    old = os.umask(0o022)
    try:
        target = write_bytes(out / "a.csv", b"names and phones")
        copied = copy_file(target, out / "b.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and stat.S_IMODE(copied.stat().st_mode) == 0o600


def test_copy_in_is_all_or_nothing(tmp_path):
    """Photos and work documents come into the data folder through one copier: new names, nothing left
    behind when one file of the lot is refused."""
    home, src = tmp_path / "home", tmp_path / "src"
    src.mkdir()
    (src / "a.JPG").write_bytes(b"jpeg")
    (src / "b.exe").write_bytes(b"MZ")
    with pytest.raises(InvalidInput, match="^“b.exe”不是照片文件（支持 .jpg、.png）$"):
        files.copy_in([src / "a.JPG", src / "b.exe"], home, Path("photos/2026"), {".jpg", ".png"},
                      noun="照片文件", kind="照片文件")
    assert not [p for p in home.rglob("*") if p.is_file()]
    with pytest.raises(InvalidInput, match="^文件“.*c.pdf”不存在$"):
        files.copy_in([src / "c.pdf"], home, Path("docs"), {".pdf"}, noun="文件", kind="文件")
    ((rel, name, dest),) = files.copy_in([src / "a.JPG"], home, Path("photos/2026"), {".jpg"}, noun="照片文件",
                                         kind="照片文件")
    assert name == "a.JPG" and rel.startswith("photos/2026/") and rel.endswith(".jpg")
    assert dest == home / rel and dest.read_bytes() == b"jpeg"
