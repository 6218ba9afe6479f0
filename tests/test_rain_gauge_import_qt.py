"""The 导入名单… button of the rain-gauge panel: file dialog (monkeypatched), asking which township for
a name that exists twice, confirming a list with bad rows, the result dialog, refresh and undo."""
from __future__ import annotations

import csv

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog

from hazardmap.qt.rain_gauge_panel import ImportResultDialog, TownshipChoiceDialog
from hazardmap.services import rain_gauges


def write_csv(path, rows):
    with open(path, "w", encoding="gbk", newline="") as f:   # as Chinese Excel saves "CSV"
        csv.writer(f).writerows(rows)
    return str(path)


def answer_modal(actions, seen):
    """Each action gets the next modal dialog once it is open (exec() blocks the test otherwise)."""
    def step():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, step)
            return
        seen.append(dlg)
        actions.pop(0)(dlg)
        if actions:
            QTimer.singleShot(20, step)
    QTimer.singleShot(0, step)


def choose(township):
    def act(dlg: TownshipChoiceDialog):
        for i in range(dlg.candidates.count()):
            if dlg.candidates.item(i).text().startswith(township):
                dlg.candidates.setCurrentRow(i)
        dlg.accept()
    return act


def test_import_button_asks_township_and_applies_the_list(panel, store, tmp_path, monkeypatch, double):
    path = write_csv(tmp_path / "名单.csv", [["村名"], ["檀市村"], ["胜利村"], ["和平村"]])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (path, "")))
    seen = []
    answer_modal([choose("江口镇")], seen)
    panel.import_button.click()
    assert isinstance(seen[0], TownshipChoiceDialog)
    assert seen[0].candidates.count() == 2 and "第 3 行" in seen[0].findChild(type(panel.counter)).text()
    codes = {s.slot: s.village_code for s in rain_gauges.list_sites(store)}
    assert codes[1] == "430422118215" and codes[2] == "430422105226" and codes[3] == "430422122245"
    assert "已落实 3/15" in panel.counter.text()
    assert panel.table.item(1, 1).text() == "胜利村　名录中无坐标，地图上不显示"
    result = panel.result_dialog
    assert result.isVisible() and "导入 3 个站点" in result.summary.text()
    assert result.rows.count() == 3 and result.rows.item(1).text().startswith("✓ 第 3 行：第 2 号站点 已指定 江口镇胜利村")
    assert double.undo_stack.count() == 1 and panel.undo_button.isEnabled()
    panel.undo_button.click()                       # one step undoes the whole import
    assert rain_gauges.assigned_count(store)[0] == 0 and "已落实 0/15" in panel.counter.text()
    assert not panel.undo_button.isEnabled()


def test_bad_rows_listed_and_nothing_applied_when_cancelled(panel, store, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["村名"], ["檀市村"], ["衡南不存在村"], ["胜利村"]])
    seen = []
    answer_modal([lambda d: d.reject(), lambda d: d.reject()], seen)   # 跳过此行, then 取消（不导入）
    assert panel.import_file(path) is None
    assert isinstance(seen[1], ImportResultDialog)
    texts = [seen[1].rows.item(i).text() for i in range(seen[1].rows.count())]
    assert texts[1].startswith("✗ 第 3 行（衡南不存在村）") and texts[2].startswith("✗ 第 4 行（胜利村）：重名")
    assert "2 行有误" in seen[1].summary.text()
    assert rain_gauges.assigned_count(store)[0] == 0 and "已落实 0/15" in panel.counter.text()


def test_bad_rows_skipped_when_confirmed(panel, store, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["村名"], ["檀市村"], ["衡南不存在村"]])
    seen = []
    answer_modal([lambda d: d.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()], seen)
    report = panel.import_file(path)
    assert "只导入正确的 1 行" == seen[0].findChild(QDialogButtonBox).button(
        QDialogButtonBox.StandardButton.Ok).text()
    assert report.applied and [b.line for b in report.bad] == [3]
    assert "已落实 1/15" in panel.counter.text() and "跳过 1 行" in panel.result_dialog.summary.text()


def test_unreadable_file_is_explained(panel, tmp_path, monkeypatch):
    path = write_csv(tmp_path / "a.csv", [["名称"], ["檀市村"]])
    shown = []
    monkeypatch.setattr("hazardmap.qt.rain_gauge_panel.QMessageBox.warning",
                        staticmethod(lambda parent, title, text: shown.append(text)))
    assert panel.import_file(path) is None
    assert shown and "村名列" in shown[0]


def test_township_dialog_needs_a_choice(qtbot, store, tmp_path):
    from hazardmap.services.rain_gauge_import import import_villages

    row = import_villages(store, write_csv(tmp_path / "a.csv", [["村"], ["胜利村"]]), dry_run=True).ambiguous[0]
    dlg = TownshipChoiceDialog(row)
    qtbot.addWidget(dlg)
    dlg.candidates.setCurrentRow(-1)
    dlg.accept()
    assert dlg.result() != QDialog.DialogCode.Accepted
