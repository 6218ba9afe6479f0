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
