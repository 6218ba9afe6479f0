"""The operation road (hazardmap/qt/operations.py): one publish per step, undo/redo alternating on one
stack, refusals in Chinese, other failures logged and worded generically, slow steps in a worker
with 取消 that puts everything back."""
from __future__ import annotations

import logging
import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton  # noqa: E402

from hazardmap.domain.changes import Changes  # noqa: E402
from hazardmap.domain.errors import InvalidInput  # noqa: E402
from hazardmap.qt.operations import CANCELLED, INTERNAL_ERROR  # noqa: E402
from hazardmap.services import points, rain_gauges  # noqa: E402

TANSHI = "430422118215"  # 栗江镇 檀市村 (bundled gazetteer)


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: shown.append((title, text))))
    return shown


def slot(store, n):
    return next(s for s in rain_gauges.list_sites(store) if s.slot == n).village_code


def test_each_step_is_published_once_and_undo_redo_alternate(double, store):
    seen: list[Changes] = []
    store.bus.subscribe(seen.append)
    stack = double.undo_stack
    changes = double.run_operation(lambda s: rain_gauges.assign(s, 4, TANSHI), title="指定")
    assert slot(store, 4) == TANSHI and len(seen) == 1 and seen[0].rain_gauges
    assert stack.count() == 1 and stack.undoText() == changes.label
    for _ in range(2):
        double.undo()                          # what 编辑 > 撤销, Ctrl+Z and the panels' buttons call
        assert slot(store, 4) is None and stack.canRedo()
        double.redo()
        assert slot(store, 4) == TANSHI
    assert len(seen) == 5   # the step, then one per undo and per redo
    stack.undo()                               # the stack moved directly (e.g. by a QUndoView) is followed
    assert slot(store, 4) is None and len(seen) == 6
    stack.redo()
    assert slot(store, 4) == TANSHI and len(seen) == 7


def test_a_refusal_is_shown_with_its_chinese_text_and_nothing_is_recorded(double, store, boxes):
    double.show()

    def refuse(_store):
        raise InvalidInput("经纬度填反了")

    assert double.run_operation(refuse, title="修正位置") is None
    assert boxes == [("修正位置", "经纬度填反了")] and double.undo_stack.count() == 0


def test_any_other_failure_is_logged_and_worded_generically(double, boxes, caplog):
    double.show()

    def crash(_store):
        raise KeyError("internal detail in English")

    with caplog.at_level(logging.ERROR, logger="hazardmap.qt.operations"):
        assert double.run_operation(crash, title="导入") is None
    assert boxes == [("导入", INTERNAL_ERROR)] and "English" not in boxes[0][1]
    assert "internal detail in English" in caplog.text   # the details go to the log, not to the user


def test_an_undo_refused_because_the_record_changed_leaves_the_stack(double, store, boxes):
    double.show()
    double.run_operation(lambda s: points.set_monitor(s, 2, name="甲", phone="13900000000"), title="更换")
    points.set_monitor(store, 2, name="乙", phone="13900000001")   # another window changed it meanwhile
    double.undo()
    assert boxes and "已被他人修改" in boxes[0][1]
    assert points.get_point(store, 2).monitor == "乙" and double.undo_stack.count() == 0


def test_cancel_during_a_slow_step_puts_everything_back(double, store):
    go = threading.Event()

    def slow(s):
        changes = rain_gauges.assign(s, 6, TANSHI)   # done in the worker, on its own connection
        go.wait(10)
        return changes

    def press_cancel():
        dialogs = double.findChildren(QProgressDialog)
        if not dialogs:
            QTimer.singleShot(10, press_cancel)
            return
        dialogs[0].findChild(QPushButton).click()
        go.set()

    QTimer.singleShot(0, press_cancel)
    assert double.run_operation(slow, title="导入", slow="正在导入…") is None
    assert double.runner.last_error == CANCELLED
    assert slot(store, 6) is None and double.undo_stack.count() == 0


def test_a_slow_step_is_undone_on_the_ui_thread_after_its_worker_ended(double, store):
    changes = double.run_operation(lambda s: rain_gauges.assign(s, 7, TANSHI), title="指定", slow="正在指定…")
    assert changes and slot(store, 7) == TANSHI
    double.undo()
    assert slot(store, 7) is None
    double.redo()
    assert slot(store, 7) == TANSHI
    double.runner.close()   # closes the worker's connection kept for the undo


def test_the_double_and_the_window_offer_the_same_shell(double):
    from hazardmap.qt.main_window import MainWindow
    from hazardmap.qt.shell import Shell

    assert isinstance(double, Shell)
    members = [m for m in vars(Shell) if not m.startswith("_")]
    assert members and all(hasattr(MainWindow, m) or m in ("store",) for m in members)
