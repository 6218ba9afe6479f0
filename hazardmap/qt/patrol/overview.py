"""巡查情况: every point's last patrol, days since, and which are overdue for the interval in force
today (汛期 or not). Computed by services.patrol.overview; this widget only shows it, through a model
whose cells are made when drawn (a province's 290,000 rows as table items took minutes)."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QTableView,
                               QVBoxLayout, QWidget)

from hazardmap.domain.changes import Changes
from hazardmap.domain.patrol import in_flood_season
from hazardmap.domain.patrol_status import STATUS_COLOURS, UNPATROLLED
from hazardmap.qt.buttons import for_editors, push_button
from hazardmap.qt.shell import Shell
from hazardmap.qt.store_warnings import warning_banner
from hazardmap.services import patrol as svc
from hazardmap.services import views

COLUMNS = ("序号", "隐患点", "群测群防员", "最近巡查", "判定", "距今(天)", "状态", "雨情")
OVERDUE_BACKGROUND = "#fdecea"


class OverviewModel(QAbstractTableModel):
    """The rows (PointPatrolStatus) and the rain patrols due; each cell's text and colour made on demand."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list = []
        self.due: dict = {}
        self._overdue_brush = QBrush(QColor(OVERDUE_BACKGROUND))

    def set_rows(self, rows: list, due: dict) -> None:
        self.beginResetModel()
        self.rows, self.due = rows, due
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return COLUMNS[section]
        return None

    def text(self, row: int, column: int) -> str:
        r = self.rows[row]
        if column == 0:
            return str(r.point_seq)
        if column == 1:
            return r.name
        if column == 2:
            return r.monitor
        if column == 3:
            return r.last_at or "—"
        if column == 4:
            return r.last_judgement.value if r.last_judgement else ""
        if column == 5:
            return "" if r.days_since is None else str(r.days_since)
        if column == 6:
            return UNPATROLLED if r.last_at is None else f"超期 {r.overdue_days} 天" if r.overdue else "按期"
        d = self.due.get(r.point_seq)
        return f"{d.kind}（{d.site_name} {d.level.colour_name}）" if d else ""

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        r, column = self.rows[index.row()], index.column()
        if role == Qt.DisplayRole:
            return self.text(index.row(), column)
        if role == Qt.UserRole:
            return r.point_seq
        if role == Qt.BackgroundRole:
            d = self.due.get(r.point_seq) if column == 7 else None
            if d:
                return QBrush(QColor(d.level.colour))
            return self._overdue_brush if r.overdue else None
        if role == Qt.ForegroundRole and column == 4 and r.last_judgement:
            return QBrush(QColor(STATUS_COLOURS[r.last_judgement.value]))
        return None


class PatrolOverview(QWidget):
    sig_point_activated = Signal(int)  # double-click on a row: the window selects that point

    def __init__(self, shell: Shell, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.shell = shell
        self.store = store = shell.store
        self._today = today
        layout = QVBoxLayout(self)
        banner = warning_banner(store, self)
        if banner:
            layout.addWidget(banner)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        self.only_overdue = QCheckBox("只看超期", self)
        self.only_overdue.toggled.connect(self.refresh)
        self.settings_button = push_button(self, "巡查间隔设置…", self.open_settings)
        self.refresh_button = push_button(self, "刷新", self.refresh)
        for_editors(store, self.settings_button)
        row.addWidget(self.only_overdue)
        row.addStretch(1)
        row.addWidget(self.settings_button)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self.model = OverviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().setVisible(False)
        # Widths from the first rows only: ResizeToContents measures every row of a province on each refresh.
        self.table.horizontalHeader().setResizeContentsPrecision(200)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._activated)
        layout.addWidget(self.table)
        store.bus.subscribe(self._on_changes)
        shell.sig_view_changed.connect(lambda _key: self.refresh())
        self.destroyed.connect(lambda *_: store.bus.unsubscribe(self._on_changes))
        self.refresh()

    def today(self) -> date:
        return self._today or date.today()

    def _on_changes(self, changes: Changes) -> None:
        if changes.patrol_points or changes.points or changes.rain or changes.rain_gauges:
            self.refresh()

    def refresh(self) -> None:
        today = self.today()
        view = self.shell.current_view()   # the points the window shows (services/views.py)
        shown = set(views.seqs_in_view(self.store, view))
        rows = [r for r in svc.overview(self.store, today=today) if r.point_seq in shown]
        iv = svc.get_intervals(self.store)
        season = "汛期" if in_flood_season(today) else "非汛期"
        interval = iv.for_day(today)
        is_default = iv.flood_is_default if in_flood_season(today) else iv.other_is_default
        overdue = [r for r in rows if r.overdue]
        due = self._rain_due()
        self.summary.setText(
            f"今天 {today:%Y-%m-%d}（{season}），巡查间隔 {interval} 天"
            f"{'（出厂默认值，非本局规定，可在“巡查间隔设置”中修改）' if is_default else '（本局设定）'}。"
            f"{views.view_title(self.store, view)}共 {len(rows)} 处，超期或未巡查 {len(overdue)} 处。"
            + (f"雨情应巡查 {sum(1 for r in rows if r.point_seq in due)} 处（见“雨情”列）。" if due else ""))
        self.rows = overdue if self.only_overdue.isChecked() else rows
        self.model.set_rows(self.rows, due)

    def _rain_due(self) -> dict:
        """point -> the patrol a rain warning makes due now (雨中巡查/加密巡查), until one is recorded."""
        from hazardmap.domain.errors import HazardmapError
        from hazardmap.services import rain

        try:
            return {d.point: d for d in rain.due_patrols(self.store)}
        except HazardmapError:
            return {}

    def _activated(self, index) -> None:
        self.sig_point_activated.emit(int(self.model.rows[index.row()].point_seq))

    def open_settings(self) -> None:
        from hazardmap.qt.patrol.dialogs import IntervalsDialog

        IntervalsDialog(self.shell, self).exec()
        self.refresh()
