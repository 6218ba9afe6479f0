"""Details of the selected point: everything known about it, in a tab widget other features add
their own tabs to (e.g. the patrol log)."""
from __future__ import annotations

from html import escape

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QHBoxLayout, QMenu, QMessageBox, QPushButton, QTabWidget, QTextBrowser, QToolButton,
                               QVBoxLayout, QWidget)

from hazardmap.domain.patrol_status import status_label
from hazardmap.domain.validation import Datum
from hazardmap.domain.points import POINT_FIELDS, STATUS_FIELDS
from hazardmap.qt.buttons import menu_action, push_button
from hazardmap.services import patrol_status, points as point_service, register
from hazardmap.services.store import Store


def _e(value) -> str:
    return escape("" if value is None else str(value))


def _datum_label(value: str) -> str:
    try:
        return Datum(value).label
    except ValueError:
        return value


POINT_LABELS = {**POINT_FIELDS, **STATUS_FIELDS}


def _shown(value) -> str:
    if value is None or value == "":
        return "（空）"
    return {"active": "在册", "retired": "已核销"}.get(value, f"{value:g}" if isinstance(value, float) else str(value))


def point_details_html(store: Store, seq: int) -> str:
    """The 详情 page as HTML; every value escaped (names and notes are user text)."""
    p = point_service.get_point(store, seq)
    latest = patrol_status.latest_of(store, seq)
    none = "<span style='color:#888'>（资料未载明）</span>"
    blank = "<span style='color:#888'>（未填）</span>"

    def num(value, unit: str) -> str:
        return "" if value is None else f"{value:g} {unit}"

    threat_numbers = "，".join(x for x in (num(p.households, "户"), num(p.people, "人"),
                                          num(p.property_wan, "万元")) if x)
    scale = p.scale_grade
    danger = p.danger_grade
    rows = []
    if p.retired:
        rows.append(("状态", f"<b style='color:#c62828'>已核销</b>　{_e(p.retired_on)}　{_e(p.retire_reason)}"
                              + (f"（{_e(p.retire_doc)}）" if p.retire_doc else "")))
    rows += [
        ("统一编号", _e(p.unified_code) or blank),
        ("野外编号", _e(p.field_code) or blank),
        ("威胁对象", _e(p.threatened) + (f"（{threat_numbers}）" if threat_numbers else "")),
        ("灾害类型", _e(p.kind.value if p.kind else p.hazard_type) or none),
        ("规模", (num(p.volume_m3, "m³") + (f"，<b>{scale.value}</b>" if scale else "")) or none),
        ("险情等级", f"<b>{danger.value}</b>（按威胁人数或财产，国家分级标准）" if danger else none),
        ("群测群防员", f"{_e(p.monitor)}　<b>{_e(p.phone)}</b>"),
        ("位置", f"经度 {p.lon:.6f}，纬度 {p.lat:.6f}（CGCS2000）" if p.located
         else "<b style='color:#c62828'>未定位</b>"),
        ("定位精度", f"{_e(p.precision.label)}：{_e(p.precision.print_note)}"),
        ("位置来源", _e(p.source)),
        ("最近巡查", _e(status_label(latest)) + (f"（{_e(latest.at)}）" if latest else "")),
    ]
    out = [f"<h3 style='margin:2px 0'>{p.seq}号　{_e(p.name)}</h3><table cellspacing='0' cellpadding='3'>"]
    out += [f"<tr><td style='color:#555;white-space:nowrap' valign='top'>{k}</td><td>{v}</td></tr>" for k, v in rows]
    out.append("</table>")
    history = point_service.location_history(store, seq)
    out.append("<h4 style='margin:8px 0 2px'>位置修正记录</h4>")
    if history:
        out.append("<ul style='margin:0'>")
        def at(lon, lat) -> str:
            return f"{lon:.6f}, {lat:.6f}" if lon is not None else "未定位"

        for h in reversed(history):
            moved = f"{at(h.old_lon, h.old_lat)}（{_e(h.old_precision.label)}）→ {at(h.new_lon, h.new_lat)}"
            if h.is_undo:
                out.append(f"<li>{_e(h.changed_at)} {_e(h.changed_by)}：<b>撤销</b> {moved}"
                           f"（{_e(h.new_precision.label)}）；{_e(h.source)}</li>")
            else:
                out.append(f"<li>{_e(h.changed_at)} {_e(h.changed_by)}：{moved}；录入 "
                           f"{_e(_datum_label(h.datum_entered))} {h.entered_lon:.6f}, {h.entered_lat:.6f}；"
                           f"来源 {_e(h.source)}</li>")
        out.append("</ul>")
    else:
        out.append("<div style='color:#888'>无</div>")
    monitors = point_service.monitor_history(store, seq)
    if monitors:
        out.append("<h4 style='margin:8px 0 2px'>群测群防员变更</h4><ul style='margin:0'>")
        for m in reversed(monitors):
            out.append(f"<li>{_e(m.changed_at)} {_e(m.changed_by)}：{_e(m.old_name)} {_e(m.old_phone)} → "
                       f"{_e(m.new_name)} {_e(m.new_phone)}</li>")
        out.append("</ul>")
    changes = register.point_changes(store, seq)
    if changes:
        out.append("<h4 style='margin:8px 0 2px'>登记修改记录</h4><ul style='margin:0'>")
        for c in reversed(changes):
            fields = "；".join(f"{POINT_LABELS.get(k, k)}：{_e(_shown(old))} → {_e(_shown(new))}"
                              for k, (old, new) in c.fields.items())
            out.append(f"<li>{_e(c.changed_at)} {_e(c.changed_by)}：<b>{c.action.label}</b> {fields}</li>")
        out.append("</ul>")
    works = point_service.linked_emergency_works(store, seq)
    out.append("<h4 style='margin:8px 0 2px'>关联的 2023 排危除险项目</h4>")
    if works:
        out.append("<ul style='margin:0'>" + "".join(
            f"<li>{_e(w.site)}：{w.amount_yuan / 10000:g} 万元</li>" for w in works) + "</ul>")
    else:
        out.append("<div style='color:#888'>无</div>")
    return "".join(out)


RunOperation = Callable[..., Any]  # the shell's run_operation(op, title=...)


class PointDetailsTab(QWidget):
    sig_locate_requested = Signal(int)
    sig_monitor_requested = Signal(int)

    def __init__(self, run_operation: RunOperation, parent=None) -> None:
        super().__init__(parent)
        self._run = run_operation
        self.seq: int | None = None
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.locate_button = QPushButton("修正位置…", self)
        self.locate_button.setToolTip("输入 GPS 实测坐标（可选坐标系）或在地图上点选")
        self.locate_button.clicked.connect(lambda: self.seq and self.sig_locate_requested.emit(self.seq))
        self.monitor_button = push_button(self, "更换监测人…",
                                          lambda: self.seq and self.sig_monitor_requested.emit(self.seq))
        # Undo from the saved history (also edits of earlier sessions); each undo is itself kept in the
        # history (services.points) and, like every edit, is a step of 编辑 > 撤销.
        self.undo_button = QToolButton(self)
        self.undo_button.setText("撤销修改")
        self.undo_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        undo_menu = QMenu(self.undo_button)
        self.undo_location_action = menu_action(self, "撤销最近一次位置修改", self._on_undo_location)
        self.undo_monitor_action = menu_action(self, "撤销最近一次监测人变更", self._on_undo_monitor)
        undo_menu.addAction(self.undo_location_action)
        undo_menu.addAction(self.undo_monitor_action)
        self.undo_button.setMenu(undo_menu)
        self.store: Store | None = None
        self.confirm = lambda question: QMessageBox.question(self, "撤销修改", question) == QMessageBox.StandardButton.Yes
        buttons = QHBoxLayout()
        buttons.addWidget(self.locate_button)
        buttons.addWidget(self.monitor_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.browser, 1)
        layout.addLayout(buttons)
        self.show_point(None, None)

    def show_point(self, store: Store | None, seq: int | None) -> None:
        self.seq = seq
        self.store = store
        shown = bool(seq) and store is not None
        self.locate_button.setEnabled(shown)
        self.monitor_button.setEnabled(shown)
        self.undo_location_action.setEnabled(shown and bool(point_service.location_history(store, seq)))
        self.undo_monitor_action.setEnabled(shown and bool(point_service.monitor_history(store, seq)))
        self.undo_button.setEnabled(self.undo_location_action.isEnabled() or self.undo_monitor_action.isEnabled())
        if not shown:
            self.browser.setHtml("<p style='color:#888'>在地图上点击一个隐患点，或在表格中选中一行。</p>")
            return
        self.browser.setHtml(point_details_html(store, seq))

    def _confirm_and_run(self, question: str, action) -> None:
        if not self.confirm(question):
            return
        seq = self.seq  # the change bus refreshes the table, map and this tab
        self._run(lambda store: action(store, seq), title="撤销修改", parent=self)

    def _on_undo_location(self) -> None:
        last = point_service.location_history(self.store, self.seq)[-1]
        old = f"经度 {last.old_lon:.6f}，纬度 {last.old_lat:.6f}" if last.old_lon is not None else "未定位"
        self._confirm_and_run(f"把 {self.seq} 号隐患点的位置恢复为 {old}（{last.old_precision.label}）？\n"
                              "此操作会记入位置修改记录，可再次撤销。", point_service.undo_last_location_change)

    def _on_undo_monitor(self) -> None:
        last = point_service.monitor_history(self.store, self.seq)[-1]
        self._confirm_and_run(f"把 {self.seq} 号隐患点的群测群防员恢复为 {last.old_name} {last.old_phone}？\n"
                              "此操作会记入变更记录。", point_service.undo_last_monitor_change)


class DetailsPanel(QWidget):
    def __init__(self, run_operation: RunOperation, parent=None) -> None:
        super().__init__(parent)
        self.details_tabs = QTabWidget(self)
        self.details_tab = PointDetailsTab(run_operation, self.details_tabs)
        self.details_tabs.addTab(self.details_tab, "详情")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.details_tabs)
