"""The register in the window: the point dialog checks as you type and shows grades; add, edit,
retire and restore are each one undo step; the table hides retired points; details show the fields."""
from __future__ import annotations

import pytest

from hazardmap.domain.points import PointStatus
from hazardmap.services import points, register


@pytest.fixture
def feature(double):
    from hazardmap.qt import point_register

    return point_register.attach(double)


def _menu_texts(menu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_menus_offer_the_four_steps_and_the_context_menu_follows_the_row(double, feature, store):
    edit_menu = [a.text() for a in double.menus["edit"].actions()]
    assert {"新增隐患点…", "编辑隐患点…", "核销隐患点…", "恢复已核销的隐患点…"} <= set(edit_menu)
    assert _menu_texts(double.point_menu(0)) == ["新增隐患点…"]
    assert _menu_texts(double.point_menu(4)) == ["新增隐患点…", "编辑…", "核销…"]
    register.retire_point(store, 4, date="2024-05-03", reason="治理")
    assert _menu_texts(double.point_menu(4)) == ["新增隐患点…", "编辑…", "恢复"]
    assert not feature.edit_action.isEnabled()
    double.select_point(4)
    assert feature.edit_action.isEnabled() and feature.retire_action.isEnabled()


def test_point_dialog_checks_as_you_type_grades_and_adds_one_undo_step(qtbot, double, feature, store):
    dlg = feature.open_add()
    assert not dlg.save_button.isEnabled() and "乡镇" in dlg.error.text()
    dlg.township.setCurrentIndex(dlg.township.findData("茅市镇"))
    villages = [dlg.village_code.itemText(i) for i in range(1, dlg.village_code.count())]
    assert villages == [name for _c, name in register.villages_of(store, "茅市镇")]  # filtered by township
    dlg.village_code.setCurrentIndex(1)
    dlg.place.setText("新屋组")
    assert dlg.village_group.text() == villages[0] + "新屋组"
    assert dlg.save_button.isEnabled(), dlg.error.text()
    dlg.phone.setText("1380000")
    assert not dlg.save_button.isEnabled() and "格式不对" in dlg.error.text()
    assert dlg.phone.styleSheet()  # the field in error is marked
    dlg.phone.setText("13800000000")
    dlg.people.setText("abc")
    assert "不是数字" in dlg.error.text()
    dlg.people.setText("520")
    assert "大型" in dlg.danger_label.text()
    dlg.kind.setCurrentIndex(dlg.kind.findData("滑坡"))
    dlg.volume_m3.setText("150000")
    assert "中型" in dlg.scale_label.text()
    dlg.kind.setCurrentIndex(dlg.kind.findData("崩塌"))
    assert "未收录崩塌" in dlg.scale_label.text()
    register.edit_point(store, 2, {"unified_code": "X-1"})
    dlg.unified_code.setText("X-1")
    assert "第 2 号" in dlg.error.text() and not dlg.save_button.isEnabled()
    dlg.unified_code.setText("X-2")
    dlg.save_button.click()
    added = points.get_point(store, 17)
    assert (added.township, added.place, added.people, added.unified_code, added.kind.value) == (
        "茅市镇", "新屋组", 520, "X-2", "崩塌")
    assert double.undo_stack.count() == 1 and double.undo_stack.undoText() == "新增第 17 号隐患点"
    assert double.current_point_seq() == 17
    double.undo()
    assert 17 not in {p.seq for p in points.list_points(store)}
    double.redo()
    assert points.get_point(store, 17) == added


def test_edit_dialog_sends_only_what_changed(double, feature, store):
    dlg = feature.open_edit(5)
    assert dlg.township.currentData() == "花桥镇" and dlg.village_code.currentData() == "430422107253"
    assert dlg.village_group.text() == "欧东村门冲组" and not dlg.save_button.isEnabled()  # nothing changed yet
    dlg.people.setText("30")
    dlg.save_button.click()
    (row,) = register.point_changes(store, 5)
    assert row.fields == {"people": [None, 30]}
    assert double.undo_stack.undoText().startswith("编辑第 5 号隐患点")
    double.undo()
    assert points.get_point(store, 5).people is None


def test_retire_dialog_needs_a_reason_and_restore_undoes(double, feature, store):
    dlg = feature.open_retire(9)
    assert not dlg.save_button.isEnabled() and "原因" in dlg.error.text()
    dlg.reason.setText("已完成工程治理")
    dlg.doc_no.setText("衡南自然资〔2024〕8号")
    dlg.save_button.click()
    p = points.get_point(store, 9)
    assert p.status is PointStatus.RETIRED and p.retire_doc == "衡南自然资〔2024〕8号"
    double.undo()
    assert points.get_point(store, 9).status is PointStatus.ACTIVE
    double.redo()
    feature.restore(9)
    assert not points.get_point(store, 9).retired
    assert double.undo_stack.undoText() == "恢复第 9 号隐患点"


def test_details_show_register_fields_grades_and_audit(store):
    from hazardmap.qt.details_panel import point_details_html

    register.edit_point(store, 5, {"people": 120, "volume_m3": 20000, "unified_code": "430422-5"}, by="甲")
    register.retire_point(store, 5, date="2024-05-03", reason="已治理", by="乙")
    html = point_details_html(store, 5)
    for text in ("430422-5", "120 人", "27 户", "20000 m³", "小型", "中型", "已核销", "已治理",
                 "登记修改记录", "威胁人数：（空） → 120"):
        assert text in html, text


def test_window_table_hides_retired_points(qtbot, store):
    from hazardmap.qt.points_table import PointsTable

    table = PointsTable()
    qtbot.addWidget(table)
    register.retire_point(store, 3, date="2024-05-03", reason="治理")
    table.set_points(register.points_in_view(store), {})
    assert 3 not in table.visible_seqs() and len(table.visible_seqs()) == 15


def test_table_keeps_its_sort_through_search_and_refresh(qtbot, store):
    from PySide6.QtCore import Qt

    from hazardmap.qt.points_table import PointsTable

    table = PointsTable()
    qtbot.addWidget(table)
    table.set_points(register.points_in_view(store), {})
    table.view.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # 群测群防员

    def monitors():
        return [table.proxy.index(r, 4).data() for r in range(table.proxy.rowCount())]

    assert monitors() == sorted(monitors(), reverse=True)
    table.search.setText("镇")
    assert 0 < len(monitors()) < 16 and monitors() == sorted(monitors(), reverse=True)
    table.search.clear()
    table.select_seq(7)
    register.edit_point(store, 7, {"monitor": "一一"})  # the lowest CJK code point: last, descending
    table.set_points(register.points_in_view(store), {})
    assert monitors()[-1] == "一一" and table.selected_seq() == 7
    assert monitors() == sorted(monitors(), reverse=True)
