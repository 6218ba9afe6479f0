"""The patrol window parts driven with qtbot: the entry dialog validates as you type, the tab adds,
edits, deletes with undo/redo, the 回收站 restores, the overview shows overdue points, attach() wires
them into a window. Uses the test double of the Shell interface (tests/shell_double.py)."""
from __future__ import annotations

from datetime import date, datetime

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from hazardmap.domain.patrol import Measurement, MeasureKind, PatrolDraft, SignObservation  # noqa: E402
from hazardmap.domain.patrol_status import Judgement  # noqa: E402
from hazardmap.services import patrol as svc  # noqa: E402
from hazardmap.services import patrol_status  # noqa: E402

NOW = datetime(2026, 5, 10, 12, 0)


def make_dialog(qtbot, entry=None):
    from hazardmap.qt.patrol.entry_dialog import PatrolEntryDialog

    d = PatrolEntryDialog(3, "车江街道胜利村姚家组", "杨磊", entry=entry, now=NOW)
    qtbot.addWidget(d)
    d.at_edit.setDateTime(d.at_edit.dateTime().fromString("2026-05-10 08:30", "yyyy-MM-dd HH:mm"))
    return d


def save_enabled(d) -> bool:
    return d.buttons.button(QDialogButtonBox.Save).isEnabled()


def test_dialog_validates_as_you_type(qtbot):
    d = make_dialog(qtbot)
    assert not save_enabled(d) and "请选择判定结果" in d.problem_label.text()  # judgement required
    qtbot.keyClick(d.judgement_buttons[Judgement.ABNORMAL], Qt.Key_Space)
    assert save_enabled(d) and d.problem_label.text() == ""
    qtbot.keyClicks(d.rain_edit, "1200")
    assert not save_enabled(d) and "0～1000" in d.problem_label.text()
    d.rain_edit.clear()
    qtbot.keyClicks(d.rain_edit, "35.5")
    assert save_enabled(d)
    qtbot.keyClicks(d.crack_edit, "-2")
    assert "负数" in d.problem_label.text() and not save_enabled(d)
    d.crack_edit.clear()
    qtbot.keyClicks(d.crack_edit, "abc")
    assert "不是数字" in d.problem_label.text()
    d.crack_edit.clear()
    d.at_edit.setDateTime(d.at_edit.dateTime().fromString("2026-05-11 08:30", "yyyy-MM-dd HH:mm"))
    assert "将来" in d.problem_label.text() and not save_enabled(d)
    d.at_edit.setDateTime(d.at_edit.dateTime().fromString("2026-05-10 08:30", "yyyy-MM-dd HH:mm"))
    d.by_edit.clear()
    assert "巡查人" in d.problem_label.text()
    d.by_edit.insert("张三")  # QTest.keyClicks is ASCII-only
    cb, loc, feat = d.sign_rows["拉张裂缝"]
    assert not loc.isEnabled()
    cb.setChecked(True)
    loc.insert("后缘")
    row = d.add_measurement_row()
    d.measure_table.item(row, 2).setText("x")
    assert "不是数字" in d.problem_label.text()
    d.measure_table.item(row, 2).setText("30")
    assert save_enabled(d)
    draft = d.draft()
    assert draft.judgement is Judgement.ABNORMAL and draft.by == "张三" and draft.at == "2026-05-10 08:30"
    assert draft.signs == (SignObservation("拉张裂缝", "后缘", ""),)
    assert draft.measurements[0].kind is MeasureKind.STAKE


def test_ctrl_s_with_a_problem_keeps_the_dialog_open(qtbot):
    d = make_dialog(qtbot)
    d.show()
    d.accept()
    assert d.isVisible() and d.result() == 0


def test_tab_add_edit_delete_undo_redo_and_recycle_bin(qtbot, store, double):
    from hazardmap.qt.patrol.dialogs import RecycleBinDialog
    from hazardmap.qt.patrol.patrol_tab import PatrolTab

    tab = PatrolTab(double)
    qtbot.addWidget(tab)
    assert not tab.add_button.isEnabled()
    tab.set_point(3)
    assert tab.table.rowCount() == 0 and tab.add_button.isEnabled()
    entry_id = tab.save_new(PatrolDraft(3, "2026-05-01 08:00", "杨磊", Judgement.NORMAL,
                                        measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", 10.0),)))
    tab.save_new(PatrolDraft(3, "2026-05-02 08:00", "杨磊", Judgement.ABNORMAL,
                             measurements=(Measurement(MeasureKind.CRACK_GAUGE, "", 12.0),)))
    assert tab.table.rowCount() == 2  # refreshed from the change bus
    assert tab.table.item(0, 1).text() == "异常" and tab.table.item(0, 7).text() == "+2"  # newest first
    assert patrol_status.latest_judgements(store)[3].judgement is Judgement.ABNORMAL

    tab.table.selectRow(1)
    tab.save_edit(entry_id, PatrolDraft(3, "2026-05-01 08:00", "杨磊", Judgement.DANGER))
    assert svc.get_entry(store, entry_id).judgement is Judgement.DANGER
    double.undo()
    assert svc.get_entry(store, entry_id).judgement is Judgement.NORMAL
    double.redo()
    assert svc.get_entry(store, entry_id).judgement is Judgement.DANGER

    tab.table.selectRow(0)
    newest = tab.selected_entry_id()
    tab.delete_selected(confirm=False)
    assert tab.table.rowCount() == 1 and svc.get_entry(store, newest).deleted
    double.undo()  # undo delete = restore
    assert tab.table.rowCount() == 2
    double.redo()
    assert tab.table.rowCount() == 1

    bin_dialog = RecycleBinDialog(double, tab)
    qtbot.addWidget(bin_dialog)
    assert bin_dialog.table.rowCount() == 1 and bin_dialog.table.item(0, 0).text() == str(newest)
    bin_dialog.restore_selected()
    assert bin_dialog.table.rowCount() == 0 and tab.table.rowCount() == 2
    actions = [r.action for r in svc.audit_trail(store)]
    assert actions.count("delete") == 2 and actions.count("restore") == 2 and actions.count("edit") == 3


def test_undo_of_add_moves_it_to_the_bin_not_away(qtbot, store, double):
    from hazardmap.qt.patrol.patrol_tab import PatrolTab

    tab = PatrolTab(double)
    qtbot.addWidget(tab)
    tab.set_point(1)
    entry_id = tab.save_new(PatrolDraft(1, "2026-05-01 08:00", "罗金春", Judgement.NORMAL))
    double.undo()
    assert tab.table.rowCount() == 0 and [e.id for e in svc.list_entries(store, binned=True)] == [entry_id]
    double.redo()
    assert [e.id for e in svc.list_entries(store)] == [entry_id]


def test_refused_save_is_reported_and_not_left_on_the_stack(qtbot, store, double):
    from hazardmap.qt.patrol.patrol_tab import PatrolTab

    tab = PatrolTab(double)
    qtbot.addWidget(tab)
    tab.set_point(1)
    assert tab.save_new(PatrolDraft(1, "2099-01-01 08:00", "罗金春", Judgement.NORMAL)) is None
    assert "将来" in double.runner.last_error and double.undo_stack.count() == 0 and svc.list_entries(store) == []


def test_overview_marks_overdue_and_settings_label_defaults(qtbot, store, double):
    from hazardmap.qt.patrol.dialogs import IntervalsDialog
    from hazardmap.qt.patrol.overview import PatrolOverview

    svc.record(store, PatrolDraft(1, "2026-05-01 08:00", "", "异常"))
    svc.record(store, PatrolDraft(2, "2026-05-09 08:00", "", "正常"))
    ov = PatrolOverview(double, today=date(2026, 5, 10))
    qtbot.addWidget(ov)
    assert "汛期" in ov.summary.text() and "出厂默认值" in ov.summary.text() and "7 天" in ov.summary.text()
    cell = lambda r, c: ov.table.model().index(r, c).data()  # noqa: E731 (what the table draws)
    assert ov.table.model().rowCount() == 16
    state = {cell(r, 0): cell(r, 6) for r in range(16)}
    assert state["1"] == "超期 2 天" and state["2"] == "按期" and state["3"] == "未巡查"
    assert (cell(0, 4), ov.table.model().index(0, 4).data(Qt.ForegroundRole).color().name()) == ("异常", "#f39c12")
    assert ov.table.model().index(0, 1).data(Qt.BackgroundRole).color().name() == "#fdecea"  # overdue
    assert ov.table.model().index(1, 1).data(Qt.BackgroundRole) is None
    ov.only_overdue.setChecked(True)
    assert ov.table.model().rowCount() == 15
    with qtbot.waitSignal(ov.sig_point_activated) as blocker:
        ov._activated(ov.table.model().index(0, 0))
    assert blocker.args == [1]

    dialog = IntervalsDialog(double)
    qtbot.addWidget(dialog)
    assert dialog.flood_note.text() == "出厂默认值，非本局规定"
    dialog.flood_spin.setValue(10)
    dialog.accept()
    iv = svc.get_intervals(store)
    assert iv.flood_days == 10 and not iv.flood_is_default and iv.other_is_default
    assert "本局设定" in ov.summary.text() and ov.table.model().rowCount() == 14  # refreshed via the bus


def test_attach_wires_tab_overview_and_menus(qtbot, store, tmp_path, double):
    import hazardmap.qt.patrol as patrol_qt

    w = double
    feature = patrol_qt.attach(w)
    assert w.details_tabs.tabText(0) == "巡查记录"
    assert [a.text() for a in w.menus["view"].actions() if not a.isSeparator()] == ["巡查情况"]
    assert [a.text() for a in w.menus["file"].actions() if not a.isSeparator()] == [
        "导出巡查记录（Excel）…", "导入巡查记录（Excel/CSV）…", "备份与恢复…"]
    w.sig_point_selected.emit(5)
    assert feature.tab.point_seq == 5
    w.run_operation(lambda s: svc.record(s, PatrolDraft(5, "2026-05-01 08:00", "", "危险")), title="新增")
    assert feature.tab.table.rowCount() == 1
    feature.overview.sig_point_activated.emit(2)
    assert feature.tab.point_seq == 2
    out = tmp_path / "导出.xlsx"
    assert "已导出 1 条" in patrol_qt.export_dialog(w, path=str(out), mask=True)
    assert "重复未导入 1 条" in patrol_qt.import_dialog(w, path=str(out), skip_bad=False)
    # Imported in a worker thread with its own connection; this window still hears of it.
    from openpyxl import load_workbook

    wb = load_workbook(out)
    ws = wb["巡查记录"]
    ws.append([None, 2, None, None, "2026-05-02 09:00", "李新菊", None, None, None, None, None, None, "异常"])
    ws.append([None, 2, None, None, "2099-05-02 09:00", "李新菊", None, None, None, None, None, None, "异常"])
    wb.save(out)
    rejected = patrol_qt.import_dialog(w, path=str(out), skip_bad=False)
    assert "1 行有误" in rejected and "第 4 行" in rejected and svc.list_entries(store, point=2) == []
    assert "导入 1 条" in patrol_qt.import_dialog(w, path=str(out), skip_bad=True)
    assert feature.tab.table.rowCount() == 1 and feature.overview.table.model().index(1, 4).data() == "异常"
    assert w.undo_stack.undoText().startswith("导入巡查记录")   # imported in the worker: one undo step
    w.undo()
    assert svc.list_entries(store, point=2) == [] and feature.tab.table.rowCount() == 0
    w.runner.close()


def test_backup_dialog_restores_and_clears_undo(qtbot, store, double):
    from hazardmap.qt.patrol.dialogs import BackupDialog
    from hazardmap.services import backup

    backup.make_backup(store)
    double.run_operation(lambda s: svc.record(s, PatrolDraft(1, "2026-05-01 08:00", "罗金春", Judgement.NORMAL)),
                         title="新增")
    assert double.undo_stack.count() == 1
    d = BackupDialog(double)
    qtbot.addWidget(d)
    assert d.table.rowCount() == 1
    d.table.selectRow(0)
    d.restore_selected(confirm=False)
    assert svc.list_entries(store) == [] and double.undo_stack.count() == 0
    assert d.table.rowCount() == 2  # the backup and the copy of what it replaced


def test_network_warning_is_visible(qtbot, store, double):
    from hazardmap.qt.patrol.patrol_tab import PatrolTab

    store.warnings.append("数据库位于网络共享（测试）上")
    tab = PatrolTab(double)
    qtbot.addWidget(tab)
    labels = [c.text() for c in tab.findChildren(type(tab.title))]
    assert any("网络共享" in t for t in labels)


def test_photos_added_to_an_entry_from_the_tab(qtbot, store, tmp_path, double):
    from hazardmap.qt.patrol.patrol_tab import PatrolTab

    photo = tmp_path / "裂缝.png"
    photo.write_bytes(b"\x89PNG fake")
    tab = PatrolTab(double)
    qtbot.addWidget(tab)
    tab.set_point(1)
    entry_id = tab.save_new(PatrolDraft(1, "2026-05-01 08:00", "罗金春", Judgement.NORMAL))
    tab.table.selectRow(0)
    tab.add_photos_to_selected([str(photo)])
    (rel,) = svc.get_entry(store, entry_id).photos
    assert (store.home / rel).read_bytes() == photo.read_bytes()
    assert svc.audit_trail(store, entry_id)[-1].after["photos"] == [rel]
    tab.add_photos_to_selected([str(tmp_path / "missing.jpg")])
    assert "不存在" in double.runner.last_error


def test_tab_pages_a_busy_point(qtbot, store, monkeypatch, double):
    import hazardmap.qt.patrol.patrol_tab as tab_module

    monkeypatch.setattr(tab_module, "PAGE", 3)
    for day in range(1, 6):
        svc.record(store, PatrolDraft(4, f"2026-05-0{day} 08:00", "", "正常"))
    tab = tab_module.PatrolTab(double)
    qtbot.addWidget(tab)
    tab.set_point(4)
    assert tab.table.rowCount() == 3 and "共 5 条巡查记录，显示最近 3 条" in tab.title.text()
    assert tab.table.item(0, 0).text() == "2026-05-05 08:00" and not tab.more_button.isHidden()
    tab.more_button.click()
    assert tab.table.rowCount() == 5 and tab.more_button.isHidden()


def test_overview_reads_its_rows_a_page_at_a_time(qtbot, store, double, monkeypatch):
    """The counts come from the database, the rows as the table scrolls: the first page at once, the next
    when Qt asks for more (the view scrolled to the end), until none are left."""
    from hazardmap.qt.patrol.overview import PatrolOverview

    monkeypatch.setattr(svc, "OVERVIEW_PAGE", 5)
    svc.record(store, PatrolDraft(1, "2026-05-01 08:00", "", "异常"))
    ov = PatrolOverview(double, today=date(2026, 5, 10))
    qtbot.addWidget(ov)
    counts = svc.overview_counts(store, double.current_view(), today=date(2026, 5, 10))
    assert f"共 {counts.total} 处，超期或未巡查 {counts.overdue} 处" in ov.summary.text() and counts.total > 10
    model = ov.table.model()
    assert model.rowCount() == 5 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 10
    model.fetch_all()
    assert model.rowCount() == counts.total and not model.canFetchMore()
    assert [r.point_seq for r in ov.rows] == sorted(r.point_seq for r in ov.rows)
    ov.only_overdue.setChecked(True)   # a new first page, of the overdue only
    assert model.rowCount() == 5 and all(r.overdue for r in ov.rows)
    model.fetch_all()
    assert model.rowCount() == counts.overdue
