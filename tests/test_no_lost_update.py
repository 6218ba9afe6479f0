"""No lost update between desks: every editable record carries a version; an edit made from a stale
version is refused naming theirs (who, when) and mine; applying mine is the same edit from the current
version; patrol entries from several desks never collide. On SQLite and on a real PostgreSQL server;
the 8-process test runs against the server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from hazardmap.domain.errors import EditConflict
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.services import patrol, plan, points, register
from hazardmap.services.store import open_store
from tests.conftest import ROOT

pytestmark = pytest.mark.both_backends


@pytest.fixture
def other_desk(store, home):
    """A second store on the same database: another PC of the bureau."""
    s = open_store(home)
    yield s
    s.close()


def test_each_change_raises_the_version(store):
    v = points.get_point(store, 2).version
    register.edit_point(store, 2, {"field_code": "A-1"}, by="甲")
    points.set_monitor(store, 2, phone="13900000001", by="甲")
    assert points.get_point(store, 2).version == v + 2
    register.edit_point(store, 2, {"field_code": "A-1"}, by="甲")  # nothing changed: no new version
    assert points.get_point(store, 2).version == v + 2


def test_a_stale_point_edit_is_refused_naming_theirs_and_mine_and_applying_mine_works(store, other_desk):
    seen = points.get_point(store, 4).version  # desk A opens the edit dialog
    register.edit_point(other_desk, 4, {"given_name": "对方改的名称"}, by="王五")  # desk B saves first
    with pytest.raises(EditConflict) as info:
        register.edit_point(store, 4, {"given_name": "我改的名称"}, by="李四", base_version=seen)
    exc = info.value
    assert exc.theirs[0] == "王五" and exc.theirs[1]
    assert exc.mine == {"名称": "我改的名称"} and exc.mine_by == "李四"
    assert (exc.base_version, exc.current_version) == (seen, seen + 1)
    text = str(exc)
    assert "王五" in text and "李四" in text and "我改的名称" in text and f"第 {seen} 版" in text
    assert points.get_point(store, 4).given_name == "对方改的名称"  # theirs kept, nothing half-written
    assert [c.changed_by for c in register.point_changes(store, 4)] == ["王五"]
    # 应用我的: the same edit, made from the version now shown
    register.edit_point(store, 4, {"given_name": "我改的名称"}, by="李四", base_version=exc.current_version)
    assert points.get_point(other_desk, 4).given_name == "我改的名称"


def test_a_stale_monitor_change_and_location_are_refused(store, other_desk):
    seen = points.get_point(store, 5).version
    points.set_monitor(other_desk, 5, name="赵六", by="赵六")
    with pytest.raises(EditConflict):
        points.set_monitor(store, 5, phone="13900000002", by="李四", base_version=seen)
    with pytest.raises(EditConflict):
        points.correct_location(store, 5, lon=112.6, lat=26.75, datum="cgcs2000", source="GPS 测试",
                                by="李四", base_version=seen)
    p = points.get_point(store, 5)
    assert p.monitor == "赵六" and p.phone != "13900000002" and p.precision.value != "surveyed"


def test_a_stale_patrol_edit_and_plan_save_are_refused(store, other_desk):
    entry_id = patrol.record(store, PatrolDraft(3, "2026-05-01 08:00", "甲", "正常")).entry_ids[0]
    seen = patrol.get_entry(store, entry_id).version
    patrol.edit_fields(other_desk, entry_id, note="对方的备注", by="王五")
    with pytest.raises(EditConflict) as info:
        patrol.edit(store, entry_id, PatrolDraft(3, "2026-05-01 08:00", "甲", "异常"), by="李四",
                    base_version=seen)
    assert info.value.theirs[0] == "王五"
    assert patrol.get_entry(store, entry_id).judgement.value == "正常"

    assert plan.get_plan(store, 6).version == 0
    plan.save_plan(other_desk, 6, {"refuge": "测试避灾点甲"}, by="王五", base_version=0)
    with pytest.raises(EditConflict) as info:
        plan.save_plan(store, 6, {"refuge": "测试避灾点乙"}, by="李四", base_version=0)
    assert info.value.theirs[0] == "王五" and info.value.mine == {"预定避灾地点": "测试避灾点乙"}
    assert plan.get_plan(store, 6).get("refuge") == "测试避灾点甲"


def test_cli_refuses_a_stale_edit_with_a_clear_message_and_exit_3(cli):
    code, out, _ = cli("points", "edit", "--point", "7", "--field-code", "第一次", "--by", "王五")
    assert code == 0 and "现为第 2 版" in out
    code, out, err = cli("points", "edit", "--point", "7", "--field-code", "第二次", "--base-version", "1",
                         "--by", "李四")
    assert code == 3
    assert err.startswith("错误：") and "王五" in err and "--base-version 2" in err
    code, out, err = cli("points", "edit", "--point", "7", "--field-code", "第二次", "--base-version", "2")
    assert code == 0, err


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_eight_desks_two_hundred_edits_each_nothing_lost_nothing_duplicated(store, backend):
    """8 processes x 200 edits of the same three points, each from the version it read, and 50 patrol
    entries each, against the real server."""
    desks, edits, seqs = 8, 200, [1, 2, 3]
    before = {s: points.get_point(store, s).version for s in seqs}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, str(ROOT / "tests" / "edit_worker.py"), f"desk{n}", str(edits),
                               ",".join(map(str, seqs))], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              text=True) for n in range(desks)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    committed = [tuple(c) for r in results for c in r["committed"]]
    conflicts = [tuple(c) for r in results for c in r["conflicts"]]
    assert len(committed) + len(conflicts) == desks * edits  # every edit either committed or reported
    assert committed and conflicts
    for seq in seqs:
        mine = [v for s, v in committed if s == seq]
        audit = [c for c in register.point_changes(store, seq) if c.action.value == "edit"]
        written = [c.fields["field_code"][1] for c in audit]
        assert sorted(written) == sorted(mine)  # every committed edit present, none twice, no refused one
        assert len(set(written)) == len(written)
        # each edit was made from the version the one before it left: a chain with no gap
        assert all(a.fields["field_code"][1] == b.fields["field_code"][0] for a, b in zip(audit, audit[1:]))
        point = points.get_point(store, seq)
        assert point.version == before[seq] + len(mine)
        assert point.field_code == written[-1]
    assert all(v not in {x for _, x in committed} for _, v, _ in conflicts)
    entries = [tuple(e) for r in results for e in r["entries"]]
    assert len(entries) == desks * edits // 4
    assert len({i for i, _ in entries}) == len(entries)  # ids never collide
    notes = Counter(e.note for e in patrol.list_entries(store) if e.note.startswith("desk"))
    assert notes == Counter(v for _, v in entries)  # each entry exactly once


def test_a_patrol_conflict_names_my_changes_in_chinese(store, other_desk):
    entry_id = patrol.record(store, PatrolDraft(3, "2026-05-01 08:00", "甲", "正常")).entry_ids[0]
    patrol.edit_fields(other_desk, entry_id, note="对方的备注", by="王五")
    with pytest.raises(EditConflict) as info:
        patrol.edit(store, entry_id, PatrolDraft(3, "2026-05-01 08:00", "甲", "异常"), by="李四", base_version=1)
    # mine replaces the whole entry: applying it would also empty their note, and says so
    assert info.value.mine == {"判断": "异常", "备注": ""}
    assert info.value.theirs_now == {"判断": "正常", "备注": "对方的备注"}  # what the conflict dialog shows as theirs
    assert "判断→异常" in str(info.value) and "备注→（空）" in str(info.value)
