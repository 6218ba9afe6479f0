"""Rain-gauge sites as records: sites beyond the 2023 programme, 站码, install year, retire and
restore, each one undoable step; the programme stays a named batch whose counter comes from the data."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from hazardmap.domain.errors import (InvalidInput, SiteNotRetired, SiteRetired, SiteUnassigned, StaleEdit,
                                     StationCodeTaken, VillageTaken)
from hazardmap.domain.rain_gauges import PROGRAMME_2023
from hazardmap.mapping.options import MapOptions
from hazardmap.mapping.page import rain_gauge_payload
from hazardmap.services import rain_gauge_import
from hazardmap.services import rain_gauges as svc
from hazardmap.services.store import db_path, open_store
from tests.conftest import ROOT

pytestmark = pytest.mark.both_backends  # tests with the store fixture run on SQLite and PostgreSQL


def dump(store) -> list[tuple]:
    return [tuple(r) for r in store.db.conn.execute("SELECT * FROM rain_gauge_site ORDER BY slot")]


def test_the_2023_programme_is_a_named_batch_counted_from_the_data(store):
    sites = svc.list_sites(store)
    assert {s.batch for s in sites} == {PROGRAMME_2023}
    assert svc.assigned_count(store) == (0, len(sites))
    svc.add_site(store, "檀市村", by="测试")
    assert svc.assigned_count(store) == (0, len(sites))   # a site outside the programme is not one of its slots
    store.db.conn.execute("DELETE FROM rain_gauge_site WHERE slot = 15")   # the counter follows the rows
    assert svc.assigned_count(store)[1] == len(sites) - 1


def test_add_site_with_station_code_and_year_then_undo_and_redo(store):
    before = dump(store)
    slot, changes = svc.add_site(store, "430422118215", station_code="61234567", install_year="2025", by="王某")
    site = next(s for s in svc.list_sites(store) if s.slot == slot)
    assert slot == 16 and (site.village, site.township) == ("檀市村", "栗江镇")
    assert (site.batch, site.station_code, site.install_year, site.assigned_by) == ("", "61234567", 2025, "王某")
    assert changes.rain_gauges and changes.label.startswith("新增第 16 号")
    redo = changes.undo()
    assert dump(store) == before
    redo.undo()
    assert next(s for s in svc.list_sites(store) if s.slot == 16) == site


@pytest.mark.parametrize("kwargs, error", [
    ({"village": "檀市村"}, VillageTaken),                       # the village has a gauge in use
    ({"village": "胜利村", "township": "江口镇", "station_code": "61234567"}, StationCodeTaken),
    ({"village": "胜利村", "township": "江口镇", "station_code": "61 23"}, InvalidInput),
    ({"village": "胜利村", "township": "江口镇", "station_code": "6123\u200b"}, InvalidInput),
    ({"village": "胜利村", "township": "江口镇", "install_year": "二〇二五"}, InvalidInput),
    ({"village": "胜利村", "township": "江口镇", "install_year": "3025"}, InvalidInput),
    ({"village": "没有这个村"}, Exception),
])
def test_add_refuses_with_a_chinese_reason_and_writes_nothing(store, kwargs, error):
    svc.add_site(store, "檀市村", station_code="61234567")
    before = dump(store)
    with pytest.raises(error) as info:
        svc.add_site(store, **kwargs)
    assert dump(store) == before
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_a_programme_slot_already_holding_the_village_refuses_an_added_site(store):
    svc.assign(store, 3, "檀市村")
    with pytest.raises(VillageTaken) as info:
        svc.add_site(store, "檀市村")
    assert info.value.slot == 3


def test_retire_and_restore_with_undo(store):
    svc.assign(store, 2, "檀市村")
    changes = svc.retire(store, 2, reason="设备损坏拆除", on="2026-05-03", by="李四")
    site = svc.list_sites(store)[1]
    assert (site.retired_on, site.retired_reason, site.retired_by) == ("2026-05-03", "设备损坏拆除", "李四")
    assert not site.active and site.village == "檀市村"            # kept, with its village
    assert svc.assigned_count(store) == (1, 15)                    # still one of the programme's sites
    assert [s.slot for s in svc.active_sites(store)] == []
    changes.undo()
    assert svc.list_sites(store)[1].active
    svc.retire(store, 2, reason="设备损坏拆除", on="2026-05-03")
    restored = svc.restore(store, 2)
    assert svc.list_sites(store)[1].active
    restored.undo()
    assert svc.list_sites(store)[1].retired


def test_a_retired_village_can_get_a_new_gauge_and_then_the_old_one_cannot_come_back(store):
    svc.assign(store, 2, "檀市村")
    svc.retire(store, 2, reason="迁址", on="2026-05-03")
    slot, _ = svc.add_site(store, "檀市村", install_year=2026)
    with pytest.raises(VillageTaken) as info:
        svc.restore(store, 2)
    assert info.value.slot == slot
    assert svc.list_sites(store)[1].retired


@pytest.mark.parametrize("call, error", [
    (lambda store: svc.retire(store, 5, reason="x"), SiteUnassigned),
    (lambda store: svc.retire(store, 2, reason="again"), SiteRetired),
    (lambda store: svc.retire(store, 1, reason=""), InvalidInput),
    (lambda store: svc.retire(store, 1, reason="坏了", on="2999-01-01"), InvalidInput),
    (lambda store: svc.retire(store, 1, reason="坏了", on="5月3日"), InvalidInput),
    (lambda store: svc.retire(store, 1, reason="坏\u202e了"), InvalidInput),
    (lambda store: svc.restore(store, 1), SiteNotRetired),
    (lambda store: svc.assign(store, 2, "胜利村", township="江口镇"), SiteRetired),
    (lambda store: svc.clear(store, 2), SiteRetired),
    (lambda store: svc.clear(store, 16), InvalidInput),
])
def test_retire_restore_assign_clear_refusals(store, call, error):
    svc.assign(store, 1, "430422118215")
    svc.assign(store, 2, "胜利村", township="江口镇")
    svc.retire(store, 2, reason="拆除", on="2026-01-02")
    svc.add_site(store, "430422103231")   # 茶市镇茶市村
    before = dump(store)
    with pytest.raises(error):
        call(store)
    assert dump(store) == before


def test_stale_undo_of_a_retirement_is_refused(store):
    svc.assign(store, 2, "檀市村")
    changes = svc.retire(store, 2, reason="拆除", on="2026-01-02")
    svc.restore(store, 2)          # someone else restored it meanwhile
    svc.retire(store, 2, reason="另一原因", on="2026-01-03")
    with pytest.raises(StaleEdit):
        changes.undo()


def test_undo_of_an_assignment_still_works_with_the_new_columns(store):
    changes = svc.assign(store, 4, "檀市村")
    changes.undo()
    assert not svc.list_sites(store)[3].assigned and svc.list_sites(store)[3].batch == PROGRAMME_2023


def test_import_fills_only_programme_slots_and_is_undoable(store, tmp_path):
    svc.add_site(store, "胜利村", township="江口镇")
    path = tmp_path / "list.csv"
    path.write_text("村名\n檀市村\n", encoding="utf-8")
    report = rain_gauge_import.import_villages(store, str(path))
    assert [a.slot for a in report.assignments] == [1]
    report.changes.undo()
    assert svc.assigned_count(store) == (0, 15) and len(svc.list_sites(store)) == 16


def test_the_map_shows_every_site_in_use_and_no_retired_one(store):
    svc.assign(store, 1, "430422118215")
    slot, _ = svc.add_site(store, "430422103232", station_code="A1")   # 茶市镇石子村
    svc.assign(store, 2, "430422103231")
    svc.retire(store, 2, reason="拆除", on="2026-01-02")
    payload = rain_gauge_payload(svc.list_sites(store), MapOptions())
    assert sorted(p["slot"] for p in payload) == [1, slot]
    added = next(p for p in payload if p["slot"] == slot)
    assert "单独新增" in added["tooltip"][0] and "站码 A1" in added["tooltip"][0]


def test_cli_add_retire_restore_and_list(cli):
    code, out, _ = cli("rain-gauges", "add", "--village", "430422118215", "--station-code", "61234567",
                       "--year", "2025")
    assert code == 0 and "新增第 16 号" in out and "单独新增 1 处" in out and "0/15" in out
    code, _, err = cli("rain-gauges", "add", "--village", "胜利村", "--township", "江口镇", "--station-code",
                       "61234567")
    assert code == 2 and "站码 61234567 已是第 16 号" in err
    code, out, _ = cli("rain-gauges", "retire", "--slot", "16", "--reason", "设备损坏", "--date", "2026-05-03")
    assert code == 0 and "已撤除 1 处" in out and "在用 0 处" in out
    code, _, err = cli("rain-gauges", "retire", "--slot", "3", "--reason", "x")
    assert code == 2 and "尚未落实" in err
    _, out, _ = cli("rain-gauges", "--format", "json")
    rows = {d["slot"]: d for d in json.loads(out)}
    assert rows[16]["batch"] == "单独新增" and rows[16]["status"] == "已撤除（2026-05-03）"
    assert rows[1]["batch"] == PROGRAMME_2023 and rows[1]["status"] == "未落实"
    assert rows[16]["station_code"] == "61234567" and rows[16]["install_year"] == 2025
    code, out, _ = cli("rain-gauges", "restore", "--slot", "16")
    assert code == 0 and "在用 1 处" in out
    _, out, _ = cli("rain-gauges")
    assert "批次" in out and "状态" in out and f"{PROGRAMME_2023}：已落实 0/15" in out


def test_help_states_no_fixed_count(cli):
    _, out, _ = cli("--help")
    line = next(ln for ln in out.splitlines() if "rain-gauges" in ln)
    assert "15" not in line


def test_upgrade_keeps_assignments_and_makes_the_programme_batch(home):
    fixture = ROOT / "tests" / "fixtures" / "hazardmap-0.1.0-schema2.sqlite3"
    home.mkdir(parents=True)
    shutil.copyfile(fixture, db_path(home))
    store = open_store(home)
    try:
        sites = svc.list_sites(store)
        assert len(sites) == 15 and {s.batch for s in sites} == {PROGRAMME_2023}
        assert sites[0].village == "檀市村" and not sites[0].retired
        with pytest.raises(sqlite3.IntegrityError):   # one gauge in use per village, as before
            store.db.conn.execute("UPDATE rain_gauge_site SET village_code = ? WHERE slot = 2",
                                  (sites[0].village_code,))
    finally:
        store.close()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_printed_county_map_counts_sites_in_use_and_retired(store, tmp_path):
    import subprocess

    from hazardmap.reports import maps
    from hazardmap.reports.data import collect

    svc.assign(store, 1, "430422118215")
    svc.add_site(store, "430422103232")
    svc.assign(store, 2, "430422103231")
    svc.retire(store, 2, reason="拆除", on="2026-01-02")
    path = tmp_path / "map.pdf"
    path.write_bytes(maps.county_map_pdf(collect(store), "A4", "landscape"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace(" ", "").replace("\n", "")
    assert "雨量计站点：共15处，已指定2处，图上标绘2处" in text and "另有1处已撤除" in text
