"""Integrity first: a damaged database (bytes flipped, cut in half, 0 bytes, not a database) is refused
before anything is written to it, by every command, with the newest good backup named; backups are
checked before they count; a full disk, a read-only folder and a HAZARDMAP_HOME that is a file give a
Chinese message and leave no .part files; files are private (0600, folder 0700)."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hazardmap.domain.errors import DatabaseDamaged, DataFolderUnusable, StorageError
from hazardmap.services import backup
from hazardmap.services.store import db_path, open_store
from tests.conftest import ROOT

ENTRIES = 3000   # patrol entries in the populated database (about 0.6 MB, ~150 pages)
STARTS = 3       # start-up backups taken of it (all good)


# ---- a populated data folder, and ways to damage it ----------------------------------------------

def _populate(home: Path) -> None:
    """Synthetic patrol entries (one transaction), then three start-up backups of them."""
    s = open_store(home)
    try:
        with s.db.write() as conn:
            conn.executemany(
                "INSERT INTO patrol_log (point_seq, patrolled_at, patroller, weather, rain_mm, judgement, action,"
                " note, recorded_by, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(i % 16 + 1, f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d} {i % 24:02d}:00", f"测试员{i % 7}", "小雨",
                  float(i % 100), ("正常", "异常", "危险")[i % 3], "加密巡查", f"测试备注{i}" * 3, "test",
                  "2026-05-01T08:00:00+08:00") for i in range(ENTRIES)])
    finally:
        s.close()
    for _ in range(STARTS):
        open_store(home, backup_on_open=True).close()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("template") / "home"
    _populate(home)
    return home


@pytest.fixture
def populated(template, home) -> Path:
    shutil.copytree(template, home)
    return home


def flip_middle(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if offset is None else offset
    for i in range(at, at + 64):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def truncate_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def zero_bytes(path: Path) -> None:
    os.truncate(path, 0)


def garbage(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(path.stat().st_size))


DAMAGE = {"flipped": flip_middle, "truncated": truncate_half, "zero": zero_bytes, "garbage": garbage}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in sorted(folder.glob("*.sqlite3"))}


def no_part_files(home: Path) -> bool:
    return not [p for p in home.rglob("*") if ".part" in p.name or ".new-" in p.name]


def hm(home: Path, *args: str) -> subprocess.CompletedProcess:
    """The real command line, in its own process."""
    env = {**os.environ, "HAZARDMAP_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "hazardmap", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def chinese_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr, result.stderr
    assert result.stderr.startswith("错误：") or "错误：" in result.stderr, result.stderr
    return result.stderr


# ---- damaged databases through the command line ------------------------------------------------------

@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_database_is_refused_by_every_command_and_restored_from_inside(populated, kind):
    home = populated
    db = db_path(home)
    DAMAGE[kind](db)
    damaged = digest(db)
    good_before = snapshot(backup.backup_dir(home))
    newest = sorted(good_before)[-1]

    for args in (["points"], ["patrol", "add", "--point", "1", "--at", "2026-05-03 08:00", "--judgement", "正常"]):
        err = chinese_error(hm(home, *args))
        assert "已损坏" in err and "没有对它做任何写入" in err
        assert f"hazardmap backup restore {newest}" in err  # the remedy, with the newest good backup
        assert digest(db) == damaged  # never written to, never re-seeded

    listed = hm(home, "backup", "list", "--format", "json")
    assert listed.returncode == 0 and "已损坏" in listed.stderr and "Traceback" not in listed.stderr
    rows = json.loads(listed.stdout)
    assert {r["name"] for r in rows} == set(good_before) and all(r["check"] == "完好" for r in rows)

    err = chinese_error(hm(home, "backup", "now"))
    assert "未备份" in err
    assert snapshot(backup.backup_dir(home)) == good_before  # damage never enters the backups
    assert digest(db) == damaged

    done = hm(home, "backup", "restore", newest)
    assert done.returncode == 0, done.stderr
    kept = [p for p in backup.backup_dir(home).glob("damaged-before-restore-*.sqlite3")]
    assert len(kept) == 1 and digest(kept[0]) == damaged and "损坏的数据库已另存为" in done.stdout
    entries = json.loads(hm(home, "patrol", "list", "--format", "json").stdout)
    assert len(entries) == ENTRIES
    assert no_part_files(home)


def test_restore_by_path_when_the_database_is_damaged(populated, tmp_path):
    elsewhere = tmp_path / "从U盘拷回的备份.sqlite3"
    shutil.copy(sorted(backup.backup_dir(populated).glob("auto-*"))[0], elsewhere)
    truncate_half(db_path(populated))
    done = hm(populated, "backup", "restore", str(elsewhere))
    assert done.returncode == 0, done.stderr
    assert len(json.loads(hm(populated, "patrol", "list", "--format", "json").stdout)) == ENTRIES


def test_restore_refuses_a_damaged_backup_and_changes_nothing(populated):
    db = db_path(populated)
    zero_bytes(db)
    bad = backup.backup_dir(populated) / "manual-bad.sqlite3"
    shutil.copy(sorted(backup.backup_dir(populated).glob("auto-*"))[0], bad)
    flip_middle(bad)
    err = chinese_error(hm(populated, "backup", "restore", bad.name))
    assert "未恢复" in err and db.stat().st_size == 0
    listed = json.loads(hm(populated, "backup", "list", "--format", "json").stdout)
    assert {r["name"]: r["ok"] for r in listed}[bad.name] is False


def test_first_run_seeds_but_an_empty_or_foreign_file_is_not_a_first_run(home):
    db = db_path(home)
    home.mkdir(parents=True)
    db.touch()
    with pytest.raises(DatabaseDamaged, match="0 字节"):
        open_store(home)
    assert db.stat().st_size == 0
    foreign = sqlite3.connect(db)
    foreign.execute("CREATE TABLE other_app (x)")
    foreign.commit()
    foreign.close()
    with pytest.raises(DatabaseDamaged, match="不是 hazardmap"):
        open_store(home)
    db.unlink()
    s = open_store(home)  # no file at all: the first run, created and seeded
    try:
        assert s.db.conn.execute("SELECT COUNT(*) FROM hazard_point").fetchone()[0] == 16
    finally:
        s.close()
    assert [p.name for p in home.iterdir() if ".new-" in p.name] == []


def test_a_first_run_cut_short_by_an_older_version_is_seeded(home):
    """An interrupted first run of an older version left a valid SQLite file with no tables: nothing
    of the user's is in it, so seeding it loses nothing."""
    home.mkdir(parents=True)
    conn = sqlite3.connect(db_path(home))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    s = open_store(home)
    try:
        assert s.db.conn.execute("SELECT COUNT(*) FROM hazard_point").fetchone()[0] == 16
    finally:
        s.close()


def test_quick_check_on_open_catches_page_damage_from_flipped_bytes(template, tmp_path):
    """64 bytes flipped at 40 places in the middle half of a populated database. Whatever SQLite's full
    check would find, the window's start (quick check, then the checked start-up backup) refuses, and a
    refused file is left byte for byte as it was. Only damage inside a row's text, which no check can
    see, gets through."""
    rng = random.Random(10)
    size = db_path(template).stat().st_size
    counts = {"refused on open": 0, "refused at the start-up backup": 0, "undetectable": 0}
    for n in range(40):
        home = tmp_path / f"h{n}"
        shutil.copytree(template, home)
        db = db_path(home)
        flip_middle(db, rng.randrange(size // 4, 3 * size // 4))
        probe = tmp_path / f"probe{n}.sqlite3"
        shutil.copy(db, probe)
        c = sqlite3.connect(probe)
        try:
            full = c.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            full = str(exc)
        c.close()
        before, backups_before = digest(db), snapshot(backup.backup_dir(home))
        try:
            open_store(home).close()
        except DatabaseDamaged:
            counts["refused on open"] += 1
            assert digest(db) == before
            continue
        try:
            open_store(home, backup_on_open=True).close()
        except DatabaseDamaged:
            counts["refused at the start-up backup"] += 1
            assert snapshot(backup.backup_dir(home)) == backups_before
            continue
        assert full == "ok", f"offset {n}: SQLite finds {full!r} but hazardmap opened it"
        counts["undetectable"] += 1
    print(counts)
    # Most flips hit page structure: measured 31 of 40, 29 of 40 once patrol_latest moved the file's
    # layout; the others landed inside row text, which no check sees (asserted "ok" above).
    assert counts["refused on open"] >= 25


def test_ten_restarts_on_a_damaged_database_leave_the_good_backups_intact(populated):
    folder = backup.backup_dir(populated)
    good = snapshot(folder)
    flip_middle(db_path(populated))
    for _ in range(10):
        with pytest.raises(DatabaseDamaged) as caught:
            open_store(populated, backup_on_open=True)
        assert caught.value.newest_good_backup == folder / sorted(good)[-1]
    assert snapshot(folder) == good
    assert all(b.ok for b in backup.list_backups(populated))


def test_damaged_old_backups_are_set_aside_and_never_counted(populated, monkeypatch):
    """Backups an older version copied from a damaged database: never counted among the kept ones."""
    folder = backup.backup_dir(populated)
    source = sorted(folder.glob("auto-*"))[0]
    for i in range(5):
        bad = folder / f"auto-20200101-00000{i}-000000.sqlite3"
        shutil.copy(source, bad)
        truncate_half(bad)
    monkeypatch.setattr(backup, "KEEP_AUTOMATIC", 2)
    for _ in range(4):
        open_store(populated, backup_on_open=True).close()
    listed = backup.list_backups(populated)
    autos = [b for b in listed if b.kind == "自动"]
    aside = [b for b in listed if b.name.startswith("damaged-auto-2020")]
    assert len(autos) == 2 and all(b.ok for b in autos)
    assert len(aside) == 5 and not any(b.ok for b in aside) and all(b.kind == "已损坏" for b in aside)
    assert backup.newest_good_backup(populated) == autos[0].path


def test_index_damage_the_quick_check_misses_stops_the_start_up_backup(populated):
    """An index that disagrees with its table passes quick_check; the checked start-up backup finds it
    and refuses to count the copy (the database is reported damaged, no backup is added)."""
    db = db_path(populated)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute("UPDATE sqlite_master SET sql = replace(sql, 'patrol_log(patrolled_at)', 'patrol_log(note)')"
                 " WHERE name = 'patrol_log_at'")
    conn.commit()
    conn.close()
    folder = backup.backup_dir(populated)
    before = snapshot(folder)
    open_store(populated).close()  # the quick check passes: this damage is index against table
    with pytest.raises(DatabaseDamaged) as caught:
        open_store(populated, backup_on_open=True)
    assert caught.value.newest_good_backup is not None
    assert snapshot(folder) == before and no_part_files(populated)


def test_a_copy_that_fails_its_check_is_discarded(populated, monkeypatch):
    from hazardmap.storage import backups as files

    real = files.check_file
    monkeypatch.setattr(files, "check_file", lambda p, **k: files.FileCheck(False, "测试：检查未通过")
                        if p.name.endswith(".part") else real(p, **k))
    before = snapshot(backup.backup_dir(populated))
    s = open_store(populated)
    try:
        with pytest.raises(StorageError, match="已丢弃"):
            backup.make_backup(s)
    finally:
        s.close()
    assert snapshot(backup.backup_dir(populated)) == before and no_part_files(populated)


# ---- full disk, read-only folder, a data folder that is a file --------------------------------------



def _start_with_backup_failing(populated, monkeypatch, step: str, error: int) -> list[str]:
    """Open the store with its start-up backup failing at `step` (a function of storage.backups) with
    the OS error `error`; returns the warnings the window would show."""
    from hazardmap.storage import backups as files

    def fail(path):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(files, step, fail)
    s = open_store(populated, backup_on_open=True)
    try:
        return list(s.warnings)
    finally:
        s.close()


def test_full_disk_at_the_copy_gives_chinese_and_leaves_no_part_file(populated, monkeypatch):
    """Simulated (monkeypatched ENOSPC once the copy is written); a real full disk is tested below."""
    before = snapshot(backup.backup_dir(populated))
    warnings = _start_with_backup_failing(populated, monkeypatch, "_fsync", errno.ENOSPC)
    assert any("启动时自动备份失败" in w and "磁盘空间不足" in w for w in warnings), warnings
    assert snapshot(backup.backup_dir(populated)) == before and no_part_files(populated)


def test_read_only_backups_folder_at_the_copy_warns_and_opens(populated, monkeypatch):
    """Simulated (monkeypatched EROFS creating the copy); a real read-only mount is tested below."""
    warnings = _start_with_backup_failing(populated, monkeypatch, "create_private_file", errno.EROFS)
    assert any("只读" in w for w in warnings), warnings
    assert no_part_files(populated)


@pytest.fixture
def tmpfs(tmp_path):
    """A small tmpfs of its own (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "mnt"
    mount.mkdir()

    def mount_it(size: str, *extra: str) -> Path:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount), *extra],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        return mount

    yield mount_it
    subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _fill(folder: Path, leave: int) -> None:
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave))


def test_a_real_full_disk(tmpfs):
    mount = tmpfs("1m")
    home = mount / "home"
    assert hm(home, "patrol", "add", "--point", "1", "--at", "2026-05-01 08:00", "--judgement", "正常").returncode == 0
    _fill(mount, leave=96 * 1024)  # room to open and read, not to copy the database
    assert hm(home, "points").returncode == 0
    err = chinese_error(hm(home, "backup", "now"))
    assert "磁盘空间不足" in err and "备份没有写成" in err
    s = open_store(home, backup_on_open=True)  # the window's start: it opens, and says why no backup
    try:
        assert any("磁盘空间不足" in w for w in s.warnings), s.warnings
    finally:
        s.close()
    assert no_part_files(home)
    _fill(mount, leave=0)  # nothing left at all: even opening fails, in Chinese
    err = chinese_error(hm(home, "points"))
    assert "磁盘空间不足" in err
    assert no_part_files(home)


def test_a_real_read_only_folder(tmpfs):
    mount = tmpfs("4m")
    home = mount / "home"
    assert hm(home, "points").returncode == 0
    backups_dir = home / "backups"
    open_store(home, backup_on_open=True).close()
    # Only the backups folder read-only: the database still opens, the window is told why.
    subprocess.run(["mount", "--bind", str(backups_dir), str(backups_dir)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(backups_dir)], check=True)
        s = open_store(home, backup_on_open=True)
        try:
            assert any("只读" in w for w in s.warnings), s.warnings
        finally:
            s.close()
        err = chinese_error(hm(home, "backup", "now"))
        assert "只读" in err
    finally:
        subprocess.run(["umount", str(backups_dir)], check=True)
    assert no_part_files(home)
    # The whole data folder read-only: every command says so in Chinese; backup list still works.
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    for args in (["points"], ["backup", "now"], ["backup", "restore", backup.list_backups(home)[0].name]):
        err = chinese_error(hm(home, *args))
        assert "只读" in err, err
    listed = hm(home, "backup", "list")
    assert listed.returncode == 0 and "完好" in listed.stdout and "已损坏" not in listed.stderr


@pytest.mark.parametrize("inside", [False, True])
def test_hazardmap_home_that_is_a_file(tmp_path, inside):
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    home = target / "sub" if inside else target
    for args in (["points"], ["backup", "list"], ["backup", "now"], ["backup", "restore", "x"]):
        err = chinese_error(hm(home, *args))
        assert "不是文件夹" in err and "HAZARDMAP_HOME" in err
    assert target.read_text() == "x"


# ---- private files ----------------------------------------------------------------------------------

@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_files_are_private_whatever_the_umask(home):
    old = os.umask(0)  # the loosest: nothing the app creates may rely on the umask
    try:
        s = open_store(home, backup_on_open=True)
        try:
            with s.db.write() as conn:
                conn.execute("UPDATE setting SET value = value")
            backup.list_backups(home)
            wal, shm = (db_path(home).with_name(db_path(home).name + x) for x in ("-wal", "-shm"))
            assert wal.exists() and shm.exists()
            files = [db_path(home), wal, shm, *backup.backup_dir(home).iterdir()]
            for f in files:
                assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
            for d in (home, backup.backup_dir(home)):
                assert stat.S_IMODE(d.stat().st_mode) == 0o700, d
        finally:
            s.close()
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_existing_loose_files_are_tightened_on_open(home):
    open_store(home, backup_on_open=True).close()
    os.chmod(home, 0o755)
    os.chmod(db_path(home), 0o644)
    open_store(home).close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(db_path(home).stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_shared_sticky_folder_given_as_home_is_not_re_moded(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)  # like /tmp
    open_store(shared).close()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE(db_path(shared).stat().st_mode) == 0o600


def test_the_data_folder_error_is_typed(tmp_path):
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(DataFolderUnusable):
        open_store(f)
