"""The patrol entry dialog: quick with the keyboard, checks as you type (the rules live in
domain.patrol.problems_of; this widget only shows them). It returns a draft; saving is the caller's
service call, so the dialog never touches the database."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDateTimeEdit, QDialog, QDialogButtonBox, QFileDialog,
    QFormLayout, QGridLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget, QPlainTextEdit,
    QPushButton, QRadioButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from hazardmap.domain.patrol import (
    COMMON_ACTIONS, FIELD_LABELS, Measurement, MeasureKind, PatrolDraft, PatrolEntry, SignObservation,
    problems_of,
)
from hazardmap.domain.patrol_status import MACRO_SIGNS, STATUS_COLOURS, Judgement
from hazardmap.qt.buttons import push_button

WEATHER = ("晴", "多云", "阴", "小雨", "中雨", "大雨", "暴雨", "雷阵雨")
PATCH_STATES = ("", "完好", "破坏")


class PatrolEntryDialog(QDialog):
    def __init__(self, point_seq: int, point_name: str, default_patroller: str, *, entry: PatrolEntry | None = None,
                 parent: QWidget | None = None, now: datetime | None = None) -> None:
        super().__init__(parent)
        self.point_seq = point_seq
        self._now = now
        self.setWindowTitle(("修改巡查记录 " + str(entry.id)) if entry else "新增巡查记录")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"隐患点：第 {point_seq} 号　{point_name}"))

        form = QFormLayout()
        self.at_edit = QDateTimeEdit(self)
        self.at_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.at_edit.setCalendarPopup(True)
        self.at_edit.setDateTime(QDateTime.currentDateTime())
        form.addRow("巡查时间(&T)", self.at_edit)
        self.by_edit = QLineEdit(default_patroller, self)
        form.addRow("巡查人(&P)", self.by_edit)
        self.weather_combo = QComboBox(self)
        self.weather_combo.setEditable(True)
        self.weather_combo.addItems(("",) + WEATHER)
        form.addRow("天气(&W)", self.weather_combo)
        self.rain_edit = QLineEdit(self)
        self.rain_edit.setPlaceholderText("可不填；0～1000")
        form.addRow("降雨量 mm(&R)", self.rain_edit)
        self.crack_edit = QLineEdit(self)
        self.crack_edit.setPlaceholderText("裂缝计读数，可不填")
        form.addRow("裂缝读数 mm(&C)", self.crack_edit)

        judge_row = QHBoxLayout()
        self.judgement_group = QButtonGroup(self)
        self.judgement_buttons: dict[Judgement, QRadioButton] = {}
        for i, j in enumerate(Judgement, start=1):
            b = QRadioButton(f"{j.value}(&{i})", self)
            b.setStyleSheet(f"QRadioButton {{ color: {STATUS_COLOURS[j.value]}; font-weight: bold; }}")
            self.judgement_group.addButton(b)
            self.judgement_buttons[j] = b
            judge_row.addWidget(b)
        judge_row.addStretch(1)
        form.addRow("判定（必填）", judge_row)
        self.action_combo = QComboBox(self)
        self.action_combo.setEditable(True)
        self.action_combo.addItems(("",) + COMMON_ACTIONS)
        form.addRow("处置措施(&A)", self.action_combo)
        layout.addLayout(form)

        signs_box = QGroupBox("宏观迹象（勾选，并填写部位、特征）", self)
        grid = QGridLayout(signs_box)
        grid.addWidget(QLabel("迹象"), 0, 0)
        grid.addWidget(QLabel("部位"), 0, 1)
        grid.addWidget(QLabel("特征"), 0, 2)
        self.sign_rows: dict[str, tuple[QCheckBox, QLineEdit, QLineEdit]] = {}
        for r, name in enumerate(MACRO_SIGNS, start=1):
            cb, loc, feat = QCheckBox(name, self), QLineEdit(self), QLineEdit(self)
            loc.setEnabled(False)
            feat.setEnabled(False)
            cb.toggled.connect(loc.setEnabled)
            cb.toggled.connect(feat.setEnabled)
            grid.addWidget(cb, r, 0)
            grid.addWidget(loc, r, 1)
            grid.addWidget(feat, r, 2)
            self.sign_rows[name] = (cb, loc, feat)
        layout.addWidget(signs_box)

        m_box = QGroupBox("其他测量（埋桩、贴片、其他裂缝计）", self)
        m_layout = QVBoxLayout(m_box)
        self.measure_table = QTableWidget(0, 4, self)
        self.measure_table.setHorizontalHeaderLabels(["方式", "编号/位置", "读数 mm", "贴片状态"])
        self.measure_table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.measure_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.measure_table.setMaximumHeight(120)
        m_layout.addWidget(self.measure_table)
        m_buttons = QHBoxLayout()
        add_m, del_m = QPushButton("添加测量", self), QPushButton("删除所选测量", self)
        add_m.clicked.connect(lambda: self.add_measurement_row())
        del_m.clicked.connect(self._remove_measurement_row)
        m_buttons.addWidget(add_m)
        m_buttons.addWidget(del_m)
        m_buttons.addStretch(1)
        m_layout.addLayout(m_buttons)
        layout.addWidget(m_box)

        form2 = QFormLayout()
        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setMaximumHeight(60)
        self.note_edit.setTabChangesFocus(True)
        form2.addRow("备注(&N)", self.note_edit)
        photo_row = QHBoxLayout()
        self.photo_list = QListWidget(self)
        self.photo_list.setMaximumHeight(50)
        self.photo_button = push_button(self, "添加照片…", self._choose_photos)
        photo_row.addWidget(self.photo_list, 1)
        photo_row.addWidget(self.photo_button)
        form2.addRow("照片", photo_row)
        layout.addLayout(form2)

        self.problem_label = QLabel(self)
        self.problem_label.setStyleSheet("color: #c62828;")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.problem_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel, self)
        self.buttons.button(QDialogButtonBox.Save).setText("保存 (Ctrl+S)")
        self.buttons.button(QDialogButtonBox.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence.Save, self, activated=self.accept)

        self.photos: list[str] = []
        if entry:
            self._load(entry)
            self.photo_button.setEnabled(False)  # photos of a saved entry are added from the tab
        for changed in (self.by_edit.textChanged, self.rain_edit.textChanged, self.crack_edit.textChanged,
                        self.weather_combo.currentTextChanged, self.action_combo.currentTextChanged,
                        self.at_edit.dateTimeChanged, self.judgement_group.buttonToggled, self.note_edit.textChanged,
                        self.measure_table.itemChanged):
            changed.connect(self.revalidate)   # any edit checks the whole draft again
        for cb, loc, feat in self.sign_rows.values():
            cb.toggled.connect(self.revalidate)
            loc.textChanged.connect(self.revalidate)
            feat.textChanged.connect(self.revalidate)
        self.revalidate()
        self.by_edit.setFocus() if entry else self.at_edit.setFocus()

    # ---- state -------------------------------------------------------------------------------
    def _load(self, e: PatrolEntry) -> None:
        self.at_edit.setDateTime(QDateTime.fromString(e.at, "yyyy-MM-dd HH:mm"))
        self.by_edit.setText(e.by)
        self.weather_combo.setCurrentText(e.weather)
        self.rain_edit.setText("" if e.rain_mm is None else f"{e.rain_mm:g}")
        if e.judgement:
            self.judgement_buttons[e.judgement].setChecked(True)
        self.action_combo.setCurrentText(e.action)
        self.note_edit.setPlainText(e.note)
        for s in e.signs:
            cb, loc, feat = self.sign_rows[s.sign]
            cb.setChecked(True)
            loc.setText(s.location)
            feat.setText(s.feature)
        for m in e.measurements:
            if m.kind is MeasureKind.CRACK_GAUGE and m.label == "" and not self.crack_edit.text():
                self.crack_edit.setText("" if m.reading_mm is None else f"{m.reading_mm:g}")
            else:
                self.add_measurement_row(m)
        for p in e.photos:
            self.photo_list.addItem(p)

    def add_measurement_row(self, m: Measurement | None = None) -> int:
        row = self.measure_table.rowCount()
        blocked = self.measure_table.blockSignals(True)  # revalidate once the row is complete
        self.measure_table.insertRow(row)
        kind = QComboBox(self.measure_table)
        for k in (MeasureKind.STAKE, MeasureKind.PATCH, MeasureKind.CRACK_GAUGE):
            kind.addItem(k.label, k.value)
        state = QComboBox(self.measure_table)
        state.addItems(PATCH_STATES)
        if m:
            kind.setCurrentIndex(kind.findData(m.kind.value))
            state.setCurrentText("" if m.patch_intact is None else ("完好" if m.patch_intact else "破坏"))
        self.measure_table.setCellWidget(row, 0, kind)
        self.measure_table.setItem(row, 1, QTableWidgetItem(m.label if m else ""))
        self.measure_table.setItem(row, 2, QTableWidgetItem("" if not m or m.reading_mm is None else f"{m.reading_mm:g}"))
        self.measure_table.setCellWidget(row, 3, state)
        self.measure_table.blockSignals(blocked)
        kind.currentIndexChanged.connect(self.revalidate)
        state.currentIndexChanged.connect(self.revalidate)
        self.revalidate()
        return row

    def _remove_measurement_row(self) -> None:
        row = self.measure_table.currentRow()
        if row >= 0:
            self.measure_table.removeRow(row)
            self.revalidate()

    def _choose_photos(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择照片", "", "照片 (*.jpg *.jpeg *.png *.heic *.bmp *.tif *.tiff)")
        for f in files:
            self.photos.append(f)
            self.photo_list.addItem(f)

    def draft(self) -> PatrolDraft:
        """What the user typed, unchecked (problems_of/check_draft judge it)."""
        checked = self.judgement_group.checkedButton()
        judgement = next((j for j, b in self.judgement_buttons.items() if b is checked), None)
        measurements = []
        crack = self.crack_edit.text().strip()
        if crack:
            measurements.append(Measurement(MeasureKind.CRACK_GAUGE, "", crack))  # the text: checked below
        for row in range(self.measure_table.rowCount()):
            kind = MeasureKind(self.measure_table.cellWidget(row, 0).currentData())
            label = (self.measure_table.item(row, 1) or QTableWidgetItem("")).text()
            reading = (self.measure_table.item(row, 2) or QTableWidgetItem("")).text().strip()
            state = self.measure_table.cellWidget(row, 3).currentText()
            measurements.append(Measurement(kind, label, reading or None,
                                            None if not state else state == "完好"))
        return PatrolDraft(
            point_seq=self.point_seq, at=self.at_edit.dateTime().toString("yyyy-MM-dd HH:mm"),
            by=self.by_edit.text(), judgement=judgement, weather=self.weather_combo.currentText(),
            rain_mm=self.rain_edit.text().strip() or None,
            signs=tuple(SignObservation(name, loc.text(), feat.text())
                        for name, (cb, loc, feat) in self.sign_rows.items() if cb.isChecked()),
            measurements=tuple(measurements), action=self.action_combo.currentText(),
            note=self.note_edit.toPlainText(),
        )

    def problems(self) -> dict[str, str]:
        return problems_of(self.draft(), now=self._now)

    def revalidate(self, *_args) -> None:
        problems = self.problems()
        self.problem_label.setText("\n".join(f"{FIELD_LABELS.get(k, k)}：{v}" for k, v in problems.items()))
        self.buttons.button(QDialogButtonBox.Save).setEnabled(not problems)
        marks = {"rain_mm": self.rain_edit, "by": self.by_edit}
        for key, widget in marks.items():
            widget.setStyleSheet("border: 1px solid #c62828;" if key in problems else "")
        self.crack_edit.setStyleSheet("border: 1px solid #c62828;" if "measurements" in problems
                                      and self.crack_edit.text().strip() else "")

    def accept(self) -> None:
        if self.problems():  # Ctrl+S with a problem left: stay open, the label says why
            self.revalidate()
            return
        super().accept()

