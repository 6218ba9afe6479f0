"""The undo contract of the services: every mutating call returns Changes whose `undo` performs the
inverse step and returns that step's own Changes, whose `undo` re-applies the original. Each test
applies, undoes, redoes and undoes again, reading the stored state back every time."""
from __future__ import annotations

import pytest

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import StaleEdit
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.domain.points import Precision
from hazardmap.services import patrol, points, rain_gauges
from hazardmap.services.rain_gauge_import import import_villages

pytestmark = pytest.mark.both_backends  # tests with the store fixture run on SQLite and PostgreSQL

TANSHI = "430422118215"  # 栗江镇 檀市村 (bundled gazetteer)
HEPING = "430422122245"  # 松江镇 和平村


def cycle(store, changes: Changes, applied, original, rounds: int = 2) -> None:
    """Undo, redo, ... `rounds` times; `applied()`/`original()` assert the stored state."""
    assert changes and changes.undo is not None and changes.label
    applied()
    for _ in range(rounds):
        back = changes.undo()
        assert back and back.undo is not None and back.label == changes.label
        original()
        changes = back.undo()
        assert changes and changes.undo is not None
        applied()


def test_or_composes_undo_in_reverse_order():
    log: list[str] = []

    def step(name: str) -> Changes:
        def undo() -> Changes:
            log.append(f"undo {name}")
            return step(f"{name}'")
        return Changes(rain_gauges=True, undo=undo, label=name)

    both = step("a") | step("b")
    assert both.label == "a；b"
    again = both.undo()
    assert log == ["undo b", "undo a"]
    again.undo()
    assert log[2:] == ["undo a'", "undo b'"]  # redo: a first, then b
    assert Changes(rain_gauges=True, undo=lambda: Changes()) == Changes(rain_gauges=True)  # compare=False


def test_set_monitor_undo_redo(store):
    p = points.get_point(store, 5)
    ch = points.set_monitor(store, 5, name="测试甲", by="t")

    def applied():
        q = points.get_point(store, 5)
        assert (q.monitor, q.phone) == ("测试甲", p.phone)

    def original():
        q = points.get_point(store, 5)
        assert (q.monitor, q.phone) == (p.monitor, p.phone)
    cycle(store, ch, applied, original)
    assert len(points.monitor_history(store, 5)) == 5  # every step is a history row


def test_monitor_undo_keeps_a_later_change_of_the_other_field(store):
    p = points.get_point(store, 5)
    ch = points.set_monitor(store, 5, name="测试甲")
    points.set_monitor(store, 5, phone="13800000000")
    ch.undo()
    q = points.get_point(store, 5)
    assert (q.monitor, q.phone) == (p.monitor, "13800000000")


def test_monitor_undo_refuses_to_overwrite_a_later_change_of_the_same_field(store):
    ch = points.set_monitor(store, 5, name="测试甲")
    points.set_monitor(store, 5, name="测试乙")
    with pytest.raises(StaleEdit):
        ch.undo()
    assert points.get_point(store, 5).monitor == "测试乙"


def test_correct_location_undo_restores_the_exact_previous_place(store):
    p = points.get_point(store, 3)  # no position in the 2023 plan
    assert p.precision is Precision.NONE
    ch = points.correct_location(store, 3, lon=112.6, lat=26.76, datum="cgcs2000", source="GPS 测试")

    def applied():
        q = points.get_point(store, 3)
        assert (q.lon, q.lat, q.precision, q.source) == (112.6, 26.76, Precision.SURVEYED, "GPS 测试")

    def original():
        q = points.get_point(store, 3)
        assert (q.lon, q.lat, q.precision, q.source) == (p.lon, p.lat, p.precision, p.source)
    cycle(store, ch, applied, original)
    kinds = [h.kind for h in points.location_history(store, 3)]
    assert kinds == ["correction", "undo", "undo", "undo", "undo"]


def test_location_undo_is_not_the_latest_change_but_this_one(store):
    p = points.get_point(store, 4)
    first = points.correct_location(store, 4, lon=112.6, lat=26.76, datum="cgcs2000", source="一")
    points.correct_location(store, 4, lon=112.6, lat=26.75, datum="cgcs2000", source="二")
    with pytest.raises(StaleEdit):  # the point moved since: undoing "一" would silently drop "二"
        first.undo()
    assert points.get_point(store, 4).source == "二"
    assert p.source != "二"


def test_undo_last_location_change_is_undoable(store):
    p = points.get_point(store, 3)
    points.correct_location(store, 3, lon=112.6, lat=26.76, datum="cgcs2000", source="GPS")
    ch = points.undo_last_location_change(store, 3)

    def applied():
        assert points.get_point(store, 3).lon == p.lon

    def original():
        assert points.get_point(store, 3).lon == 112.6
    cycle(store, ch, applied, original)


@pytest.mark.parametrize("first", [None, HEPING])
def test_rain_gauge_assign_undo_restores_the_previous_village_or_empties(store, first):
    if first:
        rain_gauges.assign(store, 2, first)
    before = rain_gauges.list_sites(store)[1]
    ch = rain_gauges.assign(store, 2, TANSHI)

    def applied():
        assert rain_gauges.list_sites(store)[1].village_code == TANSHI

    def original():
        assert rain_gauges.list_sites(store)[1] == before
    cycle(store, ch, applied, original)


def test_rain_gauge_clear_undo(store):
    rain_gauges.assign(store, 4, TANSHI)
    before = rain_gauges.list_sites(store)[3]
    ch = rain_gauges.clear(store, 4)

    def applied():
        assert not rain_gauges.list_sites(store)[3].assigned

    def original():
        assert rain_gauges.list_sites(store)[3] == before
    cycle(store, ch, applied, original)


def test_rain_gauge_import_has_one_undo_for_the_whole_import(store, tmp_path):
    f = tmp_path / "sites.csv"
    f.write_text("村名,乡镇\n檀市村,栗江镇\n和平村,松江镇\n", encoding="utf-8")
    report = import_villages(store, f)
    assert report.applied

    def applied():
        assert {s.village_code for s in rain_gauges.list_sites(store)} - {None} == {TANSHI, HEPING}

    def original():
        assert rain_gauges.assigned_count(store)[0] == 0
    cycle(store, report.changes, applied, original)


def _draft(**kw) -> PatrolDraft:
    return PatrolDraft(**({"point_seq": 3, "at": "2026-05-01 08:00", "by": "测试", "judgement": "正常"} | kw))


def _live_ids(store) -> set[int]:
    return {e.id for e in patrol.list_entries(store)}


def test_patrol_record_undo_is_delete_to_the_bin(store):
    ch = patrol.record(store, _draft())
    entry_id = ch.entry_ids[0]
    cycle(store, ch, lambda: _assert(_live_ids(store) == {entry_id}),
          lambda: _assert(_live_ids(store) == set() and patrol.count_entries(store, binned=True) == 1))
    assert [a.action for a in patrol.audit_trail(store, entry_id)] == [
        "create", "delete", "restore", "delete", "restore"]


def test_patrol_edit_undo_edits_back(store):
    entry_id = patrol.record(store, _draft(note="原备注")).entry_ids[0]
    ch = patrol.edit_fields(store, entry_id, judgement="危险")

    def state():
        e = patrol.get_entry(store, entry_id)
        return e.judgement.value, e.note
    cycle(store, ch, lambda: _assert(state() == ("危险", "原备注")), lambda: _assert(state() == ("正常", "原备注")))


def test_patrol_edit_undo_refuses_when_the_entry_changed_since(store):
    entry_id = patrol.record(store, _draft()).entry_ids[0]
    ch = patrol.edit_fields(store, entry_id, judgement="危险")
    patrol.edit_fields(store, entry_id, note="别人写的")
    with pytest.raises(StaleEdit, match="巡查记录"):
        ch.undo()
    e = patrol.get_entry(store, entry_id)
    assert (e.judgement.value, e.note) == ("危险", "别人写的")


def test_patrol_delete_and_restore_undo(store):
    entry_id = patrol.record(store, _draft()).entry_ids[0]
    live = lambda: _assert(_live_ids(store) == {entry_id})  # noqa: E731
    binned = lambda: _assert(_live_ids(store) == set())  # noqa: E731
    cycle(store, patrol.delete(store, entry_id), binned, live)
    cycle(store, patrol.restore(store, entry_id), live, binned)


def test_patrol_intervals_undo(store):
    before = patrol.get_intervals(store)
    ch = patrol.set_intervals(store, flood_days=3)
    cycle(store, ch, lambda: _assert(patrol.get_intervals(store).flood_days == 3 and
                                     not patrol.get_intervals(store).flood_is_default),
          lambda: _assert(patrol.get_intervals(store) == before))
    patrol.set_intervals(store, flood_days=4, other_days=40)
    custom = patrol.get_intervals(store)
    ch = patrol.reset_intervals(store)
    cycle(store, ch, lambda: _assert(patrol.get_intervals(store) == before),
          lambda: _assert(patrol.get_intervals(store) == custom))


def _assert(ok: bool) -> None:
    assert ok


def test_patrol_import_has_one_undo_moving_its_entries_to_the_bin(store, tmp_path):
    from hazardmap.services import patrol_excel

    f = tmp_path / "logs.csv"
    f.write_text("隐患点序号,巡查时间,巡查人,判定\n3,2026-05-01 08:00,测试,正常\n4,2026-05-02 08:00,测试,异常\n",
                 encoding="utf-8")
    result = patrol_excel.import_logs(store, f)
    assert len(result.added) == 2
    cycle(store, result.changes, lambda: _assert(_live_ids(store) == set(result.added)),
          lambda: _assert(_live_ids(store) == set() and patrol.count_entries(store, binned=True) == 2))
