"""The 预案 tab: loads the selected point's plan, checks as you type, saves through the operation road
as one undo step, reloads after undo."""
from __future__ import annotations

import pytest

from hazardmap.qt import plan_tab
from hazardmap.services import plan as svc


@pytest.fixture
def tab(double):
    return plan_tab.attach(double)


def test_the_tab_is_attached_as_a_details_tab_and_follows_the_selection(double, tab, store):
    assert double.details_tabs.tabText(double.details_tabs.indexOf(tab)) == "预案"
    assert not tab.editors["refuge"].isEnabled() and not tab.save_button.isEnabled()
    svc.save_plan(store, 4, {"refuge": "测试避灾点"})
    double.select_point(4)
    assert tab.point_seq == 4 and tab.editors["refuge"].text() == "测试避灾点"
    assert "第 4 号" in tab.title.text() and "金石村" in tab.title.text()
    double.select_point(5)
    assert tab.editors["refuge"].text() == "" and "尚未填写" in tab.title.text()


def test_typing_is_checked_and_saved_as_one_undo_step(double, tab, store):
    double.select_point(4)
    tab.editors["refuge"].setText("村部\u200b")
    tab.check()
    assert not tab.save_button.isEnabled() and "看不见的字符" in tab.error.text()
    assert "c62828" in tab.editors["refuge"].styleSheet()
    tab.editors["refuge"].setText("测试避灾点")
    tab.editors["past_events"].setPlainText("测试灾情\n第二行")
    assert tab.save_button.isEnabled() and tab.error.text() == ""
    assert tab.save()
    plan = svc.get_plan(store, 4)
    assert (plan.get("refuge"), plan.get("past_events")) == ("测试避灾点", "测试灾情\n第二行")
    assert double.undo_stack.count() == 1 and "防灾预案表" in double.undo_stack.undoText()
    assert not tab.save_button.isEnabled()              # saved: nothing left to save
    double.undo()
    assert svc.get_plan(store, 4).empty
    assert tab.editors["refuge"].text() == ""            # the form follows the undo


def test_a_one_line_field_refuses_a_line_break_typed_into_a_long_one_is_fine(double, tab):
    double.select_point(4)
    tab.editors["evacuation_route"].setPlainText("沿村道\n向东")
    assert tab.check()
    tab.editors["alarm_by"].setText("x" * 101)
    assert not tab.check() and "报警人过长" in tab.error.text()


def test_revert_puts_back_the_saved_text(double, tab, store):
    svc.save_plan(store, 4, {"refuge": "测试避灾点"})
    double.select_point(4)
    tab.editors["refuge"].setText("改了")
    tab.check()
    assert tab.dirty() and tab.revert_button.isEnabled()
    tab.revert_button.click()
    assert tab.editors["refuge"].text() == "测试避灾点" and not tab.dirty()
