"""The register of points: grading, add/edit/retire/restore with audit and undo, bad input refused."""
from __future__ import annotations

import csv
import json

import pytest

from hazardmap.domain.errors import BadPhone, DuplicateCode, FieldInvalid, RetireWithoutReason, StaleEdit, \
    UnknownTownship, VillageNotInTownship, WrongStatus
from hazardmap.domain.grading import DangerGrade, ScaleGrade, danger_grade, scale_grade
from hazardmap.domain.points import HazardKind, PointAction, PointStatus, PointView
from hazardmap.services import patrol, points, register
from tests.conftest import ROOT

pytestmark = pytest.mark.both_backends  # tests with the store fixture run on SQLite and PostgreSQL


def _village(store, township):
    """Some gazetteer village of the township with a centre point (for the first position)."""
    return next(v for v in store.bundled.villages if v.township == township and v.located)


# ---- grading: the numbers of docs/DOMAIN.md ---------------------------------------------------------

@pytest.mark.parametrize("people,loss,grade", [
    (None, None, None), (0, None, DangerGrade.SMALL), (99, None, DangerGrade.SMALL),
    (100, None, DangerGrade.MEDIUM), (499, None, DangerGrade.MEDIUM), (500, None, DangerGrade.LARGE),
    (999, None, DangerGrade.LARGE), (1000, None, DangerGrade.HUGE),
    (None, 499.9, DangerGrade.SMALL), (None, 500, DangerGrade.MEDIUM), (None, 5000, DangerGrade.LARGE),
    (None, 10000, DangerGrade.HUGE),
    (10, 6000, DangerGrade.LARGE), (600, 10, DangerGrade.LARGE),  # "or": the higher grade wins
])
def test_danger_grade_follows_the_national_plan(people, loss, grade):
    assert danger_grade(people, loss) is grade


@pytest.mark.parametrize("volume,grade", [
    (None, None), (0, ScaleGrade.SMALL), (99_999, ScaleGrade.SMALL), (100_000, ScaleGrade.MEDIUM),
    (999_999, ScaleGrade.MEDIUM), (1_000_000, ScaleGrade.LARGE), (10_000_000, ScaleGrade.LARGE),
    (10_000_001, ScaleGrade.GIANT),
])
def test_landslide_scale_grade_by_volume(volume, grade):
    assert scale_grade(HazardKind.LANDSLIDE, volume) is grade


def test_no_scale_grade_where_the_product_has_no_thresholds():
    assert scale_grade(HazardKind.ROCKFALL, 5_000_000) is None
    assert scale_grade(None, 5_000_000) is None


# ---- the 2023 list as the county gives it -------------------------------------------------------------

def test_seeded_points_keep_the_county_table_and_derive_only_what_it_states(store):
    rows = {int(r["seq"]): r for r in csv.DictReader((ROOT / "data" / "key_points.csv").open(encoding="utf-8"))}
    pts = register.points_in_view(store)
    assert len(pts) == len(rows) == 16
    for p in pts:
        r = rows[p.seq]
        assert (p.township, p.village_group, p.threatened, p.monitor, p.phone) == (
            r["township"], r["village_group"], r["threatened"], r["monitor"], r["phone"])
        assert p.status is PointStatus.ACTIVE
        assert (p.unified_code, p.field_code, p.given_name) == ("", "", "")
        assert p.volume_m3 is None and p.people is None and p.property_wan is None
        assert p.kind == (HazardKind(r["hazard_type"]) if r["hazard_type"] else None)
        assert p.name == r["township"] + r["village_group"]
    by_seq = {p.seq: p for p in pts}
    assert by_seq[3].kind is HazardKind.LANDSLIDE and by_seq[5].kind is HazardKind.LANDSLIDE
    assert by_seq[5].households == 27 and by_seq[1].households == 4       # "邓香生等27户居民", "胡九斤等4户"
    assert by_seq[2].households is None and by_seq[4].households is None  # "罗东林", "…学校师生": no count
    assert by_seq[1].place == "20组"  # 高山村20组 under the gazetteer's 高山村
    assert by_seq[5].danger_grade is None and by_seq[5].scale_grade is None  # no people, no volume: no grade


# ---- add -----------------------------------------------------------------------------------------------

def test_add_point_is_audited_placed_at_its_village_and_undone_and_redone(store):
    v = _village(store, "茅市镇")
    ch = register.add_point(store, {"township": "茅市镇", "village_code": v.code, "place": "新屋组",
                                    "kind": "滑坡", "volume_m3": "120000", "people": "120", "households": 30,
                                    "unified_code": "430422010001", "monitor": "张三", "phone": "13800000000"},
                            by="测试员")
    (seq,) = ch.points
    assert seq == 17 and ch.label == "新增第 17 号隐患点"
    p = points.get_point(store, seq)
    assert p.village_group == v.name + "新屋组" and p.name == "茅市镇" + v.name + "新屋组"
    assert (p.lon, p.lat, p.precision.value) == (v.lon, v.lat, "village")
    assert p.scale_grade is ScaleGrade.MEDIUM and p.danger_grade is DangerGrade.MEDIUM
    assert p.hazard_type == "滑坡"
    (row,) = register.point_changes(store, seq)
    assert row.action is PointAction.ADD and row.changed_by == "测试员"
    assert row.fields["unified_code"] == [None, "430422010001"] and row.fields["people"] == [None, 120]

    redo = ch.undo()
    assert seq not in {q.seq for q in points.list_points(store)}
    assert [r.action for r in register.point_changes(store, seq)] == [PointAction.ADD, PointAction.REMOVE]
    redo.undo()
    assert points.get_point(store, seq) == p


def test_undo_of_an_add_refused_once_the_point_has_a_patrol(store):
    ch = register.add_point(store, {"township": "茅市镇", "place": "某处"})
    (seq,) = ch.points
    patrol.record(store, patrol.draft_from_dict({"point": seq, "at": "2025-05-03 09:00", "by": "王五",
                                                 "judgement": "正常"}))
    with pytest.raises(StaleEdit):
        ch.undo()
    assert points.get_point(store, seq).place == "某处"


@pytest.mark.parametrize("fields,error,field", [
    ({"township": "长沙县", "place": "x"}, UnknownTownship, "township"),
    ({"township": "", "place": "x"}, FieldInvalid, "township"),
    ({"township": "茅市镇", "village_code": "430422001013"}, VillageNotInTownship, "village_code"),  # 云集街道's
    ({"township": "茅市镇", "village_code": "999"}, VillageNotInTownship, "village_code"),
    ({"township": "茅市镇", "place": "x", "phone": "1380000"}, BadPhone, "phone"),
    ({"township": "茅市镇", "place": "x", "kind": "洪水"}, FieldInvalid, "kind"),
    ({"township": "茅市镇", "place": "x", "people": "-3"}, FieldInvalid, "people"),
    ({"township": "茅市镇", "place": "x", "households": "2.5"}, FieldInvalid, "households"),
    ({"township": "茅市镇", "place": "x", "volume_m3": "很多"}, FieldInvalid, "volume_m3"),
    ({"township": "茅市镇", "place": "x\u200b"}, FieldInvalid, "place"),
    ({"township": "茅市镇"}, FieldInvalid, "village_code"),
])
def test_bad_input_is_refused_in_chinese_naming_the_field_and_nothing_is_written(store, fields, error, field):
    with pytest.raises(error) as info:
        register.add_point(store, fields)
    assert info.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))
    assert len(points.list_points(store)) == 16
    assert store.db.conn.execute("SELECT COUNT(*) FROM point_change").fetchone()[0] == 0


def test_duplicate_unified_code_refused_on_add_and_on_edit(store):
    register.edit_point(store, 2, {"unified_code": "430422000002"})
    with pytest.raises(DuplicateCode) as info:
        register.add_point(store, {"township": "茅市镇", "place": "x", "unified_code": "430422000002"})
    assert info.value.seq == 2 and "第 2 号" in str(info.value)
    with pytest.raises(DuplicateCode):
        register.edit_point(store, 3, {"unified_code": " 430422000002 "})
    register.edit_point(store, 3, {"unified_code": ""})  # empty codes never clash
    register.edit_point(store, 4, {"unified_code": ""})
    assert points.get_point(store, 3).unified_code == ""


# ---- edit ----------------------------------------------------------------------------------------------

def test_edit_is_field_wise_audited_and_undo_redo_alternate(store):
    ch = register.edit_point(store, 5, {"people": 120, "property_wan": "600", "volume_m3": 2_000_000,
                                        "monitor": "邓石生", "field_code": "HN-05"}, by="甲")
    p = points.get_point(store, 5)
    assert (p.people, p.property_wan, p.field_code) == (120, 600.0, "HN-05")
    assert p.danger_grade is DangerGrade.MEDIUM and p.scale_grade is ScaleGrade.LARGE
    row = register.point_changes(store, 5)[-1]
    assert row.action is PointAction.EDIT and row.changed_by == "甲"
    assert set(row.fields) == {"people", "property_wan", "volume_m3", "field_code"}  # the monitor did not change
    assert row.fields["people"] == [None, 120]
    redo = ch.undo()
    p0 = points.get_point(store, 5)
    assert (p0.people, p0.property_wan, p0.field_code, p0.volume_m3) == (None, None, "", None)
    redo.undo()
    assert points.get_point(store, 5) == p
    assert len(register.point_changes(store, 5)) == 3


def test_edit_undo_refused_when_someone_changed_the_field_since(store):
    ch = register.edit_point(store, 6, {"people": 10})
    register.edit_point(store, 6, {"people": 11})
    with pytest.raises(StaleEdit):
        ch.undo()
    assert points.get_point(store, 6).people == 11


def test_edit_monitor_keeps_the_monitor_history(store):
    register.edit_point(store, 7, {"monitor": "新人", "phone": "0734-1234567"}, by="乙")
    (m,) = points.monitor_history(store, 7)
    assert (m.old_name, m.new_name, m.new_phone, m.changed_by) == ("邓少华", "新人", "0734-1234567", "乙")


def test_changing_township_needs_a_village_of_that_township(store):
    with pytest.raises(VillageNotInTownship):
        register.edit_point(store, 1, {"township": "茅市镇"})  # its 高山村 is in 宝盖镇
    v = _village(store, "茅市镇")
    register.edit_point(store, 1, {"township": "茅市镇", "village_code": v.code})
    p = points.get_point(store, 1)
    assert p.village_group == v.name + "20组"  # the group text follows the new village


def test_an_edit_that_changes_nothing_is_no_step(store):
    assert not register.edit_point(store, 5, {"kind": "滑坡", "people": ""})
    assert register.point_changes(store, 5) == []


# ---- retire / restore ----------------------------------------------------------------------------------

def test_retire_hides_keeps_audits_and_restore_brings_back(store):
    ch = register.retire_point(store, 9, date="2024年5月3日", reason="已完成工程治理", doc_no="衡南自然资〔2024〕8号",
                               by="丙")
    assert ch.label == "核销第 9 号隐患点"
    p = points.get_point(store, 9)
    assert (p.status, p.retired_on, p.retire_reason, p.retire_doc) == (
        PointStatus.RETIRED, "2024-05-03", "已完成工程治理", "衡南自然资〔2024〕8号")
    assert 9 not in {q.seq for q in register.points_in_view(store)}
    assert [q.seq for q in register.points_in_view(store, PointView.RETIRED)] == [9]
    assert len(register.points_in_view(store, PointView.ALL)) == 16
    assert register.status_counts(store) == {PointStatus.ACTIVE: 15, PointStatus.RETIRED: 1}
    with pytest.raises(WrongStatus):
        register.retire_point(store, 9, date="2024-05-03", reason="再次")
    redo = ch.undo()  # = restore
    assert points.get_point(store, 9).status is PointStatus.ACTIVE
    redo.undo()
    assert points.get_point(store, 9).retire_reason == "已完成工程治理"
    back = register.restore_point(store, 9, by="丁")
    assert points.get_point(store, 9).retire_doc == ""
    assert [r.action for r in register.point_changes(store, 9)] == [
        PointAction.RETIRE, PointAction.RESTORE, PointAction.RETIRE, PointAction.RESTORE]
    assert register.point_changes(store, 9)[-1].fields["retire_reason"] == ["已完成工程治理", ""]
    back.undo()
    assert points.get_point(store, 9).retired


@pytest.mark.parametrize("reason", ["", "   "])
def test_retire_without_reason_refused(store, reason):
    with pytest.raises(RetireWithoutReason) as info:
        register.retire_point(store, 4, date="2024-05-03", reason=reason)
    assert "原因" in str(info.value)
    assert not points.get_point(store, 4).retired


def test_retire_with_a_bad_date_refused(store):
    with pytest.raises(FieldInvalid) as info:
        register.retire_point(store, 4, date="2024-02-30", reason="治理")
    assert info.value.field == "retired_on"


def test_restore_of_a_point_on_the_register_refused(store):
    with pytest.raises(WrongStatus) as info:
        register.restore_point(store, 4)
    assert "在册" in str(info.value)


def test_undo_of_retire_refused_after_a_later_change_of_status(store):
    ch = register.retire_point(store, 4, date="2024-05-03", reason="治理")
    register.restore_point(store, 4)
    with pytest.raises(StaleEdit):
        ch.undo()


# ---- the command line ----------------------------------------------------------------------------------

def test_cli_add_edit_retire_restore_round_trip(cli):
    code, out, err = cli("points", "add", "--township", "茅市镇", "--place", "上新屋组", "--type", "滑坡",
                         "--volume", "120000", "--people", "150", "--unified-code", "430422-X1", "--by", "张三")
    assert code == 0, err
    assert "第 17 号" in out and "规模 中型" in out and "险情等级 中型" in out
    code, out, _ = cli("points", "edit", "--point", "17", "--people", "1200")
    assert code == 0 and "特大型" in out
    code, out, _ = cli("points", "retire", "--point", "17", "--date", "2024-05-03", "--reason", "已治理",
                       "--doc-no", "衡南〔2024〕1号")
    assert code == 0 and "已核销" in out
    _, out, _ = cli("points")
    assert "上新屋组" not in out and "全部在册：共 16 处（在册 16 处，已核销 1 处）" in out
    _, out, _ = cli("points", "--retired")
    assert "上新屋组" in out and "已治理" in out and "共 1 处" in out
    _, out, _ = cli("points", "--all", "--format", "json")
    rows = json.loads(out)
    assert len(rows) == 17 and rows[-1]["status"] == "retired" and rows[-1]["danger_grade"] == "特大型"
    code, out, _ = cli("points", "restore", "--point", "17")
    assert code == 0 and "在册" in out
    assert len(json.loads(cli("points", "--format", "json")[1])) == 17


@pytest.mark.parametrize("argv,words", [
    (["points", "add", "--township", "长沙县", "--place", "x"], ["不是衡南县的乡镇", "--township"]),
    (["points", "add", "--township", "茅市镇", "--village", "欧东村"], ["属于花桥镇", "--village"]),
    (["points", "add", "--township", "茅市镇", "--place", "x", "--phone", "12345"], ["格式不对", "--phone"]),
    (["points", "add", "--township", "茅市镇", "--place", "x", "--people", "很多"], ["不是数字", "--people"]),
    (["points", "add", "--township", "茅市镇", "--place", "x", "--type", "洪水"], ["六类", "--type"]),
    (["points", "edit", "--point", "3", "--unified-code", "DUP"], ["已用于第 2 号", "--unified-code"]),
    (["points", "retire", "--point", "3", "--date", "2024-05-03"], ["核销原因", "--reason"]),
    (["points", "retire", "--point", "3", "--date", "2024-13-01", "--reason", "x"], ["不是有效日期", "--date"]),
    (["points", "restore", "--point", "3"], ["在册，无需恢复"]),
    (["points", "edit", "--point", "99", "--people", "1"], ["没有第 99 号隐患点"]),
])
def test_cli_bad_input_exits_2_with_one_chinese_line_naming_the_remedy(cli, store, argv, words):
    register.edit_point(store, 2, {"unified_code": "DUP"})
    before = store.db.conn.execute("SELECT COUNT(*) FROM point_change").fetchone()[0]
    store.close()
    code, out, err = cli(*argv)
    assert code == 2 and out == ""
    assert err.startswith("错误：") and err.count("\n") == 1, err
    for w in words:
        assert w in err, err
    from hazardmap.services.store import open_store

    s = open_store()
    try:
        assert s.db.conn.execute("SELECT COUNT(*) FROM point_change").fetchone()[0] == before
        assert len(points.list_points(s)) == 16
    finally:
        s.close()


def test_no_fixed_count_in_the_points_words(cli):
    _, out, _ = cli("--help")
    assert "16处" not in out and "16 处" not in out
    _, out, _ = cli("points", "--help")
    assert "16" not in out and "--all" in out and "add" in out
    _, out, _ = cli("monitor", "set", "--help")
    assert "16" not in out
