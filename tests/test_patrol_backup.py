"""Start-up backups (last N kept), restore keeping what it replaces, the network-share warning."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from hazardmap.domain.errors import InvalidInput
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.services import backup
from hazardmap.services import patrol as svc
from hazardmap.services.store import open_store


def test_open_with_backup_keeps_the_last_n(home, monkeypatch):
    monkeypatch.setattr(backup, "KEEP_AUTOMATIC", 3)
    for _ in range(5):
        open_store(home, backup_on_open=True).close()
    autos = [b for b in backup.list_backups(home) if b.kind == "自动"]
    assert len(autos) == 3
    open_store(home).close()  # the CLI does not back up
    assert len(backup.list_backups(home)) == 3
    for b in autos:
        conn = sqlite3.connect(b.path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM hazard_point").fetchone()[0] == 16
        conn.close()


def test_restore_brings_back_the_old_state_and_keeps_a_copy_of_what_it_replaced(home):
    s = open_store(home)
    try:
        first = svc.record(s, PatrolDraft(1, "2026-05-01 08:00", "", "正常")).entry_ids[0]
        snapshot = backup.make_backup(s)
        second = svc.record(s, PatrolDraft(2, "2026-05-02 08:00", "", "危险")).entry_ids[0]
        seen = []
        s.bus.subscribe(seen.append)
        kept, changes = backup.restore_backup(s, snapshot.name)
        assert [e.id for e in svc.list_entries(s)] == [first]
        assert not seen and 2 in changes.patrol_points and changes.rain_gauges   # the caller publishes
        assert kept.name.startswith("before-restore-")
        # Undo the restore by restoring what it replaced.
        backup.restore_backup(s, kept.name)
        assert {e.id for e in svc.list_entries(s)} == {first, second}
        assert s.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert s.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        s.close()


def test_restore_refuses_broken_or_foreign_files(home):
    s = open_store(home)
    try:
        folder = backup.backup_dir(home)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "junk.sqlite3").write_bytes(b"garbage" * 100)
        other = sqlite3.connect(folder / "other.sqlite3")
        other.execute("CREATE TABLE x (a)")
        other.commit()
        other.close()
        svc.record(s, PatrolDraft(1, "2026-05-01 08:00", "", "正常"))
        with pytest.raises(InvalidInput, match="无法读取|损坏"):
            backup.restore_backup(s, "junk.sqlite3")
        with pytest.raises(InvalidInput, match="不是 hazardmap"):
            backup.restore_backup(s, "other")
        with pytest.raises(InvalidInput, match="无效"):
            backup.restore_backup(s, "..")
        with pytest.raises(InvalidInput, match="自身"):  # a path is allowed, but not the live database
            backup.restore_backup(s, str(folder / ".." / "hazardmap.sqlite3"))
        assert len(svc.list_entries(s)) == 1  # nothing replaced
    finally:
        s.close()


def test_second_copy_sees_restored_data(home):
    a, b = open_store(home), open_store(home)
    try:
        snap = backup.make_backup(a)
        svc.record(a, PatrolDraft(1, "2026-05-01 08:00", "", "正常"))
        assert len(svc.list_entries(b)) == 1
        backup.restore_backup(a, snap.name)
        assert svc.list_entries(b) == []
    finally:
        a.close()
        b.close()


MOUNTS = """/dev/sda1 / ext4 rw 0 0
server:/export /mnt/bureau nfs4 rw 0 0
//fs/share /mnt/smb cifs rw 0 0
"""


@pytest.mark.parametrize("path, warned", [
    ("/home/u/.local/share/hazardmap/hazardmap.sqlite3", False),
    ("/mnt/bureau/hazardmap/hazardmap.sqlite3", True),
    ("/mnt/smb/h.sqlite3", True),
    ("/mnt/bureaux/h.sqlite3", False),  # a prefix of a name is not the mount
])
def test_network_share_warning_on_linux(path, warned):
    w = backup.network_share_warning(Path(path), platform="linux", mounts_text=MOUNTS)
    assert (w is not None) == warned
    if warned:
        assert "网络共享" in w


def test_unc_path_warns_on_any_platform():
    assert "网络共享" in backup.network_share_warning(Path(r"\\server\share\hazardmap.sqlite3"), platform="win32")


def test_local_store_has_no_warning(store):
    assert store.warnings == []
