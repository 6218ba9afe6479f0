"""The table of key points: sortable, filtered as the user types, unlocated points called out
with a 定位 action. Shows service data; computes nothing."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QByteArray, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMenu, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from hazardmap.domain.patrol_status import STATUS_COLOURS, LatestPatrol, status_label
from hazardmap.domain.points import HazardPoint, Precision

COLUMNS = ["序号", "乡镇（街道）", "村组", "威胁对象", "群测群防员", "电话", "定位精度", "最近巡查"]
SEQ_ROLE = Qt.ItemDataRole.UserRole + 1
FIT_ROWS = 100


class PointsTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.points: list[HazardPoint] = []
        self.latest: dict[int, LatestPatrol] = {}
        self._rows: list[tuple] = []  # each row's display texts, made once per refresh, not per paint
        self._seq_rows: dict[int, int] = {}

    def _row(self, p: HazardPoint) -> tuple:
        latest = self.latest.get(p.seq)
        status = status_label(latest)
        return (p.seq, p.township, p.village_group, p.threatened, p.monitor, p.phone, p.precision.label,
                f"{status} {latest.at}" if latest else status)

    def set_points(self, points: list[HazardPoint], latest: dict[int, LatestPatrol]) -> None:
        self.beginResetModel()
        self.latest = dict(latest)
        rows = [(p, self._row(p)) for p in points]
        rows.sort(key=self._key, reverse=self._order == Qt.SortOrder.DescendingOrder)
        self.points, self._rows = [p for p, _ in rows], [r for _, r in rows]
        self._seq_rows = {p.seq: i for i, p in enumerate(self.points)}
        self.endResetModel()

    def update_points(self, points: list[HazardPoint], latest: dict[int, LatestPatrol]) -> bool:
        """Same points, new values: keeps the selection and sort (only a changed set resets).
        False when nothing changed."""
        if len(points) != len(self.points) or any(p.seq not in self._seq_rows for p in points):
            self.set_points(points, latest)
            return True
        # Only the rows that differ: the views redo every row a signal names, which with 2,000 points
        # cost tens of milliseconds per refresh (bench/bench_register.py).
        old_latest, self.latest = self.latest, dict(latest)
        changed = []
        for p in points:
            i = self._seq_rows[p.seq]
            if self.points[i] != p or old_latest.get(p.seq) != self.latest.get(p.seq):
                self.points[i], self._rows[i] = p, self._row(p)
                changed.append(i)
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), len(COLUMNS) - 1))
            if self._column != 0:  # a changed text may move its row
                self.sort(self._column, self._order)
        return bool(changed)

    # Sorting here, in Python, once per click: the proxy sorting instead asked data() of every row
    # for every comparison, and clearing a search re-sorted 2,000 rows that way (about 200 ms).
    _column, _order = 0, Qt.SortOrder.AscendingOrder

    def _key(self, pair):
        value = pair[1][self._column]
        return (value,) if isinstance(value, int) else (0, value)

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self._column, self._order = column, order
        self.layoutAboutToBeChanged.emit()
        old = {p.seq: i for i, p in enumerate(self.points)}
        pairs = sorted(zip(self.points, self._rows), key=self._key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.points, self._rows = [p for p, _ in pairs], [r for _, r in pairs]
        self._seq_rows = {p.seq: i for i, p in enumerate(self.points)}
        moved = {old[p.seq]: i for i, p in enumerate(self.points)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent, [self.index(moved[ix.row()], ix.column()) for ix in persistent])
        self.layoutChanged.emit()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt API)
        return 0 if parent.isValid() else len(self.points)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def row_of(self, seq: int) -> int:
        return self._seq_rows.get(seq, -1)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole or role == Qt.ItemDataRole.EditRole:  # sort keys: seq a number
            return self._rows[row][col]
        p = self.points[row]
        if role == SEQ_ROLE:
            return p.seq
        if role == Qt.ItemDataRole.ToolTipRole and col == 6:
            return f"{p.precision.print_note}\n来源：{p.source}"
        if role == Qt.ItemDataRole.ForegroundRole and col == 6 and p.precision is Precision.NONE:
            return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.DecorationRole and col == 7:
            return QColor(STATUS_COLOURS.get(status_label(self.latest.get(p.seq)), "#7f8c8d"))
        return None


class PointsFilterProxy(QSortFilterProxyModel):
    """Matches the search text against township, village/group, monitor name and phone, name and codes."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._needle = ""

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """The header's click sorts the source model (PointsTableModel.sort); this proxy only filters,
        keeping the source's order."""
        self.sourceModel().sort(column, order)

    def set_needle(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+; invalidateFilter is deprecated there
            self.beginFilterChange()
            self._needle = text.strip()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = text.strip()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802
        if not self._needle:
            return True
        p: HazardPoint = self.sourceModel().points[source_row]
        return any(self._needle in field for field in (p.township, p.village_group, p.monitor, p.phone, p.given_name,
                                                       p.unified_code, p.field_code))


class PointsTable(QWidget):
    """Search box, the 未定位 strip, and the table view."""

    sig_row_selected = Signal(int)   # seq, 0 when none
    sig_locate_requested = Signal(int)
    sig_context_menu = Signal(QMenu, int)  # the menu about to open, for the row's seq (0 off the rows)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.editable = True  # False on a viewer's desk: no 定位 offered (the window sets it)
        self.model = PointsTableModel(self)
        self.proxy = PointsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("搜索：乡镇、村组、群测群防员姓名或电话、编号")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.set_needle)
        self.count_label = QLabel(self)
        self.unlocated_bar = QWidget(self)
        self._unlocated_layout = QHBoxLayout(self.unlocated_bar)
        self._unlocated_layout.setContentsMargins(0, 0, 0, 0)
        self.locate_buttons: dict[int, QPushButton] = {}
        self._columns_fitted = False

        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # No stretched last column: stretching also squeezes it below its text when space is short
        # ("正常 …"); a horizontal scroll bar is better than cut text.
        self.view.horizontalHeader().setStretchLastSection(False)
        # Column widths from the rows in view plus this many more, not from every row: with a register
        # of 2,000 points measuring all of them took most of a second per refresh (bench/bench_register.py).
        self.view.horizontalHeader().setResizeContentsPrecision(FIT_ROWS)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.unlocated_bar)
        layout.addWidget(self.view, 1)

    def set_points(self, points: list[HazardPoint], latest: dict[int, LatestPatrol]) -> None:
        keep = self.selected_seq()
        if not self.model.update_points(points, latest) and self._columns_fitted:
            return  # nothing to redo (e.g. a change to another feature's records)
        self._rebuild_unlocated(points)
        self._update_count()
        self.fit_columns()
        if keep and self.selected_seq() != keep:
            self.select_seq(keep)

    def fit_columns(self) -> None:
        """The first time, each column as wide as its text (or title); later, widen any column whose
        text would be cut (new data), never narrowing what the user widened."""
        header = self.view.horizontalHeader()
        for col in range(self.model.columnCount()):
            needed = max(self.view.sizeHintForColumn(col), header.sectionSizeHint(col))
            if not self._columns_fitted or self.view.columnWidth(col) < needed:
                self.view.setColumnWidth(col, needed)
        self._columns_fitted = self._columns_fitted or self.model.rowCount() > 0

    def save_columns(self) -> QByteArray:
        return self.view.horizontalHeader().saveState()

    def restore_columns(self, state) -> None:
        """Widths (and sort) as the user left them; still never narrower than the text."""
        if isinstance(state, QByteArray) and self.view.horizontalHeader().restoreState(state):
            self._columns_fitted = True
            self.fit_columns()

    def _rebuild_unlocated(self, points: list[HazardPoint]) -> None:
        while self._unlocated_layout.count():
            item = self._unlocated_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.locate_buttons = {}
        unlocated = [p for p in points if not p.located]
        self.unlocated_bar.setVisible(bool(unlocated))
        if not unlocated:
            return
        title = QLabel(f"<b style='color:#c62828'>未定位 {len(unlocated)} 处：</b>", self.unlocated_bar)
        self._unlocated_layout.addWidget(title)
        for p in unlocated:
            self._unlocated_layout.addWidget(QLabel(f"{p.seq}号 {p.name}", self.unlocated_bar))
            if not self.editable:
                continue
            btn = QPushButton("定位…", self.unlocated_bar)
            btn.setToolTip(f"输入实测坐标或在地图上点选 {p.seq} 号隐患点的位置")
            btn.clicked.connect(lambda _=False, seq=p.seq: self.sig_locate_requested.emit(seq))
            self._unlocated_layout.addWidget(btn)
            self.locate_buttons[p.seq] = btn
        self._unlocated_layout.addStretch(1)

    def _update_count(self, *args) -> None:
        self.count_label.setText(f"显示 {self.proxy.rowCount()}/{self.model.rowCount()} 处")

    def visible_seqs(self) -> list[int]:
        return [self.proxy.data(self.proxy.index(r, 0), SEQ_ROLE) for r in range(self.proxy.rowCount())]

    def selected_seq(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.data(rows[0], SEQ_ROLE) if rows else None

    def select_seq(self, seq: int | None) -> bool:
        """Select the row of a point (clearing the search if it hides the row)."""
        if not seq:
            self.view.clearSelection()
            return False
        src_row = self.model.row_of(seq)
        if src_row < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(src_row, 0))
        if not idx.isValid():
            self.search.clear()
            idx = self.proxy.mapFromSource(self.model.index(src_row, 0))
        self.view.selectRow(idx.row())
        self.view.scrollTo(idx)
        return True

    def context_menu(self, seq: int) -> QMenu:
        """The menu for a row (seq 0: off the rows): 定位 here, then what features add."""
        menu = QMenu(self)
        if seq and self.editable:
            located = self.model.points[self.model.row_of(seq)].located
            action = menu.addAction("定位…" if not located else "修正位置…")
            action.triggered.connect(lambda: self.sig_locate_requested.emit(seq))
            menu.addSeparator()
        self.sig_context_menu.emit(menu, seq)
        return menu

    def _on_context_menu(self, pos) -> None:
        idx = self.view.indexAt(pos)
        seq = self.proxy.data(idx, SEQ_ROLE) if idx.isValid() else 0
        if seq:
            self.view.selectRow(idx.row())  # the actions act on the row under the mouse
        menu = self.context_menu(seq)
        if not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))

    def _on_selection_changed(self, *args) -> None:
        self.sig_row_selected.emit(self.selected_seq() or 0)
