"""Patrol services against a real database: record/edit/delete/restore, audit, overview, the seam."""
from __future__ import annotations

from datetime import date

import pytest

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import InvalidInput, NotFound
from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft, SignObservation
from hazardmap.domain.patrol_status import Judgement, LatestPatrol
from hazardmap.services import patrol as svc
from hazardmap.services import patrol_status

pytestmark = pytest.mark.both_backends  # tests with the store fixture run on SQLite and PostgreSQL


def add(store, seq=3, at="2026-05-01 08:00", judgement="正常", crack=None, **kw):
    ms = (Measurement(MeasureKind.CRACK_GAUGE, "", crack),) if crack is not None else ()
    return svc.record(store, PatrolDraft(seq, at, kw.pop("by", ""), judgement, measurements=ms, **kw)).entry_ids[0]


def test_record_defaults_patroller_to_monitor_and_returns_what_changed(store):
    seen: list[Changes] = []
    store.bus.subscribe(seen.append)
    changes = svc.record(store, PatrolDraft(3, "2026-05-01 08:00", "", "正常"))
    e = svc.get_entry(store, changes.entry_ids[0])
    assert e.by == "杨磊"  # point 3's monitor in the 2023 plan
    assert changes.patrol_points == frozenset({3}) and not changes.points
    assert seen == []  # services return what changed; the one who ran the step publishes it (once)


def test_unknown_point_and_bad_input_change_nothing(store):
    with pytest.raises(NotFound, match="没有第 99 号"):
        add(store, seq=99)
    with pytest.raises(InvalidInput):
        add(store, judgement=None)
    assert svc.list_entries(store) == [] and svc.audit_trail(store) == []


def test_list_is_newest_first_and_change_since_last_reading_is_computed(store):
    a = add(store, at="2026-05-01 08:00", crack=10.0)
    c = add(store, at="2026-05-03 08:00", crack=9.5)
    b = add(store, at="2026-05-02 08:00", crack=12.0)  # typed in late: ordering is by patrol time
    entries = svc.list_entries(store, point=3)
    assert [e.id for e in entries] == [c, b, a]
    assert [e.measurements[0].change_mm for e in entries] == [-2.5, 2.0, None]
    svc.delete(store, b)  # the difference skips an entry in the 回收站
    assert svc.list_entries(store, point=3)[0].measurements[0].change_mm == -0.5
    assert [e.id for e in svc.list_entries(store, since="2026-05-02")] == [c]
    assert [e.id for e in svc.list_entries(store, until="2026-05-01")] == [a]


def test_edit_keeps_before_and_after_in_the_audit(store):
    entry_id = add(store, judgement="正常", signs=(SignObservation("拉张裂缝", "后缘", "新裂缝"),))
    changes = svc.edit_fields(store, entry_id, judgement=Judgement.DANGER, crack_mm=4.0, by="王某")
    assert changes.patrol_points == {3}
    assert svc.edit_fields(store, entry_id, judgement=Judgement.DANGER) == svc.PatrolChanges()  # no-op
    trail = svc.audit_trail(store, entry_id)
    assert [r.action for r in trail] == ["create", "edit"]
    assert trail[1].before["judgement"] == "正常" and trail[1].after["judgement"] == "危险"
    assert trail[1].changed_by == "王某"
    assert "判定：正常 → 危险" in svc.describe_audit(trail[1])
    assert svc.get_entry(store, entry_id).signs[0].location == "后缘"  # untouched fields kept


def test_delete_to_bin_and_restore(store):
    entry_id = add(store)
    svc.delete(store, entry_id, by="王某")
    assert svc.list_entries(store) == []
    binned = svc.list_entries(store, binned=True)
    assert [e.id for e in binned] == [entry_id] and binned[0].deleted_by == "王某"
    with pytest.raises(InvalidInput, match="回收站"):
        svc.edit_fields(store, entry_id, note="x")
    with pytest.raises(InvalidInput, match="回收站"):
        svc.delete(store, entry_id)
    svc.restore(store, entry_id)
    assert [e.id for e in svc.list_entries(store)] == [entry_id]
    with pytest.raises(InvalidInput, match="不在回收站"):
        svc.restore(store, entry_id)
    assert [r.action for r in svc.audit_trail(store, entry_id)] == ["create", "delete", "restore"]


def test_photos_are_copied_into_the_data_folder(store, tmp_path):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8fake jpeg")
    entry_id = svc.record(store, PatrolDraft(1, "2026-05-01 08:00", "", "正常"), photos=[photo]).entry_ids[0]
    (rel,) = svc.get_entry(store, entry_id).photos
    assert (store.home / rel).read_bytes() == photo.read_bytes()
    notes = tmp_path / "notes.txt"
    notes.write_text("x")
    with pytest.raises(InvalidInput, match="不是照片"):
        svc.record(store, PatrolDraft(1, "2026-05-01 09:00", "", "正常"), photos=[notes])
    with pytest.raises(InvalidInput, match="不存在"):
        svc.record(store, PatrolDraft(1, "2026-05-01 09:00", "", "正常"), photos=[tmp_path / "missing.jpg"])
    assert len(svc.list_entries(store)) == 1


def test_overview_overdue_by_season_and_settings(store):
    add(store, seq=1, at="2026-05-01 08:00", judgement="异常")
    iv = svc.get_intervals(store)
    assert (iv.flood_days, iv.other_days, iv.flood_is_default) == (7, 30, True)
    rows = {r.point_seq: r for r in svc.overview(store, today=date(2026, 5, 8))}
    assert len(rows) == 16
    assert rows[1].days_since == 7 and not rows[1].overdue and rows[1].last_judgement is Judgement.ABNORMAL
    assert rows[2].overdue and rows[2].last_at is None
    assert svc.overview(store, today=date(2026, 5, 9))[0].overdue
    svc.set_intervals(store, flood_days=10)
    assert not svc.get_intervals(store).flood_is_default and svc.get_intervals(store).other_is_default
    assert not svc.overview(store, today=date(2026, 5, 9))[0].overdue
    with pytest.raises(InvalidInput, match="1～365"):
        svc.set_intervals(store, other_days=0)
    svc.reset_intervals(store)
    assert svc.get_intervals(store).flood_days == 7 and svc.get_intervals(store).flood_is_default


def test_seam_latest_judgements_and_recent_patrols(store):
    assert patrol_status.latest_judgements(store) == {}
    first = add(store, seq=5, at="2026-05-01 08:00", judgement="正常", crack=3.0)
    later = add(store, seq=5, at="2026-05-02 08:00", judgement="危险", signs=(SignObservation("坡体鼓胀"),))
    assert patrol_status.latest_judgements(store) == {5: LatestPatrol(5, Judgement.DANGER, "2026-05-02 08:00")}
    recent = patrol_status.recent_patrols(store, 5, limit=5)
    assert [r.at for r in recent] == ["2026-05-02 08:00", "2026-05-01 08:00"]
    assert recent[0].signs == ("坡体鼓胀",) and recent[1].crack_mm == 3.0
    assert len(patrol_status.recent_patrols(store, 5, limit=1)) == 1
    svc.delete(store, later)  # deleted entries are excluded
    assert patrol_status.latest_judgements(store)[5].judgement is Judgement.NORMAL
    svc.delete(store, first)
    assert patrol_status.latest_judgements(store) == {}
