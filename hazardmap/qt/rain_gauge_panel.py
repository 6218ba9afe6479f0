"""Rain-gauge sites: the 2023 programme's slots with their 已落实 N/M counter (assign: township, then a
village list that filters as you type, or a click on the map; clear; import the bureau's list), sites
added since (新增站点…: village, 站码, install year) and retiring (撤除…) or restoring a site, through
services.rain_gauges / services.rain_gauge_import like the CLI. Every edit is one step of the window's
undo road (an import is one step however many slots it fills)."""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMessageBox,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from hazardmap.domain.errors import HazardmapError
from hazardmap.domain.rain_gauges import PROGRAMME_2023, check_install_year, check_retire, check_station_code
from hazardmap.mapping.hit import PICK_RADIUS_M, nearest_village
from hazardmap.qt.buttons import error_label, for_editors, guard_ok, ok_button, ok_cancel, push_button
from hazardmap.qt.operations import undo_button
from hazardmap.qt.shell import PicksOnMap, Shell, run_in_form
from hazardmap.services import rain_gauge_import
from hazardmap.services import rain_gauges as svc
from hazardmap.services.rain_gauge_import import BadRow, ImportReport

ALL_TOWNSHIPS = "（全部乡镇）"
# Village and status first: the side panel is narrow, and they are what staff look for.
COLUMNS = ["编号", "村（社区）", "状态", "乡镇（街道）", "批次"]


class AssignDialog(PicksOnMap, QDialog):
    """Pick a village for one slot: township first (optional), then the filtered village list,
    or a click on the map near the village."""

    def __init__(self, shell: Shell, slot: int, parent=None) -> None:
        super().__init__(parent)
        self.shell = shell
        self.store = store = shell.store
        self.slot = slot
        self.setWindowTitle(f"指定第 {slot} 号雨量计站点所在的村")
        self.township = QComboBox(self)
        self.township.addItem(ALL_TOWNSHIPS, "")
        for t in store.bundled.townships:
            self.township.addItem(t.name, t.name)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("输入村名或代码筛选")
        self.villages = QListWidget(self)
        self.error = error_label(self)
        self.township.currentIndexChanged.connect(self._refill)
        self.filter.textChanged.connect(self._refill)
        self.villages.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = ok_cancel(self, "指定")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("乡镇（街道）", self))
        layout.addWidget(self.township)
        layout.addWidget(QLabel("村（社区）", self))
        layout.addWidget(self.filter)
        layout.addWidget(self.villages, 1)
        pick = push_button(self, "在地图上点选村庄…", self._on_pick)
        layout.addWidget(pick)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(360, 480)
        self._refill()

    def _refill(self, *args) -> None:
        self.villages.clear()
        for v in svc.villages_matching(self.store, self.filter.text(), self.township.currentData() or None):
            text = f"{v.name}（{v.township}）" + ("" if v.located else "　名录中无坐标")
            item = QListWidgetItem(text, self.villages)
            item.setData(Qt.ItemDataRole.UserRole, v.code)
        if self.villages.count():
            self.villages.setCurrentRow(0)

    def _on_pick(self) -> None:
        """Hide, and let the user click near a village on the map; Esc brings the dialog back."""
        self.ask_map_click(self.shell, self.pick_prompt())

    def pick_prompt(self) -> str:
        return f"请在地图上点击第 {self.slot} 号雨量计所在的村（Esc 取消）"

    def _on_map_clicked(self, lon: float, lat: float) -> None:
        hit = nearest_village(self.store.bundled, lon, lat)
        if hit is None:  # keep picking
            self.map_tool.set_prompt(
                f"点击处 {PICK_RADIUS_M / 1000:g} 公里内没有名录中的村庄，请点在村庄圆点上（Esc 取消）")
            return
        self.select_village(hit[0].code)
        self.finish_pick()

    def select_village(self, code: str) -> bool:
        """Show and select one village (after a click on the map)."""
        village = self.store.bundled.village_by_code(code)
        if village is None:
            return False
        self.township.setCurrentIndex(max(0, self.township.findData(village.township)))
        self.filter.setText(village.name)
        for i in range(self.villages.count()):
            if self.villages.item(i).data(Qt.ItemDataRole.UserRole) == code:
                self.villages.setCurrentRow(i)
                return True
        return False

    def picked_code(self) -> str | None:
        """The village picked in the list, or None with the reason shown."""
        item = self.villages.currentItem()
        if item is None:
            self.error.setText("请先在列表中选一个村")
            return None
        return item.data(Qt.ItemDataRole.UserRole)

    def accept(self) -> None:
        slot, code = self.slot, self.picked_code()
        if code is None:
            return
        # By code: a village name that exists twice in the county is already resolved by the pick.
        if run_in_form(self.shell, self, lambda store: svc.assign(store, slot, code), "指定雨量计站点"):
            super().accept()


class AddSiteDialog(AssignDialog):
    """新增站点…: a site outside the 2023 programme: its village (picked as for a slot), and if known
    its 站码 and install year, checked as they are typed."""

    def __init__(self, shell: Shell, parent=None) -> None:
        super().__init__(shell, 0, parent)
        self.setWindowTitle("新增雨量计站点")
        self.station_code = QLineEdit(self)
        self.station_code.setPlaceholderText("可不填")
        self.year = QLineEdit(self)
        self.year.setPlaceholderText("可不填，如 2025")
        form = QFormLayout()
        form.addRow("站码", self.station_code)
        form.addRow("安装年份", self.year)
        layout = self.layout()
        layout.insertLayout(layout.indexOf(self.error), form)
        self.ok = ok_button(self.findChild(QDialogButtonBox))
        self.ok.setText("新增")
        self.station_code.textChanged.connect(self.check)
        self.year.textChanged.connect(self.check)

    def pick_prompt(self) -> str:
        return "请在地图上点击新雨量计所在的村（Esc 取消）"

    def check(self, *_args) -> bool:
        """As the user types: the reason in red and 新增 greyed while a field is wrong."""
        return guard_ok(self.ok, self.error, lambda: (check_station_code(self.station_code.text()),
                                                      check_install_year(self.year.text())))

    def accept(self) -> None:
        code, station, year = self.picked_code(), self.station_code.text(), self.year.text()
        if code is None or not self.check():
            return
        if run_in_form(self.shell, self,
                       lambda store: svc.add_site(store, code, station_code=station, install_year=year)[1],
                       "新增雨量计站点"):
            QDialog.accept(self)


class RetireDialog(QDialog):
    """撤除…: the gauge was removed: on which day (not after today) and why (required)."""

    def __init__(self, shell: Shell, slot: int, parent=None) -> None:
        super().__init__(parent)
        self.shell, self.slot = shell, slot
        site = next(s for s in svc.list_sites(shell.store) if s.slot == slot)
        self.setWindowTitle(f"撤除第 {slot} 号雨量计站点")
        self.date = QDateEdit(QDate.currentDate(), self)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setCalendarPopup(True)
        self.date.setMaximumDate(QDate.currentDate())
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("例如：设备损坏拆除")
        self.error = error_label(self)
        buttons = ok_cancel(self, "撤除")
        self.ok = ok_button(buttons)
        form = QFormLayout()
        form.addRow("站点", QLabel(f"{site.township or ''}{site.village or ''}（{site.batch_label}）", self))
        form.addRow("撤除日期", self.date)
        form.addRow("撤除原因", self.reason)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        note = QLabel("撤除后站点记录保留（不在地图上显示），可随时恢复。", self)
        note.setStyleSheet("color:#666")
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.reason.textChanged.connect(self.check)
        self.check()

    def check(self, *_args) -> bool:
        # An empty reason is not an error yet: 撤除 stays grey until one is written.
        return guard_ok(self.ok, self.error,
                        lambda: check_retire(self.date.date().toString("yyyy-MM-dd"), self.reason.text()),
                        quiet=not self.reason.text().strip())

    def accept(self) -> None:
        if not self.check():
            return
        slot, on, reason = self.slot, self.date.date().toString("yyyy-MM-dd"), self.reason.text()
        if run_in_form(self.shell, self, lambda store: svc.retire(store, slot, reason=reason, on=on),
                       "撤除雨量计站点"):
            super().accept()


class TownshipChoiceDialog(QDialog):
    """A village name in the list exists in several townships: ask which one; 跳过此行
    leaves the row bad."""

    def __init__(self, row: BadRow, parent=None) -> None:
        super().__init__(parent)
        self.row = row
        self.setWindowTitle("村名重复，请选择乡镇")
        label = QLabel(f"名单第 {row.line} 行的“{row.text}”在全县有 {len(row.candidates)} 个，是哪个乡镇（街道）的？",
                       self)
        label.setWordWrap(True)
        self.candidates = QListWidget(self)
        for v in row.candidates:
            item = QListWidgetItem(f"{v.township}　{v.name}（{v.code}）" + ("" if v.located else "　名录中无坐标"),
                                   self.candidates)
            item.setData(Qt.ItemDataRole.UserRole, v.township)
        self.candidates.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = ok_cancel(self, "确定", "跳过此行")
        # No candidate preselected: the user picks one on purpose (never a guess).
        self.candidates.setCurrentRow(-1)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.candidates.currentItemChanged.connect(lambda item, _old: ok.setEnabled(item is not None))
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.candidates, 1)
        layout.addWidget(buttons)
        self.resize(380, 260)

    def township(self) -> str | None:
        item = self.candidates.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def accept(self) -> None:
        if self.township() is None:   # OK with nothing chosen would silently skip the row
            return
        super().accept()


class ImportResultDialog(QDialog):
    """What an import did or would do: a line per row, bad rows in red with their reason.
    Before applying (confirm=True) it offers 只导入正确的 N 行 / 取消."""

    def __init__(self, report: ImportReport, summary: str, *, confirm: bool, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("导入雨量计村名单")
        self.summary = QLabel(summary, self)
        self.summary.setWordWrap(True)
        self.rows = QListWidget(self)
        lines = [(a.line, f"第 {a.line} 行：第 {a.slot} 号站点 "
                          f"{'原已指定，未变' if a.unchanged else ('将指定' if confirm else '已指定')} "
                          f"{a.village.township}{a.village.name}", False) for a in report.assignments]
        lines += [(b.line, str(b), True) for b in report.bad]   # 第 N 行（村名）：原因 (no 村名 when unreadable)
        for _line, text, bad in sorted(lines):
            item = QListWidgetItem(("✗ " if bad else "✓ ") + text, self.rows)
            if bad:
                item.setForeground(QColor("#c62828"))
        if confirm:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                       self)
            ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
            ok.setText(f"只导入正确的 {len(report.new_assignments)} 行")
            ok.setEnabled(bool(report.new_assignments))
            buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消（不导入）")
            buttons.rejected.connect(self.reject)
        else:
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
            buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
            buttons.rejected.connect(self.accept)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.rows, 1)
        layout.addWidget(buttons)
        self.resize(520, 380)


class RainGaugePanel(QWidget):
    def __init__(self, shell: Shell, parent=None) -> None:
        super().__init__(parent)
        self.shell = shell
        self.store = shell.store
        self.assign_dialog: AssignDialog | None = None
        self.retire_dialog: RetireDialog | None = None
        self.result_dialog: ImportResultDialog | None = None
        self.counter = QLabel(self)
        self.tally = QLabel(self)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: None if self.store.read_only else self._on_assign())
        self.assign_button = QPushButton("指定村…", self)
        self.clear_button = QPushButton("清空", self)
        self.undo_button = undo_button(shell, self)
        self.import_button = QPushButton("导入名单…", self)
        self.import_button.setToolTip("从 Excel（.xlsx）或 CSV 名单导入：表头有“村名”列，可有“乡镇”“编号”列")
        self.import_button.clicked.connect(self._on_import)
        self.assign_button.clicked.connect(self._on_assign)
        self.clear_button.clicked.connect(self._on_clear)
        self.add_button = QPushButton("新增站点…", self)
        self.add_button.setToolTip("2023 年批次以外新装的雨量计：选村，可填站码和安装年份")
        self.add_button.clicked.connect(self.open_add_dialog)
        self.retire_button = QPushButton("撤除…", self)
        self.retire_button.setToolTip("雨量计已拆除：记下日期和原因，站点记录保留，可恢复")
        self.retire_button.clicked.connect(self._on_retire)
        self.restore_button = push_button(self, "恢复", self._on_restore)
        for_editors(self.store, self.assign_button, self.clear_button, self.undo_button, self.import_button,
                    self.add_button, self.retire_button, self.restore_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.assign_button)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        second = QHBoxLayout()   # own rows: the side panel is only about 210 px wide
        second.addWidget(self.import_button)
        second.addWidget(self.add_button)
        second.addStretch(1)
        third = QHBoxLayout()
        third.addWidget(self.retire_button)
        third.addWidget(self.restore_button)
        third.addStretch(1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color:#666")
        self.tally.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.counter)
        layout.addWidget(self.tally)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(second)
        layout.addLayout(third)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        done, total = svc.assigned_count(self.store)
        colour = "#2e7d32" if done == total else "#c62828"
        self.counter.setText(f"<b style='font-size:14px;color:{colour}'>已落实 {done}/{total}</b>")
        self.counter.setToolTip(PROGRAMME_2023)
        self.counter.setProperty("counts", (done, total))
        sites = svc.list_sites(self.store)
        added = sum(1 for s in sites if not s.batch)
        retired = sum(1 for s in sites if s.retired)
        self.tally.setText(f"在用 {sum(1 for s in sites if s.active)} 处（地图上显示）；单独新增 {added} 处；"
                           f"已撤除 {retired} 处")
        self.note.setText(f"{PROGRAMME_2023}：{total} 个村部；文件未列出村名，请按局里的名单逐一指定，或导入名单。")
        keep = self.current_slot()
        self.table.setRowCount(len(sites))
        for row, s in enumerate(sites):
            village = s.village or "（未落实）"
            if s.active and s.lon is None:
                village += "　名录中无坐标，地图上不显示"
            status = s.status_label + (f"：{s.retired_reason}" if s.retired else "")
            for col, text in enumerate([str(s.slot), village, status, s.township or "", s.batch_label]):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, s.slot)
                if not s.active:
                    item.setForeground(Qt.GlobalColor.gray)
                if s.retired:
                    item.setToolTip(f"{s.retired_on} 撤除：{s.retired_reason}（{s.retired_by}）")
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        if keep:
            self.select_slot(keep)
        self._update_buttons()

    def select_slot(self, slot: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == slot:
                self.table.selectRow(row)
                return

    def current_slot(self) -> int | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def current_site(self):
        slot = self.current_slot()
        return next((s for s in svc.list_sites(self.store) if s.slot == slot), None) if slot else None

    def _update_buttons(self) -> None:
        site = self.current_site()
        self.retire_button.setEnabled(bool(site and site.active))
        self.restore_button.setEnabled(bool(site and site.retired))
        self.assign_button.setEnabled(not (site and site.retired))
        self.clear_button.setEnabled(bool(site and site.batch and site.assigned and not site.retired))

    def open_add_dialog(self) -> AddSiteDialog:
        if self.assign_dialog is not None:
            self.assign_dialog.close()
        dlg = AddSiteDialog(self.shell, self)
        self.assign_dialog = dlg
        dlg.show()
        return dlg

    def _on_retire(self) -> None:
        slot = self.current_slot()
        if slot is not None:
            self.open_retire_dialog(slot)

    def open_retire_dialog(self, slot: int) -> RetireDialog:
        if self.retire_dialog is not None:
            self.retire_dialog.close()
        self.retire_dialog = dlg = RetireDialog(self.shell, slot, self)
        dlg.show()
        return dlg

    def _on_restore(self) -> None:
        slot = self.current_slot()
        if slot is None:
            return
        if QMessageBox.question(self, "恢复站点", f"恢复第 {slot} 号雨量计站点（重新在用）？") == \
                QMessageBox.StandardButton.Yes:
            self.restore_slot(slot)

    def restore_slot(self, slot: int) -> None:
        self.shell.run_operation(lambda store: svc.restore(store, slot), title="恢复雨量计站点", parent=self)

    def _on_assign(self) -> None:
        slot = self.current_slot()
        if slot is None:
            slot = next((s.slot for s in svc.list_sites(self.store) if not s.assigned), None)
            if slot is None:
                QMessageBox.information(self, "雨量计站点", "请先在列表中选中要修改的站点")
                return
        self.open_assign_dialog(slot)

    def open_assign_dialog(self, slot: int) -> AssignDialog:
        if self.assign_dialog is not None:
            self.assign_dialog.close()
        dlg = AssignDialog(self.shell, slot, self)
        self.assign_dialog = dlg
        dlg.show()
        return dlg

    def _on_import(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "导入雨量计村名单", "",
                                                    "名单 (*.xlsx *.csv);;Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)")
        if path:
            self.import_file(path)

    def import_file(self, path: str) -> ImportReport | None:
        """Check the whole list, ask about names that exist in several townships, ask before
        applying a list with bad rows, then apply it in one go (one undo step)."""
        try:
            report = rain_gauge_import.import_villages(self.store, path, dry_run=True)
            choices: dict[int, str] = {}
            for row in report.ambiguous:
                dlg = TownshipChoiceDialog(row, self)
                if dlg.exec() == QDialog.DialogCode.Accepted:
                    choices[row.line] = dlg.township()
            if choices:
                report = rain_gauge_import.import_villages(self.store, path, dry_run=True, choices=choices)
            skip_bad = False
            if report.bad:
                done, total = svc.assigned_count(self.store)
                confirm = ImportResultDialog(
                    report, f"名单中有 {len(report.bad)} 行有误（红色），尚未导入任何一行。已落实 {done}/{total}",
                    confirm=True, parent=self)
                if confirm.exec() != QDialog.DialogCode.Accepted:
                    return None
                skip_bad = True
        except HazardmapError as exc:
            QMessageBox.warning(self, "导入雨量计村名单", str(exc))
            return None
        report = self.shell.run_operation(
            lambda store: rain_gauge_import.import_villages(store, path, choices=choices, skip_bad=skip_bad),
            title="导入雨量计村名单", slow="正在导入雨量计村名单…", parent=self)
        if report is None:
            return None
        done, total = svc.assigned_count(self.store)
        skipped = f"，跳过 {len(report.bad)} 行有误的" if report.bad else ""
        self.show_result(report, f"导入 {len(report.new_assignments)} 个站点{skipped}。已落实 {done}/{total}")
        return report

    def show_result(self, report: ImportReport, summary: str) -> None:
        if self.result_dialog is not None:
            self.result_dialog.close()
        self.result_dialog = ImportResultDialog(report, summary, confirm=False, parent=self)
        self.result_dialog.show()

    def _on_clear(self) -> None:
        slot = self.current_slot()
        if slot is None:
            return
        if QMessageBox.question(self, "清空站点", f"清空第 {slot} 号雨量计站点？") == QMessageBox.StandardButton.Yes:
            self.clear_slot(slot)

    def clear_slot(self, slot: int) -> None:
        self.shell.run_operation(lambda store: svc.clear(store, slot), title="雨量计站点", parent=self)
