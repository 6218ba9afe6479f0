"""资金与项目: the year's programme in one window (文件 → 年度资金与项目…): the plan's lines with spending,
the 排危除险 works with their progress and documents, the 三查 grid by township × phase (late ones
marked), the monitors' subsidies with export; and on the details panel, the selected point's works.
Every edit goes through the operation road (one undo step each)."""
from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QListWidget, QMessageBox, QTabWidget, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import HazardmapError, OutsideFundYear, Overspent
from hazardmap.domain.fund import DEFAULT_DUE, PRO_RATA_RULE, Phase, SpendDraft, WorkStatus, deadlines_note, \
    difference_text, yuan, yuan_whole
from hazardmap.qt.buttons import error_label, for_editors, push_button
from hazardmap.qt.shell import MenuId, Section, Shell
from hazardmap.services import checks as checks_service
from hazardmap.services import fund as svc
from hazardmap.services import subsidies as subsidy_service
from hazardmap.services import works as works_service

LATE = QColor("#fbe3dc")
DONE = QColor("#e3f1e3")


def _item(text: object, right: bool = False) -> QTableWidgetItem:
    it = QTableWidgetItem("" if text is None else str(text))
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if right:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return it


def _table(parent: QWidget, headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers), parent)
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(False)
    return t


class _Form(QDialog):
    """A small form: labelled line edits, an error label (run_in_form shows refusals there)."""

    def __init__(self, parent: QWidget, title: str, fields: list[tuple[str, str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QFormLayout(self)
        self.edits: dict[str, QLineEdit] = {}
        for key, label, value in fields:
            e = QLineEdit(value, self)
            self.edits[key] = e
            lay.addRow(label, e)
        self.error = error_label(self)
        lay.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addRow(buttons)

    def value(self, key: str) -> str:
        return self.edits[key].text().strip()


class FundWindow(QDialog):
    def __init__(self, shell: Shell) -> None:
        super().__init__(shell.widget())
        self.shell, self.store = shell, shell.store
        self.setWindowTitle("年度资金与项目")
        self.resize(1100, 680)
        self.year_box = QComboBox(self)
        self.year_box.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度：", self))
        top.addWidget(self.year_box)
        top.addWidget(self.summary, 1)
        self.new_year_button = push_button(self, "新建年度…", self.new_year)
        top.addWidget(self.new_year_button)
        self.report_button = push_button(self, "生成执行情况报告…", self.write_report)
        top.addWidget(self.report_button)
        self.tabs = QTabWidget(self)
        self._build_plan()
        self._build_works()
        self._build_checks()
        self._build_subsidies()
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        self.load_years()
        self.store.bus.subscribe(self._on_changes)
        self.destroyed.connect(lambda *_: self.store.bus.unsubscribe(self._on_changes))

    # ---- building ------------------------------------------------------------------------------------
    def _build_plan(self) -> None:
        page = QWidget(self)
        self.lines = _table(page, ["序号", "项目", "预算（元）", "已支出（元）", "余额（元）", "笔数"])
        self.lines.itemSelectionChanged.connect(self.show_spending)
        self.spending = _table(page, ["编号", "日期", "金额（元）", "收款单位（人）", "凭证号", "备注", "超支原因"])
        self.spend_button = push_button(page, "登记支出…", self.add_spending)
        self.close_button = push_button(page, "结账", self.toggle_closed)
        self.import_lines_button = push_button(page, "从 Excel 导入项目…", self.import_lines)
        self.headline_button = push_button(page, "文件总额…", self.edit_headline)
        bar = QHBoxLayout()
        for b in (self.spend_button, self.import_lines_button, self.headline_button, self.close_button):
            bar.addWidget(b)
        bar.addStretch(1)
        lay = QVBoxLayout(page)
        lay.addWidget(self.lines, 3)
        lay.addWidget(QLabel("所选项目的支出明细：", page))
        lay.addWidget(self.spending, 2)
        lay.addLayout(bar)
        self.tabs.addTab(page, "资金")

    def _build_works(self) -> None:
        page = QWidget(self)
        self.works = _table(page, ["序号", "隐患点（工程地点）", "乡镇", "预算（元）", "进度", "施工单位", "治理的隐患点", "附件"])
        self.works.setWordWrap(True)
        self.status_button = push_button(page, "推进进度…", self.advance_work)
        self.attach_button = push_button(page, "附上文件…", self.attach_docs)
        self.open_doc_button = push_button(page, "打开附件…", self.open_doc)
        bar = QHBoxLayout()
        for b in (self.status_button, self.attach_button, self.open_doc_button):
            bar.addWidget(b)
        bar.addStretch(1)
        self.works_note = QLabel(page)
        lay = QVBoxLayout(page)
        lay.addWidget(self.works, 1)
        lay.addWidget(self.works_note)
        lay.addLayout(bar)
        self.tabs.addTab(page, "排危除险工程")

    def _build_checks(self) -> None:
        page = QWidget(self)
        self.checks = _table(page, ["乡镇（街道）", *(p.value for p in Phase), "应拨经费（元）"])
        self.checks.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectItems)
        self.checks.cellDoubleClicked.connect(lambda *_: self.record_check())
        self.check_button = push_button(page, "登记所选乡镇、阶段…", self.record_check)
        self.deadline_button = push_button(page, "期限…", self.edit_deadlines)
        self.checks_note = QLabel(page)
        self.checks_note.setWordWrap(True)
        lay = QVBoxLayout(page)
        lay.addWidget(self.checks, 1)
        lay.addWidget(self.checks_note)
        bar = QHBoxLayout()
        bar.addWidget(self.check_button)
        bar.addWidget(self.deadline_button)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.tabs.addTab(page, "三查")

    def _build_subsidies(self) -> None:
        page = QWidget(self)
        self.subsidies = _table(page, ["序号", "乡镇", "村组", "群测群防员", "在岗期间", "天数", "月数", "巡查记录", "应发（元）"])
        self.export_button = push_button(page, "导出补助表（.xlsx）…", self.export_subsidies)
        for_editors(self.store, self.new_year_button, self.spend_button, self.close_button, self.import_lines_button,
                    self.headline_button, self.status_button, self.attach_button, self.check_button,
                    self.deadline_button)
        self.mask = QCheckBox("电话脱敏（发往局外的副本）", page)
        self.mask.setChecked(True)
        self.subsidy_note = QLabel(page)
        self.subsidy_note.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(self.export_button)
        bar.addWidget(self.mask)
        bar.addStretch(1)
        lay = QVBoxLayout(page)
        lay.addWidget(self.subsidies, 1)
        lay.addWidget(self.subsidy_note)
        lay.addLayout(bar)
        self.tabs.addTab(page, "群测群防员补助")

    # ---- showing -------------------------------------------------------------------------------------
    @property
    def year(self) -> int | None:
        return self.year_box.currentData()

    def load_years(self, select: int | None = None) -> None:
        self.year_box.blockSignals(True)
        self.year_box.clear()
        for fy in svc.list_years(self.store):
            self.year_box.addItem(f"{fy.year}年", fy.year)
        at = self.year_box.findData(select) if select is not None else -1
        self.year_box.setCurrentIndex(at if at >= 0 else self.year_box.count() - 1)
        self.year_box.blockSignals(False)
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.fund and [self.year_box.itemData(i) for i in range(self.year_box.count())] != \
                [fy.year for fy in svc.list_years(self.store)]:
            self.load_years(self.year)   # a year made or its making undone
        elif changes.fund or changes.points:
            self.refresh()

    def refresh(self) -> None:
        if self.year is None:
            self.summary.setText("还没有任何年度的资金使用方案")
            return
        ov = svc.overview(self.store, self.year)
        fy, t = ov.year, ov.totals
        self.summary.setText(f"{fy.title}（{fy.doc_no}）" + ("　【已结账】" if fy.closed else "")
                             + f"\n{difference_text(t, fy.headline_text)}；已支出 {yuan(t.spent_fen)} 元，余额 {yuan(t.balance_fen)} 元")
        self.close_button.setText("重新打开本年度" if fy.closed else "结账")
        for b in (self.spend_button, self.import_lines_button, self.headline_button):
            b.setEnabled(not fy.closed)
        row = self.lines.currentRow()
        self.lines.setRowCount(len(ov.balances) + 1)
        for i, b in enumerate(ov.balances):
            for j, v in enumerate((b.line.code, b.line.title, yuan(b.line.budget_fen), yuan(b.spent_fen),
                                   ("超支 " if b.over else "") + yuan(b.balance_fen), b.count)):
                it = _item(v, j >= 2)
                if b.over and j == 4:
                    it.setBackground(QBrush(LATE))
                self.lines.setItem(i, j, it)
        n = len(ov.balances)
        for j, v in enumerate(("合计", "", yuan(t.lines_fen), yuan(t.spent_fen), yuan(t.balance_fen),
                               sum(b.count for b in ov.balances))):
            it = _item(v, j >= 2)
            f = it.font()
            f.setBold(True)
            it.setFont(f)
            self.lines.setItem(n, j, it)
        self.lines.resizeColumnsToContents()
        self._balances = ov.balances
        if 0 <= row < n:
            self.lines.selectRow(row)
        self.show_spending()
        self._show_works()
        self._show_checks()
        self._show_subsidies()

    def _current_line(self):
        row = self.lines.currentRow()
        return self._balances[row].line if 0 <= row < len(self._balances) else None

    def show_spending(self) -> None:
        line = self._current_line()
        rows = svc.spendings(self.store, self.year, line.code) if line else []
        self.spending.setRowCount(len(rows))
        for i, s in enumerate(rows):
            for j, v in enumerate((s.id, s.spent_on + ("（跨年）" if s.cross_year else ""), yuan(s.amount_fen), s.payee, s.voucher, s.note, s.over_reason)):
                self.spending.setItem(i, j, _item(v, j == 2))

    def _show_works(self) -> None:
        ws = works_service.list_works(self.store, self.year)
        self._works = ws
        self.works.setRowCount(len(ws))
        for i, w in enumerate(ws):
            for j, v in enumerate((w.seq, w.site, w.township, yuan_whole(w.budget_fen), works_service.status_text(w),
                                   w.contractor, "、".join(f"第{p}号" for p in w.points), len(w.docs) or "")):
                it = _item(v, j == 3)
                if j == 4 and w.status is WorkStatus.ACCEPTED:
                    it.setBackground(QBrush(DONE))
                self.works.setItem(i, j, it)
        self.works.resizeColumnsToContents()
        self.works.setColumnWidth(1, 420)
        self.works.resizeRowsToContents()
        counts = works_service.status_counts(ws)
        self.works_note.setText(f"共 {len(ws)} 项，预算合计 {yuan_whole(works_service.works_total(ws))} 元；"
                                + "，".join(f"{s.value} {n} 项" for s, n in counts.items() if n))

    def _show_checks(self) -> None:
        ov = checks_service.overview(self.store, self.year)
        self._towns = ov.townships
        self.checks.setRowCount(len(ov.townships))
        for i, t in enumerate(ov.townships):
            self.checks.setItem(i, 0, _item(t.township))
            for j, p in enumerate(Phase, start=1):
                rec = t.records.get(p)
                it = _item(f"{rec.done_on}　{rec.done_by}" if rec else ("逾期未登记" if p in t.late else "未登记"))
                if p in t.late:
                    it.setBackground(QBrush(LATE))
                elif rec:
                    it.setBackground(QBrush(DONE))
                if rec:
                    it.setToolTip(f"检查 {rec.points_checked if rec.points_checked is not None else '—'} 处，"
                                  f"发现问题 {rec.problems if rec.problems is not None else '—'} 处。{rec.note}")
                self.checks.setItem(i, j, it)
            self.checks.setItem(i, 4, _item(yuan_whole(t.allowance_fen), True))
        self.checks.resizeColumnsToContents()
        for j in range(1, 4):
            self.checks.setColumnWidth(j, 190)
        self.checks_note.setText(f"{ov.complete}/{len(ov.townships)} 个乡镇三查齐全，应拨 {yuan_whole(ov.allowance_due_fen)} 元"
                                 f"（每个 {yuan_whole(ov.rate_fen)} 元，三个阶段都登记后拨付）；有逾期的乡镇 {len(ov.late)} 个。{deadlines_note(ov.deadlines)}")

    def _show_subsidies(self) -> None:
        try:
            sl = subsidy_service.subsidy_list(self.store, self.year)
        except HazardmapError as exc:
            self.subsidies.setRowCount(0)
            self.subsidy_note.setText(str(exc))
            return
        self.subsidies.setRowCount(len(sl.shares))
        for i, s in enumerate(sl.shares):
            for j, v in enumerate((s.row_no, s.township, s.place, s.monitor, f"{s.start}～{s.end}", s.days,
                                   f"{s.months:.1f}", s.patrols, yuan_whole(s.amount_fen))):
                self.subsidies.setItem(i, j, _item(v, j >= 5))
        self.subsidies.resizeColumnsToContents()
        self.subsidy_note.setText(f"{sl.points} 处重点隐患点，{len(sl.shares)} 人，应发合计 {yuan_whole(sl.total_fen)} 元。"
                                  f"{PRO_RATA_RULE}{subsidy_service.ACCOUNT_NOTE}。")

    # ---- edits ---------------------------------------------------------------------------------------
    def add_spending(self) -> None:
        line = self._current_line()
        form = _Form(self, "登记支出", [("line", "项目（一～九，四-1、四-2）", line.code if line else ""),
                                        ("date", "日期", ""), ("amount", "金额（元）", ""), ("payee", "收款单位（人）", ""),
                                        ("voucher", "凭证号", ""), ("note", "备注", "")])
        while form.exec() == QDialog.DialogCode.Accepted:
            draft = SpendDraft(form.value("line"), form.value("date"), form.value("amount"), form.value("payee"),
                               form.value("voucher"), form.value("note"))
            refused: list[HazardmapError] = []
            done = self.shell.run_operation(lambda st: svc.spend(st, self.year, draft), title="登记支出", parent=form,
                                            on_refused=refused.append)
            if refused and isinstance(refused[0], OutsideFundYear) and refused[0].after:
                if QMessageBox.question(form, "跨年支出", f"{refused[0]}\n\n这笔支出确属 {self.year} 年度资金吗？") \
                        == QMessageBox.StandardButton.Yes:
                    draft = SpendDraft(**{**draft.__dict__, "cross_year": True})
                    refused.clear()
                    done = self.shell.run_operation(lambda st: svc.spend(st, self.year, draft), title="登记支出",
                                                    parent=form, on_refused=refused.append)
                else:
                    form.error.setText(str(refused[0]))
                    continue
            if refused and isinstance(refused[0], Overspent):
                reason, ok = QInputDialog.getText(form, "超支原因", f"{refused[0]}\n\n超支原因：")
                if ok and reason.strip():
                    over = SpendDraft(**{**draft.__dict__, "over_reason": reason})
                    if self.shell.run_operation(lambda st: svc.spend(st, self.year, over), title="登记支出",
                                                parent=form) is not None:
                        return
                continue
            if refused:
                form.error.setText(str(refused[0]))
                continue
            if done is not None:
                return

    def new_year(self) -> None:
        from hazardmap.qt.fund_year_dialog import NewYearDialog

        dialog = NewYearDialog(self.shell, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.load_years(int(dialog.created))

    def import_lines(self, path: str = "") -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, f"导入{self.year}年的项目（序号、项目、预算）", "",
                                                  "Excel 或 CSV (*.xlsx *.csv)")
        if path:
            from hazardmap.services import fund_years

            self.shell.run_operation(lambda st: fund_years.import_lines(st, self.year, path), title="导入项目",
                                     parent=self)

    def edit_headline(self) -> None:
        fy = svc.get_year(self.store, self.year)
        amount, ok = QInputDialog.getText(self, "文件总额", "文件写明的资金总额（元，未写则留空）：",
                                          text="" if fy.headline_fen is None else yuan(fy.headline_fen))
        if not ok:
            return
        words, ok = QInputDialog.getText(self, "文件总额", "文件的原文写法（如“155 万元”）：", text=fy.headline_text)
        if ok:
            from hazardmap.services import fund_years

            self.shell.run_operation(lambda st: fund_years.set_headline(st, fy.year, amount, words), title="文件总额",
                                     parent=self)

    def toggle_closed(self) -> None:
        fy = svc.get_year(self.store, self.year)
        if fy.closed:
            self.shell.run_operation(lambda st: svc.reopen_year(st, fy.year), title="重新打开年度", parent=self)
        elif QMessageBox.question(self, "结账", f"{fy.year} 年度结账后不能再登记支出和记录（可重新打开）。确定结账？") \
                == QMessageBox.StandardButton.Yes:
            self.shell.run_operation(lambda st: svc.close_year(st, fy.year), title="年度结账", parent=self)

    def _current_work(self):
        row = self.works.currentRow()
        return self._works[row] if 0 <= row < len(self._works) else None

    def advance_work(self) -> None:
        w = self._current_work()
        if w is None:
            return
        later = [s.value for s in WorkStatus if s.rank > w.status.rank]
        if not later:
            QMessageBox.information(self, "推进进度", "这项工程已验收")
            return
        status, ok = QInputDialog.getItem(self, "推进进度", f"第 {w.seq} 项（现为“{w.status.value}”）改为：", later, 0, False)
        if not ok:
            return
        day, ok = QInputDialog.getText(self, "推进进度", f"{status}日期（如 2023-11-01）：")
        if not ok:
            return
        retire = False
        if status == WorkStatus.ACCEPTED.value:
            offer = works_service.points_to_retire(self.store, w.id)
            if offer:
                names = "\n".join(f"第 {p.seq} 号 {p.name}" for p in offer)
                retire = QMessageBox.question(
                    self, "核销治理的隐患点", f"这项工程治理的隐患点仍在册：\n{names}\n\n验收后隐患已消除，是否同时核销"
                    f"（核销原因写明本工程；可撤销）？") == QMessageBox.StandardButton.Yes
        self.shell.run_operation(lambda st: works_service.set_status(st, w.id, status, on=day or None,
                                                                     retire_points=retire),
                                 title="推进工程进度", parent=self)

    def attach_docs(self) -> None:
        w = self._current_work()
        if w is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "附上文件（合同、验收报告、照片）")
        if paths:
            self.shell.run_operation(lambda st: works_service.attach(st, w.id, paths), title="附上文件", parent=self)

    def open_doc(self) -> None:
        w = self._current_work()
        if w is None or not w.docs:
            return
        names = [f"{d.original_name}（{d.added_at[:10]}）" for d in w.docs]
        name, ok = QInputDialog.getItem(self, "打开附件", "附件：", names, 0, False)
        if ok:
            doc = w.docs[names.index(name)]
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(works_service.doc_path(self.store, doc.path))))

    def record_check(self) -> None:
        row, col = self.checks.currentRow(), self.checks.currentColumn()
        if not (0 <= row < len(self._towns)) or not 1 <= col <= 3:
            QMessageBox.information(self, "登记三查", "请先在表中选一个乡镇的某个阶段")
            return
        town, phase = self._towns[row].township, list(Phase)[col - 1]
        form = _Form(self, f"登记{town}{phase.value}", [("date", "完成日期", ""), ("by", "检查人", ""),
                                                        ("points", "检查隐患点数", ""), ("problems", "发现问题数", ""),
                                                        ("note", "备注", "")])
        from hazardmap.qt.shell import run_in_form

        while form.exec() == QDialog.DialogCode.Accepted:
            if run_in_form(self.shell, form, lambda st: checks_service.record(
                    st, self.year, town, phase, done_on=form.value("date"), done_by=form.value("by"),
                    points_checked=form.value("points"), problems=form.value("problems"), note=form.value("note")),
                    "登记三查"):
                return

    def edit_deadlines(self) -> None:
        """The year's three deadlines in one form (月-日; empty: the product's default); one undo step."""
        due = checks_service.deadlines(self.store, self.year)
        form = _Form(self, f"{self.year}年三查期限", [(p.name, f"{p.value}（月-日）", "" if d.is_default else d.mmdd)
                                                     for p, d in due.items()])
        for p, d in due.items():
            form.edits[p.name].setPlaceholderText(f"默认 {d.mmdd if d.is_default else DEFAULT_DUE[p]}（本软件所定）")
        from hazardmap.qt.shell import run_in_form

        while form.exec() == QDialog.DialogCode.Accepted:
            dues = {p: form.value(p.name) or None for p in due}
            if run_in_form(self.shell, form, lambda st: checks_service.set_deadlines(st, self.year, dues), "三查期限"):
                return

    def export_subsidies(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出群测群防员补助表", f"{self.year}年群测群防员补助.xlsx", "Excel (*.xlsx)")
        if path:
            mask = self.mask.isChecked()
            self.shell.run_operation(lambda st: subsidy_service.export_xlsx(st, self.year, path, mask_phones=mask,
                                                                            force=True), title="导出补助表", parent=self)

    def write_report(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "生成执行情况报告", f"{self.year}年资金执行情况.pdf",
                                              "PDF (*.pdf);;Excel (*.xlsx)")
        if path:
            from hazardmap.reports.fund_report import write_report

            self.shell.run_operation(lambda st: write_report(st, self.year, path, force=True), title="生成执行情况报告",
                                     slow="正在生成报告…", parent=self)


class PointWorks(QListWidget):
    """The details panel's 工程 tab: the selected point's 排危除险 works, every year."""

    def __init__(self, shell: Shell) -> None:
        super().__init__()
        self.shell = shell
        shell.sig_point_selected.connect(self.show_point)
        shell.store.bus.subscribe(self._on_changes)
        self.destroyed.connect(lambda *_: shell.store.bus.unsubscribe(self._on_changes))

    def _on_changes(self, changes: Changes) -> None:
        if changes.fund:
            self.show_point(self.shell.current_point_seq() or 0)

    def show_point(self, seq: int) -> None:
        self.clear()
        if not seq:
            return
        ws = works_service.works_of_point(self.shell.store, seq)
        for w in ws:
            self.addItem(f"{w.year}年第 {w.seq} 项：{works_service.status_text(w)}，预算 {yuan_whole(w.budget_fen)} 元\n{w.site}")
        if not ws:
            self.addItem("没有登记治理这个隐患点的排危除险工程")


class FundFeature:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.window: FundWindow | None = None
        self.action = QAction("年度资金与项目（排危除险、三查、补助）…", shell.widget())
        self.action.triggered.connect(self.open)
        shell.add_action(MenuId.FILE, self.action, Section.DATA)
        self.point_works = PointWorks(shell)
        shell.add_details_tab(self.point_works, "工程")

    def open(self) -> FundWindow:
        if self.window is None:
            self.window = FundWindow(self.shell)
        self.window.show()
        self.window.raise_()
        return self.window


def attach(shell: Shell) -> FundFeature:
    return FundFeature(shell)
