"""Patrol logs at scale: the bulk path writes what saving one by one writes, and patrol_latest (each
point's newest live entry and count, read by the overview and the map) stays exact through every kind
of change. On SQLite and PostgreSQL."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft, SignObservation
from hazardmap.domain.patrol_status import Judgement
from hazardmap.services import patrol as svc
from hazardmap.services import patrol_status

pytestmark = pytest.mark.both_backends

N, A, D = Judgement.NORMAL, Judgement.ABNORMAL, Judgement.DANGER


def drafts() -> list[PatrolDraft]:
    return [
        PatrolDraft(3, "2026-05-01 08:00", "杨磊", N, weather="小雨", rain_mm=12.5,
                    measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", 4.5),), action="继续观测"),
        PatrolDraft(3, "2026-05-03 09:30", "杨磊", A, signs=(SignObservation("拉张裂缝", "后缘", "新增 2 条"),
                                                           SignObservation("树木歪斜")),
                    measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", 6.0),
                                  Measurement(MeasureKind.PATCH, "1号", None, False)), note="夜间雨大"),
        PatrolDraft(5, "2026-04-30 17:00", "李四", D),
        PatrolDraft(3, "2026-05-02 07:00", "王五", N),
    ]


def rows(store, table: str, columns: str, where: str = "") -> list[tuple]:
    with store.db.read() as s:
        return [tuple(r) for r in s.execute(f"SELECT {columns} FROM {table} {where} ORDER BY 1, 2").fetchall()]


def written(store, ids: list[int]) -> dict[str, list[tuple]]:
    """Every row the entries wrote, ids replaced by their position among `ids` (the two paths draw
    different ids)."""
    pos = {log_id: i for i, log_id in enumerate(ids)}
    marks = ",".join(str(i) for i in ids)
    out = {
        "patrol_log": rows(store, "patrol_log", "id, point_seq, patrolled_at, patroller, weather, rain_mm, judgement,"
                           " action, note, recorded_by, recorded_at, deleted_at, deleted_by, version",
                           f"WHERE id IN ({marks})"),
        "patrol_sign": rows(store, "patrol_sign", "log_id, position, sign, location, feature",
                            f"WHERE log_id IN ({marks})"),
        "patrol_measurement": rows(store, "patrol_measurement", "log_id, position, kind, label, reading_mm,"
                                   " patch_intact", f"WHERE log_id IN ({marks})"),
        "patrol_audit": rows(store, "patrol_audit", "log_id, action, before_json, after_json, changed_by, changed_at",
                             f"WHERE log_id IN ({marks})"),
    }
    return {table: sorted((pos[r[0]],) + r[1:] for r in found) for table, found in out.items()}


def test_bulk_path_writes_the_rows_saving_one_by_one_writes(store):
    at = "2026-05-04T10:00:00+08:00"
    with store.db.write() as tx:
        one_by_one = [svc.insert_checked(store, tx, d, by="甲", at=at) for d in drafts()]
    with store.db.write() as tx:
        bulk = svc.insert_many_checked(store, tx, drafts(), by="甲", at=at)
    assert bulk == list(range(bulk[0], bulk[0] + 4)) and bulk[0] > max(one_by_one)
    assert written(store, bulk) == written(store, one_by_one)
    assert sum(len(v) for v in written(store, bulk).values()) == 4 + 2 + 3 + 4
    # Ids drawn after a bulk write follow it (SQLite's AUTOINCREMENT, the server's identity sequence).
    later = svc.record(store, drafts()[0]).entry_ids[0]
    assert later == bulk[-1] + 1
    assert [e.id for e in svc.list_entries(store, point=5)] == [bulk[2], one_by_one[2]]


def expected_latest(store) -> dict[int, tuple]:
    """The newest live entry and live count per point, from the entries themselves (not the summary)."""
    out: dict[int, tuple] = {}
    for e in svc.list_entries(store):  # newest first
        at, log_id, judgement, count = out.get(e.point_seq, (e.at, e.id, e.judgement, 0))
        out[e.point_seq] = (at, log_id, judgement, count + 1)
    return out


def summary(store) -> dict[int, tuple]:
    latest = svc.latest_per_point(store)
    counts = {r.point_seq: r.entries for r in svc.overview(store, today=date(2026, 6, 1)) if r.entries}
    assert set(latest) == set(counts)
    return {seq: latest[seq] + (counts[seq],) for seq in latest}


def test_overview_and_latest_on_a_known_set(store):
    with store.db.write() as tx:
        svc.insert_many_checked(store, tx, drafts(), by="甲", at="2026-05-04T10:00:00+08:00")
    rows = {r.point_seq: r for r in svc.overview(store, today=date(2026, 5, 10))}
    assert len(rows) == 16
    assert (rows[3].last_at, rows[3].last_judgement, rows[3].days_since, rows[3].entries) == (
        "2026-05-03 09:30", A, 7, 3)
    assert (rows[5].last_at, rows[5].last_judgement, rows[5].entries) == ("2026-04-30 17:00", D, 1)
    assert (rows[1].last_at, rows[1].entries) == (None, 0)
    latest = patrol_status.latest_judgements(store)
    assert {seq: (p.judgement, p.at) for seq, p in latest.items()} == {
        3: (A, "2026-05-03 09:30"), 5: (D, "2026-04-30 17:00")}
    assert set(patrol_status.latest_judgements(store, seqs=[5, 1, 9])) == {5}
    # The same as reading the entries themselves (the queries used below the patrol_latest migration).
    store.db.patrol.summarised = False
    try:
        assert {r.point_seq: r for r in svc.overview(store, today=date(2026, 5, 10))} == rows
        assert patrol_status.latest_judgements(store) == latest
        assert patrol_status.latest_judgements(store, seqs=[5, 1, 9]) == {5: latest[5]}
    finally:
        store.db.patrol.summarised = True
    assert patrol_status.latest_judgements(store, seqs=[]) == {}
    history = svc.list_entries(store, point=3)
    assert [(e.at, e.judgement, e.crack_mm) for e in history] == [
        ("2026-05-03 09:30", A, 6.0), ("2026-05-02 07:00", N, None), ("2026-05-01 08:00", N, 4.5)]
    assert history[0].measurements[0].change_mm == 1.5
    assert [s.sign for s in history[0].signs] == ["拉张裂缝", "树木歪斜"]


def test_summary_stays_exact_through_add_edit_delete_restore_and_undo(store):
    steps = []

    def check(what: str) -> None:
        steps.append(what)
        assert summary(store) == expected_latest(store), what

    first = svc.record(store, drafts()[0])
    check("add")
    older = svc.record(store, replace(drafts()[3], at="2026-04-28 07:00"))  # older: the latest stays
    assert summary(store)[3][:2] == ("2026-05-01 08:00", first.entry_ids[0])
    check("add older")
    newest = svc.record(store, drafts()[1])
    check("add newer")
    svc.edit_fields(store, older.entry_ids[0], at="2026-05-09 06:00", judgement=D)  # becomes the latest
    assert summary(store)[3][:3] == ("2026-05-09 06:00", older.entry_ids[0], D)
    check("edit time and judgement")
    moved = svc.edit_fields(store, older.entry_ids[0], point_seq=5)  # to another point
    assert summary(store)[3][1] == newest.entry_ids[0] and summary(store)[5][3] == 1
    check("edit point")
    moved.undo()
    check("undo edit point")
    deleted = svc.delete(store, older.entry_ids[0])
    check("delete to 回收站")
    deleted.undo()
    check("undo delete")
    svc.delete(store, older.entry_ids[0])
    svc.restore(store, older.entry_ids[0])
    check("restore")
    for e in svc.list_entries(store, point=3):
        svc.delete(store, e.id)
    assert 3 not in summary(store)  # no live entry left: 未巡查 again
    check("delete all")
    svc.move_to_bin(store, [first.entry_ids[0], newest.entry_ids[0]], into=False)
    check("restore several")
    with store.db.write() as tx:
        svc.insert_many_checked(store, tx, drafts(), by="甲", at="2026-05-04T10:00:00+08:00")
    check("bulk add")
    store.db.patrol.copy_summary_from = 1  # PostgreSQL: the bulk summary path (COPY, one upsert) too
    with store.db.write() as tx:
        svc.insert_many_checked(store, tx, [replace(d, at=d.at.replace("2026-05", "2026-03")) for d in drafts()]
                                + [replace(d, point_seq=9) for d in drafts()], by="甲", at="2026-05-04T10:00:00+08:00")
    check("bulk add, older and on a new point")
    assert summary(store)[3][3] == 8 and summary(store)[9][:3] == ("2026-05-03 09:30", summary(store)[9][1], A)
    assert len(steps) == 13


def test_summary_is_what_the_entries_say_not_a_stale_copy(store):
    """The check above can fail: a summary row left stale is seen."""
    svc.record(store, drafts()[0])
    with store.db.write() as tx:
        tx.execute("UPDATE patrol_latest SET live_count = 7 WHERE point_seq = 3")
    assert summary(store) != expected_latest(store)


def test_patrol_latest_migration_on_the_server(pg_server):
    """The same migration on PostgreSQL (translated from the SQLite text): filled from the entries there."""
    from hazardmap.geodata.bundled import BundledData
    from hazardmap.services.store import Store
    from hazardmap.storage.pg.db import PgDatabase
    from hazardmap.storage.schema import MIGRATIONS, SCHEMA_VERSION

    before = next(i for i, m in enumerate(MIGRATIONS) if "CREATE TABLE patrol_latest" in m)
    pg_server.sql("CREATE DATABASE summary_upgrade")
    url, bundled = pg_server.url("summary_upgrade"), BundledData()
    store = Store(home=None, db=PgDatabase.open(url, bundled, target_version=before), bundled=bundled)
    try:
        assert not store.db.patrol.summarised
        for d in drafts():
            svc.record(store, d)
        svc.delete(store, svc.list_entries(store, point=5)[0].id)
    finally:
        store.close()
    db = PgDatabase.open(url, bundled)
    try:
        assert db.version == SCHEMA_VERSION and db.patrol.summarised
        rows = db.conn.execute("SELECT point_seq, patrolled_at, judgement, live_count FROM patrol_latest"
                               " ORDER BY point_seq").fetchall()
        assert [tuple(r) for r in rows] == [(3, "2026-05-03 09:30", "异常", 3)]
    finally:
        db.close()
