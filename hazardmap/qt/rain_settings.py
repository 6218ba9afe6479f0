"""预警阈值与覆盖范围: the county threshold table (level × window) and each site's overrides, k and the days
of the effective rainfall, the coverage radius and which points each site speaks for. The shipped values
are labelled as 江华县's published ones wherever they are still in force. Every save goes through the
operation runner as one undo step, through the same services as `hazardmap rain thresholds set`,
`rain settings` and `rain coverage` (so each change is recorded with who and when)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialogButtonBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QTableWidget, QTableWidgetItem, QTabWidget,
                               QVBoxLayout, QWidget)

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.rain import COUNTY, JIANGHUA_SOURCE, Level, Window, check_threshold_mm, fmt_mm, fmt_time
from hazardmap.qt.buttons import error_label, for_editors, guard_ok, push_button
from hazardmap.qt.shell import Shell, ShellDialog, run_in_form
from hazardmap.services import rain as svc
from hazardmap.services import rain_gauges

INHERITED = QColor("#8a8a8a")      # a site's cell that follows the county table
HISTORY_COLUMNS = ("时间", "操作人", "适用于", "等级", "时段", "原值", "新值")
COVER_COLUMNS = ("覆盖", "隐患点", "乡镇", "依据")


class RainSettingsDialog(ShellDialog):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(shell, "预警阈值与覆盖范围", (860, 560), parent)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        layout.addWidget(self.tabs, 1)
        self.error = error_label(self)
        layout.addWidget(self.error)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self._loading = False
        self.sites = [s for s in rain_gauges.list_sites(self.store) if not s.retired]
        self.tabs.addTab(self._threshold_page(), "预警阈值")
        self.tabs.addTab(self._coverage_page(), "覆盖范围")
        self.tabs.addTab(self._history_page(), "阈值修改记录")
        self.store.bus.subscribe(self._on_changes)
        self.finished.connect(lambda *_: self.store.bus.unsubscribe(self._on_changes))
        self.reload()

    # ---- pages
    def _threshold_page(self) -> QWidget:
        page = QWidget(self)
        v = QVBoxLayout(page)
        self.site_box = self._site_row(v, "阈值适用于：", self.load_thresholds, county=True)
        self.table = QTableWidget(len(Level), len(Window), page)
        self.table.setHorizontalHeaderLabels([f"{w.label}(mm)" for w in Window])
        self.table.setVerticalHeaderLabels([lv.colour_name for lv in Level])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _item: self._check_table())
        # Four rows and no empty space under them: what follows the table stays in sight.
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + 4 * self.table.verticalHeader().defaultSectionSize() + 4)
        v.addWidget(self.table)
        self.source = QLabel(page)
        self.source.setWordWrap(True)
        v.addWidget(self.source)
        self.save_table = push_button(page, "保存阈值", self.save_thresholds)
        for_editors(self.shell.store, self.save_table)
        v.addWidget(self.save_table, alignment=Qt.AlignmentFlag.AlignRight)
        eff = QHBoxLayout()
        eff.addWidget(QLabel("有效降雨量 = 当日雨量 + Σ kⁱ × 前第 i 日雨量：k =", page))
        self.k_edit = self._number_edit(page, eff, self._check_effective)
        eff.addWidget(QLabel("前期天数", page))
        self.days_edit = self._number_edit(page, eff, self._check_effective)
        self.eff_note, self.save_eff = self._note_and_save(page, eff, "保存 k 和天数", self.save_effective)
        v.addLayout(eff)
        v.addStretch(1)
        return page

    def _coverage_page(self) -> QWidget:
        page = QWidget(self)
        v = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("规则：站点周围半径", page))
        self.radius_edit = self._number_edit(page, row, self._check_radius)
        self.radius_note, self.save_radius = self._note_and_save(page, row, "保存半径", self.save_radius_km)
        v.addLayout(row)
        self.cover_site = self._site_row(v, "站点：", self.load_coverage, county=False)
        v.addWidget(QLabel("勾选或取消勾选即修改该站点覆盖的隐患点（每次为一步，可撤销）。", page))
        self.cover_table = read_only_table(COVER_COLUMNS, page)
        self.cover_table.itemChanged.connect(self._on_cover_toggled)
        v.addWidget(self.cover_table, 1)
        return page

    def _history_page(self) -> QWidget:
        self.history = read_only_table(HISTORY_COLUMNS, self)
        return self.history

    def _number_edit(self, page: QWidget, row: QHBoxLayout, check) -> QLineEdit:
        """A short number field added to row, checked (check()) as it is typed."""
        edit = QLineEdit(page)
        edit.setMaximumWidth(70)
        edit.textEdited.connect(lambda _t: check())
        row.addWidget(edit)
        return edit

    def _note_and_save(self, page: QWidget, row: QHBoxLayout, text: str, save) -> tuple[QLabel, QPushButton]:
        """The end of a row of fields: a note saying what is wrong with them, then their save button."""
        note = QLabel(page)
        row.addWidget(note, 1)
        button = push_button(page, text, save)
        for_editors(self.shell.store, button)
        row.addWidget(button)
        return note, button

    def _site_row(self, page_layout: QVBoxLayout, label: str, on_choice, *, county: bool) -> QComboBox:
        """A labelled row choosing a site (and 全县 first when county), added to a page; on_choice runs
        when the choice changes."""
        page = page_layout.parentWidget()   # the layout was made on its page
        row = QHBoxLayout()
        row.addWidget(QLabel(label, page))
        box = QComboBox(page)
        if county:
            box.addItem("全县（各站默认）", COUNTY)
        for s in self.sites:
            box.addItem(svc.site_name(s), s.slot)
        box.currentIndexChanged.connect(lambda _i: on_choice())
        row.addWidget(box, 1)
        page_layout.addLayout(row)
        return box

    # ---- loading
    def _on_changes(self, changes: Changes) -> None:
        if changes.rain or changes.points or changes.rain_gauges:
            self.reload()

    def reload(self) -> None:
        self.load_thresholds()
        self.load_effective()
        self.load_coverage()
        self.load_history()

    def slot(self) -> int:
        return int(self.site_box.currentData())

    def load_thresholds(self) -> None:
        slot = self.slot()
        ths = svc.thresholds(self.store)
        county = {(t.level, t.window): t for t in ths if t.site == COUNTY}
        own = {(t.level, t.window): t for t in ths if t.site == slot}
        self._loading = True
        self.initial: dict[tuple[Level, Window], str] = {}
        italic = QFont()
        italic.setItalic(True)
        for i, lv in enumerate(Level):
            head = QTableWidgetItem(lv.colour_name)
            head.setBackground(QBrush(QColor(lv.colour)))
            head.setForeground(QBrush(QColor("#000" if lv in (Level.YELLOW, Level.ORANGE) else "#fff")))
            self.table.setVerticalHeaderItem(i, head)
            for j, w in enumerate(Window):
                t = own.get((lv, w))
                inherited = t is None and slot != COUNTY
                shown = county.get((lv, w)) if inherited else t
                item = QTableWidgetItem(fmt_mm(shown.mm) if shown else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if inherited:
                    item.setForeground(QBrush(INHERITED))
                    item.setFont(italic)
                    item.setToolTip("沿用全县阈值；填入数值即为本站单独设定")
                elif t is not None:
                    item.setToolTip(f"来源：{t.source}" + (f"；{t.changed_by} {t.changed_at}" if t.changed_by else ""))
                self.table.setItem(i, j, item)
                self.initial[(lv, w)] = item.text()
        self._loading = False
        in_force = [own.get(c) or (county.get(c) if slot != COUNTY else None) for c in self.initial]
        jianghua = sum(1 for t in in_force if t is not None and t.source == JIANGHUA_SOURCE)
        where = "全县阈值" if slot == COUNTY else "本站在用的阈值（灰色斜体为沿用全县）"
        if jianghua:
            self.source.setText(f'<span style="color:#b45309;font-weight:bold">{where}中有 {jianghua} 项是江华县公布的数值'
                                "（他县数值，非衡南县标准）</span>，请按本局要求修改；空格表示未设（该时段不预警）。")
        else:
            self.source.setText(f"{where}均为本局设定；空格表示未设（该时段不预警）。")
        self._check_table()

    def load_effective(self) -> None:
        cfg = svc.get_settings(self.store)
        self.k_edit.setText(str(cfg.effective.k))
        self.days_edit.setText(str(cfg.effective.days))
        default = {svc.K_EFF_K, svc.K_EFF_DAYS} & cfg.defaults
        self.eff_note.setText("（出厂默认值，非本局规定）" if default else "")
        self.radius_edit.setText(fmt_mm(cfg.radius_km))
        self.radius_note.setText("km 内或同一乡镇的在册隐患点" + ("（出厂默认值）" if svc.K_COVER_KM in cfg.defaults else ""))
        self._check_effective()
        self._check_radius()

    def load_coverage(self) -> None:
        slot = self.cover_site.currentData()
        self._loading = True
        self.cover_table.setRowCount(0)
        if slot is not None:
            rows = svc.coverage_rows(self.store, int(slot))
            rows.sort(key=lambda r: (not r.covered, r.point))
            self.cover_table.setRowCount(len(rows))
            for i, r in enumerate(rows):
                check = QTableWidgetItem()
                check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                check.setCheckState(Qt.CheckState.Checked if r.covered else Qt.CheckState.Unchecked)
                check.setData(Qt.ItemDataRole.UserRole, r.point)
                self.cover_table.setItem(i, 0, check)
                for c, text in enumerate((f"{r.point} {r.name}", r.township, r.why or "—"), start=1):
                    self.cover_table.setItem(i, c, QTableWidgetItem(text))
        self._loading = False

    def load_history(self) -> None:
        changes = list(reversed(svc.threshold_changes(self.store)))
        self.history.setRowCount(len(changes))
        for i, c in enumerate(changes):
            values = (_beijing(c.changed_at), c.changed_by, "全县" if c.site == COUNTY else f"{c.site}号站", c.level.colour_name,
                      c.window.label, "未设" if c.old_mm is None else fmt_mm(c.old_mm),
                      "未设" if c.new_mm is None else fmt_mm(c.new_mm))
            for j, text in enumerate(values):
                self.history.setItem(i, j, QTableWidgetItem(text))

    # ---- checks as the user types
    def edited_cells(self) -> dict[tuple[Level, Window], str]:
        out = {}
        for i, lv in enumerate(Level):
            for j, w in enumerate(Window):
                text = self.table.item(i, j).text().strip()
                if text != self.initial[(lv, w)]:
                    out[(lv, w)] = text
        return out

    def _check_table(self) -> bool:
        if self._loading:
            return False

        def check() -> None:
            for (lv, w), text in self.edited_cells().items():
                if text:
                    try:
                        check_threshold_mm(text)
                    except HazardmapError as exc:
                        raise type(exc)(f"{lv.colour_name}{w.label}：{exc}") from None
        ok = guard_ok(self.save_table, self.error, check)
        self.save_table.setEnabled(ok and bool(self.edited_cells()))
        return ok

    def _check_effective(self) -> bool:
        from hazardmap.domain.rain import check_effective

        return guard_ok(self.save_eff, self.error, lambda: check_effective(self.k_edit.text(), self.days_edit.text()))

    def _check_radius(self) -> bool:
        from hazardmap.domain.rain import check_radius

        return guard_ok(self.save_radius, self.error, lambda: check_radius(self.radius_edit.text()))

    # ---- saving: one undo step each
    def save_thresholds(self) -> bool:
        cells = self.edited_cells()
        if not cells or not self._check_table():
            return False
        slot = self.slot()
        site = None if slot == COUNTY else slot
        # A site's cell emptied follows the county table again; the county's emptied is unset.
        return run_in_form(self.shell, self, lambda store: svc.set_thresholds(store, cells, site=site), "保存阈值")

    def save_effective(self) -> bool:
        values = {svc.K_EFF_K: self.k_edit.text(), svc.K_EFF_DAYS: self.days_edit.text()}
        return run_in_form(self.shell, self, lambda store: svc.set_settings(store, values), "保存有效降雨量参数")

    def save_radius_km(self) -> bool:
        text = self.radius_edit.text()
        return run_in_form(self.shell, self, lambda store: svc.set_settings(store, {svc.K_COVER_KM: text}),
                           "保存覆盖半径")

    def _on_cover_toggled(self, item: QTableWidgetItem) -> None:
        if self._loading or item.column() != 0:
            return
        self.set_covered(int(item.data(Qt.ItemDataRole.UserRole)), item.checkState() == Qt.CheckState.Checked)

    def set_covered(self, point: int, covered: bool) -> bool:
        slot = int(self.cover_site.currentData())
        done = run_in_form(self.shell, self, lambda store: svc.set_covered(store, slot, point, covered), "修改覆盖范围")
        if not done:
            self.load_coverage()
        return done


def _beijing(iso: str) -> str:
    """An audit time (ISO with the PC's offset) as Beijing time, as every time in the rain tools is shown."""
    from datetime import datetime

    try:
        return fmt_time(int(datetime.fromisoformat(iso).timestamp()))
    except (TypeError, ValueError):
        return iso or ""


def read_only_table(columns, parent) -> QTableWidget:
    """A table the user reads (and ticks, where a column is checkable), with these column titles."""
    t = QTableWidget(0, len(columns), parent)
    t.setHorizontalHeaderLabels(columns)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t
