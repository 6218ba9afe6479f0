"""The OK/Cancel row every dialog here has, with Chinese texts (Qt's own would follow the system locale)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton


def ok_cancel(dialog: QDialog, ok_text: str, cancel_text: str = "取消",
              on_ok: Callable[[], None] | None = None) -> QDialogButtonBox:
    """OK runs on_ok (default: accept the dialog); Cancel rejects it."""
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    box.accepted.connect(on_ok or dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def ok_button(box: QDialogButtonBox):
    return box.button(QDialogButtonBox.StandardButton.Ok)


def guard_ok(ok, error, check: Callable[[], None], *, quiet: bool = False) -> bool:
    """Runs `check` on what the user typed: while it refuses, its reason stands in the error label (unless
    `quiet`, e.g. for a field not filled in yet) and OK is greyed."""
    from hazardmap.domain.errors import HazardmapError

    try:
        check()
    except HazardmapError as exc:
        error.setText("" if quiet else str(exc))
        ok.setEnabled(False)
        return False
    error.setText("")
    ok.setEnabled(True)
    return True


def push_button(parent, text: str, on_click: Callable[..., object]) -> QPushButton:
    button = QPushButton(text, parent)
    button.clicked.connect(on_click)
    return button


def menu_action(parent, text: str, on_trigger: Callable[..., object]) -> QAction:
    act = QAction(text, parent)
    act.triggered.connect(on_trigger)
    return act


def for_editors(store, *controls) -> None:
    """Buttons and menu entries that change data: hidden on a viewer's desk (connected with the read-only
    role; the title and status bar say so) rather than offered and then refused when pressed."""
    if store.read_only:
        for control in controls:
            control.setVisible(False)


def error_label(parent) -> QLabel:
    """The red line under a form where the reason a value is refused appears as the user types."""
    label = QLabel(parent)
    label.setStyleSheet("color:#c62828")
    label.setWordWrap(True)
    return label
