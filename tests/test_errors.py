"""Core errors are classes with fields, and their messages name no command-line flag: the CLI adds
its own remedy (with flags), the window its buttons."""
from __future__ import annotations

import pytest

from hazardmap.domain.errors import Ambiguous, EntryInBin, KeyListNotFound, LayerNotFound, NothingToUndo, OutsideCounty, \
    PointNotFound
from hazardmap.domain.patrol import AuditAction, PatrolDraft
from hazardmap.domain.points import LocationChangeKind
from hazardmap.domain.validation import Datum
from hazardmap.services import key_lists, patrol, points, rain_gauges, reference_layers


def test_core_errors_carry_fields_and_no_flags(store):
    with pytest.raises(OutsideCounty) as out:
        points.correct_location(store, 1, lon=111.5, lat=26.5, datum="wgs84", source="x")
    assert (out.value.lon, out.value.lat) == (111.5, 26.5) and "--" not in str(out.value)

    with pytest.raises(Ambiguous) as amb:
        rain_gauges.assign(store, 1, "胜利村")
    assert amb.value.text == "胜利村" and {v.township for v in amb.value.candidates} == {"江口镇", "车江街道"}
    assert "--" not in str(amb.value)

    with pytest.raises(PointNotFound) as nf:
        points.get_point(store, 99)
    assert nf.value.seq == 99 and nf.value.key == 99

    with pytest.raises(NothingToUndo) as nothing:
        points.undo_last_location_change(store, 2)
    assert nothing.value.seq == 2

    with pytest.raises(Exception) as no_field:
        points.set_monitor(store, 2)
    assert "--" not in str(no_field.value)

    entry_id = patrol.record(store, PatrolDraft(3, "2026-05-01 08:00", "测试", "正常")).entry_ids[0]
    patrol.delete(store, entry_id)
    with pytest.raises(EntryInBin) as binned:
        patrol.edit_fields(store, entry_id, note="x")
    assert binned.value.entry_id == entry_id and "patrol restore" not in str(binned.value)


def test_not_found_names_what_there_is(store):
    with pytest.raises(KeyListNotFound) as kl:
        key_lists.get_list(store, 2019)
    assert (kl.value.year, kl.value.years, kl.value.key) == (2019, [2023], 2019)
    assert str(kl.value) == "没有2019年的重点隐患点名单（现有：2023）"
    with pytest.raises(LayerNotFound) as layer:   # a new database has no reference layer: says 无, not nothing
        reference_layers.get_layer(store, "地质图")
    assert layer.value.names == [] and str(layer.value) == "没有名为“地质图”的参考图层（现有：无）"


def test_the_cli_words_the_remedy_with_its_flags(cli, home):
    code, _, err = cli("rain-gauges", "assign", "--slot", "1", "--village", "胜利村")
    assert code == 2 and "--township" in err
    code, _, err = cli("monitor", "set", "--point", "2")
    assert code == 2 and "--name" in err and "--phone" in err
    cli("patrol", "add", "--point", "3", "--at", "2026-05-01 08:00", "--judgement", "正常")
    cli("patrol", "delete", "1")
    code, _, err = cli("patrol", "edit", "1", "--note", "x")
    assert code == 2 and "patrol restore 1" in err


def test_history_kinds_and_audit_actions_are_enums(store):
    points.correct_location(store, 4, lon=112.6, lat=26.76, datum="wgs84", source="GPS")
    points.undo_last_location_change(store, 4)
    history = points.location_history(store, 4)
    assert [h.kind for h in history] == [LocationChangeKind.CORRECTION, LocationChangeKind.UNDO]
    assert history[0].datum_entered is Datum.WGS84 and history[1].datum_entered is None
    entry_id = patrol.record(store, PatrolDraft(3, "2026-05-01 08:00", "测试", "正常")).entry_ids[0]
    patrol.edit_fields(store, entry_id, note="改")
    assert [a.action for a in patrol.audit_trail(store, entry_id)] == [AuditAction.CREATE, AuditAction.EDIT]
