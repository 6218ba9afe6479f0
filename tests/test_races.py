"""No lost update: several processes edit the same record at the same moment (each round starts
them together at a barrier), through the CLI as a user would. Field-wise edits of different fields
must both be kept (issue: a 危险 judgement went back to 正常 when a note was saved at the same time)."""
from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

from hazardmap.domain.patrol import PatrolDraft
from hazardmap.services import patrol, points

sys.path.insert(0, str(Path(__file__).resolve().parent))
import race_worker  # noqa: E402
import pytest

pytestmark = pytest.mark.both_backends  # service tests: SQLite and a real PostgreSQL server

ROUNDS = 20


def race(home: Path, commands: list[list[list[str]]]) -> list[list[tuple[int, str]]]:
    """commands[w] = the argv list worker w runs, one per round, in lockstep with the others."""
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter, as `python -m hazardmap` is
    barrier, results = ctx.Barrier(len(commands)), ctx.Queue()
    procs = [ctx.Process(target=race_worker.run_rounds, args=(str(home), argvs, barrier, results))
             for argvs in commands]
    for p in procs:
        p.start()
    outs = [results.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return outs


def test_patrol_judgement_and_note_edits_racing_are_both_kept(store, home):
    ids = [patrol.record(store, PatrolDraft(3, f"2026-05-{i + 1:02d} 08:00", "测试", "正常")).entry_ids[0]
           for i in range(ROUNDS)]
    outs = race(home, [[["patrol", "edit", str(i), "--judgement", "危险"] for i in ids],
                       [["patrol", "edit", str(i), "--note", f"备注{i}"] for i in ids]])
    assert all(code == 0 for out in outs for code, _ in out), outs
    lost = [i for i in ids if (patrol.get_entry(store, i).judgement.value, patrol.get_entry(store, i).note)
            != ("危险", f"备注{i}")]
    assert lost == [], f"{len(lost)} of {ROUNDS} races lost an edit"


def test_monitor_name_and_phone_edits_racing_are_both_kept(store, home):
    names = [f"测试{chr(0x4e00 + i)}" for i in range(ROUNDS)]
    phones = [f"1380000{i:04d}" for i in range(ROUNDS)]
    outs = race(home, [[["monitor", "set", "--point", "5", "--name", n] for n in names],
                       [["monitor", "set", "--point", "5", "--phone", p] for p in phones]])
    assert all(code == 0 for out in outs for code, _ in out), outs
    history = points.monitor_history(store, 5)
    # Both edits of every round are recorded, each on top of the state the other left.
    assert len(history) == 2 * ROUNDS
    # The later write of each round must carry both that round's name and its phone.
    lost = sum((history[2 * i + 1].new_name, history[2 * i + 1].new_phone) != (names[i], phones[i])
               for i in range(ROUNDS))
    assert lost == 0, f"{lost} of {ROUNDS} races lost an edit"
    p = points.get_point(store, 5)
    assert (p.monitor, p.phone) == (names[-1], phones[-1])


def test_the_same_log_file_imported_twice_at_once_is_stored_once(store, home, tmp_path):
    files = []
    for i in range(ROUNDS):
        f = tmp_path / f"logs{i}.csv"
        f.write_text(f"隐患点序号,巡查时间,巡查人,判定\n3,2026-06-{i + 1:02d} 08:00,测试,正常\n"
                     f"4,2026-06-{i + 1:02d} 09:00,测试,异常\n", encoding="utf-8")
        files.append(str(f))
    race(home, [[["import", "logs", f] for f in files]] * 2)
    assert patrol.count_entries(store) == 2 * ROUNDS  # each visit once, not once per process
