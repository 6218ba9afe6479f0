"""The 年度资金与项目 window through the shell: the plan's totals, the works, the 三查 grid with late
townships, the subsidies; accepting a work retires its points only when the user says yes."""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from hazardmap.qt import fund_window
from hazardmap.services import checks, works
from hazardmap.services.points import get_point
from hazardmap.services.store import open_store
from tests.shell_double import ShellDouble


@pytest.fixture
def shell(qtbot, home):
    store = open_store(home)
    s = ShellDouble(store)
    qtbot.addWidget(s)
    yield s
    store.close()


def test_window_shows_the_year(shell, qtbot):
    feature = fund_window.attach(shell)
    win = feature.open()
    qtbot.addWidget(win)
    assert "多 8,783 元" in win.summary.text()
    last = win.lines.rowCount() - 1
    assert win.lines.item(last, 0).text() == "合计" and win.lines.item(last, 2).text() == "1,558,783.00"
    assert win.works.rowCount() == 7 and "990,000" in win.works_note.text()
    assert win.checks.rowCount() == 23
    assert win.subsidies.rowCount() == 16 and "19,200" in win.subsidy_note.text()
    # a record made elsewhere shows at once (the bus)
    shell.run_operation(lambda st: checks.record(st, 2023, "茅市镇", "汛前排查", done_on="2023-03-01", done_by="张三"),
                        title="t")
    row = [win.checks.item(i, 0).text() for i in range(23)].index("茅市镇")
    assert win.checks.item(row, 1).text().startswith("2023-03-01")
    assert "逾期" in win.checks.item(row, 2).text()  # 汛中巡查 past its default due date, not recorded
    win.grab().save(str(shell.store.home / "fund_window.png"))


@pytest.mark.parametrize("answer, retired", [(QMessageBox.StandardButton.No, False),
                                             (QMessageBox.StandardButton.Yes, True)])
def test_accepting_in_the_window_asks_before_retiring(shell, qtbot, monkeypatch, answer, retired):
    win = fund_window.attach(shell).open()
    qtbot.addWidget(win)
    w2 = next(w for w in works.list_works(shell.store, 2023) if w.seq == 2)
    win.works.selectRow(1)
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("验收", True))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("2023-11-01", True))
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer)
    win.advance_work()
    assert "第 3 号" in asked[0]
    assert works.get_work(shell.store, w2.id).status.value == "验收"
    assert get_point(shell.store, 3).retired is retired
    shell.undo()
    assert not get_point(shell.store, 3).retired and works.get_work(shell.store, w2.id).status.value == "计划"


def test_new_year_typed_in_the_window_shows_the_headline_beside_the_lines(shell, qtbot, tmp_path):
    from PySide6.QtWidgets import QTableWidgetItem

    from hazardmap.qt.fund_year_dialog import NewYearDialog
    from hazardmap.services import fund

    win = fund_window.attach(shell).open()
    qtbot.addWidget(win)
    d = NewYearDialog(shell, win)
    qtbot.addWidget(d)
    assert d.edits["year"].text() == "2024"
    d.edits["headline"].setText("300000")
    d.edits["headline_text"].setText("30 万元")
    d.set_lines([("一", "技术服务", "200000"), ("二", "地质灾害隐患排查巡查核查等", "-5")])
    assert "（另有 1 行预算未填好，未计入）" in d.sum_label.text()
    d.create()  # refused: the row is named in the red line, nothing is made
    assert "第 2 行：预算不能为负数" in d.error.text() and [y.year for y in fund.list_years(shell.store)] == [2023]
    d.table.setItem(1, 2, QTableWidgetItem("69000"))
    assert "各分项合计 269,000 元，比文件总额 30 万元（300,000 元）少 31,000 元" in d.sum_label.text()
    d.create()
    assert d.result() == d.DialogCode.Accepted and d.created == "2024"
    win.load_years(2024)
    assert win.year == 2024 and "少 31,000 元" in win.summary.text() and win.lines.rowCount() == 3
    d.copy_box.setCurrentIndex(0)
    d.copy_lines()
    assert d.table.rowCount() == 10 and d.table.item(9, 2).text() == "990000"
    d.grab().save(str(shell.store.home / "new_year_dialog.png"))
    shell.undo()  # one step takes the year back; the window's year list follows
    assert [y.year for y in fund.list_years(shell.store)] == [2023] and win.year == 2023


def test_reading_a_bad_xlsx_in_the_dialog_names_the_file_rows(shell, qtbot, tmp_path):
    from openpyxl import Workbook

    from hazardmap.qt.fund_year_dialog import NewYearDialog

    wb = Workbook()
    wb.active.append(["序号", "项目", "预算"])
    wb.active.append(["一", "技术服务", 100])
    wb.active.append(["二", "培训", "abc"])
    wb.save(tmp_path / "p.xlsx")
    d = NewYearDialog(shell)
    qtbot.addWidget(d)
    d.read_xlsx(str(tmp_path / "p.xlsx"))
    assert "第 3 行：预算“abc”不是金额" in d.error.text() and d.table.rowCount() == 0
    wb.active["C3"] = 50
    wb.save(tmp_path / "p.xlsx")
    d.read_xlsx(str(tmp_path / "p.xlsx"))
    assert d.error.text() == "" and d.table.rowCount() == 2 and "各分项合计 150 元" in d.sum_label.text()


def test_deadlines_set_in_the_window_in_one_undo_step(shell, qtbot, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from hazardmap.domain.fund import Phase

    win = fund_window.attach(shell).open()
    qtbot.addWidget(win)
    assert "汛前排查 3月31日前（本软件默认）" in win.checks_note.text()
    answers = iter([{"PRE": "04-15", "DURING": "08-31"}, {"PRE": "10-15"}])
    seen = []

    def fill(form):
        seen.append(form.error.text())
        values = next(answers, None)
        if values is None:
            return QDialog.DialogCode.Rejected
        for key, v in values.items():
            form.edits[key].setText(v)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(fund_window._Form, "exec", fill)
    win.edit_deadlines()
    assert [d.mmdd for d in checks.deadlines(shell.store, 2023).values()] == ["04-15", "08-31", "11-30"]
    assert "汛中巡查 8月31日前（局里设定" in win.checks_note.text()
    win.edit_deadlines()  # the second form: 10-15 is after 汛中巡查's 8月31日, refused in the red line
    assert checks.deadlines(shell.store, 2023)[Phase.PRE].mmdd == "04-15"
    assert "汛前排查期限（10月15日）应早于汛中巡查期限（8月31日）" in seen[-1]
    shell.undo()
    assert all(d.is_default for d in checks.deadlines(shell.store, 2023).values())
    assert "汛前排查 3月31日前（本软件默认）" in win.checks_note.text()


@pytest.mark.parametrize("answer, kept", [(QMessageBox.StandardButton.No, 0), (QMessageBox.StandardButton.Yes, 1)])
def test_spending_after_the_year_asks_whether_it_belongs_to_it(shell, qtbot, monkeypatch, answer, kept):
    from PySide6.QtWidgets import QDialog

    from hazardmap.services import fund

    win = fund_window.attach(shell).open()
    qtbot.addWidget(win)
    asked, errors = [], []
    calls = iter([True])

    def fill(form):
        errors.append(form.error.text())
        if next(calls, False) is False:
            return QDialog.DialogCode.Rejected
        for key, v in (("line", "一"), ("date", "2024-02-05"), ("amount", "1000"), ("payee", "某地质勘查院")):
            form.edits[key].setText(v)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(fund_window._Form, "exec", fill)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answer)
    win.add_spending()
    assert "已在 2023 年之后" in asked[0] and "确属 2023 年度资金吗" in asked[0]
    assert len(fund.spendings(shell.store, 2023)) == kept
    if kept:
        win.lines.selectRow(0)
        assert win.spending.item(0, 1).text() == "2024-02-05（跨年）"
    else:
        assert "请确认后再登记" in errors[-1]
