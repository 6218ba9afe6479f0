"""The 巡查情况 table of a view, as the window reads it at any size: the counts from the database and the
rows a page at a time (services.patrol.overview_counts / overview_page), the same as listing every point
(services.patrol.overview) and recounting in Python. On SQLite and a real PostgreSQL server."""
from __future__ import annotations

from datetime import date

import pytest

from hazardmap.domain.key_lists import View, ViewKind
from hazardmap.domain.patrol import PatrolDraft
from hazardmap.services import patrol as svc
from hazardmap.services import register, views

pytestmark = pytest.mark.both_backends

FLOOD_DAY, WINTER_DAY = date(2026, 5, 20), date(2026, 12, 20)   # 7-day and 30-day defaults


def _entries(store):
    """A spread of last patrols: some just in time, some a day late, one deleted (then the one before it
    counts), point 16 retired (it leaves the key list view, not the register's retired view)."""
    for seq, at in ((1, "2026-05-13 08:00"), (2, "2026-05-12 23:59"), (3, "2026-05-20 07:00"),
                    (4, "2026-04-01 10:00"), (5, "2026-11-20 09:00"), (6, "2026-05-19 08:00")):
        svc.record(store, PatrolDraft(seq, at, "甲", "正常"))
    gone = svc.record(store, PatrolDraft(6, "2026-05-19 12:00", "甲", "异常")).entry_ids[0]
    svc.delete(store, gone, by="甲")
    register.retire_point(store, 16, date="2026-01-05", reason="工程治理完成", by="甲")


def _recount(store, view, today):
    shown = set(views.seqs_in_view(store, view))
    rows = [r for r in svc.overview(store, today=today) if r.point_seq in shown]
    return rows, sum(1 for r in rows if r.overdue)


@pytest.mark.parametrize("today", [FLOOD_DAY, WINTER_DAY])
@pytest.mark.parametrize("kind", [ViewKind.KEY_LIST, ViewKind.REGISTERED, ViewKind.RETIRED])
def test_counts_and_pages_are_the_whole_listing_recounted(store, kind, today):
    _entries(store)
    view = View(kind)
    rows, overdue = _recount(store, view, today)
    counts = svc.overview_counts(store, view, today=today)
    assert (counts.total, counts.overdue) == (len(rows), overdue)
    assert counts.interval == (7 if today == FLOOD_DAY else 30) and counts.interval_is_default
    paged, after = [], 0
    while page := svc.overview_page(store, view, today=today, after_seq=after, limit=4):
        assert len(page) <= 4
        paged += page
        after = page[-1].point_seq
    assert paged == rows   # every row once, in seq order, with the same last patrol, days and counts
    only = svc.overview_page(store, view, today=today, limit=100, overdue_only=True)
    assert only == [r for r in rows if r.overdue]


def test_overdue_is_a_day_late_by_the_interval_and_deleted_entries_do_not_count(store):
    _entries(store)
    rows = {r.point_seq: r for r in svc.overview_page(store, View(ViewKind.REGISTERED), today=FLOOD_DAY, limit=100)}
    assert (rows[1].days_since, rows[1].overdue) == (7, False)     # 7 days: still in time
    assert (rows[2].days_since, rows[2].overdue) == (8, True)      # 8 days, though 23:59 the day before
    assert rows[4].overdue and rows[7].last_at is None and rows[7].overdue
    assert (rows[6].last_at, rows[6].entries, rows[6].overdue) == ("2026-05-19 08:00", 1, False)
    assert svc.count_in_view(store, View(ViewKind.KEY_LIST), [1, 16, 99]) == 1   # 16 retired, 99 none
    assert svc.count_in_view(store, View(ViewKind.RETIRED), [1, 16]) == 1
