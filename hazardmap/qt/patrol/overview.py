"""巡查情况: every point's last patrol, days since, and which are overdue for the interval in force
today (汛期 or not, Beijing's date). The counts come from the database and the rows a page at a time as
the table is scrolled (services.patrol.overview_counts / overview_page): a province's 290,000 points
start the window in a tenth of a second, not the quarter of a minute reading them all took."""
from __future__ import annotations

from datetime import date
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QTableView,
                               QVBoxLayout, QWidget)

from hazardmap.domain.changes import Changes
from hazardmap.domain.patrol import today_in_beijing
from hazardmap.domain.patrol_status import STATUS_COLOURS, UNPATROLLED
from hazardmap.qt.buttons import for_editors, push_button
from hazardmap.qt.shell import Shell
from hazardmap.qt.store_warnings import warning_banner
from hazardmap.services import patrol as svc
from hazardmap.services import views

COLUMNS = ("序号", "隐患点", "群测群防员", "最近巡查", "判定", "距今(天)", "状态", "雨情")
OVERDUE_BACKGROUND = "#fdecea"


class OverviewModel(QAbstractTableModel):
    """The rows (PointPatrolStatus) read so far and the rain patrols due; each cell's text and colour made
    on demand. More rows are read as the view scrolls to the end (Qt's canFetchMore/fetchMore)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list = []
        self.due: dict = {}
        self._next: Callable[[int], list] | None = None   # the page after a seq; None: all read
        self._overdue_brush = QBrush(QColor(OVERDUE_BACKGROUND))

    def set_rows(self, rows: list, due: dict, next_page: Callable[[int], list] | None = None) -> None:
        """The first page, and how to read the page after a seq (None: these are all the rows)."""
        self.beginResetModel()
        self.rows, self.due, self._next = list(rows), due, next_page
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: N802,B008
        return not parent.isValid() and self._next is not None

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: N802,B008
        if parent.isValid() or self._next is None:
            return
        more = self._next(self.rows[-1].point_seq if self.rows else 0)
        if not more:
            self._next = None
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
        self.rows += more
        self.endInsertRows()

    def fetch_all(self) -> None:
        """Every row (a test, or a search through them all)."""
        while self.canFetchMore():
            self.fetchMore()

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
        return self._today or today_in_beijing()

    def _on_changes(self, changes: Changes) -> None:
        if changes.patrol_points or changes.points or changes.rain or changes.rain_gauges:
            self.refresh()

    def refresh(self) -> None:
        today = self.today()
        view = self.shell.current_view()   # the points the window shows (services/views.py)
        counts = svc.overview_counts(self.store, view, today=today)
        due = self._rain_due()
        self.summary.setText(
            f"今天 {today:%Y-%m-%d}（{'汛期' if counts.flood_season else '非汛期'}），巡查间隔 {counts.interval} 天"
            f"{'（出厂默认值，非本局规定，可在“巡查间隔设置”中修改）' if counts.interval_is_default else '（本局设定）'}。"
            f"{views.view_title(self.store, view)}共 {counts.total} 处，超期或未巡查 {counts.overdue} 处。"
            + (f"雨情应巡查 {svc.count_in_view(self.store, view, due)} 处（见“雨情”列）。" if due else ""))
        overdue_only = self.only_overdue.isChecked()

        def page(after_seq: int) -> list:
            return svc.overview_page(self.store, view, today=today, after_seq=after_seq, overdue_only=overdue_only)
        first = page(0)
        self.model.set_rows(first, due, page if len(first) == svc.OVERVIEW_PAGE else None)

    @property
    def rows(self) -> list:
        """The rows read so far (more are read as the table is scrolled: model.fetch_all() reads them all)."""
        return self.model.rows

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
