"""The OK/Cancel row every dialog here has, with Chinese texts (Qt's own would follow the system locale)."""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox


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
