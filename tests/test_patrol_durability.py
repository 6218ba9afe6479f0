"""Nothing lost: kill -9 a writing process at random moments, then check integrity and count every
entry it reported committed; two processes writing at once both succeed and see each other."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

from hazardmap.services.store import db_path
from tests.conftest import ROOT

WRITER = str(ROOT / "tests" / "patrol_writer.py")
KILLS = 40


def _env(home):
    return {**os.environ, "HAZARDMAP_HOME": str(home), "PYTHONPATH": str(ROOT)}


def _ids(text: str) -> set[int]:
    return {int(line) for line in text.split() if line.isdigit()}


def test_kill_9_at_random_moments_loses_no_committed_entry(home):
    rng = random.Random(4)
    # How long a writer takes here to start, create a database and commit one entry (about 0.3 s on a
    # quiet machine, several times that on a loaded one), measured in a folder of its own.
    t = time.monotonic()
    subprocess.run([sys.executable, WRITER, "calibrate", "1"], env=_env(home.parent / "calibrate"),
                   capture_output=True, check=True, timeout=120)
    first_commit = time.monotonic() - t
    committed: set[int] = set()
    started = time.monotonic()
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, WRITER, "killed", "0"], env=_env(home),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Kill anywhere from during start-up/migration to deep in the write loop.
        time.sleep(rng.uniform(0.05, 2.5 * first_commit))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        committed |= _ids(out)
    elapsed = time.monotonic() - started
    conn = sqlite3.connect(db_path(home))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        present = {r[0] for r in conn.execute("SELECT id FROM patrol_log")}
        # Each committed entry came with its children and audit row in the same transaction.
        no_audit = conn.execute("SELECT COUNT(*) FROM patrol_log l WHERE NOT EXISTS"
                                " (SELECT 1 FROM patrol_audit a WHERE a.log_id = l.id)").fetchone()[0]
        no_sign = conn.execute("SELECT COUNT(*) FROM patrol_log l WHERE NOT EXISTS"
                               " (SELECT 1 FROM patrol_sign s WHERE s.log_id = l.id)").fetchone()[0]
    finally:
        conn.close()
    assert len(committed) > KILLS  # the writer really wrote between kills
    assert committed <= present, f"lost after kill -9: {sorted(committed - present)[:10]}"
    assert no_audit == 0 and no_sign == 0
    print(f"{KILLS} kills in {elapsed:.1f} s, {len(committed)} committed entries, all present")


def test_two_processes_writing_at_once(home):
    from hazardmap.services.store import open_store

    open_store(home).close()  # create the database first, as the first copy of the app would
    n = 150
    procs = [subprocess.Popen([sys.executable, WRITER, name, str(n), str(2 * n)], env=_env(home),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for name in ("甲", "乙")]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert f"others={n}" in out  # each copy sees all of the other's entries
    ids = [_ids(out) for out, _ in outs]
    assert len(ids[0]) == n and len(ids[1]) == n and not ids[0] & ids[1]
    conn = sqlite3.connect(db_path(home))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM patrol_log").fetchone()[0] == 2 * n
    finally:
        conn.close()
