"""新建年度: a year's document (title, 文号, the headline total as the heading states it, the rates) and its
lines typed in a table, read from an .xlsx (序号/项目/预算) or copied from an earlier year to be edited.
The sum of the lines is shown beside the headline with the difference as the user types; OK creates the
year in one step (services/fund_years.py), a refusal stays in the red line with the rows named."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.fund import FundLine, LineDraft, PlanTotals, YearDraft, difference_text, parse_amount
from hazardmap.qt.buttons import error_label, ok_cancel, push_button
from hazardmap.qt.shell import Shell, ShellDialog, run_in_form
from hazardmap.services import fund as svc
from hazardmap.services import fund_years

HEADERS = ["序号", "项目", "预算（元）"]


class NewYearDialog(ShellDialog):
    def __init__(self, shell: Shell, parent=None) -> None:
        super().__init__(shell, "新建年度资金使用方案", (760, 620), parent)
        self.created: object = None
        years = [fy.year for fy in svc.list_years(self.store)]
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for key, text, value, hint in (
                ("year", "年度", str(years[-1] + 1) if years else "", ""),
                ("title", "方案名称", "", "默认：衡南县Y年地质灾害防治专项资金使用方案"),
                ("doc_no", "文号", "", ""), ("issued_on", "印发日期", "", "如 2025-04-17"),
                ("headline", "文件总额（元）", "", "文件标题或正文写明的总额；未写则留空"),
                ("headline_text", "总额原文写法", "", "如“155 万元”"),
                ("township_rate", "三查经费（元/乡镇）", "", "留空：沿用上一年度"),
                ("monitor_rate", "群测群防员补助（元/处·年）", "", "留空：沿用上一年度")):
            e = QLineEdit(value, self)
            e.setPlaceholderText(hint)
            e.textChanged.connect(self.update_sum)
            self.edits[key] = e
            form.addRow(text, e)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setColumnWidth(0, 70)
        self.table.setColumnWidth(1, 470)
        self.table.setColumnWidth(2, 130)
        self.table.itemChanged.connect(self.update_sum)
        self.copy_box = QComboBox(self)
        for y in years:
            self.copy_box.addItem(f"{y}年", y)
        bar = QHBoxLayout()
        bar.addWidget(push_button(self, "加一行", self.add_row))
        bar.addWidget(push_button(self, "删去所选行", self.remove_row))
        bar.addWidget(push_button(self, "从 Excel 读入…", self.read_xlsx))
        bar.addStretch(1)
        bar.addWidget(QLabel("复制", self))
        bar.addWidget(self.copy_box)
        bar.addWidget(push_button(self, "的项目", self.copy_lines))
        self.sum_label = QLabel(self)
        self.sum_label.setWordWrap(True)
        self.error = error_label(self)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(QLabel("项目（序号写 一、二…，一项分几笔写 四-1、四-2）：", self))
        lay.addWidget(self.table, 1)
        lay.addLayout(bar)
        lay.addWidget(self.sum_label)
        lay.addWidget(self.error)
        lay.addWidget(ok_cancel(self, "新建", on_ok=self.create))
        self.update_sum()

    # ---- the lines table
    def add_row(self, values: tuple[str, str, str] = ("", "", "")) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        for c, v in enumerate(values):
            self.table.setItem(r, c, QTableWidgetItem(v))

    def remove_row(self) -> None:
        for r in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(r)
        self.update_sum()

    def set_lines(self, rows: list[tuple[str, str, str]]) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for values in rows:
            self.add_row(values)
        self.table.blockSignals(False)
        self.error.setText("")
        self.update_sum()

    def _cell(self, r: int, c: int) -> str:
        it = self.table.item(r, c)
        return it.text().strip() if it else ""

    def drafts(self) -> list[LineDraft]:
        return [LineDraft(self._cell(r, 0), self._cell(r, 1), self._cell(r, 2), r + 1)
                for r in range(self.table.rowCount()) if any(self._cell(r, c) for c in range(3))]

    def draft(self) -> YearDraft:
        v = {k: e.text().strip() for k, e in self.edits.items()}
        return YearDraft(v["year"], v["title"], v["doc_no"], v["issued_on"], v["headline"], v["headline_text"],
                         v["township_rate"], v["monitor_rate"])

    @staticmethod
    def _row(ln: FundLine) -> tuple[str, str, str]:
        return ln.code, ln.title, f"{ln.budget_fen / 100:.2f}".removesuffix(".00")

    def copy_lines(self) -> None:
        year = self.copy_box.currentData()
        if year is not None:
            self.set_lines([self._row(ln) for ln in svc.lines(self.store, year)])

    def read_xlsx(self, path: str = "") -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "读入项目表（序号、项目、预算）", "", "Excel 或 CSV (*.xlsx *.csv)")
        if not path:
            return
        try:
            drafts = fund_years.read_plan_lines(path)
            lines = fund_years.check_lines(drafts, 2000, source=path.rsplit("/", 1)[-1])  # rows named as in the file
        except HazardmapError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self.set_lines([self._row(ln) for ln in lines])

    def update_sum(self, *_) -> None:
        total, unread = 0, 0
        for d in self.drafts():
            try:
                total += parse_amount(d.budget, allow_zero=True)
            except HazardmapError:
                unread += 1
        headline_text = self.edits["headline"].text().strip()
        try:
            headline = parse_amount(headline_text) if headline_text else None
        except HazardmapError:
            headline = None
        words = self.edits["headline_text"].text().strip() or (f"{headline_text} 元" if headline_text else "")
        text = difference_text(PlanTotals(total, headline, 0), words)
        self.sum_label.setText(text + (f"（另有 {unread} 行预算未填好，未计入）" if unread else ""))

    def create(self) -> None:
        draft, lines = self.draft(), self.drafts()
        if run_in_form(self.shell, self, lambda st: fund_years.new_year(st, draft, lines), "新建年度"):
            self.created = draft.year
            self.accept()
