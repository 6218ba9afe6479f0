"""The window's start-up backup taken in a thread (services/backup.py StartBackup): the database's writes
wait for it, so the copy is the data as it was at the start; when its check finds the database damaged,
no write goes through."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from hazardmap.domain.errors import DatabaseDamaged
from hazardmap.services import backup
from hazardmap.storage import backups as files
from hazardmap.storage.db import Database


def monitor_in(path, seq: int) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT monitor FROM hazard_point WHERE seq = ?", (seq,)).fetchone()[0]
    finally:
        conn.close()


def test_a_write_waits_for_the_copy_which_holds_the_data_as_at_the_start(store, monkeypatch):
    before = monitor_in(store.db.path, 1)
    go = threading.Event()
    real = backup.backup_on_start

    def held(s, keep=None):   # the copy starts only once the write below has been asked for
        assert go.wait(20)
        return real(s, keep=keep)

    monkeypatch.setattr(backup, "backup_on_start", held)
    start = backup.StartBackup(store)
    threading.Timer(0.2, go.set).start()
    with store.db.write() as conn:
        conn.execute("UPDATE hazard_point SET monitor = '开始之后' WHERE seq = 1")
    assert start.done and start.error is None and start.warning is None
    assert monitor_in(start.made, 1) == before != "开始之后"
    assert monitor_in(store.db.path, 1) == "开始之后"
    start.finish()


def test_damage_found_by_the_copys_check_refuses_every_write(store, monkeypatch):
    monkeypatch.setattr(files, "check_file", lambda *a, **k: files.FileCheck(False, "测试：副本检查未通过"))
    monkeypatch.setattr(Database, "integrity", lambda self: "*** in database main ***\nPage 7: 测试损坏")
    start = backup.StartBackup(store)
    for _ in range(2):
        with pytest.raises(DatabaseDamaged):
            with store.db.write() as conn:
                conn.execute("UPDATE hazard_point SET monitor = '不应写入' WHERE seq = 1")
    assert start.warning is None and monitor_in(store.db.path, 1) != "不应写入"
    start.finish()


def test_another_failure_is_a_warning_and_writing_goes_on(store, monkeypatch):
    monkeypatch.setattr(files, "check_file", lambda *a, **k: files.FileCheck(False, "测试：副本检查未通过"))
    start = backup.StartBackup(store)
    with store.db.write() as conn:
        conn.execute("UPDATE hazard_point SET monitor = '照常写入' WHERE seq = 1")
    assert start.made is None and start.warning.startswith("启动时自动备份失败：备份写入后检查未通过")
    start.finish()
