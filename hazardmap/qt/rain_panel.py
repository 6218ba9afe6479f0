"""雨情预警: the rain warnings now (or at a chosen time), which points must be patrolled and why, a site's
rainfall chart with its threshold lines, a grid for typing or pasting readings (from Excel), and the
imports and exports (readings file, SMS list). Everything is computed by services/rain.py; edits go
through the operation runner (one undo step each).

The chart is QtCharts from PySide6 (already a dependency; no plotting library added: see pyproject.toml)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, Qt, QTimer, QTimeZone
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDateTimeEdit, QDockWidget, QFileDialog, QFrame, QHBoxLayout,
                               QHeaderView, QInputDialog, QLabel, QMessageBox, QScrollArea, QSplitter, QTableWidget,
                               QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from hazardmap.domain.changes import Changes
from hazardmap.domain.errors import HazardmapError, InvalidInput
from hazardmap.domain.rain import (BEIJING, HOUR, JIANGHUA_SOURCE, NO_DATA_COLOUR, Level, Window, fmt_mm, fmt_time,
                                   parse_time)
from hazardmap.qt import printing, rain_settings
from hazardmap.qt.buttons import for_editors, push_button
from hazardmap.qt.rain_settings import read_only_table
from hazardmap.qt.shell import DialogFeature, MenuId, Section, Shell
from hazardmap.services import rain as svc
from hazardmap.services import rain_import

STATUS_COLUMNS = ("站点", "预警", "触发原因（时段 雨量 ≥ 阈值）", "最新读数", "覆盖隐患点")
DUE_COLUMNS = ("隐患点", "应做", "监测员", "电话", "原因")
GRID_COLUMNS = ("站点（编号/站码/村名）", "时间（北京时间，时段末）", "雨量(mm)")
CHART_HOURS = 48


class RainPanel(QWidget):
    def __init__(self, shell: Shell, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shell, self.store = shell, shell.store
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.now_box = QCheckBox("现在", self)
        self.now_box.setChecked(True)
        self.when = QDateTimeEdit(self)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setTimeZone(QTimeZone(8 * 3600))   # Beijing time whatever the PC's own zone
        self.when.setDateTime(QDateTime.fromSecsSinceEpoch(svc.now_ts(), QTimeZone(8 * 3600)))
        self.when.setEnabled(False)
        self.now_box.toggled.connect(lambda on: (self.when.setEnabled(not on), self.refresh()))
        self.when.dateTimeChanged.connect(lambda _d: self.refresh())
        top.addWidget(QLabel("北京时间：", self))
        top.addWidget(self.now_box)
        top.addWidget(self.when)
        top.addStretch(1)
        for text, slot in (("导入雨量…", self._on_import), ("预警短信…", self._on_sms),
                           ("按预警导出…", self._on_export_sheets), ("阈值与覆盖…", self.open_settings),
                           ("刷新", self.refresh)):
            button = push_button(self, text, slot)
            top.addWidget(button)
            if slot == self._on_import:
                for_editors(self.store, button)
        self.printer = printing.PrintController(shell)   # the batch export's worker, progress and 取消
        self.last_message = ""
        layout.addLayout(top)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        left = QTabWidget(split)
        self.status_table = _table(STATUS_COLUMNS, left)
        self.status_table.itemSelectionChanged.connect(self._on_site_selected)
        self.due_table = _table(DUE_COLUMNS, left)
        self.due_table.doubleClicked.connect(self._on_due_activated)
        self.grid = QTableWidget(12, len(GRID_COLUMNS), left)
        self.grid.setHorizontalHeaderLabels(GRID_COLUMNS)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        grid_page = QWidget(left)
        gl = QVBoxLayout(grid_page)
        gl.addWidget(QLabel("逐条录入，或从 Excel 复制 站点、时间、雨量 三列后在表中按 Ctrl+V 粘贴；每条为该时刻前 1 小时的雨量。",
                            grid_page))
        gl.addWidget(self.grid)
        save_grid = push_button(grid_page, "保存读数", self.save_grid)
        gl.addWidget(save_grid, alignment=Qt.AlignmentFlag.AlignRight)
        for_editors(self.store, save_grid)
        QShortcut(QKeySequence.StandardKey.Paste, self.grid, activated=self.paste_into_grid)
        left.addTab(self.due_table, "应巡查的隐患点")
        left.addTab(self.status_table, "各站预警")
        left.addTab(grid_page, "录入读数")
        self.tabs = left
        self.chart = QChart()
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart_view = QChartView(self.chart, split)
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumSize(420, 200)   # the dock scrolls (attach): this never makes the window bigger
        split.addWidget(left)
        split.addWidget(self.chart_view)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555")
        layout.addWidget(self.note)
        self.rows: list[svc.SiteRow] = []
        self.due: list[svc.DuePatrol] = []
        self.store.bus.subscribe(self._on_changes)
        self.destroyed.connect(lambda *_: self.store.bus.unsubscribe(self._on_changes))
        # Filled once the window is up (each site's coverage is read for the warnings): not on the road to the map.
        self._filled = False
        self.summary.setText("加载中…")
        QTimer.singleShot(0, self, self._first_fill)

    def _first_fill(self) -> None:
        if not self._filled:   # unless something asked for a refresh already
            self.refresh()

    # ---- state
    def at(self) -> int:
        if self.now_box.isChecked():
            return svc.now_ts()
        return int(self.when.dateTime().toSecsSinceEpoch())

    def set_time(self, text: str | None) -> None:
        """None: now; else a Beijing time (what the tests and the screenshot use)."""
        if text is None:
            self.now_box.setChecked(True)
            return
        ts = parse_time(text)[0]
        self.when.blockSignals(True)
        self.when.setDateTime(QDateTime.fromSecsSinceEpoch(ts, QTimeZone(8 * 3600)))
        self.when.blockSignals(False)
        self.now_box.setChecked(False)
        self.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if changes.rain or changes.rain_gauges or changes.patrol_points or changes.points:
            self.refresh()

    def refresh(self) -> None:
        self._filled = True
        try:
            at = self.at()
            self.rows = sorted(svc.status(self.store, at), key=lambda r: (-int(r.status.level or 0), r.site.slot))
            self.due = svc.due_patrols(self.store, at)
            cfg = svc.get_settings(self.store)
        except HazardmapError as exc:
            self.summary.setText(str(exc))
            return
        warned = [r for r in self.rows if r.status.level is not None]
        when = "现在" if self.now_box.isChecked() else fmt_time(at)
        if warned:
            worst = warned[0].status.level
            self.summary.setText(
                f'<span style="font-size:14pt;font-weight:bold;color:{worst.colour}">{when}：{len(warned)} 个站点预警'
                f"（最高{worst.colour_name}），{len(self.due)} 处隐患点应巡查</span>"
                f"<br>达到{cfg.patrol_level.colour_name}及以上时，覆盖的隐患点列为应巡查，录入巡查记录后消除。")
        else:
            self.summary.setText(f'<span style="font-size:12pt">{when}：无雨量预警</span>')
        sources = {t.source for t in svc.thresholds(self.store)}
        self.note.setText(
            "阈值：" + ("江华县公布的数值（他县数值，非衡南县标准），请按本局要求修改。" if JIANGHUA_SOURCE in sources
                     else "本局设定。") + f"覆盖范围：站点 {fmt_mm(cfg.radius_km)} km 内或同一乡镇的隐患点"
            + ("（出厂默认值）" if svc.K_COVER_KM in cfg.defaults else "") + "。")
        self._fill_status()
        self._fill_due()
        self._on_site_selected()

    def _fill_status(self) -> None:
        t = self.status_table
        t.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            st = r.status
            level = st.level.colour_name if st.level else ("无预警" if st.has_data else "无读数")
            cover = "、".join(str(c.point) for c in r.covered) or ("未落实村庄，无法确定" if not r.site.assigned else "无")
            values = (r.name, level, st.reason, fmt_time(st.last_reading) if st.last_reading else "—", cover)
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, r.site.slot)
                if c == 1:
                    colour = st.level.colour if st.level else (NO_DATA_COLOUR if not st.has_data else "#3a9a3a")
                    item.setBackground(QBrush(QColor(colour)))
                    item.setForeground(QBrush(QColor("#000" if st.level is Level.YELLOW else "#fff")))
                t.setItem(i, c, item)

    def _fill_due(self) -> None:
        t = self.due_table
        t.setRowCount(len(self.due))
        bold = QFont()
        bold.setBold(True)
        for i, d in enumerate(self.due):
            values = (f"{d.point} {d.name}", d.kind, d.monitor, d.phone,
                      f"{d.site_name} {d.level.colour_name}预警：{d.first}")
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, d.point)
                if c in (0, 1):
                    item.setFont(bold)
                if c == 1:
                    item.setBackground(QBrush(QColor(d.level.colour)))
                    item.setForeground(QBrush(QColor("#000" if d.level is Level.YELLOW else "#fff")))
                t.setItem(i, c, item)

    def _on_due_activated(self, index) -> None:
        seq = self.due_table.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        self.shell.select_point(int(seq))

    # ---- chart
    def selected_site(self) -> int | None:
        items = self.status_table.selectedItems()
        if items:
            return int(items[0].data(Qt.ItemDataRole.UserRole))
        warned = [r for r in self.rows if r.status.has_data]
        return warned[0].site.slot if warned else None

    def _on_site_selected(self) -> None:
        slot = self.selected_site()
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        if slot is None:
            self.chart.setTitle("无读数")
            return
        at = self.at()
        first = (at // HOUR) * HOUR - (CHART_HOURS - 1) * HOUR
        site, rows = svc.series(self.store, slot, since=fmt_time(first - 24 * HOUR), until=fmt_time(at))
        row = next((r for r in self.rows if r.site.slot == slot), None)
        self.chart.setTitle(f"{svc.site_name(site)}  近 {CHART_HOURS} 小时")
        hourly = {}
        for ts, mm, minutes in rows:
            if minutes <= 60:
                hour = -(-ts // HOUR) * HOUR
                hourly[hour] = hourly.get(hour, 0.0) + mm
        hours = [first + i * HOUR for i in range(CHART_HOURS)]
        bars = QBarSet("逐时")
        bars.setColor(QColor("#4a90d9"))
        cumulative = QLineSeries()
        cumulative.setName("24h累计")
        cumulative.setPen(QPen(QColor("#222"), 2))
        for i, h in enumerate(hours):
            bars.append(hourly.get(h, 0.0))
            cumulative.append(i, sum(v for t, v in hourly.items() if h - 24 * HOUR < t <= h))
        bar_series = QBarSeries()
        bar_series.append(bars)
        bar_series.setBarWidth(0.9)
        self.chart.addSeries(bar_series)
        self.chart.addSeries(cumulative)
        table = {(t.level, t.window): t.mm for t in svc.thresholds(self.store) if t.site in (0, slot)}
        lines = []
        for lv in Level:
            mm = table.get((lv, Window.H24))
            if mm is None:
                continue
            line = QLineSeries()
            line.setName(f"{lv.label}{fmt_mm(mm)}")
            pen = QPen(QColor(lv.colour), 2)
            pen.setStyle(Qt.PenStyle.DashLine)
            line.setPen(pen)
            line.append(0, mm)
            line.append(CHART_HOURS - 1, mm)
            self.chart.addSeries(line)
            lines.append(line)
        x = QBarCategoryAxis()
        # Categories must be distinct (equal ones merge into one bar): the unlabelled hours get distinct blanks.
        x.append([datetime.fromtimestamp(h, BEIJING).strftime("%d日%H时") if i % 12 == 0 else " " * (i + 1)
                  for i, h in enumerate(hours)])
        x.setTitleText("北京时间；虚线：24 小时累计阈值 (mm)")
        top = max([*(cumulative.at(i).y() for i in range(cumulative.count())), *table.values(), 10.0])
        y = QValueAxis()
        y.setRange(0, top * 1.1)
        y.setTitleText("mm")
        y.setLabelFormat("%d")
        self.chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        self.chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for s in (bar_series, cumulative, *lines):
            s.attachAxis(x)
            s.attachAxis(y)
        if row is not None and row.status.level is not None:
            self.chart.setTitle(self.chart.title() + f"\n{row.status.level.colour_name}预警：{row.status.triggers[0].text}")

    # ---- readings grid
    def paste_into_grid(self) -> None:
        """Rows copied from Excel arrive as tab-separated lines: fill the grid from the current cell."""
        text = QGuiApplication.clipboard().text()
        self.fill_grid(text, self.grid.currentRow() if self.grid.currentRow() >= 0 else 0)

    def fill_grid(self, text: str, start_row: int = 0) -> None:
        lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if ln.strip()]
        if start_row + len(lines) > self.grid.rowCount():
            self.grid.setRowCount(start_row + len(lines))
        for i, ln in enumerate(lines):
            for c, v in enumerate(ln.split("\t")[:len(GRID_COLUMNS)]):
                self.grid.setItem(start_row + i, c, QTableWidgetItem(v.strip()))

    def grid_rows(self) -> list[tuple[int, int, float, int]]:
        out = []
        sites = None
        for r in range(self.grid.rowCount()):
            cells = [(self.grid.item(r, c).text().strip() if self.grid.item(r, c) else "") for c in range(3)]
            if not any(cells):
                continue
            try:
                if sites is None:
                    from hazardmap.services import rain_gauges

                    sites = rain_gauges.list_sites(self.store)
                site = svc.find_site(self.store, cells[0], sites)
                ts, date_only = parse_time(cells[1])
                minutes = 1440 if date_only else 60
                out.append((site.slot, ts, svc.check_mm(cells[2], minutes), minutes))
            except HazardmapError as exc:
                raise InvalidInput(f"第 {r + 1} 行：{exc}") from None
        return out

    def save_grid(self) -> Changes | None:
        try:
            rows = self.grid_rows()
        except HazardmapError as exc:
            QMessageBox.warning(self, "保存读数", str(exc))
            return None
        if not rows:
            return None
        result = self.shell.run_operation(
            lambda store: svc.add_readings(store, rows, source=svc.MANUAL_SOURCE, label=f"录入雨量读数（{len(rows)} 条）"),
            title="保存读数", parent=self)
        if result is not None:
            self.grid.clearContents()
        return result

    # ---- files
    def _on_import(self) -> None:
        path, _f = QFileDialog.getOpenFileName(self, "导入雨量", "", "雨量表 (*.xlsx *.csv)")
        if path:
            self.import_file(path)

    def import_file(self, path: str, *, ask=True):
        try:
            plan = rain_import.check_file(self.store, path)
        except HazardmapError as exc:
            QMessageBox.warning(self, "导入雨量", str(exc))
            return None
        skip = False
        if plan.bad:
            text = "\n".join(str(b) for b in plan.bad[:15]) + ("\n……" if len(plan.bad) > 15 else "")
            if not ask or QMessageBox.question(
                    self, "导入雨量", f"有 {len(plan.bad)} 行有误，尚未导入：\n{text}\n\n只导入正确的 {len(plan.readings)} 条？"
                    ) != QMessageBox.StandardButton.Yes:
                return None
            skip = True
        return self.shell.run_operation(lambda store: rain_import.apply(store, plan, skip_bad=skip),
                                        title="导入雨量", slow="正在导入雨量…", parent=self)

    def _on_sms(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, "导出预警短信名单", "预警短信.xlsx", "Excel (*.xlsx);;CSV (*.csv)")
        if not path:
            return
        mask = QMessageBox.question(self, "导出预警短信名单", "手机号是否脱敏（138****2467）？\n"
                                    "导入县短信平台发送时需要完整号码。") == QMessageBox.StandardButton.Yes
        try:
            cfg = svc.get_settings(self.store)
            n = svc.export_sms(self.store, path, level=cfg.patrol_level, at=self.at(), mask_phones=mask, force=True)
        except HazardmapError as exc:
            QMessageBox.warning(self, "导出预警短信名单", str(exc))
            return
        QMessageBox.information(self, "导出预警短信名单", f"已导出 {n} 条。hazardmap 不发送短信，请导入县短信平台。")

    def open_settings(self) -> rain_settings.RainSettingsDialog:
        return self.settings.open()

    def _on_export_sheets(self) -> None:
        cfg = svc.get_settings(self.store)
        names = [lv.colour_name for lv in Level]
        name, ok = QInputDialog.getItem(self, "按预警导出", f"{fmt_time(self.at())}：导出此等级及以上预警覆盖的隐患点的"
                                        "明白卡和巡查记录表", names, int(cfg.patrol_level) - 1, False)
        if not ok:
            return
        folder = QFileDialog.getExistingDirectory(self, "选择导出文件夹", str(Path.home()))
        if not folder:
            return
        mask = QMessageBox.question(self, "按预警导出", "电话是否隐去中间四位（138****2467）？\n"
                                    "发给村组张贴或外单位时建议隐去。") == QMessageBox.StandardButton.Yes
        self.export_sheets(Path(folder), name, mask_phones=mask)

    def export_sheets(self, folder: Path, level: str | Level, *, mask_phones: bool = False) -> list[Path] | None:
        """The cards and patrol forms of the points covered by warnings at `level` or above at the dock's
        time, written in the worker (progress, 取消); the paths, or None (nothing to export, or refused)."""
        from hazardmap.reports import warning_sheets   # reportlab loads when something is exported, not at start

        try:
            batch = warning_sheets.collect_warned(self.store, level, self.at())
        except HazardmapError as exc:
            self._tell(str(exc))
            return None
        if not batch.seqs:
            self._tell(f"没有{batch.describe}，未导出。")
            return None
        paths = self.printer.export_to(folder, batch.data, batch.seqs, warning_sheets.KINDS, mask_phones=mask_phones,
                                       title=f"正在导出{batch.describe}的明白卡和巡查记录表…")
        self.last_message = self.printer.last_error or f"已导出 {len(paths or [])} 个 PDF（{batch.describe}）"
        return paths

    def _tell(self, text: str) -> None:
        self.last_message = text
        if self.isVisible():
            QMessageBox.information(self, "按预警导出", text)


def _table(columns, parent) -> QTableWidget:
    t = read_only_table(columns, parent)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    return t


def attach(shell: Shell) -> RainPanel:
    window = shell.widget()
    panel = RainPanel(shell, window)
    dock = QDockWidget("雨情预警", window)
    dock.setObjectName("rain_dock")
    # Scrolled: the dock shares the bottom strip with 巡查情况 and must not make the window taller.
    scroll = QScrollArea(dock)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(panel)
    dock.setWidget(scroll)
    shell.add_dock(dock, Qt.DockWidgetArea.BottomDockWidgetArea)
    from PySide6.QtGui import QAction

    action = QAction("导入雨量（Excel/CSV）…", window)
    action.triggered.connect(panel._on_import)
    shell.add_action(MenuId.FILE, action, Section.DATA)
    for_editors(shell.store, action)
    # The same dialog from the 编辑 menu and the dock's 阈值与覆盖… button.
    panel.settings = DialogFeature(shell, rain_settings.RainSettingsDialog, "雨量预警阈值与覆盖范围…",
                                   menu=MenuId.EDIT, section=Section.POINTS)
    panel.dock = dock
    return panel
